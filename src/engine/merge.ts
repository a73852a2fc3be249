/**
 * The publish stage's judgement, pure: the reports the gate jobs handed over (already parsed and
 * schema-checked), what the publisher knows for itself, and what it already refused, in; one
 * merged Report out, with its verdict recomputed from the checks.
 *
 * Nothing an artifact says about the outcome is believed: its verdict, reasons, counts, totals
 * and each check's `change` are recomputed here, with the mode and flaky policy the publisher
 * trusts. What an artifact says about where it comes from (run, commit, event, gate, shard,
 * config) must match what the publisher knows; a report that does not is refused whole, and any
 * refusal, a missing shard, a duplicated one or a check in the wrong shard makes the verdict a
 * block that names it (DESIGN "Forks and shards": never a silent allow).
 */
import { compareRuns, countOutcomes, decideVerdict, isCanary, totalScore } from './compare.ts'
import type { Envelope } from './handoff.ts'
import { assignShards } from './shard.ts'
import type {
  AuditPolicy,
  AuditReport,
  ChangeAudit,
  CheckReport,
  FileAudit,
  FlakyPolicy,
  Mode,
  Report,
  TreeInfo,
} from './types.ts'

/** One report artifact, read and schema-checked. */
export interface HandedOverReport {
  /** The artifact's name as the API listed it (checked against the shard it holds). */
  artifact: string
  envelope: Envelope
  report: Report
}

/** What the publisher knows without asking an artifact. */
export interface PublisherFacts {
  gate: string
  /** `owner/repo`. */
  repository: string
  /** The gate run's event, as the triggering run (or this run) says. */
  event: string
  /** The commit the verdict is for, as the triggering run (or this run) says. */
  headSha: string
  /** The workflow run whose artifacts these are. */
  runId: number
  /** The artifact-name input: `<name>` for one report, `<name>-<K>` for shard K. */
  artifactName: string
  mode: Mode
  flaky: FlakyPolicy
  /**
   * How the audits' findings count: the config's `vacuous` and `uncovered` (absent: warn, the
   * config's own default).
   */
  audit?: { vacuous: AuditPolicy; uncovered: AuditPolicy }
  /**
   * The baselines the publisher verified for this head (e.g. the PR's base, or a newer commit of
   * its base branch), and how to name them in a refusal; null when nothing could be verified
   * (said in a notice instead).
   */
  bases: { accepted: ReadonlyArray<string | null>; description: string } | null
  /**
   * The publisher's own config, when it has one: if its hash equals a report's, the report's
   * list of checks must agree with it (the shell checks at least; all of them without a
   * checks module, whose function checks only the module itself can list).
   */
  config: { hash: string; shellChecks: readonly string[]; hasFunctions: boolean } | null
  /** Quorum's version, for the merged report. */
  version: string
}

export interface MergeResult {
  report: Report
  /** Every refusal, the caller's and this function's, one sentence each (also the report's first reasons). */
  problems: string[]
}

const MAX_LISTED = 8

/**
 * Checks every report against `facts` and against the others, and merges the accepted ones into
 * one report: checks in the config's order, verdict from decideVerdict under the publisher's mode
 * and flaky policy. `refusals` are problems the caller found before (an archive refused, a PR
 * that changes the workflow); with any problem at all, the verdict is block and the problems are
 * its first reasons.
 */
export function mergeReports(
  reports: readonly HandedOverReport[],
  facts: PublisherFacts,
  refusals: readonly string[] = [],
): MergeResult {
  const problems = [...refusals]
  const notices: string[] = []
  const accepted: HandedOverReport[] = []
  for (const item of reports) {
    const why = refusalOf(item, facts)
    if (why === null) accepted.push(item)
    else problems.push(`${item.artifact} refused: ${why}`)
  }
  if (facts.bases === null) {
    notices.push('The baseline the gate used could not be verified for this event.')
  }

  const merged = mergeSet(accepted, reports, facts, problems)
  return { report: buildReport(merged, facts, problems, notices), problems }
}

