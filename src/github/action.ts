/**
 * The action: inputs -> event plan -> two git worktrees -> gate -> check run, sticky comment,
 * job summary, outputs -> job status. The job fails exactly when the verdict is block (or the
 * gate could not evaluate at all); a failure to talk to GitHub is a loud warning, never a change
 * of verdict.
 */
import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { loadConfigFile } from '../engine/config.ts'
import { ConfigError } from '../engine/errors.ts'
import type { Change, CheckSpec, GateConfig, Report } from '../engine/types.ts'
import { GateUsageError, runGate, shellQuote, type GateEvent } from '../gate.ts'
import { renderCheckRun, renderComment, renderSummary } from '../report/markdown.ts'
import { renderTerminal } from '../report/terminal.ts'
import { toRunnerLog } from '../report/log-safe.ts'
import { CheckRunWriter, checkRunName } from './check-run.ts'
import { createGitHubClient, type GitHubClient } from './client.ts'
import { commentMarker, StickyCommentWriter } from './comment.ts'
import { warnGitHubFailure, type GitHubLog } from './errors.ts'
import { planFromEvent, type EventPlan } from './event.ts'
import { createGitCommandManager } from './git.ts'
import { readInputs, type ActionInputs } from './inputs.ts'
import { writeOutputs } from './outputs.ts'
import { writeJobSummary } from './summary.ts'
import { prepareTrees, resolvePlan, type PreparedTrees } from './trees.ts'
import { sensitivePaths } from './sensitive-paths.ts'

const log: GitHubLog = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  debug: (message) => core.debug(message),
}

const CHANGE_NOTE: Partial<Record<Change, string>> = {
  regressed: ' (passed on the base)',
  'still-failing': ' (already failing on the base)',
}

interface Repo {
  owner: string
  repo: string
}

/**
 * Runs the action once; never throws (every failure ends in core.setFailed). `abort` (the
 * runner's SIGINT/SIGTERM when a workflow is cancelled) stops every run and removes every
 * sandbox before the process exits.
 */
