// The change-coverage audit's group testing (src/engine/audit-search.ts): which files to break
// next from the results already in. Checks are simulated by what they would print: a broken
// JavaScript file throws the message sabotage() wrote into it.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { sabotage } from '../../src/engine/audit.ts'
import { nextGroups, searchNoticedFiles } from '../../src/engine/audit-search.ts'
import { notRunResult } from '../../src/engine/not-run.ts'
import type { Outcome, RunResult } from '../../src/engine/types.ts'

interface File {
  path: string
}

const files = (...names: string[]): File[] => names.map((name) => ({ path: `src/${name}.mjs` }))

/** What node prints when it loads the broken `path`: the message sabotage() wrote into it. */
function thrownBy(path: string): string {
  const broken = sabotage(path, Buffer.from('export const x = 1\n')).content.toString()
  const literal = /throw new Error\((".*")\);/.exec(broken)![1]!
  return `Error: ${JSON.parse(literal) as string}\n    at file:///sandbox/${path}:1:7\n`
}

/** A run of the check in a sandbox that ended with `outcome`, having printed `printed`. */
function ran(outcome: Outcome, printed = ''): RunResult {
  return {
    outcome,
    reason: outcome === 'PASSED' ? 'exited with code 0' : `${outcome.toLowerCase()} as told`,
    score: null,
    duration_ms: 40,
    exit_code: outcome === 'PASSED' ? 0 : 1,
    signal: null,
    output: { head: printed, tail: '', bytes: printed.length, truncated: false, log_path: null },
    seed: 'c0ffee00',
    sandbox: 'overlay',
    sandbox_root: '/tmp/quorum-x/overlay/r1/root',
  }
}

/**
 * A simulated check that loads the files in `noticed`: with any of them broken it fails and
 * prints what `prints` says (every broken file's message, only the first's, or nothing); a
 * `hangs` check runs out of time instead, printing nothing.
 */
function check(
  noticed: readonly string[],
  how: { prints: 'all' | 'first' | 'nothing'; hangs?: boolean },
) {
  const calls: string[][] = []
  const runGroup = async (group: File[]): Promise<RunResult> => {
    calls.push(group.map((f) => f.path))
    const hit = group.filter((f) => noticed.includes(f.path))
    if (hit.length === 0) return ran('PASSED')
    if (how.hangs) return ran('TIMEOUT')
    const shown = how.prints === 'all' ? hit : how.prints === 'first' ? hit.slice(0, 1) : []
    return ran('FAILED', shown.map((f) => thrownBy(f.path)).join(''))
  }
  return { calls, runGroup }
}

describe('nextGroups decides what to run next from one run of a group', () => {
  const [a, b, c, d, e] = files('a', 'b', 'c', 'd', 'e')

  test("a file broken alone is settled by its run: it noticed when the check didn't pass", () => {
    const step = nextGroups('unit', [a!], ran('FAILED', thrownBy(a!.path)))
    assert.deepEqual(step.next, [])
    assert.equal(step.settled.length, 1)
    assert.equal(step.settled[0]![0], a)
    assert.equal(step.settled[0]![1].noticed, true)
    assert.equal(step.settled[0]![1].together, undefined)
  })

  test('a group that passes settles every file at once: none was noticed', () => {
    const step = nextGroups('unit', [a!, b!, c!], ran('PASSED'))
    assert.deepEqual(step.next, [])
    assert.deepEqual(
      step.settled.map(([file, run]) => [
        file.path,
        run.noticed,
        run.together,
        run.broken_together,
      ]),
      [
        ['src/a.mjs', false, true, 3],
        ['src/b.mjs', false, true, 3],
        ['src/c.mjs', false, true, 3],
      ],
    )
  })

  test('the files whose message the failing run printed run alone, the others as one group', () => {
    const step = nextGroups('unit', [a!, b!, c!, d!], ran('FAILED', thrownBy(c!.path)))
    assert.deepEqual(step.settled, [])
    assert.deepEqual(step.next, [[c], [a, b, d]])
  })

  test('a message in the reason counts as printed too', () => {
    const result = { ...ran('ERROR'), reason: `threw: ${thrownBy(b!.path)}` }
    assert.deepEqual(nextGroups('unit', [a!, b!, c!], result).next, [[b], [a, c]])
  })

  test('when every file of the group was named, each runs alone', () => {
    const printed = thrownBy(a!.path) + thrownBy(b!.path)
    assert.deepEqual(nextGroups('unit', [a!, b!], ran('FAILED', printed)).next, [[a], [b]])
  })

  test('a quiet failure splits the group in two, the larger half first', () => {
    assert.deepEqual(nextGroups('unit', [a!, b!, c!, d!, e!], ran('FAILED')).next, [
      [a, b, c],
      [d, e],
    ])
  })

  test('a group that ran out of time naming nothing is not split: each file runs alone', () => {
    assert.deepEqual(nextGroups('unit', [a!, b!, c!], ran('TIMEOUT')).next, [[a], [b], [c]])
  })

  test('a group whose run never started gives each file a run of its own', () => {
    const stopped = notRunResult({
      reason: 'not run: the gate was stopped',
      seed: 's',
      sandbox: 'copy',
    })
    const step = nextGroups('unit', [a!, b!], stopped)
    assert.deepEqual(step.settled, [])
    assert.deepEqual(step.next, [[a], [b]])
  })
})

