/**
 * Running the real CLI as root and as a throwaway unprivileged user, for black-box tests that
 * play a hostile PR.
 *
 * - `withTestUser(t, fn)` creates a user `qhostile<random>` (own group, own HOME under /home,
 *   mode 0700) and removes it afterwards, also when the test fails: its processes (started by
 *   the test, found by uid), its sudoers entry, its HOME and the account.
 * - The user must not depend on the checkout being readable by it (a clone under a mode-0700
 *   directory, or a node under /root/.cache): `cliCopy()` copies what the CLI needs (src/,
 *   package.json and the runtime packages src/bin/quorum.ts reaches, found by walking its
 *   imports) into a fresh world-readable directory, once per test process, and links or copies
 *   the node binary there when the user cannot execute `process.execPath`.
 * - `runCli(actor, args, ...)` runs `node <copy>/src/bin/quorum.ts ...` as the actor (root or the
 *   user) with a small environment built from scratch, in its own process group, bounded by a
 *   timeout (SIGKILL to the group). (src/cli/run-cli.ts only exports runCli; src/bin/quorum.ts is the
 *   executable entry point.)
 *
 * Everything this module creates lives under one scratch directory (`scratchBase()`), outside
 * /tmp, /var/tmp and /dev/shm on purpose: those are attack targets, and a sandbox may give a
 * check private ones, which must not hide the node binary the checks use.
 */
import { resolveTool } from '../../src/run/system-tools.ts'
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  chmodSync,
  chownSync,
  copyFileSync,
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Who runs the gate: root itself, or a throwaway unprivileged user. */
export type ActorKind = 'root' | 'user'

export interface Actor {
  readonly kind: ActorKind
  readonly name: string
  readonly uid: number
  readonly gid: number
  /** The gate user's real HOME (for root: a fresh stand-in, see withActor). */
  readonly home: string
  /** A node binary this actor can execute (and checks, by absolute path). */
  readonly node: string
  /** The CLI entry point this actor runs. */
  readonly cli: string
}

export type TestUser = Actor & { readonly kind: 'user' }

export interface CliResult {
  status: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  durationMs: number
  timedOut: boolean
}

/** Why tests that need root and the user-management tools cannot run here, or null. */
export function hostileSkipReason(): string | null {
  if (process.platform !== 'linux') return 'needs Linux'
  if (process.getuid?.() !== 0) return 'needs root (creates a test user, mounts, sudoers entries)'
  for (const tool of ['useradd', 'userdel', 'setpriv']) {
    if (findTool(tool) === null) return `${tool} not found`
  }
  return null
}

/** Absolute path of a host tool, or null. */
/** A system tool's absolute path, by the gate's own rule (src/run/system-tools.ts), or null. */
export function findTool(name: string): string | null {
  try {
    return resolveTool(name)
  } catch {
    return null
  }
}

let scratch: string | null = null

/**
 * One world-traversable (0755) scratch directory per test process, removed at exit. Under
 * $QUORUM_TEST_SCRATCH, default /var/lib (not a temp directory: see the module comment).
 */
export function scratchBase(): string {
  if (scratch !== null) return scratch
  const parent = process.env.QUORUM_TEST_SCRATCH ?? '/var/lib'
  const dir = mkdtempSync(join(parent, 'quorum-hostile-'))
  chmodSync(dir, 0o755)
  scratch = dir
  process.once('exit', () => rmSync(dir, { recursive: true, force: true, maxRetries: 2 }))
  return dir
}

export function randomName(prefix: string): string {
  return `${prefix}${randomBytes(4).toString('hex')}`
}

interface CliCopy {
  /** The copy's root (package.json, src/, node_modules/). */
  dir: string
  cli: string
  /** A node binary anyone can execute. */
  node: string
  /** The runtime packages copied (for the record). */
  packages: string[]
}

let copy: CliCopy | null = null

