/**
 * What went wrong when talking to GitHub, as data. Reporting (check run, comment, summary,
 * outputs) is a side effect of a verdict, never an input to it: every failure here ends up as a
 * loud warning that says how to fix it, and the caller (main) decides the job status from the
 * verdict alone (DESIGN "A failure to talk to GitHub is a loud warning, never a silent change of
 * verdict").
 */
/** The minimal logger the github/ modules need; @actions/core satisfies it, tests pass a stub. */
export interface GitHubLog {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
}

/**
 * - permission: the token lacks a permission (403 "Resource not accessible by integration"), e.g.
 *   a fork PR's read-only GITHUB_TOKEN or a job without `permissions: checks: write`.
 * - auth: the token is missing, expired or wrong (401).
 * - rate-limit: primary or secondary rate limit, still failing after the throttling retries.
 * - not-found: 404/410: wrong repository, PR or id, or a token that cannot see the repository.
 * - validation: 400/422: GitHub refused what we sent. A bug on our side; the body says which field.
 * - transient: 5xx or a network failure, still failing after the retries.
 * - unexpected: anything else (including errors that did not come from an HTTP call).
 */
export type GitHubErrorKind =
  'permission' | 'auth' | 'rate-limit' | 'not-found' | 'validation' | 'transient' | 'unexpected'

/** What Quorum was doing, so the warning can name the permission that operation needs. */
export type GitHubOperation = 'check-run' | 'comment' | 'read-pull-request' | 'identity'

/** The permission (workflow `permissions:` syntax) each operation needs to write or read. */
const NEEDED_PERMISSION: Record<GitHubOperation, string> = {
  'check-run': 'checks: write',
  comment: 'pull-requests: write',
  'read-pull-request': 'pull-requests: read',
  identity: 'none (GET /user is optional)',
}

const WHAT: Record<GitHubOperation, string> = {
  'check-run': 'write the check run',
  comment: 'write the pull request comment',
  'read-pull-request': 'read the pull request',
  identity: 'look up the token identity',
}

/**
 * A GitHub API failure, classified by `kind`, its one category. Never thrown across the reporting
 * boundary: writers return it and the action warns with it, so it has no fate for the entry to
 * decide (it is not a QuorumError; what is thrown on, like ArtifactError, carries its own).
 */
export class GitHubApiError extends Error {
  readonly kind: GitHubErrorKind
  readonly operation: GitHubOperation
  /** HTTP status, or null for a network failure or a non-HTTP error. */
  readonly status: number | null
  /**
   * The permission to grant, in workflow syntax (`checks: write`), when kind is 'permission'.
   * Taken from GitHub's x-accepted-github-permissions header when present.
   */
  readonly permission: string | null
  /** One sentence: how to make this go away. */
  readonly hint: string
  /** GitHub's response body, bounded, for validation errors (it names the offending field). */
  readonly responseBody: string | null

  constructor(init: {
    kind: GitHubErrorKind
    operation: GitHubOperation
    status: number | null
    message: string
    permission?: string | null
    hint: string
    responseBody?: string | null
    cause?: unknown
  }) {
    super(init.message, { cause: init.cause })
    this.name = 'GitHubApiError'
    this.kind = init.kind
    this.operation = init.operation
    this.status = init.status
    this.permission = init.permission ?? null
    this.hint = init.hint
    this.responseBody = init.responseBody ?? null
  }

  /**
   * The warning line for the job log (one line: @actions/core escapes it into one annotation).
   * States that the verdict is unaffected, so nobody reads a missing comment as a pass or a fail.
   */
  toWarning(): string {
    const status = this.status === null ? '' : ` (HTTP ${this.status})`
    return (
      `Quorum could not ${WHAT[this.operation]}: ${this.kind}${status}: ${this.message}. ` +
      `${this.hint} The verdict is not affected.`
    )
  }
}

interface HttpLikeError {
  status?: unknown
  message?: unknown
  response?: { headers?: Record<string, unknown>; data?: unknown }
}

function asHttpLike(error: unknown): HttpLikeError | null {
  return typeof error === 'object' && error !== null ? (error as HttpLikeError) : null
}

const MAX_BODY_CHARS = 2000