/** Why one report cannot be believed on its own, or null. */
function refusalOf(item: HandedOverReport, facts: PublisherFacts): string | null {
  const { envelope: e, report: r } = item
  if (e.repository.toLowerCase() !== facts.repository.toLowerCase()) {
    return `it comes from another repository (${e.repository})`
  }
  if (e.gate !== facts.gate) return `it is gate ${e.gate}'s report, not ${facts.gate}'s`
  if (e.run.id !== facts.runId) return `it comes from run ${e.run.id}, not run ${facts.runId}`
  if (e.event !== facts.event) return `it judged a ${e.event} event; the run was ${facts.event}`
  if (e.head_sha !== facts.headSha) {
    return `it judged head ${e.head_sha}; the run was for ${facts.headSha}`
  }
  if (facts.bases !== null && !facts.bases.accepted.includes(e.base_sha)) {
    return `it judged against base ${e.base_sha ?? '(none)'}, which is not ${facts.bases.description}`
  }
  const expectedName =
    e.shard === null ? facts.artifactName : `${facts.artifactName}-${e.shard.index}`
  if (item.artifact !== expectedName) {
    const holds =
      e.shard === null ? 'an unsharded report' : `shard ${e.shard.index}/${e.shard.total}`
    return `it holds ${holds}, which belongs in an artifact named ${expectedName}`
  }
  // The report must say what the envelope says; neither is believed, but they must agree.
  const shard = r.shard ? { index: r.shard.index, total: r.shard.total } : null
  if (JSON.stringify(shard) !== JSON.stringify(e.shard)) {
    return 'its report and envelope name different shards'
  }
  if (r.trees.candidate.commit !== e.candidate_sha) {
    return 'its report and envelope name different candidate commits'
  }
  if ((r.trees.baseline?.commit ?? null) !== e.base_sha) {
    return 'its report and envelope name different baseline commits'
  }
  if (r.mode !== facts.mode) {
    return `it was judged in ${r.mode} mode; this gate's mode is ${facts.mode}`
  }
  if ((r.flaky ?? 'warn') !== facts.flaky) {
    return `it counted FLAKY as ${r.flaky ?? 'warn'}; this gate's flaky policy is ${facts.flaky}`
  }
  const policies = auditPolicies(facts)
  if (r.audit && r.audit.vacuous !== policies.vacuous) {
    return `it counted checks that cannot fail as ${r.audit.vacuous}; this gate's policy is ${policies.vacuous}`
  }
  if (r.audit && r.audit.uncovered !== policies.uncovered) {
    return `it counted changes no check noticed as ${r.audit.uncovered}; this gate's policy is ${policies.uncovered}`
  }
  const names = r.checks.map((c) => c.name)
  const twice = names.filter((n, i) => names.indexOf(n) !== i)
  if (twice.length > 0) return `it lists check ${twice[0]} twice`
  if (facts.config !== null && e.config_hash === facts.config.hash) {
    const all = r.shard?.all_checks ?? [...names, ...(r.skipped ?? [])]
    const lost = facts.config.shellChecks.filter((n) => !all.includes(n))
    if (lost.length > 0) return `it leaves out ${list(lost)}, which this gate's config defines`
    const unknown = all.filter((n) => !facts.config!.shellChecks.includes(n))
    if (!facts.config.hasFunctions && unknown.length > 0) {
      return `it lists ${list(unknown)}, which this gate's config does not define`
    }
  }
  return null
}

interface MergedSet {
  checks: CheckReport[]
  skipped: string[]
  sources: HandedOverReport[]
  /** The config's order of checks, for everything merged from several reports. */
  order: readonly string[]
}

/**
 * The checks of the accepted reports, once each, in the config's order; every set-level problem
 * (mixed, duplicated, missing, foreign shards, a check in the wrong shard) goes to `problems`.
 */
