import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'

import {
  RESULT_KEY_FORMAT,
  canonicalJson,
  describePlatform,
  resultKey,
  type ResultKeyParts,
} from '../../src/engine/result-key.ts'

const BASE: ResultKeyParts = {
  tree: `git-tree:${'a'.repeat(40)}`,
  check: { name: 'unit_tests', command: 'npm test', retries: 2, metrics: { ms: { tolerance: 5 } } },
  setup: { command: 'npm ci', sandbox: 'overlay' },
  version: '0.1.0',
  platform: 'linux-x64-node24',
}

test('the key is sha256 over the format tag and the canonical JSON, written out by hand here', () => {
  // If this fails, the key format changed: old cache entries would be read under a new meaning.
  // Bump RESULT_KEY_FORMAT and update the expected text.
  const text =
    'quorum-result-key/1\n' +
    '{"check":{"command":"npm test","metrics":{"ms":{"tolerance":5}},"name":"unit_tests","retries":2},' +
    '"platform":"linux-x64-node24",' +
    '"setup":{"command":"npm ci","sandbox":"overlay"},' +
    `"tree":"git-tree:${'a'.repeat(40)}",` +
    '"version":"0.1.0"}'
  const expected = createHash('sha256').update(text, 'utf8').digest('hex')
  assert.equal(RESULT_KEY_FORMAT, 'quorum-result-key/1')
  assert.equal(resultKey(BASE), expected)
  // The golden value pins the digest itself (sha256, lowercase hex), not only the text.
  assert.equal(expected, 'fdc9b66caa50e730db805093da770602f48b419e152b87f433d5e8d35401af04')
})

test('the order in which a config spells keys does not matter, at any depth', () => {
  const reordered: ResultKeyParts = {
    platform: BASE.platform,
    version: BASE.version,
    setup: { sandbox: 'overlay', command: 'npm ci' },
    check: {
      metrics: { ms: { tolerance: 5 } },
      retries: 2,
      command: 'npm test',
      name: 'unit_tests',
    },
    tree: BASE.tree,
  }
  assert.equal(resultKey(reordered), resultKey(BASE))
})

test('an undefined property keys like a missing one; null does not', () => {
  const check = BASE.check as Record<string, unknown>
  assert.equal(resultKey({ ...BASE, check: { ...check, timeout: undefined } }), resultKey(BASE))
  assert.notEqual(resultKey({ ...BASE, check: { ...check, timeout: null } }), resultKey(BASE))
})

test('every part changes the key: tree, check, setup, version, platform', () => {
  const keys = new Set([
    resultKey(BASE),
    resultKey({ ...BASE, tree: `git-tree:${'b'.repeat(40)}` }),
    resultKey({ ...BASE, tree: `content:${'a'.repeat(64)}` }),
    resultKey({ ...BASE, check: { ...(BASE.check as object), retries: 3 } }),
    resultKey({ ...BASE, check: { ...(BASE.check as object), command: 'npm test ' } }),
    resultKey({ ...BASE, setup: { command: 'npm ci', sandbox: 'copy' } }),
    resultKey({ ...BASE, setup: undefined }),
    resultKey({ ...BASE, version: '0.1.1' }),
    resultKey({ ...BASE, platform: 'linux-arm64-node24' }),
    resultKey({ ...BASE, platform: 'linux-x64-node26' }),
  ])
  assert.equal(keys.size, 10)
})

test('values keep their JSON types: "1" and 1, [] and {}, arrays keep their order', () => {
  const k = (check: unknown) => resultKey({ ...BASE, check })
  assert.notEqual(k({ n: 1 }), k({ n: '1' }))
  assert.notEqual(k({ n: [] }), k({ n: {} }))
  assert.notEqual(k({ n: [1, 2] }), k({ n: [2, 1] }))
  assert.notEqual(k({ n: true }), k({ n: 'true' }))
  // No separator games: a key cannot be forged by moving text between fields.
  assert.notEqual(k({ a: 'b","c":"d' }), k({ a: 'b', c: 'd' }))
  assert.equal(k({ s: 'é\u{1F600}' }), k({ s: 'é\u{1F600}' }))
})

test('what is not plain JSON data is refused with where it is, not keyed by its JSON shadow', () => {
  const bad: Array<[unknown, RegExp]> = [
    [{ fn: () => 1 }, /parts\.check\.fn is a function/],
    [{ n: Number.NaN }, /parts\.check\.n is NaN/],
    [{ n: Infinity }, /Infinity/],
    [{ n: 1n }, /bigint/],
    [{ s: Symbol('x') }, /symbol/],
    [{ m: new Map() }, /instance of Map/],
    [{ d: new Date(0) }, /instance of Date/],
    [{ list: [1, undefined] }, /parts\.check\.list\[1\] is undefined/],
  ]
  for (const [check, message] of bad) {
    assert.throws(() => resultKey({ ...BASE, check }), { name: 'TypeError', message })
  }
  const cyclic: Record<string, unknown> = {}
  cyclic.self = cyclic
  assert.throws(() => resultKey({ ...BASE, check: cyclic }), /a cycle/)
  // The same object twice, not nested in itself, is no cycle.
  const shared = { x: 1 }
  assert.doesNotThrow(() => resultKey({ ...BASE, check: { a: shared, b: shared } }))
  // An object without a prototype (e.g. from a null-prototype parser) is plain data.
  const bare = Object.assign(Object.create(null) as object, { x: 1 })
  assert.equal(resultKey({ ...BASE, check: bare }), resultKey({ ...BASE, check: { x: 1 } }))
})

test('tree, version and platform must be non-empty strings', () => {
  assert.throws(() => resultKey({ ...BASE, tree: '' }), /tree must be a non-empty string/)
  assert.throws(
    () => resultKey({ ...BASE, version: undefined as unknown as string }),
    /version must be a non-empty string/,
  )
  assert.throws(() => resultKey({ ...BASE, platform: '' }), /platform/)
})

test('canonicalJson sorts keys and drops undefined members', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [1, { z: 0, y: null }], c: undefined } }),
    '{"a":{"d":[1,{"y":null,"z":0}]},"b":1}',
  )
  assert.equal(canonicalJson('x'), '"x"')
  assert.equal(canonicalJson(-0), '0')
})

test('describePlatform names platform, arch and node major, safe for a cache key', () => {
  assert.equal(
    describePlatform({ platform: 'linux', arch: 'x64', nodeMajor: 24 }),
    'linux-x64-node24',
  )
  assert.equal(
    describePlatform({ platform: 'darwin', arch: 'arm64', nodeMajor: 26 }),
    'darwin-arm64-node26',
  )
  assert.equal(
    describePlatform({ platform: 'Weird OS,1', arch: 'x-64', nodeMajor: 24 }),
    'weird_os_1-x_64-node24',
  )
  assert.throws(
    () => describePlatform({ platform: 'linux', arch: 'x64', nodeMajor: 24.5 }),
    TypeError,
  )
  assert.throws(() => describePlatform({ platform: 'linux', arch: 'x64', nodeMajor: 0 }), TypeError)
  assert.throws(
    () => describePlatform({ platform: '', arch: 'x64', nodeMajor: 24 }),
    /platform is empty/,
  )
})
