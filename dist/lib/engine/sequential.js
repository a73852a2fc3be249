/** A check's looks: from `start` repeats per tree to `max`, spending `alpha` across them. */
export function sequentialDesign(start, max, alpha = 0.01) {
    if (!(Number.isSafeInteger(start) && start >= 1 && Number.isSafeInteger(max) && max >= start)) {
        throw new RangeError(`internal: a sequential design needs 1 <= start <= max, got ${start}, ${max}`);
    }
    const looks = [start];
    while (looks.at(-1) < max) {
        const n = looks.at(-1);
        looks.push(Math.min(max, Math.max(n + 2, Math.ceil(n * 1.5))));
    }
    const total = looks.at(-1);
    const alphas = looks.map((n, k) => (alpha * (n - (k === 0 ? 0 : looks[k - 1]))) / total);
    return { looks, alphas };
}
/**
 * After look `look` (0-based) of `design`: whether another look is worth its runs. Only metrics
 * that vary count (deterministic ones are decided by one run); a metric with no samples on a
 * tree means that tree's runs did not pass.
 */
export function shouldLookAgain(design, look, specs, reports) {
    const varying = reports.filter((m) => specs.some((s) => s.name === m.name && !s.deterministic));
    if (varying.some((m) => m.baseline === null || m.baseline.samples.length === 0)) {
        return { again: false, stop: 'not-passing' };
    }
    if (varying.some((m) => m.candidate.samples.length === 0)) {
        return { again: false, stop: 'not-passing' };
    }
    if (!varying.some((m) => m.verdict === 'inconclusive'))
        return { again: false, stop: 'decided' };
    if (look + 1 >= design.looks.length)
        return { again: false, stop: 'max-repeats' };
    return { again: true };
}
/**
 * Whether the next look's runs fit in what is left of the time budget, judged from the pairs run
 * so far (their mean wall time, both trees).
 */
export function fitsTimeBudget(p) {
    if (p.pairsRun <= 0)
        return true;
    const perPair = p.elapsedMs / p.pairsRun;
    return p.elapsedMs + perPair * p.pairsNext <= p.budgetMs;
}
/** The words a report adds to a metric's test name for look `look` of `design`. */
export function describeLook(design, look) {
    const alpha = design.alphas[look];
    const total = design.alphas.reduce((s, a) => s + a, 0);
    return `sequential look ${look + 1} of ${design.looks.length} at ${design.looks[look]} repeats (α ${formatAlpha(alpha)} here, ${formatAlpha(total)} in all)`;
}
function formatAlpha(alpha) {
    return `${Number((alpha * 100).toPrecision(3))}%`;
}
