// The audit keys of quorum.yml (audit, audit_max_files, audit_ignore, vacuous, uncovered) and
// canaries (expect: fail): what they parse to, and the one-line errors for bad input.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { mergeFunctionChecks, parseConfig } from '../../src/engine/config.ts'
import { ConfigError } from '../../src/engine/errors.ts'
import { matchesAnyGlob } from '../../src/engine/globs.ts'

const FILE = '/repo/quorum.yml'
const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`
const ONE_CHECK = ['checks:', '  - name: a', '    command: x']

function reject(text: string): ConfigError {
  try {
    parseConfig(text, FILE, { displayPath: 'quorum.yml' })
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`)
    return err
  }
  assert.fail('the config was accepted')
}

describe('audit keys', () => {
  test('a config without them parses as before: no audit field at all', () => {
    const config = parseConfig(yaml(...ONE_CHECK), FILE)
    for (const key of ['audit', 'audit_max_files', 'audit_ignore', 'vacuous', 'uncovered']) {
      assert.equal(key in config, false, key)
    }
    assert.equal('expect' in config.checks[0]!, false)
  })

  test('one kind, a list of kinds (deduplicated), and an empty list that turns audits off', () => {
    assert.deepEqual(parseConfig(yaml('audit: vacuity', ...ONE_CHECK), FILE).audit, ['vacuity'])
    assert.deepEqual(
      parseConfig(yaml('audit: [changes, vacuity, changes]', ...ONE_CHECK), FILE).audit,
      ['changes', 'vacuity'],
    )
    assert.deepEqual(parseConfig(yaml('audit: []', ...ONE_CHECK), FILE).audit, [])
  })

  test('every key, as written', () => {
    const config = parseConfig(
      yaml(
        'audit: [vacuity, changes]',
        'audit_max_files: 0',
        'audit_ignore: ["docs/**", "**/*.md"]',
        'vacuous: block',
        'uncovered: warn',
        ...ONE_CHECK,
      ),
      FILE,
    )
    assert.deepEqual(config.audit, ['vacuity', 'changes'])
    assert.equal(config.audit_max_files, 0)
    assert.deepEqual(config.audit_ignore, ['docs/**', '**/*.md'])
    assert.equal(config.vacuous, 'block')
    assert.equal(config.uncovered, 'warn')
  })

  test('a block policy without an audit key switches its audit on', () => {
    const config = parseConfig(yaml('vacuous: block', 'uncovered: block', ...ONE_CHECK), FILE)
    assert.deepEqual(config.audit, ['vacuity', 'changes'])
    const warnOnly = parseConfig(yaml('vacuous: warn', ...ONE_CHECK), FILE)
    assert.equal('audit' in warnOnly, false)
  })
})

