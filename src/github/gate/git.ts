/**
 * Every git command Quorum runs, behind one small interface (the actions/checkout pattern: an
 * interface, a factory, a private class). Callers and tests depend on `GitCommandManager`
 * only; a test can hand in a plain object instead.
 */
import { QuorumError } from '../../engine/errors.ts'
import * as path from 'node:path'
import { FULL_SHA_PATTERN } from '../action/constants.ts'
import { exec } from '../../run/exec.ts'
import { resolveTool, SYSTEM_PATH } from '../../run/system-tools.ts'

export interface GitCommandManager {
  /** The directory commands run in (the checkout). */
  readonly workingDirectory: string
  /** Resolves a revision to a full object id (`git rev-parse --verify`). */
  revParse(rev: string): Promise<string>
  /**
   * Fetches one commit (by sha, or the commit a remote branch/tag names) with `depth` history,
   * no tags, no submodules. Skips the network when a sha is already present.
   * @returns the full sha of the fetched commit
   */
  fetchShallow(remote: string, rev: string, depth: number): Promise<string>
  /** True when the commit object itself is present locally (not just named in a shallow graft). */
  commitExists(sha: string): Promise<boolean>
  /** The parents recorded in the commit object, first parent first; works in shallow clones. */
  parents(sha: string): Promise<string[]>
  /** Checks `sha` out, detached, into a new worktree at the absolute path `dir`. */
  worktreeAdd(dir: string, sha: string): Promise<void>
  /** Removes a worktree added by `worktreeAdd`, even when it holds untracked files. */
  worktreeRemove(dir: string): Promise<void>
  /** Forgets worktrees whose directories are gone. */
  worktreePrune(): Promise<void>
  /**
   * Paths that differ between two commits, repository-relative and '/'-separated, optionally
   * limited to `paths` (repository-relative, matched literally: no globs).
   */
  diffNames(a: string, b: string, paths?: readonly string[]): Promise<string[]>
  /** Absolute path of the repository's top-level directory. */
  topLevel(): Promise<string>
}

export interface GitCommandManagerOptions {
  /**
   * Absolute path of the git executable. Default: resolved once, when the manager is created
   * (see resolveTool: system directories first, `parentEnv.PATH` only as a guarded fallback).
   * Create the manager before any untrusted code runs; it never looks git up again.
   */
  gitPath?: string
  /**
   * Environment the allowlisted variables are taken from (default process.env). Git never sees
   * the rest: GIT_DIR or GIT_INDEX_FILE leaking in from a hook would make every command act
   * on the wrong repository, and nothing else in the action's environment is git's business.
   */
  parentEnv?: Readonly<Record<string, string | undefined>>
  /**
   * Token for fetches over HTTPS. Sent as an extra header through the environment, never on
   * the command line (visible in `ps`) and never written to .git/config (readable by the code
   * under test). Without it, fetches rely on what actions/checkout persisted.
   */
  authToken?: string
  /** Server the token belongs to (GITHUB_SERVER_URL); default https://github.com. */
  serverUrl?: string
  /** Wall-clock limit of one git command; default 10 minutes (a stuck network fetch). */
  timeoutMs?: number
  /** Receives each command line before it runs (e.g. core.info); default silent. */
  log?: (line: string) => void
}

/** A git command failed. Carries what is needed to tell the user why. */
export class GitError extends QuorumError {
  readonly args: readonly string[]
  readonly exitCode: number | null
  readonly stderr: string
  constructor(args: readonly string[], exitCode: number | null, stderr: string, detail: string) {
    super(
      'environment',
      `git ${args.join(' ')} failed (${detail})${stderr ? `: ${lastLines(stderr, 5)}` : ''}`,
    )
    this.args = args
    this.exitCode = exitCode
    this.stderr = stderr
  }
}

/** Creates the git command manager for the repository at `workingDirectory`. */
export function createGitCommandManager(
  workingDirectory: string,
  options: GitCommandManagerOptions = {},
): GitCommandManager {
  return new CommandManager(path.resolve(workingDirectory), options)
}

