/**
 * What a gate-stage job hands to the publish stage (DESIGN "Forks and shards"): a directory with
 * two files, the report and an envelope that says which run, commit, event, gate, shard and
 * config the report belongs to. The directory is uploaded as an artifact by the workflow
 * (actions/upload-artifact v4 zips its contents at the root and leaves hidden files out, so
 * neither name starts with a dot).
 *
 * The publisher reads both as hostile data: the envelope is schema-checked and capped like the
 * report, and every claim in it is compared with what the publisher can look up itself (the
 * triggering run, the API). Nothing in it is ever used to find something to execute.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { MAX_SHARDS } from "./shard.js";
import { firstIssue } from "./report-schema.js";
/** The envelope's file name inside the report directory. */
export const ENVELOPE_FILE = 'quorum-envelope.json';
/** The report's file name inside the report directory. */
export const REPORT_FILE = 'quorum-report.json';
/** Identifies an envelope; the version changes when a publisher could misread an older one. */
export const HANDOFF_FORMAT = 'quorum-handoff';
export const HANDOFF_VERSION = 1;
const sha = z.string().regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/, { error: 'must be a full sha' });
const EnvelopeSchema = z.strictObject({
    format: z.literal(HANDOFF_FORMAT),
    version: z.literal(HANDOFF_VERSION),
    gate: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, { error: 'must be a gate name' }),
    // GitHub's forms: an owner is letters, digits and '-'; a repository name is never . or ..
    repository: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/(?!\.\.?$)[A-Za-z0-9_.-]{1,100}$/, {
        error: 'must be owner/repo',
    }),
    event: z.string().regex(/^[a-z_]{1,50}$/, { error: 'must be an event name' }),
    head_sha: sha,
    base_sha: sha.nullable(),
    candidate_sha: sha,
    pull_request: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).nullable(),
    run: z.strictObject({
        id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
        attempt: z.number().int().positive().max(10_000),
    }),
    shard: z
        .strictObject({
        index: z.number().int().min(1).max(MAX_SHARDS),
        total: z.number().int().min(1).max(MAX_SHARDS),
    })
        .refine((s) => s.index <= s.total, { error: 'index must not exceed total' })
        .nullable(),
    config_hash: z.string().regex(/^sha256:[0-9a-f]{64}$/, { error: 'must be sha256:<hex>' }),
});
/** The envelope in `value`, or why it is not one (one line naming the first bad field). */
export function parseEnvelope(value) {
    const parsed = EnvelopeSchema.safeParse(value);
    if (!parsed.success)
        return { ok: false, why: firstIssue(parsed.error) };
    return { ok: true, envelope: parsed.data };
}
/**
 * One identity for "the same checks": the bytes of the config file and of the checks module it
 * names (or their absence). Shards whose hashes differ were judged by different gates, and are
 * never merged. Length-prefixed, so no two different pairs hash alike.
 */
export function configHash(config, functions) {
    const hash = createHash('sha256').update('quorum-config-v1\0');
    for (const part of [config, functions]) {
        if (part === null) {
            hash.update('none\0');
            continue;
        }
        hash.update(`${part.byteLength}\0`);
        hash.update(part);
    }
    return `sha256:${hash.digest('hex')}`;
}
