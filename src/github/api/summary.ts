/**
 * The job summary: appends the rendered markdown (from src/report) to the file GitHub names in
 * GITHUB_STEP_SUMMARY. Appending the file directly (what core.summary does underneath) lets us
 * enforce the size limit ourselves: GitHub drops a step summary over 1 MiB entirely and shows an
 * error instead, so an oversized report must be cut, visibly, rather than lost. The view already
 * fits 1 MiB; what other writers of the same step put in the file first is only known here.
 */

import { appendFile, stat } from 'node:fs/promises'

import { JOB_SUMMARY_MAX_BYTES, fitWithNote, measureBytes } from '../../report/limits.ts'

const NOTE =
  '\n\n… truncated: the job summary is limited to 1 MiB; the JSON report has everything.\n'

/**
 * What happened to the summary. Nothing here is logged by the writer: the caller (the action's
 * publish) says what needs saying, once.
 */
export type JobSummaryResult =
  | { status: 'written'; path: string; bytes: number; truncated: boolean }
  /** No GITHUB_STEP_SUMMARY (a local run): nothing to write to, nothing to warn about. */
  | { status: 'skipped'; reason: string }
  /** Other writers of this step already used the 1 MiB: the report was not added. */
  | { status: 'full'; path: string }
  | { status: 'failed'; error: Error }

/**
 * Appends `markdown` to the step summary file `path` (RunnerContext.stepSummary); without one
 * (a local run) nothing is written. Bytes already in the file (other steps' writers in the
 * same step) count against the 1 MiB. Failures are returned, never thrown.
 */
export async function writeJobSummary(
  markdown: string,
  path: string | null,
): Promise<JobSummaryResult> {
  if (path === null || path === '') {
    return { status: 'skipped', reason: 'GITHUB_STEP_SUMMARY is not set' }
  }
  try {
    const existing = await stat(path).then(
      (s) => s.size,
      (error: unknown) => {
        if ((error as { code?: unknown }).code === 'ENOENT') return 0
        throw error
      },
    )
    const budget = JOB_SUMMARY_MAX_BYTES - existing
    const text = markdown.endsWith('\n') ? markdown : `${markdown}\n`
    const fitted = fitWithNote(text, budget, measureBytes, NOTE)
    // Nothing of the report but (part of) the note would fit: better not to add anything.
    if (fitted.truncated && budget <= measureBytes(NOTE)) return { status: 'full', path }
    await appendFile(path, fitted.text, 'utf8')
    return {
      status: 'written',
      path,
      bytes: measureBytes(fitted.text),
      truncated: fitted.truncated,
    }
  } catch (error) {
    return { status: 'failed', error: error instanceof Error ? error : new Error(String(error)) }
  }
}
