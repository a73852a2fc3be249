/**
 * runGate with `shard: K/N`, real trees and real shell checks: every check runs in exactly one
 * shard, a shard with nothing to run is allowed with a reason (the merged verdict decides), and
 * the shards' reports merge (src/engine/merge.ts) into the verdict one job would have given.
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'

import { configInCode } from '../src/engine/config.ts'
import { HANDOFF_FORMAT, HANDOFF_VERSION, configHash } from '../src/engine/handoff.ts'
import { mergeReports, type HandedOverReport } from '../src/engine/merge.ts'
import type { CheckSpec, Report } from '../src/engine/types.ts'
import { runGate } from '../src/gate.ts'

const dir = mkdtempSync(join(tmpdir(), 'quorum-shard-int-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const candidate = join(dir, 'candidate')
const baseline = join(dir, 'baseline')
mkdirSync(candidate)
mkdirSync(baseline)
writeFileSync(join(candidate, 'value.txt'), 'bad\n')
writeFileSync(join(baseline, 'value.txt'), 'fine\n')

function shellCheck(name: string, command: string): CheckSpec {
  return { kind: 'shell', name, command, timeout_s: 30, env: {}, score_from: null }
}

const NAMES = ['a', 'b', 'c', 'd', 'e']
const config = configInCode({
  checks: [
    ...NAMES.map((n) => shellCheck(n, 'true')),
    shellCheck('value', 'grep -q fine value.txt'),
  ],
})

function gate(shard: { index: number; total: number } | null, skip: string[] = []) {
  return runGate({
    config,
    candidateDir: candidate,
    baselineDir: baseline,
    shard,
    skip,
    sandbox: 'copy',
    parallel: 4,
    logDir: join(dir, 'logs'),
  })
}

test('three shards run every check exactly once and merge into the single-job verdict', async () => {
  const whole = await gate(null)
  const parts: Report[] = []
  for (let k = 1; k <= 3; k++) parts.push(await gate({ index: k, total: 3 }))
  const ran = parts.flatMap((p) => p.checks.map((c) => c.name)).sort()
  assert.deepEqual(ran, [...NAMES, 'value'].sort())
  for (const [i, part] of parts.entries()) {
    assert.deepEqual(part.shard, { index: i + 1, total: 3, all_checks: [...NAMES, 'value'] })
  }
  // Plain directories have no commits; the envelopes and reports agree on stand-in ones.
  const head = 'a'.repeat(40)
  const handedOver: HandedOverReport[] = parts.map((report, i) => ({
    artifact: `quorum-report-${i + 1}`,
    report: {
      ...report,
      trees: { ...report.trees, candidate: { ...report.trees.candidate, commit: head } },
    },
    envelope: {
      format: HANDOFF_FORMAT,
      version: HANDOFF_VERSION,
      gate: 'default',
      repository: 'o/r',
      event: 'push',
      head_sha: head,
      base_sha: null,
      candidate_sha: head,
      pull_request: null,
      run: { id: 1, attempt: 1 },
      shard: { index: i + 1, total: 3 },
      config_hash: configHash(Buffer.from('in code'), null),
    },
  }))
  const fair = mergeReports(handedOver, {
    gate: 'default',
    repository: 'o/r',
    event: 'push',
    headSha: head,
    runId: 1,
    artifactName: 'quorum-report',
    mode: 'pass-fail',
    flaky: 'warn',
    bases: { accepted: [null], description: 'no baseline' },
    config: null,
    version: '0',
  })
  assert.deepEqual(fair.problems, [])
  assert.equal(fair.report.verdict, whole.verdict)
  assert.equal(whole.verdict, 'block')
  assert.deepEqual(fair.report.reasons, whole.reasons)
  assert.deepEqual(
    fair.report.checks.map((c) => [c.name, c.candidate.outcome, c.change]),
    whole.checks.map((c) => [c.name, c.candidate.outcome, c.change]),
  )
  assert.deepEqual(fair.report.counts, whole.counts)
})

test('a shard with no checks to run is allowed, and says the merged verdict decides', async () => {
  const small = configInCode({ checks: [shellCheck('only', 'true')] })
  const reports: Report[] = []
  for (let k = 1; k <= 2; k++) {
    reports.push(
      await runGate({
        config: small,
        candidateDir: candidate,
        shard: { index: k, total: 2 },
        sandbox: 'copy',
      }),
    )
  }
  const empty = reports.find((r) => r.checks.length === 0)!
  assert.equal(empty.verdict, 'allow')
  assert.match(
    empty.reasons[0]!,
    /^shard [12]\/2 has no checks to run \(the suite has 1 check for 2 shards\); the merged verdict of all shards decides$/,
  )
  assert.equal(empty.trees.candidate.setup, null, 'nothing was prepared for it')
})

test('a shard whose whole share is skipped is allowed; without shards, skipping everything blocks', async () => {
  const share = (await gate({ index: 1, total: 3 })).checks.map((c) => c.name)
  const skipped = await gate({ index: 1, total: 3 }, share)
  assert.equal(skipped.verdict, 'allow')
  assert.match(skipped.reasons[0]!, /^every check of shard 1\/3 was skipped; /)
  const all = await gate(null, [...NAMES, 'value'])
  assert.equal(all.verdict, 'block')
})
