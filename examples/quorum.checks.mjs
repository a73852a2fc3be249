/**
 * Behavioural checks for the example: each one imports the code of the tree under test from its
 * sandbox (`root`) and runs it. Quorum runs every check in a subprocess of its own, so a tree
 * that deadlocks or crashes takes down that subprocess only, and the run is reported as TIMEOUT
 * or CRASHED.
 *
 * This module needs nothing installed: plain Node, no import from Quorum.
 */
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** Imports a module of the tree under test, by its path relative to the tree. */
function importFromTree(root, relativePath) {
  return import(pathToFileURL(join(root, relativePath)).href)
}

export default [
  {
    name: 'no_lost_updates',
    // A deadlocked tracker must show up as TIMEOUT quickly; a healthy run takes milliseconds.
    timeout_s: 5,
    async run({ root }) {
      const { SpendTracker } = await importFromTree(root, 'src/spend-tracker.js')
      const tracker = new SpendTracker()
      const adds = 64
      await Promise.all(Array.from({ length: adds }, () => tracker.add(1)))
      const total = await tracker.total()
      if (total === adds) {
        return { passed: true, reason: `${adds} concurrent adds, all recorded`, score: 1 }
      }
      const reason =
        total < adds
          ? `lost ${adds - total} of ${adds} updates (total ${total} after ${adds} concurrent adds of 1)`
          : `recorded ${total} after ${adds} concurrent adds of 1`
      return { passed: false, reason, score: Math.max(0, Math.min(total, adds)) / adds }
    },
  },
  {
    name: 'never_splits_tool_pairs',
    timeout_s: 5,
    async run({ root, seed }) {
      const { trimMessages } = await importFromTree(root, 'src/trim.js')
      // Same seed, same conversations: QUORUM_SEED=<seed> replays a failure exactly.
      const seedText = String(seed ?? process.env.QUORUM_SEED ?? '0')
      const random = seededRandom(seedText)
      const cases = [...FIXED_CASES]
      for (let i = 1; i <= RANDOM_CASES; i++) {
        const messages = randomConversation(random)
        const maxCount = Math.floor(random() * (messages.length + 2))
        cases.push({ name: `random conversation #${i}`, messages, maxCount })
      }
      const failures = []
      for (const testCase of cases) {
        // A copy per case, so a trimmer that mutates its input cannot spoil the next case.
        const messages = structuredClone(testCase.messages)
        const problem = findProblem(trimMessages, { ...testCase, messages })
        if (problem) failures.push(`${problem} after trimming ${describe(testCase)}`)
      }
      if (failures.length === 0) {
        return {
          passed: true,
          reason: `${cases.length} conversations (seed ${seedText}): no tool pair split, none cut too short`,
          score: 1,
        }
      }
      return {
        passed: false,
        reason: `${failures[0]} (${failures.length} of ${cases.length} conversations failed, seed ${seedText})`,
        score: 1 - failures.length / cases.length,
      }
    },
  },
]

const RANDOM_CASES = 300

function describe({ name, messages, maxCount }) {
  return `"${name}" (${messages.length} messages) to ${maxCount}`
}

/**
 * What is wrong with trimming this conversation, or null. The answer must be the longest suffix
 * of at most maxCount messages in which every tool_result comes after its tool_use.
 */
function findProblem(trimMessages, { messages, maxCount }) {
  const before = JSON.stringify(messages)
  let kept
  try {
    kept = trimMessages(messages, maxCount)
  } catch (error) {
    return `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`
  }
  if (JSON.stringify(messages) !== before) return 'modified its input'
  if (!Array.isArray(kept)) return `returned ${typeof kept}, not an array`
  if (kept.length > maxCount) return `kept ${kept.length} messages, more than ${maxCount}`
  const start = messages.length - kept.length
  if (JSON.stringify(messages.slice(start)) !== JSON.stringify(kept)) {
    return 'did not return the most recent messages, in order'
  }
  const orphan = firstOrphanResult(kept)
  if (orphan) return `tool_result ${orphan} without its tool_use`
  for (let s = Math.max(0, messages.length - maxCount); s < start; s++) {
    if (!firstOrphanResult(messages.slice(s))) {
      return `dropped ${start - s} more message(s) than needed (kept ${kept.length}, could keep ${messages.length - s})`
    }
  }
  return null
}

