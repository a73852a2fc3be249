/**
 * The gate's plan carried out in a Workspace: prepare the trees, start every run through one
 * limiter (repeats interleaved as planned, retries on the same tree), and hand each check's final
 * result on each tree to the audits as it arrives, so their runs queue behind the normal ones.
 * Everything that touches a tree goes through the Workspace it is handed, so tests can pass a
 * plain object.
 */
import { createHash } from 'node:crypto';
import { limitsOf, setupLimitsOf } from "../engine/limits.js";
import { notRunResult } from "../engine/not-run.js";
import { isRetryable, summarizeRepeats } from "../engine/repeats.js";
import { compareMetrics } from "../engine/metrics.js";
import { fitsTimeBudget, sequentialDesign, shouldLookAgain, } from "../engine/sequential.js";
import { openAuditCache, runKey } from "../cache/reuse.js";
import { AuditRuns } from "./audit-runs.js";
import { createLimiter } from "./limiter.js";
import { repeatJobs } from "./plan.js";
import { openTimedPhase } from "./timed-phase.js";
import { DEFAULT_REPEAT_TIME_S } from "../engine/config-schema.js";
/**
 * Runs the plan's jobs in `workspace` and starts its audits. Never throws for anything a check
 * does; throws what preparing a tree throws (a missing tree directory, say).
 */
export async function executePlan(plan, workspace, ctx) {
    const announced = workspace.kind;
    const runOptions = {
        seed: ctx.seed,
        envPassthrough: ctx.config.env_passthrough,
        env: ctx.config.env,
        ...(ctx.abort ? { abort: ctx.abort } : {}),
    };
    const trees = treePreparer(workspace, ctx, runOptions);
    // One after the other: a candidate's setup that fills the disk or the machine for a while
    // must not be able to make the baseline's setup fail (and so change the verdict).
    for (const role of plan.prepare)
        await trees.prepare(role);
    // An overlay that could not be mounted over a tree falls back to copies: say so before runs.
    if (workspace.kind !== announced) {
        ctx.onEvent?.({ type: 'sandbox', kind: workspace.kind, note: workspace.sandboxNote });
    }
    const schedule = createLimiter(plan.parallel);
    const normalRunsDone = Promise.withResolvers();
    const audit = plan.audits.length === 0
        ? null
        : new AuditRuns({
            kinds: plan.audits,
            config: ctx.config,
            checks: plan.checks,
            workspace,
            dirs: ctx.dirs,
            treeFor: trees.prepare,
            schedule,
            hold: plan.holdAudits ? normalRunsDone.promise : Promise.resolve(),
            runOptions,
            cache: ctx.cache ? openAuditCache(ctx.cache, ctx.config, workspace.kind) : null,
            candidateTreeId: ctx.candidateTreeId,
            onEvent: (event) => ctx.onEvent?.(auditEvent(event)),
            ...(ctx.abort ? { abort: ctx.abort } : {}),
        });
    const timed = openTimedPhase(ctx.timing, ctx.abort);
    const runJob = (job) => runOneJob(job, workspace, ctx, trees, {
        ...runOptions,
        ...(job.timed ? { pin: timed.prefix() } : {}),
    });
    const jobs = [...plan.jobs];
    const sequential = new Map();
    const normalRuns = (async () => {
        try {
            const untimed = plan.jobs.filter((job) => !job.timed);
            const timedChecks = plan.checks.filter((c) => plan.jobs.some((j) => j.timed && j.check === c));
            const [finished, ...perCheck] = await Promise.all([
                scheduleNormalRuns(untimed, schedule, runJob, audit),
                ...timedChecks.map((check) => runTimedCheck({
                    check,
                    planned: plan.jobs.filter((j) => j.timed && j.check === check),
                    plan,
                    schedule: (task) => schedule(() => timed.run(task), { alone: true }),
                    runJob,
                    audit,
                    aborted: () => ctx.abort?.aborted ?? false,
                })),
            ]);
            const attempts = new Map(untimed.map((job, i) => [job, finished[i]]));
            for (const [i, ran] of perCheck.entries()) {
                for (const [job, tries] of ran.attempts)
                    attempts.set(job, tries);
                for (const job of ran.attempts.keys())
                    if (!jobs.includes(job))
                        jobs.push(job);
                if (ran.sequential)
                    sequential.set(timedChecks[i].name, ran.sequential);
            }
            return jobs.map((job) => attempts.get(job));
        }
        finally {
            await timed.leave();
            normalRunsDone.resolve();
        }
    })();
    for (const { role, check, result } of plan.reusedResults)
        audit?.onResult(role, check, result);
    const attempts = await normalRuns;
    return {
        jobs,
        attempts,
        sequential,
        timing: timed.summary(),
        finishAudit: async () => (audit ? audit.finish() : null),
        setups: () => trees.setups(),
    };
}
/**
 * A timed check's runs: its planned repeats, each run alone; then, for an adaptive check
 * (max_repeats), more interleaved pairs while a timing is inconclusive, as its sequential design
 * allows. Tells the audit each tree's final result once no more runs come.
 */
