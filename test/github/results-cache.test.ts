// The action's results cache: restore and save never reject and never change an outcome; a cache
// outage, a refused connection or a stuck service is one warning line that says the results were
// computed again, and @actions/cache's own warning/error commands do not reach the job log.
//
// Two halves: the module's decisions with injected restoreCache/saveCache stand-ins, then the
// real @actions/cache (Twirp, tar, zstd, the Azure SDK) against test/support/fake-cache-service.ts.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, afterEach, before, describe, test } from 'node:test'

import * as core from '@actions/core'

import {
  restoreTreeResults,
  saveTreeResults,
  treeResultsCacheKey,
  type RestoreCacheFn,
  type SaveCacheFn,
} from '../../src/github/cache/results-cache.ts'
import { FakeCacheService } from '../support/fake-cache-service.ts'

const root = mkdtempSync(join(tmpdir(), 'quorum-results-cache-'))
after(() => rmSync(root, { recursive: true, force: true }))

// Everything that reaches stdout past the module's filter, as lines. Installed before the module
// hooks stdout (it does so on first use), so this sees exactly what the job log would get. The
// library's debug chatter is kept out of the test output.
const printed: string[] = []
const realWrite = process.stdout.write.bind(process.stdout)
process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
  const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8')
  const lines = text.split('\n').filter((l) => l !== '')
  printed.push(...lines)
  if (
    lines.length > 0 &&
    lines.every((l) => /^::(debug|add-mask)::|^\[command\]|^(Sent|Received) \d+ of/.test(l))
  ) {
    const callback = rest.find((a) => typeof a === 'function') as (() => void) | undefined
    if (callback) process.nextTick(callback)
    return true
  }
  return (realWrite as (...args: unknown[]) => boolean)(chunk, ...rest)
}) as typeof process.stdout.write

/** Lines printed as workflow warning or error commands since `from`. */
function annotations(from: number): string[] {
  return printed.slice(from).filter((l) => /^::(warning|error)\b/.test(l))
}

const KEY = treeResultsCacheKey({
  platform: 'linux-x64-node24',
  configHash: '0123abcd',
  treeId: `git-tree:${'e'.repeat(40)}`,
})

let n = 0
function resultsDir(files: Record<string, string> = { [`${'a'.repeat(64)}.json`]: '{"x":1}' }) {
  const dir = join(root, `results-${n++}`)
  mkdirSync(dir)
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content)
  return dir
}

const available = () => true

