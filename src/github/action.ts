/**
 * The action: inputs -> event plan -> two git worktrees -> gate -> check run, sticky comment,
 * job summary, outputs -> job status. The job fails exactly when the verdict is block (or the
 * gate could not evaluate at all); a failure to talk to GitHub is a loud warning, never a change
 * of verdict.
 */
import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative, resolve, sep } from 'node:path'
import { auditCounts } from '../engine/audit.ts'
import { loadConfigFile, openTreeFile } from '../engine/config.ts'
import { ConfigError, QuorumError } from '../engine/errors.ts'
import { HANDOFF_FORMAT, HANDOFF_VERSION } from '../engine/handoff.ts'
import { mergeReports, untrustedGateChange, type PublisherFacts } from '../engine/merge.ts'
import type { Change, CheckSpec, GateConfig, Report } from '../engine/types.ts'
import { VERSION } from '../version.ts'
import { shellQuote } from '../engine/shell-quote.ts'
import { runGate, type GateEvent, type GateOptions } from '../gate.ts'
import { renderCheckRun, renderComment, renderSummary } from '../report/markdown.ts'
import { renderTerminal } from '../report/terminal.ts'
import { toRunnerLog } from '../report/log-safe.ts'
import { detectSandbox, type SandboxDetection, type SandboxMode } from '../run/sandbox.ts'
import {
  CHECK_RUN_STATE,
  CheckRunWriter,
  checkRunExternalId,
  checkRunName,
  type CheckRunCompleteResult,
  type CheckRunCompletion,
  type CheckRunLocator,
  type CheckRunStartInput,
  type CheckRunStartResult,
} from './check-run.ts'
import { openActionResultsCache } from './action-cache.ts'
import { createGitHubClient, type GitHubClient } from './client.ts'
import { StickyCommentWriter, type StickyCommentResult } from './comment.ts'
import { warnGitHubFailure, type GitHubLog } from './errors.ts'
import { Inputs } from './constants.ts'
import { EventError, planFromEvent, type EventPlan } from './event.ts'
import { gateRunOf } from './gate-run.ts'
import { createGitCommandManager } from './git.ts'
import { InputError, readInputs, type ActionInputs } from './inputs.ts'
import {
  changedFiles,
  findPullRequest,
  verifyBases,
  type PullRequestFacts,
} from './pull-request-facts.ts'
import { collectReports } from './report-artifacts.ts'
import { hashConfigFiles, writeReportDir } from './report-dir.ts'
import {
  readRunnerContext,
  workflowRunUrl,
  type Repo,
  type RunnerContext,
} from './runner-context.ts'
import { writeOutputs, type OutputRefusal } from './outputs.ts'
import { writeJobSummary, type JobSummaryResult } from './summary.ts'
import { prepareTrees, resolvePlan, type PreparedTrees } from './trees.ts'
import { sensitivePaths } from './sensitive-paths.ts'
import { assertSafeSandbox } from './unsafe-checkout.ts'

const log: GitHubLog = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  debug: (message) => core.debug(message),
}

const CHANGE_NOTE: Partial<Record<Change, string>> = {
  regressed: ' (passed on the base)',
  'still-failing': ' (already failing on the base)',
}

/** A check run this run started; `completed` once a completion was attempted. */
interface OpenCheckRun {
  writer: CheckRunWriter
  id: number | null
  completed: boolean
}

/**
 * What run() calls that a test may replace with a plain function (the actions/checkout
 * pattern). Production passes nothing and gets the real ones.
 */
export interface ActionDependencies {
  /** How this runner's sandbox kind is learned before any PR code runs. */
  detectSandbox: (dir: string, mode: SandboxMode) => Promise<SandboxDetection>
  runGate: (options: GateOptions) => Promise<Report>
}

const REAL_DEPENDENCIES: ActionDependencies = { detectSandbox, runGate }