/** The id of the first tool_result whose tool_use is not earlier in `messages`, or null. */
function firstOrphanResult(messages) {
  const seen = new Set()
  for (const message of messages) {
    if (!Array.isArray(message.content)) continue
    for (const block of message.content) {
      if (block.type === 'tool_use') seen.add(block.id)
      if (block.type === 'tool_result' && !seen.has(block.tool_use_id)) return block.tool_use_id
    }
  }
  return null
}

const text = (role, content) => ({ role, content })
const toolUse = (id, name, input) => ({ type: 'tool_use', id, name, input })
const toolResult = (id, content) => ({ type: 'tool_result', tool_use_id: id, content })

const BOOKING = [
  text('user', 'Book me the cheapest flight to Lisbon on Friday.'),
  { role: 'assistant', content: [toolUse('t1', 'search_flights', { to: 'LIS', day: 'Fri' })] },
  { role: 'user', content: [toolResult('t1', 'TP1351 €89, FR7264 €64')] },
  { role: 'assistant', content: [toolUse('t2', 'get_fare_rules', { flight: 'FR7264' })] },
  { role: 'user', content: [toolResult('t2', 'cabin bag only')] },
  { role: 'assistant', content: [toolUse('t3', 'hold_seat', { flight: 'FR7264' })] },
  { role: 'user', content: [toolResult('t3', 'seat 14C held for 15 minutes')] },
  text('assistant', 'Seat 14C on FR7264 (€64) is held. Shall I pay with the card on file?'),
  text('user', 'Yes, go ahead.'),
]

const PARALLEL_CALLS = [
  text('user', 'Compare the weather in Lisbon and Porto.'),
  {
    role: 'assistant',
    content: [
      { type: 'text', text: 'Checking both cities.' },
      toolUse('w1', 'weather', { city: 'Lisbon' }),
      toolUse('w2', 'weather', { city: 'Porto' }),
    ],
  },
  { role: 'user', content: [toolResult('w2', '17°C'), toolResult('w1', '21°C')] },
  text('assistant', 'Lisbon is 4°C warmer than Porto.'),
]

const FIXED_CASES = [
  // The cut lands between hold_seat (t3) and its result: the classic split.
  { name: 'flight booking', messages: BOOKING, maxCount: 3 },
  { name: 'flight booking', messages: BOOKING, maxCount: 5 },
  { name: 'flight booking', messages: BOOKING, maxCount: 4 },
  { name: 'flight booking', messages: BOOKING, maxCount: 9 },
  { name: 'flight booking', messages: BOOKING, maxCount: 0 },
  { name: 'parallel tool calls', messages: PARALLEL_CALLS, maxCount: 2 },
  { name: 'parallel tool calls', messages: PARALLEL_CALLS, maxCount: 3 },
  { name: 'parallel tool calls', messages: PARALLEL_CALLS, maxCount: 20 },
  { name: 'empty conversation', messages: [], maxCount: 4 },
]

/** A well-formed conversation: text turns and tool rounds, every tool_use answered next turn. */
function randomConversation(random) {
  const pick = (n) => Math.floor(random() * n)
  const messages = [text('user', 'task')]
  let nextId = 1
  const rounds = 1 + pick(12)
  for (let round = 0; round < rounds; round++) {
    if (random() < 0.6) {
      const ids = Array.from({ length: 1 + pick(3) }, () => `t${nextId++}`)
      const calls = ids.map((id) => toolUse(id, 'tool', { n: pick(100) }))
      const results = ids.map((id) => toolResult(id, `result of ${id}`))
      if (random() < 0.5) results.reverse()
      const preface = random() < 0.3 ? [{ type: 'text', text: 'Let me check.' }] : []
      messages.push({ role: 'assistant', content: [...preface, ...calls] })
      messages.push({ role: 'user', content: results })
    } else {
      messages.push(text('assistant', `answer ${round}`))
      messages.push(text('user', `follow-up ${round}`))
    }
  }
  if (random() < 0.5) messages.push(text('assistant', 'done'))
  return messages
}

/** A small deterministic PRNG (mulberry32) seeded from a string (FNV-1a). */
function seededRandom(seedText) {
  let state = 0x811c9dc5
  for (let i = 0; i < seedText.length; i++) {
    state = Math.imul(state ^ seedText.charCodeAt(i), 0x01000193) >>> 0
  }
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
