/**
 * Is the candidate's metric worse than the baseline's? Per metric: regressed, improved, unchanged
 * or inconclusive, at 99% confidence unless told otherwise. Pure: samples in, a verdict out.
 *
 * The method, and why:
 * - **Wilcoxon rank-sum / Mann-Whitney U test**, one-sided, for "is the candidate worse". It
 *   compares ranks, not means, so one slow outlier in nine timings moves it by one rank, not by
 *   its size; it assumes no distribution (timings are skewed, not normal); and it is valid at the
 *   5..9 samples per tree a gate can afford.
 * - **Exact p-values** whenever both trees have fewer than 50 samples: the permutation
 *   distribution of the rank sum, counted. With ties the ranks are midranks and the distribution
 *   is the conditional one (what SAS `exact wilcoxon` and R's coin compute); without ties it is
 *   the classic one R's `wilcox.test` uses. Timings in whole milliseconds tie often, and at 7
 *   samples per tree the normal approximation R falls back to on ties is rough. From 50 samples
 *   per tree the normal approximation is used, with tie and continuity corrections (as R).
 * - **Hodges-Lehmann shift estimate** (the median of all candidate − baseline differences) with
 *   its **distribution-free confidence interval** (Moses): order statistics of those differences,
 *   how far in taken from the exact null distribution of U (the normal one from 50 samples).
 *   Without ties this is what R's `wilcox.test(candidate, baseline, conf.int = TRUE,
 *   conf.level = 0.99)` reports; see shiftEstimate for ties.
 * - A **relative tolerance** is judged on log values when every sample is positive, so the shift
 *   is a ratio and its interval converts to percent exactly; otherwise (an absolute tolerance,
 *   or values ≤ 0) the shift is in the metric's unit.
 *
 * No library does this: on npm the Mann-Whitney packages compare against approximate critical
 * values and are unmaintained, simple-statistics has the rank-sum statistic but no p-value or
 * interval, jStat has no rank-sum test, and @stdlib's Wilcoxon is the paired signed-rank test.
 * test/engine/stats.test.ts checks this code against published values (R, SAS, U tables).
 */
import type { Direction, MetricVerdict, Tolerance } from './types.ts';
export type { Direction, MetricVerdict, Tolerance };
/** One metric, baseline against candidate. */
export interface MetricComparison {
    verdict: MetricVerdict;
    /** The method, by name, e.g. "Mann-Whitney U (exact), Hodges-Lehmann 99% CI of the ratio". */
    test: string;
    baseline_median: number;
    candidate_median: number;
    /** 100 × (candidate median − baseline median) / |baseline median|; null when that is 0. */
    change_pct: number | null;
    /**
     * The confidence interval of the change, in the same percent; null for exact comparisons
     * (there is nothing to estimate), when the samples are too few for the confidence level, or
     * when the baseline median is 0.
     */
    ci: [number, number] | null;
    /** One-sided p-value that the candidate is worse; null for exact comparisons. */
    p_worse: number | null;
    /** Only for inconclusive: about how many repeats per tree would decide it (see below). */
    repeats_needed: number | null;
}
/** How a metric is declared: the part of a MetricSpec the comparison needs. */
export interface MetricSpecForComparison {
    direction: Direction;
    tolerance: Tolerance;
    deterministic: boolean;
}
/**
 * The fewest samples per tree with which a 99% rank test can decide anything: with 5 and 5 the
 * most extreme split has probability 1/C(10,5) = 1/252 < 0.5%; with 4 and 4 it is 1/70 > 1%.
 */
export declare const MIN_REPEATS_TO_DECIDE = 5;
/**
 * The most repeats per tree ever suggested. An estimate needing more sits on the edge of the
 * tolerance, where more repeats are not a practical answer (widen the tolerance instead).
 */
export declare const MAX_REPEATS_SUGGESTED = 1000;
/** The median: the middle value, or the mean of the two middle ones. Throws on no samples. */
export declare function median(samples: readonly number[]): number;
/**
 * For a metric declared deterministic: null when every sample is the same, else which values
 * it took (at most five named), e.g. "varied between runs: 412, 413 (in 3 samples)".
 */
