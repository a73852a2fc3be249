import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { hashConfigSources, type ConfigSources } from '../../src/engine/config.ts'
import { configHash } from '../../src/engine/handoff.ts'

const CONFIG = Buffer.from('checks:\n  - name: a\n    command: "true"\n')
const MODULE = Buffer.from('export default []\n')
const USES = ['handoff', 'results-cache'] as const

describe('hashConfigSources: the one config hash', () => {
  test('the same config and module give the same hash, for either use', () => {
    for (const use of USES) {
      const sources: ConfigSources = { config: CONFIG, functions: MODULE }
      const copy: ConfigSources = { config: Buffer.from(CONFIG), functions: Buffer.from(MODULE) }
      assert.equal(hashConfigSources(sources, use), hashConfigSources(copy, use))
    }
  })

  test('a change to the config, to the module, or a module appearing changes the hash', () => {
    for (const use of USES) {
      const hash = (config: Buffer, functions: Buffer | null): string =>
        hashConfigSources({ config, functions }, use)
      const original = hash(CONFIG, MODULE)
      const variants = [
        hash(Buffer.from(`${CONFIG.toString()}# changed\n`), MODULE),
        hash(CONFIG, Buffer.from('export default [] // changed\n')),
        hash(CONFIG, null),
      ]
      assert.equal(new Set([original, ...variants]).size, 4, `${use}: ${variants.join(' ')}`)
    }
  })

  test('the stored values do not change: envelopes and results-cache keys made before still match', () => {
    // Computed with the code as it was before the hash had one home (handoff.ts's configHash
    // for envelopes, action-cache.ts's own sha256 for cache keys).
    assert.equal(
      hashConfigSources({ config: CONFIG, functions: MODULE }, 'handoff'),
      'sha256:f4fae30c89b3e9cad24fa77921683e25eec005b7f844ab8f3d317d062880c5dc',
    )
    assert.equal(
      hashConfigSources({ config: CONFIG, functions: null }, 'handoff'),
      'sha256:74896572a3686e0260c320c5f0910be045015f264fbc2157822491ff79c93b9e',
    )
    assert.equal(
      hashConfigSources({ config: CONFIG, functions: MODULE }, 'results-cache'),
      'f700d5d661bc2451',
    )
    assert.equal(
      hashConfigSources({ config: CONFIG, functions: null }, 'results-cache'),
      '455b52cc56bda916',
    )
  })

  test('the handoff form is what the publish stage compares envelopes with', () => {
    assert.equal(
      hashConfigSources({ config: CONFIG, functions: MODULE }, 'handoff'),
      configHash(CONFIG, MODULE),
    )
    assert.match(
      hashConfigSources({ config: CONFIG, functions: null }, 'handoff'),
      /^sha256:[0-9a-f]{64}$/,
    )
    assert.match(
      hashConfigSources({ config: null, functions: null }, 'results-cache'),
      /^[0-9a-f]{16}$/,
    )
  })

  test('a handoff hash without a config file is refused', () => {
    assert.throws(
      () => hashConfigSources({ config: null, functions: MODULE }, 'handoff'),
      TypeError,
    )
  })
})
