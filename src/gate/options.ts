/**
 * What a caller hands the gate (GateOptions), what it hears back while the gate works
 * (GateEvent), and the error for options that cannot work together.
 */
import type {
  AuditKind,
  CheckSpec,
  GateConfig,
  Mode,
  Report,
  RunResult,
  TreeRole,
} from '../engine/types.ts'
import { QuorumError } from '../engine/errors.ts'
import type { Shard } from '../engine/shard.ts'
import type { ResultCacheOptions } from '../cache/reuse.ts'

/** Something the caller can show while the gate works; names and outcomes only, never output. */
export type GateEvent =
  | {
      type: 'sandbox'
      kind: Report['sandbox']
      /** Why runs use copies although overlays were asked for (`auto`); null otherwise. */
      note?: string | null
    }
  | { type: 'setup'; tree: TreeRole; result: RunResult }
  | {
      type: 'start'
      check: string
      tree: TreeRole
      repeat?: number
      attempt?: number
      /** Set for an audit run: which audit tree (`empty tree`, or the broken file's path). */
      audit?: string
    }
  | {
      type: 'finish'
      check: string
      tree: TreeRole
      result: RunResult
      repeat?: number
      attempt?: number
      audit?: string
    }

export interface GateOptions {
  config: GateConfig
  candidateDir: string
  /** Baseline tree; required in scored mode, optional (for comparison) in pass-fail. */
  baselineDir?: string | null
  /** Overrides config.mode. */
  mode?: Mode | null
  /** Only run these checks (by name), in config order. */
  only?: string[] | null
  /** Do not run these checks (by name); the report lists them as skipped. */
  skip?: string[] | null
  /**
   * Run only this shard's share of the checks (see engine/shard.ts); the report records the
   * shard and every check of the config, so a publisher can tell a missing shard.
   */
  shard?: Shard | null
  /** Reuse consistent results from this cache, and store new ones in it (see src/run/reuse.ts). */
  cache?: ResultCacheOptions | null
  /**
   * The audits to run whatever the config says (the CLI's --audit); `[]` runs none. Absent: the
   * config's `audit`, else `auditDefault`.
   */
  audit?: AuditKind[] | null
  /** The audits to run when neither `audit` nor the config names any (the action: vacuity). */
  auditDefault?: AuditKind[] | null
  /** QUORUM_SEED for every run; random when absent. Recorded in the report. */
  seed?: string | null
  /** Overrides config.parallel. */
  parallel?: number | null
  sandbox?: 'auto' | 'overlay' | 'copy'
  /** Get per-run cgroups through `sudo -n` when not root (see delegateCgroupsWithSudo). */
  cgroupSudo?: boolean
  logDir?: string
  /** Keep the full log of runs that passed too (default: only of runs that did not). */
  keepPassingLogs?: boolean
  /** The environment children's allowlisted variables are picked from (default process.env). */
  parentEnv?: Record<string, string | undefined>
  commits?: { baseline?: string | null; candidate?: string | null }
  notices?: string[]
  /** One command line that reproduces a check's candidate run locally. */
  reproduce?: (check: CheckSpec, seed: string) => string
  onEvent?: (event: GateEvent) => void
  abort?: AbortSignal
  /**
   * Files and directories hidden from checks (covered by an empty mount inside each run's
   * namespace): credentials and runner control files. Only the overlay sandbox can do this.
   */
  maskPaths?: string[]
  /** Paths checks see read-only (overlay only), beyond the trees, the config and checks module. */
  readOnlyPaths?: string[]
}

/** A usage problem found before anything ran (e.g. scored mode without a baseline). */
export class GateUsageError extends QuorumError {
  constructor(message: string) {
    super('usage', message)
  }
}

/** The two trees' directories; the baseline is null when there is none. */
export interface TreeDirs {
  baseline: string | null
  candidate: string
}

/** The trees by role, the candidate first (the order their content is hashed in). */
export function treesByRole(dirs: TreeDirs): Map<TreeRole, string> {
  const trees = new Map<TreeRole, string>([['candidate', dirs.candidate]])
  if (dirs.baseline !== null) trees.set('baseline', dirs.baseline)
  return trees
}
