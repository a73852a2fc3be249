// Real archives built with yazl (and, where yazl rightly refuses to write something hostile,
// patched byte by byte afterwards), extracted into real directories.

import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { after, before, describe, test } from 'node:test'

import yazl from 'yazl'

import { QuorumError } from '../../src/engine/errors.ts'
import {
  ArchiveRefusedError,
  DEFAULT_ZIP_CAPS,
  extractZip,
  unsafeNameReason,
  type ZipCaps,
} from '../../src/github/publish/zip-extract.ts'

const MiB = 1024 * 1024

interface Item {
  name: string
  /** Content; a number is that many zero bytes, streamed (so 200 MiB costs no memory). */
  data?: string | Buffer | number
  directory?: boolean
  mode?: number
  compress?: boolean
}

async function buildZip(items: Item[]): Promise<Buffer> {
  const zip = new yazl.ZipFile()
  for (const item of items) {
    if (item.directory === true) {
      zip.addEmptyDirectory(item.name, item.mode === undefined ? {} : { mode: item.mode })
      continue
    }
    const options = {
      ...(item.mode === undefined ? {} : { mode: item.mode }),
      ...(item.compress === undefined ? {} : { compress: item.compress }),
    }
    const data = item.data ?? ''
    if (typeof data === 'number') {
      zip.addReadStreamLazy(item.name, { ...options, size: data }, (cb) => cb(null, zeros(data)))
    } else {
      zip.addBuffer(Buffer.from(data), item.name, options)
    }
  }
  zip.end()
  const chunks: Buffer[] = []
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks)
}

function zeros(total: number): Readable {
  const chunk = Buffer.alloc(Math.min(MiB, total))
  return Readable.from(
    (function* () {
      for (let left = total; left > 0; left -= chunk.length) yield chunk.subarray(0, left)
    })(),
  )
}

/** Renames an entry in both its local header and the central directory (same byte length). */
function rename(zip: Buffer, from: string, to: string): Buffer {
  const a = Buffer.from(from)
  const b = Buffer.from(to)
  assert.equal(a.length, b.length, 'a rename must keep the length')
  const out = Buffer.from(zip)
  let found = 0
  for (let at = out.indexOf(a); at !== -1; at = out.indexOf(a, at + 1)) {
    b.copy(out, at)
    found++
  }
  assert.equal(found, 2, `${from} should appear in the local header and the central directory`)
  return out
}

/** Lets `patch` edit the central directory record of `name` (offsets as in the zip spec). */
function patchCentral(zip: Buffer, name: string, patch: (record: Buffer) => void): Buffer {
  const out = Buffer.from(zip)
  for (let at = out.indexOf(CENTRAL); at !== -1; at = out.indexOf(CENTRAL, at + 1)) {
    const nameLength = out.readUInt16LE(at + 28)
    if (out.subarray(at + 46, at + 46 + nameLength).toString() === name) {
      patch(out.subarray(at, at + 46 + nameLength))
      return out
    }
  }
  throw new Error(`no central directory record for ${name}`)
}
const CENTRAL = Buffer.from([0x50, 0x4b, 0x01, 0x02])

