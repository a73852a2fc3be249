// quorum.yml text for the config tests (test/engine/config.test.ts, test/run/config-file.test.ts):
// a file that reads like the one it stands for, and the error a rejected one raises.
import assert from 'node:assert/strict'
import { parseConfig } from '../../src/engine/config.ts'
import { ConfigError } from '../../src/engine/errors.ts'

/** Where the config text is said to come from; messages name it `quorum.yml`. */
export const FILE = '/repo/quorum.yml'

/** Lines joined with \n, so each case reads like the file it is. */
export const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`

/** Parses text that must be rejected; returns the error. */
export function reject(text: string): ConfigError {
  try {
    parseConfig(text, FILE, { displayPath: 'quorum.yml' })
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`)
    return err
  }
  assert.fail('the config was accepted')
}

/** The smallest list of checks: one shell check `a` that runs `x`. */
export const ONE_CHECK = ['checks:', '  - name: a', '    command: x']
