import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isInside, oneLine } from '../../src/engine/paths.ts'

test('isInside: the directory itself and what lies below it, nothing beside or above', () => {
  assert.equal(isInside('/a/b', '/a/b'), true)
  assert.equal(isInside('/a/b/c', '/a/b'), true)
  assert.equal(isInside('/a/b/..c', '/a/b'), true)
  assert.equal(isInside('/a/bc', '/a/b'), false)
  assert.equal(isInside('/a', '/a/b'), false)
  assert.equal(isInside('/x/y', '/a/b'), false)
  assert.equal(isInside('/a/b/c', '/'), true)
})

test('oneLine folds line breaks, trims, and cuts at max with an ellipsis', () => {
  assert.equal(oneLine('  first\r\n   second\n\nthird  '), 'first second third')
  assert.equal(oneLine('abcdef', 4), 'abc…')
  assert.equal(oneLine('abcd', 4), 'abcd')
})
