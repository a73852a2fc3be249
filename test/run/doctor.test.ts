// The doctor's pure parts: probe lines -> rows, rows + config -> verdict, the cache file.
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { configInCode } from '../../src/engine/config.ts'
import type { GateConfig } from '../../src/engine/types.ts'
import {
  doctorCacheFile,
  readCachedProbe,
  writeCachedProbe,
  type CachedProbe,
  type DoctorCacheKey,
} from '../../src/run/doctor/cache.ts'
import {
  DEFAULT_ASKS,
  asksOf,
  judge,
  observe,
  type ProbeFacts,
  type PropertyId,
} from '../../src/run/doctor/judge.ts'
import { FORK_ATTEMPTS, parseProbeLines } from '../../src/run/doctor/probe-script.ts'

/** What the probe script prints in a sandbox where everything holds (as on this machine). */
const GOOD_OUTPUT = [
  'quorum-doctor write-host refused',
  'quorum-doctor read-home hidden',
  'quorum-doctor proc hidden 2 sleep',
  'quorum-doctor caps 0000000000000000 0000000000000000 1',
  'quorum-doctor tmp-tool hidden',
  'quorum-doctor home-socket refused No such file or directory',
  'quorum-doctor run-socket refused No such file or directory',
  'quorum-doctor abstract-socket refused Operation not permitted',
  'quorum-doctor tcp-host reached',
  'quorum-doctor landlock 7',
  'quorum-doctor cgroup v1 16 536870912',
  `quorum-doctor pids 12 ${FORK_ATTEMPTS} Resource temporarily unavailable`,
].join('\n')

function facts(over: Partial<ProbeFacts> = {}, output = GOOD_OUTPUT): ProbeFacts {
  return {
    kind: 'overlay',
    sandboxNote: null,
    cgroupNote: null,
    root: true,
    landlock: true,
    apparmorUserns: null,
    main: { completed: true, why: 'PASSED: exit 0', lines: parseProbeLines(output) },
    network: {
      completed: true,
      why: 'PASSED: exit 0',
      lines: parseProbeLines('quorum-doctor tcp-none refused Connection refused'),
    },
    evidence: {
      hostFileChanged: false,
      planted: false,
      reached: {
        homeSocket: false,
        runSocket: false,
        abstractSocket: false,
        tcpHost: true,
        tcpNone: false,
      },
    },
    targets: {
      hostFile: '/root/.quorum-doctor-x/visible/host-file',
      secretFile: '/root/.quorum-doctor-x/hidden/secret-token',
      doctorPid: 4242,
      homeSocket: '/root/.quorum-doctor-x/hidden/daemon.sock',
      runSocket: '/run/quorum-doctor-x/daemon.sock',
      abstractSocket: 'quorum-doctor-x',
      tmpTool: '/tmp/quorum-doctor-x/tool',
    },
    limits: { pidsMax: 16, memoryBytes: 512 * 1024 * 1024 },
    ...over,
  }
}

function states(f: ProbeFacts): Record<PropertyId, string> {
  return Object.fromEntries(observe(f).map((o) => [o.id, o.state])) as Record<PropertyId, string>
}

/** The rows that do not hold (info rows never do). */
function failing(f: ProbeFacts): PropertyId[] {
  return observe(f)
    .filter((o) => o.state === 'fails')
    .map((o) => o.id)
}

const withOutput = (from: string, to: string) => GOOD_OUTPUT.replace(from, to)

describe('doctor rows', () => {
  test('a sandbox where every attack failed holds on every row', () => {
    assert.deepEqual(failing(facts()), [])
    const s = states(facts())
    assert.equal(s['user-namespace'], 'info')
    assert.equal(s['apparmor-userns'], 'info')
    assert.equal(s['private-tmp'], 'info')
  })

  // One broken property at a time: the row it belongs to turns, and only that one.
  const good = facts()
  const broken: Array<[string, PropertyId, ProbeFacts]> = [
    ['a copy sandbox', 'sandbox', facts({ kind: 'copy', sandboxNote: 'copy was asked for' })],
    [
      'the doctor seen in /proc',
      'private-proc',
      facts({}, withOutput('proc hidden 2', 'proc visible 90')),
    ],
    [
      'a host file overwritten',
      'read-only-host',
      facts({ evidence: { ...good.evidence, hostFileChanged: true } }),
    ],
    ['a file planted', 'read-only-host', facts({ evidence: { ...good.evidence, planted: true } })],
    [
      'the host file not shown',
      'read-only-host',
      facts({}, withOutput('write-host refused', 'write-host unseen')),
    ],
    [
      'a secret under HOME read',
      'hidden-homes',
      facts({}, withOutput('read-home hidden', 'read-home read')),
    ],
    [
      'a capability kept',
      'no-capabilities',
      facts({}, withOutput('caps 0000000000000000', 'caps 000001ffffffffff')),
    ],
    [
      'the /run socket reached',
      'daemon-sockets',
      facts({}, withOutput('run-socket refused', 'run-socket reached')),
    ],
    [
      'an abstract socket reached',
      'abstract-sockets',
      facts({}, withOutput('abstract-socket refused', 'abstract-socket reached')),
    ],
    ['no cgroups', 'cgroups', facts({ cgroupNote: 'not root' })],
    ['every fork started', 'pids-limit', facts({}, withOutput('pids 12', `pids ${FORK_ATTEMPTS}`))],
    ['no memory limit', 'memory-limit', facts({}, withOutput('536870912', 'max'))],
  ]
  for (const [what, id, f] of broken) {
    test(`${what} turns "${id}" to "does not hold"`, () => {
      assert.deepEqual(failing(f), [id])
    })
  }

  test('a connection the host saw counts even when the script says it was refused', () => {
    const f = facts()
    const evidence = { ...f.evidence, reached: { ...f.evidence.reached, homeSocket: true } }
    assert.deepEqual(failing({ ...f, evidence }), ['daemon-sockets'])
    const none = { ...f.evidence, reached: { ...f.evidence.reached, tcpNone: true } }
    assert.deepEqual(failing({ ...f, evidence: none }), ['network-none'])
  })

  test('a probe run that did not finish proves nothing: every probed row fails, naming why', () => {
    const f = facts({ main: { completed: false, why: 'TIMEOUT: over 20 s', lines: new Map() } })
    const rows = observe(f)
    for (const id of ['private-proc', 'hidden-homes', 'no-capabilities', 'pids-limit'] as const) {
      const row = rows.find((r) => r.id === id)!
      assert.equal(row.state, 'fails', id)
      assert.match(row.detail, /TIMEOUT: over 20 s/)
    }
  })

  test('without Landlock scopes an abstract socket reached is a fact, not a failure', () => {
    const f = facts(
      { landlock: false },
      withOutput('abstract-socket refused', 'abstract-socket reached'),
    )
    const { rows, failures } = judge(observe(f), DEFAULT_ASKS)
    const row = rows.find((r) => r.id === 'abstract-sockets')!
    assert.equal(row.state, 'fails')
    assert.equal(row.required, false)
    assert.match(row.detail, /Linux 6\.12/)
    assert.deepEqual(failures, [])
  })

  test('a user that is not root needs the user namespace', () => {
    const rows = observe(facts({ root: false, kind: 'copy', sandboxNote: 'userns refused' }))
    const row = rows.find((r) => r.id === 'user-namespace')!
    assert.deepEqual([row.state, row.need], ['fails', 'always'])
  })
})

