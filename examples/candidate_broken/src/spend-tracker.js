/**
 * Tracks how much an agent has spent, in cents, against a persisted store.
 *
 * The store is asynchronous, like a database or a file would be: every read and write takes an
 * I/O hop through the event loop before it completes.
 */

/** An in-memory stand-in for a persisted store, with the latency of a real one. */
export class MemoryStore {
  #value = 0

  async read() {
    await ioHop()
    return this.#value
  }

  async write(value) {
    await ioHop()
    this.#value = value
  }
}

export class SpendTracker {
  #store
  /** Number of adds in flight, including the one holding the store. */
  #inFlight = 0

  constructor(store = new MemoryStore()) {
    this.#store = store
  }

  /**
   * Records a spend of `amount` cents. Waits until it is the only add in flight, so that no
   * other add can interleave with its read-modify-write.
   */
  async add(amount) {
    checkAmount(amount)
    this.#inFlight++
    try {
      while (this.#inFlight > 1) await sleep(10)
      const current = await this.#store.read()
      await this.#store.write(current + amount)
    } finally {
      this.#inFlight--
    }
  }

  /** The total spent so far, in cents. */
  async total() {
    return this.#store.read()
  }
}

function checkAmount(amount) {
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new RangeError(`amount must be a non-negative integer of cents, got ${amount}`)
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function ioHop() {
  return new Promise((resolve) => setImmediate(resolve))
}
