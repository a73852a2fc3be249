import { type DetectOptions } from './detect.ts';
import type { CgroupLocation } from './proc.ts';
/** One command sudo runs as root: a system tool and its arguments, and what it reads on stdin. */
export interface RootCommand {
    /** argv[0] is a tool's name, looked up by sudo in SUDO_ENV's PATH (or its secure_path). */
    readonly argv: readonly string[];
    readonly input?: string;
    /**
     * Part of what the judge can do without (cpuacct); such commands come last, and the first of
     * them that fails ends the delegation as done.
     */
    readonly optional?: true;
}
/** What the delegated cgroups are for: this user and group, and this process. */
export interface Delegation {
    /** The `quorum-delegated-<uid>-<pid>` directories: pids and memory (v1), or one (v2). */
    readonly dirs: readonly string[];
    /** Another such directory the runs can do without: v1's cpuacct one (their CPU time). */
    readonly optionalDirs?: readonly string[];
    readonly version: 1 | 2;
    readonly uid: number;
    readonly gid: number;
    /** The process moved into them (the judge). */
    readonly pid: number;
}
/**
 * What root does, in order, to hand the cgroups to the user and move the judge into them; the
 * first command that fails ends the delegation. v1: each directory is created, given to the user
 * and joined. v2: the controllers are enabled for the delegated cgroup and for its children, and
 * the judge goes into a `judge` leaf (a v2 cgroup that has processes may not give controllers to
 * its children). The optional directories come last, their commands marked optional.
 */
export declare function delegationCommands(d: Delegation): RootCommand[];
/**
 * The delegation for a process at `location` (its user, group and pid in `ids`): at the top of
 * each hierarchy, `quorum-delegated-<uid>-<pid>`. v1: pids and memory, and cpuacct as optional
 * when it is a hierarchy of its own; v2: one directory.
 */
export declare function delegationFor(location: Exclude<CgroupLocation, {
    version: null;
}>, ids: {
    readonly uid: number;
    readonly gid: number;
    readonly pid: number;
}): Delegation;
/**
 * Runs `commands` through `sudo -n` (at `sudoPath`) one after the other, within
 * DELEGATE_TIMEOUT_MS. Null when the required ones worked, else why not: the first failure of a
 * required command ends it; one of an optional command ends it as done.
 */
export declare function runAsRoot(sudoPath: string, commands: readonly RootCommand[]): Promise<string | null>;
/**
 * Gives this process cgroups of its own through `sudo -n` (passwordless sudo, as on GitHub's
 * hosted runners), the way systemd delegates a subtree: as root, a `quorum-delegated-<uid>-<pid>`
 * cgroup is created at the top of the pids and memory hierarchies, and of cpuacct where it can
 * be (v1), or of the unified one (v2, with a `judge` leaf), handed to this user, and this process
 * is moved into it. After that detectCgroups finds a cgroup it may manage, and every run's limits
 * hold (and its CPU time is counted). Once per process; the answer is null when it worked, else
 * why not (the runs then go without cgroups, and the report says so). Only ever called before
 * any untrusted code runs, with sudo resolved to a system path. The delegated cgroup stays until
 * the machine ends (this process lives in it to the end).
 */
export declare function delegateCgroupsWithSudo(sudoPath: string, options?: DetectOptions): Promise<string | null>;
