/**
 * Paths on a runner that hold credentials or talk to the runner, which a check (PR code, running
 * as the same user as the action) has no business reading. Where the sandbox runs checks in
 * their own mount namespace, each of these is covered by an empty mount for the check's
 * lifetime; elsewhere they stay readable, and the README says so.
 */
import { dirname, join } from 'node:path'

/** The sensitive paths for this runner environment (existing or not; the sandbox skips missing ones). */
export function sensitivePaths(env: NodeJS.ProcessEnv, workingDirectory: string): string[] {
  const paths = new Set<string>()
  const add = (path: string | undefined) => {
    if (path) paths.add(path)
  }
  // actions/checkout persists the token in .git/config (v4) or in a file under RUNNER_TEMP
  // included from it (v5+); the event file, GITHUB_ENV/OUTPUT/STATE and friends live there too.
  add(env['GITHUB_WORKSPACE'] && join(env['GITHUB_WORKSPACE'], '.git'))
  add(join(workingDirectory, '.git'))
  add(env['RUNNER_TEMP'])
  for (const name of [
    'GITHUB_EVENT_PATH',
    'GITHUB_ENV',
    'GITHUB_OUTPUT',
    'GITHUB_PATH',
    'GITHUB_STATE',
    'GITHUB_STEP_SUMMARY',
  ]) {
    add(env[name] && dirname(env[name]))
  }
  const home = env['HOME']
  if (home) {
    for (const file of [
      '.git-credentials',
      '.gitconfig',
      '.npmrc',
      '.netrc',
      '.docker',
      '.config/gh',
      '.ssh',
      '.aws',
      '.kube',
    ]) {
      add(join(home, file))
    }
  }
  return [...paths]
}
