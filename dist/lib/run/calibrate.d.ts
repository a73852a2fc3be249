/** What the calibration found. */
export interface Calibration {
    /** Each run's own timing of the loop, in ms, in the order they ran. */
    samples_ms: number[];
    /** The spread of those timings, in percent of their median (robust: 1.4826 × MAD). */
    noise_pct: number;
}
/**
 * Calibrates with `prefix` (e.g. taskset -c 1) in front of each run; null when a run failed
 * (the reason is then the caller's to give: the timings are simply not known).
 */
export declare function calibrate(prefix: readonly string[], signal?: AbortSignal): Promise<Calibration | {
    error: string;
}>;
/** 100 × 1.4826 × MAD / median, rounded to 0.1: the spread of samples as a percentage. */
export declare function noisePct(samples: readonly number[]): number;
