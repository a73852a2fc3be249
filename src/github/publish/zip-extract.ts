/**
 * Extracts a zip archive that nobody vouches for (a report artifact, which a fork PR's workflow
 * could have built however it liked) into a directory of our own, refusing anything that could
 * write outside that directory or fill the disk.
 *
 * How it stays safe:
 * - Two passes. The first reads only the central directory and refuses the archive before a
 *   single byte is written if any entry is unsafe: a name that is absolute, has a drive letter,
 *   a backslash, a `..`, `.` or empty segment or a control character, or resolves outside the
 *   target; a link or any other non-regular file (the Unix mode in the external attributes); an
 *   encrypted entry or an unknown compression method; a duplicate name, or a name used both as a
 *   file and as a directory; more entries than the cap; a declared size over the entry cap, a
 *   declared total over the total cap, or a declared compression ratio over the ratio cap.
 * - The second pass writes, and counts the real bytes coming out of the decompressor instead of
 *   trusting the header: an entry that produces one byte more than its header declared (or than
 *   the caps allow) is cut off there, and one that produces fewer is refused too, because a header
 *   that lies about sizes is hostile. Since real bytes never exceed declared ones, the declared
 *   ratio bounds the real one and the declared totals bound the real totals.
 * - Files are created with O_EXCL | O_NOFOLLOW and mode 0600, directories with 0700, one level
 *   at a time, in a target directory that must be empty (or absent) when extraction starts: no
 *   link can be waiting inside it, and nothing is ever overwritten. Modes, owners and times stored
 *   in the archive are ignored.
 * - On refusal or any failure, everything extracted so far is removed (and the target directory
 *   too when this call created it), so a caller never reads half an archive.
 *
 * Every refusal is an ArchiveRefusedError whose message is one line naming the entry (quoted, cut
 * and with control characters escaped: the names come from the archive).
 */
import { constants as fsConstants } from 'node:fs'
import { lstat, mkdir, open, readdir, realpath, rm, rmdir } from 'node:fs/promises'
import * as path from 'node:path'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'

import yauzl, { type Entry, type ZipFile } from 'yauzl'

import { QuorumError, excerpt, errorMessage } from '../../engine/errors.ts'
import { isInside } from '../../engine/paths.ts'

/** Limits on what one archive may hold. */
export interface ZipCaps {
  /** Entries in the central directory, directories included. */
  maxEntries: number
  /** Uncompressed bytes of one entry. */
  maxEntryBytes: number
  /** Uncompressed bytes of all entries together. */
  maxTotalBytes: number
  /** Uncompressed / compressed size of one entry (zip bombs reach about 1000 with deflate). */
  maxRatio: number
}

const MiB = 1024 * 1024

export const DEFAULT_ZIP_CAPS: Readonly<ZipCaps> = Object.freeze({
  maxEntries: 1000,
  maxEntryBytes: 16 * MiB,
  maxTotalBytes: 64 * MiB,
  maxRatio: 200,
})

/**
 * Entries up to this size are exempt from the ratio cap: a small file of repeated bytes (an empty
 * JSON array padded with blanks, a log of identical lines) compresses beyond any ratio and can
 * hurt nobody; the entry and total caps still hold for them.
 */
export const RATIO_EXEMPT_BYTES = 1 * MiB

/** Longest entry name accepted, in characters. */
export const MAX_NAME_CHARS = 1024

/** Why an archive was refused: one line, naming the entry when one is to blame. */
export class ArchiveRefusedError extends QuorumError {
  /** The entry's name as decoded from the archive, or null when the archive as a whole is bad. */
  readonly entry: string | null
  /** The reason alone, without the entry name. */
  readonly reason: string

  constructor(entry: string | null, reason: string, options?: { cause?: unknown }) {
    const where = entry === null ? '' : `entry ${quoteName(entry)}: `
    super('environment', `artifact archive refused: ${where}${reason}`, options)
    this.entry = entry
    this.reason = reason
  }
}

/** What extractZip wrote. */
export interface ExtractedZip {
  /** Relative paths (with `/`) of the regular files written, in archive order. */
  files: string[]
}

type EntryKind = 'file' | 'directory'

interface PlannedEntry {
  name: string
  kind: EntryKind
  declaredBytes: number
}

const S_IFMT = 0o170000
const S_IFREG = 0o100000
const S_IFDIR = 0o040000
const S_IFLNK = 0o120000

