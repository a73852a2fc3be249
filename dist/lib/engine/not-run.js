/**
 * A RunResult for a run that never started: ERROR, the given reason (whole: callers word it),
 * zero duration and empty output. `logPath` points at a log that explains it (a failed setup's).
 */
export function notRunResult(p) {
    return {
        outcome: 'ERROR',
        reason: p.reason,
        score: null,
        duration_ms: 0,
        exit_code: null,
        signal: null,
        output: { head: '', tail: '', bytes: 0, truncated: false, log_path: p.logPath ?? null },
        seed: p.seed,
        sandbox: p.sandbox,
    };
}