describe('with injected cache functions', () => {
  test('the cache key names platform, config and tree, and refuses parts outside their form', () => {
    assert.equal(KEY, `quorum-results-v1-linux-x64-node24-0123abcd-git-tree-${'e'.repeat(40)}`)
    assert.equal(
      treeResultsCacheKey({
        platform: 'darwin-arm64-node24',
        configHash: 'f'.repeat(64),
        treeId: `content:${'1'.repeat(64)}`,
      }),
      `quorum-results-v1-darwin-arm64-node24-${'f'.repeat(64)}-content-${'1'.repeat(64)}`,
    )
    const ok = {
      platform: 'linux-x64-node24',
      configHash: '0123abcd',
      treeId: `git-tree:${'e'.repeat(40)}`,
    }
    for (const bad of [
      { ...ok, platform: 'linux,x64' },
      { ...ok, platform: '' },
      { ...ok, configHash: 'XYZ12345' },
      { ...ok, configHash: 'abc' },
      { ...ok, treeId: 'git-tree:abc' },
      { ...ok, treeId: `tree:${'e'.repeat(40)}` },
      { ...ok, treeId: `git-tree:${'e'.repeat(40)},x` },
    ]) {
      assert.throws(() => treeResultsCacheKey(bad), TypeError, JSON.stringify(bad))
    }
  })

  test('restore: the exact key is a hit; nothing found is a quiet miss', async () => {
    const calls: unknown[][] = []
    const hit: RestoreCacheFn = async (...args) => {
      calls.push(args)
      return KEY
    }
    const dir = join(root, `restore-${n++}`)
    assert.deepEqual(
      await restoreTreeResults({ dir, key: KEY, restoreCache: hit, isFeatureAvailable: available }),
      {
        hit: true,
        warning: null,
        info: `results restored from the cache (${KEY})`,
      },
    )
    assert.deepEqual(calls[0]?.slice(0, 3), [[dir], KEY, []], 'exact key: no restore keys')
    const miss = await restoreTreeResults({
      dir,
      key: KEY,
      restoreCache: async () => undefined,
      isFeatureAvailable: available,
    })
    assert.deepEqual(miss, { hit: false, warning: null, info: `no cached results for ${KEY}` })
  })

  test('restore: a failure the library only logs is a warning, and its own annotation is held back', async () => {
    const from = printed.length
    const outage: RestoreCacheFn = async () => {
      await new Promise((r) => setTimeout(r, 10))
      core.info(
        'Attempt 1 of 5 failed with error: Failed request: (500) Internal Server Error. Retrying',
      )
      core.error(
        'Failed to restore: Failed to GetCacheEntryDownloadURL: Failed request: (500) Internal Server Error',
      )
      return undefined
    }
    // Output from elsewhere in the gate at the same time is left alone.
    const elsewhere = new Promise<void>((resolve) =>
      setTimeout(() => {
        core.warning('unrelated warning from the gate')
        resolve()
      }, 5),
    )
    const [got] = await Promise.all([
      restoreTreeResults({
        dir: root,
        key: KEY,
        restoreCache: outage,
        isFeatureAvailable: available,
      }),
      elsewhere,
    ])
    assert.equal(got.hit, false)
    assert.equal(
      got.warning,
      'results cache not restored: Failed to restore: Failed to GetCacheEntryDownloadURL: Failed request: (500) Internal Server Error; the results were computed again',
    )
    assert.deepEqual(annotations(from), ['::warning::unrelated warning from the gate'])
    assert.ok(
      printed.slice(from).some((l) => l.startsWith('Attempt 1 of 5 failed')),
      'info lines pass through',
    )
  })

  test('restore: a throw, a stuck call, another key and an unavailable service are warnings, never rejections', async () => {
    const threw = await restoreTreeResults({
      dir: root,
      key: KEY,
      restoreCache: async () => {
        throw new Error('Key Validation Error: boom')
      },
      isFeatureAvailable: available,
    })
    assert.deepEqual(threw, {
      hit: false,
      warning:
        'results cache not restored: Error: Key Validation Error: boom; the results were computed again',
      info: null,
    })

    const started = performance.now()
    const stuck = await restoreTreeResults({
      dir: root,
      key: KEY,
      restoreCache: () => new Promise<string | undefined>(() => {}),
      isFeatureAvailable: available,
      timeoutMs: 300,
    })
    const ms = performance.now() - started
    assert.ok(ms >= 290 && ms < 3000, `gave up after ${ms.toFixed(0)} ms`)
    assert.equal(
      stuck.warning,
      'results cache not restored: the cache service did not answer within 0.3 s; the results were computed again',
    )

    const other = await restoreTreeResults({
      dir: root,
      key: KEY,
      restoreCache: async () => `${KEY}-older`,
      isFeatureAvailable: available,
    })
    assert.equal(other.hit, false)
    assert.match(other.warning ?? '', /returned the entry .*-older for .*; it was not used/)

    let called = false
    const off = await restoreTreeResults({
      dir: root,
      key: KEY,
      restoreCache: async () => {
        called = true
        return KEY
      },
      isFeatureAvailable: () => false,
    })
    assert.equal(called, false)
    assert.equal(off.hit, false)
    assert.match(
      off.warning ?? '',
      /cache service is not available to this job .*; the results were computed again/,
    )
  })

  test('save: saved, already saved (409) and read-only are quiet; failures are warnings', async () => {
    const dir = resultsDir()
    const save = (fn: SaveCacheFn) =>
      saveTreeResults({ dir, key: KEY, saveCache: fn, isFeatureAvailable: available })
    assert.deepEqual(await save(async () => 42), {
      hit: true,
      warning: null,
      info: `results saved to the cache (${KEY})`,
    })

    const from = printed.length
    const exists = await save(async () => {
      core.debug(
        'Failed to reserve cache: Error: Failed to CreateCacheEntry: Received non-retryable error: Failed request: (409) Conflict: cache entry with the same key, version, and scope already exists',
      )
      core.info(
        `Failed to save: Unable to reserve cache with key ${KEY}, another job may be creating this cache.`,
      )
      return -1
    })
    assert.deepEqual(exists, {
      hit: true,
      warning: null,
      info: `results already in the cache under ${KEY} (entries are immutable)`,
    })

    const denied = await save(async () => {
      core.warning(
        `Failed to save: Unable to reserve cache with key ${KEY}. More details: cache write denied: token is read-only`,
      )
      return -1
    })
    assert.equal(denied.hit, false)
    assert.equal(denied.warning, null)
    assert.match(denied.info ?? '', /this run may only read the cache/)

    const refused = await save(async () => {
      core.debug(
        'Failed to reserve cache: Error: Failed to CreateCacheEntry: Unable to make request: ECONNREFUSED',
      )
      core.info(
        `Failed to save: Unable to reserve cache with key ${KEY}, another job may be creating this cache.`,
      )
      return -1
    })
    assert.equal(
      refused.warning,
      'results not saved: Failed to reserve cache: Error: Failed to CreateCacheEntry: Unable to make request: ECONNREFUSED; the next run computes them again',
    )
    const upload = await save(async () => {
      core.warning('uploadCacheArchiveSDK: internal error uploading cache archive: 403')
      core.warning('Failed to save: 403')
      return -1
    })
    assert.match(
      upload.warning ?? '',
      /^results not saved: uploadCacheArchiveSDK: internal error .*; the next run computes them again$/,
    )
    assert.deepEqual(annotations(from), [], 'the library annotations were folded into the warnings')

    const threw = await save(async () => {
      throw new Error('Path Validation Error: nope')
    })
    assert.match(threw.warning ?? '', /results not saved: Error: Path Validation Error: nope/)
    const stuck = await saveTreeResults({
      dir,
      key: KEY,
      saveCache: () => new Promise<number>(() => {}),
      isFeatureAvailable: available,
      timeoutMs: 200,
    })
    assert.match(
      stuck.warning ?? '',
      /did not answer within 0\.2 s; the next run computes them again/,
    )
  })

  test('save: an empty or missing directory is not saved', async () => {
    let called = false
    const fn: SaveCacheFn = async () => {
      called = true
      return 1
    }
    for (const dir of [resultsDir({}), join(root, 'missing')]) {
      const got = await saveTreeResults({
        dir,
        key: KEY,
        saveCache: fn,
        isFeatureAvailable: available,
      })
      assert.deepEqual(got, { hit: false, warning: null, info: `no results to save under ${KEY}` })
    }
    assert.equal(called, false)
  })
})