/**
 * Runs the action once; never throws (every failure ends in core.setFailed). `abort` (the
 * runner's SIGINT/SIGTERM when a workflow is cancelled) stops every run and removes every
 * sandbox before the process exits.
 *
 * A check run, once started, is always completed: with the verdict, or as a failure naming
 * why there is none. That includes the ways a run can end without reaching a catch block: an
 * exception thrown from a callback (uncaughtException), a rejection nobody handles, and a
 * promise that never settles (the event loop runs empty while the gate still waits).
 */
export async function run(
  env: NodeJS.ProcessEnv = process.env,
  abort?: AbortSignal,
  dependencies: Partial<ActionDependencies> = {},
): Promise<void> {
  const deps = { ...REAL_DEPENDENCIES, ...dependencies }
  const state: RunState = { checkRun: null, trees: null }
  // Stops the gate when the run ends abnormally (see lastResort), as a cancellation would.
  const stop = new AbortController()
  const signal = abort ? AbortSignal.any([abort, stop.signal]) : stop.signal
  const lastResort = watchForAbnormalEnd()
  try {
    await Promise.race([evaluate(env, signal, abort, deps, state), lastResort.ended])
  } catch (error) {
    stop.abort()
    const message = describeFailure(error)
    core.setOutput('verdict', 'block')
    if (state.checkRun && !state.checkRun.completed) await failCheckRun(state.checkRun, message)
    core.setFailed(message)
  } finally {
    lastResort.dispose()
    await state.trees
      ?.cleanup()
      .catch((error: unknown) => core.warning(`cleanup: ${String(error)}`))
  }
}

/** What the top level must be able to finish or undo, whatever happened in between. */
interface RunState {
  checkRun: OpenCheckRun | null
  trees: PreparedTrees | null
}

/**
 * Turns the ways a run can end that no try/catch sees into a rejection the top level handles:
 * an exception thrown asynchronously, an unhandled rejection, and the event loop running empty
 * while the run still waits for something (a promise that can never settle: Node would exit
 * with code 13 and leave the check run in progress). Listeners are removed by dispose().
 */
function watchForAbnormalEnd(): { ended: Promise<never>; dispose(): void } {
  let fail: (error: unknown) => void = () => {}
  const ended = new Promise<never>((_, reject) => {
    fail = reject
  })
  // A race that is never lost must not become an unhandled rejection of its own.
  ended.catch(() => {})
  let fired = false
  const once = (error: unknown): void => {
    if (fired) {
      core.warning(`Quorum: a further internal error after the first: ${describeFailure(error)}`)
      return
    }
    fired = true
    fail(error)
  }
  const onException = (error: unknown): void => once(error)
  const onRejection = (reason: unknown): void => once(reason)
  const onEmptyLoop = (): void =>
    once(
      new StalledError(
        'Quorum stopped before it finished: it was waiting for something that can no longer ' +
          'happen (a promise that never settles). This is a bug; the change is blocked.',
      ),
    )
  process.on('uncaughtException', onException)
  process.on('unhandledRejection', onRejection)
  process.on('beforeExit', onEmptyLoop)
  return {
    ended,
    dispose() {
      process.off('uncaughtException', onException)
      process.off('unhandledRejection', onRejection)
      process.off('beforeExit', onEmptyLoop)
    },
  }
}

