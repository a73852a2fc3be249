import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  DEFAULT_SETUP_TIMEOUT_S,
  DEFAULT_TIMEOUT_S,
  configInCode,
  mergeFunctionChecks,
  parseConfig,
} from '../../src/engine/config.ts'
import { ConfigError } from '../../src/engine/errors.ts'
import { DEFAULT_LIMITS, limitsOf, setupLimitsOf } from '../../src/engine/limits.ts'
import type { GateConfig } from '../../src/engine/types.ts'
import { FILE, ONE_CHECK, reject, yaml } from '../support/config-text.ts'

/** What a check without repeats, retries or metrics gets. */
const NO_NOISE = { repeats: 1, retries: 0, metrics: [] }

describe('parseConfig accepts', () => {
  test('the minimal config of the original tool, with every default applied', () => {
    const config = parseConfig(
      yaml('checks:', '  - name: types', '  ', '    command: "npx tsc --noEmit"'),
      FILE,
    )
    assert.deepEqual(config, {
      file: FILE,
      mode: 'pass-fail',
      flaky: 'warn',
      setup: null,
      env_passthrough: [],
      env: {},
      parallel: null,
      functions: null,
      checks: [
        {
          kind: 'shell',
          name: 'types',
          command: 'npx tsc --noEmit',
          timeout_s: DEFAULT_TIMEOUT_S,
          score_from: null,
          env: {},
          repeats: 1,
          retries: 0,
          metrics: [],
          source: { file: FILE, line: 2, column: 11 },
        },
      ],
    })
    assert.equal(DEFAULT_TIMEOUT_S, 300)
  })

  test('every key, with functions resolved against the config directory', () => {
    const config = parseConfig(
      yaml(
        '# yaml-language-server: $schema=./schema/quorum.schema.json',
        'mode: scored',
        'setup:',
        '  command: npm ci',
        '  timeout_s: 900',
        'parallel: 4',
        'env:',
        '  NODE_ENV: test',
        'env_passthrough: [JAVA_HOME, JAVA_HOME, LC_ALL]',
        'functions: ./checks/quorum.checks.mjs',
        'checks:',
        '  - name: unit_tests',
        '    command: "npm test && echo passed=1"',
        '    timeout_s: 120.5',
        '    score_from: passed',
        '    env: { FOO: bar }',
      ),
      FILE,
    )
    assert.deepEqual(config, {
      file: FILE,
      mode: 'scored',
      flaky: 'warn',
      setup: { command: 'npm ci', timeout_s: 900 },
      env_passthrough: ['JAVA_HOME', 'LC_ALL'],
      env: { NODE_ENV: 'test' },
      parallel: 4,
      functions: '/repo/checks/quorum.checks.mjs',
      functions_source: {
        path: '/repo/checks/quorum.checks.mjs',
        location: { file: FILE, line: 10, column: 12 },
      },
      checks: [
        {
          kind: 'shell',
          name: 'unit_tests',
          command: 'npm test && echo passed=1',
          timeout_s: 120.5,
          score_from: 'passed',
          env: { FOO: 'bar' },
          repeats: 1,
          retries: 0,
          metrics: [
            {
              name: 'passed',
              direction: 'higher',
              tolerance: { kind: 'absolute', value: 0 },
              deterministic: false,
              from_score: true,
            },
          ],
          source: { file: FILE, line: 12, column: 11 },
        },
      ],
    })
  })

  test('setup as a plain string gets the default setup budget', () => {
    const config = parseConfig(yaml('setup: npm ci', ...ONE_CHECK), FILE)
    assert.deepEqual(config.setup, { command: 'npm ci', timeout_s: DEFAULT_SETUP_TIMEOUT_S })
    assert.equal(DEFAULT_SETUP_TIMEOUT_S, 600)
  })

  test('unquoted numbers and booleans in env keep the text the user wrote', () => {
    const config = parseConfig(
      yaml('env:', '  VERSION: 1.10', '  MASK: 0x1F', '  CI: true', '  N: 3', ...ONE_CHECK),
      FILE,
    )
    assert.deepEqual(config.env, { VERSION: '1.10', MASK: '0x1F', CI: 'true', N: '3' })
  })

  test('no checks at all when a functions module is named', () => {
    const config = parseConfig(yaml('functions: quorum.checks.mjs'), FILE)
    assert.equal(config.functions, '/repo/quorum.checks.mjs')
    assert.deepEqual(config.checks, [])
  })

  test('anchors and merge keys', () => {
    const config = parseConfig(
      yaml(
        'checks:',
        '  - &base',
        '    name: a',
        '    command: x',
        '    timeout_s: 7',
        '  - <<: *base',
        '    name: b',
      ),
      FILE,
    )
    assert.deepEqual(
      config.checks.map((c) => [c.name, c.timeout_s]),
      [
        ['a', 7],
        ['b', 7],
      ],
    )
  })

  test('a byte order mark and CRLF line endings', () => {
    const config = parseConfig('\uFEFFchecks:\r\n  - name: a\r\n    command: x\r\n', FILE)
    assert.equal(config.checks[0]?.name, 'a')
  })
})

