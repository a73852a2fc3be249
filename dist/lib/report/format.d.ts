/**
 * Small formatting vocabulary shared by the markdown and terminal views: labels for outcomes and
 * changes, durations, sizes, and how a run's captured output is read back as one text. Nothing
 * here decides anything; it only names what the report already says.
 */
import type { AuditRun, CapturedOutput, Change, CheckReport, NotAuditedReason, Outcome, Report, Sabotage } from '../engine/types.ts';
export { formatDelta, formatScore } from '../engine/numbers.ts';
/** Emoji for an outcome in markdown views. */
export declare const OUTCOME_ICON: Record<Outcome, string>;
/** Human words for a change between baseline and candidate. */
export declare const CHANGE_LABEL: Record<Change, string>;
/** Emoji for a change in markdown views; empty for the unremarkable ones. */
export declare const CHANGE_ICON: Record<Change, string>;
/**
 * True when the candidate run of this check is not what it should be, so it gets details and
 * annotations: an ordinary check that did not pass, or a canary (`expect: fail`) that did not
 * fail (it passed, or could not run).
 */
export declare function needsAttention(check: CheckReport): boolean;
/** The checks that need attention (see needsAttention), in report order. */
export declare function checksNeedingAttention(report: Report): CheckReport[];
/** A canary: a check that must not pass. */
export declare function isCanaryReport(check: CheckReport): boolean;
/** A canary that failed the way a test fails (FAILED, TIMEOUT or CRASHED): as it should. */
export declare function canaryFailedAsExpected(check: CheckReport): boolean;
/** The change column of a canary, instead of the baseline-to-candidate change. */
export declare function canaryLabel(check: CheckReport): string;
/** The checks the vacuity probe found passing on an empty tree. */
export declare function vacuousChecks(report: Report): Set<string>;
/** What to do about a check that cannot fail: one sentence, the same in every view. */
export declare const VACUOUS_HINT = "make it depend on the code. Common causes: a command that always succeeds, a test glob that matches no file, a runner that exits 0 when it finds no tests (e.g. jest --passWithNoTests)";
/** How a changed file was broken, in words. */
export declare const SABOTAGE_LABEL: Record<Sabotage, string>;
/** Why changed files were not audited, in words (plural forms where counted). */
export declare const NOT_AUDITED_LABEL: Record<NotAuditedReason, string>;
/** "3 not audited: 1 ignored (audit_ignore), 2 over the cap (audit_max_files: 20)", or null. */
export declare function notAuditedPhrase(report: Report): string | null;
/**
 * "lint and types passed with every changed file broken at once, so they ran once, not per file;
 * unit ran 3 times instead of once per file (...)", or null when every check ran once per file.
 */
export declare function togetherPhrase(report: Report): string | null;
/** "unit (FAILED), e2e (TIMEOUT)": the checks that noticed a broken file, with how. */
export declare function noticedPhrase(runs: ReadonlyArray<{
    check: string;
    run: AuditRun;
    noticed: boolean | null;
}>): string;
/**
 * Whether views show scores: in scored mode, and in pass-fail with a baseline (as they always
 * did). no-regression judges metrics instead, which have a table of their own.
 */
export declare function showsScore(report: Report): boolean;
/** The checks that were FLAKY on the candidate, in report order. */
export declare function flakyChecks(report: Report): CheckReport[];
/**
 * "2 of 5 checks failing" / "all 5 checks passing" / "no checks", from the candidate runs, with
 * ", 1 flaky" when some were FLAKY (those are not counted as failing here).
 */
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
/**
 * What decided the candidate's outcome, for the head of its details: a shell check's exit
 * ("exit code 1", "signal SIGKILL"); a function check's returned verdict ("returned passed:
 * false"), since its exit code never decides (see engine/outcome.ts). A process that was killed
 * or died is named by how it ended, whatever its kind. null when there is nothing to add (a
 * function check's ERROR: its reason says what was wrong).
 */
export declare function exitPhrase(check: CheckReport): string | null;
/** First 7 characters of a hex sha, or null when the value is not a sha. */
export declare function shortSha(sha: string | null | undefined): string | null;
/**
 * The one line that says runs are not isolated (the copy sandbox), and why: what a check can
 * still do to the machine it runs on (README, "What holds, per sandbox kind"). `why` is the
 * gate's note on why overlays were not used; null when copies were asked for.
 */
export declare function copySandboxLine(why: string | null): string;
