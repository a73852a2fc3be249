/**
 * The gate stage's report producer (stages `all` and `gate`): event -> plan -> two git worktrees
 * -> config from the trusted tree -> runGate -> report. Under `gate` it also writes the directory
 * the publish stage reads; under `all` it opens the check run and hands the entry a client to
 * publish with. It never publishes anything itself.
 */
import * as core from '@actions/core'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { QuorumError } from '../../engine/errors.ts'
import { HANDOFF_FORMAT, HANDOFF_VERSION } from '../../engine/handoff.ts'
import { shellQuote } from '../../engine/shell-quote.ts'
import type { CheckSpec, GateConfig, Report } from '../../engine/types.ts'
import { runGate, type GateEvent, type GateOptions } from '../../gate.ts'
import { toRunnerLog } from '../../report/log-safe.ts'
import { detectSandbox, type SandboxDetection, type SandboxMode } from '../../run/sandbox.ts'
import { createGitHubClient } from '../api/client.ts'
import { verdictSentence } from '../action/check-run-lifecycle.ts'
import { Inputs } from '../action/constants.ts'
import { stalledError } from '../action/failures.ts'
import { InputError, type ActionInputs } from '../action/inputs.ts'
import { jobLog } from '../action/job-log.ts'
import { logReport, makeOutputDir, writeReportFile } from '../action/report-file.ts'
import type { ProducedReport, ProducerContext, ReportProducer } from '../action/report-producer.ts'
import { workflowRunUrl, type RunnerContext } from '../action/runner-context.ts'
import { openActionResultsCache, type ActionResultsCache } from '../cache/action-cache.ts'
import { planFromEvent, type EventPlan } from './event.ts'
import { loadGateConfig } from './gate-config.ts'
import { createGitCommandManager, type GitCommandManager } from './git.ts'
import { hashConfigFiles, writeReportDir } from './report-dir.ts'
import { sensitivePaths } from './sensitive-paths.ts'
import { prepareTrees, resolvePlan, type PreparedTrees } from './trees.ts'
import { runnerPlatformProblem } from './runner-platform.ts'
import { assertSafeSandbox } from './unsafe-checkout.ts'
import { prepareHost, type HostSetup, type HostSetupMode } from '../../run/host-setup.ts'

/**
 * What the gate stage calls that a test may replace with a plain function (the actions/checkout
 * pattern). Production passes nothing and gets the real ones.
 */
export interface GateStageDependencies {
  /** How this runner's sandbox kind is learned before any PR code runs. */
  detectSandbox: (dir: string, mode: SandboxMode) => Promise<SandboxDetection>
  runGate: (options: GateOptions) => Promise<Report>
  /** What the machine is asked for through sudo before any PR code runs (run/host-setup.ts). */
  prepareHost: (mode: HostSetupMode) => Promise<HostSetup>
  /** The platform the gate runs on (process.platform; tests present another). */
  platform: NodeJS.Platform
}

const REAL_DEPENDENCIES: GateStageDependencies = {
  detectSandbox,
  runGate,
  prepareHost: (mode) => prepareHost(mode),
  platform: process.platform,
}

/** The gate stage, with `dependencies` in place of the real ones where given. */
export function gateStageProducer(
  dependencies: Partial<GateStageDependencies> = {},
): ReportProducer {
  const deps = { ...REAL_DEPENDENCIES, ...dependencies }
  return { produce: (ctx) => produceGateReport(ctx, deps) }
}

