// What root runs to delegate a cgroup: each tool with its values as arguments of its own, in the
// order the delegation needs. The run through real sudo is in test/security/hostile.int.test.ts
// ("limits for an ordinary user through sudo").
import assert from 'node:assert/strict'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { locateCgroups } from '../../src/run/cgroup.ts'
import {
  delegationCommands,
  delegationFor,
  runAsRoot,
  type RootCommand,
} from '../../src/run/cgroup/delegate.ts'

describe('the commands that delegate a cgroup through sudo', () => {
  test('cgroup v1: each hierarchy gets the directory, handed to the user, with the judge in it', () => {
    const pids = '/sys/fs/cgroup/pids/quorum-delegated-1001-4242'
    const memory = '/sys/fs/cgroup/memory/quorum-delegated-1001-4242'
    assert.deepEqual(
      delegationCommands({ dirs: [pids, memory], version: 1, uid: 1001, gid: 127, pid: 4242 }),
      [
        { argv: ['mkdir', '-p', pids] },
        { argv: ['chown', '1001:127', pids, `${pids}/cgroup.procs`, `${pids}/tasks`] },
        { argv: ['tee', `${pids}/cgroup.procs`], input: '4242\n' },
        { argv: ['mkdir', '-p', memory] },
        { argv: ['chown', '1001:127', memory, `${memory}/cgroup.procs`, `${memory}/tasks`] },
        { argv: ['tee', `${memory}/cgroup.procs`], input: '4242\n' },
      ],
    )
  })

  test('cgroup v1 with cpuacct: its directory comes last, each of its commands optional', () => {
    const pids = '/sys/fs/cgroup/pids/quorum-delegated-1001-4242'
    const memory = '/sys/fs/cgroup/memory/quorum-delegated-1001-4242'
    const cpuacct = '/sys/fs/cgroup/cpu,cpuacct/quorum-delegated-1001-4242'
    const commands = delegationCommands({
      dirs: [pids, memory],
      optionalDirs: [cpuacct],
      version: 1,
      uid: 1001,
      gid: 127,
      pid: 4242,
    })
    assert.deepEqual(commands.slice(6), [
      { argv: ['mkdir', '-p', cpuacct], optional: true },
      {
        argv: ['chown', '1001:127', cpuacct, `${cpuacct}/cgroup.procs`, `${cpuacct}/tasks`],
        optional: true,
      },
      { argv: ['tee', `${cpuacct}/cgroup.procs`], input: '4242\n', optional: true },
    ])
    assert.ok(commands.slice(0, 6).every((c) => c.optional === undefined))
  })

  test('where the delegated directories go: the top of each hierarchy, cpuacct only when apart', () => {
    const ids = { uid: 1001, gid: 127, pid: 4242 }
    const name = 'quorum-delegated-1001-4242'
    // This machine's layout: pids, memory and cpuacct each mounted on its own.
    const hybrid = locateCgroups(
      [
        '32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
        '33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct',
        '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
        '39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
        '',
      ].join('\n'),
      '8:pids:/\n4:memory:/process_api/c681\n2:cpuacct:/\n1:cpu:/\n0::/\n',
    )
    assert.equal(hybrid.version, 1)
    if (hybrid.version !== 1) return
    assert.deepEqual(delegationFor(hybrid, ids), {
      dirs: [`/sys/fs/cgroup/pids/${name}`, `/sys/fs/cgroup/memory/${name}`],
      optionalDirs: [`/sys/fs/cgroup/cpuacct/${name}`],
      version: 1,
      ...ids,
    })
    // cpuacct mounted together with memory: that directory serves both, once.
    assert.deepEqual(
      delegationFor({ ...hybrid, cpuacctMountPoint: '/sys/fs/cgroup/memory' }, ids).optionalDirs,
      [],
    )
    assert.deepEqual(
      delegationFor({ ...hybrid, cpuacctDir: null, cpuacctMountPoint: null }, ids).optionalDirs,
      [],
    )
    assert.deepEqual(
      delegationFor(
        { version: 2, ownDir: '/sys/fs/cgroup/a.slice/b.service', mountPoint: '/sys/fs/cgroup' },
        ids,
      ),
      { dirs: [`/sys/fs/cgroup/${name}`], version: 2, ...ids },
    )
  })

  test('cgroup v2: controllers for the delegated cgroup and its children, the judge in a leaf', () => {
    const dir = '/sys/fs/cgroup/quorum-delegated-1001-4242'
    const judge = `${dir}/judge`
    assert.deepEqual(
      delegationCommands({ dirs: [dir], version: 2, uid: 1001, gid: 127, pid: 4242 }),
      [
        { argv: ['mkdir', '-p', dir] },
        { argv: ['tee', '/sys/fs/cgroup/cgroup.subtree_control'], input: '+pids +memory\n' },
        { argv: ['mkdir', '-p', judge] },
        { argv: ['tee', `${dir}/cgroup.subtree_control`], input: '+pids +memory\n' },
        {
          argv: [
            'chown',
            '1001:127',
            dir,
            `${dir}/cgroup.procs`,
            `${dir}/cgroup.subtree_control`,
            `${dir}/cgroup.threads`,
            judge,
            `${judge}/cgroup.procs`,
            `${judge}/cgroup.threads`,
            `${judge}/cgroup.subtree_control`,
          ],
        },
        { argv: ['tee', `${judge}/cgroup.procs`], input: '4242\n' },
      ],
    )
  })

  test('a path with spaces or shell characters stays one argument', () => {
    const dir = "/sys/fs/cgroup/a b/$(touch x)'; rm -rf /"
    const commands = delegationCommands({ dirs: [dir], version: 1, uid: 1, gid: 1, pid: 2 })
    assert.deepEqual(commands[0], { argv: ['mkdir', '-p', dir] })
    assert.ok(commands.every((c) => !c.argv.includes('-c')))
  })
})

