import type { SpawnResult } from '../engine/types.ts';
import { functionHostArgv, listHostArgv } from './function-host.ts';
export { functionHostArgv, listHostArgv };
export interface SpawnSpec {
    /** argv[0] is resolved via env.PATH by spawn. */
    argv: string[];
    cwd: string;
    /** The complete child environment (already filtered: see buildChildEnv). */
    env: Record<string, string>;
    timeoutMs: number;
    /** SIGTERM -> SIGKILL grace, default 2000. */
    graceMs?: number;
    /**
     * Full output log file, created by the run: the path must not exist yet (whatever is there,
     * a file, a FIFO, a symlink, is left alone, and the run goes on without a log). Null = no log.
     * A log that cannot be created or written is never an error of the run: `output.log_path` is
     * then null (not created) or still the path (partial), and the output ends with a
     * `[quorum: ...]` line that says what happened to the log and why.
     */
    logPath: string | null;
    /** Cap for the log file, default 128 MiB; the cut is marked in the file. */
    logLimitBytes?: number;
    /** Default 16 KiB. */
    headBytes?: number;
    /** Default 16 KiB. */
    tailBytes?: number;
    /** Scan stdout lines for `<key>=<number>`; the last one wins. Its value is `score`. */
    scoreKey?: string | null;
    /** More keys to scan stdout for, the same way; their values are `metrics`. */
    metricKeys?: readonly string[];
    /**
     * Open fd 3 as a pipe for a verdict message from the child. The child also gets a fresh
     * random nonce on stdin (then EOF), which the function host puts in its messages, so a
     * message on fd 3 that does not carry it was not written by the host.
     */
    channel?: boolean;
    /**
     * Written to the child's stdin, which then ends (after the nonce line when `channel` is set).
     * Without either, stdin is /dev/null.
     */
    input?: string;
}
export type { SpawnResult } from '../engine/types.ts';
/**
 * Sends SIGKILL to the process group of every run still in flight. Called on the judge's own
 * exit; an entry point that handles SIGINT/SIGTERM should call it too, because detached children
 * do not die with their parent.
 */
export declare function killAllRunGroups(): void;
/** The argv that runs a shell command line: `['/bin/sh', '-c', command]`. */
export declare function shellArgv(command: string): string[];
/** How superviseProcess starts one process, bounds it and hands over what it prints. */
export interface SuperviseOptions {
    /** The program and its arguments; argv[0] is resolved via env.PATH by spawn. No shell. */
    readonly argv: readonly string[];
    /** Working directory; default the judge's own. */
    readonly cwd?: string;
    /** The complete environment: nothing of the judge's own is added. */
    readonly env: Readonly<Record<string, string>>;
    /** Wall-clock budget: then SIGTERM, and SIGKILL `graceMs` later. */
    readonly timeoutMs: number;
    /** SIGTERM -> SIGKILL grace on timeout or abort; default 2000. */
    readonly graceMs?: number;
    /** Stops the process the way the timeout does (`aborted`, and `spawnError` is 'aborted'). */
    readonly signal?: AbortSignal;
    /** Written to stdin, which then ends. Without it stdin is /dev/null. */
    readonly input?: string;
    /**
     * Start the process as the leader of a process group and session of its own: the timeout and
     * the abort signal the whole group, and when the process ends whatever is left of its group is
     * killed, and waited for. False: only the process itself is signalled, and a leftover it
     * started outlives it (sudo needs the judge's session: its credential cache and `requiretty`
     * go by the terminal).
     */
    readonly processGroup: boolean;
    /** Where stdout and stderr go, chunk by chunk, as they arrive. */
    readonly output: OutputSink;
    /** When given, fd 3 is a pipe too, and what the process writes on it comes here. */
    readonly channel?: (chunk: Buffer) => void;
}
/** The reader of a process's output, in the spirit of @actions/exec's listeners. */
export interface OutputSink {
    /** One chunk of stdout or stderr. False asks to stop reading both until `onDrain` fires. */
    write(chunk: Buffer, stream: 'stdout' | 'stderr'): boolean;
    /** Takes the function that resumes reading after a write returned false. */
    onDrain?(resume: () => void): void;
}
/** How a supervised process ended (what it printed went to the sink). */
export interface ProcessEnding {
    /** False: it never ran (`spawnError` says why: it could not start, or 'aborted' before). */
    readonly started: boolean;
    /** The exit code, or null when a signal ended it (or it did not start). */
    readonly exitCode: number | null;
    readonly signal: string | null;
    readonly timedOut: boolean;
    readonly aborted: boolean;
    /** Why it could not start ('ENOENT: command not found: x', ...), 'aborted', or null. */
    readonly spawnError: string | null;
    /** From spawn to the end of the process (unrounded); 0 when it did not start. */
    readonly durationMs: number;
    /** processGroup only: processes of its group outlived it, and were killed. */
    readonly killedLeftovers: boolean;
}
/**
 * The one way Quorum runs a process to its end: spawn it (in a process group of its own, or
 * not), bound it by a timeout and an abort signal (SIGTERM, then SIGKILL after the grace), kill
 * what is left of its group, drain its pipes for a short while, and settle once. Never rejects:
 * everything that can go wrong is in the result. spawnBounded (checks) and exec (the gate's own
 * commands) are the two callers; each adds what it keeps of the output.
 */
export declare function superviseProcess(options: SuperviseOptions): Promise<ProcessEnding>;
/**
 * Runs argv in its own process group with a wall-clock budget and bounded output capture
 * (superviseProcess, with a log file, head and tail, score and metric scanning and the verdict
 * channel). Never rejects: everything that can go wrong is in the result. On timeout (or abort)
 * the group gets SIGTERM, then SIGKILL after graceMs; when the main process ends, whatever is
 * left of its group is killed at once. Resolves once no process of the group is left (zombies
 * awaiting a reaper count as gone) and the log file is complete.
 */
export declare function spawnBounded(spec: SpawnSpec, abort?: AbortSignal): Promise<SpawnResult>;
/** Why `dir` cannot be a working directory (it is missing, or not a directory), or null. */
export declare function checkDirectory(dir: string): string | null;
/** A failed spawn as one line: the errno code first, and what it means for `command`. */
export declare function describeSpawnError(err: unknown, command: string): string;
