import { run } from './github/action.ts'

// A cancelled workflow sends SIGINT, then SIGTERM: stop every run and clean up, then exit.
const cancel = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => cancel.abort())
await run(process.env, cancel.signal)
