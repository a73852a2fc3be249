/**
 * The overlay sandbox: O(1) in tree size, the host read-only, private /tmp, /run and /dev/shm,
 * no capabilities. See sandbox.ts for the overview and MOUNT_HELPER for the mounts.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'
import { TREE_HIDDEN, isInside } from '../engine/paths.ts'
import { shellQuote } from '../engine/shell-quote.ts'
import { MOUNT_HELPER, MOUNT_SYSCALLS } from './mount-helper.ts'
import { credentialsIn, hiddenHomes, toolDirsUnder } from './read-allowlist.ts'
import { removeTree } from './remove-tree.ts'
import {
  BaseProvider,
  SANDBOX_FAILURE_EXIT_CODE,
  findTool,
  readFailure,
  type EnterOptions,
  type Sandbox,
  type SandboxProvider,
  type TreeLayers,
} from './sandbox-core.ts'

/** Absolute paths of the host tools the overlay kind needs. */
export interface OverlayTools {
  sh: string
  unshare: string
  setpriv: string
  perl: string
  sleep: string
  setsid: string
  timeout: string
}

/** Directories every overlay run gets a fresh, private, empty tmpfs over. */
const PRIVATE_DIRS = ['/tmp', '/var/tmp', '/run', '/var/run', '/dev/shm']

/** Size of those when the run has no disk budget. */
const DEFAULT_COVER_BYTES = 1024 * 1024 * 1024

/**
 * An empty directory over a home, a mask or a hidden entry of the tree: it only ever holds the
 * mount points of what is shown again, and is made read-only once they are in place.
 */
const HIDE_OPTIONS = 'size=1m,nr_inodes=4096,mode=0755'

/**
 * Inodes of a run's capped tmpfs: one per 4 KiB of its size (what a file of one page costs),
 * so that empty files cannot exhaust the machine where bytes would not; at least MIN_INODES.
 */
const BYTES_PER_INODE = 4096
const MIN_INODES = 4096

/**
 * Runs in the new mount (and user) namespace, outside the new pid namespace. $1 is the area,
 * whose `conf` (shell assignments written by `enter`) names every tool and path; the rest is the
 * argv of the run's first process in the pid namespace (the mount helper, then the command).
 * - It first moves itself into the run's cgroups, so everything the run starts is counted there.
 * - The keeper MUST be the first fork (it becomes the pid namespace's init). It closes every fd,
 *   so it never holds the run's output pipes or verdict channel open, and leaves the run's
 *   process group: after a run killed with SIGKILL it waits in the kernel until the host's init
 *   has reaped the command (whose parent, the relay, died first), and the spawner must not wait
 *   for that as if it were a leftover of the run. It holds no capability.
 * - The wrapper waits (builtins only, no fork) until the keeper has become `sleep`, i.e. is past
 *   setpriv's prctl: a parent-death signal armed after the parent died is never sent, and a
 *   quick command used to win that race and leak the keeper. The wait is capped, in case `sleep`
 *   shows up under another name.
 * - The relay, `timeout --foreground 0` (GNU coreutils; never times out), forks the mount helper
 *   into the pid namespace, waits for the command it becomes and ends the same way: exit 3
 *   stays exit 3, and SIGSEGV or SIGKILL is re-raised on itself, so the spawner sees the
 *   command's own status on the pid it spawned. It gets SIGKILL when the judge dies
 *   (PR_SET_PDEATHSIG), so even a judge killed with SIGKILL takes every run's namespace down.
 */
const WRAPPER = [
  'area=$1; shift',
  `fail() { printf '%s\\n' "$1" >"$area/sandbox-error"; printf 'quorum sandbox: %s\\n' "$1" >&2; exit ${SANDBOX_FAILURE_EXIT_CODE}; }`,
  '. "$area/conf" || fail "cannot read the sandbox configuration"',
  'for f in $cgroups; do printf "%s\\n" $$ >"$f" || fail "cannot join the cgroup of $f"; done',
  '"$setpriv" --pdeathsig KILL --no-new-privs --bounding-set=-all --inh-caps=-all -- "$ssid" "$slp" 2147483647 </dev/null >&- 2>&- 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &',
  'k=$!; n=0',
  'while [ $n -lt 100000 ] && read -r st <"/proc/$k/stat"; do case $st in *") "[ZX]" "*|"$k (sleep) "*) break;; esac; n=$((n + 1)); done',
  'exec "$setpriv" --pdeathsig KILL -- "$relay" --foreground 0 "$perl" "$helper" "$area" "$setpriv" --no-new-privs --bounding-set=-all --inh-caps=-all --ambient-caps=-all -- "$@"',
].join('\n')

