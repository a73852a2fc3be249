/**
 * Delegation through sudo: how an ordinary user (GitHub's `runner`) gets cgroups it may manage.
 * Root runs a few system tools directly (mkdir, tee, chown), each with its values as arguments of
 * its own: no shell, nothing spliced into a script.
 */
import { dirname, join } from 'node:path';
import { exec } from "../exec.js";
import { locateOwnCgroups } from "./detect.js";
import { describe, uid } from "./files.js";
/** sudo's environment: only the system PATH its commands are found in. */
const SUDO_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
/** How long the whole delegation may take, every sudo call together. */
const DELEGATE_TIMEOUT_MS = 30_000;
/**
 * `echo value >file` as root: tee gets the line on stdin and writes it to the file in one
 * write(2), which is how a cgroup file takes a value (its echo on stdout is dropped).
 */
function writeAsRoot(file, value) {
    return { argv: ['tee', file], input: `${value}\n` };
}
/**
 * What root does, in order, to hand the cgroups to the user and move the judge into them; the
 * first command that fails ends the delegation. v1: each directory is created, given to the user
 * and joined. v2: the controllers are enabled for the delegated cgroup and for its children, and
 * the judge goes into a `judge` leaf (a v2 cgroup that has processes may not give controllers to
 * its children). The optional directories come last, their commands marked optional.
 */
export function delegationCommands(d) {
    const owner = `${d.uid}:${d.gid}`;
    const commands = [];
    for (const dir of d.dirs) {
        commands.push(...delegateOne(d, owner, dir));
    }
    for (const dir of d.optionalDirs ?? []) {
        commands.push(...delegateOne(d, owner, dir).map((c) => ({ ...c, optional: true })));
    }
    return commands;
}
/** The commands that create `dir`, hand it to the user and move the judge into it. */
function delegateOne(d, owner, dir) {
    const mkdir = { argv: ['mkdir', '-p', dir] };
    if (d.version === 1) {
        return [
            mkdir,
            { argv: ['chown', owner, dir, join(dir, 'cgroup.procs'), join(dir, 'tasks')] },
            writeAsRoot(join(dir, 'cgroup.procs'), String(d.pid)),
        ];
    }
    const judge = join(dir, 'judge');
    return [
        mkdir,
        writeAsRoot(join(dirname(dir), 'cgroup.subtree_control'), '+pids +memory'),
        { argv: ['mkdir', '-p', judge] },
        writeAsRoot(join(dir, 'cgroup.subtree_control'), '+pids +memory'),
        {
            argv: [
                'chown',
                owner,
                dir,
                join(dir, 'cgroup.procs'),
                join(dir, 'cgroup.subtree_control'),
                join(dir, 'cgroup.threads'),
                judge,
                join(judge, 'cgroup.procs'),
                join(judge, 'cgroup.threads'),
                join(judge, 'cgroup.subtree_control'),
            ],
        },
        writeAsRoot(join(judge, 'cgroup.procs'), String(d.pid)),
    ];
}
/**
 * The delegation for a process at `location` (its user, group and pid in `ids`): at the top of
 * each hierarchy, `quorum-delegated-<uid>-<pid>`. v1: pids and memory, and cpuacct as optional
 * when it is a hierarchy of its own; v2: one directory.
 */
export function delegationFor(location, ids) {
    const name = `quorum-delegated-${ids.uid}-${ids.pid}`;
    if (location.version === 2)
        return { dirs: [join(location.mountPoint, name)], version: 2, ...ids };
    const required = [...new Set([location.pidsMountPoint, location.memoryMountPoint])];
    const cpuacct = location.cpuacctMountPoint;
    return {
        dirs: required.map((mountPoint) => join(mountPoint, name)),
        optionalDirs: cpuacct === null || required.includes(cpuacct) ? [] : [join(cpuacct, name)],
        version: 1,
        ...ids,
    };
}
/**
 * Runs `commands` through `sudo -n` (at `sudoPath`) one after the other, within
 * DELEGATE_TIMEOUT_MS. Null when the required ones worked, else why not: the first failure of a
 * required command ends it; one of an optional command ends it as done.
 */
export async function runAsRoot(sudoPath, commands) {
    const deadline = Date.now() + DELEGATE_TIMEOUT_MS;
    for (const command of commands) {
        // Not in a process group of its own: sudo keeps the judge's session, whose terminal (if
        // any) its credential cache and `requiretty` go by.
        const r = await exec({
            argv: [sudoPath, '-n', ...command.argv],
            env: SUDO_ENV,
            timeoutMs: Math.max(0, deadline - Date.now()),
            input: command.input,
        });
        let failure = null;
        if (r.error !== null)
            failure = `sudo could not be run: ${r.error}`;
        else if (r.timedOut) {
            failure = `sudo -n could not delegate a cgroup within ${DELEGATE_TIMEOUT_MS / 1000} s`;
        }
        else if (r.code !== 0) {
            const said = (r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ').slice(0, 300);
            failure = `sudo -n could not delegate a cgroup (exit ${r.code ?? r.signal}${said ? `: ${said}` : ''})`;
        }
        if (failure !== null)
            return command.optional ? null : failure;
    }
    return null;
}
let delegation = null;
/**
 * Gives this process cgroups of its own through `sudo -n` (passwordless sudo, as on GitHub's
 * hosted runners), the way systemd delegates a subtree: as root, a `quorum-delegated-<uid>-<pid>`
 * cgroup is created at the top of the pids and memory hierarchies, and of cpuacct where it can
 * be (v1), or of the unified one (v2, with a `judge` leaf), handed to this user, and this process
 * is moved into it. After that detectCgroups finds a cgroup it may manage, and every run's limits
 * hold (and its CPU time is counted). Once per process; the answer is null when it worked, else
 * why not (the runs then go without cgroups, and the report says so). Only ever called before
 * any untrusted code runs, with sudo resolved to a system path. The delegated cgroup stays until
 * the machine ends (this process lives in it to the end).
 */
export function delegateCgroupsWithSudo(sudoPath, options = {}) {
    delegation ??= (async () => {
        if (uid() === 0)
            return null;
        let location;
        try {
            location = await locateOwnCgroups(options);
        }
        catch (err) {
            return `cannot read /proc/self: ${describe(err)}`;
        }
        if (location.version === null)
            return location.reason;
        const gid = typeof process.getgid === 'function' ? process.getgid() : 0;
        const d = delegationFor(location, { uid: uid(), gid, pid: process.pid });
        return runAsRoot(sudoPath, delegationCommands(d));
    })();
    return delegation;
}
