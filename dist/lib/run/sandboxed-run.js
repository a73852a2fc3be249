/**
 * One run of a check (or of a tree's setup) in a fresh sandbox, as named steps: enter the
 * sandbox and its cgroup -> spawn -> end and measure -> classify -> keep the log or not ->
 * assemble the RunResult -> seal or clean up. The workspace decides what runs where (trees,
 * providers, the live runs dispose() stops); this module does one run and keeps nothing between
 * runs but the log names.
 */
import { errorMessage } from "../engine/errors.js";
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { SANDBOX_SETUP_FAILED } from "../engine/audit.js";
import { DEFAULT_LIMITS } from "../engine/limits.js";
import { notRunResult } from "../engine/not-run.js";
import { buildChildEnv } from "./env.js";
import { spawnBounded } from "./process.js";
import { killProcessesWithEnv } from "./proc-scan.js";
import { SANDBOX_FAILURE_EXIT_CODE, } from "./sandbox.js";
const MIB = 1024 * 1024;
/**
 * Runs one command once in a fresh sandbox of `sandbox.layers`. Never throws for what the
 * command does: a run that cannot start (stopped, no sandbox) is a not-run ERROR result.
 */
export async function runSandboxed(p) {
    const signal = p.run.abort ? AbortSignal.any([p.stop, p.run.abort]) : p.stop;
    const kind = p.sandbox.provider.kind;
    const limits = p.run.limits ?? DEFAULT_LIMITS;
    const notRun = (reason) => ({
        result: notRunResult({ reason, seed: p.run.seed, sandbox: kind }),
        sealed: null,
    });
    if (signal.aborted)
        return notRun('not run: the gate was stopped');
    let entered;
    try {
        entered = await enterRunSandbox(p.site, p.sandbox, limits, signal);
    }
    catch (error) {
        return notRun(signal.aborted
            ? 'not run: the gate was stopped while its sandbox was being created'
            : `could not create the sandbox: ${errorMessage(error)}`);
    }
    let sealed = null;
    try {
        const { sb, cgroup } = entered;
        const { spawned, runId } = await spawnInSandbox(p, sb, signal);
        const usage = await endAndMeasure({ kind, runId, cgroup });
        const classification = await classifyRun(spawned, sb, p, usage);
        const output = await keepLogIfWorthALook(spawned.output, classification, p.site);
        const result = assembleRunResult({
            spawned,
            classification,
            usage,
            limits,
            output,
            seed: p.run.seed,
            sandbox: kind,
            sandboxRoot: sb.root,
        });
        if ((p.keep?.(result) ?? false) && !signal.aborted)
            sealed = await sb.seal();
        return { result, sealed };
    }
    finally {
        await leaveRunSandbox(entered, { sealed: sealed !== null });
    }
}
/**
 * A fresh sandbox of `layers` for one run, in a cgroup of its own with the run's limits (none
 * where cgroups cannot be had). Nothing is left behind when this throws.
 */
export async function enterRunSandbox(site, request, limits, signal) {
    const cgroup = site.cgroups.available
        ? await site.cgroups.createRun(site.cgroupName(), {
            pidsMax: limits.pids_max,
            memoryBytes: limits.memory_mb === null ? null : limits.memory_mb * MIB,
        })
        : null;
    try {
        const sb = await request.provider.enter(request.layers, signal, {
            network: limits.network,
            diskBytes: request.persist || limits.disk_mb === null ? null : limits.disk_mb * MIB,
            cgroupProcs: cgroup?.procsFiles ?? [],
            keep: request.keepVisible ?? [],
        });
        return { sb, cgroup };
    }
    catch (error) {
        await cgroup?.remove().catch(() => undefined);
        throw error;
    }
}
/**
 * Removes the run's cgroup (killing what is left in it), and its sandbox unless it was sealed
 * into a tree's layers.
 */
export async function leaveRunSandbox(entered, p = { sealed: false }) {
    await entered.cgroup?.remove().catch(() => undefined);
    if (!p.sealed)
        await entered.sb.remove();
}
/** Spawns the command in the sandbox with the allowlisted environment, its log in the site's. */
async function spawnInSandbox(p, sb, signal) {
    const { command, run, site } = p;
    const env = buildChildEnv({
        parent: site.parentEnv,
        passthrough: run.envPassthrough,
        env: run.env,
        home: sb.home,
        tmp: sb.tmp,
        seed: run.seed,
        tree: command.role,
        check: command.checkName,
    });
    // A marker to find what a copy run left behind outside its process group (setsid).
    const runId = randomBytes(12).toString('hex');
    env['QUORUM_RUN_ID'] = runId;
    const spawned = await spawnBounded({
        argv: [...(run.pin ?? []), ...sb.wrap(command.argv(sb))],
        cwd: sb.cwd,
        env,
        timeoutMs: command.timeoutMs,
        graceMs: site.graceMs,
        logPath: join(site.logDir, site.logNames.next(command.logLabel, command.checkName)),
        scoreKey: command.scoreKey ?? null,
        metricKeys: command.metricKeys ?? [],
        channel: command.channel ?? false,
    }, signal);
    return { spawned, runId };
}
/**
 * Ends whatever the run left running, and reads what its cgroup counted (null without one, or
 * when it cannot be read).
 */
