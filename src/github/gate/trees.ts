/**
 * Turns an `EventPlan` into two directories on disk: the baseline and the candidate, each a
 * detached git worktree outside the workspace. Starts from what actions/checkout leaves by
 * default (a depth-1 clone of one commit with an `origin` remote) and fetches, one commit at a
 * time, whatever else is needed.
 */
import { QuorumError, errorMessage } from '../../engine/errors.ts'
import { isInside } from '../../engine/paths.ts'
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import { removeTree } from '../../run/remove-tree.ts'
import { FULL_SHA_PATTERN } from '../action/constants.ts'
import type { EventPlan } from './event.ts'
import type { GitCommandManager } from './git.ts'

export interface PreparedTree {
  /** The directory checks run in: the worktree, or the same subdirectory of it as the workspace. */
  path: string
  /** The worktree's top-level directory. */
  root: string
  sha: string
}

export interface PreparedTrees {
  baseline: PreparedTree | null
  candidate: PreparedTree
  /** The commit the check run and verdict belong to, resolved to a sha. */
  headSha: string
  /** How the trees were chosen, for the report's notices (the plan's notes included). */
  notes: string[]
  /** Deletes both trees and unregisters them from the repository. Safe to call twice. */
  cleanup(): Promise<void>
  /**
   * Whether any of `paths` differs between baseline and candidate. Paths are relative to the
   * repository root, or absolute inside either tree or the workspace (e.g. GateConfig.functions).
   * False when there is no baseline: there is nothing for them to have changed from.
   */
  configChanged(paths: string | readonly string[]): Promise<boolean>
}

export interface PrepareTreesOptions {
  /** Remote to fetch missing commits from; actions/checkout names it origin. */
  remote?: string
}

/**
 * Resolves the branch and tag names a workflow_dispatch plan may carry into shas, fetching each
 * one shallowly. Returns the plan unchanged when it holds shas only.
 */
export async function resolvePlan(
  git: GitCommandManager,
  plan: EventPlan,
  options: PrepareTreesOptions = {},
): Promise<EventPlan> {
  if (!plan.hasUnresolvedRefs) return plan
  const remote = options.remote ?? 'origin'
  const notes = [...plan.notes]
  const resolve = async (rev: string, role: string): Promise<string> => {
    if (FULL_SHA_PATTERN.test(rev)) return rev
    const sha = await fetchCommit(git, remote, rev, role)
    notes.push(`The ${role} ref '${rev}' was resolved to ${sha}.`)
    return sha
  }
  // Sequential on purpose: a ref fetch reports its commit through FETCH_HEAD.
  const candidateSha = await resolve(plan.candidateSha, 'candidate')
  const baselineSha = plan.baselineSha === null ? null : await resolve(plan.baselineSha, 'baseline')
  return {
    ...plan,
    baselineSha,
    candidateSha,
    headSha:
      plan.headSha === plan.candidateSha ? candidateSha : await resolve(plan.headSha, 'head'),
    hasUnresolvedRefs: false,
    notes,
  }
}

/**
 * Prepares the baseline and candidate trees for `plan` as detached worktrees under `tmpRoot`
 * (which must lie outside the repository). The workspace's files and HEAD are not touched; only
 * its object store grows by the fetched commits.
 *
 * Each tree's `.git` link is deleted once it is checked out: code under test must not reach the
 * workspace repository through it (its .git/config holds the token actions/checkout persists by
 * default, and a `git` command run by a check would write to the judge's own refs and index).
 *
 * @throws QuorumError of fate 'environment' when a tree cannot be prepared (a commit cannot be
 *   fetched, the workspace is not a checkout); GitError from a git command that failed.
 */