export function findOverlayTools(): OverlayTools | string {
  const tools: Partial<OverlayTools> = {}
  for (const name of ['sh', 'unshare', 'setpriv', 'perl', 'sleep', 'setsid', 'timeout'] as const) {
    const found = findTool(name)
    if (found === null) return `${name} not found`
    tools[name] = found
  }
  return tools as OverlayTools
}

export class OverlayProvider extends BaseProvider implements SandboxProvider {
  readonly kind = 'overlay' as const
  private readonly tools: OverlayTools
  private readonly userns: boolean
  private readonly privateProc: boolean
  private readonly masks: readonly string[]
  private readonly hidden: readonly string[]
  private readonly keep: readonly string[]
  private helperFile: Promise<string> | null = null

  constructor(
    dir: string,
    tools: OverlayTools,
    o: {
      userns: boolean
      privateProc: boolean
      masks: readonly string[]
      readOnly: readonly string[]
      /** Directories runs must not read (default: every home, see read-allowlist.ts). */
      hidden?: readonly string[]
      /** Where HOME and PATH come from (default process.env). */
      env?: Record<string, string | undefined>
    },
  ) {
    super(dir)
    const env = o.env ?? process.env
    this.tools = tools
    this.userns = o.userns
    this.privateProc = o.privateProc
    // A HOME of /tmp (some containers) is private already; hiding it would seal /tmp read-only.
    this.hidden = (o.hidden ?? hiddenHomes(env))
      .filter(usablePath)
      .filter((h) => !PRIVATE_DIRS.includes(h))
    const toolDirs = toolDirsUnder([...PRIVATE_DIRS, ...this.hidden], env)
    this.keep = [...new Set([...o.readOnly, ...toolDirs])].filter(usablePath)
    const credentials = credentialsIn(this.keep, this.hidden)
    // A mask that is / or a private directory itself (a log directory of /tmp) has nothing to
    // hide that the private cover does not already, and must not make that cover read-only.
    this.masks = [...new Set([...o.masks, ...credentials])]
      .filter(usablePath)
      .filter((m) => m !== '/' && !PRIVATE_DIRS.includes(m))
  }

  whyHidden(path: string): string | null {
    if (!isAbsolute(path) || this.keep.some((k) => isInside(path, k))) return null
    const mask = this.masks.find((m) => isInside(path, m))
    if (mask !== undefined)
      return `${mask} is hidden from checks (the gate's own files and credentials)`
    const priv = PRIVATE_DIRS.find((d) => isInside(path, d))
    if (priv !== undefined) return `${priv} is private to each run`
    const home = this.hidden.find((h) => isInside(path, h))
    if (home !== undefined) return `${home} is hidden from checks (reads follow an allow list)`
    return null
  }

  /** The mount helper's script, written once per provider where no run can change it. */
  private helper(): Promise<string> {
    this.helperFile ??= (async () => {
      const file = join(this.dir, 'mount-helper.pl')
      await mkdir(this.dir, { recursive: true })
      await writeFile(file, MOUNT_HELPER, { mode: 0o444 })
      return file
    })()
    return this.helperFile
  }

