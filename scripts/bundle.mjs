// Bundles the action (dist/index.js, also its post step) and the CLI (dist/cli/index.js) with @vercel/ncc, so both
// run with plain `node` and no node_modules. CI rebuilds and fails when dist/ differs.
import { execFileSync } from 'node:child_process'
import { chmodSync, rmSync, writeFileSync } from 'node:fs'
import { SOURCE_HASH_FILE, sourceHash } from './source-hash.mjs'

const ncc = [
  'node_modules/@vercel/ncc/dist/ncc/cli.js',
  'build',
  '--quiet',
  '--license',
  'licenses.txt',
]
const builds = [
  { entry: 'src/main.ts', out: 'dist' },
  { entry: 'src/bin/quorum.ts', out: 'dist/cli' },
]
rmSync('dist', { recursive: true, force: true })
for (const { entry, out } of builds) {
  execFileSync(process.execPath, [...ncc, entry, '-o', out], { stdio: 'inherit' })
}
chmodSync('dist/cli/index.js', 0o755)
writeFileSync(SOURCE_HASH_FILE, `${sourceHash('.')}\n`)
