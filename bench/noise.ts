/**
 * The figures of issue 7: how often no-regression cries wolf on noise, how often it catches a
 * real regression, how often a flaky check is allowed and named, and what a cached baseline
 * saves. Each rate is measured twice:
 * - through the whole gate (real subprocesses in real sandboxes whose values are drawn from a
 *   known distribution, seeded by QUORUM_SEED), for a modest number of trials, and
 * - through the same decision code (summarizeRepeats, compareMetrics, decideVerdict) on samples
 *   drawn in process, for many trials, so that a rate near 1% is measured with some precision.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { compareRuns, decideVerdict } from '../src/engine/compare.ts'
import { configInCode } from '../src/engine/config.ts'
import { compareMetrics } from '../src/engine/metrics.ts'
import { summarizeRepeats, type AttemptRun } from '../src/engine/repeats.ts'
import type { CheckReport, MetricSpec, RunResult, ShellCheckSpec } from '../src/engine/types.ts'
import { runGate } from '../src/gate.ts'
import { openResultCache } from '../src/cache/local-store.ts'
import { median, timed } from './stats.ts'

export const NOISE_TARGETS = {
  false_block_max: 0.01,
  catch_min: 0.95,
  flaky_allowed_min: 0.95,
  cached_ratio_max: 0.55,
} as const

export interface RateResult {
  /** What was measured, in words. */
  label: string
  gate: { trials: number; hits: number; rate: number }
  simulated: { trials: number; hits: number; rate: number }
}

export interface NoiseResults {
  noise: number
  tolerance: string
  repeats: number
  false_block: RateResult
  catch_rate: RateResult
  flaky: RateResult & {
    shown_flaky_when_retried: number
    /** In the gate trials: how often a run of the check failed (should be near 30%). */
    attempts_failed: number
  }
  /** Simulated only: a true 3% change, inside the 5% tolerance, called regressed. */
  near_tolerance: { trials: number; hits: number; rate: number }
  cached: { checks: number; both_ms: number; cached_baseline_ms: number; ratio: number }
}

const METRIC: MetricSpec = {
  name: 't',
  direction: 'lower',
  tolerance: { kind: 'relative', fraction: 0.05 },
  deterministic: false,
}

/**
 * A value drawn from N(mean, (0.03·mean)²), with the mean read from the tree's mean.txt: the
 * CRC-32 of QUORUM_SEED and the tree's name (the gate gives both trees the same seed; machine
 * noise is independent between them) gives two 16-bit uniforms, Box-Muller gives the normal
 * deviate. (awk's own srand/rand is not used: mawk's first rand() after srand(n) is far from
 * uniform over n.) Cheap enough to run thousands of times.
 */
const NOISY_COMMAND =
  'n=$(printf %s "$QUORUM_SEED$QUORUM_TREE" | cksum | cut -d" " -f1); m=$(cat mean.txt); ' +
  'awk -v n="$n" -v m="$m" \'BEGIN{u=(n%65536+0.5)/65536; v=(int(n/65536)+0.5)/65536; ' +
  'z=sqrt(-2*log(u))*cos(6.283185307*v); printf "t=%.5f\\n", m*(1+0.03*z)}\''

/** Fails 30% of runs: the CRC-32 of QUORUM_SEED (every retry gets a new seed), modulo 1000. */
const FLAKY_COMMAND =
  'n=$(printf %s "$QUORUM_SEED" | cksum | cut -d" " -f1); [ $((n % 1000)) -ge 300 ]'

