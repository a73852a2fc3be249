// The one builder of a result for a run that did not happen (src/engine/not-run.ts).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkStarted, vacuityProbeOf } from '../../src/engine/audit.ts'
import { notRunResult } from '../../src/engine/not-run.ts'

test('a run that did not happen is ERROR with its reason, no output, and counts as not started', () => {
  const result = notRunResult({
    reason: 'not run: the gate was stopped',
    seed: 'c0ffee00',
    sandbox: 'overlay',
  })
  assert.deepEqual(result, {
    outcome: 'ERROR',
    reason: 'not run: the gate was stopped',
    score: null,
    duration_ms: 0,
    exit_code: null,
    signal: null,
    output: { head: '', tail: '', bytes: 0, truncated: false, log_path: null },
    seed: 'c0ffee00',
    sandbox: 'overlay',
  })
  assert.equal(checkStarted(result), false)
  // An audit probe that never ran says nothing about the check.
  assert.equal(vacuityProbeOf('unit', 'baseline', result).vacuous, null)
})

test('a check skipped because its setup failed points at the setup’s log', () => {
  const result = notRunResult({
    reason: 'setup failed on the candidate (FAILED: exited with code 1); the check did not run',
    seed: 's',
    sandbox: 'copy',
    logPath: '/logs/run-1/candidate-setup-1.log',
  })
  assert.equal(result.output.log_path, '/logs/run-1/candidate-setup-1.log')
  assert.equal(result.outcome, 'ERROR')
})
