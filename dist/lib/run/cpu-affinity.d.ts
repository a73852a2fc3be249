/** How the timed phase runs: pinned to `cpu`, or not pinned and why. */
export type Pinning = {
    pinned: true;
    cpu: number;
    /** argv prefix that starts a program pinned to `cpu`. */
    prefix: string[];
    /** The CPUs the gate itself moved to during the timed phase; [] when it could not move. */
    gateCpus: number[];
    /** Moves the gate back to where it was. */
    release(): Promise<void>;
} | {
    pinned: false;
    reason: string;
};
/**
 * Pins the timed phase: picks the CPU this process may use that is idle most (see leastBusy) for
 * the runs, and moves the gate to the others. Never throws: anything that does not work is a reason not to pin.
 */
export declare function pinTimedPhase(platform?: NodeJS.Platform): Promise<Pinning>;
/**
 * Of `cpus`, the one that was idle most over a short look at /proc/stat (the last of them on a
 * tie): a process of someone else that keeps a CPU busy is then left its own, instead of sharing
 * it with the timed runs.
 */
export declare function leastBusy(cpus: readonly number[], lookMs?: number): Promise<number>;
/** The CPUs process `pid` may run on (its Cpus_allowed_list), or null when unknown. */
export declare function allowedCpus(pid: number): Promise<number[] | null>;
/** "0-3,6,8-9" -> [0, 1, 2, 3, 6, 8, 9]; null when it is not such a list. */
export declare function parseCpuList(text: string): number[] | null;
/** [0, 1, 2, 5] -> "0,1,2,5" (taskset's -c list). */
export declare function cpuList(cpus: readonly number[]): string;
