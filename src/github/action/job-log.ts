/**
 * The job log: the one place where what the reporting writers did becomes log lines. The writers
 * (check run, comment, job summary, outputs) return results and never warn themselves, so each
 * failure is said exactly once, and the job log reads the same whichever writer failed.
 */
import * as core from '@actions/core'
import type { CheckRunCompleteResult, CheckRunStartResult } from '../api/check-run.ts'
import type { StickyCommentResult } from '../api/comment.ts'
import { warnGitHubFailure, type GitHubLog } from '../api/errors.ts'
import type { OutputRefusal } from '../api/outputs.ts'
import type { JobSummaryResult } from '../api/summary.ts'

/** The GitHubLog the API client and writers are given: @actions/core's log. */
export const jobLog: GitHubLog = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  debug: (message) => core.debug(message),
}

export function logCheckRunStart(result: CheckRunStartResult): void {
  if (result.status === 'failed') warnGitHubFailure(jobLog, result.error)
}

export function logCheckRunCompletion(result: CheckRunCompleteResult): void {
  if (result.status === 'failed') warnGitHubFailure(jobLog, result.error)
  if (result.status === 'completed' && result.truncated) {
    core.warning('The check run output was longer than GitHub allows and was truncated.')
  }
}

export function logComment(result: StickyCommentResult): void {
  if (result.status === 'failed') warnGitHubFailure(jobLog, result.error)
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

export function logJobSummary(result: JobSummaryResult): void {
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

export function logRefusedOutputs(refused: OutputRefusal[]): void {
  // The name and why only: the refused value may be hostile.
  for (const r of refused) core.warning(`Output ${r.name} was not set: it ${r.reason}.`)
}
