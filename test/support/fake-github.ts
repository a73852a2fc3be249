/**
 * A stateful, local fake of the few GitHub REST endpoints Quorum talks to, for tests that need a
 * real HTTP round trip (the Octokit client with its retry and throttling plugins, or the bundled
 * action run as a subprocess with GITHUB_API_URL pointing here).
 *
 * Every request is validated against GitHub's own OpenAPI description (@octokit/openapi): path and
 * query parameters, body types, required fields, enums, maxLength, maxItems, and (strict mode, on
 * by default) properties the description does not declare, which GitHub would silently ignore.
 * A request that does not match is answered 400 and recorded in `violations`; so is a request to
 * an endpoint the fake does not implement (404), a request without credentials (401), and a body
 * over a documented server-side limit that the description cannot express (422, e.g. a comment
 * body over 65,536 characters). Responses are built from the description too and checked against
 * it, so a test cannot pass against a response shape GitHub would never send.
 *
 * ## Endpoints
 *   POST  /repos/{owner}/{repo}/check-runs                  checks/create
 *   PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}   checks/update (annotations append)
 *   GET   /repos/{owner}/{repo}/commits/{ref}/check-runs    checks/list-for-ref (ref: a sha)
 *   GET   /repos/{owner}/{repo}/issues/{n}/comments         issues/list-comments (paginated, Link)
 *   POST  /repos/{owner}/{repo}/issues/{n}/comments         issues/create-comment
 *   GET   /repos/{owner}/{repo}/issues/comments/{id}        issues/get-comment
 *   PATCH /repos/{owner}/{repo}/issues/comments/{id}        issues/update-comment
 *   GET   /repos/{owner}/{repo}/pulls/{n}                   pulls/get (404 unless added)
 *   GET   /repos/{owner}/{repo}/pulls                       pulls/list (state, head=owner:branch,
 *                                                           base; paginated, Link)
 *   GET   /repos/{owner}/{repo}/pulls/{n}/files             pulls/list-files (paginated, Link;
 *                                                           at most 3000, as GitHub)
 *   GET   /repos/{owner}/{repo}/compare/{base}...{head}     repos/compare-commits-with-basehead: status
 *                                                           the ancestry the test declared
 *   GET   /user                                             users/get-authenticated (403 for an
 *                                                           installation token, like GitHub)
 *   GET   /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts
 *                                                           actions/list-workflow-run-artifacts
 *                                                           (paginated, Link; `name` is exact)
 *   GET   /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}
 *                                                           actions/download-artifact: 302 to a
 *                                                           signed blob URL (410 once expired)
 *   GET   /_blob/artifacts/{id}?sig=...                     the "blob storage" that URL points
 *                                                           to: no auth needed, and an
 *                                                           Authorization header is refused (403)
 *                                                           and recorded as a violation, as the
 *                                                           real storage refuses a token it did
 *                                                           not issue. Not a REST endpoint: it is
 *                                                           not validated against the description
 *                                                           and does not count against the rate
 *                                                           limit.
 * Every API response carries x-ratelimit-* headers.
 *
 * ## API
 *   const gh = await FakeGitHub.start({ pulls: [{ number: 7, headSha: 'a'.repeat(40) }] })
 *   gh.url                      base URL (http://127.0.0.1:<random port>); use as GITHUB_API_URL
 *   gh.violations               problems found in requests/responses; assert it is empty
 *   gh.requests                 every API request: method, path, query, body, status,
 *                               operationId (blob downloads are in gh.blobRequests)
 *   gh.checkRuns, gh.comments   current state (plain objects; annotations are appended per PATCH)
 *   gh.commentsOn(n)            comments on issue/PR n in the default repo, oldest first
 *   gh.addPull({ number, headSha, owner?, repo?, headOwner?, files?, state? }) / gh.setPullHead(n, sha)
 *                               headOwner: the fork's owner (head.label owner:branch, head.repo
 *                               the fork); files: what GET /pulls/{n}/files lists (changed_files
 *                               is their count); state: open (default) or closed
 *   gh.addAncestry(ancestor, descendant)
 *                               compare `ancestor...descendant` answers ahead (and the reverse
 *                               behind); an equal pair is identical, anything else diverged.
 *                               A branch name stands for its tip: gh.setBranch(name, sha), else
 *                               the base sha of a pull into that branch.
 *   gh.seedComment({ issueNumber, body, user: { login, type? } })   someone else's comment
 *   gh.setIdentity({ login, id?, type?, tokenKind? })  who the token is: tokenKind 'installation'
 *                               (GITHUB_TOKEN; default github-actions[bot]) or 'user' (a PAT)
 *   gh.setReadOnly(true)        writes answer 403 "Resource not accessible by integration" with
 *                               x-accepted-github-permissions, as GITHUB_TOKEN does on fork PRs
 *   gh.failNext({ method, path, count?, status?, apply?, kind? })
 *                               the next `count` matching requests fail: kind 'status' (default,
 *                               `status` default 502), 'network' (socket destroyed), 'rate-limit'
 *                               (primary: 403 + x-ratelimit-remaining: 0), 'secondary-rate-limit'
 *                               (403 + retry-after: 1). `apply: true` performs the request first
 *                               (the comment IS created) and then fails the response.
 *   gh.onHandled({ method, path }, fn, times?)
 *                               run fn after a matching request changed state and before its
 *                               response is sent: simulates a concurrent push or another run
 *   gh.addArtifact({ runId, name, zip, expired?, headSha?, owner?, repo?, blob? })
 *                               an artifact of a workflow run; `zip` is its archive (buildZip()
 *                               makes one). `blob: { extraBytes, contentLength }` makes the blob
 *                               URL serve `extraBytes` zero bytes after the zip (more than the
 *                               listed size_in_bytes), with a Content-Length of everything it
 *                               sends ('actual', default) or none at all ('none': chunked, so
 *                               only counting stops the download). Returns the stored artifact
 *                               (mutable: a test may change `expired` or `blob` later).
 *   gh.artifacts                the stored artifacts
 *   gh.blobRequests             every request to a blob URL: artifact id, whether it carried an
 *                               Authorization header, status, bytes sent, and whether the client
 *                               hung up before the end
 *   gh.close()
 *   recordingLog()              a GitHubLog stub that records messages (see bottom of file)
 *   buildZip([{ name, data, mode?, directory? }])
 *                               a zip archive (yazl), as actions/upload-artifact makes them
 * `path` matchers are an exact path string or a RegExp tested against the path (no query).
 * Options: token (only this token is accepted; otherwise any), owner/repo (defaults for the
 * helpers: 'octo-org'/'octo-repo'), readOnly, identity, pulls, strict (default true).
 */

