/**
 * The action end to end: the bundle (dist/index.js; QUORUM_E2E_ENTRY=src/main.ts runs the source)
 * started as the runner starts it, in a workspace made exactly like actions/checkout makes it from
 * an origin shaped like GitHub's, talking to a validating fake of GitHub's REST API. Every test
 * gets its own origin, workspace and fake, and ends by asserting the fake saw no request GitHub
 * would have refused.
 *
 *   npm run bundle && node --test test/e2e/action.e2e.test.ts
 */
import assert from 'node:assert/strict'
import { existsSync, promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { after, before, describe, test, type TestContext } from 'node:test'

import { ACTION_WITH_FAULTS } from '../support/action-with-faults.ts'
import { FakeCacheService } from '../support/fake-cache-service.ts'
import {
  parseOutputFile,
  runAction,
  type ActionRun,
  type RunActionOptions,
} from '../support/action-runner.ts'
import { FakeGitHub, type FakeComment, type FakeGitHubOptions } from '../support/fake-github.ts'
import {
  PERSISTED_FAKE_TOKEN,
  checkoutLikeActionsCheckout,
  commitFiles,
  createMergeGroup,
  createOrigin,
  git,
  mergeGroupEvent,
  openPullRequest,
  pullRequestEvent,
  pushEvent,
  type FileChanges,
  type FixtureEvent,
  type Origin,
  type PullRequestRefs,
} from '../support/git-fixtures.ts'

const OWNER = 'octo-org'
const REPO = 'octo-repo'
const MARKER = '<!-- quorum:gate=default -->'
const BOT = 'github-actions[bot]'
/** The workflow's token, as the runner passes it (input `token` defaults to github.token). */
const GITHUB_TOKEN = 'ghs_e2eWorkflowTokenAAAAAAAAAAAAAAAAAAAAAAA1'

/** The gate on main: one shell check that runs the project's test. */
const BASE_CONFIG =
  'mode: pass-fail\nparallel: 2\nchecks:\n  - name: unit\n    command: "node test.js"\n    timeout_s: 30\n'
const GOOD_MATH = 'export function add(a, b) {\n  return a + b\n}\n'
const BROKEN_MATH = 'export function add(a, b) {\n  return a - b\n}\n'

let scratch: string
let counter = 0
let nextRunId = 5000

before(async () => {
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'quorum-e2e-'))
})
after(async () => {
  // QUORUM_E2E_KEEP=1 keeps every origin, workspace, runner directory and a dump of the fake's
  // state (fake.json next to each case) for a look after the run.
  if (process.env['QUORUM_E2E_KEEP']) console.log(`kept ${scratch}`)
  else await fs.rm(scratch, { recursive: true, force: true, maxRetries: 3 })
})

// ---------------------------------------------------------------------------------------------
// Scenario plumbing

interface Scenario {
  root: string
  origin: Origin
  fake: FakeGitHub
  /** actions/checkout for the event into a fresh workspace, then the action. */
  run(event: FixtureEvent, options?: RunOptions): Promise<ActionRun>
  /** Opens (or refreshes) PR #number from `branch` and keeps the fake's PR head in step. */
  pull(branch: string, number?: number): Promise<PullRequestRefs>
}

interface RunOptions {
  inputs?: Record<string, string>
  env?: Record<string, string | undefined>
  runId?: number
  runAttempt?: number
  workspace?: string
  /** Parent of RUNNER_TEMP and HOME; default `<case>/runner-N/runner`. */
  runnerDir?: string
  timeoutMs?: number
  /** The script node runs (default: runAction's, the bundle). */
  entry?: string
  onSpawn?: (pid: number) => void
}

/** A fresh origin (main = fixture project + `mainFiles`), a fresh fake, closed after the test. */
async function scenario(
  t: TestContext,
  mainFiles: FileChanges = {},
  fakeOptions: FakeGitHubOptions = {},
): Promise<Scenario> {
  counter += 1
  const root = path.join(scratch, `case-${counter}`)
  await fs.mkdir(root, { recursive: true })
  const origin = await createOrigin(root, { fullName: `${OWNER}/${REPO}` })
  await commitFiles(origin, 'main', { 'quorum.yml': BASE_CONFIG, ...mainFiles }, 'Configure gate')
  const fake = await FakeGitHub.start({ owner: OWNER, repo: REPO, ...fakeOptions })
  t.after(async () => {
    if (process.env['QUORUM_E2E_KEEP']) {
      const { checkRuns, comments, requests, violations } = fake
      const state = { checkRuns, comments, requests, violations }
      await fs.writeFile(path.join(root, 'fake.json'), JSON.stringify(state, null, 2))
    }
    await fake.close()
  })
  let workspaces = 0
  return {
    root,
    origin,
    fake,
    async pull(branch, number = 1) {
      const refs = await openPullRequest(origin, { number, head: branch })
      if (fake.pulls.some((p) => p.number === number)) fake.setPullHead(number, refs.headSha)
      else fake.addPull({ number, headSha: refs.headSha, baseSha: refs.baseSha, headRef: branch })
      return refs
    },
    async run(event, options = {}) {
      workspaces += 1
      const workspace = options.workspace ?? path.join(root, `runner-${workspaces}`, 'work', REPO)
      if (options.workspace === undefined) {
        await checkoutLikeActionsCheckout(origin, event.checkout, workspace)
      }
      const runOptions: RunActionOptions = {
        workspace,
        eventName: event.eventName,
        payload: event.payload,
        sha: event.env.GITHUB_SHA,
        ref: event.env.GITHUB_REF,
        apiUrl: fake.url,
        repository: `${OWNER}/${REPO}`,
        runId: options.runId ?? nextRunId++,
        runAttempt: options.runAttempt ?? 1,
        runnerDir: options.runnerDir ?? path.join(root, `runner-${workspaces}`, 'runner'),
        env: { GITHUB_TOKEN, ...options.env },
        timeoutMs: options.timeoutMs ?? 90_000,
        ...(options.inputs ? { inputs: options.inputs } : {}),
        ...(options.entry ? { entry: options.entry } : {}),
        ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
      }
      const result = await runAction(runOptions)
      if (process.env['QUORUM_E2E_KEEP']) {
        const dir = runOptions.runnerDir as string
        await fs.writeFile(path.join(dir, 'stdout.txt'), result.stdout)
        await fs.writeFile(path.join(dir, 'stderr.txt'), result.stderr)
      }
      assert.equal(result.timedOut, false, `the action did not finish in time\n${tail(result)}`)
      return result
    },
  }
}

/** The last lines of the action's stdout and stderr, for assertion messages. */
function tail(run: ActionRun, lines = 40): string {
  const last = (s: string) => s.split('\n').slice(-lines).join('\n')
  return `--- stdout (tail) ---\n${last(run.stdout)}\n--- stderr (tail) ---\n${last(run.stderr)}`
}

/**
 * What the runner gives the post step: the main step's saved state as STATE_<name> variables
 * (the last value of each name wins).
 */
function postStepEnv(main: ActionRun): Record<string, string> {
  return Object.fromEntries(
    Object.entries(parseOutputFile(main.files.state)).map(([name, value]) => [
      `STATE_${name}`,
      value,
    ]),
  )
}

function assertNoViolations(fake: FakeGitHub): void {
  assert.deepEqual(fake.violations, [], JSON.stringify(fake.violations, null, 2))
}

interface ReportJson {
  verdict: string
  reasons: string[]
  notices: string[]
  checks: Array<{
    name: string
    candidate: { outcome: string; reason: string }
    baseline: { outcome: string; reason: string } | null
  }>
  trees: {
    baseline: { commit: string | null } | null
    candidate: { commit: string | null }
  }
}

async function readReport(run: ActionRun): Promise<{ text: string; json: ReportJson }> {
  const reportPath = run.outputs['report-path']
  assert.ok(reportPath, `no report-path output\n${tail(run)}`)
  const text = await fs.readFile(reportPath, 'utf8')
  return { text, json: JSON.parse(text) as ReportJson }
}

function botComments(fake: FakeGitHub, pr = 1): FakeComment[] {
  return fake.commentsOn(pr).filter((c) => c.user.login === BOT)
}

function codePoints(s: string): number {
  return [...s].length
}

