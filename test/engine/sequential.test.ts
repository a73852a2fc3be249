// The adaptive repeats' plan and stopping rule (src/engine/sequential.ts): pure functions.
// The error rate they promise is measured in `npm run bench` (a simulation), not here.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  describeLook,
  fitsTimeBudget,
  sequentialDesign,
  shouldLookAgain,
} from '../../src/engine/sequential.ts'
import type { MetricReport, MetricSpec } from '../../src/engine/types.ts'

describe('sequentialDesign', () => {
  test('repeats: auto looks at 9, 14, 21, 32 and 45 repeats, spending 1% in shares of the samples', () => {
    const d = sequentialDesign(9, 45)
    assert.deepEqual(d.looks, [9, 14, 21, 32, 45])
    const shares = [9, 5, 7, 11, 13].map((n) => (0.01 * n) / 45)
    d.alphas.forEach((a, i) => assert.ok(Math.abs(a - shares[i]!) < 1e-15, `look ${i}`))
    assert.ok(Math.abs(d.alphas.reduce((s, a) => s + a, 0) - 0.01) < 1e-15)
  })

  test('each look adds at least two repeats, and the last one is max_repeats exactly', () => {
    assert.deepEqual(sequentialDesign(1, 6).looks, [1, 3, 5, 6])
    assert.deepEqual(sequentialDesign(5, 6).looks, [5, 6])
    assert.deepEqual(sequentialDesign(7, 7).looks, [7])
    assert.deepEqual(sequentialDesign(7, 7).alphas, [0.01])
  })

  test('refuses a design it cannot plan', () => {
    assert.throws(() => sequentialDesign(9, 5), RangeError)
    assert.throws(() => sequentialDesign(0, 5), RangeError)
  })

  test('describes a look with its share of the budget', () => {
    assert.equal(
      describeLook(sequentialDesign(9, 45), 1),
      'sequential look 2 of 5 at 14 repeats (α 0.111% here, 1% in all)',
    )
  })
})

describe('shouldLookAgain', () => {
  const design = sequentialDesign(5, 12)
  const spec = (name: string, deterministic = false): MetricSpec => ({
    name,
    direction: 'lower',
    tolerance: { kind: 'relative', fraction: 0.1 },
    deterministic,
  })
  const report = (
    name: string,
    verdict: MetricReport['verdict'],
    p: { baseline?: number[] | null; candidate?: number[]; deterministic?: boolean } = {},
  ): MetricReport => ({
    name,
    direction: 'lower',
    tolerance: '10%',
    deterministic: p.deterministic ?? false,
    verdict,
    baseline: p.baseline === null ? null : { samples: p.baseline ?? [1, 2], median: 1.5 },
    candidate: { samples: p.candidate ?? [1, 2], median: 1.5 },
    change_pct: 0,
    ci: null,
    test: 'x',
    repeats_needed: null,
  })

  test('looks again while a metric that varies is inconclusive and looks are left', () => {
    const specs = [spec('ms'), spec('size', true)]
    assert.deepEqual(
      shouldLookAgain(design, 0, specs, [
        report('ms', 'inconclusive'),
        report('size', 'unchanged', { deterministic: true }),
      ]),
      { again: true },
    )
    assert.deepEqual(shouldLookAgain(design, 2, specs, [report('ms', 'inconclusive')]), {
      again: false,
      stop: 'max-repeats',
    })
  })

  test('stops when every metric that varies is decided; a deterministic one does not count', () => {
    const specs = [spec('ms'), spec('size', true)]
    assert.deepEqual(
      shouldLookAgain(design, 0, specs, [
        report('ms', 'regressed'),
        report('size', 'inconclusive', { deterministic: true }),
      ]),
      { again: false, stop: 'decided' },
    )
  })

  test('stops when a tree has no samples (its runs did not pass, or there is no baseline)', () => {
    const specs = [spec('ms')]
    for (const r of [
      report('ms', 'inconclusive', { candidate: [] }),
      report('ms', 'inconclusive', { baseline: [] }),
      report('ms', 'inconclusive', { baseline: null }),
    ]) {
      assert.deepEqual(shouldLookAgain(design, 0, specs, [r]), {
        again: false,
        stop: 'not-passing',
      })
    }
  })
})

describe('fitsTimeBudget', () => {
  test('judges the next pairs by the mean pair so far', () => {
    assert.equal(
      fitsTimeBudget({ pairsRun: 5, elapsedMs: 10_000, pairsNext: 3, budgetMs: 16_000 }),
      true,
    )
    assert.equal(
      fitsTimeBudget({ pairsRun: 5, elapsedMs: 10_000, pairsNext: 3, budgetMs: 15_999 }),
      false,
    )
    assert.equal(fitsTimeBudget({ pairsRun: 0, elapsedMs: 0, pairsNext: 3, budgetMs: 1 }), true)
  })
})
