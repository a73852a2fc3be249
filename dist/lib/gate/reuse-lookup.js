import { lookUpResults } from "../cache/reuse.js";
import { treesByRole } from "./options.js";
/**
 * The results of `checks` on the trees that the cache holds and may be reused (those runs are
 * not done again); null when the gate has no cache.
 */
export async function lookUpReusable(options, config, checks, dirs, sandbox) {
    if (!options.cache)
        return null;
    return lookUpResults(options.cache, config, checks, treesByRole(dirs), sandbox, options.abort);
}
/** The candidate's content identity: the caller's (a git tree id), else the hash looked up. */
export function candidateTreeIdOf(options, lookup) {
    return options.cache?.treeIds?.candidate ?? lookup?.treeIds.get('candidate') ?? null;
}
