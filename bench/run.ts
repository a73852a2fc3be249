/**
 * `npm run bench`: the figures the README quotes, measured on this machine. A benchmark, not a
 * test: it prints a markdown table and writes bench/results.json, and exits 0 whether or not a
 * target is met (a missed target is shown as such, not hidden behind a failure).
 *
 *   node bench/run.ts [--quick] [--only overhead,sandbox,parallel,rss,noise,timing,shards,audit] [--out FILE]
 *
 * --quick runs fewer repetitions and smaller trees, for checking the benchmark itself; its
 * figures are not worth quoting and it writes no results file unless --out is given.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import type { GateConfig, Report, SandboxKind, ShellCheckSpec } from '../src/engine/types.ts'
import { configInCode } from '../src/engine/config.ts'
import { runGate } from '../src/gate.ts'
import {
  createSandboxProvider,
  detectSandbox,
  removeTree,
  runInSandbox,
} from '../src/run/sandbox.ts'
import { createWorkspace } from '../src/run/workspace.ts'
import { writeFileTree } from './file-tree.ts'
import { measureNoise, NOISE_TARGETS, type NoiseResults } from './noise.ts'
import { measureShards, type ShardResults } from './shards.ts'
import { measureTiming, TIMING_TARGETS, type TimingResults, type TimingRate } from './timing.ts'
import { AUDIT_TARGETS, measureAudit, type AuditResults } from './audit.ts'
import { describeMachine, formatMachine, type MachineInfo } from './machine.ts'
import { median, quantile, sample, timed } from './stats.ts'

const here = dirname(fileURLToPath(import.meta.url))
const repo = dirname(here)

/** The targets the README states; each row of the table says whether it was met. */
const TARGETS = {
  overhead_ms: 10,
  overlay_vs_cp_percent: 5,
  flood_peak_rss_mib: 150,
} as const

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string' },
  },
})
const quick = values.quick === true
const sections = new Set(
  (values.only ?? 'overhead,sandbox,parallel,rss,noise,timing,shards,audit')
    .split(',')
    .map((s) => s.trim()),
)
const outFile = values.out ?? (quick || values.only ? null : join(here, 'results.json'))

interface OverheadResult {
  sandbox: SandboxKind
  runs: number
  gate_median_ms: number
  gate_p90_ms: number
  direct_median_ms: number
  direct_p90_ms: number
  overhead_median_ms: number
}

interface SandboxTiming {
  files: number
  reps: number
  cp_a_median_ms: number
  kinds: Array<{
    kind: SandboxKind
    /** Sandbox made and a first command (/bin/true) run in it: for overlay, the mount too. */
    ready_median_ms: number
    /** `enter` alone: overlay = directories; copy = the whole copy. */
    enter_median_ms: number
    remove_median_ms: number
    percent_of_cp_a: number
  }>
}

interface ParallelResult {
  checks: number
  sleep_s: number
  runs: Array<{ parallel: number; label: string; wall_ms: number; ideal_ms: number }>
}

interface PeakRssResult {
  /** VmHWM of the gate process at exit, KiB (Linux). */
  vmhwm_kib: number | null
  /** process.resourceUsage().maxRSS of the gate process, KiB. */
  max_rss_kib: number
  peak_mib: number
  sandbox: SandboxKind
  outcome: string
  reason: string
  bytes_printed: number
  truncated: boolean
  duration_ms: number
}

interface FloodResult {
  /** Which build of the CLI was measured. */
  gate_entry: string
  printed_mb: number
  idle: PeakRssResult
  flood: PeakRssResult
}

interface Results {
  generated_at: string
  quick: boolean
  machine: MachineInfo
  targets: typeof TARGETS
  overhead: OverheadResult[] | null
  sandbox_creation: SandboxTiming[] | null
  sandbox_unavailable: Partial<Record<SandboxKind, string>>
  parallel: ParallelResult | null
  flood: FloodResult | null
  noise: NoiseResults | null
  timing: TimingResults | null
  shards: ShardResults | null
  audit: AuditResults | null
  /** 1-minute load average when the benchmark ended. */
  load_at_end: number | null
}

