import type { SandboxKind } from '../engine/types.ts';
import { type CommandResult, type Sandbox, type SandboxMode, type SandboxProvider } from './sandbox-core.ts';
export { SANDBOX_FAILURE_EXIT_CODE, type CommandResult, type EnterOptions, type Sandbox, type SandboxMode, type SandboxProvider, type TreeLayers, } from './sandbox-core.ts';
export { removeTree } from './remove-tree.ts';
/**
 * Creates a provider of `kind` sandboxes under `dir` (created if missing). For `overlay`,
 * `userns` says whether runs need a user namespace (default: unless running as root); use
 * `detectSandbox` first to learn whether overlay works here at all.
 *
 * To time sandbox creation alone (e.g. in a benchmark). For overlay, `enter` only makes a few
 * directories; the namespace and the mount cost is paid when the first command starts, so time
 * `enter` plus a trivial command:
 * ```ts
 * const { kind, userns } = await detectSandbox(dir, 'auto')   // dir must exist
 * const p = createSandboxProvider({ kind, dir: join(dir, 'sandboxes'), userns })
 * const tree = p.prepare(sourceDir)
 * for (let i = 0; i < n; i++) {
 *   const sb = await p.enter(tree)           // overlay: mkdirs; copy: the whole cp -R -P -p
 *   await runInSandbox(sb, ['/bin/true'])    // overlay: + namespaces and mount
 *   await sb.remove()
 * }
 * await p.dispose()
 * ```
 */
export declare function createSandboxProvider(p: {
    kind: SandboxKind;
    dir: string;
    userns?: boolean;
    /** Overlay only: mount a /proc of the run's own pid namespace (default true). */
    privateProc?: boolean;
    /** Overlay only: files and directories hidden from every run (see OverlayProvider). */
    masks?: readonly string[];
    /** Overlay only: paths every run sees read-only, beyond the workspace and the tree's layers. */
    readOnly?: readonly string[];
    /** Overlay only: where HOME and PATH come from for the read allow list (default process.env). */
    env?: Record<string, string | undefined>;
}): SandboxProvider;
/**
 * Runs argv inside sandbox `sb` with a minimal environment (HOME and TMPDIR of the sandbox) and
 * returns its status and the start of its output. For probes, tests and benchmarks: it has no
 * output log, no verdict channel and a plain kill on timeout.
 */
export declare function runInSandbox(sb: Sandbox, argv: readonly string[], o?: {
    env?: Record<string, string>;
    timeoutMs?: number;
    signal?: AbortSignal;
}): Promise<CommandResult>;
/** The answer of `detectSandbox`. */
export interface SandboxDetection {
    kind: SandboxKind;
    /** Whether overlay runs go through a user namespace (non-root). */
    userns: boolean;
    /** Whether overlay runs get a /proc of their own pid namespace (false where the kernel refuses). */
    privateProc: boolean;
    /** Why overlay is not used, when kind is copy; null otherwise. */
    reason: string | null;
}
/**
 * Decides which kind of sandbox to use under `dir` (an existing directory on the filesystem the
 * sandboxes will live on). `copy` is taken as is; `overlay` and `auto` try a real overlay mount
 * in a fresh namespace (a few milliseconds), as root without and then with a user namespace, as
 * anyone else with one. `overlay` throws when that fails; `auto` falls back to copy and says
 * why. The answer is cached per process, filesystem and mode. Off Linux, and in portable mode
 * (platform.ts), nothing is tried: overlay needs Linux.
 */
export declare function detectSandbox(dir: string, mode: SandboxMode): Promise<SandboxDetection>;
