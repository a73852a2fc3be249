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
 *
 * Those steps are superviseProcess, the one spawner: spawnBounded (a check's run: log, head and
 * tail, scores, the verdict channel) and exec (the gate's own commands, in a group or not) are
 * what each keeps of the output around it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { statSync } from 'node:fs'
import type { Readable } from 'node:stream'
import type { SpawnResult } from '../engine/types.ts'
import { functionHostArgv, listHostArgv } from './function-host.ts'
import { LogWriter, withLogNote } from './log-writer.ts'
import { MetricScanner, OutputCapture } from './output-capture.ts'
import { groupHasLiveMembers, isInGroup, signalGroup, waitForGroupGone } from './proc-scan.ts'
import { errorMessage } from '../engine/errors.ts'

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
  /** Scan stdout lines for `<key>=<number>`; the last one wins. Its value is `score`. */
  scoreKey?: string | null
  /** More keys to scan stdout for, the same way; their values are `metrics`. */
  metricKeys?: readonly string[]
  /**
   * Open fd 3 as a pipe for a verdict message from the child. The child also gets a fresh
   * random nonce on stdin (then EOF), which the function host puts in its messages, so a
   * message on fd 3 that does not carry it was not written by the host.
   */
  channel?: boolean
  /**
   * Written to the child's stdin, which then ends (after the nonce line when `channel` is set).
   * Without either, stdin is /dev/null.
   */
  input?: string
}

export type { SpawnResult } from '../engine/types.ts'

const DEFAULT_GRACE_MS = 2000

const DEFAULT_HEAD = 16 * 1024

const DEFAULT_TAIL = 16 * 1024

const CHANNEL_LIMIT = 1024 * 1024

/** How long the pipes may stay open after the main process ended and the group was killed. */
const DRAIN_MS = 1000

/** How long to wait for the main process after SIGKILL before giving up on it. */
const KILL_WAIT_MS = 5000

/**
 * Process groups of runs in flight, so that the judge's own exit can take them down too. The
 * 'exit' listener that does it is there only while a run is: a library caller's process carries
 * no listener of ours between gates.
 */
const liveGroups = new Set<number>()

function trackGroup(pgid: number): void {
  if (liveGroups.size === 0) process.on('exit', killAllRunGroups)
  liveGroups.add(pgid)
}

function untrackGroup(pgid: number): void {
  if (liveGroups.delete(pgid) && liveGroups.size === 0) process.off('exit', killAllRunGroups)
}

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

/** How superviseProcess starts one process, bounds it and hands over what it prints. */
export interface SuperviseOptions {
  /** The program and its arguments; argv[0] is resolved via env.PATH by spawn. No shell. */
  readonly argv: readonly string[]
  /** Working directory; default the judge's own. */
  readonly cwd?: string
  /** The complete environment: nothing of the judge's own is added. */
  readonly env: Readonly<Record<string, string>>
  /** Wall-clock budget: then SIGTERM, and SIGKILL `graceMs` later. */
  readonly timeoutMs: number
  /** SIGTERM -> SIGKILL grace on timeout or abort; default 2000. */
  readonly graceMs?: number
  /** Stops the process the way the timeout does (`aborted`, and `spawnError` is 'aborted'). */
  readonly signal?: AbortSignal
  /** Written to stdin, which then ends. Without it stdin is /dev/null. */
  readonly input?: string
  /**
   * Start the process as the leader of a process group and session of its own: the timeout and
   * the abort signal the whole group, and when the process ends whatever is left of its group is
   * killed, and waited for. False: only the process itself is signalled, and a leftover it
   * started outlives it (sudo needs the judge's session: its credential cache and `requiretty`
   * go by the terminal).
   */
  readonly processGroup: boolean
  /** Where stdout and stderr go, chunk by chunk, as they arrive. */
  readonly output: OutputSink
  /** When given, fd 3 is a pipe too, and what the process writes on it comes here. */
  readonly channel?: (chunk: Buffer) => void
}

