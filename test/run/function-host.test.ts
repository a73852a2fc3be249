// Function checks through the real host: a child `node` per run, the verdict over fd 3 only.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { classifyFunctionRun } from '../../src/engine/outcome.ts'
import { buildChildEnv } from '../../src/run/env.ts'
import { hostMain } from '../../src/run/function-host.ts'
import { listFunctionChecks } from '../../src/run/function-list.ts'
import { functionHostArgv, listHostArgv, spawnBounded } from '../../src/run/process.ts'

const root = mkdtempSync(join(tmpdir(), 'quorum host-'))
// Both the checks module and the tree live under paths with spaces and non-ASCII letters.
const modules = join(root, 'x y', 'ünï')
const tree = join(root, 'tree ü')
mkdirSync(modules, { recursive: true })
mkdirSync(tree, { recursive: true })
after(() => spawnSync('rm', ['-rf', root]))

/**
 * Scheduling slack on a shared 2-core machine under load, where a dozen hosts start at once
 * here; never a performance claim. Each bound it is in stays below what the broken behaviour
 * would take (a hang, or the run's own budget).
 */
const SLACK_MS = 15_000

function writeModule(file: string, source: string): string {
  const path = join(modules, file)
  writeFileSync(path, source)
  return path
}

function childEnv(check: string) {
  return buildChildEnv({
    parent: { PATH: process.env.PATH, GITHUB_TOKEN: 'ghs_secret' },
    passthrough: [],
    env: {},
    home: tree,
    tmp: tree,
    seed: 'seed-7',
    tree: 'candidate',
    check,
  })
}

/** Runs one check of a module through the host, as a sandbox would. */
async function runCheck(modulePath: string, checkName: string, timeoutMs = 20_000) {
  const started = performance.now()
  const r = await spawnBounded({
    argv: functionHostArgv({
      modulePath,
      checkName,
      root: tree,
      seed: 'seed-7',
      tree: 'candidate',
    }),
    cwd: tree,
    env: childEnv(checkName),
    timeoutMs,
    graceMs: 500,
    logPath: join(root, `${checkName}.log`),
    channel: true,
  })
  return { r, c: classifyFunctionRun(r, { timeoutMs }), ms: performance.now() - started }
}

const CHECKS = writeModule(
  'checks.mjs',
  `
import { readFileSync, writeSync } from 'node:fs'

export default [
  {
    name: 'context',
    timeout_s: 3,
    async run(ctx) {
      const seen = { ...ctx, cwd: process.cwd(), seedEnv: process.env.QUORUM_SEED, token: process.env.GITHUB_TOKEN ?? null, self: this.name }
      return { passed: true, reason: JSON.stringify(seen), score: 2 }
    },
  },
  { name: 'array', run: () => [false, 'lost 3 of 4', 0.25] },
  { name: 'boolean', run: () => true },
  { name: 'hard_exit', run: () => { console.log('passed=1 all good'); process.exit(0) } },
  { name: 'throws', async run() { await null; throw new RangeError('amount must be positive') } },
  { name: 'throws_string', run() { throw 'oops' } },
  { name: 'returns_string', run: () => 'yes' },
  { name: 'returns_nothing', run() {} },
  { name: 'returns_bigint', run: () => ({ passed: true, score: 10n }) },
  { name: 'returns_circular', run() { const o = { passed: true }; o.self = o; return o } },
  { name: 'returns_nan_score', run: () => ({ passed: true, score: NaN }) },
  { name: 'never_settles', run: () => new Promise(() => {}) },
  { name: 'loops', run() { for (;;) {} } },
  { name: 'segfaults', run() { process.kill(process.pid, 'SIGSEGV') } },
  {
    name: 'forges',
    run() {
      // Everything a candidate can easily try: read the nonce, write a verdict to fd 3 and to
      // stdout, exit 0.
      const stolen = readFileSync(0, 'utf8').trim()
      const fake = JSON.stringify({ nonce: stolen, type: 'return', value: true })
      writeSync(3, fake + '\\n')
      console.log(fake)
      process.exit(0)
    },
  },
  {
    name: 'sabotages_host',
    async run() {
      // Replaces what the host would use to report, then fails honestly.
      const fs = (await import('node:fs')).default
      fs.writeSync = () => 0
      process.exit = () => {}
      JSON.stringify = () => '{"passed":true}'
      Object.prototype.toJSON = function () { return { type: 'return', nonce: this.nonce, value: true } }
      return false
    },
  },
]
`,
)

