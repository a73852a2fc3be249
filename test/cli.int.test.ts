// The CLI as a user runs it: a real `node` process on real directories, real exit codes.
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes, randomInt } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import type { Report } from '../src/engine/types.ts'

const CLI = join(import.meta.dirname, '..', 'src', 'bin', 'quorum.ts')
const root = mkdtempSync(join(tmpdir(), 'quorum cli ünï-'))
after(() => spawnSync('rm', ['-rf', root]))

/** A directory with the given files (path -> content). */
function tree(name: string, files: Record<string, string>): string {
  const dir = join(root, name)
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
  mkdirSync(dir, { recursive: true })
  return dir
}

function quorum(args: string[], env: Record<string, string> = {}, cwd = root, timeout = 120_000) {
  const tmp = mkdtempSync(join(root, 'tmp-'))
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, TMPDIR: tmp, NO_COLOR: '1', XDG_CACHE_HOME: join(root, 'xdg'), ...env },
    timeout,
    // SIGTERM would only ask the CLI to stop its runs; a CLI that hangs must still end.
    killSignal: 'SIGKILL',
  })
  return { ...result, tmp }
}

function readReport(path: string): Report {
  return JSON.parse(readFileSync(path, 'utf8')) as Report
}

/**
 * Polls `ready` every 50 ms until it holds: how a test learns that the CLI got somewhere, never a
 * fixed delay. Fails if the CLI exits first, or after a deadline meant for a loaded machine.
 */
