/**
 * Sandboxes: the throwaway copy of a tree that one run of one check sees.
 *
 * Two kinds, same contract (nothing written in a sandbox reaches its source tree or the next
 * sandbox; symlinks are links, never followed):
 *
 * - `overlay`: O(1) in tree size. A sandbox is a handful of empty directories; the tree appears
 *   at `root` only inside the run's own mount namespace, where the mount helper (MOUNT_HELPER, one
 *   perl process) mounts an overlayfs (read-only lower layers = the prepared tree, upper = this
 *   run's writes), makes the whole host read-only, gives /tmp, /var/tmp, /run and /dev/shm a
 *   private tmpfs, hides the masked paths and shows the run's own area writable again. The
 *   mounts live and die with the namespace, so a killed or interrupted gate cannot leak mounts:
 *   only plain directories are left for `remove()`.
 * - `copy`: the portable fallback. A sandbox is a fresh `cp -a` of the prepared tree. It cannot
 *   hide or protect anything outside the tree: a check writes wherever the gate's user may.
 *
 * Process containment (overlay kind): `unshare --mount --pid` (without `--fork`) starts the
 * wrapper in the new mount namespace; the wrapper's children go to a fresh pid namespace. The
 * first of them becomes that namespace's init: a `sleep` that gets SIGKILL when the wrapper's
 * process dies (PR_SET_PDEATHSIG), and when a pid namespace's init dies the kernel kills
 * everything else in it (pipe holders, daemons, setsid escapers). The wrapper then execs a
 * relay, `timeout --foreground 0` (GNU coreutils; never times out), which forks the mount
 * helper into the namespace; the helper execs setpriv, which drops every capability, sets
 * no_new_privs and execs the command. The relay waits for it and ends the same way: exit 3 stays
 * exit 3 and SIGSEGV or SIGKILL is re-raised on itself, so the spawner sees the command's own
 * status on the pid it spawned. Why not simpler:
 * - the command cannot be the namespace's init: init ignores signals it has no handler for, so
 *   `process.kill(process.pid, 'SIGSEGV')` or `kill -9 $$` would do nothing, and a shell as init
 *   cannot tell "exit 139" from "killed by SIGSEGV" when relaying;
 * - the command cannot stay outside the namespace either (exec'd by the wrapper): a process whose
 *   children go to another pid namespace cannot create threads (clone fails with EINVAL), so
 *   node, Go or Java would abort at start;
 * - `unshare --fork` relays too, but util-linux < 2.40 turns a child's SIGKILL (the OOM killer's
 *   signal) into "exit 1" (util-linux issue #2614).
 * detectSandbox checks the whole chain on this machine (the mounts, and that a SIGKILLed command
 * is reported as such).
 *
 * As root the namespace needs no user namespace. As an ordinary user it runs in a user
 * namespace that maps the user to itself (`--map-current-user --keep-caps`) and mounts with
 * `userxattr`; either way the check runs with the gate's uid and no capability at all (not as a
 * fake root that can read 0600 files or ignore permission bits).
 *
 * What an overlay sandbox does not do: hide what the gate's user may read (the host is read-only,
 * not invisible, apart from the masks), or firewall the network unless `network: none`.
 */
