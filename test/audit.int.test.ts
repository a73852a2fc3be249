// The audits through the CLI, as a user runs them: a real git repository, the base and the pull
// request checked out as two worktrees, real checks in real sandboxes, real exit codes.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { CheckReport, Report } from '../src/engine/types.ts'
import { git } from './support/git-fixtures.ts'

const CLI = join(import.meta.dirname, '..', 'src', 'bin', 'quorum.ts')
const root = mkdtempSync(join(tmpdir(), 'quorum audit '))
after(() => spawnSync('rm', ['-rf', root]))

/** The shop's code at the base: a cart, a formatter no test loads, and a unit test. */
const BASE: Record<string, string> = {
  'src/cart.mjs': [
    'export function total(items) {',
    '  for (const item of items) if (item.price < 0) throw new Error("negative price")',
    '  return items.reduce((sum, item) => sum + item.price, 0)',
    '}',
    '',
  ].join('\n'),
  'src/format.mjs': 'export const money = (n) => `$${n.toFixed(2)}`\n',
  // The unit test takes the cart module to test as an argument (the canary hands it a bad one).
  'test/cart.spec.mjs': [
    'const cart = await import(new URL(process.argv[2] ?? "../src/cart.mjs", import.meta.url))',
    'if (cart.total([{ price: 2 }, { price: 3 }]) !== 5) throw new Error("total is wrong")',
    'let refused = false',
    'try { cart.total([{ price: -1 }]) } catch { refused = true }',
    'if (!refused) throw new Error("a negative price was accepted")',
    'console.log("2 tests passed")',
    '',
  ].join('\n'),
  // A known-bad cart that accepts negative prices: the unit test must keep failing on it.
  'test/fixtures/bad-cart.mjs':
    'export const total = (items) => items.reduce((sum, item) => sum + item.price, 0)\n',
}

let repo = ''
let count = 0

before(async () => {
  repo = join(root, 'repo')
  mkdirSync(repo)
  await git(repo, ['init', '--quiet', '--initial-branch=main'])
  await commit('main', BASE, 'The shop')
})

/** Writes `files` (null deletes) on `branch` (made from main when new) and commits. */
async function commit(branch: string, files: Record<string, string | null>, message: string) {
  const branches = await git(repo, ['branch', '--list', branch])
  if (
    branches === '' &&
    (await git(repo, ['rev-parse', '--verify', '-q', 'HEAD']).catch(() => ''))
  ) {
    await git(repo, ['checkout', '--quiet', '-b', branch, 'main'])
  } else if (branches !== '') {
    await git(repo, ['checkout', '--quiet', branch])
  }
  const added: string[] = []
  for (const [path, content] of Object.entries(files)) {
    if (content === null) {
      await git(repo, ['rm', '--quiet', path])
      continue
    }
    mkdirSync(dirname(join(repo, path)), { recursive: true })
    writeFileSync(join(repo, path), content)
    added.push(path)
  }
  if (added.length > 0) await git(repo, ['add', '--', ...added])
  await git(repo, ['commit', '--quiet', '-m', message])
  await git(repo, ['checkout', '--quiet', 'main'])
}

/** A pull request: a branch off main with `files`, and both trees checked out as worktrees. */
async function pullRequest(files: Record<string, string | null>) {
  const n = ++count
  const branch = `pr-${n}`
  await commit(branch, files, `PR ${n}`)
  const baseline = join(root, `base-${n}`)
  const candidate = join(root, `cand-${n}`)
  await git(repo, ['worktree', 'add', '--quiet', '--detach', baseline, 'main'])
  await git(repo, ['worktree', 'add', '--quiet', '--detach', candidate, branch])
  return { baseline, candidate }
}

function quorum(args: string[], timeout = 180_000) {
  return spawnSync(process.execPath, [CLI, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout,
    killSignal: 'SIGKILL',
  })
}

