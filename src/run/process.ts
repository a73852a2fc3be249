/**
 * One bounded subprocess: the process side of a run. Whatever the child does (loops forever,
 * ignores SIGTERM, floods its output, leaves a background process holding the pipe, forks a
 * tree of grandchildren), spawnBounded resolves within its budget plus a short grace, with
 * bounded memory, and leaves no process of the run behind.
 *
 * How: every run is the leader of its own process group (and session), so the whole tree can be
 * signalled at once; the main process's exit, not the end of its pipes, is what ends the run;
 * whatever is left of the group then is killed, and the pipes get a short drain before they are
 * cut. A process that calls setsid() itself leaves the group and escapes this; that is for the
 * sandbox (a PID namespace) to contain.
 */
import { oneLine } from '../engine/paths.ts'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  close,
  closeSync,
  constants as fsConstants,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
  writev,
} from 'node:fs'
import type { Readable } from 'node:stream'
import { readChannelMessage } from '../engine/outcome.ts'
import type { CapturedOutput, SpawnResult } from '../engine/types.ts'
import { functionHostArgv, listHostArgv } from './function-host.ts'

export { functionHostArgv, listHostArgv }

export interface SpawnSpec {
  /** argv[0] is resolved via env.PATH by spawn. */
  argv: string[]
  cwd: string
  /** The complete child environment (already filtered: see buildChildEnv). */
  env: Record<string, string>
  timeoutMs: number
  /** SIGTERM -> SIGKILL grace, default 2000. */
  graceMs?: number
  /**
   * Full output log file, created by the run: the path must not exist yet (whatever is there,
   * a file, a FIFO, a symlink, is left alone, and the run goes on without a log). Null = no log.
   * A log that cannot be created or written is never an error of the run: `output.log_path` is
   * then null (not created) or still the path (partial), and the output ends with a
   * `[quorum: ...]` line that says what happened to the log and why.
   */
  logPath: string | null
  /** Cap for the log file, default 128 MiB; the cut is marked in the file. */
  logLimitBytes?: number
  /** Default 16 KiB. */
  headBytes?: number
  /** Default 16 KiB. */
  tailBytes?: number
  /** Scan stdout lines for `<key>=<number>`; the last one wins. */
  scoreKey?: string | null
  /**
   * Open fd 3 as a pipe for a verdict message from the child. The child also gets a fresh
   * random nonce on stdin (then EOF), which the function host puts in its messages, so a
   * message on fd 3 that does not carry it was not written by the host.
   */
  channel?: boolean
}

export type { SpawnResult } from '../engine/types.ts'

const DEFAULT_GRACE_MS = 2000
const DEFAULT_LOG_LIMIT = 128 * 1024 * 1024
const DEFAULT_HEAD = 16 * 1024
const DEFAULT_TAIL = 16 * 1024
const CHANNEL_LIMIT = 1024 * 1024
/** How long the pipes may stay open after the main process ended and the group was killed. */
const DRAIN_MS = 1000
/** How long to wait for the main process after SIGKILL before giving up on it. */
const KILL_WAIT_MS = 5000
/** How long to wait for the killed group to be gone before resolving anyway. */
const GROUP_WAIT_MS = 2000
/** Lines longer than this are not scanned for a score (and never buffered whole). */
const SCORE_LINE_MAX = 4096
/** Bytes waiting for the log file beyond which the child's output is paused. */
const LOG_HIGH_WATER = 1024 * 1024
/** How long closing a log may wait for its pending writes before it gives up on them. */
const LOG_CLOSE_WAIT_MS = 2000
/**
 * The log is made by the run and nobody else: fail if anything is at the path (O_EXCL), never
 * follow a symlink there (O_NOFOLLOW), never block on a FIFO or device (O_NONBLOCK).
 */
const LOG_OPEN_FLAGS =
  fsConstants.O_WRONLY |
  fsConstants.O_CREAT |
  fsConstants.O_EXCL |
  fsConstants.O_NOFOLLOW |
  fsConstants.O_NONBLOCK