import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

import yazl from 'yazl'

import {
  exampleFor,
  findOperation,
  loadGitHubDescription,
  responseSchema,
  validate,
  validateRequest,
  type OpenApiDocument,
  type Operation,
} from './openapi-validator.ts'

export interface FakeUser {
  login: string
  id: number
  type: 'User' | 'Bot'
}

export interface FakeIdentity extends FakeUser {
  /** 'installation' behaves like GITHUB_TOKEN (GET /user is 403); 'user' like a PAT. */
  tokenKind: 'installation' | 'user'
}

export interface FakePull {
  owner: string
  repo: string
  number: number
  headSha: string
  baseSha: string
  headRef: string
  baseRef: string
  /** Owner of the head repository (a fork's owner; default the base repository's owner). */
  headOwner: string
  state: 'open' | 'closed'
  files: FakePullFile[]
}

export interface FakePullFile {
  filename: string
  status?: 'added' | 'removed' | 'modified' | 'renamed'
  previous_filename?: string
}

export interface FakeComment {
  id: number
  owner: string
  repo: string
  issueNumber: number
  body: string
  user: FakeUser
  createdAt: string
  updatedAt: string
  htmlUrl: string
}

export interface FakeAnnotation {
  path: string
  start_line: number
  end_line: number
  annotation_level: string
  message: string
  [key: string]: unknown
}

export interface FakeCheckRun {
  id: number
  owner: string
  repo: string
  name: string
  headSha: string
  status: string
  conclusion: string | null
  startedAt: string | null
  completedAt: string | null
  detailsUrl: string | null
  externalId: string | null
  output: { title: string | null; summary: string | null; text: string | null }
  annotations: FakeAnnotation[]
  htmlUrl: string
}

export interface FakeArtifact {
  id: number
  owner: string
  repo: string
  runId: number
  name: string
  /** The archive the blob URL serves (size_in_bytes and digest are computed from it). */
  zip: Buffer
  expired: boolean
  headSha: string
  createdAt: string
  /**
   * How the blob URL serves it: `extraBytes` zero bytes after the zip, and a Content-Length of
   * everything sent ('actual') or none ('none', chunked).
   */
  blob: { extraBytes: number; contentLength: 'actual' | 'none' }
}

export interface BlobRequest {
  /** The artifact the URL names, or null when the path named none. */
  artifactId: number | null
  /** Whether the request carried an Authorization header (it never should). */
  authorization: boolean
  status: number
  /** Body bytes handed to the response (some may still sit in buffers when the client hangs up). */
  bytesSent: number
  /** The client closed the connection before the whole body was sent. */
  aborted: boolean
}

export interface ZipItem {
  name: string
  data?: string | Buffer
  /** Unix mode and type bits, e.g. 0o120777 for a symbolic link. */
  mode?: number
  directory?: boolean
}

export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string>
  body: unknown
  status: number
  operationId: string | null
  userAgent: string
}

export interface Violation {
  kind: 'request' | 'response' | 'limit' | 'route' | 'auth'
  method: string
  path: string
  operationId: string | null
  problems: string[]
}

export type PathMatcher = string | RegExp

export interface FailRule {
  method: string
  path: PathMatcher
  /** How many matching requests fail (default 1). */
  count?: number
  /** HTTP status for kind 'status' (default 502). */
  status?: number
  /** Apply the request to the state first, then fail the response (default false). */
  apply?: boolean
  kind?: 'status' | 'network' | 'rate-limit' | 'secondary-rate-limit'
}

export interface FakeGitHubOptions {
  token?: string
  owner?: string
  repo?: string
  readOnly?: boolean
  identity?: Partial<FakeIdentity>
  pulls?: Array<Partial<FakePull> & { number: number; headSha: string }>
  strict?: boolean
}

interface Hook {
  method: string
  path: PathMatcher
  fn: (request: RecordedRequest) => void | Promise<void>
  remaining: number
}

/** Thrown inside a handler to answer with an error status and GitHub's error body shape. */
class HttpError extends Error {
  readonly status: number
  readonly body: Record<string, unknown>
  readonly headers: Record<string, string>
  /** A server-side limit our request broke (recorded as a violation), not an injected failure. */
  limit = false
  constructor(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) {
    super(String(body['message']))
    this.status = status
    this.body = body
    this.headers = headers
  }

  problems(): string[] {
    const errors = this.body['errors']
    return Array.isArray(errors)
      ? errors.map((e: unknown) => String(isRecord(e) ? e['message'] : e))
      : [this.message]
  }
}

const DOCS = 'https://docs.github.com/rest'
const MAX_BODY_BYTES = 5 * 1024 * 1024
/** GitHub refuses longer issue comments with 422 "Body is too long (maximum is 65536 characters)". */
const MAX_COMMENT_CHARS = 65536

const GITHUB_ACTIONS_BOT: FakeIdentity = {
  login: 'github-actions[bot]',
  id: 41898282,
  type: 'Bot',
  tokenKind: 'installation',
}

/** Which fine-grained permission GitHub names in x-accepted-github-permissions for a write. */
const WRITE_PERMISSIONS: Record<string, string> = {
  'checks/create': 'checks=write',
  'checks/update': 'checks=write',
  'issues/create-comment': 'issues=write; pull_requests=write',
  'issues/update-comment': 'issues=write; pull_requests=write',
}

const IMPLEMENTED = new Set([
  'checks/create',
  'checks/update',
  'checks/list-for-ref',
  'issues/list-comments',
  'issues/create-comment',
  'issues/get-comment',
  'issues/update-comment',
  'pulls/get',
  'users/get-authenticated',
  'actions/list-workflow-run-artifacts',
  'actions/download-artifact',
  'pulls/list',
  'pulls/list-files',
  'repos/compare-commits-with-basehead',
])