function mergeSet(
  accepted: HandedOverReport[],
  all: readonly HandedOverReport[],
  facts: PublisherFacts,
  problems: string[],
): MergedSet {
  const none: MergedSet = { checks: [], skipped: [], sources: [], order: [] }
  const where = `workflow run ${facts.runId}`
  if (all.length === 0) {
    if (problems.length === 0) {
      problems.push(
        `no report artifact named ${facts.artifactName} or ${facts.artifactName}-<K> was found in ${where}; did the gate job upload its report-dir?`,
      )
    }
    return none
  }
  const sharded = all.filter((i) => i.envelope.shard !== null)
  const whole = all.filter((i) => i.envelope.shard === null)
  if (sharded.length > 0 && whole.length > 0) {
    problems.push(`${where} holds both an unsharded report and shards; they cannot be merged`)
    return none
  }
  if (whole.length > 0) {
    if (whole.length > 1) {
      problems.push(`${where} holds ${whole.length} artifacts named ${facts.artifactName}`)
      return none
    }
    const only = accepted[0]
    if (only === undefined) return none
    return {
      checks: only.report.checks,
      skipped: only.report.skipped ?? [],
      sources: [only],
      order: only.report.checks.map((c) => c.name),
    }
  }

  // Shards. Duplicates are counted over everything listed, refused or not: two artifacts for one
  // shard means at least one is not what the gate job uploaded.
  const byIndex = new Map<number, HandedOverReport[]>()
  for (const item of sharded) {
    const index = item.envelope.shard!.index
    byIndex.set(index, [...(byIndex.get(index) ?? []), item])
  }
  let usable = accepted.filter((i) => i.envelope.shard !== null)
  for (const [index, items] of [...byIndex].sort((a, b) => a[0] - b[0])) {
    if (items.length > 1) {
      problems.push(
        `shard ${index} was uploaded ${items.length} times (${list(items.map((i) => i.artifact))}); none of them is used`,
      )
      usable = usable.filter((i) => i.envelope.shard!.index !== index)
    }
  }
  if (usable.length === 0) return none

  // One suite: every shard must agree on N, on the list of checks and on the config.
  const first = usable[0]!
  const total = first.envelope.shard!.total
  const allChecks = first.report.shard!.all_checks
  for (const item of usable.slice(1)) {
    const differs =
      item.envelope.shard!.total !== total
        ? `splits the suite into ${item.envelope.shard!.total} shards, ${first.artifact} into ${total}`
        : item.envelope.config_hash !== first.envelope.config_hash
          ? `was judged with another config than ${first.artifact}`
          : JSON.stringify(item.report.shard!.all_checks) !== JSON.stringify(allChecks)
            ? `lists other checks than ${first.artifact}`
            : null
    if (differs !== null) {
      problems.push(`${item.artifact} ${differs}; shards of different suites are never merged`)
      return none
    }
  }
  const uniqueNames = new Set(allChecks)
  if (uniqueNames.size !== allChecks.length) {
    problems.push(`${first.artifact} lists the same check twice among all checks`)
    return none
  }

  // Every check in exactly the shard it belongs to, and every shard's share accounted for.
  const assigned = assignShards(allChecks, total)
  const good: HandedOverReport[] = []
  for (const item of usable) {
    const index = item.envelope.shard!.index
    const stray = item.report.checks.map((c) => c.name).filter((n) => assigned.get(n) !== index)
    const unknown = stray.filter((n) => !assigned.has(n))
    if (unknown.length > 0) {
      problems.push(
        `${item.artifact} refused: it reports ${list(unknown)}, which is in no shard's list of checks`,
      )
      continue
    }
    if (stray.length > 0) {
      problems.push(
        `${item.artifact} refused: it reports ${list(stray)}, which belongs to another shard`,
      )
      continue
    }
    const share = allChecks.filter((n) => assigned.get(n) === index)
    const audited = auditedChecks(item.report.audit).filter((n) => assigned.get(n) !== index)
    if (audited.length > 0) {
      problems.push(
        `${item.artifact} refused: its audit reports on ${list(audited)}, which ${audited.length === 1 ? 'is' : 'are'} not in its share`,
      )
      continue
    }
    const covered = new Set([
      ...item.report.checks.map((c) => c.name),
      ...(item.report.skipped ?? []),
    ])
    const absent = share.filter((n) => !covered.has(n))
    if (absent.length > 0) {
      problems.push(`${item.artifact} refused: ${list(absent)} of its share did not run`)
      continue
    }
    good.push(item)
  }
  const present = new Set(byIndex.keys())
  const missing: number[] = []
  for (let k = 1; k <= total; k++) if (!present.has(k)) missing.push(k)
  if (missing.length > 0) {
    const names = missing.map((k) => `${facts.artifactName}-${k}`)
    problems.push(
      `${missing.length === 1 ? 'shard' : 'shards'} ${list(missing.map((k) => `${k}/${total}`))} ${missing.length === 1 ? 'is' : 'are'} missing: no artifact ${list(names)} in ${where}`,
    )
  }

  const byName = new Map<string, CheckReport>()
  for (const item of good) for (const check of item.report.checks) byName.set(check.name, check)
  const skipped = new Set(good.flatMap((i) => i.report.skipped ?? []))
  return {
    checks: allChecks.flatMap((n) => (byName.has(n) ? [byName.get(n)!] : [])),
    skipped: allChecks.filter((n) => skipped.has(n)),
    sources: good.sort((a, b) => a.envelope.shard!.index - b.envelope.shard!.index),
    order: allChecks,
  }
}

