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
  /** Settles when the last queued add has finished; each add waits for the one before it. */
  #tail = Promise.resolve()

  constructor(store = new MemoryStore()) {
    this.#store = store
  }

  /**
   * Records a spend of `amount` cents. Adds run one at a time, in call order: a read-modify-write
   * that awaits between its read and its write would otherwise let a concurrent add read the same
   * total, and one of the two updates would be lost.
   */
  async add(amount) {
    checkAmount(amount)
    const run = this.#tail.then(async () => {
      const current = await this.#store.read()
      await this.#store.write(current + amount)
    })
    // A failed add must not wedge the queue: the next one runs either way.
    this.#tail = run.catch(() => {})
    return run
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

function ioHop() {
  return new Promise((resolve) => setImmediate(resolve))
}
