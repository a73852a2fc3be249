import type { Attempt, MetricSpec, RunResult } from './types.ts';
/** One attempt as the gate ran it: the run's result and when it started. */
export interface AttemptRun {
    result: RunResult;
    started_at: string;
}
/** Outcomes a retry is worth for: the run may pass next time. ERROR never is. */
export declare function isRetryable(result: RunResult): boolean;
/** A run that counts as passing: PASSED, or FLAKY unless the config blocks on it. */
export declare function isPassing(result: RunResult | null, flaky?: 'warn' | 'block'): boolean;
/**
 * The tree's result from its repeats (each a list of attempts, the last one final).
 * With one repeat of one attempt the result is that attempt's, plus its `attempts` entry.
 */
export declare function summarizeRepeats(repeats: ReadonlyArray<ReadonlyArray<AttemptRun>>, metrics?: readonly MetricSpec[]): RunResult;
/**
 * Each declared metric's samples: one per repeat that passed, from its final attempt, in the
 * order the repeats ran.
 */
export declare function metricSamples(passedFinals: readonly RunResult[], metrics: readonly MetricSpec[]): Record<string, number[]>;
/** The final attempt of each repeat that passed, from a tree's `attempts` list. */
export declare function passedFinalAttempts(attempts: readonly Attempt[]): Attempt[];
