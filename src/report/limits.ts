/**
 * GitHub's size limits for every place Quorum writes to, and the routines that make text fit
 * them: {@link layoutDocument} for the rendered views (drops the least useful parts first and
 * says so), {@link fitWithNote} for a last-resort cut of any other text, {@link cutToMeasure}
 * under both. The views (markdown.ts) and the writers (src/github) take their limits from here
 * and nowhere else.
 */

/** Issue/PR comment body: 65,536 characters. */
export const COMMENT_MAX_CHARS = 65_536
/** Check run `output.summary`: 65,535 characters. */
export const CHECK_RUN_SUMMARY_MAX_CHARS = 65_535
/** Check run `output.text`: 65,535 characters. */
export const CHECK_RUN_TEXT_MAX_CHARS = 65_535
/** Job summary ($GITHUB_STEP_SUMMARY) per step, all its writers together: 1 MiB, in bytes. */
export const JOB_SUMMARY_MAX_BYTES = 1_048_576
/** Annotations taken from one check's output. */
export const ANNOTATIONS_PER_CHECK = 50
/** Annotations in one check run, all checks together. */
export const ANNOTATIONS_TOTAL = 500
/** Annotations GitHub accepts in one check run request (checks API, maxItems 50). */
export const ANNOTATIONS_PER_REQUEST = 50
/** Check run annotation title: 255 characters. */
export const ANNOTATION_TITLE_MAX_CHARS = 255
/** Check run annotation `message` and `raw_details`: 64 KB each, counted in bytes. */
export const ANNOTATION_TEXT_MAX_BYTES = 65_536
/** Check run annotation message as the views write it: far shorter than GitHub's 64 KB. */
export const ANNOTATION_MESSAGE_MAX_CHARS = 2_000

/** How a limit counts: GitHub counts characters for comments and check runs, bytes for summaries. */
export type Measure = (text: string) => number

/**
 * Characters as UTF-16 code units. Never less than the code-point count GitHub applies, so a body
 * within this measure is within GitHub's.
 */
export const measureChars: Measure = (text) => text.length

/** UTF-8 bytes, as the job summary limit counts them. */
export const measureBytes: Measure = (text) => Buffer.byteLength(text, 'utf8')

/** One row of a table; important rows (non-passing checks) are kept before the others. */
export interface LayoutRow {
  text: string
  important: boolean
}

/** One per-check details block, in a rich and a compact form. */
export interface LayoutDetail {
  /** With the output tail. */
  full: string
  /** Without the output: outcome, reason, seed, log file and reproduce command only. */
  compact: string
}

/** What a layout had to leave out, for the truncation note. */
export interface Omitted {
  /** Table rows not shown, of `totalRows`. */
  rows: number
  totalRows: number
  /** Details blocks shown without their output. */
  outputs: number
  /** Details blocks not shown at all. */
  details: number
}

/** A document in parts, from most to least important. Parts are joined by blank lines. */
export interface LayoutParts {
  /** Always kept: marker, headline, notices, reasons. */
  head: string[]
  /** Table header lines (kept when at least one row is). */
  tableHeader: string | null
  rows: LayoutRow[]
  /** Blocks between the table and the footer (e.g. a heading for the details). */
  detailsHeading: string | null
  details: LayoutDetail[]
  /** Always kept. */
  footer: string[]
  /** The visible note shown when anything was left out. */
  truncationNote: (omitted: Omitted) => string
}

const SEPARATOR = '\n\n'

/**
 * Joins `parts` into a document of at most `budget` by `measure`, dropping output tails first, then
 * whole details blocks, then table rows (passing ones before failing ones), and inserting the
 * truncation note whenever something was dropped. The result never exceeds the budget: if even
 * the head does not fit, it is cut hard (still with the note).
 */
