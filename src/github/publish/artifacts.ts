/**
 * Fetching the report artifacts of a workflow run through GitHub's REST API, for the publish
 * stage (DESIGN "Forks and shards"). The publisher trusts nothing inside an artifact, and this
 * module's part of that is to get the archive onto disk without leaking the token and without
 * reading more than a capped size, then to hand it to extractZip, which refuses anything unsafe.
 *
 * Endpoints (checked against @octokit/openapi's description of api.github.com):
 * - GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts (actions/list-workflow-run-artifacts)
 *   Its `name` filter is an exact match, so it cannot find the shards `<name>-<K>`: the whole list
 *   is fetched (100 a page; a run holds few artifacts) and filtered here.
 * - GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/zip (actions/download-artifact)
 *   Answers 302 with a signed URL on blob storage, valid for a minute. The redirect is not
 *   followed by Octokit (`redirect: 'manual'`): a redirect to the same origin would keep the
 *   Authorization header, and the storage host has no business seeing the token. The URL is then
 *   fetched with no credentials at all; its signature is the credential.
 * Both need `actions: read` (the default GITHUB_TOKEN has it unless `permissions:` says
 * otherwise).
 */
import { createHash } from 'node:crypto'
import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import * as path from 'node:path'

import { QuorumError, excerpt, errorMessage } from '../../engine/errors.ts'
import type { GitHubClient } from '../api/client.ts'
import { classifyGitHubError, type GitHubErrorKind } from '../api/errors.ts'
import { extractZip, type ExtractedZip, type ZipCaps } from './zip-extract.ts'

/** An artifact of a workflow run, as listed by the API (the fields the publisher needs). */
export interface RunArtifact {
  id: number
  name: string
  /** Size of the archive, as the API reports it. */
  sizeInBytes: number
  createdAt: string | null
  /** `sha256:<hex>` of the archive (upload-artifact v4 and later), or null. */
  digest: string | null
  /** The run and head commit the API says the artifact belongs to, when it says. */
  workflowRunId: number | null
  headSha: string | null
}

/**
 * - expired: the artifact is past its retention (410 on download).
 * - download: the blob storage did not answer 200, or the connection failed.
 * - too-large: the archive is bigger than the caller's cap (announced or counted).
 * - digest: the archive downloaded does not hash to the digest the API listed.
 * The others are GitHubErrorKind's, for the API calls.
 */
export type ArtifactErrorKind = GitHubErrorKind | 'expired' | 'download' | 'too-large' | 'digest'

/** Listing or downloading an artifact failed; the message is one line and says what to do. */
export class ArtifactError extends QuorumError {
  readonly kind: ArtifactErrorKind
  /** HTTP status, when there was one. */
  readonly status: number | null

  constructor(
    kind: ArtifactErrorKind,
    status: number | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('environment', message, options)
    this.kind = kind
    this.status = status
  }
}

/**
 * The non-expired artifacts of run `runId` named `namePrefix` or `<namePrefix>-<anything>` (the
 * shards), sorted by name then id. Duplicates and names that are not a shard number are returned
 * as they are: deciding what they mean (a block, with the reason) is the caller's job.
 * Throws an ArtifactError when the API call fails.
 */
