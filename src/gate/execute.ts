/**
 * The gate's plan carried out in a Workspace: prepare the trees, start every run through one
 * limiter (repeats interleaved as planned, retries on the same tree), and hand each check's final
 * result on each tree to the audits as it arrives, so their runs queue behind the normal ones.
 * Everything that touches a tree goes through the Workspace it is handed, so tests can pass a
 * plain object.
 */
import { createHash } from 'node:crypto'
import { limitsOf, setupLimitsOf } from '../engine/limits.ts'
import { notRunResult } from '../engine/not-run.ts'
import { isRetryable, summarizeRepeats, type AttemptRun } from '../engine/repeats.ts'
import type { AuditReport, GateConfig, RunResult, TimingReport, TreeRole } from '../engine/types.ts'
import { compareMetrics } from '../engine/metrics.ts'
import {
  fitsTimeBudget,
  sequentialDesign,
  shouldLookAgain,
  type SequentialDesign,
  type SequentialStop,
} from '../engine/sequential.ts'
import { openAuditCache, runKey, type ResultCacheOptions } from '../cache/reuse.ts'
import type { PreparedTree, RunOptions, Workspace } from '../run/workspace.ts'
import { AuditRuns, type AuditEvent } from './audit-runs.ts'
import { createLimiter, type Schedule } from './limiter.ts'
import type { GateEvent, TreeDirs } from './options.ts'
import { repeatJobs, type GatePlan, type RunJob } from './plan.ts'
import { openTimedPhase, type TimedPhaseDeps } from './timed-phase.ts'
import { DEFAULT_REPEAT_TIME_S } from '../engine/config-schema.ts'

/** What the executor needs besides the plan and the workspace. */
export interface ExecuteContext {
  /** The config, function checks included. */
  config: GateConfig
  dirs: TreeDirs
  /** The gate's seed: every attempt's seed derives from it (see attemptSeed). */
  seed: string
  /** The result cache: audit runs are looked up in it and stored in it too. */
  cache: ResultCacheOptions | null
  /** The candidate's content identity, when known: audit variants are cached under it. */
  candidateTreeId: string | null
  onEvent?: (event: GateEvent) => void
  abort?: AbortSignal
  /** How the timed phase pins and calibrates (tests pass fakes; default the machine's). */
  timing?: TimedPhaseDeps
}

/** How an adaptive check's looks went (see src/engine/sequential.ts). */
export interface SequentialRun {
  design: SequentialDesign
  /** The last look taken, 0-based: its αₖ decided the reported comparison. */
  look: number
  stop: SequentialStop
}

/** A prepared tree and its setup's result (null: the config has no setup). */
type ReadyTree = { tree: PreparedTree; setup: RunResult | null }

/** What the runs left behind, for the report. */
export interface Execution {
  /**
   * Every job run: the plan's, then the repeats that adaptive checks added, in the order they
   * were handed in.
   */
  jobs: RunJob[]
  /** Every attempt of every job, in the order of `jobs`. */
  attempts: AttemptRun[][]
  /** The adaptive checks' looks, by check name. */
  sequential: ReadonlyMap<string, SequentialRun>
  /** How the timed phase ran; null when no check measured a timing. */
  timing: TimingReport | null
  /** Waits for every audit run started; the report's `audit` and its notices, or null. */
  finishAudit(): Promise<{ audit: AuditReport; notices: string[] } | null>
  /** The setup result of every tree prepared (by the runs or the audits), by role. */
  setups(): Promise<Map<TreeRole, RunResult | null>>
}

/**
 * Runs the plan's jobs in `workspace` and starts its audits. Never throws for anything a check
 * does; throws what preparing a tree throws (a missing tree directory, say).
 */
