/**
 * Where the gate stage runs: Linux runners only. Its protections (user namespaces, mounts,
 * cgroups, Landlock) are Linux's; on a macOS or Windows runner a PR's code would run next to
 * the job's token with nothing between them. The CLI runs on macOS in its portable copy mode,
 * for local use, where the person running it is the one at risk; the action refuses instead of
 * running a weaker gate that a protected branch would trust. The publish stage (reading a gate
 * run's artifacts) runs anywhere.
 */

/** Why the gate cannot run on this runner, in one line; null on Linux. */
export function runnerPlatformProblem(
  runnerOs: string | undefined,
  platform: NodeJS.Platform,
): string | null {
  const os = runnerOs?.trim() ?? ''
  if (platform === 'linux' && (os === '' || os === 'Linux')) return null
  const names: Partial<Record<NodeJS.Platform, string>> = { darwin: 'macOS', win32: 'Windows' }
  const where = platform !== 'linux' ? (names[platform] ?? platform) : os
  return (
    `Quorum's gate runs on Linux runners only, and this job runs on ${where}: its sandbox ` +
    "(namespaces, mounts, cgroups) is Linux's, and without it PR code would run beside the job's " +
    "token. Run the gate in a job with 'runs-on: ubuntu-latest' (the rest of the workflow can " +
    'stay where it is); on a Mac, the CLI (npx quorum-gate verify) runs checks in copy sandboxes.'
  )
}
