/**
 * SIGKILLs every process whose environment carries `name=value` and returns how many there
 * were. For runs without a PID namespace (copy sandboxes): a process that left the run's group
 * with setsid() still inherited the run's marker variable, so it can be found after the run.
 * Best effort: a process that rewrote its own environment block is not found. Without /proc
 * nothing is found (0).
 */
export declare function killProcessesWithEnv(name: string, value: string): number;
export declare function signalGroup(pgid: number, signal: NodeJS.Signals): void;
/**
 * Whether process `pid` is (still) in process group `pgid`: true or false from /proc; null
 * where that cannot be told (no /proc, or the process is gone).
 */
export declare function isInGroup(pid: number, pgid: number): boolean | null;
/**
 * Whether any process of the group is alive. kill(-pgid, 0) alone is not enough: it succeeds
 * for zombies, and where PID 1 does not reap orphans promptly, killed leftovers stay zombies.
 * On Linux, /proc tells a zombie (state Z, already dead) from a live process.
 */
export declare function groupHasLiveMembers(pgid: number): boolean;
export declare function waitForGroupGone(pgid: number): Promise<void>;
