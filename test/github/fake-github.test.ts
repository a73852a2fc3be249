// The fake is only worth something if it refuses what GitHub refuses and answers what GitHub
// answers. These tests talk to it with plain fetch, so they do not depend on the client under test.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'

import { FakeGitHub } from '../support/fake-github.ts'

const SHA = 'a'.repeat(40)

interface Reply {
  status: number
  headers: Headers
  json: unknown
}

async function call(
  gh: FakeGitHub,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = { authorization: 'token test-token' },
): Promise<Reply> {
  const res = await fetch(gh.url + path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, json: text === '' ? null : JSON.parse(text) }
}

function annotations(n: number): unknown[] {
  return Array.from({ length: n }, (_, i) => ({
    path: 'src/a.ts',
    start_line: i + 1,
    end_line: i + 1,
    annotation_level: 'failure',
    message: `problem ${i}`,
  }))
}

describe('fake GitHub', () => {
  let gh: FakeGitHub
  before(async () => {
    gh = await FakeGitHub.start({ pulls: [{ number: 7, headSha: SHA }] })
  })
  after(async () => {
    await gh.close()
  })

  test('a valid check run create and update are accepted, stored, and answered in GitHub shape', async () => {
    const before = gh.violations.length
    const created = await call(gh, 'POST', '/repos/octo-org/octo-repo/check-runs', {
      name: 'quorum',
      head_sha: SHA,
      status: 'in_progress',
      started_at: '2024-05-01T10:00:00.000Z',
    })
    assert.equal(created.status, 201)
    const id = (created.json as { id: number }).id
    const updated = await call(gh, 'PATCH', `/repos/octo-org/octo-repo/check-runs/${id}`, {
      status: 'completed',
      conclusion: 'failure',
      completed_at: '2024-05-01T10:01:00Z',
      output: { title: 't', summary: 's', annotations: annotations(50) },
    })
    assert.equal(updated.status, 200)
    const json = updated.json as { conclusion: string; output: { annotations_count: number } }
    assert.equal(json.conclusion, 'failure')
    assert.equal(json.output.annotations_count, 50)
    const run = gh.checkRuns.find((r) => r.id === id)
    assert.equal(run?.status, 'completed')
    // Response bodies are validated against the description too; none may have failed.
    assert.deepEqual(gh.violations.slice(before), [])
  })

  test('51 annotations in one request are refused with 400 and recorded, state untouched', async () => {
    const created = await call(gh, 'POST', '/repos/octo-org/octo-repo/check-runs', {
      name: 'quorum',
      head_sha: SHA,
    })
    const id = (created.json as { id: number }).id
    const before = gh.violations.length
    const res = await call(gh, 'PATCH', `/repos/octo-org/octo-repo/check-runs/${id}`, {
      output: { title: 't', summary: 's', annotations: annotations(51) },
    })
    assert.equal(res.status, 400)
    const added = gh.violations.slice(before)
    assert.equal(added.length, 1)
    assert.match(added[0]?.problems.join('\n') ?? '', /maxItems 50/)
    assert.equal(gh.checkRuns.find((r) => r.id === id)?.annotations.length, 0)
    gh.violations.splice(before)
  })

  test('bad enums, missing required fields, wrong types, over-long summaries and unknown fields are refused', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ name: 'q', head_sha: SHA, conclusion: 'maybe' }, /not one of/],
      [{ name: 'q' }, /missing required property head_sha/],
      [{ name: 'q', head_sha: 42 }, /expected string, got integer/],
      [
        { name: 'q', head_sha: SHA, output: { title: 't', summary: 'x'.repeat(65536) } },
        /maxLength 65535/,
      ],
      [{ name: 'q', head_sha: SHA, 'head-sha': SHA }, /head-sha is not in the description/],
      [{ name: 'q', head_sha: SHA, started_at: 'yesterday' }, /date-time/],
    ]
    for (const [body, problem] of cases) {
      const before = gh.violations.length
      const res = await call(gh, 'POST', '/repos/octo-org/octo-repo/check-runs', body)
      assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80))
      assert.match(gh.violations[before]?.problems.join('\n') ?? '', problem)
      gh.violations.splice(before)
    }
  })

  test('a completed check run without a conclusion is a 422 like GitHub, and recorded', async () => {
    const before = gh.violations.length
    const res = await call(gh, 'POST', '/repos/octo-org/octo-repo/check-runs', {
      name: 'q',
      head_sha: SHA,
      status: 'completed',
    })
    assert.equal(res.status, 422)
    assert.equal(gh.violations[before]?.kind, 'limit')
    gh.violations.splice(before)
  })

  test('a comment body over 65,536 characters is refused with 422 and recorded', async () => {
    const before = gh.violations.length
    const count = gh.comments.length
    const res = await call(gh, 'POST', '/repos/octo-org/octo-repo/issues/7/comments', {
      body: 'x'.repeat(65537),
    })
    assert.equal(res.status, 422)
    assert.match(JSON.stringify(res.json), /Body is too long/)
    assert.equal(gh.comments.length, count)
    gh.violations.splice(before)
  })

  test('comment listing paginates with a Link header, 100 per page at most', async () => {
    for (let i = 0; i < 230; i++)
      gh.seedComment({ issueNumber: 99, body: `c${i}`, user: { login: 'u' } })
    let path: string | null = '/repos/octo-org/octo-repo/issues/99/comments?per_page=100'
    const bodies: string[] = []
    for (let pages = 0; path !== null && pages < 10; pages++) {
      const res = await call(gh, 'GET', path)
      assert.equal(res.status, 200)
      bodies.push(...(res.json as Array<{ body: string }>).map((c) => c.body))
      const next = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')
      path = next ? new URL(next[1] as string).pathname + new URL(next[1] as string).search : null
    }
    assert.equal(bodies.length, 230)
    assert.equal(bodies[229], 'c229')
  })

  test('GET /user is 403 for an installation token and the user for a PAT', async () => {
    const asApp = await call(gh, 'GET', '/user')
    assert.equal(asApp.status, 403)
    assert.equal(
      (asApp.json as { message: string }).message,
      'Resource not accessible by integration',
    )
    gh.setIdentity({ login: 'octocat', tokenKind: 'user' })
    const asUser = await call(gh, 'GET', '/user')
    assert.equal(asUser.status, 200)
    assert.equal((asUser.json as { login: string }).login, 'octocat')
    gh.setIdentity({ login: 'github-actions[bot]', id: 41898282 })
  })

  test("a read-only token gets GitHub's 403 shape with x-accepted-github-permissions on writes only", async () => {
    gh.setReadOnly(true)
    try {
      const write = await call(gh, 'POST', '/repos/octo-org/octo-repo/check-runs', {
        name: 'q',
        head_sha: SHA,
      })
      assert.equal(write.status, 403)
      assert.deepEqual(Object.keys(write.json as object).sort(), [
        'documentation_url',
        'message',
        'status',
      ])
      assert.equal(write.headers.get('x-accepted-github-permissions'), 'checks=write')
      const comment = await call(gh, 'POST', '/repos/octo-org/octo-repo/issues/7/comments', {
        body: 'b',
      })
      assert.equal(
        comment.headers.get('x-accepted-github-permissions'),
        'issues=write; pull_requests=write',
      )
      const read = await call(gh, 'GET', '/repos/octo-org/octo-repo/pulls/7')
      assert.equal(read.status, 200)
      assert.equal((read.json as { head: { sha: string } }).head.sha, SHA)
    } finally {
      gh.setReadOnly(false)
    }
  })

  test('failNext with apply performs the write and still answers 502', async () => {
    const count = gh.commentsOn(7).length
    gh.failNext({
      method: 'POST',
      path: '/repos/octo-org/octo-repo/issues/7/comments',
      apply: true,
    })
    const res = await call(gh, 'POST', '/repos/octo-org/octo-repo/issues/7/comments', {
      body: 'once',
    })
    assert.equal(res.status, 502)
    assert.equal(gh.commentsOn(7).length, count + 1)
    const again = await call(gh, 'POST', '/repos/octo-org/octo-repo/issues/7/comments', {
      body: 'twice',
    })
    assert.equal(again.status, 201)
  })

  test('failNext without apply leaves the state alone; kind network drops the connection', async () => {
    const count = gh.commentsOn(7).length
    gh.failNext({ method: 'POST', path: /\/comments$/, status: 500 })
    const res = await call(gh, 'POST', '/repos/octo-org/octo-repo/issues/7/comments', { body: 'x' })
    assert.equal(res.status, 500)
    assert.equal(gh.commentsOn(7).length, count)
    gh.failNext({ method: 'GET', path: '/repos/octo-org/octo-repo/pulls/7', kind: 'network' })
    await assert.rejects(call(gh, 'GET', '/repos/octo-org/octo-repo/pulls/7'))
  })

  test('rate limit failures carry the headers the throttling plugin reads', async () => {
    gh.failNext({ method: 'GET', path: '/repos/octo-org/octo-repo/pulls/7', kind: 'rate-limit' })
    const primary = await call(gh, 'GET', '/repos/octo-org/octo-repo/pulls/7')
    assert.equal(primary.status, 403)
    assert.equal(primary.headers.get('x-ratelimit-remaining'), '0')
    gh.failNext({
      method: 'GET',
      path: '/repos/octo-org/octo-repo/pulls/7',
      kind: 'secondary-rate-limit',
    })
    const secondary = await call(gh, 'GET', '/repos/octo-org/octo-repo/pulls/7')
    assert.equal(secondary.headers.get('retry-after'), '1')
    assert.match((secondary.json as { message: string }).message, /secondary rate limit/)
  })

  test('onHandled runs between the state change and the response', async () => {
    gh.onHandled({ method: 'GET', path: '/repos/octo-org/octo-repo/pulls/7' }, () => {
      gh.setPullHead(7, 'b'.repeat(40))
    })
    const first = await call(gh, 'GET', '/repos/octo-org/octo-repo/pulls/7')
    assert.equal((first.json as { head: { sha: string } }).head.sha, SHA)
    const second = await call(gh, 'GET', '/repos/octo-org/octo-repo/pulls/7')
    assert.equal((second.json as { head: { sha: string } }).head.sha, 'b'.repeat(40))
    gh.setPullHead(7, SHA)
  })

  test('unknown endpoints and requests without credentials are refused and recorded', async () => {
    const before = gh.violations.length
    const unknown = await call(gh, 'DELETE', '/repos/octo-org/octo-repo/issues/comments/1')
    assert.equal(unknown.status, 404)
    const anonymous = await call(gh, 'GET', '/repos/octo-org/octo-repo/pulls/7', undefined, {})
    assert.equal(anonymous.status, 401)
    assert.deepEqual(
      gh.violations.slice(before).map((v) => v.kind),
      ['route', 'auth'],
    )
    gh.violations.splice(before)
  })

  test('no violation is left over from the tests above', () => {
    assert.deepEqual(gh.violations, [])
  })
})
