import { QuorumError } from "../engine/errors.js";
/** A usage problem found before anything ran (e.g. scored mode without a baseline). */
export class GateUsageError extends QuorumError {
    constructor(message) {
        super('usage', message);
    }
}
/** The trees by role, the candidate first (the order their content is hashed in). */
export function treesByRole(dirs) {
    const trees = new Map([['candidate', dirs.candidate]]);
    if (dirs.baseline !== null)
        trees.set('baseline', dirs.baseline);
    return trees;
}
