/**
 * The life of this run's check run: started in_progress once the head is known, and completed
 * exactly once whatever happens after: with the verdict, with the bare verdict when its report
 * could not be rendered there, or as a failure when there is no verdict. A job killed outright is
 * the post step's business (post.ts), which finds the check run by what start() saved.
 */
import * as core from '@actions/core'
import type { Report } from '../../engine/types.ts'
import {
  CHECK_RUN_STATE,
  CheckRunWriter,
  checkRunExternalId,
  type CheckRunCompletion,
  type CheckRunLocator,
  type CheckRunStartInput,
} from '../api/check-run.ts'
import type { GitHubClient } from '../api/client.ts'
import { describeFailure } from './failures.ts'
import { jobLog, logCheckRunCompletion, logCheckRunStart } from './job-log.ts'
import type { RunnerContext } from './runner-context.ts'

/** A check run this run started; `completed` once a completion was attempted. */
export interface OpenCheckRun {
  writer: CheckRunWriter
  id: number | null
  completed: boolean
}

/**
 * Creates the check run in_progress. Where to find it again is saved for the post step first:
 * a job killed from here on (out of memory, SIGKILL) leaves a check run the post step completes.
 */
export async function startCheckRun(
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
  const writer = new CheckRunWriter(client, jobLog)
  const started = await writer.start({ ...input, externalId })
  logCheckRunStart(started)
  return { writer, id: started.status === 'started' ? started.id : null, completed: false }
}

/**
 * Completes a started check run, once: later calls do nothing. Never throws; a failure to talk
 * to GitHub is a warning. Returns the check run's URL when GitHub answered with one.
 */
export async function completeCheckRun(
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

/**
 * Completes a check run that publishing did not reach (it failed before) with the verdict alone:
 * the title says it, `summary` says where the report is instead.
 */
export async function completeCheckRunWithVerdict(
  checkRun: OpenCheckRun,
  report: Report,
  summary: string,
): Promise<void> {
  await completeCheckRun(checkRun, {
    conclusion: report.verdict === 'allow' ? 'success' : 'failure',
    title: verdictSentence(report),
    summary,
  })
}

/** `Quorum allowed this change` or `Quorum blocked this change`. */
export function verdictSentence(report: Report): string {
  return `Quorum ${report.verdict === 'allow' ? 'allowed' : 'blocked'} this change`
}

/** Completes a started check run as a failure when the gate could not evaluate. */
export async function failCheckRun(checkRun: OpenCheckRun, message: string): Promise<void> {
  await completeCheckRun(checkRun, {
    conclusion: 'failure',
    title: 'Quorum could not evaluate this change',
    summary: `Quorum could not evaluate this change, so it is blocked:\n\n    ${message.replaceAll('\n', '\n    ')}`,
  })
}
