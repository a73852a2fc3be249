/**
 * The one way the gate runs a helper command of its own to completion (git, sudo, cp, probes)
 * and gets back how it ended and what it printed: a small options object in front of one
 * function, as in @actions/exec. argv goes to the program as it is; there is no shell.
 *
 * Checks do not come through here: a check is a run (spawnBounded, with its output log, its
 * metrics and its verdict channel).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { checkDirectory, describeSpawnError, spawnBounded } from './process.ts'

export interface ExecOptions {
  /** The program and its arguments. argv[0]: an absolute path, or a name looked up in env.PATH. */
  readonly argv: readonly string[]
  /** Working directory; default the judge's own. */
  readonly cwd?: string
  /** The command's complete environment: nothing of the judge's own is added. */
  readonly env: Readonly<Record<string, string>>
  /** Wall-clock budget: then the command gets SIGTERM, and SIGKILL `graceMs` later. */
  readonly timeoutMs: number
  /** SIGTERM -> SIGKILL grace on timeout or abort; default 2000. */
  readonly graceMs?: number
  /** Stops the command the way the timeout does (`aborted`, and `error` is 'aborted'). */
  readonly signal?: AbortSignal
  /** Written to the command's stdin, which then ends. Without it stdin is /dev/null. */
  readonly input?: string
  /**
   * Bytes kept of stdout and of stderr each (default 1 MiB), from the start. Past it the rest is
   * read and dropped, so the command is never blocked on a full pipe, and `truncated` is set.
   */
  readonly maxOutputBytes?: number
  /**
   * Start the command as the leader of a process group and session of its own (spawnBounded):
   * the timeout, the abort and its own exit then kill everything it started, and pipes a
   * leftover holds are cut after a short drain. Default false: the command stays in the judge's
   * session (sudo needs that: its credential cache and `requiretty` go by the terminal) and only
   * it is signalled; its pipes are waited for, a drain after it ended.
   */
  readonly processGroup?: boolean
}

export interface ExecResult {
  /** The exit code, or null when a signal ended it (or it did not start). */
  readonly code: number | null
  readonly signal: string | null
  /** At most maxOutputBytes of each stream, decoded as UTF-8. */
  readonly stdout: string
  readonly stderr: string
  /** It was stopped because it ran over timeoutMs. */
  readonly timedOut: boolean
  /** It was stopped by `signal`. */
  readonly aborted: boolean
  /**
   * Why it did not run to its own end: it could not start (e.g. "ENOENT: command not found: x",
   * or a working directory that does not exist) or 'aborted'; null otherwise (a timeout is
   * `timedOut`).
   */
  readonly error: string | null
  /** Output was dropped past maxOutputBytes. */
  readonly truncated: boolean
}

const DEFAULT_GRACE_MS = 2000

const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024

/** How long the pipes may stay open after the command ended (a leftover process holds them). */
const DRAIN_MS = 1000

/** How long to wait for the command after SIGKILL before giving up on it. */
const KILL_WAIT_MS = 5000

/**
 * Runs a helper command to its end (or its budget's) and resolves with how it ended and what it
 * printed. Never rejects: a command that cannot start is `error`, a timeout `timedOut`.
 */
export async function exec(options: ExecOptions): Promise<ExecResult> {
  const output = new KeptOutput(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES)
  if (options.processGroup) {
    const r = await spawnBounded(
      {
        argv: [...options.argv],
        cwd: options.cwd ?? process.cwd(),
        env: { ...options.env },
        timeoutMs: options.timeoutMs,
        graceMs: options.graceMs ?? DEFAULT_GRACE_MS,
        logPath: null,
        ...(options.input === undefined ? {} : { input: options.input }),
        onOutput: (chunk, stream) => output.push(stream, chunk),
      },
      options.signal,
    )
    return {
      code: r.exitCode,
      signal: r.signal,
      ...output.result(),
      timedOut: r.timedOut,
      aborted: r.aborted,
      error: r.spawnError,
    }
  }
  const ended = await runInSession(options, output)
  return { ...ended, ...output.result() }
}

/** What a command in the judge's own session ended with (its output is kept apart). */
interface Ending {
  readonly code: number | null
  readonly signal: string | null
  readonly timedOut: boolean
  readonly aborted: boolean
  readonly error: string | null
}

