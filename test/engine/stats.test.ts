import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  compareMetric,
  deterministicProblem,
  mannWhitneyQuantile,
  median,
  midranks,
  normalCdf,
  normalQuantile,
  rankSumTest,
  shiftEstimate,
  type MetricComparison,
  type MetricSpecForComparison,
} from '../../src/engine/stats.ts'

/** |actual − expected| ≤ within, with both numbers in the message. */
function near(actual: number, expected: number, within: number, what = 'value'): void {
  assert.ok(
    Math.abs(actual - expected) <= within,
    `${what}: expected ${expected} ± ${within}, got ${actual}`,
  )
}

/** A small seeded generator (mulberry32), so every "random" sample set is fixed. */
function seeded(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** n timings around `mean` with standard deviation `sd` (Box-Muller). */
function timings(random: () => number, n: number, mean: number, sd: number): number[] {
  return Array.from(
    { length: n },
    () => mean + sd * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()),
  )
}

const lowerBy5Pct: MetricSpecForComparison = {
  direction: 'lower',
  tolerance: { kind: 'relative', fraction: 0.05 },
  deterministic: false,
}

/** How often each verdict comes out over `seeds` sample sets of 7 per tree. */
function verdictCounts(
  seeds: number,
  spec: MetricSpecForComparison,
  candidateFactor: number,
): Record<MetricComparison['verdict'], number> {
  const counts = { regressed: 0, improved: 0, unchanged: 0, inconclusive: 0 }
  for (let seed = 1; seed <= seeds; seed++) {
    const random = seeded(seed)
    const baseline = timings(random, 7, 100, 3)
    const candidate = timings(random, 7, 100 * candidateFactor, 3 * candidateFactor)
    counts[compareMetric(baseline, candidate, spec).verdict]++
  }
  return counts
}

describe('median', () => {
  test('is the middle value of an odd count and the mean of the middle two of an even one', () => {
    assert.equal(median([5, 1, 3]), 3)
    assert.equal(median([4, 1, 3, 2]), 2.5)
    assert.equal(median([-2]), -2)
  })

  test('does not reorder the samples it is given', () => {
    const samples = [3, 1, 2]
    median(samples)
    assert.deepEqual(samples, [3, 1, 2])
  })

  test('of no samples is a bug, not NaN', () => {
    assert.throws(() => median([]), /median of no samples/)
  })
})

describe('deterministicProblem', () => {
  test('is null when every sample is the same', () => {
    assert.equal(deterministicProblem([412, 412, 412]), null)
    assert.equal(deterministicProblem([412]), null)
  })

  test('names the values that varied, at most five', () => {
    assert.equal(
      deterministicProblem([412, 413, 412]),
      'varied between runs: 412, 413 (in 3 samples)',
    )
    assert.equal(
      deterministicProblem([1, 2, 3, 4, 5, 6, 7]),
      'varied between runs: 1, 2, 3, 4, 5, … (in 7 samples)',
    )
  })
})

describe('the standard normal distribution', () => {
  // Reference: Abramowitz & Stegun, Handbook of Mathematical Functions, Table 26.1 (P(x) to 15
  // decimals): P(0.5) = 0.691462461274013, P(1) = 0.841344746068543, P(1.96) =
  // 0.975002104851780, P(3) = 0.998650101968370; critical values (Table 26.5 and any normal
  // table): 1.959964, 2.326348, 2.575829.
  test('matches the published table of its distribution function to 14 decimals', () => {
    near(normalCdf(0.5), 0.691462461274013, 1e-14, 'Φ(0.5)')
    near(normalCdf(-1), 1 - 0.841344746068543, 1e-14, 'Φ(−1)')
    near(normalCdf(1.96), 0.97500210485178, 1e-14, 'Φ(1.96)')
    near(normalCdf(-3), 1 - 0.99865010196837, 1e-14, 'Φ(−3)')
    // Far tail, R: pnorm(-6) = 9.865876e-10.
    near(normalCdf(-6), 9.865876e-10, 5e-17, 'Φ(−6)')
  })

  test('matches the published critical values', () => {
    near(normalQuantile(0.975), 1.959964, 1e-6, 'z 0.975')
    near(normalQuantile(0.99), 2.326348, 1e-6, 'z 0.99')
    near(normalQuantile(0.995), 2.575829, 1e-6, 'z 0.995')
    near(normalQuantile(0.005), -2.575829, 1e-6, 'z 0.005')
  })
})