/**
 * Extracts `zipFile` into `targetDir` (created 0700 when absent; it must be an empty, real
 * directory otherwise) under `caps` (defaults: DEFAULT_ZIP_CAPS). Resolves with the files
 * written; rejects with an ArchiveRefusedError when the archive is unsafe or unreadable, after
 * removing whatever it had extracted.
 */
export async function extractZip(
  zipFile: string,
  targetDir: string,
  caps: Partial<ZipCaps> = {},
): Promise<ExtractedZip> {
  const limits: ZipCaps = { ...DEFAULT_ZIP_CAPS, ...caps }
  const plan = await planExtraction(zipFile, limits)
  const target = await prepareTarget(targetDir)
  const created: string[] = []
  try {
    await writeEntries(zipFile, plan, target.root, limits, created)
  } catch (error) {
    await removeCreated(created, target)
    if (error instanceof ArchiveRefusedError) throw error
    throw new ArchiveRefusedError(null, `could not be extracted: ${describe(error)}`, {
      cause: error,
    })
  }
  return { files: plan.filter((e) => e.kind === 'file').map((e) => e.name) }
}

/**
 * Why `name` (as decoded from the archive, directories ending in `/`) is unsafe to extract, or
 * null when it is a plain relative path. Containment in the target is checked again, on the
 * resolved path, when writing.
 */
export function unsafeNameReason(name: string): string | null {
  if (name === '' || name === '/') return 'has an empty name'
  if ([...name].length > MAX_NAME_CHARS) {
    return `has a name longer than ${MAX_NAME_CHARS} characters`
  }
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'has a control character in its name'
  if (name.includes('\\')) return 'has a backslash in its name'
  if (name.startsWith('/')) return 'has an absolute name'
  if (/^[A-Za-z]:/.test(name)) return 'has a drive letter'
  const segments = (name.endsWith('/') ? name.slice(0, -1) : name).split('/')
  if (segments.includes('..')) return 'has a ".." segment'
  if (segments.some((s) => s === '' || s === '.')) return 'has an empty or "." segment'
  return null
}

/** First pass: the central directory only. Refuses before anything is written. */
async function planExtraction(zipFile: string, caps: ZipCaps): Promise<PlannedEntry[]> {
  const zip = await openZip(zipFile)
  try {
    if (zip.entryCount > caps.maxEntries) {
      throw new ArchiveRefusedError(
        null,
        `has ${zip.entryCount} entries, more than the ${caps.maxEntries} allowed`,
      )
    }
    const plan: PlannedEntry[] = []
    // Names without the trailing slash: what the entries themselves name, what regular files
    // name, and every directory made explicitly or implied by a path inside it.
    const named = new Set<string>()
    const files = new Set<string>()
    const directories = new Set<string>()
    let declaredTotal = 0
    for await (const entry of zip.eachEntry()) {
      // Counted again here: entryCount comes from the end record, the entries from the directory.
      if (plan.length >= caps.maxEntries) {
        throw new ArchiveRefusedError(null, `has more than the ${caps.maxEntries} entries allowed`)
      }
      const planned = checkEntry(entry, caps)
      const key = planned.kind === 'directory' ? planned.name.slice(0, -1) : planned.name
      if (named.has(key)) throw new ArchiveRefusedError(planned.name, 'is a duplicate name')
      if ((planned.kind === 'file' ? directories : files).has(key)) {
        throw new ArchiveRefusedError(planned.name, 'is both a file and a directory')
      }
      const parts = key.split('/')
      for (let i = 1; i < parts.length; i++) {
        const parent = parts.slice(0, i).join('/')
        if (files.has(parent)) {
          throw new ArchiveRefusedError(
            planned.name,
            `is inside ${quoteName(parent)}, which is a file`,
          )
        }
        directories.add(parent)
      }
      named.add(key)
      if (planned.kind === 'file') files.add(key)
      else directories.add(key)
      declaredTotal += planned.declaredBytes
      if (declaredTotal > caps.maxTotalBytes) {
        throw new ArchiveRefusedError(
          planned.name,
          `brings the declared total to ${declaredTotal} bytes, more than the ${caps.maxTotalBytes} allowed`,
        )
      }
      plan.push(planned)
    }
    return plan
  } catch (error) {
    throw asRefusal(error)
  } finally {
    zip.close()
  }
}