describe('parseConfig rejects, naming file, line, column and key', () => {
  const cases: Array<[string, string, string]> = [
    [
      'a YAML syntax error, at the position YAML reports',
      yaml('checks: [a, b', 'mode: x'),
      'quorum.yml:2:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
    [
      'a top level that is a list',
      yaml('- name: a', '  command: b'),
      'quorum.yml:1:1: the top level must be a mapping of keys (mode, checks, ...), not a list',
    ],
    [
      'a top level that is a scalar',
      yaml('# config', 'npm test'),
      'quorum.yml:2:1: the top level must be a mapping of keys (mode, checks, ...), not "npm test"',
    ],
    [
      'an unknown key in a check, with a suggestion',
      yaml(
        'mode: pass-fail',
        'checks:',
        '  - name: a',
        '    command: x',
        '  - name: b',
        '    comand: y',
      ),
      'quorum.yml:6:5: checks[1].comand: unknown key "comand" (did you mean "command"?)',
    ],
    [
      'an unknown top-level key, with a suggestion',
      yaml(...ONE_CHECK, 'mod: scored'),
      'quorum.yml:4:1: mod: unknown key "mod" (did you mean "mode"?)',
    ],
    [
      'an unknown key far from any allowed one, listing the allowed keys',
      yaml(...ONE_CHECK, 'retries: 3'),
      'quorum.yml:4:1: retries: unknown key "retries" (allowed: mode, flaky, setup, parallel, env, network, pids_max, memory_mb, disk_mb, env_passthrough, read_only_paths, functions, audit, audit_max_files, audit_ignore, vacuous, uncovered, checks)',
    ],
    [
      'an unknown key in setup',
      yaml('setup:', '  command: npm ci', '  timeout: 5', ...ONE_CHECK),
      'quorum.yml:3:3: setup.timeout: unknown key "timeout" (did you mean "timeout_s"?)',
    ],
    [
      'a missing command, at the check',
      yaml('checks:', '  - name: a', '    command: x', '  - name: b', '    timeout_s: 5'),
      'quorum.yml:4:5: checks[1].command: missing required key "command"',
    ],
    [
      'a missing name',
      yaml('checks:', '  - command: x'),
      'quorum.yml:2:5: checks[0].name: missing required key "name"',
    ],
    [
      'a negative timeout',
      yaml(...ONE_CHECK, '    timeout_s: -5'),
      'quorum.yml:4:16: checks[0].timeout_s: must be a positive number of seconds, got -5',
    ],
    [
      'a zero timeout',
      yaml(...ONE_CHECK, '    timeout_s: 0'),
      'quorum.yml:4:16: checks[0].timeout_s: must be a positive number of seconds, got 0',
    ],
    [
      'a timeout that is not a number',
      yaml(...ONE_CHECK, '    timeout_s: 60s'),
      'quorum.yml:4:16: checks[0].timeout_s: must be a positive number of seconds, got "60s"',
    ],
    [
      'an empty timeout, at its key',
      yaml(...ONE_CHECK, '    timeout_s:'),
      'quorum.yml:4:5: checks[0].timeout_s: must be a positive number of seconds, got an empty value',
    ],
    [
      'an infinite timeout',
      yaml(...ONE_CHECK, '    timeout_s: .inf'),
      'quorum.yml:4:16: checks[0].timeout_s: must be a positive number of seconds, got Infinity',
    ],
    [
      'a bad setup timeout',
      yaml('setup: { command: npm ci, timeout_s: -1 }', ...ONE_CHECK),
      'quorum.yml:1:38: setup.timeout_s: must be a positive number of seconds, got -1',
    ],
    [
      'duplicate check names, at the second',
      yaml('checks:', '  - name: lint', '    command: x', '  - name: lint', '    command: y'),
      'quorum.yml:4:11: checks[1].name: duplicate check name "lint" (first used at line 2)',
    ],
    [
      'check names that differ only in case',
      yaml('checks:', '  - name: lint', '    command: x', '  - name: Lint', '    command: y'),
      'quorum.yml:4:11: checks[1].name: check name "Lint" clashes with "lint" at line 2 (names become file names, so case does not tell them apart)',
    ],
    [
      'a bad mode, listing the allowed values',
      yaml('mode: score', ...ONE_CHECK),
      'quorum.yml:1:7: mode: must be one of pass-fail, scored, no-regression; got "score" (did you mean "scored"?)',
    ],
    [
      'a bad mode with no close match',
      yaml('mode: strict', ...ONE_CHECK),
      'quorum.yml:1:7: mode: must be one of pass-fail, scored, no-regression; got "strict"',
    ],
    [
      'a score_from that is not a key name',
      yaml(...ONE_CHECK, '    score_from: "passed="'),
      'quorum.yml:4:17: checks[0].score_from: must be a key name (letters, digits and _, not starting with a digit), got "passed="',
    ],
    [
      'a runner credential in env_passthrough, saying why',
      yaml('env_passthrough: [JAVA_HOME, GITHUB_TOKEN]', ...ONE_CHECK),
      'quorum.yml:1:30: env_passthrough[1]: not allowed: GITHUB_TOKEN is a runner credential or control file',
    ],
    [
      'a runner-owned prefix in env_passthrough, saying why',
      yaml('env_passthrough:', '  - INPUT_TOKEN', ...ONE_CHECK),
      'quorum.yml:2:5: env_passthrough[0]: INPUT_TOKEN is not allowed: INPUT_* variables belong to the runner and the action',
    ],
    [
      'a forbidden key in env, at the key',
      yaml('env:', '  NODE_OPTIONS: --require=./steal.js', ...ONE_CHECK),
      'quorum.yml:2:3: env.NODE_OPTIONS: not allowed: NODE_OPTIONS is a runner credential or control file',
    ],
    [
      'a forbidden key in a check env',
      yaml(...ONE_CHECK, '    env:', '      ACTIONS_RUNTIME_TOKEN: x'),
      'quorum.yml:5:7: checks[0].env.ACTIONS_RUNTIME_TOKEN: ACTIONS_RUNTIME_TOKEN is not allowed: ACTIONS_RUNTIME_* variables belong to the runner and the action',
    ],
    [
      'an env key that is not a variable name',
      yaml('env:', '  "MY VAR": 1', ...ONE_CHECK),
      'quorum.yml:2:3: env["MY VAR"]: "MY VAR" is not a valid environment variable name (letters, digits and _, not starting with a digit)',
    ],
    [
      'an env value that is a list',
      yaml('env:', '  A: [1, 2]', ...ONE_CHECK),
      'quorum.yml:2:6: env.A: must be a string, number or boolean, got a list',
    ],
    [
      'an empty file',
      '',
      'quorum.yml:1:1: the file is empty; it needs a `checks:` list (or `functions:`)',
    ],
    [
      'a file with only comments',
      yaml('# checks: later'),
      'quorum.yml:1:1: the file is empty; it needs a `checks:` list (or `functions:`)',
    ],
    [
      'a tab used for indentation',
      yaml('checks:', '  - name: a', '\tcommand: x'),
      'quorum.yml:3:1: YAML does not allow tabs for indentation; indent with spaces',
    ],
    [
      'a duplicate YAML key, at the second',
      yaml(...ONE_CHECK, '    name: b'),
      'quorum.yml:4:5: checks[0].name: duplicate key "name" (each key may appear once in a mapping)',
    ],
    [
      'a duplicate top-level key',
      yaml('mode: scored', ...ONE_CHECK, 'mode: pass-fail'),
      'quorum.yml:5:1: mode: duplicate key "mode" (each key may appear once in a mapping)',
    ],
    [
      'parallel 0',
      yaml('parallel: 0', ...ONE_CHECK),
      'quorum.yml:1:11: parallel: must be a positive integer, got 0',
    ],
    [
      'a fractional parallel',
      yaml('parallel: 1.5', ...ONE_CHECK),
      'quorum.yml:1:11: parallel: must be a positive integer, got 1.5',
    ],
    [
      'a parallel that is a word',
      yaml('parallel: four', ...ONE_CHECK),
      'quorum.yml:1:11: parallel: must be a positive integer, got "four"',
    ],
    [
      'no checks and no functions',
      yaml('mode: scored'),
      'quorum.yml:1:1: checks: missing required key "checks" (list at least one check, or set functions)',
    ],
    [
      'an empty checks list without functions',
      yaml('mode: scored', 'checks: []'),
      'quorum.yml:2:9: checks: no checks listed; list at least one, or set functions',
    ],
    [
      'a check name that could escape a directory',
      yaml('checks:', '  - name: ../etc', '    command: x'),
      'quorum.yml:2:11: checks[0].name: must start with a letter or digit and contain only letters, digits, "_", "." and "-", got "../etc"',
    ],
    [
      'a check name YAML reads as a number, with a hint',
      yaml('checks:', '  - name: 123', '    command: x'),
      'quorum.yml:2:11: checks[0].name: must be a string, got 123 (quote it if you mean the text "123")',
    ],
    [
      'a blank command',
      yaml('checks:', '  - name: a', '    command: "  "'),
      'quorum.yml:3:14: checks[0].command: must not be empty',
    ],
    [
      'a check written as a bare string',
      yaml('checks:', '  - npm test'),
      'quorum.yml:2:5: checks[0]: expected a mapping, got "npm test"',
    ],
    [
      'a setup that is neither a string nor a mapping',
      yaml('setup: 5', ...ONE_CHECK),
      'quorum.yml:1:8: setup: must be a command line, or a mapping with command, timeout_s and network, got 5',
    ],
    [
      'an unresolved YAML tag',
      yaml('checks: !include checks.yml'),
      'quorum.yml:1:9: invalid YAML: Unresolved tag: !include',
    ],
    [
      'two YAML documents',
      yaml(...ONE_CHECK, '---', 'mode: scored'),
      'quorum.yml:4:1: invalid YAML: Source contains multiple documents; please use YAML.parseAllDocuments()',
    ],
  ]
  for (const [what, text, expected] of cases) {
    test(what, () => assert.equal(reject(text).format(), expected))
  }

  test('the error carries its parts as fields', () => {
    const err = reject(
      yaml('checks:', '  - name: a', '    command: x', '  - name: b', '    comand: y'),
    )
    assert.equal(err.file, 'quorum.yml')
    assert.equal(err.line, 5)
    assert.equal(err.column, 5)
    assert.equal(err.key, 'checks[1].comand')
    assert.equal(err.message, 'unknown key "comand" (did you mean "command"?)')
    assert.equal(String(err), err.format())
  })

  test('the unknown key wins over the missing key it explains', () => {
    // "comand" makes "command" missing too; the suggestion is the useful message.
    const err = reject(yaml('checks:', '  - name: a', '    comand: x'))
    assert.equal(err.key, 'checks[0].comand')
  })

  test('of several problems, the first in the file is reported', () => {
    const err = reject(yaml('mode: strict', 'checks:', '  - name: a', '    timeout_s: 0'))
    assert.equal(err.key, 'mode')
  })

  test('without a display path, messages name the path as given', () => {
    assert.throws(
      () => parseConfig(yaml('mode: strict', ...ONE_CHECK), FILE),
      (err: unknown) =>
        err instanceof ConfigError && err.format().startsWith('/repo/quorum.yml:1:7:'),
    )
  })

  test('a key with a line break is escaped, so the message stays on one line', () => {
    const err = reject(yaml(...ONE_CHECK, '    "a\\nb": 1'))
    assert.equal(
      err.format(),
      'quorum.yml:4:5: checks[0]["a\\nb"]: unknown key "a\\nb" (allowed: name, command, timeout_s, score_from, env, expect, repeats, max_repeats, repeat_time_s, retries, metrics, network, pids_max, memory_mb, disk_mb)',
    )
    assert.ok(!err.format().includes('\n'))
  })

  test('an alias bomb is refused instead of expanded', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]']
    for (let i = 1; i < 8; i++) {
      const refs = Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')
      lines.push(`a${i}: &a${i} [${refs}]`)
    }
    const err = reject(yaml(...lines, ...ONE_CHECK))
    assert.equal(err.line, 1)
    assert.equal(
      err.message,
      'invalid YAML: Excessive alias count indicates a resource exhaustion attack',
    )
  })
})