export async function prepareTrees(
  git: GitCommandManager,
  workspaceDir: string,
  plan: EventPlan,
  tmpRoot: string,
  options: PrepareTreesOptions = {},
): Promise<PreparedTrees> {
  const remote = options.remote ?? 'origin'
  const resolved = await resolvePlan(git, plan, options)
  const notes = [...resolved.notes]

  let topLevel: string
  try {
    topLevel = await fs.realpath(await git.topLevel())
  } catch (error) {
    throw new QuorumError(
      'environment',
      `${workspaceDir} is not a git checkout; run actions/checkout before Quorum`,
      { cause: error },
    )
  }
  const workspace = await fs.realpath(workspaceDir)
  const subdir = path.relative(topLevel, workspace)
  if (subdir.startsWith('..') || path.isAbsolute(subdir)) {
    throw new QuorumError(
      'environment',
      `${workspaceDir} is not inside the repository at ${topLevel}`,
    )
  }

  const candidateSha = await fetchCommit(git, remote, resolved.candidateSha, 'candidate')
  const baselineSha = await chooseBaseline(git, remote, resolved, candidateSha, notes)

  await fs.mkdir(tmpRoot, { recursive: true })
  const realTmpRoot = await fs.realpath(tmpRoot)
  if (isInside(realTmpRoot, topLevel)) {
    // Inside the repository the trees would show up as untracked files of the workspace, and
    // a check walking up from its tree would find the workspace's .git.
    throw new QuorumError(
      'environment',
      `The trees directory ${tmpRoot} is inside the repository ${topLevel}; use a directory outside it (e.g. RUNNER_TEMP)`,
    )
  }
  const container = await fs.mkdtemp(path.join(realTmpRoot, 'quorum-trees-'))

  let cleaned = false
  const cleanup = async (): Promise<void> => {
    if (cleaned) return
    await removeTree(container)
    // The worktrees are already unregistered once their .git link is gone; prune makes it so
    // in the repository's bookkeeping too.
    await git.worktreePrune()
    cleaned = true
  }

  try {
    const candidate = await addTree(git, container, 'candidate', candidateSha, subdir)
    const baseline =
      baselineSha === null ? null : await addTree(git, container, 'baseline', baselineSha, subdir)

    const roots = [candidate.root, baseline?.root, topLevel].filter(
      (r): r is string => r !== undefined,
    )
    return {
      baseline,
      candidate,
      headSha: resolved.headSha,
      notes,
      cleanup,
      async configChanged(paths) {
        if (baseline === null) return false
        const list = (typeof paths === 'string' ? [paths] : [...paths]).map((p) =>
          repositoryPath(p, roots),
        )
        if (list.length === 0) return false
        const changed = await git.diffNames(baseline.sha, candidate.sha, list)
        return changed.length > 0
      },
    }
  } catch (error) {
    await cleanup().catch(() => {})
    throw error
  }
}

async function chooseBaseline(
  git: GitCommandManager,
  remote: string,
  plan: EventPlan,
  candidateSha: string,
  notes: string[],
): Promise<string | null> {
  if (plan.baselineFromMergeParent) {
    const parents = await git.parents(candidateSha)
    const [first, second] = parents
    if (parents.length === 2 && first !== undefined && second !== undefined) {
      if (plan.baselineSha !== null && first !== plan.baselineSha) {
        notes.push(
          `The base branch moved after the event was sent: the baseline is ${first}, the base ` +
            `the pull request was merged onto, not ${plan.baselineSha} from the event.`,
        )
      }
      if (second !== plan.headSha) {
        notes.push(
          `GitHub's test merge commit ${candidateSha} was built from ${second}, not from the ` +
            `pull request head ${plan.headSha} in the event: a newer push is probably on its way.`,
        )
      }
      return fetchCommit(git, remote, first, 'baseline')
    }
    notes.push(
      `The candidate ${candidateSha} is not a test merge commit (it has ${parents.length} ` +
        `parent(s)), so the baseline is the event's base commit ${plan.baselineSha ?? '(none)'}.`,
    )
  }
  if (plan.baselineSha === null) return null
  return fetchCommit(git, remote, plan.baselineSha, 'baseline')
}

async function fetchCommit(
  git: GitCommandManager,
  remote: string,
  rev: string,
  role: string,
): Promise<string> {
  try {
    return await git.fetchShallow(remote, rev, 1)
  } catch (error) {
    throw new QuorumError(
      'environment',
      `Could not fetch the ${role} commit ${rev} from '${remote}': ` +
        `${errorMessage(error)}. ` +
        `It may have been force-pushed away, or the token cannot read the repository.`,
      { cause: error },
    )
  }
}

async function addTree(
  git: GitCommandManager,
  container: string,
  role: 'baseline' | 'candidate',
  sha: string,
  subdir: string,
): Promise<PreparedTree> {
  const root = path.join(container, role)
  await git.worktreeAdd(root, sha)
  await fs.rm(path.join(root, '.git'), { force: true })
  const treePath = subdir === '' ? root : path.join(root, subdir)
  try {
    await fs.access(treePath)
  } catch {
    throw new QuorumError(
      'environment',
      `The ${role} commit ${sha} has no directory '${subdir}' (the working directory)`,
    )
  }
  return { path: treePath, root, sha }
}

/** Repository-relative '/'-path for a relative path, or an absolute one inside a known root. */
function repositoryPath(p: string, roots: readonly string[]): string {
  if (!path.isAbsolute(p)) return p.split(path.sep).join('/')
  const resolved = path.resolve(p)
  for (const root of roots) {
    if (isInside(resolved, root)) return path.relative(root, resolved).split(path.sep).join('/')
  }
  throw new Error(`configChanged: ${p} is not inside the repository or either tree`)
}