/**
 * How much of a process's /proc/<pid>/environ is read when looking for a run's marker: a check
 * can give its processes environments of megabytes, and the scan is synchronous.
 */
const ENVIRON_READ_MAX = 64 * 1024
/** /proc/<pid>/stat is a few hundred bytes (comm is at most 16). */
const STAT_READ_MAX = 4096

/** Process groups of runs in flight, so that the judge's own exit can take them down too. */
const liveGroups = new Set<number>()
let exitHookInstalled = false

/**
 * Sends SIGKILL to the process group of every run still in flight. Called on the judge's own
 * exit; an entry point that handles SIGINT/SIGTERM should call it too, because detached children
 * do not die with their parent.
 */
export function killAllRunGroups(): void {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL')
}

/** The argv that runs a shell command line: `['/bin/sh', '-c', command]`. */
export function shellArgv(command: string): string[] {
  return ['/bin/sh', '-c', command]
}

/**
 * Runs argv in its own process group with a wall-clock budget and bounded output capture.
 * Never rejects: everything that can go wrong is in the result. On timeout (or abort) the group
 * gets SIGTERM, then SIGKILL after graceMs; when the main process ends, whatever is left of its
 * group is killed at once. Resolves once no process of the group is left (zombies awaiting a
 * reaper count as gone) and the log file is complete.
 */
