/**
 * The CLI's local cache of run results (DESIGN "Results are reusable"): one JSON file per result
 * key in one directory, `<key>.json`, holding an envelope
 * `{ format: 'quorum-result/1', key, stored_at, payload }`.
 *
 * A cache can only ever cost a re-run, never a wrong or failed gate: every problem (a corrupt,
 * foreign, oversize or planted entry, a full disk, a read-only directory) is a warning line in
 * `warnings` and a miss, never a throw. Only a malformed key throws: that is a bug in the caller,
 * and a key becomes a file name. Entries are written atomically (a new temp file in the same
 * directory, then rename), so a reader sees a whole entry or none.
 *
 * What is worth storing, and what a payload means, is the caller's business (DESIGN "Only
 * consistent results are reused").
 */
import { randomBytes } from 'node:crypto'
import { constants as fsConstants } from 'node:fs'
import { lstat, mkdir, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'

import { oneLine } from '../engine/paths.ts'
import { describeFsError } from '../run/log-writer.ts'
import { errorMessage } from '../engine/errors.ts'

export const RESULT_CACHE_FORMAT = 'quorum-result/1'
/** An entry file larger than this is not read (a results payload is a few KiB). */
export const RESULT_CACHE_MAX_ENTRY_BYTES = 4 * 1024 * 1024
/** prune() keeps this many entries by default. */
export const RESULT_CACHE_DEFAULT_MAX_ENTRIES = 5000

const KEY_PATTERN = /^[0-9a-f]{64}$/
const ENTRY_NAME = /^([0-9a-f]{64})\.json$/
/** Temp files are `.<key>.<random>.tmp`: never an entry name, and unique per write. */
const TEMP_NAME = /^\.[0-9a-f]{64}\.[0-9a-f]{16}\.tmp$/
/** A temp file older than this was left by a write that died; prune() removes it. */
const STALE_TEMP_MS = 60 * 60 * 1000

/** Never follow a link at the entry's path; never block on a FIFO or device planted there. */
const READ_FLAGS = fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK
/** A temp file is ours alone: created new, never through a link. */
const WRITE_FLAGS =
  fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW

export interface CachedResult {
  payload: unknown
  /** ISO 8601 time the entry was stored. */
  stored_at: string
}

export interface ResultCache {
  /** The cache directory, as given. */
  readonly dir: string
  /** What went wrong so far, one line each, for the run's report; never thrown. */
  readonly warnings: string[]
  /** The entry stored under `key`, or null (a miss, or an unusable entry: see `warnings`). */
  get(key: string): Promise<CachedResult | null>
  /** Stores `payload` (JSON data) under `key`, replacing any entry. Never throws for I/O. */
  put(key: string, payload: unknown): Promise<void>
  /** The keys with an entry file, sorted; [] when the directory is missing or unusable. */
  listKeys(): Promise<string[]>
  /**
   * Keeps the `maxEntries` most recently stored or read entries (default
   * RESULT_CACHE_DEFAULT_MAX_ENTRIES) and removes the others and stale temp files. Returns how
   * many entries it removed.
   */
  prune(maxEntries?: number): Promise<number>
}

export interface LocalStoreOptions {
  /** Entry size cap in bytes, for reading and writing (default RESULT_CACHE_MAX_ENTRY_BYTES). */
  maxEntryBytes?: number
  /** The clock, for stored_at. */
  now?: () => Date
}

/** A key as the cache accepts it: 64 lowercase hex characters (engine/result-key.ts resultKey). */
export function isResultKey(key: unknown): key is string {
  return typeof key === 'string' && KEY_PATTERN.test(key)
}

/**
 * Opens (lazily: nothing is touched until the first call) the cache in `dir`. The directory is
 * created with mode 0700 on the first put; files are 0600.
 *
 * The directory is refused (a warning, then every get misses and every put is skipped) when it
 * is a symbolic link, not a directory, not owned by this user, or writable by group or others:
 * anyone who can write there can plant results that make a check pass without running.
 */
export function openResultCache(dir: string, options: LocalStoreOptions = {}): ResultCache {
  return new DirectoryResultCache(dir, options)
}

/** ok: usable; missing: not created yet (gets miss quietly); refused: unusable, warned once. */
type DirState = 'ok' | 'missing' | 'refused'

class DirectoryResultCache implements ResultCache {
  readonly dir: string
  readonly warnings: string[] = []
  private readonly maxEntryBytes: number
  private readonly now: () => Date
  /** What the directory is: unknown (null) until first used. */
  private state: Promise<DirState> | null = null
  /** The one attempt to create a missing directory, shared by concurrent puts. */
  private creating: Promise<boolean> | null = null

  constructor(dir: string, options: LocalStoreOptions) {
    this.dir = dir
    this.maxEntryBytes = options.maxEntryBytes ?? RESULT_CACHE_MAX_ENTRY_BYTES
    this.now = options.now ?? (() => new Date())
  }

  async get(key: string): Promise<CachedResult | null> {
    const file = this.fileFor(key)
    if (!(await this.check(false))) return null
    let handle: FileHandle
    try {
      handle = await open(file, READ_FLAGS)
    } catch (err) {
      if (codeOf(err) !== 'ENOENT') this.warn(`cache entry ${file} not used: ${entryError(err)}`)
      return null
    }
    try {
      const st = await handle.stat()
      if (!st.isFile()) {
        this.warn(`cache entry ${file} not used: it is not a regular file`)
        return null
      }
      if (st.size > this.maxEntryBytes) {
        this.warn(
          `cache entry ${file} not used: it is ${st.size} bytes, over the limit of ${this.maxEntryBytes}`,
        )
        return null
      }
      // Read up to one byte past the cap: the file may have grown since fstat.
      const buffer = Buffer.alloc(Math.min(st.size, this.maxEntryBytes) + 1)
      let length = 0
      while (length < buffer.length) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null)
        if (bytesRead === 0) break
        length += bytesRead
      }
      if (length > this.maxEntryBytes) {
        this.warn(
          `cache entry ${file} not used: it is over the limit of ${this.maxEntryBytes} bytes`,
        )
        return null
      }
      const problem = parseEntry(buffer.subarray(0, length), key)
      if (typeof problem === 'string') {
        this.warn(`cache entry ${file} not used: ${problem}`)
        return null
      }
      // A read counts as a use: prune() keeps recently used entries. Best effort.
      const now = this.now()
      await handle.utimes(now, now).catch(() => {})
      return problem
    } catch (err) {
      this.warn(`cache entry ${file} not used: ${entryError(err)}`)
      return null
    } finally {
      await handle.close().catch(() => {})
    }
  }

  async put(key: string, payload: unknown): Promise<void> {
    const file = this.fileFor(key)
    let text: string
    try {
      const envelope = {
        format: RESULT_CACHE_FORMAT,
        key,
        stored_at: this.now().toISOString(),
        payload,
      }
      text = JSON.stringify(envelope)
      if (typeof JSON.parse(text)?.payload === 'undefined') throw new Error('it has no JSON form')
    } catch (err) {
      this.warn(`result for ${key} not cached: its payload is not JSON data (${errorText(err)})`)
      return
    }
    const bytes = Buffer.from(text, 'utf8')
    if (bytes.length > this.maxEntryBytes) {
      this.warn(
        `result for ${key} not cached: its entry would be ${bytes.length} bytes, over the limit of ${this.maxEntryBytes}`,
      )
      return
    }
    if (!(await this.check(true))) return
    const temp = join(this.dir, `.${key}.${randomBytes(8).toString('hex')}.tmp`)
    let handle: FileHandle | null = null
    try {
      handle = await open(temp, WRITE_FLAGS, 0o600)
      let written = 0
      while (written < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, null)
        if (bytesWritten === 0) throw new Error('a write made no progress')
        written += bytesWritten
      }
      await handle.close()
      handle = null
      await rename(temp, file)
    } catch (err) {
      this.warn(`result for ${key} not cached: cannot write ${file}: ${describeFsError(err)}`)
      if (handle !== null) await handle.close().catch(() => {})
      await unlink(temp).catch(() => {})
    }
  }

  async listKeys(): Promise<string[]> {
    if (!(await this.check(false))) return []
    const names = await this.names()
    return names.flatMap((name) => ENTRY_NAME.exec(name)?.[1] ?? []).sort()
  }

  async prune(maxEntries = RESULT_CACHE_DEFAULT_MAX_ENTRIES): Promise<number> {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 0) {
      throw new TypeError(`prune: maxEntries must be a non-negative integer, got ${maxEntries}`)
    }
    if (!(await this.check(false))) return 0
    const entries: Array<{ name: string; mtimeMs: number }> = []
    const nowMs = this.now().getTime()
    for (const name of await this.names()) {
      const path = join(this.dir, name)
      const st = await lstat(path).catch(() => null)
      if (st === null) continue
      if (TEMP_NAME.test(name)) {
        if (st.isFile() && nowMs - st.mtimeMs > STALE_TEMP_MS) await unlink(path).catch(() => {})
      } else if (ENTRY_NAME.test(name)) {
        entries.push({ name, mtimeMs: st.mtimeMs })
      }
    }
    if (entries.length <= maxEntries) return 0
    // Newest first; names break ties so that the order is the same on every run.
    entries.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.name < b.name ? -1 : 1))
    let removed = 0
    for (const { name } of entries.slice(maxEntries)) {
      try {
        await unlink(join(this.dir, name))
        removed++
      } catch (err) {
        if (codeOf(err) !== 'ENOENT') {
          this.warn(`cache entry ${join(this.dir, name)} not pruned: ${describeFsError(err)}`)
        }
      }
    }
    return removed
  }

  /** The entry's path; throws for a key that is not 64 lowercase hex (a caller's bug). */
  private fileFor(key: string): string {
    if (!isResultKey(key)) {
      throw new TypeError(
        `result cache: key ${JSON.stringify(key)} is not 64 lowercase hex characters`,
      )
    }
    return join(this.dir, `${key}.json`)
  }

  private async names(): Promise<string[]> {
    try {
      return await readdir(this.dir)
    } catch (err) {
      if (codeOf(err) !== 'ENOENT') {
        this.warn(`result cache ${this.dir} not listed: ${describeFsError(err)}`)
      }
      return []
    }
  }

  /**
   * Whether the directory may be used. get/listKeys/prune never create it (a missing directory
   * is a quiet miss); the first put that finds it missing creates it, and later puts share that
   * outcome. Decided once per cache: a refused directory is refused with one warning.
   */
  private check(create: boolean): Promise<boolean> {
    this.state ??= this.inspect()
    return this.state.then((state) => {
      if (state === 'ok') return true
      if (state === 'refused' || !create) return false
      this.creating ??= this.create()
      return this.creating
    })
  }

  private async create(): Promise<boolean> {
    let state: DirState
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 })
      state = await this.inspect()
    } catch (err) {
      this.warn(`result cache ${this.dir} not used: cannot create it: ${describeFsError(err)}`)
      state = 'refused'
    }
    if (state === 'missing') {
      this.warn(`result cache ${this.dir} not used: it vanished right after it was created`)
      state = 'refused'
    }
    this.state = Promise.resolve(state)
    return state === 'ok'
  }

  /** Checks the directory itself (not what is in it). */
  private async inspect(): Promise<DirState> {
    let st
    try {
      st = await lstat(this.dir)
    } catch (err) {
      if (codeOf(err) === 'ENOENT') return 'missing'
      this.warn(`result cache ${this.dir} not used: ${describeFsError(err)}`)
      return 'refused'
    }
    const refuse = (why: string): DirState => {
      this.warn(`result cache ${this.dir} not used: ${why}`)
      return 'refused'
    }
    if (st.isSymbolicLink()) return refuse('it is a symbolic link')
    if (!st.isDirectory()) return refuse('it is not a directory')
    // The effective uid: the one that owns what this process creates.
    const uid = process.geteuid?.()
    if (uid !== undefined && st.uid !== uid) {
      return refuse(`it is owned by uid ${st.uid}, not by this user (uid ${uid})`)
    }
    if ((st.mode & 0o022) !== 0) {
      const who = (st.mode & 0o002) !== 0 ? 'everyone' : 'its group'
      return refuse(
        `it is writable by ${who} (mode ${(st.mode & 0o777).toString(8)}); make it 0700`,
      )
    }
    return 'ok'
  }

  private warn(line: string): void {
    this.warnings.push(oneLine(line, 500))
  }
}