describe('searchNoticedFiles finds the files a check notices in few runs', () => {
  const eight = files('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h')

  test('a check that notices none of them costs one run', async () => {
    const lint = check([], { prints: 'all' })
    const found = await searchNoticedFiles('lint', eight, lint.runGroup)
    assert.equal(found.made, 1)
    assert.deepEqual(lint.calls, [eight.map((f) => f.path)])
    assert.ok(found.runs.every((r) => r.noticed === false && r.broken_together === 8))
  })

  test('a check that names the one file it notices: that file alone, then the rest together', async () => {
    const unit = check(['src/c.mjs'], { prints: 'first' })
    const found = await searchNoticedFiles('unit', eight, unit.runGroup)
    assert.equal(found.made, 3)
    assert.deepEqual(unit.calls.slice(1), [
      ['src/c.mjs'],
      eight.map((f) => f.path).filter((p) => p !== 'src/c.mjs'),
    ])
    assert.deepEqual(
      found.runs.map((r) => [r.noticed, r.broken_together ?? 1]),
      eight.map((f) => (f.path === 'src/c.mjs' ? [true, 1] : [false, 7])),
    )
  })

  test('a runner that stops at the first failure is followed file after file', async () => {
    const unit = check(['src/b.mjs', 'src/e.mjs'], { prints: 'first' })
    const found = await searchNoticedFiles('unit', eight, unit.runGroup)
    // all -> b alone + 7 others -> e alone + 6 others (which pass): five runs, not eight.
    assert.equal(found.made, 5)
    assert.deepEqual(
      found.runs.map((r) => r.check + ':' + String(r.noticed)),
      eight.map((f) => `unit:${['src/b.mjs', 'src/e.mjs'].includes(f.path)}`),
    )
  })

  test('a quiet runner is bisected, and every file it noticed is confirmed alone', async () => {
    const quiet = check(['src/a.mjs', 'src/f.mjs'], { prints: 'nothing' })
    const found = await searchNoticedFiles('quiet', eight, quiet.runGroup)
    assert.equal(found.made, 11)
    for (const path of ['src/a.mjs', 'src/f.mjs']) {
      assert.ok(
        quiet.calls.some((group) => group.length === 1 && group[0] === path),
        path,
      )
    }
    assert.deepEqual(
      found.runs.map((r) => [r.noticed, r.broken_together ?? 1]),
      [
        [true, 1], // a, alone
        [false, 1], // b, alone beside a
        [false, 2], // c and d passed together
        [false, 2],
        [false, 1], // e, alone beside f
        [true, 1], // f
        [false, 2], // g and h passed together
        [false, 2],
      ],
    )
  })

  test('a check that hangs on a file runs each file of the hung group alone', async () => {
    const four = files('a', 'b', 'c', 'd')
    const slow = check(['src/b.mjs'], { prints: 'nothing', hangs: true })
    const found = await searchNoticedFiles('slow', four, slow.runGroup)
    assert.equal(found.made, 5)
    assert.deepEqual(
      found.runs.map((r) => [r.run.outcome, r.noticed]),
      [
        ['PASSED', false],
        ['TIMEOUT', true],
        ['PASSED', false],
        ['PASSED', false],
      ],
    )
  })

  test('runs that could not start leave their files unknown, each with its own reason', async () => {
    const two = files('a', 'b')
    const found = await searchNoticedFiles('unit', two, async (group) =>
      notRunResult({
        reason: `not run: its tree could not be made: ${group.length} files`,
        seed: 's',
        sandbox: 'overlay',
      }),
    )
    assert.equal(found.made, 3)
    assert.deepEqual(
      found.runs.map((r) => [r.noticed, r.run.reason]),
      [
        [null, 'not run: its tree could not be made: 1 files'],
        [null, 'not run: its tree could not be made: 1 files'],
      ],
    )
  })

  test('no files: no runs', async () => {
    const found = await searchNoticedFiles('unit', [], () => assert.fail('nothing to run'))
    assert.deepEqual(found, { runs: [], made: 0 })
  })
})
