// The CLI's local result cache, against a hostile or broken cache directory: whatever is in it or
// whatever the disk does, a get is a result or a miss with a warning, and a put stores or warns;
// neither throws nor hangs.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test, type TestContext } from 'node:test'

import {
  RESULT_CACHE_FORMAT,
  RESULT_CACHE_MAX_ENTRY_BYTES,
  isResultKey,
  openResultCache,
} from '../../src/cache/local-store.ts'

const root = mkdtempSync(join(tmpdir(), 'quorum-result-cache-'))
after(() => rmSync(root, { recursive: true, force: true }))

const KEY = 'a'.repeat(64)
const OTHER = 'b'.repeat(64)
const PAYLOAD = {
  outcome: 'PASSED',
  attempts: [{ outcome: 'PASSED', seed: 7 }],
  metrics: { size_kb: 412 },
}
const CLOCK = new Date('2026-01-02T03:04:05.000Z')

let n = 0
/** A path for a cache directory that does not exist yet. */
function cacheDir(): string {
  return join(root, `c${n++}`, '.quorum', 'cache')
}

/** A cache directory that exists, 0700, ready for planted files. */
function existingCacheDir(): string {
  const dir = cacheDir()
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  return dir
}

function envelope(key: string, payload: unknown = PAYLOAD) {
  return JSON.stringify({
    format: RESULT_CACHE_FORMAT,
    key,
    stored_at: CLOCK.toISOString(),
    payload,
  })
}

test('put then get returns the payload and when it was stored; the file is a 0600 envelope in a 0700 directory', async () => {
  const dir = cacheDir()
  const cache = openResultCache(dir, { now: () => CLOCK })
  await cache.put(KEY, PAYLOAD)
  assert.deepEqual(await cache.get(KEY), { payload: PAYLOAD, stored_at: CLOCK.toISOString() })
  assert.deepEqual(cache.warnings, [])
  const file = join(dir, `${KEY}.json`)
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), {
    format: 'quorum-result/1',
    key: KEY,
    stored_at: '2026-01-02T03:04:05.000Z',
    payload: PAYLOAD,
  })
  assert.equal(statSync(file).mode & 0o777, 0o600)
  assert.equal(statSync(dir).mode & 0o777, 0o700)
  assert.equal(statSync(join(dir, '..')).mode & 0o777, 0o700, 'the created parent too')
  // Another cache object on the same directory (the next CLI run) reads it back.
  assert.deepEqual((await openResultCache(dir).get(KEY))?.payload, PAYLOAD)
  // A put replaces the entry.
  await cache.put(KEY, { outcome: 'FAILED' })
  assert.deepEqual((await cache.get(KEY))?.payload, { outcome: 'FAILED' })
  assert.deepEqual(readdirSync(dir), [`${KEY}.json`], 'no temp file is left behind')
})

test('a miss is null without a warning; a missing directory is not created by get or listKeys', async () => {
  const dir = cacheDir()
  const cache = openResultCache(dir)
  assert.equal(await cache.get(KEY), null)
  assert.deepEqual(await cache.listKeys(), [])
  assert.equal(await cache.prune(0), 0)
  assert.equal(existsSync(dir), false)
  assert.deepEqual(cache.warnings, [])
  await cache.put(OTHER, 1)
  assert.equal(await cache.get(KEY), null)
  assert.deepEqual(cache.warnings, [])
  assert.equal((await cache.get(OTHER))?.payload, 1)
})

test('corrupt, foreign, mis-tagged or incomplete entries are misses with a warning naming the file', async () => {
  const dir = existingCacheDir()
  const cases: Array<[string, string | Buffer, RegExp]> = [
    ['corrupt JSON', '{"format": "quorum-result/1", "key": ', /not valid JSON/],
    ['truncated entry', envelope(KEY).slice(0, -1), /not valid JSON/],
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), /not valid JSON/],
    ['an array', '[1,2]', /not a JSON object/],
    [
      'wrong format tag',
      envelope(KEY).replace('quorum-result/1', 'quorum-result/2'),
      /format is "quorum-result\/2"/,
    ],
    [
      'no format tag',
      JSON.stringify({ key: KEY, stored_at: CLOCK.toISOString(), payload: 1 }),
      /format is undefined/,
    ],
    ['foreign entry', envelope(OTHER), /foreign entry/],
    [
      'bad stored_at',
      envelope(KEY).replace(CLOCK.toISOString(), 'yesterday'),
      /stored_at is not a date/,
    ],
    [
      'no payload',
      JSON.stringify({ format: RESULT_CACHE_FORMAT, key: KEY, stored_at: CLOCK.toISOString() }),
      /no payload/,
    ],
  ]
  for (const [what, content, why] of cases) {
    writeFileSync(join(dir, `${KEY}.json`), content)
    const cache = openResultCache(dir)
    assert.equal(await cache.get(KEY), null, what)
    assert.equal(cache.warnings.length, 1, what)
    assert.ok(cache.warnings[0]!.includes(join(dir, `${KEY}.json`)), `${what}: names the file`)
    assert.match(cache.warnings[0]!, why, what)
    assert.doesNotMatch(cache.warnings[0]!, /\n/, 'one line')
  }
  // The same file, well formed, is a hit: the checks above are what made them misses.
  writeFileSync(join(dir, `${KEY}.json`), envelope(KEY))
  const cache = openResultCache(dir)
  assert.deepEqual((await cache.get(KEY))?.payload, PAYLOAD)
  assert.deepEqual(cache.warnings, [])
})

