/**
 * Errors the engine raises about its inputs. They carry their own location so every caller (CLI,
 * action) prints the same one-line message, and so a caller can tell a bad config (exit code 2,
 * no stack trace) from a bug (anything else).
 */
/**
 * What an error's fate is, wherever it is caught:
 * - `usage`: the caller asked for something impossible (a flag, an input, a directory): CLI exit
 *   2, one line;
 * - `config`: quorum.yml or its checks module is wrong: CLI exit 2, `file:line:col: key: message`;
 * - `environment`: the machine, git or GitHub did not cooperate: a clear line, no stack (CLI
 *   exit 3);
 * - `cancelled`: the user or the runner stopped the gate (CLI exit 130);
 * - `promote`: the verdict was allow but the candidate could not be promoted (CLI exit 1).
 * Anything that is not a QuorumError is a bug, and is reported as one, with its stack.
 */
export type ErrorFate = 'usage' | 'config' | 'environment' | 'cancelled' | 'promote';
/** The one base of every error Quorum raises on purpose; `fate` decides how it is reported. */
export declare class QuorumError extends Error {
    readonly fate: ErrorFate;
    constructor(fate: ErrorFate, message: string, options?: {
        cause?: unknown;
    });
    /** The one line a user sees. */
    describe(): string;
}
/** What a ConfigError is built from. */
export interface ConfigErrorInit {
    /** Path of the config file as it should appear in messages. */
    file: string;
    /** 1-based line; 0 when the error is about the file as a whole (e.g. it does not exist). */
    line?: number;
    /** 1-based column; 0 when unknown. */
    column?: number;
    /** Path of the offending key, e.g. `checks[1].command`; '' when no key is involved. */
    key?: string;
    /** What is wrong, without the location (format() adds it). */
    message: string;
}
/**
 * A problem in quorum.yml (or in the function checks it names) that the user must fix.
 * `message` is the bare description; print `format()` to show it with file, line and key.
 */
export declare class ConfigError extends QuorumError {
    readonly file: string;
    readonly line: number;
    readonly column: number;
    readonly key: string;
    constructor(init: ConfigErrorInit);
    /**
     * One line, compiler style, e.g.
     * `quorum.yml:7:5: checks[1].comand: unknown key "comand" (did you mean "command"?)`.
     * Line and column are left out when unknown; the result never contains a line break, because
     * keys and values quoted in the message come from the user's file.
     */
    format(): string;
    describe(): string;
    toString(): string;
}
/** Longest message a ConfigError keeps; the excerpts quoted inside it are shorter still. */
export declare const MAX_MESSAGE_CHARS = 400;
/** Longest piece of a file's content any config error quotes. */
export declare const MAX_EXCERPT_CHARS = 200;
/**
 * A piece of untrusted text (a file's content, a parser's message about it) made fit to quote:
 * secrets masked, invisible and control characters replaced, at most `max` characters
 * (default MAX_EXCERPT_CHARS, never more), ending in `...` when cut.
 */
export declare function excerpt(text: string, max?: number): string;
/**
 * Replaces what looks like a secret in `text` with `***`: GitHub tokens (ghp_, gho_, ghs_, ghu_,
 * ghr_, github_pat_), the value of `NAME=value` when NAME contains TOKEN, SECRET, KEY, PASSWORD
 * (any case), credentials in URLs and Authorization headers.
 */
export declare function maskSecrets(text: string): string;
/** An error's message, or the thrown value as text: the one way Quorum turns a catch into words. */
export declare function errorMessage(error: unknown): string;
