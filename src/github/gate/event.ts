/**
 * From "what triggered this workflow" to "which two commits do we compare". Pure: the event
 * name, the webhook payload and a few GITHUB_* values in, an `EventPlan` out. The git side
 * (fetching, resolving the merge commit's parent) is trees.ts; this file only reads data.
 */
import { QuorumError } from '../../engine/errors.ts'
import { FULL_SHA_PATTERN, NULL_SHA_PATTERN, SUPPORTED_EVENTS } from '../action/constants.ts'
import type { ActionInputs } from '../action/inputs.ts'
import { assertSafeCandidate } from './unsafe-checkout.ts'

export interface EventPlan {
  event: string
  /**
   * The commit the candidate is compared with; null when there is none (a push that created the
   * branch, a dispatch without baseline-ref). Under pull_request this is payload base.sha and
   * only a fallback: see `baselineFromMergeParent`.
   */
  baselineSha: string | null
  /** The commit whose code is judged. */
  candidateSha: string
  /** The commit the check run and the verdict belong to (what GitHub shows on the PR). */
  headSha: string
  pullNumber: number | null
  /** Branch name the change goes into (e.g. `main`), when there is one. */
  baseRef: string | null
  headRepoFullName: string | null
  /** The PR's head lives in another repository (or in one that was deleted). */
  isFork: boolean
  /** The candidate is the PR head itself, not a merge of it onto the base. */
  candidateIsPrHead: boolean
  /** A PR comment makes sense (there is exactly one pull request to talk to). */
  commentable: boolean
  /**
   * pull_request only: candidateSha is GitHub's test merge commit (refs/pull/N/merge), and its
   * first parent is the base branch head the PR was merged onto, which may be newer than the
   * payload's base.sha. prepareTrees uses that parent as the baseline and falls back to
   * baselineSha when the candidate turns out not to be such a merge.
   */
  baselineFromMergeParent: boolean
  /**
   * workflow_dispatch only: baselineSha / candidateSha / headSha may be branch or tag names
   * from the inputs rather than shas. `resolvePlan` (trees.ts) turns them into shas; use its
   * result before talking to the GitHub API about headSha.
   */
  hasUnresolvedRefs: boolean
  /** Things a reviewer should be told about how the trees were chosen, one sentence each. */
  notes: string[]
}

/** The GITHUB_* values the plan depends on (from the runner's environment). */
export interface EventEnv {
  GITHUB_SHA: string
  GITHUB_REF?: string
}

export type EventInputs = Pick<
  ActionInputs,
  'allowPrHeadUnderPullRequestTarget' | 'baselineRef' | 'candidateRef'
> &
  Partial<Pick<ActionInputs, 'pushTrees'>>

/**
 * Decides baseline, candidate and head commit for a workflow event.
 * @param eventName GITHUB_EVENT_NAME
 * @param payload the parsed contents of GITHUB_EVENT_PATH
 * @throws QuorumError of fate 'usage' for unsupported events or payloads without the fields
 *   GitHub always sends (the event cannot be turned into a plan: the run stops), and for
 *   pull_request_target without the explicit opt-in (assertSafeCandidate).
 */
export function planFromEvent(
  eventName: string,
  payload: unknown,
  env: EventEnv,
  inputs: EventInputs,
): EventPlan {
  const githubSha = env.GITHUB_SHA.trim().toLowerCase()
  if (!FULL_SHA_PATTERN.test(githubSha)) {
    throw new QuorumError('usage', `GITHUB_SHA must be a full commit sha, got '${env.GITHUB_SHA}'`)
  }
  const p = new Payload(eventName, payload)

  let plan: EventPlan
  switch (eventName) {
    case 'pull_request':
      plan = planPullRequest(p, githubSha)
      break
    case 'pull_request_target':
      plan = planPullRequestTarget(p, githubSha, inputs)
      break
    case 'merge_group':
      plan = planMergeGroup(p)
      break
    case 'push':
      plan = planPush(p, inputs.pushTrees ?? 'both')
      break
    case 'workflow_dispatch':
      plan = planWorkflowDispatch(githubSha, env, inputs)
      break
    default:
      throw new QuorumError(
        'usage',
        `Quorum does not support the '${eventName}' event. Supported events: ${SUPPORTED_EVENTS.join(', ')}.`,
      )
  }
  for (const [name, value] of [
    ['baseline-ref', inputs.baselineRef],
    ['candidate-ref', inputs.candidateRef],
  ] as const) {
    if (value !== null && eventName !== 'workflow_dispatch') {
      plan.notes.push(
        `Input '${name}' is ignored under ${eventName}; it applies to workflow_dispatch.`,
      )
    }
  }
  if (eventName !== 'push' && (inputs.pushTrees ?? 'both') !== 'both') {
    plan.notes.push(`Input 'push-trees' is ignored under ${eventName}; it applies to push.`)
  }
  return plan
}

