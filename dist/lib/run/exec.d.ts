export interface ExecOptions {
    /** The program and its arguments. argv[0]: an absolute path, or a name looked up in env.PATH. */
    readonly argv: readonly string[];
    /** Working directory; default the judge's own. */
    readonly cwd?: string;
    /** The command's complete environment: nothing of the judge's own is added. */
    readonly env: Readonly<Record<string, string>>;
    /** Wall-clock budget: then the command gets SIGTERM, and SIGKILL `graceMs` later. */
    readonly timeoutMs: number;
    /** SIGTERM -> SIGKILL grace on timeout or abort; default 2000. */
    readonly graceMs?: number;
    /** Stops the command the way the timeout does (`aborted`, and `error` is 'aborted'). */
    readonly signal?: AbortSignal;
    /** Written to the command's stdin, which then ends. Without it stdin is /dev/null. */
    readonly input?: string;
    /**
     * Bytes kept of stdout and of stderr each (default 1 MiB), from the start. Past it the rest is
     * read and dropped, so the command is never blocked on a full pipe, and `truncated` is set.
     */
    readonly maxOutputBytes?: number;
    /**
     * Start the command as the leader of a process group and session of its own, as a run is:
     * the timeout, the abort and its own exit then kill everything it started, and pipes a
     * leftover holds are cut after a short drain. Default false: the command stays in the judge's
     * session (sudo needs that: its credential cache and `requiretty` go by the terminal) and only
     * it is signalled; its pipes are waited for, a drain after it ended.
     */
    readonly processGroup?: boolean;
}
export interface ExecResult {
    /** The exit code, or null when a signal ended it (or it did not start). */
    readonly code: number | null;
    readonly signal: string | null;
    /** At most maxOutputBytes of each stream, decoded as UTF-8. */
    readonly stdout: string;
    readonly stderr: string;
    /** It was stopped because it ran over timeoutMs. */
    readonly timedOut: boolean;
    /** It was stopped by `signal`. */
    readonly aborted: boolean;
    /**
     * Why it did not run to its own end: it could not start (e.g. "ENOENT: command not found: x",
     * or a working directory that does not exist) or 'aborted'; null otherwise (a timeout is
     * `timedOut`).
     */
    readonly error: string | null;
    /** Output was dropped past maxOutputBytes. */
    readonly truncated: boolean;
}
/**
 * Why a helper command did not succeed, in one short line: why it could not run, else the last
 * line it printed (stderr, else stdout), else how it ended; null when it exited 0.
 */
export declare function whyFailed(r: ExecResult): string | null;
/**
 * Runs a helper command to its end (or its budget's) and resolves with how it ended and what it
 * printed. Never rejects: a command that cannot start is `error`, a timeout `timedOut`.
 */
export declare function exec(options: ExecOptions): Promise<ExecResult>;
