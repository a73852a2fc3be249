/**
 * The shared vocabulary of Quorum, as plain data. Every layer (engine, run, report, github, cli)
 * speaks these types; none of them carries behaviour.
 */

/**
 * FLAKY: a run did not pass, then a retry on the same tree passed (or some repeats passed and
 * others did not). It is an outcome of a tree's result, never of a single attempt.
 */
export const OUTCOMES = ['PASSED', 'FAILED', 'TIMEOUT', 'CRASHED', 'ERROR', 'FLAKY'] as const
export type Outcome = (typeof OUTCOMES)[number]
/** What one attempt can end as. */
export type AttemptOutcome = Exclude<Outcome, 'FLAKY'>

export const MODES = ['pass-fail', 'scored', 'no-regression'] as const
export type Mode = (typeof MODES)[number]

/** How FLAKY counts in a verdict: `warn` shows it and does not block; `block` counts it as a failure. */
export type FlakyPolicy = 'warn' | 'block'

/**
 * The audits that test the checks themselves (src/engine/audit.ts): `vacuity` runs each check on
 * an empty tree, `changes` runs the checks against candidates in which one changed file is broken.
 */
export const AUDIT_KINDS = ['vacuity', 'changes'] as const
export type AuditKind = (typeof AUDIT_KINDS)[number]
/** How an audit finding counts: `warn` shows it and does not block; `block` makes the verdict block. */
export type AuditPolicy = 'warn' | 'block'

/** Which way a metric is better. */
export type Direction = 'higher' | 'lower'
/** How far a metric may move the worse way before it is a regression. */
export type Tolerance = { kind: 'relative'; fraction: number } | { kind: 'absolute'; value: number }

/** A named number a check reports (a `name=<number>` line, or `metrics` from a function check). */
export interface MetricSpec {
  name: string
  direction: Direction
  tolerance: Tolerance
  /** The value never varies between runs of the same tree: compared exactly, reusable. */
  deterministic: boolean
  /**
   * Where the value comes from: `stdout` (default), a `name=<number>` line the check prints;
   * `cpu`, the CPU time (user + system, in ms) of the run's processes, read from its cgroup.
   */
  source?: MetricSource
  /**
   * The metric only because `score_from` names it (not declared under `metrics`): a score such
   * as a count of passed tests, which does not make its check a timed one.
   */
  from_score?: true
}

/** Where a metric's value comes from (see MetricSpec.source). */
export type MetricSource = 'stdout' | 'cpu'

export type TreeRole = 'baseline' | 'candidate'
export type Verdict = 'allow' | 'block'
export type SandboxKind = 'overlay' | 'copy'

/** One check as the config describes it, after validation and defaults. */
interface CheckSpecBase {
  name: string
  /** Wall-clock budget of one run, in seconds (> 0). */
  timeout_s: number
  /** Extra environment for this check only: literal values set by the config. */
  env: Record<string, string>
  /** This check's resource limits; what is missing comes from the config's, then the defaults. */
  limits?: Partial<ResourceLimits>
  /** Where the check's name is written in the config, when it came from one (for errors). */
  source?: SourceLocation
  /**
   * `fail`: a canary, a check that must not pass (a known-bad input kept in the suite). When it
   * passes, the gate itself is broken and the verdict is block. Absent: an ordinary check.
   */
  expect?: 'fail'
  /** Runs per tree (>= 1; default 1); baseline and candidate runs alternate. */
  repeats?: number
  /**
   * Adaptive repeats: while a metric that varies is inconclusive, more pairs of runs, up to this
   * many per tree (>= repeats; absent: exactly `repeats`). See src/engine/sequential.ts.
   */
  max_repeats?: number
  /** Most wall time, in seconds, the runs of an adaptive check may take in all (default 300). */
  repeat_time_s?: number
  /** Extra attempts of a run that did not pass (FAILED, TIMEOUT, CRASHED), same tree (default 0). */
  retries?: number
  /**
   * Metrics the check reports, in config order (score_from is one of them, direction higher;
   * default none besides it).
   */
  metrics?: MetricSpec[]
}

