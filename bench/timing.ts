/**
 * The figures of issue 16: real timings of a real CPU-bound check (a loop whose length comes from
 * a file, about 150 ms), judged by the whole gate on this machine, each over 20 PRs or more:
 * - identical trees: how often blocked (target: at most 1 in 100);
 * - a 40% slower loop: how often caught (target: at least 95%);
 * - a 15% slower loop with `repeats: auto`: how often caught (target: at least 90%);
 * - the samples' coefficient of variation, median over every tree of every PR (target ≤ 5%).
 * The same PRs are judged by the gate as it was before the timed phase (the previous commit's
 * source, `--parallel 2`, unpinned), so the ratio shows; and everything runs twice, the second
 * time while another process keeps one core busy.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { configInCode } from '../src/engine/config.ts'
import { sequentialDesign } from '../src/engine/sequential.ts'
import { compareMetric } from '../src/engine/stats.ts'
import type { Report, ShellCheckSpec } from '../src/engine/types.ts'
import { runGate } from '../src/gate.ts'
import { median } from './stats.ts'

export const TIMING_TARGETS = {
  false_block_max: 0.01,
  catch_40_min: 0.95,
  catch_15_auto_min: 0.9,
  median_cv_max: 0.05,
} as const

/** One scenario over its PRs. */
export interface TimingRate {
  prs: number
  hits: number
  rate: number
  /** Median over every tree of every PR of the loop timings' coefficient of variation. */
  median_cv: number
  /** Median wall time of one gate, in ms. */
  gate_ms: number
  /** Median repeats per tree (more than 9 only with repeats: auto). */
  repeats: number
}

export interface TimingRun {
  identical: TimingRate
  slower_40: TimingRate
  slower_15_auto: TimingRate
  /** The gate before the timed phase (previous commit, parallel 2, unpinned); null if absent. */
  before: { identical: TimingRate; slower_40: TimingRate } | null
  cpu: number | null
  noise_pct: number | null
}

/**
 * The sequential design's promise, on simulated samples: under no change at all, with a
 * tolerance of 0 (so no look can say unchanged and every trial takes every look), how often any
 * look says regressed, with the design's α spending and with a naive 1% at every look.
 */
export interface SequentialSimulation {
  trials: number
  looks: number[]
  noise: number
  spending: { hits: number; rate: number }
  naive: { hits: number; rate: number }
}

export interface TimingResults {
  /** Simulated: the adaptive repeats' false-block rate against looking naively. */
  sequential_simulation: SequentialSimulation
  loop_iterations: number
  quiet: TimingRun
  /** The same while another process keeps one core busy. */
  loaded: TimingRun
  /** The source the "before" figures ran (a commit), or why there are none. */
  before_source: string
}

/** The loop: n iterations from n.txt, timed inside the run (no process start in the figure). */
const LOOP =
  "const n = Number(require('fs').readFileSync('n.txt', 'utf8')); const t = process.hrtime.bigint(); " +
  'let x = 0; for (let i = 0; i < n; i++) x = (x * 31 + i) % 1000003; ' +
  "console.log('loop_ms=' + Number(process.hrtime.bigint() - t) / 1e6, x)"

type RunGate = (options: Parameters<typeof runGate>[0]) => Promise<Report>

export async function measureTiming(p: {
  work: string
  quick: boolean
  repo: string
  progress: (line: string) => void
}): Promise<TimingResults> {
  const prs = p.quick ? 4 : 20
  const trials = p.quick ? 200 : 8000
  p.progress(`adaptive repeats under no change: ${trials} simulated PRs, 5 looks each`)
  const simulation = simulateSequential(trials)
  const n = calibrateLoop()
  const trees = {
    base: tree(p.work, 'base', n),
    same: tree(p.work, 'same', n),
    slower40: tree(p.work, 'slower40', Math.round(n * 1.4)),
    slower15: tree(p.work, 'slower15', Math.round(n * 1.15)),
  }
  const before = await previousGate(p.work, p.repo)
  const runOnce = async (label: string): Promise<TimingRun> => {
    p.progress(`${label}: identical trees, ${prs} PRs`)
    const identical = await scenario(runGate, trees.base, trees.same, prs, 9, null, 'block')
    p.progress(`${label}: a 40% slower loop, ${prs} PRs`)
    const slower40 = await scenario(runGate, trees.base, trees.slower40, prs, 9, null, 'regressed')
    p.progress(`${label}: a 15% slower loop, repeats: auto, ${prs} PRs`)
    const slower15 = await scenario(runGate, trees.base, trees.slower15, prs, 9, 45, 'regressed')
    let old: TimingRun['before'] = null
    if (before.gate) {
      p.progress(`${label}: the gate before the timed phase, identical and 40% slower`)
      old = {
        identical: (await scenario(before.gate, trees.base, trees.same, prs, 9, null, 'block', 2))
          .rate,
        slower_40: (
          await scenario(before.gate, trees.base, trees.slower40, prs, 9, null, 'regressed', 2)
        ).rate,
      }
    }
    return {
      identical: identical.rate,
      slower_40: slower40.rate,
      slower_15_auto: slower15.rate,
      before: old,
      cpu: identical.last?.timing?.cpu ?? null,
      noise_pct: identical.last?.timing?.noise_pct ?? null,
    }
  }
  const quiet = await runOnce('quiet')
  const busy = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' })
  let loaded: TimingRun
  try {
    loaded = await runOnce('one core kept busy')
  } finally {
    busy.kill('SIGKILL')
  }
  return {
    sequential_simulation: simulation,
    loop_iterations: n,
    quiet,
    loaded,
    before_source: before.source,
  }
}

