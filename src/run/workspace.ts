/**
 * The workspace: everything one gate needs on disk, and the only door to running a check.
 *
 * One directory (created fresh, outside every input tree) holds the prepared trees and one
 * throwaway sandbox per run; a logs directory next to it keeps every run's full output and
 * survives dispose(). A run = fresh sandbox -> child environment from the allowlist ->
 * spawnBounded -> classification -> RunResult -> sandbox removed. dispose() stops every live run
 * and removes the directory; it is safe to call from a signal handler, and more than once.
 */
import { QuorumError, errorMessage } from '../engine/errors.ts'
import { TREE_HIDDEN, isInside } from '../engine/paths.ts'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, realpath, rmdir, stat, unlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { SANDBOX_SETUP_FAILED } from '../engine/audit.ts'
import { classifyFunctionRun, classifyShellRun } from '../engine/outcome.ts'
import { DEFAULT_LIMITS } from '../engine/limits.ts'
import { notRunResult } from '../engine/not-run.ts'
import type {
  CheckSpec,
  ResourceLimits,
  RunResult,
  SandboxKind,
  TreeRole,
} from '../engine/types.ts'
import {
  delegateCgroupsWithSudo,
  detectCgroups,
  type CgroupSupport,
  type RunCgroup,
} from './cgroup.ts'
import { buildChildEnv } from './env.ts'
import { resolveTool } from './system-tools.ts'
import type { ListedFunctionCheck } from '../engine/config.ts'
import { listFunctionChecks as listChecksInChild } from './function-list.ts'
import { killProcessesWithEnv } from './proc-scan.ts'
import { writeVariantLayer, type VariantFile } from './variants.ts'
import { functionHostArgv, shellArgv, spawnBounded, type SpawnResult } from './process.ts'
import {
  SANDBOX_FAILURE_EXIT_CODE,
  createSandboxProvider,
  detectSandbox,
  removeTree,
  runInSandbox,
  type Sandbox,
  type SandboxMode,
  type SandboxProvider,
  type TreeLayers,
} from './sandbox.ts'

export interface WorkspaceOptions {
  /** Directory to create the workspace in (default: the OS temp dir). Never inside an input tree. */
  baseDir?: string
  /**
   * Where full run logs go; survives dispose. Each gate gets a `run-XXXXXX` directory of its own
   * in it, and only the newest LOG_RUNS_KEPT of those are kept. Default: `<workspace dir>-logs`.
   */
  logDir?: string
  /** Keep the full log of runs that passed too (default: only of runs that did not). */
  keepPassingLogs?: boolean
  /** Default auto: overlay when this machine allows it, else copy. */
  sandbox?: SandboxMode
  /**
   * When not root, get a cgroup of this process's own through `sudo -n` first, so runs can
   * have limits (default false: sudo is never run unasked).
   */
  cgroupSudo?: boolean
  /** The environment children's allowlisted variables come from. Default: process.env. */
  parentEnv?: Record<string, string | undefined>
  /** SIGTERM -> SIGKILL grace for a run over budget (default: spawnBounded's). */
  graceMs?: number
  /**
   * The trees the gate reads, so that the workspace never lands inside one of them, and so that
   * what no key covers (TREE_HIDDEN: `.git`, `.quorum`) is masked at their real paths too.
   */
  inputTrees?: string[]
  /**
   * Files and directories hidden from every run (overlay only: an empty mount over each, inside
   * the run's namespace). Credentials and runner control files; missing paths are skipped.
   */
  maskPaths?: string[]
  /**
   * Paths every run sees read-only (overlay only) although a home or a private directory would
   * hide them: e.g. the checks module's directory, the config's `read_only_paths`.
   */
  readOnlyPaths?: string[]
}

/** A tree ready for runs: read from sourceDir (never written), plus what its setup produced. */
export interface PreparedTree {
  readonly role: TreeRole
  readonly sourceDir: string
}

export interface RunOptions {
  seed: string
  envPassthrough: string[]
  env: Record<string, string>
  abort?: AbortSignal
  /** This run's resource limits (default DEFAULT_LIMITS; a setup never gets a disk budget). */
  limits?: ResourceLimits
  /**
   * argv put in front of the run's own (outside its sandbox), e.g. `taskset -c 1`: a timed run
   * pinned to one CPU. Everything the run starts inherits it.
   */
  pin?: readonly string[]
}

