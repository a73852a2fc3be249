/**
 * Gate in one job, publish from another (DESIGN "Forks and shards"), end to end: the action
 * (dist/index.js; QUORUM_E2E_ENTRY=src/main.ts runs the source) started as the runner starts it,
 * in workspaces made like actions/checkout makes them, against the validating GitHub fake.
 *
 * The gate stage runs with a fork's read-only token and must call nothing; its report-dir is
 * zipped the way actions/upload-artifact v4 zips a directory (its contents at the root, hidden
 * files left out) and served by the fake as an artifact of the gate's run. The publish stage then
 * runs under a real `workflow_run` payload (@octokit/webhooks-examples, with this repository's
 * shas), or, for shards, as a later job of the same run. Forged reports are real reports edited
 * after the gate wrote them; hostile archives are real zips.
 *
 *   npm run bundle && node --test test/e2e/split.e2e.test.ts
 */
import assert from 'node:assert/strict'
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { after, before, describe, test, type TestContext } from 'node:test'
import { deflateRawSync } from 'node:zlib'

import { runAction, type ActionRun } from '../support/action-runner.ts'
import { FakeGitHub, buildZip, type FakeArtifact, type ZipItem } from '../support/fake-github.ts'
import {
  checkoutLikeActionsCheckout,
  commitFiles,
  createOrigin,
  examplePayload,
  git,
  openPullRequest,
  pullRequestEvent,
  type FileChanges,
  type FixtureEvent,
  type Origin,
  type PullRequestRefs,
} from '../support/git-fixtures.ts'

const OWNER = 'octo-org'
const REPO = 'octo-repo'
const FORK_OWNER = 'mallory'
const BOT = 'github-actions[bot]'
const MARKER = '<!-- quorum:gate=default -->'
const GITHUB_TOKEN = 'ghs_e2eSplitWorkflowTokenAAAAAAAAAAAAAAAAAA1'

const ONE_CHECK =
  'mode: pass-fail\nparallel: 2\nchecks:\n  - name: unit\n    command: "node test.js"\n    timeout_s: 30\n'
/** Six checks for the shard tests: `unit` runs the project's test, the others always pass. */
const SIX_CHECKS =
  'mode: pass-fail\nparallel: 2\nchecks:\n' +
  ['unit', 'lint', 'types', 'docs', 'size', 'deps']
    .map(
      (name) =>
        `  - name: ${name}\n    command: "${name === 'unit' ? 'node test.js' : 'true'}"\n    timeout_s: 30\n`,
    )
    .join('')
const GOOD_MATH = 'export function add(a, b) {\n  return a + b\n}\n'
const BROKEN_MATH = 'export function add(a, b) {\n  return a - b\n}\n'

let scratch: string
let counter = 0
let nextRunId = 9000

before(async () => {
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'quorum-split-e2e-'))
})
after(async () => {
  if (process.env['QUORUM_E2E_KEEP']) console.log(`kept ${scratch}`)
  else await fs.rm(scratch, { recursive: true, force: true, maxRetries: 3 })
})

// ---------------------------------------------------------------------------------------------
// Plumbing

interface Split {
  root: string
  origin: Origin
  fake: FakeGitHub
  /** Opens (or refreshes) PR #number from `branch`; the fake lists the files it changes. */
  pull(branch: string, options?: { number?: number; fork?: boolean }): Promise<PullRequestRefs>
  /** The gate stage for `event` in a fresh checkout, with a read-only token. */
  gate(event: FixtureEvent, options?: StageOptions): Promise<ActionRun>
  /** The publish stage under `workflow_run` for gate run `runId` of `pr`, in a checkout of main. */
  publishFromWorkflowRun(
    pr: PullRequestRefs,
    runId: number,
    options?: StageOptions,
  ): Promise<ActionRun>
  /** The publish stage as a later job of run `runId` itself (shards, `needs:` the matrix). */
  publishInRun(event: FixtureEvent, runId: number, options?: StageOptions): Promise<ActionRun>
}

interface StageOptions {
  inputs?: Record<string, string>
  runId?: number
  runAttempt?: number
}

