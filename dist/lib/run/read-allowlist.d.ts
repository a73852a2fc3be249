/**
 * The directories whose content runs must not see: every home (see the module comment). Paths
 * that do not exist are left out; none of them is `/`.
 */
export declare function hiddenHomes(env: Record<string, string | undefined>): string[];
/**
 * The tool directories a run needs that lie under a hidden or private directory: for each PATH
 * entry (and the running node's own directory, for function checks) under one of `hidden`, the
 * entry itself, or its install prefix (see the module comment). Resolved links count too: a
 * PATH entry that is a link into a home shows where it leads.
 */
export declare function toolDirsUnder(hidden: readonly string[], env: Record<string, string | undefined>): string[];
/**
 * Credential files inside the shown tool directories (see CREDENTIALS_IN_PREFIXES), to be
 * masked: they stay hidden although their directory is shown.
 */
export declare function credentialsIn(shown: readonly string[], hidden: readonly string[]): string[];
