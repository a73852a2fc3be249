/**
 * Per-run cgroups below the judge's parent(s): creating a run with its limits, reading what the
 * kernel recorded about it, killing and removing it, and disposing of all of them.
 */
import { join } from 'node:path';
import { fail, readIfPresent, removeDir, writeCgroupFile, writeIfPresent, } from "./files.js";
import { destroyTree, killCgroups } from "./kill.js";
import { parseKeyedCounts } from "./proc.js";
import { CgroupError, KILL_TIMEOUT_MS, } from "./types.js";
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
/** The distinct directories of `dirs`, pids first, then memory, then cpu. */
function distinct(dirs) {
    return [...new Set([dirs.pids, dirs.memory, dirs.cpu].filter((dir) => dir !== null))];
}
class Run {
    name;
    dirs;
    controllerDirs;
    procsFiles;
    #version;
    #fs;
    #forget;
    #removing = null;
    #removed = false;
    constructor(name, controllerDirs, version, fs, forget) {
        this.name = name;
        this.controllerDirs = controllerDirs;
        this.dirs = distinct(controllerDirs);
        this.procsFiles = this.dirs.map((dir) => join(dir, 'cgroup.procs'));
        this.#version = version;
        this.#fs = fs;
        this.#forget = forget;
    }
    kill() {
        return killCgroups(this.dirs, this.#version, KILL_TIMEOUT_MS, this.#fs);
    }
    async usage() {
        if (this.#removed) {
            throw new CgroupError(`run cgroup ${this.name} was removed`, this.controllerDirs.pids);
        }
        const read = async (dir, file) => readIfPresent(this.#fs, join(dir, file));
        const count = (text, key) => text === null ? undefined : parseKeyedCounts(text).get(key);
        const number = (text) => {
            const value = text === null ? NaN : Number(text.trim());
            return Number.isSafeInteger(value) ? value : null;
        };
        const { pids, memory, cpu } = this.controllerDirs;
        if (this.#version === 2) {
            // usage_usec is in every v2 cgroup's cpu.stat, with or without the cpu controller.
            const cpuUsec = cpu === null ? undefined : count(await read(cpu, 'cpu.stat'), 'usage_usec');
            return {
                oomKilled: (count(await read(memory, 'memory.events'), 'oom_kill') ?? 0) > 0,
                pidsLimitHit: (count(await read(pids, 'pids.events'), 'max') ?? 0) > 0,
                // memory.peak: kernel 5.19+.
                memoryPeakBytes: number(await read(memory, 'memory.peak')),
                cpuMs: cpuUsec === undefined ? null : cpuUsec / 1000,
            };
        }
        // The `oom_kill` line of memory.oom_control exists since kernel 4.13. Older kernels only
        // count limit hits (memory.failcnt, memory.memsw.failcnt): the run reached its limit, which
        // without swap almost always ends in an OOM kill, but can also be reclaimed page cache.
        const oomKills = count(await read(memory, 'memory.oom_control'), 'oom_kill');
        const limitHits = async () => (number(await read(memory, 'memory.failcnt')) ?? 0) +
            (number(await read(memory, 'memory.memsw.failcnt')) ?? 0);
        // cpuacct.usage: nanoseconds, user + system, of every task that was in the cgroup.
        const cpuNs = cpu === null ? null : number(await read(cpu, 'cpuacct.usage'));
        return {
            oomKilled: oomKills === undefined ? (await limitHits()) > 0 : oomKills > 0,
            pidsLimitHit: (count(await read(pids, 'pids.events'), 'max') ?? 0) > 0,
            memoryPeakBytes: number(await read(memory, 'memory.max_usage_in_bytes')),
            cpuMs: cpuNs === null ? null : cpuNs / 1e6,
        };
    }
    remove() {
        this.#removing ??= (async () => {
            try {
                await this.kill();
                const deadline = Date.now() + KILL_TIMEOUT_MS;
                for (const dir of this.dirs)
                    await removeDir(this.#fs, dir, deadline);
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
/** Writes the limits into a fresh run's directories. */
async function applyLimits(fs, dirs, version, limits) {
    if (limits.pidsMax !== null) {
        await writeCgroupFile(fs, join(dirs.pids, 'pids.max'), `${limits.pidsMax}`);
    }
    if (limits.memoryBytes === null)
        return;
    const bytes = `${limits.memoryBytes}`;
    if (version === 2) {
        await writeCgroupFile(fs, join(dirs.memory, 'memory.max'), bytes);
        // Without this, a run could push its excess to swap and crawl instead of being stopped.
        await writeIfPresent(fs, join(dirs.memory, 'memory.swap.max'), '0');
    }
    else {
        // Order matters: memsw (memory + swap) may never be set below memory.limit_in_bytes. The
        // memsw file exists only when the kernel accounts swap (swapaccount=1).
        await writeCgroupFile(fs, join(dirs.memory, 'memory.limit_in_bytes'), bytes);
        await writeIfPresent(fs, join(dirs.memory, 'memory.memsw.limit_in_bytes'), bytes);
    }
}
/**
 * The runs of one judge below its parent directories `parentDirs` (created by the caller), on
 * the cgroup file system `fs`.
 */
export function makeSupport(version, parentDirs, fs) {
    const parents = distinct(parentDirs);
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
            const leaf = `run-${name}`;
            const dirs = {
                pids: join(parentDirs.pids, leaf),
                memory: join(parentDirs.memory, leaf),
                cpu: parentDirs.cpu === null ? null : join(parentDirs.cpu, leaf),
            };
            const made = [];
            try {
                for (const dir of distinct(dirs)) {
                    try {
                        await fs.mkdir(dir);
                    }
                    catch (err) {
                        throw fail('create', dir, err);
                    }
                    made.push(dir);
                }
                await applyLimits(fs, dirs, version, limits);
            }
            catch (err) {
                const deadline = Date.now() + 1000;
                for (const dir of made.reverse())
                    await removeDir(fs, dir, deadline).catch(() => { });
                throw err;
            }
            const run = new Run(name, dirs, version, fs, (r) => runs.delete(r));
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
                    await destroyTree(fs, parent, version, deadline).catch((err) => errors.push(err));
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