async function split(t: TestContext, config = ONE_CHECK): Promise<Split> {
  counter += 1
  const root = path.join(scratch, `case-${counter}`)
  await fs.mkdir(root, { recursive: true })
  const origin = await createOrigin(root, { fullName: `${OWNER}/${REPO}` })
  await commitFiles(origin, 'main', { 'quorum.yml': config }, 'Configure gate')
  const fake = await FakeGitHub.start({ owner: OWNER, repo: REPO })
  t.after(async () => {
    if (process.env['QUORUM_E2E_KEEP']) {
      const { checkRuns, comments, requests, violations } = fake
      await fs.writeFile(
        path.join(root, 'fake.json'),
        JSON.stringify({ checkRuns, comments, requests, violations }, null, 2),
      )
    }
    await fake.close()
  })
  let jobs = 0
  const run = async (
    eventName: string,
    payload: unknown,
    env: { GITHUB_SHA: string; GITHUB_REF: string },
    checkout: { ref: string; sha: string },
    options: StageOptions & { runId: number },
  ): Promise<ActionRun> => {
    jobs += 1
    const job = path.join(root, `job-${jobs}`)
    const workspace = path.join(job, 'work', REPO)
    await checkoutLikeActionsCheckout(origin, checkout, workspace)
    const result = await runAction({
      workspace,
      eventName,
      payload,
      sha: env.GITHUB_SHA,
      ref: env.GITHUB_REF,
      apiUrl: fake.url,
      repository: `${OWNER}/${REPO}`,
      runId: options.runId,
      runAttempt: options.runAttempt ?? 1,
      runnerDir: path.join(job, 'runner'),
      env: { GITHUB_TOKEN },
      timeoutMs: 90_000,
      ...(options.inputs ? { inputs: options.inputs } : {}),
    })
    if (process.env['QUORUM_E2E_KEEP']) {
      await fs.writeFile(path.join(job, 'stdout.txt'), result.stdout)
      await fs.writeFile(path.join(job, 'stderr.txt'), result.stderr)
    }
    assert.equal(result.timedOut, false, `the action did not finish in time\n${tail(result)}`)
    return result
  }
  return {
    root,
    origin,
    fake,
    async pull(branch, options = {}) {
      const number = options.number ?? 1
      const refs = await openPullRequest(origin, { number, head: branch })
      const names = await git(origin.dir, [
        'diff',
        '--name-only',
        `${refs.baseSha}...${refs.headSha}`,
      ])
      const files = names
        .split('\n')
        .filter((n) => n !== '')
        .map((filename) => ({ filename }))
      const existing = fake.pulls.find((p) => p.number === number)
      if (existing) {
        existing.headSha = refs.headSha
        existing.baseSha = refs.baseSha
        existing.files = files
      } else {
        fake.addPull({
          number,
          headSha: refs.headSha,
          baseSha: refs.baseSha,
          headRef: branch,
          ...(options.fork === false ? {} : { headOwner: FORK_OWNER }),
          files,
        })
      }
      return refs
    },
    async gate(event, options = {}) {
      // A fork's pull_request run: the token can read, never write.
      fake.setReadOnly(true)
      const before = fake.requests.length
      try {
        const result = await run(event.eventName, event.payload, event.env, event.checkout, {
          ...options,
          runId: options.runId ?? nextRunId++,
          inputs: { stage: 'gate', ...options.inputs },
        })
        assert.deepEqual(
          fake.requests.slice(before).map((r) => `${r.method} ${r.path}`),
          [],
          'the gate stage calls no GitHub endpoint at all',
        )
        return result
      } finally {
        fake.setReadOnly(false)
      }
    },
    async publishFromWorkflowRun(pr, runId, options = {}) {
      const mainSha = await git(origin.dir, ['rev-parse', 'refs/heads/main'])
      const payload = workflowRunPayload(pr, runId, options.runAttempt ?? 1)
      const env = { GITHUB_SHA: mainSha, GITHUB_REF: 'refs/heads/main' }
      return run(
        'workflow_run',
        payload,
        env,
        { ref: 'refs/heads/main', sha: mainSha },
        {
          runId: nextRunId++,
          inputs: { stage: 'publish', ...options.inputs },
        },
      )
    },
    async publishInRun(event, runId, options = {}) {
      return run(event.eventName, event.payload, event.env, event.checkout, {
        ...options,
        runId,
        inputs: { stage: 'publish', ...options.inputs },
      })
    },
  }
}

