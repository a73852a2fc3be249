import assert from 'node:assert/strict'
import { cliCopy, fixtureForEveryone } from '../support/as-user.ts'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import {
  chmod,
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  utimes,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { CheckSpec, SandboxKind } from '../../src/engine/types.ts'
import { detectSandbox, removeTree } from '../../src/run/sandbox.ts'
import {
  WorkspaceError,
  createWorkspace,
  safeName,
  type RunOptions,
  type Workspace,
} from '../../src/run/workspace.ts'

const here = dirname(fileURLToPath(import.meta.url))
const checksModule = join(here, 'fixtures-sandbox', 'checks.mjs')
const opts: RunOptions = { seed: 'seed-1', envPassthrough: [], env: {} }

let scratch: string
let overlayWorks: boolean

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'quorum-workspace-test-'))
  overlayWorks = (await detectSandbox(scratch, 'auto')).kind === 'overlay'
})
after(async () => {
  await removeTree(scratch)
})

async function makeSource(name = 'tree'): Promise<string> {
  const source = join(await mkdtemp(join(scratch, 'case-')), name)
  await mkdir(join(source, 'sub'), { recursive: true })
  await writeFile(join(source, 'a.txt'), 'original\n')
  await writeFile(join(source, 'sub', 'b.txt'), 'b\n')
  return source
}

function shell(name: string, command: string, extra: Partial<CheckSpec> = {}): CheckSpec {
  return {
    kind: 'shell',
    name,
    command,
    timeout_s: 30,
    env: {},
    score_from: null,
    ...extra,
  } as CheckSpec
}

async function workspace(kind: SandboxKind, extra = {}): Promise<Workspace> {
  return createWorkspace({
    baseDir: join(scratch, 'ws'),
    sandbox: kind,
    parentEnv: {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      GITHUB_TOKEN: 'ghs_secret',
      QUORUM_TEST_SECRET: 'x',
    },
    ...extra,
  })
}