export async function executePlan(
  plan: GatePlan,
  workspace: Workspace,
  ctx: ExecuteContext,
): Promise<Execution> {
  const announced = workspace.kind
  const runOptions: Omit<RunOptions, 'limits' | 'pin'> = {
    seed: ctx.seed,
    envPassthrough: ctx.config.env_passthrough,
    env: ctx.config.env,
    ...(ctx.abort ? { abort: ctx.abort } : {}),
  }
  const trees = treePreparer(workspace, ctx, runOptions)
  // One after the other: a candidate's setup that fills the disk or the machine for a while
  // must not be able to make the baseline's setup fail (and so change the verdict).
  for (const role of plan.prepare) await trees.prepare(role)
  // An overlay that could not be mounted over a tree falls back to copies: say so before runs.
  if (workspace.kind !== announced) {
    ctx.onEvent?.({ type: 'sandbox', kind: workspace.kind, note: workspace.sandboxNote })
  }
  const schedule = createLimiter(plan.parallel)
  const normalRunsDone = Promise.withResolvers<void>()
  const audit =
    plan.audits.length === 0
      ? null
      : new AuditRuns({
          kinds: plan.audits,
          config: ctx.config,
          checks: plan.checks,
          workspace,
          dirs: ctx.dirs,
          treeFor: trees.prepare,
          schedule,
          hold: plan.holdAudits ? normalRunsDone.promise : Promise.resolve(),
          runOptions,
          cache: ctx.cache ? openAuditCache(ctx.cache, ctx.config, workspace.kind) : null,
          candidateTreeId: ctx.candidateTreeId,
          onEvent: (event: AuditEvent) => ctx.onEvent?.(auditEvent(event)),
          ...(ctx.abort ? { abort: ctx.abort } : {}),
        })
  const timed = openTimedPhase(ctx.timing, ctx.abort)
  const runJob = (job: RunJob) =>
    runOneJob(job, workspace, ctx, trees, {
      ...runOptions,
      ...(job.timed ? { pin: timed.prefix() } : {}),
    })
  const jobs = [...plan.jobs]
  const sequential = new Map<string, SequentialRun>()
  const normalRuns = (async () => {
    try {
      const untimed = plan.jobs.filter((job) => !job.timed)
      const timedChecks = plan.checks.filter((c) => plan.jobs.some((j) => j.timed && j.check === c))
      const [finished, ...perCheck] = await Promise.all([
        scheduleNormalRuns(untimed, schedule, runJob, audit),
        ...timedChecks.map((check) =>
          runTimedCheck({
            check,
            planned: plan.jobs.filter((j) => j.timed && j.check === check),
            plan,
            schedule: (task) => schedule(() => timed.run(task), { alone: true }),
            runJob,
            audit,
            aborted: () => ctx.abort?.aborted ?? false,
          }),
        ),
      ])
      const attempts = new Map<RunJob, AttemptRun[]>(untimed.map((job, i) => [job, finished[i]!]))
      for (const [i, ran] of perCheck.entries()) {
        for (const [job, tries] of ran.attempts) attempts.set(job, tries)
        for (const job of ran.attempts.keys()) if (!jobs.includes(job)) jobs.push(job)
        if (ran.sequential) sequential.set(timedChecks[i]!.name, ran.sequential)
      }
      return jobs.map((job) => attempts.get(job)!)
    } finally {
      await timed.leave()
      normalRunsDone.resolve()
    }
  })()
  for (const { role, check, result } of plan.reusedResults) audit?.onResult(role, check, result)
  const attempts = await normalRuns
  return {
    jobs,
    attempts,
    sequential,
    timing: timed.summary(),
    finishAudit: async () => (audit ? audit.finish() : null),
    setups: () => trees.setups(),
  }
}

/**
 * A timed check's runs: its planned repeats, each run alone; then, for an adaptive check
 * (max_repeats), more interleaved pairs while a timing is inconclusive, as its sequential design
 * allows. Tells the audit each tree's final result once no more runs come.
 */
