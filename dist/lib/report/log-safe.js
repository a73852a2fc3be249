/**
 * Making check output safe to echo to the GitHub Actions runner log.
 *
 * The runner scans every line a step prints (lines end at `\n` or `\r`) for two command syntaxes:
 * - `::name props::data`, recognised when the line starts with `::` after leading whitespace is
 *   trimmed (.NET `TrimStart`): `::error::`, `::add-mask::`, `::stop-commands::`, `::set-output`…
 * - the legacy `##[name props]data`, recognised wherever `##[` occurs in the line; the log viewer
 *   also renders `##[group]`, `##[error]` and friends.
 * Output of a check is data: it must never add masks, stop command processing, forge errors or
 * groups, or set outputs. Rather than guessing which names the runner registers, every line that
 * could parse as either syntax is broken with an invisible character, which keeps the text
 * readable and is not whitespace to `TrimStart`.
 */
import { BREAK, stripControl } from "./sanitize.js";
// Line start, then anything the runner might trim or that is invisible (whitespace incl. NEL and
// NBSP, other control and format characters such as a BOM), then the first colon of `::`. Line
// terminators are excluded from the prefix so a scan never runs past its own line (a flood of
// blank lines would otherwise make this quadratic).
const V2_COMMAND_START = /^((?:(?![\n\r\u2028\u2029])[\s\p{Cc}\p{Cf}])*):(?=:)/gmu;
/**
 * Breaks every runner workflow command in `text`: a `::` at the start of a line (after optional
 * whitespace or invisible characters) becomes `:\u200B:`, and every `##[` becomes `##\u200B[`.
 * Line breaks are taken as the runner takes them (`\n`, `\r`, and Unicode separators for good
 * measure); everything else is left as is.
 */
export function neutralizeWorkflowCommands(text) {
    return text.replace(V2_COMMAND_START, `$1:${BREAK}`).replace(/##\[/g, `##${BREAK}[`);
}
/**
 * Untrusted text ready for the runner log: ANSI escapes and control characters removed (so
 * output cannot recolour, move the cursor or rewrite earlier lines; `\r` becomes a line break),
 * then workflow commands neutralized. Stripping comes first because removing a control character
 * can join `:` and `:` into a command.
 */
export function toRunnerLog(text) {
    return neutralizeWorkflowCommands(stripControl(text));
}