describe('with the real @actions/cache against a local cache service', () => {
  let svc: FakeCacheService
  const saved: Record<string, string | undefined> = {}
  const ENV_KEYS = [
    'ACTIONS_RESULTS_URL',
    'ACTIONS_CACHE_URL',
    'ACTIONS_RUNTIME_TOKEN',
    'ACTIONS_CACHE_SERVICE_V2',
    'ACTIONS_CACHE_MODE',
    'HTTP_PROXY',
    'http_proxy',
    'HTTPS_PROXY',
    'https_proxy',
    'NO_PROXY',
    'no_proxy',
    'GITHUB_SERVER_URL',
    'GITHUB_WORKSPACE',
    'RUNNER_TEMP',
  ]
  // One directory path for every save and restore, as the gate uses `${RUNNER_TEMP}/...`:
  // @actions/cache versions an entry by the path strings, so another path would never match.
  const DIR = join(root, 'runner-temp', 'quorum-results')
  /** DIR holding exactly `files` (or emptied, then removed, with null). */
  const fill = (files: Record<string, string> | null) => {
    rmSync(DIR, { recursive: true, force: true })
    if (files === null) return
    mkdirSync(DIR)
    for (const [name, content] of Object.entries(files)) writeFileSync(join(DIR, name), content)
  }
  const ONE = { [`${'a'.repeat(64)}.json`]: '{"x":1}' }

  before(async () => {
    for (const k of ENV_KEYS) {
      saved[k] = process.env[k]
      delete process.env[k]
    }
    svc = await FakeCacheService.start()
    mkdirSync(join(root, 'workspace'))
    mkdirSync(join(root, 'runner-temp'))
    Object.assign(process.env, svc.env(), {
      GITHUB_WORKSPACE: join(root, 'workspace'),
      RUNNER_TEMP: join(root, 'runner-temp'),
    })
  })
  after(async () => {
    await svc.close()
    for (const k of ENV_KEYS) {
      if (saved[k] === undefined) delete process.env[k]
      else process.env[k] = saved[k]
    }
  })
  afterEach(() => {
    assert.deepEqual(svc.violations, [], 'every request was one the real service would accept')
  })

  test('a save and a restore into an emptied directory round-trip the result files', async () => {
    const files = {
      [`${'1'.repeat(64)}.json`]: JSON.stringify({
        format: 'quorum-result/1',
        payload: { outcome: 'PASSED' },
      }),
      [`${'2'.repeat(64)}.json`]: JSON.stringify({
        format: 'quorum-result/1',
        payload: { outcome: 'FAILED' },
      }),
    }
    fill(files)
    const from = printed.length
    assert.deepEqual(await saveTreeResults({ dir: DIR, key: KEY }), {
      hit: true,
      warning: null,
      info: `results saved to the cache (${KEY})`,
    })
    assert.deepEqual(
      svc.requests.map((r) => `${r.op} ${r.status}`),
      ['CreateCacheEntry 200', 'BlobPut 201', 'FinalizeCacheEntryUpload 200'],
    )
    assert.equal(svc.entries.length, 1)
    assert.equal(svc.entries[0]!.key, KEY)
    assert.equal(svc.entries[0]!.finalized, true)

    fill(null)
    const restored = await restoreTreeResults({ dir: DIR, key: KEY })
    assert.deepEqual(restored, {
      hit: true,
      warning: null,
      info: `results restored from the cache (${KEY})`,
    })
    assert.deepEqual(readdirSync(DIR).sort(), Object.keys(files).sort())
    for (const [name, content] of Object.entries(files)) {
      assert.equal(readFileSync(join(DIR, name), 'utf8'), content)
    }
    // The download went the production way: the Azure SDK's properties call and ranged GET.
    assert.deepEqual(
      svc.requests.slice(3).map((r) => `${r.op} ${r.status}`),
      ['GetCacheEntryDownloadURL 200', 'BlobHead 200', 'BlobGet 206'],
    )
    assert.deepEqual(annotations(from), [])
  })

  test('saving a key that exists is a quiet info: entries are immutable', async () => {
    fill(ONE)
    const key = `${KEY}-again`
    assert.equal((await saveTreeResults({ dir: DIR, key })).hit, true)
    const from = printed.length
    const before = svc.requests.length
    const again = await saveTreeResults({ dir: DIR, key })
    assert.deepEqual(again, {
      hit: true,
      warning: null,
      info: `results already in the cache under ${key} (entries are immutable)`,
    })
    assert.deepEqual(
      svc.requests.slice(before).map((r) => `${r.op} ${r.status}`),
      ['CreateCacheEntry 409'],
    )
    assert.deepEqual(annotations(from), [])
  })

  test('a miss is quiet, and an entry found only by prefix is not used', async () => {
    fill(null)
    assert.deepEqual(await restoreTreeResults({ dir: DIR, key: `${KEY}-never-saved` }), {
      hit: false,
      warning: null,
      info: `no cached results for ${KEY}-never-saved`,
    })
    // The service matches a primary key by prefix too: `<key>-longer` is returned for `<key>`.
    const prefixed = `quorum-results-v1-prefix-${n++}`
    fill(ONE)
    assert.equal((await saveTreeResults({ dir: DIR, key: `${prefixed}-longer` })).hit, true)
    fill(null)
    const got = await restoreTreeResults({ dir: DIR, key: prefixed })
    assert.equal(got.hit, false)
    assert.match(
      got.warning ?? '',
      new RegExp(`returned the entry ${prefixed}-longer for ${prefixed}; it was not used`),
    )
  })

  test('a service outage (500 on every attempt) is a warning, not an error annotation', async () => {
    fill(null)
    const from = printed.length
    // @actions/cache tries 5 times with back-off (about 25-35 s in all): this is the slow test.
    svc.failNext({ op: 'GetCacheEntryDownloadURL', count: 5, status: 500 })
    const calls = svc.calls('GetCacheEntryDownloadURL')
    const got = await restoreTreeResults({ dir: DIR, key: KEY })
    assert.equal(got.hit, false)
    assert.equal(
      got.warning,
      'results cache not restored: Failed to restore: Failed to GetCacheEntryDownloadURL: Failed to make request after 5 attempts: Failed request: (500) Internal Server Error: injected failure; the results were computed again',
    )
    assert.equal(svc.calls('GetCacheEntryDownloadURL') - calls, 5, 'five attempts, then gave up')
    assert.deepEqual(annotations(from), [], 'no ::error:: for an outage')
  })

  test('a refused blob download or upload is a warning', async () => {
    fill(null)
    svc.failNext({ op: 'BlobHead', status: 403 })
    const from = printed.length
    const restored = await restoreTreeResults({ dir: DIR, key: KEY })
    assert.equal(restored.hit, false)
    assert.match(
      restored.warning ?? '',
      /^results cache not restored: Failed to restore: \(no details given\); the results were computed again$/,
    )
    assert.equal(svc.requests.at(-1)?.op, 'BlobHead')

    fill(ONE)
    svc.failNext({ op: 'BlobPut', status: 403 })
    const savedResult = await saveTreeResults({ dir: DIR, key: `${KEY}-upload` })
    assert.equal(savedResult.hit, false)
    assert.match(
      savedResult.warning ?? '',
      /^results not saved: uploadCacheArchiveSDK: internal error uploading cache archive: .*; the next run computes them again$/,
    )
    assert.equal(svc.requests.at(-1)?.op, 'BlobPut')
    assert.deepEqual(annotations(from), [])
  })

  test('a refused connection is a warning at once, for restore and save', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as { port: number }).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const url = process.env.ACTIONS_RESULTS_URL
    process.env.ACTIONS_RESULTS_URL = `http://127.0.0.1:${port}/`
    const from = printed.length
    try {
      const started = performance.now()
      fill(null)
      const restored = await restoreTreeResults({ dir: DIR, key: KEY })
      assert.deepEqual(restored, {
        hit: false,
        warning:
          'results cache not restored: Failed to restore: Failed to GetCacheEntryDownloadURL: Unable to make request: ECONNREFUSED; the results were computed again',
        info: null,
      })
      fill(ONE)
      const savedResult = await saveTreeResults({ dir: DIR, key: `${KEY}-refused` })
      assert.deepEqual(savedResult, {
        hit: false,
        warning:
          'results not saved: Failed to reserve cache: Error: Failed to CreateCacheEntry: Unable to make request: ECONNREFUSED; the next run computes them again',
        info: null,
      })
      assert.ok(performance.now() - started < 20_000)
    } finally {
      process.env.ACTIONS_RESULTS_URL = url
    }
    assert.deepEqual(annotations(from), [])
  })

  test('a stuck cache service cannot hang the gate: the restore gives up at its timeout', async () => {
    fill(null)
    svc.failNext({ op: 'GetCacheEntryDownloadURL', kind: 'hang' })
    const from = printed.length
    const started = performance.now()
    const got = await restoreTreeResults({ dir: DIR, key: KEY, timeoutMs: 1500 })
    const ms = performance.now() - started
    assert.equal(got.hit, false)
    assert.equal(
      got.warning,
      'results cache not restored: the cache service did not answer within 1.5 s; the results were computed again',
    )
    assert.ok(ms >= 1400 && ms < 10_000, `gave up after ${ms.toFixed(0)} ms`)
    assert.equal(svc.requests.at(-1)?.status, 'hang')
    // The abandoned call fails later, when its connection goes; what it logs then stays quiet.
    const token = svc.token
    await svc.close()
    svc = await FakeCacheService.start({ token })
    Object.assign(process.env, svc.env())
    await new Promise((r) => setTimeout(r, 500))
    assert.deepEqual(annotations(from), [])
  })

  test('without the cache service in the environment, restore and save say so', async () => {
    const url = process.env.ACTIONS_RESULTS_URL
    delete process.env.ACTIONS_RESULTS_URL
    try {
      const restored = await restoreTreeResults({ dir: DIR, key: KEY })
      assert.equal(restored.hit, false)
      assert.match(restored.warning ?? '', /cache service is not available to this job/)
      fill(ONE)
      const savedResult = await saveTreeResults({ dir: DIR, key: KEY })
      assert.match(
        savedResult.warning ?? '',
        /^results not saved: the GitHub Actions cache service is not available/,
      )
    } finally {
      process.env.ACTIONS_RESULTS_URL = url
    }
    assert.deepEqual(svc.requests, [], 'nothing was asked of the service')
  })
})
