// The CLI's content hash of a tree: what counts (paths, types, content, the executable bit, link
// text), what does not (creation order, times, other mode bits, ignored roots), and what it must
// never do (follow a link, open a FIFO and hang, hold a file in memory).
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'

import { DEFAULT_TREE_IGNORE, TREE_HASH_FORMAT, treeContentHash } from '../../src/run/tree-hash.ts'

const root = mkdtempSync(join(tmpdir(), 'quorum-tree-hash-'))
after(() => rmSync(root, { recursive: true, force: true }))

let n = 0
/** A fresh empty directory under the scratch root. */
function fresh(): string {
  const dir = join(root, `t${n++}`)
  mkdirSync(dir)
  return dir
}

/** A small tree with one of everything that is easy to make. */
function sample(dir = fresh()): string {
  mkdirSync(join(dir, 'src/lib'), { recursive: true })
  mkdirSync(join(dir, 'empty'))
  writeFileSync(join(dir, 'README.md'), '# hi\n')
  writeFileSync(join(dir, 'src/main.js'), 'console.log(1)\n')
  writeFileSync(join(dir, 'src/lib/util.js'), 'export {}\n')
  writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\necho ok\n', { mode: 0o755 })
  chmodSync(join(dir, 'run.sh'), 0o755)
  // 'a.txt' sorts before 'a/x' in byte order ('.' < '/'), after 'a' itself.
  writeFileSync(join(dir, 'a.txt'), 'dot')
  mkdirSync(join(dir, 'a'))
  writeFileSync(join(dir, 'a/x'), 'x')
  symlinkSync('src/main.js', join(dir, 'link-to-main'))
  return dir
}

/**
 * The documented format, written independently with synchronous calls: the check that the
 * implementation hashes what its header says it does.
 */
function referenceHash(dir: string, ignore: readonly string[] = DEFAULT_TREE_IGNORE): string {
  const records: Array<{ rel: Buffer; bytes: Buffer }> = []
  const u32 = (x: number) => {
    const b = Buffer.alloc(4)
    b.writeUInt32BE(x)
    return b
  }
  const walk = (rel: Buffer) => {
    const abs = rel.length === 0 ? Buffer.from(dir) : Buffer.concat([Buffer.from(`${dir}/`), rel])
    for (const name of readdirSync(abs, { encoding: 'buffer' })) {
      const r = rel.length === 0 ? name : Buffer.concat([rel, Buffer.from('/'), name])
      if (ignore.includes(r.toString('utf8'))) continue
      const p = Buffer.concat([Buffer.from(`${dir}/`), r])
      const st = lstatSync(p)
      let type: string
      let payload = Buffer.alloc(0)
      if (st.isFile()) {
        type = 'F'
        payload = Buffer.concat([
          Buffer.of(st.mode & 0o100 ? 1 : 0),
          createHash('sha256').update(readFileSync(p)).digest(),
        ])
      } else if (st.isDirectory()) type = 'D'
      else if (st.isSymbolicLink()) {
        type = 'L'
        const text = readlinkSync(p, { encoding: 'buffer' })
        payload = Buffer.concat([u32(text.length), text])
      } else if (st.isFIFO()) type = 'P'
      else if (st.isSocket()) type = 'S'
      else if (st.isCharacterDevice()) type = 'C'
      else if (st.isBlockDevice()) type = 'B'
      else type = '?'
      records.push({ rel: r, bytes: Buffer.concat([Buffer.from(type), u32(r.length), r, payload]) })
      if (type === 'D') walk(r)
    }
  }
  walk(Buffer.alloc(0))
  records.sort((a, b) => Buffer.compare(a.rel, b.rel))
  const hash = createHash('sha256').update(`${TREE_HASH_FORMAT}\0`)
  for (const r of records) hash.update(r.bytes)
  return `content:${hash.digest('hex')}`
}

