/** Why `pattern` cannot be an `audit_ignore` glob, or null when it can. */
export declare function globProblem(pattern: string): string | null;
/** Whether `relPath` (`/`-separated, relative to the root) matches one of `globs`. */
export declare function matchesAnyGlob(relPath: string, globs: readonly string[]): boolean;
