/**
 * The sticky PR comment: one per pull request and gate, updated in place on every run, never a
 * new one per push, and never written by a run that is older than the one already reported
 * (DESIGN "A report from an older run never overwrites a newer one").
 *
 * A comment is ours when BOTH hold:
 *   - its first line is exactly `<!-- quorum:gate=NAME -->`, and
 *   - its author is the token's identity.
 * Anyone can paste the marker into a comment of their own; the author check is what makes such a
 * copy inert (it is never edited, and never mistaken for our report). The second line,
 * `<!-- quorum:head=SHA run=RUN_ID.ATTEMPT -->`, records which commit and which workflow run the
 * report is for, so a late, older run can tell that it would overwrite a newer one.
 */

import { truncateText } from './check-run.ts'
import type { GitHubClient } from './client.ts'
import {
  GitHubApiError,
  classifyGitHubError,
  warnGitHubFailure,
  type GitHubLog,
  type GitHubOperation,
} from './errors.ts'

/** GitHub refuses longer comment bodies (422 "Body is too long (maximum is 65536 characters)"). */
export const MAX_COMMENT_CHARS = 65536
/** The author of comments written with the workflow's GITHUB_TOKEN. */
export const GITHUB_ACTIONS_LOGIN = 'github-actions[bot]'

const GATE_NAME = /^[A-Za-z0-9_.-]{1,100}$/
const SHA = /^[0-9a-f]{7,64}$/i
const RUN_PART = /^\d{1,20}$/
const HEAD_LINE = /^<!-- quorum:head=([0-9a-f]{7,64}) run=(\d{1,20})\.(\d{1,20}) -->$/i
const OUR_LEADING_LINE = /^<!-- quorum:(?:gate|head)=[^\n]* -->$/
/** Attempts at creating the comment when GitHub answers 5xx or the connection drops. */
const CREATE_ATTEMPTS = 3
/** 100 pages of 100 comments: a bound on the listing loop, far above any real PR. */
const DEFAULT_MAX_PAGES = 100

/** The first line that identifies the comment of a gate. Throws on a name that could break it. */
export function commentMarker(gate: string): string {
  // The gate name comes from config; `-->` or a newline in it would end the HTML comment early
  // and make the marker forgeable or unmatchable. The inputs layer validates it first; this is
  // the last guard.
  if (!GATE_NAME.test(gate)) throw new RangeError(`invalid gate name for a comment marker: ${gate}`)
  return `<!-- quorum:gate=${gate} -->`
}

/** The second line: which commit and which workflow run (id.attempt) the report is for. */
export function headMarker(
  headSha: string,
  runId: string | number,
  runAttempt: string | number,
): string {
  const id = String(runId)
  const attempt = String(runAttempt)
  if (!SHA.test(headSha)) throw new RangeError(`invalid head sha: ${headSha}`)
  if (!RUN_PART.test(id) || !RUN_PART.test(attempt)) {
    throw new RangeError(`invalid run id/attempt: ${id}.${attempt}`)
  }
  return `<!-- quorum:head=${headSha.toLowerCase()} run=${id}.${attempt} -->`
}

export interface CommentProvenance {
  headSha: string
  runId: bigint
  runAttempt: bigint
}

/** Reads the head marker from a comment body's second line; null when absent or malformed. */
export function parseProvenance(body: string): CommentProvenance | null {
  const line = body.split(/\r?\n/, 2)[1]
  const m = line === undefined ? null : HEAD_LINE.exec(line)
  if (m === null) return null
  return {
    headSha: (m[1] as string).toLowerCase(),
    runId: BigInt(m[2] as string),
    runAttempt: BigInt(m[3] as string),
  }
}

/** Orders two runs: a later workflow run id wins, then a later attempt. */
function compareRuns(a: CommentProvenance, b: CommentProvenance): number {
  if (a.runId !== b.runId) return a.runId < b.runId ? -1 : 1
  if (a.runAttempt !== b.runAttempt) return a.runAttempt < b.runAttempt ? -1 : 1
  return 0
}

