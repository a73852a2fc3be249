/**
 * Real git repositories shaped like GitHub's, and checkouts shaped like actions/checkout's.
 *
 * The pieces, in the order a test uses them:
 *
 *   const origin = await createOrigin(root)                 // bare repo, main = 3 commits
 *   await commitFiles(origin, 'feature', { 'src/mul.js': '...' }, 'add mul', { from: 'main' })
 *   const pr = await openPullRequest(origin, { number: 1, head: 'feature' })
 *   const event = pullRequestEvent(origin, pr)             // real payload shape, fixture shas
 *   await checkoutLikeActionsCheckout(origin, event.checkout, workspace)
 *
 * `origin` plays github.com: it is served over file:// (a real transport, so shallow fetches
 * behave as over HTTPS) and, like GitHub, lets clients fetch any reachable commit by sha. It
 * carries the refs GitHub maintains for a pull request: refs/pull/N/head and refs/pull/N/merge
 * (a real merge commit, first parent = base, second = head, GitHub's message).
 *
 * Everything runs git with a hermetic environment (no global or system config, fixed identity
 * and clock), so commits are reproducible and the developer's ~/.gitconfig cannot leak in.
 */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promises as fs } from 'node:fs'
import { createRequire } from 'node:module'
import * as os from 'node:os'
import * as path from 'node:path'
import { after, before } from 'node:test'
import { pathToFileURL } from 'node:url'

/** Files to write (string) or delete (null), by '/'-separated path. */
export type FileChanges = Record<string, string | null>

export interface Origin {
  /** The bare repository ("github.com/owner/repo"). */
  dir: string
  /** file:// URL of `dir`, what actions/checkout would get as the repository URL. */
  url: string
  /** A private clone used to author commits; tests should not need it. */
  authorDir: string
  /** owner/name used in payloads. */
  fullName: string
  /** Commits made so far on main by createOrigin, oldest first. */
  mainCommits: string[]
  /** Monotonic clock for commit dates: same steps, same shas. */
  clock: { seconds: number }
}

/** The refs GitHub keeps for one pull request, as last computed. */
export interface PullRequestRefs {
  number: number
  /** Branch names (without refs/heads/). */
  headBranch: string
  baseBranch: string
  headSha: string
  /** The base branch head the merge was computed on. */
  baseSha: string
  /** refs/pull/N/merge: GitHub's test merge of head onto base. */
  mergeSha: string
}

/** What a workflow run sees for one event, and what actions/checkout checks out for it. */
export interface FixtureEvent {
  eventName: string
  /** A real @octokit/webhooks-examples payload with the fixture's shas, refs and numbers. */
  payload: Record<string, unknown>
  env: { GITHUB_SHA: string; GITHUB_REF: string }
  /** actions/checkout's default ref and commit for this event (its `ref` / `commit` settings). */
  checkout: { ref: string; sha: string }
}

/** The tiny JS project on main. quorum.yml runs its test; an end-to-end test can gate on it. */
export const PROJECT_FILES: Readonly<FileChanges> = {
  'package.json':
    JSON.stringify(
      { name: 'fixture-app', version: '1.0.0', type: 'module', scripts: { test: 'node test.js' } },
      null,
      2,
    ) + '\n',
  'src/math.js': 'export function add(a, b) {\n  return a + b\n}\n',
  'test.js':
    "import assert from 'node:assert/strict'\nimport { add } from './src/math.js'\n\n" +
    "assert.equal(add(2, 3), 5)\nconsole.log('passed=1')\n",
  'quorum.yml':
    'mode: pass-fail\nchecks:\n  - name: unit\n    command: "node test.js"\n    timeout_s: 30\n' +
    '    score_from: passed\n',
}

/** The token the fixture's checkout persists in .git/config, as actions/checkout does by default. */
export const PERSISTED_FAKE_TOKEN = 'ghs_fixtureTokenThatMustNeverReachCheckCode0'

const SERVER_URL = 'https://github.com'

