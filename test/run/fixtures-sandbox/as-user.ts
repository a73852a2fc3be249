/**
 * Runs a small overlay scenario as whoever starts it, and prints what it saw as one JSON line.
 * sandbox.test.ts starts it as an unprivileged user (setpriv --reuid=nobody), because the
 * user-namespace path of the overlay sandbox only runs when the judge is not root.
 *
 * Usage: node as-user.ts <base dir owned by this user>
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createSandboxProvider, detectSandbox, runInSandbox } from '../../../src/run/sandbox.ts'

const base = process.argv[2]
if (!base) throw new Error('usage: as-user.ts <base dir>')

const detection = await detectSandbox(base, 'auto')
const source = join(base, 'tree with spaces é')
await mkdir(join(source, 'sub'), { recursive: true })
await writeFile(join(source, 'a.txt'), 'original\n')
await writeFile(join(source, 'sub', 'b.txt'), 'b\n')

const provider = createSandboxProvider({
  kind: detection.kind,
  dir: join(base, 'sandboxes'),
  userns: detection.userns,
})
const tree = provider.prepare(source)
const setup = await provider.enter(tree)
const setupRun = await runInSandbox(setup, [
  '/bin/sh',
  '-c',
  'echo built > built.txt && rm sub/b.txt && mkdir -p "$HOME/.tool" && echo t > "$HOME/.tool/x"',
])
const prepared = await setup.seal()

const first = await provider.enter(prepared)
const run1 = await runInSandbox(first, [
  '/bin/sh',
  '-c',
  'id -u; cat built.txt; test ! -e sub/b.txt && echo b-gone; cat "$HOME/.tool/x"; ' +
    'echo changed > a.txt; echo new > new.txt; rm built.txt; ' +
    'mkdir ro && echo x > ro/f && chmod 555 ro; kill -SEGV $$',
])
await first.remove()

const second = await provider.enter(prepared)
const run2 = await runInSandbox(second, ['/bin/sh', '-c', 'cat a.txt built.txt; ls'])
await second.remove()
await provider.dispose()

console.log(
  JSON.stringify({
    detection,
    uid: process.getuid?.(),
    setupCode: setupRun.code,
    run1: { code: run1.code, signal: run1.signal, stdout: run1.stdout, stderr: run1.stderr },
    run2: { code: run2.code, stdout: run2.stdout },
    sourceA: await readFile(join(source, 'a.txt'), 'utf8'),
    sourceFiles: (await readdir(source)).sort(),
    sourceSub: (await readdir(join(source, 'sub'))).sort(),
    leftovers: await readdir(base),
  }),
)
