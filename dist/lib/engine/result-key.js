/**
 * The identity of a run result, for reuse (DESIGN "Results are reusable"): a run's result may be
 * reused only by a run of the same tree content, check definition, setup, Quorum version and
 * platform. Pure: data in, a hex digest out.
 */
import { createHash } from 'node:crypto';
/**
 * Mixed into every key. Changing the canonical form, or what a cached result means, must change
 * this tag so that keys written by an older format are never looked up again.
 */
export const RESULT_KEY_FORMAT = 'quorum-result-key/1';
/**
 * The key of a run result: sha256 (64 lowercase hex) over the format tag and the canonical JSON
 * of `parts`. Object keys are sorted recursively, so the order in which a config spells a check's
 * fields does not matter; properties whose value is undefined are left out (as JSON.stringify
 * does), so `{ timeout: undefined }` keys like `{}`.
 *
 * Throws a TypeError when `parts` holds something that is not plain JSON data (a function, a
 * symbol, a bigint, NaN or an infinity, a Map or a class instance, a cycle): such a value has no
 * stable meaning across runs, and keying it by its JSON shadow would make different checks share
 * results.
 */
export function resultKey(parts) {
    for (const field of ['tree', 'version', 'platform']) {
        if (typeof parts[field] !== 'string' || parts[field] === '') {
            throw new TypeError(`resultKey: ${field} must be a non-empty string`);
        }
    }
    const canonical = canonicalJson({
        tree: parts.tree,
        check: parts.check,
        setup: parts.setup,
        version: parts.version,
        platform: parts.platform,
    }, 'parts');
    return createHash('sha256').update(`${RESULT_KEY_FORMAT}\n${canonical}`, 'utf8').digest('hex');
}
/**
 * JSON with object keys sorted (by UTF-16 code units, as Array.prototype.sort) at every depth and
 * undefined properties dropped. An undefined array element is an error rather than `null` (as
 * JSON.stringify would write it), so that `[undefined]` and `[null]` cannot share a key.
 */
export function canonicalJson(value, where = 'value') {
    return write(value, where, new Set());
}
function write(value, where, open) {
    switch (typeof value) {
        case 'string':
        case 'boolean':
            return JSON.stringify(value);
        case 'number':
            if (!Number.isFinite(value))
                throw notData(where, String(value));
            return JSON.stringify(value);
        case 'object':
            break;
        default:
            throw notData(where, `a ${typeof value}`);
    }
    if (value === null)
        return 'null';
    if (open.has(value))
        throw notData(where, 'a cycle');
    open.add(value);
    try {
        if (Array.isArray(value)) {
            const items = value.map((item, i) => {
                if (item === undefined)
                    throw notData(`${where}[${i}]`, 'undefined');
                return write(item, `${where}[${i}]`, open);
            });
            return `[${items.join(',')}]`;
        }
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
            const name = value.constructor?.name;
            throw notData(where, `an instance of ${typeof name === 'string' ? name : 'a class'}`);
        }
        const record = value;
        const members = [];
        for (const key of Object.keys(record).sort()) {
            const member = record[key];
            if (member === undefined)
                continue;
            members.push(`${JSON.stringify(key)}:${write(member, `${where}.${key}`, open)}`);
        }
        return `{${members.join(',')}}`;
    }
    finally {
        open.delete(value);
    }
}
function notData(where, what) {
    return new TypeError(`resultKey: ${where} is ${what}; only plain JSON data can be part of a key`);
}
/**
 * `linux-x64-node24`: the platform part of a result key and of the action's cache key. Each part
 * is lowercased and anything outside [a-z0-9_.] becomes `_`, so the result is safe in a cache key
 * (no commas, no separators of ours). Throws a TypeError for an empty part or a node major that
 * is not a positive integer.
 */
export function describePlatform(p) {
    if (!Number.isSafeInteger(p.nodeMajor) || p.nodeMajor <= 0) {
        throw new TypeError(`describePlatform: nodeMajor must be a positive integer, got ${p.nodeMajor}`);
    }
    const part = (name, text) => {
        const clean = String(text)
            .toLowerCase()
            .replace(/[^a-z0-9_.]/g, '_');
        if (clean === '')
            throw new TypeError(`describePlatform: ${name} is empty`);
        return clean;
    };
    return `${part('platform', p.platform)}-${part('arch', p.arch)}-node${p.nodeMajor}`;
}
