/**
 * Reusing results: a run's result is keyed by the tree's content, the check's definition, the
 * setup, Quorum's version and the platform. Only consistent results are stored (PASSED, or
 * FAILED, on every attempt of every repeat) and only for checks whose metrics are all
 * deterministic: a timing measured on another machine, or at another time, does not compare.
 *
 * The store is the caller's: the CLI's cache directory, or the action's directory restored from
 * (and saved to) the GitHub Actions cache. A store that fails is a warning and the runs are done
 * again; it never changes a verdict.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { limitsOf } from "../engine/limits.js";
import { parseRunResult } from "../engine/report-schema.js";
import { describePlatform, resultKey } from "../engine/result-key.js";
import { VERSION } from "../version.js";
import { treeContentHash } from "../run/tree-hash.js";
import { errorMessage } from "../engine/errors.js";
/** This machine's platform as result keys name it: `linux-x64-node24`. */
export function thisPlatform() {
    return describePlatform({
        platform: process.platform,
        arch: process.arch,
        nodeMajor: Number(process.versions.node.split('.')[0]),
    });
}
/** The map key of one check's result on one tree. */
export function runKey(role, check) {
    return `${role}\0${check}`;
}
/** A check whose results may be reused: every metric it declares is deterministic. */
export function isReusable(check) {
    return (check.metrics ?? []).every((m) => m.deterministic);
}
/** A result worth storing: the same PASSED or FAILED on every attempt, nothing else. */
export function isConsistent(result) {
    if (result.outcome !== 'PASSED' && result.outcome !== 'FAILED')
        return false;
    if (result.declaration_error || result.reused_from)
        return false;
    return (result.attempts ?? []).every((a) => a.outcome === result.outcome);
}
/** Looks up every reusable check on every tree; what is found is not run again. */
export async function lookUpResults(options, config, checks, dirs, 
/** Part of the key: results from an overlay and a copy sandbox are not interchangeable. */
sandbox, abort) {
    const lookup = { reused: new Map(), keys: new Map(), treeIds: new Map(), warnings: [] };
    const reusable = checks.filter(isReusable);
    if (reusable.length === 0)
        return lookup;
    const platform = thisPlatform();
    const definitions = new Map();
    for (const check of reusable) {
        definitions.set(check.name, await definitionOf(check, config, options.parentEnv ?? process.env));
    }
    for (const [role, dir] of dirs) {
        const treeId = options.treeIds?.[role] ?? (await hashTree(dir, role, lookup, abort));
        if (treeId === null)
            continue;
        lookup.treeIds.set(role, treeId);
        for (const check of reusable) {
            const key = resultKey({
                tree: treeId,
                check: definitions.get(check.name),
                setup: config.setup,
                version: VERSION,
                platform: `${platform} ${sandbox}`,
            });
            lookup.keys.set(runKey(role, check.name), key);
            const hit = await options.store.get(key).catch(() => null);
            if (hit === null)
                continue;
            const opened = openPayload(hit.payload, key, options.secret ?? null);
            if (!opened.ok) {
                lookup.warnings.push(`A cached result of ${check.name} on the ${role} was ignored and the check run again: ${opened.why}.`);
                continue;
            }
            const parsed = parseRunResult(opened.value);
            if (!parsed.ok || !isConsistent(parsed.result)) {
                const why = parsed.ok ? `its outcome ${parsed.result.outcome} is not reusable` : parsed.why;
                lookup.warnings.push(`A cached result of ${check.name} on the ${role} was ignored and the check run again: ${why}.`);
                continue;
            }
            lookup.reused.set(runKey(role, check.name), {
                ...parsed.result,
                output: { ...parsed.result.output, log_path: null },
                attempts: (parsed.result.attempts ?? []).map((a) => ({ ...a, log_path: null })),
                reused_from: { ...options.origin(key, role), stored_at: hit.stored_at, key },
            });
        }
    }
    return lookup;
}
/** The content hash of a tree, or null (and a warning) when it cannot be had. */
async function hashTree(dir, role, lookup, abort) {
    try {
        return await treeContentHash(dir, { abort });
    }
    catch (error) {
        if (abort?.aborted)
            throw error;
        const why = errorMessage(error);
        lookup.warnings.push(`Results of the ${role} were not reused: its content could not be hashed (${why}).`);
        return null;
    }
}
/** Stores every consistent result that was run now (not reused) under its key. */
export async function storeResults(options, lookup, reports, reused) {
    for (const report of reports) {
        for (const [role, result] of [
            ['baseline', report.baseline],
            ['candidate', report.candidate],
        ]) {
            const key = lookup.keys.get(runKey(role, report.name));
            if (!key || !result || reused.has(runKey(role, report.name)) || !isConsistent(result))
                continue;
            // Paths into this machine's logs and sandboxes mean nothing to a later run.
            const { sandbox_root: _root, ...kept } = result;
            const payload = {
                ...kept,
                output: { ...result.output, log_path: null },
                attempts: (result.attempts ?? []).map((a) => ({ ...a, log_path: null })),
            };
            await options.store
                .put(key, sealPayload(payload, key, options.secret ?? null))
                .catch(() => undefined);
        }
    }
}
/**
 * The tree identity of the empty tree of the vacuity probe. Its runs do not depend on the trees
 * being judged, so one probe result serves every base until the check's definition changes.
 */
