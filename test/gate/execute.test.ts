// The gate's executor (src/gate/execute.ts) handed a fake Workspace: a plain object that records
// what it is asked to do and answers with the results a test gives it. No sandbox, no process.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseConfig } from '../../src/engine/config.ts'
import { DEFAULT_LIMITS } from '../../src/engine/limits.ts'
import type {
  GateConfig,
  ResourceLimits,
  RunResult,
  SandboxKind,
  TreeRole,
} from '../../src/engine/types.ts'
import { attemptSeed, executePlan, type ExecuteContext } from '../../src/gate/execute.ts'
import type { TimedPhaseDeps } from '../../src/gate/timed-phase.ts'
import type { GateEvent } from '../../src/gate/options.ts'
import { planGate, selectChecks, type GatePlan } from '../../src/gate/plan.ts'
import { runKey } from '../../src/cache/reuse.ts'
import type { PreparedTree, RunOptions, Workspace } from '../../src/run/workspace.ts'
import { ran } from './run-results.ts'

const QUORUM_YML = `mode: no-regression
checks:
  - name: unit
    command: npm test
    retries: 2
  - name: lint
    command: npx eslint .
    memory_mb: 256
  - name: bench
    command: node bench.mjs
    repeats: 2
    metrics:
      parse_ms: { direction: lower, tolerance: 5% }
`
const DIRS = { baseline: '/work/base', candidate: '/work/pr' }
const SEED = '5eed5eed'

/** One call of runCheck, as the fake saw it. */
interface RunCall {
  tree: string
  check: string
  seed: string
  limits: ResourceLimits | undefined
  /** How many runs on the baseline or the candidate were going on when this one started. */
  normalRunsLive: number
  /** How many runs of any kind were going on when this one started. */
  live: number
  /** The argv prefix the run was started with (a timed run's pinning). */
  pin: readonly string[]
}

/**
 * A Workspace that runs nothing: `answer` gives each run's result (by tree label, check and how
 * many runs of it that tree saw). Runs take a few ticks, so that concurrency shows.
 */
function fakeWorkspace(
  p: {
    answer?: (call: RunCall, n: number) => RunResult
    setup?: Partial<Record<TreeRole, RunResult>>
    /** An overlay cannot be mounted over this tree: runs fall back to copies. */
    fallBackOn?: TreeRole
  } = {},
) {
  let kind: SandboxKind = 'overlay'
  let note: string | null = null
  const labels = new WeakMap<PreparedTree, string>()
  const seen = new Map<string, number>()
  const calls: RunCall[] = []
  const prepared: Array<{ role: TreeRole; dir: string; opts: RunOptions }> = []
  const log: string[] = []
  let live = 0
  let mostLive = 0
  let normalLive = 0
  const workspace: Workspace = {
    get kind() {
      return kind
    },
    get sandboxNote() {
      return note
    },
    cgroupNote: null,
    dir: '/tmp/fake-workspace',
    logDir: '/tmp/fake-workspace-logs',
    async prepareTree(role, sourceDir, _setup, opts) {
      log.push(`prepare ${role}`)
      prepared.push({ role, dir: sourceDir, opts })
      if (p.fallBackOn === role) {
        kind = 'copy'
        note = `overlay over ${sourceDir} failed (EINVAL); copying instead`
      }
      const tree: PreparedTree = { role, sourceDir }
      labels.set(tree, role)
      return { tree, setup: p.setup?.[role] ?? null }
    },
    async prepareEmptyTree(role, label) {
      log.push(`prepare ${label}`)
      const tree: PreparedTree = { role, sourceDir: '/tmp/fake-workspace/empty-tree' }
      labels.set(tree, label)
      return tree
    },
    prepareVariant: async () => assert.fail('no changes audit here'),
    async runCheck(tree, spec, opts) {
      const label = labels.get(tree)!
      const normal = label === 'baseline' || label === 'candidate'
      const call: RunCall = {
        tree: label,
        check: spec.name,
        seed: opts.seed,
        limits: opts.limits,
        normalRunsLive: normalLive,
        live,
        pin: opts.pin ?? [],
      }
      calls.push(call)
      log.push(`run ${call.tree} ${call.check}`)
      const key = `${call.tree}/${call.check}`
      seen.set(key, (seen.get(key) ?? 0) + 1)
      mostLive = Math.max(mostLive, ++live)
      if (normal) normalLive++
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve))
      live--
      if (normal) normalLive--
      return (p.answer ?? (() => ran('PASSED', { seed: call.seed })))(call, seen.get(key)!)
    },
    listFunctionChecks: async () => [],
    dispose: async () => undefined,
  }
  return { workspace, calls, prepared, log, mostLive: () => mostLive }
}

