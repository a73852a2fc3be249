/**
 * The shared vocabulary of Quorum, as plain data. Every layer (engine, run, report, github, cli)
 * speaks these types; none of them carries behaviour.
 */
export const OUTCOMES = ['PASSED', 'FAILED', 'TIMEOUT', 'CRASHED', 'ERROR'];
export const MODES = ['pass-fail', 'scored'];