export async function spawnBounded(spec: SpawnSpec, abort?: AbortSignal): Promise<SpawnResult> {
  const capture = new OutputCapture(spec.headBytes ?? DEFAULT_HEAD, spec.tailBytes ?? DEFAULT_TAIL)
  const log = spec.logPath === null ? null : LogWriter.open(spec.logPath, spec.logLimitBytes)
  const output = () => withLogNote(capture.result(log?.path ?? null), log?.problem ?? null)
  const notStarted = async (spawnError: string): Promise<SpawnResult> => {
    log?.note(`[quorum: the process did not start: ${spawnError}]\n`)
    await log?.close(0)
    return finalResult({ spawnError, aborted: spawnError === 'aborted', durationMs: 0 })
  }
  const scanner = spec.scoreKey ? new ScoreScanner(spec.scoreKey) : null
  const nonce = spec.channel ? randomBytes(16).toString('hex') : null
  const channelChunks: Buffer[] = []
  let channelBytes = 0

  const finalResult = (p: {
    exitCode?: number | null
    signal?: string | null
    timedOut?: boolean
    spawnError?: string | null
    aborted?: boolean
    durationMs: number
    killedLeftovers?: boolean
  }): SpawnResult => ({
    exitCode: p.exitCode ?? null,
    signal: p.signal ?? null,
    timedOut: p.timedOut ?? false,
    spawnError: p.spawnError ?? null,
    aborted: p.aborted ?? false,
    durationMs: Math.round(p.durationMs),
    output: output(),
    score: scanner?.finish() ?? null,
    channel: spec.channel ? Buffer.concat(channelChunks).toString('utf8') : null,
    channelNonce: nonce,
    killedLeftovers: p.killedLeftovers ?? false,
  })

  if (abort?.aborted) return notStarted('aborted')
  if (spec.argv.length === 0 || spec.argv[0] === '') return notStarted('EINVAL: empty argv')
  const cwdProblem = checkDirectory(spec.cwd)
  // spawn reports a missing cwd as ENOENT of the command, which sends people looking for the
  // wrong thing; say which one is missing.
  if (cwdProblem) return notStarted(cwdProblem)

  const started = performance.now()
  let child: ChildProcess
  try {
    child = spawn(spec.argv[0]!, spec.argv.slice(1), {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: [
        nonce ? 'pipe' : 'ignore',
        'pipe',
        'pipe',
        ...(spec.channel ? ['pipe' as const] : []),
      ],
    })
  } catch (err) {
    return notStarted(describeSpawnError(err, spec.argv[0]!))
  }
  const pid = child.pid
  if (pid === undefined) {
    const err = await new Promise<unknown>((resolve) => child.once('error', resolve))
    for (const s of child.stdio) s?.destroy()
    return notStarted(describeSpawnError(err, spec.argv[0]!))
  }
  liveGroups.add(pid)
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.once('exit', killAllRunGroups)
  }

  if (nonce && child.stdin) {
    // A child that exits without reading stdin makes this write fail with EPIPE: harmless.
    child.stdin.on('error', () => {})
    child.stdin.end(`${nonce}\n`)
  }

  const outputs = [child.stdout, child.stderr].filter((s): s is Readable => s !== null)
  const channelStream = spec.channel ? (child.stdio[3] as Readable | null) : null
  const pipes = channelStream ? [...outputs, channelStream] : outputs

  // Backpressure: while the log file's write buffer is full, stop reading the child's output,
  // so a flood fills the pipe (and blocks the child) instead of our memory.
  let paused = false
  const resumeOutputs = () => {
    if (!paused) return
    paused = false
    for (const s of outputs) s.resume()
  }
  log?.onDrain(resumeOutputs)
  const onOutput = (chunk: Buffer, fromStdout: boolean) => {
    capture.push(chunk)
    if (fromStdout) scanner?.push(chunk)
    if (log && !log.write(chunk) && !paused) {
      paused = true
      for (const s of outputs) s.pause()
    }
  }
  child.stdout?.on('data', (chunk: Buffer) => onOutput(chunk, true))
  child.stderr?.on('data', (chunk: Buffer) => onOutput(chunk, false))
  channelStream?.on('data', (chunk: Buffer) => {
    // Past the limit the bytes are read and dropped, so a flood on fd 3 cannot block the child.
    const room = CHANNEL_LIMIT - channelBytes
    if (room <= 0) return
    const kept = chunk.length <= room ? chunk : chunk.subarray(0, room)
    channelChunks.push(kept)
    channelBytes += kept.length
  })
  // An error on a pipe (e.g. after we destroy it) must not become an uncaught exception.
  for (const s of pipes) s.on('error', () => {})
  child.on('error', () => {})

  let timedOut = false
  let aborted = false
  let mainEnded = false
  const timers = new Set<NodeJS.Timeout>()
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t)
      fn()
    }, ms)
    timers.add(t)
  }

  const mainExit = new Promise<{ code: number | null; signal: string | null; ended: number }>(
    (resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal, ended: performance.now() }))
      // The main process too, by pid: it may have moved itself to another group.
      const signalRun = (signal: NodeJS.Signals) => {
        signalGroup(pid, signal)
        child.kill(signal)
      }
      const terminate = () => {
        if (mainEnded) return
        signalRun('SIGTERM')
        later(spec.graceMs ?? DEFAULT_GRACE_MS, () => {
          if (mainEnded) return
          signalRun('SIGKILL')
          // A process stuck in uninterruptible sleep survives SIGKILL for a while; the gate
          // must not hang on it.
          later(KILL_WAIT_MS, () => resolve({ code: null, signal: null, ended: performance.now() }))
        })
      }
      // setTimeout turns anything above 2^31-1 ms into 1 ms.
      later(Math.min(Math.max(0, spec.timeoutMs), 2 ** 31 - 1), () => {
        timedOut = true
        terminate()
      })
      const onAbort = () => {
        aborted = true
        terminate()
      }
      abort?.addEventListener('abort', onAbort, { once: true })
      child.once('exit', () => abort?.removeEventListener('abort', onAbort))
    },
  )

  const exit = await mainExit
  mainEnded = true
  for (const t of timers) clearTimeout(t)
  timers.clear()

  // The main process is gone; anything left of its group (background jobs, grandchildren,
  // a process ignoring SIGTERM) dies now.
  const killedLeftovers = groupHasLiveMembers(pid)
  if (killedLeftovers) signalGroup(pid, 'SIGKILL')

  // Drain what is already in the pipes; a holder that escaped the group must not keep us here.
  await Promise.race([
    Promise.all(pipes.map((s) => (s.closed || s.destroyed ? null : once(s, 'close')))),
    new Promise((resolve) => later(DRAIN_MS, () => resolve(null))),
  ])
  for (const t of timers) clearTimeout(t)
  timers.clear()
  for (const s of pipes) s.destroy()
  await waitForGroupGone(pid)
  liveGroups.delete(pid)
  await log?.close(capture.bytes)

  return finalResult({
    exitCode: exit.code,
    signal: exit.signal,
    timedOut,
    spawnError: aborted ? 'aborted' : null,
    aborted,
    durationMs: exit.ended - started,
    killedLeftovers,
  })
}

