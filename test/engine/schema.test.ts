import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { parse } from 'yaml'
import { parseConfig } from '../../src/engine/config.ts'
import { ALLOWED_KEYS, SCHEMA_ID } from '../../src/engine/config-schema.ts'
import { renderSchemaFile, SCHEMA_FILE } from '../../scripts/gen-schema.ts'

const committed = readFileSync(SCHEMA_FILE, 'utf8')
const schema = JSON.parse(committed) as Record<string, unknown>

describe('schema/quorum.schema.json', () => {
  test('is exactly what scripts/gen-schema.ts generates (run it after changing the schema)', () => {
    assert.equal(committed, renderSchemaFile())
  })

  test('identifies itself for editors', () => {
    assert.equal(schema.$id, SCHEMA_ID)
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#')
    assert.equal(typeof schema.title, 'string')
    assert.equal(typeof schema.description, 'string')
  })

  test('lists the same top-level keys the parser allows, and no others', () => {
    assert.equal(schema.type, 'object')
    assert.equal(schema.additionalProperties, false)
    assert.deepEqual(Object.keys(schema.properties as object), [...ALLOWED_KEYS.top])
  })
})

/**
 * Just enough of JSON Schema draft 7 to check configs against the published schema. It refuses
 * keywords it does not know, so a schema change cannot make these tests pass by being ignored.
 */
function validate(value: unknown, node: unknown, at = '$'): string[] {
  if (typeof node !== 'object' || node === null) return [`${at}: schema node is not an object`]
  const s = node as Record<string, unknown>
  const known = new Set([
    '$schema',
    '$id',
    '$comment',
    'title',
    'description',
    'default',
    'type',
    'properties',
    'required',
    'additionalProperties',
    'propertyNames',
    'items',
    'enum',
    'anyOf',
    'pattern',
    'minLength',
    'maxLength',
    'exclusiveMinimum',
    'maximum',
  ])
  const unknown = Object.keys(s).filter((k) => !known.has(k))
  if (unknown.length > 0) return [`${at}: validator does not know ${unknown.join(', ')}`]

  const errors: string[] = []
  if (s.anyOf !== undefined) {
    const branches = s.anyOf as unknown[]
    if (!branches.some((b) => validate(value, b, at).length === 0)) errors.push(`${at}: no anyOf`)
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string]
    if (!types.some((t) => hasType(value, t))) return [`${at}: not ${types.join('|')}`]
  }
  if (s.enum !== undefined && !(s.enum as unknown[]).includes(value)) errors.push(`${at}: enum`)
  if (typeof value === 'string') {
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value)) {
      errors.push(`${at}: pattern`)
    }
    if (typeof s.minLength === 'number' && value.length < s.minLength) errors.push(`${at}: short`)
    if (typeof s.maxLength === 'number' && value.length > s.maxLength) errors.push(`${at}: long`)
  }
  if (typeof value === 'number') {
    if (typeof s.exclusiveMinimum === 'number' && !(value > s.exclusiveMinimum)) {
      errors.push(`${at}: too small`)
    }
    if (typeof s.maximum === 'number' && value > s.maximum) errors.push(`${at}: too big`)
  }
  if (Array.isArray(value) && s.items !== undefined) {
    value.forEach((item, i) => errors.push(...validate(item, s.items, `${at}[${i}]`)))
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const props = (s.properties ?? {}) as Record<string, unknown>
    for (const key of (s.required ?? []) as string[]) {
      if (!(key in value)) errors.push(`${at}.${key}: required`)
    }
    for (const [key, item] of Object.entries(value)) {
      if (s.propertyNames !== undefined)
        errors.push(...validate(key, s.propertyNames, `${at}{${key}}`))
      if (key in props) errors.push(...validate(item, props[key], `${at}.${key}`))
      else if (s.additionalProperties === false) errors.push(`${at}.${key}: not allowed`)
      else if (s.additionalProperties !== undefined) {
        errors.push(...validate(item, s.additionalProperties, `${at}.${key}`))
      }
    }
  }
  return errors
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value)
    case 'array':
      return Array.isArray(value)
    case 'null':
      return value === null
    case 'integer':
      return Number.isInteger(value)
    default:
      return typeof value === type
  }
}

describe('the published schema agrees with the parser on real configs', () => {
  const accepted: Array<[string, string]> = [
    [
      'the example from the design notes',
      `mode: pass-fail
checks:
  - name: types
    command: "npx tsc --noEmit"
    timeout_s: 60
  - name: unit_tests
    command: "npm test && echo passed=1"
    timeout_s: 120
    score_from: passed
functions: quorum.checks.mjs
`,
    ],
    [
      'every key in use',
      `# yaml-language-server: $schema=./schema/quorum.schema.json
mode: scored
setup: { command: npm ci, timeout_s: 900 }
parallel: 4
env:
  NODE_ENV: test
  RETRIES: 3
env_passthrough: [JAVA_HOME]
functions: quorum.checks.mjs
checks:
  - name: bench.speed
    command: node bench.js
    score_from: ops_per_s
    env: { FOO: bar }
`,
    ],
    ['functions only', 'functions: quorum.checks.mjs\n'],
  ]
  for (const [what, text] of accepted) {
    test(`accepts ${what}`, () => {
      parseConfig(text, '/repo/quorum.yml')
      assert.deepEqual(validate(parse(text), schema), [])
    })
  }

  // Shape errors both must see; rules only the parser enforces (unique names, forbidden
  // variables) are left out on purpose.
  const refused: Array<[string, string]> = [
    ['an unknown key', 'checks:\n  - name: a\n    comand: x\n'],
    ['a bad mode', 'mode: strict\nchecks:\n  - name: a\n    command: x\n'],
    ['a zero timeout', 'checks:\n  - name: a\n    command: x\n    timeout_s: 0\n'],
    ['a bad check name', 'checks:\n  - name: -a\n    command: x\n'],
    ['a fractional parallel', 'parallel: 2.5\nchecks:\n  - name: a\n    command: x\n'],
    ['a setup typo', 'setup: { comand: x }\nchecks:\n  - name: a\n    command: x\n'],
    ['a bad env name', 'env: { "A B": x }\nchecks:\n  - name: a\n    command: x\n'],
  ]
  for (const [what, text] of refused) {
    test(`refuses ${what}`, () => {
      assert.throws(() => parseConfig(text, '/repo/quorum.yml'), { name: 'ConfigError' })
      assert.notDeepEqual(validate(parse(text), schema), [])
    })
  }
})
