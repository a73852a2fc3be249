/**
 * Baseline vs candidate, and the verdict. Pure: run results in, change, verdict and reasons out.
 * The reasons are what a reviewer reads first, so they name the check, the outcome and why, and
 * keep "this change broke it" apart from "it was already broken".
 */
import { decideAudit } from "./audit.js";
import { formatDelta, formatScore } from "./numbers.js";
import { isPassing } from "./repeats.js";
import { OUTCOMES } from "./types.js";
/**
 * How one check moved from baseline to candidate, and by how much its score changed.
 * Without a baseline run the change is just `passing` or `failing`.
 */
export function compareRuns(baseline, candidate) {
    // FLAKY passed in the end; whether that is enough is the verdict's business, not the change's.
    const nowPassing = isPassing(candidate);
    if (baseline === null)
        return { change: nowPassing ? 'passing' : 'failing', score_delta: null };
    const wasPassing = isPassing(baseline);
    const change = wasPassing
        ? nowPassing
            ? 'still-passing'
            : 'regressed'
        : nowPassing
            ? 'fixed'
            : 'still-failing';
    const score_delta = isScore(baseline.score) && isScore(candidate.score) ? candidate.score - baseline.score : null;
    return { change, score_delta };
}
/**
 * Allow or block, with the reasons that decided it, most important first.
 *
 * pass-fail: allow iff every check passed on the candidate. Baseline runs, when present, do not
 * change the verdict; they only tell a regression from a failure that was already there.
 *
 * scored: allow iff every check has a baseline run, the candidate's total score is strictly
 * greater than the baseline's, and no check that passed on the baseline does not pass on the
 * candidate.
 *
 * no-regression: block iff something got worse: a check that passed on the baseline does not
 * pass on the candidate, a check without a baseline result does not pass, a metric regressed, or
 * the candidate breaks the check's own declaration (a metric never printed). Failures the
 * baseline already had are named and do not block.
 *
 * FLAKY counts as passing under `flaky: warn` (named among the reasons) and as failing under
 * `flaky: block`. A gate with no checks blocks: it has verified nothing.
 *
 * Canaries (`expect: fail`) are left out of the mode's rules and judged on their own: one that
 * passes on the candidate blocks, first among the reasons (see decideCanaries).
 *
 * With an `audit`, its findings count too (see decideAudit): under `block` they block, after the
 * mode's own blocking reasons; under `warn` they are named last, like FLAKY checks.
 *
 * Reasons, in order: canaries that pass, the mode's blocking reasons, the audit's blocking
 * findings, the mode's other reasons (when it allowed), then everything not blocking.
 */
export function decideVerdict(mode, checks, options = {}) {
    const canaries = decideCanaries(checks.filter(isCanary));
    const audit = options.audit ? decideAudit(options.audit) : { blocking: [], warnings: [] };
    const ordinary = checks.filter((c) => !isCanary(c));
    if (ordinary.length === 0) {
        const none = checks.length === 0
            ? 'no checks ran, so nothing was verified'
            : 'only canaries ran, so nothing verified the change itself';
        return {
            verdict: 'block',
            reasons: [
                ...canaries.blocking,
                none,
                ...audit.blocking,
                ...canaries.warnings,
                ...audit.warnings,
            ],
        };
    }
    const flaky = options.flaky ?? 'warn';
    const decided = mode === 'scored'
        ? decideScored(ordinary, flaky)
        : mode === 'no-regression'
            ? decideNoRegression(ordinary, flaky)
            : decidePassFail(ordinary, flaky);
    const warnings = flaky === 'warn' ? flakyWarnings(ordinary) : [];
    const blocked = canaries.blocking.length > 0 || audit.blocking.length > 0;
    // When the mode allowed, its reasons are context ("all 3 checks passed"): after what blocked.
    const ordered = decided.verdict === 'block'
        ? [...canaries.blocking, ...decided.reasons, ...audit.blocking]
        : [...canaries.blocking, ...audit.blocking, ...decided.reasons];
    return {
        verdict: blocked ? 'block' : decided.verdict,
        reasons: [...ordered, ...warnings, ...canaries.warnings, ...audit.warnings],
    };
}
/** A canary: a check configured with `expect: fail`, which must not pass. */
export function isCanary(check) {
    return check.expect === 'fail';
}
/**
 * Canaries keep a known-bad input in the suite: one that passes on the candidate (PASSED, or
 * FLAKY: it passed at least once) means the gate itself can no longer fail, and blocks whatever
 * the mode. One that ends in ERROR did not run the way a failing test does, which proves nothing
 * either way: named, not blocking. Retries never apply (the config refuses them).
 */
