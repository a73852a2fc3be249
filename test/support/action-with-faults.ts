/**
 * The action's entry (what src/main.ts does) with one dependency of `run` replaced, for
 * end-to-end runs in situations a test machine cannot be put in on demand. Start it with
 * `runAction({ entry: ACTION_WITH_FAULTS, env: { QUORUM_TEST_FAULT: '...' } })`:
 *
 *   no-overlay          detectSandbox answers copy, as on a runner without unprivileged user
 *                       namespaces (Ubuntu 24.04's default); the gate itself is the real one
 *   gate-never-settles  runGate returns a promise nothing will ever settle
 *   gate-throws-later   runGate throws from a timer callback (an uncaught exception), then hangs
 *
 * The variable is read here, in the test's own entry; the action never looks at it.
 */
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { run, type ActionDependencies } from '../../src/github/action.ts'

/** This file, for `runAction({ entry })`. */
export const ACTION_WITH_FAULTS = fileURLToPath(import.meta.url)

function faults(name: string | undefined): Partial<ActionDependencies> {
  switch (name) {
    case 'no-overlay':
      return {
        detectSandbox: async () => ({
          kind: 'copy',
          userns: false,
          privateProc: false,
          reason: 'overlay mount failed (in a user namespace: unshare: Operation not permitted)',
        }),
      }
    case 'gate-never-settles':
      return { runGate: () => new Promise(() => {}) }
    case 'gate-throws-later':
      return {
        runGate: () => {
          setTimeout(() => {
            throw new Error('boom from a callback')
          }, 10)
          return new Promise(() => {})
        },
      }
    default:
      throw new Error(`QUORUM_TEST_FAULT: unknown fault '${name ?? ''}'`)
  }
}

// Only when started as the entry (runAction), not when a test imports ACTION_WITH_FAULTS.
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === ACTION_WITH_FAULTS) {
  const cancel = new AbortController()
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => cancel.abort())
  await run(process.env, cancel.signal, faults(process.env['QUORUM_TEST_FAULT']))
}
