/**
 * Which of the judge's environment variables a check may ever see. Untrusted code gets an
 * environment built from an allowlist, never the judge's own: a token or a runner file path in
 * reach of PR code is how a gate gets robbed or forged.
 */
/** Variables passed through from the parent when set, for every check. */
export const DEFAULT_ENV_ALLOWLIST = [
    'PATH',
    'LANG',
    'LANGUAGE',
    'TZ',
    'TERM',
    'NO_COLOR',
    'FORCE_COLOR',
    'USER',
    'LOGNAME',
    'SHELL',
];
/** Prefixes of the locale family, passed through like DEFAULT_ENV_ALLOWLIST. */
export const DEFAULT_ENV_ALLOWED_PREFIXES = ['LC_'];
const FORBIDDEN_EXACT = new Set([
    'GITHUB_TOKEN',
    'GH_TOKEN',
    'ACTIONS_CACHE_URL',
    'ACTIONS_RESULTS_URL',
    'GITHUB_ENV',
    'GITHUB_OUTPUT',
    'GITHUB_PATH',
    'GITHUB_STATE',
    'GITHUB_STEP_SUMMARY',
    'NODE_OPTIONS',
]);
const FORBIDDEN_PREFIXES = ['INPUT_', 'ACTIONS_RUNTIME_', 'ACTIONS_ID_TOKEN_', 'STATE_'];
/**
 * Names that no config may pass through, even explicitly: the runner's credentials and the
 * files through which a step talks to the runner. Returns the reason, or null when allowed.
 */
export function forbiddenEnvReason(name) {
    if (FORBIDDEN_EXACT.has(name))
        return `${name} is a runner credential or control file`;
    const prefix = FORBIDDEN_PREFIXES.find((p) => name.startsWith(p));
    if (prefix)
        return `${prefix}* variables belong to the runner and the action`;
    return null;
}