// Variables git may legitimately need from the runner: where to find its config, temp dirs,
// Windows system paths, proxies and SSH agents for fetching. Not PATH: git gets SYSTEM_PATH, so
// the helpers it starts (ssh, credential helpers) cannot be ones a check planted on the runner's.
const GIT_ENV_ALLOWLIST = [
  'HOME',
  'USERPROFILE',
  'HOMEDRIVE',
  'HOMEPATH',
  'SYSTEMROOT',
  'SystemRoot',
  'COMSPEC',
  'TEMP',
  'TMP',
  'TMPDIR',
  'XDG_CONFIG_HOME',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_NOSYSTEM',
  'GIT_SSH',
  'GIT_SSH_COMMAND',
  'SSH_AUTH_SOCK',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'all_proxy',
]

/**
 * The environment git runs with: allowlisted variables from `parentEnv`, a fixed PATH, and
 * settings that make it non-interactive. Exported for tests.
 */
export function gitEnvironment(
  parentEnv: Readonly<Record<string, string | undefined>>,
  auth?: { token: string; serverUrl: string },
): Record<string, string> {
  const env: Record<string, string> = {}
  for (const name of GIT_ENV_ALLOWLIST) {
    const value = parentEnv[name]
    if (value !== undefined) env[name] = value
  }
  env['PATH'] = SYSTEM_PATH
  // A prompt on a runner waits forever; fail instead (same settings as actions/checkout).
  env['GIT_TERMINAL_PROMPT'] = '0'
  env['GCM_INTERACTIVE'] = 'Never'
  // LFS objects are not part of any check's input by default and can be huge.
  env['GIT_LFS_SKIP_SMUDGE'] = '1'
  // English, unlocalized messages: they end up in errors users paste into issues.
  env['LC_ALL'] = 'C'
  if (auth) {
    const key = `http.${auth.serverUrl.replace(/\/+$/, '')}/.extraheader`
    const basic = Buffer.from(`x-access-token:${auth.token}`, 'utf8').toString('base64')
    // The empty value first resets the header list, so a header actions/checkout persisted in
    // .git/config is not sent alongside ours (two Authorization headers get a 400).
    env['GIT_CONFIG_COUNT'] = '2'
    env['GIT_CONFIG_KEY_0'] = key
    env['GIT_CONFIG_VALUE_0'] = ''
    env['GIT_CONFIG_KEY_1'] = key
    env['GIT_CONFIG_VALUE_1'] = `AUTHORIZATION: basic ${basic}`
  }
  return env
}

const MAX_OUTPUT_BYTES = 64 * 1024 * 1024
const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000

interface GitOutput {
  stdout: string
  exitCode: number
}

class CommandManager implements GitCommandManager {
  readonly workingDirectory: string
  readonly #git: string
  readonly #env: Record<string, string>
  /** The environment of `git fetch` only: no other command needs the token. */
  readonly #fetchEnv: Record<string, string>
  readonly #timeoutMs: number
  readonly #log: (line: string) => void

  constructor(workingDirectory: string, options: GitCommandManagerOptions) {
    this.workingDirectory = workingDirectory
    const parentEnv = options.parentEnv ?? process.env
    if (options.gitPath !== undefined && !path.isAbsolute(options.gitPath)) {
      throw new Error(`gitPath must be absolute, got '${options.gitPath}'`)
    }
    this.#git =
      options.gitPath ??
      resolveTool('git', {
        pathEnv: parentEnv['PATH'] ?? '',
        home: parentEnv['HOME'] ?? '',
      })
    const auth = options.authToken
      ? { token: options.authToken, serverUrl: options.serverUrl || 'https://github.com' }
      : undefined
    this.#env = gitEnvironment(parentEnv)
    this.#fetchEnv = gitEnvironment(parentEnv, auth)
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.#log = options.log ?? (() => {})
  }

  async revParse(rev: string): Promise<string> {
    const out = await this.#run(['rev-parse', '--verify', argument(rev)])
    return out.stdout.trim()
  }

  async fetchShallow(remote: string, rev: string, depth: number): Promise<string> {
    if (!Number.isInteger(depth) || depth < 1) {
      throw new Error(`fetchShallow: depth must be a positive integer, got ${depth}`)
    }
    const isSha = FULL_SHA_PATTERN.test(rev)
    if (isSha && (await this.commitExists(rev))) return rev
    // GitHub serves any reachable commit by id (uploadpack.allowReachableSHA1InWant), so one
    // commit can be fetched without its branch and without history.
    await this.#run(
      [
        'fetch',
        '--no-tags',
        '--no-recurse-submodules',
        `--depth=${depth}`,
        argument(remote),
        argument(rev),
      ],
      { auth: true },
    )
    if (isSha) {
      if (!(await this.commitExists(rev))) {
        throw new Error(`git fetch ${remote} ${rev} succeeded but commit ${rev} is not present`)
      }
      return rev
    }
    return (await this.#run(['rev-parse', '--verify', 'FETCH_HEAD^{commit}'])).stdout.trim()
  }