export async function measureNoise(p: {
  work: string
  quick: boolean
  progress: (line: string) => void
}): Promise<NoiseResults> {
  const gateTrials = p.quick ? 10 : 100
  const simTrials = p.quick ? 2_000 : 20_000
  const repeats = 7
  const base = tree(p.work, 'base', '100')
  const same = tree(p.work, 'same', '100')
  const slower = tree(p.work, 'slower', '110')
  const noisy: ShellCheckSpec = {
    kind: 'shell',
    name: 'noisy',
    command: NOISY_COMMAND,
    timeout_s: 30,
    score_from: null,
    env: {},
    repeats,
    metrics: [METRIC],
  }
  const noisyConfig = configInCode({ mode: 'no-regression', checks: [noisy] })

  p.progress(`no-regression on no-change PRs: ${gateTrials} gate trials, ${simTrials} simulated`)
  let falseBlocks = 0
  for (let i = 0; i < gateTrials; i++) {
    const r = await runGate({
      config: noisyConfig,
      candidateDir: same,
      baselineDir: base,
      seed: seed(),
      logDir: join(p.work, 'logs'),
    })
    if (r.verdict === 'block') falseBlocks++
  }
  const simFalse = simulateMetric(simTrials, repeats, 0)

  p.progress(`no-regression on 10% slower PRs: ${gateTrials} gate trials, ${simTrials} simulated`)
  let caught = 0
  for (let i = 0; i < gateTrials; i++) {
    const r = await runGate({
      config: noisyConfig,
      candidateDir: slower,
      baselineDir: base,
      seed: seed(),
      logDir: join(p.work, 'logs'),
    })
    if (r.verdict === 'block' && r.checks[0]!.metrics?.[0]?.verdict === 'regressed') caught++
  }
  const simCaught = simulateMetric(simTrials, repeats, 0.1)
  const nearTolerance = simulateMetric(simTrials, repeats, 0.03)

  // Cheap trials (one run, sometimes two or three), so three times as many: the rate is near 97%,
  // where 100 trials still swing by a few points.
  const flakyTrials = gateTrials * 3
  p.progress(
    `a check failing 30% of runs, retries: 2: ${flakyTrials} gate trials, ${simTrials} simulated`,
  )
  const flakyConfig = configInCode({
    mode: 'pass-fail',
    checks: [
      {
        kind: 'shell',
        name: 'flaky',
        command: FLAKY_COMMAND,
        timeout_s: 30,
        score_from: null,
        env: {},
        retries: 2,
      },
    ],
  })
  let allowed = 0
  let retried = 0
  let shownFlaky = 0
  let attempts = 0
  let failedAttempts = 0
  for (let i = 0; i < flakyTrials; i++) {
    const r = await runGate({
      config: flakyConfig,
      candidateDir: same,
      seed: seed(),
      logDir: join(p.work, 'logs'),
    })
    const c = r.checks[0]!.candidate
    if (r.verdict === 'allow') allowed++
    attempts += c.attempts?.length ?? 1
    failedAttempts += (c.attempts ?? []).filter((a) => a.outcome !== 'PASSED').length
    if ((c.attempts?.length ?? 1) > 1) {
      // Named right: FLAKY when a retry passed, FAILED when none did.
      retried++
      const anyPassed = c.attempts!.some((a) => a.outcome === 'PASSED')
      if (c.outcome === (anyPassed ? 'FLAKY' : 'FAILED')) shownFlaky++
    }
  }
  const simFlaky = simulateFlaky(simTrials)

  p.progress('time to verdict: cached baseline against both trees')
  const cached = await measureCachedBaseline(p.work, p.quick)

  return {
    noise: 0.03,
    tolerance: '5%',
    repeats,
    false_block: {
      label: 'no-change PRs blocked (false block)',
      gate: rate(gateTrials, falseBlocks),
      simulated: simFalse,
    },
    catch_rate: {
      label: '10% slower PRs caught (regressed)',
      gate: rate(gateTrials, caught),
      simulated: simCaught,
    },
    flaky: {
      label: 'PRs with a 30%-flaky check allowed (retries: 2)',
      gate: rate(flakyTrials, allowed),
      simulated: simFlaky,
      shown_flaky_when_retried: retried === 0 ? 1 : shownFlaky / retried,
      attempts_failed: attempts === 0 ? 0 : failedAttempts / attempts,
    },
    near_tolerance: nearTolerance,
    cached,
  }
}

function tree(work: string, name: string, mean: string): string {
  const dir = join(work, 'noise', name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'mean.txt'), mean)
  return dir
}

function seed(): string {
  return randomBytes(4).toString('hex')
}

function rate(trials: number, hits: number) {
  return { trials, hits, rate: trials === 0 ? 0 : hits / trials }
}

/** The gate's decision on in-process samples: how often the metric comes out regressed. */
function simulateMetric(trials: number, repeats: number, shift: number) {
  let regressed = 0
  for (let i = 0; i < trials; i++) {
    const report = checkWith(samples(repeats, 100), samples(repeats, 100 * (1 + shift)))
    if (decideVerdict('no-regression', [report]).verdict === 'block') regressed++
  }
  return rate(trials, regressed)
}

