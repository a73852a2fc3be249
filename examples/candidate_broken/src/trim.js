/**
 * Keeps an LLM conversation within a context budget by dropping its oldest messages.
 *
 * Messages use the Messages API shape: `{ role, content }`, where `content` is a string or an
 * array of blocks. An assistant message may hold `{ type: 'tool_use', id }` blocks, answered in
 * the next user message by `{ type: 'tool_result', tool_use_id }` blocks.
 */

/**
 * Returns the most recent messages, at most `maxCount` of them, oldest first, never splitting a
 * tool call from its result: a kept tool_result always comes with the tool_use it answers (an
 * API rejects a tool_result whose tool_use is missing). When the cut would fall inside such a
 * pair, it moves later, so the result may be shorter than `maxCount`. The input is not modified.
 */
export function trimMessages(messages, maxCount) {
  if (!Array.isArray(messages)) throw new TypeError('messages must be an array')
  if (!Number.isSafeInteger(maxCount) || maxCount < 0) {
    throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`)
  }
  let start = Math.max(0, messages.length - maxCount)
  while (start < messages.length && answersDroppedCall(messages, start)) start++
  return messages.slice(start)
}

/** True when a message at or after `start` holds a tool_result whose tool_use is before it. */
function answersDroppedCall(messages, start) {
  const dropped = new Set()
  for (const message of messages.slice(0, start)) {
    for (const block of blocksOf(message)) if (block.type === 'tool_use') dropped.add(block.id)
  }
  if (dropped.size === 0) return false
  return messages
    .slice(start)
    .some((message) =>
      blocksOf(message).some((b) => b.type === 'tool_result' && dropped.has(b.tool_use_id)),
    )
}

function blocksOf(message) {
  return Array.isArray(message?.content) ? message.content : []
}