/** Runs `quorum verify` on the trees with `config` (YAML text); returns the result and report. */
function verify(
  trees: { baseline?: string; candidate: string },
  config: string,
  extra: string[] = ['--no-cache'],
) {
  const n = ++count
  const file = join(root, `quorum-${n}.yml`)
  writeFileSync(file, config)
  const json = join(root, `report-${n}.json`)
  const r = quorum([
    'verify',
    '--candidate',
    trees.candidate,
    ...(trees.baseline ? ['--baseline', trees.baseline] : []),
    '--config',
    file,
    '--json',
    json,
    '--log-dir',
    join(root, 'logs'),
    ...extra,
  ])
  let report: Report | null = null
  try {
    report = JSON.parse(readFileSync(json, 'utf8')) as Report
  } catch {
    // no report: the caller asserts on status and stderr
  }
  return { ...r, report, config: file }
}

/** What a normal run says, without what differs between any two runs (times, logs, roots). */
function outcomes(checks: readonly CheckReport[]) {
  return checks.map((c) => ({
    name: c.name,
    candidate: [c.candidate.outcome, c.candidate.reason],
    baseline: c.baseline && [c.baseline.outcome, c.baseline.reason],
    change: c.change,
  }))
}

const CHECKS = `
checks:
  - name: unit
    command: node test/cart.spec.mjs
    timeout_s: 30
  - name: smoke
    command: echo ok
  - name: node_tests
    # The repository's tests are *.spec.mjs: this glob matches none, and node exits 0.
    command: node --test "test/**/*.test.mjs"
    timeout_s: 30
`

