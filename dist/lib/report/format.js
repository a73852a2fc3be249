import { plainLine } from "./sanitize.js";
export { formatDelta, formatScore } from "../engine/numbers.js";
/** Emoji for an outcome in markdown views. */
export const OUTCOME_ICON = {
    PASSED: '✅',
    FAILED: '❌',
    TIMEOUT: '⏱️',
    CRASHED: '💥',
    ERROR: '⚠️',
    FLAKY: '🎲',
};
/** Human words for a change between baseline and candidate. */
export const CHANGE_LABEL = {
    'still-passing': 'still passing',
    regressed: 'regressed',
    fixed: 'fixed',
    'still-failing': 'still failing',
    passing: 'passing',
    failing: 'failing',
    'new-check-passing': 'new, passing',
    'new-check-failing': 'new, failing',
};
/** Emoji for a change in markdown views; empty for the unremarkable ones. */
export const CHANGE_ICON = {
    'still-passing': '',
    regressed: '🔻',
    fixed: '🎉',
    'still-failing': '',
    passing: '',
    failing: '',
    'new-check-passing': '🆕',
    'new-check-failing': '🆕',
};
/**
 * True when the candidate run of this check is not what it should be, so it gets details and
 * annotations: an ordinary check that did not pass, or a canary (`expect: fail`) that did not
 * fail (it passed, or could not run).
 */
export function needsAttention(check) {
    if (isCanaryReport(check))
        return !canaryFailedAsExpected(check);
    return check.candidate.outcome !== 'PASSED';
}
/** The checks that need attention (see needsAttention), in report order. */
export function checksNeedingAttention(report) {
    return report.checks.filter(needsAttention);
}
/** A canary: a check that must not pass. */
export function isCanaryReport(check) {
    return check.expect === 'fail';
}
/** A canary that failed the way a test fails (FAILED, TIMEOUT or CRASHED): as it should. */
export function canaryFailedAsExpected(check) {
    const outcome = check.candidate.outcome;
    return outcome === 'FAILED' || outcome === 'TIMEOUT' || outcome === 'CRASHED';
}
/** The change column of a canary, instead of the baseline-to-candidate change. */
export function canaryLabel(check) {
    if (canaryFailedAsExpected(check))
        return 'canary, fails as expected';
    if (check.candidate.outcome === 'ERROR')
        return 'canary could not run';
    return 'canary PASSED: gate broken';
}
/** The checks the vacuity probe found passing on an empty tree. */
export function vacuousChecks(report) {
    return new Set((report.audit?.vacuity ?? []).filter((p) => p.vacuous === true).map((p) => p.check));
}
/** What to do about a check that cannot fail: one sentence, the same in every view. */
export const VACUOUS_HINT = 'make it depend on the code. Common causes: a command that always succeeds, a test glob that matches no file, a runner that exits 0 when it finds no tests (e.g. jest --passWithNoTests)';
/** How a changed file was broken, in words. */
export const SABOTAGE_LABEL = {
    throw: 'first-line throw',
    raise: 'first-line raise',
    exit: 'first-line exit 1',
    emptied: 'content removed',
};
/** Why changed files were not audited, in words (plural forms where counted). */
export const NOT_AUDITED_LABEL = {
    ignored: 'ignored (audit_ignore)',
    'gate-file': "the gate's own config or checks",
    binary: 'binary',
    'not-a-file': 'not a regular file',
    'over-cap': 'over the cap',
    'too-large': 'too large',
    unreadable: 'unreadable',
};
/** "3 not audited: 1 ignored (audit_ignore), 2 over the cap (audit_max_files: 20)", or null. */
export function notAuditedPhrase(report) {
    const changes = report.audit?.changes;
    if (!changes || changes.not_audited.length === 0)
        return null;
    const counts = new Map();
    for (const { why } of changes.not_audited)
        counts.set(why, (counts.get(why) ?? 0) + 1);
    const parts = [...counts].map(([why, n]) => why === 'over-cap'
        ? `${n} over the cap (audit_max_files: ${changes.max_files})`
        : `${n} ${NOT_AUDITED_LABEL[why]}`);
    const omitted = changes.not_audited_omitted ?? 0;
    const total = changes.not_audited.length + omitted;
    const more = omitted > 0 ? `, and ${omitted} more not listed` : '';
    return `${total} changed ${total === 1 ? 'file' : 'files'} not audited: ${parts.join(', ')}${more}`;
}
/**
 * "lint and types passed with every changed file broken at once, so they ran once, not per file;
 * unit ran 3 times instead of once per file (...)", or null when every check ran once per file.
 */
