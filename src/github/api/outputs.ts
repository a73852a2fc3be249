/**
 * Step outputs. Workflows interpolate outputs into later steps (`${{ steps.q.outputs.x }}`),
 * often straight into a shell script, so an output that carried text from a check (which is
 * untrusted candidate code) would be a script-injection channel. Outputs therefore carry only
 * enums, counts, paths and URLs, each checked against a narrow pattern; anything else is refused,
 * not escaped.
 */

import { setOutput as coreSetOutput } from '@actions/core'

/** Everything the action publishes as outputs. */
export interface QuorumOutputs {
  verdict: 'allow' | 'block'
  passed: number
  failed: number
  timeout: number
  crashed: number
  error: number
  /** Checks that were FLAKY on the candidate (failed, then passed on a retry). */
  flaky: number
  /** Checks skipped by request. */
  skipped: number
  /** Checks that passed on an empty tree (the vacuity probe): they cannot fail. */
  vacuous: number
  /** Changed files no check noticed when broken (the change audit). */
  uncovered: number
  /** Path of the JSON report (relative to the workspace, or absolute). */
  'report-path': string
  /** Gate stage: the directory to upload as the report artifact. */
  'report-dir'?: string | null
  'comment-url'?: string | null
  'check-run-url'?: string | null
}

export type OutputName = keyof QuorumOutputs

const COUNT_NAMES = [
  'passed',
  'failed',
  'timeout',
  'crashed',
  'error',
  'flaky',
  'skipped',
  'vacuous',
  'uncovered',
] as const
// The report path is built from RUNNER_TEMP and the validated gate name, not from check output;
// it may hold spaces (or backslashes on Windows), but never quotes, `$`, backticks or controls.
const PATH = /^[^\x00-\x1f\x7f"'`$]+$/
// URLs also need `#` (a comment's html_url ends in #issuecomment-N); still no spaces, quotes,
// `$`, backticks or newlines.
const URL_PATTERN = /^https?:\/\/[\w.:-]+(?:\/[\w./:-]*)?(?:#[\w-]+)?$/

export interface OutputRefusal {
  name: string
  reason: string
}

/** Checks every output; returns the accepted ones as strings and the refused ones with why. */
export function validateOutputs(outputs: QuorumOutputs): {
  accepted: Array<[OutputName, string]>
  refused: OutputRefusal[]
} {
  const accepted: Array<[OutputName, string]> = []
  const refused: OutputRefusal[] = []
  for (const [name, value] of Object.entries(outputs) as Array<[string, unknown]>) {
    const refuse = (reason: string): void => {
      refused.push({ name, reason })
    }
    if (name === 'verdict') {
      if (value === 'allow' || value === 'block') accepted.push([name, value])
      else refuse('must be allow or block')
    } else if ((COUNT_NAMES as readonly string[]).includes(name)) {
      if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
        accepted.push([name as OutputName, String(value)])
      } else refuse('must be a non-negative integer')
    } else if (name === 'report-path' || name === 'report-dir') {
      if (name === 'report-dir' && (value === undefined || value === null)) continue
      if (typeof value === 'string' && value !== '' && PATH.test(value)) {
        accepted.push([name, value])
      } else refuse('must be a path without quotes, $, backticks or control characters')
    } else if (name === 'comment-url' || name === 'check-run-url') {
      if (value === undefined || value === null || value === '') continue
      if (typeof value === 'string' && URL_PATTERN.test(value)) accepted.push([name, value])
      else refuse('must be a plain http(s) URL')
    } else {
      refuse('not a Quorum output')
    }
  }
  return { accepted, refused }
}

/**
 * Sets the validated outputs (through @actions/core unless `setOutput` is given) and returns the
 * refused ones, each with its name and why but never its value (it may be hostile). Nothing is
 * logged here: the caller warns about each refusal, once.
 */
export function writeOutputs(
  outputs: QuorumOutputs,
  options: { setOutput?: (name: string, value: string) => void } = {},
): { written: OutputName[]; refused: OutputRefusal[] } {
  const set = options.setOutput ?? coreSetOutput
  const { accepted, refused } = validateOutputs(outputs)
  for (const [name, value] of accepted) set(name, value)
  return { written: accepted.map(([name]) => name), refused }
}
