import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { summarizeRepeats, type AttemptRun } from '../../src/engine/repeats.ts'
import type { AttemptOutcome, MetricSpec, RunResult } from '../../src/engine/types.ts'

let clock = 0
/** One attempt as the run layer returns it. */
function attempt(outcome: AttemptOutcome, extra: Partial<RunResult> = {}): AttemptRun {
  clock += 1
  return {
    started_at: new Date(Date.UTC(2026, 10, 30, 12, 0, clock)).toISOString(),
    result: {
      outcome,
      reason: outcome === 'PASSED' ? 'exited with code 0' : `${outcome.toLowerCase()} reason`,
      score: outcome === 'PASSED' ? 1 : outcome === 'FAILED' ? 0 : null,
      duration_ms: 100 * clock,
      exit_code: outcome === 'PASSED' ? 0 : 1,
      signal: null,
      output: { head: '', tail: '', bytes: 0, truncated: false, log_path: `/logs/${clock}.log` },
      seed: `seed${clock}`,
      sandbox: 'overlay',
      ...extra,
    },
  }
}

const size: MetricSpec = {
  name: 'size_kb',
  direction: 'lower',
  tolerance: { kind: 'absolute', value: 0 },
  deterministic: true,
}
const time: MetricSpec = {
  name: 't_ms',
  direction: 'lower',
  tolerance: { kind: 'relative', fraction: 0.05 },
  deterministic: false,
}

describe('summarizeRepeats', () => {
  test('one attempt: its own result, with one attempts entry', () => {
    const only = attempt('FAILED')
    const r = summarizeRepeats([[only]])
    assert.equal(r.outcome, 'FAILED')
    assert.equal(r.reason, only.result.reason)
    assert.equal(r.attempts?.length, 1)
    assert.deepEqual(
      { ...r.attempts![0]!, metrics: undefined },
      {
        repeat: 1,
        attempt: 1,
        outcome: 'FAILED',
        reason: only.result.reason,
        seed: only.result.seed,
        started_at: only.started_at,
        duration_ms: only.result.duration_ms,
        metrics: undefined,
        log_path: only.result.output.log_path,
      },
    )
  })

  test('failed then passed on a retry is FLAKY, naming the failed attempt and its seed', () => {
    const failed = attempt('FAILED')
    const r = summarizeRepeats([[failed, attempt('PASSED')]])
    assert.equal(r.outcome, 'FLAKY')
    assert.match(r.reason, /1 of 2 attempts passed/)
    assert.ok(r.reason.includes(`attempt 1 FAILED (seed ${failed.result.seed})`), r.reason)
    assert.deepEqual(
      r.attempts?.map((a) => [a.attempt, a.outcome]),
      [
        [1, 'FAILED'],
        [2, 'PASSED'],
      ],
    )
  })

  test('failing every attempt is FAILED, never FLAKY', () => {
    const r = summarizeRepeats([[attempt('FAILED'), attempt('TIMEOUT'), attempt('FAILED')]])
    assert.equal(r.outcome, 'FAILED')
    assert.match(r.reason, /failed all 3 attempts/)
  })

  test('repeats that disagree are FLAKY; all passing is PASSED with medians', () => {
    const mixed = summarizeRepeats([[attempt('PASSED')], [attempt('FAILED')], [attempt('PASSED')]])
    assert.equal(mixed.outcome, 'FLAKY')
    assert.match(mixed.reason, /repeat 2 attempt 1 FAILED/)

    const passing = summarizeRepeats(
      [
        [attempt('PASSED', { metrics: { t_ms: 10 }, score: 3 })],
        [attempt('PASSED', { metrics: { t_ms: 30 }, score: 1 })],
        [attempt('PASSED', { metrics: { t_ms: 11 }, score: 2 })],
      ],
      [time],
    )
    assert.equal(passing.outcome, 'PASSED')
    assert.match(passing.reason, /^passed all 3 repeats/)
    assert.equal(passing.metrics?.t_ms, 11)
    assert.equal(passing.score, 2)
  })

  test('an ERROR in any repeat is ERROR, never retried away or averaged', () => {
    const r = summarizeRepeats([[attempt('PASSED')], [attempt('ERROR')], [attempt('PASSED')]])
    assert.equal(r.outcome, 'ERROR')
    assert.match(r.reason, /\(repeat 2 of 3\)$/)
  })

  test('a deterministic metric that varies is an ERROR of the check, naming the values', () => {
    const r = summarizeRepeats(
      [
        [attempt('PASSED', { metrics: { size_kb: 412 } })],
        [attempt('PASSED', { metrics: { size_kb: 413 } })],
      ],
      [size],
    )
    assert.equal(r.outcome, 'ERROR')
    assert.equal(r.declaration_error, true)
    assert.match(r.reason, /size_kb took 412, 413/)
  })

  test('the same deterministic value every time is fine', () => {
    const r = summarizeRepeats(
      [
        [attempt('PASSED', { metrics: { size_kb: 412 } })],
        [attempt('PASSED', { metrics: { size_kb: 412 } })],
      ],
      [size],
    )
    assert.equal(r.outcome, 'PASSED')
    assert.equal(r.metrics?.size_kb, 412)
  })
})
