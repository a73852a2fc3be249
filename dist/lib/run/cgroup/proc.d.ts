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
    /**
     * The own cgroup directory in the cpuacct hierarchy and where that is mounted (often
     * together with cpu, as `cpu,cpuacct`), or null when there is none here: CPU time is
     * optional, pids and memory are not.
     */
    readonly cpuacctDir: string | null;
    readonly cpuacctMountPoint: string | null;
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
 * and which version to use: v1 when both pids and memory are v1 controllers here (cpuacct is
 * used too when it is there), v2 when neither is and a cgroup2 hierarchy is mounted (whether it
 * offers the controllers is checked on the file system by detectCgroups).
 */
export declare function locateCgroups(mountinfo: string, procSelfCgroup: string): CgroupLocation;
