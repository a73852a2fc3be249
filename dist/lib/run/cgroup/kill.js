/**
 * Killing every process of a cgroup (see the overview in ../cgroup.ts for how, per version), and
 * removing a cgroup with everything below it.
 */
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { errnoCode, fail, kernelCgroupFs, readProcs, removeDir, writeIfPresent, } from "./files.js";
import { CgroupError, KILL_TIMEOUT_MS } from "./types.js";
/**
 * SIGKILLs every process in the cgroup directories `dirs` (of one cgroup version) and resolves
 * once none is left; rejects with a CgroupError after `timeoutMs`, or at once if the judge itself
 * is in them (it never signals itself). v2 writes "1" to cgroup.kill where the kernel has it
 * (5.14+); otherwise each round SIGKILLs the pids listed in cgroup.procs. A missing directory
 * counts as empty. RunCgroup.kill() is this with the run's directories. `fs` is the cgroup file
 * system (the kernel's unless a test hands in a fake).
 */
export async function killCgroups(dirs, version, timeoutMs = KILL_TIMEOUT_MS, fs = kernelCgroupFs) {
    const deadline = Date.now() + timeoutMs;
    for (let round = 0;; round++) {
        const pids = new Set();
        for (const dir of dirs) {
            for (const pid of await readProcs(fs, join(dir, 'cgroup.procs')))
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
                if (!(await writeIfPresent(fs, join(dir, 'cgroup.kill'), '1')))
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
export async function destroyTree(fs, dir, version, deadline) {
    let names;
    try {
        names = await fs.subdirs(dir);
    }
    catch (err) {
        if (errnoCode(err) === 'ENOENT')
            return;
        throw fail('list', dir, err);
    }
    for (const name of names)
        await destroyTree(fs, join(dir, name), version, deadline);
    await killCgroups([dir], version, Math.max(0, deadline - Date.now()), fs);
    await removeDir(fs, dir, deadline);
}