describe('the audits on a real pull request', () => {
  let trees: { baseline: string; candidate: string }
  before(async () => {
    // The PR changes the cart (which the unit test loads) and the formatter (which nothing loads).
    trees = await pullRequest({
      'src/cart.mjs': BASE['src/cart.mjs']!.replace('return items', 'return 0 + items'),
      'src/format.mjs': 'export const money = (n) => `$ ${n.toFixed(2)}`\n',
    })
  })

  test('a tested change is noticed, an untested one is not covered, and echo ok and a test command that runs zero tests cannot fail; warn changes no verdict', () => {
    const r = verify(trees, `audit: [vacuity, changes]\n${CHECKS}`)
    assert.equal(r.status, 0, r.stderr + r.stdout)
    const audit = r.report!.audit!
    assert.deepEqual(
      audit.vacuity!.map((p) => [p.check, p.probed, p.run.outcome, p.vacuous]),
      [
        ['unit', 'baseline', 'FAILED', false],
        ['smoke', 'baseline', 'PASSED', true],
        ['node_tests', 'baseline', 'PASSED', true],
      ],
    )
    const changes = audit.changes!
    assert.deepEqual(changes.checks, ['unit', 'smoke', 'node_tests'])
    assert.deepEqual(
      changes.files.map((f) => [f.path, f.status, f.sabotage, f.noticed_by, f.covered]),
      [
        ['src/cart.mjs', 'modified', 'throw', ['unit'], true],
        ['src/format.mjs', 'modified', 'throw', [], false],
      ],
    )
    // The checks that passed with both files broken at once ran once, not once per file; the
    // unit test noticed, so it ran against each file alone to tell which.
    for (const file of changes.files) {
      assert.deepEqual(
        file.runs.map((run) => [run.check, run.together ?? false]),
        [
          ['unit', false],
          ['smoke', true],
          ['node_tests', true],
        ],
      )
    }
    assert.match(r.stdout, /smoke and node_tests passed with every changed file broken at once/)
    const cart = changes.files[0]!.runs.find((run) => run.check === 'unit')!
    assert.equal(cart.run.outcome, 'FAILED')
    assert.match(cart.run.reason, /quorum audit: src\/cart\.mjs was broken on purpose/)
    assert.deepEqual(changes.not_audited, [])
    // Every view says so: the terminal here, the JSON above (the markdown views have goldens).
    assert.match(r.stdout, /\[cannot fail\] exited with code 0/)
    assert.match(r.stdout, /⚠ smoke cannot fail: it passed on an empty tree/)
    assert.match(r.stdout, /✘ src\/format\.mjs \(first-line throw\): not covered by any check/)
    assert.match(r.stdout, /✔ src\/cart\.mjs \(first-line throw\): noticed by unit \(FAILED\)/)
    assert.equal(r.report!.verdict, 'allow')
    assert.equal(r.report!.reasons[0], 'all 3 checks passed on the candidate')
    assert.ok(
      r.report!.reasons.includes(
        'cannot fail (not blocking): node_tests passed on an empty tree (no files, setup not run), so its PASSED says nothing about this change',
      ),
    )
  })

  test('the audit never changes the normal runs: the same seed without it gives the same results', () => {
    const seed = ['--no-cache', '--seed', 'feedbeef']
    const withAudit = verify(trees, `audit: [vacuity, changes]\n${CHECKS}`, seed)
    const without = verify(trees, CHECKS, seed)
    assert.equal(without.report!.audit, undefined)
    assert.deepEqual(outcomes(withAudit.report!.checks), outcomes(without.report!.checks))
    assert.deepEqual(withAudit.report!.counts, without.report!.counts)
  })

  test('vacuous: block and uncovered: block block, each naming what it found', () => {
    const vacuous = verify(trees, `vacuous: block\n${CHECKS}`)
    assert.equal(vacuous.status, 1, vacuous.stderr)
    assert.equal(vacuous.report!.audit!.changes, undefined, 'vacuous: block adds only its audit')
    assert.deepEqual(vacuous.report!.reasons.slice(0, 2), [
      'cannot fail: smoke passed on an empty tree (no files, setup not run), so its PASSED says nothing about this change',
      'cannot fail: node_tests passed on an empty tree (no files, setup not run), so its PASSED says nothing about this change',
    ])
    const uncovered = verify(trees, `uncovered: block\n${CHECKS}`)
    assert.equal(uncovered.status, 1, uncovered.stderr)
    assert.equal(
      uncovered.report!.reasons[0],
      'not covered: src/format.mjs changed, and no check noticed when it was broken (ran: unit, smoke, node_tests)',
    )
    assert.match(uncovered.stdout, /✘ BLOCKED/)
  })

  test('audit_ignore and the cap leave files out, saying why; --audit none turns the audits off', () => {
    const r = verify(
      trees,
      `audit: changes\naudit_max_files: 1\naudit_ignore: ["src/format.*"]\nuncovered: block\n${CHECKS}`,
    )
    assert.equal(r.status, 0, r.stderr + r.stdout)
    assert.deepEqual(
      r.report!.audit!.changes!.files.map((f) => f.path),
      ['src/cart.mjs'],
    )
    assert.deepEqual(r.report!.audit!.changes!.not_audited, [
      { path: 'src/format.mjs', why: 'ignored' },
    ])
    const capped = verify(trees, `audit: changes\naudit_max_files: 1\n${CHECKS}`)
    assert.deepEqual(capped.report!.audit!.changes!.not_audited, [
      { path: 'src/format.mjs', why: 'over-cap' },
    ])
    const off = verify(trees, `uncovered: block\n${CHECKS}`, ['--no-cache', '--audit', 'none'])
    assert.equal(off.status, 0, off.stderr)
    assert.equal(off.report!.audit, undefined)
  })

  test('a PR that changes 1,005 files lists 1,000 as not audited and counts the rest', async () => {
    const many: Record<string, string> = {}
    for (let i = 0; i < 1005; i++) many[`gen/f${String(i).padStart(4, '0')}.txt`] = `${i}\n`
    const big = await pullRequest(many)
    const r = verify(big, `audit: changes\naudit_ignore: ["gen/**"]\n${CHECKS}`)
    assert.equal(r.status, 0, r.stderr)
    const changes = r.report!.audit!.changes!
    assert.equal(changes.files.length, 0)
    assert.equal(changes.not_audited.length, 1000)
    assert.equal(changes.not_audited_omitted, 5)
    assert.deepEqual(changes.not_audited[0], { path: 'gen/f0000.txt', why: 'ignored' })
    assert.match(
      r.stdout,
      /1005 changed files not audited: 1000 ignored \(audit_ignore\), and 5 more not listed/,
    )
  })

  test('a changed file over 2 MiB is not audited: too large to hold', async () => {
    const big = await pullRequest({
      'src/bundle.min.js': `export const blob = "${'x'.repeat(2 * 1024 * 1024)}"\n`,
    })
    const r = verify(big, `audit: changes\n${CHECKS}`)
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(r.report!.audit!.changes!.not_audited, [
      { path: 'src/bundle.min.js', why: 'too-large' },
    ])
  })

  test('the gate’s own config, changed by the PR, is not audited: it judges the code', async () => {
    const config = `audit: changes\n${CHECKS}`
    const pr = await pullRequest({
      'quorum.yml': config,
      'src/cart.mjs': BASE['src/cart.mjs']!.replace('sum + item.price', 'item.price + sum'),
    })
    const json = join(root, `report-own-${++count}.json`)
    const r = quorum([
      'verify',
      '--candidate',
      pr.candidate,
      '--baseline',
      pr.baseline,
      '--config',
      join(pr.candidate, 'quorum.yml'),
      '--json',
      json,
      '--no-cache',
      '--log-dir',
      join(root, 'logs'),
    ])
    assert.equal(r.status, 0, r.stderr + r.stdout)
    const changes = (JSON.parse(readFileSync(json, 'utf8')) as Report).audit!.changes!
    assert.deepEqual(
      changes.files.map((f) => f.path),
      ['src/cart.mjs'],
    )
    assert.deepEqual(changes.not_audited, [{ path: 'quorum.yml', why: 'gate-file' }])
  })

  test('a cache serves the audit runs the second time: the probe under the empty tree, the variants under the candidate', () => {
    const cache = ['--cache', join(root, `cache-${++count}`)]
    const first = verify(trees, `audit: [vacuity, changes]\n${CHECKS}`, cache)
    assert.equal(first.status, 0, first.stderr)
    const second = verify(trees, `audit: [vacuity, changes]\n${CHECKS}`, cache)
    assert.equal(second.status, 0, second.stderr)
    const audit = second.report!.audit!
    for (const probe of audit.vacuity!) assert.ok(probe.run.reused_from, probe.check)
    for (const file of audit.changes!.files) {
      for (const run of file.runs) assert.ok(run.run.reused_from, `${file.path} ${run.check}`)
    }
    // Reused, the findings are the same.
    assert.deepEqual(
      audit.changes!.files.map((f) => [f.path, f.covered]),
      first.report!.audit!.changes!.files.map((f) => [f.path, f.covered]),
    )
    assert.deepEqual(
      audit.vacuity!.map((p) => p.vacuous),
      first.report!.audit!.vacuity!.map((p) => p.vacuous),
    )
    // The normal runs were reused too: the audit's entries did not disturb theirs.
    for (const check of second.report!.checks) assert.ok(check.candidate.reused_from, check.name)
  })

  test('without a baseline the probe runs for checks that pass on the candidate, and the changes audit says why it could not run', () => {
    const r = verify({ candidate: trees.candidate }, `audit: [vacuity, changes]\n${CHECKS}`)
    assert.equal(r.status, 0, r.stderr)
    const audit = r.report!.audit!
    assert.deepEqual(
      audit.vacuity!.map((p) => [p.check, p.probed, p.vacuous]),
      [
        ['unit', 'candidate', false],
        ['smoke', 'candidate', true],
        ['node_tests', 'candidate', true],
      ],
    )
    assert.equal(audit.changes!.note, 'there is no baseline tree to compare the candidate with')
    assert.ok(
      r.report!.notices.includes(
        'The changes audit did not run: there is no baseline tree to compare the candidate with.',
      ),
    )
  })
})