  /**
   * The run's mount plan (see MOUNT_HELPER). After the tree's overlays are mounted (with the
   * entries no key covers, TREE_HIDDEN, hidden in them), the whole host becomes read-only; then
   * /tmp, /var/tmp, /run (daemon sockets) and /dev/shm get a private, empty, writable directory,
   * and every home and every mask an empty read-only one (a masked file: /dev/null), deepest
   * first so that a mask inside another is in place before the outer one hides it; then the
   * paths the run needs that a cover hid are shown again read-only: the tools under a home or a
   * private directory, the caller's read-only paths (the checks module, the config's
   * `read_only_paths`); and the run's own area. So a check reads its tree, HOME, TMPDIR, the
   * system and its tools, and writes only the first three.
   *
   * With a disk budget every writable place is one size- and inode-capped tmpfs: the overlay's
   * upper layer, HOME, TMPDIR and the private /tmp, /var/tmp, /run and /dev/shm are directories
   * in it, and the rest of the area is read-only, so nothing a run writes escapes the cap.
   */
  private mountPlan(area: string, tree: TreeLayers, options: EnterOptions, layout: Layout): string {
    const syscalls = MOUNT_SYSCALLS[process.arch]
    if (!syscalls) throw new Error(`overlay sandboxes are not supported on ${process.arch}`)
    const ops: string[][] = [['sys', ...syscalls.map(String)]]
    if (this.privateProc) ops.push(['proc'])
    const x = this.userns ? ',userxattr' : ''
    const rw = join(area, 'rw')
    if (layout.tmpfs) {
      const inodes = Math.max(MIN_INODES, Math.floor(layout.tmpfs / BYTES_PER_INODE))
      ops.push(['tmpfs', rw, `size=${layout.tmpfs},nr_inodes=${inodes},mode=0755`])
      for (const d of layout.mkdirs) ops.push(['mkdir', join(area, d)])
      PRIVATE_DIRS.forEach((_, i) => ops.push(['mkdir', join(rw, `p${i}`), '1777']))
    }
    const lower = tree.root.map((_, i) => `l${i}`).join(':')
    const root = join(area, 'root')
    ops.push([
      'overlay',
      root,
      `lowerdir=${lower},upperdir=${layout.upper},workdir=${layout.work}${x}`,
    ])
    if (tree.home.length > 0) {
      const homeLower = tree.home.map((_, i) => `h${i}`).join(':')
      ops.push([
        'overlay',
        join(area, layout.home),
        `lowerdir=${homeLower},upperdir=${layout.homeUpper},workdir=${layout.homeWork}${x}`,
      ])
    }
    const treeHidden = TREE_HIDDEN.map((name) => join(root, name))
    for (const path of treeHidden) ops.push(['cover', path, HIDE_OPTIONS])
    const keep = [...new Set([...this.keep, ...(options.keep ?? []).filter(usablePath)])]
    for (const path of keep) ops.push(['hold', path])
    ops.push(['hold', area])
    if (options.network === 'none') ops.push(['lo'])
    ops.push(['ro'])
    const privateCover = `size=${options.diskBytes ?? DEFAULT_COVER_BYTES},mode=1777`
    const hides = new Set([...this.hidden, ...this.masks])
    const covers = [...new Set([...PRIVATE_DIRS, ...hides])].sort((a, b) => depth(b) - depth(a))
    for (const path of covers) {
      const i = PRIVATE_DIRS.indexOf(path)
      if (i < 0) ops.push(['cover', path, HIDE_OPTIONS])
      // Relative to the area (the helper's working directory): a cover made before this one,
      // over /tmp say, may already hide the area's absolute path.
      else if (layout.tmpfs) ops.push(['bind', join('rw', `p${i}`), path])
      else ops.push(['cover', path, privateCover])
    }
    for (const path of keep) {
      // A kept path inside a mask stays hidden: the mask wins (a home does not).
      if (!this.masks.some((m) => isInside(path, m))) ops.push(['show', path, 'ro'])
    }
    if (layout.tmpfs) {
      ops.push(['show', area, 'ro'], ['rw', root], ['rw', rw])
    } else {
      ops.push(['show', area, 'rw'])
    }
    for (const path of [...treeHidden, ...covers]) {
      if (hides.has(path) || treeHidden.includes(path)) ops.push(['seal', path])
    }
    ops.push(['cd', root], ['scope'])
    return ops.map((op) => `${op.join('\t')}\n`).join('')
  }

