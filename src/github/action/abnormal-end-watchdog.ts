/**
 * The watchdog for the ways a run can end that no try/catch sees. Without it, an exception thrown
 * from a callback would kill the process, and a promise that never settles would let Node exit
 * with code 13: either way the check run would stay in progress, which a required check shows as
 * pending forever.
 */
import * as core from '@actions/core'
import { describeFailure, stalledError } from './failures.ts'

/** A watch started by watchForAbnormalEnd: race `ended` against the run, then dispose(). */
export interface AbnormalEndWatch {
  /** Rejects with the first abnormal end; never resolves. */
  ended: Promise<never>
  /** Removes the process listeners. */
  dispose(): void
}

/**
 * Turns the ways a run can end that no try/catch sees into a rejection the top level handles:
 * an exception thrown asynchronously, an unhandled rejection, and the event loop running empty
 * while the run still waits for something (a promise that can never settle: Node would exit
 * with code 13 and leave the check run in progress). Listeners are removed by dispose().
 */
export function watchForAbnormalEnd(): AbnormalEndWatch {
  let fail: (error: unknown) => void = () => {}
  const ended = new Promise<never>((_, reject) => {
    fail = reject
  })
  // A race that is never lost must not become an unhandled rejection of its own.
  ended.catch(() => {})
  let fired = false
  const once = (error: unknown): void => {
    if (fired) {
      core.warning(`Quorum: a further internal error after the first: ${describeFailure(error)}`)
      return
    }
    fired = true
    fail(error)
  }
  const onException = (error: unknown): void => once(error)
  const onRejection = (reason: unknown): void => once(reason)
  const onEmptyLoop = (): void =>
    once(
      stalledError(
        'Quorum stopped before it finished: it was waiting for something that can no longer ' +
          'happen (a promise that never settles). This is a bug; the change is blocked.',
      ),
    )
  process.on('uncaughtException', onException)
  process.on('unhandledRejection', onRejection)
  process.on('beforeExit', onEmptyLoop)
  return {
    ended,
    dispose() {
      process.off('uncaughtException', onException)
      process.off('unhandledRejection', onRejection)
      process.off('beforeExit', onEmptyLoop)
    },
  }
}