/** What one run may use besides its wall-clock budget (config keys of the same names). */
export interface ResourceLimits {
  /** `none`: a private network namespace with loopback only; `host`: the machine's network. */
  network: 'none' | 'host'
  /** Most processes (and threads) the run may have at once; null = no limit. Needs a cgroup. */
  pids_max: number | null
  /** Most memory (including what it writes to tmpfs) in MiB; null = no limit. Needs a cgroup. */
  memory_mb: number | null
  /** Most bytes the run may write (its tree, HOME, TMPDIR, /tmp), in MiB; null = the disk's free space. */
  disk_mb: number | null
}
export interface ShellCheckSpec extends CheckSpecBase {
  kind: 'shell'
  command: string
  /** Key whose `key=<number>` line on stdout is the score (last occurrence wins). */
  score_from: string | null
}
export interface FunctionCheckSpec extends CheckSpecBase {
  kind: 'function'
  /** Absolute path of the checks module that exports this check. */
  module: string
}
export type CheckSpec = ShellCheckSpec | FunctionCheckSpec

/** Where in a config file a value came from, for one-line error messages. */
export interface SourceLocation {
  file: string
  line: number
  column: number
}

/** The validated gate configuration (quorum.yml plus the function checks it names). */
export interface GateConfig {
  /** Absolute path of the config file, or null when built in code. */
  file: string | null
  mode: Mode
  /** How a FLAKY result counts (default warn). */
  flaky?: FlakyPolicy
  /** The audits the config asks for (`audit`); absent: the caller's default (none in the CLI). */
  audit?: AuditKind[]
  /** Most changed files the change-coverage audit breaks, one at a time (default 20). */
  audit_max_files?: number
  /** Globs (relative to the tree's root) of changed files the change-coverage audit leaves out. */
  audit_ignore?: string[]
  /** How a check that passes on an empty tree counts (default warn). */
  vacuous?: AuditPolicy
  /** How a changed file that no check noticed when it was broken counts (default warn). */
  uncovered?: AuditPolicy
  /** Shell command run once per tree before any check, in the prepared tree. */
  setup: { command: string; timeout_s: number; network?: 'none' | 'host' } | null
  /** Resource limits of every run unless a check says otherwise (defaults: DEFAULT_LIMITS). */
  limits?: Partial<ResourceLimits>
  /** Names of the parent's environment variables that children may see (beyond the built-in allowlist). */
  env_passthrough: string[]
  /** Literal environment for every check. */
  env: Record<string, string>
  /** Maximum number of runs at once; null = number of cores. */
  parallel: number | null
  /**
   * Paths checks may read although a home or a private directory hides them (overlay only),
   * absolute or `~/...` for the gate user's HOME. Not part of any result's key.
   */
  read_only_paths?: string[]
  /** Path of the function-checks module, resolved against the config's directory; null if none. */
  functions: string | null
  /**
   * Where `functions` is written in the config and the path it named there: errors about the
   * module point at that line while `functions` is still that path (a caller such as the CLI's
   * --checks may replace it).
   */
  functions_source?: { path: string; location: SourceLocation }
  /** Shell checks from the config; function checks are appended once the module is loaded. */
  checks: CheckSpec[]
}

/** What was kept of a run's output: bounded, whatever the check printed. */
export interface CapturedOutput {
  /** First bytes of stdout+stderr interleaved as they arrived (UTF-8, may end mid-line). */
  head: string
  /** Last bytes; empty when everything fit in head. */
  tail: string
  /** Total bytes the run printed. */
  bytes: number
  /** True when bytes > head + tail, i.e. something in the middle was dropped. */
  truncated: boolean
  /** Absolute path of the full log on disk, or null if it was not kept. */
  log_path: string | null
}