export function togetherPhrase(report) {
    const changes = report.audit?.changes;
    const files = changes?.files ?? [];
    if (changes === undefined || files.length < 2)
        return null;
    const once = changes.checks.filter((name) => files.every((f) => f.runs.some((r) => r.check === name &&
        r.together === true &&
        (r.broken_together ?? files.length) === files.length)));
    const fewer = (changes.runs ?? []).filter((r) => !once.includes(r.check) && r.runs < files.length);
    const parts = [];
    if (once.length > 0) {
        parts.push(`${listOf(once)} passed with every changed file broken at once, so ${once.length === 1 ? 'it' : 'they'} ran once, not per file`);
    }
    if (fewer.length > 0) {
        const each = fewer.map((r) => `${r.check} ran ${r.runs === 1 ? 'once' : `${r.runs} times`}`);
        parts.push(`${listOf(each)} instead of once per file (the files a check did not notice were broken together)`);
    }
    return parts.length > 0 ? parts.join('; ') : null;
}
function listOf(items) {
    return items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
/** "unit (FAILED), e2e (TIMEOUT)": the checks that noticed a broken file, with how. */
export function noticedPhrase(runs) {
    return runs
        .filter((r) => r.noticed === true)
        .map((r) => `${r.check} (${r.run.outcome})`)
        .join(', ');
}
/**
 * Whether views show scores: in scored mode, and in pass-fail with a baseline (as they always
 * did). no-regression judges metrics instead, which have a table of their own.
 */
export function showsScore(report) {
    if (report.mode === 'no-regression')
        return false;
    return report.mode === 'scored' || report.totals.baseline_score !== null;
}
/** The checks that were FLAKY on the candidate, in report order. */
export function flakyChecks(report) {
    return report.checks.filter((c) => c.candidate.outcome === 'FLAKY');
}
/**
 * "2 of 5 checks failing" / "all 5 checks passing" / "no checks", from the candidate runs, with
 * ", 1 flaky" when some were FLAKY (those are not counted as failing here).
 */
export function countPhrase(report) {
    const ordinary = report.checks.filter((c) => !isCanaryReport(c));
    const canaries = report.checks.filter(isCanaryReport);
    const broken = canaries.filter((c) => !canaryFailedAsExpected(c)).length;
    const canaryNote = canaries.length === 0
        ? ''
        : broken === 0
            ? `, ${canaries.length === 1 ? 'the canary' : `${canaries.length} canaries`} failing as expected`
            : canaries.length === 1
                ? ', the canary not failing'
                : `, ${broken} of ${canaries.length} canaries not failing`;
    return ordinaryCountPhrase(ordinary) + canaryNote;
}
function ordinaryCountPhrase(checks) {
    const total = checks.length;
    const flaky = checks.filter((c) => c.candidate.outcome === 'FLAKY').length;
    const failing = checks.filter((c) => c.candidate.outcome !== 'PASSED').length - flaky;
    if (total === 0)
        return 'no checks';
    const flakyNote = flaky > 0 ? `, ${flaky} flaky` : '';
    if (failing === 0) {
        if (flaky === 0)
            return total === 1 ? '1 check passing' : `all ${total} checks passing`;
        return `${total - flaky} of ${total} ${total === 1 ? 'check' : 'checks'} passing${flakyNote}`;
    }
    return `${failing} of ${total} ${total === 1 ? 'check' : 'checks'} failing${flakyNote}`;
}
/** Verdict as a past participle: "allowed" / "blocked". */
export function verdictWord(report) {
    return report.verdict === 'allow' ? 'allowed' : 'blocked';
}
/** Milliseconds as "450 ms", "12.3 s" or "2 min 03 s". */
export function formatDuration(ms) {
    if (!Number.isFinite(ms) || ms < 0)
        return '?';
    if (ms < 1000)
        return `${Math.round(ms)} ms`;
    if (ms < 60_000)
        return `${(ms / 1000).toFixed(1)} s`;
    const totalSeconds = Math.round(ms / 1000);
    const minutes = Math.floor(totalSeconds / 60);
    const seconds = totalSeconds % 60;
    return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}
/** Bytes as "812 B", "12.4 KB", "2.0 MB" (powers of 1024). */
export function formatBytes(bytes) {
    if (!Number.isFinite(bytes) || bytes < 0)
        return '?';
    if (bytes < 1024)
        return `${bytes} B`;
    if (bytes < 1024 * 1024)
        return `${(bytes / 1024).toFixed(1)} KB`;
    return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
/**
 * The captured output as one text: head, a visible gap line when the middle was dropped, tail.
 * Still untrusted and unbounded in principle; callers cut and sanitize it.
 */
export function outputText(output) {
    if (output.tail === '')
        return output.head;
    if (!output.truncated)
        return output.head + output.tail;
    const kept = output.head.length + output.tail.length;
    const dropped = Math.max(0, output.bytes - kept);
    const sep = output.head.endsWith('\n') || output.head === '' ? '' : '\n';
    return `${output.head}${sep}[… ${formatBytes(dropped)} of output not kept here …]\n${output.tail}`;
}
/**
 * What decided the candidate's outcome, for the head of its details: a shell check's exit
 * ("exit code 1", "signal SIGKILL"); a function check's returned verdict ("returned passed:
 * false"), since its exit code never decides (see engine/outcome.ts). A process that was killed
 * or died is named by how it ended, whatever its kind. null when there is nothing to add (a
 * function check's ERROR: its reason says what was wrong).
 */
export function exitPhrase(check) {
    const run = check.candidate;
    if (check.kind === 'function') {
        // A FLAKY result carries the fields of its first attempt that did not pass.
        const outcome = run.outcome === 'FLAKY'
            ? (run.attempts?.find((a) => a.outcome !== 'PASSED')?.outcome ?? 'FAILED')
            : run.outcome;
        if (outcome === 'PASSED')
            return 'returned passed: true';
        if (outcome === 'FAILED')
            return 'returned passed: false';
        if (outcome === 'ERROR')
            return null;
    }
    if (run.signal)
        return `signal ${run.signal}`;
    if (run.exit_code !== null)
        return `exit code ${run.exit_code}`;
    return null;
}
/** First 7 characters of a hex sha, or null when the value is not a sha. */
export function shortSha(sha) {
    if (!sha || !/^[0-9a-f]{7,64}$/i.test(sha))
        return null;
    return sha.slice(0, 7).toLowerCase();
}
/**
 * The one line that says runs are not isolated (the copy sandbox), and why: what a check can
 * still do to the machine it runs on (README, "What holds, per sandbox kind"). `why` is the
 * gate's note on why overlays were not used; null when copies were asked for.
 */
export function copySandboxLine(why) {
    const because = why === null || why.trim() === ''
        ? 'copies were asked for'
        : `no overlay sandbox here: ${plainLine(why, 120)}`;
    return `copy sandbox: checks can read and write whatever you can (your HOME, credential files), read the gate's environment and signal it (${because})`;
}