describe('rankSumTest against published values', () => {
  // R documentation, ?wilcox.test (stats), two-sample example from Hollander & Wolfe (1973),
  // p. 69f: permeability constants at term (x) and at 12-26 weeks (y). R prints
  // `W = 35, p-value = 0.1272` for alternative "greater" (exact), and `W = 35, p-value = 0.1103`
  // with exact = FALSE, correct = FALSE.
  const term = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
  const early = [1.15, 0.88, 0.9, 0.74, 1.21]

  test('exact, no ties: Hollander & Wolfe in R, W = 35, p = 0.1272', () => {
    const result = rankSumTest(term, early)
    assert.equal(result.w, 35)
    assert.equal(result.exact, true)
    near(result.greater, 0.1272, 5e-5, 'p greater')
  })

  test('normal approximation without continuity correction: the same data, p = 0.1103', () => {
    const result = rankSumTest(term, early, { exact: false, correct: false })
    assert.equal(result.exact, false)
    near(result.greater, 0.1103, 5e-5, 'p greater')
  })

  // R documentation, ?wilcox.test formula example: wilcox.test(Ozone ~ Month, data = airquality,
  // subset = Month %in% c(5, 8)) prints `W = 127.5, p-value = 0.0001208` (ties, so the normal
  // approximation with continuity correction). Ozone values of R's datasets::airquality, NA
  // removed.
  test('normal approximation with ties and continuity correction: airquality, p = 0.0001208', () => {
    const may = [41, 36, 12, 18, 28, 23, 19, 8, 7, 16, 11, 14, 18, 14, 34, 6, 30, 11, 1, 11, 4]
    may.push(32, 23, 45, 115, 37)
    const august = [39, 9, 16, 78, 35, 66, 122, 89, 110, 44, 28, 65, 22, 59, 23, 31, 44, 21, 9]
    august.push(45, 168, 73, 76, 118, 84, 85)
    const result = rankSumTest(may, august, { exact: false })
    assert.equal(result.w, 127.5)
    near(result.twoSided, 0.0001208, 5e-8, 'p two-sided')
  })

  // PSIAIMS CAMIS, "R vs SAS Wilcoxon Rank-Sum Test" (Comp/r-sas-wilcoxon-ranksum_hl): birth
  // weights of babies of 14 smoking and 15 non-smoking mothers (Kirkwood & Sterne, Essentials of
  // medical statistics, Table 30.4), with ties. Two-sided p: 0.01001 (R, continuity corrected),
  // 0.009392 (R and coin, uncorrected), exact 0.008181 (coin; SAS 0.0082).
  const nonSmokers = [3.99, 3.89, 3.6, 3.73, 3.31, 3.7, 4.08, 3.61, 3.83, 3.41, 4.13, 3.36, 3.54]
  nonSmokers.push(3.51, 2.71)
  const smokers = [3.18, 2.74, 2.9, 3.27, 3.65, 3.42, 3.23, 2.86, 3.6, 3.65, 3.69, 3.53, 2.38]
  smokers.push(2.34)

  test('birth weights: normal approximation with and without continuity correction', () => {
    near(rankSumTest(smokers, nonSmokers, { exact: false }).twoSided, 0.01001, 5e-6, 'corrected')
    near(
      rankSumTest(smokers, nonSmokers, { exact: false, correct: false }).twoSided,
      0.009392,
      5e-7,
      'uncorrected',
    )
  })

  test('birth weights: the exact test with ties is the conditional one of coin and SAS', () => {
    const result = rankSumTest(smokers, nonSmokers)
    assert.equal(result.exact, true)
    near(result.twoSided, 0.008181, 5e-7, 'exact two-sided')
  })

  // SAS/STAT User's Guide, PROC NPAR1WAY, example "Hodges-Lehmann Estimation" (React data):
  // Wilcoxon scores, sum for Stim 2 = 79.50 with 6 values, so W = 79.5 − 6·7/2 = 58.5.
  const stim1 = [1.94, 1.94, 2.92, 2.92, 2.92, 2.92, 3.27, 3.27, 3.27, 3.27, 3.7, 3.7, 3.74]
  const stim2 = [3.27, 3.27, 3.27, 3.7, 3.7, 3.74]

  test('SAS React data: midranks give the published rank sum', () => {
    assert.equal(rankSumTest(stim2, stim1).w, 58.5)
    const ranks = midranks([...stim2, ...stim1])
    assert.equal(
      ranks.slice(0, 6).reduce((s, r) => s + r, 0),
      79.5,
    )
  })

  // Tables of critical values of U (reject when U ≤ the value): two-tailed α = 0.05, n1 = n2 =
  // 5..9: 2, 5, 8, 13, 17 (the widely reprinted "Critical values of Mann-Whitney U at p = 0.05
  // (two-tailed)" table); two-tailed α = 0.01: 0, 4, 7, 11 for n = 5, 7, 8, 9 (the table of
  // "critical values of the smallest rank sum for the Wilcoxon-Mann-Whitney test", rank sums
  // 15, 32, 43, 56 minus n(n+1)/2). The critical value is the largest u with P(U ≤ u) ≤ α/2.
  test('the exact distribution reproduces the published critical values of U', () => {
    const twoTailed5: Array<[number, number]> = [
      [5, 2],
      [6, 5],
      [7, 8],
      [8, 13],
      [9, 17],
    ]
    for (const [n, critical] of twoTailed5) {
      assert.equal(mannWhitneyQuantile(0.025, n, n) - 1, critical, `α 0.05, n = ${n}`)
    }
    const twoTailed1: Array<[number, number]> = [
      [5, 0],
      [7, 4],
      [8, 7],
      [9, 11],
    ]
    for (const [n, critical] of twoTailed1) {
      assert.equal(mannWhitneyQuantile(0.005, n, n) - 1, critical, `α 0.01, n = ${n}`)
    }
  })

  /** 7 low values against 7 high ones, the highest low value moved above `u` high ones: U = u. */
  function withU(u: number): [number[], number[]] {
    const high = [11, 12, 13, 14, 15, 16, 17]
    const low = [1, 2, 3, 4, 5, 6, 10.5 + u]
    return [low, high]
  }

  // n1 = n2 = 7, one-tailed α = 0.01: critical U = 6. By counting: the ways to get U = u are
  // the partitions of u into at most 7 parts of at most 7, 1, 1, 2, 3, 5, 7, 11, 15 for u = 0..7,
  // of C(14, 7) = 3432 splits: P(U ≤ 6) = 30/3432 = 0.0087, P(U ≤ 7) = 45/3432 = 0.0131.
  test('n = 7 per tree: a one-sided 1% test rejects at U = 6 and not at U = 7', () => {
    const [low6, high6] = withU(6)
    const at6 = rankSumTest(low6, high6)
    assert.equal(at6.w, 6)
    near(at6.less, 30 / 3432, 1e-15, 'P(U ≤ 6)')
    assert.ok(at6.less <= 0.01)
    const [low7, high7] = withU(7)
    const at7 = rankSumTest(low7, high7)
    assert.equal(at7.w, 7)
    near(at7.less, 45 / 3432, 1e-15, 'P(U ≤ 7)')
    assert.ok(at7.less > 0.01)
  })

  test('complete separation of 3 and 4 values: one-sided 1/35, two-sided 2/35', () => {
    const result = rankSumTest([1.1, 2.2, 3.3], [4.4, 5.5, 6.6, 7.7])
    assert.equal(result.w, 0)
    near(result.less, 1 / 35, 1e-15, 'less')
    near(result.twoSided, 2 / 35, 1e-15, 'two-sided')
    assert.equal(result.greater, 1)
  })
})