export interface Workspace {
  /** The kind of sandbox runs use ('copy' if any tree had to fall back to copying). */
  readonly kind: SandboxKind
  /** Why overlay is not used although `auto` was asked for; null when it is (or copy was asked). */
  readonly sandboxNote: string | null
  /** Why runs get no cgroup (so pids_max and memory_mb are not enforced); null when they do. */
  readonly cgroupNote: string | null
  readonly dir: string
  readonly logDir: string
  /**
   * Prepares a tree for runs: checks that sourceDir is usable, then runs the optional setup
   * command once in a sandbox whose result every later run of this tree starts from. A failed
   * setup is returned (not thrown) as a RunResult with its outcome; the tree is then the bare
   * source. Throws WorkspaceError for a missing source or one that contains the workspace.
   */
  prepareTree(
    role: TreeRole,
    sourceDir: string,
    setup: { command: string; timeout_s: number } | null,
    opts: RunOptions,
  ): Promise<{ tree: PreparedTree; setup: RunResult | null }>
  /**
   * A tree with no files at all and no setup (the vacuity probe's): its runs see an empty
   * directory and an empty HOME. Their logs are named `<label>-<check>-<n>.log`.
   */
  prepareEmptyTree(role: TreeRole, label: string): Promise<PreparedTree>
  /**
   * `base` (as prepared, setup included) with `files` written over it, for the change-coverage
   * audit: one small extra layer on top (see variants.ts), not a copy of the tree. Runs of it
   * see `role` as base's, and their logs are named `<label>-<check>-<n>.log`.
   */
  prepareVariant(
    base: PreparedTree,
    files: readonly VariantFile[],
    label: string,
  ): Promise<PreparedTree>
  /** Runs one check once on a tree, in a fresh sandbox. Never throws for what the check does. */
  runCheck(tree: PreparedTree, spec: CheckSpec, opts: RunOptions): Promise<RunResult>
  /** Lists a function-checks module's checks in a child process (see process.ts). */
  listFunctionChecks(modulePath: string, abort?: AbortSignal): Promise<ListedFunctionCheck[]>
  /** Stops every live run, then removes the workspace directory. Idempotent; logs are kept. */
  dispose(): Promise<void>
}

/** A workspace cannot be created or used as asked (bad directory, disposed, ...). */
export class WorkspaceError extends QuorumError {
  constructor(message: string) {
    super('usage', message)
  }
}

/** How long dispose() waits for aborted runs to end before deleting their directories anyway. */
const DISPOSE_WAIT_EXTRA_MS = 10_000
const DEFAULT_GRACE_MS = 2000
const MIB = 1024 * 1024

interface TreeState {
  provider: SandboxProvider
  layers: TreeLayers
  /** Names this tree's logs instead of its role (audit trees). */
  logLabel?: string
}

/**
 * Creates a workspace: a fresh directory under baseDir and a logs directory, and decides the
 * sandbox kind (one real overlay mount as a probe, cached per process). Throws WorkspaceError
 * when baseDir is inside an input tree, and when `overlay` was forced but cannot work here.
 */
