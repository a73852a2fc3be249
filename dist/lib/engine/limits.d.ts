/**
 * Resource limits of a run: the defaults, and how a check's own keys, the config's and the
 * defaults combine. Pure.
 */
import type { CheckSpec, GateConfig, ResourceLimits } from './types.ts';
/**
 * Defaults sized for a GitHub-hosted runner (7 to 16 GiB, 2 to 4 cores, one run per core): a
 * fork bomb or a memory hog ends at its own limit long before it takes the judge with it, while
 * a test suite that starts a few hundred processes or builds in a few GiB is not disturbed.
 */
export declare const DEFAULT_LIMITS: Readonly<ResourceLimits>;
/** The limits of one check's runs: the check's keys, then the config's, then the defaults. */
export declare function limitsOf(config: Pick<GateConfig, 'limits'>, check: CheckSpec): ResourceLimits;
/** The limits of a tree's setup: the config's (no disk budget: its writes must be kept). */
export declare function setupLimitsOf(config: Pick<GateConfig, 'limits' | 'setup'>): ResourceLimits;