describe('extractZip', () => {
  let scratch: string
  let count = 0
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'quorum-zip-'))
  })
  after(async () => {
    await rm(scratch, { recursive: true, force: true })
  })

  /** A fresh directory holding `zip` and a not-yet-existing target beside it. */
  async function setup(zip: Buffer): Promise<{ dir: string; file: string; target: string }> {
    const dir = join(scratch, `case-${count++}`)
    await mkdir(dir)
    const file = join(dir, 'artifact.zip')
    await writeFile(file, zip)
    return { dir, file, target: join(dir, 'out') }
  }

  /**
   * Extracts and expects a refusal matching `reason`; then checks that nothing was left behind:
   * the target (which did not exist) is gone and its parent holds only the zip.
   */
  async function expectRefused(
    zip: Buffer,
    reason: RegExp,
    caps?: Partial<ZipCaps>,
  ): Promise<ArchiveRefusedError> {
    const { dir, file, target } = await setup(zip)
    let refused: unknown = null
    await extractZip(file, target, caps).catch((error: unknown) => {
      refused = error
    })
    assert.ok(refused instanceof ArchiveRefusedError, `expected a refusal, got ${String(refused)}`)
    assert.match(refused.message, reason)
    assert.match(refused.message, /^artifact archive refused: /)
    assert.doesNotMatch(refused.message, /[\r\n\u2028\u2029]/)
    assert.equal(refused.fate, 'environment')
    assert.deepEqual(await readdir(dir), ['artifact.zip'])
    return refused
  }

  test('a good archive is extracted with 0600 files, 0700 directories and the files listed', async () => {
    const report = JSON.stringify({ verdict: 'allow', checks: [] })
    const zip = await buildZip([
      { name: 'report.json', data: report },
      { name: 'logs/', directory: true },
      { name: 'logs/unit/stdout.txt', data: 'line 1\nline 2\n', mode: 0o100755 },
      { name: 'logs/unit/empty.txt', data: '' },
      { name: 'stored.bin', data: randomBytes(3000), compress: false },
      // Highly compressible but small: exempt from the ratio cap.
      { name: 'padding.txt', data: 512 * 1024 },
    ])
    const { file, target } = await setup(zip)
    const result = await extractZip(file, target)
    assert.deepEqual(result.files, [
      'report.json',
      'logs/unit/stdout.txt',
      'logs/unit/empty.txt',
      'stored.bin',
      'padding.txt',
    ])
    assert.equal(await readFile(join(target, 'report.json'), 'utf8'), report)
    assert.equal(await readFile(join(target, 'logs/unit/stdout.txt'), 'utf8'), 'line 1\nline 2\n')
    assert.equal((await stat(join(target, 'logs/unit/empty.txt'))).size, 0)
    assert.equal((await stat(join(target, 'stored.bin'))).size, 3000)
    assert.equal((await stat(join(target, 'padding.txt'))).size, 512 * 1024)
    // The archive's 0755 is ignored: nothing extracted is executable.
    assert.equal((await stat(join(target, 'logs/unit/stdout.txt'))).mode & 0o777, 0o600)
    assert.equal((await stat(join(target, 'report.json'))).mode & 0o777, 0o600)
    assert.equal((await stat(target)).mode & 0o777, 0o700)
    assert.equal((await stat(join(target, 'logs'))).mode & 0o777, 0o700)
    assert.equal((await stat(join(target, 'logs/unit'))).mode & 0o777, 0o700)
  })

  test('an existing empty target is used; a non-empty one is refused before reading anything', async () => {
    const zip = await buildZip([{ name: 'a.txt', data: 'a' }])
    const { dir, file, target } = await setup(zip)
    await mkdir(target)
    assert.deepEqual((await extractZip(file, target)).files, ['a.txt'])
    const again = join(dir, 'again')
    await mkdir(again)
    await writeFile(join(again, 'mine.txt'), 'keep me')
    await assert.rejects(extractZip(file, again), (error: unknown) => {
      assert.ok(error instanceof QuorumError && !(error instanceof ArchiveRefusedError))
      assert.match(error.message, /is not empty/)
      return true
    })
    assert.deepEqual(await readdir(again), ['mine.txt'])
  })

  test('names that climb out, are absolute, or use backslashes or drive letters are refused', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['xx/evil.txt', '../evil.txt', /entry "\.\.\/evil\.txt": has a "\.\." segment$/],
      ['a/b/cc/dd/e', 'a/b/../../e', /entry "a\/b\/\.\.\/\.\.\/e": has a "\.\." segment$/],
      ['xevil.txt', '/evil.txt', /entry "\/evil\.txt": has an absolute name$/],
      ['a_evil.txt', 'a\\evil.txt', /entry "a\\\\evil\.txt": has a backslash in its name$/],
      ['Cx/evil.txt', 'C:/evil.txt', /entry "C:\/evil\.txt": has a drive letter$/],
      ['a/x/b.txt', 'a/./b.txt', /has an empty or "\." segment$/],
      ['a/xb.txt', 'a//b.txt', /has an empty or "\." segment$/],
      ['a_b.txt', 'a\nb.txt', /entry "a\\nb\.txt": has a control character in its name$/],
    ]
    for (const [placeholder, hostile, reason] of cases) {
      const good = await buildZip([
        { name: 'report.json', data: '{}' },
        { name: placeholder, data: 'owned' },
      ])
      const refused = await expectRefused(rename(good, placeholder, hostile), reason)
      assert.equal(refused.entry, hostile)
    }
    // And nothing landed next to the cases either.
    assert.ok(!(await readdir(scratch)).some((name) => name.startsWith('evil')))
  })

  test('a symbolic link entry is refused and no link is created', async () => {
    const zip = await buildZip([
      { name: 'report.json', data: '{}' },
      { name: 'link', data: '../../../../etc/passwd', mode: 0o120777 },
    ])
    await expectRefused(zip, /entry "link": is a symbolic link$/)
    // A fifo or a device is no better.
    const fifo = await buildZip([{ name: 'pipe', data: '', mode: 0o010644 }])
    await expectRefused(fifo, /entry "pipe": is a special file \(mode 10000\)$/)
  })

  test('a file whose mode says directory (or the reverse) is refused', async () => {
    const zip = await buildZip([{ name: 'report.json', data: '{}', mode: 0o040755 }])
    await expectRefused(zip, /entry "report\.json": has a file type that does not match its name/)
  })

  test('a size bomb (200 MiB of zeros in a few hundred KiB) is refused from its header, before writing', async () => {
    const zip = await buildZip([{ name: 'bomb.bin', data: 200 * MiB }])
    assert.ok(zip.length < MiB, `the bomb is ${zip.length} bytes`)
    await expectRefused(
      zip,
      /entry "bomb\.bin": declares 209715200 bytes, more than the 16777216 allowed for one entry$/,
    )
  })

  test('an entry under the size cap but compressed more than the ratio cap is refused', async () => {
    const zip = await buildZip([{ name: 'zeros.bin', data: 8 * MiB }])
    await expectRefused(
      zip,
      /entry "zeros\.bin": has a compression ratio of \d+, more than the 200/,
    )
    // The same archive passes with a ratio cap it fits under.
    const { file, target } = await setup(zip)
    const ok = await extractZip(file, target, { maxRatio: 5000 })
    assert.deepEqual(ok.files, ['zeros.bin'])
    assert.equal((await stat(join(target, 'zeros.bin'))).size, 8 * MiB)
  })

  test('a lying header (10 bytes declared, 200 MiB inside) is cut off at byte 11 and cleaned up', async () => {
    const honest = await buildZip([
      { name: 'report.json', data: '{"first":true}' },
      { name: 'lies.bin', data: 200 * MiB },
    ])
    const lying = patchCentral(honest, 'lies.bin', (record) => record.writeUInt32LE(10, 24))
    const started = Date.now()
    await expectRefused(
      lying,
      /entry "lies\.bin": holds more bytes than the 10 its header declares \(a lying header\)$/,
    )
    // Stopped early: decompressing and writing 200 MiB would take far longer on any machine.
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`)
  })

  test('a header that declares more bytes than the entry holds is refused too', async () => {
    const honest = await buildZip([{ name: 'short.txt', data: randomBytes(1000) }])
    const lying = patchCentral(honest, 'short.txt', (record) => record.writeUInt32LE(2000, 24))
    await expectRefused(lying, /entry "short\.txt": holds 1000 bytes, fewer than the 2000/)
    // Stored (uncompressed) entries are read by the compressed size, so the lie shows the same.
    const stored = await buildZip([{ name: 's.bin', data: randomBytes(100), compress: false }])
    const lyingStored = patchCentral(stored, 's.bin', (record) => record.writeUInt32LE(50, 24))
    await expectRefused(lyingStored, /entry "s\.bin": holds more bytes than the 50/)
  })

  test('more entries than the cap are refused before any is written; exactly the cap is fine', async () => {
    const many = await buildZip(
      Array.from({ length: DEFAULT_ZIP_CAPS.maxEntries + 1 }, (_, i) => ({
        name: `f${i}`,
        data: 'x',
      })),
    )
    await expectRefused(many, /: has 1001 entries, more than the 1000 allowed$/)
    const three = await buildZip([
      { name: 'a', data: '1' },
      { name: 'b', data: '2' },
      { name: 'c', data: '3' },
    ])
    await expectRefused(three, /has 3 entries, more than the 2 allowed/, { maxEntries: 2 })
    const { file, target } = await setup(three)
    assert.deepEqual((await extractZip(file, target, { maxEntries: 3 })).files, ['a', 'b', 'c'])
  })

  test('duplicate names, and a name used as both file and directory, are refused', async () => {
    const duplicate = await buildZip([
      { name: 'report.json', data: '{"verdict":"block"}' },
      { name: 'report.json', data: '{"verdict":"allow"}' },
    ])
    await expectRefused(duplicate, /entry "report\.json": is a duplicate name$/)
    const dirTwice = await buildZip([
      { name: 'logs/', directory: true },
      { name: 'logs/', directory: true },
    ])
    await expectRefused(dirTwice, /entry "logs\/": is a duplicate name$/)
    const fileThenInside = await buildZip([
      { name: 'logs', data: 'file' },
      { name: 'logs/a.txt', data: 'a' },
    ])
    await expectRefused(fileThenInside, /entry "logs\/a\.txt": is inside "logs", which is a file$/)
    const insideThenFile = await buildZip([
      { name: 'logs/a.txt', data: 'a' },
      { name: 'logs', data: 'file' },
    ])
    await expectRefused(insideThenFile, /entry "logs": is both a file and a directory$/)
  })

  test('a declared total over the cap is refused, naming the entry that crosses it', async () => {
    const zip = await buildZip([
      { name: 'a.bin', data: randomBytes(600 * 1024) },
      { name: 'b.bin', data: randomBytes(600 * 1024) },
    ])
    await expectRefused(
      zip,
      /entry "b\.bin": brings the declared total to 1228800 bytes, more than the 1048576 allowed$/,
      { maxTotalBytes: MiB },
    )
  })

  test('an encrypted entry is refused', async () => {
    const zip = await buildZip([{ name: 'secret.txt', data: 'hidden' }])
    const encrypted = patchCentral(zip, 'secret.txt', (record) =>
      record.writeUInt16LE(record.readUInt16LE(8) | 1, 8),
    )
    await expectRefused(encrypted, /entry "secret\.txt": is encrypted$/)
  })

  test('what is not a zip archive is refused as a whole', async () => {
    const refused = await expectRefused(randomBytes(4096), /: is not a readable zip archive: /)
    assert.equal(refused.entry, null)
  })

  test('refusing halfway removes the files already written and nothing else', async () => {
    const { dir } = await setup(Buffer.alloc(0))
    const outside = join(dir, 'outside.txt')
    await writeFile(outside, 'untouched')
    const honest = await buildZip([
      { name: 'first/one.txt', data: 'one' },
      { name: 'second.txt', data: 'two' },
      { name: 'third.bin', data: randomBytes(5000) },
    ])
    const lying = patchCentral(honest, 'third.bin', (record) => record.writeUInt32LE(100, 24))
    const zipFile = join(dir, 'partial.zip')
    await writeFile(zipFile, lying)
    const target = join(dir, 'target')
    await mkdir(target)
    await assert.rejects(extractZip(zipFile, target), ArchiveRefusedError)
    // The target existed before: it stays, empty.
    assert.deepEqual(await readdir(target), [])
    assert.equal(await readFile(outside, 'utf8'), 'untouched')
    assert.ok((await lstat(target)).isDirectory())
  })
})

describe('unsafeNameReason', () => {
  test('plain relative names pass; every unsafe form has its reason', () => {
    for (const name of ['report.json', 'a/b/c.txt', 'logs/', '.hidden', 'a..b', '..a', 'x/...']) {
      assert.equal(unsafeNameReason(name), null, name)
    }
    const unsafe: Array<[string, RegExp]> = [
      ['', /empty name/],
      ['/', /empty name/],
      ['..', /"\.\." segment/],
      ['../', /"\.\." segment/],
      ['a/..', /"\.\." segment/],
      ['/etc/passwd', /absolute/],
      ['c:x', /drive letter/],
      ['Z:/x', /drive letter/],
      ['a\\..\\b', /backslash/],
      ['a\u0000b', /control character/],
      ['a\u007fb', /control character/],
      ['./a', /empty or "\." segment/],
      ['a//b', /empty or "\." segment/],
      ['a/b//', /empty or "\." segment/],
      ['x'.repeat(1025), /longer than 1024/],
    ]
    for (const [name, reason] of unsafe) {
      assert.match(unsafeNameReason(name) ?? 'null', reason, JSON.stringify(name))
    }
  })
})