export async function createWorkspace(opts: WorkspaceOptions = {}): Promise<Workspace> {
  const base = resolve(opts.baseDir ?? tmpdir())
  // Decide before creating anything: a refused baseDir must not leave directories in a tree.
  const plannedBase = await realpathOfNearest(base)
  for (const tree of opts.inputTrees ?? []) {
    const realTree = await realpathOfNearest(resolve(tree))
    if (isInside(plannedBase, realTree)) {
      throw new WorkspaceError(
        `the sandbox directory ${base} is inside the input tree ${tree}; ` +
          'sandboxes must live outside the trees they copy (choose another base directory or TMPDIR)',
      )
    }
  }
  await mkdir(base, { recursive: true })
  const dir = await mkdtemp(join(await realpath(base), 'quorum-'))
  try {
    // A caller's log directory may be shared by several gates (two runs, or two gates in one
    // job): each gets a directory of its own in it, so no report points at another's log.
    const logDir = opts.logDir
      ? await mkdir(resolve(opts.logDir), { recursive: true }).then(async () => {
          await pruneLogRuns(resolve(opts.logDir!))
          return mkdtemp(join(resolve(opts.logDir!), 'run-'))
        })
      : resolve(`${dir}-logs`)
    if (isInside(logDir, dir)) {
      throw new WorkspaceError(`the log directory ${logDir} would be deleted with the workspace`)
    }
    await mkdir(logDir, { recursive: true })
    const mode = opts.sandbox ?? 'auto'
    const [detection, cgroups] = await Promise.all([
      detectSandbox(dir, mode).catch((error: unknown) => {
        throw new WorkspaceError(errorMessage(error))
      }),
      findCgroups(opts.cgroupSudo ?? false),
    ])
    return new GateWorkspace({
      dir,
      logDir,
      mode,
      kind: detection.kind,
      userns: detection.userns,
      privateProc: detection.privateProc,
      masks: [
        ...(opts.maskPaths ?? []),
        ...(opts.inputTrees ?? []).flatMap((t) =>
          TREE_HIDDEN.map((name) => join(resolve(t), name)),
        ),
      ],
      readOnly: opts.readOnlyPaths ?? [],
      note: mode === 'auto' ? detection.reason : null,
      parentEnv: opts.parentEnv ?? process.env,
      graceMs: opts.graceMs ?? DEFAULT_GRACE_MS,
      keepPassingLogs: opts.keepPassingLogs ?? false,
      cgroups,
    })
  } catch (error) {
    await removeTree(dir)
    throw error
  }
}

/** The cgroups runs can have, after a delegation through sudo when asked for. */
async function findCgroups(sudo: boolean): Promise<CgroupSupport> {
  let why: string | null = null
  if (sudo) {
    try {
      why = await delegateCgroupsWithSudo(resolveTool('sudo'))
    } catch (error) {
      why = errorMessage(error)
    }
  }
  const found = await detectCgroups()
  if (found.available || why === null) return found
  return { available: false, reason: `${found.reason}; getting one through sudo failed: ${why}` }
}

/** How many gates' log directories a shared log directory keeps (the newest). */
const LOG_RUNS_KEPT = 20
/** A log directory younger than this may belong to a gate still running: never pruned. */
const LOG_RUN_MIN_AGE_MS = 60 * 60 * 1000

/**
 * Removes the oldest `run-*` directories of `dir` beyond the newest LOG_RUNS_KEPT (an agent
 * loop or a day of laptop use must not fill the disk with logs), never one changed in the last
 * hour. Best effort: what cannot be read or removed stays.
 */
async function pruneLogRuns(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  const runs = await Promise.all(
    entries
      .filter((e) => e.isDirectory() && e.name.startsWith('run-'))
      .map(async (e) => {
        const path = join(dir, e.name)
        const info = await stat(path).catch(() => null)
        return { path, mtime: info?.mtimeMs ?? Date.now() }
      }),
  )
  runs.sort((a, b) => b.mtime - a.mtime)
  const old = Date.now() - LOG_RUN_MIN_AGE_MS
  for (const run of runs.slice(LOG_RUNS_KEPT - 1)) {
    if (run.mtime < old) await removeTree(run.path).catch(() => undefined)
  }
}

/** realpath of the longest existing prefix of `path`, with the rest appended as is. */
async function realpathOfNearest(path: string): Promise<string> {
  const rest: string[] = []
  let current = path
  for (;;) {
    try {
      return join(await realpath(current), ...rest.reverse())
    } catch {
      const parent = dirname(current)
      if (parent === current) return path
      rest.push(basename(current))
      current = parent
    }
  }
}

class GateWorkspace implements Workspace {
  readonly dir: string
  readonly logDir: string
  private readonly mode: SandboxMode
  private readonly detectedKind: SandboxKind
  private readonly userns: boolean
  private readonly privateProc: boolean
  private readonly masks: readonly string[]
  private readonly readOnly: readonly string[]
  private note: string | null
  private readonly parentEnv: Record<string, string | undefined>
  private readonly graceMs: number
  private readonly keepPassingLogs: boolean
  private readonly providers = new Map<SandboxKind, SandboxProvider>()
  private readonly trees = new WeakMap<PreparedTree, TreeState>()
  private readonly live = new Set<{ controller: AbortController; done: Promise<unknown> }>()
  private readonly logNames = new LogNames()
  private fellBack = false
  private disposing: Promise<void> | null = null
  private scratchSeq = 0
  private runSeq = 0
  private variantSeq = 0
  private emptyDir: Promise<string> | null = null
  private readonly cgroups: CgroupSupport

