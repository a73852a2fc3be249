// Function checks for workspace.test.ts. Each run must see the prepared tree (with what setup
// built) at `root`, as its cwd, and never what an earlier run wrote.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'

export default [
  {
    name: 'sees its own sandbox',
    timeout_s: 20,
    async run({ root }) {
      const built = existsSync(`${root}/built.txt`)
        ? readFileSync(`${root}/built.txt`, 'utf8').trim()
        : null
      const dirty = existsSync(`${root}/dirty.txt`)
      writeFileSync(`${root}/dirty.txt`, 'written by a function check\n')
      const home = process.env.HOME ?? ''
      const ok =
        built === 'built' && !dirty && process.cwd() === root && !home.startsWith(`${root}/`)
      return {
        passed: ok,
        reason: `built=${built} dirty=${dirty} cwd=${process.cwd() === root}`,
        score: 2,
      }
    },
  },
  {
    name: 'exits mid-check',
    timeout_s: 20,
    async run() {
      process.exit(0)
    },
  },
]
