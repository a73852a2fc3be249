// The gate's scheduler (src/gate/limiter.ts): at most N at once, first in first out, and tasks
// that run alone. Tasks end when the test says so, so the order is decided by the test only.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createLimiter } from '../../src/gate/limiter.ts'

/** A task that records its start and ends when `end(name)` is called. */
function harness(limit: number) {
  const schedule = createLimiter(limit)
  const started: string[] = []
  const enders = new Map<string, () => void>()
  let live = 0
  const liveAtStart = new Map<string, number>()
  const add = (name: string, alone = false) =>
    schedule(
      async () => {
        started.push(name)
        liveAtStart.set(name, live++)
        await new Promise<void>((resolve) => enders.set(name, resolve))
        live--
      },
      { alone },
    )
  const settle = () => new Promise((resolve) => setImmediate(resolve))
  const end = async (name: string) => {
    enders.get(name)!()
    await settle()
    await settle()
  }
  return { add, end, started, liveAtStart, settle }
}

test('at most N at once, in the order handed in', async () => {
  const h = harness(2)
  const all = ['a', 'b', 'c'].map((n) => h.add(n))
  await h.settle()
  assert.deepEqual(h.started, ['a', 'b'])
  await h.end('b')
  assert.deepEqual(h.started, ['a', 'b', 'c'])
  await h.end('a')
  await h.end('c')
  await Promise.all(all)
})

test('a task handed in alone waits for the others to end, and holds back those after it', async () => {
  const h = harness(2)
  const all = [h.add('a'), h.add('b'), h.add('timed', true), h.add('c'), h.add('d')]
  await h.settle()
  assert.deepEqual(h.started, ['a', 'b'])
  await h.end('a')
  assert.deepEqual(h.started, ['a', 'b'], 'the alone task started beside b, or c jumped it')
  await h.end('b')
  assert.deepEqual(h.started, ['a', 'b', 'timed'])
  assert.equal(h.liveAtStart.get('timed'), 0)
  await h.end('timed')
  assert.deepEqual(h.started, ['a', 'b', 'timed', 'c', 'd'])
  await h.end('c')
  await h.end('d')
  await Promise.all(all)
})

test('two alone tasks in a row run one after the other, and a task handed in later waits', async () => {
  const h = harness(4)
  const all = [h.add('t1', true), h.add('t2', true)]
  await h.settle()
  all.push(h.add('late'))
  await h.settle()
  assert.deepEqual(h.started, ['t1'])
  await h.end('t1')
  assert.deepEqual(h.started, ['t1', 't2'])
  await h.end('t2')
  assert.deepEqual(h.started, ['t1', 't2', 'late'])
  await h.end('late')
  await Promise.all(all)
})

test('a failing task frees its slot', async () => {
  const schedule = createLimiter(1)
  await assert.rejects(schedule(async () => Promise.reject(new Error('boom')), { alone: true }))
  assert.equal(await schedule(async () => 'next'), 'next')
})