  constructor(p: {
    dir: string
    logDir: string
    mode: SandboxMode
    kind: SandboxKind
    userns: boolean
    privateProc: boolean
    masks: readonly string[]
    readOnly: readonly string[]
    note: string | null
    parentEnv: Record<string, string | undefined>
    graceMs: number
    keepPassingLogs: boolean
    cgroups: CgroupSupport
  }) {
    this.cgroups = p.cgroups
    this.dir = p.dir
    this.logDir = p.logDir
    this.mode = p.mode
    this.detectedKind = p.kind
    this.userns = p.userns
    this.privateProc = p.privateProc
    this.masks = p.masks
    this.readOnly = p.readOnly
    this.note = p.note
    this.parentEnv = p.parentEnv
    this.graceMs = p.graceMs
    this.keepPassingLogs = p.keepPassingLogs
  }

  get kind(): SandboxKind {
    return this.fellBack ? 'copy' : this.detectedKind
  }

  get sandboxNote(): string | null {
    return this.note
  }

  get cgroupNote(): string | null {
    return this.cgroups.available ? null : this.cgroups.reason
  }

  /**
   * A fresh sandbox of `layers` for one run, in a cgroup of its own with the run's limits (none
   * where cgroups cannot be had). `persist`: the run's writes must outlive it (a setup), so it
   * gets no disk budget. `keep`: paths it must see although they lie under a private directory.
   * Nothing is left behind when this throws.
   */
  private async enterRun(p: {
    provider: SandboxProvider
    layers: TreeLayers
    signal: AbortSignal
    limits: ResourceLimits
    persist: boolean
    keep: readonly string[]
  }): Promise<{ sb: Sandbox; cgroup: RunCgroup | null }> {
    const { limits } = p
    const cgroup = this.cgroups.available
      ? await this.cgroups.createRun(`r${++this.runSeq}`, {
          pidsMax: limits.pids_max,
          memoryBytes: limits.memory_mb === null ? null : limits.memory_mb * MIB,
        })
      : null
    try {
      const sb = await p.provider.enter(p.layers, p.signal, {
        network: limits.network,
        diskBytes: p.persist || limits.disk_mb === null ? null : limits.disk_mb * MIB,
        cgroupProcs: cgroup?.procsFiles ?? [],
        keep: p.keep,
      })
      return { sb, cgroup }
    } catch (error) {
      await cgroup?.remove().catch(() => undefined)
      throw error
    }
  }

  private provider(kind: SandboxKind): SandboxProvider {
    let provider = this.providers.get(kind)
    if (!provider) {
      provider = createSandboxProvider({
        kind,
        dir: join(this.dir, kind),
        ...(kind === 'overlay'
          ? {
              userns: this.userns,
              privateProc: this.privateProc,
              // The logs are the gate's: no run reads another's output, or its own full log.
              masks: [...this.masks, this.logDir],
              readOnly: this.readOnly,
              env: this.parentEnv,
            }
          : {}),
      })
      this.providers.set(kind, provider)
    }
    return provider
  }