const work = mkdtempSync(join(tmpdir(), 'quorum-bench-'))
const machine = describeMachine()
const results: Results = {
  generated_at: new Date().toISOString(),
  quick,
  machine,
  targets: TARGETS,
  overhead: null,
  sandbox_creation: null,
  sandbox_unavailable: {},
  parallel: null,
  flood: null,
  noise: null,
  timing: null,
  shards: null,
  audit: null,
  load_at_end: null,
}

try {
  console.log(formatMachine(machine))
  const kinds = await availableKinds(results.sandbox_unavailable)
  const smallTree = join(work, 'small-tree')
  writeFileTree(smallTree, 20)

  if (sections.has('overhead')) {
    results.overhead = []
    for (const kind of kinds) results.overhead.push(await measureOverhead(kind, smallTree))
  }
  if (sections.has('sandbox')) results.sandbox_creation = await measureSandboxes(kinds)
  if (sections.has('parallel')) results.parallel = await measureParallel(smallTree)
  if (sections.has('rss')) results.flood = await measureFlood(smallTree)
  if (sections.has('noise')) results.noise = await measureNoise({ work, quick, progress })
  if (sections.has('timing')) {
    results.timing = await measureTiming({ work, quick, repo, progress })
  }
  if (sections.has('shards')) results.shards = await measureShards({ work, quick, progress })
  if (sections.has('audit')) {
    if (kinds.includes('overlay')) results.audit = await measureAudit({ work, quick, progress })
    else progress('audit: skipped, no overlay sandboxes on this machine')
  }

  console.log()
  results.load_at_end = loadavg()[0] ?? 0
  console.log(renderTable(results))
  console.log(
    `\nLoad average ${machine.load_at_start.toFixed(2)} at start, ${results.load_at_end.toFixed(2)} at end ` +
      `on ${machine.cores} cores: on a shared machine, timings vary with what else runs.`,
  )
  if (outFile) {
    writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`)
    console.log(`\nResults written to ${outFile}`)
  }
} finally {
  await removeTree(work)
}

/** Which sandbox kinds this machine offers; why a kind is missing goes into the results. */
async function availableKinds(unavailable: Results['sandbox_unavailable']): Promise<SandboxKind[]> {
  const kinds: SandboxKind[] = []
  try {
    await detectSandbox(work, 'overlay')
    kinds.push('overlay')
  } catch (error) {
    unavailable.overlay = error instanceof Error ? error.message : String(error)
    progress(`overlay sandboxes unavailable: ${unavailable.overlay}`)
  }
  kinds.push('copy')
  return kinds
}

function progress(line: string): void {
  process.stderr.write(`bench: ${line}\n`)
}

/**
 * (1) What the gate's run layer adds to one shell check: a fresh sandbox, the allowlisted
 * environment, process-group containment, output capture and log file, against spawning the
 * same `/bin/sh -c true` directly with piped output.
 */
async function measureOverhead(kind: SandboxKind, tree: string): Promise<OverheadResult> {
  const runs = quick ? 8 : 30
  progress(`per-check overhead, ${kind} sandbox, ${runs} runs each`)
  const spec: ShellCheckSpec = {
    kind: 'shell',
    name: 'noop',
    command: 'true',
    timeout_s: 30,
    score_from: null,
    env: {},
  }
  const runOptions = { seed: 'bench', envPassthrough: [], env: {} }
  const workspace = await createWorkspace({
    baseDir: join(work, `overhead-${kind}`),
    logDir: join(work, `overhead-${kind}-logs`),
    sandbox: kind,
    parentEnv: process.env,
  })
  let gate: number[]
  try {
    const prepared = await workspace.prepareTree('candidate', tree, null, runOptions)
    gate = await sample(
      runs,
      async () => {
        const result = await workspace.runCheck(prepared.tree, spec, runOptions)
        if (result.outcome !== 'PASSED') {
          throw new Error(`the noop check was ${result.outcome}: ${result.reason}`)
        }
      },
      3,
    )
  } finally {
    await workspace.dispose()
  }
  const direct = await sample(runs, () => spawnAndWait('/bin/sh', ['-c', 'true'], tree), 3)
  return {
    sandbox: kind,
    runs,
    gate_median_ms: median(gate),
    gate_p90_ms: quantile(gate, 0.9),
    direct_median_ms: median(direct),
    direct_p90_ms: quantile(direct, 0.9),
    overhead_median_ms: median(gate) - median(direct),
  }
}

function spawnAndWait(file: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.resume()
    child.stderr.resume()
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${file} ${args.join(' ')} exited ${code}`)),
    )
  })
}

