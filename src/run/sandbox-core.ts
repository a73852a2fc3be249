/**
 * What both kinds of sandbox share: the contract (Sandbox, SandboxProvider, TreeLayers), the
 * provider base, how a host tool is found, and the small process runner for the sandbox's own
 * helpers. See sandbox.ts for the overview.
 */
import { spawnSync } from 'node:child_process'
import { exec } from './exec.ts'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { SandboxKind } from '../engine/types.ts'
import { removeTree } from './remove-tree.ts'
import { resolveTool } from './system-tools.ts'

/** What the caller asks for: a kind, or `auto` to use overlay when this machine allows it. */
export type SandboxMode = 'auto' | SandboxKind

/**
 * The prepared tree a sandbox is made from: directory layers, top first. For overlay these are
 * the lower layers of every run's mount; for copy the single entry is the directory copied.
 * `home` is the same for HOME (a setup command may install tools there); empty = start empty.
 */
export interface TreeLayers {
  readonly kind: SandboxKind
  readonly root: readonly string[]
  readonly home: readonly string[]
}

/** One run's sandbox. All paths are absolute; none is inside the source tree. */
export interface Sandbox {
  readonly kind: SandboxKind
  /** The run's private area: root, home, tmp and (overlay) the upper/work directories. */
  readonly area: string
  /** Where the tree appears to the command (its cwd); the same path inside the namespace. */
  readonly root: string
  /** Fresh HOME for the run (seeded from the tree's home layers). */
  readonly home: string
  /** Fresh, empty TMPDIR for the run. */
  readonly tmp: string
  /** Directory to spawn `wrap(argv)` in. */
  readonly cwd: string
  /** The argv that runs `argv` inside this sandbox with cwd = root. Spawn it with `cwd`. */
  wrap(argv: readonly string[]): string[]
  /**
   * Why the sandbox itself could not be entered (e.g. the overlay mount failed), or null. Only
   * meaningful after a run that exited with SANDBOX_FAILURE_EXIT_CODE.
   */
  failure(): Promise<string | null>
  /**
   * Turns what was written in this sandbox into the layers of a new prepared tree (how a setup
   * command's effects reach every later run). The sandbox must not be used afterwards; its
   * directories now belong to the returned layers and go away with the provider.
   */
  seal(): Promise<TreeLayers>
  /** Deletes the sandbox's directories. Idempotent. Call only once its run has ended. */
  remove(): Promise<void>
}

/** Makes sandboxes of one kind under one directory. */
export interface SandboxProvider {
  readonly kind: SandboxKind
  /** Directory every sandbox lives under. */
  readonly dir: string
  /** A prepared tree that reads `sourceDir` (never writes it). O(1) for both kinds. */
  prepare(sourceDir: string): TreeLayers
  /**
   * A fresh sandbox of `tree`: O(1) for overlay, one `cp -R -P -p` for copy. `signal` stops a copy
   * in flight (the promise then rejects).
   */
  enter(tree: TreeLayers, signal?: AbortSignal, options?: EnterOptions): Promise<Sandbox>
  /** Kills helper processes (copies in flight) and deletes `dir`. Idempotent. */
  dispose(): Promise<void>
  /**
   * Why runs cannot see `path` of the host (a private /tmp, a hidden home, a mask), or null
   * when they can, as far as this provider hides anything (copy: never).
   */
  whyHidden(path: string): string | null
}

/** Exit code of a run whose sandbox could not be set up (the command never started). */
export const SANDBOX_FAILURE_EXIT_CODE = 125

/**
 * What a run may use beyond its tree, set per run: its network, the size of its writable space,
 * the cgroups it joins before anything of it starts, and what else it must see.
 */
export interface EnterOptions {
  /** `none`: a private network namespace with only a loopback interface (overlay only). */
  readonly network?: 'none' | 'host'
  /**
   * Overlay only: the run's writes (its tree, HOME, TMPDIR, and the private /tmp, /var/tmp and
   * /dev/shm it sees) go to tmpfs mounts of this many bytes each instead of the disk. A run
   * with a disk budget cannot be sealed (its writes vanish with it).
   */
  readonly diskBytes?: number | null
  /** cgroup.procs files the run's first process writes its pid into (see cgroup.ts). */
  readonly cgroupProcs?: readonly string[]
  /**
   * Overlay only: paths this run must see read-only even where a private tmpfs or a mask would
   * hide them (a function check's module), beyond the provider's `readOnly` paths.
   */
  readonly keep?: readonly string[]
}

