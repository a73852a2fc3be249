// Listing and downloading run artifacts against the local GitHub fake: real HTTP, real zips, the
// real Octokit client with its plugins, and a blob URL that refuses (and records) any
// Authorization header.

import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, afterEach, before, describe, test } from 'node:test'

import {
  ArtifactError,
  downloadArtifact,
  listRunArtifacts,
  type RunArtifact,
} from '../../src/github/publish/artifacts.ts'
import { createGitHubClient, type GitHubClient } from '../../src/github/api/client.ts'
import { ArchiveRefusedError } from '../../src/github/publish/zip-extract.ts'
import { buildZip, FakeGitHub, recordingLog, type BlobRequest } from '../support/fake-github.ts'

const TOKEN = 'ghs_artifactTestToken0123456789'
const OWNER = 'octo-org'
const REPO = 'octo-repo'
const MiB = 1024 * 1024

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** Temporary files this module leaves behind (it must leave none). */
async function leftovers(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith('quorum-artifact-'))
}

describe('run artifacts', () => {
  let gh: FakeGitHub
  let client: GitHubClient
  let scratch: string
  let count = 0

  before(async () => {
    gh = await FakeGitHub.start({ token: TOKEN })
    client = createGitHubClient({
      token: TOKEN,
      baseUrl: gh.url,
      log: recordingLog(),
      retryBaseMs: 5,
      pacingKey: 'artifacts-test',
    })
    scratch = await mkdtemp(join(tmpdir(), 'quorum-artifacts-test-'))
  })
  after(async () => {
    await gh.close()
    await rm(scratch, { recursive: true, force: true })
  })
  afterEach(() => {
    assert.deepEqual(gh.violations, [], 'the fake saw a request GitHub would refuse')
  })

  function target(): string {
    return join(scratch, `target-${count++}`)
  }

  function lastBlob(): BlobRequest {
    const blob = gh.blobRequests.at(-1)
    assert.ok(blob !== undefined, 'no request reached the blob URL')
    return blob
  }

  test('lists the report and its shards of one run, not other names, runs or repositories', async () => {
    const zip = await buildZip([{ name: 'report.json', data: '{}' }])
    for (const name of ['quorum-report-2', 'quorum-report-1', 'quorum-report-3', 'quorum-report']) {
      gh.addArtifact({ runId: 42, name, zip, headSha: 'a'.repeat(40) })
    }
    gh.addArtifact({ runId: 42, name: 'coverage', zip })
    gh.addArtifact({ runId: 42, name: 'quorum-reportx', zip })
    gh.addArtifact({ runId: 42, name: 'my-quorum-report', zip })
    gh.addArtifact({ runId: 43, name: 'quorum-report-4', zip })
    gh.addArtifact({ runId: 42, name: 'quorum-report-5', zip, repo: 'other-repo' })
    // Enough unrelated artifacts to need a second page at 100 a page.
    for (let i = 0; i < 120; i++) gh.addArtifact({ runId: 42, name: `build-${i}`, zip })

    const before = gh.requests.length
    const listed = await listRunArtifacts(client, {
      owner: OWNER,
      repo: REPO,
      runId: 42,
      namePrefix: 'quorum-report',
    })
    assert.deepEqual(
      listed.map((a) => a.name),
      ['quorum-report', 'quorum-report-1', 'quorum-report-2', 'quorum-report-3'],
    )
    const first = listed[0] as RunArtifact
    assert.equal(first.workflowRunId, 42)
    assert.equal(first.headSha, 'a'.repeat(40))
    assert.equal(first.sizeInBytes, zip.length)
    assert.equal(first.digest, `sha256:${createHash('sha256').update(zip).digest('hex')}`)
    const calls = gh.requests.slice(before)
    assert.deepEqual(
      calls.map((r) => [r.path, r.query['per_page'], r.query['page'] ?? '1', r.status]),
      [
        [`/repos/${OWNER}/${REPO}/actions/runs/42/artifacts`, '100', '1', 200],
        [`/repos/${OWNER}/${REPO}/actions/runs/42/artifacts`, '100', '2', 200],
      ],
    )
  })

  test('expired artifacts are skipped; downloading one anyway is an "expired" error', async () => {
    const zip = await buildZip([{ name: 'report.json', data: '{}' }])
    const expired = gh.addArtifact({ runId: 50, name: 'quorum-report-1', zip, expired: true })
    gh.addArtifact({ runId: 50, name: 'quorum-report-2', zip })
    const listed = await listRunArtifacts(client, {
      owner: OWNER,
      repo: REPO,
      runId: 50,
      namePrefix: 'quorum-report',
    })
    assert.deepEqual(
      listed.map((a) => a.name),
      ['quorum-report-2'],
    )
    const dir = target()
    await assert.rejects(
      downloadArtifact(client, {
        owner: OWNER,
        repo: REPO,
        artifactId: expired.id,
        targetDir: dir,
        maxZipBytes: MiB,
      }),
      (error: unknown) => {
        assert.ok(error instanceof ArtifactError)
        assert.equal(error.kind, 'expired')
        assert.equal(error.status, 410)
        assert.match(error.message, /past its retention/)
        return true
      },
    )
    await assert.rejects(readdir(dir), { code: 'ENOENT' })
  })

  test('downloads through the signed URL without the token and extracts the archive', async () => {
    const report = JSON.stringify({ verdict: 'allow', shard: { index: 1, total: 3 } })
    const zip = await buildZip([
      { name: 'report.json', data: report },
      { name: 'logs/unit.txt', data: 'ok\n' },
    ])
    const artifact = gh.addArtifact({ runId: 60, name: 'quorum-report-1', zip })
    const [listed] = await listRunArtifacts(client, {
      owner: OWNER,
      repo: REPO,
      runId: 60,
      namePrefix: 'quorum-report',
    })
    const before = await leftovers()
    const dir = target()
    const result = await downloadArtifact(client, {
      owner: OWNER,
      repo: REPO,
      artifactId: artifact.id,
      targetDir: dir,
      maxZipBytes: MiB,
      expectedDigest: listed?.digest ?? null,
    })
    assert.deepEqual(result.files, ['report.json', 'logs/unit.txt'])
    assert.equal(result.zipBytes, zip.length)
    assert.equal(await readFile(join(dir, 'report.json'), 'utf8'), report)
    assert.equal(await readFile(join(dir, 'logs/unit.txt'), 'utf8'), 'ok\n')
    // The API call carried the token; the blob request carried none, and was served in full.
    const api = gh.requestsTo('GET', `/repos/${OWNER}/${REPO}/actions/artifacts/${artifact.id}/zip`)
    assert.equal(api.length, 1)
    assert.equal(api[0]?.status, 302)
    const blob = lastBlob()
    assert.deepEqual(blob, {
      artifactId: artifact.id,
      authorization: false,
      status: 200,
      bytesSent: zip.length,
      aborted: false,
    })
    assert.deepEqual(await leftovers(), before)
  })

  test('the fake would catch a token sent to the blob URL (following the redirect sends it)', async () => {
    // What happens without redirect: 'manual': fetch follows a same-origin 302 and keeps the
    // Authorization header. This is the mistake downloadArtifact must not make.
    const zip = await buildZip([{ name: 'report.json', data: '{}' }])
    const artifact = gh.addArtifact({ runId: 61, name: 'quorum-report', zip })
    await assert.rejects(
      client.rest.actions.downloadArtifact({
        owner: OWNER,
        repo: REPO,
        artifact_id: artifact.id,
        archive_format: 'zip',
      }),
      { status: 403 },
    )
    assert.equal(lastBlob().authorization, true)
    assert.equal(gh.violations.length, 1)
    assert.match(gh.violations[0]?.problems[0] ?? '', /Authorization header was sent to the blob/)
    gh.violations.splice(0)
  })

  test('a digest that does not match the archive is refused and nothing is extracted', async () => {
    const zip = await buildZip([{ name: 'report.json', data: '{"verdict":"allow"}' }])
    const artifact = gh.addArtifact({ runId: 62, name: 'quorum-report', zip })
    const dir = target()
    await assert.rejects(
      downloadArtifact(client, {
        owner: OWNER,
        repo: REPO,
        artifactId: artifact.id,
        targetDir: dir,
        maxZipBytes: MiB,
        expectedDigest: `sha256:${'0'.repeat(64)}`,
      }),
      (error: unknown) => error instanceof ArtifactError && error.kind === 'digest',
    )
    await assert.rejects(readdir(dir), { code: 'ENOENT' })
  })

  test('a hostile archive (a link) is refused by extraction and leaves nothing behind', async () => {
    const zip = await buildZip([
      { name: 'report.json', data: '{}' },
      { name: 'checks.mjs', data: '/home/runner/.ssh/id_rsa', mode: 0o120777 },
    ])
    const artifact = gh.addArtifact({ runId: 63, name: 'quorum-report', zip })
    const before = await leftovers()
    const dir = target()
    await assert.rejects(
      downloadArtifact(client, {
        owner: OWNER,
        repo: REPO,
        artifactId: artifact.id,
        targetDir: dir,
        maxZipBytes: MiB,
      }),
      (error: unknown) => {
        assert.ok(error instanceof ArchiveRefusedError)
        assert.match(error.message, /entry "checks\.mjs": is a symbolic link$/)
        return true
      },
    )
    await assert.rejects(readdir(dir), { code: 'ENOENT' })
    assert.deepEqual(await leftovers(), before)
  })

  test('a Content-Length over the cap is refused before the body is read', async () => {
    const zip = await buildZip([{ name: 'report.json', data: '{}' }])
    const artifact = gh.addArtifact({
      runId: 64,
      name: 'quorum-report',
      zip,
      blob: { extraBytes: 1024 * MiB, contentLength: 'actual' },
    })
    const dir = target()
    await assert.rejects(
      downloadArtifact(client, {
        owner: OWNER,
        repo: REPO,
        artifactId: artifact.id,
        targetDir: dir,
        maxZipBytes: MiB,
      }),
      (error: unknown) => {
        assert.ok(error instanceof ArtifactError)
        assert.equal(error.kind, 'too-large')
        assert.match(
          error.message,
          new RegExp(`is ${1024 * MiB + zip.length} bytes, more than the 1048576 allowed$`),
        )
        return true
      },
    )
    const blob = lastBlob()
    await until(() => blob.aborted, 'the fake to see the client hang up')
    // Whatever sat in socket buffers, the client never read the gigabyte.
    assert.ok(blob.bytesSent < 64 * MiB, `${blob.bytesSent} bytes sent`)
    assert.equal(blob.authorization, false)
    await assert.rejects(readdir(dir), { code: 'ENOENT' })
  })

  test('a body with no Content-Length is counted and cut off at the cap', async () => {
    const zip = await buildZip([{ name: 'report.json', data: '{}' }])
    const artifact = gh.addArtifact({
      runId: 65,
      name: 'quorum-report',
      zip,
      blob: { extraBytes: 1024 * MiB, contentLength: 'none' },
    })
    const before = await leftovers()
    const dir = target()
    await assert.rejects(
      downloadArtifact(client, {
        owner: OWNER,
        repo: REPO,
        artifactId: artifact.id,
        targetDir: dir,
        maxZipBytes: 2 * MiB,
      }),
      (error: unknown) => {
        assert.ok(error instanceof ArtifactError)
        assert.equal(error.kind, 'too-large')
        assert.match(error.message, /more than the 2097152 bytes allowed \(download stopped\)$/)
        return true
      },
    )
    const blob = lastBlob()
    await until(() => blob.aborted, 'the fake to see the client hang up')
    assert.ok(blob.bytesSent < 64 * MiB, `${blob.bytesSent} bytes sent`)
    await assert.rejects(readdir(dir), { code: 'ENOENT' })
    assert.deepEqual(await leftovers(), before)
  })

  test('an archive of exactly the cap is accepted (the cap is inclusive)', async () => {
    const zip = await buildZip([{ name: 'report.json', data: '{"exact":true}' }])
    for (const contentLength of ['actual', 'none'] as const) {
      const artifact = gh.addArtifact({
        runId: 66,
        name: `quorum-report-${contentLength}`,
        zip,
        blob: { extraBytes: 0, contentLength },
      })
      const result = await downloadArtifact(client, {
        owner: OWNER,
        repo: REPO,
        artifactId: artifact.id,
        targetDir: target(),
        maxZipBytes: zip.length,
      })
      assert.equal(result.zipBytes, zip.length)
      // One byte less is refused.
      await assert.rejects(
        downloadArtifact(client, {
          owner: OWNER,
          repo: REPO,
          artifactId: artifact.id,
          targetDir: target(),
          maxZipBytes: zip.length - 1,
        }),
        (error: unknown) => error instanceof ArtifactError && error.kind === 'too-large',
      )
    }
  })

  test('API failures say what was being done and which permission to grant', async () => {
    await assert.rejects(
      downloadArtifact(client, {
        owner: OWNER,
        repo: REPO,
        artifactId: 999999,
        targetDir: target(),
        maxZipBytes: MiB,
      }),
      (error: unknown) => {
        assert.ok(error instanceof ArtifactError)
        assert.equal(error.kind, 'not-found')
        assert.match(error.message, /^could not download artifact 999999: not-found \(HTTP 404\)/)
        return true
      },
    )
    gh.failNext({ method: 'GET', path: /\/actions\/runs\/70\/artifacts$/, status: 403 })
    await assert.rejects(
      listRunArtifacts(client, {
        owner: OWNER,
        repo: REPO,
        runId: 70,
        namePrefix: 'quorum-report',
      }),
      (error: unknown) => {
        assert.ok(error instanceof ArtifactError)
        assert.equal(error.kind, 'permission')
        assert.match(
          error.message,
          /^could not list the artifacts of run 70: permission \(HTTP 403\)/,
        )
        assert.match(error.message, /permissions: \{ actions: read \}/)
        assert.doesNotMatch(error.message, new RegExp(TOKEN))
        return true
      },
    )
  })
})
