/**
 * The audits that test the checks themselves, as pure logic: how a changed file is broken, which
 * changed files are audited, what a run on an audit tree means, and what the findings do to the
 * verdict. The runs themselves are src/gate/audit-runs.ts's business.
 *
 * - Vacuity probe: a check that passes on an empty tree (no files at all, setup not run) does not
 *   depend on the code: `echo ok`, a test glob that matches nothing, a runner that exits 0 on zero
 *   tests. Its PASSED says nothing about a change.
 * - Change-coverage audit: each changed file is broken so that loading or executing it fails
 *   loudly (a first-line throw, raise or exit in the file's own language; otherwise its content is
 *   removed), and the checks that passed on the candidate run against that variant. A check that
 *   does not pass there noticed; a file no check noticed is not covered by any check. This is a
 *   coarse, file-level signal, not mutation testing: it tells whether a file is loaded at all by
 *   some check, not whether its lines are tested.
 */
import { extname } from 'node:path';
import { matchesAnyGlob } from "./globs.js";
/** How many bytes of a file tell whether it is binary (git's rule: a NUL among the first 8000). */
export const BINARY_SNIFF_BYTES = 8000;
/** Most changed files a report lists as not audited; the rest are counted. */
export const MAX_NOT_AUDITED_LISTED = 1000;
/** Reason prefix of a run whose sandbox could not be set up: the check itself never started. */
export const SANDBOX_SETUP_FAILED = 'the sandbox could not be set up';
const EXTENSIONS = {
    '.js': 'js',
    '.mjs': 'js',
    '.cjs': 'js',
    '.jsx': 'js',
    '.ts': 'js',
    '.mts': 'js',
    '.cts': 'js',
    '.tsx': 'js',
    '.py': 'python',
    '.pyw': 'python',
    '.sh': 'shell',
    '.bash': 'shell',
    '.zsh': 'shell',
    '.ksh': 'shell',
};
const INTERPRETERS = [
    [/^(node|nodejs|deno|bun|tsx|ts-node)$/, 'js'],
    [/^python[0-9.]*$/, 'python'],
    [/^(sh|bash|dash|zsh|ksh|mksh|ash)$/, 'shell'],
];
/** Whether `head` (the first bytes of a file) says the file is binary: it holds a NUL byte. */
export function isBinary(head) {
    return head.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}
/**
 * The language a file can be broken in: by its extension, else by its `#!` line (`env` and its
 * options are looked through); null when neither says.
 */
export function languageOf(path, head) {
    const byExtension = EXTENSIONS[extname(path).toLowerCase()];
    if (byExtension !== undefined)
        return byExtension;
    const text = Buffer.from(head.subarray(0, 256))
        .toString('latin1')
        .replace(/^\uFEFF|^ï»¿/, '');
    const shebang = /^#!\s*(\S+)([^\n]*)/.exec(text);
    if (shebang === null)
        return null;
    let program = basename(shebang[1]);
    if (program === 'env') {
        const args = (shebang[2] ?? '').trim().split(/\s+/);
        program = basename(args.find((arg) => arg !== '' && !arg.startsWith('-')) ?? '');
    }
    for (const [pattern, language] of INTERPRETERS)
        if (pattern.test(program))
            return language;
    return null;
}
/**
 * The file `path` (relative, `/`-separated) with `content`, broken so that loading or executing
 * it fails loudly: JavaScript and TypeScript get a first-line `throw`, Python a `raise`, shell an
 * `exit 1` with a message on stderr, each after a `#!` line (and Python's coding line) so those
 * keep their meaning; anything else loses its content. The rest of the file stays as it was.
 */
