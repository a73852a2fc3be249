/**
 * The action's side of reusable results (DESIGN "Results are reusable"): one GitHub Actions
 * cache entry per tree and config holds the directory of result files (run/result-cache.ts) for
 * that tree. The gate restores it before the runs and saves it after them.
 *
 * A cache can only cost a re-run, never change an outcome or fail the job (DESIGN "A failure to
 * talk to GitHub is a loud warning, never a silent change of verdict"): both calls resolve, never
 * reject, and say what happened as data: `hit`, a `warning` line for a problem the reader should
 * see (an outage, a timeout), an `info` line for the normal cases (a miss, an entry another job
 * already saved).
 *
 * @actions/cache reports its own failures only by logging them through @actions/core (its
 * restoreCache resolves `undefined` for a miss and for an outage alike). So while one of its calls
 * runs, the lines it writes to stdout are watched, attributed to that call with an
 * AsyncLocalStorage (output from the rest of the gate is never touched): its `::warning::` and
 * `::error::` commands are held back and become this module's one warning line (a cache outage is
 * not an error annotation on the job), everything else passes through unchanged.
 *
 * Trust: a restored entry is only as trustworthy as the cache scope it came from. Anything that
 * holds this job's ACTIONS_RUNTIME_TOKEN in the same scope can write an entry under any key (the
 * checks never do: their environment is built from an allowlist), and @actions/cache extracts
 * archives with tar -P, so an archive's paths are not confined to `dir`.
 */
import * as cache from '@actions/cache'
import { AsyncLocalStorage } from 'node:async_hooks'
import { readdir } from 'node:fs/promises'

import { oneLine } from '../../engine/paths.ts'

/** @actions/cache's restoreCache, or a stand-in with its contract (tests). */
export type RestoreCacheFn = (
  paths: string[],
  primaryKey: string,
  restoreKeys?: string[],
  options?: cache.DownloadOptions,
  enableCrossOsArchive?: boolean,
) => Promise<string | undefined>

/** @actions/cache's saveCache, or a stand-in with its contract (-1 when nothing was saved). */
export type SaveCacheFn = (
  paths: string[],
  key: string,
  options?: cache.UploadOptions,
  enableCrossOsArchive?: boolean,
) => Promise<number>

export interface TreeResultsOutcome {
  /**
   * restore: the entry for exactly this key was restored into `dir`.
   * save: the cache holds an entry for this key now (saved by this call, or already there).
   */
  hit: boolean
  /** A problem to show prominently, one line; null when all went as it should. */
  warning: string | null
  /** What happened in the normal case (a miss, saved, already saved), one line; or null. */
  info: string | null
}

/** How long a restore may take before the gate goes on without it. */
export const RESTORE_TIMEOUT_MS = 60_000
/** How long a save may take (it packs and uploads a few KiB; the service may be slow). */
export const SAVE_TIMEOUT_MS = 120_000
/** The cache key's first part; bump the version when the directory's layout changes. */
export const RESULTS_CACHE_KEY_PREFIX = 'quorum-results-v1'

export interface TreeResultsCacheKeyParts {
  /** engine/result-key.ts describePlatform(...): `linux-x64-node24`. */
  platform: string
  /** A hex digest of everything in the config that shapes results (8 to 64 hex characters). */
  configHash: string
  /** The tree's identity: `git-tree:<hex>` or `content:<hex>`. */
  treeId: string
}

/**
 * `quorum-results-v1-<platform>-<configHash>-<treeId>`, with the tree id's `:` written as `-`.
 * Throws a TypeError for a part outside its expected form, so that a key never holds a comma
 * (which @actions/cache refuses) or exceeds its 512 characters.
 */
