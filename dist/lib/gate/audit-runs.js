/**
 * The audits' runs, scheduled by the gate beside its own (see src/engine/audit.ts for what they
 * mean). The gate hands over each check's final result on each tree as it arrives; a result that
 * qualifies starts the audit runs of that check at once, through the gate's own scheduler and
 * sandboxes, behind the normal runs already queued:
 *
 * - vacuity: a check that passes on the baseline (on the candidate when there is none) runs once
 *   more on an empty tree; the result is cached under the empty tree's identity, so one probe
 *   serves every base until the check's definition changes;
 * - changes: a check that PASSED on the candidate runs first against the candidate with every
 *   audited file broken at once (one layer of them over the prepared candidate). If it still
 *   passes, it noticed none of them: one run, not one per file (a lint, a type check, a suite
 *   that loads other modules). If it noticed, the files it noticed are found by group testing
 *   (src/engine/audit-search.ts decides which groups to run next; the runs are made here). Where
 *   a check notices a few of many files, this costs about two runs per noticed file (usually
 *   quick failures) plus one that passes, instead of one full run per file. Each run is cached
 *   under the candidate's identity and the broken content. Grouping assumes that breaking more
 *   files cannot hide the breakage of one; only a check that swallows one file's failure and so
 *   skips loading another could tell otherwise.
 *
 * Audit runs never touch the normal runs' results. Each is one attempt (no repeats, no retries:
 * a failure on a broken tree is the expected finding, not noise to retry) with the check's own
 * budget and limits: a check that hangs on a broken file is TIMEOUT there, and noticed.
 */
import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { open } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { MAX_NOT_AUDITED_LISTED, fileAuditOf, planChangeAudit, sabotage, vacuityProbeOf, } from "../engine/audit.js";
import { searchNoticedFiles } from "../engine/audit-search.js";
import { isCanary } from "../engine/compare.js";
import { limitsOf } from "../engine/limits.js";
import { notRunResult } from "../engine/not-run.js";
import { isPassing } from "../engine/repeats.js";
import { DEFAULT_AUDIT_MAX_FILES } from "../engine/config.js";
import { listChangedFiles } from "../run/changed-files.js";
import { EMPTY_TREE_ID } from "../cache/reuse.js";
import { errorMessage } from "../engine/errors.js";
/** How the run with every audited file broken at once is named in events. */
const ALL_FILES = 'every changed file at once';
/**
 * Largest changed file the change-coverage audit breaks. Each audited file is read whole and held
 * while the gate runs; a larger one is almost always generated or minified, and is listed as too
 * large, like the files beyond MAX_AUDITED_TOTAL_BYTES together.
 */