/** The per-entry checks of the first pass. */
function checkEntry(entry: Entry, caps: ZipCaps): PlannedEntry {
  // decodeStrings is off so that every name check is this module's (yauzl's own would replace
  // backslashes and refuse with its own words); decoding follows the zip spec as yauzl does.
  const name = yauzl.getFileNameLowLevel(
    entry.generalPurposeBitFlag,
    entry.fileNameRaw,
    entry.extraFields,
    true,
  )
  const unsafe = unsafeNameReason(name)
  if (unsafe !== null) throw new ArchiveRefusedError(name, unsafe)

  const kind: EntryKind = name.endsWith('/') ? 'directory' : 'file'
  const mode = entry.externalFileAttributes >>> 16
  const type = mode & S_IFMT
  // Archivers that are not Unix leave the upper half zero: the name alone says what it is then.
  if (type === S_IFLNK) throw new ArchiveRefusedError(name, 'is a symbolic link')
  if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) {
    throw new ArchiveRefusedError(name, `is a special file (mode ${type.toString(8)})`)
  }
  if ((type === S_IFDIR && kind === 'file') || (type === S_IFREG && kind === 'directory')) {
    throw new ArchiveRefusedError(name, 'has a file type that does not match its name')
  }
  if (entry.isEncrypted()) throw new ArchiveRefusedError(name, 'is encrypted')
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    throw new ArchiveRefusedError(
      name,
      `uses compression method ${entry.compressionMethod} (only stored and deflate are read)`,
    )
  }

  const declared = entry.uncompressedSize
  if (kind === 'directory' && (declared !== 0 || entry.compressedSize !== 0)) {
    throw new ArchiveRefusedError(name, 'is a directory with content')
  }
  if (declared > caps.maxEntryBytes) {
    throw new ArchiveRefusedError(
      name,
      `declares ${declared} bytes, more than the ${caps.maxEntryBytes} allowed for one entry`,
    )
  }
  if (declared > RATIO_EXEMPT_BYTES) {
    const ratio = declared / Math.max(1, entry.compressedSize)
    if (ratio > caps.maxRatio) {
      throw new ArchiveRefusedError(
        name,
        `has a compression ratio of ${Math.round(ratio)}, more than the ${caps.maxRatio} allowed (a zip bomb?)`,
      )
    }
  }
  return { name, kind, declaredBytes: declared }
}

/** Second pass: writes the planned entries, counting the real bytes. */
async function writeEntries(
  zipFile: string,
  plan: PlannedEntry[],
  root: string,
  caps: ZipCaps,
  created: string[],
): Promise<void> {
  const zip = await openZip(zipFile)
  const totals = { bytes: 0 }
  try {
    let index = 0
    for await (const entry of zip.eachEntry()) {
      const planned = plan[index++]
      // Same file, same order: anything else means it changed under us.
      if (planned === undefined || planned.declaredBytes !== entry.uncompressedSize) {
        throw new ArchiveRefusedError(null, 'changed while it was being extracted')
      }
      const target = path.resolve(root, planned.name)
      if (!isInside(target, root) || target === root) {
        throw new ArchiveRefusedError(planned.name, 'resolves outside the target directory')
      }
      const parent = planned.kind === 'directory' ? target : path.dirname(target)
      await makeDirectories(root, parent, created)
      if (planned.kind === 'directory') continue

      const handle = await open(
        target,
        fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW,
        0o600,
      )
      created.push(target)
      try {
        const input = await zip.openReadStreamPromise(entry)
        await pipeline(
          input,
          new ByteBudget(planned.name, planned.declaredBytes, totals, caps),
          handle.createWriteStream(),
        )
      } finally {
        await handle.close().catch(() => undefined)
      }
    }
    if (index !== plan.length)
      throw new ArchiveRefusedError(null, 'changed while it was being extracted')
  } finally {
    zip.close()
  }
}

/**
 * Passes bytes through while counting them; fails the stream (which stops the decompressor) at
 * the first byte past what the header declared or the caps allow, and at the end when fewer bytes
 * came than declared.
 */
class ByteBudget extends Transform {
  private seen = 0
  private readonly name: string
  private readonly declared: number
  private readonly totals: { bytes: number }
  private readonly caps: ZipCaps

