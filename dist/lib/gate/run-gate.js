/**
 * The gate: config + two trees in, one Report out. This is the only module that knows the order
 * of things; each step is a call into the module that owns it:
 *
 *   open the workspace -> list function checks -> select checks -> look up reusable results
 *   -> plan (plan.ts) -> run the plan (execute.ts) -> compare and store results -> finish the
 *   audits -> assemble the report (assemble-report.ts)
 *
 * Both the CLI and the action call runGate and nothing below it.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { storeResults } from "../cache/reuse.js";
import { assembleReport, checkReportsOf, defaultReproduce } from "./assemble-report.js";
import { executePlan } from "./execute.js";
import { withFunctionChecks } from "./function-checks.js";
import { isolationOf, openGateWorkspace } from "./gate-workspace.js";
import { chooseMode, planGate, selectChecks } from "./plan.js";
import { candidateTreeIdOf, lookUpReusable } from "./reuse-lookup.js";
/**
 * Runs every configured check on the candidate (and the baseline, when given) and decides.
 * Never throws for anything a check does: a broken check is a RunResult, not an exception.
 * Throws ConfigError for a bad functions module and GateUsageError for bad options.
 */
export async function runGate(options) {
    const startedAt = new Date();
    const dirs = { baseline: options.baselineDir ?? null, candidate: options.candidateDir };
    const mode = chooseMode(options.config, options.mode ?? null, dirs.baseline);
    const seed = options.seed ?? randomBytes(4).toString('hex');
    const workspace = await openGateWorkspace(options, dirs);
    const onAbort = () => void workspace.dispose();
    options.abort?.addEventListener('abort', onAbort, { once: true });
    try {
        options.onEvent?.({ type: 'sandbox', kind: workspace.kind, note: workspace.sandboxNote });
        const config = await withFunctionChecks(options.config, workspace, options.abort);
        const selection = selectChecks(config, options);
        // Results reused from the cache: those trees' runs of those checks are not run again.
        const reuse = await lookUpReusable(options, config, selection.checks, dirs, workspace.kind);
        const plan = planGate({
            mode,
            config,
            selection,
            dirs,
            reused: reuse?.reused ?? null,
            asked: options,
            cpus: availableParallelism(),
        });
        const ran = await executePlan(plan, workspace, {
            config,
            dirs,
            seed,
            cache: options.cache ?? null,
            candidateTreeId: candidateTreeIdOf(options, reuse),
            onEvent: options.onEvent,
            abort: options.abort,
        });
        const reproduce = options.reproduce ?? defaultReproduce(options);
        const checks = checkReportsOf(plan, ran, { seed, reproduce });
        if (reuse)
            await storeResults(options.cache, reuse, checks, plan.reused);
        const audited = await ran.finishAudit();
        const setups = await ran.setups();
        return assembleReport({
            plan,
            config,
            configFile: options.config.file,
            checks,
            audited,
            trees: { dirs, commits: options.commits ?? null, setups, ids: reuse?.treeIds ?? null },
            isolation: isolationOf(workspace, options),
            timing: ran.timing,
            notices: {
                given: options.notices ?? [],
                cache: [...(reuse?.warnings ?? []), ...(options.cache?.store.warnings ?? [])],
            },
            startedAt,
            finishedAt: new Date(),
        });
    }
    finally {
        options.abort?.removeEventListener('abort', onAbort);
        await workspace.dispose();
    }
}
