/**
 * The gate's plan, as pure logic: which checks run (selection, skip, shard), on which trees, which
 * runs are left once the cache's results are reused, in what order they start, which trees need
 * preparing, how many runs at once, and which audits follow. Data in, data out: the executor
 * (execute.ts) carries the plan out, and the report (assemble-report.ts) reads it back.
 */
import { checksInShard, type Shard } from '../engine/shard.ts'
import type {
  AuditKind,
  CheckSpec,
  FlakyPolicy,
  GateConfig,
  Mode,
  RunResult,
  TreeRole,
} from '../engine/types.ts'
import { runKey } from '../cache/reuse.ts'
import { GateUsageError, type GateOptions, type TreeDirs } from './options.ts'

/** One repeat of one check on one tree; its attempts run one after the other. */
export interface RunJob {
  check: CheckSpec
  role: TreeRole
  /** 1-based. */
  repeat: number
  /**
   * The check measures a timing (a metric that is not deterministic): the run runs alone,
   * pinned to one CPU, after the other checks' runs (see execute.ts).
   */
  timed: boolean
}

/** The checks a gate runs, chosen from the config's. */
export interface CheckSelection {
  /** The checks to run, in config order. */
  checks: CheckSpec[]
  /** Every check of the config, by name (a shard's report names the whole suite). */
  allChecks: string[]
  /** The config's checks that `skip` named, in config order. */
  skipped: string[]
  /** The shard run, and how many checks fell to it before `only` and `skip`; null: no shard. */
  shard: (Shard & { share: number }) | null
}

/** Everything the executor and the report need to know before anything runs. */
export interface GatePlan {
  mode: Mode
  flaky: FlakyPolicy
  checks: CheckSpec[]
  allChecks: string[]
  skipped: string[]
  shard: (Shard & { share: number }) | null
  /** The trees, baseline first when there is one. */
  roles: TreeRole[]
  /** Results reused from the cache, by runKey: those runs are not done again. */
  reused: ReadonlyMap<string, RunResult>
  /** The reused results in tree-then-config order, as the audits are told of them. */
  reusedResults: Array<{ role: TreeRole; check: CheckSpec; result: RunResult }>
  /** The trees to prepare before any run, one after the other: those with a run left to do. */
  prepare: TreeRole[]
  /** The runs to do, in the order to start them (see scheduleRuns). */
  jobs: RunJob[]
  /** How many runs at once (at least 1). */
  parallel: number
  /** The audits to run beside the checks; empty: none. */
  audits: AuditKind[]
  /** Audit runs wait for every normal run to end: some check measures a timing. */
  holdAudits: boolean
}

/**
 * The mode the gate decides in (the option over the config's), refused when it cannot work:
 * scored mode compares two trees.
 */
export function chooseMode(
  config: GateConfig,
  mode: Mode | null,
  baselineDir: string | null,
): Mode {
  const chosen = mode ?? config.mode
  if (chosen === 'scored' && baselineDir === null) {
    throw new GateUsageError('scored mode needs a baseline tree (--baseline DIR)')
  }
  return chosen
}

/**
 * The checks to run: the shard's share of the config's checks (all without a shard), narrowed by
 * `only`, without those in `skip`. Throws GateUsageError for a name the config does not know
 * and for a config without checks.
 */
export function selectChecks(
  config: GateConfig,
  p: { only?: string[] | null; skip?: string[] | null; shard?: Shard | null },
): CheckSelection {
  const allChecks = config.checks.map((c) => c.name)
  const skip = p.skip ?? []
  const inShard = p.shard ? new Set(checksInShard(allChecks, p.shard)) : null
  const checks = chooseChecks(config.checks, p.only ?? null, skip).filter(
    (c) => inShard === null || inShard.has(c.name),
  )
  return {
    checks,
    allChecks,
    skipped: config.checks.filter((c) => skip.includes(c.name)).map((c) => c.name),
    shard: p.shard ? { index: p.shard.index, total: p.shard.total, share: inShard!.size } : null,
  }
}

