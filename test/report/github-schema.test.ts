import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, test } from 'node:test'
import { CHECK_RUN_SUMMARY_MAX_CHARS, CHECK_RUN_TEXT_MAX_CHARS } from '../../src/report/limits.ts'
import { renderCheckRun } from '../../src/report/markdown.ts'
import { GOLDEN_CTX, loadHostileReport, loadReport } from './golden.ts'

// The check run `output` object as api.github.com describes it (PATCH check-runs/{id}), read from
// @octokit/openapi so our limits and shapes cannot drift from GitHub's.
interface PropertySchema {
  type?: string
  enum?: string[]
  maxLength?: number
}
interface OutputSchema {
  properties: {
    summary: PropertySchema
    text: PropertySchema
    annotations: {
      items: { properties: Record<string, PropertySchema>; required: string[] }
    }
  }
}

function checkRunOutputSchema(): OutputSchema {
  const require = createRequire(import.meta.url)
  const pkg = require.resolve('@octokit/openapi/package.json')
  const file = pkg.replace(/package\.json$/, 'generated/api.github.com.json')
  const doc = JSON.parse(readFileSync(file, 'utf8')) as {
    paths: Record<
      string,
      Record<
        string,
        {
          requestBody: {
            content: Record<string, { schema: { properties: { output: OutputSchema } } }>
          }
        }
      >
    >
  }
  const op = doc.paths['/repos/{owner}/{repo}/check-runs/{check_run_id}']?.patch
  assert.ok(op, 'the description has PATCH check-runs/{id}')
  const output = op.requestBody.content['application/json']?.schema.properties.output
  assert.ok(output)
  return output
}

describe("GitHub's checks API description", () => {
  const schema = checkRunOutputSchema()

  test('our summary and text limits are the API maxLength', () => {
    assert.equal(CHECK_RUN_SUMMARY_MAX_CHARS, schema.properties.summary.maxLength)
    assert.equal(CHECK_RUN_TEXT_MAX_CHARS, schema.properties.text.maxLength)
  })

  test('every annotation we produce has the required fields, known fields only, right types', () => {
    const item = schema.properties.annotations.items
    const annotations = [
      ...renderCheckRun(loadReport('pass-fail-block'), GOLDEN_CTX).annotations,
      ...renderCheckRun(loadReport('scored'), GOLDEN_CTX).annotations,
      ...renderCheckRun(loadHostileReport(), GOLDEN_CTX).annotations,
    ]
    assert.ok(annotations.length >= 5)
    for (const annotation of annotations) {
      for (const key of item.required) assert.ok(key in annotation, `missing ${key}`)
      for (const [key, value] of Object.entries(annotation)) {
        const property = item.properties[key]
        assert.ok(property, `unknown field ${key}`)
        if (property.type === 'integer')
          assert.ok(Number.isInteger(value) && (value as number) >= 1, key)
        if (property.type === 'string') assert.equal(typeof value, 'string', key)
        if (property.enum)
          assert.ok(property.enum.includes(value as string), `${key}=${String(value)}`)
      }
      if (annotation.start_column !== undefined) {
        assert.equal(annotation.start_line, annotation.end_line, 'columns only on one line')
      }
      assert.ok((annotation.title ?? '').length <= 255, 'title at most 255 characters')
    }
  })
})
