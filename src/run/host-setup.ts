/**
 * What the gate needs from the machine, got once through passwordless sudo before any PR code
 * runs (GitHub's hosted runners have it): user namespaces where AppArmor restricts them, and a
 * cgroup of the gate's own (the delegation itself is cgroup/delegate.ts, run by the workspace).
 *
 * Ubuntu 23.10 and later (so ubuntu-24.04 runners) set
 * kernel.apparmor_restrict_unprivileged_userns=1: an unconfined program that creates a user
 * namespace gets no capabilities in it, and the overlay sandbox cannot mount. The narrowest
 * lift is an AppArmor profile that allows `userns` for the one program the sandbox creates its
 * namespaces with (unshare), as Ubuntu itself ships for browsers; the sysctl, which lifts the
 * restriction for every program, is the fallback when the profile cannot be loaded.
 *
 * Nothing here throws: what could not be done is a line of the log, and the gate then runs as
 * it would have (copy sandboxes, no limits), saying so in its report.
 */
import { readFile } from 'node:fs/promises'
import { exec, whyFailed } from './exec.ts'
import { SYSTEM_PATH, resolveTool } from './system-tools.ts'

/** `auto`: use sudo where it works without a password; `true`: use it (say so if it fails). */
export type HostSetupMode = 'auto' | 'true' | 'false'

export const USERNS_SYSCTL = 'kernel.apparmor_restrict_unprivileged_userns'
const USERNS_SYSCTL_FILE = `/proc/sys/${USERNS_SYSCTL.replaceAll('.', '/')}`
/** Where the profile goes: the AppArmor directory the system loads at boot. */
export const PROFILE_PATH = '/etc/apparmor.d/quorum-unshare'
const SUDO_TIMEOUT_MS = 20_000

/** What prepareHost may touch; the machine's by default, stand-ins in tests. */
export interface HostSetupDeps {
  uid(): number
  /** The file's text, or null when it does not exist or cannot be read. */
  readFile(path: string): Promise<string | null>
  /** Runs `argv` as root through `sudo -n`, with `input` on stdin; null when it worked. */
  sudo(argv: readonly string[], input?: string): Promise<string | null>
  /** Absolute path of a program, or null when it is not installed. */
  tool(name: string): string | null
}

export interface HostSetup {
  /** Whether the workspace should delegate cgroups through sudo. */
  cgroupSudo: boolean
  /** What was found and changed, one line each, for the job log. */
  lines: string[]
}

/**
 * Gets user namespaces (under AppArmor's restriction) through sudo, and says whether cgroups
 * should be delegated through it, per `mode`. As root nothing is needed; without a working
 * `sudo -n` (self-hosted runners without it) nothing changes.
 */
export async function prepareHost(
  mode: HostSetupMode,
  deps: HostSetupDeps = MACHINE,
  platform: NodeJS.Platform = process.platform,
): Promise<HostSetup> {
  const lines: string[] = []
  if (mode === 'false' || platform !== 'linux' || deps.uid() === 0) {
    return { cgroupSudo: false, lines }
  }
  if (deps.tool('sudo') === null) {
    if (mode === 'true') lines.push('Host setup: sudo is not installed; nothing was changed.')
    return { cgroupSudo: false, lines }
  }
  const probe = await deps.sudo(['true'])
  if (probe !== null) {
    lines.push(
      mode === 'true'
        ? `Host setup: sudo -n does not work here (${probe}); nothing was changed.`
        : 'Host setup: no passwordless sudo here; nothing was changed (user namespaces and cgroups as the machine gives them).',
    )
    return { cgroupSudo: false, lines }
  }
  lines.push(...(await allowUserNamespaces(deps)))
  lines.push('Host setup: cgroups are delegated to the gate through sudo before any check runs.')
  return { cgroupSudo: true, lines }
}

/** Lifts AppArmor's user-namespace restriction for unshare, or for everything; lines to log. */
async function allowUserNamespaces(deps: HostSetupDeps): Promise<string[]> {
  const restricted = (await deps.readFile(USERNS_SYSCTL_FILE))?.trim()
  if (restricted !== '1') return []
  const unshare = deps.tool('unshare')
  const parser = deps.tool('apparmor_parser')
  const tee = deps.tool('tee')
  let why = 'apparmor_parser is not installed'
  if (unshare !== null && parser !== null && tee !== null) {
    why =
      (await deps.sudo([tee, PROFILE_PATH], unshareProfile(unshare))) ??
      (await deps.sudo([parser, '--replace', PROFILE_PATH])) ??
      ''
    if (why === '') {
      return [
        `Host setup: ${USERNS_SYSCTL} is 1 (AppArmor restricts user namespaces); loaded the AppArmor profile ${PROFILE_PATH}, which allows them for ${unshare} only.`,
      ]
    }
  }
  const sysctl = deps.tool('sysctl')
  const lifted =
    sysctl === null
      ? 'sysctl is not installed'
      : await deps.sudo([sysctl, '-w', `${USERNS_SYSCTL}=0`])
  if (lifted === null) {
    return [
      `Host setup: ${USERNS_SYSCTL} is 1 (AppArmor restricts user namespaces) and no profile could be loaded (${why}); set it to 0 for this machine.`,
    ]
  }
  return [
    `Host setup: AppArmor restricts user namespaces and neither a profile (${why}) nor the sysctl (${lifted}) could lift it; runs will use copy sandboxes.`,
  ]
}

/** The AppArmor profile that lets `unshare` (only) create user namespaces. */
export function unshareProfile(unshare: string): string {
  return [
    '# Written by Quorum (quorum-gate): lets the sandbox create user namespaces under',
    `# ${USERNS_SYSCTL}=1, for this one program.`,
    'abi <abi/4.0>,',
    'include <tunables/global>',
    '',
    `profile quorum-unshare ${unshare} flags=(unconfined) {`,
    '  userns,',
    '}',
    '',
  ].join('\n')
}

const MACHINE: HostSetupDeps = {
  uid: () => (typeof process.getuid === 'function' ? process.getuid() : -1),
  readFile: (path) => readFile(path, 'utf8').catch(() => null),
  tool(name) {
    try {
      return resolveTool(name, { pathEnv: `${SYSTEM_PATH}:/usr/sbin:/sbin` })
    } catch {
      return null
    }
  },
  async sudo(argv, input) {
    const sudo = MACHINE.tool('sudo')
    if (sudo === null) return 'sudo is not installed'
    return whyFailed(
      await exec({
        argv: [sudo, '-n', ...argv],
        env: { PATH: `${SYSTEM_PATH}:/usr/sbin:/sbin` },
        timeoutMs: SUDO_TIMEOUT_MS,
        ...(input !== undefined ? { input } : {}),
      }),
    )
  },
}
