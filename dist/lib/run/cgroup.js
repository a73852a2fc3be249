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
 *   in the `pids`, the `memory` and the `cpuacct` hierarchy, and a run is one directory in each.
 *   pids and memory are required; cpuacct only counts the run's CPU time and is optional (no
 *   cpuacct hierarchy, or one that is not writable: RunUsage.cpuMs is null). Controllers mounted
 *   together (`cpu,cpuacct`) share one directory. Other v1 hierarchies are not used.
 * - v2 (one unified hierarchy): see `createV2Parent` (cgroup/hierarchy.ts) for where the parent
 *   goes and why. CPU time comes from `cpu.stat`, which every v2 cgroup has.
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
 *
 * The parts, one job each, under cgroup/:
 * - types.ts: the contract (RunLimits, RunUsage, RunCgroup, CgroupSupport), the defaults and
 *   CgroupError.
 * - proc.ts: /proc/self/mountinfo and /proc/self/cgroup as text, and where this process's
 *   cgroups are (pure).
 * - files.ts: reading and writing cgroup files, with errors that name the file; every operation
 *   goes through a CgroupFs (the kernel's, or a fake that tests hand to detectCgroups).
 * - kill.ts: killing every process of a cgroup, and removing a cgroup tree.
 * - run-cgroup.ts: a run's cgroup, its limits and usage; the set of runs of one judge.
 * - hierarchy.ts: the judge's parent under v1 and v2, and the sweep of stale parents.
 * - detect.ts: detectCgroups, which ties those together.
 * - delegate.ts: getting a cgroup of one's own through sudo, as an ordinary user.
 * This file is the one other files import.
 */
export { CgroupError, DEFAULT_MEMORY_BYTES, DEFAULT_PIDS_MAX, KILL_TIMEOUT_MS, } from "./cgroup/types.js";
export { locateCgroups, parseKeyedCounts, parseMountinfo, parseProcCgroup, } from "./cgroup/proc.js";
export { kernelCgroupFs } from "./cgroup/files.js";
export { killCgroups } from "./cgroup/kill.js";
export { detectCgroups } from "./cgroup/detect.js";
export { delegateCgroupsWithSudo } from "./cgroup/delegate.js";