describe('shiftEstimate (Hodges-Lehmann with Moses interval)', () => {
  // x − y takes every whole number from −42 to 6 exactly once (i − 7j), so the k-th smallest
  // difference is k − 43. With 7 per side the depth is the tabled critical value plus one:
  // 99%: 4 + 1 = 5 -> [−38, 2]; 95%: 8 + 1 = 9 -> [−34, −2]. The median difference is −18.
  const x = [0, 1, 2, 3, 4, 5, 6]
  const y = [0, 7, 14, 21, 28, 35, 42]

  test('takes the tabled depth into the sorted differences', () => {
    assert.deepEqual(shiftEstimate(x, y, 0.99), { estimate: -18, interval: [-38, 2], exact: true })
    assert.deepEqual(shiftEstimate(x, y, 0.95).interval, [-34, -2])
  })

  // Published asymptotic (Moses) intervals, with ties: birth weights (as above), smokers −
  // non-smokers, 95%: R and SAS (−0.77, −0.09) (CAMIS); Hollander-Wolfe chicken data, 95%:
  // R (−0.3699774, 1.1829708), SAS (−0.37, 1.183), estimate 0.56 (CAMIS "Non-parametric point
  // estimation"); SAS React data, Stim 2 − Stim 1, 98%: (0.00, 0.82), estimate 0.35.
  test('normal depth: matches R and SAS asymptotic intervals on published tied data', () => {
    const nonSmokers = [3.99, 3.89, 3.6, 3.73, 3.31, 3.7, 4.08, 3.61, 3.83, 3.41, 4.13, 3.36]
    nonSmokers.push(3.54, 3.51, 2.71)
    const smokers = [3.18, 2.74, 2.9, 3.27, 3.65, 3.42, 3.23, 2.86, 3.6, 3.65, 3.69, 3.53, 2.38]
    smokers.push(2.34)
    const weights = shiftEstimate(smokers, nonSmokers, 0.95, { exact: false })
    near(weights.interval![0], -0.77, 1e-9, 'birth weights low')
    near(weights.interval![1], -0.09, 1e-9, 'birth weights high')

    const a = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3]
    const b = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
    const chicken = shiftEstimate(a, b, 0.95, { exact: false })
    near(chicken.estimate, 0.56, 1e-9, 'chicken estimate')
    near(chicken.interval![0], -0.3699774, 1e-4, 'chicken low (R uniroot, tol 1e-4)')
    near(chicken.interval![1], 1.1829708, 1e-4, 'chicken high (R uniroot, tol 1e-4)')

    const stim1 = [1.94, 1.94, 2.92, 2.92, 2.92, 2.92, 3.27, 3.27, 3.27, 3.27, 3.7, 3.7, 3.74]
    const stim2 = [3.27, 3.27, 3.27, 3.7, 3.7, 3.74]
    const react = shiftEstimate(stim2, stim1, 0.98, { exact: false })
    near(react.estimate, 0.35, 1e-9, 'React estimate')
    near(react.interval![0], 0, 1e-9, 'React low')
    near(react.interval![1], 0.82, 1e-9, 'React high')
  })

  test('gives no interval when the samples are too few for the confidence', () => {
    // 3 per side: the most extreme split has probability 1/20 > 0.005.
    assert.equal(shiftEstimate([1, 2, 3], [4, 5, 6], 0.99).interval, null)
    assert.notEqual(shiftEstimate([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], 0.99).interval, null)
  })
})

