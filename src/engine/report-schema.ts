/**
 * The shape of what Quorum reads back that it once wrote: a run result from the result cache
 * (and, later, reports from artifacts). Whatever comes back may be corrupt or forged, so it is
 * checked field by field, with caps on every string and list, before anything uses it.
 */
import { z } from 'zod'
import { OUTCOMES } from './types.ts'
import type { RunResult } from './types.ts'

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