async function produceGateReport(
  ctx: ProducerContext,
  deps: GateStageDependencies,
): Promise<ProducedReport> {
  const { runner, inputs } = ctx
  const platform = runnerPlatformProblem(runner.env['RUNNER_OS'], deps.platform)
  if (platform !== null) throw new QuorumError('usage', platform)
  if (runner.eventName === 'workflow_run') {
    throw new InputError(
      Inputs.Stage,
      `Under workflow_run Quorum only publishes what a gate run handed over: set '${Inputs.Stage}: publish' (this job's stage is ${inputs.stage})`,
    )
  }
  // Resolves git to an absolute path now, before any PR code has run (see system-tools.ts).
  const git = createGitCommandManager(inputs.workingDirectory, {
    parentEnv: runner.env,
    ...(inputs.token ? { authToken: inputs.token } : {}),
    serverUrl: runner.serverUrl,
    log: (line) => core.debug(line),
  })
  const plan = await planTrees(runner, inputs, git)

  // The gate stage talks to no API at all: with a fork's read-only token that is its normal
  // state, not something to warn about, and it never needs to write.
  const client =
    inputs.token && inputs.stage === 'all'
      ? createGitHubClient({
          token: inputs.token,
          ...(runner.apiUrl ? { baseUrl: runner.apiUrl } : {}),
          log: jobLog,
        })
      : null
  const runUrl = workflowRunUrl(runner)
  if (client) await ctx.openCheckRun(client, { headSha: plan.headSha, detailsUrl: runUrl })

  // Before anything else runs: user namespaces and a cgroup through passwordless sudo, where
  // the runner has it (host-setup), so that the sandbox detection below sees the result.
  const host = await deps.prepareHost(inputs.hostSetup)
  for (const line of host.lines) core.info(line)
  await refuseUnsafeSandbox(plan, inputs, deps)

  // Report and logs go where upload-artifact can find them; the trees go to the system temp
  // directory, because RUNNER_TEMP (credentials, the event file) is hidden from checks.
  const outDir = await makeOutputDir(runner, inputs)
  const trees = await prepareTrees(git, inputs.workingDirectory, plan, tmpdir())
  ctx.onCleanup(() => trees.cleanup())
  if (ctx.signal.aborted) {
    // run() may have returned already (an internal error ended it): nobody else will clean up.
    await trees.cleanup().catch(() => {})
    throw ctx.cancel?.aborted
      ? new QuorumError('cancelled', 'Quorum was cancelled; no check ran')
      : stalledError('Quorum was stopped by an internal error')
  }
  const gateConfig = await loadGateConfig(inputs, trees, plan)
  const results = inputs.cache
    ? await openResultsCache(outDir, git, trees, gateConfig.config, runner.env)
    : null

  core.startGroup('Quorum: running checks')
  const report = await runChecks(ctx, deps, { host, plan, trees, gateConfig, results, outDir })
  core.endGroup()
  if (ctx.cancel?.aborted)
    throw new QuorumError('cancelled', 'Quorum was cancelled; every run was stopped')
  if (ctx.signal.aborted) throw stalledError('Quorum was stopped by an internal error')

  warnOfCopySandboxes(report, inputs)
  if (results) logLines(await results.save())
  const reportPath = await writeReportFile(outDir, report)
  logReport(report)
  const reportDir =
    inputs.stage === 'gate'
      ? await handOver(runner, inputs, { outDir, report, plan, trees, gateConfig })
      : null
  return {
    report,
    reportPath,
    reportDir,
    target: { headSha: plan.headSha, pullNumber: plan.commentable ? plan.pullNumber : null },
    run: { id: runner.runId ?? '0', attempt: runner.runAttempt },
    runUrl,
    client,
    refusals: [],
    checkRunFallback: `${verdictSentence(report)}, but could not render its report here; see the job log and summary.`,
  }
}

/** The trees this event asks for, resolved to commits. */
async function planTrees(
  runner: RunnerContext,
  inputs: ActionInputs,
  git: GitCommandManager,
): Promise<EventPlan> {
  const payload = JSON.parse(await readFile(runner.eventPath, 'utf8')) as unknown
  const firstPlan = planFromEvent(
    runner.eventName,
    payload,
    { GITHUB_SHA: runner.sha, ...(runner.ref ? { GITHUB_REF: runner.ref } : {}) },
    inputs,
  )
  const plan = await resolvePlan(git, firstPlan)
  for (const note of plan.notes) core.info(note)
  return plan
}

