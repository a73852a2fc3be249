// Issue 19 through the gate, with real runs: a `score_from` value is the metric's sample on each
// tree it ran on, in every mode, and the same number as the score.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { parseConfig } from '../src/engine/config.ts'
import type { Mode } from '../src/engine/types.ts'
import { runGate } from '../src/gate.ts'

const root = mkdtempSync(join(tmpdir(), 'quorum-score-metric-'))
after(() => rmSync(root, { recursive: true, force: true }))

function tree(name: string, passed: number): string {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'n.txt'), `${passed}\n`)
  return dir
}
const baseline = tree('baseline', 5)
const candidate = tree('candidate', 7)

const CONFIG = `checks:
  - name: unit_tests
    command: 'echo "passed=$(( $(cat n.txt) - 1 ))"; echo "# pass $(cat n.txt)"; echo "passed=$(cat n.txt)"'
    score_from: passed
    repeats: 2
`

async function gate(mode: Mode, withBaseline: boolean) {
  const report = await runGate({
    config: parseConfig(CONFIG, join(root, 'quorum.yml')),
    candidateDir: candidate,
    baselineDir: withBaseline ? baseline : null,
    mode,
    sandbox: 'copy',
    logDir: join(root, 'logs'),
    seed: '5eed0001',
  })
  const check = report.checks.find((c) => c.name === 'unit_tests')!
  return { report, check, metric: check.metrics!.find((m) => m.name === 'passed')! }
}

describe('score_from values are the samples of its metric', () => {
  for (const mode of ['pass-fail', 'scored', 'no-regression'] as Mode[]) {
    test(`${mode}, both trees: one sample per repeat on each, equal to the score`, async () => {
      const { report, check, metric } = await gate(mode, true)
      assert.equal(report.verdict, 'allow', report.reasons.join('; '))
      assert.deepEqual(metric.baseline, { samples: [5, 5], median: 5 })
      assert.deepEqual(metric.candidate, { samples: [7, 7], median: 7 })
      assert.equal(check.baseline?.score, 5)
      assert.equal(check.candidate.score, 7)
      for (const a of check.candidate.attempts ?? []) assert.deepEqual(a.metrics, { passed: 7 })
      assert.equal(metric.change_pct, 40)
      assert.doesNotMatch(metric.test, /not compared/)
    })
  }

  for (const mode of ['pass-fail', 'no-regression'] as Mode[]) {
    test(`${mode}, candidate only: the candidate's samples, no baseline`, async () => {
      const { report, check, metric } = await gate(mode, false)
      assert.equal(report.verdict, 'allow', report.reasons.join('; '))
      assert.equal(metric.baseline, null)
      assert.deepEqual(metric.candidate, { samples: [7, 7], median: 7 })
      assert.equal(metric.candidate.median, check.candidate.score)
      assert.equal(metric.test, 'not compared: there is no baseline')
    })
  }
})
