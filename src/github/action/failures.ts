/**
 * How a run that produced no verdict is told: the two ways the action itself stops a run
 * (cancelled, stalled), and the one line that describes any failure for the job log, the check
 * run and setFailed.
 */
import { QuorumError } from '../../engine/errors.ts'

/** The runner cancelled the workflow: every run was stopped, no verdict. */
export class CancelledError extends QuorumError {
  constructor(message: string) {
    super('cancelled', message)
  }
}

/** The run was ended by an internal error or stalled: a bug, said without a useless stack. */
export class StalledError extends QuorumError {
  constructor(message: string) {
    super('environment', message)
  }
}

/**
 * The one line that says why there is no verdict. A QuorumError says it in its own words (a bad
 * config names file, line and key); anything else is a bug and keeps its stack.
 */
export function describeFailure(error: unknown): string {
  if (error instanceof QuorumError) {
    return error.fate === 'config'
      ? `Bad Quorum config: ${error.describe()}`
      : `Quorum: ${error.describe()}`
  }
  if (error instanceof Error) {
    return `Quorum failed unexpectedly (this is a bug; the change is blocked): ${error.stack ?? error.message}`
  }
  return `Quorum failed unexpectedly: ${String(error)}`
}
