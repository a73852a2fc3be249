// The client's retry and throttling policy, observed from the server side: how many requests
// actually reached the fake for each kind of failure.

import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, beforeEach, describe, test } from 'node:test'

import { createGitHubClient, type GitHubClient } from '../../src/github/api/client.ts'
import { classifyGitHubError, parseAcceptedPermissions } from '../../src/github/api/errors.ts'
import { writeOutputs, type QuorumOutputs } from '../../src/github/api/outputs.ts'
import { writeJobSummary } from '../../src/github/api/summary.ts'
import { JOB_SUMMARY_MAX_BYTES } from '../../src/report/limits.ts'
import { FakeGitHub, recordingLog, type RecordingLog } from '../support/fake-github.ts'

const SHA = 'c'.repeat(40)
const PULL = '/repos/octo-org/octo-repo/pulls/3'

describe('GitHub client', () => {
  let gh: FakeGitHub
  let log: RecordingLog
  let client: GitHubClient

  before(async () => {
    gh = await FakeGitHub.start({ token: 'secret-token', pulls: [{ number: 3, headSha: SHA }] })
  })
  after(async () => {
    await gh.close()
  })
  beforeEach(() => {
    log = recordingLog()
    // A trailing slash, as users write GITHUB_API_URL-like values, must not produce `//repos`.
    client = createGitHubClient({
      token: 'secret-token',
      baseUrl: `${gh.url}/`,
      log,
      retryBaseMs: 5,
    })
  })

  async function getPull(): Promise<unknown> {
    return client.rest.pulls.get({ owner: 'octo-org', repo: 'octo-repo', pull_number: 3 })
  }

  test('sends the token and the user agent to the given base URL', async () => {
    const before = gh.requests.length
    const { data } = await client.rest.pulls.get({
      owner: 'octo-org',
      repo: 'octo-repo',
      pull_number: 3,
    })
    assert.equal(data.head.sha, SHA)
    const [request] = gh.requests.slice(before)
    assert.equal(request?.path, PULL)
    assert.match(request?.userAgent ?? '', /^quorum-gate/)
  })

  test('a transient 500 is retried and the third try succeeds', async () => {
    gh.failNext({ method: 'GET', path: PULL, count: 2, status: 500 })
    const before = gh.requestsTo('GET', PULL).length
    await getPull()
    assert.equal(gh.requestsTo('GET', PULL).length - before, 3)
  })

  test('a server error that persists gives up after 3 tries, classified transient', async () => {
    gh.failNext({ method: 'GET', path: PULL, count: 5, status: 503 })
    const before = gh.requestsTo('GET', PULL).length
    const error = await getPull().then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    )
    assert.equal(gh.requestsTo('GET', PULL).length - before, 3)
    const classified = classifyGitHubError(error, 'read-pull-request')
    assert.equal(classified.kind, 'transient')
    assert.equal(classified.status, 503)
    // Drain the two failures left in the rule so the next test starts clean.
    await getPull().catch(() => undefined)
  })

  test('a dropped connection is retried and, if it persists, classified transient without status', async () => {
    gh.failNext({ method: 'GET', path: PULL, count: 1, kind: 'network' })
    await getPull()
    gh.failNext({ method: 'GET', path: PULL, count: 3, kind: 'network' })
    const error = await getPull().then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    )
    const classified = classifyGitHubError(error, 'read-pull-request')
    assert.equal(classified.kind, 'transient')
    assert.equal(classified.status, null)
  })

  for (const [status, kind] of [
    [404, 'not-found'],
    [422, 'validation'],
    [401, 'auth'],
  ] as const) {
    test(`a ${status} is not retried and is classified ${kind}`, async () => {
      gh.failNext({ method: 'GET', path: PULL, status })
      const before = gh.requestsTo('GET', PULL).length
      const error = await getPull().then(
        () => assert.fail('expected a failure'),
        (e: unknown) => e,
      )
      assert.equal(gh.requestsTo('GET', PULL).length - before, 1)
      assert.equal(classifyGitHubError(error, 'read-pull-request').kind, kind)
    })
  }

  test('a secondary rate limit is waited out and retried', async () => {
    gh.failNext({ method: 'GET', path: PULL, kind: 'secondary-rate-limit' })
    const before = gh.requestsTo('GET', PULL).length
    await getPull()
    assert.equal(gh.requestsTo('GET', PULL).length - before, 2)
    assert.ok(log.messages.some((m) => /secondary rate limit/.test(m.message)))
  })

  test('a primary rate limit (x-ratelimit-remaining: 0) is waited out and retried', async () => {
    gh.failNext({ method: 'GET', path: PULL, kind: 'rate-limit' })
    const before = gh.requestsTo('GET', PULL).length
    await getPull()
    assert.equal(gh.requestsTo('GET', PULL).length - before, 2)
  })

  test('a rate limit that persists is retried twice, then given up without a warning of its own', async () => {
    gh.failNext({ method: 'GET', path: PULL, count: 5, kind: 'secondary-rate-limit' })
    const before = gh.requestsTo('GET', PULL).length
    const error = await getPull().then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    )
    assert.equal(gh.requestsTo('GET', PULL).length - before, 3)
    assert.equal(classifyGitHubError(error, 'read-pull-request').kind, 'rate-limit')
    // The caller warns about the failure it gets (warnGitHubFailure, or a refused report): the
    // client only says why it stopped waiting, so the job log warns once.
    assert.ok(
      log.messages.some((m) => m.level === 'info' && /gave up after 2 retries/.test(m.message)),
    )
    assert.deepEqual(log.warnings(), [])
    await getPull().catch(() => undefined)
    await getPull().catch(() => undefined)
  })

  test('a read-only token is classified as a permission error naming checks: write', async () => {
    gh.setReadOnly(true)
    try {
      const before = gh.requestsTo('POST', /check-runs$/).length
      const error = await client.rest.checks
        .create({ owner: 'octo-org', repo: 'octo-repo', name: 'quorum', head_sha: SHA })
        .then(
          () => assert.fail('expected a failure'),
          (e: unknown) => e,
        )
      // 403 is neither retried nor mistaken for a rate limit.
      assert.equal(gh.requestsTo('POST', /check-runs$/).length - before, 1)
      const classified = classifyGitHubError(error, 'check-run')
      assert.equal(classified.kind, 'permission')
      assert.equal(classified.permission, 'checks: write')
      assert.match(classified.toWarning(), /permissions: \{ checks: write \}/)
      assert.match(classified.toWarning(), /fork/)
      assert.match(classified.toWarning(), /verdict is not affected/)
    } finally {
      gh.setReadOnly(false)
    }
  })

  test('the fake saw only valid requests', () => {
    assert.deepEqual(gh.violations, [])
  })
})

