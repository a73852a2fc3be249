/**
 * The gate: config + two trees in, one Report out. This is the only module that knows the order
 * of things (list function checks, prepare each tree once, run every check on every tree with a
 * bounded number of runs at once, compare, decide); the pieces it calls know nothing of each
 * other. Both the CLI and the action call runGate and nothing below it.
 */
import { createHash, randomBytes } from 'node:crypto'
import { availableParallelism, homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { AuditRuns, type AuditEvent } from './audit-runs.ts'
import {
  compareRuns,
  countOutcomes,
  decideVerdict,
  isCanary,
  totalScore,
} from './engine/compare.ts'
import { mergeFunctionChecks } from './engine/config.ts'
import { ConfigError, QuorumError } from './engine/errors.ts'
import { limitsOf, setupLimitsOf } from './engine/limits.ts'
import type {
  AuditKind,
  AuditReport,
  CheckReport,
  CheckSpec,
  GateConfig,
  Mode,
  Report,
  RunResult,
  TreeInfo,
  TreeRole,
} from './engine/types.ts'
import { compareMetrics } from './engine/metrics.ts'
import { checksInShard, type Shard } from './engine/shard.ts'
import { summarizeRepeats, isRetryable, type AttemptRun } from './engine/repeats.ts'
import {
  lookUpResults,
  openAuditCache,
  runKey,
  storeResults,
  type ResultCacheOptions,
} from './run/reuse.ts'
import { createWorkspace, type PreparedTree, type Workspace } from './run/workspace.ts'
import { abstractSocketsScoped } from './run/sandbox-core.ts'
import { shellQuote } from './engine/shell-quote.ts'
import { VERSION } from './version.ts'

/** Something the caller can show while the gate works; names and outcomes only, never output. */
export type GateEvent =
  | {
      type: 'sandbox'
      kind: Report['sandbox']
      /** Why runs use copies although overlays were asked for (`auto`); null otherwise. */
      note?: string | null
    }
  | { type: 'setup'; tree: TreeRole; result: RunResult }
  | {
      type: 'start'
      check: string
      tree: TreeRole
      repeat?: number
      attempt?: number
      /** Set for an audit run: which audit tree (`empty tree`, or the broken file's path). */
      audit?: string
    }
  | {
      type: 'finish'
      check: string
      tree: TreeRole
      result: RunResult
      repeat?: number
      attempt?: number
      audit?: string
    }

export interface GateOptions {
  config: GateConfig
  candidateDir: string
  /** Baseline tree; required in scored mode, optional (for comparison) in pass-fail. */
  baselineDir?: string | null
  /** Overrides config.mode. */
  mode?: Mode | null
  /** Only run these checks (by name), in config order. */
  only?: string[] | null
  /** Do not run these checks (by name); the report lists them as skipped. */
  skip?: string[] | null
  /**
   * Run only this shard's share of the checks (see engine/shard.ts); the report records the
   * shard and every check of the config, so a publisher can tell a missing shard.
   */
  shard?: Shard | null
  /** Reuse consistent results from this cache, and store new ones in it (see src/run/reuse.ts). */
  cache?: ResultCacheOptions | null
  /**
   * The audits to run whatever the config says (the CLI's --audit); `[]` runs none. Absent: the
   * config's `audit`, else `auditDefault`.
   */
  audit?: AuditKind[] | null
  /** The audits to run when neither `audit` nor the config names any (the action: vacuity). */
  auditDefault?: AuditKind[] | null
  /** QUORUM_SEED for every run; random when absent. Recorded in the report. */
  seed?: string | null
  /** Overrides config.parallel. */
  parallel?: number | null
  sandbox?: 'auto' | 'overlay' | 'copy'
  /** Get per-run cgroups through `sudo -n` when not root (see delegateCgroupsWithSudo). */
  cgroupSudo?: boolean
  logDir?: string
  /** Keep the full log of runs that passed too (default: only of runs that did not). */
  keepPassingLogs?: boolean
  /** The environment children's allowlisted variables are picked from (default process.env). */
  parentEnv?: Record<string, string | undefined>
  commits?: { baseline?: string | null; candidate?: string | null }
  notices?: string[]
  /** One command line that reproduces a check's candidate run locally. */
  reproduce?: (check: CheckSpec, seed: string) => string
  onEvent?: (event: GateEvent) => void
  abort?: AbortSignal
  /**
   * Files and directories hidden from checks (covered by an empty mount inside each run's
   * namespace): credentials and runner control files. Only the overlay sandbox can do this.
   */
  maskPaths?: string[]
  /** Paths checks see read-only (overlay only), beyond the trees, the config and checks module. */
  readOnlyPaths?: string[]
}

/** A usage problem found before anything ran (e.g. scored mode without a baseline). */
export class GateUsageError extends QuorumError {
  constructor(message: string) {
    super('usage', message)
  }
}

/**
 * Runs every configured check on the candidate (and the baseline, when given) and decides.
 * Never throws for anything a check does: a broken check is a RunResult, not an exception.
 * Throws ConfigError for a bad functions module and GateUsageError for bad options.
 */
export async function runGate(options: GateOptions): Promise<Report> {
  const startedAt = new Date()
  const mode = options.mode ?? options.config.mode
  const baselineDir = options.baselineDir ?? null
  if (mode === 'scored' && baselineDir === null) {
    throw new GateUsageError('scored mode needs a baseline tree (--baseline DIR)')
  }
  const seed = options.seed ?? randomBytes(4).toString('hex')
  // A plain literal (no conditional spreads), so a field the workspace does not know is a
  // compile error rather than a silently dropped option.
  const workspace = await createWorkspace({
    sandbox: options.sandbox ?? 'auto',
    cgroupSudo: options.cgroupSudo ?? false,
    logDir: options.logDir,
    keepPassingLogs: options.keepPassingLogs ?? false,
    parentEnv: options.parentEnv,
    inputTrees: [options.candidateDir, ...(baselineDir ? [baselineDir] : [])],
    maskPaths: options.maskPaths,
    // What checks read beyond their trees: the checks module (imported in their sandbox) and
    // the paths the config names. Everything else of the gate's stays hidden or read-only.
    readOnlyPaths: [
      ...(options.config.functions ? [dirname(options.config.functions)] : []),
      ...(options.config.read_only_paths ?? []).map((p) =>
        p.startsWith('~/') ? join(homeOfGate(options.parentEnv), p.slice(2)) : p,
      ),
      ...(options.readOnlyPaths ?? []),
    ],
  })
  const onAbort = () => void workspace.dispose()
  options.abort?.addEventListener('abort', onAbort, { once: true })
  try {
    const announced = workspace.kind
    options.onEvent?.({ type: 'sandbox', kind: announced, note: workspace.sandboxNote })
    const config = await withFunctionChecks(options.config, workspace, options.abort)
    const inShard = options.shard
      ? new Set(
          checksInShard(
            config.checks.map((c) => c.name),
            options.shard,
          ),
        )
      : null
    const checks = selectChecks(config.checks, options.only ?? null, options.skip ?? []).filter(
      (c) => inShard === null || inShard.has(c.name),
    )
    const checksSkipped = config.checks
      .filter((c) => (options.skip ?? []).includes(c.name))
      .map((c) => c.name)
    const runOptions = {
      seed,
      envPassthrough: config.env_passthrough,
      env: config.env,
      ...(options.abort ? { abort: options.abort } : {}),
    }

    const dirs = new Map<TreeRole, string>([['candidate', options.candidateDir]])
    if (baselineDir !== null) dirs.set('baseline', baselineDir)
    const roles: TreeRole[] = baselineDir !== null ? ['baseline', 'candidate'] : ['candidate']

    // Results reused from the cache: those trees' runs of those checks are not run again.
    const reuse = options.cache
      ? await lookUpResults(options.cache, config, checks, dirs, workspace.kind, options.abort)
      : null
    const reused = reuse?.reused ?? new Map<string, RunResult>()
    const needs = (role: TreeRole) => checks.some((c) => !reused.has(runKey(role, c.name)))

    const prepared = new Map<TreeRole, Promise<{ tree: PreparedTree; setup: RunResult | null }>>()
    const prepare = (role: TreeRole) => {
      let tree = prepared.get(role)
      if (!tree) {
        tree = workspace
          .prepareTree(role, dirs.get(role)!, config.setup, {
            ...runOptions,
            limits: setupLimitsOf(config),
          })
          .then((result) => {
            if (result.setup) options.onEvent?.({ type: 'setup', tree: role, result: result.setup })
            return result
          })
        prepared.set(role, tree)
      }
      return tree
    }
    // One after the other: a candidate's setup that fills the disk or the machine for a while
    // must not be able to make the baseline's setup fail (and so change the verdict). A tree
    // whose every result is reused is not prepared, unless an audit needs it later.
    for (const role of roles) if (needs(role)) await prepare(role)
    // An overlay that could not be mounted over a tree falls back to copies: say so before runs.
    if (workspace.kind !== announced) {
      options.onEvent?.({ type: 'sandbox', kind: workspace.kind, note: workspace.sandboxNote })
    }

    const limit = Math.max(1, options.parallel ?? config.parallel ?? availableParallelism())
    const schedule = createLimiter(limit)
    const jobs = scheduleRuns(checks, roles, reused)
    const normalRunsDone = Promise.withResolvers<void>()
    const kinds = options.audit ?? config.audit ?? options.auditDefault ?? []
    const audit =
      kinds.length === 0
        ? null
        : new AuditRuns({
            kinds,
            config,
            checks,
            workspace,
            dirs: { baseline: baselineDir, candidate: options.candidateDir },
            treeFor: prepare,
            schedule,
            // Timings must not be measured beside audit runs: then those wait for the normal
            // runs to end. Otherwise they fill slots as the normal runs free them.
            hold: checks.some(measuresTime) ? normalRunsDone.promise : Promise.resolve(),
            runOptions,
            cache: options.cache ? openAuditCache(options.cache, config, workspace.kind) : null,
            candidateTreeId:
              options.cache?.treeIds?.candidate ?? reuse?.treeIds.get('candidate') ?? null,
            onEvent: (event: AuditEvent) => options.onEvent?.(auditEvent(event)),
            ...(options.abort ? { abort: options.abort } : {}),
          })
    // A check's result on a tree is final when its last repeat is done: the audit takes it then.
    const left = new Map<string, number>()
    for (const job of jobs) {
      const key = runKey(job.role, job.check.name)
      left.set(key, (left.get(key) ?? 0) + 1)
    }
    const finished: AttemptRun[][] = new Array<AttemptRun[]>(jobs.length)
    const runJob = async (job: RunJob): Promise<AttemptRun[]> => {
      const tree = await prepared.get(job.role)
      if (!tree) throw new Error(`internal: tree ${job.role} was not prepared`)
      const setupFailure = tree.setup && tree.setup.outcome !== 'PASSED' ? tree.setup : null
      if (setupFailure) {
        return [{ result: setupFailedResult(setupFailure, job.role, seed), started_at: now() }]
      }
      return runAttempts(job, {
        retries: job.check.retries ?? 0,
        seedOf: (attempt) => attemptSeed(seed, job.repeat, attempt),
        run: async (attemptSeedValue, attempt) => {
          options.onEvent?.({
            type: 'start',
            check: job.check.name,
            tree: job.role,
            repeat: job.repeat,
            attempt,
          })
          const result = await workspace.runCheck(tree.tree, job.check, {
            ...runOptions,
            seed: attemptSeedValue,
            limits: limitsOf(config, job.check),
          })
          options.onEvent?.({
            type: 'finish',
            check: job.check.name,
            tree: job.role,
            result,
            repeat: job.repeat,
            attempt,
          })
          return result
        },
        aborted: () => options.abort?.aborted ?? false,
      })
    }
    // Every normal run is handed to the scheduler now, before any audit run can be.
    const normalRuns = Promise.all(
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
    ).finally(() => normalRunsDone.resolve())
    for (const role of roles) {
      for (const check of checks) {
        const hit = reused.get(runKey(role, check.name))
        if (hit) audit?.onResult(role, check, hit)
      }
    }
    const ran = await normalRuns

    // Every repeat's attempts, by check and tree, in the order the repeats were scheduled.
    const repeatsOf = new Map<string, AttemptRun[][]>()
    jobs.forEach((job, i) => {
      const key = runKey(job.role, job.check.name)
      const list = repeatsOf.get(key) ?? []
      list[job.repeat - 1] = ran[i]!
      repeatsOf.set(key, list)
    })
    const resultOf = (role: TreeRole, check: CheckSpec): RunResult | null => {
      const key = runKey(role, check.name)
      const hit = reused.get(key)
      if (hit) return hit
      const repeats = repeatsOf.get(key)
      return repeats ? summarizeRepeats(repeats, check.metrics ?? []) : null
    }
    const reports: CheckReport[] = checks.map((check) => {
      const candidate = resultOf('candidate', check)!
      const baseline = baselineDir !== null ? resultOf('baseline', check) : null
      return {
        name: check.name,
        kind: check.kind,
        candidate,
        baseline,
        ...compareRuns(baseline, candidate),
        reproduce: (options.reproduce ?? defaultReproduce(options))(check, seed),
        metrics: compareMetrics(check.metrics ?? [], baseline, candidate),
        ...(isCanary(check) ? { expect: 'fail' as const } : {}),
      }
    })
    if (reuse) {
      await storeResults(options.cache!, reuse, reports, reused)
    }
    const audited = audit ? await audit.finish() : null
    const { verdict, reasons } =
      options.shard && reports.length === 0
        ? emptyShardVerdict(options.shard, inShard?.size ?? 0, config.checks.length)
        : decideVerdict(mode, reports, {
            flaky: config.flaky ?? 'warn',
            audit: audited?.audit ?? null,
          })
    const candidateRuns = reports.map((r) => r.candidate)
    // Canaries do not score: their runs are meant to fail.
    const scoring = reports.filter((r) => !isCanary(r))
    const baselineRuns = scoring.flatMap((r) => (r.baseline ? [r.baseline] : []))
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
    const treeInfo = (role: TreeRole, dir: string): TreeInfo => ({
      role,
      path: dir,
      commit: options.commits?.[role] ?? null,
      setup: setups.get(role) ?? null,
      ...(reuse?.treeIds.has(role) ? { id: reuse.treeIds.get(role)! } : {}),
    })
    return {
      schema_version: 1,
      tool: { name: 'quorum', version: VERSION },
      verdict,
      mode,
      flaky: config.flaky ?? 'warn',
      reasons,
      checks: reports,
      counts: countOutcomes(candidateRuns),
      skipped: checksSkipped,
      ...(options.shard
        ? {
            shard: {
              index: options.shard.index,
              total: options.shard.total,
              all_checks: config.checks.map((c) => c.name),
            },
          }
        : {}),
      totals: {
        baseline_score: baselineDir !== null ? totalScore(baselineRuns) : null,
        candidate_score: totalScore(scoring.map((r) => r.candidate)),
      },
      trees: {
        baseline: baselineDir !== null ? treeInfo('baseline', baselineDir) : null,
        candidate: treeInfo('candidate', options.candidateDir),
      },
      sandbox: workspace.kind,
      config_file: options.config.file,
      started_at: startedAt.toISOString(),
      duration_ms: Date.now() - startedAt.getTime(),
      notices: [
        ...(options.notices ?? []),
        ...sandboxNotices(workspace, options, config, checks),
        ...(reuse?.warnings ?? []),
        ...(options.cache?.store.warnings ?? []),
        ...(audited?.notices ?? []),
      ],
      ...(audited ? { audit: audited.audit satisfies AuditReport } : {}),
    }
  } finally {
    options.abort?.removeEventListener('abort', onAbort)
    await workspace.dispose()
  }
}

/**
 * A shard with nothing to run: more shards than checks, or its whole share skipped. On its own
 * it has verified nothing, but it is not a failure either: the verdict that counts is the
 * publisher's, which merges every shard, checks that each check of the suite ran in its shard,
 * and blocks when none ran at all. Blocking here would fail a matrix job for being one too many.
 */
function emptyShardVerdict(
  shard: Shard,
  share: number,
  suite: number,
): { verdict: 'allow'; reasons: string[] } {
  const what =
    share === 0
      ? `shard ${shard.index}/${shard.total} has no checks to run (the suite has ${suite} ${suite === 1 ? 'check' : 'checks'} for ${shard.total} shards)`
      : `every check of shard ${shard.index}/${shard.total} was skipped`
  return {
    verdict: 'allow',
    reasons: [`${what}; the merged verdict of all shards decides`],
  }
}

/** What a reader must know about how isolated the runs were. */
function sandboxNotices(
  workspace: Workspace,
  options: GateOptions,
  config: GateConfig,
  checks: readonly CheckSpec[],
): string[] {
  const notices: string[] = []
  if (workspace.kind === 'copy' && workspace.sandboxNote) {
    notices.push(`Sandboxes were copies, not overlays: ${workspace.sandboxNote}.`)
  }
  if (workspace.kind === 'copy' && options.maskPaths && options.maskPaths.length > 0) {
    notices.push(
      'The copy sandbox cannot hide credential files and runner control files from checks; only overlay sandboxes (Linux user namespaces) can.',
    )
  }
  // Only limits the config asks for are worth a notice on every report: the defaults are a
  // safety net, and a runner without cgroups would otherwise repeat the same line on every PR.
  const asked = (key: 'pids_max' | 'memory_mb' | 'disk_mb') =>
    config.limits?.[key] != null || checks.some((check) => check.limits?.[key] != null)
  const limits = checks.map((check) => limitsOf(config, check))
  if (workspace.cgroupNote && (asked('pids_max') || asked('memory_mb'))) {
    notices.push(
      `pids_max and memory_mb were not enforced: no cgroup could be had (${workspace.cgroupNote}).`,
    )
  }
  if (
    workspace.kind === 'overlay' &&
    limits.some((l) => l.network === 'host') &&
    !abstractSocketsScoped()
  ) {
    notices.push(
      "Checks with the host's network could reach host daemons' abstract unix sockets: this kernel cannot scope them (Landlock, Linux 6.12 or newer); network: none closes that.",
    )
  }
  if (workspace.kind === 'copy') {
    const open = checks.filter((_, i) => limits[i]!.network === 'none').map((c) => c.name)
    if (open.length > 0) {
      notices.push(
        `network: none was not enforced for ${open.join(', ')}: only overlay sandboxes have a private network.`,
      )
    }
    if (asked('disk_mb')) {
      notices.push('disk_mb was not enforced: copy sandboxes write to the disk.')
    }
  }
  return notices
}

async function withFunctionChecks(
  config: GateConfig,
  workspace: Workspace,
  abort: AbortSignal | undefined,
): Promise<GateConfig> {
  if (config.functions === null) return config
  let listed: Array<{ name: string; timeout_s: number | null }>
  try {
    listed = await workspace.listFunctionChecks(config.functions, abort)
  } catch (error) {
    if (abort?.aborted) throw error
    // A broken checks module is a config problem: one clear line, exit 2, no stack.
    const message = error instanceof Error ? error.message : String(error)
    throw new ConfigError({ file: config.functions, key: 'functions', message })
  }
  return mergeFunctionChecks(config, listed, config.functions)
}

function selectChecks(checks: CheckSpec[], only: string[] | null, skip: string[]): CheckSpec[] {
  const known = new Set(checks.map((c) => c.name))
  const unknown = [...(only ?? []), ...skip].filter((name) => !known.has(name))
  if (unknown.length > 0) {
    throw new GateUsageError(
      `unknown check ${[...new Set(unknown)].map((n) => `"${n}"`).join(', ')} (known: ${[...known].join(', ')})`,
    )
  }
  if (checks.length === 0) throw new GateUsageError('the config defines no checks')
  const chosen =
    only === null || only.length === 0 ? checks : checks.filter((c) => only.includes(c.name))
  return chosen.filter((c) => !skip.includes(c.name))
}

/** One repeat of one check on one tree; its attempts run one after the other. */
interface RunJob {
  check: CheckSpec
  role: TreeRole
  /** 1-based. */
  repeat: number
}

/**
 * The runs to do, in the order to start them. Each repeat is a pair of runs, one per tree, next
 * to each other in the queue, so they run at the same time when there are two slots, and one
 * right after the other when there is one; the order within the pair alternates (B C, C B, ...),
 * so neither tree always goes first. Drift on a shared machine then hits both trees alike.
 */
function scheduleRuns(
  checks: readonly CheckSpec[],
  roles: readonly TreeRole[],
  reused: ReadonlyMap<string, RunResult>,
): RunJob[] {
  const jobs: RunJob[] = []
  for (const check of checks) {
    const repeats = check.repeats ?? 1
    for (let repeat = 1; repeat <= repeats; repeat++) {
      const order = repeat % 2 === 1 ? roles : [...roles].reverse()
      for (const role of order) {
        if (!reused.has(runKey(role, check.name))) jobs.push({ check, role, repeat })
      }
    }
  }
  return jobs
}

/** Runs a job's first attempt, and retries while it did not pass and retries are left. */
async function runAttempts(
  job: RunJob,
  p: {
    retries: number
    seedOf: (attempt: number) => string
    run: (seed: string, attempt: number) => Promise<RunResult>
    aborted: () => boolean
  },
): Promise<AttemptRun[]> {
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

/** A check on a tree whose setup failed never ran; it is ERROR, and says why. */
function setupFailedResult(setup: RunResult, role: TreeRole, seed: string): RunResult {
  return {
    outcome: 'ERROR',
    reason: `setup failed on the ${role} (${setup.outcome}: ${setup.reason}); the check did not run`,
    score: null,
    duration_ms: 0,
    exit_code: null,
    signal: null,
    output: { head: '', tail: '', bytes: 0, truncated: false, log_path: setup.output.log_path },
    seed,
    sandbox: setup.sandbox,
  }
}

/**
 * A scheduler of at most `limit` tasks at once, started in the order they were handed in: the
 * normal runs are all handed in first, so an audit run handed in later waits behind them.
 */
function createLimiter(limit: number) {
  let active = 0
  const waiting: Array<() => void> = []
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active < limit) active++
    else await new Promise<void>((resolve) => waiting.push(resolve))
    try {
      return await task()
    } finally {
      // The slot passes to the next waiting task, or frees up.
      const next = waiting.shift()
      if (next) next()
      else active--
    }
  }
}

/** Whether a check measures something that varies with the machine's load (a timing). */
function measuresTime(check: CheckSpec): boolean {
  return (check.metrics ?? []).some((m) => !m.deterministic)
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

function defaultReproduce(options: GateOptions) {
  return (check: CheckSpec, seed: string): string => {
    const args = ['npx', 'quorum-gate', 'verify', '--candidate', options.candidateDir]
    if (options.config.file) args.push('--config', options.config.file)
    else if (options.config.functions) args.push('--checks', options.config.functions)
    args.push('--only', check.name, '--seed', seed)
    return args.map(shellQuote).join(' ')
  }
}

/** The gate user's HOME, for `~/` in `read_only_paths`. */
function homeOfGate(env: Record<string, string | undefined> | undefined): string {
  return (env ?? process.env)['HOME'] || homedir()
}
