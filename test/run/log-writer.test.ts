// The full-output log of a run, against a hostile or broken log directory: whatever is at the
// log's path or whatever the disk does, the run still runs, is judged, and ends within its
// budget; its head and tail are kept in memory; and the result says what happened to the log.
//
// Tests here run one at a time: two of them hold the libuv thread pool (where file writes run)
// to make log writes stall, which would slow any run in flight beside them.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  constants,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test, type TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'
import { classifyShellRun } from '../../src/engine/outcome.ts'
import { shellArgv, spawnBounded, type SpawnSpec } from '../../src/run/process.ts'

const root = mkdtempSync(join(tmpdir(), 'quorum-log-writer-'))
const cwd = join(root, 'cwd')
mkdirSync(cwd)
after(() => rmSync(root, { recursive: true, force: true }))

const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin' }
/**
 * Scheduling slack on a shared 2-core machine under load (a run took up to 3 s longer there);
 * never a performance claim. Each bound it is in stays below what the broken behaviour would
 * take (a hang, or the run's own budget).
 */
const SLACK_MS = 15_000
/** How long spawnBounded may wait for a log's pending writes after the run (process.ts). */
const LOG_CLOSE_WAIT_MS = 2000
const PROCESS_TS = fileURLToPath(new URL('../../src/run/process.ts', import.meta.url))

function run(command: string, over: Partial<SpawnSpec> & { logPath: string | null }) {
  return spawnBounded({ argv: shellArgv(command), cwd, env: ENV, timeoutMs: 20_000, ...over })
}

async function timed<T>(p: Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now()
  const value = await p
  return { value, ms: performance.now() - start }
}

const NOTE = /\[quorum: [^\]\n]*\]\n$/

/**
 * Holds every thread of libuv's pool in a blocking open() of a FIFO, so that file writes (which
 * run there) stall as on a hung disk, until the returned release() is called. Verified: a stat
 * queued behind them does not complete.
 */
async function stallThreadPool(): Promise<() => Promise<void>> {
  const size = Number(process.env.UV_THREADPOOL_SIZE ?? 4) || 4
  const fifos: string[] = []
  const opens: Array<Promise<unknown>> = []
  for (let i = 0; i < size; i++) {
    const fifo = join(root, `stall-${Date.now()}-${i}`)
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0)
    fifos.push(fifo)
    opens.push(open(fifo, 'r').then((h) => h.close()))
  }
  const probe = await Promise.race([
    stat('/').then(() => 'free'),
    new Promise((resolve) => setTimeout(() => resolve('stalled'), 500)),
  ])
  let released = false
  const release = async () => {
    if (released) return
    released = true
    // A non-blocking open for writing succeeds because a reader is waiting in open(), and lets
    // that reader's open() return.
    for (const fifo of fifos) closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK))
    await Promise.all(opens)
  }
  if (probe !== 'stalled') {
    await release()
    assert.fail('could not stall the thread pool')
  }
  return release
}

test('a FIFO planted at the log path neither blocks the judge nor receives output', () => {
  // Run in a child process: the old behaviour (open for writing, blocking) would freeze this
  // test process itself, timers included.
  const fifo = join(root, 'planted-fifo.log')
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0)
  const script = `
    import { spawnBounded, shellArgv } from ${JSON.stringify(PROCESS_TS)}
    const r = await spawnBounded({
      argv: shellArgv('echo judged; exit 3'), cwd: ${JSON.stringify(cwd)},
      env: ${JSON.stringify(ENV)}, timeoutMs: 5000, logPath: ${JSON.stringify(fifo)},
    })
    process.stdout.write(JSON.stringify(r))
  `
  const started = performance.now()
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    // The old behaviour froze it for good: any deadline tells, so a generous one.
    timeout: 5000 + SLACK_MS,
    killSignal: 'SIGKILL',
  })
  const ms = performance.now() - started
  assert.equal(child.signal, null, `the judge was stuck for ${Math.round(ms)} ms`)
  assert.equal(child.status, 0, child.stderr)
  const r = JSON.parse(child.stdout) as Awaited<ReturnType<typeof spawnBounded>>
  assert.equal(r.exitCode, 3)
  assert.equal(r.output.log_path, null)
  assert.ok(r.output.head.startsWith('judged\n'))
  assert.match(r.output.tail, NOTE)
  assert.match(
    r.output.tail,
    /the full log could not be written: cannot create .*planted-fifo\.log: it already exists \(EEXIST\)/,
  )
  // Judged as usual, from the output kept in memory; our note never becomes the reason.
  const c = classifyShellRun(r, { timeoutMs: 5000, scoreKey: null })
  assert.deepEqual(c, { outcome: 'FAILED', reason: 'exited with code 3: judged', score: 0 })
  assert.ok(lstatSync(fifo).isFIFO())
})

