import { type AuditCandidate } from '../engine/audit.ts';
/** What changed, and what could not be compared (so the caller can say so). */
export interface ChangedFiles {
    /** Changed or added entries, in path order, with the first bytes of every regular file. */
    changed: AuditCandidate[];
    /** Paths skipped because their names are not valid UTF-8 (they cannot be named safely). */
    unnamed: number;
}
/**
 * The entries of `candidateDir` that are new or differ from `baselineDir` (content, type, the
 * owner-executable bit, or a link's text). Rejects when a directory or file of the candidate
 * cannot be read, or with the signal's reason when `abort` fires.
 */
export declare function listChangedFiles(baselineDir: string, candidateDir: string, options?: {
    abort?: AbortSignal;
}): Promise<ChangedFiles>;