/** Builds the full comment body: our two marker lines, then the rendered report. */
export function composeCommentBody(
  target: Pick<StickyCommentTarget, 'gate' | 'headSha' | 'runId' | 'runAttempt'>,
  rendered: string,
): { body: string; truncated: boolean } {
  // A renderer that already put our markers on top must not produce a body whose first line is
  // ours but whose second line is stale, so any leading quorum marker lines are replaced.
  const lines = rendered.split('\n')
  while (lines.length > 0 && OUR_LEADING_LINE.test((lines[0] as string).replace(/\r$/, ''))) {
    lines.shift()
  }
  const head = `${commentMarker(target.gate)}\n${headMarker(target.headSha, target.runId, target.runAttempt)}\n`
  const { text, truncated } = truncateText(
    head + lines.join('\n'),
    MAX_COMMENT_CHARS,
    '\n\n… truncated: the report is longer than a GitHub comment allows; see the job summary.',
  )
  return { body: text, truncated }
}

export interface StickyCommentTarget {
  owner: string
  repo: string
  /** Pull request number (the issue number the comment lives on). */
  pullNumber: number
  gate: string
  /** The PR head commit this report is for. */
  headSha: string
  /** GITHUB_RUN_ID and GITHUB_RUN_ATTEMPT. */
  runId: string | number
  runAttempt: string | number
}

export type StickyCommentResult =
  | { status: 'created' | 'updated'; id: number; url: string; truncated: boolean }
  /** Not written: the PR head moved on, or a newer run already reported. */
  | { status: 'stale'; reason: string }
  /** Written, but the PR moved on meanwhile; the comment now says it is outdated. */
  | { status: 'superseded'; id: number; url: string; reason: string }
  | { status: 'failed'; error: GitHubApiError }

export interface StickyCommentOptions {
  /**
   * Login that authors our comments. Default: GET /user (works for PATs), falling back to
   * github-actions[bot] when GitHub refuses it (installation tokens such as GITHUB_TOKEN).
   * Pass it for a GitHub App token (`my-app[bot]`), which GET /user cannot identify.
   */
  expectedAuthor?: string
  /** Back-off unit in ms between create attempts (default 1000). Tests shrink it. */
  retryBaseMs?: number
  /** Bound on the pages of 100 comments read when looking for ours (default 100). */
  maxPages?: number
}

interface ListedComment {
  id: number
  body?: string | null
  html_url: string
  user: { login: string } | null
}

/** Carries the operation that failed so the warning names the right permission. */
class StageError extends Error {
  readonly operation: GitHubOperation
  readonly original: unknown
  constructor(operation: GitHubOperation, original: unknown) {
    super('stage failed')
    this.operation = operation
    this.original = original
  }
}

/** Writes the sticky comment of one gate. Failures are returned and warned about, never thrown. */
export class StickyCommentWriter {
  private readonly client: GitHubClient
  private readonly log: GitHubLog
  private readonly options: StickyCommentOptions
  private identity: string | null

  constructor(client: GitHubClient, log: GitHubLog, options: StickyCommentOptions = {}) {
    this.client = client
    this.log = log
    this.options = options
    this.identity = options.expectedAuthor ?? null
  }

  /** The login our comments are written by (see StickyCommentOptions.expectedAuthor). */
  async resolveIdentity(): Promise<string> {
    if (this.identity !== null) return this.identity
    try {
      const { data } = await this.client.rest.users.getAuthenticated()
      this.identity = data.login
    } catch (error) {
      const status = (error as { status?: unknown }).status
      // Installation tokens get 403 "Resource not accessible by integration" here. Any other
      // failure (401, 5xx) is not evidence about who we are: guessing would risk a duplicate
      // comment, so it fails the write instead.
      if (status !== 403) throw new StageError('identity', error)
      this.log.debug(`GET /user refused (installation token); assuming ${GITHUB_ACTIONS_LOGIN}`)
      this.identity = GITHUB_ACTIONS_LOGIN
    }
    return this.identity
  }