describe('the function host', { concurrency: true }, () => {
  test('calls run({ root, seed, tree }) in the tree, with the run environment', async () => {
    const { c } = await runCheck(CHECKS, 'context')
    assert.equal(c.outcome, 'PASSED')
    assert.equal(c.score, 2)
    assert.deepEqual(JSON.parse(c.reason), {
      root: tree,
      seed: 'seed-7',
      tree: 'candidate',
      cwd: tree,
      seedEnv: 'seed-7',
      token: null,
      self: 'context',
    })
  })

  test('an array and a boolean are verdicts too', async () => {
    assert.deepEqual((await runCheck(CHECKS, 'array')).c, {
      outcome: 'FAILED',
      reason: 'lost 3 of 4',
      score: 0.25,
    })
    assert.deepEqual((await runCheck(CHECKS, 'boolean')).c, {
      outcome: 'PASSED',
      reason: 'returned true',
      score: 1,
    })
  })

  test('a hard process.exit(0) mid-check is CRASHED, not PASSED', async () => {
    const { r, c } = await runCheck(CHECKS, 'hard_exit')
    assert.equal(r.exitCode, 0)
    assert.deepEqual(c, {
      outcome: 'CRASHED',
      reason: 'exited (code 0) without delivering a verdict',
      score: null,
    })
  })

  test('a throw is ERROR with the message, and the stack goes to the log', async () => {
    const { r, c } = await runCheck(CHECKS, 'throws')
    assert.deepEqual(c, {
      outcome: 'ERROR',
      reason: 'threw RangeError: amount must be positive',
      score: null,
    })
    assert.match(
      readFileSync(r.output.log_path!, 'utf8'),
      /RangeError: amount must be positive\n\s+at /,
    )
    assert.equal((await runCheck(CHECKS, 'throws_string')).c.reason, 'threw: oops')
  })

  const badReturns: Array<[string, RegExp]> = [
    ['returns_string', /^returned the string "yes"; a check must return/],
    ['returns_nothing', /^returned undefined$/],
    ['returns_bigint', /^returned a value that cannot be sent back as JSON \(TypeError: .*BigInt/],
    [
      'returns_circular',
      /^returned a value that cannot be sent back as JSON \(TypeError: .*circular/,
    ],
    ['returns_nan_score', /score = the string "NaN"; score must be a finite number/],
  ]
  for (const [name, pattern] of badReturns) {
    test(`a bad return value is ERROR: ${name}`, async () => {
      const { c } = await runCheck(CHECKS, name)
      assert.equal(c.outcome, 'ERROR')
      assert.match(c.reason, pattern)
    })
  }

  test('a promise that can never settle is CRASHED at once, not a wait for the budget', async () => {
    // A budget well above the slack: waiting for it would show.
    const { c, ms } = await runCheck(CHECKS, 'never_settles', 60_000)
    assert.equal(c.outcome, 'CRASHED')
    assert.match(c.reason, /never finished/)
    assert.ok(ms < SLACK_MS, `took ${ms} ms`)
  })

  test('an infinite loop is TIMEOUT within budget and grace', async () => {
    const { c, ms } = await runCheck(CHECKS, 'loops', 1000)
    assert.deepEqual(c, {
      outcome: 'TIMEOUT',
      reason: 'exceeded its 1 s budget and was killed',
      score: null,
    })
    assert.ok(ms < 1000 + 500 + SLACK_MS, `took ${ms} ms`)
  })

  test('a segfault is CRASHED with SIGSEGV', async () => {
    const { c } = await runCheck(CHECKS, 'segfaults')
    assert.deepEqual(c, {
      outcome: 'CRASHED',
      reason: 'killed by SIGSEGV (segmentation fault)',
      score: null,
    })
  })

  test('a verdict forged on fd 3 and stdout is not taken', async () => {
    const { r, c } = await runCheck(CHECKS, 'forges')
    assert.match(r.output.head, /"value":true/)
    assert.equal(c.outcome, 'CRASHED')
    assert.match(
      c.reason,
      /without delivering a verdict \(1 message on the verdict channel did not come from the host/,
    )
  })

  test('replacing fs.writeSync, process.exit, JSON.stringify or toJSON does not forge a pass', async () => {
    const { c } = await runCheck(CHECKS, 'sabotages_host')
    assert.equal(c.outcome, 'FAILED', c.reason)
  })

  test('a TypeScript module with `export const checks` works, types stripped by Node', async () => {
    const path = writeModule(
      'checks ts.ts',
      `interface Ctx { root: string }
export const checks: Array<{ name: string; run(ctx: Ctx): { passed: boolean; reason: string } }> = [
  { name: 'typed', run: (ctx: Ctx) => ({ passed: true, reason: 'root ' + ctx.root }) },
]
`,
    )
    assert.deepEqual((await runCheck(path, 'typed')).c, {
      outcome: 'PASSED',
      reason: `root ${tree}`,
      score: 1,
    })
  })

  test('a check name the module does not have, or a module that is missing, is ERROR', async () => {
    const { c } = await runCheck(CHECKS, 'nope')
    assert.equal(c.outcome, 'ERROR')
    assert.match(
      c.reason,
      /checks module .*checks\.mjs: has no check named "nope" \(it has: context, array/,
    )
    const missing = await runCheck(join(modules, 'missing.mjs'), 'x')
    assert.equal(missing.c.outcome, 'ERROR')
    assert.match(missing.c.reason, /missing\.mjs: does not exist$/)
  })

  test('the host is self-contained source: no file next to the bundle, no import() a bundler could rewrite', () => {
    const argv = functionHostArgv({
      modulePath: CHECKS,
      checkName: 'x',
      root: tree,
      seed: 's',
      tree: 'baseline',
    })
    assert.equal(argv[0], process.execPath)
    const source = argv[argv.indexOf('-e') + 1]!
    assert.ok(source.startsWith('(async function hostMain('))
    assert.deepEqual(argv.slice(argv.indexOf('--')), [
      '--',
      'run',
      CHECKS,
      'x',
      tree,
      's',
      'baseline',
    ])
    assert.doesNotMatch(hostMain.toString(), /\bimport\s*\(|\brequire\s*\(/)
    assert.deepEqual(listHostArgv(CHECKS).slice(-3), ['--', 'list', CHECKS])
  })
})

describe('listFunctionChecks', { concurrency: true }, () => {
  const opts = { cwd: tree, env: childEnv('list') }

  test('lists names and timeouts', async () => {
    const list = await listFunctionChecks(CHECKS, opts)
    assert.deepEqual(list.slice(0, 3), [
      { name: 'context', timeout_s: 3 },
      { name: 'array', timeout_s: null },
      { name: 'boolean', timeout_s: null },
    ])
    assert.equal(list.length, 16)
  })

  const broken: Array<[string, string, RegExp]> = [
    [
      'not an array',
      'export default { name: "a", run() {} }',
      /its default export is an object; it must export an array of checks/,
    ],
    ['no default export', 'export const x = 1', /has no default export; it must export an array/],
    ['an entry without a name', 'export default [{ run() {} }]', /checks\[0\] has no name/],
    [
      'an entry without run',
      'export default [{ name: "a" }]',
      /checks\[0\] \("a"\) has no run function/,
    ],
    [
      'a bad timeout',
      'export default [{ name: "a", timeout_s: -1, run() {} }]',
      /checks\[0\] \("a"\) timeout_s must be a positive number of seconds, not number -1/,
    ],
    [
      'duplicate names',
      'export default [{ name: "a", run() {} }, { name: "a", run() {} }]',
      /duplicate check name "a" \(checks\[0\] and checks\[1\]\)/,
    ],
    [
      'a syntax error',
      'export default [\n  { name: "a" run() {} },\n]',
      /could not be loaded: SyntaxError: .* at .*broken-a-syntax-error\.mjs:2$/,
    ],
    ['a throw at import', 'throw new Error("no config")', /could not be loaded: Error: no config$/],
    [
      'a hard exit at import',
      'process.exit(3)',
      /loading it exited with code 3 without listing its checks/,
    ],
  ]
  for (const [what, source, pattern] of broken) {
    test(`a module with ${what} is a one-line error naming the file`, async () => {
      const path = writeModule(`broken-${what.replaceAll(' ', '-')}.mjs`, source)
      await assert.rejects(listFunctionChecks(path, opts), (err: unknown) => {
        assert.ok(err instanceof Error)
        assert.ok(err.message.startsWith(`functions module ${path}: `), err.message)
        assert.match(err.message, pattern)
        assert.doesNotMatch(err.message, /\n/)
        return true
      })
    })
  }

  test('a module that does not exist is a one-line error naming the file', async () => {
    const path = join(modules, 'nope.mjs')
    await assert.rejects(listFunctionChecks(path, opts), {
      message: `functions module ${path}: does not exist`,
    })
  })

  test('a module that never finishes loading is an error within the timeout', async () => {
    const path = writeModule(
      'hangs.mjs',
      'setInterval(() => {}, 1000); await new Promise(() => {})',
    )
    await assert.rejects(listFunctionChecks(path, { ...opts, timeoutMs: 1000 }), {
      message: `functions module ${path}: loading it took longer than 1 s`,
    })
  })
})
