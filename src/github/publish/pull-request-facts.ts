/**
 * What the publish stage asks the API about the pull request a gate run judged, instead of
 * believing the artifact (DESIGN "Forks and shards"):
 * - which open pull request of this repository has the run's head sha (GET /pulls/{n} for the
 *   numbers GitHub named; for a fork, whose workflow_run names none, GET /pulls?head=owner:branch);
 * - which files it changes (GET /pulls/{n}/files): a PR that changes the workflows, the local
 *   actions, the gate's config or its checks module could have made its gate run upload anything;
 * - whether the baseline a report claims is the PR's base, or a newer commit of its base branch
 *   (GET /compare/{claimed}...{base branch}): GitHub's test merge uses the branch as it was when
 *   the merge was built, which can be newer than the base the PR records.
 * Every call needs only read access (`pull-requests: read`, `contents: read`).
 */
import { QuorumError } from '../../engine/errors.ts'
import type { GitHubClient } from '../api/client.ts'
import { classifyGitHubError } from '../api/errors.ts'
import type { GateRun } from './gate-run.ts'
import type { Repo } from '../action/runner-context.ts'

/** The pull request a gate run was for, as the API says. */
export interface PullRequestFacts {
  number: number
  headSha: string
  baseSha: string
  baseRef: string
  /** How many files GitHub says it changes. */
  changedFiles: number
}

/** The API's list of a PR's files stops here (GitHub documents 3000). */
export const MAX_LISTED_FILES = 3000

/**
 * The open pull request of `repo` that `run` was for, or a problem (one sentence) that blocks.
 * When the PR's head has moved on since the run, the PR is still returned: the check run belongs
 * on the run's head, and the comment writer declines to overwrite the newer head's report.
 */
export async function findPullRequest(
  client: GitHubClient,
  repo: Repo,
  run: GateRun,
): Promise<{ pr: PullRequestFacts; note: string | null } | { problem: string }> {
  const wanted = run.pullRequest
  if (wanted === null) throw new Error('findPullRequest: the run is not a pull request run')
  const found: PullRequestFacts[] = []
  if (wanted.numbers.length > 0) {
    for (const number of wanted.numbers.slice(0, 10)) {
      const { data } = await call(`read pull request #${number}`, () =>
        client.rest.pulls.get({ ...repo, pull_number: number }),
      )
      if (data.state === 'open') found.push(facts(data))
    }
  } else if (wanted.headOwner !== null && wanted.headBranch !== null) {
    const head = `${wanted.headOwner}:${wanted.headBranch}`
    const { data } = await call(`list the open pull requests from ${head}`, () =>
      client.rest.pulls.list({ ...repo, state: 'open', head, per_page: 100 }),
    )
    // The list gives no changed_files count: each is read again.
    for (const listed of data.slice(0, 10)) {
      const { data: full } = await call(`read pull request #${listed.number}`, () =>
        client.rest.pulls.get({ ...repo, pull_number: listed.number }),
      )
      if (full.state === 'open') found.push(facts(full))
    }
  }
  const exact = found.filter((pr) => pr.headSha === run.headSha)
  const from =
    wanted.headOwner !== null && wanted.headBranch !== null
      ? ` (from ${wanted.headOwner}:${wanted.headBranch})`
      : ''
  if (exact.length === 1) return { pr: exact[0]!, note: null }
  if (exact.length > 1) {
    return {
      problem: `more than one open pull request has head ${run.headSha} (${exact.map((p) => `#${p.number}`).join(', ')}), so the one this run was for cannot be told`,
    }
  }
  if (found.length === 1) {
    const pr = found[0]!
    return {
      pr,
      note: `Pull request #${pr.number} has moved on to ${pr.headSha} since this run for ${run.headSha}.`,
    }
  }
  return {
    problem: `no open pull request of ${repo.owner}/${repo.repo} has head ${run.headSha}${from}, so there is nothing to check this run against`,
  }
}

/**
 * Every file the pull request adds, changes, removes or renames (old and new names), or a
 * problem when GitHub cannot list them all.
 */
export async function changedFiles(
  client: GitHubClient,
  repo: Repo,
  pr: PullRequestFacts,
): Promise<{ files: string[] } | { problem: string }> {
  if (pr.changedFiles > MAX_LISTED_FILES) {
    return {
      problem: `pull request #${pr.number} changes ${pr.changedFiles} files, more than GitHub lists (${MAX_LISTED_FILES}), so it cannot be shown to leave the workflows alone`,
    }
  }
  const listed = await call(`list the files of pull request #${pr.number}`, () =>
    client.paginate(client.rest.pulls.listFiles, {
      ...repo,
      pull_number: pr.number,
      per_page: 100,
    }),
  )
  if (listed.length < pr.changedFiles) {
    return {
      problem: `GitHub listed ${listed.length} of the ${pr.changedFiles} files pull request #${pr.number} changes, so it cannot be shown to leave the workflows alone`,
    }
  }
  return {
    files: listed.flatMap((f) =>
      f.previous_filename ? [f.filename, f.previous_filename] : [f.filename],
    ),
  }
}

/**
 * The claimed baselines that are the PR's base, or commits of its base branch (the branch's tip
 * or an ancestor of it), per GitHub's compare API. A claim that is neither is left out: the
 * caller refuses the reports that make it.
 */
export async function verifyBases(
  client: GitHubClient,
  repo: Repo,
  pr: PullRequestFacts,
  claimed: ReadonlyArray<string | null>,
): Promise<{ accepted: Array<string | null>; description: string }> {
  const accepted: Array<string | null> = []
  for (const sha of new Set(claimed)) {
    if (sha === null) continue
    if (sha === pr.baseSha) {
      accepted.push(sha)
      continue
    }
    const { data } = await call(`compare ${sha} with ${pr.baseRef}`, () =>
      client.rest.repos.compareCommitsWithBasehead({
        ...repo,
        basehead: `${sha}...${pr.baseRef}`,
        per_page: 1,
      }),
    )
    // `ahead`: the branch is ahead of the claimed commit, which is therefore one of its own.
    if (data.status === 'ahead' || data.status === 'identical') accepted.push(sha)
  }
  return {
    accepted,
    description: `the base of pull request #${pr.number} (${pr.baseRef} at ${pr.baseSha}) or a commit of ${pr.baseRef}`,
  }
}

function facts(data: {
  number: number
  head: { sha: string }
  base: { sha: string; ref: string }
  changed_files?: number
}): PullRequestFacts {
  return {
    number: data.number,
    headSha: data.head.sha.toLowerCase(),
    baseSha: data.base.sha.toLowerCase(),
    baseRef: data.base.ref,
    changedFiles: data.changed_files ?? 0,
  }
}

/**
 * `fn`'s answer; when it fails, a lookup the publisher needed failed: a QuorumError of fate
 * 'environment', so the job fails and the check run says why.
 */
async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    const c = classifyGitHubError(error, 'read-pull-request')
    const status = c.status === null ? '' : ` (HTTP ${c.status})`
    // Without the answer nothing can be verified, so nothing is published as allowed.
    throw new QuorumError(
      'environment',
      `could not ${what} to verify the gate's reports: ${c.kind}${status}: ${c.message}. ${c.hint}`,
      { cause: error },
    )
  }
}
