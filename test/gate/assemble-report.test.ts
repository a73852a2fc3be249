// The gate's report assembly (src/gate/assemble-report.ts), pure: a plan and the attempts the
// runs left behind in, the Report out. No sandbox, no subprocess.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseConfig } from '../../src/engine/config.ts'
import { parseReport } from '../../src/engine/report-schema.ts'
import { checksInShard } from '../../src/engine/shard.ts'
import type {
  AuditReport,
  GateConfig,
  Report,
  RunResult,
  TreeRole,
} from '../../src/engine/types.ts'
import {
  assembleReport,
  checkReportsOf,
  defaultReproduce,
  type Isolation,
} from '../../src/gate/assemble-report.ts'
import { planGate, selectChecks, type GatePlan } from '../../src/gate/plan.ts'
import { runKey } from '../../src/cache/reuse.ts'
import { VERSION } from '../../src/version.ts'
import { attempt, ran } from './run-results.ts'

const QUORUM_YML = `mode: no-regression
checks:
  - name: types
    command: npx tsc --noEmit
  - name: unit
    command: npm test
    retries: 1
  - name: size
    command: node size.mjs
    repeats: 2
    metrics:
      size_kb: { direction: lower, tolerance: 0, deterministic: true }
  - name: canary
    command: npm run canary
    expect: fail
`
const DIRS = { baseline: '/work/base', candidate: '/work/pr' }
const SEED = '5eed5eed'

function planOf(config: GateConfig, reused: Map<string, RunResult> | null = null): GatePlan {
  return planGate({
    mode: config.mode,
    config,
    selection: selectChecks(config, {}),
    dirs: DIRS,
    reused,
    asked: {},
    cpus: 2,
  })
}

/** types comes from the cache on both trees; the rest ran now. */
function scenario(yml = QUORUM_YML) {
  const config = parseConfig(yml, '/work/base/quorum.yml')
  const fromCache = {
    ...ran('PASSED', { score: 1 }),
    reused_from: {
      cache: 'local' as const,
      location: '/work/.quorum/cache',
      stored_at: '2026-01-01T00:00:00.000Z',
      key: 'abc',
    },
  }
  const reused = new Map([
    [runKey('baseline', 'types'), fromCache],
    [runKey('candidate', 'types'), fromCache],
  ])
  const plan = planOf(config, reused)
  // What the executor hands back, job by job (see the order the plan starts them in).
  const byJob: Record<string, RunResult[]> = {
    'baseline:unit#1': [ran('PASSED')],
    'candidate:unit#1': [ran('FAILED'), ran('PASSED', { seed: '1d2e3f40' })],
    'baseline:size#1': [ran('PASSED', { metrics: { size_kb: 400 } })],
    'candidate:size#1': [ran('PASSED', { metrics: { size_kb: 420 } })],
    'candidate:size#2': [ran('PASSED', { metrics: { size_kb: 420 } })],
    'baseline:size#2': [ran('PASSED', { metrics: { size_kb: 400 } })],
    'baseline:canary#1': [ran('FAILED', { score: 5 })],
    'candidate:canary#1': [ran('FAILED', { score: 5 })],
  }
  const attempts = plan.jobs.map((j) =>
    byJob[`${j.role}:${j.check.name}#${j.repeat}`]!.map(attempt),
  )
  return { config, plan, attempts, fromCache }
}

const overlay: Isolation = {
  kind: 'overlay',
  sandboxNote: null,
  cgroupNote: null,
  maskPaths: [],
  abstractSocketsScoped: () => true,
}

function assemble(
  s: ReturnType<typeof scenario>,
  extra: { isolation?: Isolation; audited?: { audit: AuditReport; notices: string[] } } = {},
): Report {
  const checks = checkReportsOf(
    s.plan,
    { jobs: s.plan.jobs, attempts: s.attempts },
    {
      seed: SEED,
      reproduce: (check, seed) => `quorum verify --only ${check.name} --seed ${seed}`,
    },
  )
  return assembleReport({
    plan: s.plan,
    config: s.config,
    configFile: s.config.file,
    checks,
    audited: extra.audited ?? null,
    trees: {
      dirs: DIRS,
      commits: { baseline: 'b'.repeat(40), candidate: 'c'.repeat(40) },
      setups: new Map<TreeRole, RunResult | null>([
        ['baseline', null],
        ['candidate', null],
      ]),
      ids: new Map([['candidate', 'sha256:feed']]),
    },
    isolation: extra.isolation ?? overlay,
    timing: null,
    notices: { given: ['Given by the caller.'], cache: ['A cache warning.'] },
    startedAt: new Date('2026-01-02T03:04:00.000Z'),
    finishedAt: new Date('2026-01-02T03:04:09.500Z'),
  })
}