/**
 * (2) Making one sandbox of trees of 1k, 10k and 50k files, per kind, against `cp -a` of the
 * same tree. "Ready" = the sandbox made and a first command (/bin/true) run in it, so overlay
 * pays for its namespace and mount too. The contenders take turns within each repetition (in
 * rotating order) after a `sync`, so none of them pays for the others' pending writeback.
 */
async function measureSandboxes(kinds: SandboxKind[]): Promise<SandboxTiming[]> {
  const sizes = quick
    ? [{ files: 1_000, reps: 3 }]
    : [
        { files: 1_000, reps: 7 },
        { files: 10_000, reps: 5 },
        { files: 50_000, reps: 3 },
      ]
  const timings: SandboxTiming[] = []
  for (const { files, reps } of sizes) {
    progress(`sandbox creation, ${files} files, ${reps} reps`)
    const tree = join(work, `tree-${files}`)
    writeFileTree(tree, files)
    const providers = kinds.map((kind) =>
      createSandboxProvider({ kind, dir: join(work, `sb-${kind}-${files}`) }),
    )
    const cpTimes: number[] = []
    const perKind = kinds.map(() => ({
      ready: [] as number[],
      enter: [] as number[],
      remove: [] as number[],
    }))
    try {
      const contenders: Array<() => Promise<void>> = [
        async () => {
          const target = join(work, `cp-${files}`)
          cpTimes.push((await timed(() => spawnAndWait('cp', ['-a', tree, target], work))).ms)
          await removeTree(target)
        },
        ...providers.map((provider, k) => async () => {
          const times = perKind[k]!
          const start = process.hrtime.bigint()
          const sb = await provider.enter(provider.prepare(tree))
          const entered = process.hrtime.bigint()
          const r = await runInSandbox(sb, ['/bin/true'])
          const done = process.hrtime.bigint()
          if (r.code !== 0) {
            throw new Error(
              `/bin/true in a ${provider.kind} sandbox: ${r.signal ?? r.code} ${r.stderr}`,
            )
          }
          times.enter.push(Number(entered - start) / 1e6)
          times.ready.push(Number(done - start) / 1e6)
          times.remove.push((await timed(() => sb.remove())).ms)
        }),
      ]
      for (let rep = 0; rep < reps; rep++) {
        for (let i = 0; i < contenders.length; i++) {
          await spawnAndWait('sync', [], work)
          await contenders[(rep + i) % contenders.length]!()
        }
      }
    } finally {
      await Promise.all(providers.map((p) => p.dispose()))
    }
    const cpMedian = median(cpTimes)
    timings.push({
      files,
      reps,
      cp_a_median_ms: cpMedian,
      kinds: kinds.map((kind, k) => {
        const times = perKind[k]!
        return {
          kind,
          ready_median_ms: median(times.ready),
          enter_median_ms: median(times.enter),
          remove_median_ms: median(times.remove),
          percent_of_cp_a: (median(times.ready) / cpMedian) * 100,
        }
      }),
    })
    await removeTree(tree)
  }
  return timings
}

