/**
 * The figure of issue 8: a 12-check suite of CPU-bound checks gated in one job, against the same
 * suite split into 4 shards run one after the other on this machine and merged by the publisher's
 * code (schema check of every report and envelope, then mergeReports). On real runners the shards
 * run in parallel, on 4 machines; run back to back here, the difference between the sum of the
 * shards and the single job is what splitting costs (per-shard setup, the merge).
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { configInCode } from '../src/engine/config.ts'
import {
  HANDOFF_FORMAT,
  HANDOFF_VERSION,
  parseEnvelope,
  type Envelope,
} from '../src/engine/handoff.ts'
import { mergeReports } from '../src/engine/merge.ts'
import { parseReport } from '../src/engine/report-schema.ts'
import type { GateConfig, Report } from '../src/engine/types.ts'
import { runGate } from '../src/gate.ts'
import { VERSION } from '../src/version.ts'
import { median, timed } from './stats.ts'

export interface ShardResults {
  checks: number
  shards: number
  one_job_ms: number
  /** Each shard's gate run, in order. */
  shard_ms: number[]
  /** Validating and merging the 4 reports. */
  merge_ms: number
  /** The slowest shard plus the merge: the wall time with the shards on 4 machines. */
  parallel_estimate_ms: number
  reps: number
}

const SHA = 'a'.repeat(40)
const CANDIDATE_SHA = 'b'.repeat(40)

export async function measureShards(p: {
  work: string
  quick: boolean
  progress: (line: string) => void
}): Promise<ShardResults> {
  const checks = 12
  const shards = 4
  const loops = p.quick ? 1e6 : 4e6
  const config: GateConfig = configInCode({
    mode: 'pass-fail',
    checks: Array.from({ length: checks }, (_, i) => ({
      kind: 'shell' as const,
      name: `cpu${String(i + 1).padStart(2, '0')}`,
      command: `awk 'BEGIN{for(i=0;i<${loops};i++)s+=i*${i + 1}; print "sum=" s}'`,
      timeout_s: 120,
      score_from: null,
      env: {},
    })),
  })
  const tree = join(p.work, 'shards-tree')
  mkdirSync(tree, { recursive: true })
  writeFileSync(join(tree, 'a.txt'), 'x')
  const reps = p.quick ? 1 : 3
  const one: number[] = []
  const perShard: number[][] = Array.from({ length: shards }, () => [])
  const merges: number[] = []
  for (let rep = 0; rep < reps; rep++) {
    p.progress(`${checks} CPU-bound checks: one job, then ${shards} shards (${rep + 1}/${reps})`)
    const single = await timed(() =>
      runGate({ config, candidateDir: tree, seed: seed(), logDir: join(p.work, 'logs') }),
    )
    if (single.value.verdict !== 'allow') throw new Error(single.value.reasons.join('; '))
    one.push(single.ms)
    const handed: Array<{ artifact: string; envelope: Envelope; report: Report }> = []
    for (let k = 1; k <= shards; k++) {
      const shard = { index: k, total: shards }
      const { ms, value } = await timed(() =>
        runGate({
          config,
          candidateDir: tree,
          shard,
          commits: { candidate: CANDIDATE_SHA },
          seed: seed(),
          logDir: join(p.work, 'logs'),
        }),
      )
      perShard[k - 1]!.push(ms)
      handed.push({
        artifact: `quorum-report-${k}`,
        envelope: envelopeFor(shard),
        // As the publisher reads it: JSON text, parsed and schema-checked.
        report: JSON.parse(JSON.stringify(value)) as Report,
      })
    }
    const merge = await timed(async () => {
      const checked = handed.map((h) => {
        const envelope = parseEnvelope(JSON.parse(JSON.stringify(h.envelope)))
        const report = parseReport(h.report)
        if (!envelope.ok || !report.ok) throw new Error('a shard report did not validate')
        return { artifact: h.artifact, envelope: envelope.envelope, report: report.report }
      })
      return mergeReports(checked, {
        gate: 'default',
        repository: 'acme/shop',
        event: 'pull_request',
        headSha: SHA,
        runId: 1,
        artifactName: 'quorum-report',
        mode: 'pass-fail',
        flaky: 'warn',
        bases: null,
        config: null,
        version: VERSION,
      })
    })
    if (merge.value.report.checks.length !== checks || merge.value.problems.length > 0) {
      throw new Error(`the merge lost checks: ${merge.value.problems.join('; ')}`)
    }
    merges.push(merge.ms)
  }
  const shardMs = perShard.map((s) => median(s))
  const mergeMs = median(merges)
  return {
    checks,
    shards,
    one_job_ms: median(one),
    shard_ms: shardMs,
    merge_ms: mergeMs,
    parallel_estimate_ms: Math.max(...shardMs) + mergeMs,
    reps,
  }
}

function envelopeFor(shard: { index: number; total: number }): Envelope {
  return {
    format: HANDOFF_FORMAT,
    version: HANDOFF_VERSION,
    gate: 'default',
    repository: 'acme/shop',
    event: 'pull_request',
    head_sha: SHA,
    base_sha: null,
    candidate_sha: CANDIDATE_SHA,
    pull_request: 1,
    run: { id: 1, attempt: 1 },
    shard,
    config_hash: `sha256:${'c'.repeat(64)}`,
  }
}

function seed(): string {
  return randomBytes(4).toString('hex')
}
