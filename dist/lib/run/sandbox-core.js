/**
 * What both kinds of sandbox share: the contract (Sandbox, SandboxProvider, TreeLayers), the
 * provider base, how a host tool is found, and the small process runner for the sandbox's own
 * helpers. See sandbox.ts for the overview.
 */
import { spawnSync } from 'node:child_process';
import { exec } from "./exec.js";
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeTree } from "./remove-tree.js";
import { resolveTool } from "./system-tools.js";
/** Exit code of a run whose sandbox could not be set up (the command never started). */
export const SANDBOX_FAILURE_EXIT_CODE = 125;
/**
 * The absolute path of a host tool the sandbox runs, resolved by the same rule as the gate's
 * own tools (system directories first; nothing a check could rewrite), or null.
 */
export function findTool(name) {
    try {
        return resolveTool(name);
    }
    catch {
        return null;
    }
}
let landlockAbi = null;
/**
 * Whether overlay runs are kept from abstract unix sockets and signals outside them (the mount
 * helper's `scope`): Landlock ABI 6 or newer (Linux 6.12+). Asked once per process, of the
 * kernel, through the same perl the helper uses.
 */
export function abstractSocketsScoped() {
    if (landlockAbi === null) {
        const perl = findTool('perl');
        const r = perl === null || process.platform !== 'linux'
            ? null
            : spawnSync(perl, ['-e', 'print syscall(444, 0, 0, 1)'], {
                encoding: 'utf8',
                timeout: 10_000,
            });
        landlockAbi = Number(r?.stdout ?? '-1') || -1;
    }
    return landlockAbi >= 6;
}
/** Whether this process needs a user namespace to mount (anyone but real root). */
export function isRoot() {
    return typeof process.getuid === 'function' && process.getuid() === 0;
}
export class BaseProvider {
    dir;
    helpers = new AbortController();
    seq = 0;
    disposed = null;
    constructor(dir) {
        this.dir = dir;
    }
    prepare(sourceDir) {
        return { kind: this.kind, root: [sourceDir], home: [] };
    }
    async newArea() {
        if (this.disposed)
            throw new Error('the sandbox provider was disposed');
        const area = join(this.dir, `r${++this.seq}`);
        await mkdir(area, { recursive: true });
        return area;
    }
    checkTree(tree) {
        if (tree.kind !== this.kind) {
            throw new Error(`a ${tree.kind} tree cannot be entered by a ${this.kind} provider`);
        }
    }
    dispose() {
        this.disposed ??= (async () => {
            this.helpers.abort();
            await removeTree(this.dir);
        })();
        return this.disposed;
    }
}
export async function readFailure(area) {
    try {
        const text = (await readFile(join(area, 'sandbox-error'), 'utf8')).trim();
        return text === '' ? null : text.slice(0, 500);
    }
    catch {
        return null;
    }
}
const KEEP_BYTES = 64 * 1024;
/**
 * Runs argv in a process group of its own (a budget, the group killed on timeout, abort or exit)
 * and keeps the start of stdout and of stderr apart. For the sandbox's own helpers (cp) and for
 * probes, tests and benchmarks; checks go through the workspace.
 */
export async function runCommand(argv, o) {
    const r = await exec({
        argv,
        cwd: o.cwd,
        env: o.env,
        timeoutMs: o.timeoutMs,
        signal: o.signal,
        // No grace: these are our own helpers and probes, nothing to let finish cleanly.
        graceMs: 0,
        maxOutputBytes: KEEP_BYTES,
        processGroup: true,
    });
    return {
        code: r.code,
        signal: r.signal,
        stdout: r.stdout,
        stderr: r.stderr + (r.error ?? ''),
        killed: r.timedOut || r.aborted,
    };
}
