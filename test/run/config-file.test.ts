import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { hashConfigSources } from '../../src/engine/config.ts'
import { ConfigError } from '../../src/engine/errors.ts'
import {
  MAX_HASHED_BYTES,
  loadConfigFile,
  loadConfigFromTree,
  readConfigSources,
  readTreeFile,
} from '../../src/run/config-file.ts'
import { ONE_CHECK, reject, yaml } from '../support/config-text.ts'

/** Resolves to 'hung' when `promise` has not settled within 5 s (a FIFO read would wait forever). */
async function withinFiveSeconds<T>(promise: Promise<T>): Promise<T | 'hung'> {
  let timer: NodeJS.Timeout | undefined
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), 5000)
  })
  try {
    return await Promise.race([promise, hung])
  } finally {
    clearTimeout(timer)
  }
}

describe('loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quorum-config-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  test('reads and parses a file, resolving functions next to it', async () => {
    const file = join(dir, 'quorum.yml')
    writeFileSync(file, yaml('functions: quorum.checks.mjs', ...ONE_CHECK))
    const config = await loadConfigFile(file)
    assert.equal(config.file, file)
    assert.equal(config.functions, join(dir, 'quorum.checks.mjs'))
  })

  test('a missing file is a ConfigError without a line', async () => {
    await assert.rejects(loadConfigFile(join(dir, 'nope.yml'), { displayPath: 'nope.yml' }), {
      name: 'ConfigError',
      line: 0,
      message: 'file not found',
    })
    const err = await loadConfigFile(join(dir, 'nope.yml'), { displayPath: 'nope.yml' }).catch(
      (e: unknown) => e,
    )
    assert.ok(err instanceof ConfigError)
    assert.equal(err.format(), 'nope.yml: file not found')
  })

  test('a directory is refused', async () => {
    mkdirSync(join(dir, 'sub.yml'))
    await assert.rejects(loadConfigFile(join(dir, 'sub.yml')), {
      line: 0,
      message: 'is a directory, not a file',
    })
  })

  test('errors inside the file use the display path', async () => {
    const file = join(dir, 'bad.yml')
    writeFileSync(file, yaml(...ONE_CHECK, '    timeout_s: 0'))
    await assert.rejects(loadConfigFile(file, { displayPath: '.github/quorum.yml' }), (err) => {
      assert.ok(err instanceof ConfigError)
      assert.equal(
        err.format(),
        '.github/quorum.yml:4:16: checks[0].timeout_s: must be a positive number of seconds, got 0',
      )
      return true
    })
  })
})

