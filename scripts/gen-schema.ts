/**
 * Writes schema/quorum.schema.json, the JSON Schema editors use for quorum.yml, from the zod
 * schema the engine validates with, so the two cannot drift apart.
 *
 *   node scripts/gen-schema.ts           rewrite the file
 *   node scripts/gen-schema.ts --check   exit 1 if the committed file is out of date (for CI)
 */
import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { configJsonSchema } from '../src/engine/config-schema.ts'

/** Absolute path of the committed schema file. */
export const SCHEMA_FILE = fileURLToPath(new URL('../schema/quorum.schema.json', import.meta.url))

/** The exact text the schema file must contain. */
export function renderSchemaFile(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`
}

async function main(argv: readonly string[]): Promise<number> {
  const expected = renderSchemaFile()
  if (argv.includes('--check')) {
    const actual = await readFile(SCHEMA_FILE, 'utf8').catch(() => '')
    if (actual === expected) return 0
    process.stderr.write(
      `${SCHEMA_FILE} is out of date with src/engine/config-schema.ts; run: node scripts/gen-schema.ts\n`,
    )
    return 1
  }
  await writeFile(SCHEMA_FILE, expected)
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`)
  return 0
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2))
