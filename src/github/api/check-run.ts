/**
 * The `quorum` check run: created in_progress when the gate starts, completed with the verdict.
 * Branch protection requires it by name, so its name and conclusion are the contract; the
 * markdown in it is rendered elsewhere (src/report) and only passed through here, with GitHub's
 * size limits (src/report/limits.ts) enforced as a last line of defence for text that did not
 * come from the views (the action's own failure messages).
 */

import type { GitHubClient } from './client.ts'
import { DEFAULT_GATE_NAME } from '../action/constants.ts'
import type { Annotation } from '../../report/annotations.ts'
import {
  ANNOTATION_TEXT_MAX_BYTES,
  ANNOTATION_TITLE_MAX_CHARS,
  ANNOTATIONS_PER_REQUEST,
  CHECK_RUN_SUMMARY_MAX_CHARS,
  CHECK_RUN_TEXT_MAX_CHARS,
  fitWithNote,
  measureBytes,
  measureChars,
} from '../../report/limits.ts'
import { classifyGitHubError, type GitHubApiError, type GitHubLog } from './errors.ts'

const TRUNCATED = '\n\n… truncated (GitHub limits this field; the full report is in the job log)'

/** One annotation, in the checks API's own shape: the report's, plus raw details. */
export interface CheckRunAnnotation extends Annotation {
  raw_details?: string
}

export interface CheckRunStartInput {
  owner: string
  repo: string
  /** Use `checkRunName(gate)`: required status checks match on this exact string. */
  name: string
  headSha: string
  /** Link for "Details", e.g. the workflow run. */
  detailsUrl?: string
  externalId?: string
}

/**
 * Only success and failure: Quorum always decides. neutral/skipped would satisfy a required
 * check on GitHub without a decision having been made.
 */
export type CheckRunConclusion = 'success' | 'failure'

export interface CheckRunCompletion {
  conclusion: CheckRunConclusion
  title: string
  summary: string
  text?: string
  annotations?: CheckRunAnnotation[]
}

export type CheckRunStartResult =
  { status: 'started'; id: number; url: string } | { status: 'failed'; error: GitHubApiError }

export type CheckRunCompleteResult =
  | {
      status: 'completed'
      id: number
      url: string
      annotations: number
      /** The summary or text was over GitHub's limit and cut here (never for the views' output). */
      truncated: boolean
    }
  /** start failed for permission: nothing was written and nothing will be. */
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; error: GitHubApiError }

/** `quorum` for the default gate, `quorum (NAME)` otherwise. */
export function checkRunName(gateName: string | null | undefined): string {
  const gate = (gateName ?? '').trim()
  return gate === '' || gate === DEFAULT_GATE_NAME ? 'quorum' : `quorum (${gate})`
}

/** An annotation's message or raw details, cut to GitHub's 64 KB. */
function fitAnnotationText(text: string): string {
  return fitWithNote(text, ANNOTATION_TEXT_MAX_BYTES, measureBytes, '… truncated').text
}

/** Makes an annotation acceptable to GitHub without changing what it says where it can. */
function sanitizeAnnotation(a: CheckRunAnnotation): CheckRunAnnotation {
  const start = Math.max(1, Math.trunc(a.start_line) || 1)
  const end = Math.max(start, Math.trunc(a.end_line) || start)
  const out: CheckRunAnnotation = {
    path: a.path,
    start_line: start,
    end_line: end,
    annotation_level: a.annotation_level,
    message: fitAnnotationText(a.message),
  }
  // GitHub only accepts columns on single-line annotations.
  if (start === end && a.start_column !== undefined) out.start_column = a.start_column
  if (start === end && a.end_column !== undefined) out.end_column = a.end_column
  if (a.title !== undefined) {
    out.title = fitWithNote(a.title, ANNOTATION_TITLE_MAX_CHARS, measureChars, '…').text
  }
  if (a.raw_details !== undefined) out.raw_details = fitAnnotationText(a.raw_details)
  return out
}

/**
 * Writes one check run. Reporting failures are returned, never thrown or logged as warnings (the
 * caller says each once): the verdict does not depend on them.
 */
export class CheckRunWriter {
  private readonly client: GitHubClient
  private readonly log: GitHubLog
  private readonly now: () => Date
  private started: (CheckRunStartInput & { startedAt: string }) | null = null
  private startError: GitHubApiError | null = null

  constructor(client: GitHubClient, log: GitHubLog, options: { now?: () => Date } = {}) {
    this.client = client
    this.log = log
    this.now = options.now ?? (() => new Date())
  }

  /** Creates the check run in_progress, so the PR shows the gate is running. */
  async start(input: CheckRunStartInput): Promise<CheckRunStartResult> {
    const startedAt = this.now().toISOString()
    this.started = { ...input, startedAt }
    try {
      const { data } = await this.client.rest.checks.create({
        owner: input.owner,
        repo: input.repo,
        name: input.name,
        head_sha: input.headSha,
        status: 'in_progress',
        started_at: startedAt,
        ...(input.detailsUrl === undefined ? {} : { details_url: input.detailsUrl }),
        ...(input.externalId === undefined ? {} : { external_id: input.externalId }),
      })
      this.log.info(`Check run "${input.name}" started: ${data.html_url ?? data.id}`)
      return { status: 'started', id: data.id, url: data.html_url ?? '' }
    } catch (error) {
      const classified = classifyGitHubError(error, 'check-run')
      this.startError = classified
      return { status: 'failed', error: classified }
    }
  }