async function waitFor(
  what: string,
  ready: () => boolean,
  child: ChildProcess,
  stderr: () => string,
) {
  const deadline = Date.now() + 120_000
  while (!ready()) {
    if (child.exitCode !== null || child.signalCode !== null) {
      assert.fail(
        `the CLI exited (${child.exitCode ?? child.signalCode}) before ${what}: ${stderr()}`,
      )
    }
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}: ${stderr()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('bad usage and bad config exit 2 with one line and no stack', () => {
  const candidate = tree('cand-usage', { 'a.txt': 'a' })
  const cases: Array<[string, string, RegExp]> = [
    ['unknown key', 'checks:\n  - name: t\n    comand: "true"\n', /bad\.yml:3:5: .*comand/],
    ['missing command', 'checks:\n  - name: t\n    timeout_s: 5\n', /bad\.yml:2:\d+: .*command/],
    [
      'non-positive timeout',
      'checks:\n  - name: t\n    command: "true"\n    timeout_s: 0\n',
      /bad\.yml:4:\d+: .*timeout_s/,
    ],
    [
      'duplicate names',
      'checks:\n  - name: t\n    command: a\n  - name: t\n    command: b\n',
      /bad\.yml:4:\d+: .*t/,
    ],
    ['YAML syntax', 'checks:\n  - name: "t\n    command: x\n', /bad\.yml:\d+:\d+: /],
  ]
  for (const [what, yaml, pattern] of cases) {
    test(what, () => {
      const config = join(root, `bad-${what.replaceAll(' ', '-')}`, 'bad.yml')
      mkdirSync(join(config, '..'), { recursive: true })
      writeFileSync(config, yaml)
      const r = quorum(['verify', '--candidate', candidate, '--config', config])
      assert.equal(r.status, 2, r.stderr)
      const lines = r.stderr.trim().split('\n')
      assert.equal(lines.length, 1, r.stderr)
      assert.match(lines[0]!, pattern)
      assert.doesNotMatch(r.stderr, /\n\s+at /)
    })
  }
  test('a candidate directory that does not exist', () => {
    const r = quorum(['verify', '--candidate', join(root, 'nope'), '--config', join(root, 'x.yml')])
    assert.equal(r.status, 2)
    assert.match(r.stderr.trim(), /^quorum: --candidate .*nope: no such directory$/)
  })
  test('an unknown option', () => {
    const r = quorum(['verify', '--candidat', candidate])
    assert.equal(r.status, 2)
    assert.match(r.stderr, /candidat/)
  })
  test('scored without a baseline', () => {
    const r = quorum(['scored', '--candidate', candidate])
    assert.equal(r.status, 2)
    assert.match(r.stderr, /--baseline/)
  })
})

describe('verdicts', () => {
  const config = join(
    tree('cfg-verdicts', {
      'quorum.yml': [
        'checks:',
        '  - name: has_feature',
        '    command: "test -f feature.txt"',
        '    timeout_s: 30',
        '  - name: score',
        '    command: "echo passed=$(cat score.txt)"',
        '    timeout_s: 30',
        '    score_from: passed',
        '',
      ].join('\n'),
    }),
    'quorum.yml',
  )
  const live = tree('live', { 'score.txt': '1' })
  const better = tree('better', { 'score.txt': '2', 'feature.txt': 'yes' })

  test('verify allows a candidate where every check passes, and exits 0', () => {
    const json = join(root, 'allow.json')
    const r = quorum(['verify', '--candidate', better, '--config', config, '--json', json])
    assert.equal(r.status, 0, r.stderr + r.stdout)
    const report = readReport(json)
    assert.equal(report.verdict, 'allow')
    assert.deepEqual(
      report.checks.map((c) => [c.name, c.candidate.outcome]),
      [
        ['has_feature', 'PASSED'],
        ['score', 'PASSED'],
      ],
    )
    assert.equal(report.checks[1]!.candidate.score, 2)
  })

  test('verify blocks and names the failing check, exit 1', () => {
    const json = join(root, 'block.json')
    const r = quorum(['verify', '--candidate', live, '--config', config, '--json', json])
    assert.equal(r.status, 1, r.stderr)
    const report = readReport(json)
    assert.equal(report.verdict, 'block')
    assert.equal(report.checks[0]!.candidate.outcome, 'FAILED')
    assert.ok(
      report.reasons.some((reason) => reason.includes('has_feature')),
      report.reasons.join('\n'),
    )
    assert.match(r.stdout, /has_feature/)
  })

  test('scored allows a strict improvement and blocks the reverse', () => {
    const up = quorum([
      'scored',
      '--candidate',
      better,
      '--baseline',
      live,
      '--config',
      config,
      '--json',
      '-',
    ])
    assert.equal(up.status, 0, up.stderr)
    const report = JSON.parse(up.stdout) as Report
    assert.equal(report.mode, 'scored')
    assert.equal(report.checks[1]!.baseline?.score, 1)
    assert.equal(report.checks[1]!.score_delta, 1)
    const down = quorum(['scored', '--candidate', live, '--baseline', better, '--config', config])
    assert.equal(down.status, 1, down.stderr)
  })

  test('--promote copies an allowed candidate over live, deletions included', () => {
    const target = tree('promote-live', { 'score.txt': '0', 'stale.txt': 'old' })
    const r = quorum([
      'verify',
      '--candidate',
      better,
      '--config',
      config,
      '--promote',
      '--live',
      target,
    ])
    assert.equal(r.status, 0, r.stderr)
    assert.equal(readFileSync(join(target, 'feature.txt'), 'utf8'), 'yes')
    assert.equal(existsSync(join(target, 'stale.txt')), false)
    const blocked = tree('promote-blocked', { 'score.txt': '0' })
    const r2 = quorum([
      'verify',
      '--candidate',
      live,
      '--config',
      config,
      '--promote',
      '--live',
      blocked,
    ])
    assert.equal(r2.status, 1)
    assert.equal(readFileSync(join(blocked, 'score.txt'), 'utf8'), '0')
  })
})

test('secrets in the parent environment never reach a check', () => {
  const config = join(
    tree('cfg-env', {
      'quorum.yml': 'checks:\n  - name: env\n    command: "env | sort"\n    timeout_s: 30\n',
    }),
    'quorum.yml',
  )
  const candidate = tree('cand-env', { 'x.txt': 'x' })
  const json = join(root, 'env.json')
  const r = quorum(['verify', '--candidate', candidate, '--config', config, '--json', json], {
    GITHUB_TOKEN: 'ghs_secret_token_value',
    INPUT_TOKEN: 'input_secret',
    ACTIONS_RUNTIME_TOKEN: 'runtime_secret',
    MY_API_KEY: 'user_secret',
  })
  assert.equal(r.status, 0, r.stderr)
  const output = readReport(json).checks[0]!.candidate.output
  const seen = output.head + output.tail
  assert.match(seen, /QUORUM_SEED=/)
  for (const secret of [
    'ghs_secret_token_value',
    'input_secret',
    'runtime_secret',
    'user_secret',
  ]) {
    assert.ok(!seen.includes(secret), `${secret} leaked into the check's environment`)
  }
})

test('Ctrl-C stops every run, removes the sandboxes and exits 130', async () => {
  // Unique to this run of the test, so that pgrep finds no other run's sleeper.
  const SLEEP = `3071.${randomInt(1000, 10_000)}`
  const config = join(
    tree('cfg-int', {
      'quorum.yml': `checks:\n  - name: sleeper\n    command: "exec sleep ${SLEEP}"\n    timeout_s: 600\n`,
    }),
    'quorum.yml',
  )
  const candidate = tree('cand-int', { 'x.txt': 'x' })
  const tmp = mkdtempSync(join(root, 'tmp-int-'))
  const child = spawn(
    process.execPath,
    [CLI, 'verify', '--candidate', candidate, '--config', config],
    {
      env: { ...process.env, TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  // Inside a pid namespace $$ is not the host's pid, and a check can write nothing the host
  // sees: look the sleeper up by its unique argv.
  const sleepers = () =>
    spawnSync('pgrep', ['-f', `sleep ${SLEEP}`], { encoding: 'utf8' }).stdout.trim()
  await waitFor(
    'the check to start',
    () => sleepers() !== '',
    child,
    () => stderr,
  )
  child.kill('SIGINT')
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  assert.equal(code, 130, stderr)
  assert.match(stderr, /interrupted/)
  assert.equal(sleepers(), '', 'the check process outlived the gate')
  const left = readdirSync(tmp).filter((name) => !name.endsWith('-logs'))
  assert.deepEqual(left, [], 'sandbox directories were left behind')
})

describe('found in review', () => {
  const candidate = tree('cand-review', { 'x.txt': 'x' })

  test('a broken functions module is a config error: one line, exit 2', () => {
    for (const [name, source] of [
      ['missing.mjs', null],
      ['syntax.mjs', 'export default [ {'],
      ['dupes.mjs', 'export default [{name:"a",run(){}},{name:"a",run(){}}]'],
    ] as const) {
      const checks = join(root, 'review-modules', name)
      mkdirSync(join(checks, '..'), { recursive: true })
      if (source !== null) writeFileSync(checks, source)
      const r = quorum(['verify', '--candidate', candidate, '--checks', checks])
      if (source === null) {
        assert.equal(r.status, 2, r.stderr)
        continue
      }
      assert.equal(r.status, 2, `${name}: ${r.stderr}`)
      assert.equal(r.stderr.trim().split('\n').length, 1, `${name}: ${r.stderr}`)
      assert.match(r.stderr, new RegExp(name.replace('.', '\\.')))
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /)
    }
  })

  test('--json - stays valid JSON when promoting; promoting twice over links works', () => {
    const config = join(
      tree('cfg-review', { 'quorum.yml': 'checks:\n  - name: ok\n    command: "true"\n' }),
      'quorum.yml',
    )
    const source = tree('cand-links', { 'a.txt': 'a' })
    spawnSync('ln', ['-s', 'missing-target', join(source, 'dangling')])
    spawnSync('ln', ['-s', 'a.txt', join(source, 'link')])
    const live = join(root, 'live-new', 'nested')
    for (let i = 0; i < 2; i++) {
      const r = quorum([
        'verify',
        '--candidate',
        source,
        '--config',
        config,
        '--json',
        '-',
        '--promote',
        '--live',
        live,
      ])
      assert.equal(r.status, 0, r.stderr)
      assert.equal((JSON.parse(r.stdout) as Report).verdict, 'allow')
      assert.match(r.stderr, /promoted/)
    }
    assert.equal(readFileSync(join(live, 'link'), 'utf8'), 'a')
  })

  test('a --json path that is a directory is refused before anything runs', () => {
    const r = quorum([
      'verify',
      '--candidate',
      candidate,
      '--checks',
      join(root, 'x.mjs'),
      '--json',
      root,
    ])
    assert.equal(r.status, 2)
  })

  test('Ctrl-C while the functions module hangs at import exits promptly', async () => {
    // The module renames its process the moment it is imported: seen from outside (the listing
    // runs in a sandbox with a /proc and a /tmp of its own), that title says the CLI is past
    // installing its signal handlers and the module hangs at import now.
    const title = `quorum-hang-${randomBytes(6).toString('hex')}`
    const checks = join(root, 'review-modules', 'hang.mjs')
    mkdirSync(join(checks, '..'), { recursive: true })
    writeFileSync(
      checks,
      `process.title = ${JSON.stringify(title)}\nwhile (true) {}\nexport default []`,
    )
    const child = spawn(
      process.execPath,
      [CLI, 'verify', '--candidate', candidate, '--checks', checks],
      {
        env: { ...process.env, TMPDIR: mkdtempSync(join(root, 'tmp-hang-')) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    const hanging = () => spawnSync('pgrep', ['-f', title]).status === 0
    await waitFor('the module to hang at import', hanging, child, () => stderr)
    const sent = Date.now()
    child.kill('SIGINT')
    const code = await exited
    assert.equal(code, 130, stderr)
    assert.match(stderr, /interrupted/)
    // The listing's own budget is 30 s; an interrupt must not wait for it.
    assert.doesNotMatch(stderr, /took longer than/)
    assert.ok(Date.now() - sent < 20_000, 'the interrupt waited for the module to time out')
    assert.equal(hanging(), false, 'the module outlived the CLI')
  })
})

describe('files read from a tree stay in that tree', () => {
  const SECRET = 'ghs_secretCliTokenAAAAAAAAAAAAAAAAAAAAAA1'
  const outside = tree('outside-secrets', {
    'runner.env': `GITHUB_TOKEN=${SECRET}\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIK7MDENG\n`,
  })
  const GATE = 'checks:\n  - name: ok\n    command: "true"\n'

  test('a quorum.yml in the candidate that links out of it is refused (exit 2) without quoting the target', () => {
    const candidate = tree('cand-link-out', { 'x.txt': 'x' })
    symlinkSync(join(outside, 'runner.env'), join(candidate, 'quorum.yml'))
    for (const args of [
      ['--config', join(candidate, 'quorum.yml')],
      [], // ./quorum.yml from the working directory, which is the candidate
    ]) {
      const r = quorum(['verify', '--candidate', candidate, ...args], {}, candidate)
      assert.equal(r.status, 2, r.stderr)
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
      assert.match(r.stderr, /quorum\.yml: is a link to a file outside the tree/)
      assert.ok(!r.stderr.includes(SECRET), r.stderr)
      assert.ok(!r.stderr.includes('ghs_'), r.stderr)
      assert.doesNotMatch(r.stderr, /GITHUB_TOKEN|wJalr/)
    }
  })

  test('a checks module named by a tree config may not lead out of the tree either', () => {
    const candidate = tree('cand-functions-out', { 'quorum.yml': 'functions: checks.mjs\n' })
    writeFileSync(join(outside, 'checks.mjs'), 'export default []\n')
    symlinkSync(join(outside, 'checks.mjs'), join(candidate, 'checks.mjs'))
    const r = quorum([
      'verify',
      '--candidate',
      candidate,
      '--config',
      join(candidate, 'quorum.yml'),
    ])
    assert.equal(r.status, 2, r.stderr)
    assert.match(r.stderr, /checks\.mjs: functions: is a link to a file outside the tree/)

    const dotdot = tree('cand-functions-dotdot', {
      'quorum.yml': `functions: ../outside-secrets/checks.mjs\n`,
    })
    const r2 = quorum(['verify', '--candidate', dotdot, '--config', join(dotdot, 'quorum.yml')])
    assert.equal(r2.status, 2, r2.stderr)
    assert.match(r2.stderr, /outside the tree/)
  })

  test('a quorum.yml that is a FIFO is refused at once instead of hanging the gate', () => {
    const candidate = tree('cand-fifo', { 'x.txt': 'x' })
    const made = spawnSync('mkfifo', [join(candidate, 'quorum.yml')])
    assert.equal(made.status, 0, String(made.stderr))
    const r = quorum(
      ['verify', '--candidate', candidate, '--config', join(candidate, 'quorum.yml')],
      {},
      root,
      20_000,
    )
    assert.notEqual(r.error?.message ?? '', 'spawnSync ETIMEDOUT', 'the gate hung on the FIFO')
    assert.equal(r.status, 2, r.stderr)
    assert.match(r.stderr, /quorum\.yml: is a named pipe \(FIFO\), not a regular file/)
  })

  test('a link to another file inside the same tree is followed', () => {
    const candidate = tree('cand-link-in', { 'conf/gate.yml': GATE })
    symlinkSync(join('conf', 'gate.yml'), join(candidate, 'quorum.yml'))
    const r = quorum([
      'verify',
      '--candidate',
      candidate,
      '--config',
      join(candidate, 'quorum.yml'),
    ])
    assert.equal(r.status, 0, r.stderr)
  })

  test("a config outside every tree is the user's own: links are followed, secrets in errors masked", () => {
    const candidate = tree('cand-own-config', { 'x.txt': 'x' })
    const own = tree('own-config', { 'gate.yml': GATE })
    symlinkSync(join(own, 'gate.yml'), join(own, 'quorum.yml'))
    assert.equal(
      quorum(['verify', '--candidate', candidate, '--config', join(own, 'quorum.yml')]).status,
      0,
    )
    // Not a config at all: the error may say what it found, never the secret in it.
    const r = quorum(['verify', '--candidate', candidate, '--config', join(outside, 'runner.env')])
    assert.equal(r.status, 2, r.stderr)
    assert.match(r.stderr, /the top level must be a mapping/)
    assert.ok(!r.stderr.includes(SECRET), r.stderr)
    assert.match(r.stderr, /GITHUB_TOKEN=\*\*\*/)
  })
})

describe('where the logs go', () => {
  const config = join(
    tree('cfg-logs', {
      'quorum.yml':
        'checks:\n  - name: fine\n    command: "echo ok"\n  - name: broken\n    command: "echo nope; exit 4"\n',
    }),
    'quorum.yml',
  )

  test('by default under ./.quorum/logs, only for the runs that did not pass, and the CLI says where', () => {
    const cwd = mkdtempSync(join(root, 'cwd-'))
    const candidate = tree('cand-logs', { 'x.txt': 'x' })
    const r = quorum(['verify', '--candidate', candidate, '--config', config], {}, cwd)
    assert.equal(r.status, 1, r.stderr)
    const runs = readdirSync(join(cwd, '.quorum', 'logs'))
    assert.equal(runs.length, 1)
    const dir = join(cwd, '.quorum', 'logs', runs[0]!)
    assert.deepEqual(readdirSync(dir), ['candidate-broken-1.log'])
    assert.match(r.stderr, new RegExp(`full logs: ${dir.replaceAll('/', '\\/')}`))
    assert.deepEqual(readdirSync(r.tmp), [], 'something was left in TMPDIR')
  })

  test('--keep-logs keeps the passing runs too; a candidate that is the working directory keeps its logs elsewhere', () => {
    const candidate = tree('cand-logs-here', { 'x.txt': 'x' })
    const cache = mkdtempSync(join(root, 'cache-'))
    const r = quorum(
      ['verify', '--candidate', '.', '--config', config, '--keep-logs'],
      { XDG_CACHE_HOME: cache },
      candidate,
    )
    assert.equal(r.status, 1, r.stderr)
    assert.equal(existsSync(join(candidate, '.quorum')), false, 'logs were written into the tree')
    const runs = readdirSync(join(cache, 'quorum', 'logs'))
    assert.equal(runs.length, 1)
    assert.deepEqual(readdirSync(join(cache, 'quorum', 'logs', runs[0]!)).sort(), [
      'candidate-broken-1.log',
      'candidate-fine-1.log',
    ])
  })
})