async function runTimedCheck(p) {
    const { check, plan } = p;
    const attempts = new Map();
    const runAll = async (jobs) => {
        const done = await Promise.all(jobs.map((job) => p.schedule(() => p.runJob(job))));
        jobs.forEach((job, i) => attempts.set(job, done[i]));
    };
    await runAll(p.planned);
    const resultOf = (role) => {
        const hit = plan.reused.get(runKey(role, check.name));
        if (hit)
            return hit;
        const repeats = [...attempts].filter(([job]) => job.role === role).map(([, a]) => a);
        return repeats.length > 0 ? summarizeRepeats(repeats, check.metrics ?? []) : null;
    };
    let sequential = null;
    const start = check.repeats ?? 1;
    if (check.max_repeats !== undefined && check.max_repeats > start) {
        const design = sequentialDesign(start, check.max_repeats);
        const budgetMs = (check.repeat_time_s ?? DEFAULT_REPEAT_TIME_S) * 1000;
        let look = 0;
        let stop;
        for (;;) {
            const baseline = plan.roles.includes('baseline') ? resultOf('baseline') : null;
            const candidate = resultOf('candidate');
            if (candidate === null || p.aborted()) {
                stop = 'stopped';
                break;
            }
            const reports = compareMetrics(check.metrics ?? [], baseline, candidate, 1 - design.alphas[look]);
            const next = shouldLookAgain(design, look, check.metrics ?? [], reports);
            if (!next.again) {
                stop = next.stop;
                break;
            }
            const from = design.looks[look] + 1;
            const to = design.looks[look + 1];
            const fits = fitsTimeBudget({
                pairsRun: design.looks[look],
                elapsedMs: [...attempts.values()].flat().reduce((sum, a) => sum + a.result.duration_ms, 0),
                pairsNext: to - from + 1,
                budgetMs,
            });
            if (!fits) {
                stop = 'time-budget';
                break;
            }
            await runAll(repeatJobs(check, plan.roles, plan.reused, from, to));
            look++;
        }
        sequential = { design, look, stop };
    }
    if (p.audit) {
        for (const role of plan.roles) {
            if (plan.reused.has(runKey(role, check.name)))
                continue;
            const result = resultOf(role);
            if (result)
                p.audit.onResult(role, check, result);
        }
    }
    return { attempts, sequential };
}
/** Each tree prepared once, on first use (by the plan, or later by an audit). */
function treePreparer(workspace, ctx, runOptions) {
    const prepared = new Map();
    const prepare = (role) => {
        let tree = prepared.get(role);
        if (!tree) {
            const dir = role === 'baseline' ? ctx.dirs.baseline : ctx.dirs.candidate;
            tree = workspace
                .prepareTree(role, dir, ctx.config.setup, {
                ...runOptions,
                limits: setupLimitsOf(ctx.config),
            })
                .then((result) => {
                if (result.setup)
                    ctx.onEvent?.({ type: 'setup', tree: role, result: result.setup });
                return result;
            });
            prepared.set(role, tree);
        }
        return tree;
    };
    return {
        prepare,
        get: (role) => prepared.get(role),
        async setups() {
            const setups = new Map();
            for (const [role, tree] of prepared) {
                setups.set(role, await tree.then((t) => t.setup, () => null));
            }
            return setups;
        },
    };
}
/**
 * Hands every job to the scheduler now, before any audit run can be, and tells the audit each
 * check's final result on a tree when its last repeat there is done.
 */