function describeBody(data: unknown): string | null {
  if (data === undefined || data === null || data === '') return null
  const text = typeof data === 'string' ? data : JSON.stringify(data)
  return text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}…` : text
}

/**
 * Turns `x-accepted-github-permissions: issues=write; pull_requests=write` into
 * `issues: write` or `pull-requests: write` (sets are alternatives, separated by `;`).
 */
export function parseAcceptedPermissions(header: unknown): string | null {
  if (typeof header !== 'string' || header.trim() === '') return null
  const sets = header
    .split(';')
    .map((set) =>
      set
        .split(',')
        .map((p) => p.trim())
        .filter((p) => /^[a-z_]+=[a-z]+$/.test(p))
        .map((p) => {
          const [name, level] = p.split('=') as [string, string]
          return `${name.replace(/_/g, '-')}: ${level}`
        })
        .join(' and '),
    )
    .filter((s) => s !== '')
  return sets.length === 0 ? null : sets.join(' or ')
}

function permissionHint(operation: GitHubOperation, permission: string): string {
  const alternatives = permission.split(' or ')
  // Recommend the permission that fits the operation (pull-requests for PR comments) when GitHub
  // accepts it among its alternatives, rather than whichever it happens to list first.
  const recommended = alternatives.includes(NEEDED_PERMISSION[operation])
    ? NEEDED_PERMISSION[operation]
    : alternatives[0]
  return (
    `Add \`permissions: { ${recommended} }\` to the job (or grant it to the ` +
    `token you pass). Pull requests from forks get a read-only GITHUB_TOKEN under ` +
    `\`pull_request\`; see the README section on fork pull requests.` +
    (operation === 'comment' ? ' `issues: write` also allows commenting.' : '')
  )
}

/**
 * Classifies anything an Octokit call can throw. `operation` says what we were doing, which
 * decides the permission named when GitHub does not send x-accepted-github-permissions.
 */
export function classifyGitHubError(error: unknown, operation: GitHubOperation): GitHubApiError {
  if (error instanceof GitHubApiError) return error
  const http = asHttpLike(error)
  const rawStatus = http?.status
  const status = typeof rawStatus === 'number' ? rawStatus : null
  const message = typeof http?.message === 'string' ? http.message : String(error)
  const headers = http?.response?.headers ?? {}
  const data = http?.response?.data
  const hasResponse = http?.response !== undefined
  const base = { operation, status, message: firstLine(message), cause: error }

  if (status === null) {
    return new GitHubApiError({
      ...base,
      kind: 'unexpected',
      hint: 'This is probably a bug in Quorum; please report it with the log.',
    })
  }
  // Octokit reports network failures (DNS, reset, timeout) as status 500 without a response.
  if (!hasResponse && status === 500) {
    return new GitHubApiError({
      ...base,
      kind: 'transient',
      status: null,
      hint: 'The GitHub API could not be reached after retries; re-run the job.',
    })
  }
  const isRateLimited =
    status === 429 ||
    (status === 403 &&
      (/rate limit/i.test(message) || String(headers['x-ratelimit-remaining']) === '0'))
  if (isRateLimited) {
    return new GitHubApiError({
      ...base,
      kind: 'rate-limit',
      hint: 'GitHub rate-limited this token and retries were exhausted; re-run the job later.',
    })
  }
  if (status === 401) {
    return new GitHubApiError({
      ...base,
      kind: 'auth',
      hint: 'The token is missing, expired or invalid; check the `token` input.',
    })
  }
  if (status === 403) {
    const permission =
      parseAcceptedPermissions(headers['x-accepted-github-permissions']) ??
      NEEDED_PERMISSION[operation]
    return new GitHubApiError({
      ...base,
      kind: 'permission',
      permission,
      hint: permissionHint(operation, permission),
    })
  }
  if (status === 404 || status === 410) {
    return new GitHubApiError({
      ...base,
      kind: 'not-found',
      hint:
        'The repository, pull request or object was not found, or the token cannot see it ' +
        '(a token for another repository, or one without read access).',
    })
  }
  if (status === 400 || status === 422) {
    return new GitHubApiError({
      ...base,
      kind: 'validation',
      responseBody: describeBody(data),
      hint: 'GitHub refused the request Quorum sent; this is a bug in Quorum, please report it.',
    })
  }
  if (status >= 500) {
    return new GitHubApiError({
      ...base,
      kind: 'transient',
      hint: 'GitHub returned a server error after retries; re-run the job.',
    })
  }
  return new GitHubApiError({
    ...base,
    kind: 'unexpected',
    responseBody: describeBody(data),
    hint: 'Unexpected response from GitHub; please report it with the log.',
  })
}

/**
 * Logs a reporting failure loudly (a `::warning::` through @actions/core) with how to fix it.
 * Called once per failure, by the action, from the result a writer returned (writers never log
 * their own failures, so nothing is said twice). Never throws, never decides anything: the
 * verdict stands.
 */
export function warnGitHubFailure(log: GitHubLog, error: GitHubApiError): void {
  log.warning(error.toWarning())
  if (error.responseBody !== null) {
    // Kept out of the warning line: the body can be long, and it is only useful for a bug report.
    log.info(`GitHub response body: ${error.responseBody}`)
  }
  if (error.cause instanceof Error && error.cause.stack) log.debug(error.cause.stack)
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/, 1)[0] ?? ''
  return line.length > 300 ? `${line.slice(0, 300)}…` : line
}
