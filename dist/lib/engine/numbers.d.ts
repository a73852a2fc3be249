/** How numbers are written everywhere (reasons, terminal, markdown): one dialect. Pure. */
import type { Tolerance } from './types.ts';
/** A score as written: up to 4 decimals, no trailing zeros: 3.5, 4, 0.3 (not 0.30000000000000004). */
export declare function formatScore(score: number): string;
/** A score delta with its sign ("+3", "−0.5", "±0"). */
export declare function formatDelta(delta: number): string;
/** `5%` (relative) or `2` (absolute, in the metric's unit); never negative. */
export declare const TOLERANCE_PATTERN: RegExp;
/** `5%` -> relative 0.05; `2` or "2" -> absolute 2 (the schema has checked the form). */
export declare function parseTolerance(written: number | string | undefined): Tolerance;
/** A tolerance as a user writes it: `5%`, `2`. */
export declare function formatTolerance(t: Tolerance): string;