/** Everything run() does, from inputs to job status; throws for run() to report. */
async function evaluate(
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
  cancel: AbortSignal | undefined,
  deps: ActionDependencies,
  state: RunState,
): Promise<void> {
  const runner = readRunnerContext(env)
  const inputs = readInputs(runner.workspace)
  if (inputs.stage === 'publish') return evaluatePublish(runner, inputs, state)
  const repo = runner.repository
  if (runner.eventName === 'workflow_run') {
    throw new InputError(
      Inputs.Stage,
      `Under workflow_run Quorum only publishes what a gate run handed over: set '${Inputs.Stage}: publish' (this job's stage is ${inputs.stage})`,
    )
  }
  const payload = JSON.parse(await readFile(runner.eventPath, 'utf8')) as unknown
  // Resolves git to an absolute path now, before any PR code has run (see system-tools.ts).
  const git = createGitCommandManager(inputs.workingDirectory, {
    parentEnv: env,
    ...(inputs.token ? { authToken: inputs.token } : {}),
    serverUrl: runner.serverUrl,
    log: (line) => core.debug(line),
  })
  const firstPlan = planFromEvent(
    runner.eventName,
    payload,
    { GITHUB_SHA: runner.sha, ...(runner.ref ? { GITHUB_REF: runner.ref } : {}) },
    inputs,
  )
  const plan = await resolvePlan(git, firstPlan)
  for (const note of plan.notes) core.info(note)

  // The gate stage talks to no API at all: with a fork's read-only token that is its normal
  // state, not something to warn about, and it never needs to write.
  const client =
    inputs.token && inputs.stage === 'all'
      ? createGitHubClient({
          token: inputs.token,
          ...(runner.apiUrl ? { baseUrl: runner.apiUrl } : {}),
          log,
        })
      : null
  const runUrl = workflowRunUrl(runner)
  if (client && inputs.checkRun) {
    state.checkRun = await startCheckRun(client, runner, {
      ...repo,
      name: checkRunName(inputs.gateName),
      headSha: plan.headSha,
      ...(runUrl ? { detailsUrl: runUrl } : {}),
    })
  }

  await refuseUnsafeSandbox(plan, inputs, deps)

  // Report and logs go where upload-artifact can find them; the trees go to the system temp
  // directory, because RUNNER_TEMP (credentials, the event file) is hidden from checks.
  const outDir = join(runner.runnerTemp ?? tmpdir(), `quorum-${inputs.gateName}`)
  await mkdir(outDir, { recursive: true })
  const trees = await prepareTrees(git, inputs.workingDirectory, plan, tmpdir())
  state.trees = trees
  if (signal.aborted) {
    // run() may have returned already (an internal error ended it): nobody else will clean up.
    await trees.cleanup().catch(() => {})
    throw cancel?.aborted
      ? new CancelledError('Quorum was cancelled; no check ran')
      : new StalledError('Quorum was stopped by an internal error')
  }
  const { config, notices, root: configRoot } = await loadGateConfig(inputs, trees, plan)

  const results = inputs.cache
    ? await openActionResultsCache({
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
    : null
  for (const line of results?.infos ?? []) core.info(line)
  for (const line of results?.warnings ?? []) core.warning(line)

  core.startGroup('Quorum: running checks')
  const report = await deps.runGate({
    config,
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
    cgroupSudo: inputs.cgroupSudo,
    logDir: join(outDir, 'logs'),
    parentEnv: env,
    commits: { baseline: trees.baseline?.sha ?? null, candidate: trees.candidate.sha },
    notices: [...notices, ...trees.notes, ...(results?.warnings ?? [])],
    reproduce: reproduceCommand(plan, inputs),
    // The checkout is under the runner's HOME, which checks do not see (its .git may hold the
    // token); credentials and runner files elsewhere are masked.
    maskPaths: sensitivePaths(env, inputs.workingDirectory),
    onEvent: logProgress,
    abort: signal,
  })
  core.endGroup()
  if (cancel?.aborted) throw new CancelledError('Quorum was cancelled; every run was stopped')
  if (signal.aborted) throw new StalledError('Quorum was stopped by an internal error')

  if (report.sandbox === 'copy' && inputs.sandbox !== 'copy') {
    core.warning(
      'Quorum ran checks in copy sandboxes, which cannot hide credentials, runner files or this ' +
        "action's own environment (its token, through /proc) from PR code. " +
        'On Ubuntu 24.04 runners, unprivileged user namespaces are restricted by AppArmor; add a step ' +
        '`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` before Quorum (see the README).',
    )
  }
  if (results) {
    const saved = await results.save()
    for (const line of saved.infos) core.info(line)
    for (const line of saved.warnings) core.warning(line)
  }
  const reportPath = join(outDir, 'report.json')
  await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`)
  logReport(report)
  const reportDir =
    inputs.stage === 'gate'
      ? await writeReportDir(outDir, report, {
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
          config_hash: await hashConfigFiles(config, configRoot),
        })
      : null
  if (reportDir !== null) core.info(`Quorum: the report for the publish stage is in ${reportDir}`)
  const published: PublishContext = {
    report,
    reportPath,
    reportDir,
    inputs,
    target: { headSha: plan.headSha, pullNumber: plan.commentable ? plan.pullNumber : null },
    run: { id: runner.runId ?? '0', attempt: runner.runAttempt },
    repo,
    client,
    checkRun: state.checkRun,
    runUrl,
    runner,
  }
  // Reporting is best effort: whatever goes wrong there, the verdict below stands.
  await publish(published).catch((error: unknown) => {
    core.warning(`Quorum could not publish every view of its report: ${describeFailure(error)}`)
  })
  if (state.checkRun && !state.checkRun.completed) {
    // publish failed before it reached the check run: complete it with the verdict anyway.
    await completeCheckRun(state.checkRun, {
      conclusion: report.verdict === 'allow' ? 'success' : 'failure',
      title: `Quorum ${report.verdict === 'allow' ? 'allowed' : 'blocked'} this change`,
      summary:
        `Quorum ${report.verdict === 'allow' ? 'allowed' : 'blocked'} this change, but could not ` +
        'render its report here; see the job log and summary.',
    })
  }

  setJobStatus(report, state.checkRun !== null)
}

/**
 * Fails the job exactly when the verdict is block. The message names checks and outcomes only:
 * reasons quote check output, which belongs in the views that escape it, not in an annotation of
 * the action's own. `refusals` (publish stage) are Quorum's own sentences about the artifacts.
 */
function setJobStatus(
  report: Report,
  hasCheckRun: boolean,
  refusals: readonly string[] = [],
): void {
  const failing = report.checks
    .filter((c) => c.candidate.outcome !== 'PASSED')
    .map((c) => `${c.name} ${c.candidate.outcome}${CHANGE_NOTE[c.change] ?? ''}`)
  const where =
    'see the job summary' + (report.verdict === 'block' && hasCheckRun ? ' and the check run' : '')
  if (report.verdict === 'block') {
    const why =
      refusals.length > 0
        ? refusals.length === 1
          ? refusals[0]!
          : `${refusals[0]!} (and ${refusals.length - 1} more)`
        : failing.length > 0
          ? failing.join(', ')
          : report.reasons.length > 0 && report.checks.length === 0
            ? 'no checks ran'
            : 'the score did not improve'
    core.setFailed(`Quorum blocked this change: ${why}; ${where}.`)
  } else {
    core.info(`Quorum allowed this change (${report.checks.length} checks); ${where}.`)
  }
}

/**
 * The publish stage (DESIGN "Forks and shards"): checks out no tree and runs no check. It reads
 * the gate config from this job's checkout (the default branch under workflow_run: no PR code),
 * learns the gate run's head, event and pull request from the event and the API, reads the gate
 * jobs' report artifacts, refuses whatever does not match, merges the rest with the verdict
 * recomputed, and publishes exactly as the `all` stage does.
 */
async function evaluatePublish(
  runner: RunnerContext,
  inputs: ActionInputs,
  state: RunState,
): Promise<void> {
  const repo = runner.repository
  if (!inputs.token) {
    throw new InputError(
      Inputs.Token,
      `The publish stage needs a token (input '${Inputs.Token}') that can read the gate run's artifacts (actions: read) and its pull request, and write the check run and comment`,
    )
  }
  const payload = JSON.parse(await readFile(runner.eventPath, 'utf8')) as unknown
  const gateRun = gateRunOf(runner, payload, inputs)
  const client = createGitHubClient({
    token: inputs.token,
    ...(runner.apiUrl ? { baseUrl: runner.apiUrl } : {}),
    log,
  })
  const gateRunUrl = `${runner.serverUrl}/${repo.owner}/${repo.repo}/actions/runs/${gateRun.runId}`
  core.info(
    `Quorum: publishing the reports of ${gateRun.source === 'workflow_run' ? 'gate run' : 'this run,'} ${gateRun.runId} (${gateRun.event}, head ${gateRun.headSha}).`,
  )
  if (inputs.checkRun) {
    state.checkRun = await startCheckRun(client, runner, {
      ...repo,
      name: checkRunName(inputs.gateName),
      headSha: gateRun.headSha,
      detailsUrl: gateRunUrl,
    })
  }
  const own = await loadPublisherConfig(inputs, runner)

  // What the API says about the pull request, before any artifact is opened.
  const problems: string[] = []
  const notices: string[] = []
  let pr: PullRequestFacts | null = null
  if (gateRun.pullRequest !== null) {
    const found = await findPullRequest(client, repo, gateRun)
    if ('problem' in found) {
      problems.push(found.problem)
    } else {
      pr = found.pr
      core.info(`The run is for pull request #${pr.number} into ${pr.baseRef}.`)
      if (found.note !== null) notices.push(found.note)
      const files = await changedFiles(client, repo, pr)
      const untrusted =
        'problem' in files ? files.problem : untrustedGateChange(files.files, own.gateFiles)
      if (untrusted !== null) problems.push(untrusted)
    }
  }

  const outDir = join(runner.runnerTemp ?? tmpdir(), `quorum-${inputs.gateName}`)
  await mkdir(outDir, { recursive: true })
  const scratch = await mkdtemp(join(outDir, 'publish-'))
  let intake
  try {
    intake = await collectReports(client, {
      ...repo,
      runId: gateRun.runId,
      name: inputs.artifactName,
      scratch,
    })
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
  for (const name of intake.ignored) {
    core.info(`Artifact ${name} is not a report of ${inputs.artifactName}; ignored.`)
  }
  for (const item of intake.reports) {
    // The number an artifact claims plays no part; a mismatch is worth a line in the log.
    const claimed = item.envelope.pull_request
    if (pr !== null && claimed !== null && claimed !== pr.number) {
      core.info(
        `${item.artifact} names pull request #${claimed}; the API says #${pr.number}, which is used.`,
      )
    }
  }

  const bases: PublisherFacts['bases'] =
    gateRun.eventBases !== null
      ? { accepted: gateRun.eventBases, description: `the baseline of this ${gateRun.event} event` }
      : pr !== null
        ? await verifyBases(
            client,
            repo,
            pr,
            intake.reports.map((r) => r.envelope.base_sha),
          )
        : null
  const merged = mergeReports(
    intake.reports,
    {
      gate: inputs.gateName,
      repository: `${repo.owner}/${repo.repo}`,
      event: gateRun.event,
      headSha: gateRun.headSha,
      runId: gateRun.runId,
      artifactName: inputs.artifactName,
      mode: inputs.mode ?? own.config.mode,
      flaky: own.config.flaky ?? 'warn',
      audit: { vacuous: own.config.vacuous ?? 'warn', uncovered: own.config.uncovered ?? 'warn' },
      bases,
      config: own.facts,
      version: VERSION,
    },
    [...problems, ...intake.refusals],
  )
  const report: Report = { ...merged.report, notices: [...notices, ...merged.report.notices] }
  const reportPath = join(outDir, 'report.json')
  await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`)
  logReport(report)

  await publish({
    report,
    reportPath,
    reportDir: null,
    inputs,
    target: { headSha: gateRun.headSha, pullNumber: pr?.number ?? null },
    // The gate run's: a late publish of an older gate run never overwrites a newer one's comment.
    run: { id: String(gateRun.runId), attempt: String(gateRun.runAttempt) },
    repo,
    client,
    checkRun: state.checkRun,
    runUrl: gateRunUrl,
    runner,
  }).catch((error: unknown) => {
    core.warning(`Quorum could not publish every view of its report: ${describeFailure(error)}`)
  })
  if (state.checkRun && !state.checkRun.completed) {
    await completeCheckRun(state.checkRun, {
      conclusion: report.verdict === 'allow' ? 'success' : 'failure',
      title: `Quorum ${report.verdict === 'allow' ? 'allowed' : 'blocked'} this change`,
      summary: `Quorum ${report.verdict === 'allow' ? 'allowed' : 'blocked'} this change; see the publish job's log and summary.`,
    })
  }
  setJobStatus(report, state.checkRun !== null, merged.problems)
}

