import assert from 'node:assert/strict'
import { cliCopy, fixtureForEveryone } from '../support/as-user.ts'
import { spawnSync } from 'node:child_process'
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  readlink,
  symlink,
  writeFile,
} from 'node:fs/promises'
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import {
  SANDBOX_FAILURE_EXIT_CODE,
  createSandboxProvider,
  detectSandbox,
  removeTree,
  runInSandbox,
  type SandboxDetection,
  type SandboxProvider,
} from '../../src/run/sandbox.ts'
import type { SandboxKind } from '../../src/engine/types.ts'

const SH = '/bin/sh'

let scratch: string
let detection: SandboxDetection

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'quorum-sandbox-test-'))
  detection = await detectSandbox(scratch, 'auto')
})
after(async () => {
  await removeTree(scratch)
})

/** A small tree with a nested file, an in-tree relative link and a link pointing outside. */
async function makeTree(name: string): Promise<{ source: string; outside: string }> {
  const dir = await mkdtemp(join(scratch, 'case-'))
  const source = join(dir, name)
  const outside = join(dir, 'outside.txt')
  await mkdir(join(source, 'sub'), { recursive: true })
  await writeFile(join(source, 'a.txt'), 'original a\n')
  await writeFile(join(source, 'keep.txt'), 'keep\n')
  await writeFile(join(source, 'sub', 'b.txt'), 'b\n')
  await writeFile(outside, 'outside\n')
  await symlink('a.txt', join(source, 'link-in'))
  await symlink(outside, join(source, 'link-out'))
  return { source, outside }
}

