import type { SandboxKind } from '../engine/types.ts';
/** What the caller asks for: a kind, or `auto` to use overlay when this machine allows it. */
export type SandboxMode = 'auto' | SandboxKind;
/**
 * The prepared tree a sandbox is made from: directory layers, top first. For overlay these are
 * the lower layers of every run's mount; for copy the single entry is the directory copied.
 * `home` is the same for HOME (a setup command may install tools there); empty = start empty.
 */
export interface TreeLayers {
    readonly kind: SandboxKind;
    readonly root: readonly string[];
    readonly home: readonly string[];
}
/** One run's sandbox. All paths are absolute; none is inside the source tree. */
export interface Sandbox {
    readonly kind: SandboxKind;
    /** The run's private area: root, home, tmp and (overlay) the upper/work directories. */
    readonly area: string;
    /** Where the tree appears to the command (its cwd); the same path inside the namespace. */
    readonly root: string;
    /** Fresh HOME for the run (seeded from the tree's home layers). */
    readonly home: string;
    /** Fresh, empty TMPDIR for the run. */
    readonly tmp: string;
    /** Directory to spawn `wrap(argv)` in. */
    readonly cwd: string;
    /** The argv that runs `argv` inside this sandbox with cwd = root. Spawn it with `cwd`. */
    wrap(argv: readonly string[]): string[];
    /**
     * Why the sandbox itself could not be entered (e.g. the overlay mount failed), or null. Only
     * meaningful after a run that exited with SANDBOX_FAILURE_EXIT_CODE.
     */
    failure(): Promise<string | null>;
    /**
     * Turns what was written in this sandbox into the layers of a new prepared tree (how a setup
     * command's effects reach every later run). The sandbox must not be used afterwards; its
     * directories now belong to the returned layers and go away with the provider.
     */
    seal(): Promise<TreeLayers>;
    /** Deletes the sandbox's directories. Idempotent. Call only once its run has ended. */
    remove(): Promise<void>;
}
/** Makes sandboxes of one kind under one directory. */
export interface SandboxProvider {
    readonly kind: SandboxKind;
    /** Directory every sandbox lives under. */
    readonly dir: string;
    /** A prepared tree that reads `sourceDir` (never writes it). O(1) for both kinds. */
    prepare(sourceDir: string): TreeLayers;
    /**
     * A fresh sandbox of `tree`: O(1) for overlay, one `cp -R -P -p` for copy. `signal` stops a copy
     * in flight (the promise then rejects).
     */
    enter(tree: TreeLayers, signal?: AbortSignal, options?: EnterOptions): Promise<Sandbox>;
    /** Kills helper processes (copies in flight) and deletes `dir`. Idempotent. */
    dispose(): Promise<void>;
    /**
     * Why runs cannot see `path` of the host (a private /tmp, a hidden home, a mask), or null
     * when they can, as far as this provider hides anything (copy: never).
     */
    whyHidden(path: string): string | null;
}
/** Exit code of a run whose sandbox could not be set up (the command never started). */
export declare const SANDBOX_FAILURE_EXIT_CODE = 125;
/**
 * What a run may use beyond its tree, set per run: its network, the size of its writable space,
 * the cgroups it joins before anything of it starts, and what else it must see.
 */
export interface EnterOptions {
    /** `none`: a private network namespace with only a loopback interface (overlay only). */
    readonly network?: 'none' | 'host';
    /**
     * Overlay only: the run's writes (its tree, HOME, TMPDIR, and the private /tmp, /var/tmp and
     * /dev/shm it sees) go to tmpfs mounts of this many bytes each instead of the disk. A run
     * with a disk budget cannot be sealed (its writes vanish with it).
     */
    readonly diskBytes?: number | null;
    /** cgroup.procs files the run's first process writes its pid into (see cgroup.ts). */
    readonly cgroupProcs?: readonly string[];
    /**
     * Overlay only: paths this run must see read-only even where a private tmpfs or a mask would
     * hide them (a function check's module), beyond the provider's `readOnly` paths.
     */
    readonly keep?: readonly string[];
}
/**
 * The absolute path of a host tool the sandbox runs, resolved by the same rule as the gate's
 * own tools (system directories first; nothing a check could rewrite), or null.
 */
export declare function findTool(name: string): string | null;
/**
 * Whether overlay runs are kept from abstract unix sockets and signals outside them (the mount
 * helper's `scope`): Landlock ABI 6 or newer (Linux 6.12+). Asked once per process, of the
 * kernel, through the same perl the helper uses.
 */
export declare function abstractSocketsScoped(): boolean;
/** Whether this process needs a user namespace to mount (anyone but real root). */
export declare function isRoot(): boolean;
export declare abstract class BaseProvider {
    abstract readonly kind: SandboxKind;
    readonly dir: string;
    protected readonly helpers: AbortController;
    private seq;
    private disposed;
    constructor(dir: string);
    prepare(sourceDir: string): TreeLayers;
    protected newArea(): Promise<string>;
    protected checkTree(tree: TreeLayers): void;
    dispose(): Promise<void>;
}
export declare function readFailure(area: string): Promise<string | null>;
/** What `runInSandbox` and the probe see of a process. */
export interface CommandResult {
    code: number | null;
    signal: string | null;
    /** At most the first 64 KiB of each stream. */
    stdout: string;
    stderr: string;
    /** True when the process was killed because of the timeout or the abort signal. */
    killed: boolean;
}
/**
 * Runs argv in a process group of its own (a budget, the group killed on timeout, abort or exit)
 * and keeps the start of stdout and of stderr apart. For the sandbox's own helpers (cp) and for
 * probes, tests and benchmarks; checks go through the workspace.
 */
export declare function runCommand(argv: readonly string[], o: {
    cwd: string;
    env: Record<string, string>;
    timeoutMs: number;
    signal?: AbortSignal;
}): Promise<CommandResult>;
