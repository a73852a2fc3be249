/**
 * The action's main step: inputs -> a report, from whichever stage this job is (run the gate, or
 * read what gate runs handed over: action/report-producer.ts) -> check run, sticky comment, job
 * summary, outputs -> job status. The job fails exactly when the verdict is block (or there is no
 * verdict at all); a failure to talk to GitHub is a loud warning, never a change of verdict.
 */
import * as core from '@actions/core'
import { watchForAbnormalEnd } from './action/abnormal-end-watchdog.ts'
import {
  completeCheckRunWithVerdict,
  failCheckRun,
  startCheckRun,
  type OpenCheckRun,
} from './action/check-run-lifecycle.ts'
import { describeFailure } from './action/failures.ts'
import { readInputs } from './action/inputs.ts'
import { setJobStatus } from './action/job-status.ts'
import { publishViews } from './action/publish-views.ts'
import type { ProducerContext, ReportProducer } from './action/report-producer.ts'
import { readRunnerContext } from './action/runner-context.ts'
import { checkRunName } from './api/check-run.ts'
import { gateStageProducer, type GateStageDependencies } from './gate/gate-stage.ts'
import { publishStageProducer } from './publish/publish-stage.ts'

/** What run() calls that a test may replace with a plain function: the gate stage's edges. */
export type ActionDependencies = GateStageDependencies

/** What the top level must be able to finish or undo, whatever happened in between. */
interface RunState {
  checkRun: OpenCheckRun | null
  cleanups: Array<() => Promise<void>>
}

/**
 * Runs the action once; never throws (every failure ends in core.setFailed). `abort` (the
 * runner's SIGINT/SIGTERM when a workflow is cancelled) stops every run and removes every
 * sandbox before the process exits.
 *
 * A check run, once started, is always completed: with the verdict, or as a failure naming
 * why there is none. That includes the ways a run can end without reaching a catch block: an
 * exception thrown from a callback (uncaughtException), a rejection nobody handles, and a
 * promise that never settles (the event loop runs empty while the gate still waits).
 */
export async function run(
  env: NodeJS.ProcessEnv = process.env,
  abort?: AbortSignal,
  dependencies: Partial<ActionDependencies> = {},
): Promise<void> {
  const state: RunState = { checkRun: null, cleanups: [] }
  // Stops the producer when the run ends abnormally (see lastResort), as a cancellation would.
  const stop = new AbortController()
  const signal = abort ? AbortSignal.any([abort, stop.signal]) : stop.signal
  const lastResort = watchForAbnormalEnd()
  try {
    await Promise.race([evaluate(env, signal, abort, dependencies, state), lastResort.ended])
  } catch (error) {
    stop.abort()
    const message = describeFailure(error)
    core.setOutput('verdict', 'block')
    if (state.checkRun && !state.checkRun.completed) await failCheckRun(state.checkRun, message)
    core.setFailed(message)
  } finally {
    lastResort.dispose()
    for (const cleanup of state.cleanups) {
      await cleanup().catch((error: unknown) => core.warning(`cleanup: ${String(error)}`))
    }
  }
}

/** Everything run() does, from inputs to job status; throws for run() to report. */
async function evaluate(
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
  cancel: AbortSignal | undefined,
  dependencies: Partial<ActionDependencies>,
  state: RunState,
): Promise<void> {
  const runner = readRunnerContext(env)
  const inputs = readInputs(runner.workspace)
  const producer: ReportProducer =
    inputs.stage === 'publish' ? publishStageProducer : gateStageProducer(dependencies)
  const ctx: ProducerContext = {
    runner,
    inputs,
    signal,
    cancel,
    async openCheckRun(client, on) {
      if (!inputs.checkRun) return
      state.checkRun = await startCheckRun(client, runner, {
        ...runner.repository,
        name: checkRunName(inputs.gateName),
        headSha: on.headSha,
        ...(on.detailsUrl ? { detailsUrl: on.detailsUrl } : {}),
      })
    },
    onCleanup(cleanup) {
      state.cleanups.push(cleanup)
    },
  }
  const produced = await producer.produce(ctx)

  // Reporting is best effort: whatever goes wrong there, the verdict below stands.
  await publishViews(produced, { inputs, runner, checkRun: state.checkRun }).catch(
    (error: unknown) => {
      core.warning(`Quorum could not publish every view of its report: ${describeFailure(error)}`)
    },
  )
  if (state.checkRun && !state.checkRun.completed) {
    // Publishing failed before it reached the check run: complete it with the verdict anyway.
    await completeCheckRunWithVerdict(state.checkRun, produced.report, produced.checkRunFallback)
  }
  setJobStatus(produced.report, state.checkRun !== null, produced.refusals)
}
