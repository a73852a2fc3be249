/**
 * The CLI's view of a report: a compact table, the output tail of every non-passing candidate run,
 * the reasons, and the verdict as the last line. Check output is untrusted even on a terminal:
 * escapes are stripped so it cannot recolour, move the cursor or rewrite earlier lines, and since
 * the CLI also runs inside GitHub Actions, workflow commands are neutralized in the whole output.
 */
import { describeMetric } from "../engine/compare.js";
import { CHANGE_LABEL, SABOTAGE_LABEL, VACUOUS_HINT, canaryLabel, checksNeedingAttention, countPhrase, exitPhrase, formatDelta, formatDuration, formatScore, isCanaryReport, needsAttention, notAuditedPhrase, noticedPhrase, togetherPhrase, outputText, showsScore, vacuousChecks, } from "./format.js";
import { neutralizeWorkflowCommands } from "./log-safe.js";
import { plainLine, tailLines } from "./sanitize.js";
const DEFAULT_TAIL_LINES = 10;
const NAME_MAX = 40;
const REASON_MAX = 100;
const TAIL_LINE_MAX = 200;
const MIN_WIDTH = 40;
const SGR = {
    bold: [1, 22],
    dim: [2, 22],
    red: [31, 39],
    green: [32, 39],
    yellow: [33, 39],
    magenta: [35, 39],
    cyan: [36, 39],
};
const OUTCOME_STYLE = {
    PASSED: 'green',
    FAILED: 'red',
    TIMEOUT: 'yellow',
    CRASHED: 'red',
    ERROR: 'magenta',
    FLAKY: 'yellow',
};
/**
 * Renders `report` for a terminal, ending with a newline. The verdict is the last line. ANSI
 * colour codes appear only when `options.color` is true; all text from checks is stripped of
 * escapes and control characters and cut to `options.width` when given.
 */
