// The cgroup v2 code (hierarchy, runs, usage, delegation) against a fake cgroupfs laid out as on
// a GitHub-hosted Ubuntu 24.04 runner, which keeps the kernel's rules (see
// fixtures-cgroup/fake-cgroup-v2.ts). This machine is cgroup v1, so the v2 path runs nowhere
// else before CI; the real v2 kernel is in test/security/hostile.int.test.ts on GitHub's runners.
import assert from 'node:assert/strict'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { describe, test, type TestContext } from 'node:test'
import {
  CgroupError,
  detectCgroups,
  locateCgroups,
  type CgroupsAvailable,
} from '../../src/run/cgroup.ts'
import {
  delegationCommands,
  delegationFor,
  type RootCommand,
} from '../../src/run/cgroup/delegate.ts'
import { FakeCgroupV2 } from './fixtures-cgroup/fake-cgroup-v2.ts'

const MiB = 1024 * 1024
const SERVICE = '/system.slice/hosted-compute-agent.service'

/** A fresh runner layout, removed when the test ends. */
async function runner(
  t: TestContext,
  options?: Parameters<typeof FakeCgroupV2.githubRunner>[0],
): Promise<FakeCgroupV2> {
  const fake = await FakeCgroupV2.githubRunner(options)
  t.after(() => fake.dispose())
  return fake
}

/** detectCgroups as a judge with pid `judge` of the fake sees it. */
async function detectAs(fake: FakeCgroupV2, judge: number) {
  return detectCgroups({
    mountinfo: fake.mountinfo(),
    procSelfCgroup: await fake.procSelfCgroup(judge),
    fs: fake,
  })
}

function availableOf(found: Awaited<ReturnType<typeof detectCgroups>>): CgroupsAvailable {
  assert.ok(found.available, found.available ? '' : found.reason)
  return found
}

async function text(file: string): Promise<string> {
  return (await readFile(file, 'utf8')).trim()
}

/** The names a cgroup list file (cgroup.controllers, cgroup.subtree_control) holds. */
async function names(dir: string, file: string): Promise<string[]> {
  return (await text(join(dir, file))).split(/\s+/).filter(Boolean)
}

const quorumParents = async (fake: FakeCgroupV2, dir: string) =>
  (await fake.subdirs(dir)).filter((name) => name.startsWith('quorum-'))

describe('the fake cgroup v2 file system keeps the rules the kernel enforces', () => {
  test('controllers, no internal processes, delegation and page-rounded limits', async (t) => {
    const fake = await runner(t)
    const service = fake.path(SERVICE)
    const slice = fake.path('/system.slice')
    await fake.spawn(SERVICE)
    // A cgroup with processes may give no domain controller to children.
    await assert.rejects(fake.write(join(service, 'cgroup.subtree_control'), '+memory'), {
      code: 'EBUSY',
    })
    // A controller the cgroup does not have cannot be given.
    await assert.rejects(fake.write(join(slice, 'cgroup.subtree_control'), '+rdma'), {
      code: 'ENOENT',
    })
    // A child's controllers are what its parent gives, with their files.
    assert.deepEqual(await names(service, 'cgroup.controllers'), ['cpu', 'io', 'memory', 'pids'])
    assert.equal(await text(join(service, 'memory.max')), 'max')
    await fake.mkdir(join(service, 'leaf'))
    assert.deepEqual(await names(join(service, 'leaf'), 'cgroup.controllers'), [])
    await assert.rejects(readFile(join(service, 'leaf', 'memory.max')), /ENOENT/)
    // A process cannot join a cgroup that gives domain controllers to its children.
    await assert.rejects(fake.spawn('/user.slice'), /no process can be in \/user\.slice/)
    const pid = await fake.spawn('/init.scope')
    await assert.rejects(fake.write(join(slice, 'cgroup.procs'), `${pid}\n`), { code: 'EBUSY' })
    // Another user needs the destination's and the common ancestor's cgroup.procs.
    await fake.chown(join(service, 'leaf'), 1001)
    await fake.chown(join(service, 'leaf', 'cgroup.procs'), 1001)
    fake.uid = 1001
    await assert.rejects(fake.write(join(service, 'leaf', 'cgroup.procs'), `${pid}`), {
      code: 'EACCES',
    })
    await assert.rejects(fake.mkdir(join(slice, 'mine')), { code: 'EACCES' })
    fake.uid = 0
    await fake.write(join(slice, 'ssh.service', 'memory.max'), `${32 * MiB + 100}`)
    assert.equal(await text(join(slice, 'ssh.service', 'memory.max')), `${32 * MiB}`)
    await assert.rejects(fake.write(join(slice, 'ssh.service', 'memory.events'), 'oom_kill 1'))
    await assert.rejects(fake.rmdir(join(slice, 'ssh.service')), /EBUSY/)
    assert.deepEqual(await fake.check(), [])
    // A directory made around the fake is caught.
    await mkdir(join(slice, 'around'))
    assert.deepEqual(await fake.check(), [
      '/system.slice/around is a directory without cgroup files (made around the fake)',
    ])
  })
})