/** Every path under dir with its content (files) or target (links), for before/after equality. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const walk = async (rel: string) => {
    for (const name of (await readdir(join(dir, rel))).sort()) {
      const path = join(dir, rel, name)
      const key = join(rel, name)
      const st = await lstat(path)
      if (st.isSymbolicLink()) out[key] = `-> ${await readlink(path)}`
      else if (st.isDirectory()) {
        out[key] = 'dir'
        await walk(key)
      } else out[key] = await readFile(path, 'utf8')
    }
  }
  await walk('')
  return out
}

function providerFor(kind: SandboxKind): SandboxProvider {
  return createSandboxProvider({
    kind,
    dir: join(scratch, `sandboxes-${kind}-${Math.random().toString(36).slice(2)}`),
    userns: kind === 'overlay' ? detection.userns : false,
  })
}

for (const kind of ['overlay', 'copy'] as const) {
  describe(`${kind} sandboxes`, () => {
    const skip = () =>
      kind === 'overlay' && detection.kind !== 'overlay'
        ? `overlay unavailable here: ${detection.reason}`
        : false

    test('a run that creates, modifies and deletes files changes neither the source nor the next run', async (t) => {
      if (skip()) return t.skip(String(skip()))
      const { source } = await makeTree('tree')
      const before = await snapshot(source)
      const p = providerFor(kind)
      const tree = p.prepare(source)
      const first = await p.enter(tree)
      const r = await runInSandbox(first, [
        SH,
        '-c',
        'echo changed > a.txt && echo new > sub/new.txt && rm keep.txt && rm -r sub/b.txt && ' +
          'echo via-link > link-in && mkdir d && cat a.txt',
      ])
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stdout, 'via-link\n')
      await first.remove()
      assert.deepEqual(await snapshot(source), before)

      const second = await p.enter(tree)
      const r2 = await runInSandbox(second, [SH, '-c', 'cat a.txt keep.txt sub/b.txt; ls -A'])
      assert.equal(r2.code, 0, r2.stderr)
      assert.equal(r2.stdout, 'original a\nkeep\nb\na.txt\nkeep.txt\nlink-in\nlink-out\nsub\n')
      await p.dispose()
      assert.deepEqual(await snapshot(source), before)
    })

    test('what the result key leaves out (.git, .quorum at the root) is not in the sandbox', async (t) => {
      if (skip()) return t.skip(String(skip()))
      const { source } = await makeTree('tree')
      await mkdir(join(source, '.git'))
      await writeFile(join(source, '.git', 'config'), 'GIT-SECRET\n')
      await mkdir(join(source, '.quorum'))
      await writeFile(join(source, '.quorum', 'impl.sh'), 'QUORUM-HIDDEN\n')
      await mkdir(join(source, 'sub', '.quorum'), { recursive: true })
      await writeFile(join(source, 'sub', '.quorum', 'kept'), 'NESTED-KEPT\n')
      const p = providerFor(kind)
      const sb = await p.enter(p.prepare(source))
      const r = await runInSandbox(sb, [
        SH,
        '-c',
        'cat .git/config .quorum/impl.sh 2>/dev/null; ls -A .git .quorum 2>/dev/null; cat sub/.quorum/kept',
      ])
      await p.dispose()
      assert.doesNotMatch(r.stdout, /GIT-SECRET|QUORUM-HIDDEN|config|impl\.sh/)
      // Only the root's entries: a .quorum deeper in the tree is the project's own.
      assert.match(r.stdout, /NESTED-KEPT/)
    })

    test('symlinks are links in the sandbox, and replacing one leaves the source link and its target alone', async (t) => {
      if (skip()) return t.skip(String(skip()))
      const { source, outside } = await makeTree('tree')
      const p = providerFor(kind)
      const sb = await p.enter(p.prepare(source))
      // Inspect the sandbox as the run sees it: the overlay exists only inside the namespace.
      const r = await runInSandbox(sb, [
        SH,
        '-c',
        'test -L link-out && readlink link-out && test -L link-in && readlink link-in && ' +
          'rm link-out && echo replaced > link-out && test ! -L link-out',
      ])
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stdout, `${outside}\na.txt\n`)
      await p.dispose()
      assert.equal(await readlink(join(source, 'link-out')), outside)
      assert.equal(await readFile(outside, 'utf8'), 'outside\n')
    })

    test('a tree whose path has spaces, commas, colons and non-ASCII works', async (t) => {
      if (skip()) return t.skip(String(skip()))
      const { source } = await makeTree('my tree, v2: día ☃')
      const p = providerFor(kind)
      const sb = await p.enter(p.prepare(source))
      const r = await runInSandbox(sb, [SH, '-c', 'cat a.txt && pwd && echo x > y'])
      await p.dispose()
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stdout, `original a\n${sb.root}\n`)
      assert.equal(existsSync(join(source, 'y')), false)
    })

    test('a sealed setup sandbox is visible to every run (files, deletions, HOME) but not to the source', async (t) => {
      if (skip()) return t.skip(String(skip()))
      const { source } = await makeTree('tree')
      const before = await snapshot(source)
      const p = providerFor(kind)
      const setup = await p.enter(p.prepare(source))
      const s = await runInSandbox(setup, [
        SH,
        '-c',
        'mkdir -p node_modules/dep && echo built > node_modules/dep/index.js && rm -r sub && ' +
          'echo tool > "$HOME/.toolrc" && echo scratch > "$TMPDIR/t"',
      ])
      assert.equal(s.code, 0, s.stderr)
      const prepared = await setup.seal()
      assert.deepEqual(await snapshot(source), before)

      for (let i = 0; i < 2; i++) {
        const sb = await p.enter(prepared)
        const r = await runInSandbox(sb, [
          SH,
          '-c',
          'cat node_modules/dep/index.js "$HOME/.toolrc"; test -e sub && echo sub-back; ' +
            'ls -A "$TMPDIR"; echo run > node_modules/dep/index.js; rm "$HOME/.toolrc"',
        ])
        assert.equal(r.code, 0, r.stderr)
        assert.equal(r.stdout, 'built\ntool\n', `run ${i}`)
        await sb.remove()
      }
      await p.dispose()
      assert.deepEqual(await snapshot(source), before)
    })

    test('remove() deletes the area, including read-only directories the run left', async (t) => {
      if (skip()) return t.skip(String(skip()))
      const { source } = await makeTree('tree')
      const p = providerFor(kind)
      const sb = await p.enter(p.prepare(source))
      const r = await runInSandbox(sb, [
        SH,
        '-c',
        'mkdir -p ro/deep "$HOME/cache/ro" && touch ro/deep/f "$HOME/cache/ro/f" && ' +
          'chmod 555 ro/deep ro "$HOME/cache/ro" && chmod 444 ro/deep/f',
      ])
      assert.equal(r.code, 0, r.stderr)
      assert.ok(existsSync(sb.area))
      await sb.remove()
      await sb.remove()
      assert.equal(existsSync(sb.area), false)
      await p.dispose()
      assert.equal(existsSync(p.dir), false)
    })
  })
}

describe('overlay process containment', () => {
  const skip = () =>
    detection.kind !== 'overlay' ? `overlay unavailable: ${detection.reason}` : false

  test('the exit status and death signal of the command reach the spawner unchanged', async (t) => {
    if (skip()) return t.skip(String(skip()))
    const { source } = await makeTree('tree')
    const p = providerFor('overlay')
    const tree = p.prepare(source)
    const cases: Array<[string, number | null, string | null]> = [
      ['exit 3', 3, null],
      ['exit 139', 139, null],
      ['kill -SEGV $$', null, 'SIGSEGV'],
      ['kill -KILL $$', null, 'SIGKILL'],
      // The command is not its pid namespace's init, so a self-sent SIGTERM is not ignored.
      ['kill -TERM $$; sleep 5; exit 9', null, 'SIGTERM'],
    ]
    for (const [script, code, signal] of cases) {
      const sb = await p.enter(tree)
      const r = await runInSandbox(sb, [SH, '-c', script])
      assert.deepEqual([r.code, r.signal], [code, signal], script)
      await sb.remove()
    }
    // A multi-threaded command (node starts threads at once) runs, and its own signal counts.
    const sb = await p.enter(tree)
    const r = await runInSandbox(sb, [
      process.execPath,
      '-e',
      `const { Worker } = require('node:worker_threads')
       new Worker('0', { eval: true }).on('exit', () => process.kill(process.pid, 'SIGSEGV'))`,
    ])
    assert.deepEqual([r.code, r.signal], [null, 'SIGSEGV'], r.stderr)
    await p.dispose()
  })

  test('when the command exits, everything it started dies with it, even setsid daemons holding its stdout', async (t) => {
    if (skip()) return t.skip(String(skip()))
    const { source } = await makeTree('tree')
    const p = providerFor('overlay')
    const sb = await p.enter(p.prepare(source))
    // The run has a /proc of its own, so a pid read inside means nothing outside: the daemon is
    // found from outside by its unique argv instead.
    const daemon = 'sleep 1017.25'
    // The daemon left the process group and keeps our stdout open: only the pid namespace
    // ending with the command can take it down.
    const r = await runInSandbox(
      sb,
      [
        SH,
        '-c',
        `setsid ${SH} -c ': > "$TMPDIR/daemon.tmp"; mv "$TMPDIR/daemon.tmp" "$TMPDIR/daemon.pid"; exec ${daemon}' &
         while [ ! -e "$TMPDIR/daemon.pid" ]; do sleep 0.05; done; echo started`,
      ],
      { timeoutMs: 15_000 },
    )
    assert.equal(r.stdout, 'started\n', r.stderr)
    assert.equal(r.killed, false)
    const alive = () => spawnSync('pgrep', ['-f', daemon]).status === 0
    t.after(() => {
      spawnSync('pkill', ['-KILL', '-f', daemon])
    })
    // The kernel reaps asynchronously; give it a generous deadline, not a timing expectation.
    const deadline = Date.now() + 10_000
    while (alive() && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20))
    assert.equal(alive(), false, `the daemon (${daemon}) survived its run`)
    await p.dispose()
  })

  test('no process outlives its run, even when the command ends before the namespace is fully set up', async (t) => {
    if (skip()) return t.skip(String(skip()))
    const { source } = await makeTree('tree')
    const p = providerFor('overlay')
    const tree = p.prepare(source)
    // Quick commands race the namespace's init (armed with a parent-death signal just after it
    // starts); many of them make a lost race likely to show. Every process of a run has its cwd
    // under the provider's directory, which is how we find survivors.
    for (let i = 0; i < 60; i++) {
      const sb = await p.enter(tree)
      const r = await runInSandbox(sb, ['/bin/true'])
      assert.equal(r.code, 0, r.stderr)
    }
    const deadline = Date.now() + 10_000
    let survivors = processesUnder(p.dir)
    while (survivors.length > 0 && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 50))
      survivors = processesUnder(p.dir)
    }
    t.after(() => {
      for (const pid of survivors) process.kill(pid, 'SIGKILL')
    })
    assert.deepEqual(survivors, [], 'processes of finished runs are still alive')
    await p.dispose()
  })

  test('a sandbox whose overlay cannot be mounted exits with the sandbox failure code and says why', async (t) => {
    if (skip()) return t.skip(String(skip()))
    const p = providerFor('overlay')
    const sb = await p.enter(p.prepare(join(scratch, 'no such tree')))
    const r = await runInSandbox(sb, [SH, '-c', 'echo should not run'])
    assert.equal(r.code, SANDBOX_FAILURE_EXIT_CODE)
    assert.equal(r.stdout, '')
    assert.match((await sb.failure()) ?? '', /overlay mount at .* failed/)
    await p.dispose()
  })

  test('an unprivileged user gets overlay sandboxes through a user namespace, with its own uid', async (t) => {
    if (process.getuid?.() !== 0) {
      // Not root: every overlay test above already ran through the user namespace.
      assert.equal(detection.kind === 'overlay' ? detection.userns : true, true)
      return
    }
    if (spawnSync('setpriv', ['--version']).status !== 0) return t.skip('setpriv not available')
    // Not under scratch: mkdtemp makes it 0700, so nobody could not even reach its own dir.
    const base = await mkdtemp(join(tmpdir(), 'quorum-sandbox-nobody-'))
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
        fixtureForEveryone('test/run/fixtures-sandbox/as-user.ts'),
        base,
      ],
      { encoding: 'utf8', cwd: '/', timeout: 60_000 },
    )
    if (r.status !== 0) assert.fail(`as-user.ts failed: ${r.stderr}`)
    const seen = JSON.parse(r.stdout) as {
      detection: SandboxDetection
      uid: number
      setupCode: number
      run1: { code: number | null; signal: string | null; stdout: string; stderr: string }
      run2: { code: number; stdout: string }
      sourceA: string
      sourceFiles: string[]
      sourceSub: string[]
      leftovers: string[]
    }
    assert.notEqual(seen.uid, 0)
    assert.deepEqual(seen.detection, {
      kind: 'overlay',
      userns: true,
      privateProc: true,
      reason: null,
    })
    assert.equal(seen.setupCode, 0)
    assert.equal(seen.run1.signal, 'SIGSEGV', seen.run1.stderr)
    // The check runs as the user itself (not as root of the user namespace).
    assert.equal(seen.run1.stdout, `${seen.uid}\nbuilt\nb-gone\nt\n`)
    assert.equal(seen.run2.code, 0)
    assert.equal(seen.run2.stdout, 'original\nbuilt\na.txt\nbuilt.txt\nsub\n')
    assert.equal(seen.sourceA, 'original\n')
    assert.deepEqual(seen.sourceFiles, ['a.txt', 'sub'])
    assert.deepEqual(seen.sourceSub, ['b.txt'])
    assert.deepEqual(seen.leftovers, ['tree with spaces é'])
  })
})

describe('detection', () => {
  test('copy is taken as asked, without probing', async () => {
    assert.deepEqual(await detectSandbox(scratch, 'copy'), {
      kind: 'copy',
      userns: false,
      privateProc: false,
      reason: 'copy sandboxes were asked for',
    })
  })

  test('auto leaves no probe directories behind and agrees with a forced overlay', async () => {
    assert.deepEqual(
      (await readdir(scratch)).filter((n) => n.startsWith('probe')),
      [],
    )
    if (detection.kind === 'overlay') {
      assert.deepEqual(await detectSandbox(scratch, 'overlay'), detection)
    } else {
      await assert.rejects(detectSandbox(scratch, 'overlay'), /not available/)
    }
  })
})

test('sandbox creation time for a 10k-file tree (printed, not asserted)', async (t) => {
  const source = join(scratch, 'big')
  for (let d = 0; d < 100; d++) {
    const dir = join(source, `d${d}`)
    await mkdir(dir, { recursive: true })
    await Promise.all(
      Array.from({ length: 100 }, (_, f) => writeFile(join(dir, `f${f}.js`), `// ${d}/${f}\n`)),
    )
  }
  const kinds: SandboxKind[] = detection.kind === 'overlay' ? ['overlay', 'copy'] : ['copy']
  for (const kind of kinds) {
    const p = providerFor(kind)
    const tree = p.prepare(source)
    const n = kind === 'overlay' ? 5 : 1
    let enterMs = 0
    let runMs = 0
    for (let i = 0; i < n; i++) {
      const t0 = performance.now()
      const sb = await p.enter(tree)
      const t1 = performance.now()
      const r = await runInSandbox(sb, [SH, '-c', 'test -f d99/f99.js'])
      const t2 = performance.now()
      assert.equal(r.code, 0, r.stderr)
      enterMs += t1 - t0
      runMs += t2 - t1
      await sb.remove()
    }
    await p.dispose()
    t.diagnostic(
      `${kind}: enter ${(enterMs / n).toFixed(1)} ms, enter+first command ${((enterMs + runMs) / n).toFixed(1)} ms (10k files, mean of ${n})`,
    )
  }
})

function isAlive(pid: number): boolean {
  try {
    // A zombie still answers kill(0); read its state to tell dead-but-unreaped from running.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !/^\d+ \(.*\) [ZX] /s.test(stat)
  } catch {
    return false
  }
}

/** Live processes whose working directory is under dir. */
function processesUnder(dir: string): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let cwd: string
    try {
      cwd = readlinkSync(`/proc/${entry}/cwd`)
    } catch {
      continue
    }
    if ((cwd === dir || cwd.startsWith(`${dir}/`)) && isAlive(Number(entry)))
      found.push(Number(entry))
  }
  return found
}
