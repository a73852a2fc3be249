// `npm run example`: the three verifications of the example, in a row, through the CLI.
//
//   examples/candidate_fixed   -> allowed
//   examples/live              -> blocked by its two real bugs (lost updates, split tool pair)
//   examples/candidate_broken  -> blocked by a TIMEOUT (a deadlock), and the gate survives it
//
// Uses the bundled CLI (dist/cli/index.js, plain node, no node_modules) when it exists, else the
// sources (node src/bin/quorum.ts). Outcomes are read from the JSON reports, never from text.
// Extra arguments are passed to every run, e.g. `npm run example -- --sandbox copy`.
// Exit code 0 iff all three outcomes are the expected ones.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const reportDir = join(root, '.quorum', 'example')
// Far above what the example needs (seconds); only a hung gate would reach it.
const GATE_TIMEOUT_MS = 300_000

const cli = ['dist/cli/index.js', 'src/bin/quorum.ts', 'src/cli/run-cli.ts'].find((p) =>
  existsSync(join(root, p)),
)
if (!cli) {
  console.error('example: no CLI found (dist/cli/index.js or src/bin/quorum.ts)')
  process.exit(2)
}

const runs = [
  {
    candidate: 'candidate_fixed',
    expected: 'allowed',
    judge: (report) => expectVerdict(report, 'allow'),
  },
  {
    candidate: 'live',
    expected: 'blocked by both real bugs',
    judge: (report) =>
      expectVerdict(report, 'block') ??
      expectCheck(report, 'no_lost_updates', 'FAILED', /lost \d+ of \d+ updates/) ??
      expectCheck(
        report,
        'never_splits_tool_pairs',
        'FAILED',
        /tool_result \S+ without its tool_use/,
      ),
  },
  {
    candidate: 'candidate_broken',
    expected: 'blocked with TIMEOUT',
    judge: (report) =>
      expectVerdict(report, 'block') ??
      (report.checks.some((c) => c.candidate.outcome === 'TIMEOUT') ? null : 'no check timed out'),
  },
]

rmSync(reportDir, { recursive: true, force: true })
mkdirSync(reportDir, { recursive: true })
const extraArgs = process.argv.slice(2)
const summary = []
for (const run of runs) {
  const jsonPath = join(reportDir, `${run.candidate}.json`)
  const args = [
    cli,
    'verify',
    '--candidate',
    `examples/${run.candidate}`,
    '--config',
    'examples/quorum.yml',
    '--json',
    relative(root, jsonPath),
    '--log-dir',
    relative(root, join(reportDir, 'logs', run.candidate)),
    ...extraArgs,
  ]
  console.log(`\n$ node ${args.join(' ')}\n`)
  const child = spawnSync(process.execPath, args, {
    cwd: root,
    stdio: 'inherit',
    timeout: GATE_TIMEOUT_MS,
  })
  summary.push({ run, ...judgeRun(run, child, jsonPath) })
}

console.log('\nSummary')
for (const { run, ok, got } of summary) {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'}  ${run.candidate.padEnd(17)} ${got}`)
  if (!ok) console.log(`${' '.repeat(26)}expected: ${run.expected}`)
}
console.log(
  `Reports: ${relative(root, reportDir)}/*.json; full logs of the runs that did not pass: ${relative(root, reportDir)}/logs/`,
)
const allOk = summary.every((s) => s.ok)
console.log(allOk ? 'All three outcomes are as expected.' : 'Some outcomes are not as expected.')
process.exit(allOk ? 0 : 1)

/** What one CLI run produced, and whether it is what the example expects. */
function judgeRun(run, child, jsonPath) {
  if (child.error) return { ok: false, got: `the gate did not finish: ${child.error.message}` }
  if (child.signal) return { ok: false, got: `the gate died by ${child.signal}` }
  if (!existsSync(jsonPath)) {
    return { ok: false, got: `exit code ${child.status} and no JSON report` }
  }
  const report = JSON.parse(readFileSync(jsonPath, 'utf8'))
  const got = describeReport(report, child.status)
  const expectedCode = report.verdict === 'allow' ? 0 : 1
  if (child.status !== expectedCode) {
    return { ok: false, got: `${got}; but exit code ${child.status}, not ${expectedCode}` }
  }
  const problem = run.judge(report)
  return problem ? { ok: false, got: `${got}; ${problem}` } : { ok: true, got }
}

function describeReport(report, exitCode) {
  const verdict = report.verdict === 'allow' ? 'allowed' : 'blocked'
  const notPassed = report.checks
    .filter((c) => c.candidate.outcome !== 'PASSED')
    .map((c) => `${c.name} ${c.candidate.outcome}: ${c.candidate.reason}`)
  return [`${verdict} (exit ${exitCode})`, ...notPassed].join(`\n${' '.repeat(26)}`)
}

function expectVerdict(report, verdict) {
  return report.verdict === verdict ? null : `verdict ${report.verdict}, expected ${verdict}`
}

function expectCheck(report, name, outcome, reasonPattern) {
  const check = report.checks.find((c) => c.name === name)
  if (!check) return `no check named ${name} in the report`
  const { outcome: got, reason } = check.candidate
  if (got !== outcome) return `${name} was ${got} (${reason}), expected ${outcome}`
  if (!reasonPattern.test(reason))
    return `${name}'s reason "${reason}" does not match ${reasonPattern}`
  return null
}