test('an oversize entry is not read (default cap 4 MiB, or the configured one)', async () => {
  const dir = existingCacheDir()
  const big = envelope(KEY, 'x'.repeat(RESULT_CACHE_MAX_ENTRY_BYTES))
  writeFileSync(join(dir, `${KEY}.json`), big)
  const cache = openResultCache(dir)
  assert.equal(await cache.get(KEY), null)
  assert.match(cache.warnings[0] ?? '', /over the limit of 4194304/)

  writeFileSync(join(dir, `${OTHER}.json`), envelope(OTHER, 'x'.repeat(2000)))
  const small = openResultCache(dir, { maxEntryBytes: 1000 })
  assert.equal(await small.get(OTHER), null)
  assert.match(small.warnings[0] ?? '', /over the limit of 1000/)
  assert.notEqual(await openResultCache(dir).get(OTHER), null, 'under the default cap it is fine')
})

test('a link, a FIFO or a directory at an entry path is never followed or opened for reading', async (t) => {
  const dir = existingCacheDir()
  // A valid entry elsewhere, linked into the cache: it must not be served.
  const elsewhere = join(root, `planted-${n++}.json`)
  writeFileSync(elsewhere, envelope(KEY))
  symlinkSync(elsewhere, join(dir, `${KEY}.json`))
  const cache = openResultCache(dir)
  assert.equal(await cache.get(KEY), null)
  assert.match(cache.warnings[0] ?? '', /is a symbolic link/)

  assert.equal(spawnSync('mkfifo', [join(dir, `${OTHER}.json`)]).status, 0)
  const fifoCache = openResultCache(dir)
  const got = await withDeadline(t, fifoCache.get(OTHER), 10_000)
  assert.equal(got, null)
  assert.match(fifoCache.warnings[0] ?? '', /not a regular file/)

  const third = 'c'.repeat(64)
  mkdirSync(join(dir, `${third}.json`))
  const dirCache = openResultCache(dir)
  assert.equal(await dirCache.get(third), null)
  assert.match(dirCache.warnings[0] ?? '', /not a regular file|is a directory/)

  // A put over the planted link replaces the link, never writes through it.
  await cache.put(KEY, { outcome: 'FAILED' })
  assert.deepEqual(JSON.parse(readFileSync(elsewhere, 'utf8')).payload, PAYLOAD)
  assert.deepEqual((await openResultCache(dir).get(KEY))?.payload, { outcome: 'FAILED' })
})

test('a cache directory that is a link, writable by others or owned by someone else is refused', async () => {
  // A link: e.g. a .quorum/cache committed to a repository as a symlink.
  const target = existingCacheDir()
  writeFileSync(join(target, `${KEY}.json`), envelope(KEY))
  const linked = join(root, `c${n++}`)
  mkdirSync(linked)
  symlinkSync(target, join(linked, 'cache'))
  const viaLink = openResultCache(join(linked, 'cache'))
  assert.equal(await viaLink.get(KEY), null)
  await viaLink.put(OTHER, 1)
  assert.equal(existsSync(join(target, `${OTHER}.json`)), false, 'nothing written through the link')
  assert.equal(viaLink.warnings.length, 1, 'one warning for the cache, not one per call')
  assert.match(viaLink.warnings[0]!, /not used: it is a symbolic link/)

  const open = existingCacheDir()
  writeFileSync(join(open, `${KEY}.json`), envelope(KEY))
  chmodSync(open, 0o777)
  const shared = openResultCache(open)
  assert.equal(await shared.get(KEY), null)
  assert.match(shared.warnings[0] ?? '', /writable by everyone \(mode 777\)/)
  chmodSync(open, 0o770)
  const group = openResultCache(open)
  assert.equal(await group.get(KEY), null)
  assert.match(group.warnings[0] ?? '', /writable by its group/)
  chmodSync(open, 0o755)
  assert.notEqual(await openResultCache(open).get(KEY), null, 'readable by others is fine')

  if (process.getuid?.() === 0) {
    chownSync(open, 65534, 65534)
    const foreign = openResultCache(open)
    assert.equal(await foreign.get(KEY), null)
    assert.match(foreign.warnings[0] ?? '', /owned by uid 65534, not by this user \(uid 0\)/)
  }

  const file = join(root, `c${n++}`)
  writeFileSync(file, 'not a directory')
  const notDir = openResultCache(file)
  await notDir.put(KEY, 1)
  assert.match(notDir.warnings[0] ?? '', /not used: it is not a directory/)
})