  /**
   * Creates or updates the gate's comment on the PR with `rendered` (markdown from the report
   * views, without markers). Checks staleness before and after writing; see the file header.
   */
  async upsert(target: StickyCommentTarget, rendered: string): Promise<StickyCommentResult> {
    const { body, truncated } = composeCommentBody(target, rendered)
    if (truncated) this.log.warning('The PR comment was longer than GitHub allows; truncated.')
    const ours = parseProvenance(body) as CommentProvenance
    try {
      const identity = await this.resolveIdentity()
      const head = await this.pullHead(target)
      if (head !== ours.headSha) {
        return this.stale(
          `the pull request head is now ${head}, this report is for ${ours.headSha}`,
        )
      }

      let written: { id: number; url: string; created: boolean } | null = null
      for (let attempt = 1; written === null; attempt++) {
        const existing = await this.findOurComment(target, identity)
        if (existing !== null) {
          const theirs = parseProvenance(existing.body ?? '')
          if (theirs !== null && compareRuns(theirs, ours) === 0 && existing.body === body) {
            // Our own write landed although its response was lost (see the create path below).
            written = { id: existing.id, url: existing.html_url, created: attempt > 1 }
            break
          }
          const reason = await this.newerThanUs(target, theirs, ours)
          if (reason !== null) return this.stale(reason)
          const { data } = await this.guard('comment', () =>
            this.client.rest.issues.updateComment({
              owner: target.owner,
              repo: target.repo,
              comment_id: existing.id,
              body,
            }),
          )
          written = { id: data.id, url: data.html_url, created: false }
          break
        }
        try {
          // Automatic retry is off for this POST: a 502 can arrive after GitHub created the
          // comment, and a blind retry would post a second one. Instead the loop re-lists and
          // only posts again when our comment is really not there.
          const { data } = await this.client.rest.issues.createComment({
            owner: target.owner,
            repo: target.repo,
            issue_number: target.pullNumber,
            body,
            request: { retries: 0 },
          })
          written = { id: data.id, url: data.html_url, created: true }
          if (data.user !== null && data.user.login.toLowerCase() !== identity.toLowerCase()) {
            this.log.warning(
              `The PR comment was written as ${data.user.login}, not ${identity}: the next run ` +
                'will not recognise it and will post another. Pass the comment author ' +
                'explicitly for this token.',
            )
            // At least the rest of this process (the post-write check) knows who wrote it.
            this.identity = data.user.login
          }
        } catch (error) {
          const classified = classifyGitHubError(error, 'comment')
          if (classified.kind !== 'transient' || attempt >= CREATE_ATTEMPTS) {
            throw new StageError('comment', error)
          }
          this.log.info(`Creating the PR comment failed (${classified.message}); checking again.`)
          await sleep((this.options.retryBaseMs ?? 1000) * attempt * attempt)
        }
      }

      const result = await this.verifyStillCurrent(target, written, body, ours)
      if (result !== null) return result
      return {
        status: written.created ? 'created' : 'updated',
        id: written.id,
        url: written.url,
        truncated,
      }
    } catch (error) {
      const classified =
        error instanceof StageError
          ? classifyGitHubError(error.original, error.operation)
          : classifyGitHubError(error, 'comment')
      warnGitHubFailure(this.log, classified)
      return { status: 'failed', error: classified }
    }
  }

  private stale(reason: string): StickyCommentResult {
    this.log.info(`PR comment not written: ${reason}.`)
    return { status: 'stale', reason }
  }

