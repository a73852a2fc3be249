/**
 * A local stand-in for GitHub's Actions cache service (v2, as @actions/cache 6 talks to it) and
 * for the Azure blob storage its signed URLs point at, so that tests run the real @actions/cache
 * restoreCache/saveCache end to end: Twirp JSON calls, tar and zstd/gzip, and the Azure SDK's
 * upload and ranged download, all unmodified.
 *
 * ## How the real library reaches it
 *   ACTIONS_RESULTS_URL     = svc.url (http://127.0.0.1:<port>/), with ACTIONS_CACHE_SERVICE_V2
 *                             and ACTIONS_RUNTIME_TOKEN = svc.token: see svc.env().
 *   Signed URLs are http://<account>.blob.core.windows.net/actions-cache/<id>?<SAS>, the host
 *   form that makes @actions/cache use the Azure SDK, as in production (it checks the host name
 *   suffix). They resolve to nothing: the SDK reaches them through HTTP_PROXY = svc.url, which
 *   env() also sets, and this server answers as that proxy. It never forwards anything: a
 *   request for any other host is refused and recorded as a violation. The Twirp calls go to
 *   127.0.0.1 directly (@actions/http-client never proxies loopback addresses).
 *   Differences from production: plain http instead of https for the blob host (a TLS proxy
 *   would need a CA the SDK trusts), and uploads up to 128 MiB only (the SDK's single-shot PUT;
 *   larger archives use staged blocks, which this fake refuses as a violation).
 *
 * ## Twirp (POST /twirp/github.actions.results.api.v1.CacheService/<Method>)
 *   Requests are checked like the service does: Bearer token, application/json, the message's
 *   fields only (proto names, as the client sends them), key (1-512 chars, no comma) and version
 *   (64 hex). Errors are Twirp JSON `{ code, msg }` with the matching HTTP status.
 *   GetCacheEntryDownloadURL  exact key + version, else the newest entry whose key starts with
 *                             the key, else the same for each restore key in order; a miss is
 *                             200 `{ ok: false }`.
 *   CreateCacheEntry          409 already_exists "cache entry with the same key, version, and
 *                             scope already exists" when one is reserved or saved already.
 *   FinalizeCacheEntryUpload  needs the reservation and its upload; size_bytes must match.
 * ## Blob (through the proxy)
 *   PUT (x-ms-blob-type: BlockBlob, SAS with w) 201; HEAD / GET (SAS with r, x-ms-range or
 *   Range) 200 / 206. A wrong signature is 403 AuthenticationFailed; an unknown blob 404.
 *
 * ## Scopes
 *   As on GitHub, every entry belongs to the ref of the run that saved it, and a run reads only
 *   the scopes its runtime token grants: its own ref, then (for a pull request) the base branch,
 *   then the default branch. GitHub's runtime token is a JWT whose `ac` claim lists them as
 *   `[{"Scope":"refs/pull/1/merge","Permission":3},{"Scope":"refs/heads/main","Permission":1}]`
 *   (1 read, 2 write, 3 both); the fake issues tokens of that form (svc.tokenFor) and decides
 *   by their claim: a lookup walks the readable scopes in order, a save goes to the writable
 *   one, and an entry of another PR's ref is never found.
 *
 * ## API
 *   const svc = await FakeCacheService.start()
 *   svc.env()                    the variables that point @actions/cache here (a token of the
 *                                default branch, refs/heads/main, read and write)
 *   svc.env({ ref, reads })      the same for a run of `ref` that may also read `reads` (e.g.
 *                                { ref: 'refs/pull/1/merge', reads: ['refs/heads/main'] })
 *   svc.entries                  saved and reserved entries: key, version, size, data, finalized
 *   svc.requests                 every request: op, status
 *   svc.violations               requests the real service would refuse, or that this fake
 *                                cannot serve; assert it is empty
 *   svc.failNext({ op, count?, kind?, status? })
 *                                the next `count` (default 1) requests of `op` fail: kind
 *                                'status' (default; `status` default 500, a Twirp `internal`
 *                                error), 'reset' (socket destroyed), 'hang' (never answered
 *                                until close())
 *   svc.seed({ key, version, data })  a finalized entry, as if another job saved it
 *   svc.close()
 */
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export const CACHE_SERVICE = 'github.actions.results.api.v1.CacheService'
const BLOB_ACCOUNT = 'quorumfakecache'
const BLOB_HOST = `${BLOB_ACCOUNT}.blob.core.windows.net`
const BLOB_CONTAINER = 'actions-cache'
const ALREADY_EXISTS = 'cache entry with the same key, version, and scope already exists'
/** The scope of svc.token: the default branch. */
const DEFAULT_SCOPE = 'refs/heads/main'
/** The largest body the fake takes (a cache of result files is tiny). */
const MAX_BODY = 64 * 1024 * 1024