/** The reader of a process's output, in the spirit of @actions/exec's listeners. */
export interface OutputSink {
  /** One chunk of stdout or stderr. False asks to stop reading both until `onDrain` fires. */
  write(chunk: Buffer, stream: 'stdout' | 'stderr'): boolean
  /** Takes the function that resumes reading after a write returned false. */
  onDrain?(resume: () => void): void
}

/** How a supervised process ended (what it printed went to the sink). */
export interface ProcessEnding {
  /** False: it never ran (`spawnError` says why: it could not start, or 'aborted' before). */
  readonly started: boolean
  /** The exit code, or null when a signal ended it (or it did not start). */
  readonly exitCode: number | null
  readonly signal: string | null
  readonly timedOut: boolean
  readonly aborted: boolean
  /** Why it could not start ('ENOENT: command not found: x', ...), 'aborted', or null. */
  readonly spawnError: string | null
  /** From spawn to the end of the process (unrounded); 0 when it did not start. */
  readonly durationMs: number
  /** processGroup only: processes of its group outlived it, and were killed. */
  readonly killedLeftovers: boolean
}

/**
 * The one way Quorum runs a process to its end: spawn it (in a process group of its own, or
 * not), bound it by a timeout and an abort signal (SIGTERM, then SIGKILL after the grace), kill
 * what is left of its group, drain its pipes for a short while, and settle once. Never rejects:
 * everything that can go wrong is in the result. spawnBounded (checks) and exec (the gate's own
 * commands) are the two callers; each adds what it keeps of the output.
 */
