/**
 * The gate's report, assembled as pure logic: from the plan and what the runs left behind, each
 * check's result on each tree (its repeats summarised, or the result reused), their comparison,
 * the verdict, and the one Report document every view is rendered from. Data in, data out: the
 * facts about the machine (the sandbox, cgroups, the clock) are handed in.
 */
import {
  compareRuns,
  countOutcomes,
  decideVerdict,
  isCanary,
  totalScore,
} from '../engine/compare.ts'
import { limitsOf } from '../engine/limits.ts'
import { compareMetrics } from '../engine/metrics.ts'
import { summarizeRepeats, type AttemptRun } from '../engine/repeats.ts'
import type { Shard } from '../engine/shard.ts'
import { shellQuote } from '../engine/shell-quote.ts'
import type {
  AuditReport,
  CheckReport,
  CheckSpec,
  GateConfig,
  Report,
  RunResult,
  SandboxKind,
  TreeInfo,
  TreeRole,
} from '../engine/types.ts'
import { runKey } from '../cache/reuse.ts'
import { VERSION } from '../version.ts'
import type { TreeDirs } from './options.ts'
import type { GatePlan } from './plan.ts'

/** How isolated the runs were, as the workspace saw it at the end. */
export interface Isolation {
  kind: SandboxKind
  /** Why runs use copies although overlays were asked for; null otherwise. */
  sandboxNote: string | null
  /** Why runs got no cgroup; null when they did. */
  cgroupNote: string | null
  /** What the caller asked to hide from checks (only overlays can). */
  maskPaths: readonly string[]
  /** Whether this kernel scopes abstract unix sockets; asked only when it matters (a probe). */
  abstractSocketsScoped: () => boolean
}

/**
 * Every planned check's report: its result on each tree (the reused one, or its repeats
 * summarised), compared, with its metrics and a command that reproduces it. `attempts` are the
 * executor's, in the order of the plan's jobs.
 */
export function checkReportsOf(
  plan: GatePlan,
  attempts: readonly AttemptRun[][],
  p: { seed: string; reproduce: (check: CheckSpec, seed: string) => string },
): CheckReport[] {
  // Every repeat's attempts, by check and tree, in the order the repeats were scheduled.
  const repeatsOf = new Map<string, AttemptRun[][]>()
  plan.jobs.forEach((job, i) => {
    const key = runKey(job.role, job.check.name)
    const list = repeatsOf.get(key) ?? []
    list[job.repeat - 1] = attempts[i]!
    repeatsOf.set(key, list)
  })
  const resultOf = (role: TreeRole, check: CheckSpec): RunResult | null => {
    const key = runKey(role, check.name)
    const hit = plan.reused.get(key)
    if (hit) return hit
    const repeats = repeatsOf.get(key)
    return repeats ? summarizeRepeats(repeats, check.metrics ?? []) : null
  }
  const hasBaseline = plan.roles.includes('baseline')
  return plan.checks.map((check) => {
    const candidate = resultOf('candidate', check)!
    const baseline = hasBaseline ? resultOf('baseline', check) : null
    return {
      name: check.name,
      kind: check.kind,
      candidate,
      baseline,
      ...compareRuns(baseline, candidate),
      reproduce: p.reproduce(check, p.seed),
      metrics: compareMetrics(check.metrics ?? [], baseline, candidate),
      ...(isCanary(check) ? { expect: 'fail' as const } : {}),
    }
  })
}

