/**
 * `quorum doctor`: proves containment where it runs. Canary attacks run in a real sandbox made
 * by the same Workspace the gate uses (createWorkspace, prepareEmptyTree, runCheck), so what it
 * shows is what a check gets: one run of one shell script that tries every attack (write the
 * host, read a home, see the gate's processes, keep a capability, reach a daemon's socket or an
 * abstract one, fork past pids_max), and one `network: none` run that tries 127.0.0.1 of the
 * host. The host checks its bait afterwards; the rows come from both (judge.ts).
 */
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { homedir, hostname, release } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { QuorumError, errorMessage } from '../../engine/errors.ts'
import type { GateConfig, ResourceLimits, RunResult, SandboxKind } from '../../engine/types.ts'
import { VERSION } from '../../version.ts'
import { abstractSocketsScoped, findTool, isRoot } from '../sandbox-core.ts'
import { createWorkspace, type Workspace, type WorkspaceOptions } from '../workspace.ts'
import { layBait, makeBaitDir, visibleDirOf } from './bait.ts'
import {
  doctorCacheFile,
  readCachedProbe,
  writeCachedProbe,
  type CachedProbe,
  type DoctorCacheKey,
} from './cache.ts'
import {
  asksOf,
  judge,
  observe,
  type ConfigAsks,
  type DoctorRow,
  type Observation,
  type ProbeRun,
} from './judge.ts'
import { networkScript, parseProbeLines, probeScript } from './probe-script.ts'

export type { ConfigAsks, DoctorRow, Observation, PropertyId, RowState } from './judge.ts'

/** The part of a Workspace the doctor uses (a test hands a weakened one). */
export type DoctorWorkspace = Pick<
  Workspace,
  'kind' | 'sandboxNote' | 'cgroupNote' | 'prepareEmptyTree' | 'runCheck' | 'dispose'
>

export interface DoctorOptions {
  /**
   * Where HOME (the bait goes under it), XDG_RUNTIME_DIR and the runs' allowlisted variables
   * come from. Default: process.env.
   */
  env?: Record<string, string | undefined>
  /** The config to judge against (what it asks for is required); null: the default config. */
  config?: GateConfig | null
  /** The directory of the cached tables (the CLI's cache directory); null: no cache. */
  cacheDir?: string | null
  /** Probe even when a cached table exists (and replace it). */
  fresh?: boolean
  abort?: AbortSignal
  /**
   * Test seam: how the workspace is made (default createWorkspace). A test hands in a weakened
   * one (a copy sandbox, runs without limits) and watches its rows turn to "does not hold".
   */
  workspace?: (options: WorkspaceOptions) => Promise<DoctorWorkspace>
}

export interface DoctorReport {
  readonly version: string
  readonly hostname: string
  readonly kernel: string
  readonly uid: number
  /** The kind of sandbox the gate uses here. */
  readonly sandbox: SandboxKind
  /** What the config judged against asks for (all false: the default config). */
  readonly asks: ConfigAsks
  readonly rows: readonly DoctorRow[]
  /** One line per property the config relies on that does not hold. */
  readonly failures: readonly string[]
  /** No failures. */
  readonly ok: boolean
  readonly probed_at: string
  /** How long the probe took (a cached table: how long it took then). */
  readonly probe_ms: number
  readonly cached: boolean
  /** Where the table is cached, or null when it is not. */
  readonly cache_file: string | null
}

/** The main run's limits: a pids_max a fork bomb meets at once, a memory limit to read back. */
export const PROBE_LIMITS: Readonly<ResourceLimits> = Object.freeze({
  network: 'host',
  pids_max: 16,
  memory_mb: 512,
  disk_mb: 64,
})

/** The `network: none` run's limits. */
const NETWORK_LIMITS: Readonly<ResourceLimits> = Object.freeze({
  network: 'none',
  pids_max: 64,
  memory_mb: 256,
  disk_mb: 16,
})

const RUN_TIMEOUT_S = 20
const APPARMOR_USERNS = '/proc/sys/kernel/apparmor_restrict_unprivileged_userns'
const USERNS_SYSCTLS = [APPARMOR_USERNS, '/proc/sys/user/max_user_namespaces']

/**
 * Probes this machine's containment (or takes the cached table of this machine, kernel, user
 * and version) and judges it against `config`. Throws a QuorumError (environment) only when
 * the probe cannot be set up at all (no HOME to lay the bait in, no perl); a sandbox that fails
 * is a row that does not hold.
 */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const env = options.env ?? process.env
  const asks = asksOf(options.config ?? null)
  const key = await doctorCacheKey()
  let cacheFile = options.cacheDir ? doctorCacheFile(options.cacheDir, key) : null
  const cached = cacheFile !== null && !options.fresh ? await readCachedProbe(cacheFile, key) : null
  let probe: CachedProbe
  if (cached !== null) {
    probe = cached
  } else {
    const { complete, ...fresh } = await probeMachine(env, key, options)
    probe = fresh
    // A probe that did not run to its end is no fact about the machine: not kept.
    if (cacheFile !== null && complete) {
      // A cache that cannot be written costs the next run a probe; the report then names none.
      await writeCachedProbe(cacheFile, probe).catch(() => {
        cacheFile = null
      })
    }
  }
  const { rows, failures } = judge(probe.observations, asks)
  return {
    version: key.version,
    hostname: key.hostname,
    kernel: key.kernel,
    uid: key.uid,
    sandbox: probe.sandbox,
    asks,
    rows,
    failures,
    ok: failures.length === 0,
    probed_at: probe.probed_at,
    probe_ms: probe.probe_ms,
    cached: cached !== null,
    cache_file: cacheFile,
  }
}

