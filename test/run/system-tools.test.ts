/**
 * resolveTool: where the gate finds the programs it runs for itself. Real directories and real
 * executables; only "may this user write here" is handed in where a test needs an answer the
 * machine would not give (tests often run as root, who may write everywhere).
 */
import assert from 'node:assert/strict'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { QuorumError } from '../../src/engine/errors.ts'
import { resolveTool, SYSTEM_TOOL_DIRS } from '../../src/run/system-tools.ts'

const root = mkdtempSync(join(tmpdir(), 'quorum-tools-'))
after(() => rmSync(root, { recursive: true, force: true }))
let counter = 0

/** Fresh directories named after `names`, each holding an executable `tool` when asked. */
function dirs(...names: Array<[string, boolean]>): Record<string, string> {
  counter += 1
  const out: Record<string, string> = {}
  for (const [name, withTool] of names) {
    const dir = join(root, `${counter}`, name)
    mkdirSync(dir, { recursive: true })
    if (withTool) executable(join(dir, 'tool'))
    out[name] = dir
  }
  return out
}

function executable(file: string): void {
  writeFileSync(file, '#!/bin/sh\nexit 0\n')
  chmodSync(file, 0o755)
}

const nobodyWrites = () => false

describe('resolveTool', () => {
  test('the system directories are searched first, in order, before any PATH entry', () => {
    const d = dirs(['sysA', false], ['sysB', true], ['sysC', true], ['onPath', true])
    const found = resolveTool('tool', {
      systemDirs: [d.sysA!, d.sysB!, d.sysC!],
      pathEnv: d.onPath!,
      canWrite: nobodyWrites,
    })
    assert.equal(found, join(d.sysB!, 'tool'))
  })

  test('the default system directories are /usr/bin, /bin, /usr/local/bin, /usr/sbin, /sbin', () => {
    assert.deepEqual(SYSTEM_TOOL_DIRS, ['/usr/bin', '/bin', '/usr/local/bin', '/usr/sbin', '/sbin'])
  })

  test('PATH is the fallback when no system directory has the tool: first usable entry wins', () => {
    const d = dirs(['sys', false], ['relative', true], ['first', true], ['second', true])
    const found = resolveTool('tool', {
      systemDirs: [d.sys!],
      // '' and '.' mean the current directory (a tree, when a check runs): never searched.
      pathEnv: ['', '.', 'relative', d.first!, d.second!].join(':'),
      canWrite: nobodyWrites,
      home: '/nonexistent-home',
    })
    assert.equal(found, join(d.first!, 'tool'))
  })

  test('on PATH, a tool in a directory this user can write is refused; the next one is taken', () => {
    const d = dirs(['sys', false], ['writable', true], ['locked', true])
    const found = resolveTool('tool', {
      systemDirs: [d.sys!],
      pathEnv: `${d.writable}:${d.locked}`,
      canWrite: (dir) => dir === d.writable,
      home: '/nonexistent-home',
    })
    assert.equal(found, join(d.locked!, 'tool'))
  })

  test('on PATH, a tool under HOME is refused even when the directory is not writable', () => {
    const d = dirs(['sys', false], ['home', false])
    const bin = join(d.home!, '.local', 'bin')
    mkdirSync(bin, { recursive: true })
    executable(join(bin, 'tool'))
    assert.throws(
      () =>
        resolveTool('tool', {
          systemDirs: [d.sys!],
          pathEnv: bin,
          canWrite: nobodyWrites,
          home: d.home!,
        }),
      (error) => {
        assert.ok(error instanceof QuorumError)
        assert.equal(error.fate, 'environment')
        assert.match(error.message, /refuses the copies on PATH/)
        assert.ok(error.message.includes(join(bin, 'tool')), error.message)
        assert.match(error.message, /under HOME/)
        return true
      },
    )
  })

  test('on PATH, a link whose target lies in a writable directory is refused', () => {
    const d = dirs(['sys', false], ['locked', false], ['writable', true])
    symlinkSync(join(d.writable!, 'tool'), join(d.locked!, 'tool'))
    assert.throws(
      () =>
        resolveTool('tool', {
          systemDirs: [d.sys!],
          pathEnv: d.locked!,
          canWrite: (dir) => dir === d.writable,
          home: '/nonexistent-home',
        }),
      /which this user can write/,
    )
  })

  test('with the real writability check, a PATH directory this user created is refused', () => {
    const d = dirs(['sys', false], ['mine', true])
    assert.throws(
      () => resolveTool('tool', { systemDirs: [d.sys!], pathEnv: d.mine!, home: '/nonexistent' }),
      { fate: 'environment', message: /which this user can write/ },
    )
  })

  test('directories and files without the execute bit are not tools', () => {
    const d = dirs(['sys', false], ['path', false])
    mkdirSync(join(d.sys!, 'tool'))
    writeFileSync(join(d.path!, 'tool'), 'not executable')
    chmodSync(join(d.path!, 'tool'), 0o644)
    assert.throws(
      () => resolveTool('tool', { systemDirs: [d.sys!], pathEnv: d.path!, canWrite: nobodyWrites }),
      /tool was not found in .* and PATH; install tool/,
    )
  })

  test('only bare names are resolved', () => {
    const notBare = { fate: 'environment', message: /is not a bare program name/ }
    assert.throws(() => resolveTool('./git'), notBare)
    assert.throws(() => resolveTool(''), notBare)
  })
})