export const MAX_AUDITED_FILE_BYTES = 2 * 1024 * 1024;
/** The most the audited files may hold together (a raised audit_max_files must not raise it). */
export const MAX_AUDITED_TOTAL_BYTES = 64 * 1024 * 1024;
export class AuditRuns {
    o;
    probeRole;
    probes = new Map();
    audited = new Map();
    plan;
    emptyTree = null;
    constructor(options) {
        this.o = options;
        this.probeRole = options.dirs.baseline !== null ? 'baseline' : 'candidate';
        // The diff reads both trees; it runs while the trees are prepared and the checks run.
        this.plan = options.kinds.includes('changes') ? this.planChanges() : null;
        // A failed plan is reported by finish(); it must not be an unhandled rejection meanwhile.
        this.plan?.catch(() => undefined);
    }
    /**
     * Takes a check's final result on a tree (run now or reused) and starts the audit runs it
     * qualifies the check for. Call once per check and tree, before finish().
     */
    onResult(role, check, result) {
        if (isCanary(check))
            return;
        if (this.o.kinds.includes('vacuity') &&
            role === this.probeRole &&
            isPassing(result) &&
            !this.probes.has(check.name)) {
            const probe = this.probe(check);
            probe.catch(() => undefined);
            this.probes.set(check.name, probe);
        }
        if (this.plan !== null &&
            role === 'candidate' &&
            result.outcome === 'PASSED' &&
            !this.audited.has(check.name)) {
            const runs = this.auditCheck(check);
            runs.catch(() => undefined);
            this.audited.set(check.name, runs);
        }
    }
    /** Waits for every audit run started, and returns the report's `audit` and notices for it. */
    async finish() {
        const order = this.o.checks.map((c) => c.name);
        const audit = {
            vacuous: this.o.config.vacuous ?? 'warn',
            uncovered: this.o.config.uncovered ?? 'warn',
        };
        const notices = [];
        if (this.o.kinds.includes('vacuity')) {
            const probes = await Promise.all(order.filter((name) => this.probes.has(name)).map((name) => this.probes.get(name)));
            audit.vacuity = probes;
        }
        if (this.plan !== null) {
            const plan = await this.plan;
            notices.push(...plan.notices);
            const checks = order.filter((name) => this.audited.has(name));
            const runsOf = new Map();
            const made = [];
            for (const name of checks) {
                const audited = await this.audited.get(name);
                runsOf.set(name, audited.runs);
                made.push({ check: name, runs: audited.made });
            }
            const changes = {
                checks,
                max_files: this.maxFiles(),
                files: plan.files.map((file, i) => fileAuditOf({ path: file.path, status: file.status, sabotage: file.how }, checks.map((name) => runsOf.get(name)[i]), order)),
                not_audited: plan.notAudited,
                runs: made,
            };
            if (plan.omitted > 0)
                changes.not_audited_omitted = plan.omitted;
            if (plan.note !== null)
                changes.note = plan.note;
            audit.changes = changes;
        }
        notices.push(...(this.o.cache?.warnings ?? []));
        return { audit, notices };
    }
    maxFiles() {
        return this.o.config.audit_max_files ?? DEFAULT_AUDIT_MAX_FILES;
    }
    async probe(check) {
        const result = await this.runAudit(check, this.probeRole, 'empty tree', EMPTY_TREE_ID, () => {
            this.emptyTree ??= this.o.workspace.prepareEmptyTree(this.probeRole, 'audit-empty-tree');
            return this.emptyTree;
        });
        return vacuityProbeOf(check.name, this.probeRole, result);
    }
    /**
     * Finds which audited files `check` notices, in the plan's order. Runs with several files
     * broken at once stand in for runs per file wherever they can (see the module comment); a file
     * is counted noticed only from a run with that file alone broken.
     */
    async auditCheck(check) {
        const plan = await this.plan.catch(() => null);
        if (plan === null)
            return { runs: [], made: 0 };
        return searchNoticedFiles(check.name, plan.files, (group) => this.runGroup(check, plan, group));
    }
    /** One run of `check` against the candidate with the files of `group` broken (one layer). */
    runGroup(check, plan, group) {
        const alone = group.length === 1 ? group[0] : null;
        const id = this.o.candidateTreeId === null
            ? null
            : alone !== null
                ? `${this.o.candidateTreeId}+broken:${alone.path}:${sha256(alone.content)}`
                : `${this.o.candidateTreeId}+broken-group:${sha256(Buffer.from(group.map((f) => `${f.path}\0${sha256(f.content)}`).join('\0')))}`;
        const label = alone !== null
            ? alone.path
            : group.length === plan.files.length
                ? ALL_FILES
                : `${group.length} changed files at once`;
        return this.runAudit(check, 'candidate', label, id, () => this.variantOf(plan, group));
    }
    /** The candidate with the files of `group` broken: one layer holding them, made once. */
    variantOf(plan, group) {
        const key = group.map((file) => plan.files.indexOf(file)).join(',');
        let tree = plan.variants.get(key);
        if (tree === undefined) {
            tree = (async () => {
                const candidate = await this.o.treeFor('candidate');
                const files = group.map((f) => ({
                    path: f.path,
                    content: f.content,
                    mode: f.mode,
                }));
                const label = group.length === 1 ? `audit-${group[0].path}` : `audit-${group.length}-changed-files`;
                return this.o.workspace.prepareVariant(candidate.tree, files, label);
            })();
            plan.variants.set(key, tree);
        }
        return tree;
    }
    /**
     * One audit run of `check`: from the cache when `treeId` is known and a result is stored,
     * else in a sandbox of `tree()`, scheduled behind what is queued.
     */
    async runAudit(check, role, label, treeId, tree) {
        const notStarted = (why) => notRunResult({
            reason: `not run: ${why}`,
            seed: this.o.runOptions.seed,
            sandbox: this.o.workspace.kind,
        });
        const cached = treeId !== null && this.o.cache ? await this.o.cache.get(check, treeId, role) : null;
        if (cached) {
            this.o.onEvent?.({
                type: 'finish',
                check: check.name,
                tree: role,
                audit: label,
                result: cached,
            });
            return cached;
        }
        await this.o.hold;
        const result = await this.o.schedule(async () => {
            if (this.o.abort?.aborted)
                return notStarted('the gate was stopped');
            let prepared;
            try {
                if (role === 'candidate') {
                    const candidate = await this.o.treeFor('candidate');
                    if (candidate.setup && candidate.setup.outcome !== 'PASSED') {
                        return notStarted('the candidate’s setup failed');
                    }
                }
                prepared = await tree();
            }
            catch (error) {
                const why = errorMessage(error);
                return notStarted(`its tree could not be made: ${why}`);
            }
            this.o.onEvent?.({ type: 'start', check: check.name, tree: role, audit: label });
            const ran = await this.o.workspace.runCheck(prepared, check, {
                ...this.o.runOptions,
                limits: limitsOf(this.o.config, check),
            });
            this.o.onEvent?.({ type: 'finish', check: check.name, tree: role, audit: label, result: ran });
            return ran;
        });
        if (treeId !== null && this.o.cache)
            await this.o.cache.put(check, treeId, result);
        return result;
    }
    /** Lists the changed files, chooses those to audit, and reads and breaks each one. */
    async planChanges() {
        const { baseline, candidate } = this.o.dirs;
        const empty = (note) => ({
            files: [],
            omitted: 0,
            variants: new Map(),
            notAudited: [],
            note,
            notices: [`The changes audit did not run: ${note}.`],
        });
        if (baseline === null)
            return empty('there is no baseline tree to compare the candidate with');
        let listed;
        try {
            listed = await listChangedFiles(baseline, candidate, { abort: this.o.abort });
        }
        catch (error) {
            if (this.o.abort?.aborted)
                throw error;
            const why = errorMessage(error);
            return empty(`the changed files could not be listed (${why})`);
        }
        const planned = planChangeAudit(listed.changed, {
            maxFiles: this.maxFiles(),
            ignore: this.o.config.audit_ignore ?? [],
            own: gateFilesIn([baseline, candidate], this.o.config),
        });
        const files = [];
        const notAudited = [...planned.notAudited];
        let held = 0;
        for (const file of planned.files) {
            const read = await readTreeFile(join(candidate, file.path));
            if (typeof read === 'string') {
                notAudited.push({ path: file.path, why: read });
                continue;
            }
            if (held + read.content.length > MAX_AUDITED_TOTAL_BYTES) {
                notAudited.push({ path: file.path, why: 'too-large' });
                continue;
            }
            held += read.content.length;
            const broken = sabotage(file.path, read.content);
            files.push({
                path: file.path,
                status: file.status,
                how: broken.how,
                content: broken.content,
                mode: read.mode,
            });
        }
        notAudited.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
        const notices = listed.unnamed > 0
            ? [`The changes audit left out ${listed.unnamed} entries whose names are not valid UTF-8.`]
            : [];
        // A PR may change any number of files: the report lists a bounded number and counts the rest.
        const omitted = Math.max(0, notAudited.length - MAX_NOT_AUDITED_LISTED);
        return {
            files,
            variants: new Map(),
            notAudited: notAudited.slice(0, MAX_NOT_AUDITED_LISTED),
            omitted,
            note: null,
            notices,
        };
    }
}
/**
 * Where the gate's own files (the config, the checks module) sit in a tree, relative to its
 * root: wherever the gate read them from (the base in the action, any tree in the CLI), the
 * candidate's file at that path is the change's version of them, not code the checks test.
 */
function gateFilesIn(trees, config) {
    const own = [];
    for (const file of [config.file, config.functions]) {
        if (file === null)
            continue;
        for (const tree of trees) {
            const rel = relative(resolve(tree), resolve(file));
            if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel))
                own.push(rel.split(sep).join('/'));
        }
    }
    return own;
}
/** A changed file's content and mode, or why it cannot be audited; nothing is followed. */
async function readTreeFile(path) {
    let handle;
    try {
        handle = await open(path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
    }
    catch {
        return 'unreadable';
    }
    try {
        const info = await handle.stat();
        if (!info.isFile())
            return 'not-a-file';
        if (info.size > MAX_AUDITED_FILE_BYTES)
            return 'too-large';
        const content = await handle.readFile();
        if (content.length > MAX_AUDITED_FILE_BYTES)
            return 'too-large';
        return { content, mode: info.mode & 0o7777 };
    }
    catch {
        return 'unreadable';
    }
    finally {
        await handle.close().catch(() => undefined);
    }
}
function sha256(data) {
    return createHash('sha256').update(data).digest('hex');
}
