/**
 * Every view and side effect of one report: the check run, the sticky PR comment, the job summary
 * and the step outputs. Each failure is a warning (said once, by job-log.ts), never a new verdict.
 */
import { auditCounts } from '../../engine/audit.ts'
import { renderCheckRun, renderComment, renderSummary } from '../../report/markdown.ts'
import { StickyCommentWriter } from '../api/comment.ts'
import { writeOutputs } from '../api/outputs.ts'
import { writeJobSummary } from '../api/summary.ts'
import { completeCheckRun, type OpenCheckRun } from './check-run-lifecycle.ts'
import type { ActionInputs } from './inputs.ts'
import { jobLog, logComment, logJobSummary, logRefusedOutputs } from './job-log.ts'
import type { ProducedReport } from './report-producer.ts'
import type { RunnerContext } from './runner-context.ts'

/** This job's side of publishing: its inputs and runner, and the check run it opened. */
export interface PublishFrame {
  inputs: ActionInputs
  runner: RunnerContext
  checkRun: OpenCheckRun | null
}

/** Publishes `produced` everywhere the inputs ask for. Throws only on a bug in a view. */
export async function publishViews(produced: ProducedReport, frame: PublishFrame): Promise<void> {
  const { report, target, run } = produced
  const { inputs, runner } = frame
  const repo = runner.repository
  const view = {
    gateName: inputs.gateName,
    headSha: target.headSha,
    run,
    checkRunUrl: null as string | null,
    reportUrl: produced.runUrl,
    treeRoot: report.trees.candidate.path,
    repoUrl: `${runner.serverUrl}/${repo.owner}/${repo.repo}`,
  }

  let checkRunUrl: string | null = null
  if (frame.checkRun) {
    const output = renderCheckRun(report, view)
    checkRunUrl = await completeCheckRun(frame.checkRun, {
      conclusion: report.verdict === 'allow' ? 'success' : 'failure',
      title: output.title,
      summary: output.summary,
      text: output.text,
      annotations: output.annotations,
    })
  }
  view.checkRunUrl = checkRunUrl

  let commentUrl: string | null = null
  if (produced.client && inputs.comment && target.pullNumber !== null) {
    const writer = new StickyCommentWriter(
      produced.client,
      jobLog,
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
    'report-path': produced.reportPath,
    'report-dir': produced.reportDir,
    'comment-url': commentUrl,
    'check-run-url': checkRunUrl,
  })
  logRefusedOutputs(outputs.refused)
}