/**
 * The absolute path of a host tool the sandbox runs, resolved by the same rule as the gate's
 * own tools (system directories first; nothing a check could rewrite), or null.
 */
export function findTool(name: string): string | null {
  try {
    return resolveTool(name)
  } catch {
    return null
  }
}

let landlockAbi: number | null = null

/**
 * Whether overlay runs are kept from abstract unix sockets and signals outside them (the mount
 * helper's `scope`): Landlock ABI 6 or newer (Linux 6.12+). Asked once per process, of the
 * kernel, through the same perl the helper uses.
 */
export function abstractSocketsScoped(): boolean {
  if (landlockAbi === null) {
    const perl = findTool('perl')
    const r =
      perl === null || process.platform !== 'linux'
        ? null
        : spawnSync(perl, ['-e', 'print syscall(444, 0, 0, 1)'], {
            encoding: 'utf8',
            timeout: 10_000,
          })
    landlockAbi = Number(r?.stdout ?? '-1') || -1
  }
  return landlockAbi >= 6
}

/** Whether this process needs a user namespace to mount (anyone but real root). */
export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0
}

export abstract class BaseProvider {
  abstract readonly kind: SandboxKind
  readonly dir: string
  protected readonly helpers = new AbortController()
  private seq = 0
  private disposed: Promise<void> | null = null

  constructor(dir: string) {
    this.dir = dir
  }

  prepare(sourceDir: string): TreeLayers {
    return { kind: this.kind, root: [sourceDir], home: [] }
  }

  protected async newArea(): Promise<string> {
    if (this.disposed) throw new Error('the sandbox provider was disposed')
    const area = join(this.dir, `r${++this.seq}`)
    await mkdir(area, { recursive: true })
    return area
  }

  protected checkTree(tree: TreeLayers): void {
    if (tree.kind !== this.kind) {
      throw new Error(`a ${tree.kind} tree cannot be entered by a ${this.kind} provider`)
    }
  }

  dispose(): Promise<void> {
    this.disposed ??= (async () => {
      this.helpers.abort()
      await removeTree(this.dir)
    })()
    return this.disposed
  }
}

export async function readFailure(area: string): Promise<string | null> {
  try {
    const text = (await readFile(join(area, 'sandbox-error'), 'utf8')).trim()
    return text === '' ? null : text.slice(0, 500)
  } catch {
    return null
  }
}

/** What `runInSandbox` and the probe see of a process. */
export interface CommandResult {
  code: number | null
  signal: string | null
  /** At most the first 64 KiB of each stream. */
  stdout: string
  stderr: string
  /** True when the process was killed because of the timeout or the abort signal. */
  killed: boolean
}

const KEEP_BYTES = 64 * 1024

/**
 * Runs argv in a process group of its own (a budget, the group killed on timeout, abort or exit)
 * and keeps the start of stdout and of stderr apart. For the sandbox's own helpers (cp) and for
 * probes, tests and benchmarks; checks go through the workspace.
 */
export async function runCommand(
  argv: readonly string[],
  o: { cwd: string; env: Record<string, string>; timeoutMs: number; signal?: AbortSignal },
): Promise<CommandResult> {
  const r = await exec({
    argv,
    cwd: o.cwd,
    env: o.env,
    timeoutMs: o.timeoutMs,
    signal: o.signal,
    // No grace: these are our own helpers and probes, nothing to let finish cleanly.
    graceMs: 0,
    maxOutputBytes: KEEP_BYTES,
    processGroup: true,
  })
  return {
    code: r.code,
    signal: r.signal,
    stdout: r.stdout,
    stderr: r.stderr + (r.error ?? ''),
    killed: r.timedOut || r.aborted,
  }
}
