/** Quoting for POSIX shell command lines that Quorum writes (reproduce commands, sandbox conf). */
/** Quotes one argument for a POSIX shell, only when it needs it. */
export declare function shellQuote(arg: string): string;
