import { type AttemptRun } from '../engine/repeats.ts';
import type { AuditReport, GateConfig, RunResult, TimingReport, TreeRole } from '../engine/types.ts';
import { type SequentialDesign, type SequentialStop } from '../engine/sequential.ts';
import { type ResultCacheOptions } from '../cache/reuse.ts';
import type { Workspace } from '../run/workspace.ts';
import type { GateEvent, TreeDirs } from './options.ts';
import { type GatePlan, type RunJob } from './plan.ts';
import { type TimedPhaseDeps } from './timed-phase.ts';
/** What the executor needs besides the plan and the workspace. */
export interface ExecuteContext {
    /** The config, function checks included. */
    config: GateConfig;
    dirs: TreeDirs;
    /** The gate's seed: every attempt's seed derives from it (see attemptSeed). */
    seed: string;
    /** The result cache: audit runs are looked up in it and stored in it too. */
    cache: ResultCacheOptions | null;
    /** The candidate's content identity, when known: audit variants are cached under it. */
    candidateTreeId: string | null;
    onEvent?: (event: GateEvent) => void;
    abort?: AbortSignal;
    /** How the timed phase pins and calibrates (tests pass fakes; default the machine's). */
    timing?: TimedPhaseDeps;
}
/** How an adaptive check's looks went (see src/engine/sequential.ts). */
export interface SequentialRun {
    design: SequentialDesign;
    /** The last look taken, 0-based: its αₖ decided the reported comparison. */
    look: number;
    stop: SequentialStop;
}
/** What the runs left behind, for the report. */
export interface Execution {
    /**
     * Every job run: the plan's, then the repeats that adaptive checks added, in the order they
     * were handed in.
     */
    jobs: RunJob[];
    /** Every attempt of every job, in the order of `jobs`. */
    attempts: AttemptRun[][];
    /** The adaptive checks' looks, by check name. */
    sequential: ReadonlyMap<string, SequentialRun>;
    /** How the timed phase ran; null when no check measured a timing. */
    timing: TimingReport | null;
    /** Waits for every audit run started; the report's `audit` and its notices, or null. */
    finishAudit(): Promise<{
        audit: AuditReport;
        notices: string[];
    } | null>;
    /** The setup result of every tree prepared (by the runs or the audits), by role. */
    setups(): Promise<Map<TreeRole, RunResult | null>>;
}
/**
 * Runs the plan's jobs in `workspace` and starts its audits. Never throws for anything a check
 * does; throws what preparing a tree throws (a missing tree directory, say).
 */
export declare function executePlan(plan: GatePlan, workspace: Workspace, ctx: ExecuteContext): Promise<Execution>;
/**
 * The seed of one attempt: the gate's own seed for the first attempt of the first repeat (so the
 * reproduce line replays it), a seed derived from it for every other one (so each retry differs,
 * and each can be replayed with --seed).
 */
export declare function attemptSeed(seed: string, repeat: number, attempt: number): string;
