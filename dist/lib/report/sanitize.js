/**
 * Turning untrusted text (anything a check printed or returned, and semi-trusted config text such
 * as check names) into something a view can embed without it acting as markup, a mention, a
 * cross-reference, a terminal escape or a forged marker.
 *
 * Every function here is pure and total: any string in, a safe string out.
 */
import { clip } from "../engine/paths.js";
/**
 * The invisible character used to break dangerous sequences (`@user`, `#12`, `<!--`, `::`).
 * U+200B renders as nothing, is not whitespace to .NET's `TrimStart` or to GitHub's markdown
 * parser, and survives copy-paste as a harmless character.
 */
export const BREAK = '\u200B';
const ESC = '\u001B';
const BEL = '\u0007';
// ANSI/VT escape sequences. Order matters: the long forms (OSC with its payload, CSI with its
// parameters) must be consumed whole, or their payload would survive as visible junk or, worse,
// an OSC 8 hyperlink target would be printed as text the reader could mistake for ours.
const ANSI_PATTERN = new RegExp([
    // OSC ... (BEL | ESC \) — window titles, hyperlinks, clipboard writes. Unterminated: to end.
    `${ESC}\\][^${BEL}${ESC}]*(?:${BEL}|${ESC}\\\\|$)`,
    // DCS / SOS / PM / APC strings, terminated by ST.
    `${ESC}[PX^_][^${ESC}]*(?:${ESC}\\\\|$)`,
    // CSI: ESC [ params intermediates final.
    `${ESC}\\[[0-?]*[ -/]*[@-~]`,
    // 8-bit CSI.
    `\u009B[0-?]*[ -/]*[@-~]`,
    // Two-character escapes (ESC 7, ESC c, charset selection ESC ( B ...).
    `${ESC}[ -/]*[0-~]`,
].join('|'), 'g');
// C0 controls except \t and \n, DEL, C1 controls, and the bidirectional overrides/isolates that
// let text display in a different order than it is stored ("Trojan Source").
const CONTROL_PATTERN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;
/**
 * Removes ANSI escape sequences and control characters, keeping printable text, `\n` and `\t`.
 * `\r\n`, lone `\r` and the Unicode line/paragraph separators become `\n`: a carriage return
 * could otherwise overwrite a line on a terminal and is a line break to the Actions runner.
 */
export function stripControl(text) {
    return text
        .replace(ANSI_PATTERN, '')
        .replace(/\r\n?|[\u2028\u2029\u0085]/g, '\n')
        .replace(CONTROL_PATTERN, '')
        .toWellFormed();
}
export { clip };
/** Like {@link clip} but keeps the end of the text (for output tails). */
export function clipStart(text, max) {
    if (text.length <= max)
        return text;
    if (max <= 0)
        return '';
    let start = text.length - (max - 1);
    const code = text.charCodeAt(start);
    if (code >= 0xdc00 && code <= 0xdfff)
        start += 1;
    return `…${text.slice(start)}`;
}
/**
 * Untrusted text as one printable line of at most `max` characters: controls and escapes removed,
 * every whitespace run (line breaks, tabs, Unicode spaces) one space, cut with `…`. Stricter than
 * engine/paths.ts oneLine, which only folds line breaks: a tab or a run of spaces would throw off
 * the terminal's columns. Not yet safe for markdown or HTML; the callers below and the terminal
 * view add what their medium needs.
 */
export function plainLine(text, max) {
    return clip(stripControl(text).replace(/\s+/g, ' ').trim(), max);
}
/**
 * Breaks everything GitHub would turn into a notification, a cross-reference or a link:
 * `@user`, `@org/team` and e-mail addresses (mentions and mailto autolinks), `#123`, `GH-123`
 * and `owner/repo#123` (issue references and backlinks), and `http(s)://…` / `www.` URLs (autolinks,
 * which is how a full issue URL creates a backlink). The text still reads the same: only an
 * invisible character is inserted.
 */