/**
 * The `workflow_run` payload GitHub sends when the gate workflow of a fork's PR completes: a real
 * example, with this repository's shas and the fork as head repository. `pull_requests` is empty,
 * as it is for every fork PR.
 */
function workflowRunPayload(pr: PullRequestRefs, runId: number, attempt: number): unknown {
  const payload = examplePayload('workflow_run', 'completed')
  const run = payload['workflow_run'] as Record<string, unknown>
  const forkRepo = { ...(run['head_repository'] as Record<string, unknown>) }
  forkRepo['full_name'] = `${FORK_OWNER}/${REPO}`
  forkRepo['owner'] = { ...(forkRepo['owner'] as Record<string, unknown>), login: FORK_OWNER }
  Object.assign(run, {
    id: runId,
    run_attempt: attempt,
    event: 'pull_request',
    status: 'completed',
    conclusion: 'failure',
    head_sha: pr.headSha,
    head_branch: pr.headBranch,
    head_repository: forkRepo,
    pull_requests: [],
  })
  return payload
}

/**
 * What actions/upload-artifact v4 uploads for `path: <dir>`: every file under it, named relative
 * to it (the contents at the root), hidden files and directories left out.
 */
async function zipLikeUploadArtifact(dir: string): Promise<Buffer> {
  const items: ZipItem[] = []
  const walk = async (sub: string): Promise<void> => {
    for (const entry of await fs.readdir(path.join(dir, sub), { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue
      const rel = sub === '' ? entry.name : `${sub}/${entry.name}`
      if (entry.isDirectory()) await walk(rel)
      else if (entry.isFile())
        items.push({ name: rel, data: await fs.readFile(path.join(dir, rel)) })
    }
  }
  await walk('')
  return buildZip(items)
}

/**
 * Uploads a gate job's report-dir as artifact `name` of run `runId`, after `edit` (a forger's
 * hands) had its way with the two files.
 */
async function upload(
  s: Split,
  gated: ActionRun,
  runId: number,
  name: string,
  edit?: (files: { envelope: Record<string, unknown>; report: Record<string, unknown> }) => void,
): Promise<FakeArtifact> {
  const dir = gated.outputs['report-dir']
  assert.ok(dir, `no report-dir output\n${tail(gated)}`)
  let source = dir
  if (edit) {
    source = await fs.mkdtemp(path.join(s.root, 'forged-'))
    const envelope = JSON.parse(await fs.readFile(path.join(dir, 'quorum-envelope.json'), 'utf8'))
    const report = JSON.parse(await fs.readFile(path.join(dir, 'quorum-report.json'), 'utf8'))
    edit({ envelope, report })
    await fs.writeFile(path.join(source, 'quorum-envelope.json'), JSON.stringify(envelope))
    await fs.writeFile(path.join(source, 'quorum-report.json'), JSON.stringify(report))
  }
  return s.fake.addArtifact({ runId, name, zip: await zipLikeUploadArtifact(source) })
}

function tail(run: ActionRun, lines = 40): string {
  const last = (text: string) => text.split('\n').slice(-lines).join('\n')
  return `--- stdout (tail) ---\n${last(run.stdout)}\n--- stderr (tail) ---\n${last(run.stderr)}`
}

function assertClean(s: Split): void {
  assert.deepEqual(s.fake.violations, [], JSON.stringify(s.fake.violations, null, 2))
  assert.ok(
    s.fake.blobRequests.every((b) => !b.authorization),
    'the token never went to the storage host',
  )
}

/** The one check run and the one bot comment a publish should leave, with what they say. */
function published(s: Split, pr: number) {
  assert.equal(s.fake.checkRuns.length, 1, JSON.stringify(s.fake.checkRuns.map((r) => r.headSha)))
  const comments = s.fake.commentsOn(pr).filter((c) => c.user.login === BOT)
  assert.equal(comments.length, 1)
  const checkRun = s.fake.checkRuns[0]!
  const text = [checkRun.output.title, checkRun.output.summary, checkRun.output.text].join('\n')
  return { checkRun, comment: comments[0]!, text }
}

async function forkPullRequest(s: Split, files: FileChanges): Promise<PullRequestRefs> {
  await commitFiles(s.origin, 'feature', files, 'Contribution from a fork', { from: 'main' })
  return s.pull('feature')
}

function forkEvent(s: Split, pr: PullRequestRefs): FixtureEvent {
  return pullRequestEvent(s.origin, pr, { forkFullName: `${FORK_OWNER}/${REPO}` })
}

// ---------------------------------------------------------------------------------------------

describe('the fork split: gate with a read-only token, publish from workflow_run', () => {
  test('a fork PR is gated with no API call and published once, then again after a fix', async (t) => {
    const s = await split(t)
    const broken = await forkPullRequest(s, { 'src/math.js': BROKEN_MATH })
    const runA = nextRunId++
    const gated = await s.gate(forkEvent(s, broken), { runId: runA })

    // The gate's own job: its verdict, its summary and outputs, no warning about permissions.
    assert.equal(gated.code, 1, tail(gated))
    assert.equal(gated.outputs['verdict'], 'block')
    assert.equal(gated.outputs['failed'], '1')
    assert.deepEqual(gated.messages('warning'), [], tail(gated))
    assert.match(gated.summary, /unit/)
    const dir = gated.outputs['report-dir']!
    assert.ok(dir.startsWith(gated.runnerTemp + path.sep), `${dir} is under RUNNER_TEMP`)
    assert.deepEqual((await fs.readdir(dir)).sort(), ['quorum-envelope.json', 'quorum-report.json'])
    const envelope = JSON.parse(await fs.readFile(path.join(dir, 'quorum-envelope.json'), 'utf8'))
    assert.equal(envelope.head_sha, broken.headSha)
    assert.equal(envelope.base_sha, broken.baseSha)
    assert.equal(envelope.candidate_sha, broken.mergeSha)
    assert.equal(envelope.event, 'pull_request')
    assert.deepEqual(envelope.run, { id: runA, attempt: 1 })
    assert.equal(envelope.shard, null)
    assert.equal(s.fake.checkRuns.length + s.fake.comments.length, 0)

    await upload(s, gated, runA, 'quorum-report')
    const blocked = await s.publishFromWorkflowRun(broken, runA)
    assert.equal(blocked.code, 1, tail(blocked))
    assert.equal(blocked.outputs['verdict'], 'block')
    assert.equal(blocked.outputs['failed'], '1')
    const first = published(s, 1)
    assert.equal(first.checkRun.name, 'quorum')
    assert.equal(first.checkRun.headSha, broken.headSha, 'the check run is on the PR head')
    assert.equal(first.checkRun.conclusion, 'failure')
    assert.match(first.text, /unit/)
    assert.equal(first.comment.body.split('\n')[0], MARKER)
    assert.ok(first.comment.body.includes(broken.headSha))
    assert.ok(first.comment.body.includes(`run=${runA}.1`), 'the marker names the gate run')
    assert.equal(blocked.outputs['comment-url'], first.comment.htmlUrl)
    assert.match(blocked.summary, /block/i)
    assert.deepEqual(blocked.messages('warning'), [], tail(blocked))

    // The contributor pushes a fix: a new gate run, a new publish, the same comment.
    await commitFiles(s.origin, 'feature', { 'src/math.js': GOOD_MATH }, 'Fix add')
    const fixed = await s.pull('feature')
    const runB = nextRunId++
    const gatedB = await s.gate(forkEvent(s, fixed), { runId: runB })
    assert.equal(gatedB.code, 0, tail(gatedB))
    await upload(s, gatedB, runB, 'quorum-report')
    const allowed = await s.publishFromWorkflowRun(fixed, runB)
    assert.equal(allowed.code, 0, tail(allowed))
    assert.equal(allowed.outputs['verdict'], 'allow')
    assert.equal(s.fake.checkRuns.length, 2)
    assert.equal(s.fake.checkRuns[1]!.headSha, fixed.headSha)
    assert.equal(s.fake.checkRuns[1]!.conclusion, 'success')
    const comments = s.fake.commentsOn(1)
    assert.equal(comments.length, 1, 'still one comment')
    assert.equal(comments[0]!.id, first.comment.id, 'updated in place')
    assert.ok(comments[0]!.body.includes(fixed.headSha))
    assertClean(s)
  })

  test('a late publish for an old head never overwrites the newer report', async (t) => {
    const s = await split(t)
    const a = await forkPullRequest(s, { 'src/math.js': BROKEN_MATH })
    const runA = nextRunId++
    await upload(s, await s.gate(forkEvent(s, a), { runId: runA }), runA, 'quorum-report')
    await commitFiles(s.origin, 'feature', { 'src/math.js': GOOD_MATH }, 'Fix add')
    const b = await s.pull('feature')
    const runB = nextRunId++
    await upload(s, await s.gate(forkEvent(s, b), { runId: runB }), runB, 'quorum-report')

    const newer = await s.publishFromWorkflowRun(b, runB)
    assert.equal(newer.code, 0, tail(newer))
    const body = s.fake.commentsOn(1)[0]!.body
    const late = await s.publishFromWorkflowRun(a, runA)
    // A's verdict is A's: its own check run on its own head, its job fails; B's comment stays.
    assert.equal(late.code, 1, tail(late))
    assert.equal(s.fake.checkRuns.find((r) => r.headSha === a.headSha)?.conclusion, 'failure')
    assert.equal(s.fake.checkRuns.find((r) => r.headSha === b.headSha)?.conclusion, 'success')
    assert.equal(s.fake.commentsOn(1).length, 1)
    assert.equal(s.fake.commentsOn(1)[0]!.body, body, "B's report is still there, word for word")
    assert.match(late.stdout, /PR comment not written: /)
    assertClean(s)
  })

  test('a PR that changes .github/workflows/x.yml is blocked: its gate run proves nothing', async (t) => {
    const s = await split(t)
    const pr = await forkPullRequest(s, {
      '.github/workflows/x.yml': 'on: pull_request\njobs: {}\n',
      'README.md': 'hello\n',
    })
    const runId = nextRunId++
    const gated = await s.gate(forkEvent(s, pr), { runId })
    assert.equal(gated.code, 0, tail(gated))
    await upload(s, gated, runId, 'quorum-report')
    const result = await s.publishFromWorkflowRun(pr, runId)
    assert.equal(result.code, 1, tail(result))
    assert.equal(result.outputs['verdict'], 'block')
    const { checkRun, comment, text } = published(s, 1)
    assert.equal(checkRun.conclusion, 'failure')
    const reason =
      /this pull request changes \.github\/workflows\/x\.yml, which its gate run depends on/
    assert.match(text, reason)
    assert.match(comment.body, reason)
    assert.match(result.messages('error').join('\n'), reason)
    assertClean(s)
  })
})

describe('forged reports are refused, and say why', () => {
  test('a report for another head sha is a block, in the check run and the comment', async (t) => {
    const s = await split(t)
    const pr = await forkPullRequest(s, { 'README.md': 'hello\n' })
    const runId = nextRunId++
    const gated = await s.gate(forkEvent(s, pr), { runId })
    assert.equal(gated.code, 0, tail(gated))
    const other = 'd'.repeat(40)
    await upload(s, gated, runId, 'quorum-report', ({ envelope }) => {
      envelope['head_sha'] = other
    })
    const result = await s.publishFromWorkflowRun(pr, runId)
    assert.equal(result.code, 1, tail(result))
    const { checkRun, comment, text } = published(s, 1)
    assert.equal(checkRun.headSha, pr.headSha, 'on the head the run was for, not the claimed one')
    assert.equal(checkRun.conclusion, 'failure')
    const reason = `quorum-report refused: it judged head ${other}; the run was for ${pr.headSha}`
    assert.ok(text.includes(reason), text)
    assert.ok(comment.body.includes(reason))
    assertClean(s)
  })

  test('the PR number an envelope claims is ignored: the comment goes where the API says', async (t) => {
    const s = await split(t)
    // Another PR the forger would like the green comment on.
    s.fake.addPull({ number: 2, headSha: 'e'.repeat(40), headRef: 'other' })
    const pr = await forkPullRequest(s, { 'README.md': 'hello\n' })
    const runId = nextRunId++
    const gated = await s.gate(forkEvent(s, pr), { runId })
    await upload(s, gated, runId, 'quorum-report', ({ envelope }) => {
      envelope['pull_request'] = 2
    })
    const result = await s.publishFromWorkflowRun(pr, runId)
    assert.equal(result.code, 0, tail(result))
    assert.equal(result.outputs['verdict'], 'allow')
    assert.equal(s.fake.commentsOn(2).length, 0, 'nothing on the PR the artifact named')
    const { comment } = published(s, 1)
    assert.equal(comment.issueNumber, 1)
    assert.match(
      result.stdout,
      /quorum-report names pull request #2; the API says #1, which is used/,
    )
    assertClean(s)
  })

  test('a baseline that is not on the base branch is refused; a newer base-branch commit is not', async (t) => {
    const s = await split(t)
    const pr = await forkPullRequest(s, { 'README.md': 'hello\n' })
    const runId = nextRunId++
    const gated = await s.gate(forkEvent(s, pr), { runId })
    // The forger judges against the PR's own head: nothing could ever regress.
    await upload(s, gated, runId, 'quorum-report', ({ envelope, report }) => {
      envelope['base_sha'] = pr.headSha
      ;(report['trees'] as { baseline: { commit: string } }).baseline.commit = pr.headSha
    })
    const refused = await s.publishFromWorkflowRun(pr, runId)
    assert.equal(refused.code, 1, tail(refused))
    assert.match(
      published(s, 1).text,
      new RegExp(
        `quorum-report refused: it judged against base ${pr.headSha}, which is not the base of pull request .{0,4}1 \\(main at ${pr.baseSha}\\) or a commit of main`,
      ),
    )

    // GitHub's test merge can be built on a newer main than the PR records: accepted once
    // GitHub's compare says that commit is one of main's.
    const s2 = await split(t)
    const pr2 = await forkPullRequest(s2, { 'README.md': 'hello\n' })
    const runId2 = nextRunId++
    const gated2 = await s2.gate(forkEvent(s2, pr2), { runId: runId2 })
    await upload(s2, gated2, runId2, 'quorum-report')
    const recorded = 'f'.repeat(40)
    s2.fake.pulls[0]!.baseSha = recorded
    s2.fake.setBranch('main', pr2.baseSha)
    s2.fake.addAncestry(recorded, pr2.baseSha)
    const accepted = await s2.publishFromWorkflowRun(pr2, runId2)
    assert.equal(accepted.code, 0, tail(accepted))
    assert.equal(accepted.outputs['verdict'], 'allow')
    assert.ok(s2.fake.requestsTo('GET', /\/compare\//).length > 0, 'it asked GitHub')
    assertClean(s)
    assertClean(s2)
  })

  test('a mode changed to a more lenient one is refused', async (t) => {
    const s = await split(t)
    const pr = await forkPullRequest(s, { 'src/math.js': BROKEN_MATH })
    const runId = nextRunId++
    const gated = await s.gate(forkEvent(s, pr), { runId })
    assert.equal(gated.code, 1, tail(gated))
    // no-regression would let a failure the base "already had" through; the forger also says so.
    await upload(s, gated, runId, 'quorum-report', ({ report }) => {
      report['mode'] = 'no-regression'
      report['verdict'] = 'allow'
      report['reasons'] = ['nothing got worse']
    })
    const result = await s.publishFromWorkflowRun(pr, runId)
    assert.equal(result.code, 1, tail(result))
    const { text } = published(s, 1)
    assert.match(
      text,
      /quorum-report refused: it was judged in no-regression mode; this gate's mode is pass-fail/,
    )
    assert.doesNotMatch(text, /nothing got worse/)
    assertClean(s)
  })

  test('a verdict that says allow over a failed check is recomputed to block', async (t) => {
    const s = await split(t)
    const pr = await forkPullRequest(s, { 'src/math.js': BROKEN_MATH })
    const runId = nextRunId++
    const gated = await s.gate(forkEvent(s, pr), { runId })
    await upload(s, gated, runId, 'quorum-report', ({ report }) => {
      report['verdict'] = 'allow'
      report['reasons'] = ['all 1 checks passed on the candidate']
      report['counts'] = { PASSED: 1, FAILED: 0, TIMEOUT: 0, CRASHED: 0, ERROR: 0, FLAKY: 0 }
    })
    const result = await s.publishFromWorkflowRun(pr, runId)
    assert.equal(result.code, 1, tail(result))
    assert.equal(result.outputs['verdict'], 'block')
    assert.equal(result.outputs['failed'], '1')
    assert.equal(published(s, 1).checkRun.conclusion, 'failure')
    assertClean(s)
  })
})

describe('hostile archives are refused before anything is written outside the publisher', () => {
  test('path traversal, a link, a zip bomb and an oversized download: each a block with the reason', async (t) => {
    const s = await split(t)
    const pr = await forkPullRequest(s, { 'README.md': 'hello\n' })
    const gated = await s.gate(forkEvent(s, pr))
    const dir = gated.outputs['report-dir']!
    const real = {
      envelope: await fs.readFile(path.join(dir, 'quorum-envelope.json')),
      report: await fs.readFile(path.join(dir, 'quorum-report.json')),
    }
    const honest: ZipItem[] = [
      { name: 'quorum-envelope.json', data: real.envelope },
      { name: 'quorum-report.json', data: real.report },
    ]
    // yazl will not write a climbing name; the entry is renamed in the finished archive.
    const placeholder = 'xx/xx/xx/escaped.json'
    const climbing = '../../../escaped.json'
    const cases: Array<
      [string, () => Promise<Buffer>, RegExp, Parameters<FakeGitHub['addArtifact']>[0]['blob']?]
    > = [
      [
        'path traversal',
        async () =>
          rename(
            await buildZip([...honest, { name: placeholder, data: 'x' }]),
            placeholder,
            climbing,
          ),
        /artifact archive refused: entry "\.\.\/\.\.\/\.\.\/escaped\.json": has a "\.\." segment/,
      ],
      [
        'a link',
        () =>
          buildZip([
            { name: 'quorum-envelope.json', data: '/etc/passwd', mode: 0o120777 },
            { name: 'quorum-report.json', data: real.report },
          ]),
        /artifact archive refused: entry "quorum-envelope\.json": .*link/,
      ],
      [
        'a zip bomb',
        // Under the entry and total caps: only the compression ratio gives it away.
        () => zipBomb(honest, 12 * 1024 * 1024),
        /artifact archive refused: entry "padding\.bin": has a compression ratio of \d+, more than the 200 allowed/,
      ],
      [
        'a download larger than its listing',
        () => buildZip(honest),
        /more than the 16777216 bytes allowed \(download stopped\)/,
        { extraBytes: 17 * 1024 * 1024, contentLength: 'none' },
      ],
    ]
    for (const [what, make, said, blob] of cases) {
      const runId = nextRunId++
      const zip = await make()
      s.fake.addArtifact({ runId, name: 'quorum-report', zip, ...(blob ? { blob } : {}) })
      const before = s.fake.checkRuns.length
      // Each artifact claims the run it was listed under: only the archive is hostile.
      const result = await s.publishFromWorkflowRun(pr, runId)
      assert.equal(result.code, 1, `${what}\n${tail(result)}`)
      assert.equal(result.outputs['verdict'], 'block', what)
      const checkRun = s.fake.checkRuns[before]!
      assert.equal(checkRun.conclusion, 'failure', what)
      assert.match(checkRun.output.summary ?? '', /quorum-report refused: /, what)
      assert.match(
        [checkRun.output.summary, checkRun.output.text].join('\n'),
        said,
        `${what}: ${checkRun.output.summary}`,
      )
    }
    assert.deepEqual(
      await find(s.root, 'escaped.json'),
      [],
      'nothing was written outside the target',
    )
    assertClean(s)
  })
})

/** Renames an entry in both its local header and the central directory (same byte length). */
function rename(zip: Buffer, from: string, to: string): Buffer {
  const a = Buffer.from(from)
  const b = Buffer.from(to)
  assert.equal(a.length, b.length, 'a rename must keep the length')
  const out = Buffer.from(zip)
  let found = 0
  for (let at = out.indexOf(a); at !== -1; at = out.indexOf(a, at + 1)) {
    b.copy(out, at)
    found++
  }
  assert.equal(found, 2, `${from} should appear in the local header and the central directory`)
  return out
}

/** Every path under `dir` whose file name is `name`. */
async function find(dir: string, name: string): Promise<string[]> {
  const found: string[] = []
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.name === name) found.push(path.join(entry.parentPath, entry.name))
  }
  return found
}

/**
 * A zip whose `padding.bin` inflates to `bytes` zeros from a few KiB: deflate of a run of zeros,
 * with its true sizes in the headers (yazl computes them), so only the ratio cap stops it.
 */
async function zipBomb(items: ZipItem[], bytes: number): Promise<Buffer> {
  assert.ok(deflateRawSync(Buffer.alloc(1024)).length < 64, 'zeros compress')
  return buildZip([...items, { name: 'padding.bin', data: Buffer.alloc(bytes) }])
}

describe('shards: split across a matrix, merged into one verdict', () => {
  async function sharded(t: TestContext) {
    const s = await split(t, SIX_CHECKS)
    await commitFiles(s.origin, 'feature', { 'src/math.js': BROKEN_MATH }, 'Break add', {
      from: 'main',
    })
    const pr = await s.pull('feature', { fork: false })
    const event = pullRequestEvent(s.origin, pr, { action: 'opened' })
    const runId = nextRunId++
    const gates: ActionRun[] = []
    for (let k = 1; k <= 3; k++) {
      const gated = await s.gate(event, { runId, inputs: { shard: `${k}/3` } })
      assert.deepEqual(gated.messages('warning'), [], tail(gated))
      gates.push(gated)
    }
    return { s, pr, event, runId, gates }
  }

  test('three shards merge into one check run and one comment with every check', async (t) => {
    const { s, pr, event, runId, gates } = await sharded(t)
    // Each shard job's status follows its own share: only the one with `unit` fails.
    const failing = gates.filter((g) => g.code === 1)
    assert.equal(failing.length, 1, gates.map((g) => `${g.code}`).join(','))
    assert.equal(gates.filter((g) => g.code === 0).length, 2)
    for (const [i, gated] of gates.entries())
      await upload(s, gated, runId, `quorum-report-${i + 1}`)
    const result = await s.publishInRun(event, runId)
    assert.equal(result.code, 1, tail(result))
    assert.equal(result.outputs['verdict'], 'block')
    assert.equal(result.outputs['passed'], '5')
    assert.equal(result.outputs['failed'], '1')
    const { checkRun, comment, text } = published(s, 1)
    assert.equal(checkRun.headSha, pr.headSha)
    assert.equal(checkRun.conclusion, 'failure')
    for (const name of ['unit', 'lint', 'types', 'docs', 'size', 'deps']) {
      assert.ok(comment.body.includes(name), `${name} is in the comment`)
    }
    assert.match(text, /Merged from 3 shard reports/)
    assertClean(s)
  })

  test('a missing shard is a block that names it', async (t) => {
    const { s, event, runId, gates } = await sharded(t)
    await upload(s, gates[0]!, runId, 'quorum-report-1')
    await upload(s, gates[2]!, runId, 'quorum-report-3')
    const result = await s.publishInRun(event, runId)
    assert.equal(result.code, 1, tail(result))
    const { text } = published(s, 1)
    assert.match(
      text,
      new RegExp(`shard 2/3 is missing: no artifact quorum-report-2 in workflow run ${runId}`),
    )
    assertClean(s)
  })

  test('a duplicated shard is a block, and neither copy counts', async (t) => {
    const { s, event, runId, gates } = await sharded(t)
    for (const [i, gated] of gates.entries())
      await upload(s, gated, runId, `quorum-report-${i + 1}`)
    await upload(s, gates[1]!, runId, 'quorum-report-2')
    const result = await s.publishInRun(event, runId)
    assert.equal(result.code, 1, tail(result))
    assert.match(published(s, 1).text, /shard 2 was uploaded 2 times/)
    assertClean(s)
  })

  test('a forged extra check that "passed", in the wrong shard, is refused with its shard', async (t) => {
    const { s, event, runId, gates } = await sharded(t)
    const unitShard = gates.findIndex((g) => g.code === 1) + 1
    const other = unitShard === 1 ? 2 : 1
    for (const [i, gated] of gates.entries()) {
      const k = i + 1
      await upload(
        s,
        gated,
        runId,
        `quorum-report-${k}`,
        k !== other
          ? undefined
          : ({ report }) => {
              // A passing copy of `unit`, slipped into a shard that does not run it.
              const checks = report['checks'] as Array<Record<string, unknown>>
              checks.push({ ...checks[0]!, name: 'unit' })
            },
      )
    }
    const result = await s.publishInRun(event, runId)
    assert.equal(result.code, 1, tail(result))
    assert.match(
      published(s, 1).text,
      new RegExp(`quorum-report-${other} refused: it reports unit, which belongs to another shard`),
    )
    assertClean(s)
  })
})