export interface SpawnResult {
  exitCode: number | null
  /** Signal that ended the main process, e.g. 'SIGSEGV'. */
  signal: string | null
  timedOut: boolean
  /**
   * Why the process could not start or did not finish on its own, starting with a code:
   * 'ENOENT: ...', 'EACCES: ...', or exactly 'aborted' when the AbortSignal fired.
   */
  spawnError: string | null
  /** True when the run was ended by the AbortSignal (spawnError is then 'aborted'). */
  aborted: boolean
  /** From spawn to the end of the main process. */
  durationMs: number
  output: CapturedOutput
  /** From scoreKey scanning; null when no key or never printed. */
  score: number | null
  /**
   * The last value printed for each metric key asked for (absent when never printed); may be
   * non-finite when the run printed e.g. `x=inf`, so that it can be named as a problem.
   */
  metrics?: Record<string, number>
  /** Bytes received on fd 3 (at most 1 MiB), as UTF-8; null when no channel was asked for. */
  channel: string | null
  /** The nonce given to the child on stdin when channel was asked for, else null. */
  channelNonce: string | null
  /** Processes of the group were still alive after the main process ended (they were killed). */
  killedLeftovers: boolean
}

/** One attempt of one repeat of a check on a tree, as the report lists it. */
export interface Attempt {
  /** 1-based repeat number. */
  repeat: number
  /** 1-based attempt within the repeat (2 and more are retries). */
  attempt: number
  outcome: AttemptOutcome
  reason: string
  seed: string
  /** When the attempt started (ISO 8601), so the interleaving of the trees can be checked. */
  started_at: string
  duration_ms: number
  /** The metrics this attempt reported. */
  metrics: Record<string, number>
  /** Full log of this attempt, when kept. */
  log_path: string | null
}

/** Where a reused result came from. */
export interface ReuseOrigin {
  /** `local`: the CLI's cache directory; `actions`: the GitHub Actions cache. */
  cache: 'local' | 'actions'
  /** Where exactly (a directory, or an Actions cache key). */
  location: string
  /** When the reused result was stored. */
  stored_at: string
  key: string
}

/** One execution of one check on one tree (or, with repeats and retries, all of them summed up). */
export interface RunResult {
  outcome: Outcome
  /** Always present, always human-readable: why this outcome. */
  reason: string
  score: number | null
  duration_ms: number
  exit_code: number | null
  /** Signal name (e.g. "SIGSEGV") when the process died by a signal. */
  signal: string | null
  output: CapturedOutput
  /** QUORUM_SEED given to the run, so a failure can be replayed. */
  seed: string
  sandbox: SandboxKind
  /**
   * The tree's path as this run saw it (its sandbox root), so absolute paths in its output can
   * be mapped back into the repository; absent when the run never started.
   */
  sandbox_root?: string | null
  /** Metric values of this run (one attempt), or the medians over the repeats of a tree. */
  metrics?: Record<string, number>
  /**
   * True when an ERROR comes from the check's own declaration (a metric never printed, not
   * finite, or deterministic yet varying): it blocks no-regression even when the baseline has it.
   */
  declaration_error?: boolean
  /** Every attempt of every repeat, in the order they ran (present when the gate ran it). */
  attempts?: Attempt[]
  /** Set when this result was not run now but taken from a cache. */
  reused_from?: ReuseOrigin
}

/** How a metric moved from baseline to candidate. */
export type MetricVerdict = 'regressed' | 'improved' | 'unchanged' | 'inconclusive'

/** One metric of one check, compared. */
export interface MetricReport {
  name: string
  direction: Direction
  /** As written: `5%` or `2`. */
  tolerance: string
  deterministic: boolean
  /** null when there is no baseline to compare with (then verdict is `inconclusive`). */
  verdict: MetricVerdict
  baseline: { samples: number[]; median: number | null } | null
  /** median null: no samples (the candidate's runs did not pass). */
  candidate: { samples: number[]; median: number | null }
  /** 100 × (candidate median − baseline median) / baseline median; null without a baseline or at 0. */
  change_pct: number | null
  /** Confidence interval of change_pct, [low, high]; null when it cannot be computed. */
  ci: [number, number] | null
  /** The method that decided. */
  test: string
  /** For `inconclusive`: how many repeats per tree would probably decide it. */
  repeats_needed: number | null
}

