/**
 * What both kinds of sandbox share: the contract (Sandbox, SandboxProvider, TreeLayers), the
 * provider base, how a host tool is found, and the small process runner for the sandbox's own
 * helpers. See sandbox.ts for the overview.
 */
import { spawn } from 'node:child_process';
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
 * Spawns argv in its own process group and waits for it, killing the group on timeout or abort.
 * For the sandbox's own helpers and for tests and benchmarks; checks go through spawnBounded.
 */
export function runCommand(argv, o) {
    return new Promise((resolve) => {
        const [file, ...args] = argv;
        if (file === undefined)
            throw new Error('empty argv');
        const child = spawn(file, args, {
            cwd: o.cwd,
            env: o.env,
            detached: true,
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        const out = [];
        const err = [];
        let outBytes = 0;
        let errBytes = 0;
        child.stdout.on('data', (b) => {
            if (outBytes < KEEP_BYTES)
                out.push(b);
            outBytes += b.length;
        });
        child.stderr.on('data', (b) => {
            if (errBytes < KEEP_BYTES)
                err.push(b);
            errBytes += b.length;
        });
        let killed = false;
        let status = null;
        let done = false;
        const finish = (code, signal, extra = '') => {
            if (done)
                return;
            done = true;
            clearTimeout(timer);
            o.signal?.removeEventListener('abort', kill);
            // A killed run may have left a process (in another session) holding our pipes: stop
            // reading rather than wait for it.
            child.stdout.destroy();
            child.stderr.destroy();
            resolve({
                code,
                signal,
                stdout: Buffer.concat(out).subarray(0, KEEP_BYTES).toString('utf8'),
                stderr: Buffer.concat(err).subarray(0, KEEP_BYTES).toString('utf8') + extra,
                killed,
            });
        };
        const kill = () => {
            killed = true;
            try {
                if (child.pid !== undefined)
                    process.kill(-child.pid, 'SIGKILL');
            }
            catch {
                // already gone
            }
            if (status)
                finish(status.code, status.signal);
        };
        const timer = setTimeout(kill, o.timeoutMs);
        o.signal?.addEventListener('abort', kill, { once: true });
        if (o.signal?.aborted)
            kill();
        child.on('error', (e) => finish(null, null, String(e)));
        child.on('exit', (code, signal) => {
            status = { code, signal };
            if (killed)
                return finish(code, signal);
            // What is left of the group (a copy sandbox has no pid namespace to end it) goes too; a
            // process that left the group gets a moment to close the pipes, then we stop waiting.
            try {
                if (child.pid !== undefined)
                    process.kill(-child.pid, 'SIGKILL');
            }
            catch {
                // nothing left
            }
            setTimeout(() => finish(code, signal), 1000).unref();
        });
        child.on('close', (code, signal) => finish(code, signal));
    });
}