describe('mergeFunctionChecks', () => {
  const text = yaml(
    'functions: quorum.checks.mjs',
    'checks:',
    '  - name: lint',
    '    command: npm run lint',
  )
  const MODULE = '/repo/quorum.checks.mjs'
  const base = (): GateConfig => parseConfig(text, FILE, { displayPath: 'quorum.yml' })

  test('appends function checks after the shell checks, with default timeouts', () => {
    const config = base()
    const merged = mergeFunctionChecks(
      config,
      [
        { name: 'no_lost_updates', timeout_s: 20 },
        { name: 'trimmer', timeout_s: null },
      ],
      MODULE,
    )
    assert.deepEqual(merged.checks.slice(1), [
      {
        kind: 'function',
        name: 'no_lost_updates',
        timeout_s: 20,
        env: {},
        module: MODULE,
        ...NO_NOISE,
      },
      {
        kind: 'function',
        name: 'trimmer',
        timeout_s: DEFAULT_TIMEOUT_S,
        env: {},
        module: MODULE,
        ...NO_NOISE,
      },
    ])
    assert.equal(merged.checks[0]?.name, 'lint')
    assert.equal(config.checks.length, 1, 'the input config is not changed')
  })

  const rejected: Array<[string, Array<{ name: string; timeout_s: number | null }>, string]> = [
    [
      'a name taken by a shell check, naming its line',
      [{ name: 'lint', timeout_s: 5 }],
      'quorum.yml:1:12: functions: quorum.checks.mjs: function check "lint" has the same name as the shell check "lint" at line 3',
    ],
    [
      'a name repeated in the module',
      [
        { name: 'x', timeout_s: 5 },
        { name: 'X', timeout_s: 5 },
      ],
      'quorum.yml:1:12: functions: quorum.checks.mjs: function check "X" has the same name as the function check "x" in quorum.checks.mjs',
    ],
    [
      'a non-positive timeout',
      [{ name: 'x', timeout_s: 0 }],
      'quorum.yml:1:12: functions: quorum.checks.mjs: check "x" has timeout_s 0; it must be a positive number of seconds',
    ],
    [
      'a NaN timeout',
      [{ name: 'x', timeout_s: Number.NaN }],
      'quorum.yml:1:12: functions: quorum.checks.mjs: check "x" has timeout_s NaN; it must be a positive number of seconds',
    ],
    [
      'an invalid name',
      [{ name: 'a/b', timeout_s: 1 }],
      'quorum.yml:1:12: functions: quorum.checks.mjs: check #1 has an invalid name "a/b"; names must start with a letter or digit and contain only letters, digits, "_", "." and "-"',
    ],
  ]
  for (const [what, listed, expected] of rejected) {
    test(`rejects ${what}, at the functions key`, () => {
      assert.throws(
        () => mergeFunctionChecks(base(), listed, MODULE),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError)
          assert.equal(err.format(), expected)
          return true
        },
      )
    })
  }

  test('rejects a module with no checks when the config lists none either', () => {
    const config = parseConfig(yaml('functions: quorum.checks.mjs'), FILE, {
      displayPath: 'quorum.yml',
    })
    assert.throws(() => mergeFunctionChecks(config, [], MODULE), {
      line: 1,
      key: 'functions',
      message: 'quorum.checks.mjs exports no checks, and no shell checks are listed',
    })
  })

  test('a copy of the checks keeps their lines: the locations are data on each check', () => {
    const parsed = base()
    const config: GateConfig = { ...parsed, checks: parsed.checks.map((check) => ({ ...check })) }
    assert.throws(() => mergeFunctionChecks(config, [{ name: 'lint', timeout_s: 1 }], MODULE), {
      file: 'quorum.yml',
      line: 1,
      key: 'functions',
      message:
        'quorum.checks.mjs: function check "lint" has the same name as the shell check "lint" at line 3',
    })
  })

  test('a config built in code has no line to point at', () => {
    const config: GateConfig = {
      ...configInCode({
        checks: [
          { kind: 'shell', name: 'lint', command: 'x', timeout_s: 1, score_from: null, env: {} },
        ],
      }),
      file: '/x/quorum.yml',
    }
    assert.throws(() => mergeFunctionChecks(config, [{ name: 'lint', timeout_s: 1 }], MODULE), {
      file: '/x/quorum.yml',
      line: 0,
      key: 'functions',
      message:
        'quorum.checks.mjs: function check "lint" has the same name as the shell check "lint"',
    })
  })

  test('a caller that replaces functions keeps the check lines, not the functions line', () => {
    // The CLI's --checks overrides the config's module with `{ ...config, functions }`.
    const config: GateConfig = { ...base(), functions: '/elsewhere/checks.mjs' }
    assert.throws(
      () => mergeFunctionChecks(config, [{ name: 'lint', timeout_s: 1 }], '/elsewhere/checks.mjs'),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError)
        assert.equal(
          err.format(),
          'quorum.yml: functions: checks.mjs: function check "lint" has the same name as the shell check "lint" at line 3',
        )
        return true
      },
    )
  })
})

