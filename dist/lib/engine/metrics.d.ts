import type { MetricReport, MetricSpec, RunResult } from './types.ts';
/**
 * The samples of one metric on one tree: one per repeat that passed (its final attempt). A
 * result without `attempts` (built in code, or reused) contributes its own value, if any.
 */
export declare function samplesOf(run: RunResult | null, name: string): number[];
/**
 * Every declared metric compared; a metric with no candidate samples is inconclusive.
 * `confidence` is 0.99 but at a look of an adaptive check (see sequential.ts).
 */
export declare function compareMetrics(specs: readonly MetricSpec[], baseline: RunResult | null, candidate: RunResult, confidence?: number): MetricReport[];
