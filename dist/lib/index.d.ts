import type { AuditKind, AuditPolicy, Direction, FlakyPolicy, GateConfig, Mode, Report } from './engine/types.ts';
import { type GateEvent } from './gate.ts';
export type { Attempt, AttemptOutcome, AuditPolicy, AuditReport, AuditRun, CapturedOutput, Change, ChangeAudit, CheckReport, Direction, FileAudit, FlakyPolicy, MetricReport, MetricVerdict, Mode, NotAuditedReason, Outcome, Report, ReuseOrigin, RunResult, Sabotage, SabotagedRun, SandboxKind, SequentialReport, SequentialStop, TimingReport, TreeInfo, TreeRole, VacuityProbe, Verdict, } from './engine/types.ts';
export type { AuditKind, CheckSpec, FunctionCheckSpec, GateConfig, MetricSource, MetricSpec, ResourceLimits, ShellCheckSpec, SourceLocation, Tolerance, } from './engine/types.ts';
export { parseConfig, type ParseConfigOptions } from './engine/config.ts';
export { loadConfigFile, type LoadConfigOptions } from './run/config-file.ts';
export { ConfigError, QuorumError, type ErrorFate } from './engine/errors.ts';
export type { GateEvent } from './gate.ts';
/** A Report with a plain-text summary, as `verify` returns it (summary is not serialized). */
export type VerifyReport = Report & {
    summary(): string;
};
/** What `verify` takes besides the candidate: the gate's options a library caller may set. */
export interface VerifyOptions {
    /** Baseline tree; required in scored mode, optional (for comparison) in pass-fail. */
    baselineDir?: string | null;
    /** Overrides the mode the gate was built with. */
    mode?: Mode | null;
    /** Only run these checks (by name), in the order they were added. */
    only?: string[] | null;
    /** Do not run these checks (by name); the report lists them as skipped. */
    skip?: string[] | null;
    /** The audits to run whatever the gate says; `[]` runs none. */
    audit?: AuditKind[] | null;
    /** QUORUM_SEED for every run; random when absent. Recorded in the report. */
    seed?: string | null;
    /** Runs at once; default the gate's `parallel`, else the number of cores. */
    parallel?: number | null;
    /** Default the gate's `sandbox`, else `auto`. */
    sandbox?: 'auto' | 'overlay' | 'copy';
    /** Where full logs are kept. */
    logDir?: string;
    /** Keep the full log of runs that passed too (default: only of runs that did not). */
    keepPassingLogs?: boolean;
    /** The environment children's allowlisted variables are picked from (default process.env). */
    parentEnv?: Record<string, string | undefined>;
    /** Hears what the gate is doing (names and outcomes, never output). */
    onEvent?: (event: GateEvent) => void;
    /** Stops every run in flight, and the gate with them: what it returns then is no verdict. */
    abort?: AbortSignal;
}
/** What runGate takes: a validated config (parseConfig, loadConfigFile), the candidate, options. */
export interface RunGateOptions extends VerifyOptions {
    config: GateConfig;
    candidateDir: string;
}
/**
 * Runs every check of `options.config` on the candidate (and the baseline, if given) and
 * decides: the lower-level entry under Gate.verify, for a config read from a quorum.yml.
 * @throws ConfigError for a config (or its checks module) that cannot be used; a QuorumError of
 *   fate 'usage' for options that cannot work together (e.g. scored mode without a baseline).
 */
export declare function runGate(options: RunGateOptions): Promise<Report>;
export interface GateInit {
    mode?: Mode;
    /** How FLAKY counts: warn (default, does not block) or block. */
    flaky?: FlakyPolicy;
    parallel?: number;
    sandbox?: 'auto' | 'overlay' | 'copy';
    /** Names of this process's environment variables that checks may see. */
    envPassthrough?: string[];
    env?: Record<string, string>;
    setup?: string;
    /** Audits of the checks themselves (as quorum.yml's `audit`): vacuity, changes. */
    audit?: AuditKind[];
    /** How a check that passes on an empty tree counts (default warn). */
    vacuous?: AuditPolicy;
    /** How a changed file no check noticed counts (default warn). */
    uncovered?: AuditPolicy;
}
/** Builds a gate in code instead of quorum.yml. */
export declare class Gate {
    #private;
    constructor(init?: GateInit);
    /** Adds a shell check; throws a TypeError for a bad name, a duplicate or a bad timeout. */
    addShell(name: string, command: string, options?: {
        timeout_s?: number;
        score_from?: string;
        env?: Record<string, string>;
        /** Runs per tree (default 1). */
        repeats?: number;
        /** Extra attempts of a run that did not pass (default 0). */
        retries?: number;
        /** As in quorum.yml: `{ parse_ms: { direction: 'lower', tolerance: '5%' } }`. */
        metrics?: Record<string, {
            direction: Direction;
            tolerance?: number | string;
            deterministic?: boolean;
        }>;
        /** `fail`: a canary, which must not pass (never retried). */
        expect?: 'pass' | 'fail';
    }): this;
    /** Registers a function-checks module (its default export is a list of checks). */
    addFunctions(modulePath: string): this;
    /** Runs every check on the candidate (and the baseline, if given) and decides. */
    verify(candidateDir: string, options?: VerifyOptions): Promise<VerifyReport>;
    /** Copies an allowed candidate over live; returns false (and copies nothing) when blocked. */
    promote(candidateDir: string, liveDir: string, report: Report): Promise<boolean>;
}
