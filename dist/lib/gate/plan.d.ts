/**
 * The gate's plan, as pure logic: which checks run (selection, skip, shard), on which trees, which
 * runs are left once the cache's results are reused, in what order they start, which trees need
 * preparing, how many runs at once, and which audits follow. Data in, data out: the executor
 * (execute.ts) carries the plan out, and the report (assemble-report.ts) reads it back.
 */
import { type Shard } from '../engine/shard.ts';
import type { AuditKind, CheckSpec, FlakyPolicy, GateConfig, Mode, RunResult, TreeRole } from '../engine/types.ts';
import { type GateOptions, type TreeDirs } from './options.ts';
/** One repeat of one check on one tree; its attempts run one after the other. */
export interface RunJob {
    check: CheckSpec;
    role: TreeRole;
    /** 1-based. */
    repeat: number;
    /**
     * The check measures a timing (a metric that is not deterministic): the run runs alone,
     * pinned to one CPU, after the other checks' runs (see execute.ts).
     */
    timed: boolean;
}
/** The checks a gate runs, chosen from the config's. */
export interface CheckSelection {
    /** The checks to run, in config order. */
    checks: CheckSpec[];
    /** Every check of the config, by name (a shard's report names the whole suite). */
    allChecks: string[];
    /** The config's checks that `skip` named, in config order. */
    skipped: string[];
    /** The shard run, and how many checks fell to it before `only` and `skip`; null: no shard. */
    shard: (Shard & {
        share: number;
    }) | null;
}
/** Everything the executor and the report need to know before anything runs. */
export interface GatePlan {
    mode: Mode;
    flaky: FlakyPolicy;
    checks: CheckSpec[];
    allChecks: string[];
    skipped: string[];
    shard: (Shard & {
        share: number;
    }) | null;
    /** The trees, baseline first when there is one. */
    roles: TreeRole[];
    /** Results reused from the cache, by runKey: those runs are not done again. */
    reused: ReadonlyMap<string, RunResult>;
    /** The reused results in tree-then-config order, as the audits are told of them. */
    reusedResults: Array<{
        role: TreeRole;
        check: CheckSpec;
        result: RunResult;
    }>;
    /** The trees to prepare before any run, one after the other: those with a run left to do. */
    prepare: TreeRole[];
    /** The runs to do, in the order to start them (see scheduleRuns). */
    jobs: RunJob[];
    /** How many runs at once (at least 1). */
    parallel: number;
    /** The audits to run beside the checks; empty: none. */
    audits: AuditKind[];
    /** Audit runs wait for every normal run to end: some check measures a timing. */
    holdAudits: boolean;
}
/**
 * The mode the gate decides in (the option over the config's), refused when it cannot work:
 * scored mode compares two trees.
 */
export declare function chooseMode(config: GateConfig, mode: Mode | null, baselineDir: string | null): Mode;
/**
 * The checks to run: the shard's share of the config's checks (all without a shard), narrowed by
 * `only`, without those in `skip`. Throws GateUsageError for a name the config does not know
 * and for a config without checks.
 */
export declare function selectChecks(config: GateConfig, p: {
    only?: string[] | null;
    skip?: string[] | null;
    shard?: Shard | null;
}): CheckSelection;
/**
 * The plan of a gate: from the chosen checks, the trees there are and the results the cache
 * already holds, every run left to do and what it needs.
 */
export declare function planGate(p: {
    mode: Mode;
    config: GateConfig;
    selection: CheckSelection;
    dirs: TreeDirs;
    /** Results found in the cache (by runKey); null: no cache. */
    reused: ReadonlyMap<string, RunResult> | null;
    /**
     * What the caller asked for: `parallel` runs at once (over the config's, else `cpus`), and
     * `audit` (over the config's, else `auditDefault`).
     */
    asked: Pick<GateOptions, 'parallel' | 'audit' | 'auditDefault'>;
    cpus: number;
}): GatePlan;
/** The jobs of repeats `from`..`to` of a check, interleaved as scheduleRuns describes. */
export declare function repeatJobs(check: CheckSpec, roles: readonly TreeRole[], reused: ReadonlyMap<string, RunResult>, from: number, to: number): RunJob[];
/**
 * Whether a check measures something that varies with the machine's load (a timing): it
 * declares a metric that is not deterministic. The score alone (`score_from`, a count of passed
 * tests, say) does not make it one; declare it under `metrics` to time it.
 */
export declare function measuresTime(check: CheckSpec): boolean;