function planPullRequest(p: Payload, githubSha: string): EventPlan {
  const pr = pullRequestFacts(p)
  return {
    event: p.event,
    baselineSha: pr.baseSha,
    // actions/checkout's default for pull_request: GITHUB_SHA is refs/pull/N/merge, the PR as it
    // would land. Judging that (not the head alone) is what makes the comparison fair.
    candidateSha: githubSha,
    headSha: pr.headSha,
    pullNumber: pr.number,
    baseRef: pr.baseRef,
    headRepoFullName: pr.headRepoFullName,
    isFork: pr.isFork,
    candidateIsPrHead: false,
    commentable: true,
    baselineFromMergeParent: true,
    hasUnresolvedRefs: false,
    notes: [],
  }
}

function planPullRequestTarget(p: Payload, githubSha: string, inputs: EventInputs): EventPlan {
  const pr = pullRequestFacts(p)
  const plan: EventPlan = {
    event: p.event,
    // Under pull_request_target GITHUB_SHA is the base branch head, not a merge commit; GitHub
    // builds no merge for this event, so the PR head is the only candidate there is.
    baselineSha: githubSha,
    candidateSha: pr.headSha,
    headSha: pr.headSha,
    pullNumber: pr.number,
    baseRef: pr.baseRef,
    headRepoFullName: pr.headRepoFullName,
    isFork: pr.isFork,
    candidateIsPrHead: true,
    commentable: true,
    baselineFromMergeParent: false,
    hasUnresolvedRefs: false,
    notes: [],
  }
  const warning = assertSafeCandidate({
    event: plan.event,
    candidateIsPrHead: plan.candidateIsPrHead,
    isFork: plan.isFork,
    headRepoFullName: plan.headRepoFullName,
    pullNumber: plan.pullNumber,
    allow: inputs.allowPrHeadUnderPullRequestTarget,
  })
  if (warning !== null) plan.notes.push(warning)
  plan.notes.push(
    'The candidate is the pull request head, not merged onto the base: changes made on the base ' +
      'branch since the PR branched off count as differences too.',
  )
  return plan
}

function planMergeGroup(p: Payload): EventPlan {
  const headSha = p.sha('merge_group.head_sha')
  return {
    event: p.event,
    baselineSha: p.sha('merge_group.base_sha'),
    candidateSha: headSha,
    headSha,
    // A merge group may hold several PRs; there is no single one to comment on.
    pullNumber: null,
    baseRef: branchName(p.optionalString('merge_group.base_ref')),
    headRepoFullName: p.optionalString('repository.full_name'),
    isFork: false,
    candidateIsPrHead: false,
    commentable: false,
    baselineFromMergeParent: false,
    hasUnresolvedRefs: false,
    notes: [],
  }
}

function planPush(p: Payload, trees: 'both' | 'after'): EventPlan {
  const ref = p.optionalString('ref')
  const after = p.sha('after')
  if (p.optional('deleted') === true || NULL_SHA_PATTERN.test(after)) {
    throw new QuorumError(
      'usage',
      `The push deleted ${ref ?? 'a ref'}: there is no candidate commit to gate. ` +
        `Limit the workflow to pushes that update branches (on.push with branches, or ` +
        `'if: github.event.deleted == false').`,
    )
  }
  const before = p.sha('before')
  const notes: string[] = []
  let baselineSha: string | null = before
  if (trees === 'after') {
    baselineSha = null
    notes.push(
      `push-trees: after: only the pushed tree was judged; its results are stored for the pull requests on ${branchName(ref) ?? ref ?? 'this branch'}.`,
    )
  } else if (NULL_SHA_PATTERN.test(before)) {
    baselineSha = null
    notes.push(
      `The push created ${ref ?? 'the ref'}, so there is no previous commit to compare with: ` +
        'only the candidate was checked.',
    )
  } else if (p.optional('forced') === true) {
    notes.push(
      'This was a force push: the baseline is the previous tip of the branch, which is not ' +
        'necessarily an ancestor of the candidate.',
    )
  }
  return {
    event: p.event,
    baselineSha,
    candidateSha: after,
    headSha: after,
    pullNumber: null,
    baseRef: branchName(ref),
    headRepoFullName: p.optionalString('repository.full_name'),
    isFork: false,
    candidateIsPrHead: false,
    commentable: false,
    baselineFromMergeParent: false,
    hasUnresolvedRefs: false,
    notes,
  }
}

