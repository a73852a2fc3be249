/**
 * The action's post step (action.yml `post`: the same bundle, run after the job's other steps
 * whatever became of them, told apart by POST_STATE). The main step completes its check run
 * itself, even on cancellation and on its own crashes; what it cannot survive is being killed
 * outright (SIGKILL, the out-of-memory killer, a runner that stops it). Such a job leaves its
 * check run in progress, which a required check shows as pending forever. The main step saves
 * where its check run is before creating it, and clears that once it is completed; this step
 * completes whatever is still in progress there as a failure: there is no verdict, so the
 * change is blocked until the job is re-run.
 *
 * It runs no check and reads no tree. It never fails the job (the job has failed already when
 * there is anything to do); problems are warnings. It can only ever turn an open check run into
 * a failure, so even a forged state (checks cannot write GITHUB_STATE: see the e2e tests) could
 * not make anything pass.
 */
import * as core from '@actions/core'
import {
  CHECK_RUN_STATE,
  completeAbandonedCheckRuns,
  type CheckRunLocator,
} from './api/check-run.ts'
import { createGitHubClient } from './api/client.ts'
import { warnGitHubFailure } from './api/errors.ts'
import { jobLog } from './action/job-log.ts'

/** Saved by the main step before anything else: the same script, run again, is the post step. */
export const POST_STATE = 'isPost'

export async function runPost(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const saved = core.getState(CHECK_RUN_STATE)
  if (saved === '') return
  const locator = parseLocator(saved)
  if (locator === null) {
    core.warning('Quorum post step: the saved check run state is not readable; nothing done.')
    return
  }
  const token = core.getInput('token')
  if (token === '') {
    core.warning(`Quorum post step: no token to complete the check run "${locator.name}" with.`)
    return
  }
  const apiUrl = env['GITHUB_API_URL']
  const client = createGitHubClient({ token, ...(apiUrl ? { baseUrl: apiUrl } : {}), log: jobLog })
  const result = await completeAbandonedCheckRuns(client, locator, {
    title: 'Quorum stopped before reaching a verdict',
    summary:
      'The Quorum step ended without completing this check run: it was killed (out of memory, ' +
      'a signal it cannot handle, or the runner stopped it). There is no verdict, so the change ' +
      'is blocked. Re-run the job; the job log says where it stopped.',
  })
  if (result.status === 'failed') {
    warnGitHubFailure(jobLog, result.error)
  } else if (result.ids.length > 0) {
    core.warning(
      `The Quorum step ended before completing its check run "${locator.name}"; it is now completed as a failure (no verdict). Re-run the job.`,
    )
  }
}

/** The locator the main step saved, or null when it is not one. */
function parseLocator(text: string): CheckRunLocator | null {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const v = value as Record<string, unknown>
  const keys = ['owner', 'repo', 'headSha', 'name', 'externalId'] as const
  if (!keys.every((k) => typeof v[k] === 'string' && v[k] !== '')) return null
  return {
    owner: v['owner'] as string,
    repo: v['repo'] as string,
    headSha: v['headSha'] as string,
    name: v['name'] as string,
    externalId: v['externalId'] as string,
  }
}