function auditPolicies(facts: PublisherFacts): { vacuous: AuditPolicy; uncovered: AuditPolicy } {
  return facts.audit ?? { vacuous: 'warn', uncovered: 'warn' }
}

/** Every check an audit names (its probes and its runs against broken files). */
function auditedChecks(audit: AuditReport | undefined): string[] {
  if (audit === undefined) return []
  return [
    ...(audit.vacuity ?? []).map((p) => p.check),
    ...(audit.changes?.checks ?? []),
    ...(audit.changes?.files ?? []).flatMap((f) => f.runs.map((r) => r.check)),
    ...(audit.changes?.runs ?? []).map((r) => r.check),
  ]
}

/**
 * The shards' audits as one: every probe once, each broken file with the runs of every shard's
 * checks against it. Which checks noticed a file, and whether any did, are recomputed from those
 * runs (a file one shard's checks missed may be covered by another's); the policies are the
 * publisher's.
 */
function mergeAudits(
  audits: readonly AuditReport[],
  order: readonly string[],
  facts: PublisherFacts,
): AuditReport | undefined {
  if (audits.length === 0) return undefined
  const rank = (name: string): number => {
    const i = order.indexOf(name)
    return i === -1 ? order.length : i
  }
  const byRank = (a: string, b: string): number => rank(a) - rank(b)
  const probed = audits.filter((a) => a.vacuity !== undefined)
  const vacuity =
    probed.length === 0
      ? undefined
      : probed.flatMap((a) => a.vacuity!).sort((a, b) => byRank(a.check, b.check))
  const changed = audits.flatMap((a) => (a.changes ? [a.changes] : []))
  let changes: ChangeAudit | undefined
  if (changed.length > 0) {
    const files = new Map<string, FileAudit>()
    for (const part of changed) {
      for (const file of part.files) {
        const seen = files.get(file.path)
        files.set(file.path, seen ? { ...seen, runs: [...seen.runs, ...file.runs] } : { ...file })
      }
    }
    const notAudited = new Map<string, ChangeAudit['not_audited'][number]>()
    for (const part of changed)
      for (const n of part.not_audited) if (!notAudited.has(n.path)) notAudited.set(n.path, n)
    const note = changed.find((c) => c.note !== undefined)?.note
    // Every shard looked at the same change: each left out the same files beyond its list.
    const omitted = Math.max(...changed.map((c) => c.not_audited_omitted ?? 0))
    const runs = changed.flatMap((c) => c.runs ?? []).sort((a, b) => byRank(a.check, b.check))
    changes = {
      checks: [...new Set(changed.flatMap((c) => c.checks))].sort(byRank),
      max_files: changed[0]!.max_files,
      files: [...files.values()].map((file) => {
        const runs = [...file.runs].sort((a, b) => byRank(a.check, b.check))
        const noticed = runs.filter((r) => r.noticed === true).map((r) => r.check)
        return {
          ...file,
          runs,
          noticed_by: noticed,
          covered: noticed.length > 0 ? true : runs.some((r) => r.noticed === false) ? false : null,
        }
      }),
      not_audited: [...notAudited.values()],
      ...(omitted > 0 ? { not_audited_omitted: omitted } : {}),
      ...(note !== undefined ? { note } : {}),
      ...(runs.length > 0 ? { runs } : {}),
    }
  }
  return {
    ...auditPolicies(facts),
    ...(vacuity ? { vacuity } : {}),
    ...(changes ? { changes } : {}),
  }
}

