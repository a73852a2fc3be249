import type { Report } from '../engine/types.ts';
import type { GateOptions } from './options.ts';
/**
 * Runs every configured check on the candidate (and the baseline, when given) and decides.
 * Never throws for anything a check does: a broken check is a RunResult, not an exception.
 * Throws ConfigError for a bad functions module and GateUsageError for bad options.
 */
export declare function runGate(options: GateOptions): Promise<Report>;
