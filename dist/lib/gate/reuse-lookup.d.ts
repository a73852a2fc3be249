/** The gate's side of the result cache: what it already holds for this gate's runs. */
import type { CheckSpec, GateConfig, SandboxKind } from '../engine/types.ts';
import { type Lookup } from '../cache/reuse.ts';
import { type GateOptions, type TreeDirs } from './options.ts';
/**
 * The results of `checks` on the trees that the cache holds and may be reused (those runs are
 * not done again); null when the gate has no cache.
 */
export declare function lookUpReusable(options: Pick<GateOptions, 'cache' | 'abort'>, config: GateConfig, checks: readonly CheckSpec[], dirs: TreeDirs, sandbox: SandboxKind): Promise<Lookup | null>;
/** The candidate's content identity: the caller's (a git tree id), else the hash looked up. */
export declare function candidateTreeIdOf(options: Pick<GateOptions, 'cache'>, lookup: Lookup | null): string | null;