/** (3) Six checks that each sleep one second, through the whole gate. */
async function measureParallel(tree: string): Promise<ParallelResult> {
  const checks = 6
  const sleepS = 1
  const config: GateConfig = configInCode({
    checks: Array.from({ length: checks }, (_, i) => ({
      kind: 'shell' as const,
      name: `sleep${i + 1}`,
      command: `sleep ${sleepS}`,
      timeout_s: 30,
      score_from: null,
      env: {},
    })),
  })
  const result: ParallelResult = { checks, sleep_s: sleepS, runs: [] }
  const settings: Array<{ parallel: number | null; label: string }> = [
    { parallel: null, label: `default (cores = ${machine.cores})` },
    { parallel: checks, label: `parallel = ${checks}` },
  ]
  for (const { parallel, label } of settings) {
    progress(`${checks} x sleep ${sleepS} through the gate, ${label}`)
    const effective = parallel ?? machine.cores
    const { ms, value: report } = await timed(() =>
      runGate({
        config,
        candidateDir: tree,
        parallel,
        seed: 'bench',
        logDir: join(work, `parallel-${effective}-logs`),
      }),
    )
    if (report.verdict !== 'allow') {
      throw new Error(`sleep checks were blocked: ${report.reasons.join('; ')}`)
    }
    result.runs.push({
      parallel: effective,
      label,
      wall_ms: ms,
      ideal_ms: Math.ceil(checks / effective) * sleepS * 1000,
    })
  }
  return result
}

/**
 * (4) The gate's own peak RSS while one check prints 600 MB. The gate runs as users run it, the
 * CLI in a process of its own (bundled, as shipped: running from sources would add the
 * TypeScript stripper's memory to the figure), with a preloaded hook that reports the process's
 * VmHWM at exit. Measured twice: with a silent check (the floor) and with the flood.
 */
async function measureFlood(tree: string): Promise<FloodResult> {
  const printedMb = quick ? 100 : 600
  const entry = await gateEntry()
  progress(`gate peak RSS (${entry.label}), silent check, then a check printing ${printedMb} MB`)
  const idle = await peakRssOfGate(entry.path, 'true', tree, 'idle')
  // 100-byte lines, like a test runner gone wild; `yes` keeps the printing cost off the gate.
  const flood = `yes '${'x'.repeat(99)}' | head -c ${printedMb * 1_000_000}`
  const flooded = await peakRssOfGate(entry.path, flood, tree, 'flood')
  return { gate_entry: entry.label, printed_mb: printedMb, idle, flood: flooded }
}