describe('canaries', () => {
  const CANARY = `
checks:
  - name: unit
    command: node test/cart.spec.mjs
    timeout_s: 30
  - name: unit_catches_bad_cart
    # The known-bad cart accepts negative prices: the unit test must keep failing on it.
    command: node test/cart.spec.mjs ./fixtures/bad-cart.mjs
    timeout_s: 30
    expect: fail
`

  test('a canary that keeps failing is the expected case and allows', async () => {
    const trees = await pullRequest({ 'src/format.mjs': 'export const money = (n) => n\n' })
    const r = verify(trees, CANARY)
    assert.equal(r.status, 0, r.stderr + r.stdout)
    const canary = r.report!.checks.find((c) => c.name === 'unit_catches_bad_cart')!
    assert.equal(canary.expect, 'fail')
    assert.equal(canary.candidate.outcome, 'FAILED')
    assert.match(r.stdout, /canary, fails as expected/)
    assert.match(r.stdout, /✔ ALLOWED · 1 check passing, the canary failing as expected/)
  })

  test('a PR that weakens the test so the canary starts passing is blocked: the gate itself is broken', async () => {
    // "Tidying" the test drops the negative-price case: unit still passes, and so does the canary.
    const weakened = BASE['test/cart.spec.mjs']!.replace(
      'if (!refused) throw new Error("a negative price was accepted")\n',
      '',
    )
    const trees = await pullRequest({ 'test/cart.spec.mjs': weakened })
    const r = verify(trees, CANARY)
    assert.equal(r.status, 1, r.stderr + r.stdout)
    assert.equal(r.report!.verdict, 'block')
    assert.equal(
      r.report!.reasons[0],
      'the gate itself is broken: canary unit_catches_bad_cart must fail (expect: fail) but PASSED on the candidate: exited with code 0',
    )
    assert.equal(r.report!.checks.find((c) => c.name === 'unit')!.candidate.outcome, 'PASSED')
    assert.match(r.stdout, /canary PASSED: gate broken/)
  })
})