/**
 * Environment for git in tests: no system or global config (the developer's settings must not
 * change results), no prompts, fixed identity. Also what to hand GitCommandManager's parentEnv.
 */
export function hermeticGitEnv(): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: os.tmpdir(),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: os.devNull,
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
    GIT_AUTHOR_NAME: 'Fixture Author',
    GIT_AUTHOR_EMAIL: 'author@example.com',
    GIT_COMMITTER_NAME: 'Fixture Committer',
    GIT_COMMITTER_EMAIL: 'committer@example.com',
  }
}

/** Runs git in `cwd` with the hermetic environment; returns trimmed stdout, throws with stderr. */
export function git(
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd, env: { ...hermeticGitEnv(), ...env }, encoding: 'utf8', maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (error)
          reject(new Error(`git ${args.join(' ')} (in ${cwd}) failed: ${stderr || error.message}`))
        else resolve(stdout.trim())
      },
    )
  })
}

/**
 * Creates `root/origin.git`, a bare repository with main holding three commits of
 * PROJECT_FILES (the last adds README.md), configured like GitHub's server side.
 */
export async function createOrigin(
  root: string,
  options: { fullName?: string } = {},
): Promise<Origin> {
  const dir = path.join(root, 'origin.git')
  const authorDir = path.join(root, 'author')
  await fs.mkdir(root, { recursive: true })
  await git(root, ['init', '--quiet', '--bare', '--initial-branch=main', dir])
  // GitHub answers "want <sha>" for any reachable commit; stock git does not by default.
  await git(dir, ['config', 'uploadpack.allowReachableSHA1InWant', 'true'])
  await git(dir, ['config', 'uploadpack.allowAnySHA1InWant', 'true'])
  await git(dir, ['config', 'uploadpack.allowFilter', 'true'])
  await git(root, ['init', '--quiet', '--initial-branch=main', authorDir])
  const url = pathToFileURL(dir).href
  await git(authorDir, ['remote', 'add', 'origin', url])

  const origin: Origin = {
    dir,
    url,
    authorDir,
    fullName: options.fullName ?? 'octo-org/fixture-app',
    mainCommits: [],
    clock: { seconds: 1_700_000_000 },
  }
  const { 'quorum.yml': config, ...rest } = PROJECT_FILES
  origin.mainCommits.push(await commitFiles(origin, 'main', rest, 'Initial project'))
  origin.mainCommits.push(
    await commitFiles(origin, 'main', { 'quorum.yml': config ?? null }, 'Add gate'),
  )
  origin.mainCommits.push(
    await commitFiles(origin, 'main', { 'README.md': '# fixture-app\n' }, 'Add README'),
  )
  return origin
}

/**
 * Commits `files` on top of `branch` in origin (creating the branch from `options.from` when
 * it does not exist yet) and pushes it. Returns the new commit's sha.
 */
