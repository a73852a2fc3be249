/**
 * The copy sandbox: the portable fallback, a fresh `cp -a` of the prepared tree per run. It
 * protects nothing outside the tree; see sandbox.ts.
 */
import { cp, mkdir, readdir } from 'node:fs/promises';
import { TREE_HIDDEN } from "../engine/paths.js";
import { join } from 'node:path';
import { removeTree } from "./remove-tree.js";
import { BaseProvider, SANDBOX_FAILURE_EXIT_CODE, findTool, isRoot, readFailure, runCommand, } from "./sandbox-core.js";
export class CopyProvider extends BaseProvider {
    kind = 'copy';
    setpriv = findTool('setpriv');
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
 * capability bounding set, so the check holds no capability.
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
 * keys leave out). `cp -a` is several times faster than a JS walk (and reflinks where the
 * filesystem can); the JS walk is the fallback where there is no cp.
 */
async function copyTree(from, to, signal, 
/** Files already in `to` are replaced (removed first, so a read-only one is no obstacle). */
over = false) {
    const names = (await readdir(from)).filter((name) => !TREE_HIDDEN.includes(name));
    if (names.length === 0)
        return;
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
    const argv = [cpPath, '-a', ...(over ? ['--remove-destination'] : []), '--', ...sources, to];
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
