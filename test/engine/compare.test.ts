import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { compareRuns, countOutcomes, decideVerdict, totalScore } from '../../src/engine/compare.ts'
import type { CheckReport, MetricReport, Outcome, RunResult } from '../../src/engine/types.ts'

const REASONS: Record<Outcome, string> = {
  PASSED: 'exited with code 0',
  FAILED: 'exited with code 1',
  TIMEOUT: 'exceeded its 5 s budget',
  CRASHED: 'killed by SIGSEGV',
  ERROR: 'command not found: pytest',
  FLAKY: 'did not pass every time on the same tree: 1 of 2 attempts passed',
}

/** A complete RunResult as the run layer produces it. */
function run(outcome: Outcome, score: number | null = null, reason = REASONS[outcome]): RunResult {
  return {
    outcome,
    reason,
    score,
    duration_ms: 1200,
    exit_code: outcome === 'PASSED' ? 0 : outcome === 'FAILED' ? 1 : null,
    signal: outcome === 'CRASHED' ? 'SIGSEGV' : null,
    output: { head: '', tail: '', bytes: 0, truncated: false, log_path: null },
    seed: '42',
    sandbox: 'copy',
  }
}

/** A CheckReport as the gate assembles it, using compareRuns like the gate does. */
function check(name: string, candidate: RunResult, baseline: RunResult | null = null): CheckReport {
  return {
    name,
    kind: 'shell',
    candidate,
    baseline,
    ...compareRuns(baseline, candidate),
    reproduce: `quorum verify --candidate . --only ${name}`,
    metrics: [],
  }
}

describe('compareRuns', () => {
  const cases: Array<[Outcome | null, Outcome, string]> = [
    ['PASSED', 'PASSED', 'still-passing'],
    ['PASSED', 'FAILED', 'regressed'],
    ['PASSED', 'TIMEOUT', 'regressed'],
    ['FAILED', 'PASSED', 'fixed'],
    ['CRASHED', 'PASSED', 'fixed'],
    ['FAILED', 'ERROR', 'still-failing'],
    [null, 'PASSED', 'passing'],
    [null, 'CRASHED', 'failing'],
  ]
  for (const [before, after, change] of cases) {
    test(`${before ?? 'no baseline'} -> ${after} is ${change}`, () => {
      const baseline = before === null ? null : run(before)
      assert.equal(compareRuns(baseline, run(after)).change, change)
    })
  }

  test('score_delta is candidate minus baseline when both have scores', () => {
    assert.equal(compareRuns(run('PASSED', 3), run('PASSED', 4.5)).score_delta, 1.5)
    assert.equal(compareRuns(run('PASSED', 3), run('FAILED', 1)).score_delta, -2)
  })

  test('score_delta is null when either side has no score, or no baseline', () => {
    assert.equal(compareRuns(run('PASSED', null), run('PASSED', 4)).score_delta, null)
    assert.equal(compareRuns(run('PASSED', 3), run('PASSED', null)).score_delta, null)
    assert.equal(compareRuns(null, run('PASSED', 4)).score_delta, null)
  })
})

describe('decideVerdict in pass-fail mode', () => {
  test('allows when every check passed on the candidate', () => {
    const checks = ['types', 'lint', 'unit_tests', 'e2e'].map((n) => check(n, run('PASSED')))
    assert.deepEqual(decideVerdict('pass-fail', checks), {
      verdict: 'allow',
      reasons: ['all 4 checks passed on the candidate'],
    })
  })

  test('a single passing check reads naturally', () => {
    assert.deepEqual(decideVerdict('pass-fail', [check('types', run('PASSED'))]), {
      verdict: 'allow',
      reasons: ['the only check passed on the candidate'],
    })
  })

  test('blocks naming each failing check with its outcome and reason', () => {
    const checks = [
      check('types', run('PASSED')),
      check('unit_tests', run('FAILED')),
      check('fuzz', run('TIMEOUT')),
    ]
    assert.deepEqual(decideVerdict('pass-fail', checks), {
      verdict: 'block',
      reasons: [
        'unit_tests FAILED on the candidate: exited with code 1',
        'fuzz TIMEOUT on the candidate: exceeded its 5 s budget',
      ],
    })
  })

  test('with a baseline, regressions come first and pre-existing failures are named as such', () => {
    const checks = [
      check('lint', run('FAILED'), run('FAILED')),
      check('types', run('PASSED'), run('PASSED')),
      check('unit_tests', run('CRASHED'), run('PASSED')),
    ]
    assert.deepEqual(decideVerdict('pass-fail', checks), {
      verdict: 'block',
      reasons: [
        'unit_tests CRASHED on the candidate: killed by SIGSEGV (it PASSED on the baseline)',
        'lint FAILED on the candidate: exited with code 1 (lint was already failing on the baseline: FAILED)',
      ],
    })
  })

  test('a failure already present on the baseline still blocks: the candidate alone decides', () => {
    const checks = [check('lint', run('FAILED'), run('FAILED'))]
    assert.equal(decideVerdict('pass-fail', checks).verdict, 'block')
  })

  test('fixed checks are mentioned after the verdict reason', () => {
    const checks = [
      check('lint', run('PASSED'), run('ERROR')),
      check('types', run('PASSED'), run('PASSED')),
    ]
    assert.deepEqual(decideVerdict('pass-fail', checks), {
      verdict: 'allow',
      reasons: [
        'all 2 checks passed on the candidate',
        'fixed: lint (ERROR on the baseline, PASSED now)',
      ],
    })
  })

  test('no checks blocks: nothing was verified', () => {
    assert.deepEqual(decideVerdict('pass-fail', []), {
      verdict: 'block',
      reasons: ['no checks ran, so nothing was verified'],
    })
  })
})

