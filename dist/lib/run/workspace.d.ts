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
import { QuorumError } from '../engine/errors.ts';
import type { CheckSpec, RunResult, SandboxKind, TreeRole } from '../engine/types.ts';
import type { ListedFunctionCheck } from '../engine/config.ts';
import { type VariantFile } from './variants.ts';
import { type SandboxMode } from './sandbox.ts';
import { type RunOptions } from './sandboxed-run.ts';
export { safeName, type RunOptions } from './sandboxed-run.ts';
export interface WorkspaceOptions {
    /** Directory to create the workspace in (default: the OS temp dir). Never inside an input tree. */
    baseDir?: string;
    /**
     * Where full run logs go; survives dispose. Each gate gets a `run-XXXXXX` directory of its own
     * in it, and only the newest LOG_RUNS_KEPT of those are kept. Default: `<workspace dir>-logs`.
     */
    logDir?: string;
    /** Keep the full log of runs that passed too (default: only of runs that did not). */
    keepPassingLogs?: boolean;
    /** Default auto: overlay when this machine allows it, else copy. */
    sandbox?: SandboxMode;
    /**
     * When not root, get a cgroup of this process's own through `sudo -n` first, so runs can
     * have limits (default false: sudo is never run unasked).
     */
    cgroupSudo?: boolean;
    /** The environment children's allowlisted variables come from. Default: process.env. */
    parentEnv?: Record<string, string | undefined>;
    /** SIGTERM -> SIGKILL grace for a run over budget (default: spawnBounded's). */
    graceMs?: number;
    /**
     * The trees the gate reads, so that the workspace never lands inside one of them, and so that
     * what no key covers (TREE_HIDDEN: `.git`, `.quorum`) is masked at their real paths too.
     */
    inputTrees?: string[];
    /**
     * Files and directories hidden from every run (overlay only: an empty mount over each, inside
     * the run's namespace). Credentials and runner control files; missing paths are skipped.
     */
    maskPaths?: string[];
    /**
     * Paths every run sees read-only (overlay only) although a home or a private directory would
     * hide them: e.g. the checks module's directory, the config's `read_only_paths`.
     */
    readOnlyPaths?: string[];
}
/** A tree ready for runs: read from sourceDir (never written), plus what its setup produced. */
export interface PreparedTree {
    readonly role: TreeRole;
    readonly sourceDir: string;
}
export interface Workspace {
    /** The kind of sandbox runs use ('copy' if any tree had to fall back to copying). */
    readonly kind: SandboxKind;
    /** Why overlay is not used although `auto` was asked for; null when it is (or copy was asked). */
    readonly sandboxNote: string | null;
    /** Why runs get no cgroup (so pids_max and memory_mb are not enforced); null when they do. */
    readonly cgroupNote: string | null;
    readonly dir: string;
    readonly logDir: string;
    /**
     * Prepares a tree for runs: checks that sourceDir is usable, then runs the optional setup
     * command once in a sandbox whose result every later run of this tree starts from. A failed
     * setup is returned (not thrown) as a RunResult with its outcome; the tree is then the bare
     * source. Throws WorkspaceError for a missing source or one that contains the workspace.
     */
    prepareTree(role: TreeRole, sourceDir: string, setup: {
        command: string;
        timeout_s: number;
    } | null, opts: RunOptions): Promise<{
        tree: PreparedTree;
        setup: RunResult | null;
    }>;
    /**
     * A tree with no files at all and no setup (the vacuity probe's): its runs see an empty
     * directory and an empty HOME. Their logs are named `<label>-<check>-<n>.log`.
     */
    prepareEmptyTree(role: TreeRole, label: string): Promise<PreparedTree>;
    /**
     * `base` (as prepared, setup included) with `files` written over it, for the change-coverage
     * audit: one small extra layer on top (see variants.ts), not a copy of the tree. Runs of it
     * see `role` as base's, and their logs are named `<label>-<check>-<n>.log`.
     */
    prepareVariant(base: PreparedTree, files: readonly VariantFile[], label: string): Promise<PreparedTree>;
    /** Runs one check once on a tree, in a fresh sandbox. Never throws for what the check does. */
    runCheck(tree: PreparedTree, spec: CheckSpec, opts: RunOptions): Promise<RunResult>;
    /** Lists a function-checks module's checks in a child process (see process.ts). */
    listFunctionChecks(modulePath: string, abort?: AbortSignal): Promise<ListedFunctionCheck[]>;
    /** Stops every live run, then removes the workspace directory. Idempotent; logs are kept. */
    dispose(): Promise<void>;
}
/** A workspace cannot be created or used as asked (bad directory, disposed, ...). */
export declare class WorkspaceError extends QuorumError {
    constructor(message: string);
}
/**
 * Creates a workspace: a fresh directory under baseDir and a logs directory, and decides the
 * sandbox kind (one real overlay mount as a probe, cached per process). Throws WorkspaceError
 * when baseDir is inside an input tree, and when `overlay` was forced but cannot work here.
 */
export declare function createWorkspace(opts?: WorkspaceOptions): Promise<Workspace>;
