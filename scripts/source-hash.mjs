// The content hash of what the bundles are built from: every file under src/, package.json,
// package-lock.json and tsconfig.json. `npm run bundle` writes it to dist/SOURCE_HASH; the
// end-to-end tests, which run the committed bundles, refuse to run on a dist/ built from other
// sources, so a stale dist/ fails `npm test` with a clear message instead of passing on old code.
import { createHash } from 'node:crypto'
import { readFileSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'

export const SOURCE_HASH_FILE = 'dist/SOURCE_HASH'

/** sha256 over the sorted relative paths and contents of the bundles' sources under `root`. */
export function sourceHash(root) {
  const files = ['package.json', 'package-lock.json', 'tsconfig.json']
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = join(dir, entry.name)
      if (entry.isDirectory()) walk(rel)
      else if (entry.isFile()) files.push(rel)
    }
  }
  walk('src')
  const hash = createHash('sha256')
  for (const rel of files.map((f) => relative('.', f)).sort()) {
    hash
      .update(`${rel}\0`)
      .update(readFileSync(join(root, rel)))
      .update('\0')
  }
  return hash.digest('hex')
}
