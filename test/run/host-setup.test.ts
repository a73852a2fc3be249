// What the action asks of the machine through sudo before any PR code runs
// (src/run/host-setup.ts), with stand-ins for sudo and /proc: which commands it would run as
// root, in which order, and what it says. The real sudo path is tested in
// test/host-setup.int.test.ts, as a test user with NOPASSWD sudo.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  PROFILE_PATH,
  prepareHost,
  unshareProfile,
  type HostSetupDeps,
} from '../../src/run/host-setup.ts'

const RESTRICTION = '/proc/sys/kernel/apparmor_restrict_unprivileged_userns'

/** A machine: `sudo` answers per command (by its program's name), and logs every call. */
function machine(p: {
  uid?: number
  restricted?: '0' | '1' | null
  sudo?: (program: string) => string | null
  missing?: string[]
}) {
  const calls: Array<{ argv: readonly string[]; input?: string }> = []
  const deps: HostSetupDeps = {
    uid: () => p.uid ?? 1001,
    readFile: async (path) => (path === RESTRICTION ? (p.restricted ?? null) : null),
    tool: (name) => (p.missing?.includes(name) ? null : `/usr/bin/${name}`),
    async sudo(argv, input) {
      calls.push({ argv, ...(input !== undefined ? { input } : {}) })
      return (p.sudo ?? (() => null))(argv[0]!.split('/').at(-1)!)
    },
  }
  return { deps, calls, programs: () => calls.map((c) => c.argv.join(' ')) }
}

describe('prepareHost', () => {
  test('as root, off, or not on Linux it asks nothing of sudo', async () => {
    for (const [mode, uid, platform] of [
      ['auto', 0, 'linux'],
      ['false', 1001, 'linux'],
      ['auto', 1001, 'darwin'],
    ] as const) {
      const m = machine({ uid, restricted: '1' })
      const setup = await prepareHost(mode, m.deps, platform)
      assert.deepEqual(setup, { cgroupSudo: false, lines: [] }, `${mode} ${uid} ${platform}`)
      assert.deepEqual(m.calls, [])
    }
  })

  test('without passwordless sudo nothing changes, and the log says so', async () => {
    const m = machine({ sudo: () => 'a password is required' })
    const setup = await prepareHost('auto', m.deps, 'linux')
    assert.equal(setup.cgroupSudo, false)
    assert.deepEqual(m.programs(), ['true'])
    assert.match(setup.lines[0]!, /no passwordless sudo here; nothing was changed/)
    const asked = await prepareHost('true', machine({ sudo: () => 'exit 1' }).deps, 'linux')
    assert.match(asked.lines[0]!, /sudo -n does not work here \(exit 1\)/)
  })

  test('with sudo and no AppArmor restriction: cgroups only', async () => {
    const m = machine({ restricted: null })
    const setup = await prepareHost('auto', m.deps, 'linux')
    assert.equal(setup.cgroupSudo, true)
    assert.deepEqual(m.programs(), ['true'])
    assert.deepEqual(setup.lines, [
      'Host setup: cgroups are delegated to the gate through sudo before any check runs.',
    ])
  })

  test('under the restriction: a profile for unshare only, not the sysctl', async () => {
    const m = machine({ restricted: '1' })
    const setup = await prepareHost('auto', m.deps, 'linux')
    assert.deepEqual(m.programs(), [
      'true',
      `/usr/bin/tee ${PROFILE_PATH}`,
      `/usr/bin/apparmor_parser --replace ${PROFILE_PATH}`,
    ])
    assert.equal(m.calls[1]!.input, unshareProfile('/usr/bin/unshare'))
    assert.match(
      m.calls[1]!.input!,
      /profile quorum-unshare \/usr\/bin\/unshare flags=\(unconfined\) \{\n {2}userns,\n\}/,
    )
    assert.match(setup.lines[0]!, /loaded the AppArmor profile .* for \/usr\/bin\/unshare only/)
    assert.equal(setup.cgroupSudo, true)
  })

  test('the sysctl when no profile can be loaded, and a clear line when neither works', async () => {
    const m = machine({ restricted: '1', sudo: (p) => (p === 'apparmor_parser' ? 'exit 1' : null) })
    const setup = await prepareHost('auto', m.deps, 'linux')
    assert.equal(
      m.programs().at(-1),
      '/usr/bin/sysctl -w kernel.apparmor_restrict_unprivileged_userns=0',
    )
    assert.match(setup.lines[0]!, /no profile could be loaded \(exit 1\); set it to 0/)

    const none = machine({
      restricted: '1',
      missing: ['apparmor_parser'],
      sudo: (p) => (p === 'sysctl' ? 'exit 255' : null),
    })
    const failed = await prepareHost('auto', none.deps, 'linux')
    assert.match(
      failed.lines[0]!,
      /neither a profile \(apparmor_parser is not installed\) nor the sysctl \(exit 255\)/,
    )
    // The cgroup delegation is tried anyway: it does not need user namespaces.
    assert.equal(failed.cgroupSudo, true)
  })
})
