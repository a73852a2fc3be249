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
/** `5%` (relative) or `2` (absolute, in the metric's unit); never negative. */
export const TOLERANCE_PATTERN = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(%?)\s*$/;
/** `5%` -> relative 0.05; `2` or "2" -> absolute 2 (the schema has checked the form). */
export function parseTolerance(written) {
    if (written === undefined)
        return { kind: 'absolute', value: 0 };
    if (typeof written === 'number')
        return { kind: 'absolute', value: written };
    const m = TOLERANCE_PATTERN.exec(written);
    if (!m)
        throw new Error(`internal: tolerance ${JSON.stringify(written)} passed the schema`);
    const value = Number(m[1]);
    return m[2] === '%' ? { kind: 'relative', fraction: value / 100 } : { kind: 'absolute', value };
}
/** A tolerance as a user writes it: `5%`, `2`. */
export function formatTolerance(t) {
    return t.kind === 'relative' ? `${Number((t.fraction * 100).toPrecision(12))}%` : `${t.value}`;
}