/**
 * Lists the function checks a module exports, by running the function host in "list" mode in a
 * child process (so a module with side effects or a syntax error cannot touch the judge).
 * Throws an Error with a one-line message naming the module file on any problem.
 */
export async function listFunctionChecks(
  modulePath: string,
  opts: {
    cwd: string
    env: Record<string, string>
    timeoutMs?: number
    abort?: AbortSignal
    /** Runs the host's argv inside a sandbox (Sandbox.wrap); default: as it is. */
    wrap?: (argv: string[]) => string[]
  },
): Promise<Array<{ name: string; timeout_s: number | null }>> {
  const timeoutMs = opts.timeoutMs ?? 30_000
  const argv = listHostArgv(modulePath)
  const r = await spawnBounded(
    {
      argv: opts.wrap ? opts.wrap(argv) : argv,
      cwd: opts.cwd,
      env: opts.env,
      timeoutMs,
      logPath: null,
      channel: true,
    },
    opts.abort,
  )
  const fail = (why: string) => new Error(oneLine(`functions module ${modulePath}: ${why}`))
  if (r.aborted) throw fail('loading it was stopped')
  if (r.spawnError) throw fail(`could not start node to load it: ${r.spawnError}`)
  if (r.timedOut) throw fail(`loading it took longer than ${timeoutMs / 1000} s`)
  const { message, problem } = readChannelMessage(r.channel, r.channelNonce)
  if (message?.type === 'list-error') throw fail(String(message.message))
  if (message?.type === 'list' && Array.isArray(message.checks)) {
    return (message.checks as unknown[]).map((c) => {
      const entry = c as { name?: unknown; timeout_s?: unknown }
      return {
        name: String(entry.name),
        timeout_s: typeof entry.timeout_s === 'number' ? entry.timeout_s : null,
      }
    })
  }
  const how = r.signal ? `was killed by ${r.signal}` : `exited with code ${r.exitCode}`
  const said = lastOutputLine(r.output)
  throw fail(
    `loading it ${how} without listing its checks` +
      (problem ? ` (${problem})` : '') +
      (said ? `: ${said}` : ''),
  )
}

function lastOutputLine(output: CapturedOutput): string {
  const lines = `${output.head}\n${output.tail}`.split('\n').map((l) => l.trim())
  const useful = lines.filter((l) => l !== '' && !/^at\s/.test(l) && !/^Node\.js v\d/.test(l))
  const last = useful.at(-1) ?? ''
  return last.length > 200 ? `${last.slice(0, 200)}…` : last
}

function once(stream: Readable, event: string): Promise<void> {
  return new Promise((resolve) => stream.once(event, () => resolve()))
}

function checkDirectory(dir: string): string | null {
  try {
    if (!statSync(dir).isDirectory())
      return `ENOTDIR: the working directory is not a directory: ${dir}`
    return null
  } catch {
    return `ENOENT: the working directory does not exist: ${dir}`
  }
}

function describeSpawnError(err: unknown, command: string): string {
  const code = (err as { code?: unknown } | null)?.code
  if (code === 'ENOENT') return `ENOENT: command not found: ${command}`
  if (code === 'EACCES') return `EACCES: permission denied (not executable?): ${command}`
  const message = err instanceof Error ? err.message : String(err)
  return typeof code === 'string' ? `${code}: ${message}` : message
}