async function runTimedCheck(p: {
  check: RunJob['check']
  planned: RunJob[]
  plan: GatePlan
  schedule: <T>(task: () => Promise<T>) => Promise<T>
  runJob: (job: RunJob) => Promise<AttemptRun[]>
  audit: AuditRuns | null
  aborted: () => boolean
}): Promise<{ attempts: Map<RunJob, AttemptRun[]>; sequential: SequentialRun | null }> {
  const { check, plan } = p
  const attempts = new Map<RunJob, AttemptRun[]>()
  const runAll = async (jobs: RunJob[]) => {
    const done = await Promise.all(jobs.map((job) => p.schedule(() => p.runJob(job))))
    jobs.forEach((job, i) => attempts.set(job, done[i]!))
  }
  await runAll(p.planned)
  const resultOf = (role: TreeRole) => {
    const hit = plan.reused.get(runKey(role, check.name))
    if (hit) return hit
    const repeats = [...attempts].filter(([job]) => job.role === role).map(([, a]) => a)
    return repeats.length > 0 ? summarizeRepeats(repeats, check.metrics ?? []) : null
  }
  let sequential: SequentialRun | null = null
  const start = check.repeats ?? 1
  if (check.max_repeats !== undefined && check.max_repeats > start) {
    const design = sequentialDesign(start, check.max_repeats)
    const budgetMs = (check.repeat_time_s ?? DEFAULT_REPEAT_TIME_S) * 1000
    let look = 0
    let stop: SequentialStop
    for (;;) {
      const baseline = plan.roles.includes('baseline') ? resultOf('baseline') : null
      const candidate = resultOf('candidate')
      if (candidate === null || p.aborted()) {
        stop = 'stopped'
        break
      }
      const reports = compareMetrics(
        check.metrics ?? [],
        baseline,
        candidate,
        1 - design.alphas[look]!,
      )
      const next = shouldLookAgain(design, look, check.metrics ?? [], reports)
      if (!next.again) {
        stop = next.stop
        break
      }
      const from = design.looks[look]! + 1
      const to = design.looks[look + 1]!
      const fits = fitsTimeBudget({
        pairsRun: design.looks[look]!,
        elapsedMs: [...attempts.values()].flat().reduce((sum, a) => sum + a.result.duration_ms, 0),
        pairsNext: to - from + 1,
        budgetMs,
      })
      if (!fits) {
        stop = 'time-budget'
        break
      }
      await runAll(repeatJobs(check, plan.roles, plan.reused, from, to))
      look++
    }
    sequential = { design, look, stop }
  }
  if (p.audit) {
    for (const role of plan.roles) {
      if (plan.reused.has(runKey(role, check.name))) continue
      const result = resultOf(role)
      if (result) p.audit.onResult(role, check, result)
    }
  }
  return { attempts, sequential }
}

/** Each tree prepared once, on first use (by the plan, or later by an audit). */
function treePreparer(
  workspace: Workspace,
  ctx: ExecuteContext,
  runOptions: Omit<RunOptions, 'limits'>,
) {
  const prepared = new Map<TreeRole, Promise<ReadyTree>>()
  const prepare = (role: TreeRole): Promise<ReadyTree> => {
    let tree = prepared.get(role)
    if (!tree) {
      const dir = role === 'baseline' ? ctx.dirs.baseline : ctx.dirs.candidate
      tree = workspace
        .prepareTree(role, dir!, ctx.config.setup, {
          ...runOptions,
          limits: setupLimitsOf(ctx.config),
        })
        .then((result) => {
          if (result.setup) ctx.onEvent?.({ type: 'setup', tree: role, result: result.setup })
          return result
        })
      prepared.set(role, tree)
    }
    return tree
  }
  return {
    prepare,
    get: (role: TreeRole): Promise<ReadyTree> | undefined => prepared.get(role),
    async setups(): Promise<Map<TreeRole, RunResult | null>> {
      const setups = new Map<TreeRole, RunResult | null>()
      for (const [role, tree] of prepared) {
        setups.set(
          role,
          await tree.then(
            (t) => t.setup,
            () => null,
          ),
        )
      }
      return setups
    },
  }
}

/**
 * Hands every job to the scheduler now, before any audit run can be, and tells the audit each
 * check's final result on a tree when its last repeat there is done.
 */
