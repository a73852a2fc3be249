/** How the gate bounds its runs: at most N at once, started in the order they were handed in. */
/**
 * A scheduler of at most `limit` tasks at once, started in the order they were handed in: the
 * normal runs are all handed in first, so an audit run handed in later waits behind them.
 */
export function createLimiter(limit) {
    let active = 0;
    const waiting = [];
    return async (task) => {
        if (active < limit)
            active++;
        else
            await new Promise((resolve) => waiting.push(resolve));
        try {
            return await task();
        }
        finally {
            // The slot passes to the next waiting task, or frees up.
            const next = waiting.shift();
            if (next)
                next();
            else
                active--;
        }
    };
}