describe('resource limit keys', () => {
  test('a check inherits the config limits and overrides them key by key', () => {
    const config = parseConfig(
      [
        'network: none',
        'memory_mb: 512',
        'checks:',
        '  - name: a',
        '    command: x',
        '    memory_mb: 64',
        '    disk_mb: 8',
        '  - name: b',
        '    command: y',
        '    network: host',
      ].join('\n'),
      '/w/quorum.yml',
    )
    const [a, b] = config.checks
    assert.deepEqual(limitsOf(config, a!), {
      network: 'none',
      pids_max: DEFAULT_LIMITS.pids_max,
      memory_mb: 64,
      disk_mb: 8,
    })
    assert.deepEqual(limitsOf(config, b!), { ...DEFAULT_LIMITS, network: 'host', memory_mb: 512 })
  })

  test('a setup never gets a disk budget and keeps the host network unless told', () => {
    const config = parseConfig(
      'disk_mb: 8\nnetwork: none\nsetup: npm ci\nchecks:\n  - name: a\n    command: x\n',
      '/w/quorum.yml',
    )
    assert.deepEqual(setupLimitsOf(config), {
      ...DEFAULT_LIMITS,
      network: 'host',
      disk_mb: null,
    })
  })

  for (const [what, text, message] of [
    ['a zero pids_max', '    pids_max: 0', 'checks[0].pids_max: must be a positive integer'],
    [
      'a fractional memory_mb',
      '    memory_mb: 1.5',
      'checks[0].memory_mb: must be a positive integer',
    ],
    ['an unknown network', '    network: off', 'checks[0].network: must be none or host'],
  ] as const) {
    test(`${what} is a config error naming the key`, () => {
      assert.throws(
        () => parseConfig(`checks:\n  - name: a\n    command: x\n${text}\n`, '/w/quorum.yml'),
        (error: unknown) => error instanceof ConfigError && error.format().includes(message),
      )
    })
  }
})

