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
}): Promise<Array<{
    name: string;
    timeout_s: number | null;
}>>;
