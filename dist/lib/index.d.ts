import type { AuditKind, AuditPolicy, Direction, FlakyPolicy, Mode, Report } from './engine/types.ts';
import { type GateOptions } from './gate.ts';
export type * from './engine/types.ts';
export { ConfigError } from './engine/errors.ts';
export { parseConfig } from './engine/config.ts';
export { loadConfigFile } from './run/config-file.ts';
export { runGate, GateUsageError, type GateOptions, type GateEvent } from './gate.ts';
export { PromoteError } from './cli/promote.ts';
/** A Report with a plain-text summary, as `verify` returns it (summary is not serialized). */
export type VerifyReport = Report & {
    summary(): string;
};
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
    verify(candidateDir: string, options?: Omit<GateOptions, 'config' | 'candidateDir'>): Promise<VerifyReport>;
    /** Copies an allowed candidate over live; returns false (and copies nothing) when blocked. */
    promote(candidateDir: string, liveDir: string, report: Report): Promise<boolean>;
}