function decideCanaries(canaries) {
    const blocking = [];
    const warnings = [];
    for (const check of canaries) {
        const { candidate, baseline } = check;
        if (candidate.outcome === 'PASSED' || candidate.outcome === 'FLAKY') {
            const already = baseline !== null && (baseline.outcome === 'PASSED' || baseline.outcome === 'FLAKY')
                ? ` (it ${baseline.outcome} on the baseline too: the gate was broken before this change)`
                : '';
            blocking.push(`the gate itself is broken: canary ${check.name} must fail (expect: fail) but ${candidate.outcome} on the candidate: ${candidate.reason}${already}`);
        }
        else if (candidate.outcome === 'ERROR') {
            warnings.push(`canary ${check.name} ERROR (not blocking): ${candidate.reason}; a canary that cannot run proves nothing about the gate`);
        }
    }
    return { blocking, warnings };
}
/** FLAKY checks under `flaky: warn`: they did not block, and the reader must see them. */
function flakyWarnings(checks) {
    return checks
        .filter((c) => c.candidate.outcome === 'FLAKY')
        .map((c) => `FLAKY (not blocking): ${c.name} ${c.candidate.reason}`);
}
/** How many runs ended in each outcome (every outcome present, zero when none). */
export function countOutcomes(runs) {
    const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0]));
    for (const run of runs)
        counts[run.outcome] += 1;
    return counts;
}
/**
 * Sum of the runs' scores. A run without a score counts as 0; so does a non-finite score, so
 * that a check reporting Infinity cannot win scored mode on its own.
 */
