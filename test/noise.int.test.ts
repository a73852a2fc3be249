// Noisy and flaky checks through the CLI: real subprocesses whose noise is real (values drawn
// from a known distribution, seeded by QUORUM_SEED), real retries, a real cache directory.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import type { Report } from '../src/engine/types.ts'

const CLI = join(import.meta.dirname, '..', 'src', 'bin', 'quorum.ts')
const root = mkdtempSync(join(tmpdir(), 'quorum-noise-'))
after(() => spawnSync('rm', ['-rf', root]))

let count = 0
/** A directory with the given files (path -> content). */
function tree(files: Record<string, string>): string {
  const dir = join(root, `tree-${++count}`)
  mkdirSync(dir, { recursive: true })
  for (const [path, content] of Object.entries(files)) writeFileSync(join(dir, path), content)
  return dir
}

function quorum(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args, '--quiet'], {
    cwd: root,
    encoding: 'utf8',
    // The signing secret of cached results lives in the user's cache directory: a test's own.
    env: { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: join(root, 'xdg'), ...env },
    timeout: 240_000,
    killSignal: 'SIGKILL',
  })
  return result
}

function run(
  config: string,
  trees: { candidate: string; baseline?: string },
  extra: string[] = [],
  env: Record<string, string> = {},
) {
  const file = join(root, `config-${++count}.yml`)
  writeFileSync(file, config)
  const json = join(root, `report-${count}.json`)
  const r = quorum(
    [
      'verify',
      '--candidate',
      trees.candidate,
      ...(trees.baseline ? ['--baseline', trees.baseline] : []),
      '--config',
      file,
      '--json',
      json,
      ...extra,
    ],
    env,
  )
  let report: Report | null = null
  try {
    report = JSON.parse(readFileSync(json, 'utf8')) as Report
  } catch {
    // no report: the caller asserts on status and stderr
  }
  return { ...r, report }
}

/**
 * A benchmark whose value is drawn from N(mean, (noise·mean)²), seeded by QUORUM_SEED (each
 * repeat and retry gets its own seed) and the tree (both trees get the same seed; machine noise
 * is independent between them), with the mean read from the tree's mean.txt.
 */
const BENCH = `
import { readFileSync } from 'node:fs'
const mean = Number(readFileSync('mean.txt', 'utf8'))
const key = process.env.QUORUM_SEED + process.env.QUORUM_TREE
let s = [...key].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7)
const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) + 0.5) / 2 ** 32
const z = Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand())
console.log('parse_ms=' + (mean * (1 + 0.03 * z)).toFixed(3))
console.log('size_kb=412')
`

const benchConfig = (repeats: number) => `
mode: no-regression
parallel: 2
checks:
  - name: bench
    command: node bench.mjs
    repeats: ${repeats}
    metrics:
      parse_ms: { direction: lower, tolerance: 5% }
      size_kb: { direction: lower, tolerance: 0, deterministic: true }
`

describe('metrics, repeats and no-regression', () => {
  test('a candidate 10% slower at 3% noise is regressed and blocks; every sample is reported', () => {
    const baseline = tree({ 'bench.mjs': BENCH, 'mean.txt': '100' })
    const candidate = tree({ 'bench.mjs': BENCH, 'mean.txt': '110' })
    const r = run(benchConfig(7), { baseline, candidate }, ['--seed', 'a1b2c3d4', '--no-cache'])
    assert.equal(r.status, 1, r.stderr + r.stdout)
    const bench = r.report!.checks[0]!
    const parse = bench.metrics!.find((m) => m.name === 'parse_ms')!
    assert.equal(parse.verdict, 'regressed', JSON.stringify(parse))
    assert.equal(parse.baseline!.samples.length, 7)
    assert.equal(parse.candidate.samples.length, 7)
    assert.ok(parse.change_pct! > 5 && parse.change_pct! < 15, String(parse.change_pct))
    assert.ok(parse.ci![0] > 0, `the interval is above zero: ${parse.ci}`)
    const size = bench.metrics!.find((m) => m.name === 'size_kb')!
    assert.equal(size.verdict, 'unchanged')
    assert.match(r.report!.reasons[0]!, /^regressed: bench parse_ms/)
    assert.match(r.stdout, /regressed: bench parse_ms/)
  })

  test('the same code at the same noise is not regressed, and the runs interleave', () => {
    const baseline = tree({ 'bench.mjs': BENCH, 'mean.txt': '100' })
    const candidate = tree({ 'bench.mjs': BENCH, 'mean.txt': '100' })
    const r = run(benchConfig(7), { baseline, candidate }, [
      '--seed',
      '0badcafe',
      '--no-cache',
      '--parallel',
      '1',
    ])
    assert.equal(r.status, 0, r.stderr + r.stdout)
    const parse = r.report!.checks[0]!.metrics!.find((m) => m.name === 'parse_ms')!
    assert.notEqual(parse.verdict, 'regressed')
    // One slot: the runs start B C, C B, B C, ... so neither tree always goes first.
    const starts = [
      ...r.report!.checks[0]!.baseline!.attempts!.map((a) => ({
        tree: 'B',
        at: a.started_at,
        repeat: a.repeat,
      })),
      ...r.report!.checks[0]!.candidate.attempts!.map((a) => ({
        tree: 'C',
        at: a.started_at,
        repeat: a.repeat,
      })),
    ].sort((x, y) => x.at.localeCompare(y.at) || x.repeat - y.repeat)
    assert.equal(starts.map((s) => s.tree).join(''), 'BCCBBCCBBCCBBC')
    // Seeds differ per repeat, so the samples do too.
    assert.equal(new Set(parse.candidate.samples).size, 7)
  })

  test('a declared metric the candidate never prints is ERROR naming it, and blocks', () => {
    const script = 'console.log("parse_time=3")\n'
    const baseline = tree({ 'bench.mjs': script })
    const candidate = tree({ 'bench.mjs': script })
    const config = `
mode: no-regression
checks:
  - name: bench
    command: node bench.mjs
    metrics:
      parse_ms: { direction: lower }
`
    const r = run(config, { baseline, candidate }, ['--no-cache'])
    assert.equal(r.status, 1)
    const c = r.report!.checks[0]!.candidate
    assert.equal(c.outcome, 'ERROR')
    assert.match(c.reason, /metric parse_ms never printed/)
  })

  test('a non-finite value is named as such', () => {
    const candidate = tree({ 'bench.mjs': 'console.log("parse_ms=inf")\n' })
    const config = `checks:\n  - name: bench\n    command: node bench.mjs\n    metrics:\n      parse_ms: { direction: lower }\n`
    const r = run(config, { candidate }, ['--no-cache'])
    assert.equal(r.status, 1)
    assert.match(
      r.report!.checks[0]!.candidate.reason,
      /metric value not finite: parse_ms=Infinity/,
    )
  })
})

