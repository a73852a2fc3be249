/**
 * The environment a check's process gets. Built from nothing, never by deleting from the judge's
 * own: an allowlist cannot leak a secret that someone adds to the runner next year, a blocklist
 * can.
 */
import { DEFAULT_ENV_ALLOWED_PREFIXES, DEFAULT_ENV_ALLOWLIST, forbiddenEnvReason, } from "../engine/env-policy.js";
/**
 * The complete environment of one run, in this order (later wins):
 * 1. from `parent`: DEFAULT_ENV_ALLOWLIST, the LC_* family and the `passthrough` names, when set;
 *    a name that forbiddenEnvReason refuses is never taken from the parent, even when listed;
 * 2. the config's literal `env`;
 * 3. HOME, TMPDIR, TMP, TEMP (the run's own directories), CI=true, QUORUM=1, QUORUM_SEED,
 *    QUORUM_TREE and QUORUM_CHECK, which a config cannot override.
 * Nothing else.
 */
export function buildChildEnv(p) {
    const wanted = new Set([...DEFAULT_ENV_ALLOWLIST, ...p.passthrough]);
    // A Map, then fromEntries: plain assignment would treat a name like __proto__ specially.
    const child = new Map();
    for (const [name, value] of Object.entries(p.parent)) {
        if (value === undefined)
            continue;
        const allowed = wanted.has(name) || DEFAULT_ENV_ALLOWED_PREFIXES.some((prefix) => name.startsWith(prefix));
        if (allowed && forbiddenEnvReason(name) === null)
            child.set(name, value);
    }
    for (const [name, value] of Object.entries(p.env))
        child.set(name, value);
    const own = {
        HOME: p.home,
        TMPDIR: p.tmp,
        TMP: p.tmp,
        TEMP: p.tmp,
        CI: 'true',
        QUORUM: '1',
        QUORUM_SEED: p.seed,
        QUORUM_TREE: p.tree,
        QUORUM_CHECK: p.check,
    };
    for (const [name, value] of Object.entries(own))
        child.set(name, value);
    return Object.fromEntries(child);
}
