// The audit's pure logic: how files are broken (checked by running the real interpreters on the
// result), which changed files are audited, what a run on an audit tree means, and what findings
// and canaries do to the verdict.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import {
  decideAudit,
  fileAuditOf,
  isBinary,
  languageOf,
  planChangeAudit,
  sabotage,
  sabotagedRunOf,
  vacuityProbeOf,
  type AuditCandidate,
} from '../../src/engine/audit.ts'
import { compareRuns, decideVerdict } from '../../src/engine/compare.ts'
import type { AuditReport, CheckReport, Outcome, RunResult } from '../../src/engine/types.ts'

const scratch = mkdtempSync(join(tmpdir(), 'quorum-audit-'))
after(() => rmSync(scratch, { recursive: true, force: true }))

const text = (s: string) => Buffer.from(s)

/** Writes `content` to `name` in a fresh directory and runs argv there. */
function execute(name: string, content: Buffer, argv: string[]) {
  const dir = mkdtempSync(join(scratch, 'run-'))
  writeFileSync(join(dir, name), content, { mode: 0o755 })
  return spawnSync(argv[0]!, argv.slice(1), { cwd: dir, encoding: 'utf8', timeout: 30_000 })
}

const hasPython = spawnSync('python3', ['-c', 'pass']).status === 0

