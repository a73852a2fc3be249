// The published package, as a new user gets it: `npm pack`, install the tarball into a fresh
// project (from the npm cache, offline), then run the README's "Use as a library" example, a
// TypeScript consumer of the shipped declarations and the `quorum` bin from there. Nothing here
// imports ../src: only what is in the tarball is exercised.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'

const repo = join(import.meta.dirname, '..')
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  name: string
  version: string
  dependencies: Record<string, string>
}
const root = mkdtempSync(join(tmpdir(), 'quorum-pkg-'))
const project = join(root, 'project')
after(() => rmSync(root, { recursive: true, force: true }))

/**
 * Upper bounds for the tarball, packed and unpacked (the two ncc bundles are most of it; the
 * action's bundle carries @actions/cache and the Azure storage SDK it uploads with).
 */
const MAX_TARBALL_BYTES = 2_000_000
const MAX_UNPACKED_BYTES = 8_000_000
const NPM_TIMEOUT_MS = 180_000
const RUN_TIMEOUT_MS = 120_000

// When this file runs under `npm test` (or `npm exec`), npm's variables describe this repository
// and the command that started it (local_prefix, call, ...); an npm started from here must see the
// temporary project instead. Kept: where the cache, the config files and the registry are.
const KEPT_NPM_CONFIG =
  /^npm_config_(cache|userconfig|globalconfig|registry|.*:registry|https?_proxy|proxy|no_?proxy|cafile|strict_ssl|\/\/.*)$/i
const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) => !(/^npm_/i.test(key) || key === 'INIT_CWD') || KEPT_NPM_CONFIG.test(key),
  ),
)

interface Ran {
  status: number | null
  stdout: string
  stderr: string
}