describe('repeats, retries, metrics and flaky', () => {
  const bench = (...lines: string[]) =>
    yaml('checks:', '  - name: bench', '    command: node bench.mjs', ...lines)

  test('are read with their defaults, and tolerance forms are told apart', () => {
    const config = parseConfig(
      yaml(
        'mode: no-regression',
        'flaky: block',
        'checks:',
        '  - name: bench',
        '    command: node bench.mjs',
        '    repeats: 9',
        '    retries: 2',
        '    score_from: score',
        '    metrics:',
        '      parse_ms: { direction: lower, tolerance: 5% }',
        '      heap_mb: { direction: lower, tolerance: 2 }',
        '      size_kb: { direction: lower, tolerance: "0.5", deterministic: true }',
        '  - name: plain',
        '    command: "true"',
      ),
      FILE,
    )
    assert.equal(config.mode, 'no-regression')
    assert.equal(config.flaky, 'block')
    const [b, plain] = config.checks
    assert.equal(b!.repeats, 9)
    assert.equal(b!.retries, 2)
    assert.deepEqual(b!.metrics, [
      {
        name: 'score',
        direction: 'higher',
        tolerance: { kind: 'absolute', value: 0 },
        deterministic: false,
        from_score: true,
      },
      {
        name: 'parse_ms',
        direction: 'lower',
        tolerance: { kind: 'relative', fraction: 0.05 },
        deterministic: false,
      },
      {
        name: 'heap_mb',
        direction: 'lower',
        tolerance: { kind: 'absolute', value: 2 },
        deterministic: false,
      },
      {
        name: 'size_kb',
        direction: 'lower',
        tolerance: { kind: 'absolute', value: 0.5 },
        deterministic: true,
      },
    ])
    assert.deepEqual([plain!.repeats, plain!.retries, plain!.metrics], [1, 0, []])
    assert.equal(parseConfig(yaml(...ONE_CHECK), FILE).flaky, 'warn')
  })

  test('repeats: auto, max_repeats, repeat_time_s and a cpu metric are read as written', () => {
    const [auto, bounded, fixed] = parseConfig(
      yaml(
        'checks:',
        '  - name: auto',
        '    command: node bench.mjs',
        '    repeats: auto',
        '    metrics:',
        '      cpu_ms: { direction: lower, tolerance: 10%, source: cpu }',
        '  - name: bounded',
        '    command: node bench.mjs',
        '    repeats: 5',
        '    max_repeats: 20',
        '    repeat_time_s: 60',
        '  - name: fixed',
        '    command: node bench.mjs',
        '    repeats: 7',
        '    max_repeats: 7',
      ),
      FILE,
    ).checks
    assert.deepEqual([auto!.repeats, auto!.max_repeats, auto!.repeat_time_s], [9, 45, undefined])
    assert.equal(auto!.metrics![0]!.source, 'cpu')
    assert.deepEqual([bounded!.repeats, bounded!.max_repeats, bounded!.repeat_time_s], [5, 20, 60])
    // max_repeats equal to repeats: nothing to add, so not adaptive.
    assert.deepEqual([fixed!.repeats, fixed!.max_repeats], [7, undefined])
  })

  const bad: Array<[string, string, string]> = [
    [
      'repeats: 0',
      bench('    repeats: 0'),
      'quorum.yml:4:14: checks[0].repeats: must be a positive integer (1 = run once per tree), got 0',
    ],
    [
      'a negative retries',
      bench('    retries: -1'),
      'quorum.yml:4:14: checks[0].retries: must be a whole number, 0 or more, got -1',
    ],
    [
      'tolerance abc',
      bench('    metrics:', '      t: { direction: lower, tolerance: abc }'),
      'quorum.yml:5:41: checks[0].metrics.t.tolerance: must be a percentage such as "5%" (relative) or a number such as 2 (absolute, in the metric\'s unit), not negative, got "abc"',
    ],
    [
      'a negative tolerance',
      bench('    metrics:', '      t: { direction: lower, tolerance: -5% }'),
      'quorum.yml:5:41: checks[0].metrics.t.tolerance: must be a percentage such as "5%" (relative) or a number such as 2 (absolute, in the metric\'s unit), not negative, got "-5%"',
    ],
    [
      'an unknown direction',
      bench('    metrics:', '      t: { direction: down }'),
      'quorum.yml:5:23: checks[0].metrics.t.direction: must be higher or lower (which way is better)',
    ],
    [
      'a metric name that cannot be printed as name=<number>',
      bench('    metrics:', '      "parse ms": { direction: lower }'),
      'quorum.yml:5:7: checks[0].metrics["parse ms"]: "parse ms" is not a valid metric name (letters, digits and _, not starting with a digit)',
    ],
    [
      'max_repeats below repeats',
      bench('    repeats: 9', '    max_repeats: 5'),
      'quorum.yml:5:18: checks[0].max_repeats: must be at least repeats (9)',
    ],
    [
      'repeats: sometimes',
      bench('    repeats: sometimes'),
      'quorum.yml:4:14: checks[0].repeats: must be a positive integer or auto',
    ],
    [
      'a cpu metric declared deterministic',
      bench('    metrics:', '      cpu_ms: { direction: lower, source: cpu, deterministic: true }'),
      'quorum.yml:5:15: checks[0].metrics.cpu_ms: a cpu metric cannot be deterministic: CPU time varies between runs',
    ],
    [
      'a metric source that does not exist',
      bench('    metrics:', '      t: { direction: lower, source: wall }'),
      'quorum.yml:5:38: checks[0].metrics.t.source: must be stdout or cpu',
    ],
    [
      'flaky: maybe',
      yaml('flaky: maybe', ...ONE_CHECK),
      'quorum.yml:1:8: flaky: must be warn or block',
    ],
  ]
  for (const [what, text, message] of bad) {
    test(`rejects ${what}`, () => {
      assert.equal(reject(text).format(), message)
    })
  }

  test('function checks may declare them too, validated with the module named', () => {
    const base = configInCode({ functions: '/repo/checks.mjs' })
    const merged = mergeFunctionChecks(
      base,
      [
        {
          name: 'f',
          timeout_s: null,
          repeats: 3,
          metrics: { ops: { direction: 'higher', tolerance: '10%' } },
        },
      ],
      '/repo/checks.mjs',
    )
    assert.equal(merged.checks[0]!.repeats, 3)
    assert.deepEqual(merged.checks[0]!.metrics?.[0]?.tolerance, { kind: 'relative', fraction: 0.1 })
    assert.throws(
      () =>
        mergeFunctionChecks(
          base,
          [{ name: 'f', timeout_s: null, retries: -2 }],
          '/repo/checks.mjs',
        ),
      /checks\.mjs: check "f": retries must be a whole number, 0 or more/,
    )
  })
})