export async function commitFiles(
  origin: Origin,
  branch: string,
  files: FileChanges,
  message: string,
  options: { from?: string } = {},
): Promise<string> {
  const a = origin.authorDir
  await git(a, ['fetch', '--quiet', '--prune', 'origin', '+refs/heads/*:refs/remotes/origin/*'])
  const exists = await revExists(a, `refs/remotes/origin/${branch}`)
  if (exists) {
    await git(a, ['checkout', '--quiet', '--force', '-B', branch, `refs/remotes/origin/${branch}`])
  } else if (options.from !== undefined) {
    await git(a, [
      'checkout',
      '--quiet',
      '--force',
      '-B',
      branch,
      `refs/remotes/origin/${options.from}`,
    ])
  } else if (!(await revExists(a, 'HEAD'))) {
    await git(a, ['checkout', '--quiet', '--orphan', branch])
  } else {
    throw new Error(`commitFiles: branch ${branch} does not exist in origin; pass options.from`)
  }
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(a, ...file.split('/'))
    if (content === null) {
      await fs.rm(target, { force: true })
    } else {
      await fs.mkdir(path.dirname(target), { recursive: true })
      await fs.writeFile(target, content)
    }
  }
  await git(a, ['add', '--all'])
  await git(a, ['commit', '--quiet', '--allow-empty', '-m', message], clockEnv(origin))
  await git(a, ['push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`])
  return git(a, ['rev-parse', 'HEAD'])
}

/**
 * Does what GitHub does when a pull request is opened, or when its head or base moves:
 * points refs/pull/N/head at the head branch and rebuilds refs/pull/N/merge as a merge commit
 * of head onto the current base (message "Merge <head> into <base>", as GitHub writes it).
 * Call it again after moving either branch to get the refs a new workflow run would see.
 */
export async function openPullRequest(
  origin: Origin,
  pr: { number?: number; head: string; base?: string },
): Promise<PullRequestRefs> {
  const a = origin.authorDir
  const number = pr.number ?? 1
  const baseBranch = pr.base ?? 'main'
  await git(a, ['fetch', '--quiet', '--prune', 'origin', '+refs/heads/*:refs/remotes/origin/*'])
  const headSha = await git(a, ['rev-parse', `refs/remotes/origin/${pr.head}`])
  const baseSha = await git(a, ['rev-parse', `refs/remotes/origin/${baseBranch}`])
  const mergeSha = await mergeCommit(origin, baseSha, headSha, `Merge ${headSha} into ${baseSha}`)
  await git(a, [
    'push',
    '--quiet',
    '--force',
    'origin',
    `${headSha}:refs/pull/${number}/head`,
    `${mergeSha}:refs/pull/${number}/merge`,
  ])
  return { number, headBranch: pr.head, baseBranch, headSha, baseSha, mergeSha }
}

/**
 * Does what a merge queue does for one pull request: a merge commit of the PR head onto the
 * current base, pushed to refs/heads/gh-readonly-queue/<base>/pr-<N>-<base sha>.
 */
export async function createMergeGroup(
  origin: Origin,
  pr: PullRequestRefs,
): Promise<{ headRef: string; headSha: string; baseRef: string; baseSha: string }> {
  const a = origin.authorDir
  await git(a, ['fetch', '--quiet', '--prune', 'origin', '+refs/heads/*:refs/remotes/origin/*'])
  const baseSha = await git(a, ['rev-parse', `refs/remotes/origin/${pr.baseBranch}`])
  const headSha = await mergeCommit(
    origin,
    baseSha,
    pr.headSha,
    `Merge pull request #${pr.number} from ${origin.fullName.split('/')[0]}/${pr.headBranch}`,
  )
  const headRef = `refs/heads/gh-readonly-queue/${pr.baseBranch}/pr-${pr.number}-${baseSha}`
  await git(a, ['push', '--quiet', '--force', 'origin', `${headSha}:${headRef}`])
  return { headRef, headSha, baseRef: `refs/heads/${pr.baseBranch}`, baseSha }
}

/**
 * Exactly what actions/checkout@v4 runs with its defaults (fetch-depth 1, persist-credentials
 * true) for the workflow's own repository, where `target` is its ref/commit (GITHUB_REF and
 * GITHUB_SHA): init, add origin, disable auto gc, persist the auth header, fetch that one
 * commit with depth 1 into the remote-tracking ref it derives from the ref, check it out.
 * See actions/checkout src/git-source-provider.ts, ref-helper.ts (getRefSpec, getCheckoutInfo)
 * and git-command-manager.ts (fetch, checkout). Left out: the safe.directory entry (it lives in
 * a throwaway global config that is gone when checkout ends) and the real token (a fake one,
 * PERSISTED_FAKE_TOKEN, is persisted so tests can prove it does not reach check code).
 */
export async function checkoutLikeActionsCheckout(
  origin: Origin | string,
  target: { ref: string; sha: string },
  dir: string,
  options: { persistCredentials?: boolean } = {},
): Promise<void> {
  const url = typeof origin === 'string' ? origin : origin.url
  await fs.mkdir(dir, { recursive: true })
  await git(dir, ['init', dir])
  await git(dir, ['remote', 'add', 'origin', url])
  await git(dir, ['config', '--local', 'gc.auto', '0'])
  if (options.persistCredentials ?? true) {
    const basic = Buffer.from(`x-access-token:${PERSISTED_FAKE_TOKEN}`).toString('base64')
    await git(dir, [
      'config',
      '--local',
      `http.${SERVER_URL}/.extraheader`,
      `AUTHORIZATION: basic ${basic}`,
    ])
  }
  const { refSpec, checkoutArgs } = checkoutPlan(target.ref, target.sha)
  await git(dir, [
    '-c',
    'protocol.version=2',
    'fetch',
    '--no-tags',
    '--prune',
    '--no-recurse-submodules',
    '--depth=1',
    'origin',
    refSpec,
  ])
  await git(dir, ['sparse-checkout', 'disable'])
  await git(dir, ['checkout', '--progress', '--force', ...checkoutArgs])
  const checkedOut = await git(dir, ['log', '-1', '--format=%H'])
  if (checkedOut !== target.sha) {
    throw new Error(`checkout ended on ${checkedOut}, expected ${target.sha}`)
  }
}

// getRefSpec(ref, commit) and getCheckoutInfo(ref, commit) for the commit-given case.
function checkoutPlan(ref: string, sha: string): { refSpec: string; checkoutArgs: string[] } {
  if (ref.startsWith('refs/heads/')) {
    const branch = ref.slice('refs/heads/'.length)
    return {
      refSpec: `+${sha}:refs/remotes/origin/${branch}`,
      checkoutArgs: ['-B', branch, `refs/remotes/origin/${branch}`],
    }
  }
  if (ref.startsWith('refs/pull/')) {
    const rest = ref.slice('refs/pull/'.length)
    return {
      refSpec: `+${sha}:refs/remotes/pull/${rest}`,
      checkoutArgs: [`refs/remotes/pull/${rest}`],
    }
  }
  if (ref.startsWith('refs/tags/')) return { refSpec: `+${sha}:${ref}`, checkoutArgs: [ref] }
  return { refSpec: sha, checkoutArgs: [sha] }
}

// ---------------------------------------------------------------------------------------------
// Event payloads: real examples from @octokit/webhooks-examples, with the fixture's facts.

interface WebhookExamples {
  name: string
  examples: Record<string, unknown>[]
}

let examplesCache: WebhookExamples[] | null = null

/**
 * A deep copy of a real webhook payload from @octokit/webhooks-examples: the first example of
 * `event` whose `action` equals `match` (a string), or that `match` accepts (a predicate).
 */
export function examplePayload(
  event: string,
  match?: string | ((payload: Record<string, unknown>) => boolean),
): Record<string, unknown> {
  if (examplesCache === null) {
    const require = createRequire(import.meta.url)
    const file = require.resolve('@octokit/webhooks-examples/api.github.com/index.json')
    examplesCache = JSON.parse(readFileSync(file, 'utf8')) as WebhookExamples[]
  }
  const accepts =
    match === undefined
      ? () => true
      : typeof match === 'string'
        ? (payload: Record<string, unknown>) => payload['action'] === match
        : match
  const example = examplesCache.find((g) => g.name === event)?.examples.find(accepts)
  if (example === undefined) {
    throw new Error(`@octokit/webhooks-examples has no matching ${event} example`)
  }
  return structuredClone(example)
}

export interface PullRequestEventOptions {
  /** pull_request (default) or pull_request_target. */
  eventName?: 'pull_request' | 'pull_request_target'
  /** opened or synchronize (default). */
  action?: 'opened' | 'synchronize'
  /** The head's repository: its full name (a fork), null (a deleted fork), or omitted (same repo). */
  forkFullName?: string | null
  /** base.sha in the payload, when it should differ from the refs (a stale event). */
  payloadBaseSha?: string
  /** synchronize only: the head before the push (payload `before`); default the base sha. */
  previousHeadSha?: string
}

/**
 * The pull_request (or pull_request_target) event for `pr`: payload, GITHUB_SHA/GITHUB_REF, and
 * what actions/checkout checks out (refs/pull/N/merge under pull_request; the base branch head
 * under pull_request_target, whose GITHUB_SHA is the base's latest commit).
 */
export function pullRequestEvent(
  origin: Origin,
  pr: PullRequestRefs,
  options: PullRequestEventOptions = {},
): FixtureEvent {
  const eventName = options.eventName ?? 'pull_request'
  const action = options.action ?? 'synchronize'
  const payload = examplePayload('pull_request', action)
  const pull = object(payload, 'pull_request')
  const head = object(pull, 'head')
  const base = object(pull, 'base')
  const baseRepo = object(base, 'repo')
  const repo = { ...object(payload, 'repository') }
  const [owner, name] = origin.fullName.split('/') as [string, string]

  for (const r of [repo, baseRepo]) {
    r['full_name'] = origin.fullName
    r['name'] = name
    r['default_branch'] = pr.baseBranch
  }
  payload['repository'] = repo
  payload['number'] = pr.number
  pull['number'] = pr.number
  pull['merge_commit_sha'] = null
  head['sha'] = pr.headSha
  head['ref'] = pr.headBranch
  head['label'] = `${owner}:${pr.headBranch}`
  base['sha'] = options.payloadBaseSha ?? pr.baseSha
  base['ref'] = pr.baseBranch
  base['label'] = `${owner}:${pr.baseBranch}`
  if (options.forkFullName === null) {
    head['repo'] = null
  } else if (options.forkFullName !== undefined) {
    const forkRepo = { ...object(head, 'repo') }
    forkRepo['full_name'] = options.forkFullName
    forkRepo['name'] = options.forkFullName.split('/')[1]
    forkRepo['id'] = Number(baseRepo['id']) + 1
    forkRepo['fork'] = true
    head['repo'] = forkRepo
    head['label'] = `${options.forkFullName.split('/')[0]}:${pr.headBranch}`
  } else {
    head['repo'] = { ...baseRepo }
  }
  if (action === 'synchronize') {
    // `before` is the previous head; the fixture does not track it, and Quorum does not read it.
    payload['before'] = options.previousHeadSha ?? pr.baseSha
    payload['after'] = pr.headSha
  }

  if (eventName === 'pull_request_target') {
    // GITHUB_SHA is the base branch's latest commit; GITHUB_REF the base branch.
    const ref = `refs/heads/${pr.baseBranch}`
    return {
      eventName,
      payload,
      env: { GITHUB_SHA: pr.baseSha, GITHUB_REF: ref },
      checkout: { ref, sha: pr.baseSha },
    }
  }
  const ref = `refs/pull/${pr.number}/merge`
  return {
    eventName,
    payload,
    env: { GITHUB_SHA: pr.mergeSha, GITHUB_REF: ref },
    checkout: { ref, sha: pr.mergeSha },
  }
}

/** The push event for `ref` moving from `before` (all zeros = created) to `after`. */
export function pushEvent(
  origin: Origin,
  push: { ref: string; before: string | null; after: string; forced?: boolean },
): FixtureEvent {
  // The real "created a branch" example; the fields that differ are all rewritten below.
  const payload = examplePayload('push', (p) => String(p['ref']).startsWith('refs/heads/'))
  const before = push.before ?? '0'.repeat(40)
  const repo = object(payload, 'repository')
  repo['full_name'] = origin.fullName
  repo['name'] = origin.fullName.split('/')[1]
  payload['ref'] = push.ref
  payload['before'] = before
  payload['after'] = push.after
  payload['created'] = push.before === null
  payload['deleted'] = false
  payload['forced'] = push.forced ?? false
  payload['base_ref'] = null
  const headCommit = object(payload, 'head_commit')
  headCommit['id'] = push.after
  payload['commits'] = [headCommit]
  payload['compare'] =
    `${SERVER_URL}/${origin.fullName}/compare/${before.slice(0, 12)}...${push.after.slice(0, 12)}`
  return {
    eventName: 'push',
    payload,
    env: { GITHUB_SHA: push.after, GITHUB_REF: push.ref },
    checkout: { ref: push.ref, sha: push.after },
  }
}

/** The merge_group checks_requested event for a group made by createMergeGroup. */
export function mergeGroupEvent(
  origin: Origin,
  group: { headRef: string; headSha: string; baseRef: string; baseSha: string },
): FixtureEvent {
  const payload = examplePayload('merge_group', 'checks_requested')
  const mg = object(payload, 'merge_group')
  mg['head_sha'] = group.headSha
  mg['head_ref'] = group.headRef
  mg['base_sha'] = group.baseSha
  mg['base_ref'] = group.baseRef
  object(mg, 'head_commit')['id'] = group.headSha
  const repo = object(payload, 'repository')
  repo['full_name'] = origin.fullName
  repo['name'] = origin.fullName.split('/')[1]
  return {
    eventName: 'merge_group',
    payload,
    env: { GITHUB_SHA: group.headSha, GITHUB_REF: group.headRef },
    checkout: { ref: group.headRef, sha: group.headSha },
  }
}

/** The workflow_dispatch event run from `ref` at `sha`. */
export function workflowDispatchEvent(
  origin: Origin,
  run: { ref: string; sha: string; inputs?: Record<string, string> },
): FixtureEvent {
  const payload = examplePayload('workflow_dispatch')
  payload['ref'] = run.ref
  payload['inputs'] = run.inputs ?? {}
  const repo = object(payload, 'repository')
  repo['full_name'] = origin.fullName
  repo['name'] = origin.fullName.split('/')[1]
  return {
    eventName: 'workflow_dispatch',
    payload,
    env: { GITHUB_SHA: run.sha, GITHUB_REF: run.ref },
    checkout: { ref: run.ref, sha: run.sha },
  }
}

// ---------------------------------------------------------------------------------------------

async function mergeCommit(
  origin: Origin,
  baseSha: string,
  headSha: string,
  message: string,
): Promise<string> {
  const a = origin.authorDir
  await git(a, ['checkout', '--quiet', '--force', '--detach', baseSha])
  try {
    await git(
      a,
      ['merge', '--quiet', '--no-ff', '--no-edit', '-m', message, headSha],
      clockEnv(origin),
    )
  } catch (error) {
    await git(a, ['merge', '--abort']).catch(() => {})
    throw new Error(`the pull request does not merge cleanly onto ${baseSha}`, { cause: error })
  }
  return git(a, ['rev-parse', 'HEAD'])
}

function clockEnv(origin: Origin): Record<string, string> {
  origin.clock.seconds += 60
  const date = `${origin.clock.seconds} +0000`
  return { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date }
}

async function revExists(cwd: string, rev: string): Promise<boolean> {
  return git(cwd, ['rev-parse', '--verify', '--quiet', rev]).then(
    () => true,
    () => false,
  )
}

function object(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = parent[key]
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`webhook example has no object at ${key}`)
  }
  return value as Record<string, unknown>
}

/**
 * Per-test-file scratch directories, with a space in their names (paths with spaces must work):
 * call once at the top of a test file; the returned function makes a fresh one per call, and
 * everything is removed after the file's tests.
 */
export function scratchDirs(prefix: string): (label: string) => Promise<string> {
  let scratch = ''
  let counter = 0
  before(async () => {
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), `${prefix} `))
  })
  after(async () => {
    await fs.rm(scratch, { recursive: true, force: true })
  })
  return async (label) => {
    counter += 1
    const dir = path.join(scratch, `${label} ${counter}`)
    await fs.mkdir(dir, { recursive: true })
    return dir
  }
}