  async commitExists(sha: string): Promise<boolean> {
    // `cat-file -e` reads the object itself; rev-parse would also accept a name it can resolve.
    const out = await this.#run(['cat-file', '-e', `${argument(sha)}^{commit}`], {
      allowFailure: true,
    })
    return out.exitCode === 0
  }

  async parents(sha: string): Promise<string[]> {
    // Not `rev-parse sha^@`: in a shallow clone (what actions/checkout leaves) the boundary
    // commit's parents are hidden by the shallow graft, but the commit object still lists them.
    const out = await this.#run(['cat-file', 'commit', argument(sha)])
    const parents: string[] = []
    for (const line of out.stdout.split('\n')) {
      if (line === '') break // end of the header, start of the message
      if (line.startsWith('parent ')) parents.push(line.slice('parent '.length).trim())
    }
    return parents
  }

  async worktreeAdd(dir: string, sha: string): Promise<void> {
    absolute(dir)
    // Hooks in the checkout's .git/hooks are not ours to run (post-checkout fires here).
    await this.#run([
      '-c',
      'core.hooksPath=/dev/null',
      'worktree',
      'add',
      '--detach',
      dir,
      argument(sha),
    ])
  }

  async worktreeRemove(dir: string): Promise<void> {
    absolute(dir)
    // --force: a prepared tree holds build output (node_modules, setup results) by design.
    await this.#run(['worktree', 'remove', '--force', dir])
  }

  async worktreePrune(): Promise<void> {
    await this.#run(['worktree', 'prune'])
  }

  async diffNames(a: string, b: string, paths: readonly string[] = []): Promise<string[]> {
    const args = [
      'diff',
      '--name-only',
      '-z',
      '--no-renames',
      '--no-ext-diff',
      argument(a),
      argument(b),
      '--',
      ...paths.map((p) => `:(top,literal)${p}`),
    ]
    const out = await this.#run(args)
    return out.stdout.split('\0').filter((name) => name !== '')
  }

  async topLevel(): Promise<string> {
    return (await this.#run(['rev-parse', '--show-toplevel'])).stdout.trim()
  }

  async #run(
    args: string[],
    options: { allowFailure?: boolean; auth?: boolean } = {},
  ): Promise<GitOutput> {
    // Protocol v2 lets the server filter refs, so fetching one sha does not list every ref.
    const fullArgs = ['-c', 'protocol.version=2', ...args]
    this.#log(`git ${fullArgs.join(' ')}`)
    const r = await exec({
      argv: [this.#git, ...fullArgs],
      cwd: this.workingDirectory,
      env: options.auth ? this.#fetchEnv : this.#env,
      timeoutMs: this.#timeoutMs,
      // A git over its budget is stuck (a network fetch): SIGKILL follows SIGTERM at once.
      graceMs: 0,
      maxOutputBytes: MAX_OUTPUT_BYTES,
    })
    if (r.error === null && !r.timedOut && !r.truncated && r.code !== null) {
      if (r.code === 0 || options.allowFailure) return { stdout: r.stdout, exitCode: r.code }
    }
    const detail = r.timedOut
      ? `killed after ${this.#timeoutMs} ms`
      : r.truncated
        ? `more than ${MAX_OUTPUT_BYTES / 1024 / 1024} MiB of output`
        : (r.error ?? (r.code !== null ? `exit code ${r.code}` : `killed by ${r.signal}`))
    throw new GitError(fullArgs, r.code, r.stderr, detail)
  }
}

/** Refuses values git would parse as options: revisions and remotes come from payloads. */
function argument(value: string): string {
  if (value === '' || value.startsWith('-')) {
    throw new Error(`Refusing to pass '${value}' to git: not a revision or remote name`)
  }
  return value
}

function absolute(dir: string): void {
  if (!path.isAbsolute(dir)) throw new Error(`Worktree path must be absolute, got '${dir}'`)
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join('\n')
}