describe('GitHub error classification', () => {
  test('x-accepted-github-permissions alternatives become workflow permission syntax', () => {
    assert.equal(parseAcceptedPermissions('checks=write'), 'checks: write')
    assert.equal(
      parseAcceptedPermissions('issues=write; pull_requests=write'),
      'issues: write or pull-requests: write',
    )
    assert.equal(parseAcceptedPermissions(''), null)
    assert.equal(parseAcceptedPermissions(undefined), null)
  })

  test('without the header, the permission comes from the operation', () => {
    const error = {
      status: 403,
      message: 'Resource not accessible by integration',
      response: { headers: {} },
    }
    const classified = classifyGitHubError(error, 'comment')
    assert.equal(classified.permission, 'pull-requests: write')
    assert.match(classified.hint, /issues: write/)
  })

  test('a validation error keeps the response body for the bug report', () => {
    const body = {
      message: 'Validation Failed',
      errors: [{ field: 'output.title', code: 'missing' }],
    }
    const classified = classifyGitHubError(
      { status: 422, message: 'Validation Failed', response: { headers: {}, data: body } },
      'check-run',
    )
    assert.equal(classified.kind, 'validation')
    assert.match(classified.responseBody ?? '', /output\.title/)
  })

  test('something that is not an HTTP error is unexpected', () => {
    assert.equal(classifyGitHubError(new TypeError('boom'), 'comment').kind, 'unexpected')
  })
})

