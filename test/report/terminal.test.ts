import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { renderTerminal } from '../../src/report/terminal.ts'
import { loadHostileReport, loadReport } from './golden.ts'

const ESC = '\u001b'
// Runner command syntaxes: `::` at a line start after whitespace, or `##[` anywhere.
const RUNNER_COMMAND = /^\s*::|##\[/m

describe('renderTerminal', () => {
  test('no colour codes at all when colour is off, and some when it is on', () => {
    const report = loadReport('pass-fail-block')
    assert.equal(renderTerminal(report, { color: false }).includes(ESC), false)
    assert.ok(renderTerminal(report, { color: true }).includes(`${ESC}[31m`))
  })

  test('the verdict is the last line', () => {
    const lines = renderTerminal(loadReport('pass-fail-block'), { color: false })
      .trimEnd()
      .split('\n')
    assert.equal(lines.at(-1), '✘ BLOCKED · 4 of 5 checks failing')
    const allowed = renderTerminal(loadReport('all-pass'), { color: false }).trimEnd().split('\n')
    assert.equal(allowed.at(-1), '✔ ALLOWED · all 3 checks passing')
  })

  test('scored mode shows totals with the delta on the verdict line', () => {
    const out = renderTerminal(loadReport('scored'), { color: false })
    assert.match(out, /✘ BLOCKED · 2 of 4 checks failing · score 1448 → 1611 \(\+163\)\n$/)
  })

  test('shows the last 10 output lines of each non-passing run and its reproduce command', () => {
    const out = renderTerminal(loadReport('pass-fail-block'), { color: false })
    const tail = out.split('✘ unit_tests  TIMEOUT')[1] ?? ''
    const shown = tail.split('\n').filter((l) => l.startsWith('  │ ') && !l.includes('… last'))
    assert.equal(shown.slice(0, 10).length, 10)
    assert.match(tail, /│ … last 10 of \d+ lines/)
    assert.match(
      tail,
      /│   \.\.\.\n  reproduce: npx quorum verify .* --only unit_tests --seed b-03\n/,
    )
    assert.ok(!out.includes('✘ build'), 'passing checks have no details')
  })

  test('hostile output cannot emit escapes, controls or runner commands', () => {
    for (const color of [false, true]) {
      const out = renderTerminal(loadHostileReport(), { color })
      const withoutOurColours = out.replace(/\u001b\[\d+m/g, '')
      assert.equal(withoutOurColours.includes(ESC), false, 'only our own SGR codes')
      assert.equal(
        /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E]/.test(withoutOurColours),
        false,
      )
      assert.doesNotMatch(withoutOurColours, RUNNER_COMMAND)
    }
  })

  test('the hostile fixture does print runner commands (so the test above can fail)', () => {
    const raw = loadHostileReport()
      .checks.map((c) => c.candidate.output.head + c.name)
      .join('\n')
    assert.match(raw, RUNNER_COMMAND)
    assert.ok(raw.includes(ESC))
  })

  test('a 2 MB flood is shown as its last lines only', () => {
    const out = renderTerminal(loadHostileReport(), { color: false })
    assert.ok(out.length < 20_000, `${out.length} characters`)
    assert.match(out, /│ … last 10 of \d{5} lines/)
  })

  test('lines fit the given width, except reproduce commands which must stay whole', () => {
    const out = renderTerminal(loadReport('pass-fail-block'), { color: true, width: 60 })
    for (const line of out.split('\n')) {
      const visible = [...line.replace(/\u001b\[\d+m/g, '')]
      if (line.includes('reproduce: ')) continue
      assert.ok(visible.length <= 60, `${visible.length}: ${line}`)
    }
    assert.match(
      out,
      /reproduce: \S*npx quorum verify --candidate \. --config quorum\.yml --only types --seed b-02/,
    )
  })

  test('column widths follow the names; a report without baselines has no baseline column', () => {
    const report = loadReport('all-pass')
    for (const check of report.checks) check.baseline = null
    const header = renderTerminal(report, { color: false }).split('\n')[2] ?? ''
    assert.match(header, /^ {2}CHECK {12}CANDIDATE {2}CHANGE/)
  })
})
