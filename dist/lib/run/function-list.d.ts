/**
 * Listing a function-checks module's checks: the module is imported in a child process (inside a
 * sandbox, when the caller wraps it), which answers on the verdict channel.
 */
import type { ListedFunctionCheck } from '../engine/config.ts';
/**
 * Lists the function checks a module exports, by running the function host in "list" mode in a
 * child process (so a module with side effects or a syntax error cannot touch the judge).
 * Throws an Error with a one-line message naming the module file on any problem.
 */
export declare function listFunctionChecks(modulePath: string, opts: {
    cwd: string;
    env: Record<string, string>;
    timeoutMs?: number;
    abort?: AbortSignal;
    /** Runs the host's argv inside a sandbox (Sandbox.wrap); default: as it is. */
    wrap?: (argv: string[]) => string[];
}): Promise<ListedFunctionCheck[]>;