describe('sabotage breaks a file so that loading it fails loudly', () => {
  test('an ES module throws on import, naming the file; the rest of it is kept', () => {
    const original = text('export const add = (a, b) => a + b\n')
    const broken = sabotage('src/add.mjs', original)
    assert.equal(broken.how, 'throw')
    assert.ok(broken.content.toString().endsWith(original.toString()))
    const r = execute('add.mjs', broken.content, [process.execPath, '-e', 'import("./add.mjs")'])
    assert.notEqual(r.status, 0)
    assert.match(r.stderr, /quorum audit: src\/add\.mjs was broken on purpose/)
    // The unbroken file loads fine: the failure is the sabotage's.
    assert.equal(execute('add.mjs', original, [process.execPath, 'add.mjs']).status, 0)
  })

  test('a script with a #! line keeps it first, and still fails', () => {
    const original = text('#!/usr/bin/env node\nconsole.log("hi")\n')
    const broken = sabotage('bin/tool', original)
    assert.equal(broken.how, 'throw')
    assert.ok(broken.content.toString().startsWith('#!/usr/bin/env node\nthrow new Error('))
    const r = execute('tool', broken.content, [process.execPath, 'tool'])
    assert.notEqual(r.status, 0)
    assert.doesNotMatch(r.stdout, /hi/)
  })

  test('TypeScript gets the same throw (type-stripped by node, it fails at load)', () => {
    const broken = sabotage('src/x.ts', text('export const x: number = 1\n'))
    assert.equal(broken.how, 'throw')
    const r = execute('x.ts', broken.content, [process.execPath, 'x.ts'])
    assert.notEqual(r.status, 0)
    assert.match(r.stderr, /broken on purpose/)
  })

  test('a byte order mark stays first', () => {
    const broken = sabotage('a.js', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text('1\n')]))
    assert.deepEqual([...broken.content.subarray(0, 3)], [0xef, 0xbb, 0xbf])
    assert.ok(broken.content.subarray(3).toString().startsWith('throw new Error('))
  })

  test('Python raises on import; its coding line stays in the first two lines', () => {
    const original = text('# -*- coding: latin-1 -*-\nVALUE = 1\n')
    const broken = sabotage('pkg/mod.py', original)
    assert.equal(broken.how, 'raise')
    const lines = broken.content.toString().split('\n')
    assert.equal(lines[0], '# -*- coding: latin-1 -*-')
    assert.match(lines[1]!, /^raise RuntimeError\("quorum audit: pkg\/mod\.py/)
  })

  test('Python: importing the broken module fails with the message', { skip: !hasPython }, () => {
    const broken = sabotage('mod.py', text('VALUE = 1\n'))
    const r = execute('mod.py', broken.content, ['python3', '-c', 'import mod'])
    assert.notEqual(r.status, 0)
    assert.match(r.stderr, /RuntimeError: quorum audit: mod\.py was broken on purpose/)
  })

  test('shell exits 1 with a message, even when sourced, and a lone #! line gets a line break', () => {
    const broken = sabotage('scripts/lib.sh', text('#!/bin/sh'))
    assert.equal(broken.how, 'exit')
    assert.ok(broken.content.toString().startsWith('#!/bin/sh\nprintf '))
    const run = execute('lib.sh', broken.content, ['sh', 'lib.sh'])
    assert.equal(run.status, 1)
    assert.match(run.stderr, /quorum audit: scripts\/lib\.sh was broken on purpose/)
    const sourced = execute('lib.sh', broken.content, ['sh', '-c', '. ./lib.sh; echo still here'])
    assert.equal(sourced.status, 1)
    assert.doesNotMatch(sourced.stdout, /still here/)
  })

  test('a path with quotes and non-ASCII characters stays a valid literal in every language', () => {
    const path = `it's "ü".js`
    const js = sabotage(path, text('1\n'))
    const r = execute('x.js', js.content, [process.execPath, 'x.js'])
    assert.match(r.stderr, /quorum audit: it's "ü"\.js was broken/)
    const sh = sabotage(`it's "ü".sh`, text('true\n'))
    const s = execute('x.sh', sh.content, ['sh', 'x.sh'])
    assert.equal(s.status, 1)
    assert.match(s.stderr, /it's/)
  })

  test('any other file loses its content', () => {
    for (const path of ['config/app.json', 'README.md', 'src/main.go', 'Makefile']) {
      const broken = sabotage(path, text('something\n'))
      assert.equal(broken.how, 'emptied', path)
      assert.equal(broken.content.length, 0, path)
    }
  })
})

describe('languageOf', () => {
  const cases: Array<[string, string, string | null]> = [
    ['a.cjs', '', 'js'],
    ['a.TSX', '', 'js'],
    ['tool', '#!/usr/bin/env -S node --no-warnings\n', 'js'],
    ['tool', '#!/usr/bin/python3.12\n', 'python'],
    ['tool', '#! /bin/bash -e\n', 'shell'],
    ['tool', '#!/usr/bin/env perl\n', null],
    ['notes.txt', 'plain\n', null],
  ]
  for (const [path, head, expected] of cases) {
    test(`${path} ${JSON.stringify(head)} -> ${expected}`, () =>
      assert.equal(languageOf(path, text(head)), expected))
  }
})

describe('planChangeAudit', () => {
  const file = (path: string, head: string | null = 'x\n'): AuditCandidate => ({
    path,
    status: 'modified',
    head: head === null ? null : text(head),
  })

  test('leaves out ignored, binary and non-regular files, saying why', () => {
    const plan = planChangeAudit(
      [
        file('docs/guide.md'),
        file('img/logo.png', '\x89PNG\r\n\x1a\n\0\0'),
        file('LICENSE'),
        file('src/a.js'),
        { path: 'fifo', status: 'added', head: null },
      ],
      { maxFiles: 20, ignore: ['docs/**'] },
    )
    assert.deepEqual(
      plan.files.map((f) => f.path),
      ['src/a.js', 'LICENSE'],
    )
    assert.deepEqual(plan.notAudited, [
      { path: 'docs/guide.md', why: 'ignored' },
      { path: 'fifo', why: 'not-a-file' },
      { path: 'img/logo.png', why: 'binary' },
    ])
  })

  test('the cap keeps code files first, then the others, each in path order', () => {
    const plan = planChangeAudit(
      [file('z.txt'), file('b.py'), file('a.txt'), file('c.sh'), file('a.ts')],
      { maxFiles: 3, ignore: [] },
    )
    assert.deepEqual(
      plan.files.map((f) => [f.path, f.language]),
      [
        ['a.ts', 'js'],
        ['b.py', 'python'],
        ['c.sh', 'shell'],
      ],
    )
    assert.deepEqual(plan.notAudited, [
      { path: 'a.txt', why: 'over-cap' },
      { path: 'z.txt', why: 'over-cap' },
    ])
  })

  test('the gate’s own files are left out before anything else', () => {
    const plan = planChangeAudit([file('quorum.yml'), file('checks.mjs'), file('src/a.js')], {
      maxFiles: 20,
      ignore: ['**/*.yml'],
      own: ['quorum.yml', 'checks.mjs'],
    })
    assert.deepEqual(
      plan.files.map((f) => f.path),
      ['src/a.js'],
    )
    assert.deepEqual(plan.notAudited, [
      { path: 'checks.mjs', why: 'gate-file' },
      { path: 'quorum.yml', why: 'gate-file' },
    ])
  })

  test('a cap of 0 audits nothing', () => {
    const plan = planChangeAudit([file('a.js')], { maxFiles: 0, ignore: [] })
    assert.deepEqual(plan.files, [])
    assert.deepEqual(plan.notAudited, [{ path: 'a.js', why: 'over-cap' }])
  })

  test('binary means a NUL byte among the first 8000', () => {
    assert.equal(isBinary(text('plain text')), false)
    assert.equal(isBinary(Buffer.concat([Buffer.alloc(7999, 0x61), Buffer.from([0])])), true)
    assert.equal(isBinary(Buffer.concat([Buffer.alloc(8000, 0x61), Buffer.from([0])])), false)
  })
})

/** A RunResult as the workspace returns it for a run that started. */
function run(outcome: Outcome, reason = `it ${outcome}`): RunResult {
  return {
    outcome,
    reason,
    score: null,
    duration_ms: 10,
    exit_code: outcome === 'PASSED' ? 0 : 1,
    signal: null,
    output: { head: 'out', tail: '', bytes: 3, truncated: false, log_path: '/logs/x.log' },
    seed: '1',
    sandbox: 'overlay',
    sandbox_root: '/sandbox/root',
  }
}

describe('what an audit run means', () => {
  test('a probe that PASSED on the empty tree is vacuous; one that failed is not', () => {
    assert.equal(vacuityProbeOf('echo', 'baseline', run('PASSED')).vacuous, true)
    assert.equal(vacuityProbeOf('unit', 'baseline', run('FAILED')).vacuous, false)
    assert.equal(vacuityProbeOf('unit', 'baseline', run('ERROR')).vacuous, false)
  })

  test('a run that never started tells nothing (null), whatever its outcome says', () => {
    const { sandbox_root: _root, ...notStarted } = run('ERROR', 'not run: the gate was stopped')
    assert.equal(vacuityProbeOf('x', 'candidate', notStarted).vacuous, null)
    assert.equal(sabotagedRunOf('x', notStarted).noticed, null)
    const broken = run('ERROR', 'the sandbox could not be set up: mount failed')
    assert.equal(sabotagedRunOf('x', broken).noticed, null)
  })

  test('FAILED, TIMEOUT, CRASHED and ERROR on a broken file are noticed; PASSED is not', () => {
    for (const outcome of ['FAILED', 'TIMEOUT', 'CRASHED', 'ERROR'] as const) {
      assert.equal(sabotagedRunOf('x', run(outcome)).noticed, true, outcome)
    }
    assert.equal(sabotagedRunOf('x', run('PASSED')).noticed, false)
  })

  test('the report keeps the outcome, the reason and the log, not the output', () => {
    const kept = sabotagedRunOf('x', run('FAILED')).run
    assert.deepEqual(kept, {
      outcome: 'FAILED',
      reason: 'it FAILED',
      duration_ms: 10,
      exit_code: 1,
      signal: null,
      seed: '1',
      log_path: '/logs/x.log',
    })
  })

  test('a file is covered when some check noticed, not covered when none did, unknown when none ran', () => {
    const meta = { path: 'src/a.js', status: 'modified' as const, sabotage: 'throw' as const }
    const order = ['lint', 'unit', 'e2e']
    const covered = fileAuditOf(
      meta,
      [sabotagedRunOf('e2e', run('TIMEOUT')), sabotagedRunOf('lint', run('PASSED'))],
      order,
    )
    assert.equal(covered.covered, true)
    assert.deepEqual(covered.noticed_by, ['e2e'])
    assert.deepEqual(
      covered.runs.map((r) => r.check),
      ['lint', 'e2e'],
    )
    assert.equal(fileAuditOf(meta, [sabotagedRunOf('unit', run('PASSED'))], order).covered, false)
    assert.equal(fileAuditOf(meta, [], order).covered, null)
  })
})

describe('decideAudit', () => {
  const audit = (policy: 'warn' | 'block'): AuditReport => ({
    vacuous: policy,
    uncovered: policy,
    vacuity: [
      vacuityProbeOf('echo_ok', 'baseline', run('PASSED')),
      vacuityProbeOf('unit', 'baseline', run('FAILED')),
    ],
    changes: {
      checks: ['unit', 'echo_ok'],
      max_files: 20,
      not_audited: [],
      files: [
        fileAuditOf(
          { path: 'src/a.js', status: 'modified', sabotage: 'throw' },
          [sabotagedRunOf('unit', run('FAILED'))],
          [],
        ),
        fileAuditOf(
          { path: 'src/b.js', status: 'added', sabotage: 'throw' },
          [sabotagedRunOf('unit', run('PASSED')), sabotagedRunOf('echo_ok', run('PASSED'))],
          ['unit', 'echo_ok'],
        ),
      ],
    },
  })

  test('under warn, findings are named and nothing blocks', () => {
    assert.deepEqual(decideAudit(audit('warn')), {
      blocking: [],
      warnings: [
        'cannot fail (not blocking): echo_ok passed on an empty tree (no files, setup not run), so its PASSED says nothing about this change',
        'not covered (not blocking): src/b.js changed, and no check noticed when it was broken (ran: unit, echo_ok)',
      ],
    })
  })

  test('under block, the same findings block', () => {
    const decided = decideAudit(audit('block'))
    assert.equal(decided.warnings.length, 0)
    assert.deepEqual(decided.blocking, [
      'cannot fail: echo_ok passed on an empty tree (no files, setup not run), so its PASSED says nothing about this change',
      'not covered: src/b.js changed, and no check noticed when it was broken (ran: unit, echo_ok)',
    ])
  })

  test('many uncovered files: ten by name, the rest counted', () => {
    const many: AuditReport = {
      vacuous: 'warn',
      uncovered: 'block',
      changes: {
        checks: ['unit'],
        max_files: 20,
        not_audited: [],
        files: Array.from({ length: 13 }, (_, i) =>
          fileAuditOf(
            { path: `f${i}.js`, status: 'added', sabotage: 'throw' },
            [sabotagedRunOf('unit', run('PASSED'))],
            ['unit'],
          ),
        ),
      },
    }
    const decided = decideAudit(many)
    assert.equal(decided.blocking.length, 11)
    assert.equal(
      decided.blocking[10],
      'not covered: 3 more changed files no check noticed (see the report)',
    )
  })
})

function report(name: string, candidate: RunResult, baseline: RunResult | null, canary = false) {
  const check: CheckReport = {
    name,
    kind: 'shell',
    candidate,
    baseline,
    ...compareRuns(baseline, candidate),
    reproduce: '',
    metrics: [],
    ...(canary ? { expect: 'fail' as const } : {}),
  }
  return check
}

describe('canaries in the verdict', () => {
  test('a canary that keeps failing allows, and is not counted as a failure of the change', () => {
    const decided = decideVerdict('pass-fail', [
      report('unit', run('PASSED'), run('PASSED')),
      report('known_bad', run('FAILED'), run('FAILED'), true),
    ])
    assert.deepEqual(decided, {
      verdict: 'allow',
      reasons: ['the only check passed on the candidate'],
    })
  })

  test('a canary that starts passing blocks, first among the reasons: the gate is broken', () => {
    const decided = decideVerdict('no-regression', [
      report('unit', run('PASSED'), run('PASSED')),
      report('known_bad', run('PASSED', 'exited with code 0'), run('FAILED'), true),
    ])
    assert.equal(decided.verdict, 'block')
    assert.equal(
      decided.reasons[0],
      'the gate itself is broken: canary known_bad must fail (expect: fail) but PASSED on the candidate: exited with code 0',
    )
  })

  test('one that passed on the baseline too says the gate was broken before', () => {
    const decided = decideVerdict('pass-fail', [
      report('unit', run('PASSED'), null),
      report('known_bad', run('FLAKY'), run('PASSED'), true),
    ])
    assert.equal(decided.verdict, 'block')
    assert.match(decided.reasons[0]!, /but FLAKY on the candidate.*PASSED on the baseline too/)
  })

  test('a canary that cannot run is named and does not block', () => {
    const decided = decideVerdict('pass-fail', [
      report('unit', run('PASSED'), null),
      report('known_bad', run('ERROR', 'command not found: bench'), null, true),
    ])
    assert.equal(decided.verdict, 'allow')
    assert.match(decided.reasons.at(-1)!, /^canary known_bad ERROR \(not blocking\)/)
  })

  test('only canaries: nothing verified the change', () => {
    const decided = decideVerdict('pass-fail', [report('known_bad', run('FAILED'), null, true)])
    assert.deepEqual(decided, {
      verdict: 'block',
      reasons: ['only canaries ran, so nothing verified the change itself'],
    })
  })
})

describe('audit findings in the verdict', () => {
  const audit = (policy: 'warn' | 'block'): AuditReport => ({
    vacuous: policy,
    uncovered: 'warn',
    vacuity: [vacuityProbeOf('lint', 'baseline', run('PASSED'))],
  })
  const passing = [
    report('unit', run('PASSED'), run('PASSED')),
    report('lint', run('PASSED'), null),
  ]

  test('under warn the verdict stands and the finding comes last', () => {
    const decided = decideVerdict('pass-fail', passing, { audit: audit('warn') })
    assert.equal(decided.verdict, 'allow')
    assert.deepEqual(decided.reasons, [
      'all 2 checks passed on the candidate',
      'cannot fail (not blocking): lint passed on an empty tree (no files, setup not run), so its PASSED says nothing about this change',
    ])
  })

  test('under block it blocks, and what blocked comes before the mode’s own context', () => {
    const decided = decideVerdict('pass-fail', passing, { audit: audit('block') })
    assert.equal(decided.verdict, 'block')
    assert.deepEqual(decided.reasons, [
      'cannot fail: lint passed on an empty tree (no files, setup not run), so its PASSED says nothing about this change',
      'all 2 checks passed on the candidate',
    ])
  })

  test('a broken canary stays first, then the audit, then the rest', () => {
    const decided = decideVerdict(
      'no-regression',
      [...passing, report('known_bad', run('PASSED'), null, true)],
      { audit: audit('block') },
    )
    assert.equal(decided.verdict, 'block')
    assert.match(decided.reasons[0]!, /^the gate itself is broken: canary known_bad/)
    assert.match(decided.reasons[1]!, /^cannot fail: lint/)
    assert.equal(decided.reasons[2], 'nothing got worse across 2 checks')
  })

  test('when the mode blocks, its reasons come first and the audit’s follow', () => {
    const decided = decideVerdict(
      'pass-fail',
      [report('unit', run('FAILED'), run('PASSED')), report('lint', run('PASSED'), null)],
      { audit: audit('block') },
    )
    assert.equal(decided.verdict, 'block')
    assert.match(decided.reasons[0]!, /^unit FAILED on the candidate/)
    assert.match(decided.reasons[1]!, /^cannot fail: lint/)
  })
})
