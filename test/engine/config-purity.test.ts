import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'

test('the config engine reads no files and no environment: that is run/config-file.ts’s job', () => {
  const dir = join(import.meta.dirname, '../../src/engine')
  const files = [
    join(dir, 'config.ts'),
    join(dir, 'config-schema.ts'),
    ...readdirSync(join(dir, 'config')).map((name) => join(dir, 'config', name)),
  ]
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
    assert.doesNotMatch(text, /from 'node:fs|from "node:fs|process\.env/, file)
    assert.doesNotMatch(text, /from '\.\.\/(\.\.\/)?(run|github|report)\//, file)
  }
})
