import type { AuditReport, AuditRun, FileAudit, NotAuditedReason, RunResult, Sabotage, SabotagedRun, TreeRole, VacuityProbe } from './types.ts';
/** The languages a file can be broken in so that loading it fails loudly. */
export type SabotageLanguage = 'js' | 'python' | 'shell';
/** How many bytes of a file tell whether it is binary (git's rule: a NUL among the first 8000). */
export declare const BINARY_SNIFF_BYTES = 8000;
/** Most changed files a report lists as not audited; the rest are counted. */
export declare const MAX_NOT_AUDITED_LISTED = 1000;
/** Reason prefix of a run whose sandbox could not be set up: the check itself never started. */
export declare const SANDBOX_SETUP_FAILED = "the sandbox could not be set up";
/** Whether `head` (the first bytes of a file) says the file is binary: it holds a NUL byte. */
export declare function isBinary(head: Uint8Array): boolean;
/**
 * The language a file can be broken in: by its extension, else by its `#!` line (`env` and its
 * options are looked through); null when neither says.
 */
export declare function languageOf(path: string, head: Uint8Array): SabotageLanguage | null;
/**
 * The file `path` (relative, `/`-separated) with `content`, broken so that loading or executing
 * it fails loudly: JavaScript and TypeScript get a first-line `throw`, Python a `raise`, shell an
 * `exit 1` with a message on stderr, each after a `#!` line (and Python's coding line) so those
 * keep their meaning; anything else loses its content. The rest of the file stays as it was.
 */
export declare function sabotage(path: string, content: Uint8Array): {
    content: Buffer;
    how: Sabotage;
};
/**
 * Whether a run's `text` (its output or reason) shows the message of the broken `path`, as
 * printed or as its string literal (a shell file prints the literal's escapes as they are).
 */
export declare function showsSabotageOf(text: string, path: string): boolean;
/** A changed file as the audit plans it: its path and what its first bytes say. */
export interface AuditCandidate {
    path: string;
    status: 'added' | 'modified';
    /** null: not a regular file (a link, a FIFO, ...), or unreadable. */
    head: Uint8Array | null;
    /** A regular file that could not be read. */
    unreadable?: boolean;
}
/** The changed files to break, in the order to run them, and those left out with why. */
export interface AuditPlan {
    files: Array<AuditCandidate & {
        language: SabotageLanguage | null;
    }>;
    notAudited: Array<{
        path: string;
        why: NotAuditedReason;
    }>;
}
/**
 * Chooses the changed files to break: regular, not binary, not the gate's own files (`own`: the
 * config and checks module, which judge the code rather than being judged), not matched by
 * `ignore`; at most `maxFiles` of them, code files (a language to break them in) first, each
 * group in path order.
 */
export declare function planChangeAudit(changed: readonly AuditCandidate[], options: {
    maxFiles: number;
    ignore: readonly string[];
    own?: readonly string[];
}): AuditPlan;
/** Whether the check itself started in this run (not: stopped before, or its sandbox failed). */
export declare function checkStarted(result: RunResult): boolean;
/** What the report keeps of an audit run. */
export declare function auditRunOf(result: RunResult): AuditRun;
/** The probe of `check` on an empty tree: vacuous when it PASSED there. */
export declare function vacuityProbeOf(check: string, probed: TreeRole, result: RunResult): VacuityProbe;
/**
 * One check's run against a broken file: it noticed when it did not pass (FAILED, TIMEOUT,
 * CRASHED, or ERROR: a check that hangs or dies on the broken tree noticed too).
 */
export declare function sabotagedRunOf(check: string, result: RunResult): SabotagedRun;
/** One broken file's findings, its runs in the order of `checkOrder`. */
export declare function fileAuditOf(file: {
    path: string;
    status: 'added' | 'modified';
    sabotage: Sabotage;
}, runs: readonly SabotagedRun[], checkOrder: readonly string[]): FileAudit;
/**
 * What the audits found, counted: checks that passed on an empty tree, and audited changed files
 * no check noticed (0 for an audit that did not run).
 */
export declare function auditCounts(audit: AuditReport | undefined): {
    vacuous: number;
    uncovered: number;
};
/**
 * What the audit findings do to the verdict: `blocking` reasons under a `block` policy, and
 * `warnings` (shown among the reasons, not blocking) under `warn`.
 */
export declare function decideAudit(audit: AuditReport): {
    blocking: string[];
    warnings: string[];
};
