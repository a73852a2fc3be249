import type { CheckReport, CheckSpec, GateConfig, RunResult, TreeRole } from '../engine/types.ts';
/** Where results are kept between runs. */
export interface ResultStore {
    get(key: string): Promise<{
        payload: unknown;
        stored_at: string;
    } | null>;
    put(key: string, payload: unknown): Promise<void>;
    /** Problems met so far (a corrupt entry, a failed write), one line each. */
    warnings: string[];
}
export interface ResultCacheOptions {
    store: ResultStore;
    /** How a reused result names where it came from. */
    origin: (key: string, role: TreeRole) => {
        cache: 'local' | 'actions';
        location: string;
    };
    /** Tree identities the caller knows (`git-tree:<sha>` in the action); others are hashed. */
    treeIds?: Partial<Record<TreeRole, string>>;
    /** The environment passthrough values are read from (their hashes are part of the key). */
    parentEnv?: Record<string, string | undefined>;
    /**
     * A secret of this machine that signs every stored result (HMAC-SHA256), so an entry this
     * machine did not write (one committed to a repository's `.quorum/cache`, say) is refused.
     * The CLI keeps one in the user's cache directory; the action has none, and trusts the
     * Actions cache's scoping instead (see the README).
     */
    secret?: Buffer | null;
}
export interface Lookup {
    reused: Map<string, RunResult>;
    /** The cache key of every (tree, check) that may be stored. */
    keys: Map<string, string>;
    treeIds: Map<TreeRole, string>;
    warnings: string[];
}
/** This machine's platform as result keys name it: `linux-x64-node24`. */
export declare function thisPlatform(): string;
/** The map key of one check's result on one tree. */
export declare function runKey(role: TreeRole, check: string): string;
/** A check whose results may be reused: every metric it declares is deterministic. */
export declare function isReusable(check: CheckSpec): boolean;
/** A result worth storing: the same PASSED or FAILED on every attempt, nothing else. */
export declare function isConsistent(result: RunResult): boolean;
/** Looks up every reusable check on every tree; what is found is not run again. */
export declare function lookUpResults(options: ResultCacheOptions, config: GateConfig, checks: readonly CheckSpec[], dirs: ReadonlyMap<TreeRole, string>, 
/** Part of the key: results from an overlay and a copy sandbox are not interchangeable. */
sandbox: string, abort?: AbortSignal): Promise<Lookup>;
/** Stores every consistent result that was run now (not reused) under its key. */
export declare function storeResults(options: ResultCacheOptions, lookup: Lookup, reports: readonly CheckReport[], reused: ReadonlyMap<string, RunResult>): Promise<void>;
/**
 * The cache of the audits' runs (see src/gate/audit-runs.ts): a check on a tree that is not one of
 * the gate's own, named by an identity of its own (the empty tree; the candidate with one file
 * broken). Only the outcome of such a run is read, so every check may be cached, whatever its
 * metrics; only consistent results (PASSED or FAILED) are stored, as for the normal runs.
 */
export interface AuditCache {
    /** The stored result of `check` on the tree `treeId`, marked as reused; null on a miss. */
    get(check: CheckSpec, treeId: string, role: TreeRole): Promise<RunResult | null>;
    /** Stores a consistent result that was run now; anything else is ignored. */
    put(check: CheckSpec, treeId: string, result: RunResult): Promise<void>;
    /** Entries that were found but refused, one line each. */
    warnings: string[];
}
/**
 * The tree identity of the empty tree of the vacuity probe. Its runs do not depend on the trees
 * being judged, so one probe result serves every base until the check's definition changes.
 */
export declare const EMPTY_TREE_ID = "empty-tree:1";
/**
 * Opens the audit cache over the same store, keyed like the normal runs (check definition,
 * Quorum's version, the platform and sandbox kind) with `setup` as given: null for the empty tree,
 * whose setup never runs; the config's setup for a variant, which sits over the setup's output.
 */
export declare function openAuditCache(options: ResultCacheOptions, config: GateConfig, sandbox: string): AuditCache;
/** The name of the signing secret's file in its directory (see machineSecret). */
export declare const SECRET_FILE = "result-secret";
/**
 * This machine's secret for signing cached results: 32 random bytes in `dir/result-secret`
 * (0600, created on first use, never followed through a link). Throws when it can be neither
 * read nor created; the caller then does without a cache.
 */
export declare function machineSecret(dir: string): Promise<Buffer>;