  async prepareTree(
    role: TreeRole,
    sourceDir: string,
    setup: { command: string; timeout_s: number } | null,
    opts: RunOptions,
  ): Promise<{ tree: PreparedTree; setup: RunResult | null }> {
    this.assertOpen()
    const source = await this.checkSource(sourceDir)
    let provider = this.provider(this.detectedKind)
    if (provider.kind === 'overlay') {
      // The probe mounted a directory of ours; the real tree may sit on a filesystem overlayfs
      // cannot use as a lower layer (another overlay too deep, some network filesystems).
      const why = await this.tryMount(provider, source)
      if (why !== null) {
        if (this.mode === 'overlay') {
          throw new WorkspaceError(`cannot mount an overlay over ${source}: ${why}`)
        }
        this.fellBack = true
        this.note = `overlay over ${source} failed (${why}); copying instead`
        provider = this.provider('copy')
      }
    }
    const tree: PreparedTree = Object.freeze({ role, sourceDir: source })
    let layers = provider.prepare(source)
    let setupResult: RunResult | null = null
    if (setup !== null) {
      const outcome = await this.run({
        provider,
        layers,
        role,
        logKey: 'setup',
        checkName: 'setup',
        opts,
        timeoutMs: setup.timeout_s * 1000,
        argv: () => shellArgv(setup.command),
        classify: (r, timeoutMs) => ({
          ...classifyShellRun(r, { timeoutMs, scoreKey: null }),
          score: null,
        }),
        keep: (result) => result.outcome === 'PASSED',
        // The setup's writes become the tree's layer: they must go to the disk, not a tmpfs.
        persist: true,
      })
      setupResult = outcome.result
      if (outcome.sealed) layers = outcome.sealed
    }
    this.trees.set(tree, { provider, layers })
    return { tree, setup: setupResult }
  }

  async prepareEmptyTree(role: TreeRole, label: string): Promise<PreparedTree> {
    this.assertOpen()
    this.emptyDir ??= (async () => {
      const dir = join(this.dir, 'empty-tree')
      await mkdir(dir, { mode: 0o755 })
      return dir
    })()
    const dir = await this.emptyDir
    const provider = this.provider(this.kind)
    const tree: PreparedTree = Object.freeze({ role, sourceDir: dir })
    this.trees.set(tree, { provider, layers: provider.prepare(dir), logLabel: label })
    return tree
  }

  async prepareVariant(
    base: PreparedTree,
    files: readonly VariantFile[],
    label: string,
  ): Promise<PreparedTree> {
    this.assertOpen()
    const state = this.trees.get(base)
    if (!state) throw new WorkspaceError('prepareVariant: the base tree was not prepared here')
    const layer = join(this.dir, 'variants', `v${++this.variantSeq}`)
    await mkdir(dirname(layer), { recursive: true })
    await writeVariantLayer(layer, base.sourceDir, files)
    const tree: PreparedTree = Object.freeze({ role: base.role, sourceDir: base.sourceDir })
    this.trees.set(tree, {
      provider: state.provider,
      // Top first: the variant's files hide the tree's own.
      layers: { ...state.layers, root: [layer, ...state.layers.root] },
      logLabel: label,
    })
    return tree
  }

  async runCheck(tree: PreparedTree, spec: CheckSpec, opts: RunOptions): Promise<RunResult> {
    const state = this.trees.get(tree)
    if (!state) throw new WorkspaceError('runCheck: this tree was not prepared by this workspace')
    if (this.disposing) {
      return notRunResult({
        reason: 'not run: the gate was stopped before it',
        seed: opts.seed,
        sandbox: state.provider.kind,
      })
    }
    const timeoutMs = spec.timeout_s * 1000
    // What the check prints; a cpu metric is measured, not printed.
    const printed = (spec.metrics ?? []).filter((m) => m.source !== 'cpu')
    const { result } = await this.run({
      provider: state.provider,
      layers: state.layers,
      role: tree.role,
      logLabel: state.logLabel ?? tree.role,
      logKey: spec.name,
      checkName: spec.name,
      opts: { ...opts, env: { ...opts.env, ...spec.env } },
      timeoutMs,
      argv: (sb) =>
        spec.kind === 'shell'
          ? shellArgv(spec.command)
          : functionHostArgv({
              modulePath: spec.module,
              checkName: spec.name,
              // Inside the run's namespace the overlay is mounted at this very path.
              root: sb.root,
              seed: opts.seed,
              tree: tree.role,
            }),
      classify: (r) =>
        spec.kind === 'shell'
          ? classifyShellRun(r, { timeoutMs, scoreKey: spec.score_from, metrics: printed })
          : classifyFunctionRun(r, { timeoutMs, metrics: printed }),
      scoreKey: spec.kind === 'shell' ? spec.score_from : null,
      metricKeys: spec.kind === 'shell' ? printed.map((m) => m.name) : [],
      cpuMetrics: (spec.metrics ?? []).filter((m) => m.source === 'cpu').map((m) => m.name),
      channel: spec.kind === 'function',
      keep: () => false,
      // The function host imports the module by its path, which may lie under /tmp.
      keepVisible: spec.kind === 'function' ? [dirname(spec.module)] : [],
    })
    return result
  }