async function runInSession(options: ExecOptions, output: KeptOutput): Promise<Ending> {
  const notStarted = (error: string): Ending => ({
    code: null,
    signal: null,
    timedOut: false,
    aborted: error === 'aborted',
    error,
  })
  const { argv, signal: abort } = options
  if (abort?.aborted) return notStarted('aborted')
  if (argv.length === 0 || argv[0] === '') return notStarted('EINVAL: empty argv')
  const cwdProblem = options.cwd === undefined ? null : checkDirectory(options.cwd)
  if (cwdProblem) return notStarted(cwdProblem)

  let child: ChildProcess
  try {
    child = spawn(argv[0]!, argv.slice(1), {
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      env: options.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      windowsHide: true,
    })
  } catch (err) {
    return notStarted(describeSpawnError(err, argv[0]!))
  }
  if (child.pid === undefined) {
    const err = await new Promise<unknown>((resolve) => child.once('error', resolve))
    for (const s of child.stdio) s?.destroy()
    return notStarted(describeSpawnError(err, argv[0]!))
  }
  // A failed kill() of the running command is an 'error' too: nothing to do about it here.
  child.on('error', () => {})
  const pipes = [child.stdout, child.stderr]
  // An error on a pipe (e.g. after it is destroyed) must not become an uncaught exception.
  for (const s of pipes) s?.on('error', () => {})
  child.stdout?.on('data', (chunk: Buffer) => output.push('stdout', chunk))
  child.stderr?.on('data', (chunk: Buffer) => output.push('stderr', chunk))
  if (options.input !== undefined && child.stdin) {
    // A command that exits without reading stdin makes this write fail with EPIPE: harmless.
    child.stdin.on('error', () => {})
    child.stdin.end(options.input)
  }

  const timers = new Set<NodeJS.Timeout>()
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t)
      fn()
    }, ms)
    timers.add(t)
  }
  let timedOut = false
  let aborted = false
  const exit = await new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    let exited = false
    let stopping = false
    child.once('exit', (code, signal) => {
      exited = true
      resolve({ code, signal })
    })
    const stop = () => {
      if (exited || stopping) return
      stopping = true
      child.kill('SIGTERM')
      later(options.graceMs ?? DEFAULT_GRACE_MS, () => {
        if (exited) return
        child.kill('SIGKILL')
        // A process stuck in uninterruptible sleep survives SIGKILL for a while.
        later(KILL_WAIT_MS, () => resolve({ code: null, signal: null }))
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
  })
  for (const t of timers) clearTimeout(t)
  timers.clear()

  // What is already in the pipes; a leftover process that holds them must not keep us here.
  await Promise.race([
    Promise.all(
      pipes.map((s) =>
        s === null || s.closed || s.destroyed
          ? null
          : new Promise<void>((resolve) => s.once('close', () => resolve())),
      ),
    ),
    new Promise<void>((resolve) => later(DRAIN_MS, resolve)),
  ])
  for (const t of timers) clearTimeout(t)
  for (const s of pipes) s?.destroy()
  child.stdin?.destroy()
  return {
    code: exit.code,
    signal: exit.signal,
    timedOut,
    aborted,
    error: aborted ? 'aborted' : null,
  }
}

/** The first `limit` bytes of stdout and of stderr; the rest is counted and dropped. */
class KeptOutput {
  readonly #limit: number
  readonly #chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] }
  readonly #sizes = { stdout: 0, stderr: 0 }

  constructor(limit: number) {
    this.#limit = limit
  }

  push(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    const room = this.#limit - this.#sizes[stream]
    if (room > 0) this.#chunks[stream].push(chunk.length <= room ? chunk : chunk.subarray(0, room))
    this.#sizes[stream] += chunk.length
  }

  result(): { stdout: string; stderr: string; truncated: boolean } {
    return {
      stdout: Buffer.concat(this.#chunks.stdout).toString('utf8'),
      stderr: Buffer.concat(this.#chunks.stderr).toString('utf8'),
      truncated: this.#sizes.stdout > this.#limit || this.#sizes.stderr > this.#limit,
    }
  }
}
