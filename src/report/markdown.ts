/**
 * The markdown views of a report: the sticky PR comment, the check run output and the job summary.
 * All three are assembled from the same blocks and differ only in what they include and how much
 * room GitHub gives them. Every piece of text that came from a check or the config goes through
 * sanitize.ts; everything else is written here and trusted.
 */
import { oneLine } from '../engine/paths.ts'
import { formatPercent } from '../engine/compare.ts'
import type {
  CheckReport,
  MetricReport,
  MetricVerdict,
  Report,
  RunResult,
} from '../engine/types.ts'
import { extractAnnotations, type Annotation } from './annotations.ts'
import { commentMarker, headMarker } from './comment-markers.ts'
import type { ViewContext } from './context.ts'
import {
  CHANGE_ICON,
  CHANGE_LABEL,
  OUTCOME_ICON,
  SABOTAGE_LABEL,
  VACUOUS_HINT,
  canaryFailedAsExpected,
  canaryLabel,
  isCanaryReport,
  notAuditedPhrase,
  togetherPhrase,
  vacuousChecks,
  countPhrase,
  exitPhrase,
  flakyChecks,
  showsScore,
  formatBytes,
  formatDelta,
  formatDuration,
  formatScore,
  checksNeedingAttention,
  outputText,
  shortSha,
  verdictWord,
} from './format.ts'
import {
  CHECK_RUN_SUMMARY_MAX_CHARS,
  CHECK_RUN_TEXT_MAX_CHARS,
  COMMENT_MAX_CHARS,
  JOB_SUMMARY_MAX_BYTES,
  cutToMeasure,
  layoutDocument,
  measureBytes,
  measureChars,
  type LayoutDetail,
  type LayoutParts,
  type LayoutRow,
  type Measure,
  type Omitted,
} from './limits.ts'
import {
  breakHtmlComments,
  codeFence,
  codeSpan,
  htmlText,
  inlineText,
  stripControl,
  tableCell,
  tailLines,
  type TailOptions,
} from './sanitize.ts'

/** What {@link renderCheckRun} returns: the fields of a check run's `output`. */
export interface CheckRunOutput {
  title: string
  summary: string
  text: string
  annotations: Annotation[]
}

// How much output each view shows per non-passing check, before any size-limit truncation.
const COMMENT_TAIL: TailOptions = { maxLines: 30, maxChars: 3_000 }
const CHECK_RUN_TAIL: TailOptions = { maxLines: 60, maxChars: 8_000 }
const SUMMARY_TAIL: TailOptions = { maxLines: 200, maxChars: 32_000 }

const MAX_NOTICES = 10
const MAX_REASONS = 20
// Reasons and notices are in the head, which is never dropped: 20 reasons and 10 notices of 300
// characters stay far below every limit even when escaping quadruples them (`<` -> `&lt;`).
const REASON_CHARS = 300
const NAME_CHARS = 100

/**
 * The whole body of the sticky PR comment, exactly as it is posted: the hidden gate marker on
 * line 1 and, when ctx names the workflow run, the hidden head marker on line 2 (see
 * comment-markers.ts; neither appears anywhere else in the body), then headline, notices,
 * reasons, the per-check table, a collapsed details block per non-passing check, and a footer.
 * At most 65,536 characters even after {@link markCommentOutdated}; when longer, output tails go
 * first, then whole details blocks, then passing rows, and a visible note links to the check run
 * and full report. Throws a RangeError for a gate name, head sha or run that could not be a marker.
 */
export function renderComment(report: Report, ctx: ViewContext): string {
  const hidden = [commentMarker(ctx.gateName)]
  if (ctx.run) hidden.push(headMarker(ctx.headSha ?? '', ctx.run.id, ctx.run.attempt))
  const top = hidden.join('\n')
  const parts = documentParts(report, ctx, {
    tail: COMMENT_TAIL,
    table: true,
    details: true,
    detailsHeading: null,
    limitName: `${COMMENT_MAX_CHARS.toLocaleString('en-US')}-character comment limit`,
    links: { checkRun: true, report: true },
  })
  // Room is kept for the outdated notice, so marking the comment later never needs a second cut.
  const budget = COMMENT_MAX_CHARS - measureChars(top) - 1 - OUTDATED_NOTICE_MAX_CHARS
  // Both hidden lines start with `<!`, which breakHtmlComments breaks everywhere in the rest, so
  // no check can print a second marker or a forged head line into the body.
  return `${top}\n${guarded(layoutDocument(parts, budget, measureChars), budget, measureChars)}`
}