describe('decideVerdict in scored mode', () => {
  test('allows a strictly higher total with no regression', () => {
    const checks = [
      check('speed', run('PASSED', 2), run('PASSED', 1.5)),
      check('accuracy', run('PASSED', 2), run('PASSED', 2)),
    ]
    assert.deepEqual(decideVerdict('scored', checks), {
      verdict: 'allow',
      reasons: ['score 3.5 → 4 (+0.5)'],
    })
  })

  test('blocks an equal score', () => {
    const checks = [check('speed', run('PASSED', 4), run('PASSED', 4))]
    assert.deepEqual(decideVerdict('scored', checks), {
      verdict: 'block',
      reasons: ['score did not improve: 4 → 4'],
    })
  })

  test('blocks a lower score, showing the drop', () => {
    const checks = [check('speed', run('PASSED', 3.5), run('PASSED', 4))]
    assert.deepEqual(decideVerdict('scored', checks), {
      verdict: 'block',
      reasons: ['score did not improve: 4 → 3.5 (−0.5)'],
    })
  })

  test('blocks a higher score that broke a check that passed on the baseline', () => {
    const checks = [
      check('speed', run('PASSED', 10), run('PASSED', 1)),
      check('x', run('TIMEOUT'), run('PASSED', 1)),
    ]
    assert.deepEqual(decideVerdict('scored', checks), {
      verdict: 'block',
      reasons: ['regressed: x (PASSED → TIMEOUT: exceeded its 5 s budget)', 'score 2 → 10 (+8)'],
    })
  })

  test('a check that was already failing may keep failing', () => {
    const checks = [
      check('speed', run('PASSED', 2), run('PASSED', 1)),
      check('flaky', run('ERROR'), run('FAILED')),
    ]
    assert.equal(decideVerdict('scored', checks).verdict, 'allow')
  })

  test('blocks when a check has no baseline run', () => {
    const checks = [
      check('speed', run('PASSED', 2), run('PASSED', 1)),
      check('new_a', run('PASSED', 1)),
      check('new_b', run('PASSED', 1)),
    ]
    assert.deepEqual(decideVerdict('scored', checks), {
      verdict: 'block',
      reasons: [
        'scored mode needs a baseline run of every check to compare against; none for new_a, new_b',
      ],
    })
  })

  test('floating-point noise is not an improvement, and totals print rounded', () => {
    const checks = [
      check('a', run('PASSED', 0.1), run('PASSED', 0.3)),
      check('b', run('PASSED', 0.2), run('PASSED', 0)),
    ]
    assert.deepEqual(decideVerdict('scored', checks), {
      verdict: 'block',
      reasons: ['score did not improve: 0.3 → 0.3'],
    })
  })

  test('a small real improvement still counts', () => {
    const checks = [check('a', run('PASSED', 0.0011), run('PASSED', 0.001))]
    assert.deepEqual(decideVerdict('scored', checks), {
      verdict: 'allow',
      reasons: ['score 0.001 → 0.0011 (+0.0001)'],
    })
  })

  test('missing scores count as 0', () => {
    const checks = [
      check('scored', run('PASSED', 1), run('PASSED', null)),
      check('plain', run('PASSED', null), run('PASSED', null)),
    ]
    assert.deepEqual(decideVerdict('scored', checks), {
      verdict: 'allow',
      reasons: ['score 0 → 1 (+1)'],
    })
  })
})

describe('countOutcomes', () => {
  test('counts every outcome, zero when absent', () => {
    const runs = [run('PASSED'), run('PASSED'), run('TIMEOUT'), run('ERROR'), run('FLAKY')]
    assert.deepEqual(countOutcomes(runs), {
      PASSED: 2,
      FAILED: 0,
      TIMEOUT: 1,
      CRASHED: 0,
      ERROR: 1,
      FLAKY: 1,
    })
  })

  test('no runs', () => {
    assert.deepEqual(countOutcomes([]), {
      PASSED: 0,
      FAILED: 0,
      TIMEOUT: 0,
      CRASHED: 0,
      ERROR: 0,
      FLAKY: 0,
    })
  })
})