function planOf(
  config: GateConfig,
  p: { parallel?: number; audit?: GatePlan['audits']; reused?: Map<string, RunResult> } = {},
): GatePlan {
  return planGate({
    mode: config.mode,
    config,
    selection: selectChecks(config, {}),
    dirs: DIRS,
    reused: p.reused ?? null,
    asked: { parallel: p.parallel ?? 1, audit: p.audit ?? [] },
    cpus: 4,
  })
}

/**
 * A timed phase that pins to CPU 3 and calibrates without running anything; `log` records when
 * each step happens, next to the fake workspace's own log when given the same array.
 */
function fakeTiming(log: string[] = [], p: { pin?: boolean } = {}): TimedPhaseDeps {
  return {
    async pin() {
      log.push('pin')
      if (p.pin === false) return { pinned: false, reason: 'taskset is not installed' }
      return {
        pinned: true,
        cpu: 3,
        prefix: ['taskset', '-c', '3'],
        gateCpus: [0, 1, 2],
        release: async () => void log.push('release'),
      }
    },
    async calibrate(prefix) {
      log.push(`calibrate ${prefix.join(' ')}`.trim())
      return { samples_ms: [30, 30.3, 29.8, 30.1, 30, 29.9, 30.2], noise_pct: 0.7 }
    },
  }
}

function context(
  config: GateConfig,
  events: GateEvent[] = [],
  timing: TimedPhaseDeps = fakeTiming(),
): ExecuteContext {
  return {
    config,
    dirs: DIRS,
    seed: SEED,
    cache: null,
    candidateTreeId: null,
    onEvent: (event) => events.push(event),
    timing,
  }
}

const config = (text = QUORUM_YML) => parseConfig(text, '/work/base/quorum.yml')

