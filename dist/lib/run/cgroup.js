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
 *   in the `pids` and the `memory` hierarchy, and a run is one directory in each. Both
 *   controllers are required; other v1 hierarchies (cpu, freezer...) are not used.
 * - v2 (one unified hierarchy): see `createV2Parent` for where the parent goes and why.
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
 */
import { QuorumError } from "../engine/errors.js";
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, open, readdir, readFile, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { getSystemErrorMessage } from 'node:util';
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
/**
 * Finds the process's own cgroups from the text of /proc/self/mountinfo and /proc/self/cgroup,
 * and which version to use: v1 when both pids and memory are v1 controllers here, v2 when
 * neither is and a cgroup2 hierarchy is mounted (whether it offers the controllers is checked on
 * the file system by detectCgroups).
 */
export function locateCgroups(mountinfo, procSelfCgroup) {
    const mounts = parseMountinfo(mountinfo);
    const entries = parseProcCgroup(procSelfCgroup);
    const v1 = (controller) => mounts.filter((m) => m.version === 1 && m.options.includes(controller));
    const pidsMounts = v1('pids');
    const memoryMounts = v1('memory');
    if (pidsMounts.length > 0 && memoryMounts.length > 0) {
        const dirs = [];
        const mountPoints = [];
        for (const [controller, list] of [
            ['pids', pidsMounts],
            ['memory', memoryMounts],
        ]) {
            const entry = entries.find((e) => e.hierarchyId > 0 && e.controllers.includes(controller));
            if (entry === undefined) {
                return {
                    version: null,
                    reason: `/proc/self/cgroup has no line for the ${controller} controller`,
                };
            }
            const dir = resolveOwn(entry.path, list);
            if (dir === null) {
                return {
                    version: null,
                    reason: `this process's ${controller} cgroup ${entry.path} is outside the part of the hierarchy mounted here (${list.map((m) => `${m.root} at ${m.mountPoint}`).join(', ')})`,
                };
            }
            dirs.push(dir);
            mountPoints.push(list.find((m) => resolveOwn(entry.path, [m]) === dir)?.mountPoint ?? '');
        }
        return {
            version: 1,
            pidsDir: dirs[0] ?? '',
            memoryDir: dirs[1] ?? '',
            pidsMountPoint: mountPoints[0] ?? '',
            memoryMountPoint: mountPoints[1] ?? '',
        };
    }
    if (pidsMounts.length > 0 || memoryMounts.length > 0) {
        const [mounted, missing] = pidsMounts.length > 0 ? ['pids', 'memory'] : ['memory', 'pids'];
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
// ---------------------------------------------------------------------------------------------
// File operations that fail with a CgroupError naming the file and the errno reason.
function errnoCode(err) {
    const code = err?.code;
    return typeof code === 'string' ? code : undefined;
}
function describe(err) {
    const e = err;
    if (typeof e?.errno === 'number' && typeof e.code === 'string') {
        return `${getSystemErrorMessage(e.errno)} (${e.code})`;
    }
    return err instanceof Error ? err.message : String(err);
}
function fail(action, path, err) {
    const code = errnoCode(err);
    return new CgroupError(`cannot ${action} ${path}: ${describe(err)}`, path, {
        ...(code === undefined ? {} : { code }),
        cause: err,
    });
}
/**
 * One write(2) of `value` to an existing cgroup file: opened O_WRONLY without O_CREAT, so a
 * missing file is ENOENT, and in one call, as cgroup files parse each write on its own.
 */
async function writeCgroupFile(path, value) {
    let handle;
    try {
        handle = await open(path, fsConstants.O_WRONLY);
        await handle.write(value);
    }
    catch (err) {
        throw fail(`write "${value}" to`, path, err);
    }
    finally {
        await handle?.close();
    }
}
/** Like writeCgroupFile, but a missing file is fine (returns false): optional knobs. */
async function writeIfPresent(path, value) {
    try {
        await writeCgroupFile(path, value);
        return true;
    }
    catch (err) {
        if (err instanceof CgroupError && err.code === 'ENOENT')
            return false;
        throw err;
    }
}
/** The file's text, or null when it does not exist. */
async function readIfPresent(path) {
    try {
        return await readFile(path, 'utf8');
    }
    catch (err) {
        if (errnoCode(err) === 'ENOENT')
            return null;
        throw fail('read', path, err);
    }
}
/** The live processes listed in a cgroup.procs file ([] when the cgroup is gone). */
async function readProcs(file) {
    const text = await readIfPresent(file);
    if (text === null)
        return [];
    return text
        .split('\n')
        .filter((line) => line !== '')
        .map(Number)
        .filter((pid) => Number.isInteger(pid) && pid > 0);
}
/** rmdir that tolerates a missing directory and retries EBUSY (tasks still exiting) briefly. */
async function removeDir(dir, deadline) {
    for (;;) {
        try {
            await rmdir(dir);
            return;
        }
        catch (err) {
            const code = errnoCode(err);
            if (code === 'ENOENT')
                return;
            if (code !== 'EBUSY' || Date.now() >= deadline)
                throw fail('remove', dir, err);
        }
        await delay(10);
    }
}
function uid() {
    return process.getuid?.() ?? -1;
}
/** A reason sentence for a failed step, with the permission case spelled out. */
function reasonFrom(what, err) {
    const detail = err instanceof CgroupError ? err.message : describe(err);
    const code = err instanceof CgroupError ? err.code : errnoCode(err);
    if (code === 'EACCES' || code === 'EPERM') {
        return `${what} is not writable by uid ${uid()} (no delegated subtree): ${detail}`;
    }
    if (code === 'EROFS')
        return `${what} is mounted read-only: ${detail}`;
    return `${what}: ${detail}`;
}
// ---------------------------------------------------------------------------------------------
// Killing and removing.
/**
 * SIGKILLs every process in the cgroup directories `dirs` (of one cgroup version) and resolves
 * once none is left; rejects with a CgroupError after `timeoutMs`, or at once if the judge itself
 * is in them (it never signals itself). v2 writes "1" to cgroup.kill where the kernel has it
 * (5.14+); otherwise each round SIGKILLs the pids listed in cgroup.procs. A missing directory
 * counts as empty. RunCgroup.kill() is this with the run's directories.
 */
export async function killCgroups(dirs, version, timeoutMs = KILL_TIMEOUT_MS) {
    const deadline = Date.now() + timeoutMs;
    for (let round = 0;; round++) {
        const pids = new Set();
        for (const dir of dirs) {
            for (const pid of await readProcs(join(dir, 'cgroup.procs')))
                pids.add(pid);
        }
        if (pids.size === 0)
            return;
        if (pids.has(process.pid)) {
            throw new CgroupError(`refusing to kill the cgroup ${dirs.join(' and ')}: the judge itself (pid ${process.pid}) is in it`, dirs[0] ?? '');
        }
        if (Date.now() >= deadline) {
            const list = [...pids].slice(0, 10).join(', ');
            throw new CgroupError(`${pids.size} process(es) still in ${dirs.join(' and ')} after SIGKILL for ${timeoutMs} ms (pids ${list}${pids.size > 10 ? ', ...' : ''})`, dirs[0] ?? '');
        }
        let killedByKernel = version === 2;
        if (version === 2) {
            for (const dir of dirs) {
                if (!(await writeIfPresent(join(dir, 'cgroup.kill'), '1')))
                    killedByKernel = false;
            }
        }
        if (!killedByKernel) {
            for (const pid of pids) {
                try {
                    process.kill(pid, 'SIGKILL');
                }
                catch {
                    // ESRCH: exited since the read. EPERM: not ours to kill; the deadline reports it.
                }
            }
        }
        // Re-read at once while a fork bomb may still be racing; then give exiting tasks a moment.
        await delay(round < 20 ? 1 : 10);
    }
}
/** Kills and removes `dir` and every cgroup below it, deepest first. */
async function destroyTree(dir, version, deadline) {
    let names;
    try {
        names = (await readdir(dir, { withFileTypes: true }))
            .filter((entry) => entry.isDirectory())
            .map((entry) => entry.name);
    }
    catch (err) {
        if (errnoCode(err) === 'ENOENT')
            return;
        throw fail('list', dir, err);
    }
    for (const name of names)
        await destroyTree(join(dir, name), version, deadline);
    await killCgroups([dir], version, Math.max(0, deadline - Date.now()));
    await removeDir(dir, deadline);
}
// ---------------------------------------------------------------------------------------------
// Runs.
const RUN_NAME = /^[A-Za-z0-9._-]{1,100}$/;
function checkLimits(limits) {
    const { pidsMax, memoryBytes } = limits;
    if (pidsMax !== null && (!Number.isSafeInteger(pidsMax) || pidsMax < 1)) {
        throw new RangeError(`pidsMax must be a whole number >= 1 or null, not ${pidsMax}`);
    }
    if (memoryBytes !== null && (!Number.isSafeInteger(memoryBytes) || memoryBytes < 1024 * 1024)) {
        throw new RangeError(`memoryBytes must be a whole number >= 1 MiB or null, not ${memoryBytes}`);
    }
}
class Run {
    name;
    dirs;
    procsFiles;
    #version;
    #forget;
    #removing = null;
    #removed = false;
    constructor(name, dirs, version, forget) {
        this.name = name;
        this.dirs = dirs;
        this.procsFiles = dirs.map((dir) => join(dir, 'cgroup.procs'));
        this.#version = version;
        this.#forget = forget;
    }
    kill() {
        return killCgroups(this.dirs, this.#version, KILL_TIMEOUT_MS);
    }
    async usage() {
        if (this.#removed) {
            throw new CgroupError(`run cgroup ${this.name} was removed`, this.dirs[0] ?? '');
        }
        const read = async (file) => readIfPresent(file);
        const count = (text, key) => text === null ? undefined : parseKeyedCounts(text).get(key);
        const number = (text) => {
            const value = text === null ? NaN : Number(text.trim());
            return Number.isSafeInteger(value) ? value : null;
        };
        if (this.#version === 2) {
            const [dir] = this.dirs;
            return {
                oomKilled: (count(await read(join(dir, 'memory.events')), 'oom_kill') ?? 0) > 0,
                pidsLimitHit: (count(await read(join(dir, 'pids.events')), 'max') ?? 0) > 0,
                // memory.peak: kernel 5.19+.
                memoryPeakBytes: number(await read(join(dir, 'memory.peak'))),
            };
        }
        const [pidsDir, memoryDir] = this.dirs;
        // The `oom_kill` line of memory.oom_control exists since kernel 4.13. Older kernels only
        // count limit hits (memory.failcnt, memory.memsw.failcnt): the run reached its limit, which
        // without swap almost always ends in an OOM kill, but can also be reclaimed page cache.
        const oomKills = count(await read(join(memoryDir, 'memory.oom_control')), 'oom_kill');
        const limitHits = async () => (number(await read(join(memoryDir, 'memory.failcnt'))) ?? 0) +
            (number(await read(join(memoryDir, 'memory.memsw.failcnt'))) ?? 0);
        return {
            oomKilled: oomKills === undefined ? (await limitHits()) > 0 : oomKills > 0,
            pidsLimitHit: (count(await read(join(pidsDir, 'pids.events')), 'max') ?? 0) > 0,
            memoryPeakBytes: number(await read(join(memoryDir, 'memory.max_usage_in_bytes'))),
        };
    }
    remove() {
        this.#removing ??= (async () => {
            try {
                await this.kill();
                const deadline = Date.now() + KILL_TIMEOUT_MS;
                for (const dir of this.dirs)
                    await removeDir(dir, deadline);
                this.#removed = true;
                this.#forget(this);
            }
            catch (err) {
                this.#removing = null; // a later call may try again
                throw err;
            }
        })();
        return this.#removing;
    }
}
/** Writes the limits into a fresh run's directories (v1: [pids, memory]; v2: [dir]). */
async function applyLimits(dirs, version, limits) {
    const [pidsDir, memoryDir] = version === 1 ? dirs : [dirs[0], dirs[0]];
    if (pidsDir === undefined || memoryDir === undefined)
        return;
    if (limits.pidsMax !== null)
        await writeCgroupFile(join(pidsDir, 'pids.max'), `${limits.pidsMax}`);
    if (limits.memoryBytes === null)
        return;
    const bytes = `${limits.memoryBytes}`;
    if (version === 2) {
        await writeCgroupFile(join(memoryDir, 'memory.max'), bytes);
        // Without this, a run could push its excess to swap and crawl instead of being stopped.
        await writeIfPresent(join(memoryDir, 'memory.swap.max'), '0');
    }
    else {
        // Order matters: memsw (memory + swap) may never be set below memory.limit_in_bytes. The
        // memsw file exists only when the kernel accounts swap (swapaccount=1).
        await writeCgroupFile(join(memoryDir, 'memory.limit_in_bytes'), bytes);
        await writeIfPresent(join(memoryDir, 'memory.memsw.limit_in_bytes'), bytes);
    }
}
function makeSupport(version, parents) {
    const runs = new Set();
    let disposing = null;
    return {
        available: true,
        version,
        parents,
        async createRun(name, limits) {
            if (disposing !== null)
                throw new CgroupError('cgroups were disposed', parents[0] ?? '');
            if (!RUN_NAME.test(name)) {
                throw new RangeError(`run name must be 1-100 characters of [A-Za-z0-9._-], not ${JSON.stringify(name)}`);
            }
            checkLimits(limits);
            const dirs = parents.map((parent) => join(parent, `run-${name}`));
            const made = [];
            try {
                for (const dir of dirs) {
                    try {
                        await mkdir(dir);
                    }
                    catch (err) {
                        throw fail('create', dir, err);
                    }
                    made.push(dir);
                }
                await applyLimits(dirs, version, limits);
            }
            catch (err) {
                const deadline = Date.now() + 1000;
                for (const dir of made.reverse())
                    await removeDir(dir, deadline).catch(() => { });
                throw err;
            }
            const run = new Run(name, dirs, version, (r) => runs.delete(r));
            runs.add(run);
            return run;
        },
        dispose() {
            disposing ??= (async () => {
                const errors = [];
                for (const run of [...runs])
                    await run.remove().catch((err) => errors.push(err));
                // Whatever else is below a parent (a run whose remove() failed, processes written into
                // a parent directly), then the parents.
                const deadline = Date.now() + KILL_TIMEOUT_MS;
                for (const parent of parents) {
                    await destroyTree(parent, version, deadline).catch((err) => errors.push(err));
                }
                if (errors.length > 0) {
                    disposing = null;
                    throw errors[0];
                }
            })();
            return disposing;
        },
    };
}
// ---------------------------------------------------------------------------------------------
// Detection.
function parentName() {
    return `quorum-${process.pid}-${randomBytes(4).toString('hex')}`;
}
/**
 * Removes what judges that died without dispose() (SIGKILL, a job timeout) left under `host`:
 * parents named by parentName() whose pid is no longer alive. A pid that was reused keeps its
 * parent (harmless: an empty cgroup); one that is still ours is never touched. Best effort.
 */
async function sweepStaleParents(host, version) {
    let names;
    try {
        names = await readdir(host);
    }
    catch {
        return;
    }
    const deadline = Date.now() + 2000;
    for (const name of names) {
        const pid = /^quorum-(\d+)-[0-9a-f]{8}$/.exec(name)?.[1];
        if (pid === undefined || isAlive(Number(pid)))
            continue;
        await destroyTree(join(host, name), version, deadline).catch(() => { });
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
async function createV1Parents(pidsDir, memoryDir) {
    const name = parentName();
    const made = [];
    for (const [controller, own] of [
        ['pids', pidsDir],
        ['memory', memoryDir],
    ]) {
        const dir = join(own, name);
        await sweepStaleParents(own, 1);
        try {
            await mkdir(dir);
            made.push(dir);
        }
        catch (err) {
            const deadline = Date.now() + 1000;
            for (const created of made)
                await removeDir(created, deadline).catch(() => { });
            return {
                available: false,
                reason: reasonFrom(`cgroup v1 ${controller} hierarchy at ${own}`, fail('create', dir, err)),
            };
        }
    }
    return makeSupport(1, made);
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
async function createV2Parent(ownDir, mountPoint) {
    const hosts = ownDir === mountPoint ? [ownDir] : [ownDir, dirname(ownDir)];
    const reasons = [];
    for (const host of hosts) {
        const text = await readIfPresent(join(host, 'cgroup.controllers')).catch(() => null);
        const controllers = (text ?? '').trim().split(/\s+/);
        const missing = ['pids', 'memory'].filter((c) => !controllers.includes(c));
        if (missing.length > 0) {
            reasons.push(`cgroup v2 at ${host} has no ${missing.join(' or ')} controller to give (cgroup.controllers: "${controllers.join(' ')}")`);
            continue;
        }
        try {
            await writeCgroupFile(join(host, 'cgroup.subtree_control'), '+pids +memory');
        }
        catch (err) {
            reasons.push(err instanceof CgroupError && err.code === 'EBUSY'
                ? `cgroup v2 at ${host} has processes of its own${host === ownDir ? " (the judge's among them)" : ''}, so it may enable no controller for children (${err.message})`
                : reasonFrom(`cgroup v2 at ${host}`, err));
            continue;
        }
        if (uid() !== 0) {
            try {
                await access(join(host, 'cgroup.procs'), fsConstants.W_OK);
            }
            catch (err) {
                reasons.push(reasonFrom(`cgroup v2 at ${host}`, fail('write', join(host, 'cgroup.procs'), err)));
                continue;
            }
        }
        const parent = join(host, parentName());
        await sweepStaleParents(host, 2);
        try {
            await mkdir(parent);
        }
        catch (err) {
            reasons.push(reasonFrom(`cgroup v2 at ${host}`, fail('create', parent, err)));
            continue;
        }
        try {
            await writeCgroupFile(join(parent, 'cgroup.subtree_control'), '+pids +memory');
        }
        catch (err) {
            await removeDir(parent, Date.now() + 1000).catch(() => { });
            reasons.push(reasonFrom(`cgroup v2 at ${host}`, err));
            continue;
        }
        return makeSupport(2, [parent]);
    }
    return { available: false, reason: reasons.join('; and ') };
}
/**
 * Whether this process can give runs cgroups, and if so the means to. Reads /proc/self/mountinfo
 * and /proc/self/cgroup, creates the parent directories (removed again when anything fails) and
 * never throws: an unusable machine is `{ available: false, reason }`.
 */
export async function detectCgroups(options = {}) {
    if (process.platform !== 'linux') {
        return { available: false, reason: `cgroups are a Linux feature (this is ${process.platform})` };
    }
    let mountinfo;
    let procSelfCgroup;
    try {
        mountinfo = options.mountinfo ?? (await readFile('/proc/self/mountinfo', 'utf8'));
        procSelfCgroup = options.procSelfCgroup ?? (await readFile('/proc/self/cgroup', 'utf8'));
    }
    catch (err) {
        return { available: false, reason: `cannot read /proc/self: ${describe(err)}` };
    }
    const location = locateCgroups(mountinfo, procSelfCgroup);
    try {
        if (location.version === 1)
            return await createV1Parents(location.pidsDir, location.memoryDir);
        if (location.version === 2)
            return await createV2Parent(location.ownDir, location.mountPoint);
    }
    catch (err) {
        return { available: false, reason: `cgroup detection failed: ${describe(err)}` };
    }
    return { available: false, reason: location.reason };
}
// ---------------------------------------------------------------------------------------------
// Delegation through sudo: how an ordinary user (GitHub's `runner`) gets cgroups it may manage.
/** The shell program sudo runs as root: $1 uid, $2 gid, $3 pid, $4 version, then directories. */
const DELEGATE_SCRIPT = [
    'set -e',
    'uid=$1 gid=$2 pid=$3 version=$4; shift 4',
    'for d in "$@"; do',
    '  mkdir -p "$d"',
    // v2: controllers for the children of the delegated cgroup, and a leaf for the judge itself
    // (a v2 cgroup that has processes may not give controllers to its children).
    '  if [ "$version" = 2 ]; then',
    '    echo "+pids +memory" >"$(dirname "$d")/cgroup.subtree_control"',
    '    mkdir -p "$d/judge"',
    '    echo "+pids +memory" >"$d/cgroup.subtree_control"',
    '    chown "$uid:$gid" "$d" "$d/cgroup.procs" "$d/cgroup.subtree_control" "$d/cgroup.threads" "$d/judge" "$d/judge/cgroup.procs" "$d/judge/cgroup.threads" "$d/judge/cgroup.subtree_control"',
    '    echo "$pid" >"$d/judge/cgroup.procs"',
    '  else',
    '    chown "$uid:$gid" "$d" "$d/cgroup.procs" "$d/tasks"',
    '    echo "$pid" >"$d/cgroup.procs"',
    '  fi',
    'done',
].join('\n');
let delegation = null;
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
export function delegateCgroupsWithSudo(sudoPath, options = {}) {
    delegation ??= (async () => {
        if (uid() === 0)
            return null;
        let location;
        try {
            location = locateCgroups(options.mountinfo ?? (await readFile('/proc/self/mountinfo', 'utf8')), options.procSelfCgroup ?? (await readFile('/proc/self/cgroup', 'utf8')));
        }
        catch (err) {
            return `cannot read /proc/self: ${describe(err)}`;
        }
        if (location.version === null)
            return location.reason;
        const name = `quorum-delegated-${uid()}-${process.pid}`;
        const dirs = location.version === 1
            ? [join(location.pidsMountPoint, name), join(location.memoryMountPoint, name)]
            : [join(location.mountPoint, name)];
        const gid = typeof process.getgid === 'function' ? process.getgid() : 0;
        const r = spawnSync(sudoPath, [
            '-n',
            '/bin/sh',
            '-c',
            DELEGATE_SCRIPT,
            'quorum-delegate',
            String(uid()),
            String(gid),
            String(process.pid),
            String(location.version),
            ...dirs,
        ], { encoding: 'utf8', timeout: 30_000, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
        if (r.error)
            return `sudo could not be run: ${r.error.message}`;
        if (r.status !== 0) {
            const said = (r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ').slice(0, 300);
            return `sudo -n could not delegate a cgroup (exit ${r.status ?? r.signal}${said ? `: ${said}` : ''})`;
        }
        return null;
    })();
    return delegation;
}
