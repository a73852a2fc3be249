/**
 * File operations on cgroup files that fail with a CgroupError naming the file and the errno
 * reason, and the reason sentences detection gives when a step fails.
 */
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, open, readFile, readdir, rmdir } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { getSystemErrorMessage } from 'node:util';
import { CgroupError } from "./types.js";
import { errorMessage } from "../../engine/errors.js";
export const kernelCgroupFs = {
    async mkdir(dir) {
        await mkdir(dir);
    },
    rmdir: (dir) => rmdir(dir),
    readFile: (file) => readFile(file, 'utf8'),
    async write(file, value) {
        const handle = await open(file, fsConstants.O_WRONLY);
        try {
            await handle.write(value);
        }
        finally {
            await handle.close();
        }
    },
    async subdirs(dir) {
        return (await readdir(dir, { withFileTypes: true }))
            .filter((entry) => entry.isDirectory())
            .map((entry) => entry.name);
    },
    checkWritable: (file) => access(file, fsConstants.W_OK),
};
export function errnoCode(err) {
    const code = err?.code;
    return typeof code === 'string' ? code : undefined;
}
export function describe(err) {
    const e = err;
    if (typeof e?.errno === 'number' && typeof e.code === 'string') {
        return `${getSystemErrorMessage(e.errno)} (${e.code})`;
    }
    return errorMessage(err);
}
export function fail(action, path, err) {
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
export async function writeCgroupFile(fs, path, value) {
    try {
        await fs.write(path, value);
    }
    catch (err) {
        throw fail(`write "${value}" to`, path, err);
    }
}
/** Like writeCgroupFile, but a missing file is fine (returns false): optional knobs. */
export async function writeIfPresent(fs, path, value) {
    try {
        await writeCgroupFile(fs, path, value);
        return true;
    }
    catch (err) {
        if (err instanceof CgroupError && err.code === 'ENOENT')
            return false;
        throw err;
    }
}
/** The file's text, or null when it does not exist. */
export async function readIfPresent(fs, path) {
    try {
        return await fs.readFile(path);
    }
    catch (err) {
        if (errnoCode(err) === 'ENOENT')
            return null;
        throw fail('read', path, err);
    }
}
/** The live processes listed in a cgroup.procs file ([] when the cgroup is gone). */
export async function readProcs(fs, file) {
    const text = await readIfPresent(fs, file);
    if (text === null)
        return [];
    return text
        .split('\n')
        .filter((line) => line !== '')
        .map(Number)
        .filter((pid) => Number.isInteger(pid) && pid > 0);
}
/** rmdir that tolerates a missing directory and retries EBUSY (tasks still exiting) briefly. */
export async function removeDir(fs, dir, deadline) {
    for (;;) {
        try {
            await fs.rmdir(dir);
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
export function uid() {
    return process.getuid?.() ?? -1;
}
/** A reason sentence for a failed step, with the permission case spelled out. */
export function reasonFrom(what, err) {
    const detail = err instanceof CgroupError ? err.message : describe(err);
    const code = err instanceof CgroupError ? err.code : errnoCode(err);
    if (code === 'EACCES' || code === 'EPERM') {
        return `${what} is not writable by uid ${uid()} (no delegated subtree): ${detail}`;
    }
    if (code === 'EROFS')
        return `${what} is mounted read-only: ${detail}`;
    return `${what}: ${detail}`;
}
