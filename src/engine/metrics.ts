/**
 * Each declared metric of a check, baseline against candidate. Pure: results in, MetricReports
 * out. The statistics live in stats.ts; this module picks the samples and words the outcome.
 */
import { formatTolerance } from './numbers.ts'
import { passedFinalAttempts } from './repeats.ts'
import { compareMetric, median } from './stats.ts'
import type { MetricReport, MetricSpec, RunResult } from './types.ts'

/**
 * The samples of one metric on one tree: one per repeat that passed (its final attempt). A
 * result without `attempts` (built in code, or reused) contributes its own value, if any.
 */
export function samplesOf(run: RunResult | null, name: string): number[] {
  if (run === null) return []
  if (run.attempts && run.attempts.length > 0) {
    return passedFinalAttempts(run.attempts)
      .map((a) => a.metrics[name])
      .filter((v): v is number => v !== undefined && Number.isFinite(v))
  }
  const value = run.metrics?.[name]
  return value !== undefined && Number.isFinite(value) ? [value] : []
}

/**
 * Every declared metric compared; a metric with no candidate samples is inconclusive.
 * `confidence` is 0.99 but at a look of an adaptive check (see sequential.ts).
 */
export function compareMetrics(
  specs: readonly MetricSpec[],
  baseline: RunResult | null,
  candidate: RunResult,
  confidence = 0.99,
): MetricReport[] {
  return specs.map((spec) =>
    compareOne(
      spec,
      samplesOf(baseline, spec.name),
      baseline !== null,
      samplesOf(candidate, spec.name),
      confidence,
    ),
  )
}

function compareOne(
  spec: MetricSpec,
  before: number[],
  hadBaseline: boolean,
  after: number[],
  confidence: number,
): MetricReport {
  const common = {
    name: spec.name,
    direction: spec.direction,
    tolerance: formatTolerance(spec.tolerance),
    deterministic: spec.deterministic,
  }
  const side = (samples: number[]) => ({
    samples,
    median: samples.length > 0 ? median(samples) : null,
  })
  if (after.length === 0 || before.length === 0) {
    const test =
      after.length === 0
        ? 'not compared: the candidate has no value (its runs did not pass)'
        : hadBaseline
          ? 'not compared: the baseline has no value (its runs did not pass)'
          : 'not compared: there is no baseline'
    return {
      ...common,
      verdict: 'inconclusive',
      baseline: hadBaseline ? side(before) : null,
      candidate: side(after),
      change_pct: null,
      ci: null,
      test,
      repeats_needed: null,
    }
  }
  const c = compareMetric(
    before,
    after,
    { direction: spec.direction, tolerance: spec.tolerance, deterministic: spec.deterministic },
    confidence,
  )
  return {
    ...common,
    verdict: c.verdict,
    baseline: side(before),
    candidate: side(after),
    change_pct: c.change_pct,
    ci: c.ci,
    test: c.test,
    repeats_needed: c.repeats_needed,
  }
}