describe('totalScore', () => {
  test('sums scores, counting null as 0', () => {
    assert.equal(totalScore([run('PASSED', 1.5), run('FAILED', null), run('PASSED', 2)]), 3.5)
  })

  test('ignores non-finite scores, so Infinity cannot win scored mode', () => {
    assert.equal(
      totalScore([run('PASSED', Infinity), run('PASSED', Number.NaN), run('PASSED', 1)]),
      1,
    )
  })

  test('negative scores count', () => {
    assert.equal(totalScore([run('PASSED', -2), run('PASSED', 1)]), -1)
  })
})

describe('FLAKY in every mode', () => {
  const flaky = () => check('unit', run('FLAKY'), run('PASSED'))
  for (const mode of ['pass-fail', 'scored', 'no-regression'] as const) {
    test(`${mode}: flaky warn allows and names the check; flaky block blocks`, () => {
      const other = check('lint', run('PASSED', 1), run('PASSED', 0))
      const warn = decideVerdict(mode, [flaky(), other], { flaky: 'warn' })
      if (mode !== 'scored') assert.equal(warn.verdict, 'allow', warn.reasons.join('\n'))
      assert.ok(warn.reasons.some((r) => r.startsWith('FLAKY (not blocking): unit')))
      const block = decideVerdict(mode, [flaky(), other], { flaky: 'block' })
      assert.equal(block.verdict, 'block')
      assert.ok(
        block.reasons.some((r) => /\bunit\b.*FLAKY/.test(r)),
        block.reasons.join('\n'),
      )
    })
  }

  test('a FLAKY baseline counts as passing: a FAILED candidate then regressed', () => {
    const v = decideVerdict('no-regression', [check('unit', run('FAILED'), run('FLAKY'))])
    assert.equal(v.verdict, 'block')
    assert.match(v.reasons[0]!, /^regressed: unit FAILED on the candidate/)
  })
})

describe('no-regression', () => {
  const metric = (verdict: MetricReport['verdict']): MetricReport => ({
    name: 'parse_ms',
    direction: 'lower',
    tolerance: '5%',
    deterministic: false,
    verdict,
    baseline: { samples: [10, 10.2, 9.9], median: 10 },
    candidate: { samples: [11, 11.2, 10.9], median: 11 },
    change_pct: 10,
    ci: [8, 12],
    test: 'test',
    repeats_needed: verdict === 'inconclusive' ? 15 : null,
  })
  const withMetric = (verdict: MetricReport['verdict']) => ({
    ...check('bench', run('PASSED'), run('PASSED')),
    metrics: [metric(verdict)],
  })

  test('a failure the baseline already had is shown and does not block', () => {
    const v = decideVerdict('no-regression', [
      check('lint', run('FAILED'), run('FAILED')),
      check('unit', run('PASSED'), run('PASSED')),
    ])
    assert.equal(v.verdict, 'allow')
    assert.ok(v.reasons.some((r) => r.startsWith('not blocking: lint was already FAILED')))
  })

  test('pass-fail blocks on the same pre-existing failure', () => {
    const v = decideVerdict('pass-fail', [check('lint', run('FAILED'), run('FAILED'))])
    assert.equal(v.verdict, 'block')
  })

  test('a check that passed on the baseline and fails now blocks', () => {
    const v = decideVerdict('no-regression', [check('unit', run('TIMEOUT'), run('PASSED'))])
    assert.equal(v.verdict, 'block')
  })

  test('without a baseline every check must pass', () => {
    assert.equal(decideVerdict('no-regression', [check('unit', run('FAILED'))]).verdict, 'block')
    assert.equal(decideVerdict('no-regression', [check('unit', run('PASSED'))]).verdict, 'allow')
  })

  test('a regressed metric blocks; improved, unchanged and inconclusive do not', () => {
    const regressed = decideVerdict('no-regression', [withMetric('regressed')])
    assert.equal(regressed.verdict, 'block')
    assert.match(
      regressed.reasons[0]!,
      /^regressed: bench parse_ms 10 → 11 \(\+10%, 99% CI \+8% … \+12%, tolerance 5%\)/,
    )
    for (const v of ['improved', 'unchanged', 'inconclusive'] as const) {
      assert.equal(decideVerdict('no-regression', [withMetric(v)]).verdict, 'allow', v)
    }
    const inconclusive = decideVerdict('no-regression', [withMetric('inconclusive')])
    assert.ok(inconclusive.reasons.some((r) => r.includes('about 15 repeats per tree')))
  })

  test('a declaration error blocks even when the baseline had it too', () => {
    const broken = {
      ...run('ERROR', null, 'metric parse_ms never printed'),
      declaration_error: true,
    }
    const v = decideVerdict('no-regression', [check('bench', broken, { ...broken })])
    assert.equal(v.verdict, 'block')
    assert.match(v.reasons[0]!, /declaration/)
  })
})