/** See SequentialSimulation. Samples are N(100, 5²) for both trees, drawn in process. */
export function simulateSequential(trials: number): SequentialSimulation {
  const design = sequentialDesign(9, 45)
  const noise = 0.05
  const spec = {
    direction: 'lower' as const,
    tolerance: { kind: 'relative' as const, fraction: 0 },
    deterministic: false,
  }
  let state = 12345
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return (state + 0.5) / 2 ** 32
  }
  const draw = () =>
    100 * (1 + noise * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()))
  let spending = 0
  let naive = 0
  for (let t = 0; t < trials; t++) {
    const base = Array.from({ length: 45 }, draw)
    const cand = Array.from({ length: 45 }, draw)
    let spent = false
    let looked = false
    design.looks.forEach((n, k) => {
      const b = base.slice(0, n)
      const c = cand.slice(0, n)
      if (!spent && compareMetric(b, c, spec, 1 - design.alphas[k]!).verdict === 'regressed') {
        spent = true
      }
      if (!looked && compareMetric(b, c, spec, 0.99).verdict === 'regressed') looked = true
    })
    if (spent) spending++
    if (looked) naive++
  }
  return {
    trials,
    looks: design.looks,
    noise,
    spending: { hits: spending, rate: spending / trials },
    naive: { hits: naive, rate: naive / trials },
  }
}

/** The loop length that takes about 150 ms here, pinned (a few tries of 1e7 iterations). */
function calibrateLoop(): number {
  const probe = 10_000_000
  const ms: number[] = []
  for (let i = 0; i < 3; i++) {
    const r = spawnSync(
      'taskset',
      [
        '-c',
        '0',
        process.execPath,
        '-e',
        LOOP.replace("Number(require('fs').readFileSync('n.txt', 'utf8'))", String(probe)),
      ],
      { encoding: 'utf8' },
    )
    const m = /loop_ms=([\d.]+)/.exec(r.stdout)
    if (m) ms.push(Number(m[1]))
  }
  if (ms.length === 0) return 20_000_000
  return Math.round((probe * 150) / median(ms))
}

function tree(work: string, name: string, n: number): string {
  const dir = join(work, 'timing', name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'n.txt'), String(n))
  return dir
}

async function scenario(
  gate: RunGate,
  baseline: string,
  candidate: string,
  prs: number,
  repeats: number,
  maxRepeats: number | null,
  hit: 'block' | 'regressed',
  parallel?: number,
): Promise<{ rate: TimingRate; last: Report | null }> {
  const check: ShellCheckSpec = {
    kind: 'shell',
    name: 'loop',
    command: `node -e "${LOOP}"`,
    timeout_s: 60,
    score_from: null,
    env: {},
    repeats,
    ...(maxRepeats !== null ? { max_repeats: maxRepeats } : {}),
    metrics: [
      {
        name: 'loop_ms',
        direction: 'lower',
        tolerance: { kind: 'relative', fraction: 0.1 },
        deterministic: false,
      },
    ],
  }
  const config = configInCode({ mode: 'no-regression', checks: [check] })
  let hits = 0
  const cvs: number[] = []
  const times: number[] = []
  const counts: number[] = []
  let last: Report | null = null
  for (let i = 0; i < prs; i++) {
    const started = Date.now()
    const report = await gate({
      config,
      baselineDir: baseline,
      candidateDir: candidate,
      ...(parallel ? { parallel } : {}),
    } as Parameters<typeof runGate>[0])
    times.push(Date.now() - started)
    last = report
    const metric = report.checks[0]?.metrics?.[0]
    if (hit === 'block' ? report.verdict === 'block' : metric?.verdict === 'regressed') hits++
    for (const side of [metric?.baseline?.samples, metric?.candidate?.samples]) {
      if (side && side.length > 1) cvs.push(cv(side))
    }
    counts.push(metric?.candidate.samples.length ?? 0)
  }
  return {
    rate: {
      prs,
      hits,
      rate: hits / prs,
      median_cv: cvs.length > 0 ? median(cvs) : NaN,
      gate_ms: median(times),
      repeats: median(counts),
    },
    last,
  }
}

function cv(samples: readonly number[]): number {
  const mean = samples.reduce((s, v) => s + v, 0) / samples.length
  const sd = Math.sqrt(samples.reduce((s, v) => s + (v - mean) ** 2, 0) / (samples.length - 1))
  return sd / mean
}

/**
 * runGate as it was before the timed phase: the source of the last commit that did not have it
 * (git archive into the work directory, with this checkout's node_modules).
 */
async function previousGate(
  work: string,
  repo: string,
): Promise<{ gate: RunGate | null; source: string }> {
  const log = spawnSync('git', ['log', '--format=%H', '-1', '--', 'src/gate/timed-phase.ts'], {
    cwd: repo,
    encoding: 'utf8',
  })
  const added = log.stdout.trim()
  const rev = added ? `${added}~1` : 'HEAD'
  const dir = join(work, 'before')
  mkdirSync(dir, { recursive: true })
  const archive = spawnSync(
    'sh',
    ['-c', `git archive ${rev} src package.json | tar -x -C ${dir}`],
    {
      cwd: repo,
      encoding: 'utf8',
    },
  )
  if (archive.status !== 0) return { gate: null, source: `none: ${archive.stderr.trim()}` }
  const sha = spawnSync('git', ['rev-parse', '--short', rev], { cwd: repo, encoding: 'utf8' })
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'))
  const mod = (await import(pathToFileURL(join(dir, 'src', 'gate.ts')).href)) as {
    runGate: RunGate
  }
  return { gate: mod.runGate, source: sha.stdout.trim() }
}