/**
 * SIGKILLs every process whose environment carries `name=value` and returns how many there
 * were. For runs without a PID namespace (copy sandboxes): a process that left the run's group
 * with setsid() still inherited the run's marker variable, so it can be found after the run.
 * Best effort: a process that rewrote its own environment block is not found.
 */
export function killProcessesWithEnv(name: string, value: string): number {
  const needle = Buffer.from(`\0${name}=${value}\0`)
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return 0
  }
  let killed = 0
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    // Only the start of the block: the marker is near the start of a run's environment, and a
    // process that hides it further in could as well have removed it.
    const environ = readProcFile(`/proc/${entry}/environ`, ENVIRON_READ_MAX)
    if (environ === null) continue // gone, or not ours to read
    if (
      environ.includes(needle) ||
      environ.subarray(0, needle.length - 1).equals(needle.subarray(1))
    ) {
      try {
        process.kill(Number(entry), 'SIGKILL')
        killed += 1
      } catch {
        // exited meanwhile
      }
    }
  }
  return killed
}

/** Scratch space for readProcFile: the scans are synchronous, so one buffer serves them all. */
const procScratch = Buffer.alloc(Math.max(ENVIRON_READ_MAX, STAT_READ_MAX))

/**
 * Reads at most `max` bytes of a /proc file; null when it cannot be read. The result is a view
 * of a shared buffer, valid until the next call.
 */
function readProcFile(path: string, max: number): Buffer | null {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch {
    return null
  }
  try {
    let length = 0
    while (length < max) {
      const n = readSync(fd, procScratch, length, max - length, null)
      if (n === 0) break
      length += n
    }
    return procScratch.subarray(0, length)
  } catch {
    return null
  } finally {
    closeSync(fd)
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal)
  } catch {
    // ESRCH: nothing left in the group. EPERM cannot happen for our own children.
  }
}

/**
 * Whether any process of the group is alive. kill(-pgid, 0) alone is not enough: it succeeds
 * for zombies, and where PID 1 does not reap orphans promptly, killed leftovers stay zombies.
 * On Linux, /proc tells a zombie (state Z, already dead) from a live process.
 */
function groupHasLiveMembers(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
  } catch {
    return false
  }
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return true // no /proc (macOS): trust kill(0)
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    const raw = readProcFile(`/proc/${entry}/stat`, STAT_READ_MAX)
    if (raw === null) continue // exited meanwhile
    const stat = raw.toString('latin1')
    // "pid (comm) state ppid pgrp ...": comm may contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true
  }
  return false
}