/** What a cached table of this machine, kernel, user and Quorum version is filed under. */
export async function doctorCacheKey(): Promise<DoctorCacheKey> {
  const values = await Promise.all(USERNS_SYSCTLS.map((f) => readTrimmed(f)))
  return {
    hostname: hostname(),
    kernel: release(),
    uid: process.getuid?.() ?? -1,
    version: VERSION,
    sysctls: Object.fromEntries(USERNS_SYSCTLS.map((f, i) => [f, values[i] ?? null])),
  }
}

/** One probe of this machine: bait, workspace, the two runs, the evidence, the rows. */
async function probeMachine(
  env: Record<string, string | undefined>,
  key: DoctorCacheKey,
  options: DoctorOptions,
): Promise<CachedProbe & { complete: boolean }> {
  const started = performance.now()
  const probedAt = new Date().toISOString()
  const perl = findTool('perl')
  if (perl === null) throw new QuorumError('environment', 'doctor: perl not found')
  const home = env.HOME || homedir()
  let dir: string
  try {
    dir = makeBaitDir(home)
  } catch (error) {
    throw new QuorumError(
      'environment',
      `doctor: cannot lay its bait under HOME (${home}): ${errorMessage(error)}`,
    )
  }
  // The bait and the workspace (its sandbox detection runs a sandbox) are made side by side.
  const baitLaid = layBait({ dir, runDirs: ['/run', env.XDG_RUNTIME_DIR ?? ''] })
  const made = (options.workspace ?? createWorkspace)({
    parentEnv: env,
    // The run must see the file it tries to overwrite: only read-only may stop the write.
    readOnlyPaths: [visibleDirOf(dir)],
    // Its logs stay apart from the gate's, and go with the bait (hidden from runs, as every
    // log is).
    logDir: join(dir, 'logs'),
  })
  const [laid, opened] = await Promise.allSettled([baitLaid, made])
  if (laid.status === 'rejected' || opened.status === 'rejected') {
    if (laid.status === 'fulfilled') await laid.value.close()
    if (opened.status === 'fulfilled') await opened.value.dispose()
    throw laid.status === 'rejected' ? laid.reason : (opened as PromiseRejectedResult).reason
  }
  const bait = laid.value
  const workspace = opened.value
  try {
    const tree = await workspace.prepareEmptyTree('candidate', 'doctor')
    const run = (name: string, command: string, limits: ResourceLimits) =>
      workspace.runCheck(
        tree,
        { kind: 'shell', name, command, timeout_s: RUN_TIMEOUT_S, env: {}, score_from: null },
        {
          seed: '0',
          envPassthrough: [],
          env: {},
          limits,
          ...(options.abort ? { abort: options.abort } : {}),
        },
      )
    const [main, network] = await Promise.all([
      run(
        'doctor',
        probeScript({
          visibleDir: bait.visibleDir,
          secretFile: bait.secretFile,
          doctorPid: process.pid,
          doctorComm: ownComm(),
          homeSocket: bait.homeSocket,
          runSocket: bait.runSocket,
          abstractSocket: bait.abstractSocket,
          tcpPort: bait.tcpHostPort,
          tmpTool: bait.tmpTool,
          perl,
        }),
        PROBE_LIMITS,
      ),
      run('doctor-network', networkScript({ tcpPort: bait.tcpNonePort, perl }), NETWORK_LIMITS),
    ])
    const evidence = await bait.evidence()
    const mainRun = probeRun(main)
    const networkRun = probeRun(network)
    const observations: Observation[] = observe({
      kind: workspace.kind,
      sandboxNote: workspace.sandboxNote,
      cgroupNote: workspace.cgroupNote,
      root: isRoot(),
      landlock: landlockScopes(mainRun) ?? abstractSocketsScoped(),
      apparmorUserns: await readTrimmed(APPARMOR_USERNS),
      main: mainRun,
      network: networkRun,
      evidence,
      targets: {
        hostFile: bait.hostFile,
        secretFile: bait.secretFile,
        doctorPid: process.pid,
        homeSocket: bait.homeSocket,
        runSocket: bait.runSocket,
        abstractSocket: bait.abstractSocket,
        tmpTool: bait.tmpTool,
      },
      limits: {
        pidsMax: PROBE_LIMITS.pids_max!,
        memoryBytes: PROBE_LIMITS.memory_mb! * 1024 * 1024,
      },
    })
    const kind = workspace.kind
    await Promise.all([workspace.dispose(), bait.close()])
    return {
      key,
      probed_at: probedAt,
      probe_ms: Math.round(performance.now() - started),
      sandbox: kind,
      observations,
      complete: mainRun.completed && networkRun.completed,
    }
  } finally {
    await workspace.dispose()
    await bait.close()
  }
}

/**
 * Whether the kernel has Landlock scopes (ABI 6), as the probe run asked it; null when it did
 * not say (then the gate's own answer, abstractSocketsScoped, is asked).
 */
function landlockScopes(run: ProbeRun): boolean | null {
  const abi = Number(run.lines.get('landlock')?.[0])
  return Number.isInteger(abi) ? abi >= 6 : null
}

/** This process's name in /proc (what a run that sees the host's /proc finds at its pid). */
function ownComm(): string {
  try {
    return readFileSync('/proc/self/comm', 'utf8').trim()
  } catch {
    return 'node'
  }
}

/** What the doctor takes from a probe run: whether it ran to its end, and its lines. */
function probeRun(result: RunResult): ProbeRun {
  const output = `${result.output.head}\n${result.output.tail}`
  return {
    completed: result.outcome === 'PASSED',
    why: `${result.outcome}: ${result.reason}`,
    lines: parseProbeLines(output),
  }
}

async function readTrimmed(file: string): Promise<string | null> {
  return readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => null,
  )
}