  constructor(name: string, declared: number, totals: { bytes: number }, caps: ZipCaps) {
    super()
    this.name = name
    this.declared = declared
    this.totals = totals
    this.caps = caps
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length
    this.totals.bytes += chunk.length
    if (this.seen > this.declared) {
      callback(
        new ArchiveRefusedError(
          this.name,
          `holds more bytes than the ${this.declared} its header declares (a lying header)`,
        ),
      )
    } else if (this.seen > this.caps.maxEntryBytes) {
      callback(
        new ArchiveRefusedError(
          this.name,
          `holds more than the ${this.caps.maxEntryBytes} bytes allowed for one entry`,
        ),
      )
    } else if (this.totals.bytes > this.caps.maxTotalBytes) {
      callback(
        new ArchiveRefusedError(
          this.name,
          `brings the total past the ${this.caps.maxTotalBytes} bytes allowed`,
        ),
      )
    } else {
      callback(null, chunk)
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.seen !== this.declared) {
      callback(
        new ArchiveRefusedError(
          this.name,
          `holds ${this.seen} bytes, fewer than the ${this.declared} its header declares (a lying header)`,
        ),
      )
    } else {
      callback()
    }
  }
}

/**
 * Creates the directories from `root` (exclusive) down to `dir`, one level at a time, 0700.
 * One that exists already must be a real directory (never a link): extraction started in an
 * empty target, so it can only be one made here.
 */
async function makeDirectories(root: string, dir: string, created: string[]): Promise<void> {
  const relative = path.relative(root, dir)
  if (relative === '') return
  let current = root
  for (const part of relative.split(path.sep)) {
    current = path.join(current, part)
    try {
      await mkdir(current, { mode: 0o700 })
      created.push(current)
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error
      const stat = await lstat(current)
      if (!stat.isDirectory()) {
        throw new ArchiveRefusedError(
          path.relative(root, current).split(path.sep).join('/'),
          'is not a directory on disk',
        )
      }
    }
  }
}

interface Target {
  root: string
  createdRoot: boolean
}

/** Creates the target (0700) or checks that it is an empty, real directory; returns its realpath. */
async function prepareTarget(targetDir: string): Promise<Target> {
  const absolute = path.resolve(targetDir)
  await mkdir(path.dirname(absolute), { recursive: true, mode: 0o700 })
  let createdRoot = false
  try {
    await mkdir(absolute, { mode: 0o700 })
    createdRoot = true
  } catch (error) {
    if (!isErrno(error, 'EEXIST')) throw error
    const stat = await lstat(absolute)
    if (!stat.isDirectory()) {
      throw new QuorumError(
        'environment',
        `cannot extract into ${absolute}: it exists and is not a directory (or is a link)`,
      )
    }
    if ((await readdir(absolute)).length > 0) {
      throw new QuorumError('environment', `cannot extract into ${absolute}: it is not empty`)
    }
  }
  return { root: await realpath(absolute), createdRoot }
}

async function removeCreated(created: string[], target: Target): Promise<void> {
  // Newest first, so a directory is removed after what was made inside it.
  for (const entry of [...created].reverse()) {
    await rm(entry, { force: true, recursive: true }).catch(() => undefined)
  }
  if (target.createdRoot) await rmdir(target.root).catch(() => undefined)
}

function openZip(zipFile: string): Promise<ZipFile> {
  return yauzl
    .openPromise(zipFile, {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: false,
      // Sizes are checked here, against the real bytes, with messages that name the entry.
      validateEntrySizes: false,
      strictFileNames: true,
    })
    .catch((error: unknown) => {
      throw new ArchiveRefusedError(null, `is not a readable zip archive: ${describe(error)}`, {
        cause: error,
      })
    })
}

function asRefusal(error: unknown): unknown {
  if (error instanceof QuorumError) return error
  return new ArchiveRefusedError(null, `is not a readable zip archive: ${describe(error)}`, {
    cause: error,
  })
}

/** An entry name fit for a one-line message: bounded, secrets masked, control characters escaped. */
function quoteName(name: string): string {
  return JSON.stringify(excerpt(name, 120)).replace(/[\u2028\u2029]/g, (c) =>
    c === '\u2028' ? '\\u2028' : '\\u2029',
  )
}

function describe(error: unknown): string {
  const text = errorMessage(error)
  return excerpt(text.replace(/\s+/g, ' '), 200)
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code
}