for (const kind of ['overlay', 'copy'] as const) {
  describe(`a ${kind} workspace`, () => {
    const skip = () => kind === 'overlay' && !overlayWorks

    test('setup output reaches every run but not the source; runs never see each other', async (t) => {
      if (skip()) return t.skip('overlay unavailable')
      const source = await makeSource()
      const ws = await workspace(kind, { inputTrees: [source], keepPassingLogs: true })
      assert.equal(ws.kind, kind)
      const { tree, setup } = await ws.prepareTree(
        'candidate',
        source,
        { command: 'echo built > built.txt && rm sub/b.txt && echo setup-log', timeout_s: 30 },
        opts,
      )
      assert.equal(setup?.outcome, 'PASSED', setup?.reason)
      assert.equal(setup?.sandbox, kind)
      assert.equal(tree.sourceDir, source)
      const check = shell(
        'builds',
        'cat built.txt; test ! -e sub/b.txt; test ! -e dirty.txt && echo dirty > dirty.txt && ' +
          'echo changed > a.txt && echo passed=3',
        { score_from: 'passed' },
      )
      for (const n of [1, 2]) {
        const r = await ws.runCheck(tree, check, opts)
        assert.equal(r.outcome, 'PASSED', `run ${n}: ${r.reason}`)
        assert.equal(r.score, 3)
        assert.equal(r.exit_code, 0)
        assert.equal(r.seed, 'seed-1')
        assert.equal(r.sandbox, kind)
        assert.equal(r.output.head, 'built\npassed=3\n')
        assert.equal(r.output.log_path, join(ws.logDir, `candidate-builds-${n}.log`))
        assert.equal(readFileSync(r.output.log_path!, 'utf8'), 'built\npassed=3\n')
      }
      assert.equal(await readFile(join(source, 'a.txt'), 'utf8'), 'original\n')
      assert.deepEqual((await readdir(source)).sort(), ['a.txt', 'sub'])
      assert.deepEqual(await readdir(join(source, 'sub')), ['b.txt'])
      const setupLog = setup?.output.log_path
      assert.equal(setupLog && basename(setupLog), 'candidate-setup-1.log')
      await ws.dispose()
      assert.equal(existsSync(ws.dir), false)
      assert.ok(existsSync(setupLog!), 'logs survive dispose')
    })

    test('a run gets its own HOME and TMPDIR outside the tree, and only allowlisted variables', async (t) => {
      if (skip()) return t.skip('overlay unavailable')
      const source = await makeSource()
      const ws = await workspace(kind)
      const { tree } = await ws.prepareTree('baseline', source, null, opts)
      const check = shell(
        'env',
        'case "$HOME" in "$PWD"/*) echo home-in-tree;; esac; ' +
          'case "$TMPDIR" in "$PWD"/*) echo tmp-in-tree;; esac; ' +
          'echo "home=$(ls -A "$HOME" | wc -l | tr -d " ") tmp=$(ls -A "$TMPDIR" | wc -l | tr -d " ")"; ' +
          'touch "$HOME/h" "$TMPDIR/t"; ' +
          'echo "$QUORUM_TREE $QUORUM_CHECK $QUORUM_SEED ${GITHUB_TOKEN-none} ${QUORUM_TEST_SECRET-none} $LOCAL"',
        { env: { LOCAL: 'from-config' } },
      )
      for (let i = 0; i < 2; i++) {
        const r = await ws.runCheck(tree, check, opts)
        assert.equal(r.outcome, 'PASSED', r.reason)
        assert.equal(r.output.head, 'home=0 tmp=0\nbaseline env seed-1 none none from-config\n')
      }
      assert.deepEqual((await readdir(source)).sort(), ['a.txt', 'sub'])
      await ws.dispose()
    })

    test('exit codes, signals and timeouts become FAILED, CRASHED and TIMEOUT', async (t) => {
      if (skip()) return t.skip('overlay unavailable')
      const source = await makeSource()
      const ws = await workspace(kind, { graceMs: 200 })
      const { tree } = await ws.prepareTree('candidate', source, null, opts)
      const failed = await ws.runCheck(tree, shell('fails', 'echo nope; exit 3'), opts)
      assert.deepEqual([failed.outcome, failed.exit_code, failed.signal], ['FAILED', 3, null])
      assert.match(failed.reason, /exited with code 3: nope/)
      const crashed = await ws.runCheck(tree, shell('segv', 'kill -SEGV $$'), opts)
      assert.deepEqual([crashed.outcome, crashed.signal], ['CRASHED', 'SIGSEGV'])
      const slow = await ws.runCheck(
        tree,
        shell('slow', 'trap "" TERM; sleep 1000 & wait', { timeout_s: 0.5 }),
        opts,
      )
      assert.equal(slow.outcome, 'TIMEOUT', slow.reason)
      const missing = await ws.runCheck(tree, shell('missing', 'no-such-command-xyz'), opts)
      assert.equal(missing.outcome, 'ERROR', missing.reason)
      await ws.dispose()
    })

    test('function checks run in the sandbox (root = cwd, with setup output) and hard exits are CRASHED', async (t) => {
      if (skip()) return t.skip('overlay unavailable')
      const source = await makeSource()
      const ws = await workspace(kind)
      // The module lives under the temporary directory, which overlay runs see as a private,
      // empty tmpfs: it must be listed and run all the same (nobody named it read-only).
      const module = join(await mkdtemp(join(scratch, 'module-')), 'checks.mjs')
      await copyFile(checksModule, module)
      const listed = await ws.listFunctionChecks(module)
      assert.deepEqual(listed, [
        { name: 'sees its own sandbox', timeout_s: 20 },
        { name: 'exits mid-check', timeout_s: 20 },
      ])
      const { tree } = await ws.prepareTree(
        'candidate',
        source,
        { command: 'echo built > built.txt', timeout_s: 30 },
        opts,
      )
      const spec = (name: string): CheckSpec => ({
        kind: 'function',
        name,
        module,
        timeout_s: 20,
        env: {},
      })
      for (let i = 0; i < 2; i++) {
        const r = await ws.runCheck(tree, spec('sees its own sandbox'), opts)
        assert.equal(r.outcome, 'PASSED', r.reason)
        assert.equal(r.score, 2)
      }
      const exited = await ws.runCheck(tree, spec('exits mid-check'), opts)
      assert.equal(exited.outcome, 'CRASHED', exited.reason)
      assert.equal(existsSync(join(source, 'dirty.txt')), false)
      await ws.dispose()
    })

    test('dispose() stops a running check, removes the workspace, keeps the logs, and is idempotent', async (t) => {
      if (skip()) return t.skip('overlay unavailable')
      const source = await makeSource()
      const ws = await workspace(kind, { graceMs: 500 })
      const { tree } = await ws.prepareTree('candidate', source, null, opts)
      // Overlay runs have a /proc of their own: find the sleeper from outside by its unique argv.
      const sleeper = `sleep 1000.${kind === 'overlay' ? 25 : 5}`
      const alive = () => spawnSync('pgrep', ['-f', sleeper]).status === 0
      const running = ws.runCheck(
        tree,
        shell('sleeper', `echo started; exec ${sleeper}`, { timeout_s: 600 }),
        opts,
      )
      const log = join(ws.logDir, 'candidate-sleeper-1.log')
      for (let i = 0; i < 1000 && !alive(); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      assert.ok(alive(), 'the check never started')
      t.after(() => {
        spawnSync('pkill', ['-KILL', '-f', sleeper])
      })
      await Promise.all([ws.dispose(), ws.dispose()])
      const r = await running
      assert.equal(r.outcome, 'ERROR')
      assert.match(r.reason, /cancelled|aborted|stopped/)
      const deadline = Date.now() + 10_000
      while (alive() && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20))
      assert.equal(alive(), false, 'the sleep survived dispose')
      assert.equal(existsSync(ws.dir), false)
      assert.ok(existsSync(log))
      const late = await ws.runCheck(tree, shell('late', 'true'), opts)
      assert.equal(late.outcome, 'ERROR')
      await assert.rejects(ws.prepareTree('candidate', source, null, opts), WorkspaceError)
      await ws.dispose()
    })
  })
}