  /** One run in a fresh sandbox; `keep` decides whether the sandbox becomes the tree's layers. */
  private async run(p: {
    provider: SandboxProvider
    layers: TreeLayers
    role: TreeRole
    /** The first part of the log file's name (default the role). */
    logLabel?: string
    logKey: string
    checkName: string
    opts: RunOptions
    timeoutMs: number
    argv: (sb: Sandbox) => string[]
    classify: (r: SpawnResult, timeoutMs: number) => ReturnType<typeof classifyShellRun>
    scoreKey?: string | null
    metricKeys?: readonly string[]
    /** Metrics whose value is the run's CPU time (`source: cpu`), read from its cgroup. */
    cpuMetrics?: readonly string[]
    channel?: boolean
    keep: (result: RunResult) => boolean
    persist?: boolean
    /** Paths the run must see read-only (see enterRun). */
    keepVisible?: readonly string[]
  }): Promise<{ result: RunResult; sealed: TreeLayers | null }> {
    const controller = new AbortController()
    const signal = p.opts.abort
      ? AbortSignal.any([controller.signal, p.opts.abort])
      : controller.signal
    const kind = p.provider.kind
    const work = (async (): Promise<{ result: RunResult; sealed: TreeLayers | null }> => {
      if (signal.aborted || this.disposing) {
        return {
          result: notRunResult({
            reason: 'not run: the gate was stopped',
            seed: p.opts.seed,
            sandbox: kind,
          }),
          sealed: null,
        }
      }
      let sb: Sandbox
      let cgroup: RunCgroup | null
      const limits = p.opts.limits ?? DEFAULT_LIMITS
      try {
        ;({ sb, cgroup } = await this.enterRun({
          provider: p.provider,
          layers: p.layers,
          signal,
          limits,
          persist: p.persist ?? false,
          keep: p.keepVisible ?? [],
        }))
      } catch (error) {
        const why = errorMessage(error)
        const reason = signal.aborted
          ? 'not run: the gate was stopped while its sandbox was being created'
          : `could not create the sandbox: ${why}`
        return { result: notRunResult({ reason, seed: p.opts.seed, sandbox: kind }), sealed: null }
      }
      let sealed: TreeLayers | null = null
      try {
        const env = buildChildEnv({
          parent: this.parentEnv,
          passthrough: p.opts.envPassthrough,
          env: p.opts.env,
          home: sb.home,
          tmp: sb.tmp,
          seed: p.opts.seed,
          tree: p.role,
          check: p.checkName,
        })
        // A marker to find what a copy run left behind outside its process group (setsid).
        const runId = randomBytes(12).toString('hex')
        env['QUORUM_RUN_ID'] = runId
        const r = await spawnBounded(
          {
            argv: [...(p.opts.pin ?? []), ...sb.wrap(p.argv(sb))],
            cwd: sb.cwd,
            env,
            timeoutMs: p.timeoutMs,
            graceMs: this.graceMs,
            logPath: join(this.logDir, this.logNames.next(p.logLabel ?? p.role, p.logKey)),
            scoreKey: p.scoreKey ?? null,
            metricKeys: p.metricKeys ?? [],
            channel: p.channel ?? false,
          },
          signal,
        )
        if (kind === 'copy') killProcessesWithEnv('QUORUM_RUN_ID', runId)
        // Whatever the run left anywhere (setsid, double forks) ends with its cgroup.
        const usage = cgroup ? await cgroup.usage().catch(() => null) : null
        await cgroup?.kill().catch(() => undefined)
        const sandboxFailure =
          r.exitCode === SANDBOX_FAILURE_EXIT_CODE && !r.timedOut ? await sb.failure() : null
        const c = sandboxFailure
          ? {
              outcome: 'ERROR' as const,
              reason: `${SANDBOX_SETUP_FAILED}: ${sandboxFailure}`,
              score: null,
            }
          : withCpuTime(
              withHiddenPathHint(p.classify(r, p.timeoutMs), p.provider),
              p.cpuMetrics ?? [],
              usage?.cpuMs ?? null,
              () => this.cgroupNote,
            )
        const limitHit = [
          usage?.oomKilled ? `it ran out of memory (memory_mb: ${limits.memory_mb})` : null,
          usage?.pidsLimitHit ? `it hit its process limit (pids_max: ${limits.pids_max})` : null,
        ].filter((why) => why !== null)
        // The full log is for runs worth a look: one of a passing run is deleted unless asked.
        const output =
          c.outcome === 'PASSED' && !this.keepPassingLogs && r.output.log_path !== null
            ? await unlink(r.output.log_path).then(
                () => ({ ...r.output, log_path: null }),
                () => r.output,
              )
            : r.output
        const result: RunResult = {
          outcome: c.outcome,
          reason:
            limitHit.length > 0 && c.outcome !== 'PASSED'
              ? `${c.reason}; ${limitHit.join('; ')}`
              : c.reason,
          score: c.score,
          ...(c.metrics && Object.keys(c.metrics).length > 0 ? { metrics: c.metrics } : {}),
          ...(c.declaration_error ? { declaration_error: true } : {}),
          duration_ms: r.durationMs,
          exit_code: r.exitCode,
          signal: r.signal,
          output,
          seed: p.opts.seed,
          sandbox: kind,
          sandbox_root: sb.root,
        }
        if (p.keep(result) && !signal.aborted) sealed = await sb.seal()
        return { result, sealed }
      } finally {
        await cgroup?.remove().catch(() => undefined)
        if (sealed === null) await sb.remove()
      }
    })()
    const entry = { controller, done: work.catch(() => undefined) }
    this.live.add(entry)
    try {
      return await work
    } finally {
      this.live.delete(entry)
    }
  }

