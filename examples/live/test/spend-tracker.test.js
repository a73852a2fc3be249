import assert from 'node:assert/strict'
import test from 'node:test'
import { SpendTracker } from '../src/spend-tracker.js'

test('spends made one after another add up', async () => {
  const tracker = new SpendTracker()
  await tracker.add(250)
  await tracker.add(125)
  assert.equal(await tracker.total(), 375)
})

test('a negative amount is rejected', async () => {
  const tracker = new SpendTracker()
  await assert.rejects(tracker.add(-1), RangeError)
  assert.equal(await tracker.total(), 0)
})
