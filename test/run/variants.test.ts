// Audit trees in a real workspace, both sandbox kinds: the empty tree of the vacuity probe and
// the variants of the change-coverage audit (a small layer over the prepared candidate).
// Also the directory diff that finds the candidate's changed files.
import assert from 'node:assert/strict'
import { chmod, mkdir, mkdtemp, readFile, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { CheckSpec, SandboxKind } from '../../src/engine/types.ts'
import { listChangedFiles } from '../../src/run/changed-files.ts'
import { detectSandbox, removeTree } from '../../src/run/sandbox.ts'
import { createWorkspace, type RunOptions, type Workspace } from '../../src/run/workspace.ts'

const opts: RunOptions = { seed: 's', envPassthrough: [], env: {} }
let scratch: string
let overlayWorks: boolean

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'quorum-variants-test-'))
  overlayWorks = (await detectSandbox(scratch, 'auto')).kind === 'overlay'
})
after(async () => {
  await removeTree(scratch)
})

async function files(dir: string, entries: Record<string, string>): Promise<string> {
  for (const [path, content] of Object.entries(entries)) {
    await mkdir(join(dir, path, '..'), { recursive: true })
    await writeFile(join(dir, path), content)
  }
  return dir
}

function shell(name: string, command: string): CheckSpec {
  return { kind: 'shell', name, command, timeout_s: 30, env: {}, score_from: null }
}

async function workspace(kind: SandboxKind): Promise<Workspace> {
  return createWorkspace({
    baseDir: join(scratch, 'ws'),
    sandbox: kind,
    parentEnv: { PATH: '/usr/local/bin:/usr/bin:/bin' },
  })
}

for (const kind of ['overlay', 'copy'] as const) {
  describe(`audit trees in a ${kind} workspace`, () => {
    const skip = () => kind === 'overlay' && !overlayWorks

    test('the empty tree has no files, an empty HOME, and no trace of a setup', async (t) => {
      if (skip()) return t.skip('overlay sandboxes are not available here')
      const source = await files(await mkdtemp(join(scratch, 'src-')), { 'a.txt': 'a\n' })
      const ws = await workspace(kind)
      try {
        const prepared = await ws.prepareTree(
          'baseline',
          source,
          {
            command: 'echo built > built.txt && echo tool > "$HOME/tool"',
            timeout_s: 30,
          },
          opts,
        )
        assert.equal(prepared.setup?.outcome, 'PASSED')
        const empty = await ws.prepareEmptyTree('baseline', 'audit-empty')
        const look = shell('look', 'test -z "$(ls -A)" && test -z "$(ls -A "$HOME")"')
        const r = await ws.runCheck(empty, look, opts)
        assert.equal(r.outcome, 'PASSED', r.reason + r.output.head)
        // Writes in one run of the empty tree do not reach the next.
        assert.equal((await ws.runCheck(empty, shell('w', 'touch x'), opts)).outcome, 'PASSED')
        assert.equal((await ws.runCheck(empty, look, opts)).outcome, 'PASSED')
        // Its runs' logs are named by its label, not by the tree it probes.
        const failing = await ws.runCheck(empty, shell('unit', 'test -f a.txt'), opts)
        assert.equal(failing.outcome, 'FAILED')
        assert.match(failing.output.log_path ?? '', /\/audit-empty-unit-1\.log$/)
      } finally {
        await ws.dispose()
      }
    })

    test('a variant replaces one file over the prepared tree, keeps its mode, and is its own', async (t) => {
      if (skip()) return t.skip('overlay sandboxes are not available here')
      const source = await files(await mkdtemp(join(scratch, 'src-')), {
        'src/lib.sh': 'echo lib\n',
        'src/other.txt': 'other\n',
      })
      await chmod(join(source, 'src/lib.sh'), 0o755)
      await chmod(join(source, 'src'), 0o750)
      const ws = await workspace(kind)
      try {
        const { tree } = await ws.prepareTree(
          'candidate',
          source,
          { command: 'echo built > built.txt', timeout_s: 30 },
          opts,
        )
        const variant = await ws.prepareVariant(
          tree,
          [{ path: 'src/lib.sh', content: Buffer.from('echo broken\nexit 1\n'), mode: 0o755 }],
          'audit-1',
        )
        const look = [
          'test "$(./src/lib.sh)" = broken',
          'test "$(cat src/other.txt)" = other',
          'test "$(cat built.txt)" = built',
          'test "$(stat -c %a src)" = 750',
          'echo scribble > src/other.txt',
          'echo all-held',
        ].join(' && ')
        const r = await ws.runCheck(variant, shell('look', `${look}; ./src/lib.sh`), opts)
        // The broken lib.sh exits 1 at the end, after every other test held.
        assert.equal(r.outcome, 'FAILED', r.reason + r.output.head)
        assert.match(r.output.head, /all-held\nbroken/)
        const again = await ws.runCheck(
          variant,
          shell('again', 'test "$(cat src/other.txt)" = other'),
          opts,
        )
        assert.equal(
          again.outcome,
          'PASSED',
          "a run of the variant does not see the last one's writes",
        )
        // The prepared tree and the source are untouched.
        const base = await ws.runCheck(tree, shell('base', 'test "$(./src/lib.sh)" = lib'), opts)
        assert.equal(base.outcome, 'PASSED', base.reason + base.output.head)
        assert.equal(await readFile(join(source, 'src/lib.sh'), 'utf8'), 'echo lib\n')
        assert.match(r.output.log_path ?? '', /\/audit-1-look-1\.log$/)
      } finally {
        await ws.dispose()
      }
    })
  })
}