export async function superviseProcess(options: SuperviseOptions): Promise<ProcessEnding> {
  const notStarted = (spawnError: string): ProcessEnding => ({
    started: false,
    exitCode: null,
    signal: null,
    timedOut: false,
    aborted: spawnError === 'aborted',
    spawnError,
    durationMs: 0,
    killedLeftovers: false,
  })
  const { argv, signal: abort, processGroup } = options
  if (abort?.aborted) return notStarted('aborted')
  if (argv.length === 0 || argv[0] === '') return notStarted('EINVAL: empty argv')
  // spawn reports a missing cwd as ENOENT of the command, which sends people looking for the
  // wrong thing; say which one is missing.
  const cwdProblem = options.cwd === undefined ? null : checkDirectory(options.cwd)
  if (cwdProblem) return notStarted(cwdProblem)

  const started = performance.now()
  let child: ChildProcess
  try {
    child = spawn(argv[0]!, argv.slice(1), {
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      env: options.env,
      detached: processGroup,
      stdio: [
        options.input === undefined ? 'ignore' : 'pipe',
        'pipe',
        'pipe',
        ...(options.channel ? ['pipe' as const] : []),
      ],
      windowsHide: true,
    })
  } catch (err) {
    return notStarted(describeSpawnError(err, argv[0]!))
  }
  const pid = child.pid
  if (pid === undefined) {
    const err = await new Promise<unknown>((resolve) => child.once('error', resolve))
    for (const s of child.stdio) s?.destroy()
    return notStarted(describeSpawnError(err, argv[0]!))
  }
  if (processGroup) trackGroup(pid)

  if (options.input !== undefined && child.stdin) {
    // A process that exits without reading stdin makes this write fail with EPIPE: harmless.
    child.stdin.on('error', () => {})
    child.stdin.end(options.input)
  }

  const outputs = [child.stdout, child.stderr].filter((s): s is Readable => s !== null)
  const channelStream = options.channel ? (child.stdio[3] as Readable | null) : null
  const pipes = channelStream ? [...outputs, channelStream] : outputs

  // Backpressure: while the sink cannot take more (a log file's write buffer is full), stop
  // reading, so a flood fills the pipe (and blocks the process) instead of our memory.
  let paused = false
  options.output.onDrain?.(() => {
    if (!paused) return
    paused = false
    for (const s of outputs) s.resume()
  })
  const onOutput = (chunk: Buffer, stream: 'stdout' | 'stderr') => {
    if (!options.output.write(chunk, stream) && !paused) {
      paused = true
      for (const s of outputs) s.pause()
    }
  }
  child.stdout?.on('data', (chunk: Buffer) => onOutput(chunk, 'stdout'))
  child.stderr?.on('data', (chunk: Buffer) => onOutput(chunk, 'stderr'))
  if (options.channel) channelStream?.on('data', options.channel)
  // An error on a pipe (e.g. after we destroy it) must not become an uncaught exception; nor
  // may a failed kill() of the running process, which is an 'error' too.
  for (const s of pipes) s.on('error', () => {})
  child.on('error', () => {})

  let timedOut = false
  let aborted = false
  const timers = new Set<NodeJS.Timeout>()
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t)
      fn()
    }, ms)
    timers.add(t)
  }

  const exit = await new Promise<{ code: number | null; signal: string | null; ended: number }>(
    (resolve) => {
      let exited = false
      let stopping = false
      child.once('exit', (code, signal) => {
        exited = true
        resolve({ code, signal, ended: performance.now() })
      })
      // In a group, the process too, by pid, when it moved itself to another group (or where
      // that cannot be told); never twice when it is still in it (a TERM trap would run twice).
      const signalRun = (signal: NodeJS.Signals) => {
        if (processGroup) signalGroup(pid, signal)
        if (!processGroup || isInGroup(pid, pid) !== true) child.kill(signal)
      }
      // Once, whether the timeout or the abort (or both) asked first.
      const stop = () => {
        if (exited || stopping) return
        stopping = true
        signalRun('SIGTERM')
        later(options.graceMs ?? DEFAULT_GRACE_MS, () => {
          if (exited) return
          signalRun('SIGKILL')
          // A process stuck in uninterruptible sleep survives SIGKILL for a while; the gate
          // must not hang on it.
          later(KILL_WAIT_MS, () => resolve({ code: null, signal: null, ended: performance.now() }))
        })
      }
      // setTimeout turns anything above 2^31-1 ms into 1 ms.
      later(Math.min(Math.max(0, options.timeoutMs), 2 ** 31 - 1), () => {
        timedOut = true
        stop()
      })
      const onAbort = () => {
        aborted = true
        stop()
      }
      abort?.addEventListener('abort', onAbort, { once: true })
      child.once('exit', () => abort?.removeEventListener('abort', onAbort))
    },
  )
  for (const t of timers) clearTimeout(t)
  timers.clear()

  // The process is gone; anything left of its group (background jobs, grandchildren, a process
  // ignoring SIGTERM) dies now.
  const killedLeftovers = processGroup && groupHasLiveMembers(pid)
  if (killedLeftovers) signalGroup(pid, 'SIGKILL')

  // Drain what is already in the pipes; a holder that escaped the group (or, outside a group,
  // any leftover) must not keep us here.
  await Promise.race([
    Promise.all(pipes.map((s) => (s.closed || s.destroyed ? null : once(s, 'close')))),
    new Promise((resolve) => later(DRAIN_MS, () => resolve(null))),
  ])
  for (const t of timers) clearTimeout(t)
  timers.clear()
  for (const s of pipes) s.destroy()
  child.stdin?.destroy()
  if (processGroup) {
    await waitForGroupGone(pid)
    untrackGroup(pid)
  }

  return {
    started: true,
    exitCode: exit.code,
    signal: exit.signal,
    timedOut,
    aborted,
    spawnError: aborted ? 'aborted' : null,
    durationMs: exit.ended - started,
    killedLeftovers,
  }
}

/**
 * Runs argv in its own process group with a wall-clock budget and bounded output capture
 * (superviseProcess, with a log file, head and tail, score and metric scanning and the verdict
 * channel). Never rejects: everything that can go wrong is in the result. On timeout (or abort)
 * the group gets SIGTERM, then SIGKILL after graceMs; when the main process ends, whatever is
 * left of its group is killed at once. Resolves once no process of the group is left (zombies
 * awaiting a reaper count as gone) and the log file is complete.
 */