export function renderTerminal(report, options) {
    const width = options.width !== undefined && Number.isFinite(options.width) && options.width > 0
        ? Math.max(MIN_WIDTH, Math.floor(options.width))
        : null;
    const paint = (style, text) => {
        if (!options.color || text === '')
            return text;
        const [on, off] = SGR[style];
        return `\u001B[${on}m${text}\u001B[${off}m`;
    };
    // Lines are built as [plain, painted] so cutting to width and padding work on visible text.
    const out = [];
    const line = (...segments) => {
        out.push(renderSegments(segments, width, paint));
    };
    const facts = [
        `Quorum ${plainLine(report.tool.version, 40)}`,
        report.mode,
        `${report.checks.length} ${report.checks.length === 1 ? 'check' : 'checks'} in ${formatDuration(report.duration_ms)}`,
        `sandbox ${report.sandbox}`,
    ];
    line({ text: facts.join(' · '), style: 'bold' });
    for (const notice of report.notices.slice(0, 10)) {
        line({ text: '! ', style: 'yellow' }, { text: plainLine(notice, 300), style: 'yellow' });
    }
    if (report.notices.length > 10)
        line({ text: `! … and ${report.notices.length - 10} more notices` });
    out.push('');
    if (report.checks.length > 0)
        table(report, width, line);
    if (report.checks.some((c) => (c.metrics ?? []).length > 0)) {
        out.push('');
        metricsTable(report, line);
    }
    if (report.audit) {
        out.push('');
        auditSection(report, line);
    }
    if (report.skipped && report.skipped.length > 0) {
        line({
            text: `  skipped (not run, by request): ${report.skipped.map((n) => plainLine(n, NAME_MAX)).join(', ')}`,
            style: 'dim',
        });
    }
    const tailCount = options.tailLines ?? DEFAULT_TAIL_LINES;
    for (const check of checksNeedingAttention(report)) {
        out.push('');
        details(check, tailCount, line);
    }
    if (report.reasons.length > 0) {
        out.push('');
        line({ text: 'Reasons:', style: 'bold' });
        for (const reason of report.reasons.slice(0, 20))
            line({ text: `  - ${plainLine(reason, 300)}` });
        if (report.reasons.length > 20)
            line({ text: `  - … and ${report.reasons.length - 20} more` });
    }
    out.push('');
    const allowed = report.verdict === 'allow';
    const verdict = [countPhrase(report)];
    if (showsScore(report)) {
        const base = report.totals.baseline_score;
        const cand = report.totals.candidate_score;
        verdict.push(base === null
            ? `score ${formatScore(cand)}`
            : `score ${formatScore(base)} → ${formatScore(cand)} (${formatDelta(cand - base)})`);
    }
    line({ text: allowed ? '✔ ALLOWED' : '✘ BLOCKED', style: allowed ? 'green' : 'red', bold: true }, { text: ` · ${verdict.join(' · ')}` });
    // Our own lines never start with `::` or contain `##[`; this catches any untrusted text that
    // ended up at a line start (a check name, a reason) or anywhere (`##[`).
    return `${neutralizeWorkflowCommands(out.join('\n'))}\n`;
}
function renderSegments(segments, width, paint) {
    let used = 0;
    let result = '';
    for (const segment of segments) {
        let text = segment.pad === undefined ? segment.text : fit(segment.text, segment.pad);
        if (width !== null && !segment.whole) {
            const room = width - used;
            if (room <= 0)
                break;
            if ([...text].length > room)
                text = clipColumns(text, room);
        }
        used += [...text].length;
        let painted = segment.style ? paint(segment.style, text) : text;
        if (segment.bold)
            painted = paint('bold', painted);
        result += painted;
    }
    return result.trimEnd();
}
function table(report, width, line) {
    const hasBaseline = report.checks.some((c) => c.baseline !== null);
    const hasScore = showsScore(report) &&
        report.checks.some((c) => c.candidate.score !== null || c.score_delta !== null);
    const names = report.checks.map((c) => plainLine(c.name, NAME_MAX));
    const nameWidth = Math.max(5, ...names.map((n) => [...n].length));
    const changeText = (c) => isCanaryReport(c) ? canaryLabel(c) : CHANGE_LABEL[c.change];
    const changeWidth = Math.max(6, ...report.checks.map((c) => changeText(c).length));
    const vacuous = vacuousChecks(report);
    const scores = report.checks.map(scoreCell);
    const scoreWidth = Math.max(5, ...scores.map((s) => s.length));
    const fixed = 2 +
        nameWidth +
        2 +
        (hasBaseline ? 11 : 0) +
        11 +
        changeWidth +
        2 +
        (hasScore ? scoreWidth + 2 : 0);
    const reasonWidth = width === null ? REASON_MAX : Math.max(10, width - fixed);
    const header = [{ text: '  ' }, { text: 'CHECK', pad: nameWidth + 2 }];
    if (hasBaseline)
        header.push({ text: 'BASELINE', pad: 11 });
    header.push({ text: 'CANDIDATE', pad: 11 }, { text: 'CHANGE', pad: changeWidth + 2 });
    if (hasScore)
        header.push({ text: 'SCORE', pad: scoreWidth + 2 });
    header.push({ text: 'REASON' });
    line(...header.map((s) => ({ ...s, style: 'dim' })));
    for (const [i, check] of report.checks.entries()) {
        const cand = check.candidate.outcome;
        const attention = needsAttention(check);
        const row = [
            {
                text: !attention ? (vacuous.has(check.name) ? '⚠ ' : '✔ ') : cand === 'FLAKY' ? '⚠ ' : '✘ ',
                style: !attention ? (vacuous.has(check.name) ? 'yellow' : 'green') : OUTCOME_STYLE[cand],
            },
            { text: names[i] ?? '', pad: nameWidth + 2 },
        ];
        if (hasBaseline) {
            const base = check.baseline?.outcome;
            row.push(base === undefined
                ? { text: '—', pad: 11, style: 'dim' }
                : { text: base, pad: 11, style: OUTCOME_STYLE[base] });
        }
        row.push({ text: cand, pad: 11, style: OUTCOME_STYLE[cand] });
        const changeStyle = isCanaryReport(check)
            ? attention
                ? 'red'
                : undefined
            : check.change === 'regressed'
                ? 'red'
                : check.change === 'fixed'
                    ? 'green'
                    : undefined;
        row.push({
            text: changeText(check),
            pad: changeWidth + 2,
            ...(changeStyle ? { style: changeStyle } : {}),
        });
        if (hasScore)
            row.push({ text: scores[i] ?? '', pad: scoreWidth + 2 });
        const reused = check.candidate.reused_from ? '[reused] ' : '';
        const cannotFail = vacuous.has(check.name) ? '[cannot fail] ' : '';
        row.push({ text: plainLine(`${cannotFail}${reused}${check.candidate.reason}`, reasonWidth) });
        line(...row);
    }
}
/**
 * One line per metric: medians, change, interval, tolerance and the metric's verdict. A metric
 * with no baseline (a candidate-only run) has no verdict: its line shows the candidate's value
 * and says there was nothing to compare it with.
 */