describe('workspace placement', () => {
  test('a base directory inside an input tree is refused', async () => {
    const source = await makeSource()
    for (const baseDir of [source, join(source, 'sub', 'deeper')]) {
      await assert.rejects(
        createWorkspace({ baseDir, inputTrees: [scratch + '/elsewhere', source] }),
        (e: unknown) => e instanceof WorkspaceError && /inside the input tree/.test(e.message),
      )
    }
    assert.deepEqual((await readdir(source)).sort(), ['a.txt', 'sub'])
    assert.deepEqual(await readdir(join(source, 'sub')), ['b.txt'])
  })

  test('a missing tree is refused with its path', async () => {
    const ws = await workspace('copy')
    const missing = join(scratch, 'nope')
    await assert.rejects(ws.prepareTree('candidate', missing, null, opts), (e: unknown) => {
      return e instanceof WorkspaceError && e.message.includes(missing)
    })
    await ws.dispose()
  })

  test('auto picks overlay where it works and says nothing; copy is taken as asked', async () => {
    const auto = await createWorkspace({ baseDir: join(scratch, 'ws'), sandbox: 'auto' })
    assert.equal(auto.kind, overlayWorks ? 'overlay' : 'copy')
    assert.equal(auto.sandboxNote === null, overlayWorks)
    assert.equal(auto.logDir, `${auto.dir}-logs`)
    assert.ok(existsSync(auto.logDir))
    await auto.dispose()
    // Nothing ran, so the default logs directory was empty and went too.
    assert.equal(existsSync(auto.logDir), false)
    const copy = await createWorkspace({ baseDir: join(scratch, 'ws'), sandbox: 'copy' })
    assert.equal(copy.kind, 'copy')
    assert.equal(copy.sandboxNote, null)
    await copy.dispose()
  })

  test('log names are filesystem-safe and distinct for distinct check names', () => {
    assert.equal(safeName('unit_tests'), 'unit_tests')
    const names = ['a/b', 'a_b', 'a b', '../x', 'día', '', '.hidden', 'x'.repeat(300)]
    const safe = names.map(safeName)
    assert.equal(new Set(safe).size, names.length)
    for (const s of safe) assert.match(s, /^[A-Za-z0-9_][A-Za-z0-9._-]{0,100}$/)
  })
})

