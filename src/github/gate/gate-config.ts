/** The gate stage's config: quorum.yml and its checks module, read from one of the two trees. */
import { existsSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { ConfigError } from '../../engine/errors.ts'
import type { GateConfig } from '../../engine/types.ts'
import { loadConfigFromTree } from '../../run/config-file.ts'
import type { ActionInputs } from '../action/inputs.ts'
import type { EventPlan } from './event.ts'
import type { PreparedTrees } from './trees.ts'

/**
 * Reads the gate config from the baseline tree (so a PR cannot weaken the checks it is judged
 * by), unless the workflow asked for the candidate's, or there is no baseline.
 */
export async function loadGateConfig(
  inputs: ActionInputs,
  trees: PreparedTrees,
  plan: EventPlan,
): Promise<{ config: GateConfig; notices: string[]; root: string }> {
  const where = plan.pullNumber !== null ? 'in this PR' : 'in this change'
  const notices: string[] = []
  const useBase = inputs.configSource === 'base' && trees.baseline !== null
  const source = useBase ? trees.baseline! : trees.candidate
  const file = resolve(source.path, inputs.config)
  if (!existsSync(file)) {
    throw new ConfigError({
      file: inputs.config,
      message: `file not found in the ${useBase ? 'baseline' : 'candidate'} tree (${source.sha.slice(0, 12)}); add it, or set the \`config\` input`,
    })
  }
  // Neither the config nor the checks module it names may lead out of the tree it came from.
  const config = await loadConfigFromTree({
    config: { path: file, display: inputs.config, root: source.root },
    functionsDisplay: 'in-tree',
  })
  if (trees.baseline !== null) {
    // Absolute paths: the working directory may be below the repository root.
    const watched = [file, ...(config.functions ? [config.functions] : [])]
    const names = watched.map((path) => relative(source.path, path)).join(' or ')
    if (await trees.configChanged(watched)) {
      notices.push(
        useBase
          ? `${names} changed ${where}; the base version was used (set config-source: candidate to use the PR's own).`
          : `${names} changed ${where}, and config-source is candidate: the checks are the PR's own version.`,
      )
    }
  } else if (inputs.configSource === 'base') {
    notices.push('There is no baseline tree, so the candidate’s own config was used.')
  }
  return { config, notices, root: source.root }
}