test('the hash follows the documented format (checked by an independent implementation)', async () => {
  const dir = sample()
  const got = await treeContentHash(dir)
  assert.match(got, /^content:[0-9a-f]{64}$/)
  assert.equal(got, referenceHash(dir))
  // Pinned: a change here changes every CLI cache key. Bump TREE_HASH_FORMAT when it must change.
  assert.equal(TREE_HASH_FORMAT, 'quorum-tree/1')
  const tiny = fresh()
  writeFileSync(join(tiny, 'f'), 'hello\n')
  assert.equal(
    await treeContentHash(tiny),
    'content:' +
      createHash('sha256')
        .update('quorum-tree/1\0')
        .update('F')
        .update(Buffer.of(0, 0, 0, 1))
        .update('f')
        .update(Buffer.of(0))
        .update(createHash('sha256').update('hello\n').digest())
        .digest('hex'),
  )
})

test('the order in which entries were created does not change the hash', async () => {
  const a = fresh()
  for (const name of ['z', 'b', 'a', 'm']) writeFileSync(join(a, name), name)
  mkdirSync(join(a, 'd2'))
  mkdirSync(join(a, 'd1'))
  writeFileSync(join(a, 'd1/x'), 'x')
  const b = fresh()
  mkdirSync(join(b, 'd1'))
  writeFileSync(join(b, 'd1/x'), 'x')
  for (const name of ['a', 'm', 'z', 'b']) writeFileSync(join(b, name), name)
  mkdirSync(join(b, 'd2'))
  assert.equal(await treeContentHash(a), await treeContentHash(b))
})

test('one changed byte, one exec bit, a renamed file, a new empty directory each change the hash', async () => {
  const dir = sample()
  const base = await treeContentHash(dir)
  const changes: Array<[string, () => void, () => void]> = [
    [
      'one byte',
      () => writeFileSync(join(dir, 'src/lib/util.js'), 'export {}\r'),
      () => writeFileSync(join(dir, 'src/lib/util.js'), 'export {}\n'),
    ],
    [
      'exec bit set',
      () => chmodSync(join(dir, 'README.md'), 0o744),
      () => chmodSync(join(dir, 'README.md'), 0o644),
    ],
    [
      'exec bit cleared',
      () => chmodSync(join(dir, 'run.sh'), 0o644),
      () => chmodSync(join(dir, 'run.sh'), 0o755),
    ],
    [
      'rename',
      () => spawnSync('mv', [join(dir, 'a.txt'), join(dir, 'b.txt')]),
      () => spawnSync('mv', [join(dir, 'b.txt'), join(dir, 'a.txt')]),
    ],
    [
      'empty directory',
      () => mkdirSync(join(dir, 'empty/inner')),
      () => rmSync(join(dir, 'empty/inner'), { recursive: true }),
    ],
    [
      'link text',
      () => {
        rmSync(join(dir, 'link-to-main'))
        symlinkSync('./src/main.js', join(dir, 'link-to-main'))
      },
      () => {
        rmSync(join(dir, 'link-to-main'))
        symlinkSync('src/main.js', join(dir, 'link-to-main'))
      },
    ],
    [
      'an empty file appears',
      () => writeFileSync(join(dir, 'empty/.keep'), ''),
      () => rmSync(join(dir, 'empty/.keep')),
    ],
  ]
  for (const [what, change, undo] of changes) {
    change()
    assert.notEqual(await treeContentHash(dir), base, `${what} must change the hash`)
    undo()
    assert.equal(await treeContentHash(dir), base, `undoing ${what} must restore the hash`)
  }
})

test('times, other mode bits and moving the tree do not change the hash', async () => {
  const dir = sample()
  const base = await treeContentHash(dir)
  utimesSync(join(dir, 'README.md'), new Date(0), new Date(0))
  chmodSync(join(dir, 'README.md'), 0o600)
  chmodSync(join(dir, 'run.sh'), 0o700)
  chmodSync(join(dir, 'src'), 0o700)
  assert.equal(await treeContentHash(dir), base)
  const copy = fresh()
  assert.equal(spawnSync('cp', ['-a', `${dir}/.`, copy]).status, 0)
  assert.equal(await treeContentHash(copy), base)
})

