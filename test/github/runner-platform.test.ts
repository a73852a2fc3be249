// Which runners the gate stage accepts (src/github/gate/runner-platform.ts), with RUNNER_OS and
// process.platform as GitHub's Linux, macOS and Windows runners present them. The action's
// refusal itself is in test/e2e/action.e2e.test.ts.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runnerPlatformProblem } from '../../src/github/gate/runner-platform.ts'

test('a Linux runner (or Linux outside Actions) is accepted', () => {
  assert.equal(runnerPlatformProblem('Linux', 'linux'), null)
  assert.equal(runnerPlatformProblem(undefined, 'linux'), null)
})

test('macOS and Windows runners are refused in one line that says how to run it on Linux', () => {
  for (const [os, platform, name] of [
    ['macOS', 'darwin', 'macOS'],
    ['Windows', 'win32', 'Windows'],
    [undefined, 'darwin', 'macOS'],
    // A RUNNER_OS that says otherwise than the process (a container, a misconfigured runner).
    ['macOS', 'linux', 'macOS'],
    ['Linux', 'win32', 'Windows'],
  ] as const) {
    const why = runnerPlatformProblem(os, platform)
    assert.ok(why !== null, `${os} ${platform}`)
    assert.ok(!why.includes('\n'))
    assert.match(why, new RegExp(`this job runs on ${name}:`))
    assert.match(why, /runs-on: ubuntu-latest/)
  }
})