describe('cgroup v2 on a GitHub runner (Ubuntu 24.04 layout, fake cgroupfs)', () => {
  test("the judge's parent goes beside its service in system.slice, with pids and memory for runs", async (t) => {
    const fake = await runner(t)
    const agent = await fake.spawn(SERVICE)
    const judge = await fake.spawn(SERVICE)
    const found = availableOf(await detectAs(fake, judge))
    t.after(() => found.dispose())
    assert.equal(found.version, 2)
    const slice = fake.path('/system.slice')
    const [parent] = found.parents
    assert.equal(found.parents.length, 1)
    assert.equal(dirname(parent ?? ''), slice)
    assert.match(parent ?? '', new RegExp(`/quorum-${process.pid}-[0-9a-f]{8}$`))
    // The service has processes: the code tried it, got EBUSY and left it (and them) alone.
    const service = fake.path(SERVICE)
    assert.ok(fake.writes.some(([, file]) => file === join(service, 'cgroup.subtree_control')))
    assert.deepEqual(await names(service, 'cgroup.subtree_control'), [])
    assert.deepEqual(await fake.procsIn(service), [agent, judge])
    assert.deepEqual(await names(parent ?? '', 'cgroup.controllers'), [
      'cpu',
      'io',
      'memory',
      'pids',
    ])
    assert.deepEqual(await names(parent ?? '', 'cgroup.subtree_control'), ['memory', 'pids'])
    assert.deepEqual(await fake.check(), [])
  })

  test('a system slice that does not give pids yet gets it enabled', async (t) => {
    const fake = await runner(t, { systemSliceControllers: '+memory' })
    const judge = await fake.spawn(SERVICE)
    const found = availableOf(await detectAs(fake, judge))
    t.after(() => found.dispose())
    assert.deepEqual(await names(fake.path('/system.slice'), 'cgroup.subtree_control'), [
      'memory',
      'pids',
    ])
    const run = await found.createRun('r1', { pidsMax: 5, memoryBytes: null })
    assert.equal(await text(join(run.controllerDirs.pids, 'pids.max')), '5')
    assert.deepEqual(await fake.check(), [])
  })

  test('a run gets its limits, a sandbox process joins it, kill() and remove() empty and delete it', async (t) => {
    const fake = await runner(t)
    const judge = await fake.spawn(SERVICE)
    const found = availableOf(await detectAs(fake, judge))
    t.after(() => found.dispose())
    const [parent = ''] = found.parents
    const run = await found.createRun('r1', { pidsMax: 8, memoryBytes: 32 * MiB })
    const dir = join(parent, 'run-r1')
    assert.deepEqual(run.dirs, [dir])
    assert.deepEqual(run.controllerDirs, { pids: dir, memory: dir, cpu: dir })
    assert.deepEqual(run.procsFiles, [join(dir, 'cgroup.procs')])
    assert.equal(await text(join(dir, 'pids.max')), '8')
    assert.equal(await text(join(dir, 'memory.max')), `${32 * MiB}`)
    assert.equal(await text(join(dir, 'memory.swap.max')), '0')
    assert.deepEqual(await names(dir, 'cgroup.controllers'), ['memory', 'pids'])

    // The sandbox wrapper, a child of the judge, writes its own pid into each procsFile.
    const sandbox = await fake.spawn(SERVICE)
    for (const file of run.procsFiles) await fake.write(file, `${sandbox}\n`)
    const grandchild = await fake.spawn(fake.cgroupPath(dir))
    assert.deepEqual(await fake.procsIn(dir), [sandbox, grandchild])
    assert.deepEqual(await fake.check(), [])

    await run.kill()
    assert.deepEqual(await fake.procsIn(dir), [])
    assert.equal(await fake.cgroupOf(sandbox), null)
    assert.ok(
      fake.writes.some(([, file, value]) => file === join(dir, 'cgroup.kill') && value === '1'),
    )
    assert.deepEqual(await fake.procsIn(fake.path(SERVICE)), [judge])
    await run.remove()
    assert.deepEqual(await fake.subdirs(parent), [])
    await assert.rejects(run.usage(), CgroupError)

    // A run left with a process in it is killed and removed by dispose(), and so is the parent.
    const left = await found.createRun('left', { pidsMax: null, memoryBytes: null })
    await fake.write(left.procsFiles[0] ?? '', `${await fake.spawn(SERVICE)}`)
    await found.dispose()
    assert.deepEqual(await quorumParents(fake, fake.path('/system.slice')), [])
    assert.deepEqual(await fake.check(), [])
  })

  test('usage() reads oom_kill of memory.events, max of pids.events, memory.peak and usage_usec of cpu.stat', async (t) => {
    const fake = await runner(t)
    const found = availableOf(await detectAs(fake, await fake.spawn(SERVICE)))
    t.after(() => found.dispose())
    const run = await found.createRun('r1', { pidsMax: 16, memoryBytes: 64 * MiB })
    assert.deepEqual(await run.usage(), {
      oomKilled: false,
      pidsLimitHit: false,
      memoryPeakBytes: 0,
      cpuMs: 0,
    })
    // What the kernel wrote after the run was OOM-killed, hit its pids limit and used CPU
    // (memory.events, pids.events and cpu.stat as kernel 6.8 prints them, cpu controller on).
    const dir = run.controllerDirs.memory
    await writeFile(
      join(dir, 'memory.events'),
      'low 0\nhigh 0\nmax 1544\noom 2\noom_kill 1\noom_group_kill 0\n',
    )
    await writeFile(join(dir, 'pids.events'), 'max 3\n')
    await writeFile(join(dir, 'memory.peak'), `${63 * MiB}\n`)
    await writeFile(
      join(dir, 'cpu.stat'),
      'usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\ncore_sched.force_idle_usec 0\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\nnr_bursts 0\nburst_usec 0\n',
    )
    assert.deepEqual(await run.usage(), {
      oomKilled: true,
      pidsLimitHit: true,
      memoryPeakBytes: 63 * MiB,
      cpuMs: 1234.567,
    })
  })

  test('a dead judge’s parent in system.slice is swept, its processes killed', async (t) => {
    const fake = await runner(t)
    const stale = fake.path('/system.slice/quorum-4299999-deadbeef')
    await fake.mkdir(stale)
    await fake.write(join(stale, 'cgroup.subtree_control'), '+pids +memory')
    await fake.mkdir(join(stale, 'run-r1'))
    const orphan = await fake.spawn(fake.cgroupPath(join(stale, 'run-r1')))
    const found = availableOf(await detectAs(fake, await fake.spawn(SERVICE)))
    t.after(() => found.dispose())
    assert.equal(await fake.cgroupOf(orphan), null)
    assert.deepEqual(await quorumParents(fake, fake.path('/system.slice')), [
      (found.parents[0] ?? '').split('/').at(-1),
    ])
    assert.deepEqual(await fake.check(), [])
  })

  test('an ordinary user without delegation, or a hierarchy without pids, gets no cgroups and a reason', async (t) => {
    const fake = await runner(t)
    const judge = await fake.spawn(SERVICE)
    fake.uid = 1001
    const found = await detectAs(fake, judge)
    assert.equal(found.available, false)
    const reason = found.available ? '' : found.reason
    assert.match(reason, new RegExp(`cgroup v2 at ${fake.path(SERVICE)} is not writable .*EACCES`))
    assert.match(
      reason,
      new RegExp(`; and cgroup v2 at ${fake.path('/system.slice')} is not writable`),
    )
    assert.deepEqual(await quorumParents(fake, fake.path('/system.slice')), [])

    // Handed the slice but not its cgroup.procs: runs could be made but never joined (moving a
    // process needs the common ancestor's cgroup.procs), so detection says no at once.
    const slice = fake.path('/system.slice')
    for (const file of ['', 'cgroup.subtree_control']) await fake.chown(join(slice, file), 1001)
    const halfDelegated = await detectAs(fake, judge)
    assert.equal(halfDelegated.available, false)
    assert.match(
      halfDelegated.available ? '' : halfDelegated.reason,
      new RegExp(
        `; and cgroup v2 at ${slice} is not writable .*cannot write ${slice}/cgroup\\.procs`,
      ),
    )
    assert.deepEqual(await quorumParents(fake, slice), [])

    const noPids = await runner(t, {
      rootControllers: '+cpuset +cpu +io +memory',
      systemSliceControllers: '+memory',
    })
    const other = await detectAs(noPids, await noPids.spawn(SERVICE))
    assert.equal(other.available, false)
    assert.match(
      other.available ? '' : other.reason,
      /cgroup v2 at .*\/system\.slice has no pids controller to give \(cgroup\.controllers: "cpuset cpu io memory"\)/,
    )
    assert.deepEqual(await noPids.check(), [])
  })

  test("an ordinary user in a systemd user session (Delegate=yes) gets its parent in the session's app.slice", async (t) => {
    const fake = await runner(t)
    // What logind and systemd set up for user 1000: user@1000.service is delegated to the user,
    // whose own systemd makes init.scope and app.slice below it.
    const slice = fake.path('/user.slice/user-1000.slice')
    const manager = join(slice, 'user@1000.service')
    await fake.mkdir(slice)
    await fake.write(join(slice, 'cgroup.subtree_control'), '+memory +pids')
    await fake.mkdir(manager)
    await fake.write(join(manager, 'cgroup.subtree_control'), '+memory +pids')
    for (const file of ['', 'cgroup.procs', 'cgroup.subtree_control', 'cgroup.threads']) {
      await fake.chown(join(manager, file), 1000)
    }
    fake.uid = 1000
    await fake.mkdir(join(manager, 'init.scope'))
    await fake.spawn(fake.cgroupPath(join(manager, 'init.scope')))
    const apps = join(manager, 'app.slice')
    await fake.mkdir(apps)
    await fake.write(join(apps, 'cgroup.subtree_control'), '+memory +pids')
    const terminal = join(apps, 'vte-spawn-5d1f.scope')
    await fake.mkdir(terminal)
    const shell = await fake.spawn(fake.cgroupPath(terminal))
    const judge = await fake.spawn(fake.cgroupPath(terminal))

    const found = availableOf(await detectAs(fake, judge))
    t.after(() => found.dispose())
    const [parent = ''] = found.parents
    assert.equal(dirname(parent), apps)
    assert.deepEqual(await fake.procsIn(terminal), [shell, judge])
    const run = await found.createRun('r1', { pidsMax: 8, memoryBytes: 32 * MiB })
    const sandbox = await fake.spawn(fake.cgroupPath(terminal))
    for (const file of run.procsFiles) await fake.write(file, `${sandbox}\n`)
    assert.equal(await fake.cgroupOf(sandbox), run.controllerDirs.pids)
    await found.dispose()
    assert.deepEqual(await quorumParents(fake, apps), [])
    assert.deepEqual(await fake.check(), [])
  })

  test('delegation through sudo: root hands over a cgroup, the judge in a leaf, and the runner user runs checks in it', async (t) => {
    const fake = await runner(t)
    const judge = await fake.spawn(SERVICE)
    const location = locateCgroups(fake.mountinfo(), await fake.procSelfCgroup(judge))
    assert.equal(location.version, 2)
    if (location.version !== 2) return
    const d = delegationFor(location, { uid: 1001, gid: 118, pid: judge })
    const delegated = fake.path(`/quorum-delegated-1001-${judge}`)
    assert.deepEqual(d, { dirs: [delegated], version: 2, uid: 1001, gid: 118, pid: judge })
    const leaf = join(delegated, 'judge')

    // What sudo runs, played by root on the fake.
    for (const command of delegationCommands(d)) await runAsRootOn(fake, command)
    assert.equal(await fake.cgroupOf(judge), leaf)
    assert.deepEqual(await names(delegated, 'cgroup.subtree_control'), ['memory', 'pids'])
    assert.deepEqual(await names(leaf, 'cgroup.subtree_control'), [])
    assert.equal(fake.ownerOf(delegated), 1001)
    assert.deepEqual(await fake.check(), [])

    // The judge, as the runner user, finds a cgroup it may manage.
    fake.uid = 1001
    const found = availableOf(await detectAs(fake, judge))
    t.after(() => found.dispose())
    const [parent = ''] = found.parents
    assert.equal(dirname(parent), delegated)
    const run = await found.createRun('r1', { pidsMax: 8, memoryBytes: 32 * MiB })
    assert.equal(await text(join(run.controllerDirs.memory, 'memory.max')), `${32 * MiB}`)
    // A sandbox process started by the judge joins as the same user: the common ancestor of
    // the judge's leaf and the run is the delegated cgroup, whose cgroup.procs the user owns.
    const sandbox = await fake.spawn(fake.cgroupPath(leaf))
    for (const file of run.procsFiles) await fake.write(file, `${sandbox}\n`)
    assert.equal(await fake.cgroupOf(sandbox), run.controllerDirs.pids)
    assert.deepEqual(await fake.check(), [])
    await found.dispose()
    assert.deepEqual(await fake.subdirs(delegated), ['judge'])
    assert.equal(await fake.cgroupOf(judge), leaf)
  })
})

