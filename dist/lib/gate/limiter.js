/**
 * How the gate bounds its runs: at most N at once, started in the order they were handed in. A
 * task handed in `alone` (a timed run) starts only when nothing else runs, and nothing else
 * starts until it ends.
 */
/**
 * A scheduler of at most `limit` tasks at once, started in the order they were handed in: the
 * normal runs are all handed in first, so an audit run handed in later waits behind them. The
 * queue is strictly first in, first out: a task waiting to run alone holds back every task
 * handed in after it, and it starts when the tasks before it have ended.
 */
export function createLimiter(limit) {
    let active = 0;
    let aloneActive = false;
    const waiting = [];
    const canStart = (alone) => !aloneActive && (alone ? active === 0 : active < limit);
    const startWaiting = () => {
        while (waiting.length > 0 && canStart(waiting[0].alone)) {
            const next = waiting.shift();
            active++;
            if (next.alone)
                aloneActive = true;
            next.start();
        }
    };
    return async (task, options) => {
        const alone = options?.alone ?? false;
        if (waiting.length === 0 && canStart(alone)) {
            active++;
            if (alone)
                aloneActive = true;
        }
        else {
            await new Promise((start) => waiting.push({ alone, start }));
        }
        try {
            return await task();
        }
        finally {
            active--;
            if (alone)
                aloneActive = false;
            startWaiting();
        }
    };
}