describe('retries and FLAKY', () => {
  // Fails on the gate's own seed (the first attempt), passes on every derived one.
  const flakyConfig = (policy: string) => `
flaky: ${policy}
checks:
  - name: unit
    command: test "$QUORUM_SEED" != 5eed0001
    retries: 2
  - name: steady
    command: "true"
`
  test('failed then passed is FLAKY: allowed under flaky: warn, with every attempt and seed', () => {
    const candidate = tree({ 'a.txt': 'a' })
    const r = run(flakyConfig('warn'), { candidate }, ['--seed', '5eed0001', '--no-cache'])
    assert.equal(r.status, 0, r.stderr + r.stdout)
    const unit = r.report!.checks[0]!.candidate
    assert.equal(unit.outcome, 'FLAKY')
    assert.deepEqual(
      unit.attempts!.map((a) => [a.attempt, a.outcome, a.seed === '5eed0001']),
      [
        [1, 'FAILED', true],
        [2, 'PASSED', false],
      ],
    )
    assert.equal(r.report!.counts.FLAKY, 1)
    assert.ok(r.report!.reasons.some((x) => x.startsWith('FLAKY (not blocking): unit')))
    assert.match(r.stdout, /FLAKY/)
  })

  test('flaky: block blocks on it', () => {
    const candidate = tree({ 'a.txt': 'a' })
    const r = run(flakyConfig('block'), { candidate }, ['--seed', '5eed0001', '--no-cache'])
    assert.equal(r.status, 1)
    assert.equal(r.report!.verdict, 'block')
  })

  test('failing every attempt is FAILED with all of them listed; ERROR is never retried', () => {
    const candidate = tree({ 'a.txt': 'a' })
    const config = `
checks:
  - name: broken
    command: "exit 3"
    retries: 2
  - name: missing
    command: no-such-command-here
    retries: 2
`
    const r = run(config, { candidate }, ['--no-cache'])
    assert.equal(r.status, 1)
    const [broken, missing] = r.report!.checks
    assert.equal(broken!.candidate.outcome, 'FAILED')
    assert.equal(broken!.candidate.attempts!.length, 3)
    assert.equal(missing!.candidate.outcome, 'ERROR')
    assert.equal(missing!.candidate.attempts!.length, 1)
  })
})

describe('--skip', () => {
  test('a skipped check is not run and is listed as skipped', () => {
    const candidate = tree({ 'a.txt': 'a' })
    const config =
      'checks:\n  - name: broken\n    command: "exit 1"\n  - name: ok\n    command: "true"\n'
    const r = run(config, { candidate }, ['--skip', 'broken', '--no-cache'])
    assert.equal(r.status, 0, r.stderr + r.stdout)
    assert.deepEqual(r.report!.skipped, ['broken'])
    assert.deepEqual(
      r.report!.checks.map((c) => c.name),
      ['ok'],
    )
    assert.match(r.stdout, /skipped \(not run, by request\): broken/)
  })

  test('an unknown name is a usage error', () => {
    const candidate = tree({ 'a.txt': 'a' })
    const r = run('checks:\n  - name: ok\n    command: "true"\n', { candidate }, ['--skip', 'nope'])
    assert.equal(r.status, 2)
    assert.match(r.stderr, /unknown check "nope"/)
  })
})

