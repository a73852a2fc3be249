/** How numbers are written everywhere (reasons, terminal, markdown): one dialect. Pure. */
/** A score as written: up to 4 decimals, no trailing zeros: 3.5, 4, 0.3 (not 0.30000000000000004). */
export function formatScore(score) {
    const rounded = Number(score.toFixed(4));
    return String(Object.is(rounded, -0) ? 0 : rounded);
}
/** A score delta with its sign ("+3", "−0.5", "±0"). */
export function formatDelta(delta) {
    if (formatScore(delta) === '0')
        return '±0';
    return delta > 0 ? `+${formatScore(delta)}` : `−${formatScore(-delta)}`;
}
