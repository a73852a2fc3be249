// The action's host setup through a real sudo (src/run/host-setup.ts), as a throwaway user:
// without a sudoers entry nothing changes and runs have no cgroup; with a NOPASSWD entry (as on
// GitHub's hosted runners) the same call gets the gate a cgroup, without any input. This
// machine has no AppArmor restriction to lift; that branch is covered by the unit tests.
import assert from 'node:assert/strict'
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, test } from 'node:test'
import {
  actorEnv,
  giveTo,
  grantSudo,
  hostileSkipReason,
  runAs,
  scratchBase,
  withTestUser,
  type TestUser,
} from './support/as-user.ts'
import { removeDelegatedCgroups } from './support/cgroup-cleanup.ts'

/** prepareHost('auto') as the user, then a workspace that takes its answer, as the action does. */
const PROBE = `
import { prepareHost } from './src/run/host-setup.ts'
import { createWorkspace } from './src/run/workspace.ts'
const setup = await prepareHost('auto')
const ws = await createWorkspace({ cgroupSudo: setup.cgroupSudo, sandbox: 'copy' })
console.log(JSON.stringify({ setup, cgroupNote: ws.cgroupNote }))
await ws.dispose()
`

async function probe(user: TestUser) {
  // The CLI's copy (src/ and its packages) is what the user can read; the probe goes beside it.
  const copy = dirname(dirname(dirname(user.cli)))
  const script = join(copy, 'host-setup-probe.mts')
  writeFileSync(script, PROBE)
  chmodSync(script, 0o644)
  const tmp = mkdtempSync(join(scratchBase(), 'host-setup-'))
  giveTo(user, tmp)
  const r = await runAs(user, [user.node, script], {
    cwd: copy,
    env: actorEnv(user, tmp),
    timeoutMs: 60_000,
  })
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
    setup: { cgroupSudo: boolean; lines: string[] }
    cgroupNote: string | null
  }
}

describe('host setup through sudo', { skip: hostileSkipReason() ?? false }, () => {
  test('without passwordless sudo nothing changes; with it the gate gets a cgroup, unasked', async (t) => {
    await withTestUser(t, async (user) => {
      t.after(() => removeDelegatedCgroups(user.uid))
      const without = await probe(user)
      assert.equal(without.setup.cgroupSudo, false)
      assert.match(without.setup.lines.join('\n'), /no passwordless sudo here; nothing was changed/)
      assert.notEqual(without.cgroupNote, null, 'a user without delegation had a cgroup')

      grantSudo(user)
      const granted = await probe(user)
      assert.equal(granted.setup.cgroupSudo, true, granted.setup.lines.join('\n'))
      assert.equal(
        granted.cgroupNote,
        null,
        `no cgroup after the host setup: ${granted.cgroupNote}`,
      )
    })
  })
})
