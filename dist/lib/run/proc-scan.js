/**
 * What the judge reads of /proc about processes a run started: who is left of a process group,
 * and which processes carry a run's environment marker. Every read is capped: a check controls
 * what those files hold.
 *
 * Where there is no /proc (macOS, and portable mode: see platform.ts) both degrade: a group is
 * judged by kill(-pgid, 0) alone, and marked processes are not looked for.
 */
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { procScansAllowed } from "./platform.js";
/**
 * How much of a process's /proc/<pid>/environ is read when looking for a run's marker: a check
 * can give its processes environments of megabytes, and the scan is synchronous.
 */
const ENVIRON_READ_MAX = 64 * 1024;
/** /proc/<pid>/stat is a few hundred bytes (comm is at most 16). */
const STAT_READ_MAX = 4096;
/** How long to wait for the killed group to be gone before resolving anyway. */
const GROUP_WAIT_MS = 2000;
/**
 * SIGKILLs every process whose environment carries `name=value` and returns how many there
 * were. For runs without a PID namespace (copy sandboxes): a process that left the run's group
 * with setsid() still inherited the run's marker variable, so it can be found after the run.
 * Best effort: a process that rewrote its own environment block is not found. Without /proc
 * nothing is found (0).
 */
export function killProcessesWithEnv(name, value) {
    const needle = Buffer.from(`\0${name}=${value}\0`);
    const entries = listProc();
    if (entries === null)
        return 0;
    let killed = 0;
    for (const entry of entries) {
        if (!/^\d+$/.test(entry) || Number(entry) === process.pid)
            continue;
        // Only the start of the block: the marker is near the start of a run's environment, and a
        // process that hides it further in could as well have removed it.
        const environ = readProcFile(`/proc/${entry}/environ`, ENVIRON_READ_MAX);
        if (environ === null)
            continue; // gone, or not ours to read
        if (environ.includes(needle) ||
            environ.subarray(0, needle.length - 1).equals(needle.subarray(1))) {
            try {
                process.kill(Number(entry), 'SIGKILL');
                killed += 1;
            }
            catch {
                // exited meanwhile
            }
        }
    }
    return killed;
}
/** The entries of /proc, or null where it cannot be read or must not be (portable mode). */
function listProc() {
    if (!procScansAllowed())
        return null;
    try {
        return readdirSync('/proc');
    }
    catch {
        return null;
    }
}
/** Scratch space for readProcFile: the scans are synchronous, so one buffer serves them all. */
const procScratch = Buffer.alloc(Math.max(ENVIRON_READ_MAX, STAT_READ_MAX));
/**
 * Reads at most `max` bytes of a /proc file; null when it cannot be read. The result is a view
 * of a shared buffer, valid until the next call.
 */
function readProcFile(path, max) {
    let fd;
    try {
        fd = openSync(path, 'r');
    }
    catch {
        return null;
    }
    try {
        let length = 0;
        while (length < max) {
            const n = readSync(fd, procScratch, length, max - length, null);
            if (n === 0)
                break;
            length += n;
        }
        return procScratch.subarray(0, length);
    }
    catch {
        return null;
    }
    finally {
        closeSync(fd);
    }
}
export function signalGroup(pgid, signal) {
    try {
        process.kill(-pgid, signal);
    }
    catch {
        // ESRCH: nothing left in the group. EPERM cannot happen for our own children.
    }
}
/**
 * Whether process `pid` is (still) in process group `pgid`: true or false from /proc; null
 * where that cannot be told (no /proc, or the process is gone).
 */
export function isInGroup(pid, pgid) {
    if (listProc() === null)
        return null;
    const raw = readProcFile(`/proc/${pid}/stat`, STAT_READ_MAX);
    if (raw === null)
        return null;
    const stat = raw.toString('latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[2]) === pgid;
}
/**
 * Whether any process of the group is alive. kill(-pgid, 0) alone is not enough: it succeeds
 * for zombies, and where PID 1 does not reap orphans promptly, killed leftovers stay zombies.
 * On Linux, /proc tells a zombie (state Z, already dead) from a live process.
 */
export function groupHasLiveMembers(pgid) {
    try {
        process.kill(-pgid, 0);
    }
    catch {
        return false;
    }
    const entries = listProc();
    if (entries === null)
        return true; // no /proc (macOS): trust kill(0)
    for (const entry of entries) {
        if (!/^\d+$/.test(entry))
            continue;
        const raw = readProcFile(`/proc/${entry}/stat`, STAT_READ_MAX);
        if (raw === null)
            continue; // exited meanwhile
        const stat = raw.toString('latin1');
        // "pid (comm) state ppid pgrp ...": comm may contain spaces and parentheses.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X')
            return true;
    }
    return false;
}
export async function waitForGroupGone(pgid) {
    const deadline = performance.now() + GROUP_WAIT_MS;
    while (groupHasLiveMembers(pgid) && performance.now() < deadline) {
        signalGroup(pgid, 'SIGKILL');
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
}