export function neutralizeReferences(text) {
    return text
        .replace(/@(?=[\p{L}\p{N}_-])/gu, `@${BREAK}`)
        .replace(/#(?=\d)/g, `#${BREAK}`)
        .replace(/\b(GH)-(?=\d)/gi, `$1${BREAK}-`)
        .replace(/:\/\//g, `:${BREAK}//`)
        .replace(/\b(www)\./gi, `$1${BREAK}.`);
}
/**
 * Breaks every `<!` (comment, doctype and CDATA openers) so untrusted text can neither open an
 * HTML comment that hides the rest of a body nor reproduce a hidden marker such as
 * `<!-- quorum:gate=default -->` that a comment finder would match. Applied even inside code,
 * where it is displayed literally but would still be found by a substring search of the raw body.
 * A stray `-->` is left alone: without an opener it closes nothing, and our own marker is complete
 * on line 1 before any untrusted text.
 */
export function breakHtmlComments(text) {
    return text.replace(/<!/g, `<${BREAK}!`);
}
const HTML_ESCAPES = {
    '&': '&amp;',
    '<': '&lt;',
    '>': '&gt;',
    '"': '&quot;',
    "'": '&#39;',
};
/** Escapes `& < > " '` for HTML text and attribute values. */
export function escapeHtml(text) {
    return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}
// Markdown punctuation with inline meaning in GFM: emphasis, code, links/images, tables,
// strikethrough, math ($), headings (#), and the escape character itself. `<`, `>` and `&` are
// handled as entities instead, so the raw body never contains a tag or comment opener.
const MARKDOWN_PUNCTUATION = /[\\`*_[\]|~$#]/g;
/**
 * Untrusted text as one line of inline markdown: control characters removed, whitespace collapsed,
 * cut to `max` characters, HTML escaped, markdown punctuation backslash-escaped (so `|` cannot
 * split a table cell and `[x](y)` cannot become a link), leading list/quote/heading markers
 * neutralized, and mentions, references and URLs broken.
 */
export function inlineText(text, max = 500) {
    let s = plainLine(text, max);
    s = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    s = s.replace(MARKDOWN_PUNCTUATION, (c) => `\\${c}`);
    // A leading `-`, `+`, `=` or `1.` could start a list or a setext underline when the text begins a
    // line (a reason in a bullet, a notice in a quote).
    s = s.replace(/^([-+=])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
    return neutralizeReferences(s);
}
/**
 * Untrusted text for a GFM table cell: {@link inlineText} (which already escapes `|` and removes
 * newlines) and a placeholder for empty values so the row keeps its shape.
 */
export function tableCell(text, max = 200) {
    const s = inlineText(text, max);
    return s === '' ? ' ' : s;
}
/**
 * Untrusted text inside a raw HTML element (a `<summary>`), where markdown is not processed:
 * HTML-escaped, one line, references broken.
 */
export function htmlText(text, max = 200) {
    // References first: escaping creates entities such as `&#39;` that the `#123` rule would break.
    return escapeHtml(neutralizeReferences(plainLine(text, max)));
}
/** Length of the longest run of `char` in `text`. */
function longestRun(text, char) {
    let best = 0;
    let current = 0;
    for (const c of text) {
        current = c === char ? current + 1 : 0;
        if (current > best)
            best = current;
    }
    return best;
}
/**
 * Untrusted text as an inline code span: one line, delimited by a backtick run longer than any in
 * the content (so it cannot be closed early), padded when it starts or ends with a backtick.
 * Inside a table, `|` must still be escaped (GFM splits cells before parsing code spans).
 */
export function codeSpan(text, options = {}) {
    let s = breakHtmlComments(plainLine(text, options.max ?? 500));
    if (options.inTable)
        s = s.replace(/\|/g, '\\|');
    if (s === '')
        return '` `';
    const fence = '`'.repeat(longestRun(s, '`') + 1);
    const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
    return `${fence}${pad}${s}${pad}${fence}`;
}
/**
 * Untrusted multi-line text as a fenced code block. The fence is a backtick run longer than any
 * run in the content (at least three), so no line of the content can close it; the info string is
 * fixed by us. Content is shown literally by GitHub (no mentions, links or HTML), but HTML comment
 * delimiters are still broken so a substring search for a marker cannot match inside it.
 */
export function codeFence(text, language = 'text') {
    const body = breakHtmlComments(stripControl(text)).replace(/\n+$/, '');
    const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
    return `${fence}${language}\n${body}\n${fence}`;
}
// Work on at most this much of the raw text: a hostile run may hand us megabytes, and nothing
// beyond the last few kilobytes can ever be shown.
const TAIL_SCAN_LIMIT = 256 * 1024;
/**
 * The last lines of untrusted output, control characters stripped, each line and the whole bounded.
 * Trailing blank lines are dropped so the tail ends with what the check printed last.
 */
export function tailLines(raw, options) {
    const scanned = raw.length > TAIL_SCAN_LIMIT ? raw.slice(raw.length - TAIL_SCAN_LIMIT) : raw;
    const lines = stripControl(scanned).replace(/\s+$/, '').split('\n');
    const totalLines = raw.length > TAIL_SCAN_LIMIT ? countLines(raw.trimEnd()) : lines.length;
    const maxLineLength = options.maxLineLength ?? 300;
    const kept = [];
    let size = 0;
    for (let i = lines.length - 1; i >= 0 && kept.length < options.maxLines; i--) {
        const line = clip(lines[i] ?? '', maxLineLength);
        if (size + line.length + 1 > options.maxChars && kept.length > 0)
            break;
        kept.push(kept.length === 0 ? clipStart(line, options.maxChars) : line);
        size += line.length + 1;
    }
    kept.reverse();
    const text = kept.join('\n');
    return { text: text.trim() === '' ? '' : text, totalLines, keptLines: kept.length };
}
function countLines(text) {
    let n = 1;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1))
        n++;
    return n;
}
