/**
 * Detection: whether this process can give runs cgroups, and if so the means to.
 */
import { readFile } from 'node:fs/promises';
import { describe, kernelCgroupFs } from "./files.js";
import { createV1Parents, createV2Parent } from "./hierarchy.js";
import { locateCgroups } from "./proc.js";
/**
 * Whether this process can give runs cgroups, and if so the means to. Reads /proc/self/mountinfo
 * and /proc/self/cgroup, creates the parent directories (removed again when anything fails) and
 * never throws: an unusable machine is `{ available: false, reason }`.
 */
export async function detectCgroups(options = {}) {
    if (process.platform !== 'linux') {
        return { available: false, reason: `cgroups are a Linux feature (this is ${process.platform})` };
    }
    let location;
    try {
        location = await locateOwnCgroups(options);
    }
    catch (err) {
        return { available: false, reason: `cannot read /proc/self: ${describe(err)}` };
    }
    const fs = options.fs ?? kernelCgroupFs;
    try {
        if (location.version === 1)
            return await createV1Parents(location, fs);
        if (location.version === 2) {
            return await createV2Parent(location.ownDir, location.mountPoint, fs);
        }
    }
    catch (err) {
        return { available: false, reason: `cgroup detection failed: ${describe(err)}` };
    }
    return { available: false, reason: location.reason };
}
/**
 * Where this process's cgroups are, from /proc/self/mountinfo and /proc/self/cgroup (or the
 * texts in `options`). Rejects when /proc/self cannot be read.
 */
export async function locateOwnCgroups(options = {}) {
    return locateCgroups(options.mountinfo ?? (await readFile('/proc/self/mountinfo', 'utf8')), options.procSelfCgroup ?? (await readFile('/proc/self/cgroup', 'utf8')));
}
