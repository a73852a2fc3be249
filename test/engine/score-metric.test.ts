// Issue 19: `score_from: k` is the metric k as well (direction higher) and its value is the
// score. On plain data, the way the gate chains it: config -> a run's classification -> the
// tree's result over its repeats -> the metric compared -> the verdict, in every mode.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { compareRuns, decideVerdict } from '../../src/engine/compare.ts'
import { parseConfig } from '../../src/engine/config.ts'
import { compareMetrics } from '../../src/engine/metrics.ts'
import { classifyShellRun } from '../../src/engine/outcome.ts'
import { summarizeRepeats, type AttemptRun } from '../../src/engine/repeats.ts'
import type {
  CheckReport,
  CheckSpec,
  Mode,
  RunResult,
  ShellCheckSpec,
  SpawnResult,
} from '../../src/engine/types.ts'

/** The example's check, as examples/quorum.yml declares it (shortened). */
function unitTests(extra = ''): ShellCheckSpec {
  const config = parseConfig(
    `checks:\n  - name: unit_tests\n    command: "node --test"\n    score_from: passed\n${extra}`,
    '/repo/quorum.yml',
  )
  const check = config.checks[0] as CheckSpec
  assert.equal(check.kind, 'shell')
  return check as ShellCheckSpec
}

/** What the process layer hands over for a run that printed `lines` and exited with `code`. */
function spawned(code: number, lines: string[], scanned: Record<string, number>): SpawnResult {
  const text = lines.map((l) => `${l}\n`).join('')
  return {
    exitCode: code,
    signal: null,
    timedOut: false,
    spawnError: null,
    aborted: false,
    durationMs: 40,
    output: { head: text, tail: '', bytes: text.length, truncated: false, log_path: null },
    // As spawnBounded does: the score is the score key's scanned value (the last one printed).
    score:
      scanned['passed'] !== undefined && Number.isFinite(scanned['passed'])
        ? scanned['passed']
        : null,
    metrics: scanned,
    channel: null,
    channelNonce: null,
    killedLeftovers: false,
  }
}

let clock = 0
/** One run of the check, classified and shaped as the workspace does it. */
function runOnce(spec: ShellCheckSpec, code: number, passed: number | null): AttemptRun {
  const printed = passed === null ? [] : [`passed=${passed}`]
  const r = spawned(code, ['ok 1 - a test', ...printed], passed === null ? {} : { passed })
  const c = classifyShellRun(r, {
    timeoutMs: spec.timeout_s * 1000,
    scoreKey: spec.score_from,
    metrics: spec.metrics,
  })
  const result: RunResult = {
    outcome: c.outcome,
    reason: c.reason,
    score: c.score,
    ...(c.metrics && Object.keys(c.metrics).length > 0 ? { metrics: c.metrics } : {}),
    duration_ms: r.durationMs,
    exit_code: r.exitCode,
    signal: r.signal,
    output: r.output,
    seed: `s${++clock}`,
    sandbox: 'copy',
  }
  return { result, started_at: new Date(Date.UTC(2026, 0, 1, 0, 0, clock)).toISOString() }
}

/** A tree's result: one repeat per value, each a single attempt that exited 0. */
function tree(spec: ShellCheckSpec, values: number[]): RunResult {
  return summarizeRepeats(
    values.map((v) => [runOnce(spec, 0, v)]),
    spec.metrics ?? [],
  )
}

function report(
  spec: ShellCheckSpec,
  baseline: RunResult | null,
  candidate: RunResult,
): CheckReport {
  return {
    name: spec.name,
    kind: 'shell',
    candidate,
    baseline,
    ...compareRuns(baseline, candidate),
    reproduce: 'quorum verify',
    metrics: compareMetrics(spec.metrics ?? [], baseline, candidate),
  }
}

