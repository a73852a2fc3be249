/**
 * gateRunOf: what the publish stage learns about the gate run from its own event, with real
 * webhook payloads (@octokit/webhooks-examples) shaped like a fork's run.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { gateRunOf } from '../../src/github/publish/gate-run.ts'
import { examplePayload } from '../support/git-fixtures.ts'

const HEAD = 'a'.repeat(40)
const NO_INPUTS = {
  allowPrHeadUnderPullRequestTarget: false,
  baselineRef: null,
  candidateRef: null,
}
const RUNNER = { sha: 'b'.repeat(40), ref: 'refs/heads/main', runId: '777', runAttempt: '2' }

function forkRun(change: Record<string, unknown> = {}, action = 'completed') {
  const payload = examplePayload('workflow_run', 'completed')
  payload['action'] = action
  const run = payload['workflow_run'] as Record<string, unknown>
  const repo = run['head_repository'] as Record<string, unknown>
  Object.assign(run, {
    id: 4242,
    run_attempt: 3,
    event: 'pull_request',
    head_sha: HEAD.toUpperCase(),
    head_branch: 'patch-1',
    head_repository: { ...repo, owner: { ...(repo['owner'] as object), login: 'mallory' } },
    pull_requests: [],
    ...change,
  })
  return payload
}

describe('gateRunOf', () => {
  test("a fork's workflow_run: the triggering run, its head, and how to find the PR", () => {
    const run = gateRunOf({ ...RUNNER, eventName: 'workflow_run' }, forkRun(), NO_INPUTS)
    assert.deepEqual(run, {
      source: 'workflow_run',
      runId: 4242,
      runAttempt: 3,
      event: 'pull_request',
      headSha: HEAD,
      pullRequest: { numbers: [], headOwner: 'mallory', headBranch: 'patch-1' },
      eventBases: null,
    })
  })

  test('a same-repository PR: the numbers GitHub lists are used', () => {
    const payload = forkRun({ pull_requests: [{ number: 7 }, { number: 'x' }] })
    const run = gateRunOf({ ...RUNNER, eventName: 'workflow_run' }, payload, NO_INPUTS)
    assert.deepEqual(run.pullRequest?.numbers, [7])
  })

  test('a run that is not completed, or not a pull_request run, is refused with what to do', () => {
    assert.throws(
      () =>
        gateRunOf({ ...RUNNER, eventName: 'workflow_run' }, forkRun({}, 'requested'), NO_INPUTS),
      { fate: 'usage', message: /types: \[completed\]/ },
    )
    assert.throws(
      () =>
        gateRunOf({ ...RUNNER, eventName: 'workflow_run' }, forkRun({ event: 'push' }), NO_INPUTS),
      { fate: 'usage', message: /triggering run was a 'push' event/ },
    )
    assert.throws(
      () => gateRunOf({ ...RUNNER, eventName: 'workflow_run' }, forkRun({ id: -1 }), NO_INPUTS),
      /workflow_run\.id must be a positive whole number/,
    )
  })

  test('this run (shards): its own event, run id and attempt; a push vouches for its base', () => {
    const payload = examplePayload('push')
    const after = String(payload['after'])
    const before = String(payload['before'])
    const run = gateRunOf({ ...RUNNER, eventName: 'push' }, payload, NO_INPUTS)
    assert.equal(run.source, 'this-run')
    assert.equal(run.runId, 777)
    assert.equal(run.runAttempt, 2)
    assert.equal(run.headSha, after)
    assert.equal(run.pullRequest, null)
    assert.deepEqual(run.eventBases, [/^0+$/.test(before) ? null : before])
  })

  test('this run under pull_request: the PR number from its own payload', () => {
    const payload = examplePayload('pull_request', 'opened')
    const run = gateRunOf({ ...RUNNER, eventName: 'pull_request' }, payload, NO_INPUTS)
    assert.deepEqual(run.pullRequest, {
      numbers: [Number(payload['number'])],
      headOwner: null,
      headBranch: null,
    })
    assert.equal(run.eventBases, null, 'a PR base is looked up, not taken from the event')
  })
})