  /** Mounts an overlay over the real source once; null when it works, else why not. */
  private async tryMount(provider: SandboxProvider, source: string): Promise<string | null> {
    const sb = await provider.enter(provider.prepare(source))
    try {
      const r = await runInSandbox(sb, ['/bin/sh', '-c', 'test -r .'], { timeoutMs: 20_000 })
      if (r.code === 0) return null
      return (await sb.failure()) ?? `${r.signal ?? `exit ${r.code}`}: ${r.stderr.trim()}`
    } finally {
      await sb.remove()
    }
  }

  private async checkSource(sourceDir: string): Promise<string> {
    const abs = resolve(sourceDir)
    let real: string
    try {
      real = await realpath(abs)
      if (!(await stat(real)).isDirectory()) throw new Error('not a directory')
    } catch {
      throw new WorkspaceError(`tree directory ${abs} does not exist or is not a directory`)
    }
    if (isInside(this.dir, real) || isInside(real, this.dir)) {
      throw new WorkspaceError(
        `tree directory ${abs} and the sandbox directory ${this.dir} overlap; they must be apart`,
      )
    }
    return real
  }

  async listFunctionChecks(
    modulePath: string,
    abort?: AbortSignal,
  ): Promise<ListedFunctionCheck[]> {
    this.assertOpen()
    // dispose() must stop a module stuck at import time too, not only the checks' runs.
    const controller = new AbortController()
    const signal = abort ? AbortSignal.any([controller.signal, abort]) : controller.signal
    const entry = { controller, done: Promise.resolve() as Promise<unknown> }
    this.live.add(entry)
    // Importing the module runs its top-level code, which is as untrusted as a check: it runs
    // in a sandbox of an empty tree, with the same allowlisted environment and default limits.
    const scratch = join(this.dir, `list-${++this.scratchSeq}`)
    await mkdir(scratch, { recursive: true })
    const provider = this.provider(this.detectedKind)
    let run: { sb: Sandbox; cgroup: RunCgroup | null } | null = null
    try {
      run = await this.enterRun({
        provider,
        layers: provider.prepare(scratch),
        signal,
        limits: DEFAULT_LIMITS,
        persist: false,
        keep: [dirname(resolve(modulePath))],
      })
      const box = run.sb
      return await listChecksInChild(resolve(modulePath), {
        cwd: box.cwd,
        env: buildChildEnv({
          parent: this.parentEnv,
          passthrough: [],
          env: {},
          home: box.home,
          tmp: box.tmp,
          seed: '0',
          tree: 'candidate',
          check: '',
        }),
        abort: signal,
        wrap: (argv) => box.wrap(argv),
      })
    } finally {
      this.live.delete(entry)
      await run?.cgroup?.remove().catch(() => undefined)
      await run?.sb.remove()
      await removeTree(scratch)
    }
  }

  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      const runs = [...this.live]
      for (const run of runs) run.controller.abort()
      // spawnBounded needs the grace (SIGTERM -> SIGKILL) and its drain to finish; a process
      // stuck in the kernel must not keep us here, so the wait is capped.
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        Promise.all(runs.map((r) => r.done)),
        new Promise((resolve) => {
          timer = setTimeout(resolve, this.graceMs + DISPOSE_WAIT_EXTRA_MS)
        }),
      ])
      clearTimeout(timer)
      await Promise.all([...this.providers.values()].map((p) => p.dispose()))
      if (this.cgroups.available) await this.cgroups.dispose().catch(() => undefined)
      await removeTree(this.dir)
      // A gate whose runs all passed (or that ran nothing) leaves no empty directory behind.
      await rmdir(this.logDir).catch(() => undefined)
    })()
    return this.disposing
  }

  private assertOpen(): void {
    if (this.disposing) throw new WorkspaceError('the workspace was disposed')
  }
}

