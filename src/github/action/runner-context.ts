/**
 * What the runner tells the action through its environment, read once into one typed object.
 * Every other module of the action takes what it needs from here; none reads process.env.
 */
import { QuorumError } from '../../engine/errors.ts'

/** The repository a workflow runs in. */
export interface Repo {
  owner: string
  repo: string
}

export interface RunnerContext {
  /** The whole environment, for the allowlists that build children's environments from it. */
  env: NodeJS.ProcessEnv
  repository: Repo
  eventName: string
  eventPath: string
  sha: string
  ref: string | null
  /** e.g. https://github.com, or a GitHub Enterprise Server. */
  serverUrl: string
  /** The REST API root; null = the client's default (api.github.com). */
  apiUrl: string | null
  runId: string | null
  runAttempt: string
  /** GITHUB_JOB: the job's id in the workflow; null outside a runner. */
  job: string | null
  /** GITHUB_WORKSPACE, where actions/checkout put the repository (else the working directory). */
  workspace: string
  /** RUNNER_TEMP, emptied by the runner after every job; null outside a runner. */
  runnerTemp: string | null
  /** GITHUB_STEP_SUMMARY; null outside a runner (no summary is written). */
  stepSummary: string | null
}

/**
 * Reads the runner's variables.
 * @throws QuorumError of fate 'usage' naming the first variable that is missing or malformed.
 */
export function readRunnerContext(env: NodeJS.ProcessEnv, cwd = process.cwd()): RunnerContext {
  return {
    env,
    repository: parseRepository(env['GITHUB_REPOSITORY']),
    eventName: required(env, 'GITHUB_EVENT_NAME'),
    eventPath: required(env, 'GITHUB_EVENT_PATH'),
    sha: required(env, 'GITHUB_SHA'),
    ref: env['GITHUB_REF'] || null,
    serverUrl: (env['GITHUB_SERVER_URL'] || 'https://github.com').replace(/\/+$/, ''),
    apiUrl: env['GITHUB_API_URL'] || null,
    runId: env['GITHUB_RUN_ID'] || null,
    runAttempt: env['GITHUB_RUN_ATTEMPT'] || '1',
    job: env['GITHUB_JOB'] || null,
    workspace: env['GITHUB_WORKSPACE'] || cwd,
    runnerTemp: env['RUNNER_TEMP'] || null,
    stepSummary: env['GITHUB_STEP_SUMMARY'] || null,
  }
}

/** The web page of this workflow run, or null outside a runner. */
export function workflowRunUrl(ctx: RunnerContext): string | null {
  if (ctx.runId === null) return null
  return `${ctx.serverUrl}/${ctx.repository.owner}/${ctx.repository.repo}/actions/runs/${ctx.runId}`
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]
  if (!value)
    throw new QuorumError('usage', `${name} is not set; is this running inside GitHub Actions?`)
  return value
}

function parseRepository(value: string | undefined): Repo {
  const [owner, repo, ...rest] = (value ?? '').split('/')
  if (!owner || !repo || rest.length > 0) {
    throw new QuorumError('usage', `GITHUB_REPOSITORY must be owner/repo, not "${value ?? ''}"`)
  }
  return { owner, repo }
}