function buildReport(
  merged: MergedSet,
  facts: PublisherFacts,
  problems: readonly string[],
  notices: string[],
): Report {
  // What each check did is the gate's evidence; what it means is decided here, again.
  const checks: CheckReport[] = merged.checks.map((c) => ({
    ...c,
    ...compareRuns(c.baseline, c.candidate),
  }))
  const audits = merged.sources.flatMap((s) => (s.report.audit ? [s.report.audit] : []))
  const audit = mergeAudits(audits, merged.order, facts)
  const decided = decideVerdict(facts.mode, checks, { flaky: facts.flaky, audit: audit ?? null })
  const verdict = problems.length > 0 ? 'block' : decided.verdict
  const reasons =
    problems.length > 0
      ? [...problems, ...(decided.verdict === 'block' && checks.length > 0 ? decided.reasons : [])]
      : decided.reasons
  const { sources } = merged
  const first = sources[0]?.report
  const starts = sources.map((s) => Date.parse(s.report.started_at)).filter(Number.isFinite)
  const ends = sources
    .map((s) => Date.parse(s.report.started_at) + s.report.duration_ms)
    .filter(Number.isFinite)
  const startedAt = starts.length > 0 ? Math.min(...starts) : null
  if (sources.length > 1) {
    notices.push(
      `Merged from ${sources.length} shard reports of workflow run ${facts.runId} (${list(sources.map((s) => s.artifact))}).`,
    )
  }
  const seen = new Set<string>()
  const allNotices = [...sources.flatMap((s) => s.report.notices), ...notices].filter((n) =>
    seen.has(n) ? false : (seen.add(n), true),
  )
  // Canaries do not score: their runs are meant to fail.
  const scoring = checks.filter((c) => !isCanary(c))
  const baselines = scoring.flatMap((c) => (c.baseline ? [c.baseline] : []))
  const placeholder: TreeInfo = { role: 'candidate', path: '', commit: null, setup: null }
  return {
    schema_version: 1,
    tool: { name: 'quorum', version: facts.version },
    verdict,
    mode: facts.mode,
    flaky: facts.flaky,
    reasons,
    checks,
    counts: countOutcomes(checks.map((c) => c.candidate)),
    skipped: merged.skipped,
    totals: {
      baseline_score: baselines.length > 0 ? totalScore(baselines) : null,
      candidate_score: totalScore(scoring.map((c) => c.candidate)),
    },
    trees: {
      baseline: first?.trees.baseline ?? null,
      candidate: first?.trees.candidate ?? placeholder,
    },
    sandbox:
      sources.some((s) => s.report.sandbox === 'copy') || first === undefined ? 'copy' : 'overlay',
    config_file: first?.config_file ?? null,
    started_at: new Date(startedAt ?? Date.now()).toISOString(),
    duration_ms:
      startedAt === null || ends.length === 0 ? 0 : Math.max(0, Math.max(...ends) - startedAt),
    notices: allNotices,
    ...(audit ? { audit } : {}),
  }
}

/** `a, b and c`, at most MAX_LISTED names, then how many more. */
function list(items: readonly (string | number)[]): string {
  const shown = items.slice(0, MAX_LISTED).map(String)
  const more = items.length - shown.length
  if (more > 0) return `${shown.join(', ')} and ${more} more`
  if (shown.length <= 1) return shown.join('')
  return `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`
}

/**
 * Why the gate run of a pull request that changes `files` cannot be trusted, or null. A pull
 * request's own run uses the workflow files of its merge commit, so a PR that changes them (or
 * the local actions they use, or the gate's config or checks module) could make its gate job
 * upload any report it likes: its reports prove nothing, whatever they say. `gateFiles` are the
 * config and checks module paths, relative to the repository root.
 */
export function untrustedGateChange(
  files: readonly string[],
  gateFiles: readonly string[],
): string | null {
  const gate = new Set(gateFiles.map((f) => f.toLowerCase()))
  const touched = files.filter((file) => {
    const f = file.toLowerCase()
    return f.startsWith('.github/workflows/') || f.startsWith('.github/actions/') || gate.has(f)
  })
  if (touched.length === 0) return null
  return (
    `this pull request changes ${list([...new Set(touched)])}, which its gate run depends on: a ` +
    "pull request's run uses its own version of them, so its reports cannot be trusted. " +
    'A maintainer has to review this change and merge it without this check'
  )
}