async function endAndMeasure(p) {
    if (p.kind === 'copy')
        killProcessesWithEnv('QUORUM_RUN_ID', p.runId);
    // Whatever the run left anywhere (setsid, double forks) ends with its cgroup.
    const usage = p.cgroup ? await p.cgroup.usage().catch(() => null) : null;
    await p.cgroup?.kill().catch(() => undefined);
    return usage;
}
/**
 * The run's classification: ERROR when the sandbox itself could not be set up, else the
 * command's own, with the hint for a command hidden by the sandbox and the cpu metrics.
 */
async function classifyRun(spawned, sb, p, usage) {
    const sandboxFailure = spawned.exitCode === SANDBOX_FAILURE_EXIT_CODE && !spawned.timedOut ? await sb.failure() : null;
    if (sandboxFailure) {
        return { outcome: 'ERROR', reason: `${SANDBOX_SETUP_FAILED}: ${sandboxFailure}`, score: null };
    }
    const { command, site } = p;
    return withCpuTime(withHiddenPathHint(command.classify(spawned, command.timeoutMs), p.sandbox.provider), command.cpuMetrics ?? [], usage?.cpuMs ?? null, site.cgroups.available ? null : site.cgroups.reason);
}
/** The full log is for runs worth a look: a passing run's is deleted unless asked to keep it. */
async function keepLogIfWorthALook(output, c, site) {
    if (c.outcome !== 'PASSED' || site.keepPassingLogs || output.log_path === null)
        return output;
    return unlink(output.log_path).then(() => ({ ...output, log_path: null }), () => output);
}
/**
 * The RunResult of a run that ended: its classification, with the limits it hit named in the
 * reason of a run that did not pass, and what the spawn recorded.
 */
export function assembleRunResult(p) {
    const { spawned: r, classification: c, usage, limits } = p;
    const limitHit = [
        usage?.oomKilled ? `it ran out of memory (memory_mb: ${limits.memory_mb})` : null,
        usage?.pidsLimitHit ? `it hit its process limit (pids_max: ${limits.pids_max})` : null,
    ].filter((why) => why !== null);
    return {
        outcome: c.outcome,
        reason: limitHit.length > 0 && c.outcome !== 'PASSED'
            ? `${c.reason}; ${limitHit.join('; ')}`
            : c.reason,
        score: c.score,
        ...(c.metrics && Object.keys(c.metrics).length > 0 ? { metrics: c.metrics } : {}),
        ...(c.declaration_error ? { declaration_error: true } : {}),
        duration_ms: r.durationMs,
        exit_code: r.exitCode,
        signal: r.signal,
        output: p.output,
        seed: p.seed,
        sandbox: p.sandbox,
        sandbox_root: p.sandboxRoot,
    };
}
/**
 * A run's classification with its cpu metrics (`source: cpu`) added: the CPU time its cgroup
 * counted, in ms (to 0.1). A run that passed when no CPU time could be read is ERROR: its
 * metric would be missing, and nothing the check did caused it. `cgroupNote`: why runs get no
 * cgroup, null when they do.
 */
export function withCpuTime(c, names, cpuMs, cgroupNote) {
    if (names.length === 0 || c.outcome !== 'PASSED')
        return c;
    if (cpuMs === null) {
        const why = cgroupNote ?? 'this machine does not count CPU time per cgroup';
        return {
            ...c,
            outcome: 'ERROR',
            score: null,
            reason: `metric ${names.join(', ')} (source: cpu) could not be measured: a run's CPU time is read from its cgroup (cpuacct on cgroup v1, cpu.stat on v2), and ${why}`,
        };
    }
    const value = Math.round(cpuMs * 10) / 10;
    return { ...c, metrics: { ...c.metrics, ...Object.fromEntries(names.map((n) => [n, value])) } };
}
/**
 * A command the check names by an absolute path that exists on this machine but not in its
 * sandbox (a venv under /tmp, a tool under a home) is "not found" for a reason the shell cannot
 * tell: say which, and the way out.
 */
function withHiddenPathHint(c, provider) {
    if (c.outcome !== 'ERROR')
        return c;
    const named = /^command not (?:found|executable): (\/\S+)/.exec(c.reason)?.[1];
    if (named === undefined || !existsSync(named))
        return c;
    const why = provider.whyHidden(named);
    if (why === null)
        return c;
    return {
        ...c,
        reason: `${c.reason}: it exists on this machine, but ${why}; name its directory under ` +
            '`read_only_paths` in quorum.yml, or install it outside /tmp and the homes',
    };
}
/**
 * Log file names: `<tree>-<check>-<n>.log`, filesystem-safe and unique within one workspace.
 * A name that had to be changed to be safe gets a short hash of the original, so `a/b` and
 * `a_b` never share a file.
 */
export class LogNames {
    used = new Set();
    counters = new Map();
    /** `label` is a tree role, or an audit tree's label (made safe here too). */
    next(label, check) {
        const stem = `${safeName(label)}-${safeName(check)}`;
        let n = this.counters.get(stem) ?? 0;
        let name;
        do {
            n++;
            name = `${stem}-${n}.log`;
        } while (this.used.has(name));
        this.counters.set(stem, n);
        this.used.add(name);
        return name;
    }
}
/** A check name as a file name part: [A-Za-z0-9._-], at most ~80 characters, never empty. */
export function safeName(name) {
    const cleaned = name
        .normalize('NFC')
        .replace(/[^A-Za-z0-9._-]+/g, '_')
        .replace(/^[.-]+/, '_')
        .slice(0, 80);
    if (cleaned === name && cleaned !== '')
        return cleaned;
    const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
    return `${cleaned || 'check'}-${hash}`;
}
