// What an overlay run cannot see: masked credential paths and the judge's own /proc entries.
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import type { ShellCheckSpec } from '../../src/engine/types.ts'
import { createWorkspace } from '../../src/run/workspace.ts'

const root = mkdtempSync(join(tmpdir(), 'quorum masks ü-'))
after(() => rmSync(root, { recursive: true, force: true }))

const secretDir = join(root, 'runner temp')
const secretFile = join(root, 'git-credentials')
const tree = join(root, 'tree')
mkdirSync(join(secretDir, 'file commands'), { recursive: true })
mkdirSync(tree)
writeFileSync(join(secretDir, 'token'), 'ghs_DIRSECRET')
writeFileSync(secretFile, 'https://x:ghs_FILESECRET@github.com')
writeFileSync(join(tree, 'a.txt'), 'tree content')

const peek: ShellCheckSpec = {
  kind: 'shell',
  name: 'peek',
  command: [
    'cat a.txt',
    `cat '${secretDir}/token'`,
    `cat '${secretFile}'`,
    `cat /proc/${process.pid}/environ`,
    'echo; echo "pid1=$(cat /proc/1/comm)"',
    'exit 0',
  ].join('; '),
  timeout_s: 30,
  score_from: null,
  env: {},
}
const opts = { seed: 'masks', envPassthrough: [], env: {} }

test('an overlay run cannot read masked paths nor the judge’s /proc entries', async (t) => {
  const ws = await createWorkspace({
    // A mask nested in another (RUNNER_TEMP and its _runner_file_commands) must not break the run.
    maskPaths: [secretDir, join(secretDir, 'file commands'), secretFile, join(root, 'missing')],
    parentEnv: { PATH: process.env.PATH, JUDGE_SECRET: 'ghs_ENVSECRET' },
  })
  try {
    if (ws.kind !== 'overlay')
      return t.skip(`overlay sandboxes unavailable here: ${ws.sandboxNote}`)
    const { tree: prepared } = await ws.prepareTree('candidate', tree, null, opts)
    const result = await ws.runCheck(prepared, peek, opts)
    const seen = result.output.head + result.output.tail
    assert.equal(result.outcome, 'PASSED', result.reason)
    assert.match(seen, /tree content/)
    for (const secret of ['ghs_DIRSECRET', 'ghs_FILESECRET', 'PATH=']) {
      assert.ok(!seen.includes(secret), `${secret} was visible to the check:\n${seen}`)
    }
    assert.match(seen, /pid1=sleep/, 'the run does not have a /proc of its own')
  } finally {
    await ws.dispose()
  }
})

test('the copy sandbox cannot mask, and the unmasked control run does see the secrets', async () => {
  // Guards the test above: the same command on an unmasked copy sandbox sees everything.
  const ws = await createWorkspace({ sandbox: 'copy', parentEnv: { PATH: process.env.PATH } })
  try {
    const { tree: prepared } = await ws.prepareTree('candidate', tree, null, opts)
    const result = await ws.runCheck(prepared, peek, opts)
    const seen = result.output.head + result.output.tail
    assert.match(seen, /ghs_DIRSECRET/)
    assert.match(seen, /ghs_FILESECRET/)
  } finally {
    await ws.dispose()
  }
})

test('an overlay run cannot write the source tree, protected paths or the workspace by absolute path', async (t) => {
  const judge = join(root, 'judge')
  mkdirSync(judge, { recursive: true })
  writeFileSync(join(judge, 'checks.mjs'), 'honest')
  const ws = await createWorkspace({
    readOnlyPaths: [judge],
    parentEnv: { PATH: process.env.PATH },
  })
  try {
    if (ws.kind !== 'overlay')
      return t.skip(`overlay sandboxes unavailable here: ${ws.sandboxNote}`)
    const { tree: prepared } = await ws.prepareTree('candidate', tree, null, opts)
    const attempt = (path: string) =>
      `(echo forged > '${path}') 2>/dev/null && echo "WROTE ${path}"`
    const tamper: ShellCheckSpec = {
      ...peek,
      name: 'tamper',
      command: [
        attempt(join(tree, 'a.txt')),
        attempt(join(judge, 'checks.mjs')),
        attempt(join(ws.dir, 'planted')),
        'echo mine > a.txt && echo "$HOME" > "$HOME/h" && echo t > "$TMPDIR/t" && echo OWN-WRITES-OK',
        'true',
      ].join('; '),
    }
    const result = await ws.runCheck(prepared, tamper, opts)
    const seen = result.output.head + result.output.tail
    // The workspace path may exist in the run's private /tmp (its own area lives there), so a
    // write there can succeed; what matters is that nothing reaches the host, asserted below.
    assert.doesNotMatch(seen, /WROTE .*a\.txt|WROTE .*checks\.mjs/)
    assert.match(seen, /OWN-WRITES-OK/, 'the run could not write its own sandbox, HOME or TMPDIR')
    assert.equal(readFileSync(join(tree, 'a.txt'), 'utf8'), 'tree content')
    assert.equal(readFileSync(join(judge, 'checks.mjs'), 'utf8'), 'honest')
    assert.equal(existsSync(join(ws.dir, 'planted')), false)
  } finally {
    await ws.dispose()
  }
})

test('a mask or a HOME that is /tmp itself, or a mask of /, leaves /tmp private and writable', async (t) => {
  const ws = await createWorkspace({
    maskPaths: ['/tmp', '/'],
    // A HOME of /tmp is hidden like any home, which must not make /tmp read-only either.
    parentEnv: { PATH: process.env.PATH, HOME: '/tmp' },
  })
  try {
    if (ws.kind !== 'overlay')
      return t.skip(`overlay sandboxes unavailable here: ${ws.sandboxNote}`)
    // A setup runs without a disk budget, so its /tmp is a tmpfs of its own, not a directory of
    // the run's capped one: the same rule must hold there.
    const { tree: prepared, setup } = await ws.prepareTree(
      'candidate',
      tree,
      { command: 'echo y > /tmp/y && cat /tmp/y', timeout_s: 30 },
      opts,
    )
    assert.equal(setup?.outcome, 'PASSED', `${setup?.reason}\n${setup?.output.head}`)
    const write: ShellCheckSpec = {
      ...peek,
      name: 'write',
      command: 'echo x > /tmp/x && cat /tmp/x a.txt',
    }
    const result = await ws.runCheck(prepared, write, opts)
    assert.equal(result.outcome, 'PASSED', `${result.reason}\n${result.output.head}`)
    assert.match(result.output.head, /tree content/)
  } finally {
    await ws.dispose()
  }
})