/** How a check moved between baseline and candidate. */
export type Change =
  | 'still-passing'
  | 'regressed'
  | 'fixed'
  | 'still-failing'
  | 'passing' // no baseline run (pass-fail without a baseline)
  | 'failing' // no baseline run
  | 'new-check-passing' // check absent on baseline... reserved for configs that differ
  | 'new-check-failing'

export interface CheckReport {
  name: string
  kind: 'shell' | 'function'
  candidate: RunResult
  baseline: RunResult | null
  change: Change
  /** candidate.score - baseline.score when both are numbers, else null. */
  score_delta: number | null
  /** One command line that reproduces the candidate run locally with the CLI. */
  reproduce: string
  /** Every metric the check declares, compared (the gate always sets it; empty when none). */
  metrics?: MetricReport[]
  /** `fail`: a canary, which must not pass (see CheckSpec.expect); absent for ordinary checks. */
  expect?: 'fail'
  /** An adaptive check's looks (max_repeats or repeats: auto); absent for the others. */
  sequential?: SequentialReport
}

/** Why an adaptive check stopped adding runs (see src/engine/sequential.ts). */
export type SequentialStop = 'decided' | 'not-passing' | 'max-repeats' | 'time-budget' | 'stopped'

/** How an adaptive check's repeats went. */
export interface SequentialReport {
  /** Looks taken (1 = only the planned repeats), and the most that were planned. */
  looks: number
  planned_looks: number
  /** Repeats per tree at the last look, and the most there could have been. */
  repeats: number
  max_repeats: number
  /** The error budget the last look was tested at (its share of the 1%). */
  alpha: number
  stopped: SequentialStop
}

/** How the timed phase ran: the runs of checks that measure a timing (see gate/timed-phase.ts). */
export interface TimingReport {
  /** Every timed run ran alone: no other run, audit or setup of the gate beside it. */
  alone: true
  /** The CPU every timed run was pinned to; null when they were not pinned. */
  cpu: number | null
  /** The CPUs the gate itself kept to meanwhile ([]: it stayed where it was). */
  gate_cpus: number[]
  /** Why the runs were not pinned; null when they were. */
  not_pinned_reason: string | null
  /** The calibration's timings of one fixed loop, in ms; [] when it failed. */
  calibration_ms: number[]
  /** How much timings vary here, in percent (the calibration's spread); null when unknown. */
  noise_pct: number | null
  /** Why there is no noise figure; null when there is. */
  calibration_error: string | null
}

/**
 * One run of the audit: a check on a tree that is not one of the gate's own (the empty tree, or
 * the candidate with one file broken). Only what the audit needs; the full log, when kept, says
 * the rest.
 */
export interface AuditRun {
  outcome: Outcome
  reason: string
  duration_ms: number
  exit_code: number | null
  signal: string | null
  seed: string
  log_path: string | null
  /** Set when this result was taken from a cache. */
  reused_from?: ReuseOrigin
}

/** The vacuity probe of one check: its run on an empty tree (no files at all, setup not run). */
export interface VacuityProbe {
  check: string
  /** The tree whose passing result sent the check to the probe (the baseline when there is one). */
  probed: TreeRole
  run: AuditRun
  /** true: PASSED on the empty tree, so it cannot fail; null: the probe itself did not run. */
  vacuous: boolean | null
}

/** How a changed file was broken for the change-coverage audit. */
export type Sabotage =
  /** JavaScript or TypeScript: a first-line `throw`. */
  | 'throw'
  /** Python: a first-line `raise`. */
  | 'raise'
  /** Shell: a first-line `exit 1` with a message on stderr. */
  | 'exit'
  /** Anything else: the file's content removed. */
  | 'emptied'

/** One check run against the candidate with one changed file broken. */
export interface SabotagedRun {
  check: string
  run: AuditRun
  /** true: the check did not pass (it noticed); null: the run itself could not start. */
  noticed: boolean | null
  /**
   * The check passed with this file broken together with others (`broken_together` files in
   * all), so it noticed none of them and was not run against this file alone; `run` is that one
   * run, shared by every file of the group.
   */
  together?: true
  broken_together?: number
}

