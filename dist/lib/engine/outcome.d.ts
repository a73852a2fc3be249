import type { AttemptOutcome, CapturedOutput, MetricSpec, SpawnResult } from './types.ts';
/** A check's return value, checked. */
export type CheckReturn = {
    ok: true;
    passed: boolean;
    reason: string | null;
    score: number | null;
    /** `metrics` as returned, when it was (values may be non-finite: named later). */
    metrics?: Record<string, number>;
} | {
    ok: false;
    reason: string;
};
/** What a run means. */
export interface Classification {
    outcome: AttemptOutcome;
    /** One line, human-readable, never empty. */
    reason: string;
    score: number | null;
    /** The declared metrics this run reported, finite values only. */
    metrics?: Record<string, number>;
    /** The ERROR comes from the check's declaration (a metric never printed, not finite). */
    declaration_error?: boolean;
}
/** One message from the function host on fd 3 (see src/run/function-host.ts). */
export interface ChannelMessage {
    type: string;
    [field: string]: unknown;
}
/**
 * Checks a function check's return value: a boolean, `{ passed, reason?, score? }` or
 * `[passed, reason?, score?]`. `passed` must be a boolean, `reason` a string (or absent/null),
 * `score` a finite number (or absent/null). Anything else is `ok: false` with a reason that
 * names what was returned.
 */
export declare function normalizeCheckReturn(value: unknown): CheckReturn;
/**
 * A run that passed must report every metric the check declares, as a finite number: a metric
 * never printed (a typo, a renamed key) must not quietly switch the comparison off. Returns the
 * classification with the declared metrics it reported, or an ERROR that names the metric.
 */
export declare function withDeclaredMetrics(c: Classification, reported: Readonly<Record<string, number>>, declared: readonly MetricSpec[], how: 'printed' | 'returned'): Classification;
/**
 * Classifies a shell check's run. Exit 0 is PASSED; non-zero is FAILED with the code and the
 * last meaningful line of output; a signal is CRASHED; over budget is TIMEOUT; exit 127 with
 * "not found" (the shell's "command not found") and 126 (not executable) are ERROR.
 *
 * Score: with a scoreKey, the last `<key>=<number>` printed on stdout (PASSED or FAILED); a run
 * that exits 0 without ever printing it is ERROR, because a missing score would silently count
 * as nothing. Without a scoreKey, PASSED scores 1 and FAILED 0, so scored mode works without
 * score_from. TIMEOUT, CRASHED and ERROR score null.
 */
export declare function classifyShellRun(r: SpawnResult, p: {
    timeoutMs: number;
    scoreKey: string | null;
    metrics?: readonly MetricSpec[];
}): Classification;
/**
 * Classifies a function check's run from the host's message on fd 3, never from the exit code
 * or stdout. A returned value is PASSED/FAILED (its own score, else 1/0 like a shell check); a
 * throw, an invalid return value or a broken module is ERROR; no message is CRASHED (a hard
 * exit, a signal, an OOM, or a promise that can never settle); over budget is TIMEOUT.
 */
export declare function classifyFunctionRun(r: SpawnResult, p: {
    timeoutMs: number;
    metrics?: readonly MetricSpec[];
}): Classification;
/**
 * Reads the function host's message from what arrived on fd 3. Messages are JSON lines; with a
 * nonce, only lines carrying it count (anything else was written by someone else in the
 * process: ignored, and reported in `problem`). Exactly one message must count: none is no
 * verdict, two or more is no verdict either (one of them is forged).
 */
export declare function readChannelMessage(channel: string | null, nonce: string | null): {
    message: ChannelMessage | null;
    problem: string | null;
};
/**
 * The last line of output worth showing in a reason: skips blank lines, stack frames, Node's
 * version footer and npm/yarn boilerplate, so "Error: boom" wins over "Node.js v24.1.0".
 * At most 160 characters, ANSI escapes removed; '' when nothing qualifies.
 */
export declare function lastMeaningfulLine(output: CapturedOutput): string;