export type CacheOp =
  | 'GetCacheEntryDownloadURL'
  | 'CreateCacheEntry'
  | 'FinalizeCacheEntryUpload'
  | 'BlobPut'
  | 'BlobHead'
  | 'BlobGet'

export interface FakeCacheEntry {
  id: number
  key: string
  version: string
  /** The ref of the run that saved it (its cache scope). */
  scope: string
  /** Set by the upload. */
  data: Buffer | null
  finalized: boolean
  createdAt: number
  uploadSig: string
  downloadSig: string
}

interface Fault {
  op: CacheOp
  remaining: number
  kind: 'status' | 'reset' | 'hang'
  status: number
}

/** The fields each request message has, by their proto names (what the client sends). */
const REQUEST_FIELDS: Record<string, readonly string[]> = {
  GetCacheEntryDownloadURL: ['metadata', 'key', 'restore_keys', 'version'],
  CreateCacheEntry: ['metadata', 'key', 'version'],
  FinalizeCacheEntryUpload: ['metadata', 'key', 'size_bytes', 'version'],
}

class TwirpError extends Error {
  readonly status: number
  readonly code: string
  constructor(status: number, code: string, message: string) {
    super(message)
    this.status = status
    this.code = code
  }
}

export class FakeCacheService {
  readonly url: string
  readonly token: string
  readonly entries: FakeCacheEntry[] = []
  readonly requests: Array<{ op: string; status: number | 'reset' | 'hang' }> = []
  readonly violations: string[] = []
  /** Every token this fake issued, with the scopes it grants in order. */
  private readonly scopes = new Map<string, Array<{ scope: string; write: boolean }>>()
  private readonly server: Server
  private readonly sockets = new Set<Socket>()
  private faults: Fault[] = []
  private nextId = 1

  private constructor(server: Server, token: string) {
    this.server = server
    this.token = token
    const { port } = server.address() as AddressInfo
    this.url = `http://127.0.0.1:${port}/`
    this.scopes.set(token, [{ scope: DEFAULT_SCOPE, write: true }])
  }

  static async start(options: { token?: string } = {}): Promise<FakeCacheService> {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const svc = new FakeCacheService(
      server,
      options.token ?? `rt-${randomBytes(8).toString('hex')}`,
    )
    server.on('connection', (socket) => {
      svc.sockets.add(socket)
      socket.on('close', () => svc.sockets.delete(socket))
    })
    server.on('request', (req, res) => void svc.handle(req, res))
    return svc
  }

  /**
   * The environment that points @actions/cache (v2 service) at this fake, with a token of the
   * default branch, or of a run of `ref` that may also read `reads` (see Scopes above).
   */
  env(scope?: { ref: string; reads?: string[] }): Record<string, string> {
    return {
      ACTIONS_RESULTS_URL: this.url,
      ACTIONS_RUNTIME_TOKEN: scope ? this.tokenFor(scope) : this.token,
      ACTIONS_CACHE_SERVICE_V2: 'true',
      HTTP_PROXY: this.url,
    }
  }

  /** A runtime token, JWT-shaped, whose `ac` claim grants `ref` (read, write) and `reads`. */
  tokenFor(scope: { ref: string; reads?: string[] }): string {
    const grants = [
      { scope: scope.ref, write: true },
      ...(scope.reads ?? []).map((ref) => ({ scope: ref, write: false })),
    ]
    const claim = grants.map((g) => ({ Scope: g.scope, Permission: g.write ? 3 : 1 }))
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const token = [
      part({ typ: 'JWT', alg: 'RS256' }),
      part({ ac: JSON.stringify(claim), nonce: randomBytes(6).toString('hex') }),
      randomBytes(16).toString('base64url'),
    ].join('.')
    this.scopes.set(token, grants)
    return token
  }

  failNext(fault: { op: CacheOp; count?: number; kind?: Fault['kind']; status?: number }): void {
    this.faults.push({
      op: fault.op,
      remaining: fault.count ?? 1,
      kind: fault.kind ?? 'status',
      status: fault.status ?? 500,
    })
  }