/** How long a signed blob URL stays valid: GitHub says one minute. */
const BLOB_URL_TTL_MS = 60_000
const BLOB_CHUNK = Buffer.alloc(64 * 1024)

function matches(matcher: PathMatcher, path: string): boolean {
  return typeof matcher === 'string' ? matcher === path : matcher.test(path)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function codePoints(s: string): number {
  let n = 0
  for (const _ of s) n++
  return n
}

/** A local, stateful, validating GitHub REST fake. See the file header for the API. */
export class FakeGitHub {
  readonly requests: RecordedRequest[] = []
  readonly violations: Violation[] = []
  readonly checkRuns: FakeCheckRun[] = []
  readonly comments: FakeComment[] = []
  readonly pulls: FakePull[] = []
  readonly artifacts: FakeArtifact[] = []
  readonly blobRequests: BlobRequest[] = []
  readonly owner: string
  readonly repo: string
  url = ''

  private readonly server: Server
  private readonly doc: OpenApiDocument
  private readonly token: string | undefined
  private readonly strict: boolean
  private identity: FakeIdentity
  private readOnly: boolean
  private failures: Array<Required<FailRule>> = []
  private hooks: Hook[] = []
  private nextId = 1000
  private remaining = 5000
  /** `ancestor...descendant` pairs declared by addAncestry. */
  private readonly ancestry = new Set<string>()
  /** Branch tips declared by setBranch. */
  private readonly branches = new Map<string, string>()
  /** Signatures of the blob URLs handed out: signature -> artifact id and expiry. */
  private readonly blobSignatures = new Map<string, { artifactId: number; expires: number }>()

  private constructor(options: FakeGitHubOptions) {
    this.doc = loadGitHubDescription()
    this.token = options.token
    this.owner = options.owner ?? 'octo-org'
    this.repo = options.repo ?? 'octo-repo'
    this.strict = options.strict ?? true
    this.readOnly = options.readOnly ?? false
    this.identity = { ...GITHUB_ACTIONS_BOT, ...options.identity }
    for (const pull of options.pulls ?? []) this.addPull(pull)
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.violations.push({
          kind: 'route',
          method: req.method ?? '',
          path: req.url ?? '',
          operationId: null,
          problems: [`fake crashed: ${error instanceof Error ? error.stack : String(error)}`],
        })
        if (!res.headersSent) res.writeHead(500).end()
      })
    })
  }

  /** Starts a fake on 127.0.0.1 with a random free port. */
  static async start(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
    const fake = new FakeGitHub(options)
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject)
      fake.server.listen(0, '127.0.0.1', () => resolve())
    })
    const { port } = fake.server.address() as AddressInfo
    fake.url = `http://127.0.0.1:${port}`
    return fake
  }

  /** Stops listening and drops open connections (keep-alive sockets would hold the test open). */
  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  addPull(pull: Partial<FakePull> & { number: number; headSha: string }): FakePull {
    const full: FakePull = {
      owner: pull.owner ?? this.owner,
      repo: pull.repo ?? this.repo,
      number: pull.number,
      headSha: pull.headSha,
      baseSha: pull.baseSha ?? '0'.repeat(39) + '1',
      headRef: pull.headRef ?? `feature-${pull.number}`,
      baseRef: pull.baseRef ?? 'main',
      headOwner: pull.headOwner ?? pull.owner ?? this.owner,
      state: pull.state ?? 'open',
      files: pull.files ?? [],
    }
    this.pulls.push(full)
    return full
  }

  /** Sets the tip of branch `name` (what compare resolves the name to). */
  setBranch(name: string, sha: string): void {
    this.branches.set(name, sha)
  }

  /** Declares `ancestor` an ancestor of `descendant` for compare; see the file header. */
  addAncestry(ancestor: string, descendant: string): void {
    this.ancestry.add(`${ancestor}...${descendant}`)
  }

  /** Stores an artifact of workflow run `runId`; see the file header. */
  addArtifact(init: {
    runId: number
    name: string
    zip: Buffer
    expired?: boolean
    headSha?: string
    owner?: string
    repo?: string
    blob?: Partial<FakeArtifact['blob']>
  }): FakeArtifact {
    const artifact: FakeArtifact = {
      id: this.nextId++,
      owner: init.owner ?? this.owner,
      repo: init.repo ?? this.repo,
      runId: init.runId,
      name: init.name,
      zip: init.zip,
      expired: init.expired ?? false,
      headSha: init.headSha ?? 'f'.repeat(40),
      createdAt: new Date().toISOString(),
      blob: { extraBytes: 0, contentLength: 'actual', ...init.blob },
    }
    this.artifacts.push(artifact)
    return artifact
  }

  /** Simulates a push to the PR branch. */
  setPullHead(number: number, sha: string, owner = this.owner, repo = this.repo): void {
    const pull = this.findPull(owner, repo, number)
    if (pull === undefined) throw new Error(`no pull ${owner}/${repo}#${number} in the fake`)
    pull.headSha = sha
  }

  setIdentity(identity: Partial<FakeIdentity> & { login: string }): void {
    this.identity = {
      login: identity.login,
      id: identity.id ?? 9000 + this.identity.id,
      type: identity.type ?? (identity.login.endsWith('[bot]') ? 'Bot' : 'User'),
      tokenKind: identity.tokenKind ?? (identity.login.endsWith('[bot]') ? 'installation' : 'user'),
    }
  }

  setReadOnly(readOnly: boolean): void {
    this.readOnly = readOnly
  }

  /** Adds a comment written by someone else (or by the token's identity, from an older run). */
  seedComment(seed: {
    issueNumber: number
    body: string
    user?: Partial<FakeUser> & { login: string }
    owner?: string
    repo?: string
  }): FakeComment {
    const user: FakeUser = seed.user
      ? {
          login: seed.user.login,
          id: seed.user.id ?? 500 + this.comments.length,
          type: seed.user.type ?? (seed.user.login.endsWith('[bot]') ? 'Bot' : 'User'),
        }
      : { login: this.identity.login, id: this.identity.id, type: this.identity.type }
    return this.createComment(seed.owner ?? this.owner, seed.repo ?? this.repo, seed.issueNumber, {
      body: seed.body,
      user,
    })
  }

  commentsOn(issueNumber: number, owner = this.owner, repo = this.repo): FakeComment[] {
    return this.comments.filter(
      (c) => c.owner === owner && c.repo === repo && c.issueNumber === issueNumber,
    )
  }

  failNext(rule: FailRule): void {
    this.failures.push({
      method: rule.method.toUpperCase(),
      path: rule.path,
      count: rule.count ?? 1,
      status: rule.status ?? 502,
      apply: rule.apply ?? false,
      kind: rule.kind ?? 'status',
    })
  }

  onHandled(
    match: { method: string; path: PathMatcher },
    fn: (request: RecordedRequest) => void | Promise<void>,
    times = 1,
  ): void {
    this.hooks.push({ method: match.method.toUpperCase(), path: match.path, fn, remaining: times })
  }

  /** Requests recorded so far that match a method and path. */
  requestsTo(method: string, path: PathMatcher): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method.toUpperCase() && matches(path, r.path))
  }

  private findPull(owner: string, repo: string, number: number): FakePull | undefined {
    return this.pulls.find((p) => p.owner === owner && p.repo === repo && p.number === number)
  }

  private takeFailure(method: string, path: string): Required<FailRule> | null {
    const rule = this.failures.find((f) => f.method === method && matches(f.path, path))
    if (rule === undefined) return null
    rule.count--
    if (rule.count <= 0) this.failures = this.failures.filter((f) => f !== rule)
    return rule
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase()
    const url = new URL(req.url ?? '/', this.url)
    const path = url.pathname
    const raw = await readBody(req)
    if (path.startsWith('/_blob/')) return this.serveBlob(req, res, url)
    const record: RecordedRequest = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      status: 0,
      operationId: null,
      userAgent: String(req.headers['user-agent'] ?? ''),
    }
    this.requests.push(record)

    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      record.status = status
      const text = body === undefined ? '' : JSON.stringify(body)
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'x-github-request-id': `FAKE:${this.requests.length}`,
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': String(this.remaining),
        'x-ratelimit-used': String(5000 - this.remaining),
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
        'x-ratelimit-resource': 'core',
        ...headers,
      })
      res.end(text)
    }
    const violation = (kind: Violation['kind'], problems: string[]): void => {
      this.violations.push({ kind, method, path, operationId: record.operationId, problems })
    }
    this.remaining = Math.max(1, this.remaining - 1)

    const found = findOperation(this.doc, method, path)
    if (found === null || !IMPLEMENTED.has(found.operation.operationId)) {
      const what = found === null ? 'not in the description' : found.operation.operationId
      violation('route', [`${method} ${path}: endpoint not implemented by the fake (${what})`])
      return send(404, { message: 'Not Found', documentation_url: DOCS })
    }
    const { operation, pathParams } = found
    record.operationId = operation.operationId

    const auth = String(req.headers['authorization'] ?? '')
    const presented = /^(?:token|bearer)\s+(\S+)$/i.exec(auth)?.[1]
    if (presented === undefined) {
      violation('auth', ['request without an Authorization header'])
      return send(401, { message: 'Requires authentication', documentation_url: DOCS })
    }
    if (this.token !== undefined && presented !== this.token) {
      return send(401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' })
    }

    let body: unknown = undefined
    const hasBody = raw.length > 0
    if (raw.length > MAX_BODY_BYTES) {
      violation('limit', [`body of ${raw.length} bytes is larger than the fake accepts`])
      return send(413, { message: 'Payload too large', documentation_url: DOCS })
    }
    if (hasBody) {
      try {
        body = JSON.parse(raw.toString('utf8'))
      } catch {
        violation('request', ['body is not JSON'])
        return send(400, { message: 'Problems parsing JSON', documentation_url: DOCS })
      }
      if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? ''))) {
        violation('request', [
          `content-type ${req.headers['content-type']} is not application/json`,
        ])
      }
    }
    record.body = body

    const problems = validateRequest(
      this.doc,
      operation,
      { pathParams, query: url.searchParams, body, hasBody },
      { strict: this.strict },
    )
    if (problems.length > 0) {
      violation('request', problems)
      return send(400, {
        message: `Invalid request.\n\n${problems.join('\n')}`,
        documentation_url: DOCS,
        status: '400',
      })
    }

    const failure = this.takeFailure(method, path)
    const shouldApply = failure === null || failure.apply
    try {
      if (failure !== null && !failure.apply) throw failureError(failure)
      const isWrite = method !== 'GET' && method !== 'HEAD'
      if (isWrite && this.readOnly) {
        throw new HttpError(
          403,
          {
            message: 'Resource not accessible by integration',
            documentation_url: `${DOCS}/${operation.operationId.replace('/', '#')}`,
            status: '403',
          },
          { 'x-accepted-github-permissions': WRITE_PERMISSIONS[operation.operationId] ?? '' },
        )
      }
      const result = shouldApply ? this.dispatch(operation, pathParams, url, body) : null
      for (const hook of this.hooks.filter(
        (h) => h.remaining > 0 && h.method === method && matches(h.path, path),
      )) {
        hook.remaining--
        await hook.fn(record)
      }
      this.hooks = this.hooks.filter((h) => h.remaining > 0)
      if (failure !== null) throw failureError(failure)
      if (result === null) throw new Error('unreachable')
      const schema = responseSchema(this.doc, operation, result.status)
      if (schema !== null) {
        const bad = validate(this.doc, schema, result.body, 'response', { strict: this.strict })
        if (bad.length > 0) violation('response', bad)
      }
      send(result.status, result.body, result.headers)
    } catch (error) {
      if (error instanceof NetworkFailure) {
        record.status = -1
        req.socket.destroy()
        return
      }
      if (!(error instanceof HttpError)) throw error
      if (error.limit) violation('limit', error.problems())
      send(error.status, error.body, error.headers)
    }
  }

  private dispatch(
    op: Operation,
    params: Record<string, string>,
    url: URL,
    body: unknown,
  ): { status: number; body: unknown; headers?: Record<string, string> } {
    const owner = params['owner'] ?? ''
    const repo = params['repo'] ?? ''
    const input = isRecord(body) ? body : {}
    switch (op.operationId) {
      case 'users/get-authenticated': {
        if (this.identity.tokenKind === 'installation') {
          throw new HttpError(403, {
            message: 'Resource not accessible by integration',
            documentation_url: `${DOCS}/users/users#get-the-authenticated-user`,
            status: '403',
          })
        }
        return { status: 200, body: this.userJson(op, this.identity) }
      }
      case 'pulls/get': {
        const pull = this.findPull(owner, repo, Number(params['pull_number']))
        if (pull === undefined) throw notFound('pulls/pulls#get-a-pull-request')
        return { status: 200, body: this.pullJson(op, pull) }
      }
      case 'pulls/list': {
        const state = url.searchParams.get('state') ?? 'open'
        const head = url.searchParams.get('head')
        const base = url.searchParams.get('base')
        const all = this.pulls.filter(
          (p) =>
            p.owner === owner &&
            p.repo === repo &&
            (state === 'all' || p.state === state) &&
            // GitHub filters by `user:ref-name` (or `organization:ref-name`).
            (head === null || `${p.headOwner}:${p.headRef}` === head) &&
            (base === null || p.baseRef === base),
        )
        const { slice, headers } = paginate(url, all)
        return {
          status: 200,
          body: slice.map((p) => this.pullJson(op, p, 'list')),
          headers,
        }
      }
      case 'pulls/list-files': {
        const pull = this.findPull(owner, repo, Number(params['pull_number']))
        if (pull === undefined) throw notFound('pulls/pulls#list-pull-requests-files')
        const { slice, headers } = paginate(url, pull.files.slice(0, 3000))
        const schema = responseSchema(this.doc, op, 200)
        const item = isRecord(schema) && schema['type'] === 'array' ? schema['items'] : schema
        const example = item === null ? {} : exampleFor(this.doc, item)
        return {
          status: 200,
          body: slice.map((f) => ({
            ...(isRecord(example) ? example : {}),
            sha: createHash('sha1').update(f.filename).digest('hex'),
            filename: f.filename,
            status: f.status ?? 'modified',
            ...(f.previous_filename ? { previous_filename: f.previous_filename } : {}),
          })),
          headers,
        }
      }
      case 'repos/compare-commits-with-basehead': {
        const basehead = params['basehead'] ?? ''
        const [base = '', head = ''] = basehead.split('...')
        const resolve = (rev: string): string =>
          this.branches.get(rev) ??
          this.pulls.find((p) => p.owner === owner && p.repo === repo && p.baseRef === rev)
            ?.baseSha ??
          rev
        const a = resolve(base)
        const b = resolve(head)
        const status =
          a === b
            ? 'identical'
            : this.ancestry.has(`${a}...${b}`)
              ? 'ahead'
              : this.ancestry.has(`${b}...${a}`)
                ? 'behind'
                : 'diverged'
        return { status: 200, body: { ...this.base(op, 200), status, commits: [], files: [] } }
      }
      case 'checks/create': {
        const run: FakeCheckRun = {
          id: this.nextId++,
          owner,
          repo,
          name: String(input['name']),
          headSha: String(input['head_sha']),
          status: 'queued',
          conclusion: null,
          startedAt: null,
          completedAt: null,
          detailsUrl: null,
          externalId: null,
          output: { title: null, summary: null, text: null },
          annotations: [],
          htmlUrl: '',
        }
        run.htmlUrl = `https://github.com/${owner}/${repo}/runs/${run.id}`
        this.applyCheckRun(run, input)
        this.checkRuns.push(run)
        return { status: 201, body: this.checkRunJson(op, run) }
      }
      case 'checks/update': {
        const id = Number(params['check_run_id'])
        const run = this.checkRuns.find((r) => r.id === id && r.owner === owner && r.repo === repo)
        if (run === undefined) throw notFound('checks/runs#update-a-check-run')
        this.applyCheckRun(run, input)
        return { status: 200, body: this.checkRunJson(op, run) }
      }
      case 'checks/list-for-ref': {
        // The fake's refs are commit SHAs. `filter` latest (the default): the newest run of each
        // name, as GitHub returns it.
        const name = url.searchParams.get('check_name')
        const status = url.searchParams.get('status')
        let runs = this.checkRuns.filter(
          (r) => r.owner === owner && r.repo === repo && r.headSha === params['ref'],
        )
        if (url.searchParams.get('filter') !== 'all') {
          runs = runs.filter((r) => !runs.some((o) => o.name === r.name && o.id > r.id))
        }
        if (name !== null) runs = runs.filter((r) => r.name === name)
        if (status !== null) runs = runs.filter((r) => r.status === status)
        runs = [...runs].sort((a, b) => b.id - a.id)
        const { slice, headers } = paginate(url, runs)
        const example = exampleFor(this.doc, this.doc.components['schemas']?.['check-run'])
        const base = isRecord(example) ? example : {}
        return {
          status: 200,
          body: {
            total_count: runs.length,
            check_runs: slice.map((run) => this.checkRunJson(op, run, base)),
          },
          headers,
        }
      }
      case 'issues/list-comments': {
        const issue = Number(params['issue_number'])
        const all = this.commentsOn(issue, owner, repo)
        const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30))
        const page = Math.max(1, Number(url.searchParams.get('page') ?? 1))
        const last = Math.max(1, Math.ceil(all.length / perPage))
        const slice = all.slice((page - 1) * perPage, page * perPage)
        const headers: Record<string, string> = {}
        if (page < last) {
          const link = (p: number): string => {
            const next = new URL(url)
            next.searchParams.set('per_page', String(perPage))
            next.searchParams.set('page', String(p))
            return next.toString()
          }
          headers['link'] = `<${link(page + 1)}>; rel="next", <${link(last)}>; rel="last"`
        }
        return { status: 200, body: slice.map((c) => this.commentJson(op, c)), headers }
      }
      case 'issues/create-comment': {
        const user = { login: this.identity.login, id: this.identity.id, type: this.identity.type }
        const text = String(input['body'])
        checkCommentLength(text)
        const issue = Number(params['issue_number'])
        const comment = this.createComment(owner, repo, issue, { body: text, user })
        return {
          status: 201,
          body: this.commentJson(op, comment),
          headers: { location: this.commentApiUrl(comment) },
        }
      }
      case 'issues/get-comment':
      case 'issues/update-comment': {
        const id = Number(params['comment_id'])
        const comment = this.comments.find(
          (c) => c.id === id && c.owner === owner && c.repo === repo,
        )
        if (comment === undefined) throw notFound('issues/comments#update-an-issue-comment')
        if (op.operationId === 'issues/update-comment') {
          if (comment.user.login !== this.identity.login) {
            // GitHub lets collaborators with write access edit anyone's comment; an installation
            // token can too. The fake records it because Quorum must never do it.
            this.violations.push({
              kind: 'request',
              method: 'PATCH',
              path: url.pathname,
              operationId: op.operationId,
              problems: [`edited comment ${id} written by ${comment.user.login}`],
            })
          }
          const text = String(input['body'])
          checkCommentLength(text)
          comment.body = text
          comment.updatedAt = new Date().toISOString()
        }
        return { status: 200, body: this.commentJson(op, comment) }
      }
      case 'actions/list-workflow-run-artifacts': {
        const runId = Number(params['run_id'])
        const name = url.searchParams.get('name')
        const all = this.artifacts.filter(
          (a) =>
            a.owner === owner &&
            a.repo === repo &&
            a.runId === runId &&
            (name === null || a.name === name),
        )
        const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30))
        const page = Math.max(1, Number(url.searchParams.get('page') ?? 1))
        const last = Math.max(1, Math.ceil(all.length / perPage))
        const slice = all.slice((page - 1) * perPage, page * perPage)
        const headers: Record<string, string> = {}
        if (page < last) {
          const link = (p: number): string => {
            const next = new URL(url)
            next.searchParams.set('per_page', String(perPage))
            next.searchParams.set('page', String(p))
            return next.toString()
          }
          headers['link'] = `<${link(page + 1)}>; rel="next", <${link(last)}>; rel="last"`
        }
        return {
          status: 200,
          body: { total_count: all.length, artifacts: slice.map((a) => this.artifactJson(a)) },
          headers,
        }
      }
      case 'actions/download-artifact': {
        const id = Number(params['artifact_id'])
        const artifact = this.artifacts.find(
          (a) => a.id === id && a.owner === owner && a.repo === repo,
        )
        if (artifact === undefined) throw notFound('actions/artifacts#download-an-artifact')
        if (params['archive_format'] !== 'zip') {
          throw new HttpError(400, {
            message: 'archive_format must be zip',
            documentation_url: `${DOCS}/actions/artifacts#download-an-artifact`,
            status: '400',
          })
        }
        if (artifact.expired) {
          throw new HttpError(410, {
            message: 'Artifact has expired',
            documentation_url: `${DOCS}/actions/artifacts#download-an-artifact`,
            status: '410',
          })
        }
        const signature = randomBytes(16).toString('hex')
        this.blobSignatures.set(signature, {
          artifactId: id,
          expires: Date.now() + BLOB_URL_TTL_MS,
        })
        return {
          status: 302,
          body: undefined,
          headers: { location: `${this.url}/_blob/artifacts/${id}?sv=2024&sig=${signature}` },
        }
      }
      default:
        throw new Error(`unhandled ${op.operationId}`)
    }
  }

  private createComment(
    owner: string,
    repo: string,
    issueNumber: number,
    init: { body: string; user: FakeUser },
  ): FakeComment {
    const now = new Date().toISOString()
    const id = this.nextId++
    const comment: FakeComment = {
      id,
      owner,
      repo,
      issueNumber,
      body: init.body,
      user: init.user,
      createdAt: now,
      updatedAt: now,
      htmlUrl: `https://github.com/${owner}/${repo}/pull/${issueNumber}#issuecomment-${id}`,
    }
    this.comments.push(comment)
    return comment
  }

  private applyCheckRun(run: FakeCheckRun, input: Record<string, unknown>): void {
    // Check everything first: a refused request must leave the check run as it was.
    const problems: string[] = []
    const conclusion =
      typeof input['conclusion'] === 'string' ? input['conclusion'] : run.conclusion
    const status =
      typeof input['conclusion'] === 'string' ? 'completed' : (input['status'] ?? run.status)
    if (status === 'completed' && conclusion === null) {
      problems.push('conclusion is required when status is completed')
    }
    const output = isRecord(input['output']) ? input['output'] : null
    const annotations = Array.isArray(output?.['annotations']) ? output['annotations'] : []
    if (output !== null && typeof output['title'] !== 'string') {
      problems.push('output.title is required')
    }
    annotations.forEach((a: unknown, i) => {
      if (!isRecord(a)) return
      // Limits the description states in prose, not in its schema.
      if (typeof a['title'] === 'string' && codePoints(a['title']) > 255) {
        problems.push(`output.annotations[${i}].title is longer than 255 characters`)
      }
      for (const key of ['message', 'raw_details']) {
        const v = a[key]
        if (typeof v === 'string' && Buffer.byteLength(v) > 64 * 1024) {
          problems.push(`output.annotations[${i}].${key} is larger than 64 KB`)
        }
      }
      if (
        (a['start_column'] !== undefined || a['end_column'] !== undefined) &&
        a['start_line'] !== a['end_line']
      ) {
        problems.push(`output.annotations[${i}] has columns but spans several lines`)
      }
    })
    if (problems.length > 0) throw validationFailed('CheckRun', problems)

    if (typeof input['name'] === 'string') run.name = input['name']
    if (typeof input['details_url'] === 'string') run.detailsUrl = input['details_url']
    if (typeof input['external_id'] === 'string') run.externalId = input['external_id']
    if (typeof input['started_at'] === 'string') run.startedAt = input['started_at']
    if (typeof input['completed_at'] === 'string') run.completedAt = input['completed_at']
    run.status = String(status)
    run.conclusion = conclusion
    if (output !== null) {
      if (typeof output['title'] === 'string') run.output.title = output['title']
      if (typeof output['summary'] === 'string') run.output.summary = output['summary']
      if (typeof output['text'] === 'string') run.output.text = output['text']
      run.annotations.push(...(annotations as FakeAnnotation[]))
    }
  }

  private artifactJson(a: FakeArtifact): Record<string, unknown> {
    const schema = this.doc.components['schemas']?.['artifact']
    const base = exampleFor(this.doc, schema)
    const api = `${this.url}/repos/${a.owner}/${a.repo}/actions/artifacts/${a.id}`
    const expires = new Date(Date.parse(a.createdAt) + 90 * 24 * 3600 * 1000).toISOString()
    return {
      ...(isRecord(base) ? base : {}),
      id: a.id,
      node_id: `MDg6QXJ0aWZhY3Q${a.id}`,
      name: a.name,
      size_in_bytes: a.zip.length,
      url: api,
      archive_download_url: `${api}/zip`,
      expired: a.expired,
      created_at: a.createdAt,
      expires_at: expires,
      updated_at: a.createdAt,
      digest: `sha256:${createHash('sha256').update(a.zip).digest('hex')}`,
      workflow_run: {
        id: a.runId,
        repository_id: 1,
        head_repository_id: 1,
        head_branch: 'main',
        head_sha: a.headSha,
      },
    }
  }

  /**
   * The blob storage a download URL points to. It needs no credentials (the signature in the URL
   * is the credential) and refuses a request that carries an Authorization header anyway: a
   * client that sends one has leaked the GitHub token to a third-party host.
   */
  private async serveBlob(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const match = /^\/_blob\/artifacts\/(\d+)$/.exec(url.pathname)
    const artifactId = match === null ? null : Number(match[1])
    const record: BlobRequest = {
      artifactId,
      authorization: req.headers['authorization'] !== undefined,
      status: 0,
      bytesSent: 0,
      aborted: false,
    }
    this.blobRequests.push(record)
    const refuse = (status: number, code: string, message: string): void => {
      record.status = status
      res.writeHead(status, { 'content-type': 'application/xml' })
      res.end(
        `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
      )
    }
    if (record.authorization) {
      this.violations.push({
        kind: 'auth',
        method: req.method ?? '',
        path: url.pathname,
        operationId: null,
        problems: ['an Authorization header was sent to the blob storage URL'],
      })
      return refuse(403, 'AuthenticationFailed', 'Authorization header not allowed with a SAS.')
    }
    const signature = this.blobSignatures.get(url.searchParams.get('sig') ?? '')
    if (
      signature === undefined ||
      signature.artifactId !== artifactId ||
      signature.expires < Date.now()
    ) {
      return refuse(403, 'AuthenticationFailed', 'Signature did not match or has expired.')
    }
    const artifact = this.artifacts.find((a) => a.id === artifactId)
    if (artifact === undefined || req.method !== 'GET') {
      return refuse(404, 'BlobNotFound', 'The specified blob does not exist.')
    }
    const { zip, blob } = artifact
    const total = zip.length + blob.extraBytes
    record.status = 200
    res.writeHead(200, {
      'content-type': 'application/zip',
      ...(blob.contentLength === 'actual' ? { 'content-length': String(total) } : {}),
    })
    const body = Readable.from(
      (function* () {
        yield zip
        for (let left = blob.extraBytes; left > 0; left -= BLOB_CHUNK.length) {
          yield BLOB_CHUNK.subarray(0, Math.min(left, BLOB_CHUNK.length))
        }
      })(),
    )
    body.on('data', (chunk: Buffer) => {
      record.bytesSent += chunk.length
    })
    try {
      await pipeline(body, res)
    } catch {
      // The client hung up (as it should when a download goes over its cap).
      record.aborted = true
    }
    if (record.bytesSent < total) record.aborted = true
  }

  private base(op: Operation, status: number): Record<string, unknown> {
    const schema = responseSchema(this.doc, op, status)
    const example = schema === null ? {} : exampleFor(this.doc, schema)
    return isRecord(example) ? example : {}
  }

  private userJson(op: Operation | null, user: FakeUser): Record<string, unknown> {
    const base = op === null ? {} : this.base(op, 200)
    const html = `https://github.com/${user.login.replace('[bot]', '')}`
    return {
      ...base,
      login: user.login,
      id: user.id,
      node_id: `U_${user.id}`,
      type: user.type,
      site_admin: false,
      html_url:
        user.type === 'Bot' ? `https://github.com/apps/${user.login.replace('[bot]', '')}` : html,
      url: `${this.url}/users/${encodeURIComponent(user.login)}`,
    }
  }

  private simpleUser(user: FakeUser): Record<string, unknown> {
    const schema = this.doc.components['schemas']?.['simple-user']
    const base = exampleFor(this.doc, schema)
    return { ...(isRecord(base) ? base : {}), ...this.userJson(null, user) }
  }

  private pullJson(
    op: Operation,
    pull: FakePull,
    shape: 'full' | 'list' = 'full',
  ): Record<string, unknown> {
    const schema = responseSchema(this.doc, op, 200)
    const item = shape === 'list' && isRecord(schema) ? schema['items'] : schema
    const example = item === null || item === undefined ? {} : exampleFor(this.doc, item)
    const base = isRecord(example) ? example : {}
    const side = (
      key: 'head' | 'base',
      sha: string,
      ref: string,
      owner: string,
    ): Record<string, unknown> => {
      const example = isRecord(base[key]) ? base[key] : {}
      const repo = isRecord(example['repo']) ? example['repo'] : {}
      return {
        ...example,
        sha,
        ref,
        label: `${owner}:${ref}`,
        user: this.simpleUser({ login: owner, id: 1, type: 'User' }),
        repo: {
          ...repo,
          name: pull.repo,
          full_name: `${owner}/${pull.repo}`,
          owner: this.simpleUser({ login: owner, id: 1, type: 'User' }),
          fork: owner !== pull.owner,
        },
      }
    }
    return {
      ...base,
      ...(shape === 'full' ? { changed_files: pull.files.length } : {}),
      id: pull.number + 100000,
      number: pull.number,
      state: pull.state,
      url: `${this.url}/repos/${pull.owner}/${pull.repo}/pulls/${pull.number}`,
      html_url: `https://github.com/${pull.owner}/${pull.repo}/pull/${pull.number}`,
      head: side('head', pull.headSha, pull.headRef, pull.headOwner),
      base: side('base', pull.baseSha, pull.baseRef, pull.owner),
      user: this.simpleUser({ login: 'contributor', id: 2, type: 'User' }),
    }
  }

  private commentApiUrl(c: FakeComment): string {
    return `${this.url}/repos/${c.owner}/${c.repo}/issues/comments/${c.id}`
  }

  private commentJson(op: Operation, c: FakeComment): Record<string, unknown> {
    const status = op.operationId === 'issues/create-comment' ? 201 : 200
    const schema = responseSchema(this.doc, op, status)
    // list-comments answers an array of issue-comment; build one element.
    const itemSchema = isRecord(schema) && schema['type'] === 'array' ? schema['items'] : schema
    const example = itemSchema === null ? {} : exampleFor(this.doc, itemSchema)
    return {
      ...(isRecord(example) ? example : {}),
      id: c.id,
      node_id: `IC_${c.id}`,
      url: this.commentApiUrl(c),
      html_url: c.htmlUrl,
      issue_url: `${this.url}/repos/${c.owner}/${c.repo}/issues/${c.issueNumber}`,
      body: c.body,
      user: this.simpleUser(c.user),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      author_association: c.user.type === 'Bot' ? 'NONE' : 'CONTRIBUTOR',
    }
  }

  private checkRunJson(
    op: Operation,
    run: FakeCheckRun,
    base: Record<string, unknown> = this.base(op, op.operationId === 'checks/create' ? 201 : 200),
  ): Record<string, unknown> {
    return {
      ...base,
      id: run.id,
      node_id: `CR_${run.id}`,
      head_sha: run.headSha,
      name: run.name,
      url: `${this.url}/repos/${run.owner}/${run.repo}/check-runs/${run.id}`,
      html_url: run.htmlUrl,
      details_url: run.detailsUrl,
      external_id: run.externalId,
      status: run.status,
      conclusion: run.conclusion,
      started_at: run.startedAt,
      completed_at: run.completedAt,
      output: {
        title: run.output.title,
        summary: run.output.summary,
        text: run.output.text,
        annotations_count: run.annotations.length,
        annotations_url: `${this.url}/repos/${run.owner}/${run.repo}/check-runs/${run.id}/annotations`,
      },
      pull_requests: [],
    }
  }
}

class NetworkFailure extends Error {}

/** One page of `all` as `per_page`/`page` ask, with GitHub's Link header when more follow. */
function paginate<T>(url: URL, all: readonly T[]): { slice: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30))
  const page = Math.max(1, Number(url.searchParams.get('page') ?? 1))
  const last = Math.max(1, Math.ceil(all.length / perPage))
  const headers: Record<string, string> = {}
  if (page < last) {
    const link = (p: number): string => {
      const next = new URL(url)
      next.searchParams.set('per_page', String(perPage))
      next.searchParams.set('page', String(p))
      return next.toString()
    }
    headers['link'] = `<${link(page + 1)}>; rel="next", <${link(last)}>; rel="last"`
  }
  return { slice: all.slice((page - 1) * perPage, page * perPage), headers }
}

