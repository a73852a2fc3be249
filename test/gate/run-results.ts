/** Run results as the workspace returns them, for the gate's tests. */
import type { AttemptRun } from '../../src/engine/repeats.ts'
import type { AttemptOutcome, RunResult, SandboxKind } from '../../src/engine/types.ts'

/** One run of a shell check in a sandbox, ended with `outcome`. */
export function ran(
  outcome: AttemptOutcome,
  p: {
    seed?: string
    metrics?: Record<string, number>
    score?: number | null
    printed?: string
    sandbox?: SandboxKind
    log?: string | null
  } = {},
): RunResult {
  const code = outcome === 'PASSED' ? 0 : outcome === 'FAILED' ? 1 : null
  return {
    outcome,
    reason:
      outcome === 'PASSED'
        ? 'exited with code 0'
        : outcome === 'FAILED'
          ? 'exited with code 1'
          : outcome === 'TIMEOUT'
            ? 'still running after 5s; killed'
            : outcome === 'CRASHED'
              ? 'killed by SIGSEGV'
              : 'command not found: nope',
    score: p.score ?? null,
    ...(p.metrics ? { metrics: p.metrics } : {}),
    duration_ms: 250,
    exit_code: code,
    signal: outcome === 'CRASHED' ? 'SIGSEGV' : null,
    output: {
      head: p.printed ?? '',
      tail: '',
      bytes: (p.printed ?? '').length,
      truncated: false,
      log_path: p.log ?? (outcome === 'PASSED' ? null : '/logs/run-1/candidate-unit-1.log'),
    },
    seed: p.seed ?? 'c0ffee00',
    sandbox: p.sandbox ?? 'overlay',
    sandbox_root: '/tmp/quorum-1/overlay/r1/root',
  }
}

let second = 0
/** One attempt as the executor records it: its result and when it started. */
export function attempt(result: RunResult): AttemptRun {
  second += 1
  return { result, started_at: new Date(Date.UTC(2026, 0, 2, 3, 4, second)).toISOString() }
}
