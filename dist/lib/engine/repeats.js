/**
 * From every attempt of every repeat of a check on one tree to the one result the verdict reads.
 * Pure: attempts in, a RunResult out.
 *
 * The rules, in order:
 * - an ERROR in any repeat is ERROR: the check itself is broken (never retried, never averaged);
 * - a deterministic metric that varies between repeats is ERROR, a problem of the check;
 * - every repeat passed on its first attempt: PASSED;
 * - some attempts or repeats passed and others did not: FLAKY, with every attempt named;
 * - no repeat passed: the first failing repeat's outcome (FAILED, TIMEOUT or CRASHED).
 * Scores and metrics are medians over the repeats that passed.
 */
import { median } from "./stats.js";
/** Outcomes a retry is worth for: the run may pass next time. ERROR never is. */
export function isRetryable(result) {
    return result.outcome === 'FAILED' || result.outcome === 'TIMEOUT' || result.outcome === 'CRASHED';
}
/** A run that counts as passing: PASSED, or FLAKY unless the config blocks on it. */
export function isPassing(result, flaky = 'warn') {
    if (result === null)
        return false;
    return result.outcome === 'PASSED' || (result.outcome === 'FLAKY' && flaky === 'warn');
}
/**
 * The tree's result from its repeats (each a list of attempts, the last one final).
 * With one repeat of one attempt the result is that attempt's, plus its `attempts` entry.
 */
export function summarizeRepeats(repeats, metrics = []) {
    if (repeats.length === 0 || repeats.some((r) => r.length === 0)) {
        throw new Error('internal: summarizeRepeats needs at least one attempt per repeat');
    }
    const attempts = repeats.flatMap((runs, r) => runs.map((run, a) => attemptOf(run, r + 1, a + 1)));
    const finals = repeats.map((runs) => runs.at(-1).result);
    const passedFinals = finals.filter((f) => f.outcome === 'PASSED');
    const base = {
        attempts,
        duration_ms: Math.round(median(attempts.map((a) => a.duration_ms))),
    };
    const single = repeats.length === 1 && repeats[0].length === 1;
    const errored = finals.find((f) => f.outcome === 'ERROR');
    if (errored) {
        const which = single ? '' : ` (repeat ${finals.indexOf(errored) + 1} of ${finals.length})`;
        return { ...errored, ...base, reason: `${errored.reason}${which}` };
    }
    const samples = metricSamples(passedFinals, metrics);
    const varying = metrics
        .filter((m) => m.deterministic)
        .map((m) => ({ name: m.name, values: [...new Set(samples[m.name] ?? [])] }))
        .filter((m) => m.values.length > 1);
    if (varying.length > 0) {
        const what = varying
            .map((m) => `${m.name} took ${m.values.slice(0, 5).join(', ')}${m.values.length > 5 ? ', …' : ''}`)
            .join('; ');
        return {
            ...passedFinals[0],
            ...base,
            outcome: 'ERROR',
            reason: `a metric declared deterministic varied between runs of the same tree: ${what}`,
            score: null,
            declaration_error: true,
        };
    }
    const medians = Object.fromEntries(Object.entries(samples)
        .filter(([, values]) => values.length > 0)
        .map(([name, values]) => [name, median(values)]));
    const scores = passedFinals.map((f) => f.score).filter((s) => s !== null && Number.isFinite(s));
    const firstFailure = attempts.find((a) => a.outcome !== 'PASSED');
    if (firstFailure === undefined) {
        const first = finals[0];
        return {
            ...first,
            ...base,
            reason: single ? first.reason : `passed all ${finals.length} repeats; ${first.reason}`,
            score: scores.length > 0 ? median(scores) : first.score,
            ...(Object.keys(medians).length > 0 ? { metrics: medians } : {}),
        };
    }
    if (passedFinals.length > 0 || attempts.some((a) => a.outcome === 'PASSED')) {
        // Failed, then passed: name every attempt that did not pass, and the seeds to replay them.
        const failedRun = repeats.flat().find((run) => run.result.outcome !== 'PASSED').result;
        const failures = attempts.filter((a) => a.outcome !== 'PASSED');
        const shown = failures
            .slice(0, 3)
            .map((a) => `${where(a, repeats.length)} ${a.outcome} (seed ${a.seed}): ${a.reason}`)
            .join('; ');
        const more = failures.length > 3 ? `; and ${failures.length - 3} more` : '';
        const passedCount = attempts.filter((a) => a.outcome === 'PASSED').length;
        return {
            ...failedRun,
            ...base,
            outcome: 'FLAKY',
            reason: `did not pass every time on the same tree: ${passedCount} of ${attempts.length} attempts passed; ${shown}${more}`,
            score: scores.length > 0 ? median(scores) : null,
            ...(Object.keys(medians).length > 0 ? { metrics: medians } : {}),
        };
    }
    const failed = finals.find((f) => f.outcome !== 'PASSED');
    const tries = repeats[finals.indexOf(failed)].length;
    const note = [
        tries > 1 ? `failed all ${tries} attempts` : '',
        finals.length > 1 ? `in all ${finals.length} repeats` : '',
    ]
        .filter((s) => s !== '')
        .join(' ');
    return { ...failed, ...base, reason: note ? `${failed.reason} (${note})` : failed.reason };
}
/**
 * Each declared metric's samples: one per repeat that passed, from its final attempt, in the
 * order the repeats ran.
 */
export function metricSamples(passedFinals, metrics) {
    const samples = {};
    for (const { name } of metrics) {
        samples[name] = passedFinals
            .map((f) => f.metrics?.[name])
            .filter((v) => v !== undefined && Number.isFinite(v));
    }
    return samples;
}
/** The final attempt of each repeat that passed, from a tree's `attempts` list. */
export function passedFinalAttempts(attempts) {
    const last = new Map();
    for (const a of attempts) {
        const seen = last.get(a.repeat);
        if (!seen || a.attempt > seen.attempt)
            last.set(a.repeat, a);
    }
    return [...last.values()].filter((a) => a.outcome === 'PASSED');
}
function attemptOf(run, repeat, attempt) {
    const r = run.result;
    return {
        repeat,
        attempt,
        // A single attempt is never FLAKY; the type allows it only for tree results.
        outcome: r.outcome === 'FLAKY' ? 'FAILED' : r.outcome,
        reason: r.reason,
        seed: r.seed,
        started_at: run.started_at,
        duration_ms: r.duration_ms,
        metrics: r.metrics ?? {},
        log_path: r.output.log_path,
    };
}
function where(a, repeats) {
    return repeats > 1 ? `repeat ${a.repeat} attempt ${a.attempt}` : `attempt ${a.attempt}`;
}