function failureError(rule: Required<FailRule>): Error {
  switch (rule.kind) {
    case 'network':
      return new NetworkFailure('network failure injected by the test')
    case 'rate-limit':
      return new HttpError(
        403,
        {
          message: 'API rate limit exceeded for installation ID 1.',
          documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`,
          status: '403',
        },
        {
          'x-ratelimit-remaining': '0',
          // One second ahead so a test's retry waits a second, not an hour.
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1),
        },
      )
    case 'secondary-rate-limit':
      return new HttpError(
        403,
        {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits`,
          status: '403',
        },
        { 'retry-after': '1' },
      )
    case 'status':
      return new HttpError(rule.status, {
        message: rule.status >= 500 ? 'Server Error' : 'Injected failure',
        status: String(rule.status),
      })
  }
}

function notFound(doc: string): HttpError {
  return new HttpError(404, {
    message: 'Not Found',
    documentation_url: `${DOCS}/${doc}`,
    status: '404',
  })
}

function validationFailed(resource: string, messages: string[]): HttpError {
  const error = new HttpError(422, {
    message: 'Validation Failed',
    errors: messages.map((message) => ({ resource, code: 'custom', field: 'data', message })),
    documentation_url: DOCS,
    status: '422',
  })
  error.limit = true
  return error
}

