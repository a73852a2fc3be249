/** Searched first, in this order; PATH is only a fallback for tools missing from all of them. */
export declare const SYSTEM_TOOL_DIRS: readonly string[];
/** The PATH the gate's own children (git) get: never the runner's, which a check may have changed. */
export declare const SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin";
export interface ResolveToolOptions {
    /** The PATH to fall back to (default process.env.PATH). */
    pathEnv?: string | undefined;
    /** The user's home directory; nothing under it is trusted in the fallback (default $HOME). */
    home?: string | undefined;
    /**
     * Directories searched first (default SYSTEM_TOOL_DIRS, or portable mode's tool directory
     * alone: see platform.ts); for tests.
     */
    systemDirs?: readonly string[];
    /** Whether the current user may write `dir` (default: access(W_OK)); for tests. */
    canWrite?: (dir: string) => boolean;
}
/**
 * The absolute path of the executable `name`: the first of SYSTEM_TOOL_DIRS that has it, else
 * the first absolute PATH entry that has it and is not refused (see below).
 *
 * Why the PATH fallback refuses a tool in a directory the current user can write, or anywhere
 * under HOME, although resolution happens before any untrusted code runs (which already defeats
 * a tool planted on PATH later): resolving early fixes the *path*, not the *file*. A check runs
 * as this same user, so it can replace a file in a directory it can write after we resolved
 * it, and the next `git` the gate runs would be the check's. The rule is the same whatever the
 * timing, so it stays simple: the gate only runs tools the checks cannot rewrite. (As root every
 * directory is writable, so only the system directories count; that is the intent.)
 *
 * In portable mode with a tool directory (QUORUM_PORTABLE=<dir>, a testing aid) that directory
 * is the only place searched: the test that hands it a directory of POSIX tools must see every
 * tool the gate runs come from there, never a GNU one from /usr/bin.
 *
 * @throws QuorumError of fate 'environment' (the run stops) naming what was searched and what
 *   was refused, and why
 */
export declare function resolveTool(name: string, options?: ResolveToolOptions): string;
