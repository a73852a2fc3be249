/**
 * Breaks every runner workflow command in `text`: a `::` at the start of a line (after optional
 * whitespace or invisible characters) becomes `:\u200B:`, and every `##[` becomes `##\u200B[`.
 * Line breaks are taken as the runner takes them (`\n`, `\r`, and Unicode separators for good
 * measure); everything else is left as is.
 */
export declare function neutralizeWorkflowCommands(text: string): string;
/**
 * Untrusted text ready for the runner log: ANSI escapes and control characters removed (so
 * output cannot recolour, move the cursor or rewrite earlier lines; `\r` becomes a line break),
 * then workflow commands neutralized. Stripping comes first because removing a control character
 * can join `:` and `:` into a command.
 */
export declare function toRunnerLog(text: string): string;
