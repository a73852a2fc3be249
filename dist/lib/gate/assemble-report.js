/**
 * The gate's report, assembled as pure logic: from the plan and what the runs left behind, each
 * check's result on each tree (its repeats summarised, or the result reused), their comparison,
 * the verdict, and the one Report document every view is rendered from. Data in, data out: the
 * facts about the machine (the sandbox, cgroups, the clock) are handed in.
 */
import { compareRuns, countOutcomes, decideVerdict, isCanary, totalScore, } from "../engine/compare.js";
import { limitsOf } from "../engine/limits.js";
import { compareMetrics } from "../engine/metrics.js";
import { formatTolerance } from "../engine/numbers.js";
import { describeLook } from "../engine/sequential.js";
import { summarizeRepeats } from "../engine/repeats.js";
import { shellQuote } from "../engine/shell-quote.js";
import { runKey } from "../cache/reuse.js";
import { VERSION } from "../version.js";
/**
 * Every planned check's report: its result on each tree (the reused one, or its repeats
 * summarised), compared, with its metrics and a command that reproduces it. `attempts` are the
 * executor's, in the order of the plan's jobs.
 */
export function checkReportsOf(plan, ran, p) {
    const { attempts } = ran;
    // Every repeat's attempts, by check and tree, in the order the repeats were scheduled.
    const repeatsOf = new Map();
    ran.jobs.forEach((job, i) => {
        const key = runKey(job.role, job.check.name);
        const list = repeatsOf.get(key) ?? [];
        list[job.repeat - 1] = attempts[i];
        repeatsOf.set(key, list);
    });
    const resultOf = (role, check) => {
        const key = runKey(role, check.name);
        const hit = plan.reused.get(key);
        if (hit)
            return hit;
        const repeats = repeatsOf.get(key);
        return repeats ? summarizeRepeats(repeats, check.metrics ?? []) : null;
    };
    const hasBaseline = plan.roles.includes('baseline');
    return plan.checks.map((check) => {
        const candidate = resultOf('candidate', check);
        const baseline = hasBaseline ? resultOf('baseline', check) : null;
        const looks = ran.sequential?.get(check.name);
        return {
            name: check.name,
            kind: check.kind,
            candidate,
            baseline,
            ...compareRuns(baseline, candidate),
            reproduce: p.reproduce(check, p.seed),
            metrics: looks
                ? sequentialMetrics(check, baseline, candidate, looks)
                : compareMetrics(check.metrics ?? [], baseline, candidate),
            ...(isCanary(check) ? { expect: 'fail' } : {}),
            ...(looks ? { sequential: sequentialReport(looks) } : {}),
        };
    });
}
/**
 * An adaptive check's metrics, compared as its last look did: at that look's share of the error
 * budget, which each metric that varies names in its `test`.
 */
function sequentialMetrics(check, baseline, candidate, run) {
    const specs = check.metrics ?? [];
    return compareMetrics(specs, baseline, candidate, 1 - run.design.alphas[run.look]).map((m) => m.deterministic || m.test.startsWith('not compared')
        ? m
        : { ...m, test: `${m.test}; ${describeLook(run.design, run.look)}` });
}
function sequentialReport(run) {
    return {
        looks: run.look + 1,
        planned_looks: run.design.looks.length,
        repeats: run.design.looks[run.look],
        max_repeats: run.design.looks.at(-1),
        alpha: run.design.alphas[run.look],
        stopped: run.stop,
    };
}
/** What the report says about the timed phase: how it ran, and tolerances below the noise. */
export function timingNotices(timing, checks) {
    const where = timing.cpu !== null
        ? `ran alone, pinned to CPU ${timing.cpu}${timing.gate_cpus.length > 0 ? ` (the gate itself kept to CPU ${timing.gate_cpus.join(', ')})` : ''}`
        : `ran alone but were not pinned to one CPU: ${timing.not_pinned_reason}`;
    const noise = timing.noise_pct !== null
        ? `timings on this runner vary by about ${timing.noise_pct}% (${timing.calibration_ms.length} runs of a fixed loop)`
        : `how much timings vary here is unknown (the calibration failed: ${timing.calibration_error})`;
    const notices = [`Timed runs ${where}; ${noise}.`];
    if (timing.noise_pct === null)
        return notices;
    for (const check of checks) {
        for (const m of check.metrics ?? []) {
            if (m.deterministic || m.tolerance.kind !== 'relative')
                continue;
            const pct = m.tolerance.fraction * 100;
            if (pct >= timing.noise_pct)
                continue;
            notices.push(`${check.name}: the tolerance of ${m.name} (${formatTolerance(m.tolerance)}) is below this runner's noise (about ${timing.noise_pct}%): expect inconclusive verdicts, or widen it.`);
        }
    }
    return notices;
}
/** The report of one gate, from everything it found out. */
export function assembleReport(p) {
    const { plan, checks: reports, audited, trees } = p;
    const { verdict, reasons } = plan.shard && reports.length === 0
        ? emptyShardVerdict(plan.shard, plan.shard.share, plan.allChecks.length)
        : decideVerdict(plan.mode, reports, { flaky: plan.flaky, audit: audited?.audit ?? null });
    // Canaries do not score: their runs are meant to fail.
    const scoring = reports.filter((r) => !isCanary(r));
    const treeInfo = (role, dir) => ({
        role,
        path: dir,
        commit: trees.commits?.[role] ?? null,
        setup: trees.setups.get(role) ?? null,
        ...(trees.ids?.has(role) ? { id: trees.ids.get(role) } : {}),
    });
    const baselineDir = trees.dirs.baseline;
    return {
        schema_version: 1,
        tool: { name: 'quorum', version: VERSION },
        verdict,
        mode: plan.mode,
        flaky: plan.flaky,
        reasons,
        checks: reports,
        counts: countOutcomes(reports.map((r) => r.candidate)),
        skipped: plan.skipped,
        ...(plan.shard
            ? {
                shard: { index: plan.shard.index, total: plan.shard.total, all_checks: plan.allChecks },
            }
            : {}),
        totals: {
            baseline_score: baselineDir !== null
                ? totalScore(scoring.flatMap((r) => (r.baseline ? [r.baseline] : [])))
                : null,
            candidate_score: totalScore(scoring.map((r) => r.candidate)),
        },
        trees: {
            baseline: baselineDir !== null ? treeInfo('baseline', baselineDir) : null,
            candidate: treeInfo('candidate', trees.dirs.candidate),
        },
        sandbox: p.isolation.kind,
        config_file: p.configFile,
        started_at: p.startedAt.toISOString(),
        duration_ms: p.finishedAt.getTime() - p.startedAt.getTime(),
        notices: [
            ...p.notices.given,
            ...sandboxNotices(p.isolation, p.config, plan.checks),
            ...(p.timing ? timingNotices(p.timing, plan.checks) : []),
            ...p.notices.cache,
            ...(audited?.notices ?? []),
        ],
        ...(p.timing ? { timing: p.timing } : {}),
        ...(audited ? { audit: audited.audit } : {}),
    };
}
/**
 * The reproduce line when the caller gives none: the CLI run of this one check on the
 * candidate, with the gate's seed.
 */
