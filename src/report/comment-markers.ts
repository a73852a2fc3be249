/**
 * The two hidden lines at the top of the sticky PR comment, written by the comment view
 * (markdown.ts renderComment) and read by the writer that finds and updates the comment
 * (src/github/api/comment.ts):
 *
 *   <!-- quorum:gate=NAME -->                          which gate the comment reports on
 *   <!-- quorum:head=SHA run=RUN_ID.ATTEMPT -->        which commit and which workflow run
 *
 * The first identifies the comment (with its author: see comment.ts); the second lets a late,
 * older run tell that it would overwrite a newer report.
 */

const GATE_NAME = /^[A-Za-z0-9_.-]{1,100}$/
const SHA = /^[0-9a-f]{7,64}$/i
const RUN_PART = /^\d{1,20}$/
const HEAD_LINE = /^<!-- quorum:head=([0-9a-f]{7,64}) run=(\d{1,20})\.(\d{1,20}) -->$/i

/** Which commit and which workflow run (id.attempt) a comment reports on. */
export interface CommentProvenance {
  headSha: string
  runId: bigint
  runAttempt: bigint
}

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
