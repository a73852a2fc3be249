/** The publish stage's own gate config, read (never executed) from this job's checkout. */
import * as core from '@actions/core'
import { existsSync } from 'node:fs'
import { relative, resolve, sep } from 'node:path'
import { ConfigError } from '../../engine/errors.ts'
import type { PublisherFacts } from '../../engine/merge.ts'
import type { GateConfig } from '../../engine/types.ts'
import { loadConfigFile } from '../../run/config-file.ts'
import { describeFailure } from '../action/failures.ts'
import type { ActionInputs } from '../action/inputs.ts'
import type { RunnerContext } from '../action/runner-context.ts'
import { hashConfigFiles } from '../gate/report-dir.ts'

/**
 * The publish stage's own gate config, read (never executed) from this job's checkout: its mode
 * and flaky policy decide the merged verdict; its file and checks module are the paths a PR must
 * not change; its hash, when the checks module is there to hash, lets merge check the reports'
 * lists of checks.
 */
export async function loadPublisherConfig(
  inputs: ActionInputs,
  runner: RunnerContext,
): Promise<{ config: GateConfig; gateFiles: string[]; facts: PublisherFacts['config'] }> {
  const file = resolve(inputs.workingDirectory, inputs.config)
  if (!existsSync(file)) {
    throw new ConfigError({
      file: inputs.config,
      message:
        'file not found: the publish stage reads the gate config (mode, flaky policy, checks ' +
        'module) from a checkout of this repository; add actions/checkout (of the default ' +
        'branch: no pull request code) before it, or set the `config` input',
    })
  }
  const root = runner.workspace
  // Not loadConfigFromTree: the checks module is never run here, and one that cannot be read
  // only means the check lists are not compared (below), not a failed publish.
  const config = await loadConfigFile(file, { displayPath: inputs.config, root })
  const inRepo = (p: string): string => relative(root, p).split(sep).join('/')
  const gateFiles = [inRepo(file), ...(config.functions ? [inRepo(config.functions)] : [])]
  let facts: PublisherFacts['config'] = null
  try {
    facts = {
      hash: await hashConfigFiles(config, root),
      // Only the shell checks: listing function checks would mean running the module.
      shellChecks: config.checks.map((c) => c.name),
      hasFunctions: config.functions !== null,
    }
  } catch (error) {
    core.info(
      `The checks module could not be read here, so the reports' check lists are not compared with it: ${describeFailure(error)}`,
    )
  }
  return { config, gateFiles, facts }
}