/** The CLI to measure: dist/ when built, else a bundle of the current sources made here. */
async function gateEntry(): Promise<{ path: string; label: string }> {
  const dist = join(repo, 'dist', 'cli', 'index.js')
  if (existsSync(dist)) return { path: dist, label: 'dist/cli/index.js' }
  const ncc = join(repo, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js')
  if (existsSync(ncc)) {
    progress('dist/ is absent: bundling src/bin/quorum.ts with ncc into a temporary directory')
    const out = join(work, 'cli-bundle')
    await spawnAndWait(
      process.execPath,
      [ncc, 'build', '--quiet', join(repo, 'src', 'bin', 'quorum.ts'), '-o', out],
      repo,
    )
    return { path: join(out, 'index.js'), label: 'src/bin/quorum.ts bundled with ncc' }
  }
  return { path: join(repo, 'src', 'bin', 'quorum.ts'), label: 'src/bin/quorum.ts (unbundled)' }
}

async function peakRssOfGate(
  cli: string,
  command: string,
  tree: string,
  name: string,
): Promise<PeakRssResult> {
  const dir = join(work, `rss-${name}`)
  mkdirSync(dir)
  const config = join(dir, 'quorum.yml')
  writeFileSync(
    config,
    `checks:\n  - name: ${name}\n    command: ${JSON.stringify(command)}\n    timeout_s: 300\n`,
  )
  const peakFile = join(dir, 'peak.json')
  const reportFile = join(dir, 'report.json')
  const args = [
    ...['--import', pathToFileURL(join(here, 'peak-rss-hook.mjs')).href, cli, 'verify'],
    ...['--candidate', tree, '--config', config, '--json', reportFile],
    ...['--log-dir', join(dir, 'logs'), '--seed', 'bench', '--quiet'],
  ]
  const exit = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: dir,
      env: { ...process.env, QUORUM_BENCH_PEAK_FILE: peakFile },
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    child.on('error', reject)
    child.on('close', resolve)
  })
  if (!existsSync(peakFile) || !existsSync(reportFile)) {
    throw new Error(`the gate exited ${exit} without a report (${cli})`)
  }
  const peak = JSON.parse(readFileSync(peakFile, 'utf8')) as {
    vmhwm_kib: number | null
    max_rss_kib: number
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report
  const run = report.checks[0]!.candidate
  await removeTree(dir)
  return {
    ...peak,
    peak_mib: (peak.vmhwm_kib ?? peak.max_rss_kib) / 1024,
    sandbox: report.sandbox,
    outcome: run.outcome,
    reason: run.reason,
    bytes_printed: run.output.bytes,
    truncated: run.output.truncated,
    duration_ms: run.duration_ms,
  }
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`
}

function met(ok: boolean): string {
  return ok ? 'met' : '**missed**'
}

/** The results as one markdown table, a row per figure, with the target where there is one. */
function renderTable(r: Results): string {
  const rows: string[][] = []
  for (const o of r.overhead ?? []) {
    rows.push([
      `Per-check overhead, shell \`true\`, ${o.sandbox} sandbox (median of ${o.runs})`,
      `${ms(o.overhead_median_ms)} (gate ${ms(o.gate_median_ms)}, p90 ${ms(o.gate_p90_ms)})`,
      `direct spawn ${ms(o.direct_median_ms)}`,
      `≤ ${TARGETS.overhead_ms} ms: ${met(o.overhead_median_ms <= TARGETS.overhead_ms)}`,
    ])
  }
  for (const s of r.sandbox_creation ?? []) {
    for (const k of s.kinds) {
      const target =
        k.kind === 'overlay' && s.files === 50_000
          ? `≤ ${TARGETS.overlay_vs_cp_percent}% of cp -a: ${met(k.percent_of_cp_a <= TARGETS.overlay_vs_cp_percent)}`
          : ''
      rows.push([
        `Sandbox creation, ${s.files.toLocaleString('en-US')} files, ${k.kind} (median of ${s.reps})`,
        `${ms(k.ready_median_ms)} = ${k.percent_of_cp_a.toFixed(1)}% of cp -a (remove ${ms(k.remove_median_ms)})`,
        `cp -a ${ms(s.cp_a_median_ms)}`,
        target,
      ])
    }
  }
  for (const [kind, why] of Object.entries(r.sandbox_unavailable)) {
    rows.push([`Sandbox creation, ${kind}`, 'not available on this machine', why, ''])
  }
  if (r.parallel) {
    for (const p of r.parallel.runs) {
      rows.push([
        `${r.parallel.checks} checks × \`sleep ${r.parallel.sleep_s}\` through the gate, ${p.label}`,
        `${ms(p.wall_ms)} wall`,
        `ideal ${ms(p.ideal_ms)}`,
        '',
      ])
    }
  }
  if (r.flood) {
    const { flood, idle } = r.flood
    rows.push([
      `Gate peak RSS while a check prints ${r.flood.printed_mb} MB (${r.flood.gate_entry})`,
      `${flood.peak_mib.toFixed(0)} MiB (${flood.outcome}; ${(flood.bytes_printed / 1e6).toFixed(0)} MB went to the log${flood.truncated ? ', head and tail kept in memory' : ''})`,
      `same gate, silent check: ${idle.peak_mib.toFixed(0)} MiB`,
      `≤ ${TARGETS.flood_peak_rss_mib} MiB: ${met(flood.peak_mib <= TARGETS.flood_peak_rss_mib)}`,
    ])
  }
  if (r.noise) {
    const n = r.noise
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`
    const both = (x: {
      gate: { rate: number; trials: number }
      simulated: { rate: number; trials: number }
    }) => `${pct(x.gate.rate)} of ${x.gate.trials} gate runs`
    const sim = (x: { simulated: { rate: number; trials: number } }) =>
      `same decision code on simulated samples: ${pct(x.simulated.rate)} of ${x.simulated.trials.toLocaleString('en-US')}`
    const setting = `${pct(n.noise)} noise, tolerance ${n.tolerance}, ${n.repeats} repeats`
    rows.push([
      `no-regression on no-change PRs (${setting})`,
      `${both(n.false_block)} blocked`,
      sim(n.false_block),
      `≤ ${pct(NOISE_TARGETS.false_block_max)}: ${met(n.false_block.gate.rate <= NOISE_TARGETS.false_block_max && n.false_block.simulated.rate <= NOISE_TARGETS.false_block_max)}`,
    ])
    rows.push([
      `no-regression on 10% slower PRs (${setting})`,
      `${both(n.catch_rate)} caught`,
      sim(n.catch_rate),
      `≥ ${pct(NOISE_TARGETS.catch_min)}: ${met(n.catch_rate.gate.rate >= NOISE_TARGETS.catch_min && n.catch_rate.simulated.rate >= NOISE_TARGETS.catch_min)}`,
    ])
    rows.push([
      `A true 3% slowdown, inside the 5% tolerance (${setting})`,
      `${pct(n.near_tolerance.rate)} of ${n.near_tolerance.trials.toLocaleString('en-US')} simulated called regressed`,
      '',
      '',
    ])
    rows.push([
      'A check failing 30% of runs, retries: 2 (pass-fail)',
      `${both(n.flaky)} allowed (${pct(n.flaky.attempts_failed)} of their attempts failed); ${pct(n.flaky.shown_flaky_when_retried)} of those that needed a retry named right (FLAKY, or FAILED when no attempt passed)`,
      sim(n.flaky),
      `≥ ${pct(NOISE_TARGETS.flaky_allowed_min)}: ${met(n.flaky.gate.rate >= NOISE_TARGETS.flaky_allowed_min)}`,
    ])
    rows.push([
      `Time to verdict, ${n.cached.checks} CPU-bound checks, baseline results cached`,
      `${ms(n.cached.cached_baseline_ms)} = ${n.cached.ratio.toFixed(2)}×`,
      `both trees run: ${ms(n.cached.both_ms)}`,
      `≤ ${NOISE_TARGETS.cached_ratio_max}×: ${met(n.cached.ratio <= NOISE_TARGETS.cached_ratio_max)}`,
    ])
  }
  if (r.timing) rows.push(...timingRows(r.timing))
  if (r.shards) {
    const sh = r.shards
    rows.push([
      `${sh.checks} CPU-bound checks: ${sh.shards} shards run one after another, then merged (median of ${sh.reps})`,
      `${ms(sh.shard_ms.reduce((a, b) => a + b, 0) + sh.merge_ms)} (shards ${sh.shard_ms.map(ms).join(' + ')}, merge ${ms(sh.merge_ms)})`,
      `one job: ${ms(sh.one_job_ms)}; on ${sh.shards} runners: about ${ms(sh.parallel_estimate_ms)}`,
      '',
    ])
  }
  if (r.audit) {
    for (const pr of [r.audit.pr, r.audit.pr_trivial]) {
      rows.push([
        `PR run with audit: changes, ${pr.changed_files} changed files × ${pr.checks} checks, ${pr.label} (median of ${pr.reps})`,
        `${ms(pr.with_ms)} = ${pr.ratio.toFixed(2)}× (${pr.audit_runs} audit runs beside ${pr.normal_runs}; covered ${pr.covered})`,
        `without the audit: ${ms(pr.without_ms)}`,
        pr === r.audit.pr
          ? `≤ ${AUDIT_TARGETS.pr_ratio_max}×: ${met(pr.ratio <= AUDIT_TARGETS.pr_ratio_max)}`
          : '',
      ])
    }
    for (const v of r.audit.variant) {
      rows.push([
        `A sandbox with one file broken (audit variant), ${v.files.toLocaleString('en-US')} files (median of ${v.reps})`,
        `${ms(v.variant_median_ms)} = ${v.ratio.toFixed(2)}× a plain overlay sandbox`,
        `plain overlay sandbox: ${ms(v.plain_median_ms)}`,
        v.files >= 50_000
          ? `≤ ${AUDIT_TARGETS.variant_ratio_max}×: ${met(v.ratio <= AUDIT_TARGETS.variant_ratio_max)}`
          : '',
      ])
    }
  }
  const header = ['Measure', 'Quorum', 'Reference', 'Target']
  const lines = [header, header.map(() => '---'), ...rows].map(
    (cells) => `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`,
  )
  return lines.join('\n')
}

/** The rows of issue 16's figures: real timings, quiet and with one core busy, before and now. */
function timingRows(t: TimingResults): string[][] {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`
  const rate = (r: TimingRate, what: string) =>
    `${r.hits} of ${r.prs} ${what} (${pct(r.rate)}); samples' median CV ${pct(r.median_cv)}; ${r.repeats} repeats per tree; gate ${ms(r.gate_ms)}`
  const sim = t.sequential_simulation
  const rows: string[][] = [
    [
      `Adaptive repeats under no change, simulated (${pct(sim.noise)} noise, tolerance 0, looks at ${sim.looks.join(', ')} repeats)`,
      `α spending: ${sim.spending.hits} of ${sim.trials} blocked (${pct(sim.spending.rate)})`,
      `a naive 1% at every look: ${sim.naive.hits} of ${sim.trials} (${pct(sim.naive.rate)})`,
      `≤ ${pct(TIMING_TARGETS.false_block_max)}: ${met(sim.spending.rate <= TIMING_TARGETS.false_block_max)}`,
    ],
  ]
  for (const [label, run] of [
    ['quiet', t.quiet],
    ['one core kept busy', t.loaded],
  ] as const) {
    const where = `${label}; ${run.cpu !== null ? `pinned to CPU ${run.cpu}` : 'not pinned'}, calibration noise ${run.noise_pct ?? '?'}%`
    const before = (r: TimingRate | undefined, what: string) =>
      r
        ? `before (${t.before_source}, parallel 2, unpinned): ${rate(r, what)}`
        : 'before: not measured'
    rows.push([
      `Real ~150 ms loop, identical trees, repeats 9, tolerance 10% (${where})`,
      rate(run.identical, 'blocked'),
      before(run.before?.identical, 'blocked'),
      `≤ ${pct(TIMING_TARGETS.false_block_max)} blocked, CV ≤ ${pct(TIMING_TARGETS.median_cv_max)}: ${met(run.identical.rate <= TIMING_TARGETS.false_block_max && run.identical.median_cv <= TIMING_TARGETS.median_cv_max)}`,
    ])
    rows.push([
      `Real loop 40% slower, repeats 9 (${label})`,
      rate(run.slower_40, 'caught'),
      before(run.before?.slower_40, 'caught'),
      `≥ ${pct(TIMING_TARGETS.catch_40_min)}: ${met(run.slower_40.rate >= TIMING_TARGETS.catch_40_min)}`,
    ])
    rows.push([
      `Real loop 15% slower, repeats: auto (${label})`,
      rate(run.slower_15_auto, 'caught'),
      '',
      `≥ ${pct(TIMING_TARGETS.catch_15_auto_min)}: ${met(run.slower_15_auto.rate >= TIMING_TARGETS.catch_15_auto_min)}`,
    ])
  }
  return rows
}
