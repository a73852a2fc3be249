/**
 * What /proc/self says about cgroups, read as text: the cgroup mounts (mountinfo), this
 * process's own cgroups (/proc/self/cgroup), "key value" counter files, and from the first two
 * where this process's cgroups are and which version to use. Pure: no file is read here.
 */
import { join } from 'node:path';
/** mountinfo escapes space, tab, newline and backslash in paths as \ooo (octal). */
function unescapeMountPath(field) {
    return field.replace(/\\([0-7]{3})/g, (_, octal) => String.fromCharCode(parseInt(octal, 8)));
}
/**
 * The cgroup and cgroup2 mounts in /proc/self/mountinfo text. Line format (proc(5)):
 * `id parent major:minor root mountpoint options [optional fields...] - fstype source superoptions`
 */
export function parseMountinfo(text) {
    const mounts = [];
    for (const line of text.split('\n')) {
        const fields = line.split(' ');
        const dash = fields.indexOf('-', 6);
        if (dash < 0 || fields.length < dash + 4)
            continue;
        const fstype = fields[dash + 1];
        if (fstype !== 'cgroup' && fstype !== 'cgroup2')
            continue;
        mounts.push({
            version: fstype === 'cgroup' ? 1 : 2,
            root: unescapeMountPath(fields[3] ?? ''),
            mountPoint: unescapeMountPath(fields[4] ?? ''),
            options: (fields[dash + 3] ?? '').split(','),
        });
    }
    return mounts;
}
/** The entries of /proc/self/cgroup text: `hierarchy-id:controller-list:cgroup-path` lines. */
export function parseProcCgroup(text) {
    const entries = [];
    for (const line of text.split('\n')) {
        const first = line.indexOf(':');
        const second = line.indexOf(':', first + 1);
        if (first < 0 || second < 0)
            continue;
        const hierarchyId = Number(line.slice(0, first));
        if (!Number.isInteger(hierarchyId))
            continue;
        const list = line.slice(first + 1, second);
        entries.push({
            hierarchyId,
            controllers: list === '' ? [] : list.split(','),
            path: line.slice(second + 1),
        });
    }
    return entries;
}
/** `key value` lines (memory.events, pids.events, memory.oom_control) as numbers by key. */
export function parseKeyedCounts(text) {
    const counts = new Map();
    for (const line of text.split('\n')) {
        const match = /^(\S+)\s+(\d+)\s*$/.exec(line);
        if (match?.[1] !== undefined && match[2] !== undefined)
            counts.set(match[1], Number(match[2]));
    }
    return counts;
}
/**
 * The directory of `path` (a cgroup path from /proc/self/cgroup) under one of `mounts`, or null
 * when no mount shows it (e.g. the process is outside the cgroup namespace the hierarchy was
 * mounted from: its path then starts with '/..').
 */
function resolveOwn(path, mounts) {
    if (!path.startsWith('/') || path.split('/').includes('..'))
        return null;
    for (const mount of mounts) {
        const root = mount.root === '/' ? '' : mount.root;
        if (path === mount.root || root === '' || path.startsWith(`${root}/`)) {
            const dir = join(mount.mountPoint, path.slice(root.length));
            return dir.length > 1 && dir.endsWith('/') ? dir.slice(0, -1) : dir;
        }
    }
    return null;
}
/** The own cgroup of a v1 controller: its directory and mount point, or why there is none. */
function ownV1Cgroup(controller, mounts, entries) {
    const list = mounts.filter((m) => m.version === 1 && m.options.includes(controller));
    const entry = entries.find((e) => e.hierarchyId > 0 && e.controllers.includes(controller));
    if (entry === undefined) {
        return { reason: `/proc/self/cgroup has no line for the ${controller} controller` };
    }
    const dir = resolveOwn(entry.path, list);
    if (dir === null) {
        return {
            reason: `this process's ${controller} cgroup ${entry.path} is outside the part of the hierarchy mounted here (${list.map((m) => `${m.root} at ${m.mountPoint}`).join(', ')})`,
        };
    }
    return {
        dir,
        mountPoint: list.find((m) => resolveOwn(entry.path, [m]) === dir)?.mountPoint ?? '',
    };
}
/**
 * Finds the process's own cgroups from the text of /proc/self/mountinfo and /proc/self/cgroup,
 * and which version to use: v1 when both pids and memory are v1 controllers here (cpuacct is
 * used too when it is there), v2 when neither is and a cgroup2 hierarchy is mounted (whether it
 * offers the controllers is checked on the file system by detectCgroups).
 */
export function locateCgroups(mountinfo, procSelfCgroup) {
    const mounts = parseMountinfo(mountinfo);
    const entries = parseProcCgroup(procSelfCgroup);
    const v1 = (controller) => mounts.some((m) => m.version === 1 && m.options.includes(controller));
    const hasPids = v1('pids');
    const hasMemory = v1('memory');
    if (hasPids && hasMemory) {
        const pids = ownV1Cgroup('pids', mounts, entries);
        if ('reason' in pids)
            return { version: null, reason: pids.reason };
        const memory = ownV1Cgroup('memory', mounts, entries);
        if ('reason' in memory)
            return { version: null, reason: memory.reason };
        const cpuacct = v1('cpuacct') ? ownV1Cgroup('cpuacct', mounts, entries) : null;
        const usable = cpuacct !== null && !('reason' in cpuacct) ? cpuacct : null;
        return {
            version: 1,
            pidsDir: pids.dir,
            memoryDir: memory.dir,
            pidsMountPoint: pids.mountPoint,
            memoryMountPoint: memory.mountPoint,
            cpuacctDir: usable?.dir ?? null,
            cpuacctMountPoint: usable?.mountPoint ?? null,
        };
    }
    if (hasPids || hasMemory) {
        const [mounted, missing] = hasPids ? ['pids', 'memory'] : ['memory', 'pids'];
        return {
            version: null,
            reason: `the ${mounted} controller is mounted as cgroup v1 but ${missing} is not; this split is not supported`,
        };
    }
    const unified = mounts.filter((m) => m.version === 2);
    if (unified.length === 0) {
        return {
            version: null,
            reason: 'no cgroup hierarchy with the pids and memory controllers is mounted (/proc/self/mountinfo)',
        };
    }
    const entry = entries.find((e) => e.hierarchyId === 0);
    if (entry === undefined) {
        return { version: null, reason: '/proc/self/cgroup has no cgroup v2 line (0::)' };
    }
    const ownDir = resolveOwn(entry.path, unified);
    const mount = unified.find((m) => ownDir !== null && resolveOwn(entry.path, [m]) === ownDir);
    if (ownDir === null || mount === undefined) {
        return {
            version: null,
            reason: `this process's cgroup ${entry.path} is outside the part of the cgroup v2 hierarchy mounted here (${unified.map((m) => `${m.root} at ${m.mountPoint}`).join(', ')})`,
        };
    }
    return { version: 2, ownDir, mountPoint: mount.mountPoint };
}
