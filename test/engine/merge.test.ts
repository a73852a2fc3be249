/**
 * The publish stage's judgement (src/engine/merge.ts) and the shapes it reads (the report schema
 * and the envelope): real reports built the way the gate builds them, handed over whole, forged
 * where a test says so.
 */
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import * as path from 'node:path'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { compareRuns, countOutcomes, decideVerdict } from '../../src/engine/compare.ts'
import {
  HANDOFF_FORMAT,
  configHash,
  parseEnvelope,
  type Envelope,
} from '../../src/engine/handoff.ts'
import {
  mergeReports,
  untrustedGateChange,
  type HandedOverReport,
  type PublisherFacts,
} from '../../src/engine/merge.ts'
import { parseReport } from '../../src/engine/report-schema.ts'
import { assignShards } from '../../src/engine/shard.ts'
import type {
  AuditReport,
  AuditRun,
  CheckReport,
  Outcome,
  Report,
  RunResult,
} from '../../src/engine/types.ts'

const FIXTURES = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'fixtures',
  'report',
)
const HEAD = 'a'.repeat(40)
const BASE = 'b'.repeat(40)
const MERGE = 'c'.repeat(40)
const HASH = configHash(Buffer.from('mode: pass-fail\n'), null)
const ALL = ['lint', 'unit', 'types', 'e2e', 'bench', 'docs']

const FACTS: PublisherFacts = {
  gate: 'default',
  repository: 'octo-org/octo-repo',
  event: 'pull_request',
  headSha: HEAD,
  runId: 42,
  artifactName: 'quorum-report',
  mode: 'pass-fail',
  flaky: 'warn',
  bases: { accepted: [BASE], description: 'the base of pull request #7' },
  config: null,
  version: '9.9.9',
}

function result(outcome: Outcome, reason = `${outcome.toLowerCase()} as told`): RunResult {
  return {
    outcome,
    reason,
    score: outcome === 'PASSED' ? 1 : 0,
    duration_ms: 10,
    exit_code: outcome === 'PASSED' ? 0 : 1,
    signal: null,
    output: { head: '', tail: '', bytes: 0, truncated: false, log_path: null },
    seed: 'abcd1234',
    sandbox: 'overlay',
  }
}

function check(
  name: string,
  candidate: Outcome = 'PASSED',
  baseline: Outcome = 'PASSED',
): CheckReport {
  const c = result(candidate)
  const b = result(baseline)
  return {
    name,
    kind: 'shell',
    candidate: c,
    baseline: b,
    ...compareRuns(b, c),
    reproduce: `npx quorum-gate verify --only ${name}`,
    metrics: [],
  }
}

/** A report as the gate writes it for `checks`, with its own (honest) verdict. */
function report(checks: CheckReport[], extra: Partial<Report> = {}): Report {
  const decided = decideVerdict('pass-fail', checks)
  return {
    schema_version: 1,
    tool: { name: 'quorum', version: '0.1.0' },
    verdict: decided.verdict,
    mode: 'pass-fail',
    flaky: 'warn',
    reasons: decided.reasons,
    checks,
    counts: countOutcomes(checks.map((c) => c.candidate)),
    skipped: [],
    totals: { baseline_score: 0, candidate_score: 0 },
    trees: {
      baseline: { role: 'baseline', path: '/tmp/t/baseline', commit: BASE, setup: null },
      candidate: { role: 'candidate', path: '/tmp/t/candidate', commit: MERGE, setup: null },
    },
    sandbox: 'overlay',
    config_file: '/tmp/t/baseline/quorum.yml',
    started_at: '2026-01-01T00:00:00.000Z',
    duration_ms: 1000,
    notices: [],
    ...extra,
  }
}

function envelope(extra: Partial<Envelope> = {}): Envelope {
  return {
    format: HANDOFF_FORMAT,
    version: 1,
    gate: 'default',
    repository: 'octo-org/octo-repo',
    event: 'pull_request',
    head_sha: HEAD,
    base_sha: BASE,
    candidate_sha: MERGE,
    pull_request: 7,
    run: { id: 42, attempt: 1 },
    shard: null,
    config_hash: HASH,
    ...extra,
  }
}

/**
 * Shard `index` of `total` of the suite ALL, as the gate writes it: its share of the checks,
 * every one with the outcome `outcomes` gives it (PASSED by default).
 */
