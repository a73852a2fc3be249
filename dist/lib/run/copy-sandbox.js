/**
 * The copy sandbox: the portable fallback, a fresh copy of the prepared tree per run. It
 * protects nothing outside the tree; see sandbox.ts.
 *
 * It runs on any POSIX system (macOS too): the copies are made by `cp -R -P -p`, the one spelling
 * of "recursive, links as links, modes and times kept" that POSIX specifies (so GNU, BSD/macOS
 * and busybox cp all take it), and everything else is Node's own (process groups come from
 * spawn's `detached`, the timeout from a timer). setpriv and cgroups are used where Linux has
 * them (see platform.ts).
 */
import { cp, lstat, mkdir, readdir } from 'node:fs/promises';
import { TREE_HIDDEN } from "../engine/paths.js";
import { join } from 'node:path';
import { linuxOnlyRefusal } from "./platform.js";
import { removeTree } from "./remove-tree.js";
import { BaseProvider, SANDBOX_FAILURE_EXIT_CODE, findTool, isRoot, readFailure, runCommand, } from "./sandbox-core.js";
export class CopyProvider extends BaseProvider {
    kind = 'copy';
    /** util-linux, so Linux only; null elsewhere and in portable mode. */
    setpriv = linuxOnlyRefusal() === null ? findTool('setpriv') : null;
    whyHidden() {
        return null;
    }
    async enter(tree, signal, options = {}) {
        this.checkTree(tree);
        const stop = signal ? AbortSignal.any([this.helpers.signal, signal]) : this.helpers.signal;
        if (tree.root.length === 0)
            throw new Error('a tree needs at least one layer');
        const area = await this.newArea();
        const root = join(area, 'root');
        const home = join(area, 'home');
        await Promise.all(['root', 'home', 'tmp'].map((d) => mkdir(join(area, d))));
        try {
            // Bottom layer first; a layer above (an audit's variant) replaces what it holds.
            const layers = [...tree.root].reverse();
            for (const [i, layer] of layers.entries())
                await copyTree(layer, root, stop, i > 0);
            if (tree.home[0] !== undefined)
                await copyTree(tree.home[0], home, stop);
        }
        catch (error) {
            await removeTree(area);
            throw error;
        }
        let gone = null;
        return {
            kind: 'copy',
            area,
            root,
            home,
            tmp: join(area, 'tmp'),
            cwd: root,
            wrap: (argv) => [...copyPrefix(this.setpriv, options.cgroupProcs ?? []), ...argv],
            failure: () => readFailure(area),
            seal: async () => {
                await removeTree(join(area, 'tmp'));
                return { kind: 'copy', root: [root], home: [home] };
            },
            remove: () => (gone ??= removeTree(area)),
        };
    }
}
/**
 * What a copy run starts with: it joins its cgroups, then setpriv sets no_new_privs (so sudo,
 * su and setuid programs cannot give it more than the gate has) and, as root, empties the
 * capability bounding set, so the check holds no capability. Without either (macOS) the prefix
 * is empty: the command is spawned as it is.
 */
function copyPrefix(setpriv, cgroups) {
    const prefix = [];
    if (cgroups.length > 0) {
        prefix.push('/bin/sh', '-c', `while [ "$1" != -- ]; do printf '%s\\n' $$ >"$1" || exit ${SANDBOX_FAILURE_EXIT_CODE}; shift; done; shift; exec "$@"`, 'quorum-cgroup', ...cgroups, '--');
    }
    if (setpriv !== null) {
        prefix.push(setpriv, '--no-new-privs');
        if (isRoot())
            prefix.push('--bounding-set=-all', '--inh-caps=-all', '--ambient-caps=-all');
        prefix.push('--');
    }
    return prefix;
}
/**
 * Copies the contents of `from` into the existing directory `to`, symlinks as links,
 * preserving modes and times, except the entries no check may see (TREE_HIDDEN: what result
 * keys leave out). cp is several times faster than a JS walk (and GNU cp 9 reflinks where the
 * filesystem can); the JS walk is the fallback where there is no cp.
 *
 * Why `cp -R -P -p` and not `cp -a`: -a is not POSIX. What GNU's -a adds (hard links kept as
 * links, extended attributes, ACLs, SELinux labels) a throwaway copy of a checkout does not
 * need: a hard-linked pair becomes two files, which a check cannot tell from a fresh clone.
 * Ownership is kept as root and silently not as anyone else, as with -a.
 */
async function copyTree(from, to, signal, 
/**
 * Files already in `to` are replaced: removed first, so a read-only one is no obstacle. This
 * is GNU cp's --remove-destination, which BSD cp (macOS) does not have.
 */
over = false) {
    const names = (await readdir(from)).filter((name) => !TREE_HIDDEN.includes(name));
    if (names.length === 0)
        return;
    if (over)
        await clearWay(from, to, names);
    const cpPath = findTool('cp');
    if (cpPath === null) {
        for (const name of names) {
            await cp(join(from, name), join(to, name), {
                recursive: true,
                verbatimSymlinks: true,
                preserveTimestamps: true,
                force: true,
            });
        }
        return;
    }
    const sources = names.map((name) => join(from, name));
    const argv = [cpPath, '-R', '-P', '-p', '--', ...sources, to];
    const result = await runCommand(argv, {
        cwd: '/',
        env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' },
        timeoutMs: 30 * 60_000,
        signal,
    });
    if (signal.aborted)
        throw new Error(`copying ${from} was stopped`);
    if (result.code !== 0) {
        const why = result.signal ?? `exit ${result.code}`;
        throw new Error(`copying ${from} failed (${why}): ${result.stderr.trim().slice(0, 500)}`);
    }
}
/**
 * Makes room in `to` for the entries `names` of `from` (and what is below them): whatever `to`
 * has at the path of a file, a link or a special file of `from` is removed, and so is a
 * non-directory where `from` has a directory; directories both have are walked into, so cp
 * merges them. Only the paths `from` holds are visited: a layer copied over a tree is small (an
 * audit's variant is the few files it replaces), the tree below it may not be.
 */
async function clearWay(from, to, names) {
    for (const name of names) {
        const source = join(from, name);
        const target = join(to, name);
        const present = await lstat(target).catch(() => null);
        if (present === null)
            continue;
        if (present.isDirectory() && (await lstat(source)).isDirectory()) {
            await clearWay(source, target, await readdir(source));
        }
        else {
            await removeTree(target);
        }
    }
}