describe('a check that hangs on a broken file', () => {
  test('is TIMEOUT there, counts as noticed, and is stopped within its budget', async () => {
    // Loads the cart; when loading fails it spins forever (a watchdog-less retry loop).
    const hangs = [
      'checks:',
      '  - name: loader',
      `    command: node -e "import('./src/cart.mjs').then(() => console.log('ok'), () => { for (;;) {} })"`,
      // Enough for the normal runs to load the cart on a loaded machine, sandbox included.
      '    timeout_s: 5',
      'audit: changes',
      'uncovered: block',
      '',
    ].join('\n')
    const trees = await pullRequest({
      'src/cart.mjs': BASE['src/cart.mjs']!.replace('sum + item.price', 'item.price + sum'),
    })
    const started = Date.now()
    const r = verify(trees, hangs)
    const elapsed = Date.now() - started
    assert.equal(r.status, 0, r.stderr + r.stdout)
    const file = r.report!.audit!.changes!.files[0]!
    assert.equal(file.path, 'src/cart.mjs')
    assert.equal(file.covered, true)
    const run = file.runs[0]!
    assert.equal(run.run.outcome, 'TIMEOUT')
    assert.equal(run.noticed, true)
    // The budget is 5 s; SIGTERM, then SIGKILL after the 2 s grace; then slack for a loaded
    // machine. Not stopped, it would spin for good.
    assert.ok(
      run.run.duration_ms >= 4900 && run.run.duration_ms < 5000 + 2000 + 10_000,
      String(run.run.duration_ms),
    )
    assert.ok(elapsed < 90_000, `the whole gate took ${elapsed} ms`)
  })
})

describe('bad audit config through the CLI: exit 2, one line', () => {
  const cases: Array<[string, string, RegExp]> = [
    [
      'an unknown audit kind',
      'audit: [vacuity, coverage]\nchecks:\n  - name: t\n    command: "true"\n',
      /^quorum-\d+\.yml:1:18: audit\[1\]: unknown audit kind "coverage" \(allowed: vacuity, changes\)$/,
    ],
    [
      'a negative cap',
      'audit_max_files: -3\nchecks:\n  - name: t\n    command: "true"\n',
      /^quorum-\d+\.yml:1:18: audit_max_files: must be a whole number, 0 or more, got -3$/,
    ],
    [
      'audit_ignore that is not a glob list',
      'audit_ignore: docs\nchecks:\n  - name: t\n    command: "true"\n',
      /^quorum-\d+\.yml:1:15: audit_ignore: must be a list of globs/,
    ],
  ]
  for (const [what, yaml, pattern] of cases) {
    test(what, async () => {
      const trees = { candidate: join(root, 'repo') }
      const r = verify(trees, yaml)
      assert.equal(r.status, 2, r.stderr)
      const lines = r.stderr.trim().split('\n')
      assert.equal(lines.length, 1, r.stderr)
      assert.ok(lines[0]!.startsWith(`${root}/`), lines[0])
      assert.match(lines[0]!.slice(root.length + 1), pattern)
    })
  }
  test('an unknown --audit value is a usage error', () => {
    const r = quorum(['verify', '--candidate', join(root, 'repo'), '--audit', 'mutation'])
    assert.equal(r.status, 2)
    assert.match(
      r.stderr,
      /--audit must be vacuity, changes, a comma-separated list of them, or none/,
    )
  })
})
