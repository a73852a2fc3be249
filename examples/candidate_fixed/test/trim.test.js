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

test('a tool_result is never kept without the tool_use it answers', () => {
  const withTool = [
    { role: 'user', content: 'Weather in Lisbon?' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'weather', input: {} }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: '21°C' }] },
    { role: 'assistant', content: 'It is 21°C in Lisbon.' },
  ]
  assert.deepEqual(trimMessages(withTool, 3), withTool.slice(1))
  assert.deepEqual(trimMessages(withTool, 2), withTool.slice(3))
})
