/**
 * The action's inputs, read once into one typed object. Everything downstream takes
 * `ActionInputs`; nothing else calls core.getInput, so a bad input fails the step before any
 * git or check work starts, with a message that names the input and the form it expects.
 */
import { QuorumError } from '../../engine/errors.ts'
import type { HostSetupMode } from '../../run/host-setup.ts'
import * as path from 'node:path'
import * as core from '@actions/core'
import { CHECK_NAME_PATTERN, MAX_CHECK_NAME_LENGTH } from '../../engine/config-schema.ts'
import { parseShard, type Shard } from '../../engine/shard.ts'
import {
  AUDIT_KINDS,
  MODES,
  type AuditKind,
  type Mode,
  type SandboxKind,
} from '../../engine/types.ts'
import {
  DEFAULT_ARTIFACT_NAME,
  DEFAULT_CONFIG_FILE,
  DEFAULT_GATE_NAME,
  FULL_SHA_PATTERN,
  Inputs,
} from './constants.ts'

/** Where quorum.yml is read from: the base tree (a PR cannot weaken its own gate) or the PR's. */
export type ConfigSource = 'base' | 'candidate'
export const CONFIG_SOURCES: readonly ConfigSource[] = ['base', 'candidate']

/** `auto` lets the runner pick overlay when the kernel allows it, else copy. */
export type SandboxChoice = 'auto' | SandboxKind
export const SANDBOX_CHOICES: readonly SandboxChoice[] = ['auto', 'overlay', 'copy']

/**
 * What this job does (DESIGN "Forks and shards"): `all` gates and publishes; `gate` runs the
 * checks and writes the report directory for a later job, publishing nothing; `publish` runs no
 * check at all: it fetches the gate jobs' report artifacts, validates and merges them, and
 * publishes the result.
 */
/**
 * Which trees a push run judges: `both`, the tree before the push against the one after it;
 * `after`, the pushed tree alone, which is all a pull request on the branch needs from it (its
 * results land in the branch's cache scope, where every PR's run can read them).
 */
export type PushTrees = 'both' | 'after'
export const PUSH_TREES: readonly PushTrees[] = ['both', 'after']

export type Stage = 'all' | 'gate' | 'publish'
export const STAGES: readonly Stage[] = ['all', 'gate', 'publish']

export interface ActionInputs {
  /** Config path relative to the repository root, normalized, never absolute, never above it. */
  config: string
  /** Empty when the workflow gave none: GitHub side effects are then skipped, not failed. */
  token: string
  gateName: string
  comment: boolean
  checkRun: boolean
  /** null = use the config's mode. */
  mode: Mode | null
  configSource: ConfigSource
  allowPrHeadUnderPullRequestTarget: boolean
  /** workflow_dispatch only: a branch, tag or full sha; null when not given. */
  baselineRef: string | null
  /** workflow_dispatch only: null = the workflow's own commit (GITHUB_SHA). */
  candidateRef: string | null
  /** push only: which trees are judged (default both). */
  pushTrees: PushTrees
  /** Absolute path of the checkout. */
  workingDirectory: string
  /** null = the config's value, else the number of cores. */
  parallel: number | null
  sandbox: SandboxChoice
  /** Whether to get per-run cgroups through `sudo -n` when not root (see cgroup.ts). */
  cgroupSudo: boolean
  /** What to get from the machine through passwordless sudo first (see run/host-setup.ts). */
  hostSetup: HostSetupMode
  /**
   * Login whose comments are Quorum's (e.g. `my-app[bot]` for a GitHub App token, which GET
   * /user cannot identify); null = the token's own identity.
   */
  commentAuthor: string | null
  /** Checks not to run in this job (listed as skipped in the report). */
  skip: string[]
  /** Reuse consistent results through the GitHub Actions cache (default true). */
  cache: boolean
  /** The audits to run when the config has no `audit` key (default: the vacuity probe). */
  audit: AuditKind[]
  stage: Stage
  /** `gate` stage only: run this shard's share of the checks; null = all of them. */
  shard: Shard | null
  /** The report artifact's name; shards upload `<name>-<K>`. */
  artifactName: string
}

/** A workflow author gave an input Quorum cannot use. Stops the run: guessing would gate wrongly. */
function parseHostSetup(value: string): HostSetupMode {
  if (value === '' || value === 'auto') return 'auto'
  if (TRUE_VALUES.includes(value)) return 'true'
  if (FALSE_VALUES.includes(value)) return 'false'
  throw new InputError(
    Inputs.HostSetup,
    `Input '${Inputs.HostSetup}' must be auto, true or false, got '${value}'`,
  )
}

export class InputError extends QuorumError {
  readonly input: string
  constructor(input: string, message: string) {
    super('usage', message)
    this.input = input
  }
}

export interface InputContext {
  /** Directory relative working-directory values resolve against (GITHUB_WORKSPACE). */
  workspace: string
}

/**
 * Parses raw input strings into `ActionInputs`. Pure apart from path resolution: `get` returns
 * the raw value of one input ('' when unset), so tests need no environment.
 * @throws InputError naming the first invalid input and the form it expects.
 */