test('an unprivileged user runs a whole gate in overlay sandboxes through a user namespace', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to become another user')
  if (!overlayWorks) return t.skip('overlay unavailable')
  const base = await mkdtemp(join(tmpdir(), 'quorum-workspace-nobody-'))
  t.after(() => removeTree(base))
  await chmod(base, 0o777)
  const r = spawnSync(
    'setpriv',
    [
      '--reuid=nobody',
      '--regid=nogroup',
      '--clear-groups',
      '--',
      cliCopy().node,
      fixtureForEveryone('test/run/fixtures-sandbox/workspace-as-user.ts'),
      base,
      // The user must be able to read the module wherever this checkout lies.
      fixtureForEveryone('test/run/fixtures-sandbox/checks.mjs'),
    ],
    { encoding: 'utf8', cwd: '/', timeout: 60_000 },
  )
  if (r.status !== 0) assert.fail(`workspace-as-user.ts failed (${r.status}): ${r.stderr}`)
  const seen = JSON.parse(r.stdout) as {
    uid: number
    kind: string
    setup: string
    results: Array<{
      outcome: string
      reason: string
      signal: string | null
      head: string
      sandbox: string
    }>
    source: string[]
    work: string[]
  }
  assert.notEqual(seen.uid, 0)
  assert.equal(seen.kind, 'overlay')
  assert.equal(seen.setup, 'PASSED')
  const [sh, fn] = seen.results
  assert.deepEqual(
    [sh?.outcome, sh?.signal, sh?.head],
    ['CRASHED', 'SIGSEGV', `${seen.uid}\nbuilt\n`],
  )
  assert.equal(fn?.outcome, 'PASSED', fn?.reason)
  assert.deepEqual(seen.source, ['a.txt'])
  // Only the surviving logs directory is left next to the (removed) workspace.
  assert.equal(seen.work.length, 1)
  assert.match(seen.work[0]!, /^quorum-.*-logs$/)
})

describe('run logs', () => {
  test('only the runs that did not pass keep their full log, unless asked', async () => {
    const source = await makeSource()
    const logDir = join(scratch, 'logs-kept')
    const ws = await createWorkspace({
      baseDir: join(scratch, 'ws'),
      sandbox: 'copy',
      logDir,
      parentEnv: { PATH: '/usr/local/bin:/usr/bin:/bin' },
    })
    try {
      const { tree } = await ws.prepareTree('candidate', source, null, opts)
      const passed = await ws.runCheck(tree, shell('ok', 'echo fine'), opts)
      const failed = await ws.runCheck(tree, shell('bad', 'echo broken; exit 3'), opts)
      assert.equal(passed.outcome, 'PASSED')
      assert.equal(passed.output.log_path, null)
      assert.equal(failed.outcome, 'FAILED')
      assert.equal(readFileSync(failed.output.log_path!, 'utf8'), 'broken\n')
      assert.deepEqual(await readdir(ws.logDir), [basename(failed.output.log_path!)])
    } finally {
      await ws.dispose()
    }
  })

  test('a shared log directory keeps the newest 20 gates, never one changed in the last hour', async () => {
    const logDir = join(scratch, 'logs-pruned')
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000)
    for (let i = 0; i < 25; i++) {
      const dir = join(logDir, `run-old${String(i).padStart(2, '0')}`)
      await mkdir(dir, { recursive: true })
      // Older the lower the number; all older than an hour.
      const when = new Date(old.getTime() - (25 - i) * 60_000)
      await utimes(dir, when, when)
    }
    await mkdir(join(logDir, 'run-recent'))
    await mkdir(join(logDir, 'not-a-run'))
    const ws = await createWorkspace({ baseDir: join(scratch, 'ws'), sandbox: 'copy', logDir })
    await ws.dispose()
    const left = (await readdir(logDir)).sort()
    assert.ok(left.includes('run-recent'), 'a directory changed within the hour was removed')
    assert.ok(left.includes('not-a-run'), 'a directory that is no gate log was removed')
    const olds = left.filter((name) => name.startsWith('run-old'))
    // With the new gate's own directory, the newest 20: run-recent and the 18 newest old ones.
    assert.deepEqual(
      olds,
      Array.from({ length: 18 }, (_, i) => `run-old${String(i + 7).padStart(2, '0')}`),
    )
  })
})
