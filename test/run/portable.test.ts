// Issue 18, part 3: what the CLI has on macOS, tested on Linux. Portable mode (QUORUM_PORTABLE,
// src/run/platform.ts) takes away what only Linux has: overlay sandboxes, cgroups, setpriv,
// /proc. With a directory as its value, every host tool the gate runs comes from there; here a
// directory whose cp refuses every option POSIX does not give cp, as BSD cp refuses GNU's.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  readlink,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import {
  PORTABLE_ENV,
  linuxOnlyRefusal,
  platformCgroupRefusal,
  portableMode,
  procScansAllowed,
} from '../../src/run/platform.ts'
import { groupHasLiveMembers, killProcessesWithEnv } from '../../src/run/proc-scan.ts'
import { spawnBounded } from '../../src/run/process.ts'
import { createSandboxProvider, detectSandbox, removeTree } from '../../src/run/sandbox.ts'
import { resolveTool } from '../../src/run/system-tools.ts'
import { makePosixToolDir } from './portable-tools.ts'

describe('the portable switch', () => {
  test('QUORUM_PORTABLE: unset, empty or 0 is off, 1 is on, a directory is on with its tools, anything else is on and refused', () => {
    assert.equal(portableMode({}), null)
    assert.equal(portableMode({ [PORTABLE_ENV]: '' }), null)
    assert.equal(portableMode({ [PORTABLE_ENV]: '0' }), null)
    assert.deepEqual(portableMode({ [PORTABLE_ENV]: '1' }), { toolDir: null, invalid: null })
    assert.deepEqual(portableMode({ [PORTABLE_ENV]: '/opt/posix' }), {
      toolDir: '/opt/posix',
      invalid: null,
    })
    const bad = portableMode({ [PORTABLE_ENV]: 'yes' })
    assert.equal(bad?.toolDir, null)
    assert.match(bad?.invalid ?? '', /^QUORUM_PORTABLE must be 1 or an absolute directory/)
  })

  test('off Linux and in portable mode the Linux-only means are refused, with the reason the report gives', () => {
    assert.equal(linuxOnlyRefusal({}, 'linux'), null)
    assert.equal(platformCgroupRefusal({}, 'linux'), null)
    assert.equal(procScansAllowed({}, 'linux'), true)

    assert.equal(linuxOnlyRefusal({}, 'darwin'), 'this is darwin')
    assert.deepEqual(platformCgroupRefusal({}, 'darwin'), {
      available: false,
      reason: 'cgroups are Linux-only (this is darwin)',
    })
    assert.equal(procScansAllowed({}, 'darwin'), false)
    // FreeBSD may have a /proc, in another format: not read either.
    assert.equal(procScansAllowed({}, 'freebsd'), false)

    const portable = { [PORTABLE_ENV]: '1' }
    assert.match(
      platformCgroupRefusal(portable, 'linux')?.reason ?? '',
      /^cgroups are Linux-only \(QUORUM_PORTABLE is set: only what macOS has too is used\)$/,
    )
    assert.equal(procScansAllowed(portable, 'linux'), false)
  })
})

