// Issue 19, in the views: a metric with no baseline is not called inconclusive, and a function
// check's details never say an exit code decided its verdict.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { CheckReport, MetricReport, Report, RunResult } from '../../src/engine/types.ts'
import { exitPhrase } from '../../src/report/format.ts'
import { renderComment } from '../../src/report/markdown.ts'
import { renderTerminal } from '../../src/report/terminal.ts'
import { GOLDEN_CTX, loadReport } from './golden.ts'

function passedMetric(candidate: number[], baseline: number[] | null): MetricReport {
  const side = (samples: number[]) => ({
    samples,
    median: samples.length > 0 ? samples.toSorted((a, b) => a - b)[samples.length >> 1]! : null,
  })
  return {
    name: 'passed',
    direction: 'higher',
    tolerance: '0',
    deterministic: false,
    verdict: 'inconclusive',
    baseline: baseline === null ? null : side(baseline),
    candidate: side(candidate),
    change_pct: null,
    ci: null,
    test:
      baseline === null
        ? 'not compared: there is no baseline'
        : 'not compared: the baseline has no value (its runs did not pass)',
    repeats_needed: null,
  }
}

/** all-pass without a baseline, its unit_tests carrying `metric`. */
function candidateOnly(metric: MetricReport): Report {
  const report = loadReport('all-pass')
  report.trees.baseline = null
  for (const check of report.checks) {
    check.baseline = null
    check.metrics = check.name === 'unit_tests' ? [metric] : []
  }
  return report
}

describe('a metric without a baseline', () => {
  test('terminal: its value, and that there was nothing to compare it with', () => {
    const out = renderTerminal(candidateOnly(passedMetric([7], null)), { color: false })
    assert.match(
      out,
      /^ {2}METRIC\n {2}unit_tests passed 7 \(no baseline to compare with\) {2}n=1$/m,
    )
    assert.doesNotMatch(out, /inconclusive/)
  })

  test('terminal: a candidate whose runs did not pass has no value', () => {
    const out = renderTerminal(candidateOnly(passedMetric([], null)), { color: false })
    assert.match(out, /^ {2}unit_tests passed no value \(no baseline to compare with\) {2}n=0$/m)
  })

  test('terminal: with a baseline, the verdict and the reason stay', () => {
    const report = candidateOnly(passedMetric([7], []))
    const out = renderTerminal(report, { color: false })
    assert.match(
      out,
      /^ {2}inconclusive: unit_tests passed 7 \(tolerance 0\); not compared: the baseline has no value \(its runs did not pass\) {2}n=0\/1$/m,
    )
  })

  test('comment: "not compared: no baseline" instead of a verdict', () => {
    const out = renderComment(candidateOnly(passedMetric([7], null)), GOLDEN_CTX)
    assert.match(
      out,
      /\| `unit_tests` \| `passed` ↑ \| — \| 7 <sub>n=1<\/sub> \| — \| 0 \| not compared: no baseline \|/,
    )
  })
})

describe('what decided a run, in the head of its details', () => {
  const base = loadReport('all-pass').checks[2]!
  function check(kind: 'shell' | 'function', over: Partial<RunResult>): CheckReport {
    return { ...base, kind, candidate: { ...base.candidate, ...over } }
  }

  test("a function check's verdict is what it returned, never its exit code", () => {
    assert.equal(
      exitPhrase(check('function', { outcome: 'FAILED', exit_code: 0 })),
      'returned passed: false',
    )
    assert.equal(
      exitPhrase(check('function', { outcome: 'PASSED', exit_code: 0 })),
      'returned passed: true',
    )
    // Its reason says what was wrong (it threw, returned nonsense): no exit code beside it.
    assert.equal(exitPhrase(check('function', { outcome: 'ERROR', exit_code: 1 })), null)
  })

  test('a function check that died or was killed: how its process ended', () => {
    assert.equal(exitPhrase(check('function', { outcome: 'CRASHED', exit_code: 0 })), 'exit code 0')
    assert.equal(
      exitPhrase(check('function', { outcome: 'TIMEOUT', exit_code: null, signal: 'SIGTERM' })),
      'signal SIGTERM',
    )
  })

  test('FLAKY: what decided the attempt that did not pass', () => {
    const attempt = {
      repeat: 1,
      started_at: '2026-01-01T00:00:00.000Z',
      seed: 's',
      reason: 'r',
      duration_ms: 1,
      metrics: {},
      log_path: null,
    }
    const flaky = (first: 'FAILED' | 'TIMEOUT') =>
      check('function', {
        outcome: 'FLAKY',
        exit_code: first === 'FAILED' ? 0 : null,
        signal: first === 'TIMEOUT' ? 'SIGTERM' : null,
        attempts: [
          { ...attempt, attempt: 1, outcome: first },
          { ...attempt, attempt: 2, outcome: 'PASSED' },
        ],
      })
    assert.equal(exitPhrase(flaky('FAILED')), 'returned passed: false')
    assert.equal(exitPhrase(flaky('TIMEOUT')), 'signal SIGTERM')
  })

  test('a shell check: its exit, as before', () => {
    assert.equal(exitPhrase(check('shell', { outcome: 'FAILED', exit_code: 2 })), 'exit code 2')
    assert.equal(exitPhrase(check('shell', { outcome: 'PASSED', exit_code: 0 })), 'exit code 0')
  })

  test('terminal: the head of a FAILED function check', () => {
    const report = loadReport('all-pass')
    const fn = report.checks.find((c) => c.kind === 'function')!
    fn.candidate = { ...fn.candidate, outcome: 'FAILED', exit_code: 0, reason: 'lost 63 of 64' }
    report.verdict = 'block'
    const out = renderTerminal(report, { color: false })
    assert.match(
      out,
      new RegExp(`^✘ ${fn.name} {2}FAILED · returned passed: false · [\\d.]+ m?s$`, 'm'),
    )
    assert.doesNotMatch(out, /FAILED · exit code 0/)
  })
})
