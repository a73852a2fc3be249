/**
 * Small formatting vocabulary shared by the markdown and terminal views: labels for outcomes and
 * changes, durations, sizes, and how a run's captured output is read back as one text. Nothing
 * here decides anything; it only names what the report already says.
 */
import type { CapturedOutput, Change, CheckReport, Outcome, Report } from '../engine/types.ts';
export { formatDelta, formatScore } from '../engine/numbers.ts';
/** Emoji for an outcome in markdown views. */
export declare const OUTCOME_ICON: Record<Outcome, string>;
/** Human words for a change between baseline and candidate. */
export declare const CHANGE_LABEL: Record<Change, string>;
/** Emoji for a change in markdown views; empty for the unremarkable ones. */
export declare const CHANGE_ICON: Record<Change, string>;
/** True when the candidate run of this check did not pass: it gets details and annotations. */
export declare function isNonPassing(check: CheckReport): boolean;
/** The checks whose candidate run did not pass, in report order. */
export declare function nonPassingChecks(report: Report): CheckReport[];
/** "2 of 5 checks failing" / "all 5 checks passing" / "no checks", from the candidate runs. */
export declare function countPhrase(report: Report): string;
/** Verdict as a past participle: "allowed" / "blocked". */
export declare function verdictWord(report: Report): string;
/** Milliseconds as "450 ms", "12.3 s" or "2 min 03 s". */
export declare function formatDuration(ms: number): string;
/** Bytes as "812 B", "12.4 KB", "2.0 MB" (powers of 1024). */
export declare function formatBytes(bytes: number): string;
/**
 * The captured output as one text: head, a visible gap line when the middle was dropped, tail.
 * Still untrusted and unbounded in principle; callers cut and sanitize it.
 */
export declare function outputText(output: CapturedOutput): string;
/** How the process ended, for details: "exit code 1", "signal SIGKILL", or null when unknown. */
export declare function exitPhrase(check: CheckReport): string | null;
/** First 7 characters of a hex sha, or null when the value is not a sha. */
export declare function shortSha(sha: string | null | undefined): string | null;
