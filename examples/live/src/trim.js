/**
 * Keeps an LLM conversation within a context budget by dropping its oldest messages.
 *
 * Messages use the Messages API shape: `{ role, content }`, where `content` is a string or an
 * array of blocks. An assistant message may hold `{ type: 'tool_use', id }` blocks, answered in
 * the next user message by `{ type: 'tool_result', tool_use_id }` blocks.
 */

/**
 * Returns the most recent messages, at most `maxCount` of them, oldest first. The input is not
 * modified.
 */
export function trimMessages(messages, maxCount) {
  if (!Array.isArray(messages)) throw new TypeError('messages must be an array')
  if (!Number.isSafeInteger(maxCount) || maxCount < 0) {
    throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`)
  }
  if (maxCount === 0) return []
  return messages.slice(-maxCount)
}
