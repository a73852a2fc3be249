// CheckRunWriter against the validating fake: what reaches "GitHub", in how many requests, and
// what happens when GitHub says no. Writes are paced ~1 s apart by the throttling plugin, as in
// production, so these tests take a few seconds.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'

import {
  CheckRunWriter,
  checkRunName,
  type CheckRunAnnotation,
} from '../../src/github/api/check-run.ts'
import { createGitHubClient, type GitHubClient } from '../../src/github/api/client.ts'
import { CHECK_RUN_SUMMARY_MAX_CHARS, CHECK_RUN_TEXT_MAX_CHARS } from '../../src/report/limits.ts'
import { renderCheckRun } from '../../src/report/markdown.ts'
import { GOLDEN_CTX, hugeReport } from '../report/golden.ts'
import { FakeGitHub, recordingLog, type RecordingLog } from '../support/fake-github.ts'

const SHA = 'd'.repeat(40)
const REPO = { owner: 'octo-org', repo: 'octo-repo' }
const RUNS = /^\/repos\/octo-org\/octo-repo\/check-runs\/\d+$/

function annotations(n: number): CheckRunAnnotation[] {
  return Array.from({ length: n }, (_, i) => ({
    path: `src/file${i}.ts`,
    start_line: i + 1,
    end_line: i + 1,
    annotation_level: 'failure' as const,
    message: `check ${i} regressed`,
  }))
}

