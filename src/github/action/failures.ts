/**
 * How a run that produced no verdict is told: the error of a run the action itself stopped
 * (stalled; a cancelled one is a QuorumError of fate 'cancelled'), and the one line that
 * describes any failure for the job log, the check run and setFailed.
 */
import { QuorumError } from '../../engine/errors.ts'

/**
 * The error for a run the action itself stopped before it finished: the watchdog found the
 * event loop empty while the gate still awaited something (a promise that can never settle), or
 * the run's signal was aborted by an internal error while it ran. Either is a bug of Quorum, and
 * the message says so. Its fate is 'environment' all the same, as a user expects of a run that
 * stalled: one line that blames neither the config nor the workflow's inputs, a failed job and
 * a blocked change (in the CLI, exit 3, "internal error"). A plain Error would be reported as a
 * bug with its stack, and that stack would only point at the watchdog, never at what stalled.
 */
export function stalledError(message: string): QuorumError {
  return new QuorumError('environment', message)
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
