/**
 * The one way the gate runs a helper command of its own to completion (git, sudo, cp, probes)
 * and gets back how it ended and what it printed: a small options object in front of one
 * function, as in @actions/exec. argv goes to the program as it is; there is no shell.
 *
 * Checks do not come through here: a check is a run (spawnBounded, with its output log, its
 * metrics and its verdict channel). Both spawn through superviseProcess (process.ts); this file
 * only keeps the start of stdout and stderr apart.
 */
import { superviseProcess } from './process.ts'

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
   * Start the command as the leader of a process group and session of its own, as a run is:
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

/**
 * Why a helper command did not succeed, in one short line: why it could not run, else the last
 * line it printed (stderr, else stdout), else how it ended; null when it exited 0.
 */
export function whyFailed(r: ExecResult): string | null {
  if (r.code === 0 && r.error === null) return null
  if (r.error !== null) return r.error
  if (r.timedOut) return 'it ran out of time'
  const said = (r.stderr.trim() || r.stdout.trim()).split('\n').at(-1)?.slice(0, 200) ?? ''
  return said || (r.signal ? `killed by ${r.signal}` : `exit ${r.code}`)
}

const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024

/**
 * Runs a helper command to its end (or its budget's) and resolves with how it ended and what it
 * printed. Never rejects: a command that cannot start is `error`, a timeout `timedOut`.
 */
export async function exec(options: ExecOptions): Promise<ExecResult> {
  const output = new KeptOutput(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES)
  const ended = await superviseProcess({
    argv: options.argv,
    cwd: options.cwd,
    env: options.env,
    timeoutMs: options.timeoutMs,
    graceMs: options.graceMs,
    signal: options.signal,
    input: options.input,
    processGroup: options.processGroup ?? false,
    output: {
      write: (chunk, stream) => {
        output.push(stream, chunk)
        return true
      },
    },
  })
  return {
    code: ended.exitCode,
    signal: ended.signal,
    ...output.result(),
    timedOut: ended.timedOut,
    aborted: ended.aborted,
    error: ended.spawnError,
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