export function defaultReproduce(p) {
    return (check, seed) => {
        const args = ['npx', 'quorum-gate', 'verify', '--candidate', p.candidateDir];
        if (p.config.file)
            args.push('--config', p.config.file);
        else if (p.config.functions)
            args.push('--checks', p.config.functions);
        args.push('--only', check.name, '--seed', seed);
        return args.map(shellQuote).join(' ');
    };
}
/**
 * A shard with nothing to run: more shards than checks, or its whole share skipped. On its own
 * it has verified nothing, but it is not a failure either: the verdict that counts is the
 * publisher's, which merges every shard, checks that each check of the suite ran in its shard,
 * and blocks when none ran at all. Blocking here would fail a matrix job for being one too many.
 */
function emptyShardVerdict(shard, share, suite) {
    const what = share === 0
        ? `shard ${shard.index}/${shard.total} has no checks to run (the suite has ${suite} ${suite === 1 ? 'check' : 'checks'} for ${shard.total} shards)`
        : `every check of shard ${shard.index}/${shard.total} was skipped`;
    return {
        verdict: 'allow',
        reasons: [`${what}; the merged verdict of all shards decides`],
    };
}
/** What a reader must know about how isolated the runs were. */
function sandboxNotices(isolation, config, checks) {
    const notices = [];
    if (isolation.kind === 'copy' && isolation.sandboxNote) {
        notices.push(`Sandboxes were copies, not overlays: ${isolation.sandboxNote}.`);
    }
    if (isolation.kind === 'copy' && isolation.maskPaths.length > 0) {
        notices.push('The copy sandbox cannot hide credential files and runner control files from checks; only overlay sandboxes (Linux user namespaces) can.');
    }
    // Only limits the config asks for are worth a notice on every report: the defaults are a
    // safety net, and a runner without cgroups would otherwise repeat the same line on every PR.
    const asked = (key) => config.limits?.[key] != null || checks.some((check) => check.limits?.[key] != null);
    const limits = checks.map((check) => limitsOf(config, check));
    if (isolation.cgroupNote && (asked('pids_max') || asked('memory_mb'))) {
        notices.push(`pids_max and memory_mb were not enforced: no cgroup could be had (${isolation.cgroupNote}).`);
    }
    if (isolation.kind === 'overlay' &&
        limits.some((l) => l.network === 'host') &&
        !isolation.abstractSocketsScoped()) {
        notices.push("Checks with the host's network could reach host daemons' abstract unix sockets: this kernel cannot scope them (Landlock, Linux 6.12 or newer); network: none closes that.");
    }
    if (isolation.kind === 'copy') {
        const open = checks.filter((_, i) => limits[i].network === 'none').map((c) => c.name);
        if (open.length > 0) {
            notices.push(`network: none was not enforced for ${open.join(', ')}: only overlay sandboxes have a private network.`);
        }
        if (asked('disk_mb')) {
            notices.push('disk_mb was not enforced: copy sandboxes write to the disk.');
        }
    }
    return notices;
}
