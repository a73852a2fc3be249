import { type CgroupFs } from './files.ts';
import { type CgroupLocation } from './proc.ts';
import type { CgroupSupport } from './types.ts';
/** What detectCgroups reads, when not the real files (tests, diagnostics). */
export interface DetectOptions {
    /** Text to use instead of /proc/self/mountinfo. */
    readonly mountinfo?: string;
    /** Text to use instead of /proc/self/cgroup. */
    readonly procSelfCgroup?: string;
    /** The cgroup file system to use instead of the kernel's (a fake one in tests). */
    readonly fs?: CgroupFs;
}
/**
 * Whether this process can give runs cgroups, and if so the means to. Reads /proc/self/mountinfo
 * and /proc/self/cgroup, creates the parent directories (removed again when anything fails) and
 * never throws: an unusable machine is `{ available: false, reason }`.
 */
export declare function detectCgroups(options?: DetectOptions): Promise<CgroupSupport>;
/**
 * Where this process's cgroups are, from /proc/self/mountinfo and /proc/self/cgroup (or the
 * texts in `options`). Rejects when /proc/self cannot be read.
 */
export declare function locateOwnCgroups(options?: DetectOptions): Promise<CgroupLocation>;