test('a symlink to /etc/passwd hashes as its link text: the target is never read', async () => {
  const dir = fresh()
  symlinkSync('/etc/passwd', join(dir, 'passwd'))
  const viaLink = await treeContentHash(dir)
  assert.equal(viaLink, referenceHash(dir))
  // The same name as a regular file with the target's bytes hashes differently.
  const copy = fresh()
  writeFileSync(join(copy, 'passwd'), readFileSync('/etc/passwd'))
  assert.notEqual(await treeContentHash(copy), viaLink)

  // A link to a file outside the tree: changing that file does not change the tree's hash.
  const outside = join(fresh(), 'secret')
  writeFileSync(outside, 'one')
  const tree = fresh()
  symlinkSync(outside, join(tree, 'out'))
  const before = await treeContentHash(tree)
  writeFileSync(outside, 'two, longer')
  assert.equal(await treeContentHash(tree), before)
})

test('a link to a directory outside the tree is not descended, and a link loop does not hang', async () => {
  const outside = fresh()
  writeFileSync(join(outside, 'a'), 'a')
  const tree = fresh()
  symlinkSync(outside, join(tree, 'outdir'))
  symlinkSync('.', join(tree, 'self'))
  symlinkSync('loop', join(tree, 'loop'))
  symlinkSync('/', join(tree, 'rootfs'))
  const before = await treeContentHash(tree)
  writeFileSync(join(outside, 'b'), 'b')
  assert.equal(await treeContentHash(tree), before)
  assert.equal(before, referenceHash(tree))
})

test('a FIFO and a socket in the tree hash by their type and are never opened', async (t) => {
  const dir = fresh()
  writeFileSync(join(dir, 'file'), 'x')
  assert.equal(spawnSync('mkfifo', [join(dir, 'pipe')]).status, 0)
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(join(dir, 'sock'), resolve))
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())))
  let timer: NodeJS.Timeout | undefined
  const hung = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('hung'), 10_000)
  })
  const got = await Promise.race([treeContentHash(dir), hung])
  clearTimeout(timer)
  assert.notEqual(got, 'hung', 'hashing a tree with a FIFO must not block on it')
  assert.equal(got, referenceHash(dir))
  // A regular empty file in the FIFO's place is a different tree.
  const other = fresh()
  writeFileSync(join(other, 'file'), 'x')
  writeFileSync(join(other, 'pipe'), '')
  const server2 = createServer()
  await new Promise<void>((resolve) => server2.listen(join(other, 'sock'), resolve))
  t.after(() => new Promise<void>((resolve) => server2.close(() => resolve())))
  assert.notEqual(await treeContentHash(other), got)
})

test('.git and .quorum at the root are skipped by default; the same names deeper are not', async () => {
  const dir = sample()
  const base = await treeContentHash(dir)
  mkdirSync(join(dir, '.git/objects'), { recursive: true })
  writeFileSync(join(dir, '.git/HEAD'), 'ref: refs/heads/main\n')
  mkdirSync(join(dir, '.quorum/cache'), { recursive: true })
  writeFileSync(join(dir, '.quorum/cache/x.json'), '{}')
  assert.equal(await treeContentHash(dir), base)
  mkdirSync(join(dir, 'src/.git'))
  assert.notEqual(await treeContentHash(dir), base)
  rmSync(join(dir, 'src/.git'), { recursive: true })
  // A .gitignore is content like any file.
  writeFileSync(join(dir, '.gitignore'), 'node_modules\n')
  assert.notEqual(await treeContentHash(dir), base)
  rmSync(join(dir, '.gitignore'))
  // `ignore` replaces the defaults.
  const all = await treeContentHash(dir, { ignore: [] })
  assert.notEqual(all, base)
  assert.equal(all, referenceHash(dir, []))
  assert.equal(
    await treeContentHash(dir, { ignore: ['.git', '.quorum', 'src/lib'] }),
    referenceHash(dir, ['.git', '.quorum', 'src/lib']),
  )
  for (const bad of ['', '/abs', '../up', 'a/../b', 'a//b', './a']) {
    await assert.rejects(treeContentHash(dir, { ignore: [bad] }), TypeError, bad)
  }
})

test('file names are hashed as raw bytes, even when they are not UTF-8', async () => {
  const a = fresh()
  const b = fresh()
  // Two names that both decode to U+FFFD as UTF-8 strings.
  writeFileSync(Buffer.concat([Buffer.from(`${a}/`), Buffer.from([0xff])]), 'x')
  writeFileSync(Buffer.concat([Buffer.from(`${b}/`), Buffer.from([0xfe])]), 'x')
  const ha = await treeContentHash(a)
  assert.notEqual(ha, await treeContentHash(b))
  assert.equal(ha, referenceHash(a))
})

