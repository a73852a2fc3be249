/**
 * How the gate bounds its runs: at most N at once, started in the order they were handed in. A
 * task handed in `alone` (a timed run) starts only when nothing else runs, and nothing else
 * starts until it ends.
 */
/** Runs `task` when a slot is free, after every task handed in before it. */
export type Schedule = <T>(task: () => Promise<T>, options?: {
    alone?: boolean;
}) => Promise<T>;
/**
 * A scheduler of at most `limit` tasks at once, started in the order they were handed in: the
 * normal runs are all handed in first, so an audit run handed in later waits behind them. The
 * queue is strictly first in, first out: a task waiting to run alone holds back every task
 * handed in after it, and it starts when the tasks before it have ended.
 */
export declare function createLimiter(limit: number): Schedule;
