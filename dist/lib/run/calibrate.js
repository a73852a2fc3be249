/**
 * How much timings vary on this machine, measured before the timed phase: the same fixed loop,
 * run a few times where the timed runs will run (pinned to their CPU when they are), each run
 * timing itself. Their spread is the noise floor a timing tolerance should sit above.
 */
import { median } from "../engine/stats.js";
import { exec, whyFailed } from "./exec.js";
import { SYSTEM_PATH } from "./system-tools.js";
/** Runs of the loop; the first is a warm-up and not counted. */
const CALIBRATION_RUNS = 8;
const RUN_TIMEOUT_MS = 20_000;
/** About 30 ms on a 2020s x86 core: long against the timer, short against the gate. */
const LOOP = [
    'const t = process.hrtime.bigint()',
    'let x = 0',
    'for (let i = 0; i < 4e6; i++) x = (x * 31 + i) % 1000003',
    'const ms = Number(process.hrtime.bigint() - t) / 1e6',
    'process.stdout.write(`${ms} ${x}\\n`)',
].join('\n');
/**
 * Calibrates with `prefix` (e.g. taskset -c 1) in front of each run; null when a run failed
 * (the reason is then the caller's to give: the timings are simply not known).
 */
export async function calibrate(prefix, signal) {
    const samples = [];
    for (let i = 0; i < CALIBRATION_RUNS; i++) {
        const r = await exec({
            argv: [...prefix, process.execPath, '-e', LOOP],
            env: { PATH: SYSTEM_PATH },
            timeoutMs: RUN_TIMEOUT_MS,
            ...(signal ? { signal } : {}),
        });
        const ms = Number(r.stdout.trim().split(' ')[0]);
        if (r.code !== 0 || !Number.isFinite(ms) || ms <= 0) {
            return { error: whyFailed(r) ?? `it printed no timing: ${r.stdout.trim().slice(0, 100)}` };
        }
        if (i > 0)
            samples.push(Math.round(ms * 1000) / 1000);
    }
    return { samples_ms: samples, noise_pct: noisePct(samples) };
}
/** 100 × 1.4826 × MAD / median, rounded to 0.1: the spread of samples as a percentage. */
export function noisePct(samples) {
    const m = median(samples);
    if (m === 0)
        return 0;
    const mad = median(samples.map((v) => Math.abs(v - m)));
    return Math.round((1000 * 1.4826 * mad) / m) / 10;
}
