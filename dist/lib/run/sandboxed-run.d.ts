import type { Classification } from '../engine/outcome.ts';
import type { CapturedOutput, ResourceLimits, RunResult, SandboxKind, SpawnResult, TreeRole } from '../engine/types.ts';
import type { CgroupSupport, RunCgroup, RunUsage } from './cgroup.ts';
import { type Sandbox, type SandboxProvider, type TreeLayers } from './sandbox.ts';
export interface RunOptions {
    seed: string;
    envPassthrough: string[];
    env: Record<string, string>;
    abort?: AbortSignal;
    /** This run's resource limits (default DEFAULT_LIMITS; a setup never gets a disk budget). */
    limits?: ResourceLimits;
    /**
     * argv put in front of the run's own (outside its sandbox), e.g. `taskset -c 1`: a timed run
     * pinned to one CPU. Everything the run starts inherits it.
     */
    pin?: readonly string[];
}
/** What every run of one workspace shares. */
export interface RunSite {
    readonly cgroups: CgroupSupport;
    /** The next run's cgroup name, unique among the workspace's live runs. */
    readonly cgroupName: () => string;
    /** The environment children's allowlisted variables come from. */
    readonly parentEnv: Record<string, string | undefined>;
    /** SIGTERM -> SIGKILL grace for a run over budget. */
    readonly graceMs: number;
    readonly logDir: string;
    readonly logNames: LogNames;
    /** Keep the full log of runs that passed too. */
    readonly keepPassingLogs: boolean;
}
/** The sandbox a run gets: a fresh one of `layers`, from `provider`. */
export interface SandboxRequest {
    provider: SandboxProvider;
    layers: TreeLayers;
    /** The run's writes must outlive it (a setup): they go to the disk, with no disk budget. */
    persist?: boolean;
    /** Paths the run must see read-only although they lie under a private directory. */
    keepVisible?: readonly string[];
}
/** What runs in the sandbox, under which names, and how its end is judged. */
export interface RunCommand {
    role: TreeRole;
    /** QUORUM_CHECK, and the second part of the log file's name. */
    checkName: string;
    /** The first part of the log file's name: the role, or an audit tree's label. */
    logLabel: string;
    argv: (sb: Sandbox) => string[];
    timeoutMs: number;
    classify: (r: SpawnResult, timeoutMs: number) => Classification;
    scoreKey?: string | null;
    metricKeys?: readonly string[];
    /** Metrics whose value is the run's CPU time (`source: cpu`), read from its cgroup. */
    cpuMetrics?: readonly string[];
    channel?: boolean;
}
export interface SandboxedRunOptions {
    site: RunSite;
    sandbox: SandboxRequest;
    command: RunCommand;
    run: RunOptions;
    /** The workspace's stop (dispose()); the run also stops on `run.abort`. */
    stop: AbortSignal;
    /** Whether the sandbox becomes the layers of a tree (a setup that passed). Default: never. */
    keep?: (result: RunResult) => boolean;
}
/** A run's result; `sealed` holds its sandbox as tree layers when `keep` said so, else null. */
export interface SandboxedRun {
    result: RunResult;
    sealed: TreeLayers | null;
}
/** A sandbox entered for one run, with the run's cgroup (null where cgroups cannot be had). */
export interface EnteredRun {
    sb: Sandbox;
    cgroup: RunCgroup | null;
}
/**
 * Runs one command once in a fresh sandbox of `sandbox.layers`. Never throws for what the
 * command does: a run that cannot start (stopped, no sandbox) is a not-run ERROR result.
 */
export declare function runSandboxed(p: SandboxedRunOptions): Promise<SandboxedRun>;
/**
 * A fresh sandbox of `layers` for one run, in a cgroup of its own with the run's limits (none
 * where cgroups cannot be had). Nothing is left behind when this throws.
 */
export declare function enterRunSandbox(site: Pick<RunSite, 'cgroups' | 'cgroupName'>, request: SandboxRequest, limits: ResourceLimits, signal: AbortSignal): Promise<EnteredRun>;
/**
 * Removes the run's cgroup (killing what is left in it), and its sandbox unless it was sealed
 * into a tree's layers.
 */
export declare function leaveRunSandbox(entered: EnteredRun, p?: {
    sealed: boolean;
}): Promise<void>;
/**
 * The RunResult of a run that ended: its classification, with the limits it hit named in the
 * reason of a run that did not pass, and what the spawn recorded.
 */
export declare function assembleRunResult(p: {
    spawned: SpawnResult;
    classification: Classification;
    usage: RunUsage | null;
    limits: ResourceLimits;
    /** The spawn's output, its log_path null when the log was not kept. */
    output: CapturedOutput;
    seed: string;
    sandbox: SandboxKind;
    sandboxRoot: string;
}): RunResult;
/**
 * A run's classification with its cpu metrics (`source: cpu`) added: the CPU time its cgroup
 * counted, in ms (to 0.1). A run that passed when no CPU time could be read is ERROR: its
 * metric would be missing, and nothing the check did caused it. `cgroupNote`: why runs get no
 * cgroup, null when they do.
 */
export declare function withCpuTime(c: Classification, names: readonly string[], cpuMs: number | null, cgroupNote: string | null): Classification;
/**
 * Log file names: `<tree>-<check>-<n>.log`, filesystem-safe and unique within one workspace.
 * A name that had to be changed to be safe gets a short hash of the original, so `a/b` and
 * `a_b` never share a file.
 */
export declare class LogNames {
    private readonly used;
    private readonly counters;
    /** `label` is a tree role, or an audit tree's label (made safe here too). */
    next(label: string, check: string): string;
}
/** A check name as a file name part: [A-Za-z0-9._-], at most ~80 characters, never empty. */
export declare function safeName(name: string): string;
