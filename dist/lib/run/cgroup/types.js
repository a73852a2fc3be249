/**
 * What the rest of the gate sees of cgroups: a run's limits and usage, the run cgroup, the
 * support detection hands back, the defaults, and the error every cgroup failure becomes.
 */
import { QuorumError } from "../../engine/errors.js";
/**
 * Default pids.max of a run. pids.max counts tasks, i.e. threads as well as processes: a node
 * process holds about 10, a JVM 30 to a few hundred, so 1024 leaves room for parallel builds and
 * test runners with several workers, while a fork bomb stops within milliseconds and far below
 * the limits of the machine (pid_max is 32768 on many hosts, and a systemd service's TasksMax is
 * often 15 % of that, around 4900).
 */
export const DEFAULT_PIDS_MAX = 1024;
/**
 * Default memory limit of a run: 4 GiB. The smallest GitHub-hosted Linux runner has 7 GiB of
 * RAM (public repositories get 16 GiB): 4 GiB leaves about 3 GiB for the judge, the runner agent
 * and the OS on the small one, and is more than typical test suites need (a JVM's default heap
 * is a quarter of RAM; node's heap defaults to about 2-4 GiB). Swap is capped along with it.
 * The limit is per run: a gate that runs several checks at once should lower it accordingly.
 */
export const DEFAULT_MEMORY_BYTES = 4 * 1024 ** 3;
/** How long kill() waits for a run's cgroup to become empty before it gives up with an error. */
export const KILL_TIMEOUT_MS = 5_000;
/** A failed cgroup file operation; the message names the file and the errno reason. */
export class CgroupError extends QuorumError {
    /** The file or directory the failed operation was on. */
    path;
    /** The errno code (e.g. 'EBUSY'), when the failure came from the kernel. */
    code;
    constructor(message, path, options) {
        super('environment', message, options?.cause === undefined ? undefined : { cause: options.cause });
        this.path = path;
        this.code = options?.code;
    }
}