export function parseInputs(
  get: (name: string) => string,
  context: InputContext = { workspace: process.cwd() },
): ActionInputs {
  // core.getInput trims; a plain `get` from a test may not, and ' true' should still be true.
  const raw = (name: string): string => get(name).trim()

  return {
    config: parseConfigPath(raw(Inputs.Config) || DEFAULT_CONFIG_FILE),
    token: raw(Inputs.Token),
    gateName: parseGateName(raw(Inputs.GateName) || DEFAULT_GATE_NAME),
    comment: parseBoolean(Inputs.Comment, raw(Inputs.Comment), true),
    checkRun: parseBoolean(Inputs.CheckRun, raw(Inputs.CheckRun), true),
    mode: parseMode(raw(Inputs.Mode)),
    configSource: parseChoice(
      Inputs.ConfigSource,
      raw(Inputs.ConfigSource),
      CONFIG_SOURCES,
      'base',
    ),
    allowPrHeadUnderPullRequestTarget: parseBoolean(
      Inputs.AllowPrHeadUnderPullRequestTarget,
      raw(Inputs.AllowPrHeadUnderPullRequestTarget),
      false,
    ),
    baselineRef: parseRef(Inputs.BaselineRef, raw(Inputs.BaselineRef)),
    candidateRef: parseRef(Inputs.CandidateRef, raw(Inputs.CandidateRef)),
    pushTrees: parseChoice(Inputs.PushTrees, raw(Inputs.PushTrees), PUSH_TREES, 'both'),
    workingDirectory: path.resolve(context.workspace, raw(Inputs.WorkingDirectory) || '.'),
    parallel: parseParallel(raw(Inputs.Parallel)),
    sandbox: parseChoice(Inputs.Sandbox, raw(Inputs.Sandbox), SANDBOX_CHOICES, 'auto'),
    cgroupSudo: parseBoolean(Inputs.CgroupSudo, raw(Inputs.CgroupSudo), false),
    hostSetup: parseHostSetup(raw(Inputs.HostSetup)),
    commentAuthor: parseLogin(raw(Inputs.CommentAuthor)),
    skip: parseNameList(Inputs.Skip, raw(Inputs.Skip)),
    cache: parseBoolean(Inputs.Cache, raw(Inputs.Cache), true),
    audit: parseAuditKinds(raw(Inputs.Audit)),
    ...parseStageInputs(raw),
  }
}

/** `stage`, `shard` and `artifact-name`, which only make sense together. */
function parseStageInputs(
  raw: (name: string) => string,
): Pick<ActionInputs, 'stage' | 'shard' | 'artifactName'> {
  const stage = parseChoice(Inputs.Stage, raw(Inputs.Stage), STAGES, 'all')
  const shardText = raw(Inputs.Shard)
  let shard: Shard | null = null
  if (shardText !== '') {
    if (stage !== 'gate') {
      // Silently running every check (stage all) or none (publish) would not be what was meant.
      throw new InputError(
        Inputs.Shard,
        `Input '${Inputs.Shard}' applies to '${Inputs.Stage}: gate' only (this job's stage is ${stage}); remove it, or set ${Inputs.Stage}: gate`,
      )
    }
    try {
      shard = parseShard(shardText)
    } catch (error) {
      const why = error instanceof Error ? error.message.replace(/^shard: /, '') : String(error)
      throw new InputError(Inputs.Shard, `Input '${Inputs.Shard}' must be K/N: ${why}`)
    }
  }
  const artifactName = raw(Inputs.ArtifactName) || DEFAULT_ARTIFACT_NAME
  // The name is matched against artifact listings and shown in reasons: keep it inert, and
  // short enough that `<name>-<K>` stays a valid artifact name.
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(artifactName)) {
    throw new InputError(
      Inputs.ArtifactName,
      `Input '${Inputs.ArtifactName}' must be 1 to 100 of [A-Za-z0-9_.-], starting with a letter or digit, got '${artifactName.slice(0, 60)}'`,
    )
  }
  return { stage, shard, artifactName }
}

/**
 * Reads the action's inputs from the runner (INPUT_* variables) once; relative paths resolve
 * against `workspace` (RunnerContext.workspace).
 * @throws InputError naming the first invalid input.
 */
export function readInputs(workspace: string): ActionInputs {
  const inputs = parseInputs((name) => core.getInput(name), { workspace })
  // A personal token passed in by name is not always a registered secret; mask it anyway.
  if (inputs.token) core.setSecret(inputs.token)
  return inputs
}

// The YAML 1.2 core schema booleans, the same list core.getBooleanInput accepts, so a workflow
// that works with other actions works here; core's own error does not say which value it saw.
const TRUE_VALUES = ['true', 'True', 'TRUE']
const FALSE_VALUES = ['false', 'False', 'FALSE']

function parseBoolean(name: string, value: string, fallback: boolean): boolean {
  if (value === '') return fallback
  if (TRUE_VALUES.includes(value)) return true
  if (FALSE_VALUES.includes(value)) return false
  throw new InputError(
    name,
    `Input '${name}' must be a boolean (true | True | TRUE | false | False | FALSE), got '${value}'`,
  )
}