describe('portable mode on this machine', () => {
  let scratch: string
  let tools: string
  const saved = process.env[PORTABLE_ENV]

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'quorum-portable-test-'))
    tools = makePosixToolDir(join(scratch, 'posix-bin'), ['sh'])
    process.env[PORTABLE_ENV] = tools
  })
  after(async () => {
    if (saved === undefined) delete process.env[PORTABLE_ENV]
    else process.env[PORTABLE_ENV] = saved
    await removeTree(scratch)
  })

  test("the test's cp refuses what BSD cp refuses: -a, GNU's long options", async () => {
    const cp = join(tools, 'cp')
    const from = join(scratch, 'from.txt')
    await writeFile(from, 'from\n')
    for (const flags of [['-a'], ['--remove-destination'], ['-R', '--reflink=auto'], ['-Rv']]) {
      const r = spawnSync(cp, [...flags, '--', from, join(scratch, 'x')], {
        encoding: 'utf8',
      })
      assert.equal(r.status, 64, `${flags.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, /^cp: illegal option -- /)
    }
    const ok = spawnSync(cp, ['-R', '-P', '-p', '--', from, join(scratch, 'x')])
    assert.equal(ok.status, 0, String(ok.stderr))
    assert.equal(await readFile(join(scratch, 'x'), 'utf8'), 'from\n')
  })

  test('host tools come from the tool directory alone', () => {
    assert.equal(resolveTool('cp'), join(tools, 'cp'))
    assert.throws(
      () => resolveTool('setpriv'),
      /setpriv was not found in .*posix-bin, the only tool directory QUORUM_PORTABLE allows/,
    )
  })

  test('detection: auto gives copy sandboxes and says why, overlay is refused, a bad value stops it', async () => {
    assert.deepEqual(await detectSandbox(scratch, 'auto'), {
      kind: 'copy',
      userns: false,
      privateProc: false,
      reason: 'overlayfs needs Linux (QUORUM_PORTABLE is set: only what macOS has too is used)',
    })
    await assert.rejects(
      detectSandbox(scratch, 'overlay'),
      /overlay sandboxes are not available here: overlayfs needs Linux \(QUORUM_PORTABLE/,
    )
    process.env[PORTABLE_ENV] = 'posix-bin'
    try {
      await assert.rejects(detectSandbox(scratch, 'copy'), /QUORUM_PORTABLE must be 1 or an/)
    } finally {
      process.env[PORTABLE_ENV] = tools
    }
  })

  test('a copy run starts its command as it is: no setpriv in front', async () => {
    const source = await mkdtemp(join(scratch, 'src-'))
    await writeFile(join(source, 'a.txt'), 'a\n')
    const p = createSandboxProvider({ kind: 'copy', dir: join(scratch, 'sb-plain') })
    try {
      const sb = await p.enter(p.prepare(source))
      assert.deepEqual(sb.wrap(['/bin/sh', '-c', 'true']), ['/bin/sh', '-c', 'true'])
      assert.equal(await readFile(join(sb.root, 'a.txt'), 'utf8'), 'a\n')
    } finally {
      await p.dispose()
    }
  })

  test('a layer copied over the tree with a POSIX-only cp replaces what it holds, keeps modes, times and links, and writes nothing through a link', async () => {
    const lower = await mkdtemp(join(scratch, 'lower-'))
    const upper = await mkdtemp(join(scratch, 'upper-'))
    const outside = await mkdtemp(join(scratch, 'outside-'))
    await mkdir(join(lower, 'src'))
    await writeFile(join(lower, 'src', 'lib.sh'), 'echo lib\n')
    await chmod(join(lower, 'src', 'lib.sh'), 0o444) // read-only: replaced all the same
    await writeFile(join(lower, 'src', 'kept.txt'), 'kept\n')
    await mkdir(join(lower, 'was-dir', 'deep'), { recursive: true })
    await writeFile(join(lower, 'was-dir', 'deep', 'x'), 'x\n')
    await writeFile(join(lower, 'was-file'), 'file\n')
    await symlink(outside, join(lower, 'linked')) // a link to a directory outside the tree
    await symlink('kept.txt', join(lower, 'src', 'alias'))

    await mkdir(join(upper, 'src'))
    await writeFile(join(upper, 'src', 'lib.sh'), 'echo broken\n')
    await chmod(join(upper, 'src', 'lib.sh'), 0o755)
    const past = new Date('2020-01-02T03:04:05Z')
    await utimes(join(upper, 'src', 'lib.sh'), past, past)
    await writeFile(join(upper, 'was-dir'), 'now a file\n')
    await mkdir(join(upper, 'was-file'))
    await writeFile(join(upper, 'was-file', 'inside'), 'now a directory\n')
    await mkdir(join(upper, 'linked'))
    await writeFile(join(upper, 'linked', 'planted'), 'in the tree\n')
    await symlink('lib.sh', join(upper, 'src', 'alias'))

    const p = createSandboxProvider({ kind: 'copy', dir: join(scratch, 'sb-over') })
    try {
      const sb = await p.enter({ kind: 'copy', root: [upper, lower], home: [] })
      const at = (path: string) => join(sb.root, path)
      assert.equal(await readFile(at('src/lib.sh'), 'utf8'), 'echo broken\n')
      assert.equal((await stat(at('src/lib.sh'))).mode & 0o777, 0o755)
      assert.equal((await stat(at('src/lib.sh'))).mtime.getTime(), past.getTime())
      assert.equal(await readFile(at('src/kept.txt'), 'utf8'), 'kept\n')
      assert.equal(await readlink(at('src/alias')), 'lib.sh')
      assert.equal(await readFile(at('was-dir'), 'utf8'), 'now a file\n')
      assert.equal(await readFile(at('was-file/inside'), 'utf8'), 'now a directory\n')
      assert.ok((await lstat(at('linked'))).isDirectory(), 'the link was replaced by a directory')
      assert.equal(await readFile(at('linked/planted'), 'utf8'), 'in the tree\n')
      assert.deepEqual(await readdir(outside), [], 'nothing was written through the link')
      // The layers themselves are untouched.
      assert.equal(await readFile(join(lower, 'src', 'lib.sh'), 'utf8'), 'echo lib\n')
      assert.ok((await lstat(join(lower, 'linked'))).isSymbolicLink())
    } finally {
      await p.dispose()
    }
  })

  test('no /proc: a run is still timed out and its whole group killed, by kill(2) alone', async () => {
    const pidFile = join(scratch, 'leftover.pid')
    const r = await spawnBounded({
      // A background child that ignores SIGTERM, and a parent that waits for it.
      argv: [
        '/bin/sh',
        '-c',
        `trap '' TERM; node -e 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)' & echo $! > '${pidFile}'; wait`,
      ],
      cwd: scratch,
      env: { PATH: tools },
      timeoutMs: 1000,
      graceMs: 200,
      logPath: null,
    })
    assert.equal(r.timedOut, true)
    const leftover = Number(readFileSync(pidFile, 'utf8'))
    assert.ok(isGone(leftover), `process ${leftover} of the run's group is still alive`)
  })

  test('no /proc: the scan for marked processes that left the group finds nothing, and reads nothing', async () => {
    const marker = `portable-${process.pid}`
    const marked = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      env: { QUORUM_TEST_MARK: marker },
      detached: true,
      stdio: 'ignore',
    })
    try {
      await new Promise((resolve) => marked.once('spawn', resolve))
      assert.equal(killProcessesWithEnv('QUORUM_TEST_MARK', marker), 0)
      assert.ok(!isGone(marked.pid!), 'the marked process was found after all')
      // A group is judged by kill(-pgid, 0): a live one is live.
      assert.equal(groupHasLiveMembers(marked.pid!), true)
    } finally {
      marked.kill('SIGKILL')
    }
  })
})

/** Whether `pid` has ended (a zombie awaiting its reaper has). Read of /proc by the test only. */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return true
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
    return /^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2))
  } catch {
    return true
  }
}