/**
 * `body` (as {@link renderComment} wrote it for a run: two hidden lines first) with a warning after
 * the hidden lines that the report is for `heads.report` while the pull request head is now
 * `heads.pullRequest`. Within 65,536 characters, because renderComment keeps room for it; null for
 * a body it did not write that has no room left.
 */
export function markCommentOutdated(
  body: string,
  heads: { report: string; pullRequest: string },
): string | null {
  const [marker = '', provenance = '', ...rest] = body.split('\n')
  const marked = [marker, provenance, outdatedNotice(heads), ...rest].join('\n')
  return measureChars(marked) <= COMMENT_MAX_CHARS ? marked : null
}

function outdatedNotice(heads: { report: string; pullRequest: string }): string {
  return (
    `> [!WARNING]\n> Outdated: this report is for ${heads.report.slice(0, 12)}, but the pull ` +
    `request head is now ${heads.pullRequest.slice(0, 12)}. A newer run will replace it.\n`
  )
}

// What markCommentOutdated adds at most: the notice with 12-character shas, and a line break.
const OUTDATED_NOTICE_MAX_CHARS =
  measureChars(outdatedNotice({ report: '0'.repeat(12), pullRequest: '0'.repeat(12) })) + 1

/**
 * The check run output: a title with counts and the verdict, a summary (headline, notices,
 * reasons, table) and a text (details of every non-passing check), each at most 65,535
 * characters and visibly truncated, plus annotations parsed from the failing runs' output.
 */
export function renderCheckRun(report: Report, ctx: ViewContext): CheckRunOutput {
  const title = `${countPhrase(report)} · ${verdictWord(report)}`
  const limitName = `${CHECK_RUN_SUMMARY_MAX_CHARS.toLocaleString('en-US')}-character check run limit`
  const summaryParts = documentParts(report, ctx, {
    tail: CHECK_RUN_TAIL,
    table: true,
    details: false,
    detailsHeading: null,
    limitName,
    links: { checkRun: false, report: true },
  })
  // The text continues the summary on the same page: no second headline or footer.
  const textParts = documentParts(report, ctx, {
    tail: CHECK_RUN_TAIL,
    table: false,
    details: true,
    detailsHeading: '### Checks that did not pass',
    limitName,
    links: { checkRun: false, report: true },
    bare: true,
  })
  const hasDetails = textParts.details.length > 0
  const text = hasDetails
    ? layoutDocument(textParts, CHECK_RUN_TEXT_MAX_CHARS, measureChars)
    : quietText(report)
  return {
    title,
    summary: guarded(
      layoutDocument(summaryParts, CHECK_RUN_SUMMARY_MAX_CHARS, measureChars),
      CHECK_RUN_SUMMARY_MAX_CHARS,
      measureChars,
    ),
    text: guarded(text, CHECK_RUN_TEXT_MAX_CHARS, measureChars),
    annotations: extractAnnotations(report, ctx),
  }
}

/** The check run's text when no check needs details: true to what happened. */
function quietText(report: Report): string {
  if (report.checks.length === 0) return 'No check ran on the candidate: the summary says why.'
  if (report.checks.every((c) => c.candidate.outcome === 'PASSED')) {
    return 'Every check passed on the candidate.'
  }
  return 'No check needs more detail than the summary gives.'
}

/**
 * The job summary: the comment's content without the marker, with longer output tails, at most
 * 1 MiB counted in UTF-8 bytes, visibly truncated when longer.
 */
export function renderSummary(report: Report, ctx: ViewContext): string {
  const parts = documentParts(report, ctx, {
    tail: SUMMARY_TAIL,
    table: true,
    details: true,
    detailsHeading: '### Checks that did not pass',
    limitName: '1 MiB job summary limit',
    links: { checkRun: true, report: true },
  })
  return guarded(
    layoutDocument(parts, JOB_SUMMARY_MAX_BYTES, measureBytes),
    JOB_SUMMARY_MAX_BYTES,
    measureBytes,
  )
}