/** One changed file, broken on purpose, and which checks noticed. */
export interface FileAudit {
  /** Relative to the tree's root, `/`-separated. */
  path: string
  status: 'added' | 'modified'
  sabotage: Sabotage
  runs: SabotagedRun[]
  /** The checks that noticed, in config order. */
  noticed_by: string[]
  /** true: some check noticed; false: none did (not covered); null: no check could run. */
  covered: boolean | null
}

/** Why a changed file was not audited. */
export type NotAuditedReason =
  | 'ignored' // matched audit_ignore
  | 'gate-file' // the gate's config or checks module: it judges the code, it is not judged
  | 'binary'
  | 'not-a-file' // a symbolic link, a FIFO, ...
  | 'over-cap' // beyond audit_max_files
  | 'too-large'
  | 'unreadable'

/** The change-coverage audit: the candidate's changed files, each broken once. */
export interface ChangeAudit {
  /** The checks run against every broken file: those that PASSED on the candidate. */
  checks: string[]
  max_files: number
  files: FileAudit[]
  /** In path order; at most MAX_NOT_AUDITED_LISTED of them (a PR may change any number). */
  not_audited: Array<{ path: string; why: NotAuditedReason }>
  /** How many more changed files were not audited than `not_audited` lists. */
  not_audited_omitted?: number
  /** Why the audit could not look at the change at all (no baseline, ...); absent when it did. */
  note?: string
  /**
   * How many audit runs each check made (or reused), in the order of `checks`: runs with several
   * files broken at once included, so what the audit cost can be seen.
   */
  runs?: Array<{ check: string; runs: number }>
}

/**
 * The audits' results: runs of the checks on trees made to test the checks themselves. They never
 * change the outcome of a normal run; they change the verdict only through `vacuous: block` and
 * `uncovered: block`.
 */
export interface AuditReport {
  vacuous: AuditPolicy
  uncovered: AuditPolicy
  /** Present when the vacuity probe ran: one entry per check probed, in config order. */
  vacuity?: VacuityProbe[]
  /** Present when the change-coverage audit ran. */
  changes?: ChangeAudit
}

export interface TreeInfo {
  role: TreeRole
  /** Directory the tree was read from (the user's directory or a git worktree). */
  path: string
  /** Commit sha when known (action), else null. */
  commit: string | null
  /** The tree's content identity (`git-tree:<sha>` or `content:<sha256>`) when results were cached. */
  id?: string
  setup: RunResult | null
}

/** The single source every view is rendered from. Serialized as-is by --json. */
export interface Report {
  schema_version: 1
  tool: { name: 'quorum'; version: string }
  verdict: Verdict
  mode: Mode
  /** How FLAKY counted in this verdict (absent in reports from before it existed: warn). */
  flaky?: FlakyPolicy
  /** Why the verdict is what it is, one sentence each, most important first. */
  reasons: string[]
  checks: CheckReport[]
  counts: Record<Outcome, number>
  /** Checks the caller asked not to run (--skip, the action's `skip` input), in config order. */
  skipped?: string[]
  /** Set when this report is one shard of a split suite (`shard: K/N`). */
  shard?: {
    index: number
    total: number
    /** Every check of the config, in config order (the shards together run all of them). */
    all_checks: string[]
  }
  totals: { baseline_score: number | null; candidate_score: number }
  trees: { baseline: TreeInfo | null; candidate: TreeInfo }
  sandbox: SandboxKind
  config_file: string | null
  started_at: string
  duration_ms: number
  /** Free-form notes that views should show prominently (e.g. "quorum.yml changed in this PR"). */
  notices: string[]
  /** Present when some check measured a timing: how its runs were timed. */
  timing?: TimingReport
  /** Present when an audit ran (`audit:` in the config, or the caller's default). */
  audit?: AuditReport
}
