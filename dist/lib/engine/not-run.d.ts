/**
 * The one shape of a result for a run that did not happen: the gate was stopped, its sandbox or
 * tree could not be made, or the tree's setup failed. Every such run is ERROR with a reason, has
 * no output of its own and no `sandbox_root` (so the audits count it as never started: see
 * checkStarted in engine/audit.ts).
 */
import type { RunResult, SandboxKind } from './types.ts';
/**
 * A RunResult for a run that never started: ERROR, the given reason (whole: callers word it),
 * zero duration and empty output. `logPath` points at a log that explains it (a failed setup's).
 */
export declare function notRunResult(p: {
    reason: string;
    seed: string;
    sandbox: SandboxKind;
    logPath?: string | null;
}): RunResult;