export function treeResultsCacheKey(parts: TreeResultsCacheKeyParts): string {
  if (!/^[a-z0-9_.]+(-[a-z0-9_.]+)*$/.test(parts.platform)) {
    throw new TypeError(
      `results cache key: platform ${JSON.stringify(parts.platform)} is not like linux-x64-node24`,
    )
  }
  if (!/^[0-9a-f]{8,64}$/.test(parts.configHash)) {
    throw new TypeError(`results cache key: configHash must be 8 to 64 lowercase hex characters`)
  }
  const tree = /^(git-tree|content):([0-9a-f]{40}|[0-9a-f]{64})$/.exec(parts.treeId)
  if (tree === null) {
    throw new TypeError(
      `results cache key: treeId ${JSON.stringify(parts.treeId)} is not git-tree:<sha> or content:<sha256>`,
    )
  }
  return `${RESULTS_CACHE_KEY_PREFIX}-${parts.platform}-${parts.configHash}-${tree[1]}-${tree[2]}`
}

export interface RestoreTreeResultsOptions {
  /**
   * The directory the entry holds. @actions/cache records paths relative to GITHUB_WORKSPACE and
   * versions entries by the path strings given, so pass the same string to save and restore
   * (an absolute path such as `${RUNNER_TEMP}/quorum-results` is the safe choice).
   */
  dir: string
  /** treeResultsCacheKey(...). */
  key: string
  /** Default RESTORE_TIMEOUT_MS. */
  timeoutMs?: number
  /** Default @actions/cache's restoreCache (tests hand in a stand-in). */
  restoreCache?: RestoreCacheFn
  /** Default @actions/cache's isFeatureAvailable (reads the runner's environment). */
  isFeatureAvailable?: () => boolean
}

/**
 * Restores the entry saved under exactly `key` into `dir`. Never rejects.
 *
 * The cache service also matches a key by prefix; an entry under another key is not a hit (its
 * files may have been extracted into `dir` all the same: they are harmless, since every result
 * file is named by its own content key and checked against it when read).
 *
 * After a timeout, the restore keeps going in the background (@actions/cache cannot be
 * cancelled) and may still write into `dir` later; a file caught half-written then is corrupt
 * JSON, which the result cache refuses.
 */
export async function restoreTreeResults(
  options: RestoreTreeResultsOptions,
): Promise<TreeResultsOutcome> {
  const { dir, key } = options
  const timeoutMs = options.timeoutMs ?? RESTORE_TIMEOUT_MS
  const restore = options.restoreCache ?? cache.restoreCache
  const recomputed = 'the results were computed again'
  const unavailable = featureUnavailable(options.isFeatureAvailable)
  if (unavailable !== null) return outcome(false, `${unavailable}; ${recomputed}`)

  const run = await watchLibrary(() => restore([dir], key, []), timeoutMs)
  if (run.status === 'timeout') {
    return outcome(
      false,
      `results cache not restored: the cache service did not answer within ${seconds(timeoutMs)}; ${recomputed}`,
    )
  }
  if (run.status === 'threw') {
    return outcome(false, `results cache not restored: ${errorText(run.error)}; ${recomputed}`)
  }
  const matched = run.value
  if (matched === key) return outcome(true, null, `results restored from the cache (${key})`)
  if (typeof matched === 'string') {
    return outcome(
      false,
      `results cache: the cache service returned the entry ${matched} for ${key}; it was not used and ${recomputed}`,
    )
  }
  const skipped = run.log.find((line) => line.text.startsWith('Cache restore skipped'))
  if (skipped !== undefined) return outcome(false, null, firstLine(skipped.text))
  const problem = libraryProblem(run.log)
  if (problem !== null) {
    return outcome(false, `results cache not restored: ${problem}; ${recomputed}`)
  }
  return outcome(false, null, `no cached results for ${key}`)
}

export interface SaveTreeResultsOptions {
  /** The directory of result files; the same string as given to restoreTreeResults. */
  dir: string
  /** treeResultsCacheKey(...). */
  key: string
  /** Default SAVE_TIMEOUT_MS. */
  timeoutMs?: number
  /** Default @actions/cache's saveCache (tests hand in a stand-in). */
  saveCache?: SaveCacheFn
  /** Default @actions/cache's isFeatureAvailable (reads the runner's environment). */
  isFeatureAvailable?: () => boolean
}

