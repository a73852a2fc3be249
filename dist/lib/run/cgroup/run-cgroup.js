/**
 * Per-run cgroups below the judge's parent(s): creating a run with its limits, reading what the
 * kernel recorded about it, killing and removing it, and disposing of all of them.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, readIfPresent, removeDir, writeCgroupFile, writeIfPresent } from "./files.js";
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
export function makeSupport(version, parents) {
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