async function waitForGroupGone(pgid: number): Promise<void> {
  const deadline = performance.now() + GROUP_WAIT_MS
  while (groupHasLiveMembers(pgid) && performance.now() < deadline) {
    signalGroup(pgid, 'SIGKILL')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Keeps the first headBytes and the last tailBytes of a byte stream, in constant memory. */
class OutputCapture {
  bytes = 0
  private readonly head: Buffer
  private headLength = 0
  private readonly ring: Buffer
  private ringEnd = 0
  private ringFilled = 0

  constructor(headBytes: number, tailBytes: number) {
    this.head = Buffer.alloc(Math.max(0, headBytes))
    this.ring = Buffer.alloc(Math.max(0, tailBytes))
  }

  push(chunk: Buffer): void {
    this.bytes += chunk.length
    let rest = chunk
    if (this.headLength < this.head.length) {
      const n = Math.min(this.head.length - this.headLength, rest.length)
      rest.copy(this.head, this.headLength, 0, n)
      this.headLength += n
      rest = rest.subarray(n)
    }
    const cap = this.ring.length
    if (rest.length === 0 || cap === 0) return
    if (rest.length >= cap) {
      rest.copy(this.ring, 0, rest.length - cap)
      this.ringEnd = 0
      this.ringFilled = cap
      return
    }
    const first = Math.min(cap - this.ringEnd, rest.length)
    rest.copy(this.ring, this.ringEnd, 0, first)
    rest.copy(this.ring, 0, first)
    this.ringEnd = (this.ringEnd + rest.length) % cap
    this.ringFilled = Math.min(cap, this.ringFilled + rest.length)
  }

  result(logPath: string | null): CapturedOutput {
    const head = this.head.subarray(0, this.headLength)
    const truncated = this.bytes > this.head.length + this.ring.length
    if (this.bytes <= this.head.length) {
      return {
        head: head.toString('utf8'),
        tail: '',
        bytes: this.bytes,
        truncated,
        log_path: logPath,
      }
    }
    const tail =
      this.ringFilled < this.ring.length
        ? this.ring.subarray(0, this.ringFilled)
        : Buffer.concat([this.ring.subarray(this.ringEnd), this.ring.subarray(0, this.ringEnd)])
    // Never show half a character: a sequence cut at the end of head moves to the tail when the
    // tail continues right after it, and is dropped when bytes were lost in between.
    const cut = incompleteUtf8Suffix(head)
    const headText = head.subarray(0, head.length - cut).toString('utf8')
    const tailText = truncated
      ? skipContinuationBytes(tail).toString('utf8')
      : Buffer.concat([head.subarray(head.length - cut), tail]).toString('utf8')
    return { head: headText, tail: tailText, bytes: this.bytes, truncated, log_path: logPath }
  }
}

/** Length of an incomplete UTF-8 sequence at the end of buf (0 when it ends on a boundary). */
function incompleteUtf8Suffix(buf: Buffer): number {
  for (let back = 1; back <= Math.min(4, buf.length); back++) {
    const byte = buf[buf.length - back]!
    if ((byte & 0xc0) === 0x80) continue // continuation byte: keep looking for the lead
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
    return back < need ? back : 0
  }
  return 0
}

function skipContinuationBytes(buf: Buffer): Buffer {
  let i = 0
  while (i < 3 && i < buf.length && (buf[i]! & 0xc0) === 0x80) i++
  return buf.subarray(i)
}

/**
 * Appends the log's problem, if any, to the captured output as a last `[quorum: ...]` line, so
 * that every view shows it (the reason never quotes it: lastMeaningfulLine skips our markers).
 * `bytes` stays what the run printed.
 */
function withLogNote(output: CapturedOutput, problem: string | null): CapturedOutput {
  if (problem === null) return output
  const last = output.tail !== '' ? output.tail : output.head
  const sep = last === '' || last.endsWith('\n') ? '' : '\n'
  return { ...output, tail: `${output.tail}${sep}[quorum: ${oneLine(problem)}]\n` }
}

const FS_ERRORS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EIO: 'input/output error',
  EROFS: 'read-only file system',
  EEXIST: 'it already exists',
  ELOOP: 'it is a symbolic link',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'its directory does not exist',
  ENOTDIR: 'a part of its path is not a directory',
  EISDIR: 'it is a directory',
  EPIPE: 'broken pipe',
  ENXIO: 'no such device or address',
  EAGAIN: 'it would block',
}

/** "no space left on device (ENOSPC)": what a file system error means, then its code. */
function describeFsError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code === 'string') return `${FS_ERRORS[code] ?? code.toLowerCase()} (${code})`
  return err instanceof Error ? err.message : String(err)
}

/**
 * Streams output to the log file, up to a limit, then marks the cut.
 *
 * Never throws, never blocks the caller and never keeps it waiting: the file is created new
 * (see LOG_OPEN_FLAGS); writes go through libuv's pool with at most LOG_HIGH_WATER bytes
 * waiting (write() returns false beyond that: backpressure); the first failed write (ENOSPC,
 * EIO, ...) stops the logging for good, drops what was waiting and releases any backpressure;
 * close() resolves within LOG_CLOSE_WAIT_MS whatever the disk does. What went wrong is in
 * `problem`, one line, for the run's output.
 */