  seed(entry: { key: string; version: string; data: Buffer; scope?: string }): FakeCacheEntry {
    const created = this.reserve(entry.key, entry.version, entry.scope ?? DEFAULT_SCOPE)
    created.data = entry.data
    created.finalized = true
    return created
  }

  /** Requests of one operation, in order. */
  calls(op: CacheOp): number {
    return this.requests.filter((r) => r.op === op).length
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let op: string = `${req.method} ${req.url}`
    try {
      const body = await readBody(req)
      const target = req.url ?? ''
      if (/^https?:\/\//i.test(target)) {
        // Absolute form: a request through the proxy, for the blob host.
        const url = new URL(target)
        if (url.hostname !== BLOB_HOST || url.protocol !== 'http:') {
          op = `proxy ${req.method} ${url.host}`
          this.violations.push(`refused to proxy ${req.method} ${target}: not the fake blob host`)
          this.answer(op, res, 502, { 'content-type': 'text/plain' }, 'not proxied')
          return
        }
        op = req.method === 'PUT' ? 'BlobPut' : req.method === 'HEAD' ? 'BlobHead' : 'BlobGet'
        if (this.fault(op as CacheOp, res)) return
        this.blob(op as CacheOp, url, req, body, res)
        return
      }
      const twirp = new RegExp(`^/twirp/${CACHE_SERVICE.replace(/\./g, '\\.')}/(\\w+)$`).exec(
        target,
      )
      if (twirp === null || req.method !== 'POST') {
        op = `${req.method} ${target}`
        throw new TwirpError(404, 'bad_route', `no handler for ${req.method} ${target}`)
      }
      op = twirp[1]!
      if (!(op in REQUEST_FIELDS)) throw new TwirpError(404, 'bad_route', `no method ${op}`)
      if (this.fault(op as CacheOp, res)) return
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? ''
      const grants = this.scopes.get(bearer)
      if (grants === undefined) {
        throw new TwirpError(401, 'unauthenticated', 'missing or wrong bearer token')
      }
      if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
        throw new TwirpError(415, 'malformed', 'the fake speaks Twirp JSON only')
      }
      const message = parseMessage(op, body)
      const reply = this.rpc(op, message, grants)
      this.answer(op, res, 200, { 'content-type': 'application/json' }, JSON.stringify(reply))
    } catch (err) {
      if (err instanceof TwirpError) {
        if ([400, 401, 403, 404, 415].includes(err.status)) {
          this.violations.push(`${op}: ${err.code}: ${err.message}`)
        }
        this.answer(
          op,
          res,
          err.status,
          { 'content-type': 'application/json' },
          JSON.stringify({ code: err.code, msg: err.message }),
        )
        return
      }
      this.violations.push(`${op}: the fake failed: ${String(err)}`)
      this.answer(
        op,
        res,
        500,
        { 'content-type': 'application/json' },
        '{"code":"internal","msg":"fake"}',
      )
    }
  }

  /** Applies a pending fault for `op`; true when the request was answered (or abandoned). */
  private fault(op: CacheOp, res: ServerResponse): boolean {
    const fault = this.faults.find((f) => f.op === op && f.remaining > 0)
    if (fault === undefined) return false
    fault.remaining--
    if (fault.kind === 'reset') {
      this.requests.push({ op, status: 'reset' })
      res.socket?.destroy()
    } else if (fault.kind === 'hang') {
      this.requests.push({ op, status: 'hang' })
    } else {
      const twirp = !op.startsWith('Blob')
      this.answer(
        op,
        res,
        fault.status,
        { 'content-type': twirp ? 'application/json' : 'application/xml' },
        twirp
          ? JSON.stringify({ code: 'internal', msg: 'injected failure' })
          : '<?xml version="1.0" encoding="utf-8"?><Error><Code>InternalError</Code><Message>injected failure</Message></Error>',
      )
    }
    return true
  }

  private rpc(
    op: string,
    m: Record<string, unknown>,
    grants: ReadonlyArray<{ scope: string; write: boolean }>,
  ): Record<string, unknown> {
    const key = m.key as string
    const version = m.version as string
    if (op === 'GetCacheEntryDownloadURL') {
      const restoreKeys = (m.restore_keys as string[] | undefined) ?? []
      for (const { scope } of grants) {
        const found = this.lookup(key, restoreKeys, version, scope)
        if (found === null) continue
        return { ok: true, signed_download_url: this.blobUrl(found, 'r'), matched_key: found.key }
      }
      return { ok: false, signed_download_url: '', matched_key: '' }
    }
    const writable = grants.find((g) => g.write)
    if (writable === undefined) {
      throw new TwirpError(403, 'permission_denied', 'the token grants no scope to write to')
    }
    const scope = writable.scope
    if (op === 'CreateCacheEntry') {
      if (this.entries.some((e) => e.key === key && e.version === version && e.scope === scope)) {
        throw new TwirpError(409, 'already_exists', ALREADY_EXISTS)
      }
      const entry = this.reserve(key, version, scope)
      return { ok: true, signed_upload_url: this.blobUrl(entry, 'cw') }
    }
    // FinalizeCacheEntryUpload
    const entry = this.entries.find(
      (e) => e.key === key && e.version === version && e.scope === scope,
    )
    if (entry === undefined) throw new TwirpError(404, 'not_found', 'no reservation for this key')
    if (entry.finalized) throw new TwirpError(409, 'already_exists', ALREADY_EXISTS)
    if (entry.data === null) {
      throw new TwirpError(412, 'failed_precondition', 'nothing was uploaded for this entry')
    }
    if (String(m.size_bytes) !== String(entry.data.length)) {
      throw new TwirpError(
        400,
        'invalid_argument',
        `size_bytes ${String(m.size_bytes)} is not the uploaded size ${entry.data.length}`,
      )
    }
    entry.finalized = true
    return { ok: true, entry_id: String(entry.id) }
  }

  private lookup(
    key: string,
    restoreKeys: string[],
    version: string,
    scope: string,
  ): FakeCacheEntry | null {
    const saved = this.entries.filter(
      (e) => e.finalized && e.version === version && e.scope === scope,
    )
    const newest = (list: FakeCacheEntry[]) =>
      list.sort((a, b) => b.createdAt - a.createdAt || b.id - a.id)[0] ?? null
    const exact = saved.find((e) => e.key === key)
    if (exact !== undefined) return exact
    for (const prefix of [key, ...restoreKeys]) {
      const hit = newest(saved.filter((e) => e.key.startsWith(prefix)))
      if (hit !== null) return hit
    }
    return null
  }

  private reserve(key: string, version: string, scope: string): FakeCacheEntry {
    const entry: FakeCacheEntry = {
      id: this.nextId++,
      key,
      version,
      scope,
      data: null,
      finalized: false,
      createdAt: Date.now(),
      uploadSig: randomBytes(12).toString('hex'),
      downloadSig: randomBytes(12).toString('hex'),
    }
    this.entries.push(entry)
    return entry
  }

  private blobUrl(entry: FakeCacheEntry, permissions: 'r' | 'cw'): string {
    const sig = permissions === 'r' ? entry.downloadSig : entry.uploadSig
    const expiry = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z')
    const sas = new URLSearchParams({ sv: '2024-11-04', sr: 'b', sp: permissions, se: expiry, sig })
    return `http://${BLOB_HOST}/${BLOB_CONTAINER}/${entry.id}?${sas.toString()}`
  }

  private blob(op: CacheOp, url: URL, req: IncomingMessage, body: Buffer, res: ServerResponse) {
    const error = (status: number, code: string, message: string) => {
      this.answer(
        op,
        res,
        status,
        { 'content-type': 'application/xml', 'x-ms-error-code': code },
        req.method === 'HEAD'
          ? ''
          : `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
      )
    }
    if (typeof req.headers['x-ms-version'] !== 'string') {
      this.violations.push(`${op} ${url.pathname}: no x-ms-version header`)
      error(400, 'MissingRequiredHeader', 'x-ms-version')
      return
    }
    const match = new RegExp(`^/${BLOB_CONTAINER}/(\\d+)$`).exec(url.pathname)
    const entry = match === null ? undefined : this.entries.find((e) => e.id === Number(match[1]))
    if (entry === undefined) {
      error(404, 'BlobNotFound', 'The specified blob does not exist.')
      return
    }
    const sig = url.searchParams.get('sig')
    const permissions = url.searchParams.get('sp') ?? ''
    if (op === 'BlobPut') {
      if (sig !== entry.uploadSig || !permissions.includes('w')) {
        this.violations.push(`${op} ${url.pathname}: signature is not this entry's upload SAS`)
        error(403, 'AuthenticationFailed', 'Server failed to authenticate the request.')
        return
      }
      if (url.searchParams.has('comp')) {
        this.violations.push(
          `${op}: staged block uploads (comp=${url.searchParams.get('comp')}) are not implemented by the fake`,
        )
        error(400, 'UnsupportedQueryParameter', 'comp')
        return
      }
      if (req.headers['x-ms-blob-type'] !== 'BlockBlob') {
        this.violations.push(`${op}: x-ms-blob-type is ${String(req.headers['x-ms-blob-type'])}`)
        error(400, 'MissingRequiredHeader', 'x-ms-blob-type')
        return
      }
      if (Number(req.headers['content-length']) !== body.length) {
        this.violations.push(`${op}: content-length does not match the body`)
        error(400, 'InvalidHeaderValue', 'content-length')
        return
      }
      if (entry.finalized) {
        error(409, 'BlobImmutable', 'the entry is finalized')
        return
      }
      entry.data = body
      this.answer(op, res, 201, { ...blobHeaders(entry, req), 'content-length': '0' }, '')
      return
    }
    if (sig !== entry.downloadSig || !permissions.includes('r')) {
      this.violations.push(`${op} ${url.pathname}: signature is not this entry's download SAS`)
      error(403, 'AuthenticationFailed', 'Server failed to authenticate the request.')
      return
    }
    if (!entry.finalized || entry.data === null) {
      error(404, 'BlobNotFound', 'The specified blob does not exist.')
      return
    }
    const data = entry.data
    const headers = {
      ...blobHeaders(entry, req),
      'accept-ranges': 'bytes',
      'x-ms-blob-type': 'BlockBlob',
    }
    if (op === 'BlobHead') {
      this.answer(op, res, 200, { ...headers, 'content-length': String(data.length) }, '')
      return
    }
    const range = String(req.headers['x-ms-range'] ?? req.headers.range ?? '')
    if (range === '') {
      this.answer(op, res, 200, { ...headers, 'content-length': String(data.length) }, data)
      return
    }
    const r = /^bytes=(\d+)-(\d*)$/.exec(range)
    const start = r === null ? NaN : Number(r[1])
    if (r === null || start >= data.length) {
      error(
        416,
        'InvalidRange',
        'The range specified is invalid for the current size of the resource.',
      )
      return
    }
    const end = r[2] === '' ? data.length - 1 : Math.min(Number(r[2]), data.length - 1)
    this.answer(
      op,
      res,
      206,
      {
        ...headers,
        'content-length': String(end - start + 1),
        'content-range': `bytes ${start}-${end}/${data.length}`,
      },
      data.subarray(start, end + 1),
    )
  }

  private answer(
    op: string,
    res: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body: string | Buffer,
  ) {
    this.requests.push({ op, status })
    res.writeHead(status, headers)
    res.end(body)
  }
}

