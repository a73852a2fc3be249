// How the change audit finds which files a check notices without one full run per file, through
// the real gate and sandboxes: a group of broken files that passes settles them all at once, a
// failing group is narrowed down by the messages the broken files print (or split in two when
// none is printed), and a file counts as noticed only from a run with it alone broken.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, describe, test } from 'node:test'
import { configInCode } from '../src/engine/config.ts'
import type { CheckSpec, Report } from '../src/engine/types.ts'
import { runGate, type GateEvent } from '../src/gate.ts'
import { removeTree } from '../src/run/sandbox.ts'

const root = mkdtempSync(join(tmpdir(), 'quorum-audit-groups-'))
after(() => removeTree(root))
let count = 0

function write(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
}

/** A baseline holding `base`, a candidate holding `base` and `changed` over it. */
function trees(base: Record<string, string>, changed: Record<string, string>) {
  const n = ++count
  const baseline = join(root, `base-${n}`)
  const candidate = join(root, `cand-${n}`)
  write(baseline, base)
  write(candidate, { ...base, ...changed })
  return { baseline, candidate }
}

function shell(name: string, command: string): CheckSpec {
  return { kind: 'shell', name, command, timeout_s: 30, score_from: null, env: {} }
}

/** Runs the gate with the changes audit; returns the report and the audit runs' trees by check. */
async function audit(
  t: { baseline: string; candidate: string },
  checks: CheckSpec[],
): Promise<{ report: Report; started: Map<string, string[]> }> {
  const started = new Map<string, string[]>()
  const report = await runGate({
    config: configInCode({ checks }),
    candidateDir: t.candidate,
    baselineDir: t.baseline,
    audit: ['changes'],
    parallel: 2,
    logDir: join(root, 'logs'),
    onEvent: (event: GateEvent) => {
      if (event.type !== 'start' || event.audit === undefined) return
      started.set(event.check, [...(started.get(event.check) ?? []), event.audit])
    },
  })
  assert.equal(report.verdict, 'allow', report.reasons.join('; '))
  return { report, started }
}

/** Each audited file with the checks that noticed it, and how its runs for `check` were made. */
function findings(report: Report, check: string) {
  return report.audit!.changes!.files.map((file) => {
    const run = file.runs.find((r) => r.check === check)!
    return [file.path, file.noticed_by, run.together ?? false, run.broken_together ?? 1] as const
  })
}

const module = (name: string, value: number) => `export const ${name} = ${value}\n`

