/**
 * What the rest of the gate sees of cgroups: a run's limits and usage, the run cgroup, the
 * support detection hands back, the defaults, and the error every cgroup failure becomes.
 */
import { QuorumError } from '../../engine/errors.ts';
/**
 * Default pids.max of a run. pids.max counts tasks, i.e. threads as well as processes: a node
 * process holds about 10, a JVM 30 to a few hundred, so 1024 leaves room for parallel builds and
 * test runners with several workers, while a fork bomb stops within milliseconds and far below
 * the limits of the machine (pid_max is 32768 on many hosts, and a systemd service's TasksMax is
 * often 15 % of that, around 4900).
 */
export declare const DEFAULT_PIDS_MAX = 1024;
/**
 * Default memory limit of a run: 4 GiB. The smallest GitHub-hosted Linux runner has 7 GiB of
 * RAM (public repositories get 16 GiB): 4 GiB leaves about 3 GiB for the judge, the runner agent
 * and the OS on the small one, and is more than typical test suites need (a JVM's default heap
 * is a quarter of RAM; node's heap defaults to about 2-4 GiB). Swap is capped along with it.
 * The limit is per run: a gate that runs several checks at once should lower it accordingly.
 */
export declare const DEFAULT_MEMORY_BYTES: number;
/** How long kill() waits for a run's cgroup to become empty before it gives up with an error. */
export declare const KILL_TIMEOUT_MS = 5000;
/** Limits of one run; null = no limit of that kind (the parent's, normally none). */
export interface RunLimits {
    /** Maximum number of tasks (processes and threads) alive in the run at once; >= 1. */
    readonly pidsMax: number | null;
    /** Memory limit in bytes (swap included where the kernel accounts it); >= 1 MiB. */
    readonly memoryBytes: number | null;
}
/** What the kernel recorded about a run (read after it ended, before remove()). */
export interface RunUsage {
    /** The kernel's OOM killer killed a process of the run (the run hit its memory limit). */
    readonly oomKilled: boolean;
    /** A fork or clone in the run failed because the run was at pidsMax. */
    readonly pidsLimitHit: boolean;
    /** Highest memory use of the run in bytes, or null when the kernel does not record it. */
    readonly memoryPeakBytes: number | null;
    /**
     * CPU time (user + system) the run's processes used, in milliseconds (fractional), or null
     * when it is not accounted (cgroup v1 without a usable cpuacct hierarchy).
     */
    readonly cpuMs: number | null;
}
/**
 * Which directory holds each controller's files: under v1 one directory per hierarchy (two may
 * coincide where controllers are mounted together, e.g. `cpu,cpuacct` with memory), under v2
 * the same directory for all.
 */
export interface ControllerDirs {
    readonly pids: string;
    readonly memory: string;
    /** v1: the cpuacct hierarchy's (null when there is none usable); v2: the one directory. */
    readonly cpu: string | null;
}
/** One run's cgroup (one directory per v1 hierarchy, or one v2 directory). */
export interface RunCgroup {
    readonly name: string;
    /** The run's cgroup directories (absolute), each once: v1 pids, memory, cpuacct; v2 one. */
    readonly dirs: readonly string[];
    /** The same directories by the controller whose files they hold. */
    readonly controllerDirs: ControllerDirs;
    /**
     * The `cgroup.procs` files a process writes its own pid into to join the run, one per entry
     * of `dirs`, in that order; its children then inherit the cgroups.
     */
    readonly procsFiles: readonly string[];
    /**
     * SIGKILLs every process in the run and resolves once none is left. Rejects with a CgroupError
     * if some are still there after KILL_TIMEOUT_MS (or if the judge itself is in the run).
     */
    kill(): Promise<void>;
    /** What the kernel recorded about the run's limits. Rejects after remove(). */
    usage(): Promise<RunUsage>;
    /** kill(), then deletes the directories. Idempotent; an already deleted directory is fine. */
    remove(): Promise<void>;
}
export interface CgroupsAvailable {
    readonly available: true;
    readonly version: 1 | 2;
    /**
     * The `quorum-<pid>-<random>` parent directories: pids, memory and (when usable) cpuacct
     * (v1), or one (v2).
     */
    readonly parents: readonly string[];
    /**
     * A fresh run cgroup with these limits. `name` is 1-100 characters of [A-Za-z0-9._-], unique
     * among this judge's live runs; the directory is `run-<name>`.
     */
    createRun(name: string, limits: RunLimits): Promise<RunCgroup>;
    /** Removes every run (killing what is inside) and the parents. Idempotent. */
    dispose(): Promise<void>;
}
export interface CgroupsUnavailable {
    readonly available: false;
    /** Why, as a sentence for a log line. */
    readonly reason: string;
}
export type CgroupSupport = CgroupsAvailable | CgroupsUnavailable;
/** A failed cgroup file operation; the message names the file and the errno reason. */
export declare class CgroupError extends QuorumError {
    /** The file or directory the failed operation was on. */
    readonly path: string;
    /** The errno code (e.g. 'EBUSY'), when the failure came from the kernel. */
    readonly code: string | undefined;
    constructor(message: string, path: string, options?: {
        code?: string;
        cause?: unknown;
    });
}