export function layoutDocument(parts: LayoutParts, budget: number, measure: Measure): string {
  const full = joinBlocks([
    ...parts.head,
    tableBlock(
      parts.tableHeader,
      parts.rows.map((r) => r.text),
    ),
    parts.details.length > 0 ? parts.detailsHeading : null,
    ...parts.details.map((d) => d.full),
    ...parts.footer,
  ])
  if (measure(full) <= budget) return full

  // The note's size depends on the numbers in it; reserve room for the widest plausible one.
  const worstNote = parts.truncationNote({
    rows: parts.rows.length,
    totalRows: parts.rows.length,
    outputs: parts.details.length,
    details: parts.details.length,
  })
  const sep = measure(SEPARATOR)
  const fixed = [...parts.head, ...parts.footer, worstNote]
  let remaining =
    budget - fixed.reduce((n, block) => n + measure(block), 0) - sep * (fixed.length + 3)

  // Rows: important ones first, then the rest, each kept only if it fits; shown in original order.
  const keepRow = new Array<boolean>(parts.rows.length).fill(false)
  const header = parts.tableHeader ?? ''
  let headerPaid = parts.tableHeader === null
  const rowOrder = parts.rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => Number(b.row.important) - Number(a.row.important) || a.index - b.index)
  for (const { row, index } of rowOrder) {
    const cost = measure(row.text) + 1 + (headerPaid ? 0 : measure(header) + 1)
    if (cost > remaining) continue
    remaining -= cost
    headerPaid = true
    keepRow[index] = true
  }
  const rows = parts.rows.filter((_, i) => keepRow[i]).map((r) => r.text)

  // Details: first every block in compact form (a reproduce command for each failure is worth
  // more than the output of the first one), then upgrade to the full form in order while it fits.
  const headingCost = parts.detailsHeading === null ? 0 : measure(parts.detailsHeading) + sep
  const chosen: (string | null)[] = parts.details.map(() => null)
  let headingPaid = false
  for (const [i, detail] of parts.details.entries()) {
    const cost = measure(detail.compact) + sep + (headingPaid ? 0 : headingCost)
    if (cost > remaining) continue
    remaining -= cost
    headingPaid = true
    chosen[i] = detail.compact
  }
  for (const [i, detail] of parts.details.entries()) {
    const current = chosen[i]
    if (current === null || current === undefined) continue
    const extra = measure(detail.full) - measure(current)
    if (extra > remaining) continue
    remaining -= extra
    chosen[i] = detail.full
  }

  const omitted: Omitted = {
    rows: parts.rows.length - rows.length,
    totalRows: parts.rows.length,
    outputs: chosen.filter((c, i) => c !== null && c !== parts.details[i]?.full).length,
    details: chosen.filter((c) => c === null).length,
  }
  const kept = chosen.filter((c): c is string => c !== null)
  const doc = joinBlocks([
    ...parts.head,
    tableBlock(rows.length > 0 ? parts.tableHeader : null, rows),
    kept.length > 0 ? parts.detailsHeading : null,
    ...kept,
    parts.truncationNote(omitted),
    ...parts.footer,
  ])
  if (measure(doc) <= budget) return doc
  // Only reachable when the head and footer alone exceed the budget.
  return hardCut(joinBlocks(parts.head), parts.truncationNote(omitted), budget, measure)
}

/** Keeps as much of `text` as fits before `note`, cutting at a line boundary when possible. */
export function hardCut(text: string, note: string, budget: number, measure: Measure): string {
  const room = budget - measure(note) - measure(SEPARATOR)
  if (room <= 0) return cutToMeasure(note, budget, measure)
  let kept = cutToMeasure(text, room, measure)
  const lastBreak = kept.lastIndexOf('\n')
  if (kept.length < text.length && lastBreak > 0) kept = kept.slice(0, lastBreak)
  return `${kept}${SEPARATOR}${note}`
}

/**
 * `text` when it fits `budget`; otherwise the longest prefix that fits with `note` after it (or as
 * much of `note` as fits, when not even the note does). Never over the budget, never splitting a
 * surrogate pair. For text that was not laid out by {@link layoutDocument}: a writer's last line of
 * defence, or a message the action builds itself.
 */
export function fitWithNote(
  text: string,
  budget: number,
  measure: Measure,
  note: string,
): { text: string; truncated: boolean } {
  if (measure(text) <= budget) return { text, truncated: false }
  const room = budget - measure(note)
  if (room <= 0) return { text: cutToMeasure(note, budget, measure), truncated: true }
  return { text: `${cutToMeasure(text, room, measure)}${note}`, truncated: true }
}

/** The longest prefix of `text` within `budget`, not splitting a surrogate pair. */
export function cutToMeasure(text: string, budget: number, measure: Measure): string {
  if (measure(text) <= budget) return text
  // Binary search on length: measure is monotonic in the prefix length for both measures.
  let lo = 0
  let hi = text.length
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    if (measure(text.slice(0, mid)) <= budget) lo = mid
    else hi = mid - 1
  }
  let end = lo
  const code = text.charCodeAt(end - 1)
  if (code >= 0xd800 && code <= 0xdbff) end -= 1
  return text.slice(0, end)
}

function tableBlock(header: string | null, rows: string[]): string | null {
  if (header === null || rows.length === 0) return null
  return [header, ...rows].join('\n')
}

function joinBlocks(blocks: (string | null | undefined)[]): string {
  return blocks.filter((b): b is string => typeof b === 'string' && b !== '').join(SEPARATOR)
}