// The other two reporting sinks (job summary and outputs) live here for lack of their own test
// files in this part of the tree.
describe('job summary', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quorum-summary-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  test('appends to the step summary file after what other writers put there', async () => {
    const path = join(dir, 'append.md')
    await writeFile(path, '# earlier step output\n')
    const result = await writeJobSummary('## Quorum: allow', path)
    assert.equal(result.status, 'written')
    assert.equal(await readFile(path, 'utf8'), '# earlier step output\n## Quorum: allow\n')
  })

  test('a summary that would push the file past 1 MiB is cut, visibly, on a character boundary', async () => {
    const path = join(dir, 'big.md')
    await writeFile(path, 'x'.repeat(1000))
    const result = await writeJobSummary('é'.repeat(JOB_SUMMARY_MAX_BYTES), path)
    assert.equal(result.status, 'written')
    if (result.status !== 'written') return
    assert.equal(result.truncated, true)
    const content = await readFile(path)
    assert.ok(content.length <= JOB_SUMMARY_MAX_BYTES)
    assert.ok(content.length > JOB_SUMMARY_MAX_BYTES - 200, 'the room is used')
    const text = content.toString('utf8')
    assert.doesNotMatch(text, /\uFFFD/)
    assert.match(text, /truncated/)
  })

  test('a step summary already at 1 MiB gets nothing added, and the result says so', async () => {
    const path = join(dir, 'full.md')
    await writeFile(path, 'x'.repeat(JOB_SUMMARY_MAX_BYTES - 10))
    assert.deepEqual(await writeJobSummary('## Quorum: block, with reasons', path), {
      status: 'full',
      path,
    })
    assert.equal((await readFile(path)).length, JOB_SUMMARY_MAX_BYTES - 10)
  })

  test('without a step summary file nothing is written; an unwritable path is a failed result', async () => {
    const skipped = await writeJobSummary('x', null)
    assert.equal(skipped.status, 'skipped')
    const failed = await writeJobSummary('x', join(dir, 'no', 'such', 'dir.md'))
    assert.equal(failed.status, 'failed')
    if (failed.status === 'failed') assert.equal((failed.error as { code?: string }).code, 'ENOENT')
  })
})

describe('outputs', () => {
  const valid: QuorumOutputs = {
    verdict: 'block',
    passed: 3,
    failed: 1,
    timeout: 0,
    crashed: 0,
    error: 0,
    flaky: 1,
    skipped: 0,
    vacuous: 2,
    uncovered: 0,
    'report-path': 'quorum-report.json',
    'comment-url': 'https://github.com/octo-org/octo-repo/pull/7#issuecomment-1234',
    'check-run-url': 'https://github.com/octo-org/octo-repo/runs/55',
  }

  test('enums, counts, paths and URLs are set as strings', () => {
    const set: Record<string, string> = {}
    const result = writeOutputs(valid, { setOutput: (k, v) => (set[k] = v) })
    assert.deepEqual(result.refused, [])
    assert.deepEqual(set, {
      verdict: 'block',
      passed: '3',
      failed: '1',
      timeout: '0',
      crashed: '0',
      error: '0',
      flaky: '1',
      skipped: '0',
      vacuous: '2',
      uncovered: '0',
      'report-path': 'quorum-report.json',
      'comment-url': 'https://github.com/octo-org/octo-repo/pull/7#issuecomment-1234',
      'check-run-url': 'https://github.com/octo-org/octo-repo/runs/55',
    })
  })

  test('anything that could carry text into a later step is refused, and its value not echoed', () => {
    const set: Record<string, string> = {}
    const hostile = {
      ...valid,
      verdict: 'allow\n::set-output name=x::y',
      passed: -1,
      failed: 1.5,
      vacuous: '1; rm -rf /',
      'report-path': 'report $(curl evil).json',
      'report-dir': '/tmp/r\n::set-output name=verdict::allow',
      'comment-url': 'https://x.test/`id`',
      reason: 'free text from a check',
    } as unknown as QuorumOutputs
    const result = writeOutputs(hostile, { setOutput: (k, v) => (set[k] = v) })
    assert.deepEqual(result.refused.map((r) => r.name).sort(), [
      'comment-url',
      'failed',
      'passed',
      'reason',
      'report-dir',
      'report-path',
      'vacuous',
      'verdict',
    ])
    assert.deepEqual(Object.keys(set).sort(), [
      'check-run-url',
      'crashed',
      'error',
      'flaky',
      'skipped',
      'timeout',
      'uncovered',
    ])
    assert.doesNotMatch(JSON.stringify(result.refused), /curl|set-output|free text|rm -rf/)
  })

  test("the gate stage's report-dir is a path output; without one it is not set at all", () => {
    const dir = '/home/runner/work/_temp/quorum-default/report-AbC123'
    const set: Record<string, string> = {}
    assert.deepEqual(
      writeOutputs({ ...valid, 'report-dir': dir }, { setOutput: (k, v) => (set[k] = v) }).refused,
      [],
    )
    assert.equal(set['report-dir'], dir)
    const none: Record<string, string> = {}
    writeOutputs({ ...valid, 'report-dir': null }, { setOutput: (k, v) => (none[k] = v) })
    assert.equal('report-dir' in none, false)
  })
})
