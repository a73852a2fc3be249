/**
 * Quorum as a library: `import { Gate } from 'quorum-gate'`. This file is the stable API, under
 * semver: what it exports by name (the Gate class and what it takes and returns, the Report and
 * every type a Report contains, parseConfig, loadConfigFile and the config's types, runGate and
 * its options, ConfigError and QuorumError) changes incompatibly only in a major version.
 * Anything not exported here is internal, even where the published declarations mention it or a
 * path inside the package reaches it, and may change in any release.
 *
 * In the shape of the original tool's "Use as a library":
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
  noiseOf,
} from './engine/config.ts'
import { z } from 'zod'
import { CHECK_NAME_PATTERN, MAX_CHECK_NAME_LENGTH, noiseKeys } from './engine/config-schema.ts'
import type {
  AuditKind,
  AuditPolicy,
  CheckSpec,
  Direction,
  FlakyPolicy,
  GateConfig,
  Mode,
  Report,
} from './engine/types.ts'
import { runGate as runGateInternal, type GateEvent } from './gate.ts'
import { promote } from './cli/promote.ts'
import { renderTerminal } from './report/terminal.ts'

// The Report (what verify and runGate resolve with) and every type it contains.
export type {
  Attempt,
  AttemptOutcome,
  AuditPolicy,
  AuditReport,
  AuditRun,
  CapturedOutput,
  Change,
  ChangeAudit,
  CheckReport,
  Direction,
  FileAudit,
  FlakyPolicy,
  MetricReport,
  MetricVerdict,
  Mode,
  NotAuditedReason,
  Outcome,
  Report,
  ReuseOrigin,
  RunResult,
  Sabotage,
  SabotagedRun,
  SandboxKind,
  SequentialReport,
  SequentialStop,
  TimingReport,
  TreeInfo,
  TreeRole,
  VacuityProbe,
  Verdict,
} from './engine/types.ts'
// The config (what parseConfig and loadConfigFile return, and runGate takes) and its parts.
export type {
  AuditKind,
  CheckSpec,
  FunctionCheckSpec,
  GateConfig,
  MetricSource,
  MetricSpec,
  ResourceLimits,
  ShellCheckSpec,
  SourceLocation,
  Tolerance,
} from './engine/types.ts'
export { parseConfig, type ParseConfigOptions } from './engine/config.ts'
export { loadConfigFile, type LoadConfigOptions } from './run/config-file.ts'
export { ConfigError, QuorumError, type ErrorFate } from './engine/errors.ts'
export type { GateEvent } from './gate.ts'

const NoiseOptions = z.object(noiseKeys)

/** A Report with a plain-text summary, as `verify` returns it (summary is not serialized). */
export type VerifyReport = Report & { summary(): string }

/** What `verify` takes besides the candidate: the gate's options a library caller may set. */
export interface VerifyOptions {
  /** Baseline tree; required in scored mode, optional (for comparison) in pass-fail. */
  baselineDir?: string | null
  /** Overrides the mode the gate was built with. */
  mode?: Mode | null
  /** Only run these checks (by name), in the order they were added. */
  only?: string[] | null
  /** Do not run these checks (by name); the report lists them as skipped. */
  skip?: string[] | null
  /** The audits to run whatever the gate says; `[]` runs none. */
  audit?: AuditKind[] | null
  /** QUORUM_SEED for every run; random when absent. Recorded in the report. */
  seed?: string | null
  /** Runs at once; default the gate's `parallel`, else the number of cores. */
  parallel?: number | null
  /** Default the gate's `sandbox`, else `auto`. */
  sandbox?: 'auto' | 'overlay' | 'copy'
  /** Where full logs are kept. */
  logDir?: string
  /** Keep the full log of runs that passed too (default: only of runs that did not). */
  keepPassingLogs?: boolean
  /** The environment children's allowlisted variables are picked from (default process.env). */
  parentEnv?: Record<string, string | undefined>
  /** Hears what the gate is doing (names and outcomes, never output). */
  onEvent?: (event: GateEvent) => void
  /** Stops every run in flight, and the gate with them: what it returns then is no verdict. */
  abort?: AbortSignal
}

/** What runGate takes: a validated config (parseConfig, loadConfigFile), the candidate, options. */
export interface RunGateOptions extends VerifyOptions {
  config: GateConfig
  candidateDir: string
}

/**
 * Runs every check of `options.config` on the candidate (and the baseline, if given) and
 * decides: the lower-level entry under Gate.verify, for a config read from a quorum.yml.
 * @throws ConfigError for a config (or its checks module) that cannot be used; a QuorumError of
 *   fate 'usage' for options that cannot work together (e.g. scored mode without a baseline).
 */
export function runGate(options: RunGateOptions): Promise<Report> {
  return runGateInternal(options)
}

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
    this.#checks.push({
      kind: 'shell',
      name,
      command,
      timeout_s: timeout,
      score_from: options.score_from ?? null,
      env: options.env ?? {},
      ...noiseOf(noise.data, options.score_from ?? null),
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
  async verify(candidateDir: string, options: VerifyOptions = {}): Promise<VerifyReport> {
    const report = await runGateInternal({
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