interface PartsOptions {
  tail: TailOptions
  table: boolean
  details: boolean
  detailsHeading: string | null
  /** Named in the truncation note, e.g. "65,536-character comment limit". */
  limitName: string
  links: { checkRun: boolean; report: boolean }
  /** Leave out the headline block and the footer. */
  bare?: boolean
}

function documentParts(report: Report, ctx: ViewContext, options: PartsOptions): LayoutParts {
  const links = linkList(ctx, options.links)
  return {
    head: options.bare ? [] : headBlocks(report, ctx),
    tableHeader: options.table ? TABLE_HEADER : null,
    rows: options.table
      ? report.checks.map((c) => tableRow(c, showsScore(report), vacuousChecks(report)))
      : [],
    detailsHeading: options.detailsHeading,
    details: options.details
      ? checksNeedingAttention(report).map((check) =>
          detailBlock(check, options.tail, showsScore(report)),
        )
      : [],
    footer: options.bare ? [] : [footerLine(report, links)],
    truncationNote: (omitted) => truncationNote(omitted, options.limitName, links),
  }
}

function headBlocks(report: Report, ctx: ViewContext): string[] {
  const blocks: string[] = []
  const icon = report.verdict === 'allow' ? '✅' : '❌'
  blocks.push(`### ${icon} Quorum ${verdictWord(report)} this change`)

  const facts = [
    `Gate ${codeSpan(ctx.gateName, { max: NAME_CHARS })}`,
    `mode ${codeSpan(report.mode)}`,
  ]
  const sha = shortSha(ctx.headSha)
  if (sha !== null) {
    const commitUrl = safeUrl(
      ctx.repoUrl ? `${ctx.repoUrl.replace(/\/+$/, '')}/commit/${ctx.headSha}` : null,
    )
    facts.push(commitUrl ? `head [\`${sha}\`](${commitUrl})` : `head \`${sha}\``)
  }
  facts.push(countPhrase(report))
  blocks.push(facts.join(' · '))

  if (showsScore(report)) {
    const candidate = formatScore(report.totals.candidate_score)
    const baseline = report.totals.baseline_score
    blocks.push(
      baseline === null
        ? `Score: **${candidate}** on the candidate (no baseline score).`
        : `Score: **${candidate}** on the candidate, **${formatScore(baseline)}** on the baseline ` +
            `(${formatDelta(report.totals.candidate_score - baseline)}).`,
    )
  }

  if (report.notices.length > 0) {
    const shown = report.notices
      .slice(0, MAX_NOTICES)
      .map((n) => `> ${inlineText(n, REASON_CHARS)}`)
    const more = report.notices.length - shown.length
    if (more > 0) shown.push(`> … and ${more} more ${more === 1 ? 'notice' : 'notices'}.`)
    blocks.push(['> [!WARNING]', shown.join('\n>\n')].join('\n'))
  }

  if (report.reasons.length > 0) {
    const shown = report.reasons
      .slice(0, MAX_REASONS)
      .map((r) => `- ${inlineText(r, REASON_CHARS)}`)
    const more = report.reasons.length - shown.length
    if (more > 0) shown.push(`- … and ${more} more (see the full report).`)
    blocks.push(`**Why**\n\n${shown.join('\n')}`)
  }

  const flaky = flakyChecks(report)
  if (flaky.length > 0) {
    const lines = flaky.slice(0, MAX_FLAKY).map((check) => {
      const tries = (check.candidate.attempts ?? [])
        .slice(0, 6)
        .map((a) => `${a.outcome} (seed ${codeSpan(a.seed, { max: 40 })})`)
        .join(' → ')
      return `> 🎲 ${codeSpan(check.name, { max: NAME_CHARS })}: ${tries || inlineText(check.candidate.reason, REASON_CHARS)}`
    })
    if (flaky.length > MAX_FLAKY) lines.push(`> … and ${flaky.length - MAX_FLAKY} more.`)
    const policy =
      report.flaky !== 'block'
        ? 'They did not block (`flaky: warn`); fix or quarantine them before they hide a real failure.'
        : 'They count as failures here (`flaky: block`).'
    blocks.push(
      [
        '> [!CAUTION]',
        `> **Flaky:** ${flaky.length === 1 ? 'a check' : `${flaky.length} checks`} failed, then passed on the same tree. ${policy}`,
        '>',
        ...lines,
      ].join('\n'),
    )
  }

  const metrics = metricsBlock(report)
  if (metrics !== null) blocks.push(metrics)

  const audit = auditBlock(report)
  if (audit !== null) blocks.push(audit)

  if ((report.skipped ?? []).length > 0) {
    const names = report.skipped!.slice(0, 20).map((n) => codeSpan(n, { max: NAME_CHARS }))
    const more = report.skipped!.length > 20 ? ` and ${report.skipped!.length - 20} more` : ''
    blocks.push(`⏭️ **Skipped** by request (not run, not judged): ${names.join(', ')}${more}.`)
  }
  return blocks
}