describe('compareMetric: statistical verdicts', () => {
  test('10% slower at 3% noise, 7 samples each, is regressed', () => {
    const random = seeded(42)
    const baseline = timings(random, 7, 100, 3)
    const candidate = timings(random, 7, 110, 3.3)
    const result = compareMetric(baseline, candidate, lowerBy5Pct)
    assert.equal(result.verdict, 'regressed')
    assert.equal(result.test, 'Mann-Whitney U (exact), Hodges-Lehmann 99% CI of the ratio')
    assert.ok(result.p_worse! < 0.01, `p_worse ${result.p_worse}`)
    assert.ok(result.ci![0] > 5 && result.ci![0] < result.ci![1], `ci ${result.ci}`)
    near(
      result.change_pct!,
      (100 * (median(candidate) - median(baseline))) / median(baseline),
      1e-9,
    )
    assert.equal(result.repeats_needed, null)
  })

  test('10% slower is regressed in nearly every one of 200 seeded sample sets', () => {
    const counts = verdictCounts(200, lowerBy5Pct, 1.1)
    assert.ok(counts.regressed >= 190, JSON.stringify(counts))
    assert.equal(counts.improved + counts.unchanged, 0, JSON.stringify(counts))
  })

  test('the same distribution is never regressed over 500 seeded sample sets', () => {
    const counts = verdictCounts(500, lowerBy5Pct, 1)
    assert.equal(counts.regressed, 0, JSON.stringify(counts))
    assert.ok(counts.improved <= 5, JSON.stringify(counts))
    assert.ok(counts.unchanged >= 25, JSON.stringify(counts))
  })

  test('10% faster is improved, with the one-sided p-value of "worse" near 1', () => {
    const random = seeded(7)
    const result = compareMetric(
      timings(random, 9, 100, 3),
      timings(random, 9, 90, 2.7),
      lowerBy5Pct,
    )
    assert.equal(result.verdict, 'improved')
    assert.ok(result.p_worse! > 0.99, `p_worse ${result.p_worse}`)
    assert.ok(result.change_pct! < -5, `change_pct ${result.change_pct}`)
    assert.ok(result.ci![0] < -5 && result.ci![1] < 0, `ci ${result.ci}`)
  })

  test('a metric where higher is better regresses when it falls', () => {
    const higher: MetricSpecForComparison = { ...lowerBy5Pct, direction: 'higher' }
    const random = seeded(42)
    const baseline = timings(random, 7, 100, 3)
    const lower = timings(random, 7, 90, 2.7)
    assert.equal(compareMetric(baseline, lower, higher).verdict, 'regressed')
    assert.equal(compareMetric(baseline, lower, lowerBy5Pct).verdict, 'improved')
    assert.equal(compareMetric(lower, baseline, higher).verdict, 'improved')
  })

  test('one wild outlier in the candidate does not make a regression', () => {
    const random = seeded(3)
    const baseline = timings(random, 9, 100, 2)
    const candidate = timings(random, 9, 100, 2)
    candidate[4] = 400
    const result = compareMetric(baseline, candidate, lowerBy5Pct)
    assert.notEqual(result.verdict, 'regressed')
    assert.ok(result.p_worse! > 0.05, `p_worse ${result.p_worse}`)
  })

  test('a shift inside the tolerance with a tight interval is unchanged', () => {
    const random = seeded(11)
    const result = compareMetric(
      timings(random, 9, 100, 0.5),
      timings(random, 9, 101, 0.5),
      lowerBy5Pct,
    )
    assert.equal(result.verdict, 'unchanged')
    assert.ok(result.ci![0] >= -5 && result.ci![1] <= 5, `ci ${result.ci}`)
    assert.equal(result.repeats_needed, null)
  })

  test('an absolute tolerance is in the unit; the interval is still reported in percent', () => {
    // heap_mb: 40 -> 41.5 MB (+3.75%), very little noise.
    const baseline = [40.0, 40.1, 39.9, 40.2, 39.8, 40.0, 40.1]
    const candidate = [41.5, 41.6, 41.4, 41.7, 41.3, 41.5, 41.4]
    const absolute = (value: number): MetricSpecForComparison => ({
      direction: 'lower',
      tolerance: { kind: 'absolute', value },
      deterministic: false,
    })
    const withinTwo = compareMetric(baseline, candidate, absolute(2))
    assert.equal(withinTwo.verdict, 'unchanged')
    assert.equal(withinTwo.test, 'Mann-Whitney U (exact), Hodges-Lehmann 99% CI of the difference')
    // The interval in MB is [1.2, 1.7]: 3% to 4.25% of 40.
    near(withinTwo.ci![0], 3, 1e-9, 'ci low')
    near(withinTwo.ci![1], 4.25, 1e-9, 'ci high')
    assert.equal(compareMetric(baseline, candidate, absolute(1)).verdict, 'regressed')
    assert.equal(compareMetric(baseline, candidate, lowerBy5Pct).verdict, 'unchanged')
    const byTwoPct = { ...lowerBy5Pct, tolerance: { kind: 'relative', fraction: 0.02 } } as const
    assert.equal(compareMetric(baseline, candidate, byTwoPct).verdict, 'regressed')
  })

  test('a regression needs the medians to have moved beyond the tolerance too', () => {
    // Significant (p ≈ 0.009) and a Hodges-Lehmann shift of +7, but the medians moved by +4
    // (10 -> 14): a reader of change_pct would see no regression at an absolute tolerance of 5.
    const baseline = [11, 7, 14, 10, 10, 0, 3]
    const candidate = [13, 9, 28, 27, 14, 15, 12]
    const spec: MetricSpecForComparison = {
      direction: 'lower',
      tolerance: { kind: 'absolute', value: 5 },
      deterministic: false,
    }
    assert.equal(shiftEstimate(candidate, baseline, 0.99).estimate, 7)
    const result = compareMetric(baseline, candidate, spec)
    assert.ok(result.p_worse! < 0.01, `p_worse ${result.p_worse}`)
    assert.equal(result.verdict, 'inconclusive')
    const atThree = { ...spec, tolerance: { kind: 'absolute', value: 3 } } as const
    assert.equal(compareMetric(baseline, candidate, atThree).verdict, 'regressed')
  })

  test('too few samples to test is inconclusive, with at least 5 repeats suggested', () => {
    const result = compareMetric([100, 101, 99], [110, 111, 109], lowerBy5Pct)
    assert.equal(result.verdict, 'inconclusive')
    assert.equal(result.ci, null)
    assert.ok(result.p_worse! > 0.01)
    assert.ok(result.repeats_needed! >= 5, `repeats_needed ${result.repeats_needed}`)
  })

  test('one sample against one different sample is inconclusive; suggests 5 repeats', () => {
    const result = compareMetric([100], [130], lowerBy5Pct)
    assert.equal(result.verdict, 'inconclusive')
    assert.equal(result.repeats_needed, 5)
    assert.equal(result.change_pct, 30)
  })

  test('repeats_needed grows with the noise and is capped at 1000 on an edge', () => {
    // The same standard draws, scaled to 3% and to 6% noise: twice the noise, about four times
    // the repeats.
    const quiet = seeded(4)
    const loud = seeded(4)
    const fewer = compareMetric(timings(quiet, 7, 100, 3), timings(quiet, 7, 100, 3), lowerBy5Pct)
    const more = compareMetric(timings(loud, 7, 100, 6), timings(loud, 7, 100, 6), lowerBy5Pct)
    assert.equal(fewer.verdict, 'inconclusive')
    assert.equal(more.verdict, 'inconclusive')
    assert.ok(fewer.repeats_needed! >= 8, `3%: ${fewer.repeats_needed}`)
    assert.ok(more.repeats_needed! > 2 * fewer.repeats_needed!, `6%: ${more.repeats_needed}`)
    // The shift estimate is exactly the tolerance (+2 of an absolute 2): no repeats decide it.
    const base = [10, 11, 12, 13, 14, 15, 16]
    const edge = compareMetric(
      base,
      base.map((v) => v + 2),
      { direction: 'lower', tolerance: { kind: 'absolute', value: 2 }, deterministic: false },
    )
    assert.equal(edge.verdict, 'inconclusive')
    assert.equal(edge.repeats_needed, 1000)
  })

  test('repeats_needed follows its documented formula', () => {
    // Baseline 7..13 and the candidate shifted by +1 or +3, tolerance ±2 (absolute): both trees
    // have a median absolute deviation of 2, so σ = 1.4826 × 2 = 2.9652.
    // +1 lies inside: d = 2 − 1 = 1, z = 2.5758 (two-sided 99%) + 0.8416 (80% power):
    //   2 × (3.4175 × 2.9652 / 1)² = 205.4 -> 206.
    // +3 lies beyond: d = 3, z = 2.3263 (one-sided 99%) + 0.8416: 2 × (3.1679 × 2.9652 / 3)² =
    //   19.6 -> 20.
    const baseline = [7, 8, 9, 10, 11, 12, 13]
    const spec: MetricSpecForComparison = {
      direction: 'lower',
      tolerance: { kind: 'absolute', value: 2 },
      deterministic: false,
    }
    const inside = compareMetric(
      baseline,
      baseline.map((v) => v + 1),
      spec,
    )
    assert.equal(inside.verdict, 'inconclusive')
    assert.equal(inside.repeats_needed, 206)
    const beyond = compareMetric(
      baseline,
      baseline.map((v) => v + 3),
      spec,
    )
    assert.equal(beyond.verdict, 'inconclusive')
    assert.equal(beyond.repeats_needed, 20)
  })

  test('the suggested repeats decide a no-change metric more often than not', () => {
    let tried = 0
    let decided = 0
    for (let seed = 1; seed <= 100; seed++) {
      const random = seeded(seed)
      const first = compareMetric(
        timings(random, 7, 100, 3),
        timings(random, 7, 100, 3),
        lowerBy5Pct,
      )
      if (first.verdict !== 'inconclusive') continue
      tried++
      const n = first.repeats_needed!
      const again = compareMetric(
        timings(random, n, 100, 3),
        timings(random, n, 100, 3),
        lowerBy5Pct,
      )
      if (again.verdict !== 'inconclusive') decided++
    }
    assert.ok(tried >= 50, `tried ${tried}`)
    assert.ok(decided / tried > 0.6, `decided ${decided} of ${tried}`)
  })

  test('a lower confidence decides what 99% does not, and says so in the test name', () => {
    const random = seeded(6)
    const baseline = timings(random, 5, 100, 3)
    const candidate = timings(random, 5, 108, 3)
    assert.equal(compareMetric(baseline, candidate, lowerBy5Pct).verdict, 'inconclusive')
    const at90 = compareMetric(baseline, candidate, lowerBy5Pct, 0.9)
    assert.equal(at90.verdict, 'regressed')
    assert.match(at90.test, /Hodges-Lehmann 90% CI/)
  })

  test('negative values: percent of |baseline|, compared in units', () => {
    // A score that rises from about −10 to about −5: better when higher.
    const baseline = [-10.2, -9.9, -10.1, -10, -9.8, -10.3, -10]
    const candidate = [-5.1, -4.9, -5, -5.2, -4.8, -5, -5.1]
    const higher = { ...lowerBy5Pct, direction: 'higher' } as const
    const result = compareMetric(baseline, candidate, higher)
    assert.equal(result.verdict, 'improved')
    assert.equal(result.change_pct, 50)
    assert.equal(result.test, 'Mann-Whitney U (exact), Hodges-Lehmann 99% CI of the difference')
    assert.ok(result.ci![0] > 40 && result.ci![1] < 60, `ci ${result.ci}`)
    assert.equal(compareMetric(baseline, candidate, lowerBy5Pct).verdict, 'regressed')
  })

  test('a baseline median of 0: no percentages, any confident change is beyond 5% of it', () => {
    const baseline = [-1, 0, 1, 0, -1, 1, 0]
    const candidate = [4, 5, 6, 5, 4, 6, 5]
    const result = compareMetric(baseline, candidate, lowerBy5Pct)
    assert.equal(result.verdict, 'regressed')
    assert.equal(result.change_pct, null)
    assert.equal(result.ci, null)
    assert.equal(result.baseline_median, 0)
  })

  test('samples that are not finite numbers are a bug of the caller', () => {
    assert.throws(() => compareMetric([], [1], lowerBy5Pct), /no baseline samples/)
    assert.throws(() => compareMetric([1], [Number.NaN], lowerBy5Pct), /not a finite number/)
    assert.throws(() => compareMetric([1], [1], lowerBy5Pct, 1), /confidence/)
  })
})