describe('loadConfigFile with a tree root: nothing is followed out of the tree', () => {
  const base = mkdtempSync(join(tmpdir(), 'quorum-config-tree-'))
  after(() => rmSync(base, { recursive: true, force: true }))
  const SECRET = 'ghs_secretEngineTokenAAAAAAAAAAAAAAAAAA1'
  const outside = join(base, 'outside')
  mkdirSync(outside)
  writeFileSync(join(outside, 'runner.env'), `GITHUB_TOKEN=${SECRET}\n`)
  let n = 0
  const freshTree = (): string => {
    const dir = join(base, `tree-${++n}`)
    mkdirSync(dir)
    return dir
  }
  const refusal = async (file: string, root: string): Promise<ConfigError> => {
    const err = await loadConfigFile(file, { displayPath: 'quorum.yml', root }).catch(
      (e: unknown) => e,
    )
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`)
    assert.ok(!err.format().includes(SECRET), err.format())
    return err
  }

  test('a link to a file outside the tree is refused, naming the file, not quoting the target', async () => {
    const tree = freshTree()
    symlinkSync(join(outside, 'runner.env'), join(tree, 'quorum.yml'))
    const err = await refusal(join(tree, 'quorum.yml'), tree)
    assert.match(
      err.format(),
      /^quorum\.yml: is a link to a file outside the tree \(it resolves to /,
    )
    assert.doesNotMatch(err.format(), /GITHUB_TOKEN/)
  })

  test('/proc/self/environ and a directory link that leads out are refused too', async () => {
    const tree = freshTree()
    symlinkSync('/proc/self/environ', join(tree, 'quorum.yml'))
    assert.match((await refusal(join(tree, 'quorum.yml'), tree)).message, /outside the tree/)
    symlinkSync(outside, join(tree, 'conf'))
    const err = await refusal(join(tree, 'conf', 'runner.env'), tree)
    assert.match(err.message, /outside the tree/)
  })

  test('a link to another file inside the tree is followed', async () => {
    const tree = freshTree()
    mkdirSync(join(tree, 'ci'))
    writeFileSync(join(tree, 'ci', 'gate.yml'), yaml(...ONE_CHECK))
    symlinkSync(join('ci', 'gate.yml'), join(tree, 'quorum.yml'))
    const config = await loadConfigFile(join(tree, 'quorum.yml'), { root: tree })
    assert.equal(config.checks[0]?.name, 'a')
  })

  test('a FIFO is refused at once, not read (which would wait for a writer forever)', async () => {
    const tree = freshTree()
    const made = spawnSync('mkfifo', [join(tree, 'quorum.yml')])
    assert.equal(made.status, 0)
    let timer: NodeJS.Timeout | undefined
    const hung = new Promise<'hung'>((resolve) => {
      timer = setTimeout(() => resolve('hung'), 5000)
    })
    const outcome = await Promise.race([refusal(join(tree, 'quorum.yml'), tree), hung])
    clearTimeout(timer)
    assert.notEqual(outcome, 'hung', 'loading a FIFO hung')
    assert.equal((outcome as ConfigError).message, 'is a named pipe (FIFO), not a regular file')
  })

  test('a device is refused even without a tree root', async () => {
    const tree = freshTree()
    symlinkSync('/dev/zero', join(tree, 'quorum.yml'))
    await assert.rejects(loadConfigFile(join(tree, 'quorum.yml')), {
      message: 'is a device, not a regular file',
    })
  })

  test('without a root (a file the user named), a link out is followed', async () => {
    const tree = freshTree()
    writeFileSync(join(outside, 'gate.yml'), yaml(...ONE_CHECK))
    symlinkSync(join(outside, 'gate.yml'), join(tree, 'quorum.yml'))
    const config = await loadConfigFile(join(tree, 'quorum.yml'))
    assert.equal(config.checks.length, 1)
  })

  test('a file that is not a config is quoted only as a short, masked excerpt', async () => {
    const err = await loadConfigFile(join(outside, 'runner.env')).catch((e: unknown) => e)
    assert.ok(err instanceof ConfigError)
    assert.ok(!err.format().includes(SECRET), err.format())
    assert.match(err.message, /GITHUB_TOKEN=\*\*\*/)
    const longKey = reject(`${'k'.repeat(5000)}: 1\n`)
    assert.ok(longKey.format().length < 400, longKey.format())
  })
})
describe('loadConfigFromTree: the one way the CLI and the action read a config', () => {
  const base = mkdtempSync(join(tmpdir(), 'quorum-config-from-tree-'))
  after(() => rmSync(base, { recursive: true, force: true }))
  const SECRET = 'ghs_secretRunLayerTokenAAAAAAAAAAAAAAAA1'
  const outside = join(base, 'outside')
  mkdirSync(outside)
  writeFileSync(join(outside, 'runner.env'), `GITHUB_TOKEN=${SECRET}\n`)
  writeFileSync(join(outside, 'checks.mjs'), 'export default []\n')
  let n = 0
  /** A new tree holding `files` (name -> content). */
  const freshTree = (files: Record<string, string> = {}): string => {
    const dir = join(base, `tree-${++n}`)
    mkdirSync(dir)
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content)
    return dir
  }
  const refusal = async (load: Promise<unknown>): Promise<ConfigError> => {
    const err = await withinFiveSeconds(load.catch((e: unknown) => e))
    assert.notEqual(err, 'hung', 'loading hung')
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`)
    assert.equal(err.line, 0)
    assert.ok(!err.format().includes(SECRET), err.format())
    return err
  }

  test('reads the config inside its tree and accepts a checks module in the same tree', async () => {
    const tree = freshTree({
      'quorum.yml': yaml('functions: checks.mjs', ...ONE_CHECK),
      'checks.mjs': 'export default []\n',
    })
    const config = await loadConfigFromTree({
      config: { path: join(tree, 'quorum.yml'), display: 'quorum.yml', root: tree },
    })
    assert.equal(config.file, join(tree, 'quorum.yml'))
    assert.equal(config.functions, join(tree, 'checks.mjs'))
    assert.deepEqual(
      config.checks.map((c) => c.source?.file),
      ['quorum.yml'],
    )
  })

  test('a config that links out of its tree is refused, naming the file, not quoting the target', async () => {
    const tree = freshTree()
    symlinkSync(join(outside, 'runner.env'), join(tree, 'quorum.yml'))
    const err = await refusal(
      loadConfigFromTree({
        config: { path: join(tree, 'quorum.yml'), display: 'quorum.yml', root: tree },
      }),
    )
    assert.match(
      err.format(),
      /^quorum\.yml: is a link to a file outside the tree \(it resolves to .*\); Quorum reads only files inside the tree/,
    )
  })

  test('a config that is a FIFO is refused at once instead of waiting for a writer', async () => {
    const tree = freshTree()
    assert.equal(spawnSync('mkfifo', [join(tree, 'quorum.yml')]).status, 0)
    const err = await refusal(
      loadConfigFromTree({
        config: { path: join(tree, 'quorum.yml'), display: 'quorum.yml', root: tree },
      }),
    )
    assert.equal(err.format(), 'quorum.yml: is a named pipe (FIFO), not a regular file')
  })

  test('a checks module the config names outside its tree is refused at the functions key', async () => {
    const dotdot = freshTree({
      'quorum.yml': yaml(`functions: ../outside/checks.mjs`, ...ONE_CHECK),
    })
    const config = { path: join(dotdot, 'quorum.yml'), display: 'quorum.yml', root: dotdot }
    // The action names the module relative to the tree; the CLI by its path.
    const inTree = await refusal(loadConfigFromTree({ config, functionsDisplay: 'in-tree' }))
    assert.match(
      inTree.format(),
      /^\.\.\/outside\/checks\.mjs: functions: is a link to a file outside the tree/,
    )
    const byPath = await refusal(loadConfigFromTree({ config }))
    assert.ok(
      byPath.format().startsWith(`${join(outside, 'checks.mjs')}: functions: is a link`),
      byPath.format(),
    )

    const linked = freshTree({ 'quorum.yml': yaml('functions: checks.mjs', ...ONE_CHECK) })
    symlinkSync(join(outside, 'checks.mjs'), join(linked, 'checks.mjs'))
    const err = await refusal(
      loadConfigFromTree({
        config: { path: join(linked, 'quorum.yml'), display: 'quorum.yml', root: linked },
        functionsDisplay: 'in-tree',
      }),
    )
    assert.match(err.format(), /^checks\.mjs: functions: is a link to a file outside the tree/)
  })

  test('a checks module that is a FIFO is refused at once', async () => {
    const tree = freshTree({ 'quorum.yml': yaml('functions: checks.mjs', ...ONE_CHECK) })
    assert.equal(spawnSync('mkfifo', [join(tree, 'checks.mjs')]).status, 0)
    const err = await refusal(
      loadConfigFromTree({
        config: { path: join(tree, 'quorum.yml'), display: 'quorum.yml', root: tree },
        functionsDisplay: 'in-tree',
      }),
    )
    assert.equal(err.format(), 'checks.mjs: functions: is a named pipe (FIFO), not a regular file')
  })

  test('a checks module given on its own takes the place of the config’s, and is checked in its own tree', async () => {
    const tree = freshTree({ 'quorum.yml': yaml('functions: missing.mjs', ...ONE_CHECK) })
    // The user's own module, outside every tree: taken as it is.
    const config = await loadConfigFromTree({
      config: { path: join(tree, 'quorum.yml'), root: tree },
      checks: { path: join(outside, 'checks.mjs'), display: 'checks.mjs', root: null },
    })
    assert.equal(config.functions, join(outside, 'checks.mjs'))
    assert.equal(config.checks.length, 1)

    const alone = await loadConfigFromTree({
      config: null,
      checks: { path: join(outside, 'checks.mjs'), display: 'checks.mjs', root: null },
    })
    assert.equal(alone.file, null)
    assert.equal(alone.functions, join(outside, 'checks.mjs'))

    // One inside a tree may not lead out of it; it is named as given, with no key.
    const linked = freshTree()
    symlinkSync(join(outside, 'checks.mjs'), join(linked, 'checks.mjs'))
    const err = await refusal(
      loadConfigFromTree({
        config: null,
        checks: { path: join(linked, 'checks.mjs'), display: 'x/checks.mjs', root: linked },
      }),
    )
    assert.match(err.format(), /^x\/checks\.mjs: is a link to a file outside the tree/)
  })

  test('a config the user named outside every tree may link anywhere, and so may its module', async () => {
    const tree = freshTree()
    writeFileSync(join(outside, 'gate.yml'), yaml('functions: checks.mjs', ...ONE_CHECK))
    symlinkSync(join(outside, 'gate.yml'), join(tree, 'quorum.yml'))
    const config = await loadConfigFromTree({
      config: { path: join(tree, 'quorum.yml'), root: null },
    })
    assert.equal(config.functions, join(tree, 'checks.mjs'))
  })

  test('neither a config nor a checks module is a programming error', async () => {
    await assert.rejects(loadConfigFromTree({ config: null }), TypeError)
  })
})