/** The report of one gate, from everything it found out. */
export function assembleReport(p: {
  plan: GatePlan
  /** The config, function checks included. */
  config: GateConfig
  /** The config file the caller loaded (null: a config built in code). */
  configFile: string | null
  checks: CheckReport[]
  audited: { audit: AuditReport; notices: string[] } | null
  trees: {
    dirs: TreeDirs
    commits: { baseline?: string | null; candidate?: string | null } | null
    /** Each prepared tree's setup result, by role. */
    setups: ReadonlyMap<TreeRole, RunResult | null>
    /** Content identities of the trees, where the cache had them. */
    ids: ReadonlyMap<TreeRole, string> | null
  }
  isolation: Isolation
  /** The caller's notices first, then the cache's warnings after the sandbox's notices. */
  notices: { given: readonly string[]; cache: readonly string[] }
  startedAt: Date
  finishedAt: Date
}): Report {
  const { plan, checks: reports, audited, trees } = p
  const { verdict, reasons } =
    plan.shard && reports.length === 0
      ? emptyShardVerdict(plan.shard, plan.shard.share, plan.allChecks.length)
      : decideVerdict(plan.mode, reports, { flaky: plan.flaky, audit: audited?.audit ?? null })
  // Canaries do not score: their runs are meant to fail.
  const scoring = reports.filter((r) => !isCanary(r))
  const treeInfo = (role: TreeRole, dir: string): TreeInfo => ({
    role,
    path: dir,
    commit: trees.commits?.[role] ?? null,
    setup: trees.setups.get(role) ?? null,
    ...(trees.ids?.has(role) ? { id: trees.ids.get(role)! } : {}),
  })
  const baselineDir = trees.dirs.baseline
  return {
    schema_version: 1,
    tool: { name: 'quorum', version: VERSION },
    verdict,
    mode: plan.mode,
    flaky: plan.flaky,
    reasons,
    checks: reports,
    counts: countOutcomes(reports.map((r) => r.candidate)),
    skipped: plan.skipped,
    ...(plan.shard
      ? {
          shard: { index: plan.shard.index, total: plan.shard.total, all_checks: plan.allChecks },
        }
      : {}),
    totals: {
      baseline_score:
        baselineDir !== null
          ? totalScore(scoring.flatMap((r) => (r.baseline ? [r.baseline] : [])))
          : null,
      candidate_score: totalScore(scoring.map((r) => r.candidate)),
    },
    trees: {
      baseline: baselineDir !== null ? treeInfo('baseline', baselineDir) : null,
      candidate: treeInfo('candidate', trees.dirs.candidate),
    },
    sandbox: p.isolation.kind,
    config_file: p.configFile,
    started_at: p.startedAt.toISOString(),
    duration_ms: p.finishedAt.getTime() - p.startedAt.getTime(),
    notices: [
      ...p.notices.given,
      ...sandboxNotices(p.isolation, p.config, plan.checks),
      ...p.notices.cache,
      ...(audited?.notices ?? []),
    ],
    ...(audited ? { audit: audited.audit satisfies AuditReport } : {}),
  }
}

/**
 * The reproduce line when the caller gives none: the CLI run of this one check on the
 * candidate, with the gate's seed.
 */
export function defaultReproduce(p: {
  candidateDir: string
  config: Pick<GateConfig, 'file' | 'functions'>
}): (check: CheckSpec, seed: string) => string {
  return (check, seed) => {
    const args = ['npx', 'quorum-gate', 'verify', '--candidate', p.candidateDir]
    if (p.config.file) args.push('--config', p.config.file)
    else if (p.config.functions) args.push('--checks', p.config.functions)
    args.push('--only', check.name, '--seed', seed)
    return args.map(shellQuote).join(' ')
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
  isolation: Isolation,
  config: GateConfig,
  checks: readonly CheckSpec[],
): string[] {
  const notices: string[] = []
  if (isolation.kind === 'copy' && isolation.sandboxNote) {
    notices.push(`Sandboxes were copies, not overlays: ${isolation.sandboxNote}.`)
  }
  if (isolation.kind === 'copy' && isolation.maskPaths.length > 0) {
    notices.push(
      'The copy sandbox cannot hide credential files and runner control files from checks; only overlay sandboxes (Linux user namespaces) can.',
    )
  }
  // Only limits the config asks for are worth a notice on every report: the defaults are a
  // safety net, and a runner without cgroups would otherwise repeat the same line on every PR.
  const asked = (key: 'pids_max' | 'memory_mb' | 'disk_mb') =>
    config.limits?.[key] != null || checks.some((check) => check.limits?.[key] != null)
  const limits = checks.map((check) => limitsOf(config, check))
  if (isolation.cgroupNote && (asked('pids_max') || asked('memory_mb'))) {
    notices.push(
      `pids_max and memory_mb were not enforced: no cgroup could be had (${isolation.cgroupNote}).`,
    )
  }
  if (
    isolation.kind === 'overlay' &&
    limits.some((l) => l.network === 'host') &&
    !isolation.abstractSocketsScoped()
  ) {
    notices.push(
      "Checks with the host's network could reach host daemons' abstract unix sockets: this kernel cannot scope them (Landlock, Linux 6.12 or newer); network: none closes that.",
    )
  }
  if (isolation.kind === 'copy') {
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