export function sabotage(path, content) {
    const language = languageOf(path, content);
    if (language === null)
        return { content: Buffer.alloc(0), how: 'emptied' };
    const message = asciiLiteral(sabotageMessage(path));
    const line = language === 'js'
        ? `throw new Error(${message});\n`
        : language === 'python'
            ? `raise RuntimeError(${message})\n`
            : `printf '%s\\n' ${shellQuote(message.slice(1, -1))} >&2; exit 1\n`;
    const original = Buffer.from(content);
    const at = insertionPoint(original, language);
    // A `#!` line with no line break after it (the whole file) needs one before the new line.
    const lead = at > 0 && original[at - 1] !== 0x0a && !isBomOnly(original, at) ? '\n' : '';
    return {
        content: Buffer.concat([
            original.subarray(0, at),
            Buffer.from(lead + line),
            original.subarray(at),
        ]),
        how: language === 'js' ? 'throw' : language === 'python' ? 'raise' : 'exit',
    };
}
/** What a file broken by sabotage() says when it is loaded. */
function sabotageMessage(path) {
    return `quorum audit: ${path} was broken on purpose to see which checks notice`;
}
/**
 * Whether a run's `text` (its output or reason) shows the message of the broken `path`, as
 * printed or as its string literal (a shell file prints the literal's escapes as they are).
 */
export function showsSabotageOf(text, path) {
    const message = sabotageMessage(path);
    return text.includes(message) || text.includes(asciiLiteral(message).slice(1, -1));
}
/**
 * Where the broken line goes: after a byte order mark, a `#!` line, and for Python a coding
 * declaration on the first two lines (which must stay there to keep meaning what it says).
 */
