/**
 * Sandboxes: the throwaway copy of a tree that one run of one check sees.
 *
 * Two kinds, same contract (nothing written in a sandbox reaches its source tree or the next
 * sandbox; symlinks are links, never followed):
 *
 * - `overlay`: O(1) in tree size. A sandbox is a handful of empty directories; the tree appears
 *   at `root` only inside the run's own mount namespace, where the mount helper (MOUNT_HELPER, one
 *   perl process) mounts an overlayfs (read-only lower layers = the prepared tree, upper = this
 *   run's writes), makes the whole host read-only, gives /tmp, /var/tmp, /run and /dev/shm a
 *   private empty directory, hides every home (read-allowlist.ts) and the masked paths, shows
 *   the run's tools and read-only paths again and the run's own area writable again. The
 *   mounts live and die with the namespace, so a killed or interrupted gate cannot leak mounts:
 *   only plain directories are left for `remove()`.
 * - `copy`: the portable fallback, and the only kind off Linux (see platform.ts). A sandbox is a
 *   fresh `cp -R -P -p` of the prepared tree. It cannot hide or protect anything outside the
 *   tree: a check writes wherever the gate's user may.
 *
 * Process containment (overlay kind): `unshare --mount --pid` (without `--fork`) starts the
 * wrapper in the new mount namespace; the wrapper's children go to a fresh pid namespace. The
 * first of them becomes that namespace's init: a `sleep` that gets SIGKILL when the wrapper's
 * process dies (PR_SET_PDEATHSIG), and when a pid namespace's init dies the kernel kills
 * everything else in it (pipe holders, daemons, setsid escapers). The wrapper then execs a
 * relay, `timeout --foreground 0` (GNU coreutils; never times out), which forks the mount
 * helper into the namespace; the helper execs setpriv, which drops every capability, sets
 * no_new_privs and execs the command. The relay waits for it and ends the same way: exit 3 stays
 * exit 3 and SIGSEGV or SIGKILL is re-raised on itself, so the spawner sees the command's own
 * status on the pid it spawned. Why not simpler:
 * - the command cannot be the namespace's init: init ignores signals it has no handler for, so
 *   `process.kill(process.pid, 'SIGSEGV')` or `kill -9 $$` would do nothing, and a shell as init
 *   cannot tell "exit 139" from "killed by SIGSEGV" when relaying;
 * - the command cannot stay outside the namespace either (exec'd by the wrapper): a process whose
 *   children go to another pid namespace cannot create threads (clone fails with EINVAL), so
 *   node, Go or Java would abort at start;
 * - `unshare --fork` relays too, but util-linux < 2.40 turns a child's SIGKILL (the OOM killer's
 *   signal) into "exit 1" (util-linux issue #2614).
 * detectSandbox checks the whole chain on this machine (the mounts, and that a SIGKILLed command
 * is reported as such).
 *
 * As root the namespace needs no user namespace. As an ordinary user it runs in a user
 * namespace that maps the user to itself (`--map-current-user --keep-caps`) and mounts with
 * `userxattr`; either way the check runs with the gate's uid and no capability at all (not as a
 * fake root that can read 0600 files or ignore permission bits).
 *
 * What an overlay sandbox does not do: hide what the gate's user may read outside the homes (the
 * rest of the host is read-only, not invisible, apart from the masks), or firewall the network
 * unless `network: none` (abstract unix sockets of the host are out of reach where the kernel
 * has Landlock scopes, Linux 6.12+).
 */
import { lstat, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CopyProvider } from "./copy-sandbox.js";
import { OverlayProvider, findOverlayTools } from "./overlay-sandbox.js";
import { linuxOnlyRefusal, portableMode } from "./platform.js";
import { removeTree } from "./remove-tree.js";
import { SANDBOX_FAILURE_EXIT_CODE, isRoot, runCommand, } from "./sandbox-core.js";
export { SANDBOX_FAILURE_EXIT_CODE, } from "./sandbox-core.js";
import { errorMessage } from "../engine/errors.js";
export { removeTree } from "./remove-tree.js";
/**
 * Creates a provider of `kind` sandboxes under `dir` (created if missing). For `overlay`,
 * `userns` says whether runs need a user namespace (default: unless running as root); use
 * `detectSandbox` first to learn whether overlay works here at all.
 *
 * To time sandbox creation alone (e.g. in a benchmark). For overlay, `enter` only makes a few
 * directories; the namespace and the mount cost is paid when the first command starts, so time
 * `enter` plus a trivial command:
 * ```ts
 * const { kind, userns } = await detectSandbox(dir, 'auto')   // dir must exist
 * const p = createSandboxProvider({ kind, dir: join(dir, 'sandboxes'), userns })
 * const tree = p.prepare(sourceDir)
 * for (let i = 0; i < n; i++) {
 *   const sb = await p.enter(tree)           // overlay: mkdirs; copy: the whole cp -R -P -p
 *   await runInSandbox(sb, ['/bin/true'])    // overlay: + namespaces and mount
 *   await sb.remove()
 * }
 * await p.dispose()
 * ```
 */