describe('the executor runs the plan in the workspace it is handed', () => {
  test('each tree is prepared once, baseline first, then the runs start in the plan’s order', async () => {
    const cfg = config()
    const plan = planOf(cfg)
    const fake = fakeWorkspace()
    const done = await executePlan(plan, fake.workspace, context(cfg))
    assert.deepEqual(fake.log, [
      'prepare baseline',
      'prepare candidate',
      'run baseline unit',
      'run candidate unit',
      'run baseline lint',
      'run candidate lint',
      'run baseline bench',
      'run candidate bench',
      'run candidate bench',
      'run baseline bench',
    ])
    assert.deepEqual(
      fake.prepared.map((t) => [t.role, t.dir]),
      [
        ['baseline', '/work/base'],
        ['candidate', '/work/pr'],
      ],
    )
    // The attempts line up with the plan's jobs, one attempt each when everything passes.
    assert.equal(done.attempts.length, plan.jobs.length)
    assert.ok(done.attempts.every((a) => a.length === 1 && a[0]!.result.outcome === 'PASSED'))
    assert.equal(await done.finishAudit(), null)
    assert.deepEqual(
      await done.setups(),
      new Map([
        ['baseline', null],
        ['candidate', null],
      ]),
    )
  })

  test('every run gets its check’s limits; a setup gets no disk budget', async () => {
    const cfg = config()
    const fake = fakeWorkspace()
    await executePlan(planOf(cfg), fake.workspace, context(cfg))
    const lint = fake.calls.find((c) => c.check === 'lint')!
    assert.deepEqual(lint.limits, { ...DEFAULT_LIMITS, memory_mb: 256 })
    assert.deepEqual(fake.prepared[0]!.opts.limits, { ...DEFAULT_LIMITS, disk_mb: null })
    assert.equal(fake.prepared[0]!.opts.seed, SEED)
  })

  test('never more runs at once than the plan allows', async () => {
    const cfg = config()
    for (const parallel of [1, 2, 3]) {
      const fake = fakeWorkspace()
      await executePlan(planOf(cfg, { parallel }), fake.workspace, context(cfg))
      assert.equal(fake.mostLive(), parallel)
    }
  })

  test('a run that does not pass is retried on the same tree with its own seed; ERROR is not', async () => {
    const cfg = config()
    const plan = planOf(cfg)
    const fake = fakeWorkspace({
      answer: (call, n) =>
        call.check === 'unit' && call.tree === 'candidate'
          ? ran(n < 3 ? 'FAILED' : 'PASSED', { seed: call.seed })
          : call.check === 'lint' && call.tree === 'candidate'
            ? ran('ERROR', { seed: call.seed })
            : ran('PASSED', { seed: call.seed }),
    })
    const done = await executePlan(plan, fake.workspace, context(cfg))
    const attemptsOf = (role: TreeRole, name: string) =>
      done.attempts[plan.jobs.findIndex((j) => j.role === role && j.check.name === name)]!
    assert.deepEqual(
      attemptsOf('candidate', 'unit').map((a) => [a.result.outcome, a.result.seed]),
      [
        ['FAILED', SEED],
        ['FAILED', attemptSeed(SEED, 1, 2)],
        ['PASSED', attemptSeed(SEED, 1, 3)],
      ],
    )
    assert.equal(attemptsOf('candidate', 'lint').length, 1)
    // The second repeat's first attempt has a seed of its own too.
    const bench = plan.jobs.flatMap((j, i) =>
      j.check.name === 'bench' && j.role === 'baseline' ? [done.attempts[i]![0]!] : [],
    )
    assert.deepEqual(
      bench.map((a) => a.result.seed),
      [SEED, attemptSeed(SEED, 2, 1)],
    )
    assert.ok(bench.every((a) => !Number.isNaN(Date.parse(a.started_at))))
  })

  test('a tree whose setup failed runs none of its checks: each is ERROR, pointing at the setup’s log', async () => {
    const cfg = config(`setup: npm ci\n${QUORUM_YML}`)
    const plan = planOf(cfg)
    const failed = ran('FAILED', { log: '/logs/candidate-setup-1.log', sandbox: 'overlay' })
    const events: GateEvent[] = []
    const fake = fakeWorkspace({ setup: { baseline: ran('PASSED'), candidate: failed } })
    const done = await executePlan(plan, fake.workspace, context(cfg, events))
    assert.ok(fake.calls.every((c) => c.tree === 'baseline'))
    const candidate = plan.jobs.flatMap((j, i) =>
      j.role === 'candidate' ? [done.attempts[i]!] : [],
    )
    for (const attempts of candidate) {
      assert.equal(attempts.length, 1)
      assert.deepEqual(
        {
          outcome: attempts[0]!.result.outcome,
          reason: attempts[0]!.result.reason,
          log: attempts[0]!.result.output.log_path,
          seed: attempts[0]!.result.seed,
        },
        {
          outcome: 'ERROR',
          reason:
            'setup failed on the candidate (FAILED: exited with code 1); the check did not run',
          log: '/logs/candidate-setup-1.log',
          seed: SEED,
        },
      )
    }
    assert.deepEqual(
      events.filter((e) => e.type === 'setup').map((e) => e.type === 'setup' && e.tree),
      ['baseline', 'candidate'],
    )
    assert.equal((await done.setups()).get('candidate'), failed)
  })

  test('a tree that falls back to copies is announced before any run starts', async () => {
    const cfg = config()
    const events: GateEvent[] = []
    const fake = fakeWorkspace({ fallBackOn: 'candidate' })
    await executePlan(planOf(cfg), fake.workspace, context(cfg, events))
    assert.deepEqual(events[0], {
      type: 'sandbox',
      kind: 'copy',
      note: 'overlay over /work/pr failed (EINVAL); copying instead',
    })
    assert.equal(events.filter((e) => e.type === 'sandbox').length, 1)
    assert.equal(events[1]?.type, 'start')
  })

  test('results reused from the cache are not run, and no tree is prepared for them', async () => {
    const cfg = config(`${QUORUM_YML.split('  - name: lint')[0]}`)
    const fromCache = ran('PASSED')
    const reused = new Map([[runKey('candidate', 'unit'), fromCache]])
    const fake = fakeWorkspace()
    const done = await executePlan(planOf(cfg, { reused }), fake.workspace, context(cfg))
    assert.deepEqual(fake.log, ['prepare baseline', 'run baseline unit'])
    assert.equal(done.attempts.length, 1)
  })
})

