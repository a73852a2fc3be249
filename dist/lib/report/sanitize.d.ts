/**
 * Turning untrusted text (anything a check printed or returned, and semi-trusted config text such
 * as check names) into something a view can embed without it acting as markup, a mention, a
 * cross-reference, a terminal escape or a forged marker.
 *
 * Every function here is pure and total: any string in, a safe string out.
 */
import { clip } from '../engine/paths.ts';
/**
 * The invisible character used to break dangerous sequences (`@user`, `#12`, `<!--`, `::`).
 * U+200B renders as nothing, is not whitespace to .NET's `TrimStart` or to GitHub's markdown
 * parser, and survives copy-paste as a harmless character.
 */
export declare const BREAK = "\u200B";
/**
 * Removes ANSI escape sequences and control characters, keeping printable text, `\n` and `\t`.
 * `\r\n`, lone `\r` and the Unicode line/paragraph separators become `\n`: a carriage return
 * could otherwise overwrite a line on a terminal and is a line break to the Actions runner.
 */
export declare function stripControl(text: string): string;
export { clip };
/** Like {@link clip} but keeps the end of the text (for output tails). */
export declare function clipStart(text: string, max: number): string;
/**
 * Untrusted text as one printable line of at most `max` characters: controls and escapes removed,
 * every whitespace run (line breaks, tabs, Unicode spaces) one space, cut with `…`. Stricter than
 * engine/paths.ts oneLine, which only folds line breaks: a tab or a run of spaces would throw off
 * the terminal's columns. Not yet safe for markdown or HTML; the callers below and the terminal
 * view add what their medium needs.
 */
export declare function plainLine(text: string, max: number): string;
/**
 * Breaks everything GitHub would turn into a notification, a cross-reference or a link:
 * `@user`, `@org/team` and e-mail addresses (mentions and mailto autolinks), `#123`, `GH-123`
 * and `owner/repo#123` (issue references and backlinks), and `http(s)://…` / `www.` URLs (autolinks,
 * which is how a full issue URL creates a backlink). The text still reads the same: only an
 * invisible character is inserted.
 */
export declare function neutralizeReferences(text: string): string;
/**
 * Breaks every `<!` (comment, doctype and CDATA openers) so untrusted text can neither open an
 * HTML comment that hides the rest of a body nor reproduce a hidden marker such as
 * `<!-- quorum:gate=default -->` that a comment finder would match. Applied even inside code,
 * where it is displayed literally but would still be found by a substring search of the raw body.
 * A stray `-->` is left alone: without an opener it closes nothing, and our own marker is complete
 * on line 1 before any untrusted text.
 */
export declare function breakHtmlComments(text: string): string;
/** Escapes `& < > " '` for HTML text and attribute values. */
export declare function escapeHtml(text: string): string;
/**
 * Untrusted text as one line of inline markdown: control characters removed, whitespace collapsed,
 * cut to `max` characters, HTML escaped, markdown punctuation backslash-escaped (so `|` cannot
 * split a table cell and `[x](y)` cannot become a link), leading list/quote/heading markers
 * neutralized, and mentions, references and URLs broken.
 */
export declare function inlineText(text: string, max?: number): string;
/**
 * Untrusted text for a GFM table cell: {@link inlineText} (which already escapes `|` and removes
 * newlines) and a placeholder for empty values so the row keeps its shape.
 */
export declare function tableCell(text: string, max?: number): string;
/**
 * Untrusted text inside a raw HTML element (a `<summary>`), where markdown is not processed:
 * HTML-escaped, one line, references broken.
 */
export declare function htmlText(text: string, max?: number): string;
/**
 * Untrusted text as an inline code span: one line, delimited by a backtick run longer than any in
 * the content (so it cannot be closed early), padded when it starts or ends with a backtick.
 * Inside a table, `|` must still be escaped (GFM splits cells before parsing code spans).
 */
export declare function codeSpan(text: string, options?: {
    max?: number;
    inTable?: boolean;
}): string;
/**
 * Untrusted multi-line text as a fenced code block. The fence is a backtick run longer than any
 * run in the content (at least three), so no line of the content can close it; the info string is
 * fixed by us. Content is shown literally by GitHub (no mentions, links or HTML), but HTML comment
 * delimiters are still broken so a substring search for a marker cannot match inside it.
 */
export declare function codeFence(text: string, language?: string): string;
/** Options for {@link tailLines}. */
export interface TailOptions {
    /** Keep at most this many lines (the last ones). */
    maxLines: number;
    /** Keep at most this many characters in total. */
    maxChars: number;
    /** Cut each line to this many characters. */
    maxLineLength?: number;
}
/** What {@link tailLines} kept. */
export interface Tail {
    text: string;
    /** Lines in the (control-stripped) input. */
    totalLines: number;
    /** Lines kept. */
    keptLines: number;
}
/**
 * The last lines of untrusted output, control characters stripped, each line and the whole bounded.
 * Trailing blank lines are dropped so the tail ends with what the check printed last.
 */
export declare function tailLines(raw: string, options: TailOptions): Tail;
