import type { AuditKind, AuditReport, CheckSpec, GateConfig, RunResult, TreeRole } from '../engine/types.ts';
import { type AuditCache } from '../cache/reuse.ts';
import type { PreparedTree, RunOptions, Workspace } from '../run/workspace.ts';
/**
 * Largest changed file the change-coverage audit breaks. Each audited file is read whole and held
 * while the gate runs; a larger one is almost always generated or minified, and is listed as too
 * large, like the files beyond MAX_AUDITED_TOTAL_BYTES together.
 */
export declare const MAX_AUDITED_FILE_BYTES: number;
/** The most the audited files may hold together (a raised audit_max_files must not raise it). */
export declare const MAX_AUDITED_TOTAL_BYTES: number;
/** What an audit run tells the gate's caller (progress lines); names and outcomes only. */
export interface AuditEvent {
    type: 'start' | 'finish';
    check: string;
    tree: TreeRole;
    /** Which audit tree: `empty tree`, or the broken file's path. */
    audit: string;
    result?: RunResult;
}
export interface AuditRunsOptions {
    kinds: readonly AuditKind[];
    config: GateConfig;
    /** The checks the gate runs, in config order. */
    checks: readonly CheckSpec[];
    workspace: Workspace;
    dirs: {
        baseline: string | null;
        candidate: string;
    };
    /** The gate's prepared tree of `role` (prepared on first use when the gate did not need it). */
    treeFor: (role: TreeRole) => Promise<{
        tree: PreparedTree;
        setup: RunResult | null;
    }>;
    /** The gate's scheduler: runs `task` when a slot is free, after what is queued already. */
    schedule: <T>(task: () => Promise<T>) => Promise<T>;
    /** Resolves when the audit runs may start (after the normal runs, when timings are measured). */
    hold: Promise<void>;
    /** What every run gets (seed, environment, abort); limits come per check. */
    runOptions: Omit<RunOptions, 'limits'>;
    cache: AuditCache | null;
    /** The candidate's content identity, when known: variants are cached under it. */
    candidateTreeId: string | null;
    onEvent?: (event: AuditEvent) => void;
    abort?: AbortSignal;
}
export declare class AuditRuns {
    private readonly o;
    private readonly probeRole;
    private readonly probes;
    private readonly audited;
    private readonly plan;
    private emptyTree;
    constructor(options: AuditRunsOptions);
    /**
     * Takes a check's final result on a tree (run now or reused) and starts the audit runs it
     * qualifies the check for. Call once per check and tree, before finish().
     */
    onResult(role: TreeRole, check: CheckSpec, result: RunResult): void;
    /** Waits for every audit run started, and returns the report's `audit` and notices for it. */
    finish(): Promise<{
        audit: AuditReport;
        notices: string[];
    }>;
    private maxFiles;
    private probe;
    /**
     * Finds which audited files `check` notices, in the plan's order. Runs with several files
     * broken at once stand in for runs per file wherever they can (see the module comment); a file
     * is counted noticed only from a run with that file alone broken.
     */
    private auditCheck;
    /** One run of `check` against the candidate with the files of `group` broken (one layer). */
    private runGroup;
    /** The candidate with the files of `group` broken: one layer holding them, made once. */
    private variantOf;
    /**
     * One audit run of `check`: from the cache when `treeId` is known and a result is stored,
     * else in a sandbox of `tree()`, scheduled behind what is queued.
     */
    private runAudit;
    /** Lists the changed files, chooses those to audit, and reads and breaks each one. */
    private planChanges;
}