const MAX_FLAKY = 10
const MAX_METRIC_ROWS = 30
const MAX_CHARTS = 6
const MAX_CHART_SAMPLES = 60

const METRIC_ICON: Record<MetricVerdict, string> = {
  regressed: '🔻',
  improved: '🚀',
  unchanged: '🟰',
  inconclusive: '❔',
}

/**
 * Every compared metric: a table with the numbers, and a chart per metric (Mermaid, which GitHub
 * draws natively) with each tree's samples in the order they ran. Bounded: at most 30 rows and
 * 6 charts, so it can sit in the head of the comment, which is never cut.
 */
function metricsBlock(report: Report): string | null {
  const rows = report.checks.flatMap((check) => (check.metrics ?? []).map((m) => ({ check, m })))
  if (rows.length === 0) return null
  const header = [
    '| Check | Metric | Baseline | Candidate | Change (99% CI) | Tolerance | Verdict |',
    '| :-- | :-- | --: | --: | :-- | :-- | :-- |',
  ]
  const body = rows.slice(0, MAX_METRIC_ROWS).map(({ check, m }) => {
    const side = (s: { samples: number[]; median: number | null } | null) =>
      s === null || s.median === null
        ? '—'
        : `${formatScore(s.median)} <sub>n=${s.samples.length}</sub>`
    const change =
      m.change_pct === null
        ? '—'
        : `${formatPercent(m.change_pct)}${m.ci ? ` (${formatPercent(m.ci[0])} … ${formatPercent(m.ci[1])})` : ''}`
    const verdict =
      m.baseline === null
        ? 'not compared: no baseline'
        : m.verdict === 'inconclusive' && m.repeats_needed !== null
          ? `${METRIC_ICON[m.verdict]} inconclusive: ~${m.repeats_needed} repeats would decide`
          : `${METRIC_ICON[m.verdict]} ${m.verdict}`
    const direction = m.direction === 'lower' ? '↓' : '↑'
    return `| ${codeSpan(check.name, { max: NAME_CHARS, inTable: true })} | ${codeSpan(m.name, { max: NAME_CHARS, inTable: true })} ${direction}${m.deterministic ? ' (exact)' : ''} | ${side(m.baseline)} | ${side(m.candidate)} | ${change} | ${tableCell(m.tolerance, 20)} | ${verdict} |`
  })
  if (rows.length > MAX_METRIC_ROWS)
    body.push(`| … ${rows.length - MAX_METRIC_ROWS} more metrics in the full report | | | | | | |`)
  const charts = rows
    .filter(({ m }) => m.candidate.samples.length > 0 && (m.baseline?.samples.length ?? 0) > 0)
    .filter(({ m }) => !m.deterministic)
    .slice(0, MAX_CHARTS)
    .map(({ check, m }) => metricChart(check.name, m))
  return [
    '**Metrics** (↓ lower is better, ↑ higher is better; medians, n = samples per tree)',
    [...header, ...body].join('\n'),
    ...charts,
  ].join('\n\n')
}

