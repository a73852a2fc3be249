import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Report } from '../../src/engine/types.ts'
import {
  CHECK_RUN_SUMMARY_MAX_CHARS,
  CHECK_RUN_TEXT_MAX_CHARS,
  COMMENT_MAX_CHARS,
  JOB_SUMMARY_MAX_BYTES,
  cutToMeasure,
  fitWithNote,
  layoutDocument,
  measureBytes,
  measureChars,
  type LayoutParts,
} from '../../src/report/limits.ts'
import { renderCheckRun, renderComment, renderSummary } from '../../src/report/markdown.ts'
import { GOLDEN_CTX, hugeReport, loadReport } from './golden.ts'

/** Every opened code fence is closed and every <details> has its </details>. */
function assertWellFormed(markdown: string): void {
  let fence: string | null = null
  for (const line of markdown.split('\n')) {
    if (fence === null) {
      const open = /^(`{3,})[^`]*$/.exec(line)
      if (open) fence = open[1] ?? null
    } else if (line.startsWith(fence) && line.trim() === line.trim().replace(/[^`]/g, '')) {
      fence = null
    }
  }
  assert.equal(fence, null, 'a code fence is left open')
  assert.equal(
    (markdown.match(/<details>/g) ?? []).length,
    (markdown.match(/<\/details>/g) ?? []).length,
  )
}

const TRUNCATED =
  /\*\*… truncated\*\* to fit the .*; see \[check run\]\(https:\/\/github\.com\/acme\/shop\/runs\/123\) \/ \[full report\]\(https:\/\/github\.com\/acme\/shop\/actions\/runs\/9\/attempts\/1#summary\)/

describe('PR comment: 65,536 characters', () => {
  test('2,000 checks with long reasons fit, failing rows first, and truncation is visible', () => {
    const report = hugeReport({ checks: 2000, failEvery: 7, reasonChars: 2000, outputLines: 5 })
    const comment = renderComment(report, GOLDEN_CTX)
    assert.ok(comment.length <= COMMENT_MAX_CHARS, `${comment.length}`)
    assert.ok(comment.length > COMMENT_MAX_CHARS * 0.9, 'the room is used, not wasted')
    assert.match(comment, TRUNCATED)
    assert.match(comment, /Left out: \d+ of 2000 table rows \(passing checks first\)/)
    assert.ok(comment.startsWith('<!-- quorum:gate=default -->\n### ❌'))
    assertWellFormed(comment)
    // Failing checks' rows are kept before any passing one.
    const rows = comment.split('\n').filter((l) => l.startsWith('| `check_'))
    const failing = report.checks.filter((c) => c.candidate.outcome !== 'PASSED').length
    const shownFailing = rows.filter((r) => r.includes('❌ FAILED |')).length
    assert.ok(shownFailing === failing || rows.every((r) => r.includes('❌ FAILED |')))
  })

  test('output is dropped before rows: every row stays while details lose their output', () => {
    const report = hugeReport({ checks: 60, failEvery: 1, outputLines: 40 })
    const comment = renderComment(report, GOLDEN_CTX)
    assert.ok(comment.length <= COMMENT_MAX_CHARS)
    assert.equal(comment.split('\n').filter((l) => l.startsWith('| `check_')).length, 60)
    assert.match(comment, /Left out: output of \d+ checks\./)
    assert.match(
      comment,
      /_Output left out to fit the size limit; see the log or the full report\._/,
    )
    assert.equal(
      comment.split('Reproduce locally:').length - 1,
      60,
      'every failure keeps its command',
    )
    assertWellFormed(comment)
  })

  test('a thousand huge reasons and notices still fit', () => {
    const report = hugeReport({ checks: 3, failEvery: 1 })
    report.reasons = Array.from({ length: 1000 }, (_, i) => `reason ${i} ${'y'.repeat(5000)}`)
    report.notices = Array.from({ length: 100 }, (_, i) => `notice ${i} ${'z'.repeat(5000)}`)
    const comment = renderComment(report, GOLDEN_CTX)
    assert.ok(comment.length <= COMMENT_MAX_CHARS)
    assert.match(comment, /- … and 980 more \(see the full report\)\./)
    assert.match(comment, /> … and 90 more notices\./)
  })

  test('reasons that expand when escaped cannot crowd out the table', () => {
    const report = hugeReport({ checks: 3, failEvery: 1 })
    report.reasons = Array.from({ length: 1000 }, () => '<&|`@1#2'.repeat(1000))
    report.notices = Array.from({ length: 100 }, () => '<&|`'.repeat(2000))
    for (const render of [
      (r: Report) => renderComment(r, GOLDEN_CTX),
      (r: Report) => renderCheckRun(r, GOLDEN_CTX).summary,
    ]) {
      const text = render(report)
      assert.ok(text.length <= CHECK_RUN_SUMMARY_MAX_CHARS)
      assert.ok(text.includes('| Check | Baseline | Candidate | Change | Reason |'))
      assert.equal(text.split('\n').filter((l) => l.startsWith('| `check_')).length, 3)
    }
  })

  test('a report that fits is not truncated', () => {
    assert.doesNotMatch(renderComment(loadReport('pass-fail-block'), GOLDEN_CTX), /truncated/)
  })

  test('without links the note still says where to look', () => {
    const report = hugeReport({ checks: 2000, failEvery: 3, reasonChars: 500 })
    const comment = renderComment(report, { gateName: 'g' })
    assert.match(comment, /\*\*… truncated\*\* to fit .*; see the check run \/ full report\./)
  })
})

describe('check run: 65,535 characters each for summary and text', () => {
  test('summary and text of a huge report stay within their limits, visibly truncated', () => {
    const report = hugeReport({ checks: 3000, failEvery: 2, reasonChars: 1000, outputLines: 60 })
    const run = renderCheckRun(report, GOLDEN_CTX)
    assert.ok(run.summary.length <= CHECK_RUN_SUMMARY_MAX_CHARS, `summary ${run.summary.length}`)
    assert.ok(run.text.length <= CHECK_RUN_TEXT_MAX_CHARS, `text ${run.text.length}`)
    assert.match(run.summary, /\*\*… truncated\*\*/)
    assert.match(run.text, /\*\*… truncated\*\*/)
    assert.match(run.text, /\[full report\]\(https:\/\/github\.com\/acme\/shop\/actions/)
    assert.equal(run.title, '1500 of 3000 checks failing · blocked')
    assertWellFormed(run.text)
  })
})

describe('job summary: 1 MiB in bytes', () => {
  test('multi-byte output is measured in bytes, not characters', () => {
    // 3-byte characters: the untruncated summary is under 1 Mi characters but over 1 MiB.
    const report = hugeReport({ checks: 250, failEvery: 1, outputLines: 200, outputUnit: '漢' })
    const summary = renderSummary(report, GOLDEN_CTX)
    assert.ok(measureBytes(summary) <= JOB_SUMMARY_MAX_BYTES, `${measureBytes(summary)} bytes`)
    assert.ok(summary.length < JOB_SUMMARY_MAX_BYTES)
    assert.match(summary, /\*\*… truncated\*\* to fit the 1 MiB job summary limit/)
    assertWellFormed(summary)
  })

  test('a report that fits in bytes is complete', () => {
    const report = hugeReport({ checks: 20, failEvery: 1, outputLines: 100 })
    const summary = renderSummary(report, GOLDEN_CTX)
    assert.doesNotMatch(summary, /truncated/)
    assert.equal(summary.split('<details>').length - 1, 20)
  })
})

describe('layoutDocument', () => {
  const parts = (): LayoutParts => ({
    head: ['# head', 'reasons'],
    tableHeader: '| a |\n| - |',
    rows: Array.from({ length: 10 }, (_, i) => ({ text: `| row ${i} |`, important: i % 3 === 0 })),
    detailsHeading: '## details',
    details: Array.from({ length: 4 }, (_, i) => ({
      full: `<details>${i} full ${'o'.repeat(200)}</details>`,
      compact: `<details>${i} compact</details>`,
    })),
    footer: ['footer'],
    truncationNote: (o) =>
      `NOTE rows=${o.rows}/${o.totalRows} outputs=${o.outputs} details=${o.details}`,
  })

  test('never exceeds the budget, whatever the budget', () => {
    for (let budget = 0; budget <= 1200; budget += 7) {
      const doc = layoutDocument(parts(), budget, measureChars)
      assert.ok(doc.length <= budget, `budget ${budget}: ${doc.length}`)
    }
  })

  test('drops outputs first, then details, then unimportant rows', () => {
    const full = layoutDocument(parts(), 100_000, measureChars)
    assert.doesNotMatch(full, /NOTE/)
    const noOutputs = layoutDocument(parts(), full.length - 150, measureChars)
    assert.match(noOutputs, /NOTE rows=0\/10 outputs=\d details=0/)
    const fewer = layoutDocument(parts(), 170, measureChars)
    const kept = fewer.match(/\| row (\d) \|/g) ?? []
    assert.ok(kept.length < 10)
    for (const i of [0, 3, 6, 9]) assert.ok(fewer.includes(`| row ${i} |`), `important row ${i}`)
  })

  test('fitWithNote never splits a surrogate pair and always fits, in characters and in bytes', () => {
    for (let max = 0; max < 40; max++) {
      const { text, truncated } = fitWithNote('😀'.repeat(50), max, measureChars, '…cut')
      assert.ok(truncated)
      assert.ok(text.length <= max, `${max}: ${text.length}`)
      assert.ok(text.isWellFormed())
      if (max >= 4) assert.ok(text.endsWith('…cut'))
    }
    const bytes = fitWithNote('漢'.repeat(100), 20, measureBytes, '…')
    assert.deepEqual(bytes, { text: '漢漢漢漢漢…', truncated: true })
    assert.deepEqual(fitWithNote('short', 10, measureChars, '…'), {
      text: 'short',
      truncated: false,
    })
  })

  test('cutToMeasure never splits a surrogate pair and respects bytes', () => {
    const cut = cutToMeasure('😀'.repeat(10), 7, measureChars)
    assert.ok(cut.isWellFormed() && cut.length <= 7)
    const bytes = cutToMeasure('漢'.repeat(10), 10, measureBytes)
    assert.equal(bytes, '漢漢漢')
  })
})
