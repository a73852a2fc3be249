import { type CgroupFs } from './files.ts';
/**
 * SIGKILLs every process in the cgroup directories `dirs` (of one cgroup version) and resolves
 * once none is left; rejects with a CgroupError after `timeoutMs`, or at once if the judge itself
 * is in them (it never signals itself). v2 writes "1" to cgroup.kill where the kernel has it
 * (5.14+); otherwise each round SIGKILLs the pids listed in cgroup.procs. A missing directory
 * counts as empty. RunCgroup.kill() is this with the run's directories. `fs` is the cgroup file
 * system (the kernel's unless a test hands in a fake).
 */
export declare function killCgroups(dirs: readonly string[], version: 1 | 2, timeoutMs?: number, fs?: CgroupFs): Promise<void>;
/** Kills and removes `dir` and every cgroup below it, deepest first. */
export declare function destroyTree(fs: CgroupFs, dir: string, version: 1 | 2, deadline: number): Promise<void>;