describe('readConfigSources and readTreeFile: the bytes that are hashed', () => {
  const base = mkdtempSync(join(tmpdir(), 'quorum-config-sources-'))
  after(() => rmSync(base, { recursive: true, force: true }))
  const tree = join(base, 'tree')
  mkdirSync(tree)
  writeFileSync(join(base, 'outside.mjs'), 'export default []\n')

  test('reads the config and its module inside the tree; an edit to either changes the hash', async () => {
    const files = { config: join(tree, 'quorum.yml'), functions: join(tree, 'checks.mjs') }
    writeFileSync(files.config, yaml('functions: checks.mjs', ...ONE_CHECK))
    writeFileSync(files.functions, 'export default []\n')
    const first = await readConfigSources(files, tree)
    assert.equal(Buffer.from(first.config!).toString(), yaml('functions: checks.mjs', ...ONE_CHECK))
    assert.equal(Buffer.from(first.functions!).toString(), 'export default []\n')
    const hash = hashConfigSources(first, 'handoff')
    assert.equal(hashConfigSources(await readConfigSources(files, tree), 'handoff'), hash)

    writeFileSync(files.functions, 'export default [] // changed\n')
    const moduleEdited = hashConfigSources(await readConfigSources(files, tree), 'handoff')
    assert.notEqual(moduleEdited, hash)
    writeFileSync(files.config, yaml('functions: checks.mjs', ...ONE_CHECK, '    timeout_s: 5'))
    const configEdited = hashConfigSources(await readConfigSources(files, tree), 'handoff')
    assert.notEqual(configEdited, moduleEdited)
    assert.notEqual(configEdited, hash)
  })

  test('a module outside the tree is refused, named relative to the tree', async () => {
    writeFileSync(join(tree, 'quorum.yml'), yaml(...ONE_CHECK))
    const err = await readConfigSources(
      { config: join(tree, 'quorum.yml'), functions: join(base, 'outside.mjs') },
      tree,
    ).catch((e: unknown) => e)
    assert.ok(err instanceof ConfigError)
    assert.match(err.format(), /^\.\.\/outside\.mjs: functions: is a link to a file outside/)
  })

  test('a file over the limit is refused before it is read', async () => {
    const big = join(tree, 'big.mjs')
    writeFileSync(big, '')
    spawnSync('truncate', ['-s', String(MAX_HASHED_BYTES + 1), big])
    await assert.rejects(readTreeFile(big, { root: tree, display: 'big.mjs', maxBytes: 10 }), {
      name: 'RangeError',
      message: 'big.mjs is larger than 10 bytes',
    })
    await assert.rejects(
      readConfigSources({ config: join(tree, 'quorum.yml'), functions: big }, tree),
      { name: 'RangeError', message: `big.mjs is larger than ${MAX_HASHED_BYTES} bytes` },
    )
  })
})
