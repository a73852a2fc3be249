import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  extractAnnotations,
  parseAnnotations,
  toRepoPath,
  type Annotation,
} from '../../src/report/annotations.ts'
import { loadReport } from './golden.ts'

const ROOT = '/home/runner/work/shop/shop'
const parse = (text: string, max = 50): Annotation[] =>
  parseAnnotations(text, { treeRoot: ROOT, max })

describe('toRepoPath', () => {
  test('accepts relative paths and normalizes ./ and backslashes', () => {
    assert.equal(toRepoPath('src/a.ts', null), 'src/a.ts')
    assert.equal(toRepoPath('./src//a.ts', null), 'src/a.ts')
    assert.equal(toRepoPath('src\\win\\a.ts', null), 'src/win/a.ts')
  })

  test('makes absolute paths under the tree root relative, and refuses the others', () => {
    assert.equal(toRepoPath(`${ROOT}/src/a.ts`, ROOT), 'src/a.ts')
    assert.equal(toRepoPath(`${ROOT}/src/a.ts`, `${ROOT}/`), 'src/a.ts')
    assert.equal(toRepoPath(`file://${ROOT}/src/a%20b.ts`, ROOT), 'src/a b.ts')
    assert.equal(toRepoPath('/etc/passwd', ROOT), null)
    assert.equal(toRepoPath(`${ROOT}-evil/a.ts`, ROOT), null, 'a sibling with the root as prefix')
    assert.equal(toRepoPath(`${ROOT}/src/a.ts`, null), null, 'no root: no absolute paths')
    assert.equal(toRepoPath('C:/x/a.ts', ROOT), null)
  })

  test('refuses paths that climb out of the repository or into node_modules', () => {
    assert.equal(toRepoPath('../outside.ts', ROOT), null)
    assert.equal(toRepoPath('src/../../etc/passwd', ROOT), null)
    assert.equal(toRepoPath(`${ROOT}/../x.ts`, ROOT), null)
    assert.equal(toRepoPath('node_modules/dep/index.js', ROOT), null)
    assert.equal(toRepoPath('', ROOT), null)
    assert.equal(toRepoPath('./', ROOT), null)
  })
})

