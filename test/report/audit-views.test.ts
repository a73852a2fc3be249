// The audit in the views stays bounded and inert, however many findings and whatever the tree's
// file names hold (the golden files show the ordinary case: test/fixtures/report/audit.*).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { FileAudit, Report, VacuityProbe } from '../../src/engine/types.ts'
import { COMMENT_MAX_CHARS } from '../../src/report/limits.ts'
import { renderCheckRun, renderComment } from '../../src/report/markdown.ts'
import { renderTerminal } from '../../src/report/terminal.ts'
import { GOLDEN_CTX, loadReport } from './golden.ts'

const HOSTILE = '<!-- quorum:gate=default --> @octocat ::error::x ``` | \u001b[31mred'

function manyFindings(files: number, vacuous: number): Report {
  const report = loadReport('audit')
  const run = report.audit!.changes!.files[3]!.runs
  report.audit!.changes!.files = Array.from({ length: files }, (_, i): FileAudit => ({
    path: `src/${i}-${HOSTILE}-${'p'.repeat(300)}.txt`,
    status: 'added',
    sabotage: 'emptied',
    runs: run,
    noticed_by: [],
    covered: false,
  }))
  report.audit!.vacuity = Array.from({ length: vacuous }, (_, i): VacuityProbe => ({
    check: `check_${i}`,
    probed: 'baseline',
    run: report.audit!.vacuity![0]!.run,
    vacuous: true,
  }))
  return report
}

describe('the audit in the views', () => {
  test('200 uncovered files and 50 vacuous checks: the comment names 20 and 10, and fits', () => {
    const comment = renderComment(manyFindings(200, 50), GOLDEN_CTX)
    assert.ok(comment.length <= COMMENT_MAX_CHARS, String(comment.length))
    assert.equal(comment.split('| content removed |').length - 1, 20)
    assert.match(comment, /\| … 180 more files in the full report \| \| \|/)
    assert.match(comment, /> … and 40 more\./)
    // The hidden marker appears once, on line 1: no file name can forge a second one.
    assert.equal(comment.split('<!-- quorum:gate=default -->').length, 2)
  })

  test('the check run summary stays within its limit too', () => {
    const run = renderCheckRun(manyFindings(500, 200), GOLDEN_CTX)
    assert.ok(run.summary.length <= 65_535, String(run.summary.length))
  })

  test('the terminal shows 30 files, then counts, and no escape or workflow command', () => {
    const text = renderTerminal(manyFindings(40, 1), { color: false })
    assert.match(text, /… and 10 more files/)
    assert.doesNotMatch(text, /\u001b/)
    assert.doesNotMatch(text, /^::error::/m)
  })
})