test('a read-only cache directory: put warns and never throws; get still works', async () => {
  const dir = existingCacheDir()
  writeFileSync(join(dir, `${KEY}.json`), envelope(KEY))
  chmodSync(dir, 0o500)
  chmodSync(root, 0o755)
  chmodSync(join(dir, '..', '..'), 0o755)
  chmodSync(join(dir, '..'), 0o755)
  if (process.getuid?.() === 0) chownSync(dir, 65534, 65534)
  try {
    await asUnprivileged(async () => {
      const cache = openResultCache(dir)
      await cache.put(OTHER, PAYLOAD)
      assert.equal(cache.warnings.length, 1)
      assert.match(
        cache.warnings[0]!,
        new RegExp(
          `result for ${OTHER} not cached: cannot write .*${OTHER}\\.json: permission denied \\(EACCES\\)`,
        ),
      )
      assert.deepEqual((await cache.get(KEY))?.payload, PAYLOAD)
    })
  } finally {
    chmodSync(root, 0o700)
  }
  assert.deepEqual(readdirSync(dir), [`${KEY}.json`])
})

test('a directory that cannot be created is a warning', async () => {
  const parent = join(root, `c${n++}`)
  mkdirSync(parent, { mode: 0o755 })
  writeFileSync(join(parent, '.quorum'), 'a file where the directory should be')
  const cache = openResultCache(join(parent, '.quorum', 'cache'))
  await cache.put(KEY, 1)
  assert.match(cache.warnings[0] ?? '', /\.quorum\/cache not used: .*\(ENOTDIR\)/)
  assert.equal(await cache.get(KEY), null)
})

test('a full disk (ENOSPC) is a warning, and leaves no partial entry or temp file', async (t) => {
  const mount = join(root, `c${n++}`)
  mkdirSync(mount, { mode: 0o700 })
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', mount])
  if (mounted.status !== 0) {
    t.skip('needs a small tmpfs (root with mount permission) to fill')
    return
  }
  t.after(() => spawnSync('umount', ['-l', mount]))
  const cache = openResultCache(join(mount, 'cache'), { maxEntryBytes: 1024 * 1024 })
  await cache.put(KEY, 'x'.repeat(200 * 1024))
  assert.match(
    cache.warnings[0] ?? '',
    /not cached: cannot write .*no space left on device \(ENOSPC\)/,
  )
  assert.deepEqual(readdirSync(join(mount, 'cache')), [])
  await cache.put(OTHER, 'small')
  assert.equal((await cache.get(OTHER))?.payload, 'small', 'the cache still works after')
})

test('payloads that are not JSON data or too large are warnings, not throws', async () => {
  const dir = cacheDir()
  const cache = openResultCache(dir, { maxEntryBytes: 10_000 })
  const cyclic: Record<string, unknown> = {}
  cyclic.self = cyclic
  await cache.put(KEY, cyclic)
  await cache.put(KEY, { n: 1n })
  await cache.put(KEY, undefined)
  await cache.put(KEY, 'x'.repeat(20_000))
  assert.equal(cache.warnings.length, 4)
  assert.match(cache.warnings[0]!, /not JSON data/)
  assert.match(cache.warnings[1]!, /not JSON data/)
  assert.match(cache.warnings[2]!, /not JSON data/)
  assert.match(cache.warnings[3]!, /would be \d+ bytes, over the limit of 10000/)
  assert.equal(await cache.get(KEY), null)
})