export function totalScore(runs) {
    let total = 0;
    for (const run of runs)
        if (isScore(run.score))
            total += run.score;
    return total;
}
function decidePassFail(checks, flaky) {
    const regressed = [];
    const failing = [];
    const preExisting = [];
    const fixed = [];
    for (const check of checks) {
        const { candidate, baseline } = check;
        if (isPassing(candidate, flaky)) {
            if (baseline !== null && !isPassing(baseline)) {
                fixed.push(`fixed: ${check.name} (${baseline.outcome} on the baseline, ${candidate.outcome} now)`);
            }
            continue;
        }
        const failure = `${check.name} ${candidate.outcome} on the candidate: ${candidate.reason}`;
        if (baseline === null)
            failing.push(failure);
        else if (isPassing(baseline))
            regressed.push(`${failure} (${wasOnBaseline(baseline)})`);
        else {
            preExisting.push(`${failure} (${check.name} was already failing on the baseline: ${baseline.outcome})`);
        }
    }
    const blocking = [...regressed, ...failing, ...preExisting];
    if (blocking.length > 0)
        return { verdict: 'block', reasons: blocking };
    const passed = checks.length === 1
        ? 'the only check passed on the candidate'
        : `all ${checks.length} checks passed on the candidate`;
    return { verdict: 'allow', reasons: [passed, ...fixed] };
}
function decideScored(checks, flaky) {
    const missing = checks.filter((c) => c.baseline === null).map((c) => c.name);
    if (missing.length > 0) {
        return {
            verdict: 'block',
            reasons: [
                `scored mode needs a baseline run of every check to compare against; none for ${missing.join(', ')}`,
            ],
        };
    }
    const regressions = [];
    for (const check of checks) {
        const { candidate, baseline } = check;
        if (isPassing(baseline) && !isPassing(candidate, flaky)) {
            regressions.push(`regressed: ${check.name} (PASSED → ${candidate.outcome}: ${candidate.reason})`);
        }
    }
    const before = totalScore(checks.map((c) => c.baseline).filter((r) => r !== null));
    const after = totalScore(checks.map((c) => c.candidate));
    const improved = isGreater(after, before);
    const score = improved
        ? `score ${formatScore(before)} → ${formatScore(after)} (${formatDelta(after - before)})`
        : isGreater(before, after)
            ? `score did not improve: ${formatScore(before)} → ${formatScore(after)} (${formatDelta(after - before)})`
            : `score did not improve: ${formatScore(before)} → ${formatScore(after)}`;
    if (improved && regressions.length === 0)
        return { verdict: 'allow', reasons: [score] };
    return { verdict: 'block', reasons: [...regressions, score] };
}
function decideNoRegression(checks, flaky) {
    const blocking = [];
    const preExisting = [];
    const notes = [];
    for (const check of checks) {
        const { candidate, baseline } = check;
        const failure = `${check.name} ${candidate.outcome} on the candidate: ${candidate.reason}`;
        if (candidate.declaration_error) {
            blocking.push(`${failure} (a problem of the check's declaration, blocking whatever the baseline did)`);
        }
        else if (!isPassing(candidate, flaky)) {
            if (baseline === null)
                blocking.push(`${failure} (there is no baseline result to compare with)`);
            else if (isPassing(baseline))
                blocking.push(`regressed: ${failure} (${wasOnBaseline(baseline)})`);
            else {
                preExisting.push(`not blocking: ${check.name} was already ${baseline.outcome} on the baseline and is ${candidate.outcome} on the candidate: ${candidate.reason}`);
            }
        }
        else if (baseline !== null && !isPassing(baseline)) {
            notes.push(`fixed: ${check.name} (${baseline.outcome} on the baseline, ${candidate.outcome} now)`);
        }
        for (const metric of check.metrics ?? []) {
            const line = describeMetric(check.name, metric);
            if (metric.verdict === 'regressed')
                blocking.push(line);
            else if (metric.verdict === 'improved')
                notes.push(line);
            else if (metric.verdict === 'inconclusive' && metric.baseline !== null)
                notes.push(line);
        }
    }
    if (blocking.length > 0)
        return { verdict: 'block', reasons: [...blocking, ...preExisting] };
    const summary = checks.length === 1
        ? 'nothing got worse: the only check did not regress'
        : `nothing got worse across ${checks.length} checks`;
    return { verdict: 'allow', reasons: [summary, ...preExisting, ...notes] };
}
/** One metric in one line: "regressed: bench parse_ms 12.1 → 13.4 (+10.7%, 99% CI +8.2% … +13.1%; tolerance 5%)". */
export function describeMetric(check, m) {
    const before = m.baseline?.median;
    const after = m.candidate.median;
    const values = before !== null && before !== undefined && after !== null
        ? `${formatScore(before)} → ${formatScore(after)}`
        : after !== null
            ? `${formatScore(after)}`
            : 'no value';
    const change = m.change_pct === null ? '' : `${formatPercent(m.change_pct)}`;
    const ci = m.ci === null ? '' : `99% CI ${formatPercent(m.ci[0])} … ${formatPercent(m.ci[1])}`;
    const details = [change, ci, `tolerance ${m.tolerance}`].filter((s) => s !== '').join(', ');
    const needed = m.verdict === 'inconclusive' && m.repeats_needed !== null
        ? `; about ${m.repeats_needed} repeats per tree would likely decide it`
        : m.verdict === 'inconclusive' && m.baseline !== null
            ? `; ${m.test}`
            : '';
    return `${m.verdict}: ${check} ${m.name} ${values} (${details})${needed}`;
}
/** A signed percentage with one decimal: "+4.2%", "−0.3%", "±0%". */
export function formatPercent(pct) {
    const rounded = Number(pct.toFixed(1));
    if (rounded === 0)
        return '±0%';
    return rounded > 0 ? `+${rounded}%` : `−${-rounded}%`;
}
/** "it PASSED on the baseline" / "it was FLAKY on the baseline". */
function wasOnBaseline(baseline) {
    return baseline.outcome === 'PASSED'
        ? 'it PASSED on the baseline'
        : `it was ${baseline.outcome} on the baseline`;
}
function isScore(score) {
    return score !== null && Number.isFinite(score);
}
/**
 * a > b beyond floating-point noise: 0.1 + 0.2 must not beat 0.3. The tolerance is relative, so
 * it does not swallow real differences between small scores.
 */
function isGreater(a, b) {
    return a - b > 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}
