import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Report } from '../../src/engine/types.ts'
import { renderCheckRun, renderComment, renderSummary } from '../../src/report/markdown.ts'
import { renderTerminal } from '../../src/report/terminal.ts'
import { GOLDEN_CTX, expectGolden, loadHostileReport, loadReport } from './golden.ts'

// Input reports, by fixture name. The hostile one is inflated with 2 MB of flood output.
const REPORTS: Record<string, () => Report> = {
  'all-pass': () => loadReport('all-pass'),
  'pass-fail-block': () => loadReport('pass-fail-block'),
  scored: () => loadReport('scored'),
  noisy: () => loadReport('noisy'),
  audit: () => loadReport('audit'),
  hostile: loadHostileReport,
}

/** The check run output as one reviewable text file. */
function checkRunGolden(report: Report): string {
  const run = renderCheckRun(report, GOLDEN_CTX)
  return [
    `title: ${run.title}`,
    '=== summary ===',
    run.summary,
    '=== text ===',
    run.text,
    '=== annotations ===',
    JSON.stringify(run.annotations, null, 2),
    '',
  ].join('\n')
}

for (const [name, load] of Object.entries(REPORTS)) {
  describe(`golden: ${name}`, () => {
    test('PR comment', () => expectGolden(`${name}.comment.md`, renderComment(load(), GOLDEN_CTX)))
    test('check run', () => expectGolden(`${name}.check-run.md`, checkRunGolden(load())))
    test('job summary', () => expectGolden(`${name}.summary.md`, renderSummary(load(), GOLDEN_CTX)))
    test('terminal', () =>
      expectGolden(`${name}.terminal.txt`, renderTerminal(load(), { color: false })))
  })
}

describe('golden: terminal variants', () => {
  test('colour', () =>
    expectGolden(
      'scored.terminal-color.txt',
      renderTerminal(loadReport('scored'), { color: true }),
    ))
  test('80 columns', () =>
    expectGolden(
      'pass-fail-block.terminal-80.txt',
      renderTerminal(loadReport('pass-fail-block'), { color: false, width: 80 }),
    ))
})

describe('golden files are not written blind', () => {
  test('rendering is deterministic (same input, same bytes)', () => {
    const a = renderComment(loadHostileReport(), GOLDEN_CTX)
    const b = renderComment(loadHostileReport(), GOLDEN_CTX)
    assert.equal(a, b)
  })
})
