import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  ConfigError,
  excerpt,
  MAX_EXCERPT_CHARS,
  MAX_MESSAGE_CHARS,
  maskSecrets,
} from '../../src/engine/errors.ts'

describe('maskSecrets', () => {
  test('GitHub tokens of every kind keep their prefix and lose the rest', () => {
    for (const prefix of ['ghp_', 'gho_', 'ghs_', 'ghu_', 'ghr_', 'github_pat_']) {
      const token = `${prefix}AbC123_xyz789`
      assert.equal(maskSecrets(`got "${token}" here`), `got "${prefix}***" here`)
    }
  })

  test('values of NAME=value whose name says secret are masked; others are not', () => {
    const environ = [
      'GITHUB_TOKEN=abc',
      'ACTIONS_RUNTIME_TOKEN=def',
      'AWS_SECRET_ACCESS_KEY=wJalr/XUtn+FEMI',
      'db_password = hunter2',
      'api-key=k',
      'PATH=/usr/bin',
      'HOME=/home/runner',
    ].join('\0')
    assert.equal(
      maskSecrets(environ),
      [
        'GITHUB_TOKEN=***',
        'ACTIONS_RUNTIME_TOKEN=***',
        'AWS_SECRET_ACCESS_KEY=***',
        'db_password = ***',
        'api-key=***',
        'PATH=/usr/bin',
        'HOME=/home/runner',
      ].join('\0'),
    )
  })

  test('credentials in URLs and Authorization headers are masked', () => {
    assert.equal(
      maskSecrets('https://x-access-token:abc@github.com/o/r and http://u@h'),
      'https://***@github.com/o/r and http://***@h',
    )
    assert.equal(maskSecrets('AUTHORIZATION: basic eC1hY2Nlc3M='), 'AUTHORIZATION: basic ***')
  })

  test('ordinary config messages are left alone', () => {
    const message =
      'unknown key "comand" (did you mean "command"?); missing required key "name"; allowed: mode, checks'
    assert.equal(maskSecrets(message), message)
  })
})

describe('excerpt', () => {
  test('never longer than MAX_EXCERPT_CHARS, even when asked for more', () => {
    const long = 'x'.repeat(10_000)
    assert.equal(excerpt(long).length, MAX_EXCERPT_CHARS)
    assert.equal(excerpt(long, 5000).length, MAX_EXCERPT_CHARS)
    assert.equal(excerpt(long, 10), 'xxxxxxx...')
  })

  test('a secret is masked even when the cut would fall inside it', () => {
    const text = `${'a'.repeat(190)} ghs_${'S'.repeat(40)}`
    const out = excerpt(text)
    assert.ok(!out.includes('SSSS'), out)
  })

  test('invisible characters (bidi overrides, zero-width, C1) are replaced', () => {
    assert.equal(excerpt('a\u202eb\u200bc\u0085d'), 'a?b?c?d')
  })
})

describe('ConfigError', () => {
  test('bounds and masks its message and key, whoever built it', () => {
    const err = new ConfigError({
      file: 'quorum.yml',
      key: `env.${'K'.repeat(500)}`,
      message: `could not be loaded: GITHUB_TOKEN=ghs_leak ${'y'.repeat(5000)}`,
    })
    assert.ok(err.message.length <= MAX_MESSAGE_CHARS)
    assert.ok(!err.message.includes('ghs_leak'))
    assert.match(err.message, /GITHUB_TOKEN=\*\*\*/)
    assert.ok(err.key.length <= 120)
    assert.ok(!err.format().includes('\n'))
  })
})

describe('every error Quorum raises on purpose is a QuorumError whose fate decides its report', () => {
  test('the fate of each kind of error', async () => {
    const { QuorumError } = await import('../../src/engine/errors.ts')
    const { GateUsageError } = await import('../../src/gate.ts')
    const { WorkspaceError } = await import('../../src/run/workspace.ts')
    const { CgroupError } = await import('../../src/run/cgroup.ts')
    const { InputError } = await import('../../src/github/action/inputs.ts')
    const { GitError } = await import('../../src/github/gate/git.ts')
    const { stalledError } = await import('../../src/github/action/failures.ts')
    const cases: Array<[InstanceType<typeof QuorumError>, string, string]> = [
      [
        new ConfigError({ file: 'q.yml', line: 2, key: 'mode', message: 'bad' }),
        'config',
        'ConfigError',
      ],
      [new GateUsageError('x'), 'usage', 'GateUsageError'],
      [new WorkspaceError('x'), 'usage', 'WorkspaceError'],
      [new InputError('mode', 'x'), 'usage', 'InputError'],
      [new CgroupError('x', '/sys'), 'environment', 'CgroupError'],
      [new GitError(['fetch'], 1, '', 'exit 1'), 'environment', 'GitError'],
      // A stall is a bug, told in one line without the watchdog's stack (see stalledError).
      [stalledError('x'), 'environment', 'QuorumError'],
    ]
    for (const [error, fate, name] of cases) {
      assert.ok(error instanceof QuorumError, name)
      assert.equal(error.fate, fate, name)
      assert.equal(error.name, name)
    }
    assert.equal(cases[0]![0].describe(), 'q.yml:2: mode: bad')
  })
})
