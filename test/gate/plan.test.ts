// The gate's plan (src/gate/plan.ts), pure: a quorum.yml's text in, the runs to do out. No
// sandbox, no subprocess.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseConfig } from '../../src/engine/config.ts'
import { checksInShard } from '../../src/engine/shard.ts'
import type { GateConfig, RunResult } from '../../src/engine/types.ts'
import { GateUsageError } from '../../src/gate/options.ts'
import { chooseMode, planGate, selectChecks, type GatePlan } from '../../src/gate/plan.ts'
import { runKey } from '../../src/cache/reuse.ts'

const QUORUM_YML = `mode: no-regression
parallel: 3
checks:
  - name: types
    command: npx tsc --noEmit
  - name: unit
    command: npm test
    retries: 2
  - name: bench
    command: node bench.mjs
    repeats: 3
    metrics:
      parse_ms: { direction: lower, tolerance: 5% }
  - name: size
    command: node size.mjs
    metrics:
      size_kb: { direction: lower, tolerance: 0, deterministic: true }
`

const config = (text = QUORUM_YML): GateConfig => parseConfig(text, '/repo/quorum.yml')
const BOTH = { baseline: '/work/base', candidate: '/work/pr' }
const ALONE = { baseline: null, candidate: '/work/pr' }

/** A consistent result as the cache returns it. */
function cached(outcome: 'PASSED' | 'FAILED'): RunResult {
  return {
    outcome,
    reason: outcome === 'PASSED' ? 'exited with code 0' : 'exited with code 1',
    score: null,
    duration_ms: 1200,
    exit_code: outcome === 'PASSED' ? 0 : 1,
    signal: null,
    output: { head: '', tail: '', bytes: 0, truncated: false, log_path: null },
    seed: '0badcafe',
    sandbox: 'overlay',
    reused_from: {
      cache: 'local',
      location: '/repo/.quorum/cache',
      stored_at: '2026-01-01T00:00:00.000Z',
      key: 'k',
    },
  }
}

function plan(p: {
  config?: GateConfig
  dirs?: typeof BOTH | typeof ALONE
  only?: string[]
  skip?: string[]
  reused?: Map<string, RunResult>
  parallel?: number | null
  audit?: GatePlan['audits'] | null
  auditDefault?: GatePlan['audits'] | null
}): GatePlan {
  const cfg = p.config ?? config()
  return planGate({
    mode: cfg.mode,
    config: cfg,
    selection: selectChecks(cfg, { only: p.only ?? null, skip: p.skip ?? null }),
    dirs: p.dirs ?? BOTH,
    reused: p.reused ?? null,
    asked: {
      parallel: p.parallel ?? null,
      audit: p.audit ?? null,
      auditDefault: p.auditDefault ?? null,
    },
    cpus: 8,
  })
}

/** The jobs as `tree:check#repeat`, in the order they start. */
const order = (p: GatePlan) => p.jobs.map((j) => `${j.role}:${j.check.name}#${j.repeat}`)

describe('the mode', () => {
  test("is the config's unless the caller overrides it", () => {
    assert.equal(chooseMode(config(), null, '/base'), 'no-regression')
    assert.equal(chooseMode(config(), 'pass-fail', null), 'pass-fail')
  })

  test('scored without a baseline is a usage error, before anything runs', () => {
    assert.throws(
      () => chooseMode(config(), 'scored', null),
      (error: unknown) =>
        error instanceof GateUsageError &&
        error.message === 'scored mode needs a baseline tree (--baseline DIR)',
    )
  })
})

describe('which checks run', () => {
  test('all of them in config order; --only narrows, --skip removes and is listed', () => {
    const all = selectChecks(config(), {})
    assert.deepEqual(
      all.checks.map((c) => c.name),
      ['types', 'unit', 'bench', 'size'],
    )
    assert.deepEqual(all.allChecks, ['types', 'unit', 'bench', 'size'])
    assert.deepEqual(all.skipped, [])
    assert.equal(all.shard, null)

    const some = selectChecks(config(), { only: ['size', 'unit', 'types'], skip: ['types'] })
    assert.deepEqual(
      some.checks.map((c) => c.name),
      ['unit', 'size'],
    )
    assert.deepEqual(some.skipped, ['types'])
  })

  test('a name the config does not know is a usage error naming the known ones', () => {
    assert.throws(
      () => selectChecks(config(), { only: ['unit', 'lint'], skip: ['lint', 'e2e'] }),
      (error: unknown) =>
        error instanceof GateUsageError &&
        error.message === 'unknown check "lint", "e2e" (known: types, unit, bench, size)',
    )
  })

  test('a config without checks is a usage error', () => {
    assert.throws(
      () => selectChecks({ ...config(), checks: [] }, {}),
      (error: unknown) =>
        error instanceof GateUsageError && error.message === 'the config defines no checks',
    )
  })

  test("a shard runs its share of the suite and records the share's size", () => {
    const names = ['types', 'unit', 'bench', 'size']
    for (const index of [1, 2, 3]) {
      const shard = { index, total: 3 }
      const chosen = selectChecks(config(), { shard })
      assert.deepEqual(
        chosen.checks.map((c) => c.name),
        checksInShard(names, shard),
      )
      assert.deepEqual(chosen.shard, { index, total: 3, share: chosen.checks.length })
      assert.deepEqual(chosen.allChecks, names)
    }
  })

  test("a shard's share counts the checks assigned to it, before --skip", () => {
    const shard = { index: 1, total: 2 }
    const share = checksInShard(['types', 'unit', 'bench', 'size'], shard)
    const chosen = selectChecks(config(), { shard, skip: share })
    assert.deepEqual(chosen.checks, [])
    assert.equal(chosen.shard?.share, share.length)
  })
})

