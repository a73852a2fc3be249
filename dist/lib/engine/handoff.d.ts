/** The envelope's file name inside the report directory. */
export declare const ENVELOPE_FILE = "quorum-envelope.json";
/** The report's file name inside the report directory. */
export declare const REPORT_FILE = "quorum-report.json";
/** Identifies an envelope; the version changes when a publisher could misread an older one. */
export declare const HANDOFF_FORMAT = "quorum-handoff";
export declare const HANDOFF_VERSION = 1;
/** What the gate stage writes next to its report. */
export interface Envelope {
    format: typeof HANDOFF_FORMAT;
    version: typeof HANDOFF_VERSION;
    /** The gate-name input. */
    gate: string;
    /** `owner/repo` the gate ran in. */
    repository: string;
    /** GITHUB_EVENT_NAME of the gate's run. */
    event: string;
    /** The commit the verdict belongs to (the PR head). */
    head_sha: string;
    /** The baseline commit the gate judged against; null when there was none. */
    base_sha: string | null;
    /** The commit whose code was judged (for pull_request, GitHub's test merge commit). */
    candidate_sha: string;
    /** The PR number as the gate's event said. Informational only: the publisher looks it up. */
    pull_request: number | null;
    /** GITHUB_RUN_ID and GITHUB_RUN_ATTEMPT of the gate's job. */
    run: {
        id: number;
        attempt: number;
    };
    shard: {
        index: number;
        total: number;
    } | null;
    /** configHash() of the config and checks module the gate used. */
    config_hash: string;
}
/** The envelope in `value`, or why it is not one (one line naming the first bad field). */
export declare function parseEnvelope(value: unknown): {
    ok: true;
    envelope: Envelope;
} | {
    ok: false;
    why: string;
};
/**
 * One identity for "the same checks": the bytes of the config file and of the checks module it
 * names (or their absence). Shards whose hashes differ were judged by different gates, and are
 * never merged. Length-prefixed, so no two different pairs hash alike.
 */
export declare function configHash(config: Uint8Array, functions: Uint8Array | null): string;
