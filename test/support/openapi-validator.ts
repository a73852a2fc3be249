/**
 * A small validator for the JSON-Schema subset that GitHub's OpenAPI 3.0 description uses, so the
 * fake GitHub can refuse exactly what api.github.com would refuse (and a bit more: see `strict`).
 *
 * Why not ajv: it is not installed and installs are off the table. The description only uses
 * type, nullable, enum, properties, required, additionalProperties, items, min/maxItems,
 * min/maxLength, minimum/maximum, pattern, format, oneOf/anyOf/allOf and local `$ref`s, which is
 * little enough to implement here and test through the fake.
 *
 * The description (13 MB of JSON) is loaded lazily, once per process, by `loadGitHubDescription`.
 */

import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

/** A JSON Schema object as the description spells it; deliberately loose. */
export type Schema = { [key: string]: unknown }

/** The parts of the OpenAPI document this module reads. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>
  components: Record<string, Record<string, unknown>>
}

/** One REST operation, resolved from the description. */
export interface Operation {
  operationId: string
  method: string
  /** Path template, e.g. `/repos/{owner}/{repo}/check-runs`. */
  template: string
  parameters: Schema[]
  requestBody: Schema | null
  responses: Record<string, Schema>
}

export interface ValidateOptions {
  /**
   * Also report properties a schema does not declare (when it says nothing about
   * additionalProperties). GitHub silently ignores them, which is exactly how a misspelt field
   * (`head-sha`) would slip through unnoticed, so the fake turns them into violations.
   */
  strict?: boolean
}

let cached: OpenApiDocument | null = null