function blobHeaders(entry: FakeCacheEntry, req: IncomingMessage): Record<string, string> {
  return {
    etag: `"0x8DC${entry.id.toString(16).padStart(12, '0').toUpperCase()}"`,
    'last-modified': new Date(entry.createdAt).toUTCString(),
    'x-ms-request-id': randomBytes(8).toString('hex'),
    'x-ms-version': String(req.headers['x-ms-version']),
    date: new Date().toUTCString(),
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY) {
        reject(new TwirpError(413, 'resource_exhausted', 'body too large for the fake'))
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/** The request message, checked as the service's Twirp JSON decoder and validation would. */
function parseMessage(op: string, body: Buffer): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(body.toString('utf8'))
  } catch {
    throw new TwirpError(400, 'malformed', 'the body is not JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TwirpError(400, 'malformed', 'the body is not a JSON object')
  }
  const m = value as Record<string, unknown>
  const allowed = REQUEST_FIELDS[op]!
  for (const field of Object.keys(m)) {
    if (!allowed.includes(field)) throw new TwirpError(400, 'malformed', `unknown field ${field}`)
  }
  const keys = [m.key, ...(Array.isArray(m.restore_keys) ? m.restore_keys : [])]
  if (m.restore_keys !== undefined && !Array.isArray(m.restore_keys)) {
    throw new TwirpError(400, 'malformed', 'restore_keys is not a list')
  }
  for (const key of keys) {
    if (typeof key !== 'string' || key === '' || key.length > 512 || key.includes(',')) {
      throw new TwirpError(400, 'invalid_argument', `key ${JSON.stringify(key)} is not valid`)
    }
  }
  if (typeof m.version !== 'string' || !/^[0-9a-f]{64}$/.test(m.version)) {
    throw new TwirpError(400, 'invalid_argument', 'version must be 64 hex characters')
  }
  if (op === 'FinalizeCacheEntryUpload' && !/^\d+$/.test(String(m.size_bytes))) {
    throw new TwirpError(400, 'invalid_argument', 'size_bytes must be an int64')
  }
  return m
}