/**
 * Log file names: `<tree>-<check>-<n>.log`, filesystem-safe and unique within one workspace.
 * A name that had to be changed to be safe gets a short hash of the original, so `a/b` and
 * `a_b` never share a file.
 */
class LogNames {
  private readonly used = new Set<string>()
  private readonly counters = new Map<string, number>()

  /** `label` is a tree role, or an audit tree's label (made safe here too). */
  next(label: string, check: string): string {
    const stem = `${safeName(label)}-${safeName(check)}`
    let n = this.counters.get(stem) ?? 0
    let name: string
    do {
      n++
      name = `${stem}-${n}.log`
    } while (this.used.has(name))
    this.counters.set(stem, n)
    this.used.add(name)
    return name
  }
}

/** A check name as a file name part: [A-Za-z0-9._-], at most ~80 characters, never empty. */
export function safeName(name: string): string {
  const cleaned = name
    .normalize('NFC')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[.-]+/, '_')
    .slice(0, 80)
  if (cleaned === name && cleaned !== '') return cleaned
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8)
  return `${cleaned || 'check'}-${hash}`
}

/**
 * A command the check names by an absolute path that exists on this machine but not in its
 * sandbox (a venv under /tmp, a tool under a home) is "not found" for a reason the shell cannot
 * tell: say which, and the way out.
 */
/**
 * A run's classification with its cpu metrics (`source: cpu`) added: the CPU time its cgroup
 * counted, in ms (to 0.1). A run that passed when no CPU time could be read is ERROR: its
 * metric would be missing, and nothing the check did caused it.
 */
function withCpuTime<
  C extends { outcome: string; reason: string; metrics?: Record<string, number> },
>(
  c: C,
  names: readonly string[],
  cpuMs: number | null,
  cgroupNote: () => string | null,
): C | (C & { outcome: 'ERROR'; score: null }) {
  if (names.length === 0 || c.outcome !== 'PASSED') return c
  if (cpuMs === null) {
    const why = cgroupNote() ?? 'this machine does not count CPU time per cgroup'
    return {
      ...c,
      outcome: 'ERROR',
      score: null,
      reason: `metric ${names.join(', ')} (source: cpu) could not be measured: a run's CPU time is read from its cgroup (cpuacct on cgroup v1, cpu.stat on v2), and ${why}`,
    }
  }
  const value = Math.round(cpuMs * 10) / 10
  return { ...c, metrics: { ...c.metrics, ...Object.fromEntries(names.map((n) => [n, value])) } }
}

function withHiddenPathHint<C extends { outcome: string; reason: string }>(
  c: C,
  provider: SandboxProvider,
): C {
  if (c.outcome !== 'ERROR') return c
  const named = /^command not (?:found|executable): (\/\S+)/.exec(c.reason)?.[1]
  if (named === undefined || !existsSync(named)) return c
  const why = provider.whyHidden(named)
  if (why === null) return c
  return {
    ...c,
    reason:
      `${c.reason}: it exists on this machine, but ${why}; name its directory under ` +
      '`read_only_paths` in quorum.yml, or install it outside /tmp and the homes',
  }
}
