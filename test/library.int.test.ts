// The library API of the original tool ("Use as a library"), with real subprocesses.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { Gate } from '../src/index.ts'
import { VERSION } from '../src/version.ts'

const root = mkdtempSync(join(tmpdir(), 'quorum-lib-'))
after(() => rmSync(root, { recursive: true, force: true }))

function tree(name: string, files: Record<string, string>): string {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  for (const [path, content] of Object.entries(files)) writeFileSync(join(dir, path), content)
  return dir
}

test('Gate: addShell + addFunctions, verify, summary and promote', async () => {
  const checks = join(root, 'checks.mjs')
  writeFileSync(
    checks,
    `export default [{ name: 'answer', async run({ root }) {
       const { answer } = await import(root + '/answer.mjs')
       return [answer() === 42, 'answer() returned ' + answer()]
     } }]`,
  )
  const good = tree('good', { 'answer.mjs': 'export const answer = () => 42', 'ok.txt': '' })
  const bad = tree('bad', { 'answer.mjs': 'export const answer = () => 41' })
  const live = tree('live', { 'answer.mjs': 'old' })
  const gate = new Gate({ parallel: 2 })
  gate.addShell('has_ok', 'test -f ok.txt', { timeout_s: 30 }).addFunctions(checks)

  const allowed = await gate.verify(good)
  assert.equal(allowed.verdict, 'allow', allowed.summary())
  assert.deepEqual(
    allowed.checks.map((c) => c.name),
    ['has_ok', 'answer'],
  )
  assert.match(allowed.summary(), /ALLOWED/)
  assert.equal('summary' in JSON.parse(JSON.stringify(allowed)), false)
  assert.equal(await gate.promote(good, live, allowed), true)
  assert.equal(readFileSync(join(live, 'answer.mjs'), 'utf8'), 'export const answer = () => 42')

  const blocked = await gate.verify(bad)
  assert.equal(blocked.verdict, 'block')
  assert.equal(blocked.checks[1]!.candidate.reason, 'answer() returned 41')
  assert.equal(await gate.promote(bad, live, blocked), false)
  assert.equal(readFileSync(join(live, 'answer.mjs'), 'utf8'), 'export const answer = () => 42')
})

test('Gate: a canary that passes blocks, and the vacuity probe names a check that cannot fail', async () => {
  const candidate = tree('canary', { 'app.txt': 'app\n' })
  const gate = new Gate({ audit: ['vacuity'], vacuous: 'warn' })
    .addShell('has_app', 'test -f app.txt')
    .addShell('smoke', 'echo ok')
    .addShell('known_bad', 'test -f missing.txt', { expect: 'fail' })
  const kept = await gate.verify(candidate)
  assert.equal(kept.verdict, 'allow', kept.summary())
  assert.deepEqual(
    kept.audit!.vacuity!.map((p) => [p.check, p.vacuous]),
    [
      ['has_app', false],
      ['smoke', true],
    ],
  )
  const broken = new Gate().addShell('known_bad', 'true', { expect: 'fail' }).addShell('a', 'true')
  const report = await broken.verify(candidate)
  assert.equal(report.verdict, 'block')
  assert.match(report.reasons[0]!, /^the gate itself is broken: canary known_bad/)
  assert.throws(
    () => new Gate().addShell('c', 'false', { expect: 'fail', retries: 1 }),
    /never retried/,
  )
})

test('Gate refuses bad checks up front', () => {
  const gate = new Gate().addShell('a', 'true')
  assert.throws(() => gate.addShell('a', 'true'), /already added/)
  assert.throws(() => gate.addShell('bad name', 'true'), /must match/)
  assert.throws(() => gate.addShell('b', 'true', { timeout_s: 0 }), /positive/)
})

test('the version matches package.json', () => {
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8'))
  assert.equal(VERSION, pkg.version)
})

test('Gate: metrics, repeats and no-regression from code; function checks return metrics', async () => {
  const checks = join(root, 'metric-checks.mjs')
  writeFileSync(
    checks,
    `export default [{ name: 'ops', repeats: 2,
       metrics: { ops: { direction: 'higher', deterministic: true } },
       async run({ root }) {
         const { ops } = await import(root + '/ops.mjs')
         return { passed: true, metrics: { ops } }
       } }]`,
  )
  const base = tree('ops-base', { 'ops.mjs': 'export const ops = 100', 'size.txt': '12' })
  const worse = tree('ops-worse', { 'ops.mjs': 'export const ops = 90', 'size.txt': '12' })
  const gate = new Gate({ mode: 'no-regression', parallel: 2 })
  gate
    .addShell('size', 'echo size_kb=$(cat size.txt)', {
      metrics: { size_kb: { direction: 'lower', tolerance: '5%', deterministic: true } },
    })
    .addFunctions(checks)
  const report = await gate.verify(worse, { baselineDir: base })
  assert.equal(report.verdict, 'block', report.summary())
  const ops = report.checks.find((c) => c.name === 'ops')!
  assert.deepEqual(ops.metrics?.[0]?.candidate.samples, [90, 90])
  assert.equal(ops.metrics?.[0]?.verdict, 'regressed')
  assert.equal(report.checks.find((c) => c.name === 'size')!.metrics?.[0]?.verdict, 'unchanged')
  assert.throws(
    () => new Gate().addShell('x', 'true', { metrics: { t: { direction: 'down' as 'lower' } } }),
    /check "x": metrics\.t\.direction must be higher or lower/,
  )
})
