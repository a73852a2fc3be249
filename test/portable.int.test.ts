// Issue 18, part 3: the CLI as it runs on macOS, tested on Linux. Portable mode
// (QUORUM_PORTABLE=<dir>, src/run/platform.ts) takes away what only Linux has (overlay
// sandboxes, cgroups, setpriv, /proc) and takes every host tool the gate runs from <dir>: here a
// directory of POSIX tools whose cp refuses every option POSIX does not give cp, as BSD cp
// refuses GNU's. The CLI also gets that directory as its only PATH. The README's example (the
// three runs of `npm run example`) and a run with both audits (whose variants are layers copied
// over the tree) must then come out as they do with everything Linux has, and the report must
// say that the sandboxes were copies and the limits were not enforced.
//
// The trees live under HOME, where a runner's checkout is, not under /tmp.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import type { Report } from '../src/engine/types.ts'
import { makePosixToolDir } from './run/portable-tools.ts'

const REPO = join(import.meta.dirname, '..')
const CLI = join(REPO, 'src', 'bin', 'quorum.ts')
const SEED = '5eed0001'

const root = mkdtempSync(join(homedir(), 'quorum-portable-'))
after(() => rmSync(root, { recursive: true, force: true }))

// A checkout of the example, as a runner has one; the config asks for limits (the defaults), so
// the report has to say whether they held.
const checkout = join(root, 'work', 'example')
cpSync(join(REPO, 'examples'), join(checkout, 'examples'), { recursive: true })
const config = join(checkout, 'examples', 'quorum.yml')
writeFileSync(config, `${readFileSync(config, 'utf8')}\npids_max: 4096\nmemory_mb: 4096\n`)

/**
 * What the CLI may run besides node: cp is all the copy sandbox needs (/bin/sh, by its absolute
 * path, runs shell checks); sh and sed are what the example's checks call.
 */
const tools = makePosixToolDir(join(root, 'posix-bin'), ['sh', 'sed'])

interface Run {
  readonly name: string
  readonly args: readonly string[]
  /** What `npm run example` expects of it (scripts/example.mjs); null when all is right. */
  readonly expect: (report: Report) => string | null
}

const RUNS: Run[] = [
  {
    name: 'candidate_fixed',
    args: ['verify', '--candidate', 'examples/candidate_fixed'],
    expect: (r) => verdictIs(r, 'allow'),
  },
  {
    name: 'live',
    args: ['verify', '--candidate', 'examples/live'],
    expect: (r) =>
      verdictIs(r, 'block') ??
      checkIs(r, 'no_lost_updates', 'FAILED', /lost \d+ of \d+ updates/) ??
      checkIs(r, 'never_splits_tool_pairs', 'FAILED', /tool_result \S+ without its tool_use/),
  },
  {
    name: 'candidate_broken',
    args: ['verify', '--candidate', 'examples/candidate_broken'],
    expect: (r) =>
      verdictIs(r, 'block') ??
      (r.checks.some((c) => c.candidate.outcome === 'TIMEOUT') ? null : 'no check timed out'),
  },
  {
    // The change audit breaks each changed file in a layer copied over the prepared candidate.
    name: 'audited',
    args: [
      'verify',
      '--candidate',
      'examples/candidate_fixed',
      '--baseline',
      'examples/live',
      '--audit',
      'vacuity,changes',
    ],
    expect: (r) =>
      verdictIs(r, 'allow') ??
      ((r.audit?.changes?.files.length ?? 0) > 0 ? null : 'the change audit broke no file'),
  },
]