function insertionPoint(content, language) {
    let at = isBomOnly(content, 3) ? 3 : 0;
    const lineEnd = (from) => {
        const newline = content.indexOf(0x0a, from);
        return newline < 0 ? content.length : newline + 1;
    };
    const startsWith = (from, text) => content.subarray(from, from + text.length).toString('latin1') === text;
    const hadShebang = startsWith(at, '#!');
    if (hadShebang)
        at = lineEnd(at);
    if (language === 'python') {
        // PEP 263: the coding line is one of the first two lines.
        const codingLine = /^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+/;
        const lines = hadShebang ? 1 : 2;
        for (let i = 0; i < lines && at < content.length; i++) {
            const end = lineEnd(at);
            if (!codingLine.test(content.subarray(at, end).toString('latin1')))
                break;
            at = end;
        }
    }
    return at;
}
/** Whether the first `length` bytes of `content` are exactly a UTF-8 byte order mark. */
function isBomOnly(content, length) {
    return length === 3 && content.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]));
}
/** A double-quoted string literal with only ASCII in it, valid in JavaScript and in Python. */
function asciiLiteral(text) {
    return JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
function shellQuote(text) {
    return `'${text.replaceAll("'", `'\\''`)}'`;
}
function basename(path) {
    return path.slice(path.lastIndexOf('/') + 1);
}
/**
 * Chooses the changed files to break: regular, not binary, not the gate's own files (`own`: the
 * config and checks module, which judge the code rather than being judged), not matched by
 * `ignore`; at most `maxFiles` of them, code files (a language to break them in) first, each
 * group in path order.
 */
export function planChangeAudit(changed, options) {
    const notAudited = [];
    const eligible = [];
    const own = new Set(options.own ?? []);
    for (const file of [...changed].sort((a, b) => compareBytes(a.path, b.path))) {
        if (own.has(file.path))
            notAudited.push({ path: file.path, why: 'gate-file' });
        else if (matchesAnyGlob(file.path, options.ignore))
            notAudited.push({ path: file.path, why: 'ignored' });
        else if (file.unreadable)
            notAudited.push({ path: file.path, why: 'unreadable' });
        else if (file.head === null)
            notAudited.push({ path: file.path, why: 'not-a-file' });
        else if (isBinary(file.head))
            notAudited.push({ path: file.path, why: 'binary' });
        else
            eligible.push({ ...file, language: languageOf(file.path, file.head) });
    }
    const ordered = [
        ...eligible.filter((f) => f.language !== null),
        ...eligible.filter((f) => f.language === null),
    ];
    for (const file of ordered.slice(options.maxFiles)) {
        notAudited.push({ path: file.path, why: 'over-cap' });
    }
    notAudited.sort((a, b) => compareBytes(a.path, b.path));
    return { files: ordered.slice(0, options.maxFiles), notAudited };
}
/** Paths in byte order of their UTF-8, as git lists them. */
function compareBytes(a, b) {
    return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
/** Whether the check itself started in this run (not: stopped before, or its sandbox failed). */
export function checkStarted(result) {
    // Only runs that ended PASSED or FAILED are ever stored, so a reused one ran.
    if (result.reused_from)
        return true;
    if (result.sandbox_root === undefined || result.sandbox_root === null)
        return false;
    return !(result.outcome === 'ERROR' && result.reason.startsWith(SANDBOX_SETUP_FAILED));
}
/** What the report keeps of an audit run. */
export function auditRunOf(result) {
    return {
        outcome: result.outcome,
        reason: result.reason,
        duration_ms: result.duration_ms,
        exit_code: result.exit_code,
        signal: result.signal,
        seed: result.seed,
        log_path: result.output.log_path,
        ...(result.reused_from ? { reused_from: result.reused_from } : {}),
    };
}
/** The probe of `check` on an empty tree: vacuous when it PASSED there. */
export function vacuityProbeOf(check, probed, result) {
    return {
        check,
        probed,
        run: auditRunOf(result),
        vacuous: checkStarted(result) ? result.outcome === 'PASSED' : null,
    };
}
/**
 * One check's run against a broken file: it noticed when it did not pass (FAILED, TIMEOUT,
 * CRASHED, or ERROR: a check that hangs or dies on the broken tree noticed too).
 */
export function sabotagedRunOf(check, result) {
    return {
        check,
        run: auditRunOf(result),
        noticed: checkStarted(result) ? result.outcome !== 'PASSED' : null,
    };
}
/** One broken file's findings, its runs in the order of `checkOrder`. */
export function fileAuditOf(file, runs, checkOrder) {
    const rank = (name) => {
        const i = checkOrder.indexOf(name);
        return i < 0 ? checkOrder.length : i;
    };
    const sorted = [...runs].sort((a, b) => rank(a.check) - rank(b.check));
    const noticedBy = sorted.filter((r) => r.noticed === true).map((r) => r.check);
    const covered = noticedBy.length > 0 ? true : sorted.some((r) => r.noticed === false) ? false : null;
    return { ...file, runs: sorted, noticed_by: noticedBy, covered };
}
/**
 * What the audits found, counted: checks that passed on an empty tree, and audited changed files
 * no check noticed (0 for an audit that did not run).
 */
export function auditCounts(audit) {
    return {
        vacuous: (audit?.vacuity ?? []).filter((p) => p.vacuous === true).length,
        uncovered: (audit?.changes?.files ?? []).filter((f) => f.covered === false).length,
    };
}
/** Uncovered files named one by one in the reasons; the rest are counted. */
const MAX_FILES_IN_REASONS = 10;
/**
 * What the audit findings do to the verdict: `blocking` reasons under a `block` policy, and
 * `warnings` (shown among the reasons, not blocking) under `warn`.
 */
export function decideAudit(audit) {
    const blocking = [];
    const warnings = [];
    const vacuous = (audit.vacuity ?? []).filter((p) => p.vacuous === true);
    for (const probe of vacuous) {
        const what = `${probe.check} passed on an empty tree (no files, setup not run), so its PASSED says nothing about this change`;
        if (audit.vacuous === 'block')
            blocking.push(`cannot fail: ${what}`);
        else
            warnings.push(`cannot fail (not blocking): ${what}`);
    }
    const uncovered = (audit.changes?.files ?? []).filter((f) => f.covered === false);
    const lines = uncovered.slice(0, MAX_FILES_IN_REASONS).map((file) => {
        const ran = file.runs.filter((r) => r.noticed === false).map((r) => r.check);
        return `${file.path} changed, and no check noticed when it was broken (ran: ${ran.join(', ')})`;
    });
    if (uncovered.length > MAX_FILES_IN_REASONS) {
        lines.push(`${uncovered.length - MAX_FILES_IN_REASONS} more changed files no check noticed (see the report)`);
    }
    for (const line of lines) {
        if (audit.uncovered === 'block')
            blocking.push(`not covered: ${line}`);
        else
            warnings.push(`not covered (not blocking): ${line}`);
    }
    return { blocking, warnings };
}
