import { CHANGE_LABEL, countPhrase, exitPhrase, formatDelta, formatDuration, formatScore, nonPassingChecks, outputText, } from "./format.js";
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
    const tailCount = options.tailLines ?? DEFAULT_TAIL_LINES;
    for (const check of nonPassingChecks(report)) {
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
    if (report.mode === 'scored' || report.totals.baseline_score !== null) {
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
    const hasScore = report.checks.some((c) => c.candidate.score !== null || c.score_delta !== null);
    const names = report.checks.map((c) => plainLine(c.name, NAME_MAX));
    const nameWidth = Math.max(5, ...names.map((n) => [...n].length));
    const changeWidth = Math.max(6, ...report.checks.map((c) => CHANGE_LABEL[c.change].length));
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
        const row = [
            { text: cand === 'PASSED' ? '✔ ' : '✘ ', style: OUTCOME_STYLE[cand] },
            { text: names[i] ?? '', pad: nameWidth + 2 },
        ];
        if (hasBaseline) {
            const base = check.baseline?.outcome;
            row.push(base === undefined
                ? { text: '—', pad: 11, style: 'dim' }
                : { text: base, pad: 11, style: OUTCOME_STYLE[base] });
        }
        row.push({ text: cand, pad: 11, style: OUTCOME_STYLE[cand] });
        const changeStyle = check.change === 'regressed' ? 'red' : check.change === 'fixed' ? 'green' : undefined;
        row.push({
            text: CHANGE_LABEL[check.change],
            pad: changeWidth + 2,
            ...(changeStyle ? { style: changeStyle } : {}),
        });
        if (hasScore)
            row.push({ text: scores[i] ?? '', pad: scoreWidth + 2 });
        row.push({ text: plainLine(check.candidate.reason, reasonWidth) });
        line(...row);
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