function scheduleNormalRuns(
  jobs: readonly RunJob[],
  schedule: Schedule,
  runJob: (job: RunJob) => Promise<AttemptRun[]>,
  audit: AuditRuns | null,
): Promise<AttemptRun[][]> {
  const left = new Map<string, number>()
  for (const job of jobs) {
    const key = runKey(job.role, job.check.name)
    left.set(key, (left.get(key) ?? 0) + 1)
  }
  const finished: AttemptRun[][] = new Array<AttemptRun[]>(jobs.length)
  return Promise.all(
    jobs.map((job, i) =>
      schedule(() => runJob(job)).then((attempts) => {
        finished[i] = attempts
        const key = runKey(job.role, job.check.name)
        left.set(key, left.get(key)! - 1)
        if (audit && left.get(key) === 0) {
          const repeats = jobs.flatMap((other, j) =>
            runKey(other.role, other.check.name) === key ? [finished[j]!] : [],
          )
          audit.onResult(job.role, job.check, summarizeRepeats(repeats, job.check.metrics ?? []))
        }
        return attempts
      }),
    ),
  )
}

/** One job: every attempt of one repeat of a check on a tree (none when its setup failed). */
async function runOneJob(
  job: RunJob,
  workspace: Workspace,
  ctx: ExecuteContext,
  trees: { get: (role: TreeRole) => Promise<ReadyTree> | undefined },
  runOptions: Omit<RunOptions, 'limits'>,
): Promise<AttemptRun[]> {
  const tree = await trees.get(job.role)
  if (!tree) throw new Error(`internal: tree ${job.role} was not prepared`)
  const setup = tree.setup
  if (setup && setup.outcome !== 'PASSED') {
    // A check on a tree whose setup failed never runs; it is ERROR, and says why.
    const result = notRunResult({
      reason: `setup failed on the ${job.role} (${setup.outcome}: ${setup.reason}); the check did not run`,
      seed: ctx.seed,
      sandbox: setup.sandbox,
      logPath: setup.output.log_path,
    })
    return [{ result, started_at: now() }]
  }
  return runAttempts({
    retries: job.check.retries ?? 0,
    seedOf: (attempt) => attemptSeed(ctx.seed, job.repeat, attempt),
    run: async (seed, attempt) => {
      const { repeat } = job
      ctx.onEvent?.({ type: 'start', check: job.check.name, tree: job.role, repeat, attempt })
      const result = await workspace.runCheck(tree.tree, job.check, {
        ...runOptions,
        seed,
        limits: limitsOf(ctx.config, job.check),
      })
      ctx.onEvent?.({
        type: 'finish',
        check: job.check.name,
        tree: job.role,
        result,
        repeat,
        attempt,
      })
      return result
    },
    aborted: () => ctx.abort?.aborted ?? false,
  })
}

/** Runs a job's first attempt, and retries while it did not pass and retries are left. */
async function runAttempts(p: {
  retries: number
  seedOf: (attempt: number) => string
  run: (seed: string, attempt: number) => Promise<RunResult>
  aborted: () => boolean
}): Promise<AttemptRun[]> {
  const attempts: AttemptRun[] = []
  for (let attempt = 1; attempt <= 1 + p.retries; attempt++) {
    const started_at = now()
    const result = await p.run(p.seedOf(attempt), attempt)
    attempts.push({ result, started_at })
    if (!isRetryable(result) || p.aborted()) break
  }
  return attempts
}

/**
 * The seed of one attempt: the gate's own seed for the first attempt of the first repeat (so the
 * reproduce line replays it), a seed derived from it for every other one (so each retry differs,
 * and each can be replayed with --seed).
 */
export function attemptSeed(seed: string, repeat: number, attempt: number): string {
  if (repeat === 1 && attempt === 1) return seed
  return createHash('sha256').update(`${seed}/${repeat}/${attempt}`).digest('hex').slice(0, 8)
}

function now(): string {
  return new Date().toISOString()
}

/** An audit run's progress event, in the gate's terms. */
function auditEvent(event: AuditEvent): GateEvent {
  return event.type === 'start'
    ? { type: 'start', check: event.check, tree: event.tree, audit: event.audit }
    : {
        type: 'finish',
        check: event.check,
        tree: event.tree,
        audit: event.audit,
        result: event.result!,
      }
}