describe('the runs and their order', () => {
  test('each repeat is a pair of runs, one per tree, the order alternating (B C, C B, ...)', () => {
    // bench measures a timing: its runs come last (they run alone), the others in config order.
    const p = plan({})
    assert.deepEqual(order(p), [
      'baseline:types#1',
      'candidate:types#1',
      'baseline:unit#1',
      'candidate:unit#1',
      'baseline:size#1',
      'candidate:size#1',
      'baseline:bench#1',
      'candidate:bench#1',
      'candidate:bench#2',
      'baseline:bench#2',
      'baseline:bench#3',
      'candidate:bench#3',
    ])
    assert.deepEqual(
      [...new Set(p.jobs.filter((j) => j.timed).map((j) => j.check.name))],
      ['bench'],
      'only a check with a metric that varies is timed (size is deterministic)',
    )
  })

  test('without a baseline only the candidate is prepared and run', () => {
    const p = plan({ dirs: ALONE })
    assert.deepEqual(p.roles, ['candidate'])
    assert.deepEqual(p.prepare, ['candidate'])
    assert.deepEqual(order(p), [
      'candidate:types#1',
      'candidate:unit#1',
      'candidate:size#1',
      'candidate:bench#1',
      'candidate:bench#2',
      'candidate:bench#3',
    ])
  })

  test('results reused from the cache are not run again, and are handed on in tree order', () => {
    const reused = new Map([
      [runKey('candidate', 'size'), cached('PASSED')],
      [runKey('baseline', 'types'), cached('FAILED')],
      [runKey('baseline', 'size'), cached('PASSED')],
    ])
    const p = plan({ reused, only: ['types', 'size'] })
    assert.deepEqual(order(p), ['candidate:types#1'])
    assert.deepEqual(
      p.reusedResults.map((r) => `${r.role}:${r.check.name}:${r.result.outcome}`),
      ['baseline:types:FAILED', 'baseline:size:PASSED', 'candidate:size:PASSED'],
    )
    // The baseline has nothing left to run: it is not prepared (an audit may still want it).
    assert.deepEqual(p.prepare, ['candidate'])
    assert.equal(p.reused, reused)
  })

  test('a tree whose every result is reused is not prepared', () => {
    const reused = new Map([
      [runKey('candidate', 'types'), cached('PASSED')],
      [runKey('candidate', 'size'), cached('PASSED')],
    ])
    const p = plan({ reused, only: ['types', 'size'] })
    assert.deepEqual(p.prepare, ['baseline'])
    assert.deepEqual(order(p), ['baseline:types#1', 'baseline:size#1'])
  })
})

describe('how many runs at once, and the audits', () => {
  test('runs at once: the caller, else the config, else the cores; never below one', () => {
    assert.equal(plan({ parallel: 5 }).parallel, 5)
    assert.equal(plan({}).parallel, 3)
    assert.equal(plan({ config: config(QUORUM_YML.replace('parallel: 3\n', '')) }).parallel, 8)
    assert.equal(plan({ parallel: 0 }).parallel, 1)
  })

  test('audits: the caller, else the config, else the default; [] turns them off', () => {
    const withAudit = config(`audit: [vacuity]\n${QUORUM_YML}`)
    assert.deepEqual(plan({ config: withAudit, auditDefault: ['changes'] }).audits, ['vacuity'])
    assert.deepEqual(plan({ config: withAudit, audit: [] }).audits, [])
    assert.deepEqual(plan({ auditDefault: ['vacuity'] }).audits, ['vacuity'])
    assert.deepEqual(plan({ audit: ['changes'], auditDefault: ['vacuity'] }).audits, ['changes'])
    assert.deepEqual(plan({}).audits, [])
  })

  test('audit runs wait for the normal runs only when some check measures a timing', () => {
    assert.equal(plan({}).holdAudits, true) // bench's parse_ms
    assert.equal(plan({ only: ['types', 'size'] }).holdAudits, false) // size_kb is exact
  })

  test('a score alone (score_from) does not make a check timed; the same metric declared does', () => {
    const scored = config(
      'checks:\n  - name: unit\n    command: npm test\n    score_from: passed\n    repeats: 3\n',
    )
    const p = plan({ config: scored })
    assert.ok(p.jobs.every((j) => !j.timed))
    assert.equal(p.holdAudits, false)
    const declared = config(
      'checks:\n  - name: unit\n    command: npm test\n    score_from: passed\n    metrics:\n      passed: { direction: higher }\n',
    )
    assert.ok(plan({ config: declared }).jobs.every((j) => j.timed))
  })

  test('the policy for flaky results comes from the config', () => {
    assert.equal(plan({}).flaky, 'warn')
    assert.equal(plan({ config: config(`flaky: block\n${QUORUM_YML}`) }).flaky, 'block')
  })
})
