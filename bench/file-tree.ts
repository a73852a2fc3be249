/** Synthetic source trees of a given size, for timing sandbox creation. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const FILES_PER_DIR = 100
const DIRS_PER_PARENT = 20

/**
 * Writes `files` small files (a few hundred bytes, like source files) under `root`, 100 to a
 * directory, directories nested 20 wide, so the tree has the shape of a real repository rather
 * than one huge flat directory.
 */
export function writeFileTree(root: string, files: number): void {
  const dirs = Math.ceil(files / FILES_PER_DIR)
  let written = 0
  for (let d = 0; d < dirs; d++) {
    const dir = join(root, `pkg${Math.floor(d / DIRS_PER_PARENT)}`, `mod${d % DIRS_PER_PARENT}`)
    mkdirSync(dir, { recursive: true })
    for (let f = 0; f < FILES_PER_DIR && written < files; f++, written++) {
      writeFileSync(join(dir, `file${f}.js`), sourceText(written))
    }
  }
}

function sourceText(n: number): string {
  return (
    `// generated file ${n}\n` +
    `export function f${n}(x) {\n  return x * ${n} + ${n % 7}\n}\n`.repeat(1 + (n % 8))
  )
}
