/**
 * `quorum doctor` for real: canary attacks in real sandboxes on this machine, bait on the host,
 * as root, with HOME under /root as on a self-hosted runner (never under /tmp, which every run
 * sees as its own). Each property gets a test that breaks it on purpose, through the doctor's
 * workspace seam (a copy sandbox, no sandbox at all, runs without limits, a home shown again),
 * and watches its row turn to "does not hold".
 */
import assert from 'node:assert/strict'
import { execFile, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { after, describe, test } from 'node:test'
import type { GateConfig, ResourceLimits, RunResult } from '../src/engine/types.ts'
import { loadConfigFile } from '../src/run/config-file.ts'
import { doctorCacheFile, writeCachedProbe } from '../src/run/doctor/cache.ts'
import {
  doctorCacheKey,
  runDoctor,
  type DoctorReport,
  type DoctorWorkspace,
  type PropertyId,
} from '../src/run/doctor/run-doctor.ts'
import { detectSandbox } from '../src/run/sandbox.ts'
import { createWorkspace, type WorkspaceOptions } from '../src/run/workspace.ts'

const CLI = join(import.meta.dirname, '..', 'src', 'bin', 'quorum.ts')

const SKIP =
  process.platform !== 'linux'
    ? 'needs Linux'
    : process.getuid?.() !== 0
      ? 'runs as root, as on a self-hosted runner'
      : null

// HOME as a runner has it: a directory under /root (hidden from runs like every home).
const home = SKIP ? '' : mkdtempSync('/root/quorum-doctor-test-')
after(() => {
  if (home) rmSync(home, { recursive: true, force: true })
})
const env = { ...process.env, HOME: home }

const overlaySkip = async (): Promise<string | null> =>
  SKIP ?? ((await detectSandbox(home, 'auto')).kind === 'overlay' ? null : 'no overlay here')

/** A config that asks for every optional feature: cgroups (both limits) and network: none. */
async function demandingConfig(): Promise<GateConfig> {
  const file = join(home, 'quorum.yml')
  writeFileSync(
    file,
    'pids_max: 200\nmemory_mb: 1024\nnetwork: none\nchecks:\n  - name: a\n    command: "true"\n',
  )
  return loadConfigFile(file)
}

function rowsBy(report: DoctorReport): Record<PropertyId, DoctorReport['rows'][number]> {
  return Object.fromEntries(report.rows.map((r) => [r.id, r])) as Record<
    PropertyId,
    DoctorReport['rows'][number]
  >
}

function failing(report: DoctorReport): PropertyId[] {
  return report.rows.filter((r) => r.state === 'fails').map((r) => r.id)
}

/** What lies in the places the doctor lays bait, to compare before and after. */
function baitPlaces(): string[] {
  return [home, '/run', '/tmp'].flatMap((dir) =>
    readdirSync(dir)
      .filter((n) => /^\.?quorum-doctor-/.test(n))
      .map((n) => join(dir, n)),
  )
}

/** The doctor left nothing behind: no bait under HOME, in /run or in /tmp. */
async function assertNoBaitLeft<T>(run: () => Promise<T>): Promise<T> {
  const before = new Set(baitPlaces())
  const result = await run()
  assert.deepEqual(
    baitPlaces().filter((p) => !before.has(p)),
    [],
  )
  return result
}

/** The real workspace, with its runs' limits changed: a sandbox that forgets to enforce one. */
function withLimits(change: (limits: ResourceLimits) => ResourceLimits) {
  return async (options: WorkspaceOptions): Promise<DoctorWorkspace> => {
    const ws = await createWorkspace(options)
    return {
      get kind() {
        return ws.kind
      },
      get sandboxNote() {
        return ws.sandboxNote
      },
      get cgroupNote() {
        return ws.cgroupNote
      },
      prepareEmptyTree: (role, label) => ws.prepareEmptyTree(role, label),
      runCheck: (tree, spec, opts) =>
        ws.runCheck(tree, spec, { ...opts, limits: change(opts.limits!) }),
      dispose: () => ws.dispose(),
    }
  }
}

/** No sandbox at all: the script runs on the host as the doctor's own child, as root. */
async function bareHost(): Promise<DoctorWorkspace> {
  const exec = promisify(execFile)
  return {
    kind: 'copy',
    sandboxNote: 'no sandbox at all (a test breaks it on purpose)',
    cgroupNote: 'no cgroups (a test breaks it on purpose)',
    prepareEmptyTree: async (role) => Object.freeze({ role, sourceDir: home }),
    runCheck: async (_tree, spec): Promise<RunResult> => {
      if (spec.kind !== 'shell') throw new Error('shell checks only')
      const { stdout } = await exec('/bin/sh', ['-c', spec.command], { cwd: home })
      return {
        outcome: 'PASSED',
        reason: 'exit 0',
        score: null,
        duration_ms: 0,
        exit_code: 0,
        signal: null,
        output: { head: stdout, tail: '', bytes: stdout.length, truncated: false, log_path: null },
        seed: '0',
        sandbox: 'copy',
      }
    },
    dispose: async () => undefined,
  }
}

describe('quorum doctor on this machine', { skip: SKIP ?? false }, () => {
  test('every row holds, judged against the default config and against one that asks for everything', async (t) => {
    const skip = await overlaySkip()
    if (skip) return t.skip(skip)
    const config = await demandingConfig()
    const report = await assertNoBaitLeft(() => runDoctor({ env, config, cacheDir: null }))
    assert.deepEqual(report.asks, { pids_max: true, memory_mb: true, networkNone: true })
    assert.deepEqual(failing(report), [], JSON.stringify(report.rows, null, 2))
    assert.deepEqual(report.failures, [])
    assert.equal(report.ok, true)
    assert.equal(report.sandbox, 'overlay')
    assert.equal(report.cached, false)
    const rows = rowsBy(report)
    for (const id of ['sandbox', 'private-proc', 'read-only-host', 'hidden-homes'] as const) {
      assert.equal(rows[id].state, 'holds', id)
      assert.equal(rows[id].required, true, id)
    }
    // The evidence the rows stand on: the run saw the file it could not change, the fork bomb
    // met pids_max, the limit is the run's own, the host's loopback was reachable by default.
    assert.match(rows['read-only-host'].detail, /read .*host-file and could not change it/)
    assert.match(rows['pids-limit'].detail, /stopped after \d+ processes/)
    assert.match(rows['memory-limit'].detail, /536870912 bytes/)
    assert.match(rows['network-none'].detail, /a run with the host network reached it/)
    assert.match(rows['no-capabilities'].detail, /^CapEff 0+, CapPrm 0+, NoNewPrivs 1$/)
    assert.match(rows['private-tmp'].detail, /\/tmp\/quorum-doctor-.*\/tool was not there/)
    assert.ok(report.probe_ms > 0)
  })

  test('a copy sandbox: what only the overlay gives does not hold, and each is a failure line', async () => {
    const config = await demandingConfig()
    const report = await assertNoBaitLeft(() =>
      runDoctor({
        env,
        cacheDir: null,
        config,
        workspace: (o) => createWorkspace({ ...o, sandbox: 'copy' }),
      }),
    )
    assert.equal(report.sandbox, 'copy')
    const broken: PropertyId[] = [
      'sandbox',
      'private-proc',
      'read-only-host',
      'hidden-homes',
      'daemon-sockets',
      'abstract-sockets',
      'network-none',
    ]
    assert.deepEqual(failing(report), broken)
    assert.equal(report.ok, false)
    assert.deepEqual(
      report.failures.map((line) => line.split(' does not hold: ')[0]),
      [
        'sandbox',
        'private /proc',
        'read-only host',
        'hidden homes',
        'daemon sockets (/run, HOME)',
        'abstract sockets (Landlock)',
        'network: none',
      ],
    )
    const rows = rowsBy(report)
    assert.match(rows['read-only-host'].detail, /a run overwrote .*host-file/)
    assert.match(rows['hidden-homes'].detail, /a run read .*secret-token/)
    assert.match(rows['private-proc'].detail, new RegExp(`pid ${process.pid}`))
    assert.match(rows['private-tmp'].detail, /not private here/)
    // A copy run still joins its cgroup: the limits hold, and say so.
    for (const id of ['cgroups', 'pids-limit', 'memory-limit', 'no-capabilities'] as const) {
      assert.equal(rows[id].state, 'holds', id)
    }
  })

  test('no sandbox at all: capabilities and the cgroup limits do not hold either', async () => {
    const report = await assertNoBaitLeft(() =>
      runDoctor({ env, cacheDir: null, workspace: bareHost }),
    )
    const rows = rowsBy(report)
    for (const id of ['no-capabilities', 'cgroups', 'pids-limit', 'memory-limit'] as const) {
      assert.equal(rows[id].state, 'fails', id)
    }
    assert.match(rows['no-capabilities'].detail, /^a run holds CapEff 0*[1-9a-f]/)
    assert.match(rows['pids-limit'].detail, /started all 48 processes under pids_max 16/)
    // The default config relies on the capabilities, not on the limits.
    assert.ok(report.failures.some((l) => l.startsWith('no capabilities does not hold')))
    assert.ok(!report.failures.some((l) => l.startsWith('pids_max enforced')))
  })

  test('runs without pids_max and memory_mb: those rows do not hold, a failure only for a config that sets them', async (t) => {
    const skip = await overlaySkip()
    if (skip) return t.skip(skip)
    const unlimited = withLimits((l) => ({ ...l, pids_max: null, memory_mb: null }))
    const relaxed = await runDoctor({ env, cacheDir: null, workspace: unlimited })
    assert.deepEqual(failing(relaxed), ['pids-limit', 'memory-limit'])
    assert.equal(relaxed.ok, true, 'the default config does not rely on them')
    const strict = await runDoctor({
      env,
      cacheDir: null,
      workspace: unlimited,
      config: await demandingConfig(),
    })
    assert.equal(strict.ok, false)
    assert.deepEqual(
      strict.failures.map((l) => l.split(':')[0]),
      ['pids_max enforced does not hold', 'memory_mb enforced does not hold'],
    )
  })

  test('network: none that is not applied: its row does not hold, a failure only for a config that asks for it', async (t) => {
    const skip = await overlaySkip()
    if (skip) return t.skip(skip)
    const leaky = withLimits((l) => ({ ...l, network: 'host' }))
    const relaxed = await runDoctor({ env, cacheDir: null, workspace: leaky })
    assert.deepEqual(failing(relaxed), ['network-none'])
    assert.equal(relaxed.ok, true)
    const strict = await runDoctor({
      env,
      cacheDir: null,
      workspace: leaky,
      config: await demandingConfig(),
    })
    assert.deepEqual(strict.failures, [
      'network: none does not hold: a run with network: none connected to the host on 127.0.0.1',
    ])
  })

  test('a home shown to runs again: hidden homes does not hold (and the socket in it is reached)', async (t) => {
    const skip = await overlaySkip()
    if (skip) return t.skip(skip)
    // read_only_paths naming the whole bait directory instead of its visible part.
    const shown = (o: WorkspaceOptions) =>
      createWorkspace({ ...o, readOnlyPaths: (o.readOnlyPaths ?? []).map((p) => dirname(p)) })
    const report = await runDoctor({ env, cacheDir: null, workspace: shown })
    assert.deepEqual(failing(report), ['hidden-homes', 'daemon-sockets'])
    assert.match(rowsBy(report)['daemon-sockets'].detail, /connected to .*hidden\/daemon\.sock$/)
    assert.equal(report.ok, false)
  })

  test('the table is cached per machine, kernel, user and version; --fresh probes again', async (t) => {
    const skip = await overlaySkip()
    if (skip) return t.skip(skip)
    const cacheDir = mkdtempSync(join(home, 'cache-'))
    const first = await runDoctor({ env, cacheDir })
    assert.equal(first.cached, false)
    assert.equal(first.cache_file, doctorCacheFile(cacheDir, await doctorCacheKey()))
    assert.ok(existsSync(first.cache_file!))
    const second = await runDoctor({ env, cacheDir, config: await demandingConfig() })
    assert.equal(second.cached, true)
    assert.deepEqual(
      second.rows.map(({ required: _, ...o }) => o),
      first.rows.map(({ required: _, ...o }) => o),
    )
    assert.equal(second.probe_ms, first.probe_ms)
    assert.deepEqual(second.asks, { pids_max: true, memory_mb: true, networkNone: true })
    const fresh = await runDoctor({ env, cacheDir, fresh: true })
    assert.equal(fresh.cached, false)
    assert.notEqual(fresh.probed_at, first.probed_at)
  })
})

describe('quorum doctor, the command', { skip: SKIP ?? false }, () => {
  const cache = SKIP ? '' : mkdtempSync(join(home, 'xdg-'))
  const quorum = (args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args], {
      cwd: home,
      encoding: 'utf8',
      env: { ...env, XDG_CACHE_HOME: cache, NO_COLOR: '1' },
      timeout: 120_000,
      killSignal: 'SIGKILL',
    })

  test('prints the table, exits 0, and ends with where the table came from and its time', async (t) => {
    const skip = await overlaySkip()
    if (skip) return t.skip(skip)
    const fresh = quorum(['doctor', '--fresh'])
    assert.equal(fresh.status, 0, fresh.stderr)
    assert.equal(fresh.stderr, '')
    const lines = fresh.stdout.trimEnd().split('\n')
    assert.match(lines[0]!, /^quorum doctor: Quorum \d+\.\d+\.\d+, Linux \S+, host \S+, uid 0$/)
    for (const property of ['sandbox', 'private /proc', 'hidden homes', 'network: none']) {
      assert.ok(
        lines.some((l) => l.startsWith(`  ${property} `) && / holds /.test(l)),
        `${property} in\n${fresh.stdout}`,
      )
    }
    assert.ok(lines.some((l) => /^ {2}\/tmp of the host +note +.*command not found/.test(l)))
    assert.equal(lines.at(-2), 'every property the default config relies on holds')
    assert.match(lines.at(-1)!, /^probed now in \d+ ms; cached in .*doctor-[0-9a-f]+\.json$/)

    const again = quorum(['doctor', '--json'])
    assert.equal(again.status, 0, again.stderr)
    const report = JSON.parse(again.stdout) as DoctorReport
    assert.equal(report.cached, true)
    assert.equal(report.ok, true)
    assert.equal(report.rows.length, 14)
    assert.match(
      again.stderr,
      /^from the cache \(.*\), probed \S+ in \d+ ms; --fresh to probe again\n$/,
    )
  })

  test('a row the config relies on that does not hold: exit 1, one line for it; not relied on: exit 0', async (t) => {
    const skip = await overlaySkip()
    if (skip) return t.skip(skip)
    // A cached table from a machine whose runs get no pids limit (what a probe there finds).
    const key = await doctorCacheKey()
    const file = doctorCacheFile(join(cache, 'quorum'), key)
    const probe = await runDoctor({
      env,
      cacheDir: null,
      workspace: withLimits((l) => ({ ...l, pids_max: null })),
    })
    await writeCachedProbe(file, {
      key,
      probed_at: probe.probed_at,
      probe_ms: probe.probe_ms,
      sandbox: probe.sandbox,
      observations: probe.rows.map(({ required: _, ...o }) => o),
    })
    const relaxed = quorum(['doctor'])
    assert.equal(relaxed.status, 0, relaxed.stderr)
    assert.match(
      relaxed.stdout,
      /pids_max enforced +does not hold \(not relied on\) +a run started all 48/,
    )

    writeFileSync(
      join(home, 'pids.yml'),
      'pids_max: 64\nchecks:\n  - name: a\n    command: "true"\n',
    )
    const strict = quorum(['doctor', '--config', 'pids.yml'])
    assert.equal(strict.status, 1)
    assert.equal(
      strict.stderr,
      'quorum doctor: pids_max enforced does not hold: a run started all 48 processes under pids_max 16: not enforced\n',
    )
    assert.match(strict.stdout, /pids_max enforced +DOES NOT HOLD +a run started/)
    assert.match(strict.stdout, /1 property pids\.yml relies on does not hold\n/)
    assert.match(strict.stdout.trimEnd().split('\n').at(-1)!, /^from the cache/)
  })

  test('bad usage and a bad config exit 2 with one line', () => {
    const usage = quorum(['doctor', '--candidate', 'x'])
    assert.equal(usage.status, 2)
    assert.match(usage.stderr, /^quorum: doctor: Unknown option '--candidate'/)
    const missing = quorum(['doctor', '--config', 'nope.yml'])
    assert.equal(missing.status, 2)
    assert.equal(missing.stderr.trim().split('\n').length, 1)
    const help = quorum(['doctor', '--help'])
    assert.equal(help.status, 0)
    assert.match(help.stdout, /^Usage:\n {2}quorum doctor \[--config FILE\] \[--json\] \[--fresh\]/)
  })
})
