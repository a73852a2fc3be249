// Builds the library that `import ... from 'quorum-gate'` loads: tsc compiles src/index.ts and
// everything it imports (nothing from src/github/ or @actions/*) to dist/lib/, JavaScript with
// `.js` import suffixes plus .d.ts declarations (tsconfig.build.json). Node does not strip types
// under node_modules, so the package cannot ship the .ts sources as its entry. CI rebuilds and
// fails when dist/lib/ differs. dist/lib/ is removed first, so a deleted source leaves nothing.
import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'

rmSync('dist/lib', { recursive: true, force: true })
execFileSync(
  process.execPath,
  ['node_modules/typescript/bin/tsc', '--project', 'tsconfig.build.json'],
  { stdio: 'inherit' },
)