describe('each check’s results', () => {
  test('repeats are summarised per tree, retries kept, reused results stand as they are', () => {
    const s = scenario()
    const [types, unit, size, canary] = assemble(s).checks
    assert.equal(types!.candidate, s.fromCache)
    assert.equal(types!.baseline, s.fromCache)

    assert.equal(unit!.candidate.outcome, 'FLAKY')
    assert.deepEqual(
      unit!.candidate.attempts!.map((a) => [a.repeat, a.attempt, a.outcome, a.seed]),
      [
        [1, 1, 'FAILED', 'c0ffee00'],
        [1, 2, 'PASSED', '1d2e3f40'],
      ],
    )
    assert.equal(unit!.baseline!.outcome, 'PASSED')

    assert.equal(size!.candidate.outcome, 'PASSED')
    assert.equal(size!.candidate.attempts!.length, 2)
    assert.deepEqual(
      size!.metrics!.map((m) => [m.name, m.verdict, m.baseline?.samples, m.candidate.samples]),
      [['size_kb', 'regressed', [400, 400], [420, 420]]],
    )

    assert.equal(canary!.expect, 'fail')
    assert.equal(unit!.expect, undefined)
    assert.equal(unit!.reproduce, `quorum verify --only unit --seed ${SEED}`)
  })

  test('without a baseline tree every check’s baseline is null', () => {
    const config = parseConfig(QUORUM_YML, '/work/base/quorum.yml')
    const plan = planGate({
      mode: 'pass-fail',
      config,
      selection: selectChecks(config, { only: ['unit'] }),
      dirs: { baseline: null, candidate: DIRS.candidate },
      reused: null,
      asked: {},
      cpus: 2,
    })
    const [unit] = checkReportsOf(
      plan,
      { jobs: plan.jobs, attempts: [[attempt(ran('PASSED'))]] },
      {
        seed: SEED,
        reproduce: () => 'x',
      },
    )
    assert.equal(unit!.baseline, null)
    assert.equal(unit!.candidate.outcome, 'PASSED')
  })
})

describe('the report', () => {
  test('decides, counts, totals and names the trees; it is a valid report', () => {
    const report = assemble(scenario())
    assert.equal(report.verdict, 'block')
    assert.ok(
      report.reasons.some((r) => r.includes('size')),
      report.reasons.join('\n'),
    )
    assert.equal(report.mode, 'no-regression')
    assert.equal(report.flaky, 'warn')
    assert.deepEqual(report.tool, { name: 'quorum', version: VERSION })
    assert.equal(report.counts.PASSED, 2)
    assert.equal(report.counts.FLAKY, 1)
    assert.equal(report.counts.FAILED, 1)
    // Canaries do not score: only types' score of 1 counts on each tree.
    assert.deepEqual(report.totals, { baseline_score: 1, candidate_score: 1 })
    assert.deepEqual(report.trees.candidate, {
      role: 'candidate',
      path: '/work/pr',
      commit: 'c'.repeat(40),
      setup: null,
      id: 'sha256:feed',
    })
    assert.deepEqual(report.trees.baseline, {
      role: 'baseline',
      path: '/work/base',
      commit: 'b'.repeat(40),
      setup: null,
    })
    assert.equal(report.config_file, '/work/base/quorum.yml')
    assert.equal(report.started_at, '2026-01-02T03:04:00.000Z')
    assert.equal(report.duration_ms, 9500)
    assert.equal(report.shard, undefined)
    assert.equal(report.audit, undefined)
    assert.deepEqual(report.skipped, [])
    const parsed = parseReport(JSON.parse(JSON.stringify(report)))
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.why)
  })

  test('notices: the caller’s, then the sandbox’s, then the cache’s, then the audit’s', () => {
    const audited = {
      audit: { vacuous: 'warn', uncovered: 'warn', vacuity: [] } satisfies AuditReport,
      notices: ['An audit notice.'],
    }
    const copy: Isolation = {
      kind: 'copy',
      sandboxNote: 'user namespaces are disabled',
      cgroupNote: null,
      maskPaths: [],
      abstractSocketsScoped: () => assert.fail('not asked for copies'),
    }
    const report = assemble(scenario(), { isolation: copy, audited })
    assert.deepEqual(report.notices, [
      'Given by the caller.',
      'Sandboxes were copies, not overlays: user namespaces are disabled.',
      'A cache warning.',
      'An audit notice.',
    ])
    assert.deepEqual(report.audit, audited.audit)
    assert.equal(report.sandbox, 'copy')
  })

  test('what a copy sandbox could not enforce is said, for what the config asked', () => {
    const offline = QUORUM_YML.replace(
      '    command: npm test\n',
      '    command: npm test\n    network: none\n',
    )
    const s = scenario(`memory_mb: 512\ndisk_mb: 100\n${offline}`)
    const report = assemble(s, {
      isolation: {
        kind: 'copy',
        sandboxNote: null,
        cgroupNote: 'cgroup v2 is not mounted',
        maskPaths: ['/home/runner/.ssh'],
        abstractSocketsScoped: () => assert.fail('not asked for copies'),
      },
    })
    assert.deepEqual(report.notices.slice(1, -1), [
      'The copy sandbox cannot hide credential files and runner control files from checks; only overlay sandboxes (Linux user namespaces) can.',
      'pids_max and memory_mb were not enforced: no cgroup could be had (cgroup v2 is not mounted).',
      'network: none was not enforced for unit: only overlay sandboxes have a private network.',
      'disk_mb was not enforced: copy sandboxes write to the disk.',
    ])
  })

  test('the kernel is asked about abstract sockets only for overlays with the host network', () => {
    let asked = 0
    const probe = (scoped: boolean) => () => (asked++, scoped)
    const open = assemble(scenario(), {
      isolation: { ...overlay, abstractSocketsScoped: probe(false) },
    })
    assert.equal(asked, 1)
    assert.ok(open.notices.some((n) => n.includes('abstract unix sockets')))
    const scoped = assemble(scenario(), {
      isolation: { ...overlay, abstractSocketsScoped: probe(true) },
    })
    assert.deepEqual(scoped.notices, ['Given by the caller.', 'A cache warning.'])
  })
})

