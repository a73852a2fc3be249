/**
 * The publish stage's report producer (DESIGN "Forks and shards"): checks out no tree and runs no
 * check. It reads the gate config from this job's checkout (the default branch under
 * workflow_run: no PR code), learns the gate run's head, event and pull request from the event
 * and the API, reads the gate jobs' report artifacts, refuses whatever does not match, and merges
 * the rest with the verdict recomputed. The entry publishes the result exactly as the gate
 * stage's.
 */
import * as core from '@actions/core'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { mergeReports, untrustedGateChange, type PublisherFacts } from '../../engine/merge.ts'
import type { Report } from '../../engine/types.ts'
import { VERSION } from '../../version.ts'
import { createGitHubClient, type GitHubClient } from '../api/client.ts'
import { verdictSentence } from '../action/check-run-lifecycle.ts'
import { Inputs } from '../action/constants.ts'
import { InputError, type ActionInputs } from '../action/inputs.ts'
import { jobLog } from '../action/job-log.ts'
import { logReport, makeOutputDir, writeReportFile } from '../action/report-file.ts'
import type { ProducedReport, ProducerContext, ReportProducer } from '../action/report-producer.ts'
import type { Repo } from '../action/runner-context.ts'
import { gateRunOf, type GateRun } from './gate-run.ts'
import { loadPublisherConfig } from './publisher-config.ts'
import {
  changedFiles,
  findPullRequest,
  verifyBases,
  type PullRequestFacts,
} from './pull-request-facts.ts'
import { collectReports, type Intake } from './report-artifacts.ts'

/** The publish stage: the report is the merge of what the gate run handed over. */
export const publishStageProducer: ReportProducer = { produce: producePublishedReport }

async function producePublishedReport(ctx: ProducerContext): Promise<ProducedReport> {
  const { runner, inputs } = ctx
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
    log: jobLog,
  })
  const gateRunUrl = `${runner.serverUrl}/${repo.owner}/${repo.repo}/actions/runs/${gateRun.runId}`
  core.info(
    `Quorum: publishing the reports of ${gateRun.source === 'workflow_run' ? 'gate run' : 'this run,'} ${gateRun.runId} (${gateRun.event}, head ${gateRun.headSha}).`,
  )
  await ctx.openCheckRun(client, { headSha: gateRun.headSha, detailsUrl: gateRunUrl })
  const own = await loadPublisherConfig(inputs, runner)

  // What the API says about the pull request, before any artifact is opened.
  const { pr, problems, notices } = await lookUpPullRequest(client, repo, gateRun, own.gateFiles)
  const outDir = await makeOutputDir(runner, inputs)
  const intake = await readGateReports(client, repo, inputs, { gateRun, pr, outDir })
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
  const reportPath = await writeReportFile(outDir, report)
  logReport(report)
  return {
    report,
    reportPath,
    reportDir: null,
    target: { headSha: gateRun.headSha, pullNumber: pr?.number ?? null },
    // The gate run's: a late publish of an older gate run never overwrites a newer one's comment.
    run: { id: String(gateRun.runId), attempt: String(gateRun.runAttempt) },
    runUrl: gateRunUrl,
    client,
    refusals: merged.problems,
    checkRunFallback: `${verdictSentence(report)}; see the publish job's log and summary.`,
  }
}

/**
 * The gate run's pull request as the API knows it, and why its reports cannot be trusted (it
 * changes what the gate run depends on), or why it could not be looked up.
 */
async function lookUpPullRequest(
  client: GitHubClient,
  repo: Repo,
  gateRun: GateRun,
  gateFiles: string[],
): Promise<{ pr: PullRequestFacts | null; problems: string[]; notices: string[] }> {
  const problems: string[] = []
  const notices: string[] = []
  if (gateRun.pullRequest === null) return { pr: null, problems, notices }
  const found = await findPullRequest(client, repo, gateRun)
  if ('problem' in found) return { pr: null, problems: [found.problem], notices }
  const pr = found.pr
  core.info(`The run is for pull request #${pr.number} into ${pr.baseRef}.`)
  if (found.note !== null) notices.push(found.note)
  const files = await changedFiles(client, repo, pr)
  const untrusted = 'problem' in files ? files.problem : untrustedGateChange(files.files, gateFiles)
  if (untrusted !== null) problems.push(untrusted)
  return { pr, problems, notices }
}

/** Reads the gate run's report artifacts through a scratch directory removed again after. */
async function readGateReports(
  client: GitHubClient,
  repo: Repo,
  inputs: ActionInputs,
  p: { gateRun: GateRun; pr: PullRequestFacts | null; outDir: string },
): Promise<Intake> {
  const scratch = await mkdtemp(join(p.outDir, 'publish-'))
  let intake
  try {
    intake = await collectReports(client, {
      ...repo,
      runId: p.gateRun.runId,
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
    if (p.pr !== null && claimed !== null && claimed !== p.pr.number) {
      core.info(
        `${item.artifact} names pull request #${claimed}; the API says #${p.pr.number}, which is used.`,
      )
    }
  }
  return intake
}