function planWorkflowDispatch(githubSha: string, env: EventEnv, inputs: EventInputs): EventPlan {
  const candidate = inputs.candidateRef ?? githubSha
  const baseline = inputs.baselineRef
  const notes: string[] = []
  if (baseline === null) {
    notes.push(
      "No 'baseline-ref' was given, so there is no baseline: only the candidate was checked.",
    )
  }
  const isSha = (rev: string | null): boolean => rev === null || FULL_SHA_PATTERN.test(rev)
  return {
    event: 'workflow_dispatch',
    baselineSha: baseline,
    candidateSha: candidate,
    headSha: candidate,
    pullNumber: null,
    baseRef: branchName(env.GITHUB_REF ?? null),
    headRepoFullName: null,
    isFork: false,
    candidateIsPrHead: false,
    commentable: false,
    baselineFromMergeParent: false,
    hasUnresolvedRefs: !isSha(baseline) || !isSha(candidate),
    notes,
  }
}

interface PullRequestFacts {
  number: number
  headSha: string
  baseSha: string
  baseRef: string | null
  headRepoFullName: string | null
  isFork: boolean
}

function pullRequestFacts(p: Payload): PullRequestFacts {
  const number = p.optional('number') ?? p.optional('pull_request.number')
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1) {
    throw new QuorumError('usage', `${p.event} payload has no pull request number (number)`)
  }
  // head.repo is null when the fork was deleted; whoever that was, it was not this repository.
  const headRepo = p.optional('pull_request.head.repo')
  const headRepoFullName = p.optionalString('pull_request.head.repo.full_name')
  const headRepoId = p.optional('pull_request.head.repo.id')
  const baseRepoId = p.optional('pull_request.base.repo.id')
  const baseRepoFullName = p.optionalString('pull_request.base.repo.full_name')
  let isFork: boolean
  if (headRepo === null || headRepo === undefined) isFork = true
  else if (typeof headRepoId === 'number' && typeof baseRepoId === 'number')
    isFork = headRepoId !== baseRepoId
  else isFork = headRepoFullName?.toLowerCase() !== baseRepoFullName?.toLowerCase()

  return {
    number,
    headSha: p.sha('pull_request.head.sha'),
    baseSha: p.sha('pull_request.base.sha'),
    baseRef: p.optionalString('pull_request.base.ref'),
    headRepoFullName,
    isFork,
  }
}

function branchName(ref: string | null): string | null {
  if (ref === null) return null
  if (ref.startsWith('refs/heads/')) return ref.slice('refs/heads/'.length)
  // refs/tags/*, refs/pull/* and the like are not branches anything merges into.
  return ref.startsWith('refs/') ? null : ref
}

/** Typed reads from an untrusted-shape payload, with errors that name the missing field. */
class Payload {
  readonly event: string
  readonly #root: unknown

  constructor(event: string, root: unknown) {
    this.event = event
    if (root === null || typeof root !== 'object') {
      throw new QuorumError('usage', `The ${event} event payload is not a JSON object`)
    }
    this.#root = root
  }

  optional(dotted: string): unknown {
    let node: unknown = this.#root
    for (const key of dotted.split('.')) {
      if (node === null || typeof node !== 'object') return undefined
      node = (node as Record<string, unknown>)[key]
    }
    return node
  }

  optionalString(dotted: string): string | null {
    const value = this.optional(dotted)
    return typeof value === 'string' && value !== '' ? value : null
  }

  /** A full commit sha, lowercased (GitHub's all-zero "no commit" included). */
  sha(dotted: string): string {
    const value = this.optional(dotted)
    if (typeof value === 'string' && FULL_SHA_PATTERN.test(value.toLowerCase())) {
      return value.toLowerCase()
    }
    throw new QuorumError(
      'usage',
      `${this.event} payload has no commit sha at ${dotted} (got ${JSON.stringify(value) ?? 'nothing'})`,
    )
  }
}