describe('the audits, fed as results arrive', () => {
  test('vacuity probes run in an empty tree after the normal runs when a timing is measured', async () => {
    const cfg = config()
    const plan = planOf(cfg, { parallel: 2, audit: ['vacuity'] })
    assert.equal(plan.holdAudits, true)
    const events: GateEvent[] = []
    const fake = fakeWorkspace({
      // lint passes on an empty tree (it checks nothing); unit and bench do not.
      answer: (call) =>
        ran(call.tree === 'audit-empty-tree' && call.check !== 'lint' ? 'FAILED' : 'PASSED', {
          seed: call.seed,
        }),
    })
    const done = await executePlan(plan, fake.workspace, context(cfg, events))
    const audited = await done.finishAudit()
    const probes = fake.calls.filter((c) => c.tree === 'audit-empty-tree')
    assert.equal(probes.length, 3)
    assert.ok(
      probes.every((c) => c.normalRunsLive === 0),
      'a probe ran beside a timed run',
    )
    const firstProbe = fake.log.indexOf('prepare audit-empty-tree')
    assert.ok(fake.log.slice(firstProbe).every((line) => !/^run (baseline|candidate)/.test(line)))
    assert.deepEqual(
      audited!.audit.vacuity!.map((p) => [p.check, p.probed, p.vacuous]),
      [
        ['unit', 'baseline', false],
        ['lint', 'baseline', true],
        ['bench', 'baseline', false],
      ],
    )
    assert.deepEqual(audited!.notices, [])
    assert.ok(
      events.some((e) => e.type === 'finish' && e.audit === 'empty tree' && e.check === 'lint'),
    )
  })

  test('a result reused from the cache qualifies a check for its probe too', async () => {
    const cfg = config(`${QUORUM_YML.split('  - name: lint')[0]}`)
    const reused = new Map([
      [runKey('baseline', 'unit'), ran('PASSED')],
      [runKey('candidate', 'unit'), ran('PASSED')],
    ])
    const fake = fakeWorkspace()
    const done = await executePlan(
      planOf(cfg, { reused, audit: ['vacuity'] }),
      fake.workspace,
      context(cfg),
    )
    assert.deepEqual(fake.log, ['prepare audit-empty-tree', 'run audit-empty-tree unit'])
    const audited = await done.finishAudit()
    assert.deepEqual(
      audited!.audit.vacuity!.map((p) => [p.check, p.vacuous]),
      [['unit', true]],
    )
  })
})

describe('the timed phase', () => {
  const TIMED_YML = `mode: no-regression
checks:
  - name: unit
    command: npm test
  - name: bench
    command: node bench.mjs
    repeats: 3
    metrics:
      parse_ms: { direction: lower, tolerance: 10% }
  - name: lint
    command: npx eslint .
`

  test('timed runs run alone, pinned, after one calibration; the others run two at a time first', async () => {
    const cfg = config(TIMED_YML)
    const fake = fakeWorkspace()
    const done = await executePlan(
      planOf(cfg, { parallel: 2 }),
      fake.workspace,
      context(cfg, [], fakeTiming(fake.log)),
    )
    const timed = fake.calls.filter((c) => c.check === 'bench')
    assert.equal(timed.length, 6)
    assert.ok(
      timed.every((c) => c.live === 0),
      'a timed run started while another run was going on',
    )
    assert.ok(timed.every((c) => c.pin.join(' ') === 'taskset -c 3'))
    assert.ok(fake.calls.filter((c) => c.check !== 'bench').every((c) => c.pin.length === 0))
    // Two at a time before the timed phase: the untimed runs did run in parallel.
    assert.equal(fake.mostLive(), 2)
    // Pinning and calibration once, after every untimed run, before the first timed one; the
    // gate moves back when the last timed run ended.
    const lines = fake.log.filter((l) => !l.startsWith('prepare'))
    assert.deepEqual(lines.slice(4), [
      'pin',
      'calibrate taskset -c 3',
      'run baseline bench',
      'run candidate bench',
      'run candidate bench',
      'run baseline bench',
      'run baseline bench',
      'run candidate bench',
      'release',
    ])
    assert.deepEqual(done.timing, {
      alone: true,
      cpu: 3,
      gate_cpus: [0, 1, 2],
      not_pinned_reason: null,
      calibration_ms: [30, 30.3, 29.8, 30.1, 30, 29.9, 30.2],
      noise_pct: 0.7,
      calibration_error: null,
    })
  })

  test('without a timed check there is no timed phase: no pinning, no calibration', async () => {
    const cfg = config(TIMED_YML.split('  - name: bench')[0]!)
    const fake = fakeWorkspace()
    const done = await executePlan(
      planOf(cfg),
      fake.workspace,
      context(cfg, [], fakeTiming(fake.log)),
    )
    assert.ok(!fake.log.includes('pin') && !fake.log.some((l) => l.startsWith('calibrate')))
    assert.equal(done.timing, null)
  })

  test('where pinning is not possible the runs still run alone, and the report says why', async () => {
    const cfg = config(TIMED_YML)
    const fake = fakeWorkspace()
    const done = await executePlan(
      planOf(cfg, { parallel: 2 }),
      fake.workspace,
      context(cfg, [], fakeTiming(fake.log, { pin: false })),
    )
    const timed = fake.calls.filter((c) => c.check === 'bench')
    assert.ok(timed.every((c) => c.live === 0 && c.pin.length === 0))
    assert.ok(fake.log.includes('calibrate'), 'calibrated unpinned')
    assert.equal(done.timing?.cpu, null)
    assert.equal(done.timing?.not_pinned_reason, 'taskset is not installed')
  })
})

