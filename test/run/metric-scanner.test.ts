import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { MetricScanner } from '../../src/run/output-capture.ts'

/** Feeds `chunks` (strings, split wherever the test likes) and returns what was found. */
function scan(keys: string[], ...chunks: string[]): Record<string, number> {
  const scanner = new MetricScanner(keys)
  for (const chunk of chunks) scanner.push(Buffer.from(chunk))
  return scanner.finish()
}

describe('MetricScanner', () => {
  test('several keys, the last value of each wins, across chunk boundaries', () => {
    assert.deepEqual(
      scan(['parse_ms', 'heap_mb'], 'parse_ms=12.5\nheap', '_mb=41\nparse_ms=', '13\n'),
      {
        parse_ms: 13,
        heap_mb: 41,
      },
    )
  })

  test('a key must stand alone and the value end at a separator', () => {
    assert.deepEqual(scan(['ms'], 'parse_ms=3\nms=4x\nms = 5, other=1\n'), { ms: 5 })
  })

  test('inf and nan are kept as non-finite values, so they can be named', () => {
    const found = scan(['a', 'b', 'c'], 'a=inf\nb=-Infinity\nc=NaN\n')
    assert.equal(found.a, Infinity)
    assert.equal(found.b, -Infinity)
    assert.ok(Number.isNaN(found.c))
  })

  test('a key is matched exactly, never case-insensitively', () => {
    assert.deepEqual(scan(['Size'], 'size=1\nSIZE=2\n'), {})
  })

  test('a line longer than 4 KiB is skipped, not buffered', () => {
    assert.deepEqual(scan(['t'], `t=1\n${'x'.repeat(5000)} t=2\nt=3`), { t: 3 })
  })
})
