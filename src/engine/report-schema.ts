/**
 * The shape of what Quorum reads back that it once wrote: a run result from the result cache,
 * and whole reports from the gate stage's artifacts. Whatever comes back may be corrupt or
 * forged, so it is checked field by field, with caps on every string and list, before anything
 * uses it.
 */
import { z } from 'zod'
import { CHECK_NAME_PATTERN, MAX_CHECK_NAME_LENGTH } from './config-schema.ts'
import { MAX_SHARDS } from './shard.ts'
import { MODES, OUTCOMES } from './types.ts'
import type {
  Attempt,
  AuditReport,
  AuditRun,
  CapturedOutput,
  Change,
  ChangeAudit,
  CheckReport,
  FileAudit,
  MetricReport,
  NotAuditedReason,
  Report,
  ReuseOrigin,
  RunResult,
  Sabotage,
  SabotagedRun,
  TreeInfo,
  VacuityProbe,
  SequentialReport,
  SequentialStop,
  TimingReport,
} from './types.ts'

const MAX_TEXT = 64 * 1024
const text = z.string().max(MAX_TEXT)
const finite = z.number().refine(Number.isFinite, { error: 'must be a finite number' })
const metricValues = z.record(z.string().max(200), finite)

const AttemptSchema = z.strictObject({
  repeat: z.number().int().positive(),
  attempt: z.number().int().positive(),
  outcome: z.enum(['PASSED', 'FAILED', 'TIMEOUT', 'CRASHED', 'ERROR']),
  reason: text,
  seed: z.string().max(200),
  started_at: z.string().max(100),
  duration_ms: z.number().nonnegative(),
  metrics: metricValues,
  log_path: z.string().max(4096).nullable(),
})

const OutputSchema = z.strictObject({
  head: text,
  tail: text,
  bytes: z.number().nonnegative(),
  truncated: z.boolean(),
  log_path: z.string().max(4096).nullable(),
})

export const RunResultSchema = z.strictObject({
  outcome: z.enum(OUTCOMES),
  reason: text,
  score: finite.nullable(),
  duration_ms: z.number().nonnegative(),
  exit_code: z.number().int().nullable(),
  signal: z.string().max(40).nullable(),
  output: OutputSchema,
  seed: z.string().max(200),
  sandbox: z.enum(['overlay', 'copy']),
  sandbox_root: z.string().max(4096).nullable().optional(),
  metrics: metricValues.optional(),
  declaration_error: z.boolean().optional(),
  attempts: z.array(AttemptSchema).max(10_000).optional(),
  reused_from: z
    .strictObject({
      cache: z.enum(['local', 'actions']),
      location: z.string().max(4096),
      stored_at: z.string().max(100),
      key: z.string().max(200),
    })
    .optional(),
})

/** The run result in `value`, or why it is not one (one line). */
export function parseRunResult(
  value: unknown,
): { ok: true; result: RunResult } | { ok: false; why: string } {
  const parsed = RunResultSchema.safeParse(value)
  if (parsed.success) return { ok: true, result: parsed.data as RunResult }
  const issue = parsed.error.issues[0]!
  const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'the value'
  return { ok: false, why: `${where}: ${issue.message}` }
}

// ---------------------------------------------------------------------------------------------
// Whole reports, as the publish stage reads them from artifacts (DESIGN "Forks and shards").
// Every field of types.ts Report is listed, nothing else is accepted, and every string and list
// is capped, so that what passes can be rendered and merged without further checks on size.

/** Most checks a report may list (a config with more is not a plan, it is an accident). */
export const MAX_REPORT_CHECKS = 10_000
const MAX_SAMPLES = 10_000
const name = z
  .string()
  .max(MAX_CHECK_NAME_LENGTH)
  .regex(CHECK_NAME_PATTERN, { error: 'must be a check name' })
const sha = z.string().regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/, { error: 'must be a full sha' })
const texts = z.array(text).max(MAX_REPORT_CHECKS * 2)

const SideSchema = z.strictObject({
  samples: z.array(finite).max(MAX_SAMPLES),
  median: finite.nullable(),
})

const MetricReportSchema = z.strictObject({
  name: z.string().max(200),
  direction: z.enum(['higher', 'lower']),
  tolerance: z.string().max(100),
  deterministic: z.boolean(),
  verdict: z.enum(['regressed', 'improved', 'unchanged', 'inconclusive']),
  baseline: SideSchema.nullable(),
  candidate: SideSchema,
  change_pct: finite.nullable(),
  ci: z.tuple([finite, finite]).nullable(),
  test: z.string().max(1000),
  repeats_needed: z.number().int().nonnegative().nullable(),
})

const CHANGES = [
  'still-passing',
  'regressed',
  'fixed',
  'still-failing',
  'passing',
  'failing',
  'new-check-passing',
  'new-check-failing',
] as const satisfies readonly Change[]