/** A Mermaid xychart: the baseline's samples as bars, the candidate's as a line, run by run. */
function metricChart(check: string, m: MetricReport): string {
  const before = m.baseline?.samples.slice(0, MAX_CHART_SAMPLES) ?? []
  const after = m.candidate.samples.slice(0, MAX_CHART_SAMPLES)
  const n = Math.max(before.length, after.length)
  // Names are validated identifiers in a config; still, only safe characters reach the chart.
  const label = (text: string) => text.replace(/[^\w.-]/g, '_').slice(0, 60)
  const nums = (values: number[]) => values.map((v) => formatScore(v)).join(', ')
  const all = [...before, ...after]
  const low = Math.min(...all)
  const high = Math.max(...all)
  const pad = (high - low) * 0.1 || Math.abs(high) * 0.05 || 1
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${label(check)} ${label(m.name)}: bars baseline, line candidate (${m.direction} is better)"`,
    `  x-axis "run" [${Array.from({ length: n }, (_, i) => i + 1).join(', ')}]`,
    `  y-axis "${label(m.name)}" ${formatScore(low - pad)} --> ${formatScore(high + pad)}`,
    `  bar [${nums(before)}]`,
    `  line [${nums(after)}]`,
    '```',
  ].join('\n')
}

const TABLE_HEADER = [
  '| Check | Baseline | Candidate | Change | Reason |',
  '| :-- | :-- | :-- | :-- | :-- |',
].join('\n')

function tableRow(check: CheckReport, scores: boolean, vacuous: ReadonlySet<string>): LayoutRow {
  const canary = isCanaryReport(check)
  const change = canary
    ? [canaryFailedAsExpected(check) ? '🐤' : '🚨', canaryLabel(check)]
    : [CHANGE_ICON[check.change], CHANGE_LABEL[check.change]]
  if (scores && check.score_delta !== null && !canary) {
    change.push(`(${formatDelta(check.score_delta)})`)
  }
  const cannotFail = vacuous.has(check.name) ? ' · 🕳️ **cannot fail**' : ''
  const cells = [
    codeSpan(check.name, { max: NAME_CHARS, inTable: true }),
    check.baseline === null ? '—' : runCell(check.baseline, scores),
    runCell(check.candidate, scores) + cannotFail,
    change.filter((s) => s !== '').join(' '),
    tableCell(check.candidate.reason, 200),
  ]
  return {
    text: `| ${cells.join(' | ')} |`,
    important:
      check.candidate.outcome !== 'PASSED' ||
      check.change === 'regressed' ||
      vacuous.has(check.name),
  }
}

const MAX_VACUOUS_LINES = 10
const MAX_AUDIT_FILE_ROWS = 20

/**
 * What the audits found, in the head (never cut, so bounded): the checks that cannot fail, with
 * the hint; each broken file and the checks that noticed it, or that none did; what was left out.
 */
function auditBlock(report: Report): string | null {
  const audit = report.audit
  if (!audit) return null
  const parts: string[] = []
  const vacuous = (audit.vacuity ?? []).filter((p) => p.vacuous === true)
  if (vacuous.length > 0) {
    const lines = vacuous
      .slice(0, MAX_VACUOUS_LINES)
      .map(
        (p) =>
          `> 🕳️ ${codeSpan(p.check, { max: NAME_CHARS })} passed on an empty tree (no files, setup not run).`,
      )
    if (vacuous.length > MAX_VACUOUS_LINES) {
      lines.push(`> … and ${vacuous.length - MAX_VACUOUS_LINES} more.`)
    }
    const policy =
      audit.vacuous === 'block'
        ? 'This blocks (`vacuous: block`).'
        : 'Not blocking (`vacuous: warn`).'
    parts.push(
      [
        audit.vacuous === 'block' ? '> [!CAUTION]' : '> [!WARNING]',
        `> **Cannot fail:** ${vacuous.length === 1 ? 'this check passes' : 'these checks pass'} without any code, so ${vacuous.length === 1 ? 'its' : 'their'} PASSED says nothing about this change. ${policy}`,
        '>',
        ...lines,
        '>',
        `> Hint: ${VACUOUS_HINT}.`,
      ].join('\n'),
    )
  }
  const changes = audit.changes
  if (changes && changes.note !== undefined) {
    parts.push(`**Change coverage:** not run: ${inlineText(changes.note, REASON_CHARS)}.`)
  } else if (changes) {
    const uncovered = changes.files.filter((f) => f.covered === false).length
    const policy =
      uncovered === 0
        ? ''
        : audit.uncovered === 'block'
          ? ' This blocks (`uncovered: block`).'
          : ' Not blocking (`uncovered: warn`).'
    const summary =
      changes.files.length === 0
        ? '**Change coverage:** no changed file to break.'
        : `**Change coverage:** each changed file was broken on its own (it fails loudly when loaded) and run against the checks that passed: ${uncovered === 0 ? 'every one was noticed' : `${uncovered} of ${changes.files.length} noticed by no check`}.${policy}`
    const rows = changes.files.slice(0, MAX_AUDIT_FILE_ROWS).map((file) => {
      const noticed =
        file.covered === true
          ? `✅ ${file.runs
              .filter((r) => r.noticed === true)
              .map(
                (r) =>
                  `${codeSpan(r.check, { max: NAME_CHARS, inTable: true })} (${r.run.outcome})`,
              )
              .join(', ')}`
          : file.covered === false
            ? `⚠️ **not covered by any check** (ran: ${file.runs.map((r) => codeSpan(r.check, { max: NAME_CHARS, inTable: true })).join(', ')})`
            : '❔ no check could run against it'
      return `| ${codeSpan(file.path, { max: 200, inTable: true })} | ${SABOTAGE_LABEL[file.sabotage]} | ${noticed} |`
    })
    if (changes.files.length > MAX_AUDIT_FILE_ROWS) {
      rows.push(
        `| … ${changes.files.length - MAX_AUDIT_FILE_ROWS} more files in the full report | | |`,
      )
    }
    const table =
      rows.length === 0
        ? []
        : [['| Changed file | Broken by | Noticed by |', '| :-- | :-- | :-- |', ...rows].join('\n')]
    const left = notAuditedPhrase(report)
    const once = togetherPhrase(report)
    const footnote = `<sub>${left === null ? '' : `${inlineText(left, REASON_CHARS)}. `}${once === null ? '' : `${inlineText(once, REASON_CHARS)}. `}A file-level signal, not mutation testing: it tells whether some check loads a file at all, not whether its lines are tested.</sub>`
    parts.push([summary, ...table, footnote].join('\n\n'))
  }
  return parts.length > 0 ? parts.join('\n\n') : null
}