  async enter(
    tree: TreeLayers,
    _signal?: AbortSignal,
    options: EnterOptions = {},
  ): Promise<Sandbox> {
    this.checkTree(tree)
    if (tree.root.length === 0) throw new Error('a tree needs at least one layer')
    for (const layer of [...tree.root, ...tree.home]) {
      if (!usablePath(layer)) throw new Error(`a tree layer path cannot be used: ${layer}`)
    }
    const area = await this.newArea()
    const layout = overlayLayout(tree, options.diskBytes ?? null)
    const dirs = ['root', ...layout.diskDirs]
    const helper = await this.helper()
    const { tools } = this
    const conf = {
      setpriv: tools.setpriv,
      ssid: tools.setsid,
      slp: tools.sleep,
      relay: tools.timeout,
      perl: tools.perl,
      helper,
      cgroups: (options.cgroupProcs ?? []).join(' '),
    }
    await Promise.all([
      ...dirs.map((d) => mkdir(join(area, d))),
      ...tree.root.map((layer, i) => symlink(layer, join(area, `l${i}`))),
      ...tree.home.map((layer, i) => symlink(layer, join(area, `h${i}`))),
      writeFile(join(area, 'plan'), this.mountPlan(area, tree, options, layout)),
      writeFile(
        join(area, 'conf'),
        Object.entries(conf)
          .map(([name, value]) => `${name}=${shellQuote(value)}\n`)
          .join(''),
      ),
    ])
    const prefix = [tools.unshare]
    if (this.userns) prefix.push('--user', '--map-current-user', '--keep-caps')
    // --ipc: the host's System V IPC objects and POSIX message queues stay out of reach.
    prefix.push('--mount', '--propagation', 'private', '--pid', '--ipc')
    if (options.network === 'none') prefix.push('--net')
    prefix.push('--', tools.sh, '-c', WRAPPER, 'quorum-sandbox', area)
    const root = join(area, 'root')
    let gone: Promise<void> | null = null
    return {
      kind: 'overlay',
      area,
      root,
      home: join(area, layout.home),
      tmp: join(area, layout.tmp),
      cwd: area,
      wrap: (argv) => [...prefix, ...argv],
      failure: () => readFailure(area),
      seal: async () => {
        if (layout.tmpfs) throw new Error('a run with a disk budget cannot be sealed')
        // work/ is overlayfs scratch space (and holds a mode-000 dir); it is not part of a layer.
        await Promise.all(['work', 'home-work', 'tmp'].map((d) => removeTree(join(area, d))))
        return {
          kind: 'overlay',
          root: [join(area, 'upper'), ...tree.root],
          home:
            tree.home.length > 0 ? [join(area, 'home-upper'), ...tree.home] : [join(area, 'home')],
        }
      },
      remove: () => (gone ??= removeTree(area)),
    }
  }
}

/** Where a run's writable parts live inside its area (relative paths). */
interface Layout {
  /** Size of the tmpfs at `rw` that holds every writable part, or null: on the disk. */
  tmpfs: number | null
  /** Made on the disk by `enter`. */
  diskDirs: string[]
  /** Made inside the tmpfs by the mount helper. */
  mkdirs: string[]
  upper: string
  work: string
  home: string
  homeUpper: string
  homeWork: string
  tmp: string
}

function overlayLayout(tree: TreeLayers, diskBytes: number | null): Layout {
  const homeLayers = tree.home.length > 0
  if (diskBytes === null) {
    return {
      tmpfs: null,
      diskDirs: [
        'upper',
        'work',
        'home',
        'tmp',
        ...(homeLayers ? ['home-upper', 'home-work'] : []),
      ],
      mkdirs: [],
      upper: 'upper',
      work: 'work',
      home: 'home',
      homeUpper: 'home-upper',
      homeWork: 'home-work',
      tmp: 'tmp',
    }
  }
  const inside = ['rw/upper', 'rw/work', 'rw/home', 'rw/tmp']
  if (homeLayers) inside.push('rw/home-upper', 'rw/home-work')
  return {
    tmpfs: Math.max(1024 * 1024, Math.floor(diskBytes)),
    diskDirs: ['rw'],
    mkdirs: inside,
    upper: 'rw/upper',
    work: 'rw/work',
    home: 'rw/home',
    homeUpper: 'rw/home-upper',
    homeWork: 'rw/home-work',
    tmp: 'rw/tmp',
  }
}

/** A path the mount plan can carry: absolute, no tab or newline. */
function usablePath(path: string): boolean {
  return isAbsolute(path) && !/[\t\n]/.test(path)
}

function depth(path: string): number {
  return path.split('/').length
}