describe('check run writer', () => {
  let gh: FakeGitHub
  let log: RecordingLog
  let client: GitHubClient

  before(async () => {
    gh = await FakeGitHub.start()
    log = recordingLog()
    client = createGitHubClient({ token: 't', baseUrl: gh.url, log, retryBaseMs: 5 })
  })
  after(async () => {
    await gh.close()
  })

  test('the name is quorum for the default gate and quorum (NAME) otherwise', () => {
    assert.equal(checkRunName('default'), 'quorum')
    assert.equal(checkRunName(undefined), 'quorum')
    assert.equal(checkRunName('perf'), 'quorum (perf)')
  })

  test('start then complete with 120 annotations: 1 POST, 3 PATCHes of at most 50, all schema-valid', async () => {
    const writer = new CheckRunWriter(client, log)
    const started = await writer.start({
      ...REPO,
      name: 'quorum',
      headSha: SHA,
      detailsUrl: 'https://github.com/octo-org/octo-repo/actions/runs/1',
    })
    assert.equal(started.status, 'started')
    if (started.status !== 'started') return
    const post = gh.requestsTo('POST', /check-runs$/).at(-1)?.body as Record<string, unknown>
    assert.equal(post['status'], 'in_progress')
    assert.equal(typeof post['started_at'], 'string')

    const before = gh.requestsTo('PATCH', RUNS).length
    const done = await writer.complete(started.id, {
      conclusion: 'failure',
      title: '2 checks regressed',
      summary: 'summary',
      text: 'details',
      annotations: annotations(120),
    })
    assert.equal(done.status, 'completed')
    const patches = gh.requestsTo('PATCH', RUNS).slice(before)
    const sizes = patches.map(
      (p) => ((p.body as { output: { annotations?: unknown[] } }).output.annotations ?? []).length,
    )
    assert.deepEqual(sizes, [50, 50, 20])
    const first = patches[0]?.body as Record<string, unknown>
    assert.equal(first['status'], 'completed')
    assert.equal(first['conclusion'], 'failure')
    assert.equal(typeof first['completed_at'], 'string')
    for (const later of patches.slice(1)) {
      assert.deepEqual(Object.keys(later.body as object), ['output'])
    }
    const run = gh.checkRuns.find((r) => r.id === started.id)
    assert.equal(run?.annotations.length, 120)
    assert.equal(run?.annotations[119]?.message, 'check 119 regressed')
    assert.equal(run?.conclusion, 'failure')
    assert.equal(run?.output.text, 'details')
    assert.deepEqual(gh.violations, [])
  })

  test('a transient 500 on the completing PATCH is retried and the check run completes', async () => {
    const writer = new CheckRunWriter(client, log)
    const started = await writer.start({ ...REPO, name: 'quorum', headSha: SHA })
    assert.equal(started.status, 'started')
    if (started.status !== 'started') return
    gh.failNext({ method: 'PATCH', path: RUNS, status: 500 })
    const before = gh.requestsTo('PATCH', RUNS).length
    const done = await writer.complete(started.id, {
      conclusion: 'success',
      title: 'all checks pass',
      summary: 'ok',
    })
    assert.equal(done.status, 'completed')
    assert.equal(gh.requestsTo('PATCH', RUNS).length - before, 2)
    assert.equal(gh.checkRuns.find((r) => r.id === started.id)?.conclusion, 'success')
  })

  test('a read-only token: start reports the missing permission, complete is a no-op', async () => {
    const warnings = recordingLog()
    const writer = new CheckRunWriter(client, warnings)
    gh.setReadOnly(true)
    try {
      const started = await writer.start({ ...REPO, name: 'quorum', headSha: SHA })
      assert.equal(started.status, 'failed')
      if (started.status !== 'failed') return
      assert.equal(started.error.kind, 'permission')
      assert.equal(started.error.permission, 'checks: write')
      assert.match(started.error.toWarning(), /checks: write.*fork/s)
      assert.deepEqual(warnings.warnings(), [], 'the writer returns the failure; the action warns')
      const count = gh.requests.length
      const done = await writer.complete(null, { conclusion: 'failure', title: 't', summary: 's' })
      assert.equal(done.status, 'skipped')
      assert.equal(gh.requests.length, count)
    } finally {
      gh.setReadOnly(false)
    }
  })

  test('when start failed transiently, complete creates the check run already completed', async () => {
    const writer = new CheckRunWriter(client, log)
    gh.failNext({ method: 'POST', path: /check-runs$/, count: 3, status: 502 })
    const started = await writer.start({ ...REPO, name: 'quorum (perf)', headSha: SHA })
    assert.equal(started.status, 'failed')
    if (started.status !== 'failed') return
    assert.equal(started.error.kind, 'transient')
    const done = await writer.complete(null, {
      conclusion: 'failure',
      title: 't',
      summary: 's',
      annotations: annotations(60),
    })
    assert.equal(done.status, 'completed')
    if (done.status !== 'completed') return
    const run = gh.checkRuns.find((r) => r.id === done.id)
    assert.equal(run?.name, 'quorum (perf)')
    assert.equal(run?.status, 'completed')
    assert.equal(run?.annotations.length, 60)
    assert.deepEqual(gh.violations, [])
  })

  test('output over 65,535 characters and oversized annotations are cut to what GitHub accepts', async () => {
    const writer = new CheckRunWriter(client, log)
    const started = await writer.start({ ...REPO, name: 'quorum', headSha: SHA })
    if (started.status !== 'started') return assert.fail('start failed')
    const done = await writer.complete(started.id, {
      conclusion: 'failure',
      title: 't',
      summary: '😀'.repeat(40000),
      text: 'y'.repeat(100000),
      annotations: [
        {
          path: 'a.ts',
          start_line: 3,
          end_line: 5,
          start_column: 1,
          end_column: 4,
          annotation_level: 'warning',
          message: 'm'.repeat(70 * 1024),
          title: 'x'.repeat(300),
        },
      ],
    })
    assert.equal(done.status, 'completed')
    if (done.status !== 'completed') return
    assert.equal(done.truncated, true)
    const run = gh.checkRuns.find((r) => r.id === started.id)
    assert.ok((run?.output.summary ?? '').length <= 65535)
    assert.match(run?.output.summary ?? '', /… truncated/)
    assert.doesNotMatch(run?.output.summary ?? '', /\uFFFD/)
    assert.match(run?.output.text ?? '', /… truncated/)
    assert.equal(run?.annotations[0]?.['start_column'], undefined)
    assert.equal(String(run?.annotations[0]?.['title']).length, 255)
    const message = String(run?.annotations[0]?.['message'])
    assert.ok(Buffer.byteLength(message) <= 65_536 && message.endsWith('… truncated'))
    assert.deepEqual(gh.violations, [])
  })

  // The writer's own cut (fitWithNote in complete) is not a second cut of the views' output: the
  // views are laid out within the same limits, so it never fires for them. It stays for the text
  // the action writes itself (a failure message quoting an error of any length).
  test("the views' output reaches GitHub whole: what their budget fitted is never cut again", async () => {
    for (const outputUnit of ['x', '😀']) {
      const report = hugeReport({
        checks: 3000,
        failEvery: 2,
        reasonChars: 1000,
        outputLines: 60,
        outputUnit,
      })
      const output = renderCheckRun(report, GOLDEN_CTX)
      assert.ok(output.summary.length <= CHECK_RUN_SUMMARY_MAX_CHARS, `${output.summary.length}`)
      assert.ok(output.text.length <= CHECK_RUN_TEXT_MAX_CHARS, `${output.text.length}`)
      assert.ok(output.summary.length > CHECK_RUN_SUMMARY_MAX_CHARS * 0.9, 'near the limit')
      const writer = new CheckRunWriter(client, log)
      const started = await writer.start({ ...REPO, name: 'quorum', headSha: SHA })
      if (started.status !== 'started') return assert.fail('start failed')
      const done = await writer.complete(started.id, {
        conclusion: 'failure',
        title: output.title,
        summary: output.summary,
        text: output.text,
      })
      assert.equal(done.status, 'completed')
      if (done.status !== 'completed') return
      assert.equal(done.truncated, false)
      const run = gh.checkRuns.find((r) => r.id === started.id)
      assert.equal(run?.output.summary, output.summary)
      assert.equal(run?.output.text, output.text)
    }
    assert.deepEqual(gh.violations, [])
  })

  test('a conclusion other than success or failure is refused before anything is sent', async () => {
    const writer = new CheckRunWriter(client, log)
    const started = await writer.start({ ...REPO, name: 'quorum', headSha: SHA })
    if (started.status !== 'started') return assert.fail('start failed')
    const count = gh.requests.length
    await assert.rejects(
      writer.complete(started.id, {
        conclusion: 'neutral' as 'success',
        title: 't',
        summary: 's',
      }),
      TypeError,
    )
    assert.equal(gh.requests.length, count)
  })
})