/** The entry in `bytes`, or what is wrong with it. */
function parseEntry(bytes: Buffer, key: string): CachedResult | string {
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch (err) {
    return `it is not valid JSON (${errorText(err)})`
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'it is not a JSON object'
  }
  const entry = value as Record<string, unknown>
  if (entry.format !== RESULT_CACHE_FORMAT) {
    return `its format is ${JSON.stringify(entry.format)}, not ${JSON.stringify(RESULT_CACHE_FORMAT)}`
  }
  if (entry.key !== key) {
    return `it holds the entry for key ${JSON.stringify(entry.key)}, not for its file name (a foreign entry)`
  }
  if (typeof entry.stored_at !== 'string' || Number.isNaN(Date.parse(entry.stored_at))) {
    return 'its stored_at is not a date'
  }
  if (!('payload' in entry)) return 'it has no payload'
  return { payload: entry.payload, stored_at: entry.stored_at }
}

function codeOf(err: unknown): unknown {
  return (err as { code?: unknown } | null)?.code
}

function entryError(err: unknown): string {
  const code = codeOf(err)
  if (code === 'ELOOP') return 'it is a symbolic link'
  if (code === 'EISDIR') return 'it is a directory'
  return describeFsError(err)
}

function errorText(err: unknown): string {
  return oneLine(errorMessage(err), 200)
}
