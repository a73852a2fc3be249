import type { AuditReport, Change, CheckReport, FlakyPolicy, MetricReport, Mode, Outcome, RunResult, Verdict } from './types.ts';
/**
 * How one check moved from baseline to candidate, and by how much its score changed.
 * Without a baseline run the change is just `passing` or `failing`.
 */
export declare function compareRuns(baseline: RunResult | null, candidate: RunResult): {
    change: Change;
    score_delta: number | null;
};
/**
 * Allow or block, with the reasons that decided it, most important first.
 *
 * pass-fail: allow iff every check passed on the candidate. Baseline runs, when present, do not
 * change the verdict; they only tell a regression from a failure that was already there.
 *
 * scored: allow iff every check has a baseline run, the candidate's total score is strictly
 * greater than the baseline's, and no check that passed on the baseline does not pass on the
 * candidate.
 *
 * no-regression: block iff something got worse: a check that passed on the baseline does not
 * pass on the candidate, a check without a baseline result does not pass, a metric regressed, or
 * the candidate breaks the check's own declaration (a metric never printed). Failures the
 * baseline already had are named and do not block.
 *
 * FLAKY counts as passing under `flaky: warn` (named among the reasons) and as failing under
 * `flaky: block`. A gate with no checks blocks: it has verified nothing.
 *
 * Canaries (`expect: fail`) are left out of the mode's rules and judged on their own: one that
 * passes on the candidate blocks, first among the reasons (see decideCanaries).
 *
 * With an `audit`, its findings count too (see decideAudit): under `block` they block, after the
 * mode's own blocking reasons; under `warn` they are named last, like FLAKY checks.
 *
 * Reasons, in order: canaries that pass, the mode's blocking reasons, the audit's blocking
 * findings, the mode's other reasons (when it allowed), then everything not blocking.
 */
export declare function decideVerdict(mode: Mode, checks: readonly CheckReport[], options?: {
    flaky?: FlakyPolicy;
    audit?: AuditReport | null;
}): {
    verdict: Verdict;
    reasons: string[];
};
/** A canary: a check configured with `expect: fail`, which must not pass. */
export declare function isCanary(check: {
    expect?: 'fail';
}): boolean;
/** How many runs ended in each outcome (every outcome present, zero when none). */
export declare function countOutcomes(runs: readonly RunResult[]): Record<Outcome, number>;
/**
 * Sum of the runs' scores. A run without a score counts as 0; so does a non-finite score, so
 * that a check reporting Infinity cannot win scored mode on its own.
 */
export declare function totalScore(runs: readonly RunResult[]): number;
/** One metric in one line: "regressed: bench parse_ms 12.1 → 13.4 (+10.7%, 99% CI +8.2% … +13.1%; tolerance 5%)". */
export declare function describeMetric(check: string, m: MetricReport): string;
/** A signed percentage with one decimal: "+4.2%", "−0.3%", "±0%". */
export declare function formatPercent(pct: number): string;