/**
 * Saves `dir` under `key`. Never rejects. Cache entries are immutable: when one exists for the
 * key already (a re-run, or a parallel job), that is an info, not a problem. An empty or missing
 * `dir` is not saved (nothing to reuse).
 */
export async function saveTreeResults(
  options: SaveTreeResultsOptions,
): Promise<TreeResultsOutcome> {
  const { dir, key } = options
  const timeoutMs = options.timeoutMs ?? SAVE_TIMEOUT_MS
  const save = options.saveCache ?? cache.saveCache
  const later = 'the next run computes them again'

  const names = await readdir(dir).catch(() => [] as string[])
  if (names.length === 0) return outcome(false, null, `no results to save under ${key}`)
  const unavailable = featureUnavailable(options.isFeatureAvailable)
  if (unavailable !== null) return outcome(false, `results not saved: ${unavailable}; ${later}`)

  const run = await watchLibrary(() => save([dir], key), timeoutMs)
  if (run.status === 'timeout') {
    return outcome(
      false,
      `results not saved: the cache service did not answer within ${seconds(timeoutMs)}; ${later}`,
    )
  }
  if (run.status === 'threw') {
    return outcome(false, `results not saved: ${errorText(run.error)}; ${later}`)
  }
  if (run.value !== -1) return outcome(true, null, `results saved to the cache (${key})`)

  // What the library said about the failure (not, say, tar's command line, which holds paths).
  const failure = run.log
    .filter((line) => /^(Failed to|Unable to|Cache reservation failed)/.test(line.text))
    .map((line) => line.text)
    .join('\n')
  // The cache service answers 409 "cache entry with the same key, version, and scope already
  // exists"; @actions/cache logs that only at debug level and reports a reserve failure.
  if (/already exists|\(409\)/i.test(failure)) {
    return outcome(true, null, `results already in the cache under ${key} (entries are immutable)`)
  }
  if (failure.includes(cache.CACHE_WRITE_DENIED_PREFIX)) {
    return outcome(false, null, `results not saved: this run may only read the cache (${key})`)
  }
  const skipped = run.log.find((line) => line.text.startsWith('Cache save skipped'))
  if (skipped !== undefined) return outcome(false, null, firstLine(skipped.text))
  // A failed reservation is logged as an info that blames "another job"; the real reason (an
  // outage, a refused connection) is only in its debug line.
  const problem =
    libraryProblem(run.log) ??
    run.log.find((line) => line.text.startsWith('Failed to reserve cache:'))?.text ??
    run.log.find((line) => line.text.startsWith('Failed to save'))?.text ??
    'the cache service did not take the entry'
  return outcome(false, `results not saved: ${firstLine(problem)}; ${later}`)
}

function outcome(hit: boolean, warning: string | null, info: string | null = null) {
  return {
    hit,
    warning: warning === null ? null : oneLine(warning, 500),
    info: info === null ? null : oneLine(info, 500),
  }
}

