/**
 * Baseline vs candidate, and the verdict. Pure: run results in, change, verdict and reasons out.
 * The reasons are what a reviewer reads first, so they name the check, the outcome and why, and
 * keep "this change broke it" apart from "it was already broken".
 */
import { formatDelta, formatScore } from "./numbers.js";
import { OUTCOMES } from "./types.js";
/**
 * How one check moved from baseline to candidate, and by how much its score changed.
 * Without a baseline run the change is just `passing` or `failing`.
 */
export function compareRuns(baseline, candidate) {
    const nowPassing = candidate.outcome === 'PASSED';
    if (baseline === null)
        return { change: nowPassing ? 'passing' : 'failing', score_delta: null };
    const wasPassing = baseline.outcome === 'PASSED';
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
 * pass-fail: allow iff every check PASSED on the candidate. Baseline runs, when present, do not
 * change the verdict; they only tell a regression from a failure that was already there.
 *
 * scored: allow iff every check has a baseline run, the candidate's total score is strictly
 * greater than the baseline's, and no check that PASSED on the baseline is not PASSED on the
 * candidate.
 *
 * A gate with no checks blocks: it has verified nothing.
 */
export function decideVerdict(mode, checks) {
    if (checks.length === 0) {
        return { verdict: 'block', reasons: ['no checks ran, so nothing was verified'] };
    }
    return mode === 'scored' ? decideScored(checks) : decidePassFail(checks);
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
function decidePassFail(checks) {
    const regressed = [];
    const failing = [];
    const preExisting = [];
    const fixed = [];
    for (const check of checks) {
        const { candidate, baseline } = check;
        if (candidate.outcome === 'PASSED') {
            if (baseline !== null && baseline.outcome !== 'PASSED') {
                fixed.push(`fixed: ${check.name} (${baseline.outcome} on the baseline, PASSED now)`);
            }
            continue;
        }
        const failure = `${check.name} ${candidate.outcome} on the candidate: ${candidate.reason}`;
        if (baseline === null)
            failing.push(failure);
        else if (baseline.outcome === 'PASSED')
            regressed.push(`${failure} (it PASSED on the baseline)`);
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
function decideScored(checks) {
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
        if (baseline?.outcome === 'PASSED' && candidate.outcome !== 'PASSED') {
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
