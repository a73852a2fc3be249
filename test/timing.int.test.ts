// The timed phase on this machine, through the CLI: real runs, real sched affinity, real cgroup
// CPU accounting. What is asserted is where runs ran and that CPU time was counted, never how
// long anything took (the machine may be loaded).
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import type { Report } from '../src/engine/types.ts'

const CLI = join(import.meta.dirname, '..', 'src', 'bin', 'quorum.ts')
const root = mkdtempSync(join(tmpdir(), 'quorum-timing-'))
after(() => spawnSync('rm', ['-rf', root]))

/** The CPUs this process may use, as `nproc` counts them (it follows sched affinity). */
const cpus = availableParallelism()
const linux = process.platform === 'linux'
const root_ = process.getuid?.() === 0

let count = 0
function tree(files: Record<string, string>): string {
  const dir = join(root, `tree-${++count}`)
  mkdirSync(dir, { recursive: true })
  for (const [path, content] of Object.entries(files)) writeFileSync(join(dir, path), content)
  return dir
}

function verify(config: string, trees: { baseline: string; candidate: string }) {
  const file = join(root, `config-${++count}.yml`)
  writeFileSync(file, config)
  const json = join(root, `report-${count}.json`)
  const r = spawnSync(
    process.execPath,
    [
      CLI,
      'verify',
      '--baseline',
      trees.baseline,
      '--candidate',
      trees.candidate,
      '--config',
      file,
      '--json',
      json,
      '--no-cache',
      '--quiet',
    ],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: join(root, 'xdg') },
      timeout: 240_000,
      killSignal: 'SIGKILL',
    },
  )
  const report = JSON.parse(readFileSync(json, 'utf8')) as Report
  return { ...r, report }
}

// `cpus` is how many CPUs the run may use (nproc follows sched affinity), `cpu` which one (not a
// number, so the run is ERROR, when it may use several); then a loop burns CPU for a fixed count
// of iterations, so that the run has CPU time to count.
const BENCH = [
  'echo cpus=$(nproc)',
  'echo cpu=$(grep Cpus_allowed_list /proc/self/status | cut -f2)',
  'i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done',
].join('; ')

const CONFIG = `
mode: no-regression
parallel: 2
checks:
  - name: wide
    command: test "$(nproc)" -eq ${cpus}
  - name: bench
    command: '${BENCH}'
    repeats: 3
    metrics:
      cpus: { direction: lower, tolerance: 0 }
      cpu: { direction: lower, tolerance: 0 }
      cpu_ms: { direction: lower, tolerance: 50%, source: cpu }
`

describe(
  'timed runs on this machine',
  { skip: !linux || cpus < 2 ? 'needs Linux and 2 CPUs' : false },
  () => {
    test('run pinned to one CPU, the others do not, and the report says which CPU', () => {
      const baseline = tree({ 'a.txt': 'a' })
      const candidate = tree({ 'a.txt': 'b' })
      const r = verify(CONFIG, { baseline, candidate })
      const bench = r.report.checks.find((c) => c.name === 'bench')!
      const wide = r.report.checks.find((c) => c.name === 'wide')!
      assert.equal(
        wide.candidate.outcome,
        'PASSED',
        `an untimed run was pinned: ${wide.candidate.reason}`,
      )
      const pinned = bench.metrics!.find((m) => m.name === 'cpus')!
      assert.deepEqual(
        pinned.candidate.samples,
        [1, 1, 1],
        'a timed run could use more than one CPU',
      )
      assert.deepEqual(pinned.baseline?.samples, [1, 1, 1])
      // Every timed run on the CPU the report names, one this process may use.
      const chosen = r.report.timing?.cpu
      assert.ok(typeof chosen === 'number' && chosen >= 0 && chosen < cpus, String(chosen))
      const where = bench.metrics!.find((m) => m.name === 'cpu')!
      assert.deepEqual(where.candidate.samples, [chosen, chosen, chosen])
      assert.deepEqual(where.baseline?.samples, [chosen, chosen, chosen])
      assert.equal(r.report.timing?.alone, true)
      assert.ok(
        r.report.notices.some((n) => n.startsWith(`Timed runs ran alone, pinned to CPU ${chosen}`)),
        r.report.notices.join('\n'),
      )
      assert.equal(r.report.timing?.calibration_ms.length, 7)
      const noise = r.report.timing?.noise_pct
      assert.ok(typeof noise === 'number' && Number.isFinite(noise) && noise >= 0, String(noise))
      assert.equal(r.report.timing?.calibration_error, null)
    })

    test(
      'a cpu metric is the CPU time its cgroup counted',
      { skip: root_ ? false : 'cgroups here need root' },
      () => {
        const baseline = tree({ 'a.txt': 'a' })
        const candidate = tree({ 'a.txt': 'b' })
        const r = verify(CONFIG, { baseline, candidate })
        const bench = r.report.checks.find((c) => c.name === 'bench')!
        assert.equal(bench.candidate.outcome, 'PASSED', bench.candidate.reason)
        const cpu = bench.metrics!.find((m) => m.name === 'cpu_ms')!
        assert.equal(cpu.candidate.samples.length, 3)
        assert.equal(cpu.baseline?.samples.length, 3)
        // A shell loop of 30,000 iterations burns CPU time; a run that counted nothing would be 0.
        assert.ok(
          cpu.candidate.samples.every((ms) => ms > 0),
          String(cpu.candidate.samples),
        )
      },
    )
  },
)