test('a symlink planted at the log path is not followed', async () => {
  const victim = join(root, 'victim.txt')
  writeFileSync(victim, 'precious\n')
  const link = join(root, 'planted-link.log')
  symlinkSync(victim, link)
  const dangling = join(root, 'planted-dangling.log')
  symlinkSync(join(root, 'created-through-link.txt'), dangling)

  const r = await run('echo overwritten', { logPath: link })
  assert.equal(r.exitCode, 0)
  assert.equal(r.output.head, 'overwritten\n')
  assert.equal(r.output.log_path, null)
  assert.match(r.output.tail, /^\[quorum: the full log could not be written: .*EEXIST.*\]\n$/)
  assert.equal(readFileSync(victim, 'utf8'), 'precious\n')
  assert.ok(lstatSync(link).isSymbolicLink())

  const d = await run('echo created', { logPath: dangling })
  assert.equal(d.output.log_path, null)
  assert.ok(!readdirSync(root).includes('created-through-link.txt'))
})

test('a log is a new regular file readable by its owner only', async () => {
  const path = join(root, 'fresh.log')
  const r = await run('echo fresh', { logPath: path })
  assert.equal(r.output.log_path, path)
  assert.equal(r.output.tail, '')
  const s = statSync(path)
  assert.ok(s.isFile())
  assert.equal(s.mode & 0o777 & ~0o600, 0)
  assert.equal(readFileSync(path, 'utf8'), 'fresh\n')
})

test('a log whose directory is missing: the run goes on, and says why there is no log', async () => {
  const r = await run('echo still here', { logPath: join(root, 'no such dir', 'x.log') })
  assert.equal(r.exitCode, 0)
  assert.equal(r.output.log_path, null)
  assert.equal(r.output.head, 'still here\n')
  assert.match(
    r.output.tail,
    /^\[quorum: the full log could not be written: cannot create .*x\.log: its directory does not exist \(ENOENT\); only the head and tail of the output were kept\]\n$/,
  )
})

function mountTinyTmpfs(t: TestContext): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return null
  const dir = mkdtempSync(join(root, 'full-'))
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'quorum-test-full', dir])
  if (m.status !== 0) return null
  t.after(() => {
    if (spawnSync('umount', [dir]).status !== 0) spawnSync('umount', ['-l', dir])
  })
  return dir
}

