/**
 * The end-to-end tests run the committed bundles (dist/), not src/. A dist/ built from other
 * sources would let them pass on old code; this says so instead, once per process.
 */
import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
// @ts-expect-error: a plain JavaScript build script, shared with scripts/bundle.mjs.
import { SOURCE_HASH_FILE, sourceHash } from '../../scripts/source-hash.mjs'

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
let checked = false

/** Throws when dist/ was not built from this checkout's sources (`npm run bundle` fixes it). */
export function assertDistBuiltFromSources(): void {
  if (checked) return
  let built = ''
  try {
    built = readFileSync(path.join(REPO_ROOT, SOURCE_HASH_FILE as string), 'utf8').trim()
  } catch {
    // no stamp: treated as stale
  }
  const now = (sourceHash as (root: string) => string)(REPO_ROOT)
  if (built !== now) {
    throw new Error(
      'dist/ was not built from the sources in this checkout, and the end-to-end tests run ' +
        'dist/: run `npm run bundle` (and commit dist/), then run the tests again',
    )
  }
  checked = true
}
