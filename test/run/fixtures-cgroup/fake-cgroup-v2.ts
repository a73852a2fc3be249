/**
 * A fake cgroup v2 file system for tests: a temp directory laid out like /sys/fs/cgroup on a
 * GitHub-hosted Ubuntu 24.04 runner (kernel 6.8), behind the CgroupFs interface the cgroup code
 * does all its file operations through. A plain directory gets no interface files on mkdir and
 * enforces nothing, so this fake plays the kernel's part:
 *
 * - mkdir fills a new cgroup with its interface files: the core ones, cpu.stat (in every cgroup,
 *   with or without the cpu controller) and the files of each controller its parent enabled.
 * - A cgroup's cgroup.controllers is its parent's cgroup.subtree_control (the root's is the
 *   machine's list), and enabling or disabling a controller there adds or removes the files in
 *   the children.
 * - Writing cgroup.subtree_control: a controller not in cgroup.controllers is ENOENT, and enabling
 *   a domain controller in a non-root cgroup with processes is EBUSY ("no internal processes").
 * - Writing a pid to cgroup.procs moves it there; a non-root cgroup with a domain controller
 *   enabled in its subtree_control takes none (EBUSY). A caller other than root needs write
 *   permission on the destination's cgroup.procs and on that of the common ancestor of the
 *   source and the destination (the kernel's delegation rule).
 * - cgroup.kill kills the processes of the cgroup and all below; rmdir is EBUSY while a cgroup
 *   has processes or children; read-only files are EACCES to write; values are checked (EINVAL)
 *   and memory limits rounded down to whole pages, as the kernel does.
 * - Files and directories have an owner (root unless chown() or a non-root mkdir made them
 *   someone's); `uid` is who the code under test writes as.
 *
 * Processes are only pids in cgroup.procs files, numbered from 4200001: above the largest pid
 * Linux hands out (4194304), so a process.kill() on one can never reach a real process.
 *
 * The tree is real files, so a test reads and changes it with node:fs (to play the kernel's
 * accounting: memory.events, pids.events, memory.peak, cpu.stat). `check()` walks the tree and
 * returns what breaks the kernel's invariants (e.g. a directory created around the fake).
 */
import { mkdtempSync } from 'node:fs'
import { readFile, readdir, rm, unlink, writeFile, mkdir, rmdir } from 'node:fs/promises'
import { constants as osConstants, tmpdir } from 'node:os'
import { basename, dirname, join, relative } from 'node:path'
import type { CgroupFs } from '../../../src/run/cgroup.ts'

/** The controllers of the root cgroup, in the kernel's order (cgroup.controllers). */
const MACHINE_CONTROLLERS = ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids', 'rdma', 'misc']
/** Controllers that may be enabled in a cgroup which also has processes (threaded mode). */
const THREADED = new Set(['cpuset', 'cpu', 'perf_event', 'pids'])

/** A file, its starting text and whether it can be written (mode 0644 vs 0444). */
interface FileSpec {
  readonly name: string
  readonly text: string
  readonly writable: boolean
}

const rw = (name: string, text: string): FileSpec => ({ name, text, writable: true })
const ro = (name: string, text: string): FileSpec => ({ name, text, writable: false })

const PRESSURE = 'some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n'

/** The interface files every non-root cgroup has (kernel 6.8), whatever its controllers. */
function coreFiles(): FileSpec[] {
  return [
    ro('cgroup.controllers', ''),
    rw('cgroup.subtree_control', ''),
    rw('cgroup.procs', ''),
    rw('cgroup.threads', ''),
    rw('cgroup.type', 'domain\n'),
    rw('cgroup.freeze', '0\n'),
    rw('cgroup.kill', ''),
    rw('cgroup.max.depth', 'max\n'),
    rw('cgroup.max.descendants', 'max\n'),
    ro('cgroup.events', 'populated 0\nfrozen 0\n'),
    ro('cgroup.stat', 'nr_descendants 0\nnr_dying_descendants 0\n'),
    ro('cpu.stat', 'usage_usec 0\nuser_usec 0\nsystem_usec 0\n'),
    rw('cpu.pressure', PRESSURE),
    rw('io.pressure', PRESSURE),
    rw('memory.pressure', PRESSURE),
  ]
}