/** The gate config as loadGateConfig read it. */
type GateConfigRead = Awaited<ReturnType<typeof loadGateConfig>>

/** Restores the results earlier runs stored for these trees (see cache/action-cache.ts). */
async function openResultsCache(
  outDir: string,
  git: GitCommandManager,
  trees: PreparedTrees,
  config: GateConfig,
  env: NodeJS.ProcessEnv,
): Promise<ActionResultsCache | null> {
  const results = await openActionResultsCache({
    dir: join(outDir, 'results'),
    git,
    trees: {
      ...(trees.baseline ? { baseline: trees.baseline.sha } : {}),
      candidate: trees.candidate.sha,
    },
    config,
    env,
    log: (line) => core.info(line),
  })
  if (results) logLines(results)
  return results
}

/** Runs the gate on the prepared trees. */
function runChecks(
  ctx: ProducerContext,
  deps: GateStageDependencies,
  p: {
    host: HostSetup
    plan: EventPlan
    trees: PreparedTrees
    gateConfig: GateConfigRead
    results: ActionResultsCache | null
    outDir: string
  },
): Promise<Report> {
  const { runner, inputs } = ctx
  const { plan, trees, gateConfig, results } = p
  return deps.runGate({
    config: gateConfig.config,
    candidateDir: trees.candidate.path,
    baselineDir: trees.baseline?.path ?? null,
    mode: inputs.mode,
    skip: inputs.skip,
    // The vacuity probe by default: its results are cached with the others (once per base).
    auditDefault: inputs.audit,
    shard: inputs.shard,
    cache: results?.options ?? null,
    parallel: inputs.parallel,
    sandbox: inputs.sandbox,
    cgroupSudo: inputs.cgroupSudo || p.host.cgroupSudo,
    logDir: join(p.outDir, 'logs'),
    parentEnv: runner.env,
    commits: { baseline: trees.baseline?.sha ?? null, candidate: trees.candidate.sha },
    notices: [...gateConfig.notices, ...trees.notes, ...(results?.warnings ?? [])],
    reproduce: reproduceCommand(plan, inputs),
    // The checkout is under the runner's HOME, which checks do not see (its .git may hold the
    // token); credentials and runner files elsewhere are masked.
    maskPaths: sensitivePaths(runner.env, inputs.workingDirectory),
    onEvent: logProgress,
    abort: ctx.signal,
  })
}

/** Says loudly that PR code ran where it could see more than it should, unless that was asked. */
function warnOfCopySandboxes(report: Report, inputs: ActionInputs): void {
  if (report.sandbox !== 'copy' || inputs.sandbox === 'copy') return
  core.warning(
    'Quorum ran checks in copy sandboxes, which cannot hide credentials, runner files or this ' +
      "action's own environment (its token, through /proc) from PR code. " +
      'On Ubuntu 24.04, AppArmor restricts unprivileged user namespaces: with passwordless sudo ' +
      '(host-setup: auto, the default) Quorum lifts that for its sandbox itself; without it, run ' +
      '`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` before Quorum (see the README).',
  )
}

/** What the results cache did: events as info, problems as warnings. */
function logLines(lines: { infos: string[]; warnings: string[] }): void {
  for (const line of lines.infos) core.info(line)
  for (const line of lines.warnings) core.warning(line)
}