function runCell(run: RunResult, scores: boolean): string {
  const score = !scores || run.score === null ? '' : ` · ${formatScore(run.score)}`
  const reused = run.reused_from ? ' ♻️ reused' : ''
  return `${OUTCOME_ICON[run.outcome]} ${run.outcome}${score}${reused}`
}

function detailBlock(check: CheckReport, tail: TailOptions, scores: boolean): LayoutDetail {
  const run = check.candidate
  // A canary here did not fail as it must: its PASSED is the alarm, not a tick.
  const icon = isCanaryReport(check) ? '🚨' : OUTCOME_ICON[run.outcome]
  const summaryBits = [`${icon} <b>${htmlText(check.name, NAME_CHARS)}</b>`, run.outcome]
  if (isCanaryReport(check)) summaryBits.push('canary (expect: fail)')
  const exit = exitPhrase(check)
  if (exit !== null) summaryBits.push(htmlText(exit, 60))
  summaryBits.push(formatDuration(run.duration_ms))

  const lines: string[] = []
  lines.push(`**Reason:** ${inlineText(run.reason, 2_000)}`)
  if (check.baseline !== null) {
    const base = check.baseline
    lines.push(
      `**Baseline:** ${OUTCOME_ICON[base.outcome]} ${base.outcome} — ${inlineText(base.reason, REASON_CHARS)}`,
    )
  }
  const attempts = run.attempts ?? []
  if (attempts.length > 1) {
    const shown = attempts
      .slice(0, 20)
      .map(
        (a) =>
          `- repeat ${a.repeat}, attempt ${a.attempt}: ${OUTCOME_ICON[a.outcome]} ${a.outcome} · seed ${codeSpan(a.seed, { max: 40 })} · ${inlineText(a.reason, REASON_CHARS)}`,
      )
    if (attempts.length > 20) shown.push(`- … and ${attempts.length - 20} more attempts`)
    lines.push(`**Attempts:**\n\n${shown.join('\n')}`)
  }
  if (run.reused_from) {
    lines.push(
      `**Reused** from the ${run.reused_from.cache === 'local' ? 'local' : 'GitHub Actions'} cache (${codeSpan(run.reused_from.location, { max: 200 })}, stored ${codeSpan(run.reused_from.stored_at, { max: 40 })}); it was not run again.`,
    )
  }
  if (scores && (run.score !== null || check.score_delta !== null)) {
    const delta = check.score_delta === null ? '' : ` (${formatDelta(check.score_delta)})`
    lines.push(`**Score:** ${run.score === null ? 'none' : formatScore(run.score)}${delta}`)
  }
  const facts = [`**Seed** ${codeSpan(run.seed, { max: 200 })}`]
  if (run.output.log_path !== null)
    facts.push(`**log** ${codeSpan(run.output.log_path, { max: 300 })}`)
  facts.push(
    `**output** ${formatBytes(run.output.bytes)}${run.output.truncated ? ', middle not kept' : ''}`,
  )
  lines.push(facts.join(' · '))
  // One line (every kind of line break folded), inner spacing kept: it is a shell command.
  lines.push(`Reproduce locally:\n\n${codeFence(oneLine(stripControl(check.reproduce)), 'sh')}`)

  const open = `<details>\n<summary>${summaryBits.join(' · ')}</summary>`
  const close = '</details>'
  const compactBody = lines.join('\n\n')
  const shown = tailLines(outputText(run.output), tail)
  if (shown.text === '') {
    const body = `${compactBody}\n\n_No output._`
    return { full: `${open}\n\n${body}\n\n${close}`, compact: `${open}\n\n${body}\n\n${close}` }
  }
  const tailTitle =
    shown.keptLines < shown.totalLines ? `Last ${shown.keptLines} lines of output:` : 'Output:'
  const full = `${open}\n\n${compactBody}\n\n${tailTitle}\n\n${codeFence(shown.text)}\n\n${close}`
  const compact = `${open}\n\n${compactBody}\n\n_Output left out to fit the size limit; see the log or the full report._\n\n${close}`
  return { full, compact }
}