describe('doctor verdict', () => {
  const noLimits = facts(
    { cgroupNote: 'cgroup v2 without delegation' },
    withOutput('cgroup v1 16 536870912', 'cgroup none none none').replace(
      'pids 12',
      `pids ${FORK_ATTEMPTS}`,
    ),
  )

  test('the default config does not rely on cgroups: missing limits are shown, exit 0', () => {
    const { rows, failures } = judge(observe(noLimits), DEFAULT_ASKS)
    assert.deepEqual(failures, [])
    assert.equal(rows.find((r) => r.id === 'pids-limit')!.state, 'fails')
  })

  test('a config that sets pids_max relies on them: one line per property that fails', () => {
    const config: GateConfig = { ...configInCode({}), limits: { pids_max: 100 } }
    const { failures } = judge(observe(noLimits), asksOf(config))
    assert.equal(failures.length, 2)
    assert.match(
      failures[0]!,
      /^cgroups does not hold: runs get no cgroup: cgroup v2 without delegation$/,
    )
    assert.match(failures[1]!, /^pids_max enforced does not hold: a run started all 48 processes/)
  })

  test('what a config asks for: its own limits, top level, per check and for the setup', () => {
    const base = configInCode({})
    assert.deepEqual(asksOf(null), DEFAULT_ASKS)
    assert.deepEqual(asksOf(base), DEFAULT_ASKS)
    assert.deepEqual(asksOf({ ...base, limits: { memory_mb: 100, network: 'none' } }), {
      pids_max: false,
      memory_mb: true,
      networkNone: true,
    })
    const check = {
      kind: 'shell' as const,
      name: 'a',
      command: 'x',
      timeout_s: 1,
      env: {},
      score_from: null,
      limits: { pids_max: 10 },
    }
    assert.equal(asksOf({ ...base, checks: [check] }).pids_max, true)
    const setup = { command: 'x', timeout_s: 1, network: 'none' as const }
    assert.equal(asksOf({ ...base, setup }).networkNone, true)
  })
})

describe('doctor probe lines', () => {
  test('only prefixed lines count, the first of a name wins, noise is ignored', () => {
    const lines = parseProbeLines(
      'sh: 1: cannot create x\nquorum-doctor caps 0 0 1\n  quorum-doctor caps f f 0\nquorum-doctorx y\n',
    )
    assert.deepEqual([...lines], [['caps', ['0', '0', '1']]])
  })
})

describe('doctor cache', () => {
  const key: DoctorCacheKey = {
    hostname: 'vm',
    kernel: '6.18.0',
    uid: 0,
    version: '0.1.0',
    sysctls: { '/proc/sys/user/max_user_namespaces': '63000' },
  }
  const entry: CachedProbe = {
    key,
    probed_at: '2026-12-08T02:00:00.000Z',
    probe_ms: 180,
    sandbox: 'overlay',
    observations: observe(facts()),
  }

  test('a table is read back for its own key only; anything else is a miss', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'quorum-doctor-cache-'))
    try {
      const file = doctorCacheFile(dir, key)
      await writeCachedProbe(file, entry)
      assert.deepEqual(await readCachedProbe(file, key), entry)
      for (const other of [
        { ...key, kernel: '6.19.0' },
        { ...key, uid: 1000 },
        { ...key, version: '0.2.0' },
        { ...key, hostname: 'other' },
        { ...key, sysctls: { '/proc/sys/user/max_user_namespaces': '0' } },
      ]) {
        assert.notEqual(doctorCacheFile(dir, other), file)
        assert.equal(await readCachedProbe(file, other), null)
      }
      const text = await readFile(file, 'utf8')
      await writeFile(file, text.replace('"holds"', '"maybe"'))
      assert.equal(await readCachedProbe(file, key), null, 'a row of an unknown state')
      await writeFile(file, '{')
      assert.equal(await readCachedProbe(file, key), null, 'not JSON')
      assert.equal(await readCachedProbe(join(dir, 'missing.json'), key), null)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
