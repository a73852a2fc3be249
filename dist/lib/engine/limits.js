/**
 * Defaults sized for a GitHub-hosted runner (7 to 16 GiB, 2 to 4 cores, one run per core): a
 * fork bomb or a memory hog ends at its own limit long before it takes the judge with it, while
 * a test suite that starts a few hundred processes or builds in a few GiB is not disturbed.
 */
export const DEFAULT_LIMITS = Object.freeze({
    network: 'host',
    pids_max: 4096,
    memory_mb: 4096,
    disk_mb: 2048,
});
/** The limits of one check's runs: the check's keys, then the config's, then the defaults. */
export function limitsOf(config, check) {
    return { ...DEFAULT_LIMITS, ...config.limits, ...check.limits };
}
/** The limits of a tree's setup: the config's (no disk budget: its writes must be kept). */
export function setupLimitsOf(config) {
    const base = { ...DEFAULT_LIMITS, ...config.limits };
    return { ...base, network: config.setup?.network ?? 'host', disk_mb: null };
}