/** The CLI copied into a world-readable directory (once per process). See the module comment. */
export function cliCopy(): CliCopy {
  if (copy !== null) return copy
  const dir = join(scratchBase(), 'cli')
  mkdirSync(dir, { recursive: true })
  // QUORUM_HOSTILE_SOURCE: another tree's src/ and package.json (e.g. `git archive` of an older
  // commit), to see which of these tests a given version passes. node_modules is this checkout's.
  const source = process.env.QUORUM_HOSTILE_SOURCE ?? repo
  cpSync(join(source, 'src'), join(dir, 'src'), { recursive: true })
  copyFileSync(join(source, 'package.json'), join(dir, 'package.json'))
  const packages = runtimePackages(join(dir, 'src', 'bin', 'quorum.ts'))
  for (const name of packages) {
    cpSync(join(repo, 'node_modules', name), join(dir, 'node_modules', name), {
      recursive: true,
      dereference: true,
    })
  }
  const node = nodeForEveryone(dir)
  spawnSync('chmod', ['-R', 'a+rX', dir], { timeout: 30_000 })
  copy = { dir, cli: join(dir, 'src', 'bin', 'quorum.ts'), node, packages }
  return copy
}

/**
 * process.execPath when every directory on its way is searchable and the file executable by
 * others; otherwise a hard link (same filesystem) or a copy of it in `dir`/bin. Here the Node 24
 * of scripts/with-node24.sh lives under /root/.cache, which no other user can reach.
 */
function nodeForEveryone(dir: string): string {
  const real = realpathSync(process.execPath)
  if (openToOthers(real)) return real
  const bin = join(dir, 'bin')
  mkdirSync(bin, { recursive: true })
  const target = join(bin, 'node')
  try {
    linkSync(real, target)
  } catch {
    copyFileSync(real, target)
  }
  chmodSync(target, 0o755)
  return target
}

/** Whether others may execute `path` and search every directory above it. */
function openToOthers(path: string): boolean {
  try {
    let p = path
    if ((statSync(p).mode & 0o001) === 0) return false
    while (p !== '/') {
      p = dirname(p)
      if ((statSync(p).mode & 0o001) === 0) return false
    }
    return true
  } catch {
    return false
  }
}

/**
 * The npm packages reachable from `entry` at run time: bare specifiers of every statically
 * reachable source file (relative imports followed), then their dependencies, transitively.
 */
export function runtimePackages(entry: string): string[] {
  const seenFiles = new Set<string>()
  const packages = new Set<string>()
  const spec = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"$`]+)['"]/g
  const visit = (file: string) => {
    if (seenFiles.has(file) || !existsSync(file)) return
    seenFiles.add(file)
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(spec)) {
      const s = m[1]!
      if (s.startsWith('node:')) continue
      if (s.startsWith('.')) visit(resolve(dirname(file), s))
      else packages.add(s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!)
    }
  }
  visit(entry)
  const all = new Set<string>()
  const addPackage = (name: string) => {
    if (all.has(name)) return
    const manifest = join(repo, 'node_modules', name, 'package.json')
    if (!existsSync(manifest)) return // a builtin without node: prefix, or not installed
    all.add(name)
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
      dependencies?: Record<string, string>
      optionalDependencies?: Record<string, string>
    }
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      addPackage(dep)
    }
  }
  for (const name of packages) addPackage(name)
  return [...all].sort()
}

/** Pids of live processes whose uid is `uid` (from /proc/<pid>/status). */
export function pidsOfUid(uid: number): number[] {
  const out: number[] = []
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8')
      const m = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status)
      if (m && (Number(m[1]) === uid || Number(m[2]) === uid)) out.push(Number(entry))
    } catch {
      // gone
    }
  }
  return out
}

/** Pids of live processes whose argv is exactly `argv` (zombies have none). */
export function pidsWithArgv(argv: readonly string[]): number[] {
  const want = `${argv.join('\0')}\0`
  const out: number[] = []
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8') === want) out.push(Number(entry))
    } catch {
      // gone
    }
  }
  return out
}

/** SIGKILL each pid (processes the calling test started); missing ones are fine. */
export function killPids(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}

function run(argv: string[]): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 30_000 })
  if (r.status !== 0) {
    throw new Error(`${argv.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`)
  }
}

/**
 * Creates a throwaway user, runs fn, then removes the user and everything it had (also when fn
 * throws). The user's HOME is /home/<name>, mode 0700, with nothing in it.
 */
