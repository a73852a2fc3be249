/**
 * Adaptive repeats: when a timing is inconclusive after a check's repeats, more interleaved pairs
 * of runs, looked at again, until it is decided or the budget runs out. Pure: counts and
 * comparisons in, a decision out.
 *
 * Looking again and again at a growing sample and stopping at the first "regressed" would raise
 * the false-block rate with every look. So the looks are planned before the first run (a group-
 * sequential design) and the 1% error budget is spent across them (alpha spending):
 * - the looks: `repeats` per tree, then about 1.5 times as many each time (at least 2 more), up
 *   to `max_repeats` (9, 14, 21, 32, 45 for `repeats: auto`);
 * - look k is tested at αₖ = α · (nₖ − nₖ₋₁) / n_K, where nₖ is its repeats per tree: each look
 *   spends the share of the budget that its new samples bring (a linear spending function of the
 *   information). The αₖ add up to α.
 * Each look's rank test is run at its own αₖ, and its interval at confidence 1 − αₖ. By the union
 * bound the chance that any look wrongly says regressed (or wrongly says unchanged) is at most
 * Σαₖ = α, whatever the correlation between looks: conservative, but it needs no assumption about
 * the timings. Stopping early (decided, or out of time) only leaves budget unspent.
 */
import type { MetricReport, MetricSpec, SequentialStop } from './types.ts';
export type { SequentialStop };
/** The planned looks of an adaptive check. */
export interface SequentialDesign {
    /** Repeats per tree at each look, increasing; the last one is max_repeats. */
    looks: number[];
    /** The error budget each look is tested at; they add up to the whole budget. */
    alphas: number[];
}
/** A check's looks: from `start` repeats per tree to `max`, spending `alpha` across them. */
export declare function sequentialDesign(start: number, max: number, alpha?: number): SequentialDesign;
/**
 * After look `look` (0-based) of `design`: whether another look is worth its runs. Only metrics
 * that vary count (deterministic ones are decided by one run); a metric with no samples on a
 * tree means that tree's runs did not pass.
 */
export declare function shouldLookAgain(design: SequentialDesign, look: number, specs: readonly MetricSpec[], reports: readonly MetricReport[]): {
    again: true;
} | {
    again: false;
    stop: SequentialStop;
};
/**
 * Whether the next look's runs fit in what is left of the time budget, judged from the pairs run
 * so far (their mean wall time, both trees).
 */
export declare function fitsTimeBudget(p: {
    pairsRun: number;
    elapsedMs: number;
    pairsNext: number;
    budgetMs: number;
}): boolean;
/** The words a report adds to a metric's test name for look `look` of `design`. */
export declare function describeLook(design: SequentialDesign, look: number): string;