describe('reusable results (--cache)', () => {
  const config = `
checks:
  - name: counted
    command: echo size_kb=7
    metrics:
      size_kb: { direction: lower, deterministic: true }
  - name: timed
    command: echo t=1
    metrics:
      t: { direction: lower }
`
  test('a second run on unchanged trees reuses deterministic results and says where from', () => {
    // Every run keeps a log (--keep-logs): counting the logs of `counted` counts its runs.
    const logs = mkdtempSync(join(root, 'logs-'))
    const cfg = config
    const runsOfCounted = () =>
      readdirSync(logs, { recursive: true, encoding: 'utf8' }).filter((f) => f.includes('counted'))
        .length
    const opts = (cache: string) => ['--cache', cache, '--log-dir', logs, '--keep-logs']
    const baseline = tree({ 'a.txt': 'same' })
    const candidate = tree({ 'a.txt': 'changed' })
    const cache = join(root, `cache-${++count}`)
    const first = run(cfg, { baseline, candidate }, opts(cache))
    assert.equal(first.status, 0, first.stderr + first.stdout)
    assert.equal(runsOfCounted(), 2)
    assert.equal(first.report!.checks[0]!.candidate.reused_from, undefined)

    const second = run(cfg, { baseline, candidate }, opts(cache))
    assert.equal(second.status, 0)
    // Not run again on either tree.
    assert.equal(runsOfCounted(), 2)
    const counted = second.report!.checks[0]!
    assert.equal(counted.candidate.reused_from?.cache, 'local')
    assert.equal(counted.candidate.reused_from?.location, cache)
    assert.equal(counted.baseline?.reused_from?.cache, 'local')
    assert.equal(counted.metrics![0]!.candidate.median, 7)
    // A timing-like metric is always measured again.
    assert.equal(second.report!.checks[1]!.candidate.reused_from, undefined)
    assert.match(second.stdout, /\[reused\]/)

    // A changed candidate is run again; the unchanged baseline is still reused.
    writeFileSync(join(candidate, 'a.txt'), 'changed again')
    const third = run(cfg, { baseline, candidate }, opts(cache))
    assert.equal(third.report!.checks[0]!.candidate.reused_from, undefined)
    assert.equal(third.report!.checks[0]!.baseline?.reused_from?.cache, 'local')
    assert.equal(runsOfCounted(), 3)
  })

  test('a corrupt entry is ignored with a notice and the check is run again; --no-cache neither reads nor writes', () => {
    const cfg = config
    const candidate = tree({ 'a.txt': 'x' })
    const cache = join(root, `cache-${++count}`)
    run(cfg, { candidate }, ['--cache', cache])
    for (const name of readdirSync(cache)) writeFileSync(join(cache, name), '{ not json')
    const again = run(cfg, { candidate }, ['--cache', cache])
    assert.equal(again.status, 0)
    assert.equal(again.report!.checks[0]!.candidate.reused_from, undefined)
    assert.ok(
      again.report!.notices.some((n) => /cache/i.test(n)),
      again.report!.notices.join('\n'),
    )

    const fresh = join(root, `cache-${++count}`)
    run(cfg, { candidate }, ['--no-cache', '--log-dir', join(fresh, '..', 'logs-nc')])
    assert.throws(() => readdirSync(fresh))
  })
})

describe('cached results are signed by this machine', () => {
  const config = 'checks:\n  - name: counted\n    command: "exit 1"\n'
  test('an entry written with another secret, or unsigned, is refused and the check run again', () => {
    // A repository could commit a .quorum/cache of forged PASSED results: they must not count.
    const candidate = tree({ 'a.txt': 'x' })
    const cache = join(root, `cache-${++count}`)
    const first = run(config, { candidate }, ['--cache', cache])
    assert.equal(first.status, 1)
    const again = run(config, { candidate }, ['--cache', cache])
    assert.equal(
      again.report!.checks[0]!.candidate.reused_from?.cache,
      'local',
      'reused with its own secret',
    )

    const other = run(config, { candidate }, ['--cache', cache], {
      XDG_CACHE_HOME: join(root, 'xdg-other'),
    })
    assert.equal(other.report!.checks[0]!.candidate.reused_from, undefined)
    assert.ok(
      other.report!.notices.some((n) => /signature does not match/.test(n)),
      other.report!.notices.join('\n'),
    )

    // Forge: the same entry, its result turned into PASSED, stored unsigned.
    for (const name of readdirSync(cache)) {
      const file = join(cache, name)
      const entry = JSON.parse(readFileSync(file, 'utf8')) as { payload: { signed: string } }
      const forged = {
        ...(JSON.parse(entry.payload.signed) as object),
        outcome: 'PASSED',
        reason: 'forged',
      }
      writeFileSync(file, JSON.stringify({ ...entry, payload: forged }))
    }
    const forged = run(config, { candidate }, ['--cache', cache])
    assert.equal(forged.status, 1, 'the forged PASSED was not used')
    assert.equal(forged.report!.checks[0]!.candidate.outcome, 'FAILED')
    assert.ok(
      forged.report!.notices.some((n) => /not signed/.test(n)),
      forged.report!.notices.join('\n'),
    )
  })
})