/** The files a controller adds to a cgroup whose parent enabled it. */
const CONTROLLER_FILES: Record<string, FileSpec[]> = {
  cpuset: [rw('cpuset.cpus', '\n'), rw('cpuset.mems', '\n'), ro('cpuset.cpus.effective', '0-1\n')],
  cpu: [rw('cpu.max', 'max 100000\n'), rw('cpu.weight', '100\n'), rw('cpu.idle', '0\n')],
  io: [rw('io.max', ''), rw('io.weight', 'default 100\n'), ro('io.stat', '')],
  memory: [
    ro('memory.current', '0\n'),
    rw('memory.min', '0\n'),
    rw('memory.low', '0\n'),
    rw('memory.high', 'max\n'),
    rw('memory.max', 'max\n'),
    rw('memory.peak', '0\n'),
    ro('memory.events', 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n'),
    ro('memory.events.local', 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n'),
    ro('memory.stat', 'anon 0\nfile 0\n'),
    rw('memory.oom.group', '0\n'),
    ro('memory.swap.current', '0\n'),
    rw('memory.swap.high', 'max\n'),
    rw('memory.swap.max', 'max\n'),
    rw('memory.swap.peak', '0\n'),
    ro('memory.swap.events', 'high 0\nmax 0\nfail 0\n'),
  ],
  hugetlb: [rw('hugetlb.2MB.max', 'max\n'), ro('hugetlb.2MB.current', '0\n')],
  pids: [ro('pids.current', '0\n'), rw('pids.max', 'max\n'), ro('pids.events', 'max 0\n')],
  rdma: [rw('rdma.max', ''), ro('rdma.current', '')],
  misc: [rw('misc.max', ''), ro('misc.current', '')],
}

/** The files of the root cgroup: no limits, no cgroup.kill, the machine's controllers. */
function rootFiles(): FileSpec[] {
  return [
    ro('cgroup.controllers', `${MACHINE_CONTROLLERS.join(' ')}\n`),
    rw('cgroup.subtree_control', ''),
    rw('cgroup.procs', ''),
    rw('cgroup.threads', ''),
    rw('cgroup.max.depth', 'max\n'),
    rw('cgroup.max.descendants', 'max\n'),
    ro('cgroup.stat', 'nr_descendants 0\nnr_dying_descendants 0\n'),
    ro('cpu.stat', 'usage_usec 0\nuser_usec 0\nsystem_usec 0\n'),
    rw('cpu.pressure', PRESSURE),
    rw('io.pressure', PRESSURE),
    rw('memory.pressure', PRESSURE),
    ro('memory.stat', 'anon 0\nfile 0\n'),
  ]
}

/** An errno error as node:fs throws it. */
function errno(code: keyof typeof osConstants.errno, syscall: string, path: string): Error {
  const number = osConstants.errno[code]
  return Object.assign(new Error(`${code}: ${syscall} '${path}'`), {
    code,
    errno: -number,
    syscall,
    path,
  })
}

const FIRST_PID = 4_200_001

/** A list file's text: the names separated by spaces, or empty. */
function line(names: readonly string[]): string {
  return names.length === 0 ? '' : `${names.join(' ')}\n`
}

export class FakeCgroupV2 implements CgroupFs {
  /** The mount point: the fake /sys/fs/cgroup. */
  readonly root: string
  /** Who the code under test writes as: 0 (root) may write everything. */
  uid = 0
  /** Every write that went through the fake, in order: [uid, file, value]. */
  readonly writes: [number, string, string][] = []
  readonly #owners = new Map<string, number>()
  readonly #writable = new Map<string, boolean>()
  #nextPid = FIRST_PID

  private constructor(root: string) {
    this.root = root
  }

  /** An empty hierarchy: the root cgroup only, nothing enabled in its subtree_control. */
  static async empty(): Promise<FakeCgroupV2> {
    const fake = new FakeCgroupV2(mkdtempSync(join(tmpdir(), 'fake-cgroup2-')))
    await fake.#createFiles(fake.root, rootFiles(), 0)
    return fake
  }

  /**
   * /sys/fs/cgroup of a GitHub-hosted Ubuntu 24.04 runner while a job runs: systemd has enabled
   * cpuset, cpu, io, memory and pids at the root and memory and pids (and cpu, io) in its
   * slices; the runner agent and every step's processes are in
   * /system.slice/hosted-compute-agent.service. `rootControllers` and `systemSliceControllers`
   * override what the root and the system slice enable for their children.
   */
  static async githubRunner(
    options: { rootControllers?: string; systemSliceControllers?: string } = {},
  ): Promise<FakeCgroupV2> {
    const fake = await FakeCgroupV2.empty()
    await fake.spawn('/') // the kernel threads' parent and friends stay in the root
    await fake.#asRoot(
      '/cgroup.subtree_control',
      options.rootControllers ?? '+cpuset +cpu +io +memory +pids',
    )
    for (const dir of ['/init.scope', '/system.slice', '/user.slice']) await fake.#mkdirAsRoot(dir)
    await fake.spawn('/init.scope') // systemd
    await fake.#asRoot(
      '/system.slice/cgroup.subtree_control',
      options.systemSliceControllers ?? '+cpu +io +memory +pids',
    )
    const given = await fake.#list(fake.root, 'cgroup.subtree_control')
    const userSlice = ['memory', 'pids'].filter((c) => given.includes(c))
    await fake.#asRoot(
      '/user.slice/cgroup.subtree_control',
      userSlice.map((c) => `+${c}`).join(' '),
    )
    for (const unit of [
      'systemd-journald.service',
      'ssh.service',
      'hosted-compute-agent.service',
    ]) {
      await fake.#mkdirAsRoot(`/system.slice/${unit}`)
    }
    await fake.spawn('/system.slice/systemd-journald.service')
    await fake.spawn('/system.slice/ssh.service')
    return fake
  }

  /** The absolute path of the cgroup `path` ('/system.slice/x.service'). */
  path(path: string): string {
    return join(this.root, path)
  }

  /** The cgroup path ('/system.slice/x.service') of the absolute `dir`. */
  cgroupPath(dir: string): string {
    return `/${relative(this.root, dir)}`
  }

  /** A /proc/self/mountinfo line that mounts the fake as cgroup2 at its root. */
  mountinfo(): string {
    const escaped = this.root.replace(
      /[ \t\n\\]/g,
      (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`,
    )
    return [
      '22 29 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw',
      `35 22 0:30 / ${escaped} rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot`,
      '',
    ].join('\n')
  }

  /** /proc/<pid>/cgroup of a process of the fake. */
  async procSelfCgroup(pid: number): Promise<string> {
    const dir = await this.cgroupOf(pid)
    if (dir === null) throw new Error(`no process ${pid} in the fake`)
    const path = this.cgroupPath(dir)
    return `0::${path === '/' ? '/' : path.replace(/\/$/, '')}\n`
  }

  /** A new process in the cgroup `path` (as if forked by one there); its pid. */
  async spawn(path: string): Promise<number> {
    const dir = this.path(path)
    const enabled = await this.#list(dir, 'cgroup.subtree_control')
    if (dir !== this.root && enabled.some((c) => !THREADED.has(c))) {
      throw new Error(`no process can be in ${path}: it gives ${enabled.join(' ')} to children`)
    }
    const pid = this.#nextPid++
    await this.#addPid(dir, pid)
    return pid
  }

  /** Hands `path` (absolute) to `uid`, as chown(1) run by root would. */
  async chown(path: string, uid: number): Promise<void> {
    if (!(await this.#exists(path))) throw errno('ENOENT', 'chown', path)
    this.#owners.set(path, uid)
  }

  /** The owner of `path` (absolute). */
  ownerOf(path: string): number {
    return this.#owners.get(path) ?? 0
  }

  /** The cgroup directory (absolute) `pid` is in, or null. */
  async cgroupOf(pid: number): Promise<string | null> {
    for (const dir of await this.#cgroups(this.root)) {
      if ((await this.#procs(dir)).includes(pid)) return dir
    }
    return null
  }

  /** The processes directly in the cgroup `dir` (absolute). */
  async procsIn(dir: string): Promise<number[]> {
    return this.#procs(dir)
  }

  /** Removes the whole tree. */
  async dispose(): Promise<void> {
    await rm(this.root, { recursive: true, force: true })
  }

  /**
   * What in the tree breaks the kernel's invariants, as sentences: a directory that is no
   * cgroup (created around the fake), controllers a child has that its parent did not enable,
   * a subtree_control beyond cgroup.controllers, a non-root cgroup with processes and domain
   * controllers enabled for its children. Empty when all is well.
   */
  async check(): Promise<string[]> {
    const problems: string[] = []
    for (const dir of await this.#cgroups(this.root)) {
      const at = this.cgroupPath(dir)
      const names = new Set(await readdir(dir))
      if (!names.has('cgroup.procs') || !names.has('cgroup.controllers')) {
        problems.push(`${at} is a directory without cgroup files (made around the fake)`)
        continue
      }
      const controllers = await this.#list(dir, 'cgroup.controllers')
      const enabled = await this.#list(dir, 'cgroup.subtree_control')
      const beyond = enabled.filter((c) => !controllers.includes(c))
      if (beyond.length > 0) problems.push(`${at} enables ${beyond.join(' ')} it does not have`)
      if (dir !== this.root) {
        const given = await this.#list(dirname(dir), 'cgroup.subtree_control')
        if (controllers.join(' ') !== given.join(' ')) {
          problems.push(
            `${at} has "${controllers.join(' ')}", its parent gives "${given.join(' ')}"`,
          )
        }
        const procs = await this.#procs(dir)
        if (procs.length > 0 && enabled.some((c) => !THREADED.has(c))) {
          problems.push(`${at} has processes (${procs.join(' ')}) and enables ${enabled.join(' ')}`)
        }
      }
    }
    return problems
  }

  // --- CgroupFs --------------------------------------------------------------------------

  async mkdir(dir: string): Promise<void> {
    const parent = dirname(dir)
    if (!(await this.#isCgroup(parent))) throw errno('ENOENT', 'mkdir', dir)
    if (await this.#exists(dir)) throw errno('EEXIST', 'mkdir', dir)
    if (this.uid !== 0 && this.ownerOf(parent) !== this.uid) throw errno('EACCES', 'mkdir', dir)
    await mkdir(dir)
    // The kernel makes the directory and its files the creator's (cgroup_kn_set_ugid).
    if (this.uid !== 0) this.#owners.set(dir, this.uid)
    await this.#createFiles(dir, coreFiles(), this.uid)
    const given = await this.#list(parent, 'cgroup.subtree_control')
    await writeFile(join(dir, 'cgroup.controllers'), line(given))
    for (const controller of given) {
      await this.#createFiles(dir, CONTROLLER_FILES[controller] ?? [], this.uid)
    }
  }

  async rmdir(dir: string): Promise<void> {
    if (!(await this.#isCgroup(dir)) || dir === this.root) throw errno('ENOENT', 'rmdir', dir)
    if (this.uid !== 0 && this.ownerOf(dirname(dir)) !== this.uid) {
      throw errno('EACCES', 'rmdir', dir)
    }
    if ((await this.#procs(dir)).length > 0) throw errno('EBUSY', 'rmdir', dir)
    if ((await this.#children(dir)).length > 0) throw errno('EBUSY', 'rmdir', dir)
    for (const name of await readdir(dir)) {
      await unlink(join(dir, name))
      this.#owners.delete(join(dir, name))
      this.#writable.delete(join(dir, name))
    }
    await rmdir(dir)
    this.#owners.delete(dir)
  }

  async readFile(file: string): Promise<string> {
    return readFile(file, 'utf8')
  }

  async write(file: string, value: string): Promise<void> {
    this.writes.push([this.uid, file, value])
    if (!(await this.#exists(file))) throw errno('ENOENT', 'open', file)
    if (this.#writable.get(file) !== true) throw errno('EACCES', 'open', file)
    if (this.uid !== 0 && this.ownerOf(file) !== this.uid) throw errno('EACCES', 'open', file)
    const dir = dirname(file)
    const name = basename(file)
    const text = value.trim()
    switch (name) {
      case 'cgroup.subtree_control':
        return this.#writeSubtreeControl(dir, text)
      case 'cgroup.procs':
      case 'cgroup.threads':
        return this.#movePid(dir, text)
      case 'cgroup.kill':
        if (text !== '1') throw errno('ERANGE', 'write', file)
        for (const cgroup of await this.#cgroups(dir))
          await writeFile(join(cgroup, 'cgroup.procs'), '')
        return
      case 'pids.max':
        if (text !== 'max' && !/^\d+$/.test(text)) throw errno('EINVAL', 'write', file)
        return writeFile(file, `${text}\n`)
      case 'memory.max':
      case 'memory.high':
      case 'memory.low':
      case 'memory.min':
      case 'memory.swap.max':
      case 'memory.swap.high': {
        if (text !== 'max' && !/^\d+$/.test(text)) throw errno('EINVAL', 'write', file)
        // The kernel keeps memory limits in pages: a byte count is rounded down.
        const kept = text === 'max' ? 'max' : `${Math.floor(Number(text) / 4096) * 4096}`
        return writeFile(file, `${kept}\n`)
      }
      default:
        return writeFile(file, value)
    }
  }

  async subdirs(dir: string): Promise<string[]> {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
  }

  async checkWritable(file: string): Promise<void> {
    if (!(await this.#exists(file))) throw errno('ENOENT', 'access', file)
    if (this.#writable.get(file) !== true) throw errno('EACCES', 'access', file)
    if (this.uid !== 0 && this.ownerOf(file) !== this.uid) throw errno('EACCES', 'access', file)
  }

  // --- the kernel's part -------------------------------------------------------------------

  async #writeSubtreeControl(dir: string, text: string): Promise<void> {
    const file = join(dir, 'cgroup.subtree_control')
    const available = await this.#list(dir, 'cgroup.controllers')
    const enabled = new Set(await this.#list(dir, 'cgroup.subtree_control'))
    const before = new Set(enabled)
    for (const token of text.split(/\s+/).filter(Boolean)) {
      const name = token.slice(1)
      if (!/^[+-]/.test(token) || !MACHINE_CONTROLLERS.includes(name)) {
        throw errno('EINVAL', 'write', file)
      }
      if (token.startsWith('+')) {
        if (!available.includes(name)) throw errno('ENOENT', 'write', file)
        enabled.add(name)
      } else {
        enabled.delete(name)
      }
    }
    const newlyEnabled = [...enabled].filter((c) => !before.has(c))
    // "No internal processes": only the root may have processes and give domain controllers.
    if (
      dir !== this.root &&
      newlyEnabled.some((c) => !THREADED.has(c)) &&
      (await this.#procs(dir)).length > 0
    ) {
      throw errno('EBUSY', 'write', file)
    }
    const list = MACHINE_CONTROLLERS.filter((c) => enabled.has(c))
    await writeFile(file, line(list))
    // The children's controllers follow, with their files (owned by the writer, as in the
    // kernel, which creates them on behalf of the process that enabled the controller).
    for (const child of await this.#children(dir)) {
      await writeFile(join(child, 'cgroup.controllers'), line(list))
      for (const controller of MACHINE_CONTROLLERS) {
        const files = CONTROLLER_FILES[controller] ?? []
        if (enabled.has(controller) && !before.has(controller)) {
          await this.#createFiles(child, files, this.uid)
        } else if (!enabled.has(controller) && before.has(controller)) {
          for (const spec of files) {
            await unlink(join(child, spec.name)).catch(() => {})
            this.#owners.delete(join(child, spec.name))
            this.#writable.delete(join(child, spec.name))
          }
        }
      }
    }
  }

  async #movePid(dir: string, text: string): Promise<void> {
    const file = join(dir, 'cgroup.procs')
    if (!/^\d+$/.test(text)) throw errno('EINVAL', 'write', file)
    const pid = Number(text)
    const from = await this.cgroupOf(pid)
    if (from === null) throw errno('ESRCH', 'write', file)
    if (
      dir !== this.root &&
      (await this.#list(dir, 'cgroup.subtree_control')).some((c) => !THREADED.has(c))
    ) {
      throw errno('EBUSY', 'write', file)
    }
    if (this.uid !== 0) {
      let common = from
      while (common !== dir && !dir.startsWith(`${common}/`)) common = dirname(common)
      if (this.ownerOf(join(common, 'cgroup.procs')) !== this.uid) {
        throw errno('EACCES', 'write', file)
      }
    }
    const rest = (await this.#procs(from)).filter((p) => p !== pid)
    await writeFile(join(from, 'cgroup.procs'), rest.map((p) => `${p}\n`).join(''))
    await this.#addPid(dir, pid)
  }

  async #addPid(dir: string, pid: number): Promise<void> {
    const procs = await this.#procs(dir)
    await writeFile(join(dir, 'cgroup.procs'), [...procs, pid].map((p) => `${p}\n`).join(''))
  }

  // --- helpers -----------------------------------------------------------------------------

  async #createFiles(dir: string, files: readonly FileSpec[], owner: number): Promise<void> {
    for (const spec of files) {
      const path = join(dir, spec.name)
      await writeFile(path, spec.text)
      this.#writable.set(path, spec.writable)
      if (owner !== 0) this.#owners.set(path, owner)
    }
  }

  async #asRoot(path: string, value: string): Promise<void> {
    const uid = this.uid
    this.uid = 0
    try {
      await this.write(this.path(path), value)
    } finally {
      this.uid = uid
    }
  }

  async #mkdirAsRoot(path: string): Promise<void> {
    const uid = this.uid
    this.uid = 0
    try {
      await this.mkdir(this.path(path))
    } finally {
      this.uid = uid
    }
  }

  async #list(dir: string, name: string): Promise<string[]> {
    return (await readFile(join(dir, name), 'utf8')).split(/\s+/).filter(Boolean)
  }

  async #procs(dir: string): Promise<number[]> {
    const text = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '')
    return text.split('\n').filter(Boolean).map(Number)
  }

  async #exists(path: string): Promise<boolean> {
    return readdir(dirname(path)).then(
      (names) => names.includes(basename(path)),
      () => false,
    )
  }

  async #isCgroup(dir: string): Promise<boolean> {
    return (await this.#exists(dir)) && (await this.#exists(join(dir, 'cgroup.procs')))
  }

  async #children(dir: string): Promise<string[]> {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(dir, entry.name))
  }

  /** `dir` and every cgroup below it, parents first. */
  async #cgroups(dir: string): Promise<string[]> {
    const all = [dir]
    for (const child of await this.#children(dir)) all.push(...(await this.#cgroups(child)))
    return all
  }
}