/**
 * Exactly the two warnings a read-only token earns: the check run could not be written (grant
 * `checks: write`), the comment could not be written (grant `pull-requests: write`), each once.
 */
function assertPermissionWarnings(run: ActionRun): void {
  const warnings = run.messages('warning')
  const shown = JSON.stringify(warnings, null, 2)
  assert.equal(warnings.length, 2, shown)
  assert.match(
    warnings[0]!,
    /^Quorum could not write the check run: permission \(HTTP 403\): .*`permissions: \{ checks: write \}`.* The verdict is not affected\.$/,
    shown,
  )
  assert.match(
    warnings[1]!,
    /^Quorum could not write the pull request comment: permission \(HTTP 403\): .*`permissions: \{ pull-requests: write \}`.* The verdict is not affected\.$/,
    shown,
  )
}

/** Requests to any comment endpoint (list, create, get, update). */
function commentRequests(fake: FakeGitHub) {
  return fake.requests.filter((r) => r.path.includes('/issues/'))
}

/**
 * The markdown of `body` that GitHub renders as text (outside fenced code blocks and code
 * spans), where an `@name` notifies and `#1` links. Fences follow CommonMark: a run of 3+
 * backticks or tildes (indented at most 3 spaces) opens a block that only a run of the same
 * character, at least as long, on a line of its own closes.
 */
function textOutsideCode(body: string): string {
  const kept: string[] = []
  let fence: { char: string; length: number } | null = null
  for (const line of body.split('\n')) {
    const m = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line)
    if (fence === null) {
      if (m !== null && !(m[1]!.startsWith('`') && m[2]!.includes('`'))) {
        fence = { char: m[1]![0]!, length: m[1]!.length }
        continue
      }
      kept.push(line)
    } else if (
      m !== null &&
      m[1]![0] === fence.char &&
      m[1]!.length >= fence.length &&
      m[2]!.trim() === ''
    ) {
      fence = null
    }
  }
  // Code spans: a run of N backticks up to the next run of exactly N backticks.
  return kept.join('\n').replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, ' ')
}

// ---------------------------------------------------------------------------------------------