describe('compareMetric: exact verdicts', () => {
  const sizeKb = (tolerance: MetricSpecForComparison['tolerance']): MetricSpecForComparison => ({
    direction: 'lower',
    tolerance,
    deterministic: true,
  })
  const zero = sizeKb({ kind: 'absolute', value: 0 })

  test('deterministic with tolerance 0: any worse change is regressed', () => {
    const result = compareMetric([412, 412, 412], [412.1, 412.1, 412.1], zero)
    assert.equal(result.verdict, 'regressed')
    assert.equal(result.test, 'exact (deterministic)')
    assert.equal(result.p_worse, null)
    assert.equal(result.ci, null)
    assert.equal(result.repeats_needed, null)
    assert.equal(compareMetric([412], [412], zero).verdict, 'unchanged')
    assert.equal(compareMetric([412], [411.9], zero).verdict, 'improved')
  })

  test('deterministic with a tolerance: beyond it regressed or improved, within it unchanged', () => {
    const oneKb = sizeKb({ kind: 'absolute', value: 1 })
    assert.equal(compareMetric([412], [413], oneKb).verdict, 'unchanged')
    assert.equal(compareMetric([412], [413.5], oneKb).verdict, 'regressed')
    assert.equal(compareMetric([412], [410.5], oneKb).verdict, 'improved')
    const halfPct = sizeKb({ kind: 'relative', fraction: 0.005 })
    assert.equal(compareMetric([412], [414], halfPct).verdict, 'unchanged') // +0.49%
    assert.equal(compareMetric([412], [415], halfPct).verdict, 'regressed') // +0.73%
  })

  test('a change exactly at the tolerance is inside it, despite binary rounding', () => {
    const fivePct = sizeKb({ kind: 'relative', fraction: 0.05 })
    // In floating point 0.735 − 0.7 is 0.03500000000000003 and 0.05 × 0.7 is 0.034999999999999996.
    assert.equal(compareMetric([0.7], [0.735], fivePct).verdict, 'unchanged')
    assert.equal(compareMetric([0.7], [0.7351], fivePct).verdict, 'regressed')
    assert.equal(compareMetric([0.7], [0.665], fivePct).verdict, 'unchanged')
  })

  test('deterministic samples that vary are compared on their medians, without throwing', () => {
    const result = compareMetric([412, 412, 413], [414, 414, 414], zero)
    assert.equal(result.verdict, 'regressed')
    assert.equal(result.baseline_median, 412)
    assert.notEqual(deterministicProblem([412, 412, 413]), null)
  })

  test('deterministic and higher-is-better: a fall is regressed', () => {
    const coverage: MetricSpecForComparison = {
      direction: 'higher',
      tolerance: { kind: 'absolute', value: 0.5 },
      deterministic: true,
    }
    assert.equal(compareMetric([81.2], [80.5], coverage).verdict, 'regressed')
    assert.equal(compareMetric([81.2], [80.8], coverage).verdict, 'unchanged')
    assert.equal(compareMetric([81.2], [82], coverage).verdict, 'improved')
  })

  test('no spread in either tree is decided exactly, even with too few samples to test', () => {
    const steady = compareMetric([10, 10, 10], [10.4, 10.4, 10.4], lowerBy5Pct)
    assert.equal(steady.verdict, 'unchanged')
    assert.equal(steady.test, 'exact (no spread: every sample of each tree is the same)')
    assert.equal(steady.p_worse, null)
    assert.equal(compareMetric([10, 10], [11, 11], lowerBy5Pct).verdict, 'regressed')
    assert.equal(compareMetric([10, 10], [9, 9], lowerBy5Pct).verdict, 'improved')
  })

  test('one sample against one identical sample is unchanged', () => {
    const result = compareMetric([100], [100], lowerBy5Pct)
    assert.equal(result.verdict, 'unchanged')
    assert.equal(result.change_pct, 0)
  })

  test('a baseline of exactly 0: any change is beyond a relative tolerance', () => {
    const warnings = sizeKb({ kind: 'relative', fraction: 0.05 })
    const result = compareMetric([0], [1], warnings)
    assert.equal(result.verdict, 'regressed')
    assert.equal(result.change_pct, null)
    assert.equal(compareMetric([0], [0], warnings).verdict, 'unchanged')
    assert.equal(compareMetric([0], [-1], warnings).verdict, 'improved')
  })
})