class LogWriter {
  /** The log file, complete or partial; null when it was never created. */
  readonly path: string | null
  /** Why the log is missing or incomplete; null while it is whole. */
  problem: string | null
  private fd: number | null
  private state: 'open' | 'releasing' | 'released' = 'open'
  private readonly limit: number
  /** Output bytes taken under the limit. */
  private taken = 0
  /** Bytes the file system confirmed written. */
  private onDisk = 0
  private cut = false
  private failed = false
  private closing = false
  private writing = false
  private needDrain = false
  private queue: Buffer[] = []
  private queued = 0
  private drainListeners: Array<() => void> = []
  private readonly released: Promise<void>
  private markReleased!: () => void

  private constructor(
    path: string | null,
    fd: number | null,
    limit: number,
    problem: string | null,
  ) {
    this.path = path
    this.fd = fd
    this.limit = limit
    this.problem = problem
    this.released = new Promise((resolve) => (this.markReleased = resolve))
    if (fd === null) {
      this.failed = true
      this.state = 'released'
      this.markReleased()
    }
  }

  /**
   * Creates the log at path, which must not exist (anything there is left alone: a log name is
   * unique per run, so an existing file is a bug or an attack). Never fails: a log that cannot
   * be created is a writer that writes nothing and says why.
   */
  static open(path: string, limit: number | undefined): LogWriter {
    const max = Math.max(0, limit ?? DEFAULT_LOG_LIMIT)
    const unusable = (why: string) =>
      new LogWriter(
        null,
        null,
        max,
        `the full log could not be written: cannot create ${path}: ${why}; only the head and tail of the output were kept`,
      )
    let fd: number
    try {
      fd = openSync(path, LOG_OPEN_FLAGS, 0o600)
    } catch (err) {
      return unusable(describeFsError(err))
    }
    let regular = false
    try {
      regular = fstatSync(fd).isFile()
    } catch {
      // not regular, as far as we can tell
    }
    if (!regular) {
      try {
        closeSync(fd)
      } catch {
        // nothing more to do with it
      }
      return unusable('it is not a regular file')
    }
    return new LogWriter(path, fd, max, null)
  }

  onDrain(fn: () => void): void {
    this.drainListeners.push(fn)
  }

  /** Writes a chunk; false means "wait for drain before writing more". */
  write(chunk: Buffer): boolean {
    if (this.cut || this.failed || this.closing) return true
    const room = this.limit - this.taken
    if (chunk.length <= room) {
      this.taken += chunk.length
      return this.enqueue(chunk)
    }
    this.enqueue(chunk.subarray(0, room))
    this.taken = this.limit
    this.cut = true
    this.enqueue(
      Buffer.from(
        `\n[quorum: log cut here: it reached its limit of ${this.limit} bytes; the rest of the output was not kept]\n`,
      ),
    )
    return true
  }

  /** A line of our own, outside the limit. */
  note(text: string): void {
    if (!this.failed && !this.closing) this.enqueue(Buffer.from(text))
  }

