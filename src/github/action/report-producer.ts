/**
 * Where the action's report comes from, behind one interface (dorny/test-reporter's input
 * providers): the gate stage runs the gate on two trees (gate/gate-stage.ts); the publish stage
 * reads what gate runs handed over (publish/publish-stage.ts). The entry (action.ts) does not know
 * which produced the report: it publishes every view of it, completes the check run and sets the
 * job status the same way for both.
 */
import type { Report } from '../../engine/types.ts'
import type { GitHubClient } from '../api/client.ts'
import type { ActionInputs } from './inputs.ts'
import type { RunnerContext } from './runner-context.ts'

/** One source of the action's report. */
export interface ReportProducer {
  /**
   * Produces the report, or throws why there is none (the entry blocks and says so). The check
   * run is opened through `ctx`, as soon as the producer knows the commit it is for.
   */
  produce(ctx: ProducerContext): Promise<ProducedReport>
}

/** What the entry gives a producer. */
export interface ProducerContext {
  runner: RunnerContext
  inputs: ActionInputs
  /** Stops the producer: the runner's cancellation, or the entry giving up on an internal error. */
  signal: AbortSignal
  /** The runner's cancellation alone, which tells a cancelled run from a stopped one. */
  cancel: AbortSignal | undefined
  /**
   * Starts this run's check run in_progress on `headSha`, when the `check-run` input asks for one.
   * The entry completes it, whatever happens after.
   */
  openCheckRun(
    client: GitHubClient,
    on: { headSha: string; detailsUrl: string | null },
  ): Promise<void>
  /** Registers what the entry undoes once the run has ended, however it ended. */
  onCleanup(cleanup: () => Promise<void>): void
}

/** A report and everything the entry needs to publish it. */
export interface ProducedReport {
  report: Report
  /** report.json, as written (the `report-path` output). */
  reportPath: string
  /** Gate stage: the directory to upload for the publish stage (the `report-dir` output). */
  reportDir: string | null
  /** The commit the check run and comment are for, and the PR to comment on (null: none). */
  target: { headSha: string; pullNumber: number | null }
  /** The workflow run the report comes from: the comment's stale-run guard orders by it. */
  run: { id: string; attempt: string }
  /** The page the views link to as the full report. */
  runUrl: string | null
  /** The client the comment is written with; null when this job writes nothing through the API. */
  client: GitHubClient | null
  /** Quorum's own sentences on why the reports were refused; they name the block first. */
  refusals: readonly string[]
  /** The check run's summary if publishing fails before it completes the check run. */
  checkRunFallback: string
}