/**
 * One command of the delegation as root runs it, on the fake: the only tools it uses are
 * `mkdir -p`, `tee` (stdin into a file, one write) and `chown uid:gid paths...`.
 */
async function runAsRootOn(fake: FakeCgroupV2, command: RootCommand): Promise<void> {
  const [tool, ...args] = command.argv
  const uid = fake.uid
  fake.uid = 0
  try {
    if (tool === 'mkdir' && args[0] === '-p' && args.length === 2) {
      const target = args[1] ?? ''
      const missing: string[] = []
      for (let dir = target; dir !== fake.root; dir = dirname(dir)) missing.unshift(dir)
      for (const dir of missing) {
        if (!(await fake.subdirs(dirname(dir))).includes(dir.split('/').at(-1) ?? '')) {
          await fake.mkdir(dir)
        }
      }
    } else if (tool === 'tee' && args.length === 1 && command.input !== undefined) {
      await fake.write(args[0] ?? '', command.input)
    } else if (tool === 'chown' && args.length >= 2) {
      const owner = Number((args[0] ?? '').split(':')[0])
      for (const path of args.slice(1)) await fake.chown(path, owner)
    } else {
      assert.fail(`unexpected root command ${JSON.stringify(command)}`)
    }
  } finally {
    fake.uid = uid
  }
}
