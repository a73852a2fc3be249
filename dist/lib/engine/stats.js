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
/**
 * The fewest samples per tree with which a 99% rank test can decide anything: with 5 and 5 the
 * most extreme split has probability 1/C(10,5) = 1/252 < 0.5%; with 4 and 4 it is 1/70 > 1%.
 */
export const MIN_REPEATS_TO_DECIDE = 5;
/**
 * The most repeats per tree ever suggested. An estimate needing more sits on the edge of the
 * tolerance, where more repeats are not a practical answer (widen the tolerance instead).
 */
export const MAX_REPEATS_SUGGESTED = 1000;
/** repeats_needed aims at deciding with this probability, were the estimate the truth. */
const POWER = 0.8;
/** Both trees below this many samples: exact distributions (as R's wilcox.test). */
const EXACT_BELOW = 50;
/**
 * A change exactly at the tolerance is inside it. This relative slack keeps binary rounding from
 * deciding on which side it falls (0.7 -> 0.735 is +0.03500000000000003 in floating point, and 5%
 * of 0.7 is 0.034999999999999996).
 */
const EDGE_SLACK = 1e-9;
/** The median: the middle value, or the mean of the two middle ones. Throws on no samples. */
export function median(samples) {
    if (samples.length === 0)
        throw new Error('internal: median of no samples');
    const sorted = [...samples].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
/**
 * For a metric declared deterministic: null when every sample is the same, else which values
 * it took (at most five named), e.g. "varied between runs: 412, 413 (in 3 samples)".
 */
export function deterministicProblem(samples) {
    const values = [...new Set(samples)];
    if (values.length <= 1)
        return null;
    const shown = values.slice(0, 5).join(', ') + (values.length > 5 ? ', …' : '');
    return `varied between runs: ${shown} (in ${samples.length} samples)`;
}
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
export function compareMetric(baseline, candidate, spec, confidence = 0.99) {
    checkSamples(baseline, 'baseline');
    checkSamples(candidate, 'candidate');
    if (!(confidence > 0 && confidence < 1)) {
        throw new RangeError(`internal: confidence must be between 0 and 1, got ${confidence}`);
    }
    const baseMedian = median(baseline);
    const candMedian = median(candidate);
    const medians = {
        baseline_median: baseMedian,
        candidate_median: candMedian,
        change_pct: percentOf(candMedian - baseMedian, baseMedian),
    };
    if (spec.deterministic) {
        return {
            ...medians,
            ...compareExactly(baseMedian, candMedian, spec),
            test: 'exact (deterministic)',
        };
    }
    const noSpread = isConstant(baseline) && isConstant(candidate);
    if (noSpread && (baseMedian === candMedian || (baseline.length >= 2 && candidate.length >= 2))) {
        return {
            ...medians,
            ...compareExactly(baseMedian, candMedian, spec),
            test: 'exact (no spread: every sample of each tree is the same)',
        };
    }
    return { ...medians, ...compareByRanks(baseline, candidate, spec, confidence) };
}
/** The exact comparison of two values (deterministic metrics, or no spread). */
function compareExactly(base, cand, spec) {
    const band = unitBand(spec.tolerance, base);
    const verdict = worseBeyond(cand - base, band, spec.direction)
        ? 'regressed'
        : betterBeyond(cand - base, band, spec.direction)
            ? 'improved'
            : 'unchanged';
    return { verdict, ci: null, p_worse: null, repeats_needed: null };
}
/** The statistical comparison: rank-sum test, Hodges-Lehmann interval, then the verdict. */
function compareByRanks(baseline, candidate, spec, confidence) {
    const alpha = 1 - confidence;
    const baseMedian = median(baseline);
    const candMedian = median(candidate);
    const fraction = spec.tolerance.kind === 'relative' ? spec.tolerance.fraction : null;
    const onLogs = fraction !== null && baseline.every((v) => v > 0) && candidate.every((v) => v > 0);
    const base = onLogs ? baseline.map(Math.log) : [...baseline];
    const cand = onLogs ? candidate.map(Math.log) : [...candidate];
    const band = onLogs ? ratioBand(fraction) : unitBand(spec.tolerance, baseMedian);
    const mediansShift = onLogs ? Math.log(candMedian / baseMedian) : candMedian - baseMedian;
    const test = rankSumTest(cand, base);
    const shift = shiftEstimate(cand, base, confidence);
    const pWorse = spec.direction === 'lower' ? test.greater : test.less;
    const pBetter = spec.direction === 'lower' ? test.less : test.greater;
    const interval = shift.interval;
    let verdict;
    if (pWorse <= alpha &&
        worseBeyond(shift.estimate, band, spec.direction) &&
        worseBeyond(mediansShift, band, spec.direction)) {
        verdict = 'regressed';
    }
    else if (pBetter <= alpha &&
        betterBeyond(shift.estimate, band, spec.direction) &&
        betterBeyond(mediansShift, band, spec.direction)) {
        verdict = 'improved';
    }
    else if (interval !== null && withinBand(interval[0], band) && withinBand(interval[1], band)) {
        verdict = 'unchanged';
    }
    else {
        verdict = 'inconclusive';
    }
    const toPercent = (v) => (onLogs ? 100 * Math.expm1(v) : percentOf(v, baseMedian));
    const low = interval === null ? null : toPercent(interval[0]);
    const high = interval === null ? null : toPercent(interval[1]);
    const level = `${Number((confidence * 100).toFixed(4))}%`;
    return {
        verdict,
        test: `Mann-Whitney U (${test.exact ? 'exact' : 'normal approximation'}), Hodges-Lehmann ${level} CI of the ${onLogs ? 'ratio' : 'difference'}`,
        ci: low === null || high === null ? null : [Math.min(low, high), Math.max(low, high)],
        p_worse: pWorse,
        repeats_needed: verdict === 'inconclusive' ? repeatsNeeded(base, cand, shift.estimate, band, alpha) : null,
    };
}
/** ±fraction as a band of log ratios: [log(1 − fraction), log(1 + fraction)]. */
function ratioBand(fraction) {
    return { lower: fraction < 1 ? Math.log1p(-fraction) : -Infinity, upper: Math.log1p(fraction) };
}
/** ±tolerance in the metric's unit: absolute as given, relative as a fraction of |base|. */
function unitBand(tolerance, base) {
    const width = tolerance.kind === 'absolute' ? tolerance.value : tolerance.fraction * Math.abs(base);
    return { lower: -width, upper: width };
}
function above(value, limit) {
    return value > limit + Math.abs(limit) * EDGE_SLACK;
}
function below(value, limit) {
    return value < limit - Math.abs(limit) * EDGE_SLACK;
}
function withinBand(value, band) {
    return !above(value, band.upper) && !below(value, band.lower);
}
/** The shift is worse (up for `lower`, down for `higher`) by more than the band allows. */
function worseBeyond(shift, band, direction) {
    return direction === 'lower' ? above(shift, band.upper) : below(shift, band.lower);
}
function betterBeyond(shift, band, direction) {
    return direction === 'lower' ? below(shift, band.lower) : above(shift, band.upper);
}
/** 100 × change / |base|, or null when base is 0. */
function percentOf(change, base) {
    return base === 0 ? null : (100 * change) / Math.abs(base);
}
function isConstant(samples) {
    return samples.every((v) => v === samples[0]);
}
function checkSamples(samples, tree) {
    if (samples.length === 0)
        throw new Error(`internal: no ${tree} samples to compare`);
    const bad = samples.find((v) => !Number.isFinite(v));
    if (bad !== undefined)
        throw new Error(`internal: ${tree} sample ${bad} is not a finite number`);
}
/** See compareMetric's comment: about how many repeats per tree would decide it. */
function repeatsNeeded(base, cand, estimate, band, alpha) {
    const floor = Math.max(MIN_REPEATS_TO_DECIDE, Math.max(base.length, cand.length) + 1);
    const sigma = pooledSpread(base, cand);
    if (sigma === 0)
        return floor;
    const inside = estimate >= band.lower && estimate <= band.upper;
    const distance = inside
        ? Math.min(estimate - band.lower, band.upper - estimate)
        : Math.abs(estimate);
    if (distance === 0)
        return MAX_REPEATS_SUGGESTED;
    const z = normalQuantile(inside ? 1 - alpha / 2 : 1 - alpha) + normalQuantile(POWER);
    const needed = Math.ceil(2 * ((z * sigma) / distance) ** 2);
    return Math.min(MAX_REPEATS_SUGGESTED, Math.max(floor, needed));
}
/** A robust pooled standard deviation of two samples (MAD × 1.4826; plain SD when that is 0). */
function pooledSpread(a, b) {
    const mad = (xs) => {
        const m = median(xs);
        return 1.4826 * median(xs.map((x) => Math.abs(x - m)));
    };
    const robust = Math.sqrt((a.length * mad(a) ** 2 + b.length * mad(b) ** 2) / (a.length + b.length));
    if (robust > 0)
        return robust;
    const squares = (xs) => {
        const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
        return xs.reduce((s, x) => s + (x - mean) ** 2, 0);
    };
    const freedom = a.length + b.length - 2;
    return freedom > 0 ? Math.sqrt((squares(a) + squares(b)) / freedom) : 0;
}
/**
 * Wilcoxon rank-sum test of x against y, all three alternatives at once. Exact: the
 * distribution of x's (mid)rank sum over all ways to split the pooled values, given their ties.
 * Normal: mean mn/2, the tie-corrected variance, and R's continuity correction.
 */
export function rankSumTest(x, y, options = {}) {
    const m = x.length;
    const n = y.length;
    if (m === 0 || n === 0)
        throw new Error('internal: rankSumTest needs values on both sides');
    const ranks = midranks([...x, ...y]);
    const rankSum = ranks.slice(0, m).reduce((s, r) => s + r, 0);
    const w = rankSum - (m * (m + 1)) / 2;
    const exact = options.exact ?? (m < EXACT_BELOW && n < EXACT_BELOW);
    if (!exact) {
        const sigma = rankSumSigma(x, y);
        const correction = options.correct === false ? 0 : 0.5;
        const centred = w - (m * n) / 2;
        const greater = sigma === 0 ? 1 : normalCdf(-(centred - correction) / sigma);
        const less = sigma === 0 ? 1 : normalCdf((centred + correction) / sigma);
        return { w, greater, less, twoSided: Math.min(1, 2 * Math.min(greater, less)), exact };
    }
    // Doubled midranks are whole numbers, so their sums can index an array.
    const counts = subsetSumCounts(ranks.map((r) => Math.round(2 * r)), m);
    const observed = Math.round(2 * rankSum);
    const expected = m * (m + n + 1);
    let total = 0;
    let atMost = 0;
    let atLeast = 0;
    let asFar = 0;
    counts.forEach((count, sum) => {
        total += count;
        if (sum <= observed)
            atMost += count;
        if (sum >= observed)
            atLeast += count;
        if (Math.abs(sum - expected) >= Math.abs(observed - expected))
            asFar += count;
    });
    return { w, greater: atLeast / total, less: atMost / total, twoSided: asFar / total, exact };
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
export function shiftEstimate(x, y, confidence, options = {}) {
    const m = x.length;
    const n = y.length;
    if (m === 0 || n === 0)
        throw new Error('internal: shiftEstimate needs values on both sides');
    const diffs = x.flatMap((a) => y.map((b) => a - b)).sort((a, b) => a - b);
    const exact = options.exact ?? (m < EXACT_BELOW && n < EXACT_BELOW);
    const tail = (1 - confidence) / 2;
    const k = exact
        ? mannWhitneyQuantile(tail, m, n)
        : Math.floor((m * n) / 2 - normalQuantile(1 - tail) * rankSumSigma(x, y));
    const interval = k >= 1 ? [diffs[k - 1], diffs[m * n - k]] : null;
    return { estimate: median(diffs), interval, exact };
}
/**
 * The smallest u with P(U ≤ u) ≥ p, U the Mann-Whitney statistic of samples of m and n values
 * without ties (R's qwilcox(p, m, n)).
 */
export function mannWhitneyQuantile(p, m, n) {
    const ranks = Array.from({ length: m + n }, (_, i) => i + 1);
    const counts = subsetSumCounts(ranks, m);
    const total = counts.reduce((s, c) => s + c, 0);
    const lowest = (m * (m + 1)) / 2;
    let cumulative = 0;
    for (let sum = lowest; sum < counts.length; sum++) {
        cumulative += counts[sum];
        // A hair of slack: p is a decimal like 0.005 that binary floating point misses by 1e-19.
        if (cumulative / total >= p * (1 - 1e-12))
            return sum - lowest;
    }
    return m * n;
}
/** Ranks 1..N of the values, tied values sharing the mean of their ranks. */
export function midranks(values) {
    const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
    const ranks = new Array(values.length);
    for (let start = 0; start < order.length;) {
        let end = start;
        while (end + 1 < order.length && order[end + 1].v === order[start].v)
            end++;
        const shared = (start + end + 2) / 2;
        for (let j = start; j <= end; j++)
            ranks[order[j].i] = shared;
        start = end + 1;
    }
    return ranks;
}
/** Standard deviation of U under no shift, corrected for ties: Σ(t³ − t) over tie groups. */
function rankSumSigma(x, y) {
    const m = x.length;
    const n = y.length;
    const pooled = m + n;
    const groups = new Map();
    for (const v of [...x, ...y])
        groups.set(v, (groups.get(v) ?? 0) + 1);
    const ties = [...groups.values()].reduce((s, t) => s + t ** 3 - t, 0);
    return Math.sqrt(((m * n) / 12) * (pooled + 1 - ties / (pooled * (pooled - 1))));
}
/**
 * For each total s, in how many ways `size` of the (whole, non-negative) scores sum to s.
 * Counts are floats: past 2^53 they lose digits, never magnitude, and only ratios are used.
 */
function subsetSumCounts(scores, size) {
    const maxSum = scores.reduce((s, v) => s + v, 0);
    // ways[k][s]: subsets of k of the scores seen so far that sum to s.
    const ways = Array.from({ length: size + 1 }, () => new Float64Array(maxSum + 1));
    ways[0][0] = 1;
    let seenSum = 0;
    scores.forEach((score, seen) => {
        seenSum += score;
        for (let k = Math.min(size, seen + 1); k >= 1; k--) {
            const into = ways[k];
            const from = ways[k - 1];
            for (let s = seenSum; s >= score; s--)
                into[s] += from[s - score];
        }
    });
    return Array.from(ways[size]);
}
// ---------------------------------------------------------------------------------------------
// The standard normal distribution, accurate to about 1e-15 (tails included).
/** P(Z ≤ z) for a standard normal Z. */
export function normalCdf(z) {
    return 0.5 * erfc(-z / Math.SQRT2);
}
/** The z with P(Z ≤ z) = p, by bisection on normalCdf (called a few times per metric). */
export function normalQuantile(p) {
    if (!(p > 0 && p < 1))
        throw new RangeError(`internal: normal quantile of ${p}`);
    let low = -40;
    let high = 40;
    for (let i = 0; i < 200 && high - low > 1e-15 * Math.max(1, Math.abs(low)); i++) {
        const mid = (low + high) / 2;
        if (normalCdf(mid) < p)
            low = mid;
        else
            high = mid;
    }
    return (low + high) / 2;
}
/**
 * Complementary error function. Below 3 as 1 − erf by the series
 * erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)) (positive terms, no cancellation);
 * from 3 up by its continued fraction e^(−x²)/√π · 1/(x + ½/(x + 1/(x + 3⁄2/(x + …)))).
 */
function erfc(x) {
    if (x < 0)
        return 2 - erfc(-x);
    if (x < 3) {
        let term = x;
        let sum = x;
        for (let k = 1; term > 1e-17 * sum; k++) {
            term *= (2 * x * x) / (2 * k + 1);
            sum += term;
        }
        return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
    }
    let fraction = x;
    for (let k = 80; k >= 1; k--)
        fraction = x + k / 2 / fraction;
    return Math.exp(-x * x) / (Math.sqrt(Math.PI) * fraction);
}