/** Writes the directory the publish stage reads (the `gate` stage) and returns its path. */
async function handOver(
  runner: RunnerContext,
  inputs: ActionInputs,
  p: {
    outDir: string
    report: Report
    plan: EventPlan
    trees: PreparedTrees
    gateConfig: GateConfigRead
  },
): Promise<string> {
  const { plan, trees } = p
  const repo = runner.repository
  const reportDir = await writeReportDir(p.outDir, p.report, {
    format: HANDOFF_FORMAT,
    version: HANDOFF_VERSION,
    gate: inputs.gateName,
    repository: `${repo.owner}/${repo.repo}`,
    event: plan.event,
    head_sha: trees.headSha,
    base_sha: trees.baseline?.sha ?? null,
    candidate_sha: trees.candidate.sha,
    pull_request: plan.pullNumber,
    run: { id: gateRunId(runner), attempt: Number(runner.runAttempt) },
    shard: inputs.shard,
    config_hash: await hashConfigFiles(p.gateConfig.config, p.gateConfig.root),
  })
  core.info(`Quorum: the report for the publish stage is in ${reportDir}`)
  return reportDir
}

/** GITHUB_RUN_ID as a number: the publish stage finds the artifacts by it. */
function gateRunId(runner: RunnerContext): number {
  const id = Number(runner.runId)
  if (runner.runId === null || !Number.isSafeInteger(id) || id < 1) {
    throw new QuorumError(
      'usage',
      'GITHUB_RUN_ID is not set: the gate stage runs inside GitHub Actions, where the publish stage can find its artifacts',
    )
  }
  return id
}

/**
 * Learns which sandbox the gate will get here, before any PR code runs, and refuses a fork's
 * code in copy sandboxes (assertSafeSandbox). Probes only when it can matter: a fork's pull
 * request with `sandbox: auto` (`copy` is the workflow's explicit choice; `overlay` fails in the
 * gate when unavailable). The probe runs where the gate's own will (the system temp directory,
 * runGate's default) and is cached per file system, so the gate does not probe again.
 */
async function refuseUnsafeSandbox(
  plan: EventPlan,
  inputs: ActionInputs,
  deps: GateStageDependencies,
): Promise<void> {
  if (!plan.isFork || inputs.sandbox !== 'auto') return
  const probeDir = await mkdtemp(join(tmpdir(), 'quorum-probe-'))
  let detection: SandboxDetection
  try {
    detection = await deps.detectSandbox(probeDir, inputs.sandbox)
  } finally {
    await rm(probeDir, { recursive: true, force: true }).catch(() => {})
  }
  assertSafeSandbox({
    event: plan.event,
    isFork: plan.isFork,
    headRepoFullName: plan.headRepoFullName,
    requested: inputs.sandbox,
    detected: detection.kind,
    reason: detection.reason,
  })
}

/** One line a maintainer can paste into a local clone to replay a check's candidate run. */
function reproduceCommand(plan: EventPlan, inputs: ActionInputs) {
  return (check: CheckSpec, seed: string): string => {
    const fetch =
      plan.pullNumber !== null && !plan.candidateIsPrHead
        ? `git fetch origin refs/pull/${plan.pullNumber}/merge`
        : `git fetch origin ${plan.candidateSha}`
    const dir = `../quorum-${plan.candidateSha.slice(0, 8)}`
    const verify = ['npx', 'quorum-gate', 'verify', '--candidate', dir, '--config', inputs.config]
    verify.push('--only', check.name, '--seed', seed)
    return `${fetch} && git worktree add ${dir} FETCH_HEAD && ${verify.map(shellQuote).join(' ')}`
  }
}

function logProgress(event: GateEvent): void {
  // Names and outcomes only: check names come from the trusted config, never from output.
  if (event.type === 'sandbox') core.info(`sandbox: ${event.kind}`)
  if (event.type === 'setup') core.info(`${event.tree} setup: ${event.result.outcome}`)
  if (event.type === 'finish') {
    // An audit run names the tree it ran on: the empty tree, or a changed file (the tree's text,
    // kept to one line).
    const tree =
      event.audit === undefined ? event.tree : `audit on ${event.audit.replace(/\s+/g, ' ')}`
    core.info(
      toRunnerLog(
        `${tree} ${event.check}: ${event.result.outcome} (${event.result.duration_ms} ms)`,
      ),
    )
  }
}
