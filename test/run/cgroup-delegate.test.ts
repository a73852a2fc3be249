// What root runs to delegate a cgroup: each tool with its values as arguments of its own, in the
// order the delegation needs. The run through real sudo is in test/security/hostile.int.test.ts
// ("limits for an ordinary user through sudo").
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { delegationCommands } from '../../src/run/cgroup/delegate.ts'

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
