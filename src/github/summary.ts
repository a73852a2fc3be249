/**
 * The job summary: appends the rendered markdown (from src/report) to the file GitHub names in
 * GITHUB_STEP_SUMMARY. Appending the file directly (what core.summary does underneath) lets us
 * enforce the size limit ourselves: GitHub drops a step summary over 1 MiB entirely and shows an
 * error instead, so an oversized report must be cut, visibly, rather than lost.
 */

import { appendFile, stat } from 'node:fs/promises'

import type { GitHubLog } from './errors.ts'

/** GitHub's limit for one step's summary, all writers of the step together. */
export const MAX_STEP_SUMMARY_BYTES = 1024 * 1024

const NOTE =
  '\n\n… truncated: the job summary is limited to 1 MiB; the JSON report has everything.\n'

export type JobSummaryResult =
  | { status: 'written'; path: string; bytes: number; truncated: boolean }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; error: Error }

/** Cuts UTF-8 text to at most `maxBytes` bytes on a character boundary. */
function cutUtf8(text: string, maxBytes: number): string {
  const buf = Buffer.from(text, 'utf8')
  if (buf.length <= maxBytes) return text
  let end = Math.max(0, maxBytes)
  // Step back over continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && ((buf[end] as number) & 0xc0) === 0x80) end--
  return buf.subarray(0, end).toString('utf8')
}

/**
 * Appends `markdown` to the step summary file. `path` defaults to GITHUB_STEP_SUMMARY; without
 * one (a local run) nothing is written. Bytes already in the file (other steps' writers in the
 * same step) count against the 1 MiB. Failures are warned about and returned, never thrown.
 */
export async function writeJobSummary(
  markdown: string,
  options: { log: GitHubLog; path?: string | undefined },
): Promise<JobSummaryResult> {
  const { log } = options
  const path = options.path ?? process.env['GITHUB_STEP_SUMMARY']
  if (path === undefined || path === '') {
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
    const budget = MAX_STEP_SUMMARY_BYTES - existing
    const text = markdown.endsWith('\n') ? markdown : `${markdown}\n`
    let out = text
    let truncated = false
    if (Buffer.byteLength(text) > budget) {
      const noteBytes = Buffer.byteLength(NOTE)
      if (budget <= noteBytes) {
        log.warning('The job summary is already full (1 MiB); the Quorum report was not added.')
        return { status: 'skipped', reason: 'step summary already at its 1 MiB limit' }
      }
      out = cutUtf8(text, budget - noteBytes) + NOTE
      truncated = true
      log.warning('The job summary was longer than GitHub allows (1 MiB) and was truncated.')
    }
    await appendFile(path, out, 'utf8')
    return { status: 'written', path, bytes: Buffer.byteLength(out), truncated }
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error))
    log.warning(
      `Quorum could not write the job summary: ${err.message}. The verdict is not affected.`,
    )
    return { status: 'failed', error: err }
  }
}