function metricsTable(report, line) {
    line({ text: '  METRIC', style: 'dim' });
    for (const check of report.checks) {
        for (const m of check.metrics ?? []) {
            if (m.baseline === null) {
                const value = m.candidate.median === null ? 'no value' : formatScore(m.candidate.median);
                line({ text: '  ' }, {
                    text: plainLine(`${plainLine(check.name, NAME_MAX)} ${m.name} ${value} (no baseline to compare with)`, 400),
                }, { text: `  n=${m.candidate.samples.length}`, style: 'dim' });
                continue;
            }
            const style = m.verdict === 'regressed'
                ? 'red'
                : m.verdict === 'improved'
                    ? 'green'
                    : m.verdict === 'inconclusive'
                        ? 'yellow'
                        : undefined;
            const text = describeMetric(plainLine(check.name, NAME_MAX), m);
            const samples = `n=${m.baseline ? `${m.baseline.samples.length}/` : ''}${m.candidate.samples.length}`;
            line({ text: '  ' }, { text: plainLine(text, 400), ...(style ? { style } : {}) }, { text: `  ${samples}`, style: 'dim' });
        }
    }
}
/** Files named one by one in the audit section; the rest are counted. */
const AUDIT_FILES_SHOWN = 30;
/**
 * What the audits found: checks that cannot fail (with the hint), then each broken file and the
 * checks that noticed it, or that none did.
 */