describe('parseAnnotations', () => {
  test('reads tsc-style path(line,col) locations', () => {
    const [a] = parse("src/cart/total.ts(42,7): error TS2322: Type 'string' is not assignable.")
    assert.deepEqual(a, {
      path: 'src/cart/total.ts',
      start_line: 42,
      end_line: 42,
      start_column: 7,
      end_column: 7,
      annotation_level: 'failure',
      message: "error TS2322: Type 'string' is not assignable.",
    })
  })

  test('reads gcc/eslint/tsc --pretty path:line[:col] locations', () => {
    const found = parse(
      [
        'lib/x.c:10:5: error: expected ;',
        'src/a.ts:3:1 - error TS1005',
        'docs/a.md:14: broken link',
      ].join('\n'),
    )
    assert.deepEqual(
      found.map((a) => [a.path, a.start_line, a.start_column ?? null]),
      [
        ['lib/x.c', 10, 5],
        ['src/a.ts', 3, 1],
        ['docs/a.md', 14, null],
      ],
    )
  })

  test('reads node stack frames under the tree root and python tracebacks', () => {
    const found = parse(
      [
        `    at add (file://${ROOT}/src/core.js:31:17)`,
        `    at ${ROOT}/test/a.test.js:9:3`,
        '  File "app/main.py", line 12, in <module>',
      ].join('\n'),
    )
    assert.deepEqual(
      found.map((a) => [a.path, a.start_line]),
      [
        ['src/core.js', 31],
        ['test/a.test.js', 9],
        ['app/main.py', 12],
      ],
    )
  })

  test('a location that ends the line takes the whole line as its message', () => {
    const [a] = parse(`  location: '${ROOT}/test/checkout.test.js:88:3'`)
    assert.match(a?.message ?? '', /location: /)
  })

  test('parses ::error/::warning/::notice workflow commands as data', () => {
    const found = parse(
      [
        '::error file=src/app.ts,line=3,col=5,title=Bad%2C bad::forged%0Atwo lines',
        '::warning file=src/app.ts,line=4,endLine=9,col=2::spans lines',
        '::notice file=README.md,line=1::note',
        '::error::no file, no annotation',
      ].join('\n'),
    )
    assert.equal(found.length, 3)
    assert.deepEqual(found[0], {
      path: 'src/app.ts',
      start_line: 3,
      end_line: 3,
      start_column: 5,
      end_column: 5,
      annotation_level: 'failure',
      message: 'forged\ntwo lines',
      title: 'Bad, bad',
    })
    assert.equal(found[1]?.annotation_level, 'warning')
    assert.equal(found[1]?.end_line, 9)
    assert.equal(found[1]?.start_column, undefined, 'no columns on a multi-line annotation')
    assert.equal(found[2]?.annotation_level, 'notice')
  })

  test('ignores paths outside the repository, node internals, URLs, times and addresses', () => {
    const text = [
      '::error file=../../etc/passwd,line=1::escape',
      '::error file=/etc/passwd,line=1::absolute',
      '/etc/shadow:1:1: absolute outside the tree',
      '/tmp/quorum-sbx-1/src/a.js:3:1',
      'at node:internal/process/task_queues:95:5',
      'GET https://example.com/a.js:443 failed',
      'started at 12:30:01',
      'listening on 127.0.0.1:8080',
      'src/a.ts:0:1 line zero is not a line',
    ].join('\n')
    assert.deepEqual(parse(text), [])
  })

  test('strips escapes from messages, deduplicates, and stops at the cap', () => {
    const line = 'src/a.ts:1:1: \u001b[31merror\u001b[0m <!-- x'
    const found = parse(`${line}\n${line}`)
    assert.equal(found.length, 1)
    assert.equal(found[0]?.message.includes('\u001b'), false)
    assert.equal(found[0]?.message.includes('<!--'), false)
    const many = Array.from({ length: 200 }, (_, i) => `src/a.ts:${i + 1}: e`).join('\n')
    assert.equal(parse(many, 50).length, 50)
  })

  test('warning and note lines keep their level', () => {
    const found = parse('src/a.ts:1:1: warning: w\nsrc/a.ts:2:1: note: n')
    assert.deepEqual(
      found.map((a) => a.annotation_level),
      ['warning', 'notice'],
    )
  })
})

describe('extractAnnotations', () => {
  test('only non-passing candidate runs are scanned, titled with the check name', () => {
    const report = loadReport('pass-fail-block')
    const found = extractAnnotations(report, { treeRoot: ROOT })
    const titles = new Set(found.map((a) => a.title))
    assert.deepEqual(
      [...titles],
      ['quorum: types', 'quorum: unit_tests', 'quorum: no_lost_updates'],
    )
    assert.ok(found.every((a) => !a.path.startsWith('/') && !a.path.includes('..')))
  })

  test('absolute paths are mapped from the run’s own sandbox root, not the tree’s', () => {
    const report = loadReport('pass-fail-block')
    const check = report.checks.find((c) => c.name === 'types')!
    const sandbox = '/tmp/quorum-Ab12/overlay/r7/root'
    check.candidate.sandbox_root = sandbox
    check.candidate.output = {
      ...check.candidate.output,
      head: `TypeError: boom\n    at add (${sandbox}/src/math.js:3:9)\n${ROOT}/src/other.js:1:1 x`,
      tail: '',
    }
    const paths = extractAnnotations(report, { treeRoot: ROOT })
      .filter((a) => a.title === 'quorum: types')
      .map((a) => `${a.path}:${a.start_line}`)
    assert.deepEqual(paths, ['src/math.js:3'])
  })

  test('caps per check and in total', () => {
    const report = loadReport('pass-fail-block')
    const lines = Array.from({ length: 300 }, (_, i) => `src/x.ts:${i + 1}:1: error`).join('\n')
    for (const check of report.checks) {
      check.candidate.output = { ...check.candidate.output, head: lines, tail: '' }
    }
    const perCheck = extractAnnotations(report, { treeRoot: ROOT })
    assert.equal(perCheck.length, 4 * 50)
    const capped = extractAnnotations(report, { treeRoot: ROOT }, { perCheck: 50, total: 120 })
    assert.equal(capped.length, 120)
  })

  test('a passing report has no annotations', () => {
    assert.deepEqual(extractAnnotations(loadReport('all-pass'), { treeRoot: ROOT }), [])
  })
})