function run(command: string, args: string[], cwd: string, timeout = RUN_TIMEOUT_MS): Ran {
  const r = spawnSync(command, args, {
    cwd,
    env,
    encoding: 'utf8',
    timeout,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  })
  if (r.error) throw new Error(`${command} ${args.join(' ')}: ${r.error.message}\n${r.stderr}`)
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

function ok(r: Ran, what: string): string {
  assert.equal(
    r.status,
    0,
    `${what} exited ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`,
  )
  return r.stdout
}

function files(dir: string, contents: Record<string, string>): string {
  for (const [path, content] of Object.entries(contents)) {
    mkdirSync(join(dir, path, '..'), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
  return dir
}

/** The first ```js block of the README's "Use as a library" section, verbatim. */
function readmeLibraryExample(): string {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8')
  const section = readme.split(/^## /m).find((s) => s.startsWith('Use as a library\n'))
  assert.ok(section, 'README.md has a "Use as a library" section')
  const block = /^```js\n([\s\S]*?)^```$/m.exec(section)
  assert.ok(block, 'the "Use as a library" section has a ```js block')
  return block[1]!
}

interface Packed {
  filename: string
  size: number
  unpackedSize: number
  entryCount: number
  files: { path: string; size: number }[]
}
let packed: Packed

before(() => {
  const out = ok(
    run('npm', ['pack', '--json', '--pack-destination', root], repo, NPM_TIMEOUT_MS),
    'npm pack',
  )
  // Lifecycle scripts may print before the JSON; the JSON array is the last thing on stdout.
  packed = (JSON.parse(out.slice(out.indexOf('[\n'))) as Packed[])[0]!
  files(project, {
    'package.json': JSON.stringify({ name: 'fresh', private: true, type: 'module' }),
  })
  const args = [
    'install',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    join(root, packed.filename),
  ]
  let install = run('npm', ['--offline', ...args], project, NPM_TIMEOUT_MS)
  // A cache without one of the runtime dependencies: let npm fetch only what is missing.
  if (install.status !== 0)
    install = run('npm', ['--prefer-offline', ...args], project, NPM_TIMEOUT_MS)
  ok(install, 'npm install <tarball>')
})

test('the tarball ships the built library, the bundles, action.yml and schema, nothing else', () => {
  const paths = packed.files.map((f) => f.path).sort()
  const leaked = paths.filter((p) =>
    /^(src|test|bench|\.ci|scripts|examples|node_modules|\.cache)\//.test(p),
  )
  assert.deepEqual(leaked, [], 'sources, tests, benchmarks and CI stay out of the package')
  for (const required of [
    'package.json',
    'README.md',
    'action.yml',
    'schema/quorum.schema.json',
    'dist/index.js',
    'dist/cli/index.js',
    'dist/lib/index.js',
    'dist/lib/index.d.ts',
  ]) {
    assert.ok(paths.includes(required), `${required} is in the tarball`)
  }
  assert.deepEqual(
    paths.filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts')),
    [],
    'no TypeScript sources (Node does not strip types under node_modules)',
  )
  assert.ok(
    packed.size < MAX_TARBALL_BYTES,
    `tarball is ${packed.size} bytes (${packed.entryCount} files), over ${MAX_TARBALL_BYTES}`,
  )
  assert.ok(
    packed.unpackedSize < MAX_UNPACKED_BYTES,
    `tarball unpacks to ${packed.unpackedSize} bytes, over ${MAX_UNPACKED_BYTES}`,
  )
})

test('installing it pulls in only the library runtime dependencies', () => {
  const installed = JSON.parse(
    readFileSync(join(project, 'node_modules', '.package-lock.json'), 'utf8'),
  ) as {
    packages: Record<string, { dev?: boolean }>
  }
  const names = Object.keys(installed.packages)
    .map((p) => p.replace(/^.*node_modules\//, ''))
    .filter((n) => n !== pkg.name)
  assert.deepEqual(
    names.filter((n) => /^@actions\/|^@octokit\/|^@vercel\/|^typescript/.test(n)),
    [],
    'the action/CLI stack is bundled, not a dependency',
  )
  for (const dep of Object.keys(pkg.dependencies))
    assert.ok(names.includes(dep), `${dep} installed`)
})

test("the README's library example runs from the installed package", () => {
  const example = readmeLibraryExample()
  assert.match(example, new RegExp(`from '${pkg.name}'`), 'it imports the package by name')
  files(project, {
    'example.mjs': example,
    // What the example registers: a shell check (`npm test` in the candidate) and a module of
    // function checks.
    'quorum.checks.mjs': `export default [{ name: 'answer', async run({ root }) {
      const { answer } = await import(root + '/answer.mjs')
      return [answer() === 42, 'answer() returned ' + answer()]
    } }]\n`,
    'candidate/package.json': JSON.stringify({
      name: 'candidate',
      private: true,
      scripts: { test: 'node answer.test.mjs' },
    }),
    'candidate/answer.mjs': 'export const answer = () => 42\n',
    'candidate/answer.test.mjs':
      "import { answer } from './answer.mjs'\nif (answer() !== 42) process.exit(1)\n",
    'live/answer.mjs': 'export const answer = () => 41\n',
  })
  const out = ok(run(process.execPath, ['example.mjs'], project), 'node example.mjs')
  assert.match(out, /^Quorum /m, 'the summary is printed')
  assert.match(out, /^\S+ tests +PASSED /m, 'the shell check ran `npm test` in the candidate')
  assert.match(out, /^\S+ answer +PASSED /m, 'the function check ran from quorum.checks.mjs')
  assert.match(out, /ALLOWED/)
  assert.match(out, /^shipped$/m)
  assert.equal(
    readFileSync(join(project, 'live', 'answer.mjs'), 'utf8'),
    'export const answer = () => 42\n',
    'promote copied the candidate over live',
  )
})

test('a TypeScript consumer type-checks against the shipped declarations', () => {
  files(project, {
    'consumer.ts': `import { Gate, type VerifyReport, type Report } from '${pkg.name}'
const gate: Gate = new Gate({ mode: 'pass-fail', parallel: 1 }).addShell('t', 'true', { timeout_s: 5 })
const report: VerifyReport = await gate.verify('./candidate')
const plain: Report = report
const verdict: 'allow' | 'block' = plain.verdict
const summary: string = report.summary()
// @ts-expect-error: addShell takes a string command
gate.addShell('u', 42)
export { verdict, summary }
`,
  })
  const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc')
  const flags = ['--noEmit', '--strict', '--target', 'es2024', '--module', 'nodenext']
  flags.push('--moduleResolution', 'nodenext', '--types', 'node')
  flags.push('--typeRoots', join(repo, 'node_modules', '@types'), 'consumer.ts')
  ok(run(process.execPath, [tsc, ...flags], project), 'tsc consumer.ts')
})

test('the quorum bin runs from the installed package', () => {
  const npx = (...args: string[]): Ran => run('npx', ['--no-install', 'quorum', ...args], project)
  assert.equal(ok(npx('--version'), 'quorum --version').trim(), pkg.version)
  const tiny = files(join(root, 'tiny'), {
    'quorum.yml': "checks:\n  - name: hello\n    command: 'test -f hello.txt'\n    timeout_s: 30\n",
    'hello.txt': 'hi\n',
  })
  const config = join(tiny, 'quorum.yml')
  const allowed = npx('verify', '--candidate', tiny, '--config', config, '--no-color')
  ok(allowed, 'quorum verify (allowed)')
  assert.match(allowed.stdout, /ALLOWED/)
  rmSync(join(tiny, 'hello.txt'))
  const blocked = npx('verify', '--candidate', tiny, '--config', config, '--no-color')
  assert.equal(blocked.status, 1, `a failing check blocks\n${blocked.stdout}\n${blocked.stderr}`)
  assert.ok(existsSync(config))
  // The reproduce line the reports print, as a reviewer pastes it.
  const reproduce = blocked.stdout.match(/reproduce: (npx quorum-gate verify .*)/)?.[1]
  assert.ok(reproduce, `no reproduce line in\n${blocked.stdout}`)
  const pasted = run('sh', ['-c', `${reproduce} --no-color`], project)
  assert.equal(pasted.status, 1, `the pasted reproduce line\n${pasted.stdout}\n${pasted.stderr}`)
  assert.match(pasted.stdout, /hello .*FAILED/)
})
