/**
 * The gate's plan, as pure logic: which checks run (selection, skip, shard), on which trees, which
 * runs are left once the cache's results are reused, in what order they start, which trees need
 * preparing, how many runs at once, and which audits follow. Data in, data out: the executor
 * (execute.ts) carries the plan out, and the report (assemble-report.ts) reads it back.
 */
import { checksInShard } from "../engine/shard.js";
import { runKey } from "../cache/reuse.js";
import { GateUsageError } from "./options.js";
/**
 * The mode the gate decides in (the option over the config's), refused when it cannot work:
 * scored mode compares two trees.
 */
export function chooseMode(config, mode, baselineDir) {
    const chosen = mode ?? config.mode;
    if (chosen === 'scored' && baselineDir === null) {
        throw new GateUsageError('scored mode needs a baseline tree (--baseline DIR)');
    }
    return chosen;
}
/**
 * The checks to run: the shard's share of the config's checks (all without a shard), narrowed by
 * `only`, without those in `skip`. Throws GateUsageError for a name the config does not know
 * and for a config without checks.
 */
export function selectChecks(config, p) {
    const allChecks = config.checks.map((c) => c.name);
    const skip = p.skip ?? [];
    const inShard = p.shard ? new Set(checksInShard(allChecks, p.shard)) : null;
    const checks = chooseChecks(config.checks, p.only ?? null, skip).filter((c) => inShard === null || inShard.has(c.name));
    return {
        checks,
        allChecks,
        skipped: config.checks.filter((c) => skip.includes(c.name)).map((c) => c.name),
        shard: p.shard ? { index: p.shard.index, total: p.shard.total, share: inShard.size } : null,
    };
}
/**
 * The plan of a gate: from the chosen checks, the trees there are and the results the cache
 * already holds, every run left to do and what it needs.
 */
export function planGate(p) {
    const { checks } = p.selection;
    const roles = p.dirs.baseline !== null ? ['baseline', 'candidate'] : ['candidate'];
    const reused = p.reused ?? new Map();
    return {
        mode: p.mode,
        flaky: p.config.flaky ?? 'warn',
        checks,
        allChecks: p.selection.allChecks,
        skipped: p.selection.skipped,
        shard: p.selection.shard,
        roles,
        reused,
        reusedResults: roles.flatMap((role) => checks.flatMap((check) => {
            const result = reused.get(runKey(role, check.name));
            return result ? [{ role, check, result }] : [];
        })),
        // A tree whose every result is reused is not prepared, unless an audit needs it later.
        prepare: roles.filter((role) => checks.some((c) => !reused.has(runKey(role, c.name)))),
        jobs: scheduleRuns(checks, roles, reused),
        parallel: Math.max(1, p.asked.parallel ?? p.config.parallel ?? p.cpus),
        audits: p.asked.audit ?? p.config.audit ?? p.asked.auditDefault ?? [],
        // Timings must not be measured beside audit runs: then those wait for the normal runs to
        // end. Otherwise they fill slots as the normal runs free them.
        holdAudits: checks.some(measuresTime),
    };
}
function chooseChecks(checks, only, skip) {
    const known = new Set(checks.map((c) => c.name));
    const unknown = [...(only ?? []), ...skip].filter((name) => !known.has(name));
    if (unknown.length > 0) {
        throw new GateUsageError(`unknown check ${[...new Set(unknown)].map((n) => `"${n}"`).join(', ')} (known: ${[...known].join(', ')})`);
    }
    if (checks.length === 0)
        throw new GateUsageError('the config defines no checks');
    const chosen = only === null || only.length === 0 ? checks : checks.filter((c) => only.includes(c.name));
    return chosen.filter((c) => !skip.includes(c.name));
}
/**
 * The runs to do, in the order to start them: the checks that measure no timing first, then the
 * timed ones (which run alone). Each repeat is a pair of runs, one per tree, next to each other
 * in the queue, so they run at the same time when there are two slots, and one right after the
 * other when there is one; the order within the pair alternates (B C, C B, ...), so neither tree
 * always goes first. Drift on a shared machine then hits both trees alike.
 */
function scheduleRuns(checks, roles, reused) {
    const ordered = [...checks.filter((c) => !measuresTime(c)), ...checks.filter(measuresTime)];
    return ordered.flatMap((check) => repeatJobs(check, roles, reused, 1, check.repeats ?? 1));
}
/** The jobs of repeats `from`..`to` of a check, interleaved as scheduleRuns describes. */
export function repeatJobs(check, roles, reused, from, to) {
    const jobs = [];
    const timed = measuresTime(check);
    for (let repeat = from; repeat <= to; repeat++) {
        const order = repeat % 2 === 1 ? roles : [...roles].reverse();
        for (const role of order) {
            if (!reused.has(runKey(role, check.name)))
                jobs.push({ check, role, repeat, timed });
        }
    }
    return jobs;
}
/**
 * Whether a check measures something that varies with the machine's load (a timing): it
 * declares a metric that is not deterministic. The score alone (`score_from`, a count of passed
 * tests, say) does not make it one; declare it under `metrics` to time it.
 */
export function measuresTime(check) {
    return (check.metrics ?? []).some((m) => !m.deterministic && m.from_score !== true);
}