/**
 * The publish stage's own gate config, read (never executed) from this job's checkout: its mode
 * and flaky policy decide the merged verdict; its file and checks module are the paths a PR must
 * not change; its hash, when the checks module is there to hash, lets merge check the reports'
 * lists of checks.
 */
async function loadPublisherConfig(
  inputs: ActionInputs,
  runner: RunnerContext,
): Promise<{ config: GateConfig; gateFiles: string[]; facts: PublisherFacts['config'] }> {
  const file = resolve(inputs.workingDirectory, inputs.config)
  if (!existsSync(file)) {
    throw new ConfigError({
      file: inputs.config,
      message:
        'file not found: the publish stage reads the gate config (mode, flaky policy, checks ' +
        'module) from a checkout of this repository; add actions/checkout (of the default ' +
        'branch: no pull request code) before it, or set the `config` input',
    })
  }
  const root = runner.workspace
  const config = await loadConfigFile(file, { displayPath: inputs.config, root })
  const inRepo = (p: string): string => relative(root, p).split(sep).join('/')
  const gateFiles = [inRepo(file), ...(config.functions ? [inRepo(config.functions)] : [])]
  let facts: PublisherFacts['config'] = null
  try {
    facts = {
      hash: await hashConfigFiles(config, root),
      // Only the shell checks: listing function checks would mean running the module.
      shellChecks: config.checks.map((c) => c.name),
      hasFunctions: config.functions !== null,
    }
  } catch (error) {
    core.info(
      `The checks module could not be read here, so the reports' check lists are not compared with it: ${describeFailure(error)}`,
    )
  }
  return { config, gateFiles, facts }
}