import { isInside } from '../engine/paths.ts'
import { spawn } from 'node:child_process'
import { existsSync, realpathSync } from 'node:fs'
import {
  chmod,
  cp,
  lstat,
  mkdir,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises'
import { dirname, isAbsolute, join } from 'node:path'
import type { SandboxKind } from '../engine/types.ts'
import { resolveTool } from './system-tools.ts'

/** What the caller asks for: a kind, or `auto` to use overlay when this machine allows it. */
export type SandboxMode = 'auto' | SandboxKind

/**
 * The prepared tree a sandbox is made from: directory layers, top first. For overlay these are
 * the lower layers of every run's mount; for copy the single entry is the directory copied.
 * `home` is the same for HOME (a setup command may install tools there); empty = start empty.
 */
export interface TreeLayers {
  readonly kind: SandboxKind
  readonly root: readonly string[]
  readonly home: readonly string[]
}

/** One run's sandbox. All paths are absolute; none is inside the source tree. */
export interface Sandbox {
  readonly kind: SandboxKind
  /** The run's private area: root, home, tmp and (overlay) the upper/work directories. */
  readonly area: string
  /** Where the tree appears to the command (its cwd); the same path inside the namespace. */
  readonly root: string
  /** Fresh HOME for the run (seeded from the tree's home layers). */
  readonly home: string
  /** Fresh, empty TMPDIR for the run. */
  readonly tmp: string
  /** Directory to spawn `wrap(argv)` in. */
  readonly cwd: string
  /** The argv that runs `argv` inside this sandbox with cwd = root. Spawn it with `cwd`. */
  wrap(argv: readonly string[]): string[]
  /**
   * Why the sandbox itself could not be entered (e.g. the overlay mount failed), or null. Only
   * meaningful after a run that exited with SANDBOX_FAILURE_EXIT_CODE.
   */
  failure(): Promise<string | null>
  /**
   * Turns what was written in this sandbox into the layers of a new prepared tree (how a setup
   * command's effects reach every later run). The sandbox must not be used afterwards; its
   * directories now belong to the returned layers and go away with the provider.
   */
  seal(): Promise<TreeLayers>
  /** Deletes the sandbox's directories. Idempotent. Call only once its run has ended. */
  remove(): Promise<void>
}

/** Makes sandboxes of one kind under one directory. */
export interface SandboxProvider {
  readonly kind: SandboxKind
  /** Directory every sandbox lives under. */
  readonly dir: string
  /** A prepared tree that reads `sourceDir` (never writes it). O(1) for both kinds. */
  prepare(sourceDir: string): TreeLayers
  /**
   * A fresh sandbox of `tree`: O(1) for overlay, one `cp -a` for copy. `signal` stops a copy
   * in flight (the promise then rejects).
   */
  enter(tree: TreeLayers, signal?: AbortSignal, options?: EnterOptions): Promise<Sandbox>
  /** Kills helper processes (copies in flight) and deletes `dir`. Idempotent. */
  dispose(): Promise<void>
}

/** Exit code of a run whose sandbox could not be set up (the command never started). */
export const SANDBOX_FAILURE_EXIT_CODE = 125

/** Absolute paths of the host tools the overlay kind needs. */
interface OverlayTools {
  sh: string
  unshare: string
  setpriv: string
  perl: string
  sleep: string
  setsid: string
  timeout: string
}

/**
 * What a run may use beyond its tree, set per run: its network, the size of its writable space,
 * the cgroups it joins before anything of it starts, and what else it must see.
 */
export interface EnterOptions {
  /** `none`: a private network namespace with only a loopback interface (overlay only). */
  readonly network?: 'none' | 'host'
  /**
   * Overlay only: the run's writes (its tree, HOME, TMPDIR, and the private /tmp, /var/tmp and
   * /dev/shm it sees) go to tmpfs mounts of this many bytes each instead of the disk. A run
   * with a disk budget cannot be sealed (its writes vanish with it).
   */
  readonly diskBytes?: number | null
  /** cgroup.procs files the run's first process writes its pid into (see cgroup.ts). */
  readonly cgroupProcs?: readonly string[]
  /**
   * Overlay only: paths this run must see read-only even where a private tmpfs or a mask would
   * hide them (a function check's module), beyond the provider's `readOnly` paths.
   */
  readonly keep?: readonly string[]
}

/** Directories every overlay run gets a fresh, private, empty tmpfs over. */
const PRIVATE_DIRS = ['/tmp', '/var/tmp', '/run', '/var/run', '/dev/shm']
/** Size of those (and of the masks) when the run has no disk budget. */
const DEFAULT_COVER_BYTES = 1024 * 1024 * 1024

/** Syscall numbers of mount(2) and mount_setattr(2), per Node's process.arch. */
const MOUNT_SYSCALLS: Partial<Record<string, readonly [number, number]>> = {
  x64: [165, 442],
  arm64: [40, 442],
}

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

/**
 * The mount helper: one perl process (perl-base is an essential package on Debian and Ubuntu,
 * so every runner has it) that does all of a run's mounts with raw syscalls, in the run's own
 * mount and pid namespaces, before the check starts. One process instead of a dozen mount(8)
 * executions keeps a run's overhead small, and `mount_setattr(AT_RECURSIVE)` (Linux 5.12+)
 * makes every mount of the host read-only in one call, which mount(8) of util-linux < 2.39
 * cannot do. Reads `<area>/plan`, one operation per line (tab-separated), in this order:
 *   sys <mount nr> <mount_setattr nr>   syscall numbers of this architecture
 *   proc                 a /proc of the run's pid namespace
 *   tmpfs <dir> <opts>   a fresh tmpfs (the run's size-capped writable space)
 *   mkdir <dir>
 *   overlay <dir> <opts> the tree (relative layer paths are relative to the area)
 *   hold <path>          remember what <path> is now (an O_PATH descriptor)
 *   ro                   every mount read-only and nosuid, recursively
 *   cover <path> <opts>  a directory gets an empty private tmpfs, a file /dev/null
 *   show <path> ro|rw    put a held path back (if a cover hid it), read-only or writable
 *   lo                   bring up the loopback interface (in a private network namespace)
 *   cd <dir>
 * then execs its arguments. Any failure: the reason in <area>/sandbox-error, exit 125.
 */
const MOUNT_HELPER = String.raw`use strict;
my $area = shift @ARGV;
# The error file is opened only to report: a file open for writing would make the read-only
# remount fail with EBUSY (a mount with writers cannot become read-only).
sub fail {
  my $m = shift;
  if (open(my $err, '>>', "$area/sandbox-error")) { print $err "$m\n"; close $err }
  print STDERR "quorum sandbox: $m\n";
  exit 125;
}
open(my $plan, '<', "$area/plan") or fail("cannot read the mount plan: $!");
my @ops = map { chomp; [split /\t/] } <$plan>;
close $plan;
chdir $area or fail("cannot enter the sandbox area: $!");
my ($SYS_MOUNT, $SYS_SETATTR) = (0, 0);
my (%held);
sub mnt {
  my ($src, $dst, $type, $flags, $data) = @_;
  return syscall($SYS_MOUNT, $src, $dst, $type, $flags, $data) == 0;
}
sub setattr {
  my ($path, $set, $clr) = @_;
  my $attr = pack('Q4', $set, $clr, 0, 0);
  return syscall($SYS_SETATTR, -100, $path, 0x8000, $attr, length $attr) == 0;
}
sub mkpath {
  my ($path, $file) = @_;
  my $at = '';
  my @parts = grep { length } split m{/}, $path;
  my $last = pop @parts;
  for my $p (@parts) { $at .= "/$p"; mkdir $at unless -e $at; }
  $at .= "/$last";
  return if -e $at || -l $at;
  if ($file) { open(my $fh, '>', $at) or fail("cannot create $at: $!"); close $fh }
  else { mkdir $at or fail("cannot create $at: $!") }
}
for my $op (@ops) {
  my ($what, $a, $b) = @$op;
  next unless defined $what;
  if ($what eq 'sys') { ($SYS_MOUNT, $SYS_SETATTR) = ($a + 0, $b + 0) }
  elsif ($what eq 'proc') {
    my ($s, $d, $t) = ('proc', '/proc', 'proc');
    mnt($s, $d, $t, 2 | 4 | 8, 0) or fail("cannot mount a private /proc: $!");
  }
  elsif ($what eq 'tmpfs') {
    my ($s, $t) = ('quorum', 'tmpfs');
    mnt($s, $a, $t, 2 | 4, $b) or fail("cannot mount the run's tmpfs at $a: $!");
  }
  elsif ($what eq 'mkdir') { mkdir $a or -d $a or fail("cannot create $a: $!") }
  elsif ($what eq 'overlay') {
    my ($s, $t) = ('quorum', 'overlay');
    mnt($s, $a, $t, 0, $b) or fail("overlay mount at $a failed: $!");
  }
  elsif ($what eq 'hold') {
    # A path that does not exist has nothing to show again (and cannot appear: the host is
    # about to become read-only).
    next unless -e $a || -l $a;
    sysopen(my $fh, $a, 0x200000) or fail("cannot open $a: $!");
    $held{$a} = $fh;
  }
  elsif ($what eq 'ro') {
    my $root = '/';
    setattr($root, 1 | 2, 0)
      or fail($!{ENOSYS} ? 'this kernel has no mount_setattr (Linux 5.12 or newer is needed)' : "cannot make the host read-only: $!");
  }
  elsif ($what eq 'cover') {
    next if -l $a || !-e $a;
    if (-d $a) {
      my ($s, $t) = ('quorum', 'tmpfs');
      mnt($s, $a, $t, 2 | 4, $b) or fail("cannot hide $a: $!");
    } else {
      my $s = '/dev/null';
      mnt($s, $a, 0, 4096, 0) or fail("cannot hide $a: $!");
    }
  }
  elsif ($what eq 'show') {
    my $fh = $held{$a} or next;
    my @was = stat($fh);
    my @now = stat($a);
    my $same = @now && $now[0] == $was[0] && $now[1] == $was[1];
    next if $same && $b eq 'ro';
    mkpath($a, !-d $fh);
    my $src = '/proc/self/fd/' . fileno($fh);
    mnt($src, $a, 0, 4096 | 16384, 0) or fail("cannot show $a: $!");
    if ($b eq 'rw') { setattr($a, 0, 1) or fail("cannot make $a writable: $!") }
  }
  elsif ($what eq 'lo') {
    socket(my $s, 2, 2, 0) or fail("cannot open a socket: $!");
    my $req = pack('a16 x24', 'lo');
    ioctl($s, 0x8913, $req) or fail("cannot read the loopback flags: $!");
    my $flags = unpack('x16 s', $req) | 1;
    $req = pack('a16 s x22', 'lo', $flags);
    ioctl($s, 0x8914, $req) or fail("cannot bring up the loopback interface: $!");
    close $s;
  }
  elsif ($what eq 'cd') { chdir $a or fail("cannot enter $a: $!") }
  else { fail("internal: unknown mount plan operation $what") }
}
%held = ();
exec { $ARGV[0] } @ARGV;
print STDERR "quorum sandbox: cannot execute $ARGV[0]: $!\n";
exit 127;
`

/**
 * The absolute path of a host tool the sandbox runs, resolved by the same rule as the gate's
 * own tools (system directories first; nothing a check could rewrite), or null.
 */
function findTool(name: string): string | null {
  try {
    return resolveTool(name)
  } catch {
    return null
  }
}

function findOverlayTools(): OverlayTools | string {
  const tools: Partial<OverlayTools> = {}
  for (const name of ['sh', 'unshare', 'setpriv', 'perl', 'sleep', 'setsid', 'timeout'] as const) {
    const found = findTool(name)
    if (found === null) return `${name} not found`
    tools[name] = found
  }
  return tools as OverlayTools
}

/** Whether this process needs a user namespace to mount (anyone but real root). */
function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0
}