function featureUnavailable(isFeatureAvailable: (() => boolean) | undefined): string | null {
  let available: boolean
  try {
    available = (isFeatureAvailable ?? cache.isFeatureAvailable)()
  } catch (err) {
    return `the GitHub Actions cache service is not available (${errorText(err)})`
  }
  return available
    ? null
    : 'the GitHub Actions cache service is not available to this job (ACTIONS_RESULTS_URL / ACTIONS_CACHE_URL are not set)'
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`
}

function errorText(err: unknown): string {
  return oneLine(err instanceof Error ? `${err.name}: ${err.message}` : String(err), 300)
}

/**
 * The first warning or error the library logged: its first line (the rest is generic advice,
 * e.g. about self-hosted runners' network access after a connection error).
 */
function libraryProblem(log: readonly LibraryLine[]): string | null {
  const line = log.find((l) => l.kind === 'warning' || l.kind === 'error')
  return line === undefined ? null : firstLine(line.text)
}

function firstLine(text: string): string {
  const line = oneLine(text.split(/\r?\n/, 1)[0] ?? '', 300)
  // "Failed to restore: " with an empty error message (the Azure SDK's for a refused HEAD).
  return line.endsWith(':') ? `${line} (no details given)` : line
}

// ---------------------------------------------------------------------------------------------
// Watching what @actions/cache logs

interface LibraryLine {
  /** The workflow command it was written as, or 'plain' for an info line. */
  kind: 'warning' | 'error' | 'debug' | 'notice' | 'plain' | 'other'
  /** The message, with the command's escaping undone. */
  text: string
}

interface Watch {
  log: LibraryLine[]
}

type WatchResult<T> =
  | { status: 'done'; value: T; log: LibraryLine[] }
  | { status: 'threw'; error: unknown; log: LibraryLine[] }
  | { status: 'timeout'; log: LibraryLine[] }

/** Lines kept per call: the library logs a few dozen; a flood must not grow memory. */
const MAX_WATCHED_LINES = 200

const watches = new AsyncLocalStorage<Watch>()
let stdoutHooked = false

/**
 * Runs `fn` with its stdout lines recorded, and at most `timeoutMs`. The hook stays attributed to
 * `fn`'s async context after a timeout: what the abandoned call logs later is filtered the same
 * way, never an error annotation.
 */
async function watchLibrary<T>(fn: () => Promise<T>, timeoutMs: number): Promise<WatchResult<T>> {
  hookStdout()
  const watch: Watch = { log: [] }
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs)
  })
  const call = watches.run(watch, async () => {
    try {
      return { ok: true as const, value: await fn() }
    } catch (error) {
      return { ok: false as const, error }
    }
  })
  try {
    const result = await Promise.race([call, timeout])
    if (result === 'timeout') return { status: 'timeout', log: [...watch.log] }
    if (result.ok) return { status: 'done', value: result.value, log: [...watch.log] }
    return { status: 'threw', error: result.error, log: [...watch.log] }
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Wraps process.stdout.write once. Writes outside a watched call pass through untouched; inside
 * one, a write passes through byte for byte unless it holds a warning or error command, which is
 * then written without those lines.
 */
function hookStdout(): void {
  if (stdoutHooked) return
  stdoutHooked = true
  const original = process.stdout.write
  const hooked = function (chunk: unknown, ...rest: unknown[]): boolean {
    const watch = watches.getStore()
    if (watch === undefined || (typeof chunk !== 'string' && !(chunk instanceof Uint8Array))) {
      return Reflect.apply(original, process.stdout, [chunk, ...rest]) as boolean
    }
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
    const kept = filterLines(watch, text)
    if (kept === null) return Reflect.apply(original, process.stdout, [chunk, ...rest]) as boolean
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined
    if (kept === '') {
      if (callback !== undefined) process.nextTick(callback)
      return true
    }
    return Reflect.apply(original, process.stdout, callback ? [kept, callback] : [kept]) as boolean
  }
  process.stdout.write = hooked as typeof process.stdout.write
}

/**
 * Records the lines in `text`; returns null when all of it may be printed as it is, else what
 * may be printed of it. @actions/core writes every command as one whole line in one write; a
 * chunk's unfinished last line is recorded as plain text (other output, e.g. tar's, comes in
 * arbitrary pieces and is never held back).
 */
function filterLines(watch: Watch, text: string): string | null {
  const lines = text.split('\n')
  let dropped = false
  let kept = ''
  lines.forEach((raw, i) => {
    const last = i === lines.length - 1
    if (last && raw === '') return
    const parsed = parseLine(raw.endsWith('\r') ? raw.slice(0, -1) : raw)
    if (watch.log.length < MAX_WATCHED_LINES) watch.log.push(parsed)
    if (parsed.kind === 'warning' || parsed.kind === 'error') dropped = true
    else kept += last ? raw : `${raw}\n`
  })
  return dropped ? kept : null
}

function parseLine(line: string): LibraryLine {
  const command = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(line)
  if (command === null) return { kind: 'plain', text: line }
  const name = command[1]!
  const kind =
    name === 'warning' || name === 'error' || name === 'debug' || name === 'notice' ? name : 'other'
  const text = command[2]!.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
  return { kind, text: text.slice(0, 2000) }
}
