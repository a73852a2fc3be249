/**
 * What the publish stage knows about the gate run whose reports it publishes, from sources it
 * can trust (DESIGN "Forks and shards"): the `workflow_run` payload GitHub sends when the gate
 * workflow completes (the fork split), or this very run's own event and environment (shards in
 * the same workflow, the publish job `needs:` the matrix). Never from an artifact. Pure: the event
 * and a few runner values in, a GateRun out.
 */
import { QuorumError } from '../../engine/errors.ts'
import { FULL_SHA_PATTERN } from '../action/constants.ts'
import { planFromEvent, type EventInputs } from '../gate/event.ts'
import type { RunnerContext } from '../action/runner-context.ts'

export interface GateRun {
  /** Where these facts come from. */
  source: 'workflow_run' | 'this-run'
  /** The workflow run whose artifacts hold the reports. */
  runId: number
  runAttempt: number
  /** The event that triggered the gate run (`pull_request` for the fork split). */
  event: string
  /** The commit the verdict is for: the check run goes on it. */
  headSha: string
  /**
   * How to find the pull request: numbers GitHub named (this run's own payload, or the
   * workflow_run's `pull_requests`, which is empty for a fork), and the head branch and its
   * repository's owner (for `GET /pulls?head=owner:branch`). Empty when the event has no PR.
   */
  pullRequest: {
    numbers: number[]
    headOwner: string | null
    headBranch: string | null
  } | null
  /**
   * Baselines this event itself vouches for (push `before`, merge_group `base_sha`), or null
   * when they must be looked up (a pull request's base) or cannot be known.
   */
  eventBases: Array<string | null> | null
}

/**
 * The gate run for this publish job.
 * @throws QuorumError of fate 'usage' for a payload without what GitHub always sends, a workflow_run that is not
 *   completed, or one whose gate event the publisher cannot verify.
 */
export function gateRunOf(
  runner: Pick<RunnerContext, 'eventName' | 'sha' | 'ref' | 'runId' | 'runAttempt'>,
  payload: unknown,
  inputs: EventInputs,
): GateRun {
  if (runner.eventName === 'workflow_run') return fromWorkflowRun(payload)
  const plan = planFromEvent(
    runner.eventName,
    payload,
    { GITHUB_SHA: runner.sha, ...(runner.ref ? { GITHUB_REF: runner.ref } : {}) },
    inputs,
  )
  const runId = positive(runner.runId, 'GITHUB_RUN_ID')
  const isPull = plan.event === 'pull_request' || plan.event === 'pull_request_target'
  let eventBases: Array<string | null> | null = null
  if (plan.event === 'push' || plan.event === 'merge_group') eventBases = [plan.baselineSha]
  if (plan.event === 'workflow_dispatch') {
    // A branch or tag name moves; only a sha (or no baseline at all) names one commit.
    const base = inputs.baselineRef
    if (base === null) eventBases = [null]
    else if (FULL_SHA_PATTERN.test(base)) eventBases = [base]
  }
  return {
    source: 'this-run',
    runId,
    runAttempt: positive(runner.runAttempt, 'GITHUB_RUN_ATTEMPT'),
    event: plan.event,
    headSha: plan.headSha,
    pullRequest:
      isPull && plan.pullNumber !== null
        ? { numbers: [plan.pullNumber], headOwner: null, headBranch: null }
        : null,
    eventBases,
  }
}

function fromWorkflowRun(payload: unknown): GateRun {
  const run = field(payload, 'workflow_run')
  const action = field(payload, 'action')
  if (action !== 'completed') {
    throw new QuorumError(
      'usage',
      `The publish stage runs when the gate workflow has completed (its artifacts exist only then); ` +
        `this workflow_run event is '${String(action).slice(0, 40)}'. Use 'on: workflow_run: types: [completed]'.`,
    )
  }
  const event = field(run, 'event')
  if (event !== 'pull_request') {
    // Only a pull request's run can be checked against what the API says (its head, base and
    // changed files); shards of other events are published from the same workflow.
    throw new QuorumError(
      'usage',
      `Under workflow_run the publish stage publishes pull_request runs (the fork split); the ` +
        `triggering run was a '${String(event).slice(0, 40)}' event. Publish its shards from a ` +
        'job of the same workflow instead (needs: the matrix).',
    )
  }
  const headSha = field(run, 'head_sha')
  if (typeof headSha !== 'string' || !FULL_SHA_PATTERN.test(headSha.toLowerCase())) {
    throw new QuorumError('usage', 'workflow_run payload has no head_sha')
  }
  const numbers: number[] = []
  const listed = field(run, 'pull_requests')
  for (const pr of Array.isArray(listed) ? listed : []) {
    const number = field(pr, 'number')
    if (typeof number === 'number' && Number.isSafeInteger(number) && number > 0)
      numbers.push(number)
  }
  const branch = field(run, 'head_branch')
  const owner = field(field(field(run, 'head_repository'), 'owner'), 'login')
  return {
    source: 'workflow_run',
    runId: positive(field(run, 'id'), 'workflow_run.id'),
    runAttempt: positive(field(run, 'run_attempt') ?? 1, 'workflow_run.run_attempt'),
    event,
    headSha: headSha.toLowerCase(),
    pullRequest: {
      numbers,
      headOwner: typeof owner === 'string' && owner !== '' ? owner : null,
      headBranch: typeof branch === 'string' && branch !== '' ? branch : null,
    },
    eventBases: null,
  }
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined
}

function positive(value: unknown, what: string): number {
  const n = typeof value === 'string' && /^[1-9][0-9]{0,15}$/.test(value) ? Number(value) : value
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
    throw new QuorumError(
      'usage',
      `${what} must be a positive whole number, got ${JSON.stringify(value)?.slice(0, 40)}`,
    )
  }
  return n
}
