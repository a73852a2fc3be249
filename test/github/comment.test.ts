// The sticky comment against the validating fake: one comment per PR and gate, never someone
// else's, never a duplicate after a lost response, never an older run over a newer one.

import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'

import { createGitHubClient } from '../../src/github/api/client.ts'
import {
  StickyCommentWriter,
  type StickyCommentOptions,
  type StickyCommentTarget,
} from '../../src/github/api/comment.ts'
import { commentMarker, headMarker, parseProvenance } from '../../src/report/comment-markers.ts'
import { renderComment } from '../../src/report/markdown.ts'
import { FakeGitHub, recordingLog, type RecordingLog } from '../support/fake-github.ts'
import { GOLDEN_CTX, hugeReport } from '../report/golden.ts'

const OLD = 'a'.repeat(40)
const NEW = 'b'.repeat(40)
const MARKER = '<!-- quorum:gate=default -->'

describe('sticky PR comment', () => {
  let gh: FakeGitHub
  let nextPull = 1

  before(async () => {
    gh = await FakeGitHub.start()
  })
  after(async () => {
    await gh.close()
  })

  /** A fresh PR per test, so tests cannot see each other's comments. */
  function pull(headSha = NEW): number {
    const number = nextPull++
    gh.addPull({ number, headSha })
    return number
  }

  function target(
    pullNumber: number,
    over: Partial<StickyCommentTarget> = {},
  ): StickyCommentTarget {
    return {
      owner: gh.owner,
      repo: gh.repo,
      pullNumber,
      gate: 'default',
      headSha: NEW,
      runId: 200,
      runAttempt: 1,
      ...over,
    }
  }

  /** A body for `t` as renderComment makes one: the two hidden lines of `t`, then `text`. */
  function body(t: StickyCommentTarget, text: string): string {
    return `${commentMarker(t.gate)}\n${headMarker(t.headSha, t.runId, t.runAttempt)}\n${text}`
  }

  /** Upserts `text` as the report for `t`. */
  function upsert(w: StickyCommentWriter, t: StickyCommentTarget, text: string) {
    return w.upsert(t, body(t, text))
  }

  function writer(
    log: RecordingLog = recordingLog(),
    options: StickyCommentOptions = {},
  ): StickyCommentWriter {
    // Its own pacing key: GitHub's 3 s spacing between comment POSTs applies per client here.
    const client = createGitHubClient({
      token: 't',
      baseUrl: gh.url,
      log,
      retryBaseMs: 5,
      pacingKey: randomUUID(),
    })
    return new StickyCommentWriter(client, log, { retryBaseMs: 5, ...options })
  }

  test('the first run creates the comment, the next run updates that same comment', async () => {
    const n = pull(OLD)
    const first = await upsert(writer(), target(n, { headSha: OLD, runId: 100 }), 'report one')
    assert.equal(first.status, 'created')
    gh.setPullHead(n, NEW)
    const second = await upsert(writer(), target(n, { runId: 101 }), 'report two')
    assert.equal(second.status, 'updated')
    const comments = gh.commentsOn(n)
    assert.equal(comments.length, 1)
    assert.equal(comments[0]?.user.login, 'github-actions[bot]')
    const lines = comments[0]?.body.split('\n') ?? []
    assert.equal(lines[0], MARKER)
    assert.equal(lines[1], `<!-- quorum:head=${NEW} run=101.1 -->`)
    assert.equal(lines.slice(2).join('\n'), 'report two')
    assert.deepEqual(gh.violations, [])
  })

  test("another user's comment that copies the marker is never touched", async () => {
    const n = pull()
    const forged = `${MARKER}\n${headMarker(NEW, 999999, 9)}\nALL CHECKS PASSED (forged)`
    const theirs = gh.seedComment({ issueNumber: n, body: forged, user: { login: 'mallory' } })
    // Also a comment of ours without the marker on its first line: not our report either.
    const unrelated = gh.seedComment({ issueNumber: n, body: `hello\n${MARKER}` })
    const result = await upsert(writer(), target(n), 'the real report')
    assert.equal(result.status, 'created')
    assert.equal(theirs.body, forged)
    assert.equal(unrelated.body, `hello\n${MARKER}`)
    assert.equal(
      gh.requestsTo('PATCH', `/repos/octo-org/octo-repo/issues/comments/${theirs.id}`).length,
      0,
    )
    assert.equal(gh.commentsOn(n).length, 3)
    assert.deepEqual(gh.violations, [])
  })

  test('a run for a commit that is no longer the PR head writes nothing', async () => {
    const n = pull(NEW)
    const count = gh.requests.length
    const result = await upsert(writer(), target(n, { headSha: OLD }), 'late report')
    assert.equal(result.status, 'stale')
    const writes = gh.requests.slice(count).filter((r) => r.method !== 'GET')
    assert.deepEqual(writes, [])
    assert.equal(gh.commentsOn(n).length, 0)
  })

  test('a late run does not overwrite the report of the newer head that landed while it ran', async () => {
    const n = pull(OLD)
    // The old run reads the PR (head OLD); then a push lands and the new run posts its report
    // before the old run lists the comments.
    gh.onHandled({ method: 'GET', path: `/repos/octo-org/octo-repo/pulls/${n}` }, () => {
      gh.setPullHead(n, NEW)
      gh.seedComment({ issueNumber: n, body: `${MARKER}\n${headMarker(NEW, 201, 1)}\nnew report` })
    })
    const result = await upsert(writer(), target(n, { headSha: OLD, runId: 200 }), 'old report')
    assert.equal(result.status, 'stale')
    assert.deepEqual(
      gh.commentsOn(n).map((c) => c.body.split('\n')[2]),
      ['new report'],
    )
  })

  test('a report from an earlier run on the same commit does not overwrite a later run', async () => {
    const n = pull(NEW)
    gh.seedComment({ issueNumber: n, body: `${MARKER}\n${headMarker(NEW, 300, 2)}\nlater run` })
    const result = await upsert(writer(), target(n, { runId: 300, runAttempt: 1 }), 'earlier run')
    assert.equal(result.status, 'stale')
    assert.equal(gh.commentsOn(n)[0]?.body.split('\n')[2], 'later run')
  })

  test('a 502 after GitHub created the comment does not produce a second comment', async () => {
    const n = pull()
    const path = `/repos/octo-org/octo-repo/issues/${n}/comments`
    gh.failNext({ method: 'POST', path, status: 502, apply: true })
    const result = await upsert(writer(), target(n), 'report')
    assert.equal(result.status, 'created')
    assert.equal(gh.commentsOn(n).length, 1)
    assert.equal(gh.requestsTo('POST', path).length, 1)
    // It looked before posting again.
    assert.ok(gh.requestsTo('GET', path).length >= 2)
    assert.deepEqual(gh.violations, [])
  })

  test('a 502 before anything was created is retried once the comment is confirmed absent', async () => {
    const n = pull()
    const path = `/repos/octo-org/octo-repo/issues/${n}/comments`
    gh.failNext({ method: 'POST', path, status: 502, apply: false })
    const result = await upsert(writer(), target(n), 'report')
    assert.equal(result.status, 'created')
    assert.equal(gh.requestsTo('POST', path).length, 2)
    assert.equal(gh.commentsOn(n).length, 1)
  })

  test('a read-only token fails with the permission to grant, and writes nothing', async () => {
    const n = pull()
    const log = recordingLog()
    gh.setReadOnly(true)
    try {
      const result = await upsert(writer(log), target(n), 'report')
      assert.equal(result.status, 'failed')
      if (result.status !== 'failed') return
      assert.equal(result.error.kind, 'permission')
      assert.equal(result.error.operation, 'comment')
      assert.match(result.error.permission ?? '', /pull-requests: write/)
      assert.match(result.error.toWarning(), /permissions: \{ pull-requests: write \}/)
      assert.deepEqual(log.warnings(), [], 'the writer returns the failure; the action warns')
      assert.equal(gh.commentsOn(n).length, 0)
    } finally {
      gh.setReadOnly(false)
    }
  })

  test('with several of our comments (an old bug), the newest is updated and the rest left alone', async () => {
    const n = pull()
    const oldest = gh.seedComment({
      issueNumber: n,
      body: `${MARKER}\n${headMarker(OLD, 1, 1)}\nx`,
    })
    const newest = gh.seedComment({
      issueNumber: n,
      body: `${MARKER}\n${headMarker(OLD, 2, 1)}\ny`,
    })
    const result = await upsert(writer(), target(n), 'report')
    assert.equal(result.status, 'updated')
    if (result.status !== 'updated') return
    assert.equal(result.id, newest.id)
    assert.match(newest.body, /report$/)
    assert.match(oldest.body, /x$/)
    assert.equal(gh.commentsOn(n).length, 2)
  })

  test('our comment is found on a later page of a long thread', async () => {
    const n = pull()
    const ours = gh.seedComment({
      issueNumber: n,
      body: `${MARKER}\n${headMarker(OLD, 1, 1)}\nold`,
    })
    for (let i = 0; i < 150; i++)
      gh.seedComment({ issueNumber: n, body: `chatter ${i}`, user: { login: 'bob' } })
    const result = await upsert(writer(), target(n), 'report')
    assert.equal(result.status, 'updated')
    assert.match(ours.body, /report$/)
    assert.equal(gh.commentsOn(n).length, 151)
  })

  test('a PAT identity from GET /user is the author we look for; an explicit author wins', async () => {
    const n = pull()
    gh.setIdentity({ login: 'release-bot', tokenKind: 'user', type: 'User' })
    try {
      // A github-actions[bot] comment is not ours when the token is release-bot's PAT.
      const bots = gh.seedComment({
        issueNumber: n,
        body: `${MARKER}\n${headMarker(OLD, 1, 1)}\nbot`,
        user: { login: 'github-actions[bot]' },
      })
      const created = await upsert(writer(), target(n), 'pat report')
      assert.equal(created.status, 'created')
      assert.match(bots.body, /bot$/)
      const explicit = await upsert(
        writer(recordingLog(), { expectedAuthor: 'release-bot' }),
        target(n, { runId: 201 }),
        'second',
      )
      assert.equal(explicit.status, 'updated')
    } finally {
      gh.setIdentity({ login: 'github-actions[bot]', id: 41898282 })
    }
  })

  test('a comment GitHub wrote as another login than expected says so in the result', async () => {
    const n = pull()
    const log = recordingLog()
    const result = await upsert(writer(log, { expectedAuthor: 'release-bot' }), target(n), 'report')
    assert.equal(result.status, 'created')
    if (result.status !== 'created') return
    assert.deepEqual(result.authorMismatch, {
      expected: 'release-bot',
      actual: 'github-actions[bot]',
    })
    assert.deepEqual(log.warnings(), [])
  })

  test('when the PR moves on while the comment is written, the comment is marked outdated', async () => {
    const n = pull(NEW)
    gh.onHandled({ method: 'POST', path: `/repos/octo-org/octo-repo/issues/${n}/comments` }, () => {
      gh.setPullHead(n, OLD.replace(/a/g, 'e'))
    })
    const log = recordingLog()
    const result = await upsert(writer(log), target(n), 'report')
    assert.equal(result.status, 'superseded')
    if (result.status !== 'superseded') return
    assert.match(result.reason, /head moved to e{40} while this report for b{40} was written/)
    assert.deepEqual(log.warnings(), [], 'the action warns, from the result')
    const body = gh.commentsOn(n)[0]?.body ?? ''
    assert.equal(body.split('\n')[0], MARKER)
    assert.match(body, /Outdated: this report is for b{12}/)
    assert.deepEqual(gh.violations, [])
  })

  test("a 200-check report's comment ends with its complete truncation note and footer, within 65,536 characters", async () => {
    const n = pull()
    const t = target(n)
    const report = hugeReport({ checks: 200, failEvery: 7, reasonChars: 200, outputLines: 20 })
    const body = renderComment(report, {
      ...GOLDEN_CTX,
      headSha: NEW,
      run: { id: t.runId, attempt: t.runAttempt },
    })
    const log = recordingLog()
    const result = await writer(log).upsert(t, body)
    assert.equal(result.status, 'created')
    const posted = gh.commentsOn(n)[0]?.body ?? ''
    assert.ok(posted.length <= 65_536, `${posted.length} characters`)
    assert.equal(posted.split('\n')[0], MARKER)
    assert.equal(posted.split('\n')[1], headMarker(NEW, t.runId, t.runAttempt))
    // The view's note, whole, then the footer, whole: nothing cut after the layout was made.
    assert.match(
      posted,
      /\n> \*\*… truncated\*\* to fit the 65,536-character comment limit; see \[check run\]\(https:\/\/github\.com\/acme\/shop\/runs\/123\) \/ \[full report\]\([^)\s]+\)\. Left out: details of \d+ checks; output of \d+ checks\.\n\n<sub>Quorum [^\n]* · \[full report\]\([^)\s]+\)<\/sub>$/,
    )
    assert.equal(posted.split('truncated').length - 1, 1, 'one truncation note')
    assert.deepEqual(log.warnings(), [])
    assert.deepEqual(gh.violations, [])
  })

  test("a body too long for GitHub, or without its target's hidden lines, is refused before any request", async () => {
    const n = pull()
    const t = target(n)
    const count = gh.requests.length
    await assert.rejects(writer().upsert(t, body(t, 'z'.repeat(65_536))), RangeError)
    await assert.rejects(writer().upsert(t, 'a report without markers'), RangeError)
    const otherRun = body(target(n, { runId: 999 }), 'report')
    await assert.rejects(writer().upsert(t, otherRun), RangeError)
    assert.equal(gh.requests.length, count)
  })
})

describe('comment markers', () => {
  test('the head line records commit and run, and parses back', () => {
    const body = `${MARKER}\n${headMarker(NEW.toUpperCase(), 5, 2)}\n# Report`
    assert.equal(body.split('\n')[1], `<!-- quorum:head=${NEW} run=5.2 -->`)
    assert.deepEqual(parseProvenance(body), { headSha: NEW, runId: 5n, runAttempt: 2n })
    assert.equal(parseProvenance(`${MARKER}\n# Report`), null)
  })

  test('a gate name or sha that could break out of the HTML comment is refused', () => {
    assert.throws(() => commentMarker('x --> <b>'), RangeError)
    assert.throws(() => commentMarker('a\nb'), RangeError)
    assert.throws(() => headMarker('not-a-sha', 1, 1), RangeError)
    assert.equal(commentMarker('perf.v2'), '<!-- quorum:gate=perf.v2 -->')
  })
})
