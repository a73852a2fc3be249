import { type AttemptRun } from '../engine/repeats.ts';
import type { TimingReport, AuditReport, CheckReport, CheckSpec, GateConfig, Report, RunResult, SandboxKind, TreeRole } from '../engine/types.ts';
import type { TreeDirs } from './options.ts';
import type { SequentialRun } from './execute.ts';
import type { GatePlan, RunJob } from './plan.ts';
/** How isolated the runs were, as the workspace saw it at the end. */
export interface Isolation {
    kind: SandboxKind;
    /** Why runs use copies although overlays were asked for; null otherwise. */
    sandboxNote: string | null;
    /** Why runs got no cgroup; null when they did. */
    cgroupNote: string | null;
    /** What the caller asked to hide from checks (only overlays can). */
    maskPaths: readonly string[];
    /** Whether this kernel scopes abstract unix sockets; asked only when it matters (a probe). */
    abstractSocketsScoped: () => boolean;
}
/**
 * Every planned check's report: its result on each tree (the reused one, or its repeats
 * summarised), compared, with its metrics and a command that reproduces it. `attempts` are the
 * executor's, in the order of the plan's jobs.
 */
export declare function checkReportsOf(plan: GatePlan, ran: {
    jobs: readonly RunJob[];
    attempts: readonly AttemptRun[][];
    sequential?: ReadonlyMap<string, SequentialRun>;
}, p: {
    seed: string;
    reproduce: (check: CheckSpec, seed: string) => string;
}): CheckReport[];
/** What the report says about the timed phase: how it ran, and tolerances below the noise. */
export declare function timingNotices(timing: TimingReport, checks: readonly CheckSpec[]): string[];
/** The report of one gate, from everything it found out. */
export declare function assembleReport(p: {
    plan: GatePlan;
    /** The config, function checks included. */
    config: GateConfig;
    /** The config file the caller loaded (null: a config built in code). */
    configFile: string | null;
    checks: CheckReport[];
    audited: {
        audit: AuditReport;
        notices: string[];
    } | null;
    trees: {
        dirs: TreeDirs;
        commits: {
            baseline?: string | null;
            candidate?: string | null;
        } | null;
        /** Each prepared tree's setup result, by role. */
        setups: ReadonlyMap<TreeRole, RunResult | null>;
        /** Content identities of the trees, where the cache had them. */
        ids: ReadonlyMap<TreeRole, string> | null;
    };
    isolation: Isolation;
    /** How the timed phase ran; null when no check measured a timing. */
    timing: TimingReport | null;
    /** The caller's notices first, then the cache's warnings after the sandbox's notices. */
    notices: {
        given: readonly string[];
        cache: readonly string[];
    };
    startedAt: Date;
    finishedAt: Date;
}): Report;
/**
 * The reproduce line when the caller gives none: the CLI run of this one check on the
 * candidate, with the gate's seed.
 */
export declare function defaultReproduce(p: {
    candidateDir: string;
    config: Pick<GateConfig, 'file' | 'functions'>;
}): (check: CheckSpec, seed: string) => string;