function scheduleNormalRuns(jobs, schedule, runJob, audit) {
    const left = new Map();
    for (const job of jobs) {
        const key = runKey(job.role, job.check.name);
        left.set(key, (left.get(key) ?? 0) + 1);
    }
    const finished = new Array(jobs.length);
    return Promise.all(jobs.map((job, i) => schedule(() => runJob(job)).then((attempts) => {
        finished[i] = attempts;
        const key = runKey(job.role, job.check.name);
        left.set(key, left.get(key) - 1);
        if (audit && left.get(key) === 0) {
            const repeats = jobs.flatMap((other, j) => runKey(other.role, other.check.name) === key ? [finished[j]] : []);
            audit.onResult(job.role, job.check, summarizeRepeats(repeats, job.check.metrics ?? []));
        }
        return attempts;
    })));
}
/** One job: every attempt of one repeat of a check on a tree (none when its setup failed). */
async function runOneJob(job, workspace, ctx, trees, runOptions) {
    const tree = await trees.get(job.role);
    if (!tree)
        throw new Error(`internal: tree ${job.role} was not prepared`);
    const setup = tree.setup;
    if (setup && setup.outcome !== 'PASSED') {
        // A check on a tree whose setup failed never runs; it is ERROR, and says why.
        const result = notRunResult({
            reason: `setup failed on the ${job.role} (${setup.outcome}: ${setup.reason}); the check did not run`,
            seed: ctx.seed,
            sandbox: setup.sandbox,
            logPath: setup.output.log_path,
        });
        return [{ result, started_at: now() }];
    }
    return runAttempts({
        retries: job.check.retries ?? 0,
        seedOf: (attempt) => attemptSeed(ctx.seed, job.repeat, attempt),
        run: async (seed, attempt) => {
            const { repeat } = job;
            ctx.onEvent?.({ type: 'start', check: job.check.name, tree: job.role, repeat, attempt });
            const result = await workspace.runCheck(tree.tree, job.check, {
                ...runOptions,
                seed,
                limits: limitsOf(ctx.config, job.check),
            });
            ctx.onEvent?.({
                type: 'finish',
                check: job.check.name,
                tree: job.role,
                result,
                repeat,
                attempt,
            });
            return result;
        },
        aborted: () => ctx.abort?.aborted ?? false,
    });
}
/** Runs a job's first attempt, and retries while it did not pass and retries are left. */
async function runAttempts(p) {
    const attempts = [];
    for (let attempt = 1; attempt <= 1 + p.retries; attempt++) {
        const started_at = now();
        const result = await p.run(p.seedOf(attempt), attempt);
        attempts.push({ result, started_at });
        if (!isRetryable(result) || p.aborted())
            break;
    }
    return attempts;
}
/**
 * The seed of one attempt: the gate's own seed for the first attempt of the first repeat (so the
 * reproduce line replays it), a seed derived from it for every other one (so each retry differs,
 * and each can be replayed with --seed).
 */
export function attemptSeed(seed, repeat, attempt) {
    if (repeat === 1 && attempt === 1)
        return seed;
    return createHash('sha256').update(`${seed}/${repeat}/${attempt}`).digest('hex').slice(0, 8);
}
function now() {
    return new Date().toISOString();
}
/** An audit run's progress event, in the gate's terms. */
function auditEvent(event) {
    return event.type === 'start'
        ? { type: 'start', check: event.check, tree: event.tree, audit: event.audit }
        : {
            type: 'finish',
            check: event.check,
            tree: event.tree,
            audit: event.audit,
            result: event.result,
        };
}