describe('the change audit narrows down groups of broken files', () => {
  test('a check that notices 2 of 8 files: those run alone, the other 6 settle in one run', async () => {
    const base: Record<string, string> = {}
    const changed: Record<string, string> = {}
    for (let i = 0; i < 8; i++) {
      base[`src/m${i}.mjs`] = module(`m${i}`, i)
      changed[`src/m${i}.mjs`] = module(`m${i}`, i + 100)
    }
    base['test.mjs'] = [
      "import { m1 } from './src/m1.mjs'",
      "import { m4 } from './src/m4.mjs'",
      "if (typeof m1 !== 'number' || typeof m4 !== 'number') throw new Error('no')",
      '',
    ].join('\n')
    const { report, started } = await audit(trees(base, changed), [shell('unit', 'node test.mjs')])
    assert.deepEqual(
      findings(report, 'unit'),
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) =>
        i === 1 || i === 4 ? [`src/m${i}.mjs`, ['unit'], false, 1] : [`src/m${i}.mjs`, [], true, 6],
      ),
    )
    // Every file at once (m1's message), then m1 alone beside the other 7 (m4's message), then m4
    // alone beside the last 6, which pass together: 5 runs, not 8.
    assert.deepEqual(report.audit!.changes!.runs, [{ check: 'unit', runs: 5 }])
    assert.deepEqual(started.get('unit')!.sort(), [
      '6 changed files at once',
      '7 changed files at once',
      'every changed file at once',
      'src/m1.mjs',
      'src/m4.mjs',
    ])
  })

  test('a failing group that printed no message is split in two until each file is settled', async () => {
    // JSON files are emptied, which names nothing: the check fails with a parse error.
    const base: Record<string, string> = {}
    const changed: Record<string, string> = {}
    for (const name of ['a', 'b', 'c', 'd']) {
      base[`conf/${name}.json`] = '{"v": 1}\n'
      changed[`conf/${name}.json`] = '{"v": 2}\n'
    }
    base['check.mjs'] = [
      "import { readFileSync } from 'node:fs'",
      "for (const f of ['a', 'c']) JSON.parse(readFileSync(`conf/${f}.json`, 'utf8'))",
      '',
    ].join('\n')
    const { report } = await audit(trees(base, changed), [shell('config', 'node check.mjs')])
    assert.deepEqual(findings(report, 'config'), [
      ['conf/a.json', ['config'], false, 1],
      ['conf/b.json', [], false, 1],
      ['conf/c.json', ['config'], false, 1],
      ['conf/d.json', [], false, 1],
    ])
    // All four, the halves {a, b} and {c, d} (each fails), then each file alone.
    assert.deepEqual(report.audit!.changes!.runs, [{ check: 'config', runs: 7 }])
  })

  test('a group that ran out of time is not split: each file runs alone, one waits', async () => {
    // The check hangs when c.mjs cannot be loaded, and says nothing.
    const base: Record<string, string> = {}
    const changed: Record<string, string> = {}
    for (const name of ['a', 'b', 'c', 'd']) {
      base[`src/${name}.mjs`] = module(name, 1)
      changed[`src/${name}.mjs`] = module(name, 2)
    }
    base['check.mjs'] = "await import('./src/c.mjs').catch(() => { for (;;) {} })\n"
    // A budget the runs that load fine stay well within on a loaded machine, sandbox included.
    const hangs: CheckSpec = { ...shell('loader', 'node check.mjs'), timeout_s: 8 }
    const { report, started } = await audit(trees(base, changed), [hangs])
    assert.deepEqual(findings(report, 'loader'), [
      ['src/a.mjs', [], false, 1],
      ['src/b.mjs', [], false, 1],
      ['src/c.mjs', ['loader'], false, 1],
      ['src/d.mjs', [], false, 1],
    ])
    const c = report.audit!.changes!.files[2]!.runs[0]!
    assert.equal(c.run.outcome, 'TIMEOUT')
    // Every file at once (TIMEOUT), then each alone: two runs wait for the budget, not one per
    // level of halving (which would be three here, and grow with the files).
    assert.deepEqual(started.get('loader')!.sort(), [
      'every changed file at once',
      'src/a.mjs',
      'src/b.mjs',
      'src/c.mjs',
      'src/d.mjs',
    ])
  })

  test('a file whose message was printed but whose failure the check swallows is not counted', async () => {
    // The check loads an optional plugin and logs its error; its config file it cannot do without.
    const base = {
      'src/plugin.mjs': module('plugin', 1),
      'settings.json': '{"on": true}\n',
      'check.mjs': [
        "import { readFileSync } from 'node:fs'",
        "try { await import('./src/plugin.mjs') } catch (error) { console.log('no plugin:', error.message) }",
        "JSON.parse(readFileSync('settings.json', 'utf8'))",
        '',
      ].join('\n'),
    }
    const { report } = await audit(
      trees(base, { 'src/plugin.mjs': module('plugin', 2), 'settings.json': '{"on": false}\n' }),
      [shell('boot', 'node check.mjs')],
    )
    // Both broken at once: it fails (the settings), printing the plugin's message. The plugin run
    // alone passes: it is not covered, though its message was printed.
    assert.deepEqual(findings(report, 'boot'), [
      ['src/plugin.mjs', [], false, 1],
      ['settings.json', ['boot'], false, 1],
    ])
    const files = report.audit!.changes!.files
    assert.equal(files.find((f) => f.path === 'src/plugin.mjs')!.covered, false)
  })
})