describe('listChangedFiles', () => {
  test('lists added and modified files with their first bytes, and nothing deleted or unchanged', async () => {
    const root = await mkdtemp(join(scratch, 'diff-'))
    const baseline = await files(join(root, 'base'), {
      'same.txt': 'same\n',
      'edited.js': 'aaaa\n',
      'grown.py': 'x = 1\n',
      'deleted.txt': 'gone\n',
      'mode.sh': 'echo\n',
      '.git/HEAD': 'ref: a\n',
      'dir/same.txt': 'same\n',
    })
    const candidate = await files(join(root, 'cand'), {
      'same.txt': 'same\n',
      'edited.js': 'bbbb\n',
      'grown.py': 'x = 12\n',
      'mode.sh': 'echo\n',
      'added/deep/new.ts': 'export {}\n',
      '.git/HEAD': 'ref: b\n',
      '.quorum/cache/x': 'y\n',
      'dir/same.txt': 'same\n',
      'logo.png': '\x89PNG\0\0',
    })
    await chmod(join(candidate, 'mode.sh'), 0o755)
    await symlink('same.txt', join(candidate, 'link'))
    await symlink('same.txt', join(baseline, 'samelink'))
    await symlink('same.txt', join(candidate, 'samelink'))
    const { changed, unnamed } = await listChangedFiles(baseline, candidate)
    assert.equal(unnamed, 0)
    assert.deepEqual(
      changed.map((c) => [
        c.path,
        c.status,
        c.head === null ? null : Buffer.from(c.head).toString('utf8'),
      ]),
      [
        ['added/deep/new.ts', 'added', 'export {}\n'],
        ['edited.js', 'modified', 'bbbb\n'],
        ['grown.py', 'modified', 'x = 12\n'],
        ['link', 'added', null],
        ['logo.png', 'added', '\x89PNG\0\0'],
        ['mode.sh', 'modified', 'echo\n'],
      ],
    )
  })

  test('identical trees have no changes; an unreadable candidate directory rejects', async () => {
    const root = await mkdtemp(join(scratch, 'diff-'))
    const a = await files(join(root, 'a'), { 'x/y.txt': 'y\n' })
    const b = await files(join(root, 'b'), { 'x/y.txt': 'y\n' })
    assert.deepEqual((await listChangedFiles(a, b)).changed, [])
    await assert.rejects(listChangedFiles(a, join(root, 'missing')))
    assert.ok((await stat(a)).isDirectory())
  })
})