  /**
   * Completes the check run with the verdict. `id` is what start returned, or null when start
   * failed: after a permission failure nothing is attempted (it would fail the same way); after
   * any other failure the check run is created here, already completed.
   * Annotations go at most 50 per request: the first batch with the output, the rest in
   * further PATCHes that repeat title and summary (GitHub appends annotations on each update).
   */
  async complete(id: number | null, result: CheckRunCompletion): Promise<CheckRunCompleteResult> {
    const s = this.started
    // A programming error, not a reporting failure: thrown so it is found in tests.
    if (s === null) throw new Error('CheckRunWriter.complete() called before start()')
    if (id === null && this.startError?.kind === 'permission') {
      return {
        status: 'skipped',
        reason: `the check run could not be created: ${this.startError.message}`,
      }
    }
    if (result.conclusion !== 'success' && result.conclusion !== 'failure') {
      // The type already forbids it; this guards callers that bypass the type (plain JS, casts).
      throw new TypeError(`conclusion must be success or failure, got ${String(result.conclusion)}`)
    }

    // Never fires for the views' output, which is laid out within these very limits (tested):
    // this bounds the text the action writes itself, a failure message quoting an error of any
    // length, which GitHub would otherwise refuse, leaving the check run in progress.
    const summary = fitWithNote(
      result.summary,
      CHECK_RUN_SUMMARY_MAX_CHARS,
      measureChars,
      TRUNCATED,
    )
    const text =
      result.text === undefined
        ? null
        : fitWithNote(result.text, CHECK_RUN_TEXT_MAX_CHARS, measureChars, TRUNCATED)
    const truncated = summary.truncated || (text?.truncated ?? false)
    const annotations = (result.annotations ?? []).map(sanitizeAnnotation)
    const batches: CheckRunAnnotation[][] = []
    for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) {
      batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST))
    }
    const first = batches.shift() ?? []
    const output = {
      title: result.title,
      summary: summary.text,
      ...(text === null ? {} : { text: text.text }),
      ...(first.length === 0 ? {} : { annotations: first }),
    }
    const completedAt = this.now().toISOString()

    let runId = id
    let url = ''
    try {
      if (runId === null) {
        const { data } = await this.client.rest.checks.create({
          owner: s.owner,
          repo: s.repo,
          name: s.name,
          head_sha: s.headSha,
          status: 'completed',
          started_at: s.startedAt,
          completed_at: completedAt,
          conclusion: result.conclusion,
          output,
          ...(s.detailsUrl === undefined ? {} : { details_url: s.detailsUrl }),
          ...(s.externalId === undefined ? {} : { external_id: s.externalId }),
        })
        runId = data.id
        url = data.html_url ?? ''
      } else {
        const { data } = await this.client.rest.checks.update({
          owner: s.owner,
          repo: s.repo,
          check_run_id: runId,
          status: 'completed',
          completed_at: completedAt,
          conclusion: result.conclusion,
          output,
        })
        url = data.html_url ?? ''
      }
      // Note: a PATCH retried after a 5xx that GitHub had in fact applied appends its batch twice.
      // Duplicate annotations are the lesser evil next to missing ones, and the API offers no
      // idempotency key to do better.
      for (const batch of batches) {
        await this.client.rest.checks.update({
          owner: s.owner,
          repo: s.repo,
          check_run_id: runId,
          output: { title: result.title, summary: summary.text, annotations: batch },
        })
      }
      return { status: 'completed', id: runId, url, annotations: annotations.length, truncated }
    } catch (error) {
      return { status: 'failed', error: classifyGitHubError(error, 'check-run') }
    }
  }
}

/** The step state (core.saveState) that tells the post step which check run may be left open. */
export const CHECK_RUN_STATE = 'check-run'

/**
 * Where a job's check run can be found again by a later step of the same job (the post step):
 * saved before the check run is created, so that a job killed at any point after can be
 * finished. `externalId` tells this job's check run from another job's on the same commit.
 */
export interface CheckRunLocator {
  owner: string
  repo: string
  headSha: string
  name: string
  externalId: string
}

/** The external_id of the check run of one job attempt: `quorum/<run id>/<attempt>/<job>`. */
export function checkRunExternalId(run: { id: string; attempt: string; job: string }): string {
  return `quorum/${run.id}/${run.attempt}/${run.job}`
}

export type AbandonedCheckRunResult =
  { status: 'completed'; ids: number[] } | { status: 'failed'; error: GitHubApiError }

/**
 * Completes as a failure every check run of `locator` still in progress: what a gate that was
 * killed before it could finish left behind (the post step's job). Completed ones are left
 * alone, so a gate that finished is never overwritten.
 */
export async function completeAbandonedCheckRuns(
  client: GitHubClient,
  locator: CheckRunLocator,
  completion: { title: string; summary: string },
): Promise<AbandonedCheckRunResult> {
  try {
    const open = await client.paginate(client.rest.checks.listForRef, {
      owner: locator.owner,
      repo: locator.repo,
      ref: locator.headSha,
      check_name: locator.name,
      status: 'in_progress',
      filter: 'all',
      per_page: 100,
    })
    const ids: number[] = []
    for (const run of open) {
      if (run.external_id !== locator.externalId || run.status === 'completed') continue
      await client.rest.checks.update({
        owner: locator.owner,
        repo: locator.repo,
        check_run_id: run.id,
        status: 'completed',
        completed_at: new Date().toISOString(),
        conclusion: 'failure',
        output: {
          title: completion.title,
          summary: fitWithNote(
            completion.summary,
            CHECK_RUN_SUMMARY_MAX_CHARS,
            measureChars,
            TRUNCATED,
          ).text,
        },
      })
      ids.push(run.id)
    }
    return { status: 'completed', ids }
  } catch (error) {
    return { status: 'failed', error: classifyGitHubError(error, 'check-run') }
  }
}
