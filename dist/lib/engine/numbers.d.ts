/** How numbers are written everywhere (reasons, terminal, markdown): one dialect. Pure. */
/** A score as written: up to 4 decimals, no trailing zeros: 3.5, 4, 0.3 (not 0.30000000000000004). */
export declare function formatScore(score: number): string;
/** A score delta with its sign ("+3", "−0.5", "±0"). */
export declare function formatDelta(delta: number): string;
