/** How the gate bounds its runs: at most N at once, started in the order they were handed in. */
/** Runs `task` when a slot is free, after every task handed in before it. */
export type Schedule = <T>(task: () => Promise<T>) => Promise<T>;
/**
 * A scheduler of at most `limit` tasks at once, started in the order they were handed in: the
 * normal runs are all handed in first, so an audit run handed in later waits behind them.
 */
export declare function createLimiter(limit: number): Schedule;