/** One CLI run; `portable`: in portable mode, with only the POSIX tools on PATH. */
function quorum(
  run: Run,
  portable: boolean,
): { status: number | null; stderr: string; report: Report } {
  const dir = mkdtempSync(join(root, `${run.name}-${portable ? 'portable' : 'linux'}-`))
  mkdirSync(join(dir, 'tmp'))
  const json = join(dir, 'report.json')
  const env = portable
    ? {
        PATH: tools,
        HOME: join(dir, 'home'),
        QUORUM_PORTABLE: tools,
      }
    : { ...process.env }
  const child = spawnSync(
    process.execPath,
    [
      CLI,
      ...run.args,
      '--config',
      'examples/quorum.yml',
      '--json',
      json,
      '--seed',
      SEED,
      '--no-cache',
      '--log-dir',
      join(dir, 'logs'),
    ],
    {
      cwd: checkout,
      encoding: 'utf8',
      env: { ...env, NO_COLOR: '1', TMPDIR: join(dir, 'tmp'), XDG_CACHE_HOME: join(dir, 'xdg') },
      // Far above what a run needs (seconds); only a hung gate reaches it.
      timeout: 240_000,
      killSignal: 'SIGKILL',
    },
  )
  assert.equal(child.error, undefined, `the CLI did not finish: ${child.error?.message}`)
  let report: Report
  try {
    report = JSON.parse(readFileSync(json, 'utf8')) as Report
  } catch {
    assert.fail(`no JSON report (exit ${child.status}):\n${child.stderr}`)
  }
  return { status: child.status, stderr: child.stderr, report }
}

/** Everything about a report's outcomes that must not depend on the platform. */
function outcomes(r: Report) {
  return {
    verdict: r.verdict,
    reasons: r.reasons,
    checks: r.checks.map((c) => ({
      name: c.name,
      candidate: [c.candidate.outcome, c.candidate.score],
      baseline: c.baseline ? [c.baseline.outcome, c.baseline.score] : null,
      change: c.change,
    })),
    vacuity: r.audit?.vacuity?.map((v) => [v.check, v.run.outcome, v.vacuous]) ?? null,
    changes:
      r.audit?.changes?.files.map((f) => ({
        path: f.path,
        covered: f.covered,
        noticed_by: f.noticed_by,
        runs: f.runs.map((run) => [run.check, run.run.outcome, run.noticed]),
      })) ?? null,
  }
}

describe('the example, as the CLI runs it on macOS', () => {
  for (const run of RUNS) {
    test(`${run.name}: the same outcomes in portable mode, with copy sandboxes and no limits`, () => {
      const linux = quorum(run, false)
      assert.equal(run.expect(linux.report), null, 'the normal run is not what the example expects')

      const portable = quorum(run, true)
      assert.equal(run.expect(portable.report), null, portable.stderr)
      assert.equal(portable.status, linux.status, portable.stderr)
      assert.deepEqual(outcomes(portable.report), outcomes(linux.report))

      const r = portable.report
      assert.equal(r.sandbox, 'copy')
      for (const c of r.checks) assert.equal(c.candidate.sandbox, 'copy', c.name)
      assert.ok(
        r.notices.includes(
          'Sandboxes were copies, not overlays: overlayfs needs Linux (QUORUM_PORTABLE is set: only what macOS has too is used).',
        ),
        r.notices.join('\n'),
      )
      assert.ok(
        r.notices.includes(
          'pids_max and memory_mb were not enforced: no cgroup could be had (cgroups are Linux-only (QUORUM_PORTABLE is set: only what macOS has too is used)).',
        ),
        r.notices.join('\n'),
      )
      // The CLI's first line says so too.
      assert.match(
        portable.stderr.split('\n')[0]!,
        /^copy sandbox: .*\(no overlay sandbox here: overlayfs needs Linux/,
      )
    })
  }
})

function verdictIs(report: Report, verdict: Report['verdict']): string | null {
  return report.verdict === verdict ? null : `verdict ${report.verdict}, expected ${verdict}`
}

function checkIs(report: Report, name: string, outcome: string, reason: RegExp): string | null {
  const check = report.checks.find((c) => c.name === name)
  if (!check) return `no check named ${name} in the report`
  const { outcome: got, reason: why } = check.candidate
  if (got !== outcome) return `${name} was ${got} (${why}), expected ${outcome}`
  return reason.test(why) ? null : `${name}'s reason "${why}" does not match ${reason}`
}
