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
    /**
     * Sees every chunk of output as it arrives, with the stream it came on (for callers that need
     * stdout and stderr apart, like exec). Called before the chunk is captured.
     */
    onOutput?: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
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
/**
 * Runs argv in its own process group with a wall-clock budget and bounded output capture.
 * Never rejects: everything that can go wrong is in the result. On timeout (or abort) the group
 * gets SIGTERM, then SIGKILL after graceMs; when the main process ends, whatever is left of its
 * group is killed at once. Resolves once no process of the group is left (zombies awaiting a
 * reaper count as gone) and the log file is complete.
 */
export declare function spawnBounded(spec: SpawnSpec, abort?: AbortSignal): Promise<SpawnResult>;
/** Why `dir` cannot be a working directory (it is missing, or not a directory), or null. */
export declare function checkDirectory(dir: string): string | null;
/** A failed spawn as one line: the errno code first, and what it means for `command`. */
export declare function describeSpawnError(err: unknown, command: string): string;
