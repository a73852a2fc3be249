/**
 * The one place that decides whether running a pull request's code is safe in the current
 * workflow context. Everything that might run PR code under a privileged event goes through
 * `assertSafeCandidate`, and a fork's code on a runner without overlay sandboxes through
 * `assertSafeSandbox`, so the rules and their explanations live here and nowhere else.
 */
import { QuorumError } from '../../engine/errors.ts'
import { oneLine } from '../../engine/paths.ts'
import type { SandboxKind } from '../../engine/types.ts'
import { Inputs } from '../action/constants.ts'
import type { SandboxChoice } from '../action/inputs.ts'

export interface CandidateContext {
  event: string
  /** True when the candidate tree is code from a pull request's head (not yet reviewed). */
  candidateIsPrHead: boolean
  isFork: boolean
  headRepoFullName: string | null
  pullNumber: number | null
  /** The `allow-pr-head-under-pull-request-target` input. */
  allow: boolean
}

/**
 * Refuses to run a PR's head under `pull_request_target` unless the workflow explicitly opted in.
 *
 * Why: `pull_request_target` runs the base repository's workflow with its secrets and a token
 * that can write, even for pull requests from forks. Quorum runs the candidate's code (its
 * tests, its checks module, its `setup` command); the child environment is scrubbed, but the
 * job still has the token in reach (the runner process, the checkout's persisted credentials in
 * .git/config, caches that later privileged jobs restore). This is the "pwn request" pattern.
 * Under plain `pull_request` GitHub itself withholds secrets and limits the token for forks,
 * which is why that event is the safe default.
 *
 * @returns null when nothing is at stake, or the warning to show prominently when the
 *   workflow opted in (the risk is real even then, so it is said every time).
 * @throws QuorumError of fate 'usage' when the workflow did not opt in: refused for safety, the
 *   run stops; never downgraded to a warning.
 */
export function assertSafeCandidate(context: CandidateContext): string | null {
  if (context.event !== 'pull_request_target' || !context.candidateIsPrHead) return null

  const who = context.isFork
    ? `a fork (${context.headRepoFullName ?? 'deleted repository'})`
    : `branch of this repository`
  const pr =
    context.pullNumber === null ? 'the pull request' : `pull request #${context.pullNumber}`
  const risk =
    `Under pull_request_target the workflow runs with this repository's secrets and a ` +
    `write-capable token in reach, while the candidate is ${pr}'s head from ${who}: its code ` +
    `(tests, checks module, setup command) would run in that trusted job and could steal the ` +
    `token or secrets, or poison caches that privileged jobs restore.`

  if (!context.allow) {
    throw new QuorumError(
      'usage',
      `Refusing to run pull request code under pull_request_target. ${risk} ` +
        `Use the pull_request event instead (GitHub withholds secrets from fork PRs there), or, ` +
        `after reviewing the risk, set '${Inputs.AllowPrHeadUnderPullRequestTarget}: true'.`,
    )
  }
  return `Running pull request code under pull_request_target because '${Inputs.AllowPrHeadUnderPullRequestTarget}' is true. ${risk}`
}

export interface SandboxContext {
  event: string
  isFork: boolean
  headRepoFullName: string | null
  /** The `sandbox` input as the workflow gave it. */
  requested: SandboxChoice
  /** What this runner offers when overlay is asked for or auto-detected. */
  detected: SandboxKind
  /** Why overlay is unavailable (detectSandbox's reason), when detected is copy. */
  reason: string | null
}

/**
 * Refuses to run a fork's pull request in copy sandboxes unless the workflow asked for copy by
 * name (`sandbox: copy`).
 *
 * Why: only the overlay sandbox hides what the runner user can read (credential files, runner
 * control files, this action's own environment through /proc) and makes the checkout read-only.
 * A copy sandbox runs the code as the runner user with all of that in reach. For a branch of
 * this repository that is its own maintainers' code; for a fork it is anybody's, so falling back
 * silently (`auto`) would hand a stranger what the overlay was meant to keep. Overlay needs
 * unprivileged user namespaces, which Ubuntu 24.04 restricts through AppArmor by default.
 *
 * @throws QuorumError of fate 'environment' (this runner's sandbox cannot hold the fork's code;
 *   the run stops) for a fork's pull request, copy detected, and copy not asked for
 */
export function assertSafeSandbox(context: SandboxContext): void {
  const pullRequest = context.event === 'pull_request' || context.event === 'pull_request_target'
  if (!pullRequest || !context.isFork) return
  if (context.detected !== 'copy' || context.requested === 'copy') return
  const fork = context.headRepoFullName ?? 'a deleted repository'
  const why = context.reason === null ? '' : ` (${oneLine(context.reason, 300)})`
  throw new QuorumError(
    'environment',
    `Refusing to run code from a fork (${fork}) in copy sandboxes: overlay sandboxes are not ` +
      `available on this runner${why}, and a copy sandbox cannot hide the runner's credentials, ` +
      `its files or this action's own environment from the code it runs. To enable overlay ` +
      `sandboxes, allow unprivileged user namespaces: on Ubuntu 24.04 add a step ` +
      `\`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0\` before Quorum (or run ` +
      `the job as root). To accept the risk instead, set '${Inputs.Sandbox}: copy'.`,
  )
}