export async function spawnBounded(spec: SpawnSpec, abort?: AbortSignal): Promise<SpawnResult> {
  const capture = new OutputCapture(spec.headBytes ?? DEFAULT_HEAD, spec.tailBytes ?? DEFAULT_TAIL)
  const log = spec.logPath === null ? null : LogWriter.open(spec.logPath, spec.logLimitBytes)
  const scanKeys = [
    ...new Set([...(spec.scoreKey ? [spec.scoreKey] : []), ...(spec.metricKeys ?? [])]),
  ]
  const scanner = scanKeys.length > 0 ? new MetricScanner(scanKeys) : null
  const nonce = spec.channel ? randomBytes(16).toString('hex') : null
  const stdinText = nonce === null ? spec.input : `${nonce}\n${spec.input ?? ''}`
  const channelChunks: Buffer[] = []
  let channelBytes = 0

  const ended = await superviseProcess({
    argv: spec.argv,
    cwd: spec.cwd,
    env: spec.env,
    timeoutMs: spec.timeoutMs,
    graceMs: spec.graceMs,
    signal: abort,
    input: stdinText,
    processGroup: true,
    output: {
      write(chunk, stream) {
        capture.push(chunk)
        if (stream === 'stdout') scanner?.push(chunk)
        return log === null || log.write(chunk)
      },
      ...(log === null ? {} : { onDrain: (resume: () => void) => log.onDrain(resume) }),
    },
    ...(spec.channel
      ? {
          channel: (chunk: Buffer) => {
            // Past the limit the bytes are read and dropped, so a flood on fd 3 cannot block
            // the child.
            const room = CHANNEL_LIMIT - channelBytes
            if (room <= 0) return
            const kept = chunk.length <= room ? chunk : chunk.subarray(0, room)
            channelChunks.push(kept)
            channelBytes += kept.length
          },
        }
      : {}),
  })
  if (!ended.started) log?.note(`[quorum: the process did not start: ${ended.spawnError}]\n`)
  await log?.close(capture.bytes)

  const metrics = scanner?.finish() ?? {}
  return {
    exitCode: ended.exitCode,
    signal: ended.signal,
    timedOut: ended.timedOut,
    spawnError: ended.spawnError,
    aborted: ended.aborted,
    durationMs: Math.round(ended.durationMs),
    output: withLogNote(capture.result(log?.path ?? null), log?.problem ?? null),
    score: scoreOf(metrics, spec.scoreKey ?? null),
    metrics,
    channel: spec.channel ? Buffer.concat(channelChunks).toString('utf8') : null,
    channelNonce: nonce,
    killedLeftovers: ended.killedLeftovers,
  }
}

function once(stream: Readable, event: string): Promise<void> {
  return new Promise((resolve) => stream.once(event, () => resolve()))
}

/** Why `dir` cannot be a working directory (it is missing, or not a directory), or null. */
export function checkDirectory(dir: string): string | null {
  try {
    if (!statSync(dir).isDirectory())
      return `ENOTDIR: the working directory is not a directory: ${dir}`
    return null
  } catch {
    return `ENOENT: the working directory does not exist: ${dir}`
  }
}

/** A failed spawn as one line: the errno code first, and what it means for `command`. */
export function describeSpawnError(err: unknown, command: string): string {
  const code = (err as { code?: unknown } | null)?.code
  if (code === 'ENOENT') return `ENOENT: command not found: ${command}`
  if (code === 'EACCES') return `EACCES: permission denied (not executable?): ${command}`
  const message = errorMessage(err)
  return typeof code === 'string' ? `${code}: ${message}` : message
}

/** The score key's value when it was printed as a finite number, else null. */
function scoreOf(metrics: Record<string, number>, key: string | null): number | null {
  const value = key === null ? undefined : metrics[key]
  return value !== undefined && Number.isFinite(value) ? value : null
}