function checkCommentLength(text: string): void {
  const length = codePoints(text)
  if (length > MAX_COMMENT_CHARS) {
    throw validationFailed('IssueComment', [
      `Body is too long (maximum is ${MAX_COMMENT_CHARS} characters), got ${length}`,
    ])
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buf = chunk as Buffer
    size += buf.length
    // Keep reading (so the client is not cut off mid-send) but stop storing past the limit.
    if (size <= MAX_BODY_BYTES + 1) chunks.push(buf)
  }
  return Buffer.concat(chunks)
}

/**
 * A zip archive of `items`, built by yazl the way actions/upload-artifact builds artifacts (the
 * files at the root, deflated). `mode` sets the Unix type and permission bits (0o120777: a
 * symbolic link whose target is `data`).
 */
export async function buildZip(items: ZipItem[]): Promise<Buffer> {
  const zip = new yazl.ZipFile()
  for (const item of items) {
    const mode = item.mode === undefined ? {} : { mode: item.mode }
    if (item.directory === true) zip.addEmptyDirectory(item.name, mode)
    else zip.addBuffer(Buffer.from(item.data ?? ''), item.name, mode)
  }
  zip.end()
  const chunks: Buffer[] = []
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks)
}

/** A GitHubLog (src/github/api/errors.ts) that records what it is told, for assertions. */
export interface RecordingLog {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
  readonly messages: Array<{ level: 'info' | 'warning' | 'debug'; message: string }>
  warnings(): string[]
}

/** Creates a RecordingLog. Pass `echo: true` to also print to stderr while debugging a test. */
export function recordingLog(echo = false): RecordingLog {
  const messages: RecordingLog['messages'] = []
  const add = (level: 'info' | 'warning' | 'debug') => (message: string) => {
    messages.push({ level, message })
    if (echo) process.stderr.write(`[${level}] ${message}\n`)
  }
  return {
    info: add('info'),
    warning: add('warning'),
    debug: add('debug'),
    messages,
    warnings: () => messages.filter((m) => m.level === 'warning').map((m) => m.message),
  }
}
