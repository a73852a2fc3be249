/**
 * The timed phase: the runs of checks that measure a timing, each alone (the limiter sees to
 * that), all pinned to one CPU that the rest of the gate leaves alone, after a short calibration
 * that measures how much timings vary on this machine. The first timed run opens the phase (pin,
 * then calibrate); the executor closes it when the last timed run ended (the gate moves back).
 */
import { calibrate, type Calibration } from '../run/calibrate.ts'
import { pinTimedPhase, type Pinning } from '../run/cpu-affinity.ts'
import type { TimingReport } from '../engine/types.ts'

/** How the phase pins and calibrates: the machine's by default, fakes in tests. */
export interface TimedPhaseDeps {
  pin(): Promise<Pinning>
  calibrate(
    prefix: readonly string[],
    signal?: AbortSignal,
  ): Promise<Calibration | { error: string }>
}

const MACHINE: TimedPhaseDeps = { pin: () => pinTimedPhase(), calibrate }

/** The phase of one gate: nothing happens until the first timed run. */
export function openTimedPhase(deps: TimedPhaseDeps = MACHINE, signal?: AbortSignal) {
  let opening: Promise<void> | null = null
  let pinning: Pinning | null = null
  let summary: TimingReport | null = null
  let left = false
  const open = async () => {
    pinning = await deps.pin()
    const prefix = pinning.pinned ? pinning.prefix : []
    const measured = await deps.calibrate(prefix, signal)
    summary = {
      alone: true,
      cpu: pinning.pinned ? pinning.cpu : null,
      gate_cpus: pinning.pinned ? pinning.gateCpus : [],
      not_pinned_reason: pinning.pinned ? null : pinning.reason,
      calibration_ms: 'error' in measured ? [] : measured.samples_ms,
      noise_pct: 'error' in measured ? null : measured.noise_pct,
      calibration_error: 'error' in measured ? measured.error : null,
    }
  }
  return {
    /**
     * Runs one timed run's `task` (already alone in the limiter): the first one opens the
     * phase, so calibration, too, runs with nothing beside it.
     */
    async run<T>(task: () => Promise<T>): Promise<T> {
      opening ??= open()
      await opening
      return task()
    },
    /** The argv prefix a timed run starts with: empty until the phase is open, or unpinned. */
    prefix(): string[] {
      return pinning?.pinned ? pinning.prefix : []
    },
    /** Ends the phase: the gate moves back to every CPU it had. */
    async leave(): Promise<void> {
      if (left) return
      left = true
      await opening?.catch(() => undefined)
      const p = pinning as Pinning | null
      if (p?.pinned) await p.release().catch(() => undefined)
    },
    summary: (): TimingReport | null => summary,
  }
}
