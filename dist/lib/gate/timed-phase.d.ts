/**
 * The timed phase: the runs of checks that measure a timing, each alone (the limiter sees to
 * that), all pinned to one CPU that the rest of the gate leaves alone, after a short calibration
 * that measures how much timings vary on this machine. The first timed run opens the phase (pin,
 * then calibrate); the executor closes it when the last timed run ended (the gate moves back).
 */
import { type Calibration } from '../run/calibrate.ts';
import { type Pinning } from '../run/cpu-affinity.ts';
import type { TimingReport } from '../engine/types.ts';
/** How the phase pins and calibrates: the machine's by default, fakes in tests. */
export interface TimedPhaseDeps {
    pin(): Promise<Pinning>;
    calibrate(prefix: readonly string[], signal?: AbortSignal): Promise<Calibration | {
        error: string;
    }>;
}
/** The phase of one gate: nothing happens until the first timed run. */
export declare function openTimedPhase(deps?: TimedPhaseDeps, signal?: AbortSignal): {
    /**
     * Runs one timed run's `task` (already alone in the limiter): the first one opens the
     * phase, so calibration, too, runs with nothing beside it.
     */
    run<T>(task: () => Promise<T>): Promise<T>;
    /** The argv prefix a timed run starts with: empty until the phase is open, or unpinned. */
    prefix(): string[];
    /** Ends the phase: the gate moves back to every CPU it had. */
    leave(): Promise<void>;
    summary: () => TimingReport | null;
};