function shard(
  index: number,
  total: number,
  outcomes: Record<string, Outcome> = {},
  all: readonly string[] = ALL,
): HandedOverReport {
  const assigned = assignShards(all, total)
  const mine = all
    .filter((n) => assigned.get(n) === index)
    .map((n) => check(n, outcomes[n] ?? 'PASSED'))
  return {
    artifact: `quorum-report-${index}`,
    envelope: envelope({ shard: { index, total } }),
    report: report(mine, { shard: { index, total, all_checks: [...all] } }),
  }
}

function shards(total: number, outcomes: Record<string, Outcome> = {}): HandedOverReport[] {
  return Array.from({ length: total }, (_, i) => shard(i + 1, total, outcomes))
}

/** The check name that shard `index` of `total` runs first. */
function firstOf(index: number, total: number): string {
  const assigned = assignShards(ALL, total)
  return ALL.find((n) => assigned.get(n) === index)!
}

describe('mergeReports', () => {
  test('three shards become one report: every check once, in config order, one verdict', () => {
    const { report: merged, problems } = mergeReports(shards(3), FACTS)
    assert.deepEqual(problems, [])
    assert.equal(merged.verdict, 'allow')
    assert.deepEqual(merged.reasons, ['all 6 checks passed on the candidate'])
    assert.deepEqual(
      merged.checks.map((c) => c.name),
      ALL,
    )
    assert.equal(merged.counts.PASSED, 6)
    assert.equal(merged.shard, undefined, 'the merged report is the whole suite')
    assert.equal(merged.tool.version, '9.9.9')
    assert.ok(merged.notices.some((n) => /Merged from 3 shard reports of workflow run 42/.test(n)))
  })

  test("an artifact's verdict, reasons, counts and changes are never believed: they are recomputed", () => {
    const forged = shards(3, { [firstOf(2, 3)]: 'FAILED' })
    const liar = forged[1]!
    liar.report = {
      ...liar.report,
      verdict: 'allow',
      reasons: ['all good, trust me'],
      counts: { ...liar.report.counts, FAILED: 0, PASSED: 99 },
      checks: liar.report.checks.map((c) => ({ ...c, change: 'still-passing' as const })),
    }
    const { report: merged } = mergeReports(forged, FACTS)
    assert.equal(merged.verdict, 'block')
    assert.match(merged.reasons[0]!, new RegExp(`^${firstOf(2, 3)} FAILED on the candidate`))
    assert.ok(!merged.reasons.includes('all good, trust me'))
    assert.equal(merged.counts.FAILED, 1)
    assert.equal(merged.counts.PASSED, 5)
    assert.equal(merged.checks.find((c) => c.name === firstOf(2, 3))?.change, 'regressed')

    // And the other way: a shard that says block over passing checks does not block.
    const gloomy = shards(2)
    gloomy[0]!.report = { ...gloomy[0]!.report, verdict: 'block', reasons: ['nope'] }
    assert.equal(mergeReports(gloomy, FACTS).report.verdict, 'allow')
  })

  test('a missing shard is a block that names it and the artifact it looked for', () => {
    const { report: merged } = mergeReports([shard(1, 3), shard(3, 3)], FACTS)
    assert.equal(merged.verdict, 'block')
    assert.deepEqual(merged.reasons, [
      'shard 2/3 is missing: no artifact quorum-report-2 in workflow run 42',
    ])
    // The checks that did run are still shown.
    assert.equal(merged.checks.length, 4)
  })

  test('a duplicated shard is a block, and neither copy is used', () => {
    const copy = { ...shard(2, 3), artifact: 'quorum-report-2' }
    const { report: merged } = mergeReports([...shards(3), copy], FACTS)
    assert.equal(merged.verdict, 'block')
    assert.match(
      merged.reasons[0]!,
      /^shard 2 was uploaded 2 times \(quorum-report-2 and quorum-report-2\)/,
    )
    assert.ok(merged.checks.every((c) => assignShards(ALL, 3).get(c.name) !== 2))
  })

  test('a shard renamed to stand in for a missing one is refused, and the missing one named', () => {
    const moved = { ...shard(2, 3), artifact: 'quorum-report-3' }
    const { report: merged } = mergeReports([shard(1, 3), moved], FACTS)
    assert.equal(merged.verdict, 'block')
    assert.deepEqual(merged.reasons, [
      'quorum-report-3 refused: it holds shard 2/3, which belongs in an artifact named quorum-report-2',
      'shard 3/3 is missing: no artifact quorum-report-3 in workflow run 42',
    ])
  })

  test('a forged extra check that "passed" is refused with its shard', () => {
    const forged = shards(3, { [firstOf(1, 3)]: 'FAILED' })
    // Shard 1 failed; a forger adds a passing check nobody defined, and one from shard 2.
    forged[0]!.report.checks.push(check('backdoor'))
    const { report: merged } = mergeReports(forged, FACTS)
    assert.equal(merged.verdict, 'block')
    assert.equal(
      merged.reasons[0],
      "quorum-report-1 refused: it reports backdoor, which is in no shard's list of checks",
    )
    assert.ok(!merged.checks.some((c) => c.name === 'backdoor'))

    const stray = shards(3)
    stray[0]!.report.checks.push(check(firstOf(2, 3)))
    const second = mergeReports(stray, FACTS).report
    assert.equal(second.verdict, 'block')
    assert.equal(
      second.reasons[0],
      `quorum-report-1 refused: it reports ${firstOf(2, 3)}, which belongs to another shard`,
    )
  })

  test('a shard that leaves out a check of its share is refused', () => {
    const thin = shards(3)
    const dropped = thin[2]!.report.checks.shift()!
    const { report: merged } = mergeReports(thin, FACTS)
    assert.equal(merged.verdict, 'block')
    assert.equal(
      merged.reasons[0],
      `quorum-report-3 refused: ${dropped.name} of its share did not run`,
    )
  })

  test('a skipped check counts as accounted for, and the merged report lists it once', () => {
    const skip = firstOf(2, 3)
    const withSkip = shards(3)
    withSkip[1]!.report.checks = withSkip[1]!.report.checks.filter((c) => c.name !== skip)
    withSkip[1]!.report.skipped = [skip]
    const { report: merged, problems } = mergeReports(withSkip, FACTS)
    assert.deepEqual(problems, [])
    assert.equal(merged.verdict, 'allow')
    assert.deepEqual(merged.skipped, [skip])
  })

  test('more shards than checks: the empty ones merge like any other', () => {
    const all = ['only']
    const items = [1, 2, 3].map((k) => shard(k, 3, {}, all))
    assert.equal(items.filter((i) => i.report.checks.length === 0).length, 2)
    const { report: merged, problems } = mergeReports(items, FACTS)
    assert.deepEqual(problems, [])
    assert.equal(merged.verdict, 'allow')
    assert.deepEqual(
      merged.checks.map((c) => c.name),
      ['only'],
    )
  })

  test('every check skipped in every shard: nothing was verified, so block', () => {
    const items = shards(2).map((i) => ({
      ...i,
      report: { ...i.report, skipped: i.report.checks.map((c) => c.name), checks: [] },
    }))
    const { report: merged } = mergeReports(items, FACTS)
    assert.equal(merged.verdict, 'block')
    assert.deepEqual(merged.reasons, ['no checks ran, so nothing was verified'])
  })

  const foreign: Array<[string, (i: HandedOverReport) => void, RegExp]> = [
    [
      'another head',
      (i) => (i.envelope.head_sha = 'd'.repeat(40)),
      /judged head d{40}; the run was for a{40}/,
    ],
    [
      'another base',
      (i) => (i.envelope.base_sha = 'e'.repeat(40)),
      /judged against base e{40}, which is not the base of pull request #7/,
    ],
    [
      'another event',
      (i) => (i.envelope.event = 'push'),
      /judged a push event; the run was pull_request/,
    ],
    ['another run', (i) => (i.envelope.run.id = 41), /comes from run 41, not run 42/],
    ['another gate', (i) => (i.envelope.gate = 'perf'), /gate perf's report, not default's/],
    [
      'another repository',
      (i) => (i.envelope.repository = 'mallory/octo-repo'),
      /another repository \(mallory\/octo-repo\)/,
    ],
    [
      'a more lenient mode',
      (i) => (i.report.mode = 'no-regression'),
      /judged in no-regression mode; this gate's mode is pass-fail/,
    ],
    [
      'a more lenient flaky policy',
      (i) => (i.report.flaky = 'warn'),
      /counted FLAKY as warn; this gate's flaky policy is block/,
    ],
    [
      'an envelope that disagrees with its report',
      (i) => (i.envelope.candidate_sha = HEAD),
      /report and envelope name different candidate commits/,
    ],
  ]
  for (const [what, forge, said] of foreign) {
    test(`a report from ${what} is refused, and the verdict is block with the reason`, () => {
      const items = shards(3)
      forge(items[1]!)
      const facts = what.includes('flaky') ? { ...FACTS, flaky: 'block' as const } : FACTS
      if (what.includes('flaky'))
        for (const i of items) if (i !== items[1]) i.report.flaky = 'block'
      const { report: merged, problems } = mergeReports(items, facts)
      assert.equal(merged.verdict, 'block')
      assert.equal(problems.length, 1, JSON.stringify(problems))
      assert.match(problems[0]!, /^quorum-report-2 refused: /)
      assert.match(problems[0]!, said)
      assert.equal(merged.reasons[0], problems[0])
      assert.ok(
        merged.checks.every((c) => assignShards(ALL, 3).get(c.name) !== 2),
        'its checks are not shown',
      )
    })
  }

  test('shards of two configs, or two splits, are never merged', () => {
    const mixed = shards(2)
    mixed[1]!.envelope.config_hash = configHash(Buffer.from('mode: pass-fail\n# changed\n'), null)
    const a = mergeReports(mixed, FACTS).report
    assert.equal(a.verdict, 'block')
    assert.match(
      a.reasons[0]!,
      /quorum-report-2 was judged with another config than quorum-report-1/,
    )
    assert.deepEqual(a.checks, [])

    const split = [shard(1, 2), shard(2, 3)]
    const b = mergeReports(split, FACTS).report
    assert.equal(b.verdict, 'block')
    assert.match(b.reasons[0]!, /splits the suite into 3 shards, quorum-report-1 into 2/)
  })

  test('one unsharded report is merged on its own; the PR number it claims plays no part', () => {
    const one: HandedOverReport = {
      artifact: 'quorum-report',
      envelope: envelope({ pull_request: 999 }),
      report: report([check('unit'), check('lint', 'FAILED', 'FAILED')]),
    }
    const { report: merged } = mergeReports([one], FACTS)
    assert.equal(merged.verdict, 'block')
    assert.match(
      merged.reasons[0]!,
      /lint FAILED on the candidate.*already failing on the baseline/,
    )
    assert.ok(!JSON.stringify(merged).includes('999'))
  })

  test('an unsharded report next to shards, or two of them, is a block', () => {
    const one: HandedOverReport = {
      artifact: 'quorum-report',
      envelope: envelope(),
      report: report([check('unit')]),
    }
    assert.match(
      mergeReports([one, ...shards(2)], FACTS).report.reasons[0]!,
      /holds both an unsharded report and shards/,
    )
    assert.match(
      mergeReports([one, one], FACTS).report.reasons[0]!,
      /holds 2 artifacts named quorum-report/,
    )
  })

  test('no artifact at all is a block that says what was looked for, and where', () => {
    const { report: merged } = mergeReports([], FACTS)
    assert.equal(merged.verdict, 'block')
    assert.deepEqual(merged.reasons, [
      'no report artifact named quorum-report or quorum-report-<K> was found in workflow run 42; did the gate job upload its report-dir?',
    ])
    assert.deepEqual(merged.checks, [])
  })

  test("the caller's refusals come first and block even when every check passed", () => {
    const why =
      'this pull request changes .github/workflows/ci.yml, so the gate run cannot be trusted'
    const { report: merged, problems } = mergeReports(shards(2), FACTS, [why])
    assert.equal(merged.verdict, 'block')
    assert.deepEqual(problems, [why])
    assert.deepEqual(merged.reasons, [why])
    assert.equal(merged.checks.length, 6, 'what ran is still shown')
  })

  test("with the publisher's own config (same hash), a report that drops a check is refused", () => {
    const config = { hash: HASH, shellChecks: ALL, hasFunctions: false }
    const thin = shards(2).map((i) => ({
      ...i,
      report: {
        ...i.report,
        shard: { ...i.report.shard!, all_checks: ALL.filter((n) => n !== 'e2e') },
      },
    }))
    const { problems } = mergeReports(thin, { ...FACTS, config })
    assert.match(problems[0]!, /refused: it leaves out e2e, which this gate's config defines/)
    // Another config (another hash): nothing to compare with, so only the set checks apply.
    const other = { ...config, hash: configHash(Buffer.from('x'), null) }
    assert.deepEqual(mergeReports(shards(2), { ...FACTS, config: other }).problems, [])
    assert.deepEqual(mergeReports(shards(2), { ...FACTS, config }).problems, [])
  })

  test('an unverifiable base is said in a notice', () => {
    const { report: merged, problems } = mergeReports(shards(2), { ...FACTS, bases: null })
    assert.deepEqual(problems, [])
    assert.ok(merged.notices.some((n) => /baseline the gate used could not be verified/.test(n)))
  })
})

describe('mergeReports: audits and canaries across shards', () => {
  function auditRun(outcome: Outcome): AuditRun {
    return {
      outcome,
      reason: `${outcome.toLowerCase()} on the audit tree`,
      duration_ms: 5,
      exit_code: outcome === 'PASSED' ? 0 : 1,
      signal: null,
      seed: 'abcd1234',
      log_path: null,
    }
  }

  /** Each shard broke src/a.js and ran its own checks against it; `noticing` checks failed. */
  function audited(policy: AuditReport['uncovered'], noticing: string[]): HandedOverReport[] {
    return shards(3).map((item) => {
      const mine = item.report.checks.map((c) => c.name)
      const runs = mine.map((check) => ({
        check,
        run: auditRun(noticing.includes(check) ? 'FAILED' : 'PASSED'),
        noticed: noticing.includes(check),
      }))
      const audit: AuditReport = {
        vacuous: 'warn',
        uncovered: policy,
        vacuity: mine.map((check) => ({
          check,
          probed: 'baseline' as const,
          run: auditRun('FAILED'),
          vacuous: false,
        })),
        changes: {
          checks: mine,
          max_files: 20,
          files: [
            {
              path: 'src/a.js',
              status: 'modified',
              sabotage: 'throw',
              runs,
              noticed_by: runs.filter((r) => r.noticed).map((r) => r.check),
              // What this shard alone saw: its own checks may all have missed it.
              covered: runs.some((r) => r.noticed),
            },
          ],
          not_audited: [{ path: 'logo.png', why: 'binary' }],
        },
      }
      return { ...item, report: { ...item.report, audit } }
    })
  }

  test("a file one shard's checks missed is covered when another shard's check noticed it", () => {
    const noticer = firstOf(3, 3)
    const facts = { ...FACTS, audit: { vacuous: 'warn' as const, uncovered: 'block' as const } }
    const { report: merged, problems } = mergeReports(audited('block', [noticer]), facts)
    assert.deepEqual(problems, [])
    assert.equal(merged.verdict, 'allow')
    const file = merged.audit?.changes?.files[0]
    assert.deepEqual(file?.noticed_by, [noticer])
    assert.equal(file?.covered, true)
    assert.deepEqual(
      file?.runs.map((r) => r.check),
      ALL,
      "every shard's runs, in config order",
    )
    assert.deepEqual(
      merged.audit?.vacuity?.map((p) => p.check),
      ALL,
    )
    assert.deepEqual(merged.audit?.changes?.not_audited, [{ path: 'logo.png', why: 'binary' }])

    // Nobody noticed: under `uncovered: block` that blocks, with the audit's own reason.
    const missed = mergeReports(audited('block', []), facts).report
    assert.equal(missed.verdict, 'block')
    assert.match(
      missed.reasons.join('\n'),
      /^not covered: src\/a\.js changed, and no check noticed/m,
    )
  })

  test("a shard whose audit counts differently, or reports on another shard's checks, is refused", () => {
    const lenient = audited('warn', [])
    const facts = { ...FACTS, audit: { vacuous: 'warn' as const, uncovered: 'block' as const } }
    const { problems } = mergeReports(lenient, facts)
    assert.equal(problems.length, 3)
    assert.match(
      problems[0]!,
      /^quorum-report-1 refused: it counted changes no check noticed as warn; this gate's policy is block$/,
    )

    const borrowed = audited('warn', [])
    const stranger = firstOf(2, 3)
    borrowed[0]!.report.audit!.changes!.files[0]!.runs.push({
      check: stranger,
      run: auditRun('FAILED'),
      noticed: true,
    })
    const second = mergeReports(borrowed, FACTS)
    assert.equal(second.report.verdict, 'block')
    assert.equal(
      second.problems[0],
      `quorum-report-1 refused: its audit reports on ${stranger}, which is not in its share`,
    )
  })

  test('a canary that passes blocks the merged verdict, and canaries do not score', () => {
    const all = [...ALL, 'known_bad']
    const withCanary = [1, 2, 3].map((k) => shard(k, 3, {}, all))
    for (const item of withCanary) {
      item.report.checks = item.report.checks.map((c) =>
        c.name === 'known_bad' ? { ...c, expect: 'fail' as const } : c,
      )
    }
    const { report: merged } = mergeReports(withCanary, FACTS)
    assert.equal(merged.verdict, 'block')
    assert.match(merged.reasons[0]!, /known_bad/)
    assert.equal(merged.totals.candidate_score, ALL.length, "the canary's score is not counted")
  })
})

describe('the report schema', () => {
  test('every golden report the gate wrote parses, except the one with names no config allows', () => {
    for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))) {
      const parsed = parseReport(JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')))
      if (file === 'hostile.json') {
        assert.equal(parsed.ok, false)
        if (!parsed.ok) assert.equal(parsed.why, 'checks.0.name: must be a check name')
      } else {
        assert.equal(parsed.ok, true, `${file}: ${parsed.ok ? '' : parsed.why}`)
      }
    }
  })

  test('unknown fields, oversized text and numbers out of range are refused, naming the field only', () => {
    const base = report([check('unit')])
    const cases: Array<[unknown, RegExp]> = [
      [{ ...base, verdict_override: 'allow' }, /^the value: unexpected field$/],
      [{ ...base, reasons: ['x'.repeat(70_000)] }, /^reasons\.0: /],
      [{ ...base, checks: [{ ...base.checks[0], score_delta: '1' }] }, /^checks\.0\.score_delta: /],
      [{ ...base, duration_ms: -1 }, /^duration_ms: /],
      [
        {
          ...base,
          checks: [
            {
              ...base.checks[0],
              candidate: { ...base.checks[0]!.candidate, metrics: { '::error::x': 'y' } },
            },
          ],
        },
        /^checks\.0\.candidate\.metrics\.\?: /,
      ],
      [
        {
          ...base,
          trees: { ...base.trees, candidate: { ...base.trees.candidate, commit: 'HEAD' } },
        },
        /^trees\.candidate\.commit: must be a full sha/,
      ],
      [{ ...base, shard: { index: 1, total: 999, all_checks: [] } }, /^shard\.total: /],
    ]
    for (const [value, said] of cases) {
      const parsed = parseReport(JSON.parse(JSON.stringify(value)))
      assert.equal(parsed.ok, false)
      if (!parsed.ok) {
        assert.match(parsed.why, said)
        assert.ok(parsed.why.length < 200 && !parsed.why.includes('xxxx'))
      }
    }
  })

  test('an envelope is checked as strictly, and configHash tells configs apart', () => {
    assert.equal(parseEnvelope(envelope()).ok, true)
    const bad: Array<[unknown, RegExp]> = [
      [{ ...envelope(), format: 'other' }, /^format: /],
      [{ ...envelope(), head_sha: 'main' }, /^head_sha: must be a full sha/],
      [{ ...envelope(), shard: { index: 3, total: 2 } }, /^shard: index must not exceed total/],
      [{ ...envelope(), repository: '../x' }, /^repository: must be owner\/repo/],
      [{ ...envelope(), extra: 1 }, /^the value: unexpected field$/],
    ]
    for (const [value, said] of bad) {
      const parsed = parseEnvelope(value)
      assert.equal(parsed.ok, false)
      if (!parsed.ok) assert.match(parsed.why, said)
    }
    const a = configHash(Buffer.from('ab'), Buffer.from('c'))
    assert.notEqual(a, configHash(Buffer.from('a'), Buffer.from('bc')))
    assert.notEqual(a, configHash(Buffer.from('ab'), null))
    assert.notEqual(configHash(Buffer.from(''), null), configHash(Buffer.from(''), Buffer.from('')))
    assert.equal(a, configHash(Buffer.from('ab'), Buffer.from('c')))
  })
})

describe('untrustedGateChange', () => {
  const gate = ['quorum.yml', 'ci/quorum.checks.mjs']
  test('workflows, local actions, the config and the checks module make a gate run untrusted', () => {
    assert.equal(untrustedGateChange(['src/a.ts', 'README.md', '.github/CODEOWNERS'], gate), null)
    assert.equal(
      untrustedGateChange(['src/a.ts', '.github/workflows/x.yml'], gate),
      "this pull request changes .github/workflows/x.yml, which its gate run depends on: a pull request's run uses its own version of them, so its reports cannot be trusted. A maintainer has to review this change and merge it without this check",
    )
    for (const file of [
      '.github/actions/setup/action.yml',
      'quorum.yml',
      'ci/quorum.checks.mjs',
      '.GitHub/Workflows/X.yml',
    ]) {
      assert.match(untrustedGateChange([file], gate) ?? '', /^this pull request changes /, file)
    }
    assert.match(
      untrustedGateChange(
        ['.github/workflows/a.yml', 'quorum.yml', '.github/workflows/a.yml'],
        gate,
      )!,
      /^this pull request changes \.github\/workflows\/a\.yml and quorum\.yml, /,
    )
  })
})