const SEQUENTIAL_STOPS = [
  'decided',
  'not-passing',
  'max-repeats',
  'time-budget',
  'stopped',
] as const satisfies readonly SequentialStop[]

const SequentialSchema = z.strictObject({
  looks: z.number().int().min(1).max(1000),
  planned_looks: z.number().int().min(1).max(1000),
  repeats: z.number().int().min(1).max(1000),
  max_repeats: z.number().int().min(1).max(1000),
  alpha: z.number().gt(0).lt(1),
  stopped: z.enum(SEQUENTIAL_STOPS),
})

const CheckReportSchema = z.strictObject({
  name,
  kind: z.enum(['shell', 'function']),
  candidate: RunResultSchema,
  baseline: RunResultSchema.nullable(),
  change: z.enum(CHANGES),
  score_delta: finite.nullable(),
  reproduce: z.string().max(8192),
  metrics: z.array(MetricReportSchema).max(1000).optional(),
  expect: z.literal('fail').optional(),
  sequential: SequentialSchema.optional(),
})

const TimingSchema = z.strictObject({
  alone: z.literal(true),
  cpu: z.number().int().nonnegative().max(65535).nullable(),
  gate_cpus: z.array(z.number().int().nonnegative().max(65535)).max(4096),
  not_pinned_reason: text.nullable(),
  calibration_ms: z.array(finite).max(100),
  noise_pct: finite.nullable(),
  calibration_error: text.nullable(),
})

const ReuseOriginSchema = z.strictObject({
  cache: z.enum(['local', 'actions']),
  location: z.string().max(4096),
  stored_at: z.string().max(100),
  key: z.string().max(200),
})

const AuditRunSchema = z.strictObject({
  outcome: z.enum(OUTCOMES),
  reason: text,
  duration_ms: z.number().nonnegative(),
  exit_code: z.number().int().nullable(),
  signal: z.string().max(40).nullable(),
  seed: z.string().max(200),
  log_path: z.string().max(4096).nullable(),
  reused_from: ReuseOriginSchema.optional(),
})

const policy = z.enum(['warn', 'block'])
const relativePath = z.string().max(4096)

const VacuityProbeSchema = z.strictObject({
  check: name,
  probed: z.enum(['baseline', 'candidate']),
  run: AuditRunSchema,
  vacuous: z.boolean().nullable(),
})

const SabotagedRunSchema = z.strictObject({
  check: name,
  run: AuditRunSchema,
  noticed: z.boolean().nullable(),
  together: z.literal(true).optional(),
  broken_together: z.number().int().min(2).optional(),
})

const SABOTAGES = ['throw', 'raise', 'exit', 'emptied'] as const

const FileAuditSchema = z.strictObject({
  path: relativePath,
  status: z.enum(['added', 'modified']),
  sabotage: z.enum(SABOTAGES),
  runs: z.array(SabotagedRunSchema).max(MAX_REPORT_CHECKS),
  noticed_by: z.array(name).max(MAX_REPORT_CHECKS),
  covered: z.boolean().nullable(),
})

const NOT_AUDITED_REASONS = [
  'ignored',
  'gate-file',
  'binary',
  'not-a-file',
  'over-cap',
  'too-large',
  'unreadable',
] as const

const ChangeAuditSchema = z.strictObject({
  checks: z.array(name).max(MAX_REPORT_CHECKS),
  max_files: z.number().int().nonnegative(),
  files: z.array(FileAuditSchema).max(MAX_REPORT_CHECKS),
  not_audited: z
    .array(z.strictObject({ path: relativePath, why: z.enum(NOT_AUDITED_REASONS) }))
    .max(MAX_REPORT_CHECKS),
  not_audited_omitted: z.number().int().nonnegative().optional(),
  note: text.optional(),
  runs: z
    .array(z.strictObject({ check: name, runs: z.number().int().nonnegative() }))
    .max(MAX_REPORT_CHECKS)
    .optional(),
})

const AuditReportSchema = z.strictObject({
  vacuous: policy,
  uncovered: policy,
  vacuity: z.array(VacuityProbeSchema).max(MAX_REPORT_CHECKS).optional(),
  changes: ChangeAuditSchema.optional(),
})

const TreeInfoSchema = z.strictObject({
  role: z.enum(['baseline', 'candidate']),
  path: z.string().max(4096),
  commit: sha.nullable(),
  id: z.string().max(200).optional(),
  setup: RunResultSchema.nullable(),
})

const count = z.number().int().nonnegative()

