/**
 * Where a stage leaves its report in the job: report.json in the output directory (where
 * upload-artifact can find it; the `report-path` output), and the terminal view in the log.
 */
import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Report } from '../../engine/types.ts'
import { toRunnerLog } from '../../report/log-safe.ts'
import { renderTerminal } from '../../report/terminal.ts'
import type { ActionInputs } from './inputs.ts'
import type { RunnerContext } from './runner-context.ts'

/**
 * The gate's output directory, `quorum-<gate>` under RUNNER_TEMP (checks never see it), created
 * when missing. Report, logs and the hand-over directory go there.
 */
export async function makeOutputDir(runner: RunnerContext, inputs: ActionInputs): Promise<string> {
  const outDir = join(runner.runnerTemp ?? tmpdir(), `quorum-${inputs.gateName}`)
  await mkdir(outDir, { recursive: true })
  return outDir
}

/** Writes `report` to report.json in `outDir` and returns its path. */
export async function writeReportFile(outDir: string, report: Report): Promise<string> {
  const reportPath = join(outDir, 'report.json')
  await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`)
  return reportPath
}

/**
 * Prints the terminal view to the runner log. Check output inside it is neutralised line by line
 * (toRunnerLog), and the whole block is also fenced with ::stop-commands:: under a token the
 * checks never saw, so not even a line that slipped through could be run as a command.
 */
export function logReport(report: Report): void {
  const token = randomBytes(16).toString('hex')
  core.info(`::stop-commands::${token}`)
  core.info(toRunnerLog(renderTerminal(report, { color: false })))
  core.info(`::${token}::`)
}