function parseChoice<T extends string>(
  name: string,
  value: string,
  choices: readonly T[],
  fallback: T,
): T {
  if (value === '') return fallback
  const found = choices.find((c) => c === value)
  if (found === undefined) {
    throw new InputError(
      name,
      `Input '${name}' must be one of ${choices.join(' | ')}, got '${value}'`,
    )
  }
  return found
}

function parseMode(value: string): Mode | null {
  if (value === '') return null
  const found = MODES.find((m) => m === value)
  if (found === undefined) {
    throw new InputError(
      Inputs.Mode,
      `Input '${Inputs.Mode}' must be empty (use the config's mode) or one of ${MODES.join(' | ')}, got '${value}'`,
    )
  }
  return found
}

const GATE_NAME_PATTERN = /^[A-Za-z0-9_.-]+$/

/** A GitHub login (users: letters, digits, '-'; apps: `name[bot]`); '' = not given. */
function parseLogin(value: string): string | null {
  if (value === '') return null
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\[bot\])?$/.test(value)) {
    throw new InputError(
      Inputs.CommentAuthor,
      `Input '${Inputs.CommentAuthor}' must be a GitHub login such as 'octocat' or 'my-app[bot]', got '${value}'`,
    )
  }
  return value
}

function parseGateName(value: string): string {
  // The name ends up in a hidden comment marker and a check run name: keep it inert.
  if (!GATE_NAME_PATTERN.test(value)) {
    throw new InputError(
      Inputs.GateName,
      `Input '${Inputs.GateName}' must match [A-Za-z0-9_.-]+ (letters, digits, '_', '.', '-'), got '${value}'`,
    )
  }
  return value
}

function parseConfigPath(value: string): string {
  // The config is read from a tree (baseline or candidate), never from the runner's disk, so
  // only a path inside the repository makes sense; '..' would let it point anywhere.
  const posix = value.replaceAll('\\', '/')
  const normalized = path.posix.normalize(posix)
  if (
    value.includes('\0') ||
    path.posix.isAbsolute(posix) ||
    path.win32.isAbsolute(value) ||
    normalized === '..' ||
    normalized.startsWith('../') ||
    normalized === '.'
  ) {
    throw new InputError(
      Inputs.Config,
      `Input '${Inputs.Config}' must be a file path relative to the repository root (e.g. quorum.yml or .github/quorum.yml), got '${value}'`,
    )
  }
  return normalized
}

// Branch and tag names as people type them, or a full sha. Narrower than git check-ref-format
// on purpose: the value becomes a git argument, so nothing that could read as an option
// (leading '-') or a revision expression ('..', '~', '^', ':') gets through.
const REF_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/

function parseRef(name: string, value: string): string | null {
  if (value === '') return null
  if (FULL_SHA_PATTERN.test(value.toLowerCase())) return value.toLowerCase()
  if (
    !REF_PATTERN.test(value) ||
    value.includes('..') ||
    value.includes('//') ||
    value.endsWith('/') ||
    value.endsWith('.') ||
    value.endsWith('.lock')
  ) {
    throw new InputError(
      name,
      `Input '${name}' must be a branch or tag name (e.g. main, refs/heads/main, v1.2.0) or a full commit sha, got '${value}'`,
    )
  }
  return value
}

function parseParallel(value: string): number | null {
  if (value === '') return null
  if (!/^[1-9][0-9]{0,3}$/.test(value)) {
    throw new InputError(
      Inputs.Parallel,
      `Input '${Inputs.Parallel}' must be empty or a whole number from 1 to 9999, got '${value}'`,
    )
  }
  return Number(value)
}

/**
 * Check names separated by commas, spaces or newlines (a YAML block scalar works). Each must look
 * like a check name; whether the config has it is checked once the config is read.
 */
/**
 * `vacuity` (the default: cheap, and cached once per base tree and config), `changes`, both
 * (commas or newlines between them), or `none`.
 */
function parseAuditKinds(value: string): AuditKind[] {
  if (value === '') return ['vacuity']
  if (value === 'none') return []
  const kinds = value.split(/[\s,]+/).filter((k) => k !== '')
  for (const kind of kinds) {
    if (!(AUDIT_KINDS as readonly string[]).includes(kind)) {
      throw new InputError(
        Inputs.Audit,
        `Input '${Inputs.Audit}' must be ${AUDIT_KINDS.join(', ')}, both (separated by a comma), or none; '${kind.slice(0, 60)}' is not an audit`,
      )
    }
  }
  return [...new Set(kinds as AuditKind[])]
}

function parseNameList(input: string, value: string): string[] {
  const names = value.split(/[\s,]+/).filter((n) => n !== '')
  for (const name of names) {
    if (!CHECK_NAME_PATTERN.test(name) || name.length > MAX_CHECK_NAME_LENGTH) {
      throw new InputError(
        input,
        `Input '${input}' must list check names separated by commas or newlines; '${name.slice(0, 60)}' is not a check name`,
      )
    }
  }
  return [...new Set(names)]
}