/**
 * Creates a provider of `kind` sandboxes under `dir` (created if missing). For `overlay`,
 * `userns` says whether runs need a user namespace (default: unless running as root); use
 * `detectSandbox` first to learn whether overlay works here at all.
 *
 * To time sandbox creation alone (e.g. in a benchmark). For overlay, `enter` only makes a few
 * directories; the namespace and the mount cost is paid when the first command starts, so time
 * `enter` plus a trivial command:
 * ```ts
 * const { kind, userns } = await detectSandbox(dir, 'auto')   // dir must exist
 * const p = createSandboxProvider({ kind, dir: join(dir, 'sandboxes'), userns })
 * const tree = p.prepare(sourceDir)
 * for (let i = 0; i < n; i++) {
 *   const sb = await p.enter(tree)           // overlay: mkdirs; copy: the whole cp -a
 *   await runInSandbox(sb, ['/bin/true'])    // overlay: + namespaces and mount
 *   await sb.remove()
 * }
 * await p.dispose()
 * ```
 */
export function createSandboxProvider(p: {
  kind: SandboxKind
  dir: string
  userns?: boolean
  /** Overlay only: mount a /proc of the run's own pid namespace (default true). */
  privateProc?: boolean
  /** Overlay only: files and directories hidden from every run (see OverlayProvider). */
  masks?: readonly string[]
  /** Overlay only: paths every run sees read-only, beyond the workspace and the tree's layers. */
  readOnly?: readonly string[]
}): SandboxProvider {
  if (p.kind === 'overlay') {
    const tools = findOverlayTools()
    if (typeof tools === 'string') throw new Error(`overlay sandbox unavailable: ${tools}`)
    return new OverlayProvider(p.dir, tools, {
      userns: p.userns ?? !isRoot(),
      privateProc: p.privateProc ?? true,
      masks: p.masks ?? [],
      readOnly: p.readOnly ?? [],
    })
  }
  return new CopyProvider(p.dir)
}

