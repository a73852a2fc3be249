import type { Change, CheckReport, Mode, Outcome, RunResult, Verdict } from './types.ts';
/**
 * How one check moved from baseline to candidate, and by how much its score changed.
 * Without a baseline run the change is just `passing` or `failing`.
 */
export declare function compareRuns(baseline: RunResult | null, candidate: RunResult): {
    change: Change;
    score_delta: number | null;
};
/**
 * Allow or block, with the reasons that decided it, most important first.
 *
 * pass-fail: allow iff every check PASSED on the candidate. Baseline runs, when present, do not
 * change the verdict; they only tell a regression from a failure that was already there.
 *
 * scored: allow iff every check has a baseline run, the candidate's total score is strictly
 * greater than the baseline's, and no check that PASSED on the baseline is not PASSED on the
 * candidate.
 *
 * A gate with no checks blocks: it has verified nothing.
 */
export declare function decideVerdict(mode: Mode, checks: readonly CheckReport[]): {
    verdict: Verdict;
    reasons: string[];
};
/** How many runs ended in each outcome (every outcome present, zero when none). */
export declare function countOutcomes(runs: readonly RunResult[]): Record<Outcome, number>;
/**
 * Sum of the runs' scores. A run without a score counts as 0; so does a non-finite score, so
 * that a check reporting Infinity cannot win scored mode on its own.
 */
export declare function totalScore(runs: readonly RunResult[]): number;