export async function listRunArtifacts(
  octokit: GitHubClient,
  options: { owner: string; repo: string; runId: number; namePrefix: string },
): Promise<RunArtifact[]> {
  const { owner, repo, runId, namePrefix } = options
  let listed
  try {
    listed = await octokit.paginate(octokit.rest.actions.listWorkflowRunArtifacts, {
      owner,
      repo,
      run_id: runId,
      per_page: 100,
    })
  } catch (error) {
    throw apiFailure(error, `list the artifacts of run ${runId}`)
  }
  return listed
    .filter((a) => !a.expired && (a.name === namePrefix || a.name.startsWith(`${namePrefix}-`)))
    .map((a) => ({
      id: a.id,
      name: a.name,
      sizeInBytes: a.size_in_bytes,
      createdAt: a.created_at,
      digest: a.digest ?? null,
      workflowRunId: a.workflow_run?.id ?? null,
      headSha: a.workflow_run?.head_sha ?? null,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id))
}

/** What downloadArtifact needs. */
export interface DownloadArtifactOptions {
  owner: string
  repo: string
  artifactId: number
  /** Where the archive is extracted: absent or an empty directory (see extractZip). */
  targetDir: string
  /** The most archive bytes accepted: a larger Content-Length is refused before reading. */
  maxZipBytes: number
  /** Caps for the extraction (defaults: DEFAULT_ZIP_CAPS). */
  caps?: Partial<ZipCaps>
  /** `sha256:<hex>` from the listing (RunArtifact.digest): the archive must hash to it. */
  expectedDigest?: string | null
  /**
   * Fetch for the signed URL. Default: the one the Octokit client was built with (@actions/github
   * routes it through the runner's proxy settings), else the global fetch. It is never given
   * credentials.
   */
  fetch?: typeof fetch
  signal?: AbortSignal
}

/** What downloadArtifact wrote. */
export interface DownloadedArtifact extends ExtractedZip {
  /** Size of the archive downloaded. */
  zipBytes: number
}

/**
 * Downloads artifact `artifactId` as a zip (never more than `maxZipBytes`, never sending the
 * token to the storage host) into a private temporary file, extracts it into `targetDir` with
 * extractZip, and removes the temporary file. Throws an ArtifactError when the download fails or
 * is too large, and extractZip's ArchiveRefusedError when the archive is unsafe.
 */
export async function downloadArtifact(
  octokit: GitHubClient,
  options: DownloadArtifactOptions,
): Promise<DownloadedArtifact> {
  const location = await signedUrl(octokit, options)
  const scratch = await mkdtemp(path.join(tmpdir(), 'quorum-artifact-'))
  try {
    const zipFile = path.join(scratch, 'artifact.zip')
    const zipBytes = await fetchCapped(location, zipFile, options, chooseFetch(octokit, options))
    const extracted = await extractZip(zipFile, options.targetDir, options.caps)
    return { ...extracted, zipBytes }
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

/** Asks the API for the archive's signed URL (the 302's Location), without following it. */
async function signedUrl(octokit: GitHubClient, options: DownloadArtifactOptions): Promise<URL> {
  const what = `download artifact ${options.artifactId}`
  let response
  try {
    response = await octokit.rest.actions.downloadArtifact({
      owner: options.owner,
      repo: options.repo,
      artifact_id: options.artifactId,
      archive_format: 'zip',
      request: { redirect: 'manual', ...(options.signal ? { signal: options.signal } : {}) },
    })
  } catch (error) {
    throw apiFailure(error, what)
  }
  const status = response.status as number
  const location = response.headers.location
  if (status !== 302 || typeof location !== 'string' || location === '') {
    throw new ArtifactError(
      'unexpected',
      status,
      `could not ${what}: GitHub answered HTTP ${status} without a redirect to the archive`,
    )
  }
  let url: URL
  try {
    url = new URL(location)
  } catch {
    throw new ArtifactError('unexpected', status, `could not ${what}: the redirect is not a URL`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ArtifactError(
      'unexpected',
      status,
      `could not ${what}: the redirect is not an http(s) URL (${url.protocol})`,
    )
  }
  return url
}

/**
 * Streams `url` into `file` (created 0600, exclusively), counting bytes and stopping at the first
 * byte past `maxZipBytes`. Sends no Authorization header, nor any other credential.
 */
async function fetchCapped(
  url: URL,
  file: string,
  options: DownloadArtifactOptions,
  fetchImpl: typeof fetch,
): Promise<number> {
  const { artifactId, maxZipBytes } = options
  const what = `download artifact ${artifactId}`
  const controller = new AbortController()
  const signal = options.signal
    ? AbortSignal.any([controller.signal, options.signal])
    : controller.signal
  let response: Response
  try {
    response = await fetchImpl(url, {
      method: 'GET',
      headers: { accept: 'application/zip, application/octet-stream' },
      redirect: 'follow',
      signal,
    })
  } catch (error) {
    throw new ArtifactError('download', null, `could not ${what}: ${describe(error)}`, {
      cause: error,
    })
  }
  try {
    if (response.status !== 200 || response.body === null) {
      throw new ArtifactError(
        'download',
        response.status,
        `could not ${what}: the storage answered HTTP ${response.status}`,
      )
    }
    const announced = Number(response.headers.get('content-length') ?? Number.NaN)
    if (announced > maxZipBytes) {
      throw new ArtifactError(
        'too-large',
        response.status,
        `artifact ${artifactId} is ${announced} bytes, more than the ${maxZipBytes} allowed`,
      )
    }
    const hash = createHash('sha256')
    let received = 0
    const handle = await open(file, 'wx', 0o600)
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        received += chunk.byteLength
        if (received > maxZipBytes) {
          throw new ArtifactError(
            'too-large',
            response.status,
            `artifact ${artifactId} is more than the ${maxZipBytes} bytes allowed (download stopped)`,
          )
        }
        hash.update(chunk)
        await handle.write(chunk)
      }
    } catch (error) {
      if (error instanceof ArtifactError) throw error
      throw new ArtifactError(
        'download',
        response.status,
        `could not ${what}: ${describe(error)}`,
        {
          cause: error,
        },
      )
    } finally {
      await handle.close()
    }
    const expected = options.expectedDigest
    if (expected !== undefined && expected !== null) {
      const actual = `sha256:${hash.digest('hex')}`
      if (actual !== expected.toLowerCase()) {
        throw new ArtifactError(
          'digest',
          response.status,
          `artifact ${artifactId} does not match its digest (${excerpt(expected, 80)})`,
        )
      }
    }
    return received
  } finally {
    // Whatever is left of the body is not wanted: drop the connection rather than drain it.
    controller.abort()
  }
}

function chooseFetch(octokit: GitHubClient, options: DownloadArtifactOptions): typeof fetch {
  if (options.fetch !== undefined) return options.fetch
  const defaults = octokit.request.endpoint.DEFAULTS.request as { fetch?: unknown } | undefined
  return typeof defaults?.fetch === 'function' ? (defaults.fetch as typeof fetch) : fetch
}

/** An API failure as an ArtifactError that says what was being done and how to fix it. */
function apiFailure(error: unknown, what: string): ArtifactError {
  // The operation only picks classifyGitHubError's hint, which is not used: the hints for
  // artifacts are below.
  const classified = classifyGitHubError(error, 'read-pull-request')
  const status = classified.status === null ? '' : ` (HTTP ${classified.status})`
  const kind = classified.status === 410 ? 'expired' : classified.kind
  return new ArtifactError(
    kind,
    classified.status,
    `could not ${what}: ${kind}${status}: ${classified.message}. ${HINTS[kind]}`,
    { cause: error },
  )
}

const HINTS: Record<GitHubErrorKind | 'expired', string> = {
  permission:
    'Give the publish job `permissions: { actions: read }` (with the others it needs) or a token that has it.',
  auth: 'The token is missing, expired or invalid; check the `token` input.',
  'rate-limit': 'GitHub rate-limited this token and retries were exhausted; re-run the job later.',
  'not-found': 'The run or artifact does not exist in this repository, or the token cannot see it.',
  validation: 'GitHub refused the request Quorum sent; this is a bug in Quorum, please report it.',
  transient: 'GitHub could not be reached or failed after retries; re-run the job.',
  unexpected: 'Unexpected response from GitHub; please report it with the log.',
  expired: 'The artifact is past its retention period; re-run the workflow that uploads it.',
}

function describe(error: unknown): string {
  const text = errorMessage(error)
  return excerpt(text.replace(/\s+/g, ' '), 200)
}
