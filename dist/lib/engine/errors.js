/**
 * Errors the engine raises about its inputs. They carry their own location so every caller (CLI,
 * action) prints the same one-line message, and so a caller can tell a bad config (exit code 2,
 * no stack trace) from a bug (anything else).
 */
/** The one base of every error Quorum raises on purpose; `fate` decides how it is reported. */
export class QuorumError extends Error {
    fate;
    constructor(fate, message, options) {
        super(message, options);
        this.fate = fate;
        this.name = new.target.name;
    }
    /** The one line a user sees. */
    describe() {
        return this.message;
    }
}
/**
 * A problem in quorum.yml (or in the function checks it names) that the user must fix.
 * `message` is the bare description; print `format()` to show it with file, line and key.
 */
export class ConfigError extends QuorumError {
    file;
    line;
    column;
    key;
    constructor(init) {
        // Messages quote the file (a value, a key, the parser's own words), and the file may not be
        // what it claims: a PR's quorum.yml can be anything, and the message ends up in a check run
        // everyone can read. So every message is bounded and secret-masked here, whoever built it.
        super('config', safeText(init.message, MAX_MESSAGE_CHARS));
        this.file = init.file;
        this.line = init.line ?? 0;
        this.column = init.column ?? 0;
        this.key = safeText(init.key ?? '', MAX_KEY_CHARS);
    }
    /**
     * One line, compiler style, e.g.
     * `quorum.yml:7:5: checks[1].comand: unknown key "comand" (did you mean "command"?)`.
     * Line and column are left out when unknown; the result never contains a line break, because
     * keys and values quoted in the message come from the user's file.
     */
    format() {
        let where = this.file;
        if (this.line > 0)
            where += `:${this.line}`;
        if (this.line > 0 && this.column > 0)
            where += `:${this.column}`;
        const key = this.key === '' ? '' : `${this.key}: `;
        return toOneLine(`${where}: ${key}${this.message}`);
    }
    describe() {
        return this.format();
    }
    toString() {
        return this.format();
    }
}
/** Longest message a ConfigError keeps; the excerpts quoted inside it are shorter still. */
export const MAX_MESSAGE_CHARS = 400;
const MAX_KEY_CHARS = 120;
/** Longest piece of a file's content any config error quotes. */
export const MAX_EXCERPT_CHARS = 200;
/**
 * A piece of untrusted text (a file's content, a parser's message about it) made fit to quote:
 * secrets masked, invisible and control characters replaced, at most `max` characters
 * (default MAX_EXCERPT_CHARS, never more), ending in `...` when cut.
 */
export function excerpt(text, max = MAX_EXCERPT_CHARS) {
    return safeText(text, Math.min(max, MAX_EXCERPT_CHARS));
}
function safeText(text, max) {
    // Masked before the final cut, so that cut cannot leave the start of a secret the patterns no
    // longer recognise; the rough cut first keeps the patterns' work bounded on huge input.
    const clean = maskSecrets(text.slice(0, max * 2 + 200)).replace(INVISIBLE, '?');
    const chars = [...clean];
    return chars.length <= max ? clean : `${chars.slice(0, Math.max(0, max - 3)).join('')}...`;
}
// C1 controls, zero-width characters, bidirectional overrides and isolates, BOM: they make a
// quoted excerpt read differently from what it is.
const INVISIBLE = /[\u0080-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
const SECRET_PATTERNS = [
    // GitHub tokens: personal (classic and fine-grained), OAuth, app installation, user-to-server,
    // refresh. The prefix stays, so a reader still knows what kind of thing was there.
    [/(gh[pousr]_)[A-Za-z0-9_]+/g, '$1***'],
    [/(github_pat_)[A-Za-z0-9_]+/g, '$1***'],
    // `NAME=value` where NAME looks like it holds a secret (an environment dump, a .env file).
    [
        /\b([A-Za-z_][A-Za-z0-9_.-]*?(?:token|secret|key|password|passwd|credential)[A-Za-z0-9_.-]*\s*=\s*)[^\s"'\u0000-\u001f\u007f]+/gi,
        '$1***',
    ],
    // Credentials in a URL (https://user:password@host) and in an HTTP Authorization header.
    [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@"']+@/gi, '$1***@'],
    [/(\bauthorization\s*:\s*(?:basic|bearer|token)\s+)\S+/gi, '$1***'],
];
/**
 * Replaces what looks like a secret in `text` with `***`: GitHub tokens (ghp_, gho_, ghs_, ghu_,
 * ghr_, github_pat_), the value of `NAME=value` when NAME contains TOKEN, SECRET, KEY, PASSWORD
 * (any case), credentials in URLs and Authorization headers.
 */
export function maskSecrets(text) {
    let out = text;
    for (const [pattern, replacement] of SECRET_PATTERNS)
        out = out.replace(pattern, replacement);
    return out;
}
/** Replaces line breaks and other control characters, which would split or garble one line. */
function toOneLine(text) {
    return text.replace(/\r\n|[\n\r\u2028\u2029]/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '?');
}
/** An error's message, or the thrown value as text: the one way Quorum turns a catch into words. */
export function errorMessage(error) {
    return error instanceof Error ? error.message : String(error);
}
