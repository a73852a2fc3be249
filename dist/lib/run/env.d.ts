import type { TreeRole } from '../engine/types.ts';
/**
 * The complete environment of one run, in this order (later wins):
 * 1. from `parent`: DEFAULT_ENV_ALLOWLIST, the LC_* family and the `passthrough` names, when set;
 *    a name that forbiddenEnvReason refuses is never taken from the parent, even when listed;
 * 2. the config's literal `env`;
 * 3. HOME, TMPDIR, TMP, TEMP (the run's own directories), CI=true, QUORUM=1, QUORUM_SEED,
 *    QUORUM_TREE and QUORUM_CHECK, which a config cannot override.
 * Nothing else.
 */
export declare function buildChildEnv(p: {
    parent: Record<string, string | undefined>;
    passthrough: string[];
    env: Record<string, string>;
    home: string;
    tmp: string;
    seed: string;
    tree: TreeRole;
    check: string;
}): Record<string, string>;
