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
import type { AuditReport, GateConfig, RunResult, TreeRole } from '../engine/types.ts'
import { openAuditCache, runKey, type ResultCacheOptions } from '../cache/reuse.ts'
import type { PreparedTree, RunOptions, Workspace } from '../run/workspace.ts'
import { AuditRuns, type AuditEvent } from './audit-runs.ts'
import { createLimiter, type Schedule } from './limiter.ts'
import type { GateEvent, TreeDirs } from './options.ts'
import type { GatePlan, RunJob } from './plan.ts'

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
}

/** A prepared tree and its setup's result (null: the config has no setup). */
type ReadyTree = { tree: PreparedTree; setup: RunResult | null }

/** What the runs left behind, for the report. */
export interface Execution {
  /** Every attempt of every planned run, in the order of the plan's jobs. */
  attempts: AttemptRun[][]
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
  const runOptions: Omit<RunOptions, 'limits'> = {
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
  const runJob = (job: RunJob) => runOneJob(job, workspace, ctx, trees, runOptions)
  const normalRuns = scheduleNormalRuns(plan.jobs, schedule, runJob, audit).finally(() =>
    normalRunsDone.resolve(),
  )
  for (const { role, check, result } of plan.reusedResults) audit?.onResult(role, check, result)
  const attempts = await normalRuns
  return {
    attempts,
    finishAudit: async () => (audit ? audit.finish() : null),
    setups: () => trees.setups(),
  }
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