describe('a shard', () => {
  const config = parseConfig(QUORUM_YML, '/work/base/quorum.yml')
  const names = ['types', 'unit', 'size', 'canary']

  function shardReport(shard: { index: number; total: number }, skip: string[] = []): Report {
    const plan = planGate({
      mode: config.mode,
      config,
      selection: selectChecks(config, { shard, skip }),
      dirs: DIRS,
      reused: null,
      asked: {},
      cpus: 2,
    })
    const attempts = plan.jobs.map(() => [attempt(ran('PASSED'))])
    return assembleReport({
      plan,
      config,
      configFile: config.file,
      checks: checkReportsOf(
        plan,
        { jobs: plan.jobs, attempts },
        { seed: SEED, reproduce: () => 'x' },
      ),
      audited: null,
      trees: { dirs: DIRS, commits: null, setups: new Map(), ids: null },
      isolation: overlay,
      timing: null,
      notices: { given: [], cache: [] },
      startedAt: new Date(0),
      finishedAt: new Date(0),
    })
  }

  test('records its place and the whole suite, so a publisher can tell a missing shard', () => {
    const report = shardReport({ index: 1, total: 2 })
    assert.deepEqual(report.shard, { index: 1, total: 2, all_checks: names })
    assert.deepEqual(
      report.checks.map((c) => c.name),
      checksInShard(names, { index: 1, total: 2 }),
    )
  })

  test('with nothing to run allows, and leaves the verdict to the merge', () => {
    const empty = [1, 2, 3, 4, 5].find(
      (index) => checksInShard(names, { index, total: 5 }).length === 0,
    )!
    const report = shardReport({ index: empty, total: 5 })
    assert.equal(report.verdict, 'allow')
    assert.deepEqual(report.reasons, [
      `shard ${empty}/5 has no checks to run (the suite has 4 checks for 5 shards); the merged verdict of all shards decides`,
    ])
  })

  test('whose every check was skipped allows too, saying so', () => {
    const share = checksInShard(names, { index: 2, total: 2 })
    const report = shardReport({ index: 2, total: 2 }, share)
    assert.equal(report.verdict, 'allow')
    assert.deepEqual(report.reasons, [
      'every check of shard 2/2 was skipped; the merged verdict of all shards decides',
    ])
    assert.deepEqual(report.skipped, share)
  })
})

test('the default reproduce line runs the one check on the candidate with the seed, quoted', () => {
  const reproduce = defaultReproduce({
    candidateDir: '/work/my pr',
    config: { file: '/work/base/quorum.yml', functions: null },
  })
  const config = parseConfig(QUORUM_YML, '/work/base/quorum.yml')
  assert.equal(
    reproduce(config.checks[1]!, SEED),
    `npx quorum-gate verify --candidate '/work/my pr' --config /work/base/quorum.yml --only unit --seed ${SEED}`,
  )
  const functionsOnly = defaultReproduce({
    candidateDir: '/work/pr',
    config: { file: null, functions: '/work/checks.mjs' },
  })
  assert.equal(
    functionsOnly(config.checks[0]!, SEED),
    `npx quorum-gate verify --candidate /work/pr --checks /work/checks.mjs --only types --seed ${SEED}`,
  )
})
