/**
 * The workspace: everything one gate needs on disk, and the only door to running a check.
 *
 * One directory (created fresh, outside every input tree) holds the prepared trees and one
 * throwaway sandbox per run; a logs directory next to it keeps every run's full output and
 * survives dispose(). One run (fresh sandbox and cgroup -> spawn -> classification -> RunResult
 * -> sandbox removed) is sandboxed-run.ts; this file keeps the trees and the live runs.
 * dispose() stops every live run and removes the directory; it is safe to call from a signal
 * handler, and more than once.
 */
import { QuorumError, errorMessage } from "../engine/errors.js";
import { TREE_HIDDEN, isInside } from "../engine/paths.js";
import { mkdir, mkdtemp, readdir, realpath, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { classifyFunctionRun, classifyShellRun } from "../engine/outcome.js";
import { DEFAULT_LIMITS } from "../engine/limits.js";
import { notRunResult } from "../engine/not-run.js";
import { delegateCgroupsWithSudo, detectCgroups } from "./cgroup.js";
import { buildChildEnv } from "./env.js";
import { resolveTool } from "./system-tools.js";
import { listFunctionChecks as listChecksInChild } from "./function-list.js";
import { writeVariantLayer } from "./variants.js";
import { platformCgroupRefusal } from "./platform.js";
import { functionHostArgv, shellArgv } from "./process.js";
import { createSandboxProvider, detectSandbox, removeTree, runInSandbox, } from "./sandbox.js";
import { LogNames, enterRunSandbox, leaveRunSandbox, runSandboxed, } from "./sandboxed-run.js";
export { safeName } from "./sandboxed-run.js";
/** A workspace cannot be created or used as asked (bad directory, disposed, ...). */
export class WorkspaceError extends QuorumError {
    constructor(message) {
        super('usage', message);
    }
}
/** How long dispose() waits for aborted runs to end before deleting their directories anyway. */
const DISPOSE_WAIT_EXTRA_MS = 10_000;
const DEFAULT_GRACE_MS = 2000;
/**
 * Creates a workspace: a fresh directory under baseDir and a logs directory, and decides the
 * sandbox kind (one real overlay mount as a probe, cached per process). Throws WorkspaceError
 * when baseDir is inside an input tree, and when `overlay` was forced but cannot work here.
 */
export async function createWorkspace(opts = {}) {
    const base = resolve(opts.baseDir ?? tmpdir());
    // Decide before creating anything: a refused baseDir must not leave directories in a tree.
    const plannedBase = await realpathOfNearest(base);
    for (const tree of opts.inputTrees ?? []) {
        const realTree = await realpathOfNearest(resolve(tree));
        if (isInside(plannedBase, realTree)) {
            throw new WorkspaceError(`the sandbox directory ${base} is inside the input tree ${tree}; ` +
                'sandboxes must live outside the trees they copy (choose another base directory or TMPDIR)');
        }
    }
    await mkdir(base, { recursive: true });
    const dir = await mkdtemp(join(await realpath(base), 'quorum-'));
    try {
        // A caller's log directory may be shared by several gates (two runs, or two gates in one
        // job): each gets a directory of its own in it, so no report points at another's log.
        const logDir = opts.logDir
            ? await mkdir(resolve(opts.logDir), { recursive: true }).then(async () => {
                await pruneLogRuns(resolve(opts.logDir));
                return mkdtemp(join(resolve(opts.logDir), 'run-'));
            })
            : resolve(`${dir}-logs`);
        if (isInside(logDir, dir)) {
            throw new WorkspaceError(`the log directory ${logDir} would be deleted with the workspace`);
        }
        await mkdir(logDir, { recursive: true });
        const mode = opts.sandbox ?? 'auto';
        const [detection, cgroups] = await Promise.all([
            detectSandbox(dir, mode).catch((error) => {
                throw new WorkspaceError(errorMessage(error));
            }),
            platformCgroupRefusal() ?? findCgroups(opts.cgroupSudo ?? false),
        ]);
        return new GateWorkspace({
            dir,
            logDir,
            mode,
            kind: detection.kind,
            userns: detection.userns,
            privateProc: detection.privateProc,
            masks: [
                ...(opts.maskPaths ?? []),
                ...(opts.inputTrees ?? []).flatMap((t) => TREE_HIDDEN.map((name) => join(resolve(t), name))),
            ],
            readOnly: opts.readOnlyPaths ?? [],
            note: mode === 'auto' ? detection.reason : null,
            parentEnv: opts.parentEnv ?? process.env,
            graceMs: opts.graceMs ?? DEFAULT_GRACE_MS,
            keepPassingLogs: opts.keepPassingLogs ?? false,
            cgroups,
        });
    }
    catch (error) {
        await removeTree(dir);
        throw error;
    }
}
/** The cgroups runs can have, after a delegation through sudo when asked for. */
async function findCgroups(sudo) {
    let why = null;
    if (sudo) {
        try {
            why = await delegateCgroupsWithSudo(resolveTool('sudo'));
        }
        catch (error) {
            why = errorMessage(error);
        }
    }
    const found = await detectCgroups();
    if (found.available || why === null)
        return found;
    return { available: false, reason: `${found.reason}; getting one through sudo failed: ${why}` };
}
/** How many gates' log directories a shared log directory keeps (the newest). */
const LOG_RUNS_KEPT = 20;
/** A log directory younger than this may belong to a gate still running: never pruned. */
const LOG_RUN_MIN_AGE_MS = 60 * 60 * 1000;
/**
 * Removes the oldest `run-*` directories of `dir` beyond the newest LOG_RUNS_KEPT (an agent
 * loop or a day of laptop use must not fill the disk with logs), never one changed in the last
 * hour. Best effort: what cannot be read or removed stays.
 */
async function pruneLogRuns(dir) {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const runs = await Promise.all(entries
        .filter((e) => e.isDirectory() && e.name.startsWith('run-'))
        .map(async (e) => {
        const path = join(dir, e.name);
        const info = await stat(path).catch(() => null);
        return { path, mtime: info?.mtimeMs ?? Date.now() };
    }));
    runs.sort((a, b) => b.mtime - a.mtime);
    const old = Date.now() - LOG_RUN_MIN_AGE_MS;
    for (const run of runs.slice(LOG_RUNS_KEPT - 1)) {
        if (run.mtime < old)
            await removeTree(run.path).catch(() => undefined);
    }
}
/** realpath of the longest existing prefix of `path`, with the rest appended as is. */
async function realpathOfNearest(path) {
    const rest = [];
    let current = path;
    for (;;) {
        try {
            return join(await realpath(current), ...rest.reverse());
        }
        catch {
            const parent = dirname(current);
            if (parent === current)
                return path;
            rest.push(basename(current));
            current = parent;
        }
    }
}
class GateWorkspace {
    dir;
    logDir;
    mode;
    detectedKind;
    userns;
    privateProc;
    masks;
    readOnly;
    note;
    cgroups;
    /** What every run shares: cgroups, the children's environment, grace, the logs. */
    site;
    providers = new Map();
    trees = new WeakMap();
    live = new Set();
    fellBack = false;
    disposing = null;
    scratchSeq = 0;
    runSeq = 0;
    variantSeq = 0;
    emptyDir = null;
    constructor(p) {
        this.cgroups = p.cgroups;
        this.dir = p.dir;
        this.logDir = p.logDir;
        this.mode = p.mode;
        this.detectedKind = p.kind;
        this.userns = p.userns;
        this.privateProc = p.privateProc;
        this.masks = p.masks;
        this.readOnly = p.readOnly;
        this.note = p.note;
        this.site = {
            cgroups: p.cgroups,
            cgroupName: () => `r${++this.runSeq}`,
            parentEnv: p.parentEnv,
            graceMs: p.graceMs,
            logDir: p.logDir,
            logNames: new LogNames(),
            keepPassingLogs: p.keepPassingLogs,
        };
    }
    get kind() {
        return this.fellBack ? 'copy' : this.detectedKind;
    }
    get sandboxNote() {
        return this.note;
    }
    get cgroupNote() {
        return this.cgroups.available ? null : this.cgroups.reason;
    }
    provider(kind) {
        let provider = this.providers.get(kind);
        if (!provider) {
            provider = createSandboxProvider({
                kind,
                dir: join(this.dir, kind),
                ...(kind === 'overlay'
                    ? {
                        userns: this.userns,
                        privateProc: this.privateProc,
                        // The logs are the gate's: no run reads another's output, or its own full log.
                        masks: [...this.masks, this.logDir],
                        readOnly: this.readOnly,
                        env: this.site.parentEnv,
                    }
                    : {}),
            });
            this.providers.set(kind, provider);
        }
        return provider;
    }
    async prepareTree(role, sourceDir, setup, opts) {
        this.assertOpen();
        const source = await this.checkSource(sourceDir);
        let provider = this.provider(this.detectedKind);
        if (provider.kind === 'overlay') {
            // The probe mounted a directory of ours; the real tree may sit on a filesystem overlayfs
            // cannot use as a lower layer (another overlay too deep, some network filesystems).
            const why = await this.tryMount(provider, source);
            if (why !== null) {
                if (this.mode === 'overlay') {
                    throw new WorkspaceError(`cannot mount an overlay over ${source}: ${why}`);
                }
                this.fellBack = true;
                this.note = `overlay over ${source} failed (${why}); copying instead`;
                provider = this.provider('copy');
            }
        }
        const tree = Object.freeze({ role, sourceDir: source });
        let layers = provider.prepare(source);
        let setupResult = null;
        if (setup !== null) {
            const outcome = await this.run({
                // The setup's writes become the tree's layer: they must go to the disk, not a tmpfs.
                sandbox: { provider, layers, persist: true },
                command: {
                    role,
                    checkName: 'setup',
                    logLabel: role,
                    timeoutMs: setup.timeout_s * 1000,
                    argv: () => shellArgv(setup.command),
                    classify: (r, timeoutMs) => ({
                        ...classifyShellRun(r, { timeoutMs, scoreKey: null }),
                        score: null,
                    }),
                },
                run: opts,
                keep: (result) => result.outcome === 'PASSED',
            });
            setupResult = outcome.result;
            if (outcome.sealed)
                layers = outcome.sealed;
        }
        this.trees.set(tree, { provider, layers });
        return { tree, setup: setupResult };
    }
    async prepareEmptyTree(role, label) {
        this.assertOpen();
        this.emptyDir ??= (async () => {
            const dir = join(this.dir, 'empty-tree');
            await mkdir(dir, { mode: 0o755 });
            return dir;
        })();
        const dir = await this.emptyDir;
        const provider = this.provider(this.kind);
        const tree = Object.freeze({ role, sourceDir: dir });
        this.trees.set(tree, { provider, layers: provider.prepare(dir), logLabel: label });
        return tree;
    }
    async prepareVariant(base, files, label) {
        this.assertOpen();
        const state = this.trees.get(base);
        if (!state)
            throw new WorkspaceError('prepareVariant: the base tree was not prepared here');
        const layer = join(this.dir, 'variants', `v${++this.variantSeq}`);
        await mkdir(dirname(layer), { recursive: true });
        await writeVariantLayer(layer, base.sourceDir, files);
        const tree = Object.freeze({ role: base.role, sourceDir: base.sourceDir });
        this.trees.set(tree, {
            provider: state.provider,
            // Top first: the variant's files hide the tree's own.
            layers: { ...state.layers, root: [layer, ...state.layers.root] },
            logLabel: label,
        });
        return tree;
    }
    async runCheck(tree, spec, opts) {
        const state = this.trees.get(tree);
        if (!state)
            throw new WorkspaceError('runCheck: this tree was not prepared by this workspace');
        if (this.disposing) {
            return notRunResult({
                reason: 'not run: the gate was stopped before it',
                seed: opts.seed,
                sandbox: state.provider.kind,
            });
        }
        const timeoutMs = spec.timeout_s * 1000;
        // What the check prints; a cpu metric is measured, not printed.
        const printed = (spec.metrics ?? []).filter((m) => m.source !== 'cpu');
        const { result } = await this.run({
            sandbox: {
                provider: state.provider,
                layers: state.layers,
                // The function host imports the module by its path, which may lie under /tmp.
                keepVisible: spec.kind === 'function' ? [dirname(spec.module)] : [],
            },
            command: {
                role: tree.role,
                checkName: spec.name,
                logLabel: state.logLabel ?? tree.role,
                timeoutMs,
                argv: (sb) => spec.kind === 'shell'
                    ? shellArgv(spec.command)
                    : functionHostArgv({
                        modulePath: spec.module,
                        checkName: spec.name,
                        // Inside the run's namespace the overlay is mounted at this very path.
                        root: sb.root,
                        seed: opts.seed,
                        tree: tree.role,
                    }),
                classify: (r) => spec.kind === 'shell'
                    ? classifyShellRun(r, { timeoutMs, scoreKey: spec.score_from, metrics: printed })
                    : classifyFunctionRun(r, { timeoutMs, metrics: printed }),
                scoreKey: spec.kind === 'shell' ? spec.score_from : null,
                metricKeys: spec.kind === 'shell' ? printed.map((m) => m.name) : [],
                cpuMetrics: (spec.metrics ?? []).filter((m) => m.source === 'cpu').map((m) => m.name),
                channel: spec.kind === 'function',
            },
            run: { ...opts, env: { ...opts.env, ...spec.env } },
        });
        return result;
    }
    /** One run (see sandboxed-run.ts), live until it ends so that dispose() can stop it. */
    async run(p) {
        const controller = new AbortController();
        // Asked for while disposing: reported as stopped, not started.
        if (this.disposing)
            controller.abort();
        const work = runSandboxed({ ...p, site: this.site, stop: controller.signal });
        const entry = { controller, done: work.catch(() => undefined) };
        this.live.add(entry);
        try {
            return await work;
        }
        finally {
            this.live.delete(entry);
        }
    }
    /** Mounts an overlay over the real source once; null when it works, else why not. */
    async tryMount(provider, source) {
        const sb = await provider.enter(provider.prepare(source));
        try {
            const r = await runInSandbox(sb, ['/bin/sh', '-c', 'test -r .'], { timeoutMs: 20_000 });
            if (r.code === 0)
                return null;
            return (await sb.failure()) ?? `${r.signal ?? `exit ${r.code}`}: ${r.stderr.trim()}`;
        }
        finally {
            await sb.remove();
        }
    }
    async checkSource(sourceDir) {
        const abs = resolve(sourceDir);
        let real;
        try {
            real = await realpath(abs);
            if (!(await stat(real)).isDirectory())
                throw new Error('not a directory');
        }
        catch {
            throw new WorkspaceError(`tree directory ${abs} does not exist or is not a directory`);
        }
        if (isInside(this.dir, real) || isInside(real, this.dir)) {
            throw new WorkspaceError(`tree directory ${abs} and the sandbox directory ${this.dir} overlap; they must be apart`);
        }
        return real;
    }
    async listFunctionChecks(modulePath, abort) {
        this.assertOpen();
        // dispose() must stop a module stuck at import time too, not only the checks' runs.
        const controller = new AbortController();
        const signal = abort ? AbortSignal.any([controller.signal, abort]) : controller.signal;
        const entry = { controller, done: Promise.resolve() };
        this.live.add(entry);
        // Importing the module runs its top-level code, which is as untrusted as a check: it runs
        // in a sandbox of an empty tree, with the same allowlisted environment and default limits.
        const scratch = join(this.dir, `list-${++this.scratchSeq}`);
        await mkdir(scratch, { recursive: true });
        const provider = this.provider(this.detectedKind);
        let run = null;
        try {
            run = await enterRunSandbox(this.site, {
                provider,
                layers: provider.prepare(scratch),
                keepVisible: [dirname(resolve(modulePath))],
            }, DEFAULT_LIMITS, signal);
            const box = run.sb;
            return await listChecksInChild(resolve(modulePath), {
                cwd: box.cwd,
                env: buildChildEnv({
                    parent: this.site.parentEnv,
                    passthrough: [],
                    env: {},
                    home: box.home,
                    tmp: box.tmp,
                    seed: '0',
                    tree: 'candidate',
                    check: '',
                }),
                abort: signal,
                wrap: (argv) => box.wrap(argv),
            });
        }
        finally {
            this.live.delete(entry);
            if (run)
                await leaveRunSandbox(run);
            await removeTree(scratch);
        }
    }
    dispose() {
        this.disposing ??= (async () => {
            const runs = [...this.live];
            for (const run of runs)
                run.controller.abort();
            // spawnBounded needs the grace (SIGTERM -> SIGKILL) and its drain to finish; a process
            // stuck in the kernel must not keep us here, so the wait is capped.
            let timer;
            await Promise.race([
                Promise.all(runs.map((r) => r.done)),
                new Promise((resolve) => {
                    timer = setTimeout(resolve, this.site.graceMs + DISPOSE_WAIT_EXTRA_MS);
                }),
            ]);
            clearTimeout(timer);
            await Promise.all([...this.providers.values()].map((p) => p.dispose()));
            if (this.cgroups.available)
                await this.cgroups.dispose().catch(() => undefined);
            await removeTree(this.dir);
            // A gate whose runs all passed (or that ran nothing) leaves no empty directory behind.
            await rmdir(this.logDir).catch(() => undefined);
        })();
        return this.disposing;
    }
    assertOpen() {
        if (this.disposing)
            throw new WorkspaceError('the workspace was disposed');
    }
}
