/**
 * Per-run resource limits with Linux cgroups: a fork bomb or a memory hog in a check cannot take
 * the judge down, and a run can be killed as a unit (every process it started, wherever it went:
 * double forks, setsid, another pid namespace).
 *
 * Layout: detection creates one parent `quorum-<pid>-<random>` for this judge, and every run is
 * a leaf `run-<name>` below it that carries the run's limits. A process joins a run by writing
 * its own pid into the run's `cgroup.procs` files (the sandbox wrapper does `echo $$ > file` as
 * its first action); everything it starts afterwards is born in the same cgroup.
 *
 * Both cgroup versions are supported:
 * - v1 (separate hierarchies per controller): the parent is created under the judge's own cgroup
 *   in the `pids` and the `memory` hierarchy, and a run is one directory in each. Both
 *   controllers are required; other v1 hierarchies (cpu, freezer...) are not used.
 * - v2 (one unified hierarchy): see `createV2Parent` for where the parent goes and why.
 * A hybrid host (v1 controllers plus a controller-less cgroup2 at /sys/fs/cgroup/unified) is
 * treated as v1: a controller is in exactly one hierarchy, and there pids and memory are in v1.
 *
 * Killing (`RunCgroup.kill`): v2 writes "1" to `cgroup.kill` (atomic against concurrent forks);
 * v1 (and v2 kernels older than 5.14, which lack cgroup.kill) read `cgroup.procs` and SIGKILL
 * every pid until the list stays empty. A process with SIGKILL pending cannot fork any more, so
 * each round leaves only the children forked between the read and the kill, and pids.max bounds
 * how many those can be. Known limit of the v1 loop: a pid read from cgroup.procs could be reused
 * by an unrelated process before the SIGKILL lands; that needs the kernel to cycle through the
 * whole pid space within microseconds, which a run held under pids.max cannot cause.
 *
 * Zombies: an exited process leaves `cgroup.procs` at once but stays charged to `pids.current`
 * until its parent (or init, for orphans) reaps it. "Empty" here means no live process.
 */
import { QuorumError } from '../engine/errors.ts';
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
}
/** One run's cgroup (one directory per v1 hierarchy, or one v2 directory). */
export interface RunCgroup {
    readonly name: string;
    /** The run's cgroup directories (absolute). */
    readonly dirs: readonly string[];
    /**
     * The `cgroup.procs` files a process writes its own pid into to join the run, in this order;
     * its children then inherit the cgroup. One per v1 hierarchy (pids, memory), one for v2.
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
    /** The `quorum-<pid>-<random>` parent directories: pids and memory (v1), or one (v2). */
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
/** One cgroup or cgroup2 line of /proc/self/mountinfo. */
export interface CgroupMount {
    readonly version: 1 | 2;
    /** The cgroup path that appears at mountPoint ('/' unless a sub-tree is bind-mounted). */
    readonly root: string;
    readonly mountPoint: string;
    /** Super options, e.g. ['rw', 'memory'] or ['rw', 'nsdelegate']: a v1 mount's controllers. */
    readonly options: readonly string[];
}
/** One line of /proc/self/cgroup. */
export interface ProcCgroupEntry {
    /** 0 for the v2 (unified) hierarchy. */
    readonly hierarchyId: number;
    /** v1 controllers of the hierarchy (e.g. ['cpu', 'cpuacct'], ['name=systemd']); [] for v2. */
    readonly controllers: readonly string[];
    /** The process's cgroup, relative to the hierarchy's root (or its cgroup namespace's root). */
    readonly path: string;
}
/**
 * The cgroup and cgroup2 mounts in /proc/self/mountinfo text. Line format (proc(5)):
 * `id parent major:minor root mountpoint options [optional fields...] - fstype source superoptions`
 */
export declare function parseMountinfo(text: string): CgroupMount[];
/** The entries of /proc/self/cgroup text: `hierarchy-id:controller-list:cgroup-path` lines. */
export declare function parseProcCgroup(text: string): ProcCgroupEntry[];
/** `key value` lines (memory.events, pids.events, memory.oom_control) as numbers by key. */
export declare function parseKeyedCounts(text: string): Map<string, number>;
/** Where this process's cgroups are, as seen in this mount namespace. */
export type CgroupLocation = {
    readonly version: 1;
    /** The process's own cgroup directory in the pids and in the memory hierarchy. */
    readonly pidsDir: string;
    readonly memoryDir: string;
    /** Where those two hierarchies are mounted. */
    readonly pidsMountPoint: string;
    readonly memoryMountPoint: string;
} | {
    readonly version: 2;
    /** The process's own cgroup directory. */
    readonly ownDir: string;
    /** Where the hierarchy is mounted: the highest directory of it visible here. */
    readonly mountPoint: string;
} | {
    readonly version: null;
    readonly reason: string;
};
/**
 * Finds the process's own cgroups from the text of /proc/self/mountinfo and /proc/self/cgroup,
 * and which version to use: v1 when both pids and memory are v1 controllers here, v2 when
 * neither is and a cgroup2 hierarchy is mounted (whether it offers the controllers is checked on
 * the file system by detectCgroups).
 */
export declare function locateCgroups(mountinfo: string, procSelfCgroup: string): CgroupLocation;
/**
 * SIGKILLs every process in the cgroup directories `dirs` (of one cgroup version) and resolves
 * once none is left; rejects with a CgroupError after `timeoutMs`, or at once if the judge itself
 * is in them (it never signals itself). v2 writes "1" to cgroup.kill where the kernel has it
 * (5.14+); otherwise each round SIGKILLs the pids listed in cgroup.procs. A missing directory
 * counts as empty. RunCgroup.kill() is this with the run's directories.
 */
export declare function killCgroups(dirs: readonly string[], version: 1 | 2, timeoutMs?: number): Promise<void>;
/** What detectCgroups reads, when not the real files (tests, diagnostics). */
export interface DetectOptions {
    /** Text to use instead of /proc/self/mountinfo. */
    readonly mountinfo?: string;
    /** Text to use instead of /proc/self/cgroup. */
    readonly procSelfCgroup?: string;
}
/**
 * Whether this process can give runs cgroups, and if so the means to. Reads /proc/self/mountinfo
 * and /proc/self/cgroup, creates the parent directories (removed again when anything fails) and
 * never throws: an unusable machine is `{ available: false, reason }`.
 */
export declare function detectCgroups(options?: DetectOptions): Promise<CgroupSupport>;
/**
 * Gives this process cgroups of its own through `sudo -n` (passwordless sudo, as on GitHub's
 * hosted runners), the way systemd delegates a subtree: as root, a `quorum-delegated-<uid>-<pid>`
 * cgroup is created at the top of the pids and memory hierarchies (v1) or of the unified one
 * (v2, with a `judge` leaf), handed to this user, and this process is moved into it. After that
 * detectCgroups finds a cgroup it may manage, and every run's limits hold. Once per process; the
 * answer is null when it worked, else why not (the runs then go without cgroups, and the report
 * says so). Only ever called before any untrusted code runs, with sudo resolved to a system
 * path. The delegated cgroup stays until the machine ends (this process lives in it to the end).
 */
export declare function delegateCgroupsWithSudo(sudoPath: string, options?: DetectOptions): Promise<string | null>;