/**
 * The plan of a gate: from the chosen checks, the trees there are and the results the cache
 * already holds, every run left to do and what it needs.
 */
export function planGate(p: {
  mode: Mode
  config: GateConfig
  selection: CheckSelection
  dirs: TreeDirs
  /** Results found in the cache (by runKey); null: no cache. */
  reused: ReadonlyMap<string, RunResult> | null
  /**
   * What the caller asked for: `parallel` runs at once (over the config's, else `cpus`), and
   * `audit` (over the config's, else `auditDefault`).
   */
  asked: Pick<GateOptions, 'parallel' | 'audit' | 'auditDefault'>
  cpus: number
}): GatePlan {
  const { checks } = p.selection
  const roles: TreeRole[] = p.dirs.baseline !== null ? ['baseline', 'candidate'] : ['candidate']
  const reused = p.reused ?? new Map<string, RunResult>()
  return {
    mode: p.mode,
    flaky: p.config.flaky ?? 'warn',
    checks,
    allChecks: p.selection.allChecks,
    skipped: p.selection.skipped,
    shard: p.selection.shard,
    roles,
    reused,
    reusedResults: roles.flatMap((role) =>
      checks.flatMap((check) => {
        const result = reused.get(runKey(role, check.name))
        return result ? [{ role, check, result }] : []
      }),
    ),
    // A tree whose every result is reused is not prepared, unless an audit needs it later.
    prepare: roles.filter((role) => checks.some((c) => !reused.has(runKey(role, c.name)))),
    jobs: scheduleRuns(checks, roles, reused),
    parallel: Math.max(1, p.asked.parallel ?? p.config.parallel ?? p.cpus),
    audits: p.asked.audit ?? p.config.audit ?? p.asked.auditDefault ?? [],
    // Timings must not be measured beside audit runs: then those wait for the normal runs to
    // end. Otherwise they fill slots as the normal runs free them.
    holdAudits: checks.some(measuresTime),
  }
}

function chooseChecks(checks: CheckSpec[], only: string[] | null, skip: string[]): CheckSpec[] {
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

/**
 * The runs to do, in the order to start them: the checks that measure no timing first, then the
 * timed ones (which run alone). Each repeat is a pair of runs, one per tree, next to each other
 * in the queue, so they run at the same time when there are two slots, and one right after the
 * other when there is one; the order within the pair alternates (B C, C B, ...), so neither tree
 * always goes first. Drift on a shared machine then hits both trees alike.
 */
function scheduleRuns(
  checks: readonly CheckSpec[],
  roles: readonly TreeRole[],
  reused: ReadonlyMap<string, RunResult>,
): RunJob[] {
  const ordered = [...checks.filter((c) => !measuresTime(c)), ...checks.filter(measuresTime)]
  return ordered.flatMap((check) => repeatJobs(check, roles, reused, 1, check.repeats ?? 1))
}

/** The jobs of repeats `from`..`to` of a check, interleaved as scheduleRuns describes. */
export function repeatJobs(
  check: CheckSpec,
  roles: readonly TreeRole[],
  reused: ReadonlyMap<string, RunResult>,
  from: number,
  to: number,
): RunJob[] {
  const jobs: RunJob[] = []
  const timed = measuresTime(check)
  for (let repeat = from; repeat <= to; repeat++) {
    const order = repeat % 2 === 1 ? roles : [...roles].reverse()
    for (const role of order) {
      if (!reused.has(runKey(role, check.name))) jobs.push({ check, role, repeat, timed })
    }
  }
  return jobs
}

/**
 * Whether a check measures something that varies with the machine's load (a timing): it
 * declares a metric that is not deterministic. The score alone (`score_from`, a count of passed
 * tests, say) does not make it one; declare it under `metrics` to time it.
 */
export function measuresTime(check: CheckSpec): boolean {
  return (check.metrics ?? []).some((m) => !m.deterministic && m.from_score !== true)
}
