/**
 * Names shared between action.yml and the code that reads it. Keeping them in one place means a
 * renamed input is one edit here and one in action.yml, not a string hunt.
 */

/** Input names exactly as action.yml spells them. */
export const Inputs = {
  Config: 'config',
  Token: 'token',
  GateName: 'gate-name',
  Comment: 'comment',
  CheckRun: 'check-run',
  Mode: 'mode',
  ConfigSource: 'config-source',
  AllowPrHeadUnderPullRequestTarget: 'allow-pr-head-under-pull-request-target',
  BaselineRef: 'baseline-ref',
  CandidateRef: 'candidate-ref',
  PushTrees: 'push-trees',
  HostSetup: 'host-setup',
  WorkingDirectory: 'working-directory',
  Parallel: 'parallel',
  Sandbox: 'sandbox',
  CgroupSudo: 'cgroup-sudo',
  CommentAuthor: 'comment-author',
  Skip: 'skip',
  Cache: 'cache',
  Audit: 'audit',
  Stage: 'stage',
  Shard: 'shard',
  ArtifactName: 'artifact-name',
} as const
export type InputName = (typeof Inputs)[keyof typeof Inputs]

/** Defaults for inputs whose action.yml default may be missing (local runs, tests, older action.yml). */
export const DEFAULT_CONFIG_FILE = 'quorum.yml'
export const DEFAULT_GATE_NAME = 'default'
/** The report artifact's name (shards add `-<K>`), as the README's upload step names it. */
export const DEFAULT_ARTIFACT_NAME = 'quorum-report'

/** The events Quorum knows how to turn into a baseline and a candidate. */
export const SUPPORTED_EVENTS = [
  'pull_request',
  'pull_request_target',
  'merge_group',
  'push',
  'workflow_dispatch',
] as const
export type SupportedEvent = (typeof SUPPORTED_EVENTS)[number]

/** What GitHub puts in `before`/`after` for a side of a push that does not exist. */
export const NULL_SHA_PATTERN = /^0+$/

/** A full object id: SHA-1 (40 hex) or SHA-256 (64 hex) repositories. */
export const FULL_SHA_PATTERN = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/