export async function withTestUser<T>(
  t: TestContext,
  fn: (user: TestUser) => Promise<T>,
): Promise<T> {
  const name = randomName('qhostile')
  const home = join('/home', name)
  let created = false
  const cleanup = () => {
    if (created) {
      // Only our processes: nothing else runs as a user that did not exist a moment ago.
      for (let i = 0; i < 5; i++) {
        const uid = uidOf(name)
        if (uid === null) break
        const pids = pidsOfUid(uid)
        if (pids.length === 0) break
        killPids(pids)
        spawnSync('sleep', ['0.2'])
      }
      spawnSync('userdel', [name], { timeout: 30_000 })
      spawnSync('groupdel', [name], { timeout: 30_000, stdio: 'ignore' })
      created = false
    }
    rmSync(join('/etc/sudoers.d', `quorum-test-${name}`), { force: true })
    rmSync(home, { recursive: true, force: true })
  }
  t.after(cleanup)
  try {
    run([
      findTool('useradd') ?? 'useradd',
      '--no-create-home',
      '--home-dir',
      home,
      '--shell',
      '/bin/sh',
      '--user-group',
      '--no-log-init',
      name,
    ])
    created = true
    const uid = uidOf(name)
    const gid = gidOf(name)
    if (uid === null || gid === null) throw new Error(`useradd ${name} left no account`)
    mkdirSync(home, { mode: 0o700 })
    chownSync(home, uid, gid)
    chmodSync(home, 0o700)
    const c = cliCopy()
    return await fn({ kind: 'user', name, uid, gid, home, node: c.node, cli: c.cli })
  } finally {
    cleanup()
  }
}

/**
 * Runs fn as `kind`. Both kinds run the same copy of the CLI (cliCopy: one snapshot of src/ per
 * test process, so that root and the user test the same code even while src/ is being edited)
 * with the same node binary, which checks also use by absolute path. Root's "real HOME" is a
 * fresh /home/qhostile<random> (mode 0700) passed as HOME, so that a test that fails does not
 * scribble on the machine's /root/.bashrc.
 */