/** GitHub's REST description for api.github.com from @octokit/openapi, parsed once per process. */
export function loadGitHubDescription(): OpenApiDocument {
  if (cached === null) {
    const require = createRequire(import.meta.url)
    // Resolve through the package so the path survives hoisting; read the file directly because
    // the package's index.js would parse every variant (several hundred MB) on require.
    const pkg = require.resolve('@octokit/openapi/package.json')
    const file = pkg.replace(/package\.json$/, 'generated/api.github.com.json')
    cached = JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument
  }
  return cached
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Follows local `$ref`s (`#/components/...`) until it reaches a real object. */
export function resolveRef(doc: OpenApiDocument, node: unknown): Schema {
  let current = node
  for (let hops = 0; hops < 32; hops++) {
    if (!isObject(current)) throw new Error(`not a schema object: ${JSON.stringify(current)}`)
    const ref = current['$ref']
    if (typeof ref !== 'string') return current
    if (!ref.startsWith('#/')) throw new Error(`only local $ref is supported, got ${ref}`)
    let target: unknown = doc
    for (const raw of ref.slice(2).split('/')) {
      const part = raw.replace(/~1/g, '/').replace(/~0/g, '~')
      target = isObject(target) ? target[part] : undefined
    }
    if (target === undefined) throw new Error(`unresolved $ref ${ref}`)
    current = target
  }
  throw new Error('$ref chain too long')
}

/** Finds the operation for a method and a concrete path, with the path parameters it binds. */
export function findOperation(
  doc: OpenApiDocument,
  method: string,
  path: string,
): { operation: Operation; pathParams: Record<string, string> } | null {
  const wanted = method.toLowerCase()
  const segments = path.split('/')
  let best: { operation: Operation; pathParams: Record<string, string>; literals: number } | null =
    null
  for (const [template, item] of Object.entries(doc.paths)) {
    const op = item[wanted]
    if (!isObject(op)) continue
    const parts = template.split('/')
    if (parts.length !== segments.length) continue
    const params: Record<string, string> = {}
    let literals = 0
    let ok = true
    for (let i = 0; i < parts.length && ok; i++) {
      const part = parts[i] as string
      const segment = segments[i] as string
      const m = /^\{(.+)\}$/.exec(part)
      if (m) {
        if (segment === '') ok = false
        else params[m[1] as string] = decodeURIComponent(segment)
      } else if (part === segment) literals++
      else ok = false
    }
    // `/repos/{o}/{r}/issues/comments` and `/repos/{o}/{r}/issues/{issue_number}` both match
    // some paths; the template with more literal segments is the one GitHub routes to.
    if (ok && (best === null || literals > best.literals)) {
      const shared = Array.isArray(item['parameters']) ? (item['parameters'] as Schema[]) : []
      const own = Array.isArray(op['parameters']) ? (op['parameters'] as Schema[]) : []
      best = {
        operation: {
          operationId: String(op['operationId']),
          method: wanted,
          template,
          parameters: [...shared, ...own].map((p) => resolveRef(doc, p)),
          requestBody: isObject(op['requestBody']) ? resolveRef(doc, op['requestBody']) : null,
          responses: isObject(op['responses']) ? (op['responses'] as Record<string, Schema>) : {},
        },
        pathParams: params,
        literals,
      }
    }
  }
  return best === null ? null : { operation: best.operation, pathParams: best.pathParams }
}

/** The JSON schema of an operation's request body, or null when it takes none. */
export function requestSchema(doc: OpenApiDocument, op: Operation): Schema | null {
  if (op.requestBody === null) return null
  const content = op.requestBody['content']
  if (!isObject(content)) return null
  const json = content['application/json']
  if (!isObject(json) || json['schema'] === undefined) return null
  return resolveRef(doc, json['schema'])
}

/** The JSON schema of an operation's response for a status, or null when it has no JSON body. */
export function responseSchema(doc: OpenApiDocument, op: Operation, status: number): Schema | null {
  const raw = op.responses[String(status)]
  if (raw === undefined) return null
  const response = resolveRef(doc, raw)
  const content = response['content']
  if (!isObject(content)) return null
  const json = content['application/json']
  if (!isObject(json) || json['schema'] === undefined) return null
  return resolveRef(doc, json['schema'])
}

/**
 * Checks a request's path parameters, query string and body against the operation. Query and
 * path values arrive as strings, so integers and booleans are parsed before checking.
 * Returns human-readable problems; empty means valid.
 */
export function validateRequest(
  doc: OpenApiDocument,
  op: Operation,
  request: {
    pathParams: Record<string, string>
    query: URLSearchParams
    body: unknown
    hasBody: boolean
  },
  options: ValidateOptions = {},
): string[] {
  const errors: string[] = []
  for (const param of op.parameters) {
    const name = String(param['name'])
    const where = String(param['in'])
    if (where !== 'path' && where !== 'query') continue
    const raw = where === 'path' ? request.pathParams[name] : (request.query.get(name) ?? undefined)
    if (raw === undefined) {
      if (param['required'] === true) errors.push(`${where} parameter ${name} is required`)
      continue
    }
    const schema = isObject(param['schema']) ? resolveRef(doc, param['schema']) : {}
    errors.push(...validate(doc, schema, coerceParameter(schema, raw), `${where}.${name}`, {}))
  }
  const unknownQuery = unknownQueryParameters(request.query, op)
  if (unknownQuery !== null) errors.push(unknownQuery)
  const schema = requestSchema(doc, op)
  if (schema === null) {
    if (request.hasBody) errors.push(`${op.operationId} takes no request body`)
  } else if (!request.hasBody) {
    if (op.requestBody?.['required'] === true) errors.push('request body is required')
  } else {
    errors.push(...validate(doc, schema, request.body, 'body', options))
  }
  return errors
}

/** Query parameters the operation does not declare: GitHub ignores them, so they hide bugs. */
function unknownQueryParameters(query: URLSearchParams, op: Operation): string | null {
  const known = new Set(op.parameters.filter((p) => p['in'] === 'query').map((p) => p['name']))
  const unknown = [...query.keys()].filter((k) => !known.has(k))
  return unknown.length === 0 ? null : `unknown query parameter(s): ${unknown.join(', ')}`
}

function coerceParameter(schema: Schema, raw: string): unknown {
  const type = schema['type']
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw)
  if (type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true'
  return raw
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

function typeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

/** Unicode code points, which is what JSON Schema's maxLength counts (not UTF-16 units). */
function codePoints(s: string): number {
  let n = 0
  for (const _ of s) n++
  return n
}

/**
 * Validates a value against a schema. `at` names the location in messages (e.g.
 * `body.output.annotations`). Returns problems; empty means valid.
 */
export function validate(
  doc: OpenApiDocument,
  rawSchema: unknown,
  value: unknown,
  at: string,
  options: ValidateOptions = {},
): string[] {
  const schema = resolveRef(doc, rawSchema)
  const errors: string[] = []

  if (value === null) {
    // OpenAPI 3.0 spells "or null" as nullable: true; a schema with no type accepts anything.
    if (schema['nullable'] === true || schema['type'] === undefined) {
      return combinators(doc, schema, value, at, options, true)
    }
    return [`${at}: must not be null`]
  }

  const type = schema['type']
  if (typeof type === 'string') {
    const actual = typeOf(value)
    const fits = actual === type || (type === 'number' && actual === 'integer')
    if (!fits) return [`${at}: expected ${type}, got ${actual}`]
  }

  if (Array.isArray(schema['enum']) && !schema['enum'].includes(value)) {
    errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema['enum'])}`)
  }

  if (typeof value === 'string') {
    const length = codePoints(value)
    if (typeof schema['maxLength'] === 'number' && length > schema['maxLength']) {
      errors.push(`${at}: length ${length} exceeds maxLength ${schema['maxLength']}`)
    }
    if (typeof schema['minLength'] === 'number' && length < schema['minLength']) {
      errors.push(`${at}: length ${length} is below minLength ${schema['minLength']}`)
    }
    if (typeof schema['pattern'] === 'string' && !new RegExp(schema['pattern'], 'u').test(value)) {
      errors.push(`${at}: does not match pattern ${schema['pattern']}`)
    }
    if (schema['format'] === 'date-time' && !DATE_TIME.test(value)) {
      errors.push(`${at}: ${JSON.stringify(value)} is not an RFC 3339 date-time`)
    }
  }

  if (typeof value === 'number') {
    if (typeof schema['minimum'] === 'number' && value < schema['minimum']) {
      errors.push(`${at}: ${value} is below minimum ${schema['minimum']}`)
    }
    if (typeof schema['maximum'] === 'number' && value > schema['maximum']) {
      errors.push(`${at}: ${value} is above maximum ${schema['maximum']}`)
    }
  }

  if (Array.isArray(value)) {
    if (typeof schema['maxItems'] === 'number' && value.length > schema['maxItems']) {
      errors.push(`${at}: ${value.length} items exceed maxItems ${schema['maxItems']}`)
    }
    if (typeof schema['minItems'] === 'number' && value.length < schema['minItems']) {
      errors.push(`${at}: ${value.length} items are below minItems ${schema['minItems']}`)
    }
    if (schema['items'] !== undefined) {
      value.forEach((item, i) => {
        errors.push(...validate(doc, schema['items'], item, `${at}[${i}]`, options))
      })
    }
  }

  if (isObject(value)) {
    const properties = isObject(schema['properties']) ? schema['properties'] : {}
    if (Array.isArray(schema['required'])) {
      for (const name of schema['required']) {
        if (typeof name === 'string' && !(name in value)) {
          errors.push(`${at}: missing required property ${name}`)
        }
      }
    }
    for (const [name, child] of Object.entries(value)) {
      const propertySchema = properties[name]
      if (propertySchema !== undefined) {
        errors.push(...validate(doc, propertySchema, child, `${at}.${name}`, options))
      } else if (schema['additionalProperties'] === false) {
        errors.push(`${at}: unexpected property ${name}`)
      } else if (isObject(schema['additionalProperties'])) {
        errors.push(
          ...validate(doc, schema['additionalProperties'], child, `${at}.${name}`, options),
        )
      } else if (
        options.strict === true &&
        schema['additionalProperties'] === undefined &&
        isObject(schema['properties']) &&
        !declaredByCombinator(doc, schema, name)
      ) {
        errors.push(`${at}: property ${name} is not in the description (GitHub would ignore it)`)
      }
    }
  }

  errors.push(...combinators(doc, schema, value, at, options, false))
  return errors
}

function declaredByCombinator(doc: OpenApiDocument, schema: Schema, name: string): boolean {
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const list = schema[key]
    if (!Array.isArray(list)) continue
    for (const branch of list) {
      const b = resolveRef(doc, branch)
      if (isObject(b['properties']) && name in b['properties']) return true
    }
  }
  return false
}

function combinators(
  doc: OpenApiDocument,
  schema: Schema,
  value: unknown,
  at: string,
  options: ValidateOptions,
  isNull: boolean,
): string[] {
  const errors: string[] = []
  // A branch of a combinator only constrains; unknown-property strictness stays with the parent
  // schema, which lists the properties the operation actually accepts.
  const branchOptions: ValidateOptions = { ...options, strict: false }
  if (Array.isArray(schema['allOf'])) {
    for (const branch of schema['allOf']) {
      errors.push(...validate(doc, branch, value, at, branchOptions))
    }
  }
  if (Array.isArray(schema['anyOf']) && !isNull) {
    const results = schema['anyOf'].map((b) => validate(doc, b, value, at, branchOptions))
    if (!results.some((r) => r.length === 0)) {
      errors.push(`${at}: matches none of anyOf (${results.map((r) => r.join('; ')).join(' | ')})`)
    }
  }
  if (Array.isArray(schema['oneOf']) && !isNull) {
    const results = schema['oneOf'].map((b) => validate(doc, b, value, at, branchOptions))
    const matches = results.filter((r) => r.length === 0).length
    if (matches !== 1) {
      errors.push(`${at}: matches ${matches} of oneOf, expected exactly 1`)
    }
  }
  return errors
}

/**
 * A minimal instance of a schema: required properties only, first enum value, null where the
 * schema is nullable. The fake builds its responses on top of these so they carry every field
 * the description requires without hand-writing 40-field objects.
 */
export function exampleFor(doc: OpenApiDocument, rawSchema: unknown, depth = 0): unknown {
  const schema = resolveRef(doc, rawSchema)
  if (depth > 12) return null
  if (Array.isArray(schema['allOf'])) {
    const merged: Record<string, unknown> = {}
    for (const branch of schema['allOf']) {
      const part = exampleFor(doc, branch, depth + 1)
      if (isObject(part)) Object.assign(merged, part)
    }
    return merged
  }
  for (const key of ['oneOf', 'anyOf']) {
    const list = schema[key]
    if (Array.isArray(list) && list.length > 0 && schema['type'] === undefined) {
      return exampleFor(doc, list[0], depth + 1)
    }
  }
  if (schema['nullable'] === true) return null
  if (Array.isArray(schema['enum']) && schema['enum'].length > 0) return schema['enum'][0]
  switch (schema['type']) {
    case 'object': {
      const out: Record<string, unknown> = {}
      const properties = isObject(schema['properties']) ? schema['properties'] : {}
      const required = Array.isArray(schema['required']) ? schema['required'] : []
      for (const name of required) {
        if (typeof name !== 'string') continue
        out[name] = name in properties ? exampleFor(doc, properties[name], depth + 1) : null
      }
      return out
    }
    case 'array':
      return []
    case 'integer':
    case 'number':
      return typeof schema['minimum'] === 'number' ? schema['minimum'] : 1
    case 'boolean':
      return false
    case 'string':
      if (schema['format'] === 'date-time') return '2024-01-01T00:00:00Z'
      if (schema['format'] === 'uri') return 'https://example.invalid/'
      return 'x'
    default:
      return null
  }
}
