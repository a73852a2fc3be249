/**
 * Which of the judge's environment variables a check may ever see. Untrusted code gets an
 * environment built from an allowlist, never the judge's own: a token or a runner file path in
 * reach of PR code is how a gate gets robbed or forged.
 */
/** Variables passed through from the parent when set, for every check. */
export declare const DEFAULT_ENV_ALLOWLIST: readonly string[];
/** Prefixes of the locale family, passed through like DEFAULT_ENV_ALLOWLIST. */
export declare const DEFAULT_ENV_ALLOWED_PREFIXES: readonly string[];
/**
 * Names that no config may pass through, even explicitly: the runner's credentials and the
 * files through which a step talks to the runner. Returns the reason, or null when allowed.
 */
export declare function forbiddenEnvReason(name: string): string | null;
