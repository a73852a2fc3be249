import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, test } from 'node:test'

import { QuorumError } from '../../src/engine/errors.ts'
import { assignShards, checksInShard, MAX_SHARDS, parseShard } from '../../src/engine/shard.ts'

const SUITE = [
  'lint',
  'typecheck',
  'unit',
  'e2e-a',
  'e2e-b',
  'e2e-c',
  'bench',
  'docs',
  'size',
  'audit',
]

describe('parseShard', () => {
  test('K/N with 1 <= K <= N <= 256 parses to index and total, counted from 1', () => {
    assert.deepEqual(parseShard('1/1'), { index: 1, total: 1 })
    assert.deepEqual(parseShard('2/4'), { index: 2, total: 4 })
    assert.deepEqual(parseShard('1/256'), { index: 1, total: 256 })
    assert.deepEqual(parseShard('256/256'), { index: 256, total: 256 })
  })

  test('anything else is a one-line usage error that quotes what was given', () => {
    const bad = [
      '',
      '0/4',
      '5/4',
      '1/0',
      '1/257',
      '257/257',
      '04/4',
      '1/04',
      '+1/4',
      '-1/4',
      '1.0/4',
      '1e0/4',
      ' 1/4',
      '1/4 ',
      '1 / 4',
      '1/4\n',
      '1/4/',
      '1//4',
      '1',
      'a/b',
      '１/４', // full-width digits
      '1\u200b/4',
    ]
    for (const text of bad) {
      assert.throws(
        () => parseShard(text),
        (error: unknown) => {
          assert.ok(error instanceof QuorumError, JSON.stringify(text))
          assert.equal(error.fate, 'usage')
          assert.match(error.message, /^shard: expected K\/N with 1 <= K <= N <= 256/)
          assert.doesNotMatch(error.message, /[\r\n]/)
          return true
        },
        JSON.stringify(text),
      )
    }
    assert.throws(() => parseShard('1/4\n'), { message: /got "1\/4\\n"$/ })
  })
})

describe('assignShards', () => {
  test('a fixed suite gets the same assignment as when this was written (sha-256 order, dealt)', () => {
    // Computed independently (Python: sorted by hashlib.sha256(name).hexdigest(), i % 3 + 1).
    // A change here moves checks between shards for every user: it must be deliberate.
    assert.deepEqual(Object.fromEntries(assignShards(SUITE, 3)), {
      typecheck: 1,
      bench: 2,
      'e2e-c': 3,
      unit: 1,
      docs: 2,
      'e2e-a': 3,
      'e2e-b': 1,
      audit: 2,
      size: 3,
      lint: 1,
    })
  })

  test('every name lands in exactly one shard, and shard sizes differ by at most one', () => {
    const names = Array.from({ length: 37 }, (_, i) => `check-${i}`)
    for (const total of [1, 2, 3, 4, 5, 8, 36, 37, 40, MAX_SHARDS]) {
      const assigned = assignShards(names, total)
      assert.deepEqual([...assigned.keys()].sort(), [...names].sort())
      const sizes = new Map<number, number>()
      for (const shard of assigned.values()) {
        assert.ok(Number.isInteger(shard) && shard >= 1 && shard <= total, `${shard}/${total}`)
        sizes.set(shard, (sizes.get(shard) ?? 0) + 1)
      }
      const counts = Array.from({ length: total }, (_, i) => sizes.get(i + 1) ?? 0)
      assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `${total}: ${counts.join(',')}`)
      // No shard is empty while there are enough checks to go round.
      if (names.length >= total) assert.ok(Math.min(...counts) >= 1, `${total}`)
    }
  })

  test('the assignment depends on the set of names, not on the order they are listed in', () => {
    const reference = assignShards(SUITE, 4)
    const reversed = assignShards([...SUITE].reverse(), 4)
    const sorted = assignShards([...SUITE].sort(), 4)
    for (const name of SUITE) {
      assert.equal(reversed.get(name), reference.get(name), name)
      assert.equal(sorted.get(name), reference.get(name), name)
    }
  })

  test('does better than hashing each name alone: 12 checks over 4 shards get 3 each', () => {
    const names = Array.from({ length: 12 }, (_, i) => `check-${i}`)
    // sha-256(name) mod 4 gives this very suite 2, 3, 2 and 5 checks: the slowest shard would
    // do 5 checks' work where 3 is possible.
    const byHash = [0, 0, 0, 0]
    for (const name of names) {
      byHash[Number(BigInt(`0x${createHash('sha256').update(name).digest('hex')}`) % 4n)]! += 1
    }
    assert.deepEqual(byHash, [2, 3, 2, 5])
    const dealt = [0, 0, 0, 0]
    for (const shard of assignShards(names, 4).values()) dealt[shard - 1]! += 1
    assert.deepEqual(dealt, [3, 3, 3, 3])
  })

  test('a duplicate name or a total outside 1..256 is refused', () => {
    assert.throws(() => assignShards(['a', 'b', 'a'], 2), /duplicate check name a/)
    for (const total of [0, -1, 1.5, MAX_SHARDS + 1, Number.NaN]) {
      assert.throws(() => assignShards(['a'], total), RangeError, String(total))
    }
  })

  test('no names give an empty assignment', () => {
    assert.equal(assignShards([], 4).size, 0)
  })
})

describe('checksInShard', () => {
  test('the shards of a matrix partition the suite and keep the config order', () => {
    const total = 4
    const seen: string[] = []
    for (let index = 1; index <= total; index++) {
      const mine = checksInShard(SUITE, { index, total })
      assert.ok(mine.length >= 2 && mine.length <= 3, `${index}: ${mine.join(',')}`)
      // Config order: each shard's list is a subsequence of SUITE.
      const positions = mine.map((name) => SUITE.indexOf(name))
      assert.deepEqual(
        positions,
        [...positions].sort((a, b) => a - b),
      )
      seen.push(...mine)
    }
    assert.deepEqual(seen.sort(), [...SUITE].sort())
  })

  test('1/1 runs everything', () => {
    assert.deepEqual(checksInShard(SUITE, { index: 1, total: 1 }), SUITE)
  })
})
