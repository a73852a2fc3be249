/**
 * Promote: make the live directory match an allowed candidate (the original tool's
 * `--promote --live DIR`). Files the candidate deleted are deleted from live too, so live ends up
 * exactly what was verified; a top-level `.git` in live is left alone.
 */
import { QuorumError } from '../engine/errors.ts';
import type { Report } from '../engine/types.ts';
export declare class PromoteError extends QuorumError {
    constructor(message: string);
}
/** Copies candidate over live when the report allows it; throws PromoteError otherwise. */
export declare function promote(candidateDir: string, liveDir: string, report: Report): Promise<void>;