  private async guard<T>(operation: GitHubOperation, call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      throw new StageError(operation, error)
    }
  }

  private async pullHead(target: StickyCommentTarget): Promise<string> {
    const { data } = await this.guard('read-pull-request', () =>
      this.client.rest.pulls.get({
        owner: target.owner,
        repo: target.repo,
        pull_number: target.pullNumber,
      }),
    )
    return data.head.sha.toLowerCase()
  }

  /** The newest comment that is ours (marker on the first line AND written by us), or null. */
  private async findOurComment(
    target: StickyCommentTarget,
    identity: string,
  ): Promise<ListedComment | null> {
    const marker = commentMarker(target.gate)
    const login = identity.toLowerCase()
    const maxPages = this.options.maxPages ?? DEFAULT_MAX_PAGES
    let newest: ListedComment | null = null
    let pages = 0
    await this.guard('comment', async () => {
      const pagesOf = this.client.paginate.iterator(this.client.rest.issues.listComments, {
        owner: target.owner,
        repo: target.repo,
        issue_number: target.pullNumber,
        per_page: 100,
      })
      for await (const page of pagesOf) {
        if (++pages > maxPages) {
          // Giving up is safer than guessing "not found" and posting a duplicate.
          throw new GitHubApiError({
            kind: 'unexpected',
            operation: 'comment',
            status: null,
            message: `more than ${maxPages * 100} comments on the pull request`,
            hint: 'Quorum stopped looking for its comment to avoid posting a duplicate.',
          })
        }
        for (const c of page.data as ListedComment[]) {
          const first = (c.body ?? '').split(/\r?\n/, 1)[0]
          if (first !== marker || c.user?.login.toLowerCase() !== login) continue
          // If an old bug left several, the newest is the one readers see last; the others are
          // left alone rather than deleted (deleting is not ours to decide).
          if (newest === null || c.id > newest.id) newest = c
        }
      }
    })
    return newest
  }

  /**
   * Why the existing comment must not be overwritten by us, or null. It must not when it reports
   * on a different commit that is the PR's head now (re-read: our earlier read may be outdated),
   * or on our commit from a later workflow run.
   */
  private async newerThanUs(
    target: StickyCommentTarget,
    theirs: CommentProvenance | null,
    ours: CommentProvenance,
  ): Promise<string | null> {
    if (theirs === null) return null
    if (theirs.headSha !== ours.headSha) {
      const head = await this.pullHead(target)
      if (head !== ours.headSha) {
        return `the pull request head is now ${head}, this report is for ${ours.headSha}`
      }
      return null
    }
    if (compareRuns(theirs, ours) > 0) {
      return `run ${theirs.runId}.${theirs.runAttempt} already reported on ${ours.headSha}`
    }
    return null
  }

  /**
   * After writing: if the PR moved on while we wrote, our comment may have replaced a newer
   * report. There is no compare-and-swap for comments (PATCH takes no If-Match), so the window
   * between our last check and our write cannot be closed; what we can do is notice it and mark
   * our comment as outdated, so nobody trusts it. The newer run then overwrites it (it sees its
   * own head as the PR head), and the per-commit check runs stay authoritative either way.
   * A newer run writing between our GET and our PATCH below is the residual race.
   */
  private async verifyStillCurrent(
    target: StickyCommentTarget,
    written: { id: number; url: string },
    body: string,
    ours: CommentProvenance,
  ): Promise<StickyCommentResult | null> {
    let head: string
    try {
      head = await this.pullHead(target)
    } catch (error) {
      this.log.debug(`Could not re-check the PR head after writing: ${String(error)}`)
      return null
    }
    if (head === ours.headSha) return null
    const reason = `the pull request head moved to ${head} while this report for ${ours.headSha} was written`
    const { data: current } = await this.guard('comment', () =>
      this.client.rest.issues.getComment({
        owner: target.owner,
        repo: target.repo,
        comment_id: written.id,
      }),
    )
    if (current.body === body) {
      const [marker, provenance, ...rest] = body.split('\n')
      const notice =
        `> [!WARNING]\n> Outdated: this report is for ${ours.headSha.slice(0, 12)}, but the pull ` +
        `request head is now ${head.slice(0, 12)}. A newer run will replace it.\n`
      const outdated = truncateText(
        [marker, provenance, notice, ...rest].join('\n'),
        MAX_COMMENT_CHARS,
      ).text
      await this.guard('comment', () =>
        this.client.rest.issues.updateComment({
          owner: target.owner,
          repo: target.repo,
          comment_id: written.id,
          body: outdated,
        }),
      )
    }
    this.log.warning(`The PR comment may be outdated: ${reason}.`)
    return { status: 'superseded', id: written.id, url: written.url, reason }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
