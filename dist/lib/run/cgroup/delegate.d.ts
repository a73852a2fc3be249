import { type DetectOptions } from './detect.ts';
/** One command sudo runs as root: a system tool and its arguments, and what it reads on stdin. */
export interface RootCommand {
    /** argv[0] is a tool's name, looked up by sudo in SUDO_ENV's PATH (or its secure_path). */
    readonly argv: readonly string[];
    readonly input?: string;
}
/** What the delegated cgroups are for: this user and group, and this process. */
export interface Delegation {
    /** The `quorum-delegated-<uid>-<pid>` directories: pids and memory (v1), or one (v2). */
    readonly dirs: readonly string[];
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
 * its children).
 */
export declare function delegationCommands(d: Delegation): RootCommand[];
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