  /**
   * Flushes what is waiting and closes the file. Always resolves, within LOG_CLOSE_WAIT_MS:
   * past that the pending writes are given up on (the file is closed once they return) and the
   * log is said to be incomplete.
   */
  async close(totalBytes: number): Promise<void> {
    if (this.cut) this.note(`[quorum: the run printed ${totalBytes} bytes in all]\n`)
    this.closing = true
    this.pump()
    let timer: NodeJS.Timeout | undefined
    const gaveUp = await Promise.race([
      this.released.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), LOG_CLOSE_WAIT_MS)
      }),
    ])
    clearTimeout(timer)
    if (gaveUp) {
      this.problem ??= `log incomplete: writing it had not finished ${LOG_CLOSE_WAIT_MS / 1000} s after the run ended; ${this.path} may lack the end of the output`
      this.stop()
    }
  }

  private enqueue(chunk: Buffer): boolean {
    if (chunk.length > 0) {
      this.queue.push(chunk)
      this.queued += chunk.length
      this.pump()
    }
    if (this.queued < LOG_HIGH_WATER) return true
    this.needDrain = true
    return false
  }

  /** Starts the next write, or closes the file when nothing more will be written. */
  private pump(): void {
    if (this.writing || this.state !== 'open' || this.fd === null) return
    if (this.failed || (this.closing && this.queue.length === 0)) {
      this.release()
      return
    }
    if (this.queue.length === 0) return
    // A copy: the queue changes while the write is in flight.
    const batch = this.queue.slice(0, 1024)
    this.writing = true
    writev(this.fd, batch, null, (err, written) => {
      this.writing = false
      if (err) this.fail(err)
      else if (written === 0) this.fail(new Error('a write to it made no progress'))
      else if (!this.failed) this.consume(written)
      this.pump()
    })
  }

  /** Drops `n` written bytes from the front of the queue (a write may be partial). */
  private consume(n: number): void {
    this.onDisk += n
    this.queued -= n
    let rest = n
    while (rest > 0 && this.queue.length > 0) {
      const first = this.queue[0]!
      if (first.length <= rest) {
        rest -= first.length
        this.queue.shift()
      } else {
        this.queue[0] = first.subarray(rest)
        rest = 0
      }
    }
    if (this.needDrain && this.queued <= LOG_HIGH_WATER / 2) {
      this.needDrain = false
      this.drainListeners.forEach((fn) => fn())
    }
  }

  private fail(err: unknown): void {
    if (this.failed) return
    this.problem ??= `log truncated: ${describeFsError(err)}; ${this.path} holds only its first ${this.onDisk} bytes`
    this.stop()
  }

  /** Writes nothing more, and never leaves the child's pipes paused. */
  private stop(): void {
    this.failed = true
    this.queue = []
    this.queued = 0
    this.needDrain = false
    this.drainListeners.forEach((fn) => fn())
    this.pump()
  }

  private release(): void {
    const fd = this.fd
    if (fd === null || this.state !== 'open') return
    this.state = 'releasing'
    this.fd = null
    close(fd, (err) => {
      if (err) this.problem ??= `log may be incomplete: closing it failed: ${describeFsError(err)}`
      this.state = 'released'
      this.markReleased()
    })
  }
}

/**
 * Finds `<key>=<number>` on stdout lines as they arrive, split across chunks or not. Lines
 * longer than SCORE_LINE_MAX are skipped without being buffered, so a flood without newlines
 * costs nothing.
 */
class ScoreScanner {
  private readonly pattern: RegExp
  private pending: Buffer[] = []
  private pendingLength = 0
  private skipping = false
  private last: number | null = null

  constructor(key: string) {
    const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    // The key stands alone (not the end of a longer name) and the number ends at a space,
    // comma, semicolon or the end of the line: `passed=3`, `tests: passed=0.5, failed=1`.
    this.pattern = new RegExp(
      `(?:^|[^\\w.-])${escaped}\\s*=\\s*([-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?)(?=$|[\\s,;])`,
      'g',
    )
  }

  push(chunk: Buffer): void {
    let start = 0
    while (start < chunk.length) {
      const nl = chunk.indexOf(10, start)
      const end = nl === -1 ? chunk.length : nl
      const piece = chunk.subarray(start, end)
      if (!this.skipping) {
        if (this.pendingLength + piece.length > SCORE_LINE_MAX) {
          this.skipping = true
          this.pending = []
          this.pendingLength = 0
        } else if (piece.length > 0) {
          // Copy: the chunk's memory may be reused by the stream.
          this.pending.push(Buffer.from(piece))
          this.pendingLength += piece.length
        }
      }
      if (nl === -1) return
      this.endLine()
      start = nl + 1
    }
  }

  finish(): number | null {
    this.endLine()
    return this.last
  }

  private endLine(): void {
    if (!this.skipping && this.pendingLength > 0) {
      const line = Buffer.concat(this.pending)
        .toString('utf8')
        .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '')
      for (const match of line.matchAll(this.pattern)) {
        const value = Number(match[1])
        if (Number.isFinite(value)) this.last = value
      }
    }
    this.pending = []
    this.pendingLength = 0
    this.skipping = false
  }
}
