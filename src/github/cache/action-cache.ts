/**
 * The action's reusable results: one GitHub Actions cache entry per tree and config (see
 * results-cache.ts), restored into a directory of result files before the gate runs and saved
 * after it. Trees are named by their git tree ids, so a re-run on an unchanged candidate, or a
 * new PR on the same base, finds what an earlier run stored.
 *
 * The directory lives under RUNNER_TEMP, which checks never see: a check cannot write a forged
 * result into it. Nothing here can change a verdict: a cache that fails costs a re-run.
 */
import * as cache from '@actions/cache'
import { mkdir, rm } from 'node:fs/promises'
import { hashConfigSources } from '../../engine/config.ts'
import type { GateConfig, TreeRole } from '../../engine/types.ts'
import { readTreeFile } from '../../run/config-file.ts'
import { openResultCache } from '../../cache/local-store.ts'
import { thisPlatform, type ResultCacheOptions } from '../../cache/reuse.ts'
import type { GitCommandManager } from '../gate/git.ts'
import { restoreTreeResults, saveTreeResults, treeResultsCacheKey } from './results-cache.ts'
import { errorMessage } from '../../engine/errors.ts'

export interface ActionResultsCache {
  /** What runGate takes. */
  options: ResultCacheOptions
  /** Problems worth a notice in the report (an outage), one line each. */
  warnings: string[]
  /** Normal events (hit, miss), one line each, for the log. */
  infos: string[]
  /** Saves the entries of the trees whose entry was not restored; returns lines as above. */
  save(): Promise<{ warnings: string[]; infos: string[] }>
}

/**
 * Restores the entries of `trees` into `dir` and returns what runGate needs to use them; null
 * when this job has no cache service at all (a local runner, a GHES without one): that is not a
 * problem worth a warning on every run, only a line in the log.
 */
export async function openActionResultsCache(p: {
  dir: string
  git: GitCommandManager
  trees: Partial<Record<TreeRole, string>>
  config: GateConfig
  env: Record<string, string | undefined>
  isFeatureAvailable?: () => boolean
  log: (line: string) => void
}): Promise<ActionResultsCache | null> {
  if (!(p.isFeatureAvailable ?? cache.isFeatureAvailable)()) {
    p.log('Results are not reused: this job has no GitHub Actions cache service.')
    return null
  }
  // Only what this job restores counts (a self-hosted runner keeps RUNNER_TEMP between jobs).
  await rm(p.dir, { recursive: true, force: true })
  await mkdir(p.dir, { recursive: true, mode: 0o700 })
  const warnings: string[] = []
  const infos: string[] = []
  const platform = thisPlatform()
  const configHash = await cacheKeyConfigHash(p.config)
  const treeIds: Partial<Record<TreeRole, string>> = {}
  const entryKeys = new Map<TreeRole, string>()
  const restored = new Set<TreeRole>()
  for (const [role, sha] of Object.entries(p.trees) as Array<[TreeRole, string]>) {
    let treeId: string
    try {
      treeId = `git-tree:${await p.git.revParse(`${sha}^{tree}`)}`
    } catch (error) {
      warnings.push(
        `Results of the ${role} are not reused: its git tree id could not be read (${errorMessage(error)}).`,
      )
      continue
    }
    treeIds[role] = treeId
    const key = treeResultsCacheKey({ platform, configHash, treeId })
    entryKeys.set(role, key)
    const outcome = await restoreTreeResults({ dir: p.dir, key })
    if (outcome.hit) restored.add(role)
    if (outcome.warning) warnings.push(outcome.warning)
    if (outcome.info) infos.push(outcome.info)
  }
  return {
    options: {
      store: openResultCache(p.dir),
      origin: (_key, role) => ({
        cache: 'actions',
        location: entryKeys.get(role) ?? 'unknown entry',
      }),
      treeIds,
      parentEnv: p.env,
    },
    warnings,
    infos,
    async save() {
      const out = { warnings: [] as string[], infos: [] as string[] }
      for (const [role, key] of entryKeys) {
        // Entries are immutable: one that was restored already holds this tree's results.
        if (restored.has(role)) continue
        const outcome = await saveTreeResults({ dir: p.dir, key })
        if (outcome.warning) out.warnings.push(outcome.warning)
        if (outcome.info) out.infos.push(outcome.info)
      }
      return out
    },
  }
}

/**
 * What in the config shapes results, for the cache key: the contents of the config file and of
 * the checks module (not their paths: the trees are checked out at a new path on every run).
 * loadGateConfig has already opened both inside their tree; a file that cannot be read again is
 * hashed as the word "unreadable", as keys have always been made, so that stored entries are
 * still found.
 */
async function cacheKeyConfigHash(config: GateConfig): Promise<string> {
  const read = async (file: string | null): Promise<Uint8Array | null> =>
    file === null ? null : await readTreeFile(file, { display: file }).catch(() => UNREADABLE)
  const sources = { config: await read(config.file), functions: await read(config.functions) }
  return hashConfigSources(sources, 'results-cache')
}

const UNREADABLE = new TextEncoder().encode('unreadable')