function auditSection(report, line) {
    const audit = report.audit;
    line({ text: '  AUDIT', style: 'dim' });
    if (audit.vacuity) {
        const vacuous = audit.vacuity.filter((p) => p.vacuous === true);
        const probed = audit.vacuity.length;
        line({
            text: `  vacuity (${audit.vacuous}): ${vacuous.length} of ${probed} ${probed === 1 ? 'check' : 'checks'} passing on the ${audit.vacuity[0]?.probed ?? 'baseline'} cannot fail`,
        });
        for (const probe of vacuous) {
            line({ text: '  ⚠ ', style: 'yellow' }, { text: plainLine(probe.check, NAME_MAX), bold: true }, { text: ' cannot fail: it passed on an empty tree (no files, setup not run)' });
        }
        if (vacuous.length > 0)
            line({ text: `    hint: ${VACUOUS_HINT}`, style: 'dim' });
        const unknown = audit.vacuity.filter((p) => p.vacuous === null);
        for (const probe of unknown) {
            line({
                text: `  ? ${plainLine(probe.check, NAME_MAX)}: the probe did not run (${plainLine(probe.run.reason, 200)})`,
                style: 'dim',
            });
        }
    }
    const changes = audit.changes;
    if (changes) {
        if (changes.note !== undefined) {
            line({ text: `  changes: not run: ${plainLine(changes.note, 300)}`, style: 'dim' });
            return;
        }
        const uncovered = changes.files.filter((f) => f.covered === false).length;
        line({
            text: `  changes (${audit.uncovered}): ${changes.files.length} changed ${changes.files.length === 1 ? 'file' : 'files'} broken one at a time, ${uncovered} not covered; checks run: ${changes.checks.map((c) => plainLine(c, NAME_MAX)).join(', ') || 'none'}`,
        });
        for (const file of changes.files.slice(0, AUDIT_FILES_SHOWN)) {
            const path = plainLine(file.path, 120);
            const how = SABOTAGE_LABEL[file.sabotage];
            if (file.covered === true) {
                line({ text: '  ✔ ', style: 'green' }, { text: `${path} (${how}): noticed by ${plainLine(noticedPhrase(file.runs), 300)}` });
            }
            else if (file.covered === false) {
                line({ text: '  ✘ ', style: 'red' }, { text: `${path} (${how}): not covered by any check`, style: 'red' });
            }
            else {
                line({ text: `  ? ${path} (${how}): no check could run against it`, style: 'dim' });
            }
        }
        if (changes.files.length > AUDIT_FILES_SHOWN) {
            line({ text: `  … and ${changes.files.length - AUDIT_FILES_SHOWN} more files`, style: 'dim' });
        }
        const once = togetherPhrase(report);
        if (once !== null)
            line({ text: `  ${plainLine(once, 400)}`, style: 'dim' });
        const left = notAuditedPhrase(report);
        if (left !== null)
            line({ text: `  ${left}`, style: 'dim' });
    }
}
function scoreCell(check) {
    const score = check.candidate.score;
    const delta = check.score_delta;
    if (score === null)
        return delta === null ? '' : formatDelta(delta);
    return delta === null ? formatScore(score) : `${formatScore(score)} (${formatDelta(delta)})`;
}
function details(check, tailCount, line) {
    const run = check.candidate;
    const bits = [run.outcome];
    const exit = exitPhrase(check);
    if (exit !== null)
        bits.push(plainLine(exit, 40));
    bits.push(formatDuration(run.duration_ms));
    line({ text: '✘ ', style: OUTCOME_STYLE[run.outcome] }, { text: plainLine(check.name, NAME_MAX), bold: true }, { text: `  ${bits.join(' · ')}`, style: OUTCOME_STYLE[run.outcome] });
    line({ text: '  reason: ', style: 'dim' }, { text: plainLine(run.reason, 1_000) });
    const attempts = run.attempts ?? [];
    if (attempts.length > 1) {
        for (const a of attempts.slice(0, 20)) {
            line({ text: `  repeat ${a.repeat} attempt ${a.attempt}: `, style: 'dim' }, { text: a.outcome, style: OUTCOME_STYLE[a.outcome] }, { text: ` · seed ${plainLine(a.seed, 40)} · ${plainLine(a.reason, 200)}` });
        }
        if (attempts.length > 20)
            line({ text: `  … and ${attempts.length - 20} more attempts`, style: 'dim' });
    }
    if (run.reused_from) {
        line({
            text: `  reused from the ${run.reused_from.cache === 'local' ? 'local' : 'Actions'} cache (${plainLine(run.reused_from.location, 200)}, stored ${plainLine(run.reused_from.stored_at, 40)})`,
            style: 'dim',
        });
    }
    const where = [`seed ${plainLine(run.seed, 80)}`];
    if (run.output.log_path !== null)
        where.push(`log ${plainLine(run.output.log_path, 300)}`);
    line({ text: `  ${where.join(' · ')}`, style: 'dim' });
    if (tailCount > 0) {
        const tail = tailLines(outputText(run.output), {
            maxLines: tailCount,
            maxChars: tailCount * TAIL_LINE_MAX,
            maxLineLength: TAIL_LINE_MAX,
        });
        if (tail.text !== '') {
            if (tail.keptLines < tail.totalLines) {
                line({ text: `  │ … last ${tail.keptLines} of ${tail.totalLines} lines`, style: 'dim' });
            }
            for (const text of tail.text.split('\n')) {
                // Tabs would make width accounting lie; expand them.
                line({ text: '  │ ', style: 'dim' }, { text: text.replace(/\t/g, '  ') });
            }
        }
    }
    line({ text: '  reproduce: ', style: 'dim' }, { text: plainLine(check.reproduce, 2_000), style: 'cyan', whole: true });
}
/** Pads or cuts `text` to exactly `columns` code points (cut text ends with `…` and a space). */
function fit(text, columns) {
    const chars = [...text];
    if (chars.length < columns)
        return text + ' '.repeat(columns - chars.length);
    return `${chars.slice(0, Math.max(0, columns - 2)).join('')}… `;
}
function clipColumns(text, columns) {
    const chars = [...text];
    if (chars.length <= columns)
        return text;
    return `${chars.slice(0, Math.max(0, columns - 1)).join('')}…`;
}