test('keys must be 64 lowercase hex characters before they become file names', async () => {
  const cache = openResultCache(cacheDir())
  for (const bad of [
    '../../etc/passwd',
    'A'.repeat(64),
    'a'.repeat(63),
    'a'.repeat(65),
    `${'a'.repeat(63)}/`,
    '',
  ]) {
    assert.equal(isResultKey(bad), false)
    await assert.rejects(cache.get(bad), TypeError)
    await assert.rejects(cache.put(bad, 1), TypeError)
  }
  assert.equal(isResultKey(KEY), true)
})

test('writes are atomic: concurrent writers and readers never see a partial entry', async () => {
  const dir = cacheDir()
  const writer = openResultCache(dir)
  const reader = openResultCache(dir)
  await writer.put(KEY, { v: -1, fill: '' })
  const fill = 'y'.repeat(512 * 1024)
  let done = false
  let reads = 0
  let misses = 0
  // Two writers race on one key while four readers read it as fast as they can.
  const writing = Promise.all(
    [0, 1].map(async (w) => {
      for (let v = 0; v < 60; v++) await writer.put(KEY, { v, w, fill })
    }),
  ).finally(() => (done = true))
  const reading = Promise.all(
    Array.from({ length: 4 }, async () => {
      while (!done) {
        const got = await reader.get(KEY)
        reads++
        if (got === null) {
          misses++
          continue
        }
        const payload = got.payload as { v: number; fill: string }
        assert.equal(payload.fill.length, payload.v === -1 ? 0 : fill.length, 'a whole entry')
      }
    }),
  )
  await Promise.all([writing, reading])
  assert.ok(reads > 20, `the readers overlapped the writes (${reads} reads)`)
  assert.equal(misses, 0, 'the entry never went missing while it was replaced')
  assert.deepEqual(reader.warnings, [], 'no reader saw a partial or corrupt entry')
  assert.deepEqual(writer.warnings, [])
  assert.deepEqual(readdirSync(dir), [`${KEY}.json`])
})

test('listKeys lists entries only; prune keeps the most recently stored or read', async () => {
  const dir = existingCacheDir()
  const keys = Array.from({ length: 6 }, (_, i) => String(i).repeat(64))
  let clock = Date.parse('2026-01-01T00:00:00Z')
  const cache = openResultCache(dir, { now: () => new Date(clock) })
  for (const key of keys) {
    await cache.put(key, key)
    const t = new Date(clock)
    utimesSync(join(dir, `${key}.json`), t, t)
    clock += 60_000
  }
  writeFileSync(join(dir, 'README'), 'not an entry')
  writeFileSync(join(dir, `${'A'.repeat(64)}.json`), 'not an entry name')
  const staleTemp = join(dir, `.${KEY}.${'0'.repeat(16)}.tmp`)
  writeFileSync(staleTemp, 'left by a write that died')
  utimesSync(staleTemp, new Date(0), new Date(0))
  const freshTemp = join(dir, `.${KEY}.${'1'.repeat(16)}.tmp`)
  writeFileSync(freshTemp, 'a write in progress')
  const now = new Date(clock)
  utimesSync(freshTemp, now, now)
  assert.deepEqual(await cache.listKeys(), [...keys].sort())

  // Reading the oldest makes it the most recent.
  clock += 60_000
  assert.equal((await cache.get(keys[0]!))?.payload, keys[0])
  assert.equal(await cache.prune(3), 3)
  assert.deepEqual(await cache.listKeys(), [keys[0]!, keys[4]!, keys[5]!].sort())
  assert.equal(existsSync(staleTemp), false, 'a stale temp file is removed')
  assert.equal(existsSync(freshTemp), true, 'a recent one may be a write in progress')
  assert.equal(existsSync(join(dir, 'README')), true, 'files that are not entries are left alone')
  assert.equal(await cache.prune(), 0, 'under the default limit nothing goes')
  await assert.rejects(cache.prune(-1), TypeError)
})

function withDeadline<T>(t: TestContext, p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  t.after(() => clearTimeout(timer))
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`did not finish within ${ms} ms (hung?)`)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}

/**
 * Runs fn as an unprivileged user: root writes anywhere whatever the mode, so as root the
 * effective uid and gid are switched to nobody for the call (glibc applies it to every thread,
 * libuv's pool included), then back.
 */
async function asUnprivileged<T>(fn: () => Promise<T>): Promise<T> {
  if (process.geteuid?.() !== 0) return fn()
  process.setegid!(65534)
  process.seteuid!(65534)
  try {
    return await fn()
  } finally {
    process.seteuid!(0)
    process.setegid!(0)
  }
}
