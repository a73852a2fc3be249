// exec, the gate's helper-command runner, against real processes: how a command ended, what it
// printed, what it read, and that a timeout, an abort or a flood of output cannot hold it up.
// Every behaviour is checked in both modes: in the judge's session, and in a process group of
// its own.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { exec, whyFailed, type ExecOptions } from '../../src/run/exec.ts'

const root = mkdtempSync(join(tmpdir(), 'quorum exec ünï-'))
after(() => spawnSync('rm', ['-rf', root]))

const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin' }

/** Scheduling slack on a loaded machine; each bound stays far below what a hang would take. */
const SLACK_MS = 10_000

function sh(script: string, over: Partial<ExecOptions> = {}) {
  return exec({ argv: ['/bin/sh', '-c', script], env: ENV, timeoutMs: 20_000, ...over })
}

async function timed<T>(p: Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now()
  const value = await p
  return { value, ms: performance.now() - start }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

/** Field `n` (1-based, as in proc(5)) of /proc/<pid>/stat. */
function statField(pid: number | 'self', n: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[n - 3] ?? ''
}

for (const processGroup of [false, true]) {
  const mode = processGroup ? 'in a process group of its own' : "in the judge's session"
  const run = (script: string, over: Partial<ExecOptions> = {}) =>
    sh(script, { processGroup, ...over })

  describe(`exec, ${mode}`, () => {
    test('the exit code, and stdout and stderr apart', async () => {
      const r = await run('echo out; echo err >&2; printf ünï; exit 3')
      assert.equal(r.code, 3)
      assert.equal(r.signal, null)
      assert.equal(r.stdout, 'out\nünï')
      assert.equal(r.stderr, 'err\n')
      assert.deepEqual([r.timedOut, r.aborted, r.error, r.truncated], [false, false, null, false])
    })

    test('a command killed by a signal reports the signal and no code', async () => {
      const r = await run('kill -USR1 $$; sleep 5')
      assert.equal(r.code, null)
      assert.equal(r.signal, 'SIGUSR1')
      assert.equal(r.timedOut, false)
    })

    test('argv reaches the program as it is: no shell splits or expands it', async () => {
      const r = await exec({
        argv: ['/bin/sh', '-c', 'printf "[%s]" "$@"', 'sh', 'a b', '$HOME', '*', ''],
        env: ENV,
        timeoutMs: 20_000,
        processGroup,
      })
      assert.equal(r.stdout, '[a b][$HOME][*][]')
    })

    test('the environment is exactly the one given', async () => {
      const r = await exec({
        argv: ['/usr/bin/env'],
        env: { ONLY: 'this one' },
        timeoutMs: 20_000,
        processGroup,
      })
      assert.equal(r.stdout, 'ONLY=this one\n')
    })

    test('it runs in cwd', async () => {
      const r = await run('pwd', { cwd: root })
      assert.equal(r.stdout, `${root}\n`)
    })

    test('input is written to stdin, which then ends; without it stdin is empty', async () => {
      const fed = await run('cat; echo "[end]"', { input: 'line one\nline two\n' })
      assert.equal(fed.stdout, 'line one\nline two\n[end]\n')
      const none = await run('cat; echo "[end]"')
      assert.equal(none.stdout, '[end]\n')
    })

    test('input a command does not read is no error', async () => {
      const r = await run('exit 0', { input: 'x'.repeat(1024 * 1024) })
      assert.equal(r.code, 0)
      assert.equal(r.error, null)
    })

    test('a command over its budget gets SIGTERM and is reported as timed out', async () => {
      const { value: r, ms } = await timed(run('sleep 60', { timeoutMs: 300 }))
      assert.equal(r.timedOut, true)
      assert.equal(r.signal, 'SIGTERM')
      assert.equal(r.code, null)
      assert.equal(r.error, null)
      assert.ok(ms < 300 + SLACK_MS, `${ms} ms`)
    })

    test('a command that ignores SIGTERM is killed graceMs later', async () => {
      const { value: r, ms } = await timed(
        run("trap '' TERM; echo ready; while :; do sleep 0.05; done", {
          timeoutMs: 500,
          graceMs: 300,
        }),
      )
      assert.equal(r.timedOut, true)
      assert.equal(r.signal, 'SIGKILL')
      assert.equal(r.stdout, 'ready\n')
      assert.ok(ms < 800 + SLACK_MS, `${ms} ms`)
    })

    test('an abort stops it like the timeout and says so', async () => {
      const controller = new AbortController()
      setTimeout(() => controller.abort(), 200)
      const { value: r, ms } = await timed(
        run('sleep 60', { signal: controller.signal, graceMs: 0 }),
      )
      assert.equal(r.aborted, true)
      assert.equal(r.error, 'aborted')
      assert.equal(r.timedOut, false)
      assert.ok(ms < 200 + SLACK_MS, `${ms} ms`)
    })

    test('an abort before the start starts nothing', async () => {
      const marker = join(root, `not-started-${processGroup}`)
      const r = await run(`touch '${marker}'`, { signal: AbortSignal.abort() })
      assert.equal(r.aborted, true)
      assert.equal(r.error, 'aborted')
      assert.throws(() => readFileSync(marker))
    })

    test('output past maxOutputBytes is dropped, and the command still runs to its end', async () => {
      // 4 MiB on each stream: far more than a pipe holds, so a reader that stopped would block it.
      const r = await run(
        'head -c 4194304 /dev/zero | tr "\\0" a; head -c 4194304 /dev/zero | tr "\\0" b >&2; echo done >&2',
        { maxOutputBytes: 1000 },
      )
      assert.equal(r.code, 0)
      assert.equal(r.stdout, 'a'.repeat(1000))
      assert.equal(r.stderr, 'b'.repeat(1000))
      assert.equal(r.truncated, true)
    })

    test('output within maxOutputBytes is whole and not truncated', async () => {
      const r = await run('printf 12345', { maxOutputBytes: 5 })
      assert.equal(r.stdout, '12345')
      assert.equal(r.truncated, false)
    })

    test('a program that does not exist is an error, not a rejection', async () => {
      const r = await exec({
        argv: [join(root, 'no-such-program')],
        env: ENV,
        timeoutMs: 20_000,
        processGroup,
      })
      assert.match(r.error ?? '', /^ENOENT: command not found: .*no-such-program$/)
      assert.deepEqual([r.code, r.signal, r.timedOut], [null, null, false])
    })

    test('a working directory that does not exist is named as such', async () => {
      const r = await run('true', { cwd: join(root, 'missing') })
      assert.match(r.error ?? '', /working directory does not exist: .*missing/)
    })

    test('an empty argv is an error', async () => {
      const r = await exec({ argv: [], env: ENV, timeoutMs: 1000, processGroup })
      assert.match(r.error ?? '', /empty argv/)
    })

    test('a background process holding stdout does not keep it waiting past a short drain', async () => {
      const pidFile = join(root, `holder-${processGroup}`)
      const { value: r, ms } = await timed(run(`sleep 30 & echo $! > '${pidFile}'; echo started`))
      const holder = Number(readFileSync(pidFile, 'utf8'))
      try {
        assert.equal(r.code, 0)
        assert.equal(r.stdout, 'started\n')
        assert.ok(ms < 1000 + SLACK_MS, `${ms} ms`)
        // Only a process group of its own takes the leftover down with it.
        assert.equal(isAlive(holder), !processGroup)
      } finally {
        if (isAlive(holder)) process.kill(holder, 'SIGKILL')
      }
    })
  })
}

describe('which session the command runs in', () => {
  const ownSession = () => statField('self', 6)
  const script = 'read -r line < /proc/$$/stat; set -- $line; echo "$6 $5 $1"'

  test("by default it stays in the judge's session (sudo goes by its terminal)", async () => {
    const r = await sh(script)
    const [session] = r.stdout.trim().split(' ')
    assert.equal(session, ownSession())
  })

  test('with processGroup it leads a session and a process group of its own', async () => {
    const r = await sh(script, { processGroup: true })
    const [session, group, pid] = r.stdout.trim().split(' ')
    assert.notEqual(session, ownSession())
    assert.equal(session, pid)
    assert.equal(group, pid)
  })
})

describe('whyFailed', () => {
  const sh = (script: string) =>
    exec({ argv: ['/bin/sh', '-c', script], env: { PATH: '/usr/bin:/bin' }, timeoutMs: 30_000 })

  test('null for success; else the last line printed, else how it ended, else why it could not run', async () => {
    assert.equal(whyFailed(await sh('echo fine')), null)
    assert.equal(whyFailed(await sh('echo first >&2; echo oops >&2; exit 3')), 'oops')
    assert.equal(whyFailed(await sh('echo only on stdout; exit 3')), 'only on stdout')
    assert.equal(whyFailed(await sh('exit 4')), 'exit 4')
    assert.equal(whyFailed(await sh('kill -KILL $$')), 'killed by SIGKILL')
    const missing = await exec({ argv: ['/nonexistent/tool'], env: {}, timeoutMs: 30_000 })
    assert.equal(whyFailed(missing), missing.error)
    assert.notEqual(missing.error, null)
  })
})
