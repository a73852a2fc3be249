import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readRunnerContext, workflowRunUrl } from '../../src/github/action/runner-context.ts'

const RUNNER = {
  GITHUB_REPOSITORY: 'acme/widgets',
  GITHUB_EVENT_NAME: 'pull_request',
  GITHUB_EVENT_PATH: '/home/runner/work/_temp/_github_workflow/event.json',
  GITHUB_SHA: 'a'.repeat(40),
  GITHUB_REF: 'refs/pull/7/merge',
  GITHUB_SERVER_URL: 'https://ghe.example.com/',
  GITHUB_RUN_ID: '42',
  GITHUB_WORKSPACE: '/home/runner/work/widgets/widgets',
  RUNNER_TEMP: '/home/runner/work/_temp',
  GITHUB_STEP_SUMMARY: '/home/runner/work/_temp/_runner_file_commands/step_summary_1',
}

test('the runner context is read once, with the defaults a runner leaves out', () => {
  const ctx = readRunnerContext(RUNNER, '/cwd')
  assert.deepEqual(ctx.repository, { owner: 'acme', repo: 'widgets' })
  assert.equal(ctx.serverUrl, 'https://ghe.example.com')
  assert.equal(ctx.apiUrl, null)
  assert.equal(ctx.runAttempt, '1')
  assert.equal(workflowRunUrl(ctx), 'https://ghe.example.com/acme/widgets/actions/runs/42')
  const bare = readRunnerContext({ ...RUNNER, GITHUB_SERVER_URL: '', GITHUB_WORKSPACE: '' }, '/cwd')
  assert.equal(bare.serverUrl, 'https://github.com')
  assert.equal(bare.workspace, '/cwd')
})

test('a missing or malformed runner variable is an error that names it', () => {
  assert.throws(() => readRunnerContext({ ...RUNNER, GITHUB_SHA: '' }), {
    fate: 'usage',
    message: /GITHUB_SHA is not set/,
  })
  assert.throws(() => readRunnerContext({ ...RUNNER, GITHUB_REPOSITORY: 'acme' }), /owner\/repo/)
})
