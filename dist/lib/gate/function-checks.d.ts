import type { GateConfig } from '../engine/types.ts';
import type { Workspace } from '../run/workspace.ts';
/**
 * `config` with the checks its functions module exports added (as is when it names none).
 * Throws ConfigError for a module that cannot be listed or lists bad checks.
 */
export declare function withFunctionChecks(config: GateConfig, workspace: Workspace, abort: AbortSignal | undefined): Promise<GateConfig>;