export const ReportSchema = z.strictObject({
  schema_version: z.literal(1),
  tool: z.strictObject({ name: z.literal('quorum'), version: z.string().max(100) }),
  verdict: z.enum(['allow', 'block']),
  mode: z.enum(MODES),
  flaky: z.enum(['warn', 'block']).optional(),
  reasons: texts,
  checks: z.array(CheckReportSchema).max(MAX_REPORT_CHECKS),
  counts: z.strictObject({
    PASSED: count,
    FAILED: count,
    TIMEOUT: count,
    CRASHED: count,
    ERROR: count,
    // Reports from before FLAKY existed have no count for it; counts are recomputed anyway.
    FLAKY: count.optional(),
  }),
  skipped: z.array(name).max(MAX_REPORT_CHECKS).optional(),
  shard: z
    .strictObject({
      index: z.number().int().min(1).max(MAX_SHARDS),
      total: z.number().int().min(1).max(MAX_SHARDS),
      all_checks: z.array(name).max(MAX_REPORT_CHECKS),
    })
    .optional(),
  totals: z.strictObject({ baseline_score: finite.nullable(), candidate_score: finite }),
  trees: z.strictObject({ baseline: TreeInfoSchema.nullable(), candidate: TreeInfoSchema }),
  sandbox: z.enum(['overlay', 'copy']),
  config_file: z.string().max(4096).nullable(),
  started_at: z.string().max(100),
  duration_ms: z.number().nonnegative(),
  notices: texts,
  timing: TimingSchema.optional(),
  audit: AuditReportSchema.optional(),
})

// A field added to any shape of the report, or a value added to one of its unions, must be
// listed above too, or the publish stage would refuse every report that has it: each of these
// fails to compile until it is.
type Listed<Missing extends never> = Missing
type Shape<S extends z.ZodType> = z.infer<S>
export type ReportFieldsListed = [
  Listed<Exclude<keyof Report, keyof Shape<typeof ReportSchema>>>,
  Listed<Exclude<keyof CheckReport, keyof Shape<typeof CheckReportSchema>>>,
  Listed<Exclude<keyof TreeInfo, keyof Shape<typeof TreeInfoSchema>>>,
  Listed<Exclude<keyof RunResult, keyof Shape<typeof RunResultSchema>>>,
  Listed<Exclude<keyof Attempt, keyof Shape<typeof AttemptSchema>>>,
  Listed<Exclude<keyof CapturedOutput, keyof Shape<typeof OutputSchema>>>,
  Listed<Exclude<keyof MetricReport, keyof Shape<typeof MetricReportSchema>>>,
  Listed<Exclude<keyof AuditReport, keyof Shape<typeof AuditReportSchema>>>,
  Listed<Exclude<keyof AuditRun, keyof Shape<typeof AuditRunSchema>>>,
  Listed<Exclude<keyof ReuseOrigin, keyof Shape<typeof ReuseOriginSchema>>>,
  Listed<Exclude<keyof VacuityProbe, keyof Shape<typeof VacuityProbeSchema>>>,
  Listed<Exclude<keyof ChangeAudit, keyof Shape<typeof ChangeAuditSchema>>>,
  Listed<Exclude<keyof FileAudit, keyof Shape<typeof FileAuditSchema>>>,
  Listed<Exclude<keyof SabotagedRun, keyof Shape<typeof SabotagedRunSchema>>>,
  Listed<Exclude<NotAuditedReason, (typeof NOT_AUDITED_REASONS)[number]>>,
  Listed<Exclude<Sabotage, (typeof SABOTAGES)[number]>>,
  Listed<Exclude<Change, (typeof CHANGES)[number]>>,
  Listed<Exclude<SequentialStop, (typeof SEQUENTIAL_STOPS)[number]>>,
  Listed<Exclude<keyof TimingReport, keyof Shape<typeof TimingSchema>>>,
  Listed<Exclude<keyof SequentialReport, keyof Shape<typeof SequentialSchema>>>,
]

/** The report in `value`, or why it is not one (one line naming the first bad field). */
export function parseReport(
  value: unknown,
): { ok: true; report: Report } | { ok: false; why: string } {
  const parsed = ReportSchema.safeParse(value)
  if (!parsed.success) return { ok: false, why: firstIssue(parsed.error) }
  const { counts } = parsed.data
  return { ok: true, report: { ...parsed.data, counts: { ...counts, FLAKY: counts.FLAKY ?? 0 } } }
}

/**
 * `path.to.field: message` of a zod error's first issue. The text is the schema's own words:
 * names of fields an artifact made up (unknown keys, record keys) are left out or replaced,
 * because they are hostile text that would end up in a check run and the job log.
 */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!
  const where =
    issue.path.length > 0
      ? issue.path
          .map((p) =>
            typeof p === 'number' || /^[A-Za-z0-9_]{1,40}$/.test(String(p)) ? String(p) : '?',
          )
          .join('.')
      : 'the value'
  const message = issue.code === 'unrecognized_keys' ? 'unexpected field' : issue.message
  return `${where}: ${message}`
}