describe('score_from is a metric whose samples are the scores', () => {
  test('the config declares it: direction higher, tolerance 0', () => {
    assert.deepEqual(unitTests().metrics, [
      {
        name: 'passed',
        direction: 'higher',
        tolerance: { kind: 'absolute', value: 0 },
        deterministic: false,
        from_score: true,
      },
    ])
  })

  test("one run: the attempt's metric is the score, the last passed=<n> printed", () => {
    const spec = unitTests()
    const r = spawned(0, ['passed=6', '# pass 7', 'passed=7'], { passed: 7 })
    const c = classifyShellRun(r, { timeoutMs: 60_000, scoreKey: 'passed', metrics: spec.metrics })
    assert.deepEqual(c, {
      outcome: 'PASSED',
      reason: 'exited with code 0; passed=7',
      score: 7,
      metrics: { passed: 7 },
    })
    const result = tree(spec, [7])
    assert.equal(result.score, 7)
    assert.deepEqual(result.attempts?.[0]?.metrics, { passed: 7 })
  })

  test('a candidate-only run: the candidate has its sample, and there is no baseline', () => {
    const spec = unitTests()
    const [m] = compareMetrics(spec.metrics ?? [], null, tree(spec, [7]))
    assert.deepEqual(m!.candidate, { samples: [7], median: 7 })
    assert.equal(m!.baseline, null)
    assert.equal(m!.test, 'not compared: there is no baseline')
  })

  test('both trees: each has its sample, and they are compared', () => {
    const spec = unitTests()
    const [m] = compareMetrics(spec.metrics ?? [], tree(spec, [5]), tree(spec, [7]))
    assert.deepEqual(m!.baseline, { samples: [5], median: 5 })
    assert.deepEqual(m!.candidate, { samples: [7], median: 7 })
    assert.equal(m!.change_pct, 40)
    assert.doesNotMatch(m!.test, /not compared/)
  })

  test('repeats: one sample per repeat, and the score is their median', () => {
    const spec = unitTests('    repeats: 3\n')
    const result = tree(spec, [7, 5, 6])
    assert.equal(result.score, 6)
    assert.deepEqual(result.metrics, { passed: 6 })
    const [m] = compareMetrics(spec.metrics ?? [], null, result)
    assert.deepEqual(m!.candidate, { samples: [7, 5, 6], median: 6 })
    assert.equal(m!.candidate.median, result.score)
  })

  test('a run that failed keeps its printed value, but only runs that passed are samples', () => {
    const spec = unitTests()
    const failed = runOnce(spec, 1, 4)
    assert.equal(failed.result.score, 4)
    assert.deepEqual(failed.result.metrics, { passed: 4 })
    const result = summarizeRepeats([[failed]], spec.metrics ?? [])
    const [m] = compareMetrics(spec.metrics ?? [], null, result)
    assert.deepEqual(m!.candidate, { samples: [], median: null })
  })

  test('a run that passed without printing it stays ERROR, named once', () => {
    const spec = unitTests()
    const run = runOnce(spec, 0, null)
    assert.equal(run.result.outcome, 'ERROR')
    assert.equal(
      run.result.reason,
      "score_from 'passed' was never printed as passed=<number> on stdout",
    )
    assert.equal(run.result.metrics, undefined)
  })

  test('declared in metrics as well: that declaration wins, and it still gets the score', () => {
    const spec = unitTests(
      '    metrics:\n      passed: { direction: higher, tolerance: 1, deterministic: true }\n      t_ms: { direction: lower }\n',
    )
    const r = spawned(0, ['t_ms=12', 'passed=7'], { passed: 7, t_ms: 12 })
    const c = classifyShellRun(r, { timeoutMs: 60_000, scoreKey: 'passed', metrics: spec.metrics })
    assert.deepEqual(c.metrics, { passed: 7, t_ms: 12 })
    assert.deepEqual(Object.keys(c.metrics!), ['passed', 't_ms'])
  })

  for (const mode of ['pass-fail', 'scored', 'no-regression'] as Mode[]) {
    test(`${mode}: the metric has its samples on both trees, and the verdict reads the scores`, () => {
      const spec = unitTests()
      const check = report(spec, tree(spec, [5]), tree(spec, [7]))
      const [m] = check.metrics!
      assert.deepEqual(m!.baseline?.samples, [5])
      assert.deepEqual(m!.candidate.samples, [7])
      assert.equal(check.score_delta, 2)
      const { verdict, reasons } = decideVerdict(mode, [check])
      assert.equal(verdict, 'allow', reasons.join('; '))
      assert.doesNotMatch(reasons.join('\n'), /no value/)
    })
  }
})