export async function run(
  env: NodeJS.ProcessEnv = process.env,
  abort?: AbortSignal,
): Promise<void> {
  let checkRun: { writer: CheckRunWriter; id: number | null } | null = null
  let trees: PreparedTrees | null = null
  try {
    const inputs = readInputs()
    const repo = parseRepository(env['GITHUB_REPOSITORY'])
    const eventName = required(env, 'GITHUB_EVENT_NAME')
    const payload = JSON.parse(
      await readFile(required(env, 'GITHUB_EVENT_PATH'), 'utf8'),
    ) as unknown
    const git = createGitCommandManager(inputs.workingDirectory, {
      parentEnv: env,
      ...(inputs.token ? { authToken: inputs.token } : {}),
      serverUrl: env['GITHUB_SERVER_URL'] || 'https://github.com',
      log: (line) => core.debug(line),
    })
    const firstPlan = planFromEvent(
      eventName,
      payload,
      {
        GITHUB_SHA: required(env, 'GITHUB_SHA'),
        ...(env['GITHUB_REF'] ? { GITHUB_REF: env['GITHUB_REF'] } : {}),
      },
      inputs,
    )
    const plan = await resolvePlan(git, firstPlan)
    for (const note of plan.notes) core.info(note)

    const client = inputs.token
      ? createGitHubClient({
          token: inputs.token,
          ...(env['GITHUB_API_URL'] ? { baseUrl: env['GITHUB_API_URL'] } : {}),
          log,
        })
      : null
    const runUrl = workflowRunUrl(env, repo)
    if (client && inputs.checkRun) {
      const writer = new CheckRunWriter(client, log)
      const started = await writer.start({
        ...repo,
        name: checkRunName(inputs.gateName),
        headSha: plan.headSha,
        ...(runUrl ? { detailsUrl: runUrl } : {}),
      })
      if (started.status === 'failed') warnGitHubFailure(log, started.error)
      checkRun = { writer, id: started.status === 'started' ? started.id : null }
    }

    // Report and logs go where upload-artifact can find them; the trees go to the system temp
    // directory, because RUNNER_TEMP (credentials, the event file) is hidden from checks.
    const outDir = join(env['RUNNER_TEMP'] || tmpdir(), `quorum-${inputs.gateName}`)
    await mkdir(outDir, { recursive: true })
    trees = await prepareTrees(git, inputs.workingDirectory, plan, tmpdir())
    const { config, notices } = await loadGateConfig(inputs, trees, plan)

    core.startGroup('Quorum: running checks')
    const report = await runGate({
      config,
      candidateDir: trees.candidate.path,
      baselineDir: trees.baseline?.path ?? null,
      mode: inputs.mode,
      parallel: inputs.parallel,
      sandbox: inputs.sandbox,
      logDir: join(outDir, 'logs'),
      parentEnv: env,
      commits: { baseline: trees.baseline?.sha ?? null, candidate: trees.candidate.sha },
      notices: [...notices, ...trees.notes],
      reproduce: reproduceCommand(plan, inputs),
      maskPaths: sensitivePaths(env, inputs.workingDirectory),
      // The checkout itself: later steps of the job run what is there.
      readOnlyPaths: [env['GITHUB_WORKSPACE'] || inputs.workingDirectory],
      onEvent: logProgress,
      abort,
    })
    core.endGroup()
    if (abort?.aborted) throw new CancelledError('Quorum was cancelled; every run was stopped')

    if (report.sandbox === 'copy' && inputs.sandbox !== 'copy') {
      core.warning(
        'Quorum ran checks in copy sandboxes, which cannot hide credentials, runner files or this ' +
          "action's own environment (its token, through /proc) from PR code. " +
          'On Ubuntu 24.04 runners, unprivileged user namespaces are restricted by AppArmor; add a step ' +
          '`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` before Quorum (see the README).',
      )
    }
    const reportPath = join(outDir, 'report.json')
    await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`)
    logReport(report)
    const published = { report, reportPath, inputs, plan, repo, client, checkRun, runUrl, env }
    checkRun = null
    // Reporting is best effort: whatever goes wrong there, the verdict below stands.
    await publish(published).catch((error: unknown) => {
      core.warning(`Quorum could not publish every view of its report: ${describeFailure(error)}`)
    })

    // The job's own message names checks and outcomes only: reasons quote check output, which
    // belongs in the views that escape it, not in an annotation of the action's own.
    const failing = report.checks
      .filter((c) => c.candidate.outcome !== 'PASSED')
      .map((c) => `${c.name} ${c.candidate.outcome}${CHANGE_NOTE[c.change] ?? ''}`)
    const where = 'see the job summary' + (report.verdict === 'block' ? ' and the check run' : '')
    if (report.verdict === 'block') {
      const why = failing.length > 0 ? failing.join(', ') : 'the score did not improve'
      core.setFailed(`Quorum blocked this change: ${why}; ${where}.`)
    } else {
      core.info(`Quorum allowed this change (${report.checks.length} checks); ${where}.`)
    }
  } catch (error) {
    const message = describeFailure(error)
    core.setOutput('verdict', 'block')
    if (checkRun) await failCheckRun(checkRun, message)
    core.setFailed(message)
  } finally {
    await trees?.cleanup().catch((error: unknown) => core.warning(`cleanup: ${String(error)}`))
  }
}

/**
 * Reads the gate config from the baseline tree (so a PR cannot weaken the checks it is judged
 * by), unless the workflow asked for the candidate's, or there is no baseline.
 */
async function loadGateConfig(
  inputs: ActionInputs,
  trees: PreparedTrees,
  plan: EventPlan,
): Promise<{ config: GateConfig; notices: string[] }> {
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
  const config = await loadConfigFile(file, { displayPath: inputs.config })
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
  return { config, notices }
}

interface PublishContext {
  report: Report
  reportPath: string
  inputs: ActionInputs
  plan: EventPlan
  repo: Repo
  client: GitHubClient | null
  checkRun: { writer: CheckRunWriter; id: number | null } | null
  runUrl: string | null
  env: NodeJS.ProcessEnv
}

/** Every view and side effect of one report; each failure is a warning, never a new verdict. */
async function publish(ctx: PublishContext): Promise<void> {
  const { report, inputs, plan, repo, env } = ctx
  const serverUrl = env['GITHUB_SERVER_URL'] || 'https://github.com'
  const view = {
    gateName: inputs.gateName,
    marker: commentMarker(inputs.gateName),
    headSha: plan.headSha,
    checkRunUrl: null as string | null,
    reportUrl: ctx.runUrl,
    treeRoot: report.trees.candidate.path,
    repoUrl: `${serverUrl}/${repo.owner}/${repo.repo}`,
  }

  let checkRunUrl: string | null = null
  if (ctx.checkRun) {
    const output = renderCheckRun(report, view)
    const done = await ctx.checkRun.writer.complete(ctx.checkRun.id, {
      conclusion: report.verdict === 'allow' ? 'success' : 'failure',
      title: output.title,
      summary: output.summary,
      text: output.text,
      annotations: output.annotations,
    })
    if (done.status === 'failed') warnGitHubFailure(log, done.error)
    if (done.status === 'completed') checkRunUrl = done.url
  }
  view.checkRunUrl = checkRunUrl

  let commentUrl: string | null = null
  if (ctx.client && inputs.comment && plan.commentable && plan.pullNumber !== null) {
    const writer = new StickyCommentWriter(
      ctx.client,
      log,
      inputs.commentAuthor ? { expectedAuthor: inputs.commentAuthor } : {},
    )
    const result = await writer.upsert(
      {
        ...repo,
        pullNumber: plan.pullNumber,
        gate: inputs.gateName,
        headSha: plan.headSha,
        runId: env['GITHUB_RUN_ID'] ?? '0',
        runAttempt: env['GITHUB_RUN_ATTEMPT'] ?? '1',
      },
      renderComment(report, view),
    )
    if (result.status === 'failed') warnGitHubFailure(log, result.error)
    else if (result.status === 'stale') core.info(`PR comment not updated: ${result.reason}`)
    else commentUrl = result.url
  }

  const summary = await writeJobSummary(renderSummary(report, view), { log })
  if (summary.status === 'failed')
    core.warning(`Could not write the job summary: ${String(summary.error)}`)

  writeOutputs(
    {
      verdict: report.verdict,
      passed: report.counts.PASSED,
      failed: report.counts.FAILED,
      timeout: report.counts.TIMEOUT,
      crashed: report.counts.CRASHED,
      error: report.counts.ERROR,
      'report-path': ctx.reportPath,
      'comment-url': commentUrl,
      'check-run-url': checkRunUrl,
    },
    { log },
  )
}

/** Completes a started check run as a failure when the gate could not evaluate. */
async function failCheckRun(
  checkRun: { writer: CheckRunWriter; id: number | null },
  message: string,
): Promise<void> {
  const done = await checkRun.writer
    .complete(checkRun.id, {
      conclusion: 'failure',
      title: 'Quorum could not evaluate this change',
      summary: `Quorum could not evaluate this change, so it is blocked:\n\n    ${message.replaceAll('\n', '\n    ')}`,
    })
    .catch(() => null)
  if (done?.status === 'failed') warnGitHubFailure(log, done.error)
}

/** One line a maintainer can paste into a local clone to replay a check's candidate run. */
function reproduceCommand(plan: EventPlan, inputs: ActionInputs) {
  return (check: CheckSpec, seed: string): string => {
    const fetch =
      plan.pullNumber !== null && !plan.candidateIsPrHead
        ? `git fetch origin refs/pull/${plan.pullNumber}/merge`
        : `git fetch origin ${plan.candidateSha}`
    const dir = `../quorum-${plan.candidateSha.slice(0, 8)}`
    const verify = ['quorum', 'verify', '--candidate', dir, '--config', inputs.config]
    verify.push('--only', check.name, '--seed', seed)
    return `${fetch} && git worktree add ${dir} FETCH_HEAD && ${verify.map(shellQuote).join(' ')}`
  }
}

function logProgress(event: GateEvent): void {
  // Names and outcomes only: check names come from the trusted config, never from output.
  if (event.type === 'sandbox') core.info(`sandbox: ${event.kind}`)
  if (event.type === 'setup') core.info(`${event.tree} setup: ${event.result.outcome}`)
  if (event.type === 'finish') {
    core.info(
      toRunnerLog(
        `${event.tree} ${event.check}: ${event.result.outcome} (${event.result.duration_ms} ms)`,
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

class CancelledError extends Error {
  override name = 'CancelledError'
}

function describeFailure(error: unknown): string {
  if (error instanceof ConfigError) return `Bad Quorum config: ${error.format()}`
  if (error instanceof GateUsageError) return `Quorum: ${error.message}`
  if (error instanceof Error) {
    const known = [
      'CancelledError',
      'InputError',
      'EventError',
      'UnsafeCheckoutError',
      'TreePreparationError',
      'GitError',
      'WorkspaceError',
    ]
    if (known.includes(error.name)) return `Quorum: ${error.message}`
    return `Quorum failed unexpectedly (this is a bug; the change is blocked): ${error.stack ?? error.message}`
  }
  return `Quorum failed unexpectedly: ${String(error)}`
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]
  if (!value) throw new Error(`${name} is not set; is this running inside GitHub Actions?`)
  return value
}

function parseRepository(value: string | undefined): Repo {
  const [owner, repo, ...rest] = (value ?? '').split('/')
  if (!owner || !repo || rest.length > 0) {
    throw new Error(`GITHUB_REPOSITORY must be owner/repo, not "${value ?? ''}"`)
  }
  return { owner, repo }
}

function workflowRunUrl(env: NodeJS.ProcessEnv, repo: Repo): string | null {
  const runId = env['GITHUB_RUN_ID']
  if (!runId) return null
  const server = env['GITHUB_SERVER_URL'] || 'https://github.com'
  return `${server}/${repo.owner}/${repo.repo}/actions/runs/${runId}`
}
