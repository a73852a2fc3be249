/**
 * The workspace: everything one gate needs on disk, and the only door to running a check.
 *
 * One directory (created fresh, outside every input tree) holds the prepared trees and one
 * throwaway sandbox per run; a logs directory next to it keeps every run's full output and
 * survives dispose(). One run (fresh sandbox and cgroup -> spawn -> classification -> RunResult
 * -> sandbox removed) is sandboxed-run.ts; this file keeps the trees and the live runs.
 * dispose() stops every live run and removes the directory; it is safe to call from a signal
 * handler, and more than once.
 */
import { QuorumError, errorMessage } from '../engine/errors.ts'
import { TREE_HIDDEN, isInside } from '../engine/paths.ts'
import { mkdir, mkdtemp, readdir, realpath, rmdir, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { classifyFunctionRun, classifyShellRun } from '../engine/outcome.ts'
import { DEFAULT_LIMITS } from '../engine/limits.ts'
import { notRunResult } from '../engine/not-run.ts'
import type { CheckSpec, RunResult, SandboxKind, TreeRole } from '../engine/types.ts'
import { delegateCgroupsWithSudo, detectCgroups, type CgroupSupport } from './cgroup.ts'
import { buildChildEnv } from './env.ts'
import { resolveTool } from './system-tools.ts'
import type { ListedFunctionCheck } from '../engine/config.ts'
import { listFunctionChecks as listChecksInChild } from './function-list.ts'
import { writeVariantLayer, type VariantFile } from './variants.ts'
import { platformCgroupRefusal } from './platform.ts'
import { functionHostArgv, shellArgv } from './process.ts'
import {
  createSandboxProvider,
  detectSandbox,
  removeTree,
  runInSandbox,
  type SandboxMode,
  type SandboxProvider,
  type TreeLayers,
} from './sandbox.ts'
import {
  LogNames,
  enterRunSandbox,
  leaveRunSandbox,
  runSandboxed,
  type EnteredRun,
  type RunOptions,
  type RunSite,
  type SandboxedRun,
  type SandboxedRunOptions,
} from './sandboxed-run.ts'

export { safeName, type RunOptions } from './sandboxed-run.ts'

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
      platformCgroupRefusal() ?? findCgroups(opts.cgroupSudo ?? false),
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
  private readonly cgroups: CgroupSupport
  /** What every run shares: cgroups, the children's environment, grace, the logs. */
  private readonly site: RunSite
  private readonly providers = new Map<SandboxKind, SandboxProvider>()
  private readonly trees = new WeakMap<PreparedTree, TreeState>()
  private readonly live = new Set<{ controller: AbortController; done: Promise<unknown> }>()
  private fellBack = false
  private disposing: Promise<void> | null = null
  private scratchSeq = 0
  private runSeq = 0
  private variantSeq = 0
  private emptyDir: Promise<string> | null = null

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
    this.site = {
      cgroups: p.cgroups,
      cgroupName: () => `r${++this.runSeq}`,
      parentEnv: p.parentEnv,
      graceMs: p.graceMs,
      logDir: p.logDir,
      logNames: new LogNames(),
      keepPassingLogs: p.keepPassingLogs,
    }
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
              env: this.site.parentEnv,
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
        // The setup's writes become the tree's layer: they must go to the disk, not a tmpfs.
        sandbox: { provider, layers, persist: true },
        command: {
          role,
          checkName: 'setup',
          logLabel: role,
          timeoutMs: setup.timeout_s * 1000,
          argv: () => shellArgv(setup.command),
          classify: (r, timeoutMs) => ({
            ...classifyShellRun(r, { timeoutMs, scoreKey: null }),
            score: null,
          }),
        },
        run: opts,
        keep: (result) => result.outcome === 'PASSED',
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
      sandbox: {
        provider: state.provider,
        layers: state.layers,
        // The function host imports the module by its path, which may lie under /tmp.
        keepVisible: spec.kind === 'function' ? [dirname(spec.module)] : [],
      },
      command: {
        role: tree.role,
        checkName: spec.name,
        logLabel: state.logLabel ?? tree.role,
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
      },
      run: { ...opts, env: { ...opts.env, ...spec.env } },
    })
    return result
  }

  /** One run (see sandboxed-run.ts), live until it ends so that dispose() can stop it. */
  private async run(p: Omit<SandboxedRunOptions, 'site' | 'stop'>): Promise<SandboxedRun> {
    const controller = new AbortController()
    // Asked for while disposing: reported as stopped, not started.
    if (this.disposing) controller.abort()
    const work = runSandboxed({ ...p, site: this.site, stop: controller.signal })
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
    let run: EnteredRun | null = null
    try {
      run = await enterRunSandbox(
        this.site,
        {
          provider,
          layers: provider.prepare(scratch),
          keepVisible: [dirname(resolve(modulePath))],
        },
        DEFAULT_LIMITS,
        signal,
      )
      const box = run.sb
      return await listChecksInChild(resolve(modulePath), {
        cwd: box.cwd,
        env: buildChildEnv({
          parent: this.site.parentEnv,
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
      if (run) await leaveRunSandbox(run)
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
          timer = setTimeout(resolve, this.site.graceMs + DISPOSE_WAIT_EXTRA_MS)
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