export declare function deterministicProblem(samples: readonly number[]): string | null;
/**
 * Compares one metric's samples, baseline against candidate (see the module comment for the
 * method). The verdicts, exactly:
 * - regressed: the one-sided test says worse with `confidence`, and the estimated shift and the
 *   medians' change are both worse by more than the tolerance (both, so that a reader of
 *   change_pct never sees a regression inside the tolerance);
 * - improved: the same the other way;
 * - unchanged: the two-sided `confidence` interval of the shift lies within ±tolerance;
 * - inconclusive: anything else, with repeats_needed.
 *
 * Exact comparisons (no test, p_worse and ci null):
 * - `deterministic`: the medians are compared exactly (samples that vary are the check's
 *   problem, reported through deterministicProblem; the comparison does not throw);
 * - no spread: each tree's samples are all one value, and either both trees have at least two
 *   samples or the two values are equal. One sample against one is otherwise inconclusive: a
 *   single timing says nothing about its noise, and a user who asked for one run of a noisy
 *   metric should be told to repeat it, not be blocked by chance. Equal values are unchanged.
 * An exact comparison is regressed iff the change is worse by more than the tolerance (a
 * tolerance of 0: any worse change), improved likewise, else unchanged.
 *
 * Tolerances: a relative one is a fraction of the baseline median (in percent, change_pct is
 * compared with it). When the baseline median is 0 that fraction of it is 0: any change is
 * beyond it, and change_pct and ci are null. With values ≤ 0 a relative tolerance is applied in
 * units, as that fraction of |baseline median|. Percentages divide by |baseline median|, so a
 * negative baseline that grows towards 0 has a positive change_pct, like the change in units.
 *
 * repeats_needed ≈ 2 × ((z + z₀.₈) · σ / d)², the usual sample size for a shift with 80% power
 * (so that more often than not the suggested repeats decide): σ the pooled spread of the
 * samples (median absolute deviation scaled to a standard deviation; the standard deviation when
 * that is 0), d the distance from the estimated shift to what would decide it (the nearer
 * tolerance edge when it lies inside the tolerance, with z two-sided; no change when it lies
 * beyond, with z one-sided). At least MIN_REPEATS_TO_DECIDE and one more than now; at most
 * MAX_REPEATS_SUGGESTED, which is also the answer when the estimate sits exactly on an edge.
 */
export declare function compareMetric(baseline: readonly number[], candidate: readonly number[], spec: MetricSpecForComparison, confidence?: number): MetricComparison;
/** The Wilcoxon rank-sum / Mann-Whitney test of x against y. */
export interface RankSumResult {
    /** R's W: the pairs (xᵢ, yⱼ) with xᵢ > yⱼ, ties counting one half (Mann-Whitney U of x). */
    w: number;
    /** p-value of "x tends to be greater than y". */
    greater: number;
    /** p-value of "x tends to be less than y". */
    less: number;
    /**
     * Two-sided. Exact: P(|S − E S| ≥ |s − E S|) for x's rank sum S (SAS, R's coin; without ties
     * the same as R's twice the smaller tail). Normal: twice the smaller tail, at most 1 (R).
     */
    twoSided: number;
    /** Exact permutation distribution (true), or normal approximation. */
    exact: boolean;
}
export interface RankSumOptions {
    /** Default: exact when both samples have fewer than 50 values (ties or not). */
    exact?: boolean;
    /** Continuity correction in the normal approximation (default true, as R). */
    correct?: boolean;
}
/**
 * Wilcoxon rank-sum test of x against y, all three alternatives at once. Exact: the
 * distribution of x's (mid)rank sum over all ways to split the pooled values, given their ties.
 * Normal: mean mn/2, the tie-corrected variance, and R's continuity correction.
 */
export declare function rankSumTest(x: readonly number[], y: readonly number[], options?: RankSumOptions): RankSumResult;
/** The Hodges-Lehmann shift of x against y and its distribution-free interval. */
export interface ShiftEstimate {
    /** Median of all differences xᵢ − yⱼ. */
    estimate: number;
    /** [low, high], or null when the samples are too few for the confidence level. */
    interval: [number, number] | null;
    /** The interval's depth came from the exact distribution of U (true) or the normal one. */
    exact: boolean;
}
/**
 * Hodges-Lehmann estimate of the shift x − y and Moses' confidence interval: the k-th smallest
 * and the k-th largest of the m·n differences, k the smallest u with P(U ≤ u) ≥ (1 − confidence)/2
 * under the exact null distribution of U without ties (R's qwilcox), so that the coverage is at
 * least `confidence`; R's wilcox.test reports this interval when there are no ties. With ties
 * the same depth is used: an interval exact under ties would need the conditional test inverted
 * at every difference, and on published tied examples this one equals R's and SAS's asymptotic
 * interval. From 50 values per side k = ⌊mn/2 − z·σ⌋, z the normal quantile and σ the
 * tie-corrected standard deviation of U (asymptotic Moses). k < 1 (too few values for the
 * confidence) gives no interval.
 */
export declare function shiftEstimate(x: readonly number[], y: readonly number[], confidence: number, options?: {
    exact?: boolean;
}): ShiftEstimate;
/**
 * The smallest u with P(U ≤ u) ≥ p, U the Mann-Whitney statistic of samples of m and n values
 * without ties (R's qwilcox(p, m, n)).
 */
export declare function mannWhitneyQuantile(p: number, m: number, n: number): number;
/** Ranks 1..N of the values, tied values sharing the mean of their ranks. */
export declare function midranks(values: readonly number[]): number[];
/** P(Z ≤ z) for a standard normal Z. */
export declare function normalCdf(z: number): number;
/** The z with P(Z ≤ z) = p, by bisection on normalCdf (called a few times per metric). */
export declare function normalQuantile(p: number): number;