test('the root may be given through a link; a root that is not a directory is refused', async () => {
  const dir = sample()
  const link = join(fresh(), 'via-link')
  symlinkSync(dir, link)
  assert.equal(await treeContentHash(link), await treeContentHash(dir))
  await assert.rejects(treeContentHash(join(dir, 'README.md')), /not a directory/)
  await assert.rejects(treeContentHash(join(dir, 'missing')), { code: 'ENOENT' })
})

test('an unreadable file rejects the hash instead of leaving its content out', async () => {
  const dir = sample()
  const file = join(dir, 'src/main.js')
  chmodSync(file, 0o000)
  chmodSync(root, 0o755)
  chmodSync(dir, 0o755)
  try {
    await asUnprivileged(() =>
      assert.rejects(treeContentHash(dir), (err: Error) => {
        assert.match(err.message, /cannot hash .*src\/main\.js: .*permission denied/i)
        return true
      }),
    )
  } finally {
    chmodSync(file, 0o644)
    chmodSync(root, 0o700)
  }
  assert.match(await treeContentHash(dir), /^content:/)
})

test('a large file is streamed: memory does not grow with its size', async () => {
  const dir = fresh()
  const size = 1024 * 1024 * 1024
  writeFileSync(join(dir, 'big'), '')
  truncateSync(join(dir, 'big'), size) // sparse: 1 GiB of zeros, no disk used
  const zeros = Buffer.alloc(1024 * 1024)
  const expected = createHash('sha256')
  for (let i = 0; i < size / zeros.length; i++) expected.update(zeros)
  global.gc?.()
  const baseline = process.memoryUsage().rss
  let peak = baseline
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 20)
  const got = await treeContentHash(dir).finally(() => clearInterval(sampler))
  const want = createHash('sha256')
    .update(`${TREE_HASH_FORMAT}\0`)
    .update('F')
    .update(Buffer.of(0, 0, 0, 3))
    .update('big')
    .update(Buffer.of(0))
    .update(expected.digest())
    .digest('hex')
  assert.equal(got, `content:${want}`)
  const grownMiB = (peak - baseline) / 1024 / 1024
  assert.ok(grownMiB < 128, `RSS grew by ${grownMiB.toFixed(0)} MiB hashing a 1 GiB file`)
})

test('50,000 files hash in reasonable time', async () => {
  const dir = fresh()
  for (let d = 0; d < 500; d++) {
    const sub = join(dir, `pkg${d}`, 'src')
    mkdirSync(sub, { recursive: true })
    for (let f = 0; f < 100; f++)
      writeFileSync(join(sub, `f${f}.js`), `export const v = ${d * 100 + f}\n`)
  }
  const start = performance.now()
  const first = await treeContentHash(dir)
  const ms = performance.now() - start
  // Scheduling slack for a shared 2-core machine; measured around 1.5 s there.
  assert.ok(ms < 30_000, `hashing 50,000 files took ${ms.toFixed(0)} ms`)
  writeFileSync(join(dir, 'pkg250/src/f50.js'), 'export const v = 0\n')
  assert.notEqual(await treeContentHash(dir), first)
})

test('an abort signal stops the hash with its reason', async () => {
  const dir = sample()
  const controller = new AbortController()
  controller.abort(new Error('stop now'))
  await assert.rejects(treeContentHash(dir, { abort: controller.signal }), /stop now/)

  const big = fresh()
  writeFileSync(join(big, 'big'), '')
  truncateSync(join(big, 'big'), 4 * 1024 * 1024 * 1024)
  const late = new AbortController()
  const started = performance.now()
  setTimeout(() => late.abort(), 100)
  await assert.rejects(treeContentHash(big, { abort: late.signal }), { name: 'AbortError' })
  assert.ok(performance.now() - started < 5000, 'the abort must stop the read of a large file')
})

/**
 * Runs fn as an unprivileged user: root reads everything whatever the mode, so as root the
 * effective uid is switched to nobody for the call (glibc applies it to every thread, libuv's
 * pool included), then back.
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
