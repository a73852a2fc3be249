import assert from 'node:assert/strict'
import test from 'node:test'
import { trimMessages } from '../src/trim.js'

const chat = [
  { role: 'user', content: 'Hi' },
  { role: 'assistant', content: 'Hello! How can I help?' },
  { role: 'user', content: 'What is the capital of Portugal?' },
  { role: 'assistant', content: 'Lisbon.' },
]

test('the most recent messages are kept, oldest first', () => {
  assert.deepEqual(trimMessages(chat, 2), chat.slice(2))
})

test('a conversation within the limit is returned whole', () => {
  assert.deepEqual(trimMessages(chat, 10), chat)
})

test('a limit of zero keeps nothing', () => {
  assert.deepEqual(trimMessages(chat, 0), [])
})
