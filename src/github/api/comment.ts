/**
 * The sticky PR comment: one per pull request and gate, updated in place on every run, never a
 * new one per push, and never written by a run that is older than the one already reported
 * (DESIGN "A report from an older run never overwrites a newer one").
 *
 * This module only finds, creates and updates the comment. Its body, hidden marker lines and size
 * included, is made whole by the comment view (src/report/markdown.ts renderComment) and posted
 * as it is.
 *
 * A comment is ours when BOTH hold:
 *   - its first line is exactly `<!-- quorum:gate=NAME -->`, and
 *   - its author is the token's identity.
 * Anyone can paste the marker into a comment of their own; the author check is what makes such a
 * copy inert (it is never edited, and never mistaken for our report). The second line,
 * `<!-- quorum:head=SHA run=RUN_ID.ATTEMPT -->`, records which commit and which workflow run the
 * report is for, so a late, older run can tell that it would overwrite a newer one
 * (src/report/comment-markers.ts).
 */

import { QuorumError } from '../../engine/errors.ts'
import type { GitHubClient } from './client.ts'
import {
  GitHubApiError,
  classifyGitHubError,
  type GitHubLog,
  type GitHubOperation,
} from './errors.ts'
import {
  commentMarker,
  headMarker,
  parseProvenance,
  type CommentProvenance,
} from '../../report/comment-markers.ts'
import { COMMENT_MAX_CHARS } from '../../report/limits.ts'
import { markCommentOutdated } from '../../report/markdown.ts'

/** The author of comments written with the workflow's GITHUB_TOKEN. */
export const GITHUB_ACTIONS_LOGIN = 'github-actions[bot]'

/** Attempts at creating the comment when GitHub answers 5xx or the connection drops. */
const CREATE_ATTEMPTS = 3
/** 100 pages of 100 comments: a bound on the listing loop, far above any real PR. */
const DEFAULT_MAX_PAGES = 100

/** Orders two runs: a later workflow run id wins, then a later attempt. */
function compareRuns(a: CommentProvenance, b: CommentProvenance): number {
  if (a.runId !== b.runId) return a.runId < b.runId ? -1 : 1
  if (a.runAttempt !== b.runAttempt) return a.runAttempt < b.runAttempt ? -1 : 1
  return 0
}

/**
 * The two hidden lines a body for `target` starts with, and the provenance they record. Throws a
 * RangeError for a gate name, sha or run that could not be a marker.
 */
function targetMarkers(target: StickyCommentTarget): { lines: string; ours: CommentProvenance } {
  const head = headMarker(target.headSha, target.runId, target.runAttempt)
  const lines = `${commentMarker(target.gate)}\n${head}\n`
  const ours = {
    headSha: target.headSha.toLowerCase(),
    runId: BigInt(target.runId),
    runAttempt: BigInt(target.runAttempt),
  }
  return { lines, ours }
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

/**
 * What happened to the comment. Nothing here is logged as a warning by the writer: the caller
 * (the action's publish) says each of these once.
 */
export type StickyCommentResult =
  | {
      status: 'created' | 'updated'
      id: number
      url: string
      /**
       * Set when GitHub wrote the comment as another login than the one we look for: the next
       * run will not recognise it and will post another (pass the author explicitly).
       */
      authorMismatch: { expected: string; actual: string } | null
    }
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
class StageError extends QuorumError {
  readonly operation: GitHubOperation
  readonly original: unknown
  constructor(operation: GitHubOperation, original: unknown) {
    super('environment', 'stage failed')
    this.operation = operation
    this.original = original
  }
}

/** Writes the sticky comment of one gate. Failures are returned, never thrown or warned about. */
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
   * Creates or updates the gate's comment on the PR with `body`, posted as it is: the whole body
   * from renderComment, which starts with the two hidden lines of `target` and fits GitHub's
   * limit. Checks staleness before and after writing; see the file header. A body that does not
   * start with the target's hidden lines, or is too long, is a programming error: a RangeError is
   * thrown before anything is sent (such a body would never be found again, or be refused).
   */
  async upsert(target: StickyCommentTarget, body: string): Promise<StickyCommentResult> {
    const { lines, ours } = targetMarkers(target)
    if (!body.startsWith(lines)) {
      throw new RangeError("the comment body must start with its target's hidden marker lines")
    }
    if (body.length > COMMENT_MAX_CHARS) {
      throw new RangeError(`the comment body is ${body.length} characters, over GitHub's limit`)
    }
    try {
      const identity = await this.resolveIdentity()
      const head = await this.pullHead(target)
      if (head !== ours.headSha) {
        return this.stale(
          `the pull request head is now ${head}, this report is for ${ours.headSha}`,
        )
      }

      let written: { id: number; url: string; created: boolean } | null = null
      let authorMismatch: { expected: string; actual: string } | null = null
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
            authorMismatch = { expected: identity, actual: data.user.login }
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
        authorMismatch,
      }
    } catch (error) {
      const classified =
        error instanceof StageError
          ? classifyGitHubError(error.original, error.operation)
          : classifyGitHubError(error, 'comment')
      return { status: 'failed', error: classified }
    }
  }

  private stale(reason: string): StickyCommentResult {
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
    const outdated =
      current.body === body
        ? markCommentOutdated(body, { report: ours.headSha, pullRequest: head })
        : null
    if (outdated !== null) {
      await this.guard('comment', () =>
        this.client.rest.issues.updateComment({
          owner: target.owner,
          repo: target.repo,
          comment_id: written.id,
          body: outdated,
        }),
      )
    }
    return { status: 'superseded', id: written.id, url: written.url, reason }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