export function createSandboxProvider(p) {
    if (p.kind === 'overlay') {
        const tools = findOverlayTools();
        if (typeof tools === 'string')
            throw new Error(`overlay sandbox unavailable: ${tools}`);
        return new OverlayProvider(p.dir, tools, {
            userns: p.userns ?? !isRoot(),
            privateProc: p.privateProc ?? true,
            masks: p.masks ?? [],
            readOnly: p.readOnly ?? [],
            ...(p.env ? { env: p.env } : {}),
        });
    }
    return new CopyProvider(p.dir);
}
/**
 * Runs argv inside sandbox `sb` with a minimal environment (HOME and TMPDIR of the sandbox) and
 * returns its status and the start of its output. For probes, tests and benchmarks: it has no
 * output log, no verdict channel and a plain kill on timeout.
 */
export function runInSandbox(sb, argv, o = {}) {
    return runCommand(sb.wrap(argv), {
        cwd: sb.cwd,
        env: {
            PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
            HOME: sb.home,
            TMPDIR: sb.tmp,
            ...o.env,
        },
        timeoutMs: o.timeoutMs ?? 60_000,
        ...(o.signal ? { signal: o.signal } : {}),
    });
}
const detections = new Map();
/**
 * Decides which kind of sandbox to use under `dir` (an existing directory on the filesystem the
 * sandboxes will live on). `copy` is taken as is; `overlay` and `auto` try a real overlay mount
 * in a fresh namespace (a few milliseconds), as root without and then with a user namespace, as
 * anyone else with one. `overlay` throws when that fails; `auto` falls back to copy and says
 * why. The answer is cached per process, filesystem and mode. Off Linux, and in portable mode
 * (platform.ts), nothing is tried: overlay needs Linux.
 */
export async function detectSandbox(dir, mode) {
    const invalid = portableMode()?.invalid;
    if (invalid)
        throw new Error(invalid);
    if (mode === 'copy')
        return {
            kind: 'copy',
            userns: false,
            privateProc: false,
            reason: 'copy sandboxes were asked for',
        };
    const notLinux = linuxOnlyRefusal();
    let result;
    if (notLinux !== null) {
        const reason = `overlayfs needs Linux (${notLinux})`;
        result = { kind: 'copy', userns: false, privateProc: false, reason };
    }
    else {
        const key = `${(await stat(dir)).dev}:${mode}`;
        let found = detections.get(key);
        if (!found) {
            found = probeOverlay(dir);
            detections.set(key, found);
        }
        result = await found;
    }
    if (mode === 'overlay' && result.kind !== 'overlay') {
        throw new Error(`overlay sandboxes are not available here: ${result.reason}`);
    }
    return result;
}
async function probeOverlay(dir) {
    const tools = findOverlayTools();
    if (typeof tools === 'string') {
        return { kind: 'copy', userns: false, privateProc: false, reason: tools };
    }
    const attempts = isRoot() ? [false, true] : [true];
    const failures = [];
    for (const userns of attempts) {
        // A private /proc is wanted; a kernel that refuses it (a container with a masked /proc)
        // still gets overlay sandboxes, and the report says /proc was shared.
        for (const privateProc of [true, false]) {
            const name = `probe-${userns ? 'userns' : 'root'}-${privateProc ? 'proc' : 'noproc'}`;
            const why = await tryOverlay(join(dir, name), userns, privateProc);
            if (why === null)
                return { kind: 'overlay', userns, privateProc, reason: null };
            failures.push(`${userns ? 'in a user namespace' : 'as root'}${privateProc ? ' with a private /proc' : ''}: ${why}`);
        }
    }
    return {
        kind: 'copy',
        userns: false,
        privateProc: false,
        reason: `overlay mount failed (${failures.join('; ')})`,
    };
}
/** One real mount: the lower file must be visible, the write must land in upper only. */
async function tryOverlay(dir, userns, privateProc) {
    const provider = createSandboxProvider({
        kind: 'overlay',
        dir: join(dir, 'sandboxes'),
        userns,
        privateProc,
    });
    try {
        const lower = join(dir, 'lower');
        await mkdir(lower, { recursive: true });
        await writeFile(join(lower, 'marker'), 'quorum\n');
        const sb = await provider.enter(provider.prepare(lower));
        // Ends by SIGKILL on purpose: the relay must report the command's own death, not an exit code.
        const r = await runInSandbox(sb, 
        // With a private /proc, pid 1 is the run's keeper (sleep), not the host's init.
        [
            '/bin/sh',
            '-c',
            `test -f marker && ${privateProc ? 'read -r c </proc/1/comm && [ "$c" = sleep ] && ' : ''}: >written && kill -KILL $$`,
        ], {
            timeoutMs: 20_000,
        });
        if (r.signal !== 'SIGKILL') {
            const said = r.stderr.trim().split('\n').slice(-2).join(' ').slice(0, 300);
            const how = r.signal ?? `exit ${r.code}`;
            if (r.code === SANDBOX_FAILURE_EXIT_CODE)
                return `${how}${said ? `: ${said}` : ''}`;
            return `the namespace did not report a SIGKILLed command as such (${how}${said ? `: ${said}` : ''})`;
        }
        const wroteUpper = await exists(join(sb.area, 'upper', 'written'));
        const wroteLower = await exists(join(lower, 'written'));
        if (!wroteUpper || wroteLower)
            return 'writes did not land in the upper layer';
        return null;
    }
    catch (error) {
        return errorMessage(error);
    }
    finally {
        await provider.dispose();
        await removeTree(dir);
    }
}
async function exists(path) {
    try {
        await lstat(path);
        return true;
    }
    catch {
        return false;
    }
}