describe('adaptive repeats', () => {
  const adaptive = (extra: string) => `mode: no-regression
checks:
  - name: bench
    command: node bench.mjs
    repeats: 5
    max_repeats: 12
${extra}    metrics:
      parse_ms: { direction: lower, tolerance: 10% }
`
  /** Timings: the baseline around 100, the candidate around `candidate`, with a little spread. */
  const timings = (candidate: number) => (call: RunCall, n: number) =>
    ran('PASSED', {
      seed: call.seed,
      metrics: { parse_ms: (call.tree === 'baseline' ? 100 : candidate) + ((n * 7) % 5) - 2 },
    })

  test('an inconclusive timing gets more interleaved pairs, look after look, up to max_repeats', async () => {
    // +8% with a spread of ±2%: its interval keeps straddling the 10% edge.
    const cfg = config(adaptive(''))
    const fake = fakeWorkspace({ answer: timings(108) })
    const plan = planOf(cfg)
    const done = await executePlan(plan, fake.workspace, context(cfg))
    const runs = fake.calls.filter((c) => c.check === 'bench')
    assert.equal(runs.length, 24, 'five pairs, then looks at 8 and 12 repeats per tree')
    assert.deepEqual(done.sequential.get('bench'), {
      design: { looks: [5, 8, 12], alphas: [(0.01 * 5) / 12, (0.01 * 3) / 12, (0.01 * 4) / 12] },
      look: 2,
      stop: 'max-repeats',
    })
    // The added jobs follow the plan's, numbered on, the order within a pair still alternating.
    assert.equal(done.jobs.length, 24)
    assert.deepEqual(
      done.jobs.slice(10, 14).map((j) => `${j.role}#${j.repeat}`),
      ['candidate#6', 'baseline#6', 'baseline#7', 'candidate#7'],
    )
    assert.ok(runs.every((c) => c.live === 0 && c.pin.length > 0))
  })

  test('a timing decided at the first look adds nothing', async () => {
    const cfg = config(adaptive(''))
    const fake = fakeWorkspace({ answer: timings(200) })
    const done = await executePlan(planOf(cfg), fake.workspace, context(cfg))
    assert.equal(fake.calls.length, 10)
    assert.equal(done.sequential.get('bench')?.stop, 'decided')
    assert.equal(done.sequential.get('bench')?.look, 0)
  })

  test('a check whose runs fail gets no more pairs', async () => {
    const cfg = config(adaptive(''))
    const fake = fakeWorkspace({ answer: (call) => ran('FAILED', { seed: call.seed }) })
    const done = await executePlan(planOf(cfg), fake.workspace, context(cfg))
    assert.equal(fake.calls.length, 10)
    assert.equal(done.sequential.get('bench')?.stop, 'not-passing')
  })

  test('no pair starts that would run past repeat_time_s', async () => {
    // Each run takes 1 s (ran's default duration is overridden), the budget is 14 s: the five
    // planned pairs took 10 s, and three more would take 6 s more.
    const cfg = config(adaptive('    repeat_time_s: 14\n'))
    const fake = fakeWorkspace({
      answer: (call, n) => ({ ...timings(108)(call, n), duration_ms: 1000 }),
    })
    const done = await executePlan(planOf(cfg), fake.workspace, context(cfg))
    assert.equal(fake.calls.length, 10)
    assert.equal(done.sequential.get('bench')?.stop, 'time-budget')
  })
})