describe('running the delegation through sudo', () => {
  /**
   * A stand-in for sudo: logs its arguments and its stdin, and fails (exit 1, a message on
   * stderr) for any command that names a path containing `fail-here`.
   */
  function fakeSudo(): { path: string; log: () => string[]; cleanup: () => void } {
    const dir = mkdtempSync(join(tmpdir(), 'cgroup-fake-sudo-'))
    const path = join(dir, 'sudo')
    const logFile = join(dir, 'log')
    writeFileSync(
      path,
      [
        '#!/bin/sh',
        `printf '%s|%s\\n' "$*" "$(cat)" >>'${logFile}'`,
        'case "$*" in *fail-here*) echo "$2: Permission denied" >&2; exit 1;; esac',
        'exit 0',
        '',
      ].join('\n'),
    )
    chmodSync(path, 0o755)
    writeFileSync(logFile, '')
    return {
      path,
      log: () => readFileSync(logFile, 'utf8').split('\n').filter(Boolean),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    }
  }

  const commands = (optionalDir: string, requiredDir = '/cg/pids/q'): RootCommand[] =>
    delegationCommands({
      dirs: [requiredDir],
      optionalDirs: [optionalDir],
      version: 1,
      uid: 1001,
      gid: 127,
      pid: 4242,
    })

  test('each command runs as `sudo -n tool args...` with its input on stdin', async (t) => {
    const sudo = fakeSudo()
    t.after(sudo.cleanup)
    assert.equal(await runAsRoot(sudo.path, commands('/cg/cpuacct/q')), null)
    assert.deepEqual(sudo.log(), [
      '-n mkdir -p /cg/pids/q|',
      '-n chown 1001:127 /cg/pids/q /cg/pids/q/cgroup.procs /cg/pids/q/tasks|',
      '-n tee /cg/pids/q/cgroup.procs|4242',
      '-n mkdir -p /cg/cpuacct/q|',
      '-n chown 1001:127 /cg/cpuacct/q /cg/cpuacct/q/cgroup.procs /cg/cpuacct/q/tasks|',
      '-n tee /cg/cpuacct/q/cgroup.procs|4242',
    ])
  })

  test('a failing optional command ends the delegation as done; a failing required one with the reason', async (t) => {
    const sudo = fakeSudo()
    t.after(sudo.cleanup)
    assert.equal(await runAsRoot(sudo.path, commands('/cg/fail-here/q')), null)
    assert.equal(sudo.log().length, 4, sudo.log().join('\n'))
    assert.equal(sudo.log().at(-1), '-n mkdir -p /cg/fail-here/q|')

    const failed = await runAsRoot(sudo.path, commands('/cg/cpuacct/q', '/cg/fail-here/q'))
    assert.equal(failed, 'sudo -n could not delegate a cgroup (exit 1: mkdir: Permission denied)')
    assert.equal(sudo.log().length, 5, 'nothing after the failed required command')
  })
})
