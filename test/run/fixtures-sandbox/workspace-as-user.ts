/**
 * A gate's worth of workspace calls as whoever starts it; prints what came back as one JSON line.
 * workspace.test.ts starts it as an unprivileged user, so the user-namespace overlay path is
 * exercised end to end (setup, shell check, function check, dispose).
 *
 * Usage: node workspace-as-user.ts <base dir owned by this user> <checks module>
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createWorkspace } from '../../../src/run/workspace.ts'
import type { CheckSpec } from '../../../src/engine/types.ts'

const [base, checksModule] = process.argv.slice(2)
if (!base || !checksModule)
  throw new Error('usage: workspace-as-user.ts <base dir> <checks module>')

const source = join(base, 'tree')
await mkdir(source, { recursive: true })
await writeFile(join(source, 'a.txt'), 'original\n')

const ws = await createWorkspace({ baseDir: join(base, 'work'), inputTrees: [source] })
const opts = { seed: '42', envPassthrough: [], env: {} }
const { tree, setup } = await ws.prepareTree(
  'candidate',
  source,
  { command: 'echo built > built.txt', timeout_s: 30 },
  opts,
)
const shell: CheckSpec = {
  kind: 'shell',
  name: 'shell',
  command: 'id -u; cat built.txt; echo changed > a.txt; kill -SEGV $$',
  timeout_s: 30,
  env: {},
  score_from: null,
}
const fn: CheckSpec = {
  kind: 'function',
  name: 'sees its own sandbox',
  module: checksModule,
  timeout_s: 30,
  env: {},
}
const results = [await ws.runCheck(tree, shell, opts), await ws.runCheck(tree, fn, opts)]
await ws.dispose()
console.log(
  JSON.stringify({
    uid: process.getuid?.(),
    kind: ws.kind,
    setup: setup?.outcome,
    results: results.map((r) => ({
      outcome: r.outcome,
      reason: r.reason,
      signal: r.signal,
      head: r.output.head,
      sandbox: r.sandbox,
    })),
    source: await readdir(source),
    work: await readdir(join(base, 'work')),
  }),
)
