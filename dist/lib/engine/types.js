/**
 * The shared vocabulary of Quorum, as plain data. Every layer (engine, run, report, github, cli)
 * speaks these types; none of them carries behaviour.
 */
/**
 * FLAKY: a run did not pass, then a retry on the same tree passed (or some repeats passed and
 * others did not). It is an outcome of a tree's result, never of a single attempt.
 */
export const OUTCOMES = ['PASSED', 'FAILED', 'TIMEOUT', 'CRASHED', 'ERROR', 'FLAKY'];
export const MODES = ['pass-fail', 'scored', 'no-regression'];
/**
 * The audits that test the checks themselves (src/engine/audit.ts): `vacuity` runs each check on
 * an empty tree, `changes` runs the checks against candidates in which one changed file is broken.
 */
export const AUDIT_KINDS = ['vacuity', 'changes'];