test(
  'a full disk: the run ends within its budget, judged, and says the log is truncated',
  {
    timeout: 60_000,
  },
  async (t) => {
    const full = mountTinyTmpfs(t)
    if (full === null) {
      t.skip('needs root on Linux to mount a 64 KiB tmpfs as the log directory')
      return
    }
    const path = join(full, 'flood.log')
    // 8 MB on a 64 KiB file system, and a score printed at the very end.
    const command = "head -c 8000000 /dev/zero | tr '\\0' y; echo; echo passed=7"
    const { value: r, ms } = await timed(
      run(command, { logPath: path, timeoutMs: 20_000, scoreKey: 'passed' }),
    )
    assert.ok(ms < 20_000 + SLACK_MS, `took ${ms} ms`)
    assert.equal(r.exitCode, 0)
    assert.equal(r.timedOut, false)
    assert.equal(r.output.bytes, 8_000_000 + 1 + 'passed=7\n'.length)
    assert.equal(r.score, 7)
    assert.ok(r.output.head.startsWith('yyyy'))
    assert.match(r.output.tail, /y\npassed=7\n\[quorum: log truncated: /)
    assert.match(
      r.output.tail,
      /\[quorum: log truncated: no space left on device \(ENOSPC\); .*flood\.log holds only its first \d+ bytes\]\n$/,
    )
    // The partial log is still where the result says, and holds the start of the output.
    assert.equal(r.output.log_path, path)
    const size = statSync(path).size
    assert.ok(size > 0 && size <= 64 * 1024, `log of ${size} bytes`)
    assert.ok(readFileSync(path, 'latin1').startsWith('yyyy'))
    assert.deepEqual(classifyShellRun(r, { timeoutMs: 20_000, scoreKey: 'passed' }), {
      outcome: 'PASSED',
      reason: 'exited with code 0; passed=7',
      score: 7,
    })

    // The next run in the full directory: its log cannot hold a byte; same story, no hang.
    const next = await timed(run('echo again; exit 1', { logPath: join(full, 'next.log') }))
    assert.ok(next.ms < 20_000 + SLACK_MS)
    assert.equal(next.value.exitCode, 1)
    assert.match(next.value.output.tail, /log truncated: no space left on device \(ENOSPC\)/)
    assert.equal(
      classifyShellRun(next.value, { timeoutMs: 20_000, scoreKey: null }).reason,
      'exited with code 1: again',
    )
  },
)

test(
  'a log whose writes never complete does not hold the result past a short wait',
  {
    timeout: 120_000,
  },
  async () => {
    const path = join(root, 'stuck.log')
    const release = await stallThreadPool()
    // Whatever happens, free the pool in the end (a process cannot exit with it held); late
    // enough that a run waiting for its log would not end before the bound below.
    const rescue = setTimeout(() => void release(), 60_000)
    try {
      const { value: r, ms } = await timed(run('echo one; echo two', { logPath: path }))
      assert.ok(ms < LOG_CLOSE_WAIT_MS + SLACK_MS, `took ${Math.round(ms)} ms`)
      assert.equal(r.exitCode, 0)
      assert.equal(r.output.log_path, path)
      assert.match(r.output.head, /^one\ntwo\n/)
      assert.match(r.output.tail, /^\[quorum: log incomplete: writing it had not finished .*\]\n$/)
    } finally {
      clearTimeout(rescue)
      await release()
    }
  },
)

test(
  'a log that cannot keep up holds the child back instead of filling memory',
  {
    timeout: 120_000,
  },
  async () => {
    // The log's writes stall for 3 s: without backpressure, every byte the child prints in that
    // time would pile up in our write buffer.
    const path = join(root, 'slow.log')
    const release = await stallThreadPool()
    const releasing = new Promise((resolve) => setTimeout(resolve, 3000)).then(release)
    const before = process.memoryUsage().rss
    let peak = before
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 10)
    try {
      const r = await run("head -c 300000000 /dev/zero | tr '\\0' y", {
        logPath: path,
        logLimitBytes: 400 * 1024 * 1024,
        timeoutMs: 60_000,
      })
      assert.equal(r.exitCode, 0)
      assert.equal(r.output.bytes, 300_000_000)
      assert.equal(r.output.tail.endsWith('yyy'), true)
      assert.equal(statSync(path).size, 300_000_000)
    } finally {
      clearInterval(sampler)
      await releasing
      rmSync(path, { force: true })
    }
    const grewMb = (peak - before) / 1e6
    assert.ok(grewMb < 100, `RSS grew by ${grewMb.toFixed(1)} MB`)
  },
)