/** A check report as the gate builds it, from samples, through the same functions. */
function checkWith(before: number[], after: number[]): CheckReport {
  const baseline = summarizeRepeats(
    before.map((v) => [passed(v)]),
    [METRIC],
  )
  const candidate = summarizeRepeats(
    after.map((v) => [passed(v)]),
    [METRIC],
  )
  return {
    name: 'noisy',
    kind: 'shell',
    baseline,
    candidate,
    ...compareRuns(baseline, candidate),
    reproduce: '',
    metrics: compareMetrics([METRIC], baseline, candidate),
  }
}

function passed(value: number | null, outcome: 'PASSED' | 'FAILED' = 'PASSED'): AttemptRun {
  const result: RunResult = {
    outcome,
    reason: outcome === 'PASSED' ? 'exited with code 0' : 'exited with code 1',
    score: null,
    duration_ms: 1,
    exit_code: outcome === 'PASSED' ? 0 : 1,
    signal: null,
    output: { head: '', tail: '', bytes: 0, truncated: false, log_path: null },
    seed: '',
    sandbox: 'overlay',
    ...(value === null ? {} : { metrics: { t: value } }),
  }
  return { result, started_at: '' }
}

function simulateFlaky(trials: number) {
  let allowed = 0
  for (let i = 0; i < trials; i++) {
    const attempts: AttemptRun[] = []
    for (let a = 0; a < 3; a++) {
      const ok = Math.random() >= 0.3
      attempts.push(passed(null, ok ? 'PASSED' : 'FAILED'))
      if (ok) break
    }
    const candidate = summarizeRepeats([attempts])
    const report: CheckReport = {
      name: 'flaky',
      kind: 'shell',
      baseline: null,
      candidate,
      ...compareRuns(null, candidate),
      reproduce: '',
      metrics: [],
    }
    if (decideVerdict('pass-fail', [report]).verdict === 'allow') allowed++
  }
  return rate(trials, allowed)
}

function samples(n: number, mean: number): number[] {
  return Array.from({ length: n }, () => {
    const z =
      Math.sqrt(-2 * Math.log(Math.random() + 1e-12)) * Math.cos(2 * Math.PI * Math.random())
    return mean * (1 + 0.03 * z)
  })
}

/**
 * (4) A suite of CPU-bound checks: both trees run, against the same PR whose baseline results
 * are in the cache (primed once, as the previous PR run on the same base would have).
 */
async function measureCachedBaseline(work: string, quick: boolean) {
  const checks = 4
  const loops = quick ? 2e6 : 6e6
  const config = configInCode({
    mode: 'pass-fail',
    checks: Array.from({ length: checks }, (_, i) => ({
      kind: 'shell' as const,
      name: `cpu${i + 1}`,
      command: `awk 'BEGIN{for(i=0;i<${loops};i++)s+=i*${i + 1}; print "sum=" s}'`,
      timeout_s: 120,
      score_from: null,
      env: {},
    })),
  })
  const base = tree(work, 'cpu-base', '1')
  const cache = openResultCache(join(work, 'cache'))
  const cacheOptions = {
    store: cache,
    origin: () => ({ cache: 'local' as const, location: 'bench' }),
  }
  // Prime: the previous PR on this base stored the baseline's results.
  await runGate({
    config,
    candidateDir: base,
    cache: cacheOptions,
    seed: seed(),
    logDir: join(work, 'logs'),
  })
  const reps = quick ? 1 : 3
  const both: number[] = []
  const cachedRuns: number[] = []
  for (let i = 0; i < reps; i++) {
    // A new candidate every time, so only the baseline can come from the cache.
    const candidate = tree(work, `cpu-cand-${i}`, String(i + 2))
    both.push(
      (
        await timed(() =>
          runGate({
            config,
            candidateDir: candidate,
            baselineDir: base,
            seed: seed(),
            logDir: join(work, 'logs'),
          }),
        )
      ).ms,
    )
    const again = tree(work, `cpu-cand-b-${i}`, String(i + 100))
    const { ms, value } = await timed(() =>
      runGate({
        config,
        candidateDir: again,
        baselineDir: base,
        cache: cacheOptions,
        seed: seed(),
        logDir: join(work, 'logs'),
      }),
    )
    if (!value.checks.every((c) => c.baseline?.reused_from)) {
      throw new Error('the baseline was not reused from the cache')
    }
    cachedRuns.push(ms)
  }
  const bothMs = median(both)
  const cachedMs = median(cachedRuns)
  return { checks, both_ms: bothMs, cached_baseline_ms: cachedMs, ratio: cachedMs / bothMs }
}