describe('audit keys: bad input is one line naming file, line, column and key', () => {
  const cases: Array<[string, string, string]> = [
    [
      'an unknown audit kind',
      yaml('audit: coverage', ...ONE_CHECK),
      'quorum.yml:1:8: audit: unknown audit kind "coverage" (allowed: vacuity, changes)',
    ],
    [
      'an unknown kind in a list, at the item',
      yaml('audit: [vacuity, mutation]', ...ONE_CHECK),
      'quorum.yml:1:18: audit[1]: unknown audit kind "mutation" (allowed: vacuity, changes)',
    ],
    [
      'an audit that is a mapping',
      yaml('audit: { vacuity: true }', ...ONE_CHECK),
      'quorum.yml:1:8: audit: must be an audit kind (vacuity, changes) or a list of them, got a mapping',
    ],
    [
      'a negative cap',
      yaml('audit_max_files: -1', ...ONE_CHECK),
      'quorum.yml:1:18: audit_max_files: must be a whole number, 0 or more, got -1',
    ],
    [
      'a fractional cap',
      yaml('audit_max_files: 2.5', ...ONE_CHECK),
      'quorum.yml:1:18: audit_max_files: must be a whole number, 0 or more, got 2.5',
    ],
    [
      'audit_ignore that is one string, not a list',
      yaml('audit_ignore: "docs/**"', ...ONE_CHECK),
      'quorum.yml:1:15: audit_ignore: must be a list of globs such as ["docs/**", "**/*.md"], got "docs/**"',
    ],
    [
      'audit_ignore with a number in it',
      yaml('audit_ignore: ["docs/**", 7]', ...ONE_CHECK),
      'quorum.yml:1:27: audit_ignore[1]: must be a glob (a string) such as "docs/**", got 7 (quote it if you mean the text "7")',
    ],
    [
      'an absolute glob',
      yaml('audit_ignore: ["/etc/**"]', ...ONE_CHECK),
      'quorum.yml:1:16: audit_ignore[0]: must be relative to the repository root (no leading "/")',
    ],
    [
      'a negated glob',
      yaml('audit_ignore: ["!src/**"]', ...ONE_CHECK),
      'quorum.yml:1:16: audit_ignore[0]: negation ("!") is not supported; list only what to leave out',
    ],
    [
      'a glob that climbs out of the tree',
      yaml('audit_ignore: ["../x/**"]', ...ONE_CHECK),
      'quorum.yml:1:16: audit_ignore[0]: must not contain ".." (it stays inside the tree)',
    ],
    [
      'an empty glob',
      yaml('audit_ignore: [""]', ...ONE_CHECK),
      'quorum.yml:1:16: audit_ignore[0]: must not be empty',
    ],
    [
      'a policy that is not warn or block',
      yaml('vacuous: fail', ...ONE_CHECK),
      'quorum.yml:1:10: vacuous: must be warn or block',
    ],
    [
      'a block policy whose audit the audit list leaves out',
      yaml('audit: vacuity', 'uncovered: block', ...ONE_CHECK),
      'quorum.yml:2:12: uncovered: block needs the changes audit, which `audit` leaves out; add changes to audit',
    ],
    [
      'a misspelt audit key, with a suggestion',
      yaml('audit_max_file: 3', ...ONE_CHECK),
      'quorum.yml:1:1: audit_max_file: unknown key "audit_max_file" (did you mean "audit_max_files"?)',
    ],
    [
      'an expect that is not pass or fail',
      yaml(...ONE_CHECK, '    expect: failure'),
      'quorum.yml:4:13: checks[0].expect: must be pass or fail',
    ],
    [
      'a canary with retries',
      yaml(...ONE_CHECK, '    expect: fail', '    retries: 2'),
      'quorum.yml:5:14: checks[0].retries: a canary (expect: fail) is never retried: a retry would only give a known-bad input another chance to pass; remove retries',
    ],
  ]
  for (const [what, text, expected] of cases) {
    test(what, () => assert.equal(reject(text).format(), expected))
  }
})

describe('canaries', () => {
  test('expect: fail marks a shell check; expect: pass is the default and leaves no trace', () => {
    const config = parseConfig(
      yaml(...ONE_CHECK, '    expect: fail', '  - name: b', '    command: y', '    expect: pass'),
      FILE,
    )
    assert.equal(config.checks[0]!.expect, 'fail')
    assert.equal('expect' in config.checks[1]!, false)
  })

  test('a function check may be a canary; a function canary with retries is refused', () => {
    const base = parseConfig(yaml('functions: checks.mjs'), FILE)
    const merged = mergeFunctionChecks(
      base,
      [
        { name: 'known_bad', timeout_s: 5, expect: 'fail' },
        { name: 'ok', timeout_s: 5 },
      ],
      '/repo/checks.mjs',
    )
    assert.equal(merged.checks[0]!.expect, 'fail')
    assert.equal('expect' in merged.checks[1]!, false)
    assert.throws(
      () =>
        mergeFunctionChecks(
          base,
          [{ name: 'known_bad', timeout_s: 5, expect: 'fail', retries: 1 }],
          '/repo/checks.mjs',
        ),
      (err: unknown) => err instanceof ConfigError && /never retried/.test(err.format()),
    )
    assert.throws(
      () =>
        mergeFunctionChecks(
          base,
          [{ name: 'known_bad', timeout_s: 5, expect: 'nope' }],
          '/repo/checks.mjs',
        ),
      (err: unknown) =>
        err instanceof ConfigError && /known_bad": expect must be pass or fail/.test(err.format()),
    )
  })
})

describe('audit_ignore globs', () => {
  const cases: Array<[string, string[], boolean]> = [
    ['docs/guide/intro.md', ['docs/**'], true],
    ['src/docs/a.md', ['docs/**'], false],
    ['src/a.md', ['**/*.md'], true],
    ['a.md', ['**/*.md'], true],
    ['src/a.md', ['*.md'], false],
    ['.github/workflows/ci.yml', ['.github/**'], true],
    ['.github/README.md', ['**/*.md'], true],
    ['src/.hidden/x.ts', ['src/**'], true],
    ['src/app.test.ts', ['**/*.{test,spec}.ts'], true],
    ['src/app.ts', ['**/*.{test,spec}.ts'], false],
    ['src/app.ts', [], false],
  ]
  for (const [path, globs, expected] of cases) {
    test(`${path} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(globs)}`, () =>
      assert.equal(matchesAnyGlob(path, globs), expected))
  }
})