export const EMPTY_TREE_ID = 'empty-tree:1';
/**
 * Opens the audit cache over the same store, keyed like the normal runs (check definition,
 * Quorum's version, the platform and sandbox kind) with `setup` as given: null for the empty tree,
 * whose setup never runs; the config's setup for a variant, which sits over the setup's output.
 */
export function openAuditCache(options, config, sandbox) {
    const platform = thisPlatform();
    const definitions = new Map();
    const keyOf = async (check, treeId) => {
        let definition = definitions.get(check.name);
        if (!definition) {
            definition = definitionOf(check, config, options.parentEnv ?? process.env);
            definitions.set(check.name, definition);
        }
        return resultKey({
            tree: treeId,
            check: await definition,
            setup: treeId === EMPTY_TREE_ID ? null : config.setup,
            version: VERSION,
            platform: `${platform} ${sandbox}`,
        });
    };
    const warnings = [];
    return {
        warnings,
        async get(check, treeId, role) {
            const key = await keyOf(check, treeId);
            const hit = await options.store.get(key).catch(() => null);
            if (hit === null)
                return null;
            const opened = openPayload(hit.payload, key, options.secret ?? null);
            const parsed = opened.ok ? parseRunResult(opened.value) : opened;
            if (!parsed.ok || !isConsistent(parsed.result)) {
                const why = parsed.ok ? `its outcome ${parsed.result.outcome} is not reusable` : parsed.why;
                warnings.push(`A cached audit result of ${check.name} was ignored and the run done again: ${why}.`);
                return null;
            }
            return {
                ...parsed.result,
                output: { ...parsed.result.output, log_path: null },
                reused_from: { ...options.origin(key, role), stored_at: hit.stored_at, key },
            };
        },
        async put(check, treeId, result) {
            if (!isConsistent(result))
                return;
            const key = await keyOf(check, treeId);
            const { sandbox_root: _root, ...kept } = result;
            const payload = { ...kept, output: { ...result.output, log_path: null } };
            await options.store
                .put(key, sealPayload(payload, key, options.secret ?? null))
                .catch(() => undefined);
        },
    };
}
/** The name of the signing secret's file in its directory (see machineSecret). */
export const SECRET_FILE = 'result-secret';
/**
 * This machine's secret for signing cached results: 32 random bytes in `dir/result-secret`
 * (0600, created on first use, never followed through a link). Throws when it can be neither
 * read nor created; the caller then does without a cache.
 */
export async function machineSecret(dir) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, SECRET_FILE);
    const read = async () => {
        const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
        try {
            const info = await handle.stat();
            if (!info.isFile() || (info.mode & 0o077) !== 0 || info.uid !== process.getuid?.()) {
                throw new Error(`${file} must be a regular file of yours, readable by you only`);
            }
            const data = await handle.readFile();
            if (data.length !== 32)
                throw new Error(`${file} is not 32 bytes`);
            return data;
        }
        finally {
            await handle.close();
        }
    };
    try {
        return await read();
    }
    catch (error) {
        if (error.code !== 'ENOENT')
            throw error;
    }
    try {
        const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
        try {
            await handle.writeFile(randomBytes(32));
        }
        finally {
            await handle.close();
        }
    }
    catch (error) {
        // Another gate created it first: read that one.
        if (error.code !== 'EEXIST')
            throw error;
    }
    return read();
}
/** What is stored: the result itself, or with a secret, its JSON text and that text's HMAC. */
function sealPayload(result, key, secret) {
    if (secret === null)
        return result;
    const json = JSON.stringify(result);
    return { signed: json, mac: mac(secret, key, json) };
}
function openPayload(payload, key, secret) {
    if (secret === null)
        return { ok: true, value: payload };
    const sealed = payload;
    if (sealed === null ||
        typeof sealed !== 'object' ||
        typeof sealed.signed !== 'string' ||
        typeof sealed.mac !== 'string') {
        return { ok: false, why: 'it is not signed (not written by Quorum on this machine)' };
    }
    const expected = Buffer.from(mac(secret, key, sealed.signed), 'hex');
    const given = Buffer.from(sealed.mac, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return {
            ok: false,
            why: 'its signature does not match (not written by Quorum on this machine)',
        };
    }
    try {
        return { ok: true, value: JSON.parse(sealed.signed) };
    }
    catch {
        return { ok: false, why: 'its signed content is not JSON' };
    }
}
function mac(secret, key, json) {
    return createHmac('sha256', secret).update(`${key}\n${json}`).digest('hex');
}
/**
 * Everything about a check that decides its result besides the tree: its spec (without where it
 * is written), its limits, the environment it gets (passthrough values only as hashes), and for a
 * function check the content of its module.
 */
async function definitionOf(check, config, parentEnv) {
    const { source: _source, ...spec } = check;
    const passthrough = Object.fromEntries(config.env_passthrough.map((name) => [name, sha256(parentEnv[name] ?? '\0unset')]));
    const module = check.kind === 'function' ? await readFile(check.module).then(sha256, () => 'unreadable') : null;
    return { spec, limits: limitsOf(config, check), env: config.env, passthrough, module };
}
function sha256(data) {
    return createHash('sha256').update(data).digest('hex');
}
