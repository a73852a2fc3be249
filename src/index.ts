/**
 * Quorum as a library, in the shape of the original tool's "Use as a library":
 *
 *   const gate = new Gate()
 *   gate.addShell('tests', 'npm test')
 *   gate.addFunctions('./quorum.checks.mjs')
 *   const report = await gate.verify('./candidate')
 *   console.log(report.summary())
 *   if (await gate.promote('./candidate', './live', report)) console.log('shipped')
 *
 * Function checks are registered by module path, not as function objects: each one runs in a
 * child process that imports the module, so a check is only ever code that can be loaded afresh.
 */
import { resolve } from 'node:path'
import {
  configInCode,
  DEFAULT_SETUP_TIMEOUT_S,
  DEFAULT_TIMEOUT_S,
  withScoreMetric,
} from './engine/config.ts'
import { z } from 'zod'
import { CHECK_NAME_PATTERN, MAX_CHECK_NAME_LENGTH, noiseKeys } from './engine/config-schema.ts'
import { parseTolerance } from './engine/numbers.ts'
import type {
  AuditKind,
  AuditPolicy,
  CheckSpec,
  Direction,
  FlakyPolicy,
  GateConfig,
  MetricSpec,
  Mode,
  Report,
} from './engine/types.ts'
import { runGate, type GateOptions } from './gate.ts'
import { promote } from './cli/promote.ts'
import { renderTerminal } from './report/terminal.ts'

export type * from './engine/types.ts'
export { ConfigError } from './engine/errors.ts'
export { parseConfig } from './engine/config.ts'
export { loadConfigFile } from './run/config-file.ts'
export { runGate, GateUsageError, type GateOptions, type GateEvent } from './gate.ts'
export { PromoteError } from './cli/promote.ts'

const NoiseOptions = z.object(noiseKeys)

/** A Report with a plain-text summary, as `verify` returns it (summary is not serialized). */
export type VerifyReport = Report & { summary(): string }

export interface GateInit {
  mode?: Mode
  /** How FLAKY counts: warn (default, does not block) or block. */
  flaky?: FlakyPolicy
  parallel?: number
  sandbox?: 'auto' | 'overlay' | 'copy'
  /** Names of this process's environment variables that checks may see. */
  envPassthrough?: string[]
  env?: Record<string, string>
  setup?: string
  /** Audits of the checks themselves (as quorum.yml's `audit`): vacuity, changes. */
  audit?: AuditKind[]
  /** How a check that passes on an empty tree counts (default warn). */
  vacuous?: AuditPolicy
  /** How a changed file no check noticed counts (default warn). */
  uncovered?: AuditPolicy
}

/** Builds a gate in code instead of quorum.yml. */
export class Gate {
  readonly #init: GateInit
  readonly #checks: CheckSpec[] = []
  #functions: string | null = null

  constructor(init: GateInit = {}) {
    this.#init = init
  }

  /** Adds a shell check; throws a TypeError for a bad name, a duplicate or a bad timeout. */
  addShell(
    name: string,
    command: string,
    options: {
      timeout_s?: number
      score_from?: string
      env?: Record<string, string>
      /** Runs per tree (default 1). */
      repeats?: number
      /** Extra attempts of a run that did not pass (default 0). */
      retries?: number
      /** As in quorum.yml: `{ parse_ms: { direction: 'lower', tolerance: '5%' } }`. */
      metrics?: Record<
        string,
        { direction: Direction; tolerance?: number | string; deterministic?: boolean }
      >
      /** `fail`: a canary, which must not pass (never retried). */
      expect?: 'pass' | 'fail'
    } = {},
  ): this {
    if (!CHECK_NAME_PATTERN.test(name) || name.length > MAX_CHECK_NAME_LENGTH) {
      throw new TypeError(`check name "${name}" must match ${CHECK_NAME_PATTERN}`)
    }
    if (this.#checks.some((c) => c.name.toLowerCase() === name.toLowerCase())) {
      throw new TypeError(`a check named "${name}" was already added`)
    }
    const timeout = options.timeout_s ?? DEFAULT_TIMEOUT_S
    if (!(Number.isFinite(timeout) && timeout > 0)) {
      throw new TypeError(`timeout_s of "${name}" must be a positive number, not ${timeout}`)
    }
    if (command.trim() === '') throw new TypeError(`check "${name}" needs a command`)
    if (options.expect === 'fail' && (options.retries ?? 0) > 0) {
      throw new TypeError(
        `check "${name}" is a canary (expect: 'fail'); canaries are never retried`,
      )
    }
    const noise = NoiseOptions.safeParse({
      repeats: options.repeats,
      retries: options.retries,
      metrics: options.metrics,
    })
    if (!noise.success) {
      const issue = noise.error.issues[0]!
      throw new TypeError(`check "${name}": ${issue.path.join('.')} ${issue.message}`)
    }
    const metrics: MetricSpec[] = Object.entries(noise.data.metrics ?? {}).map(([m, spec]) => ({
      name: m,
      direction: spec.direction,
      tolerance: parseTolerance(spec.tolerance),
      deterministic: spec.deterministic ?? false,
    }))
    this.#checks.push({
      kind: 'shell',
      name,
      command,
      timeout_s: timeout,
      score_from: options.score_from ?? null,
      env: options.env ?? {},
      repeats: noise.data.repeats ?? 1,
      retries: noise.data.retries ?? 0,
      metrics: withScoreMetric(metrics, options.score_from ?? null),
      ...(options.expect === 'fail' ? { expect: 'fail' as const } : {}),
    })
    return this
  }

  /** Registers a function-checks module (its default export is a list of checks). */
  addFunctions(modulePath: string): this {
    this.#functions = resolve(modulePath)
    return this
  }

  /** Runs every check on the candidate (and the baseline, if given) and decides. */
  async verify(
    candidateDir: string,
    options: Omit<GateOptions, 'config' | 'candidateDir'> = {},
  ): Promise<VerifyReport> {
    const report = await runGate({
      parallel: this.#init.parallel ?? null,
      sandbox: this.#init.sandbox ?? 'auto',
      ...options,
      config: this.#config(),
      candidateDir: resolve(candidateDir),
      baselineDir: options.baselineDir ? resolve(options.baselineDir) : null,
    })
    return Object.defineProperty(report, 'summary', {
      value: () => renderTerminal(report, { color: false }),
      enumerable: false,
    }) as VerifyReport
  }

  /** Copies an allowed candidate over live; returns false (and copies nothing) when blocked. */
  async promote(candidateDir: string, liveDir: string, report: Report): Promise<boolean> {
    if (report.verdict !== 'allow') return false
    await promote(candidateDir, liveDir, report)
    return true
  }

  #config(): GateConfig {
    return configInCode({
      mode: this.#init.mode ?? 'pass-fail',
      flaky: this.#init.flaky ?? 'warn',
      setup: this.#init.setup
        ? { command: this.#init.setup, timeout_s: DEFAULT_SETUP_TIMEOUT_S }
        : null,
      env_passthrough: this.#init.envPassthrough ?? [],
      env: this.#init.env ?? {},
      parallel: this.#init.parallel ?? null,
      functions: this.#functions,
      checks: [...this.#checks],
      ...(this.#init.audit ? { audit: [...this.#init.audit] } : {}),
      ...(this.#init.vacuous ? { vacuous: this.#init.vacuous } : {}),
      ...(this.#init.uncovered ? { uncovered: this.#init.uncovered } : {}),
    })
  }
}
