/** The job's status: the one thing the verdict decides in the workflow itself. */
import * as core from '@actions/core'
import type { Change, Report } from '../../engine/types.ts'

const CHANGE_NOTE: Partial<Record<Change, string>> = {
  regressed: ' (passed on the base)',
  'still-failing': ' (already failing on the base)',
}

/**
 * Fails the job exactly when the verdict is block. The message names checks and outcomes only:
 * reasons quote check output, which belongs in the views that escape it, not in an annotation of
 * the action's own. `refusals` (publish stage) are Quorum's own sentences about the artifacts.
 */
export function setJobStatus(
  report: Report,
  hasCheckRun: boolean,
  refusals: readonly string[] = [],
): void {
  const failing = report.checks
    .filter((c) => c.candidate.outcome !== 'PASSED')
    .map((c) => `${c.name} ${c.candidate.outcome}${CHANGE_NOTE[c.change] ?? ''}`)
  const where =
    'see the job summary' + (report.verdict === 'block' && hasCheckRun ? ' and the check run' : '')
  if (report.verdict === 'block') {
    const why =
      refusals.length > 0
        ? refusals.length === 1
          ? refusals[0]!
          : `${refusals[0]!} (and ${refusals.length - 1} more)`
        : failing.length > 0
          ? failing.join(', ')
          : report.reasons.length > 0 && report.checks.length === 0
            ? 'no checks ran'
            : 'the score did not improve'
    core.setFailed(`Quorum blocked this change: ${why}; ${where}.`)
  } else {
    core.info(`Quorum allowed this change (${report.checks.length} checks); ${where}.`)
  }
}