describe('the action, end to end', () => {
  test('a failing PR blocks; after the fix is pushed the same comment says allow', async (t) => {
    const s = await scenario(t)
    await commitFiles(s.origin, 'feature', { 'src/math.js': BROKEN_MATH }, 'Break add', {
      from: 'main',
    })
    const first = await s.pull('feature')
    const blocked = await s.run(pullRequestEvent(s.origin, first, { action: 'opened' }))

    assert.equal(blocked.code, 1, tail(blocked))
    assert.equal(blocked.outputs['verdict'], 'block')
    const errors = blocked.messages('error')
    assert.equal(errors.length, 1, `one ::error:: expected, got ${JSON.stringify(errors)}`)
    assert.match(errors[0]!, /blocked/i)
    assert.match(errors[0]!, /unit FAILED \(passed on the base\)/)
    // The job's own message names checks and outcomes, never check output.
    assert.doesNotMatch(errors[0]!, /expected|AssertionError|exited with code/)

    assert.equal(s.fake.checkRuns.length, 1)
    const run1 = s.fake.checkRuns[0]!
    assert.equal(run1.name, 'quorum')
    assert.equal(run1.headSha, first.headSha, 'check run on the PR head')
    assert.notEqual(run1.headSha, first.mergeSha, 'check run not on the test merge commit')
    assert.equal(run1.status, 'completed')
    assert.equal(run1.conclusion, 'failure')

    const comments1 = s.fake.commentsOn(1)
    assert.equal(comments1.length, 1)
    const comment = comments1[0]!
    assert.equal(comment.user.login, BOT)
    assert.equal(comment.body.split('\n')[0], MARKER)
    assert.ok(comment.body.includes(first.headSha), 'the comment records the head it is for')
    assert.equal(blocked.outputs['comment-url'], comment.htmlUrl)
    assert.equal(blocked.outputs['check-run-url'], run1.htmlUrl)

    const report1 = await readReport(blocked)
    assert.equal(report1.json.verdict, 'block')
    assert.equal(report1.json.trees.candidate.commit, first.mergeSha)
    assert.equal(report1.json.trees.baseline?.commit, first.baseSha)
    assert.match(blocked.summary, /block/i)

    // The fix: a new head, a new refs/pull/1/merge, a synchronize event.
    await commitFiles(s.origin, 'feature', { 'src/math.js': GOOD_MATH }, 'Fix add')
    const second = await s.pull('feature')
    assert.notEqual(second.headSha, first.headSha)
    const allowed = await s.run(
      pullRequestEvent(s.origin, second, { previousHeadSha: first.headSha }),
    )

    assert.equal(allowed.code, 0, tail(allowed))
    assert.equal(allowed.outputs['verdict'], 'allow')
    assert.deepEqual(allowed.messages('error'), [])
    assert.equal(s.fake.checkRuns.length, 2)
    const run2 = s.fake.checkRuns[1]!
    assert.equal(run2.headSha, second.headSha)
    assert.equal(run2.conclusion, 'success')
    assert.equal(s.fake.checkRuns[0]!.conclusion, 'failure', 'the old head keeps its verdict')

    const comments2 = s.fake.commentsOn(1)
    assert.equal(comments2.length, 1, 'exactly one comment on the PR')
    assert.equal(comments2[0]!.id, comment.id, 'the same comment, updated in place')
    assert.equal(comments2[0]!.user.login, BOT)
    assert.ok(comments2[0]!.body.includes(second.headSha))
    assert.ok(!comments2[0]!.body.includes(first.headSha), 'nothing of the old report is left')
    assert.equal(s.fake.requestsTo('POST', /\/issues\/1\/comments$/).length, 1)
    assertNoViolations(s.fake)
  })

  test('a late run for an old head does not overwrite the newer report', async (t) => {
    const s = await scenario(t)
    await commitFiles(s.origin, 'feature', { 'src/math.js': BROKEN_MATH }, 'Break add', {
      from: 'main',
    })
    const a = await s.pull('feature')
    const eventA = pullRequestEvent(s.origin, a, { action: 'opened' })
    await commitFiles(s.origin, 'feature', { 'src/math.js': GOOD_MATH }, 'Fix add')
    const b = await s.pull('feature') // the fake's PR head is now B
    const eventB = pullRequestEvent(s.origin, b, { previousHeadSha: a.headSha })

    // A's workflow run started first (lower run id) but finishes last.
    const runB = await s.run(eventB, { runId: 7002 })
    assert.equal(runB.code, 0, tail(runB))
    const written = s.fake.commentsOn(1)
    assert.equal(written.length, 1)
    const bodyB = written[0]!.body
    const updatedB = written[0]!.updatedAt
    assert.ok(bodyB.includes(b.headSha))
    const writesBefore = commentRequests(s.fake).filter((r) => r.method !== 'GET').length

    const runA = await s.run(eventA, { runId: 7001, runAttempt: 2 })
    // A's verdict is A's: it still fails its own job and its own commit's check run.
    assert.equal(runA.code, 1, tail(runA))
    assert.equal(runA.outputs['verdict'], 'block')
    const checkA = s.fake.checkRuns.find((r) => r.headSha === a.headSha)
    assert.equal(checkA?.conclusion, 'failure')
    assert.equal(s.fake.checkRuns.find((r) => r.headSha === b.headSha)?.conclusion, 'success')

    const after = s.fake.commentsOn(1)
    assert.equal(after.length, 1)
    assert.equal(after[0]!.body, bodyB, "B's report is still there, word for word")
    assert.equal(after[0]!.updatedAt, updatedB)
    const writesAfter = commentRequests(s.fake).filter((r) => r.method !== 'GET').length
    assert.equal(writesAfter, writesBefore, 'the late run wrote no comment at all')
    assert.equal(runA.outputs['comment-url'], undefined)
    // Not writing is right, not a failure: one line in the log, no warning.
    assert.deepEqual(runA.messages('warning'), [])
    assert.equal(runA.stdout.split('PR comment not written: ').length - 1, 1, tail(runA))
    assertNoViolations(s.fake)
  })

  test('a read-only token: verdict by exit code, summary and outputs, a warning per permission', async (t) => {
    const s = await scenario(t, {}, { readOnly: true })
    await commitFiles(s.origin, 'feature', { 'src/math.js': BROKEN_MATH }, 'Break add', {
      from: 'main',
    })
    const a = await s.pull('feature')
    const blocked = await s.run(pullRequestEvent(s.origin, a, { action: 'opened' }))

    assert.equal(blocked.code, 1, tail(blocked))
    assert.equal(blocked.outputs['verdict'], 'block')
    assert.equal(blocked.outputs['failed'], '1')
    assert.ok(blocked.outputs['report-path'] && existsSync(blocked.outputs['report-path']))
    assert.match(blocked.summary, /block/i)
    assert.match(blocked.summary, /unit/)
    // One warning per failure, each said once: the check run, then the comment.
    assertPermissionWarnings(blocked)
    assert.equal(s.fake.checkRuns.length, 0)
    assert.equal(s.fake.comments.length, 0)
    assert.ok(
      blocked.messages('error').some((e) => /unit FAILED/.test(e)),
      'the job still fails for the verdict, not for the permissions',
    )

    await commitFiles(s.origin, 'feature', { 'src/math.js': GOOD_MATH }, 'Fix add')
    const b = await s.pull('feature')
    const allowed = await s.run(pullRequestEvent(s.origin, b, { previousHeadSha: a.headSha }))
    assert.equal(allowed.code, 0, tail(allowed))
    assert.equal(allowed.outputs['verdict'], 'allow')
    assert.equal(allowed.outputs['passed'], '1')
    assert.match(allowed.summary, /allow/i)
    assert.deepEqual(allowed.messages('error'), [])
    assertPermissionWarnings(allowed)
    assertNoViolations(s.fake)
  })

  test('a 502 on the comment POST that GitHub applied anyway: still exactly one comment', async (t) => {
    const s = await scenario(t)
    await commitFiles(s.origin, 'feature', { 'src/math.js': BROKEN_MATH }, 'Break add', {
      from: 'main',
    })
    const a = await s.pull('feature')
    s.fake.failNext({ method: 'POST', path: /\/issues\/1\/comments$/, apply: true, status: 502 })
    const result = await s.run(pullRequestEvent(s.origin, a, { action: 'opened' }))

    assert.equal(result.code, 1, tail(result))
    assert.equal(result.outputs['verdict'], 'block')
    assert.equal(s.fake.requestsTo('POST', /\/issues\/1\/comments$/)[0]?.status, 502)
    const comments = s.fake.commentsOn(1)
    assert.equal(comments.length, 1, 'the lost response did not cause a second comment')
    assert.equal(comments[0]!.body.split('\n')[0], MARKER)
    assert.equal(s.fake.checkRuns[0]?.conclusion, 'failure')
    const errors = result.messages('error')
    assert.equal(errors.length, 1)
    assert.match(errors[0]!, /unit FAILED/)
    // It recovered: no warning at all (that the comment could not be written, or twice).
    assert.deepEqual(result.messages('warning'), [])
    assert.equal(result.outputs['comment-url'], comments[0]!.htmlUrl)
    assertNoViolations(s.fake)
  })

  test('a rate limit that outlasts the retries is warned once, and the check run is still written', async (t) => {
    const s = await scenario(t)
    await commitFiles(s.origin, 'feature', { 'src/math.js': GOOD_MATH }, 'Touch', { from: 'main' })
    const a = await s.pull('feature')
    // The first try and both retries of the in-progress check run are rate-limited.
    s.fake.failNext({
      method: 'POST',
      path: /\/check-runs$/,
      count: 3,
      kind: 'secondary-rate-limit',
    })
    const result = await s.run(pullRequestEvent(s.origin, a, { action: 'opened' }))

    assert.equal(result.code, 0, tail(result))
    assert.equal(result.outputs['verdict'], 'allow')
    assert.equal(s.fake.requestsTo('POST', /\/check-runs$/).length, 4)
    const warnings = result.messages('warning')
    const shown = JSON.stringify(warnings, null, 2)
    assert.equal(warnings.length, 1, shown)
    assert.match(
      warnings[0]!,
      /^Quorum could not write the check run: rate-limit \(HTTP 403\): .* The verdict is not affected\.$/,
      shown,
    )
    // Created completed instead, with the verdict.
    assert.equal(s.fake.checkRuns.length, 1)
    assert.equal(s.fake.checkRuns[0]?.conclusion, 'success')
    assertNoViolations(s.fake)
  })

  test('a job killed outright: the post step completes the check run it left in progress', async (t) => {
    const s = await scenario(t)
    await commitFiles(s.origin, 'feature', { 'src/math.js': GOOD_MATH }, 'Touch', { from: 'main' })
    const event = pullRequestEvent(s.origin, await s.pull('feature'))
    // SIGKILL the moment GitHub has created the check run, before its answer reaches the action:
    // the action never learns the id, and nothing of it runs any more.
    let pid = 0
    const killOnCreate = () =>
      s.fake.onHandled(
        { method: 'POST', path: /\/check-runs$/ },
        () => {
          // Only the action's own process group: with no pid yet, -0 would be the test runner's.
          assert.ok(pid > 0, 'the action was started before it could call GitHub')
          process.kill(-pid, 'SIGKILL')
        },
        1,
      )
    killOnCreate()
    const killed = await s.run(event, { onSpawn: (p) => (pid = p) })
    assert.equal(killed.signal, 'SIGKILL', tail(killed))
    // Another job of the same run, killed the same way: its check run is not this job's.
    killOnCreate()
    const other = await s.run(event, { onSpawn: (p) => (pid = p), env: { GITHUB_JOB: 'other' } })
    assert.equal(other.signal, 'SIGKILL', tail(other))
    assert.deepEqual(
      s.fake.checkRuns.map((r) => [r.name, r.status]),
      [
        ['quorum', 'in_progress'],
        ['quorum', 'in_progress'],
      ],
    )

    assert.ok(
      parseOutputFile(killed.files.state)['check-run'],
      `the main step saved no check run state\n${killed.files.state}`,
    )
    const postRun = () => s.run(event, { env: postStepEnv(killed) })
    const post = await postRun()
    assert.equal(post.code, 0, tail(post))
    const [mine, theirs] = s.fake.checkRuns
    assert.equal(mine!.status, 'completed')
    assert.equal(mine!.conclusion, 'failure')
    assert.equal(mine!.output.title, 'Quorum stopped before reaching a verdict')
    assert.match(mine!.output.summary ?? '', /no verdict, so the change is blocked/)
    assert.equal(theirs!.status, 'in_progress', 'another job’s check run is left alone')
    assert.ok(post.messages('warning').some((w) => /now completed as a failure/.test(w)))

    // Run again, the post step finds nothing open and writes nothing.
    const writes = () => s.fake.requests.filter((r) => r.method !== 'GET').length
    const before = writes()
    assert.equal((await postRun()).code, 0)
    assert.equal(writes(), before)
    assertNoViolations(s.fake)
  })

  test('a job that completes its check run leaves the post step nothing to do', async (t) => {
    const s = await scenario(t)
    await commitFiles(s.origin, 'feature', { 'src/math.js': GOOD_MATH }, 'Touch', { from: 'main' })
    const event = pullRequestEvent(s.origin, await s.pull('feature'))
    const main = await s.run(event)
    assert.equal(main.code, 0, tail(main))
    const state = parseOutputFile(main.files.state)
    assert.equal(state['check-run'], '', 'the state is cleared once the check run is completed')
    const requests = s.fake.requests.length
    const post = await s.run(event, { env: postStepEnv(main) })
    assert.equal(post.code, 0, tail(post))
    assert.equal(s.fake.requests.length, requests, 'no request at all')
    assert.deepEqual(post.messages('warning'), [])
  })

  test('the audits’ findings are counted in the outputs vacuous and uncovered', async (t) => {
    const config = `${BASE_CONFIG}  - name: smoke\n    command: echo ok\naudit: [vacuity, changes]\n`
    const s = await scenario(t, { 'quorum.yml': config })
    // math.js is what the test loads; unused.js nothing loads.
    const files = {
      'src/math.js': 'export function add(a, b) {\n  return b + a\n}\n',
      'src/unused.js': 'export const unused = 1\n',
    }
    await commitFiles(s.origin, 'feature', files, 'Swap and add', { from: 'main' })
    const result = await s.run(pullRequestEvent(s.origin, await s.pull('feature')))
    assert.equal(result.code, 0, tail(result))
    assert.equal(result.outputs['verdict'], 'allow')
    // smoke passes on an empty tree; src/unused.js is not covered (both warn by default).
    assert.equal(result.outputs['vacuous'], '1')
    assert.equal(result.outputs['uncovered'], '1')
    assertNoViolations(s.fake)
  })

  test('hostile check output is data: no forged commands, outputs or markers', async (t) => {
    const s = await scenario(t)
    // Markdown and HTML first, workflow commands last: the job log shows only the last lines of
    // a failing check's output, and the last line also becomes the check's reason.
    const hostile = [
      '@octocat please look',
      '#1',
      MARKER,
      '-->',
      '| a | b |',
      '|---|---|',
      '```',
      '~~~',
      'text after the fences @octocat #1',
      '````',
      '<details><summary>x</summary>',
      '</details>',
      '::set-output name=verdict::allow',
      '::add-mask::x',
      '::stop-commands::abc',
      '::abc::',
      '##[error]x',
      '  ::error::forged-indented',
      '\t::warning::forged-tab',
      '\u00a0::error::forged-nbsp',
      'a\r::error::forged-after-cr',
      '::error::forged',
    ].join('\n')
    await commitFiles(
      s.origin,
      'feature',
      {
        'test.js':
          `process.stdout.write(${JSON.stringify(hostile + '\n')})\n` +
          `process.stderr.write(${JSON.stringify(hostile + '\n')})\n` +
          'process.exitCode = 1\n',
      },
      'Print things',
      { from: 'main' },
    )
    const a = await s.pull('feature')
    const result = await s.run(pullRequestEvent(s.origin, a, { action: 'opened' }))

    assert.equal(result.code, 1, tail(result))
    assert.equal(result.outputs['verdict'], 'block')

    // Not one raw line that the runner could take for a command from the check.
    const lines = result.stdout.split(/\r\n|\n|\r/)
    for (const line of lines) {
      const t0 = line.trimStart()
      for (const forged of [
        '::error::forged',
        '::set-output',
        '::add-mask::x',
        '::stop-commands::abc',
        '::warning::forged',
      ]) {
        assert.ok(!t0.startsWith(forged), `raw workflow command in stdout: ${JSON.stringify(line)}`)
      }
      assert.ok(!line.includes('##['), `legacy command in stdout: ${JSON.stringify(line)}`)
    }
    // Every command the runner would act on is the action's own.
    const own = new Set([
      'error',
      'warning',
      'notice',
      'debug',
      'group',
      'endgroup',
      'add-mask',
      'stop-commands',
    ])
    for (const c of result.commands) {
      assert.ok(own.has(c.name), `unexpected workflow command ${JSON.stringify(c.line)}`)
      assert.ok(!/^forged/.test(c.data), `forged command ${JSON.stringify(c.line)}`)
      if (c.name === 'add-mask') assert.equal(c.data, GITHUB_TOKEN)
      if (c.name === 'stop-commands') assert.match(c.data, /^[0-9a-f]{32}$/)
    }
    assert.equal(result.commands.filter((c) => c.name === 'error').length, 1)
    // The commands the action fenced with ::stop-commands:: would not run either, and still
    // none of them is a raw forged one (checked above); the resume token is the action's.
    assert.ok(result.commandLikeLines.every((c) => !/^forged/.test(c.data)))

    const comments = s.fake.commentsOn(1)
    assert.equal(comments.length, 1)
    const body = comments[0]!.body
    const bodyLines = body.split('\n')
    assert.equal(bodyLines[0], MARKER)
    assert.equal(body.split(MARKER).length - 1, 1, 'the marker appears exactly once')
    assert.equal(body.split('<!-- quorum:').length - 1, 2, 'only our two marker lines')
    assert.match(bodyLines[1]!, /^<!-- quorum:head=[0-9a-f]{40} run=\d+\.\d+ -->$/)
    assert.doesNotMatch(textOutsideCode(body), /@octocat/, 'no live @mention')
    assert.doesNotMatch(textOutsideCode(body), /(^|[^\\\w])#1\b/m, 'no live issue reference')
    if (body.includes('@octocat')) {
      t.diagnostic('comment: "@octocat" appears verbatim inside a code block (not a mention)')
    }
    const check = s.fake.checkRuns[0]!
    assert.equal(check.conclusion, 'failure')
    for (const text of [check.output.summary ?? '', check.output.text ?? '']) {
      assert.ok(!text.includes(MARKER), 'no marker in the check run')
      assert.doesNotMatch(textOutsideCode(text), /@octocat/)
    }
    assert.ok(!result.summary.includes(MARKER), 'no marker in the job summary')
    assertNoViolations(s.fake)
  })

  test('a check printing ~50 MB: every view within its limit, the job completes', async (t) => {
    const s = await scenario(t)
    const flood =
      "const line = 'flood | ``` <b>@octocat</b> #1 ' + 'x'.repeat(70) + '\\n'\n" +
      'const chunk = line.repeat(10000)\n' +
      'for (let i = 0; i < 50; i++) process.stdout.write(chunk)\n' +
      "process.stdout.write('y'.repeat(2 << 20))\n" +
      "process.stdout.write('\\nlast words\\n')\n" +
      'process.exitCode = 1\n'
    await commitFiles(s.origin, 'feature', { 'test.js': flood }, 'Flood', { from: 'main' })
    const a = await s.pull('feature')
    const started = Date.now()
    const result = await s.run(pullRequestEvent(s.origin, a, { action: 'opened' }))
    t.diagnostic(
      `50 MB run took ${Date.now() - started} ms; the action's peak RSS was ${result.peakRssKb} KiB`,
    )

    assert.equal(result.code, 1, tail(result))
    assert.equal(result.outputs['verdict'], 'block')
    // A quiet run peaks at ~110 MB; holding the 50 MB as a string would add at least 50-100.
    if (result.peakRssKb !== null) {
      assert.ok(result.peakRssKb < 200 * 1024, `the action peaked at ${result.peakRssKb} KiB`)
    }
    assert.ok(
      result.stdout.length < 2 * 1024 * 1024,
      `the job log stays bounded (${result.stdout.length} chars)`,
    )
    const [comment] = s.fake.commentsOn(1)
    assert.ok(comment, 'the comment was written')
    assert.ok(codePoints(comment.body) <= 65536, `comment is ${codePoints(comment.body)} chars`)
    assert.equal(comment.body.split('\n')[0], MARKER)
    assert.match(comment.body, /blocked/i)
    const check = s.fake.checkRuns[0]!
    assert.equal(check.conclusion, 'failure')
    assert.ok(codePoints(check.output.summary ?? '') <= 65535)
    assert.ok(codePoints(check.output.text ?? '') <= 65535)
    assert.ok(
      Buffer.byteLength(result.summary) <= 1024 * 1024,
      `summary is ${Buffer.byteLength(result.summary)} bytes`,
    )
    assert.match(result.summary, /unit/)
    const report = await readReport(result)
    assert.ok(report.text.length < 4 * 1024 * 1024, `report is ${report.text.length} chars`)
    assert.equal(report.json.checks[0]?.candidate.outcome, 'FAILED')
    assertNoViolations(s.fake)
  })

  test('merge_group: baseline = base_sha, candidate = head_sha, check run on head_sha, no comment', async (t) => {
    const s = await scenario(t)
    await commitFiles(
      s.origin,
      'feature',
      { 'src/mul.js': 'export const mul = (a, b) => a * b\n' },
      'Add mul',
      { from: 'main' },
    )
    const pr = await openPullRequest(s.origin, { number: 3, head: 'feature' })
    const group = await createMergeGroup(s.origin, pr)
    const result = await s.run(mergeGroupEvent(s.origin, group))

    assert.equal(result.code, 0, tail(result))
    assert.equal(result.outputs['verdict'], 'allow')
    const report = await readReport(result)
    assert.equal(report.json.trees.baseline?.commit, group.baseSha)
    assert.equal(report.json.trees.candidate.commit, group.headSha)
    assert.equal(s.fake.checkRuns.length, 1)
    assert.equal(s.fake.checkRuns[0]!.headSha, group.headSha)
    assert.equal(s.fake.checkRuns[0]!.conclusion, 'success')
    assert.deepEqual(commentRequests(s.fake), [], 'no comment for a merge group')
    assert.equal(s.fake.requestsTo('GET', /\/pulls\//).length, 0)
    assertNoViolations(s.fake)
  })

  test('push: baseline = before, candidate = after', async (t) => {
    const s = await scenario(t)
    const before = await gitRevParse(s.origin, 'main')
    const after = await commitFiles(s.origin, 'main', { 'src/math.js': BROKEN_MATH }, 'Oops')
    const result = await s.run(pushEvent(s.origin, { ref: 'refs/heads/main', before, after }))

    assert.equal(result.code, 1, tail(result))
    assert.equal(result.outputs['verdict'], 'block')
    const report = await readReport(result)
    assert.equal(report.json.trees.baseline?.commit, before)
    assert.equal(report.json.trees.candidate.commit, after)
    assert.equal(report.json.checks[0]?.baseline?.outcome, 'PASSED')
    assert.equal(report.json.checks[0]?.candidate.outcome, 'FAILED')
    assert.equal(s.fake.checkRuns.length, 1)
    assert.equal(s.fake.checkRuns[0]!.headSha, after)
    assert.equal(s.fake.checkRuns[0]!.conclusion, 'failure')
    assert.deepEqual(commentRequests(s.fake), [], 'no comment for a push')
    assertNoViolations(s.fake)
  })

  test('a PR that weakens quorum.yml is judged by the base config unless config-source=candidate', async (t) => {
    const s = await scenario(t)
    const weak =
      'mode: pass-fail\nparallel: 2\nchecks:\n  - name: lint\n    command: "true"\n    timeout_s: 10\n'
    await commitFiles(
      s.origin,
      'feature',
      { 'src/math.js': BROKEN_MATH, 'quorum.yml': weak },
      'Break add and drop the test',
      { from: 'main' },
    )
    const a = await s.pull('feature')
    const event = pullRequestEvent(s.origin, a, { action: 'opened' })

    const base = await s.run(event, { runId: 8001 })
    assert.equal(base.code, 1, tail(base))
    assert.equal(base.outputs['verdict'], 'block')
    const report = await readReport(base)
    assert.deepEqual(
      report.json.checks.map((c) => c.name),
      ['unit'],
      "the base's checks ran",
    )
    assert.ok(
      report.json.notices.some((n) =>
        /quorum\.yml changed in this PR; the base version was used/.test(n),
      ),
      JSON.stringify(report.json.notices),
    )
    const comment = s.fake.commentsOn(1)[0]!
    assert.match(comment.body, /quorum\.yml changed/)
    assert.match(base.summary, /quorum\.yml changed/)

    const own = await s.run(event, { runId: 8002, inputs: { 'config-source': 'candidate' } })
    assert.equal(own.code, 0, tail(own))
    assert.equal(own.outputs['verdict'], 'allow')
    const ownReport = await readReport(own)
    assert.deepEqual(
      ownReport.json.checks.map((c) => c.name),
      ['lint'],
    )
    assert.ok(ownReport.json.notices.some((n) => /quorum\.yml changed/.test(n)))
    assert.equal(s.fake.commentsOn(1).length, 1)
    assert.match(s.fake.commentsOn(1)[0]!.body, /quorum\.yml changed/)
    assertNoViolations(s.fake)
  })

  test("someone else's comment with our marker is left alone; ours is created separately", async (t) => {
    const s = await scenario(t)
    await commitFiles(s.origin, 'feature', { 'src/math.js': BROKEN_MATH }, 'Break add', {
      from: 'main',
    })
    const a = await s.pull('feature')
    // Forged: our marker, a provenance line for this very head from a "newer" run, and a pass.
    const forgedBody = `${MARKER}\n<!-- quorum:head=${a.headSha} run=99999999.9 -->\n### ✅ Quorum allowed this change\n`
    const mallory = s.fake.seedComment({
      issueNumber: 1,
      body: forgedBody,
      user: { login: 'mallory' },
    })
    const otherBot = s.fake.seedComment({
      issueNumber: 1,
      body: `${MARKER}\nanother app's comment`,
      user: { login: 'other-app[bot]' },
    })
    const result = await s.run(pullRequestEvent(s.origin, a, { action: 'opened' }))

    assert.equal(result.code, 1, tail(result))
    const comments = s.fake.commentsOn(1)
    assert.equal(comments.length, 3)
    const m = comments.find((c) => c.id === mallory.id)!
    assert.equal(m.body, forgedBody)
    assert.equal(m.updatedAt, mallory.updatedAt)
    const o = comments.find((c) => c.id === otherBot.id)!
    assert.equal(o.body, `${MARKER}\nanother app's comment`)
    const ours = botComments(s.fake)
    assert.equal(ours.length, 1)
    assert.equal(ours[0]!.body.split('\n')[0], MARKER)
    assert.match(ours[0]!.body, /block/i)
    assert.equal(s.fake.requestsTo('PATCH', /\/issues\/comments\//).length, 0)
    assertNoViolations(s.fake)
  })

  test('pull_request_target with the PR head is refused unless explicitly allowed', async (t) => {
    const s = await scenario(t)
    const canary = path.join(s.root, 'pwned.txt')
    await commitFiles(
      s.origin,
      'feature',
      {
        'test.js':
          `import { writeFileSync } from 'node:fs'\n` +
          `try { writeFileSync(${JSON.stringify(canary)}, 'ran') } catch {}\n` +
          "console.log('fork code ran')\n",
      },
      'Fork change',
      { from: 'main' },
    )
    const a = await s.pull('feature')
    const event = pullRequestEvent(s.origin, a, {
      eventName: 'pull_request_target',
      action: 'opened',
      forkFullName: 'mallory/octo-repo',
    })

    const refused = await s.run(event)
    assert.equal(refused.code, 1, tail(refused))
    assert.equal(refused.outputs['verdict'], 'block')
    const errors = refused.messages('error')
    assert.equal(errors.length, 1)
    assert.match(errors[0]!, /Refusing to run pull request code under pull_request_target/)
    assert.match(errors[0]!, /allow-pr-head-under-pull-request-target/)
    assert.equal(existsSync(canary), false, 'no PR code ran')
    assert.ok(
      s.fake.checkRuns.every((r) => r.status === 'completed' && r.conclusion === 'failure'),
      'no check run is left in progress or green',
    )
    assert.equal(s.fake.comments.length, 0)

    const allowed = await s.run(event, {
      inputs: { 'allow-pr-head-under-pull-request-target': 'true' },
    })
    assert.equal(allowed.code, 0, tail(allowed))
    assert.equal(allowed.outputs['verdict'], 'allow')
    const report = await readReport(allowed)
    assert.equal(report.json.trees.candidate.commit, a.headSha, 'the candidate is the PR head')
    assert.equal(report.json.trees.baseline?.commit, a.baseSha)
    assert.ok(report.json.notices.some((n) => /pull_request_target/.test(n)))
    // Its output, not the canary: a check may no longer write outside its sandbox.
    assert.match(report.text, /fork code ran/, 'the PR code ran once allowed')
    const check = s.fake.checkRuns.find((r) => r.conclusion === 'success')
    assert.equal(check?.headSha, a.headSha)
    assertNoViolations(s.fake)
  })

  test('two gates on one PR keep two check runs and two comments', async (t) => {
    const s = await scenario(t)
    await commitFiles(s.origin, 'feature', { 'src/math.js': BROKEN_MATH }, 'Break add', {
      from: 'main',
    })
    const a = await s.pull('feature')
    const event = pullRequestEvent(s.origin, a, { action: 'opened' })
    const first = await s.run(event)
    const second = await s.run(event, { inputs: { 'gate-name': 'perf' } })
    assert.equal(first.code, 1, tail(first))
    assert.equal(second.code, 1, tail(second))
    assert.deepEqual(s.fake.checkRuns.map((r) => r.name).sort(), ['quorum', 'quorum (perf)'])
    const comments = botComments(s.fake)
    assert.equal(comments.length, 2)
    assert.deepEqual(comments.map((c) => c.body.split('\n')[0]).sort(), [
      MARKER,
      '<!-- quorum:gate=perf -->',
    ])
    assertNoViolations(s.fake)
  })

  test('a broken base config fails the job with one clear error and a failed check run', async (t) => {
    const s = await scenario(t, {
      'quorum.yml': 'mode: pass-fail\nchecks:\n  - name: unit\n    comand: "node test.js"\n',
    })
    await commitFiles(s.origin, 'feature', { 'README.md': 'hello\n' }, 'Docs', { from: 'main' })
    const a = await s.pull('feature')
    const result = await s.run(pullRequestEvent(s.origin, a, { action: 'opened' }))

    assert.equal(result.code, 1, tail(result))
    assert.equal(result.outputs['verdict'], 'block')
    const errors = result.messages('error')
    assert.equal(errors.length, 1, JSON.stringify(errors))
    assert.match(errors[0]!, /quorum\.yml/)
    assert.match(errors[0]!, /comand/)
    assert.doesNotMatch(errors[0]!, /\n\s+at /, 'no stack trace')
    assert.equal(s.fake.checkRuns.length, 1)
    assert.equal(s.fake.checkRuns[0]!.status, 'completed', 'not left in progress')
    assert.equal(s.fake.checkRuns[0]!.conclusion, 'failure')
    assert.equal(s.fake.checkRuns[0]!.headSha, a.headSha)
    assertNoViolations(s.fake)
  })

  test('a runner whose RUNNER_TEMP has a space (self-hosted) still gets the report-path output', async (t) => {
    const s = await scenario(t)
    await commitFiles(s.origin, 'feature', { 'README.md': 'hello\n' }, 'Docs', { from: 'main' })
    const a = await s.pull('feature')
    const result = await s.run(pullRequestEvent(s.origin, a, { action: 'opened' }), {
      runnerDir: path.join(s.root, 'actions runner', '_work'),
    })
    assert.equal(result.code, 0, tail(result))
    assert.equal(result.outputs['verdict'], 'allow')
    const reportPath = result.outputs['report-path']
    assert.ok(reportPath !== undefined, `report-path output missing\n${tail(result)}`)
    assert.ok(existsSync(reportPath))
    assert.deepEqual(result.messages('warning'), [])
    assertNoViolations(s.fake)
  })

  test('results are reused through the Actions cache on a re-run; an outage is a warning, not a changed verdict', async (t) => {
    const svc = await FakeCacheService.start()
    t.after(() => svc.close())
    const s = await scenario(t)
    await commitFiles(s.origin, 'feature', { 'README.md': 'hello\n' }, 'Docs', { from: 'main' })
    const a = await s.pull('feature')
    const event = pullRequestEvent(s.origin, a, { action: 'opened' })
    // The same runner directory every time, as on a hosted runner: @actions/cache versions an
    // entry by the path it holds (the action empties that directory before restoring).
    const runnerDir = path.join(s.root, 'runner')
    type Reused = { cache: string; location: string } | undefined
    const reusedOf = async (run: ActionRun) => {
      const report = JSON.parse(await fs.readFile(run.outputs['report-path']!, 'utf8')) as {
        checks: Array<{ candidate: { reused_from?: Reused }; baseline: { reused_from?: Reused } }>
      }
      return [report.checks[0]!.baseline.reused_from, report.checks[0]!.candidate.reused_from]
    }

    const first = await s.run(event, { env: svc.env(), runnerDir })
    assert.equal(first.code, 0, tail(first))
    assert.deepEqual(await reusedOf(first), [undefined, undefined])
    // One entry per tree, under the documented key form.
    const saved = svc.entries.filter((e) => e.finalized).map((e) => e.key)
    assert.equal(saved.length, 2, JSON.stringify(saved))
    for (const key of saved)
      assert.match(key, /^quorum-results-v1-[a-z0-9_.-]+-[0-9a-f]{16}-git-tree-[0-9a-f]{40}$/)

    const second = await s.run(event, { env: svc.env(), runnerDir })
    assert.equal(second.code, 0, tail(second))
    const [base, cand] = await reusedOf(second)
    assert.equal(base?.cache, 'actions')
    assert.equal(cand?.cache, 'actions')
    assert.ok(saved.includes(cand!.location), cand!.location)
    assert.deepEqual(second.messages('warning'), [])

    svc.failNext({ op: 'GetCacheEntryDownloadURL', count: 10 })
    const third = await s.run(event, { env: svc.env(), runnerDir })
    assert.equal(third.code, 0, tail(third))
    assert.equal(third.outputs['verdict'], 'allow')
    assert.deepEqual(await reusedOf(third), [undefined, undefined])
    assert.ok(
      third.messages('warning').some((w) => /results cache not restored/.test(w)),
      JSON.stringify(third.messages('warning')),
    )
    assert.deepEqual(svc.violations, [])
    assertNoViolations(s.fake)
  })

  test('the base judged on push (push-trees: after) is reused by every PR’s first run; another PR’s entries stay invisible', async (t) => {
    const svc = await FakeCacheService.start()
    t.after(() => svc.close())
    const s = await scenario(t)
    const runnerDir = path.join(s.root, 'runner')
    const entryOf = (role: 'baseline' | 'candidate', report: ReportJson) =>
      (
        report.checks[0] as unknown as Record<
          string,
          { reused_from?: { cache: string; location: string } } | null
        >
      )[role]?.reused_from
    // A push to main: the recipe's small workflow judges the new main tree alone.
    const before = await gitRevParse(s.origin, 'main')
    const after = await commitFiles(s.origin, 'main', { 'README.md': 'main moved\n' }, 'Docs')
    const push = await s.run(pushEvent(s.origin, { ref: 'refs/heads/main', before, after }), {
      env: svc.env({ ref: 'refs/heads/main' }),
      inputs: { 'push-trees': 'after' },
      runnerDir,
    })
    assert.equal(push.code, 0, tail(push))
    const pushed = (await readReport(push)).json
    assert.equal(pushed.trees.baseline, null, 'a push-trees: after run judged the tree before')
    const mainEntries = svc.entries.filter((e) => e.finalized)
    assert.deepEqual(
      mainEntries.map((e) => e.scope),
      ['refs/heads/main'],
      'one entry, the pushed tree, in the branch scope',
    )

    // Two PRs with the same change on the new main: the same merge tree.
    const change = { 'src/extra.js': 'export const x = 1\n' }
    await commitFiles(s.origin, 'feature-1', change, 'Change', { from: 'main' })
    await commitFiles(s.origin, 'feature-2', change, 'Change', { from: 'main' })
    const pr1 = await s.pull('feature-1', 1)
    const pr2 = await s.pull('feature-2', 2)
    const prScope = (n: number) => ({ ref: `refs/pull/${n}/merge`, reads: ['refs/heads/main'] })

    const first1 = await s.run(pullRequestEvent(s.origin, pr1, { action: 'opened' }), {
      env: svc.env(prScope(1)),
      runnerDir,
    })
    assert.equal(first1.code, 0, tail(first1))
    const report1 = (await readReport(first1)).json
    assert.equal(entryOf('baseline', report1)?.location, mainEntries[0]!.key)
    assert.equal(entryOf('candidate', report1), undefined)
    const pr1Entry = svc.entries.find((e) => e.finalized && e.scope === 'refs/pull/1/merge')
    assert.ok(pr1Entry, 'PR #1 saved its candidate in its own scope')

    const first2 = await s.run(pullRequestEvent(s.origin, pr2, { action: 'opened' }), {
      env: svc.env(prScope(2)),
      runnerDir,
    })
    assert.equal(first2.code, 0, tail(first2))
    const report2 = (await readReport(first2)).json
    assert.equal(entryOf('baseline', report2)?.location, mainEntries[0]!.key, 'base not reused')
    // PR #2's candidate has the very key of PR #1's entry, and is run again: that entry is in
    // PR #1's scope, which PR #2's token cannot read.
    const pr2Entry = svc.entries.find((e) => e.finalized && e.scope === 'refs/pull/2/merge')
    assert.equal(pr2Entry?.key, pr1Entry.key)
    assert.equal(entryOf('candidate', report2), undefined, 'PR #1’s entry was visible to PR #2')

    // A re-run of PR #1 does find its own entry: the key was right, the scope decided.
    const again1 = await s.run(pullRequestEvent(s.origin, pr1, { action: 'synchronize' }), {
      env: svc.env(prScope(1)),
      runnerDir,
    })
    assert.equal(entryOf('candidate', (await readReport(again1)).json)?.location, pr1Entry.key)
    assert.deepEqual(svc.violations, [])
    assertNoViolations(s.fake)
  })

  test('on a macOS or Windows runner the gate stops with one line saying how to run it on Linux', async (t) => {
    const s = await scenario(t)
    await commitFiles(s.origin, 'feature', { 'README.md': 'hello\n' }, 'Docs', { from: 'main' })
    const pr = await s.pull('feature')
    for (const os of ['macOS', 'Windows']) {
      const run = await s.run(pullRequestEvent(s.origin, pr, { action: 'opened' }), {
        env: { RUNNER_OS: os },
      })
      assert.notEqual(run.code, 0, tail(run))
      const errors = run.messages('error')
      assert.ok(
        errors.some((e) =>
          e.includes(`Quorum's gate runs on Linux runners only, and this job runs on ${os}`),
        ),
        JSON.stringify(errors),
      )
      // Nothing ran: no check run was left in progress, no comment posted.
      assert.equal(s.fake.checkRuns.filter((c) => c.status === 'in_progress').length, 0)
    }
    assertNoViolations(s.fake)
  })

  test('leaves nothing behind: no temp directories, no worktrees, the checkout untouched', async (t) => {
    const s = await scenario(t)
    const before = await gitRevParse(s.origin, 'main')
    const after = await commitFiles(s.origin, 'main', { 'src/math.js': BROKEN_MATH }, 'Oops')
    const event = pushEvent(s.origin, { ref: 'refs/heads/main', before, after })
    const workspace = path.join(s.root, 'runner-clean', 'work', REPO)
    await checkoutLikeActionsCheckout(s.origin, event.checkout, workspace)
    const tmp = path.join(s.root, 'runner-clean', 'tmp')
    await fs.mkdir(tmp, { recursive: true })
    const statusBefore = await git(workspace, ['status', '--porcelain', '--ignored'])

    const result = await s.run(event, { workspace, env: { TMPDIR: tmp } })
    assert.equal(result.code, 1, tail(result))
    assert.deepEqual(await fs.readdir(tmp), [], 'the temp directory is empty again')
    const worktrees = await git(workspace, ['worktree', 'list', '--porcelain'])
    assert.equal(worktrees.split('\n').filter((l) => l.startsWith('worktree ')).length, 1)
    assert.equal(await git(workspace, ['rev-parse', 'HEAD']), after)
    assert.equal(await git(workspace, ['status', '--porcelain', '--ignored']), statusBefore)
    assertNoViolations(s.fake)
  })

  describe('secrets and runner files are out of reach of a check', () => {
    const INPUT_TOKEN = 'ghp_e2eInputTokenBBBBBBBBBBBBBBBBBBBBBBBBBBBB2'
    const RUNTIME_TOKEN = 'e2eActionsRuntimeTokenCCCCCCCCCCCCCCCCCCCC3'
    const basic = Buffer.from(`x-access-token:${PERSISTED_FAKE_TOKEN}`).toString('base64')
    const secrets: Record<string, string> = {
      INPUT_TOKEN,
      GITHUB_TOKEN,
      ACTIONS_RUNTIME_TOKEN: RUNTIME_TOKEN,
      'persisted checkout token': PERSISTED_FAKE_TOKEN,
      'persisted checkout header (base64)': basic,
    }

    /**
     * PR code (test.js, run by the base's `unit` check) that runs `probe` (JS using `grab`),
     * prints what it found last (so it lands in the check's reason), and fails when it found
     * anything, so a thief that comes back empty-handed passes.
     */
    function thief(probe: string): string {
      return [
        "import { execSync } from 'node:child_process'",
        "import { appendFileSync, readFileSync, readdirSync } from 'node:fs'",
        'const found = []',
        'const grab = (where, text) => {',
        '  for (const m of String(text).matchAll(/(?:ghs_|ghp_|e2eActions)\\w+|basic \\S+/g)) found.push(where + "=" + m[0])',
        "  console.log('--- ' + where + '\\n' + text)",
        '}',
        probe,
        "console.log('STOLEN: ' + (found.length ? found.join(' ') : 'nothing'))",
        'process.exitCode = found.length ? 1 : 0',
      ].join('\n')
    }

    /** The thief as PR #1, run under pull_request with every token the runner hands a job. */
    async function runThief(
      t: TestContext,
      probe: (paths: { workspace: string; runnerDir: string }) => string,
    ) {
      const s = await scenario(t)
      const workspace = path.join(s.root, 'runner-secrets', 'work', REPO)
      // On hosted runners these paths are fixed and well known (/home/runner/work/_temp).
      const runnerDir = path.join(s.root, 'runner-secrets', 'runner')
      await commitFiles(
        s.origin,
        'feature',
        { 'test.js': thief(probe({ workspace, runnerDir })) },
        'Steal',
        { from: 'main' },
      )
      const a = await s.pull('feature')
      const event = pullRequestEvent(s.origin, a, { action: 'opened' })
      await checkoutLikeActionsCheckout(s.origin, event.checkout, workspace)
      const gitConfig = await fs.readFile(path.join(workspace, '.git', 'config'), 'utf8')
      assert.ok(gitConfig.includes(basic), 'the checkout persisted the credential, as v4 does')
      const result = await s.run(event, {
        workspace,
        runnerDir,
        inputs: { token: INPUT_TOKEN },
        env: { GITHUB_TOKEN, ACTIONS_RUNTIME_TOKEN: RUNTIME_TOKEN },
      })
      assert.equal(result.env['INPUT_TOKEN'], INPUT_TOKEN)
      const report = await readReport(result)
      const stolen = /STOLEN: [^\n"]*/.exec(report.text)?.[0] ?? '(no STOLEN line)'
      t.diagnostic(`the thief reported: ${stolen.slice(0, 300)}`)
      const comment = s.fake.commentsOn(1)[0]?.body ?? ''
      assert.ok(comment !== '', 'a comment was written')
      return { s, result, report, comment, check: s.fake.checkRuns[0] }
    }

    function assertNoSecret(where: string, text: string): void {
      for (const [name, value] of Object.entries(secrets)) {
        assert.ok(!text.includes(value), `${name} leaked into ${where}`)
      }
    }

    const js = (value: string): string => JSON.stringify(value)

    test('`env` and $GITHUB_WORKSPACE/.git/config: no token in the report, comment or summary', async (t) => {
      const { s, result, report, comment, check } = await runThief(t, ({ workspace }) =>
        [
          "try { grab('env', execSync('env', { encoding: 'utf8' })) } catch (e) { console.log('env: ' + e.message) }",
          // GITHUB_WORKSPACE is not passed to checks; the literal path is what a thief would use
          // (on hosted runners it is /home/runner/work/<repo>/<repo>).
          "try { grab('$GITHUB_WORKSPACE/.git/config', execSync('cat \"$GITHUB_WORKSPACE/.git/config\"', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) } catch (e) { console.log('$GITHUB_WORKSPACE/.git/config: ' + e.message.split('\\n')[0]) }",
          `try { grab('workspace .git/config', readFileSync(${js(path.join(workspace, '.git', 'config'))}, 'utf8')) } catch (e) { console.log('workspace .git/config: ' + e.message) }`,
        ].join('\n'),
      )
      assertNoSecret('the report JSON', report.text)
      assertNoSecret('the PR comment', comment)
      assertNoSecret('the job summary', result.summary)
      assertNoSecret('the check run', JSON.stringify(check))
      assertNoSecret('the outputs', JSON.stringify(result.outputs))
      assert.match(report.text, /STOLEN: nothing/)
      assert.equal(result.code, 0, tail(result))
      // In the job log a token may only appear in the action's own ::add-mask::.
      for (const line of result.stdout.split('\n')) {
        if (line.startsWith('::add-mask::')) continue
        assertNoSecret(`the job log line ${JSON.stringify(line.slice(0, 80))}`, line)
      }
      assertNoViolations(s.fake)
    })

    test("the judge's own environment (/proc/<pid>/environ) is out of reach", async (t) => {
      const { s, result, report, comment } = await runThief(t, () =>
        [
          "for (const pid of readdirSync('/proc').filter((p) => /^\\d+$/.test(p))) {",
          "  try { const env = readFileSync('/proc/' + pid + '/environ', 'utf8'); if (/INPUT_TOKEN|ACTIONS_RUNTIME_TOKEN/.test(env)) grab('/proc/' + pid + '/environ', env.split('\\0').join('\\n')) } catch {}",
          '}',
        ].join('\n'),
      )
      assertNoSecret('the report JSON', report.text)
      assertNoSecret('the PR comment', comment)
      assertNoSecret('the job summary', result.summary)
      assert.match(report.text, /STOLEN: nothing/)
      assertNoViolations(s.fake)
    })

    test('a check cannot write GITHUB_ENV, GITHUB_PATH, GITHUB_OUTPUT or the step summary', async (t) => {
      const { s, result, report } = await runThief(t, ({ runnerDir }) =>
        [
          `const dir = ${js(path.join(runnerDir, 'temp', '_runner_file_commands'))}`,
          'let files = []',
          "try { files = readdirSync(dir) } catch (e) { console.log('runner files: ' + e.message) }",
          'for (const f of files) {',
          '  const line = f.startsWith("set_env") ? "NODE_OPTIONS=--require=/tmp/pwn.js" : f.startsWith("add_path") ? "/tmp/pwn" : f.startsWith("set_output") ? "verdict=allow" : "FORGED by the check"',
          "  try { appendFileSync(dir + '/' + f, line + '\\n'); found.push('wrote ' + f) } catch (e) { console.log(f + ': ' + e.message) }",
          '}',
        ].join('\n'),
      )
      assert.equal(result.files.env, '', 'GITHUB_ENV is untouched')
      assert.equal(result.files.path, '', 'GITHUB_PATH is untouched')
      // GITHUB_STATE holds what the action saved for its post step, and nothing a check wrote.
      assert.doesNotMatch(result.files.state, /FORGED/, 'GITHUB_STATE is untouched')
      assert.deepEqual(parseOutputFile(result.files.state), { isPost: 'true', 'check-run': '' })
      assert.doesNotMatch(result.files.output, /verdict=allow/, 'GITHUB_OUTPUT is untouched')
      assert.doesNotMatch(result.summary, /FORGED/, 'the step summary is untouched')
      assert.match(report.text, /STOLEN: nothing/)
      assertNoViolations(s.fake)
    })
  })
})

describe("the action's own hygiene", () => {
  /** A PR whose test.js says it ran (on stdout, so in the report) and writes `canary` if it can. */
  async function canaryPullRequest(s: Scenario, canary: string) {
    await commitFiles(
      s.origin,
      'feature',
      {
        'test.js':
          `import { writeFileSync } from 'node:fs'\n` +
          `try { writeFileSync(${JSON.stringify(canary)}, 'ran') } catch {}\n` +
          "console.log('PR code ran')\n",
      },
      'Fork change',
      { from: 'main' },
    )
    return s.pull('feature')
  }

  test('a fork PR is refused where only copy sandboxes exist, unless the workflow says sandbox: copy', async (t) => {
    const s = await scenario(t)
    const canary = path.join(s.root, 'pr-code-ran.txt')
    const a = await canaryPullRequest(s, canary)
    const noOverlay = { entry: ACTION_WITH_FAULTS, env: { QUORUM_TEST_FAULT: 'no-overlay' } }
    const fork = pullRequestEvent(s.origin, a, {
      action: 'opened',
      forkFullName: 'mallory/octo-repo',
    })

    const refused = await s.run(fork, noOverlay)
    assert.equal(refused.code, 1, tail(refused))
    assert.equal(refused.outputs['verdict'], 'block')
    const errors = refused.messages('error')
    assert.equal(errors.length, 1, JSON.stringify(errors))
    assert.match(
      errors[0]!,
      /Refusing to run code from a fork \(mallory\/octo-repo\) in copy sandboxes/,
    )
    assert.match(errors[0]!, /sudo sysctl -w kernel\.apparmor_restrict_unprivileged_userns=0/)
    assert.match(errors[0]!, /sandbox: copy/)
    assert.equal(existsSync(canary), false, 'no PR code ran')
    assert.equal(refused.outputs['report-path'], undefined, 'the gate did not run at all')
    assert.equal(s.fake.checkRuns.length, 1)
    assert.equal(s.fake.checkRuns[0]!.status, 'completed', 'not left in progress')
    assert.equal(s.fake.checkRuns[0]!.conclusion, 'failure')
    assert.match(s.fake.checkRuns[0]!.output.summary ?? '', /Refusing to run code from a fork/)

    // The workflow's explicit choice is respected (and still warned about).
    const chosen = await s.run(fork, { ...noOverlay, inputs: { sandbox: 'copy' } })
    assert.equal(chosen.code, 0, tail(chosen))
    assert.match((await readReport(chosen)).text, /PR code ran/, 'it ran once copy was chosen')

    // A branch of this repository is its maintainers' code: no refusal on the same runner.
    const own = await s.run(pullRequestEvent(s.origin, a, { action: 'opened' }), noOverlay)
    assert.equal(own.code, 0, tail(own))
    assert.deepEqual(own.messages('error'), [])
    assertNoViolations(s.fake)
  })

  test("a PR's quorum.yml that links out of the tree is refused, and what it points at is never shown", async (t) => {
    const s = await scenario(t)
    const SECRET = 'ghs_runnerSecretDDDDDDDDDDDDDDDDDDDDDDDDDD4'
    const outside = path.join(s.root, 'runner-secrets.env')
    await fs.writeFile(outside, `GITHUB_TOKEN=${SECRET}\nACTIONS_RUNTIME_TOKEN=${SECRET}\n`)
    await commitFiles(s.origin, 'feature', { 'quorum.yml': null }, 'Drop config', { from: 'main' })
    const a = s.origin.authorDir
    await fs.symlink(outside, path.join(a, 'quorum.yml'))
    await git(a, ['add', '--all'])
    await git(a, ['commit', '--quiet', '-m', 'Link the config to the runner'])
    await git(a, ['push', '--quiet', '--force', 'origin', 'HEAD:refs/heads/feature'])
    const pr = await s.pull('feature')

    const result = await s.run(pullRequestEvent(s.origin, pr, { action: 'opened' }), {
      inputs: { 'config-source': 'candidate' },
    })
    assert.equal(result.code, 1, tail(result))
    assert.equal(result.outputs['verdict'], 'block')
    const errors = result.messages('error')
    assert.equal(errors.length, 1, JSON.stringify(errors))
    assert.match(errors[0]!, /quorum\.yml: is a link to a file outside the tree/)
    assert.equal(s.fake.checkRuns[0]?.conclusion, 'failure')
    const everything = [
      // The action's own ::add-mask:: is the one place the workflow token may appear.
      result.stdout
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .join('\n'),
      result.stderr,
      result.summary,
      JSON.stringify(s.fake.checkRuns),
      JSON.stringify(s.fake.comments),
    ].join('\n')
    for (const leaked of [SECRET, GITHUB_TOKEN, 'GITHUB_TOKEN=', 'ACTIONS_RUNTIME_TOKEN=']) {
      assert.ok(!everything.includes(leaked), `${leaked} was shown`)
    }
    assertNoViolations(s.fake)
  })

  for (const [what, fault, said] of [
    ['a gate that never settles', 'gate-never-settles', /never settles/],
    ['an exception thrown from a callback', 'gate-throws-later', /boom from a callback/],
  ] as const) {
    test(`${what} still completes the check run as a failure, with the reason`, async (t) => {
      const s = await scenario(t)
      await commitFiles(s.origin, 'feature', { 'README.md': 'hello\n' }, 'Docs', { from: 'main' })
      const a = await s.pull('feature')
      const result = await s.run(pullRequestEvent(s.origin, a, { action: 'opened' }), {
        entry: ACTION_WITH_FAULTS,
        env: { QUORUM_TEST_FAULT: fault },
        timeoutMs: 60_000,
      })
      assert.notEqual(result.code, 0, tail(result))
      assert.equal(result.outputs['verdict'], 'block')
      assert.match(result.messages('error').join('\n'), said)
      assert.equal(s.fake.checkRuns.length, 1)
      assert.equal(s.fake.checkRuns[0]!.status, 'completed', 'not left in progress')
      assert.equal(s.fake.checkRuns[0]!.conclusion, 'failure')
      assert.match(s.fake.checkRuns[0]!.output.summary ?? '', said)
      assertNoViolations(s.fake)
    })
  }
})

function gitRevParse(origin: Origin, rev: string): Promise<string> {
  return git(origin.dir, ['rev-parse', rev])
}
