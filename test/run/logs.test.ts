// Two gates sharing one log directory never write into each other's logs.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import type { ShellCheckSpec } from '../../src/engine/types.ts'
import { createWorkspace } from '../../src/run/workspace.ts'

const root = mkdtempSync(join(tmpdir(), 'quorum-logs-'))
after(() => rmSync(root, { recursive: true, force: true }))

test('workspaces sharing a logDir each get their own log directory in it', async () => {
  const tree = join(root, 'tree')
  mkdirSync(tree)
  writeFileSync(join(tree, 'x'), 'x')
  const shared = join(root, 'logs')
  const opts = { seed: 's', envPassthrough: [], env: {} }
  const say = (word: string): ShellCheckSpec => ({
    kind: 'shell',
    name: 'a',
    command: `echo ${word}`,
    timeout_s: 30,
    score_from: null,
    env: {},
  })
  const [one, two] = await Promise.all([
    createWorkspace({
      logDir: shared,
      keepPassingLogs: true,
      parentEnv: { PATH: process.env.PATH },
    }),
    createWorkspace({
      logDir: shared,
      keepPassingLogs: true,
      parentEnv: { PATH: process.env.PATH },
    }),
  ])
  try {
    const [t1, t2] = await Promise.all([
      one.prepareTree('candidate', tree, null, opts),
      two.prepareTree('candidate', tree, null, opts),
    ])
    const [r1, r2] = await Promise.all([
      one.runCheck(t1.tree, say('RUN-ONE'), opts),
      two.runCheck(t2.tree, say('RUN-TWO'), opts),
    ])
    assert.notEqual(r1.output.log_path, r2.output.log_path)
    assert.match(readFileSync(r1.output.log_path!, 'utf8'), /RUN-ONE/)
    assert.match(readFileSync(r2.output.log_path!, 'utf8'), /RUN-TWO/)
    assert.ok(r1.output.log_path!.startsWith(shared + '/'))
  } finally {
    await Promise.all([one.dispose(), two.dispose()])
  }
})

test('a copy run’s setsid daemon does not outlive its run', async () => {
  const tree = join(root, 'tree-daemon')
  mkdirSync(tree)
  const ws = await createWorkspace({ sandbox: 'copy', parentEnv: { PATH: process.env.PATH } })
  const daemon = 'sleep 1019.75'
  const alive = () => spawnSync('pgrep', ['-f', daemon]).status === 0
  try {
    const opts = { seed: 's', envPassthrough: [], env: {} }
    const { tree: prepared } = await ws.prepareTree('candidate', tree, null, opts)
    const result = await ws.runCheck(
      prepared,
      {
        kind: 'shell',
        name: 'daemon',
        // The run ends once the daemon is running as itself (setsid done), not after a guess.
        command: `setsid ${daemon} >/dev/null 2>&1 < /dev/null & until pgrep -f '^sleep 1019[.]75$' >/dev/null; do sleep 0.01; done; echo started`,
        timeout_s: 30,
        score_from: null,
        env: {},
      },
      opts,
    )
    assert.equal(result.outcome, 'PASSED', result.reason)
    // A generous deadline for the kill to be reaped, not a timing expectation.
    const deadline = Date.now() + 30_000
    while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    assert.equal(alive(), false, 'the setsid daemon outlived its copy run')
  } finally {
    spawnSync('pkill', ['-KILL', '-f', daemon])
    await ws.dispose()
  }
})