function footerLine(report: Report, links: string[]): string {
  const bits = [
    `Quorum ${versionText(report.tool.version)}`,
    `${report.checks.length} ${report.checks.length === 1 ? 'check' : 'checks'} in ${formatDuration(report.duration_ms)}`,
    `sandbox: ${report.sandbox}`,
    ...links,
  ]
  return `<sub>${bits.join(' · ')}</sub>`
}

// A plain version needs no escaping (and `0\.1.0` would be ugly); anything else is untrusted text.
function versionText(version: string): string {
  return /^[0-9A-Za-z.+-]{1,40}$/.test(version) ? version : inlineText(version, 40)
}

function linkList(ctx: ViewContext, which: { checkRun: boolean; report: boolean }): string[] {
  const links: string[] = []
  const checkRun = which.checkRun ? safeUrl(ctx.checkRunUrl) : null
  const full = which.report ? safeUrl(ctx.reportUrl) : null
  if (checkRun !== null) links.push(`[check run](${checkRun})`)
  if (full !== null) links.push(`[full report](${full})`)
  return links
}

function truncationNote(omitted: Omitted, limitName: string, links: string[]): string {
  const lost: string[] = []
  if (omitted.rows > 0) {
    lost.push(`${omitted.rows} of ${omitted.totalRows} table rows (passing checks first)`)
  }
  if (omitted.details > 0) {
    lost.push(`details of ${omitted.details} ${omitted.details === 1 ? 'check' : 'checks'}`)
  }
  if (omitted.outputs > 0) {
    lost.push(`output of ${omitted.outputs} ${omitted.outputs === 1 ? 'check' : 'checks'}`)
  }
  const where = links.length > 0 ? links.join(' / ') : 'the check run / full report'
  const what = lost.length > 0 ? ` Left out: ${lost.join('; ')}.` : ''
  return `> [!NOTE]\n> **… truncated** to fit the ${limitName}; see ${where}.${what}`
}

/**
 * An http(s) URL safe to put in a markdown link destination, or null. Parentheses, spaces and
 * angle brackets are percent-encoded so the URL cannot end the link early or inject markup.
 */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null
  return parsed.href.replace(
    /[()<>\s"'`\\[\]]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  )
}

/**
 * Last line of defence for every view: no HTML comment opener (which could hide the rest of a body
 * or forge the comment's hidden lines), whatever slipped through; every untrusted piece is already
 * broken. The guard only fires if a piece escaped sanitizing, and each firing adds a character:
 * re-cutting keeps the limit a hard guarantee even then.
 */
function guarded(text: string, budget: number, measure: Measure): string {
  return cutToMeasure(breakHtmlComments(text), budget, measure)
}
