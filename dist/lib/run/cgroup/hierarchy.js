/**
 * The judge's `quorum-<pid>-<random>` parent in the hierarchy: where it goes under cgroup v1 and
 * v2 and why, how its controllers are enabled, and the sweep of parents that dead judges left.
 */
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { errnoCode, fail, readIfPresent, reasonFrom, removeDir, writeCgroupFile, } from "./files.js";
import { destroyTree } from "./kill.js";
import { makeSupport } from "./run-cgroup.js";
import { CgroupError } from "./types.js";
function parentName() {
    return `quorum-${process.pid}-${randomBytes(4).toString('hex')}`;
}
/**
 * Removes what judges that died without dispose() (SIGKILL, a job timeout) left under `host`:
 * parents named by parentName() whose pid is no longer alive. A pid that was reused keeps its
 * parent (harmless: an empty cgroup); one that is still ours is never touched. Best effort.
 */
async function sweepStaleParents(fs, host, version) {
    let names;
    try {
        names = await fs.subdirs(host);
    }
    catch {
        return;
    }
    const deadline = Date.now() + 2000;
    for (const name of names) {
        const pid = /^quorum-(\d+)-[0-9a-f]{8}$/.exec(name)?.[1];
        if (pid === undefined || isAlive(Number(pid)))
            continue;
        await destroyTree(fs, join(host, name), version, deadline).catch(() => { });
    }
}
function isAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (err) {
        return errnoCode(err) !== 'ESRCH';
    }
}
/**
 * The judge's parent in each v1 hierarchy it uses, under its own cgroup there: pids and memory
 * (required: if either cannot be created, cgroups are unavailable) and cpuacct for the runs' CPU
 * time (optional: without it runs go on with cpuMs null). Controllers mounted together share a
 * hierarchy, so one directory serves them all.
 */
export async function createV1Parents(location, fs) {
    const name = parentName();
    const made = new Map(); // own directory -> the parent created in it
    const parentIn = async (own) => {
        const known = made.get(own);
        if (known !== undefined)
            return known;
        const dir = join(own, name);
        await sweepStaleParents(fs, own, 1);
        try {
            await fs.mkdir(dir);
        }
        catch (err) {
            throw fail('create', dir, err);
        }
        made.set(own, dir);
        return dir;
    };
    let pids;
    let memory;
    try {
        pids = await parentIn(location.pidsDir);
        memory = await parentIn(location.memoryDir);
    }
    catch (err) {
        const deadline = Date.now() + 1000;
        for (const created of made.values())
            await removeDir(fs, created, deadline).catch(() => { });
        const own = made.has(location.pidsDir) ? location.memoryDir : location.pidsDir;
        const controller = made.has(location.pidsDir) ? 'memory' : 'pids';
        return {
            available: false,
            reason: reasonFrom(`cgroup v1 ${controller} hierarchy at ${own}`, err),
        };
    }
    const cpu = location.cpuacctDir === null ? null : await parentIn(location.cpuacctDir).catch(() => null);
    return makeSupport(1, { pids, memory, cpu }, fs);
}
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
export async function createV2Parent(ownDir, mountPoint, fs) {
    const hosts = ownDir === mountPoint ? [ownDir] : [ownDir, dirname(ownDir)];
    const reasons = [];
    for (const host of hosts) {
        const text = await readIfPresent(fs, join(host, 'cgroup.controllers')).catch(() => null);
        const controllers = (text ?? '').trim().split(/\s+/);
        const missing = ['pids', 'memory'].filter((c) => !controllers.includes(c));
        if (missing.length > 0) {
            reasons.push(`cgroup v2 at ${host} has no ${missing.join(' or ')} controller to give (cgroup.controllers: "${controllers.join(' ')}")`);
            continue;
        }
        try {
            await writeCgroupFile(fs, join(host, 'cgroup.subtree_control'), '+pids +memory');
        }
        catch (err) {
            reasons.push(err instanceof CgroupError && err.code === 'EBUSY'
                ? `cgroup v2 at ${host} has processes of its own${host === ownDir ? " (the judge's among them)" : ''}, so it may enable no controller for children (${err.message})`
                : reasonFrom(`cgroup v2 at ${host}`, err));
            continue;
        }
        // Always true for root; for anyone else it is what the kernel checks when a run is joined.
        try {
            await fs.checkWritable(join(host, 'cgroup.procs'));
        }
        catch (err) {
            reasons.push(reasonFrom(`cgroup v2 at ${host}`, fail('write', join(host, 'cgroup.procs'), err)));
            continue;
        }
        const parent = join(host, parentName());
        await sweepStaleParents(fs, host, 2);
        try {
            await fs.mkdir(parent);
        }
        catch (err) {
            reasons.push(reasonFrom(`cgroup v2 at ${host}`, fail('create', parent, err)));
            continue;
        }
        try {
            await writeCgroupFile(fs, join(parent, 'cgroup.subtree_control'), '+pids +memory');
        }
        catch (err) {
            await removeDir(fs, parent, Date.now() + 1000).catch(() => { });
            reasons.push(reasonFrom(`cgroup v2 at ${host}`, err));
            continue;
        }
        return makeSupport(2, { pids: parent, memory: parent, cpu: parent }, fs);
    }
    return { available: false, reason: reasons.join('; and ') };
}
