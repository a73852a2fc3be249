import { type CgroupFs } from './files.ts';
import type { CgroupLocation } from './proc.ts';
import { type CgroupSupport } from './types.ts';
/**
 * The judge's parent in each v1 hierarchy it uses, under its own cgroup there: pids and memory
 * (required: if either cannot be created, cgroups are unavailable) and cpuacct for the runs' CPU
 * time (optional: without it runs go on with cpuMs null). Controllers mounted together share a
 * hierarchy, so one directory serves them all.
 */
export declare function createV1Parents(location: Extract<CgroupLocation, {
    version: 1;
}>, fs: CgroupFs): Promise<CgroupSupport>;
/**
 * Where the v2 parent goes. cgroup v2's "no internal processes" rule: a cgroup other than the
 * root can enable controllers for its children (cgroup.subtree_control) only while it has no
 * processes of its own, and a process can join only a cgroup without enabled controllers. The
 * judge's own cgroup holds the judge, so a parent below it can get the pids and memory
 * controllers only when the own cgroup is the hierarchy's root (the write then succeeds or is a
 * no-op). Otherwise (the usual case: a systemd service, a session scope, a container) the write
 * fails with EBUSY, and the parent goes under the own cgroup's parent instead, as a sibling of
 * the own cgroup. That works when the parent has no processes of its own, which is what systemd
 * guarantees for its slices (processes live only in the leaves: services and scopes, and
 * systemd has normally enabled pids and memory in the slices already) and what container
 * runtimes do for the cgroups they create per container. If the parent fails too, the reason
 * names both attempts.
 *
 * Why not the alternative, moving the judge into a leaf below its own cgroup so the own cgroup
 * becomes free of processes: it changes the cgroup of the whole judge process behind its
 * caller's back, and it only works when the judge is the only process there (on a CI runner the
 * runner agent and the step's shell share it, so the write would still fail).
 *
 * What the sibling placement costs: limits set on the own cgroup (say a service's MemoryMax) do
 * not cover the runs, which carry their own limits instead; and moving a process into a run
 * needs write access to the common ancestor's cgroup.procs (checked here), so for a non-root
 * user it works only where the parent is delegated too (e.g. systemd's user@.service).
 *
 * Enabling a controller in an existing cgroup's subtree_control is never undone: something else
 * may rely on it from then on, and it only makes accounting available to the children.
 */
export declare function createV2Parent(ownDir: string, mountPoint: string, fs: CgroupFs): Promise<CgroupSupport>;