/** GITHUB_RUN_ID as a number: the publish stage finds the artifacts by it. */
function gateRunId(runner: RunnerContext): number {
  const id = Number(runner.runId)
  if (runner.runId === null || !Number.isSafeInteger(id) || id < 1) {
    throw new EventError(
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
  deps: ActionDependencies,
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

/**
 * Reads the gate config from the baseline tree (so a PR cannot weaken the checks it is judged
 * by), unless the workflow asked for the candidate's, or there is no baseline.
 */
async function loadGateConfig(
  inputs: ActionInputs,
  trees: PreparedTrees,
  plan: EventPlan,
): Promise<{ config: GateConfig; notices: string[]; root: string }> {
  const where = plan.pullNumber !== null ? 'in this PR' : 'in this change'
  const notices: string[] = []
  const useBase = inputs.configSource === 'base' && trees.baseline !== null
  const source = useBase ? trees.baseline! : trees.candidate
  const file = resolve(source.path, inputs.config)
  if (!existsSync(file)) {
    throw new ConfigError({
      file: inputs.config,
      message: `file not found in the ${useBase ? 'baseline' : 'candidate'} tree (${source.sha.slice(0, 12)}); add it, or set the \`config\` input`,
    })
  }
  // Neither the config nor the checks module it names may lead out of the tree it came from.
  const config = await loadConfigFile(file, { displayPath: inputs.config, root: source.root })
  if (config.functions !== null) {
    const opened = await openTreeFile(config.functions, {
      root: source.root,
      display: relative(source.root, config.functions),
      key: 'functions',
    })
    await opened.handle.close()
  }
  if (trees.baseline !== null) {
    // Absolute paths: the working directory may be below the repository root.
    const watched = [file, ...(config.functions ? [config.functions] : [])]
    const names = watched.map((path) => relative(source.path, path)).join(' or ')
    if (await trees.configChanged(watched)) {
      notices.push(
        useBase
          ? `${names} changed ${where}; the base version was used (set config-source: candidate to use the PR's own).`
          : `${names} changed ${where}, and config-source is candidate: the checks are the PR's own version.`,
      )
    }
  } else if (inputs.configSource === 'base') {
    notices.push('There is no baseline tree, so the candidate’s own config was used.')
  }
  return { config, notices, root: source.root }
}

interface PublishContext {
  report: Report
  reportPath: string
  /** Gate stage: the directory to upload for the publish stage. */
  reportDir: string | null
  inputs: ActionInputs
  /** The commit the check run and comment are for, and the PR to comment on (null: none). */
  target: { headSha: string; pullNumber: number | null }
  /** The workflow run the report comes from: the comment's stale-run guard orders by it. */
  run: { id: string; attempt: string }
  repo: Repo
  client: GitHubClient | null
  checkRun: OpenCheckRun | null
  runUrl: string | null
  runner: RunnerContext
}

/**
 * Every view and side effect of one report; each failure is a warning (said once, by the log*
 * functions below), never a new verdict.
 */
async function publish(ctx: PublishContext): Promise<void> {
  const { report, inputs, target, repo, runner, run } = ctx
  const serverUrl = runner.serverUrl
  const view = {
    gateName: inputs.gateName,
    headSha: target.headSha,
    run,
    checkRunUrl: null as string | null,
    reportUrl: ctx.runUrl,
    treeRoot: report.trees.candidate.path,
    repoUrl: `${serverUrl}/${repo.owner}/${repo.repo}`,
  }

  let checkRunUrl: string | null = null
  if (ctx.checkRun) {
    const output = renderCheckRun(report, view)
    checkRunUrl = await completeCheckRun(ctx.checkRun, {
      conclusion: report.verdict === 'allow' ? 'success' : 'failure',
      title: output.title,
      summary: output.summary,
      text: output.text,
      annotations: output.annotations,
    })
  }
  view.checkRunUrl = checkRunUrl

  let commentUrl: string | null = null
  if (ctx.client && inputs.comment && target.pullNumber !== null) {
    const writer = new StickyCommentWriter(
      ctx.client,
      log,
      inputs.commentAuthor ? { expectedAuthor: inputs.commentAuthor } : {},
    )
    const result = await writer.upsert(
      {
        ...repo,
        pullNumber: target.pullNumber,
        gate: inputs.gateName,
        headSha: target.headSha,
        runId: run.id,
        runAttempt: run.attempt,
      },
      renderComment(report, view),
    )
    logComment(result)
    if (result.status !== 'failed' && result.status !== 'stale') commentUrl = result.url
  }

  logJobSummary(await writeJobSummary(renderSummary(report, view), runner.stepSummary))

  const outputs = writeOutputs({
    verdict: report.verdict,
    passed: report.counts.PASSED,
    failed: report.counts.FAILED,
    timeout: report.counts.TIMEOUT,
    crashed: report.counts.CRASHED,
    error: report.counts.ERROR,
    flaky: report.counts.FLAKY,
    skipped: report.skipped?.length ?? 0,
    ...auditCounts(report.audit),
    'report-path': ctx.reportPath,
    'report-dir': ctx.reportDir,
    'comment-url': commentUrl,
    'check-run-url': checkRunUrl,
  })
  logRefusedOutputs(outputs.refused)
}

// The one place where what the reporting writers did becomes log lines. The writers (check run,
// comment, job summary, outputs) return results and never warn themselves, so each failure is
// said exactly once, and the job log reads the same whichever writer failed.

function logCheckRunStart(result: CheckRunStartResult): void {
  if (result.status === 'failed') warnGitHubFailure(log, result.error)
}

function logCheckRunCompletion(result: CheckRunCompleteResult): void {
  if (result.status === 'failed') warnGitHubFailure(log, result.error)
  if (result.status === 'completed' && result.truncated) {
    core.warning('The check run output was longer than GitHub allows and was truncated.')
  }
}

function logComment(result: StickyCommentResult): void {
  if (result.status === 'failed') warnGitHubFailure(log, result.error)
  if (result.status === 'stale') core.info(`PR comment not written: ${result.reason}.`)
  if (result.status === 'superseded') {
    core.warning(`The PR comment may be outdated: ${result.reason}.`)
  }
  if ((result.status === 'created' || result.status === 'updated') && result.authorMismatch) {
    const { expected, actual } = result.authorMismatch
    core.warning(
      `The PR comment was written as ${actual}, not ${expected}: the next run will not ` +
        'recognise it and will post another. Pass the comment author explicitly for this token.',
    )
  }
}

function logJobSummary(result: JobSummaryResult): void {
  if (result.status === 'full') {
    core.warning('The job summary is already full (1 MiB); the Quorum report was not added.')
  }
  if (result.status === 'written' && result.truncated) {
    core.warning('The job summary was longer than GitHub allows (1 MiB) and was truncated.')
  }
  if (result.status === 'failed') {
    core.warning(
      `Quorum could not write the job summary: ${result.error.message}. The verdict is not affected.`,
    )
  }
}

function logRefusedOutputs(refused: OutputRefusal[]): void {
  // The name and why only: the refused value may be hostile.
  for (const r of refused) core.warning(`Output ${r.name} was not set: it ${r.reason}.`)
}

/**
 * Creates the check run in_progress. Where to find it again is saved for the post step first:
 * a job killed from here on (out of memory, SIGKILL) leaves a check run the post step completes.
 */
async function startCheckRun(
  client: GitHubClient,
  runner: RunnerContext,
  input: Omit<CheckRunStartInput, 'externalId'>,
): Promise<OpenCheckRun> {
  const externalId = checkRunExternalId({
    id: runner.runId ?? '0',
    attempt: runner.runAttempt,
    job: runner.job ?? '',
  })
  const locator: CheckRunLocator = {
    owner: input.owner,
    repo: input.repo,
    headSha: input.headSha,
    name: input.name,
    externalId,
  }
  core.saveState(CHECK_RUN_STATE, JSON.stringify(locator))
  const writer = new CheckRunWriter(client, log)
  const started = await writer.start({ ...input, externalId })
  logCheckRunStart(started)
  return { writer, id: started.status === 'started' ? started.id : null, completed: false }
}

/**
 * Completes a started check run, once: later calls do nothing. Never throws; a failure to talk
 * to GitHub is a warning. Returns the check run's URL when GitHub answered with one.
 */
async function completeCheckRun(
  checkRun: OpenCheckRun,
  completion: CheckRunCompletion,
): Promise<string | null> {
  if (checkRun.completed) return null
  checkRun.completed = true
  const done = await checkRun.writer.complete(checkRun.id, completion).catch((error: unknown) => {
    core.warning(`Quorum could not complete its check run: ${describeFailure(error)}`)
    return null
  })
  if (done !== null) logCheckRunCompletion(done)
  // Done, or never to be (no permission): nothing for the post step. After a failure it tries
  // once more.
  if (done !== null && done.status !== 'failed') core.saveState(CHECK_RUN_STATE, '')
  return done?.status === 'completed' ? done.url : null
}

/** Completes a started check run as a failure when the gate could not evaluate. */
async function failCheckRun(checkRun: OpenCheckRun, message: string): Promise<void> {
  await completeCheckRun(checkRun, {
    conclusion: 'failure',
    title: 'Quorum could not evaluate this change',
    summary: `Quorum could not evaluate this change, so it is blocked:\n\n    ${message.replaceAll('\n', '\n    ')}`,
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

/**
 * Prints the terminal view to the runner log. Check output inside it is neutralised line by line
 * (toRunnerLog), and the whole block is also fenced with ::stop-commands:: under a token the
 * checks never saw, so not even a line that slipped through could be run as a command.
 */
function logReport(report: Report): void {
  const token = randomBytes(16).toString('hex')
  core.info(`::stop-commands::${token}`)
  core.info(toRunnerLog(renderTerminal(report, { color: false })))
  core.info(`::${token}::`)
}

class CancelledError extends QuorumError {
  constructor(message: string) {
    super('cancelled', message)
  }
}

/** The run was ended by an internal error or stalled: a bug, said without a useless stack. */
class StalledError extends QuorumError {
  constructor(message: string) {
    super('environment', message)
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof QuorumError) {
    return error.fate === 'config'
      ? `Bad Quorum config: ${error.describe()}`
      : `Quorum: ${error.describe()}`
  }
  if (error instanceof Error) {
    return `Quorum failed unexpectedly (this is a bug; the change is blocked): ${error.stack ?? error.message}`
  }
  return `Quorum failed unexpectedly: ${String(error)}`
}
