import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { DEFAULT_LIMITS } from '../../src/engine/limits.ts'
import type { Classification } from '../../src/engine/outcome.ts'
import type { CapturedOutput, SpawnResult } from '../../src/engine/types.ts'
import type { RunUsage } from '../../src/run/cgroup.ts'
import { LogNames, assembleRunResult, withCpuTime } from '../../src/run/sandboxed-run.ts'

const output: CapturedOutput = {
  head: 'ok\n',
  tail: '',
  bytes: 3,
  truncated: false,
  log_path: '/logs/candidate-unit-1.log',
}

const spawned: SpawnResult = {
  exitCode: 1,
  signal: null,
  timedOut: false,
  spawnError: null,
  aborted: false,
  durationMs: 1234,
  output,
  score: null,
  channel: null,
  channelNonce: null,
  killedLeftovers: false,
}

const failed: Classification = { outcome: 'FAILED', reason: 'exit 1', score: 0 }
const passed: Classification = { outcome: 'PASSED', reason: 'exit 0', score: 1 }

function usage(over: Partial<RunUsage> = {}): RunUsage {
  return { oomKilled: false, pidsLimitHit: false, memoryPeakBytes: null, cpuMs: null, ...over }
}

function assemble(classification: Classification, runUsage: RunUsage | null) {
  return assembleRunResult({
    spawned,
    classification,
    usage: runUsage,
    limits: { ...DEFAULT_LIMITS, memory_mb: 512, pids_max: 64 },
    output: { ...output, log_path: null },
    seed: 'seed-1',
    sandbox: 'overlay',
    sandboxRoot: '/tmp/quorum-x/overlay/r1/root',
  })
}

describe('assembleRunResult', () => {
  test('a run result carries the classification and what the spawn recorded', () => {
    assert.deepEqual(assemble(failed, usage()), {
      outcome: 'FAILED',
      reason: 'exit 1',
      score: 0,
      duration_ms: 1234,
      exit_code: 1,
      signal: null,
      output: { ...output, log_path: null },
      seed: 'seed-1',
      sandbox: 'overlay',
      sandbox_root: '/tmp/quorum-x/overlay/r1/root',
    })
  })

  test('a run that did not pass names every limit it hit, with the limit', () => {
    const r = assemble(failed, usage({ oomKilled: true, pidsLimitHit: true }))
    assert.equal(
      r.reason,
      'exit 1; it ran out of memory (memory_mb: 512); it hit its process limit (pids_max: 64)',
    )
  })

  test('a run that passed keeps its reason although its cgroup saw a limit hit', () => {
    assert.equal(assemble(passed, usage({ oomKilled: true })).reason, 'exit 0')
  })

  test('metrics and declaration errors are carried only when there are some', () => {
    const none = assemble({ ...passed, metrics: {} }, null)
    assert.equal('metrics' in none, false)
    assert.equal('declaration_error' in none, false)
    const some = assemble({ ...failed, metrics: { ms: 12 }, declaration_error: true }, null)
    assert.deepEqual(some.metrics, { ms: 12 })
    assert.equal(some.declaration_error, true)
  })
})

describe('withCpuTime', () => {
  test('a passing run gets its cgroup CPU time as each cpu metric, to 0.1 ms', () => {
    const c = withCpuTime({ ...passed, metrics: { rss: 3 } }, ['cpu', 'cpu2'], 12.345, null)
    assert.deepEqual(c.metrics, { rss: 3, cpu: 12.3, cpu2: 12.3 })
    assert.equal(c.outcome, 'PASSED')
  })

  test('a passing run whose CPU time could not be read is ERROR, saying why', () => {
    const c = withCpuTime(passed, ['cpu'], null, 'cgroup v2 is read-only here')
    assert.equal(c.outcome, 'ERROR')
    assert.equal(c.score, null)
    assert.match(c.reason, /^metric cpu \(source: cpu\) could not be measured: .*read-only here$/)
    const noCpuacct = withCpuTime(passed, ['cpu'], null, null)
    assert.match(noCpuacct.reason, /this machine does not count CPU time per cgroup$/)
  })

  test('a run with no cpu metric, or one that did not pass, is left as it is', () => {
    assert.equal(withCpuTime(passed, [], null, null), passed)
    assert.equal(withCpuTime(failed, ['cpu'], null, null), failed)
  })
})

test('log names count per tree and check, and never repeat', () => {
  const names = new LogNames()
  assert.equal(names.next('candidate', 'unit'), 'candidate-unit-1.log')
  assert.equal(names.next('candidate', 'unit'), 'candidate-unit-2.log')
  assert.equal(names.next('baseline', 'unit'), 'baseline-unit-1.log')
  assert.notEqual(names.next('candidate', 'a/b'), names.next('candidate', 'a_b'))
})