abstract class BaseProvider {
  abstract readonly kind: SandboxKind
  readonly dir: string
  protected readonly helpers = new AbortController()
  private seq = 0
  private disposed: Promise<void> | null = null

  constructor(dir: string) {
    this.dir = dir
  }

  prepare(sourceDir: string): TreeLayers {
    return { kind: this.kind, root: [sourceDir], home: [] }
  }

  protected async newArea(): Promise<string> {
    if (this.disposed) throw new Error('the sandbox provider was disposed')
    const area = join(this.dir, `r${++this.seq}`)
    await mkdir(area, { recursive: true })
    return area
  }

  protected checkTree(tree: TreeLayers): void {
    if (tree.kind !== this.kind) {
      throw new Error(`a ${tree.kind} tree cannot be entered by a ${this.kind} provider`)
    }
  }

  dispose(): Promise<void> {
    this.disposed ??= (async () => {
      this.helpers.abort()
      await removeTree(this.dir)
    })()
    return this.disposed
  }
}

class OverlayProvider extends BaseProvider implements SandboxProvider {
  readonly kind = 'overlay' as const
  private readonly tools: OverlayTools
  private readonly userns: boolean
  private readonly privateProc: boolean
  private readonly masks: readonly string[]
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
    },
  ) {
    super(dir)
    this.tools = tools
    this.userns = o.userns
    this.privateProc = o.privateProc
    this.masks = o.masks.filter(usablePath)
    this.keep = [...new Set([...o.readOnly, ...toolDirsUnderPrivateDirs()])].filter(usablePath)
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
   * The run's mount plan (see MOUNT_HELPER). After the tree's overlays are mounted, the whole
   * host becomes read-only; then /tmp, /var/tmp, /run (daemon sockets), /dev/shm and every mask
   * get an empty private tmpfs (a masked file: /dev/null), deepest first so that a mask inside
   * another is in place before the outer one hides it; then the paths the run needs that a cover
   * hid are shown again: the caller's read-only paths (the checks module, the config) read-only,
   * and the run's own area writable. So a check can write its tree, its HOME and its TMPDIR, and
   * nothing else that outlives it.
   */
  private mountPlan(area: string, tree: TreeLayers, options: EnterOptions, layout: Layout): string {
    const syscalls = MOUNT_SYSCALLS[process.arch]
    if (!syscalls) throw new Error(`overlay sandboxes are not supported on ${process.arch}`)
    const ops: string[][] = [['sys', String(syscalls[0]), String(syscalls[1])]]
    if (this.privateProc) ops.push(['proc'])
    const x = this.userns ? ',userxattr' : ''
    if (layout.tmpfs) {
      ops.push(['tmpfs', join(area, 'rw'), `size=${layout.tmpfs},mode=0755`])
      for (const d of layout.mkdirs) ops.push(['mkdir', join(area, d)])
    }
    const lower = tree.root.map((_, i) => `l${i}`).join(':')
    ops.push([
      'overlay',
      join(area, 'root'),
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
    const keep = [...new Set([...this.keep, ...(options.keep ?? []).filter(usablePath)])]
    for (const path of keep) ops.push(['hold', path])
    ops.push(['hold', area])
    ops.push(['ro'])
    const coverSize = `size=${options.diskBytes ?? DEFAULT_COVER_BYTES},mode=1777`
    const covers = [...new Set([...PRIVATE_DIRS, ...this.masks])].sort(
      (a, b) => depth(b) - depth(a),
    )
    for (const path of covers) ops.push(['cover', path, coverSize])
    for (const path of keep) {
      // A kept path inside a mask stays hidden: the mask wins.
      if (!this.masks.some((m) => isInside(path, m))) ops.push(['show', path, 'ro'])
    }
    ops.push(['show', area, 'rw'])
    if (options.network === 'none') ops.push(['lo'])
    ops.push(['cd', join(area, 'root')])
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
    prefix.push('--mount', '--propagation', 'private', '--pid')
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

/**
 * The directories of the tools a run needs (node for function checks, and every PATH entry)
 * that lie under a directory the run gets a private tmpfs over (e.g. a Node installed under
 * /tmp): they stay visible, read-only, like the checks module.
 */
function toolDirsUnderPrivateDirs(): string[] {
  const dirs = (process.env.PATH ?? '').split(':').filter((d) => d.startsWith('/'))
  for (const exe of [process.execPath]) {
    dirs.push(dirname(exe))
    try {
      dirs.push(dirname(realpathSync(exe)))
    } catch {
      // not resolvable: the unresolved directory is kept
    }
  }
  return dirs.filter((d) => PRIVATE_DIRS.some((p) => isInside(d, p)) && existsSync(d))
}

/** A path the mount plan can carry: absolute, no tab or newline. */
function usablePath(path: string): boolean {
  return isAbsolute(path) && !/[\t\n]/.test(path)
}

function depth(path: string): number {
  return path.split('/').length
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}

class CopyProvider extends BaseProvider implements SandboxProvider {
  readonly kind = 'copy' as const
  private readonly setpriv = findTool('setpriv')

  async enter(
    tree: TreeLayers,
    signal?: AbortSignal,
    options: EnterOptions = {},
  ): Promise<Sandbox> {
    this.checkTree(tree)
    const stop = signal ? AbortSignal.any([this.helpers.signal, signal]) : this.helpers.signal
    const source = tree.root[0]
    if (source === undefined) throw new Error('a tree needs at least one layer')
    const area = await this.newArea()
    const root = join(area, 'root')
    const home = join(area, 'home')
    await Promise.all(['root', 'home', 'tmp'].map((d) => mkdir(join(area, d))))
    try {
      await copyTree(source, root, stop)
      if (tree.home[0] !== undefined) await copyTree(tree.home[0], home, stop)
    } catch (error) {
      await removeTree(area)
      throw error
    }
    let gone: Promise<void> | null = null
    return {
      kind: 'copy',
      area,
      root,
      home,
      tmp: join(area, 'tmp'),
      cwd: root,
      wrap: (argv) => [...copyPrefix(this.setpriv, options.cgroupProcs ?? []), ...argv],
      failure: () => readFailure(area),
      seal: async () => {
        await removeTree(join(area, 'tmp'))
        return { kind: 'copy', root: [root], home: [home] }
      },
      remove: () => (gone ??= removeTree(area)),
    }
  }
}

/**
 * What a copy run starts with: it joins its cgroups, then setpriv sets no_new_privs (so sudo,
 * su and setuid programs cannot give it more than the gate has) and, as root, empties the
 * capability bounding set, so the check holds no capability.
 */
function copyPrefix(setpriv: string | null, cgroups: readonly string[]): string[] {
  const prefix: string[] = []
  if (cgroups.length > 0) {
    prefix.push(
      '/bin/sh',
      '-c',
      `while [ "$1" != -- ]; do printf '%s\\n' $$ >"$1" || exit ${SANDBOX_FAILURE_EXIT_CODE}; shift; done; shift; exec "$@"`,
      'quorum-cgroup',
      ...cgroups,
      '--',
    )
  }
  if (setpriv !== null) {
    prefix.push(setpriv, '--no-new-privs')
    if (isRoot()) prefix.push('--bounding-set=-all', '--inh-caps=-all', '--ambient-caps=-all')
    prefix.push('--')
  }
  return prefix
}

async function readFailure(area: string): Promise<string | null> {
  try {
    const text = (await readFile(join(area, 'sandbox-error'), 'utf8')).trim()
    return text === '' ? null : text.slice(0, 500)
  } catch {
    return null
  }
}

/**
 * Copies the contents of `from` into the existing directory `to`, symlinks as links,
 * preserving modes and times. `cp -a` is several times faster than a JS walk (and reflinks
 * where the filesystem can); the JS walk is the fallback where there is no cp.
 */
async function copyTree(from: string, to: string, signal: AbortSignal): Promise<void> {
  const cpPath = findTool('cp')
  if (cpPath === null) {
    await cp(from, to, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true })
    return
  }
  const result = await runCommand([cpPath, '-a', '--', `${from}/.`, to], {
    cwd: '/',
    env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' },
    timeoutMs: 30 * 60_000,
    signal,
  })
  if (signal.aborted) throw new Error(`copying ${from} was stopped`)
  if (result.code !== 0) {
    const why = result.signal ?? `exit ${result.code}`
    throw new Error(`copying ${from} failed (${why}): ${result.stderr.trim().slice(0, 500)}`)
  }
}

/** What `runInSandbox` and the probe see of a process. */
export interface CommandResult {
  code: number | null
  signal: string | null
  /** At most the first 64 KiB of each stream. */
  stdout: string
  stderr: string
  /** True when the process was killed because of the timeout or the abort signal. */
  killed: boolean
}

const KEEP_BYTES = 64 * 1024

/**
 * Spawns argv in its own process group and waits for it, killing the group on timeout or abort.
 * For the sandbox's own helpers and for tests and benchmarks; checks go through spawnBounded.
 */
function runCommand(
  argv: readonly string[],
  o: { cwd: string; env: Record<string, string>; timeoutMs: number; signal?: AbortSignal },
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const [file, ...args] = argv
    if (file === undefined) throw new Error('empty argv')
    const child = spawn(file, args, {
      cwd: o.cwd,
      env: o.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    let outBytes = 0
    let errBytes = 0
    child.stdout.on('data', (b: Buffer) => {
      if (outBytes < KEEP_BYTES) out.push(b)
      outBytes += b.length
    })
    child.stderr.on('data', (b: Buffer) => {
      if (errBytes < KEEP_BYTES) err.push(b)
      errBytes += b.length
    })
    let killed = false
    let status: { code: number | null; signal: string | null } | null = null
    let done = false
    const finish = (code: number | null, signal: string | null, extra = '') => {
      if (done) return
      done = true
      clearTimeout(timer)
      o.signal?.removeEventListener('abort', kill)
      // A killed run may have left a process (in another session) holding our pipes: stop
      // reading rather than wait for it.
      child.stdout.destroy()
      child.stderr.destroy()
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).subarray(0, KEEP_BYTES).toString('utf8'),
        stderr: Buffer.concat(err).subarray(0, KEEP_BYTES).toString('utf8') + extra,
        killed,
      })
    }
    const kill = () => {
      killed = true
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // already gone
      }
      if (status) finish(status.code, status.signal)
    }
    const timer = setTimeout(kill, o.timeoutMs)
    o.signal?.addEventListener('abort', kill, { once: true })
    if (o.signal?.aborted) kill()
    child.on('error', (e) => finish(null, null, String(e)))
    child.on('exit', (code, signal) => {
      status = { code, signal }
      if (killed) return finish(code, signal)
      // What is left of the group (a copy sandbox has no pid namespace to end it) goes too; a
      // process that left the group gets a moment to close the pipes, then we stop waiting.
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // nothing left
      }
      setTimeout(() => finish(code, signal), 1000).unref()
    })
    child.on('close', (code, signal) => finish(code, signal))
  })
}