export async function withActor<T>(
  t: TestContext,
  kind: ActorKind,
  fn: (actor: Actor) => Promise<T>,
): Promise<T> {
  if (kind === 'user') return withTestUser(t, fn)
  const home = join('/home', randomName('qhostile'))
  t.after(() => rmSync(home, { recursive: true, force: true }))
  try {
    mkdirSync(home, { mode: 0o700 })
    const { node, cli } = cliCopy()
    return await fn({ kind: 'root', name: 'root', uid: 0, gid: 0, home, node, cli })
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
}

/** A NOPASSWD sudoers entry for the user (removed with the user). */
export function grantSudo(user: Actor): void {
  if (user.kind !== 'user') throw new Error('grantSudo is for the test user')
  mkdirSync('/etc/sudoers.d', { recursive: true, mode: 0o755 })
  const file = join('/etc/sudoers.d', `quorum-test-${user.name}`)
  writeFileSync(file, `${user.name} ALL=(ALL:ALL) NOPASSWD: ALL\n`, { mode: 0o440 })
  chmodSync(file, 0o440)
}

function uidOf(name: string): number | null {
  const r = spawnSync('id', ['-u', name], { encoding: 'utf8', timeout: 5000 })
  return r.status === 0 ? Number(r.stdout.trim()) : null
}

function gidOf(name: string): number | null {
  const r = spawnSync('id', ['-g', name], { encoding: 'utf8', timeout: 5000 })
  return r.status === 0 ? Number(r.stdout.trim()) : null
}

/** Makes `path` (and everything under it) the actor's. */
export function giveTo(actor: Actor, path: string): void {
  if (actor.kind === 'root') return
  run(['chown', '-R', `${actor.uid}:${actor.gid}`, path])
}

/** The argv prefix that runs a command as the actor. */
export function asActor(actor: Actor, argv: readonly string[]): string[] {
  if (actor.kind === 'root') return [...argv]
  return [
    findTool('setpriv') ?? 'setpriv',
    `--reuid=${actor.uid}`,
    `--regid=${actor.gid}`,
    '--init-groups',
    '--',
    ...argv,
  ]
}

/** The environment the CLI gets: built from nothing, like a login of the actor. */
export function actorEnv(actor: Actor, tmp: string): Record<string, string> {
  return {
    PATH: `${dirname(actor.node)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    HOME: actor.home,
    USER: actor.name,
    LOGNAME: actor.name,
    SHELL: '/bin/sh',
    LANG: 'C.UTF-8',
    TMPDIR: tmp,
    NO_COLOR: '1',
  }
}

/**
 * Runs argv as the actor in its own process group; after timeoutMs the whole group gets SIGKILL.
 * While it runs, `onTick` (if given) is called every tickMs (host-side observation).
 */
export function runAs(
  actor: Actor,
  argv: readonly string[],
  o: {
    cwd: string
    env: Record<string, string>
    timeoutMs?: number
    onTick?: () => void
    tickMs?: number
  },
): Promise<CliResult> {
  const full = asActor(actor, argv)
  const started = Date.now()
  return new Promise((resolvePromise) => {
    const child = spawn(full[0]!, full.slice(1), {
      cwd: o.cwd,
      env: o.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    let outBytes = 0
    let errBytes = 0
    const cap = 4 * 1024 * 1024
    child.stdout.on('data', (b: Buffer) => {
      if (outBytes < cap) out.push(b)
      outBytes += b.length
    })
    child.stderr.on('data', (b: Buffer) => {
      if (errBytes < cap) err.push(b)
      errBytes += b.length
    })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // gone
      }
    }, o.timeoutMs ?? 120_000)
    const ticker = o.onTick ? setInterval(o.onTick, o.tickMs ?? 50) : null
    let settled = false
    const finish = (status: number | null, signal: NodeJS.Signals | null, extra = '') => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (ticker) clearInterval(ticker)
      resolvePromise({
        status,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + extra,
        durationMs: Date.now() - started,
        timedOut,
      })
    }
    child.on('error', (e) => finish(null, null, String(e)))
    child.on('close', (code, signal) => finish(code, signal))
  })
}

/** `node <actor's cli> ...args` as the actor (see runAs). */
export function runCli(
  actor: Actor,
  args: readonly string[],
  o: Parameters<typeof runAs>[2],
): Promise<CliResult> {
  return runAs(actor, [actor.node, actor.cli, ...args], o)
}

/** `cliAsUser`: the CLI as the test user (the copy), with the user's own environment. */
export function cliAsUser(
  user: TestUser,
  args: readonly string[],
  o: { cwd: string; tmp: string; timeoutMs?: number },
): Promise<CliResult> {
  return runCli(user, args, {
    cwd: o.cwd,
    env: actorEnv(user, o.tmp),
    ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
  })
}

const overlayAnswers = new Map<ActorKind, Promise<string | null>>()

/**
 * Why overlay sandboxes cannot be used by this actor kind here (detectSandbox, run as the actor
 * in a directory of its own), or null when they can. Cached per kind.
 */
export function overlaySkipReason(actor: Actor): Promise<string | null> {
  let answer = overlayAnswers.get(actor.kind)
  if (!answer) {
    answer = probeOverlay(actor)
    overlayAnswers.set(actor.kind, answer)
  }
  return answer
}

async function probeOverlay(actor: Actor): Promise<string | null> {
  const dir = mkdtempSync(join(scratchBase(), 'probe-'))
  chmodSync(dir, 0o755)
  giveTo(actor, dir)
  const sandboxModule = join(dirname(actor.cli), '..', 'run', 'sandbox.ts')
  const script = [
    `const { detectSandbox } = await import(${JSON.stringify(`file://${sandboxModule}`)})`,
    `const d = await detectSandbox(${JSON.stringify(dir)}, 'auto')`,
    'console.log(JSON.stringify(d))',
  ].join('\n')
  try {
    const r = await runAs(actor, [actor.node, '--input-type=module', '-e', script], {
      cwd: dir,
      env: actorEnv(actor, dir),
      timeoutMs: 60_000,
    })
    if (r.status !== 0) return `could not probe the sandbox as ${actor.kind}: ${r.stderr.trim()}`
    const d = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
      kind?: string
      reason?: string | null
    }
    return d.kind === 'overlay' ? null : `overlay sandboxes unavailable: ${d.reason ?? '?'}`
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * A test fixture (a path relative to the repository, e.g. `test/run/fixtures-sandbox/x.ts`)
 * copied into the world-readable CLI copy at the same relative path, so that its relative
 * imports of src/ resolve there: another user can then run it with `cliCopy().node`, wherever
 * this checkout lies and whatever its directories' modes.
 */
export function fixtureForEveryone(relativePath: string): string {
  const target = join(cliCopy().dir, relativePath)
  mkdirSync(dirname(target), { recursive: true })
  copyFileSync(join(repo, relativePath), target)
  chmodSync(target, 0o644)
  return target
}