/**
 * Runs argv inside sandbox `sb` with a minimal environment (HOME and TMPDIR of the sandbox) and
 * returns its status and the start of its output. For probes, tests and benchmarks: it has no
 * output log, no verdict channel and a plain kill on timeout.
 */
export function runInSandbox(
  sb: Sandbox,
  argv: readonly string[],
  o: { env?: Record<string, string>; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<CommandResult> {
  return runCommand(sb.wrap(argv), {
    cwd: sb.cwd,
    env: {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: sb.home,
      TMPDIR: sb.tmp,
      ...o.env,
    },
    timeoutMs: o.timeoutMs ?? 60_000,
    ...(o.signal ? { signal: o.signal } : {}),
  })
}

/** The answer of `detectSandbox`. */
export interface SandboxDetection {
  kind: SandboxKind
  /** Whether overlay runs go through a user namespace (non-root). */
  userns: boolean
  /** Whether overlay runs get a /proc of their own pid namespace (false where the kernel refuses). */
  privateProc: boolean
  /** Why overlay is not used, when kind is copy; null otherwise. */
  reason: string | null
}

const detections = new Map<string, Promise<SandboxDetection>>()

/**
 * Decides which kind of sandbox to use under `dir` (an existing directory on the filesystem the
 * sandboxes will live on). `copy` is taken as is; `overlay` and `auto` try a real overlay mount
 * in a fresh namespace (a few milliseconds), as root without and then with a user namespace, as
 * anyone else with one. `overlay` throws when that fails; `auto` falls back to copy and says
 * why. The answer is cached per process, filesystem and mode.
 */
export async function detectSandbox(dir: string, mode: SandboxMode): Promise<SandboxDetection> {
  if (mode === 'copy')
    return {
      kind: 'copy',
      userns: false,
      privateProc: false,
      reason: 'copy sandboxes were asked for',
    }
  const key = `${(await stat(dir)).dev}:${mode}`
  let found = detections.get(key)
  if (!found) {
    found = probeOverlay(dir)
    detections.set(key, found)
  }
  const result = await found
  if (mode === 'overlay' && result.kind !== 'overlay') {
    throw new Error(`overlay sandboxes are not available here: ${result.reason}`)
  }
  return result
}

async function probeOverlay(dir: string): Promise<SandboxDetection> {
  if (process.platform !== 'linux') {
    return { kind: 'copy', userns: false, privateProc: false, reason: 'overlayfs needs Linux' }
  }
  const tools = findOverlayTools()
  if (typeof tools === 'string') {
    return { kind: 'copy', userns: false, privateProc: false, reason: tools }
  }
  const attempts = isRoot() ? [false, true] : [true]
  const failures: string[] = []
  for (const userns of attempts) {
    // A private /proc is wanted; a kernel that refuses it (a container with a masked /proc)
    // still gets overlay sandboxes, and the report says /proc was shared.
    for (const privateProc of [true, false]) {
      const name = `probe-${userns ? 'userns' : 'root'}-${privateProc ? 'proc' : 'noproc'}`
      const why = await tryOverlay(join(dir, name), userns, privateProc)
      if (why === null) return { kind: 'overlay', userns, privateProc, reason: null }
      failures.push(
        `${userns ? 'in a user namespace' : 'as root'}${privateProc ? ' with a private /proc' : ''}: ${why}`,
      )
    }
  }
  return {
    kind: 'copy',
    userns: false,
    privateProc: false,
    reason: `overlay mount failed (${failures.join('; ')})`,
  }
}

/** One real mount: the lower file must be visible, the write must land in upper only. */
async function tryOverlay(
  dir: string,
  userns: boolean,
  privateProc: boolean,
): Promise<string | null> {
  const provider = createSandboxProvider({
    kind: 'overlay',
    dir: join(dir, 'sandboxes'),
    userns,
    privateProc,
  })
  try {
    const lower = join(dir, 'lower')
    await mkdir(lower, { recursive: true })
    await writeFile(join(lower, 'marker'), 'quorum\n')
    const sb = await provider.enter(provider.prepare(lower))
    // Ends by SIGKILL on purpose: the relay must report the command's own death, not an exit code.
    const r = await runInSandbox(
      sb,
      // With a private /proc, pid 1 is the run's keeper (sleep), not the host's init.
      [
        '/bin/sh',
        '-c',
        `test -f marker && ${privateProc ? 'read -r c </proc/1/comm && [ "$c" = sleep ] && ' : ''}: >written && kill -KILL $$`,
      ],
      {
        timeoutMs: 20_000,
      },
    )
    if (r.signal !== 'SIGKILL') {
      const said = r.stderr.trim().split('\n').slice(-2).join(' ').slice(0, 300)
      const how = r.signal ?? `exit ${r.code}`
      if (r.code === SANDBOX_FAILURE_EXIT_CODE) return `${how}${said ? `: ${said}` : ''}`
      return `the namespace did not report a SIGKILLed command as such (${how}${said ? `: ${said}` : ''})`
    }
    const wroteUpper = await exists(join(sb.area, 'upper', 'written'))
    const wroteLower = await exists(join(lower, 'written'))
    if (!wroteUpper || wroteLower) return 'writes did not land in the upper layer'
    return null
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  } finally {
    await provider.dispose()
    await removeTree(dir)
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path)
    return true
  } catch {
    return false
  }
}

/**
 * `rm -rf` that also copes with what checks leave behind: read-only directories (a Go module
 * cache, a test that chmods 0555) and overlayfs' mode-000 work directory. Never follows
 * symlinks. Missing paths are fine.
 */
export async function removeTree(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true, maxRetries: 2 })
    return
  } catch {
    // fall through: make every directory writable and searchable, then try once more
  }
  await makeRemovable(path)
  await rm(path, { recursive: true, force: true, maxRetries: 2 })
}

async function makeRemovable(path: string): Promise<void> {
  let st
  try {
    st = await lstat(path)
  } catch {
    return
  }
  if (!st.isDirectory()) return
  try {
    await chmod(path, 0o700)
  } catch {
    // not ours to change; rm will say so
  }
  let names: string[] = []
  try {
    names = await readdir(path)
  } catch {
    return
  }
  await Promise.all(names.map((n) => makeRemovable(join(path, n))))
}
