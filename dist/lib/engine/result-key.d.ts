/**
 * Mixed into every key. Changing the canonical form, or what a cached result means, must change
 * this tag so that keys written by an older format are never looked up again.
 */
export declare const RESULT_KEY_FORMAT = "quorum-result-key/1";
/** What a run result depends on. */
export interface ResultKeyParts {
    /** The tree's content identity: `git-tree:<sha>` (the action) or `content:<sha256>` (the CLI). */
    tree: string;
    /** The check's definition as configured (name, command, timeout, metrics, ...): plain data. */
    check: unknown;
    /** Whatever else shapes the run (setup command, environment policy, sandbox kind): plain data. */
    setup: unknown;
    /** Quorum's version. */
    version: string;
    /** Where it ran, e.g. describePlatform(...): `linux-x64-node24`. */
    platform: string;
}
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
export declare function resultKey(parts: ResultKeyParts): string;
/**
 * JSON with object keys sorted (by UTF-16 code units, as Array.prototype.sort) at every depth and
 * undefined properties dropped. An undefined array element is an error rather than `null` (as
 * JSON.stringify would write it), so that `[undefined]` and `[null]` cannot share a key.
 */
export declare function canonicalJson(value: unknown, where?: string): string;
/** What a platform identity is made of; the caller reads it from process and os. */
export interface PlatformFacts {
    /** process.platform: linux, darwin, win32, ... */
    platform: string;
    /** process.arch: x64, arm64, ... */
    arch: string;
    /** Node.js major version: 24. */
    nodeMajor: number;
}
/**
 * `linux-x64-node24`: the platform part of a result key and of the action's cache key. Each part
 * is lowercased and anything outside [a-z0-9_.] becomes `_`, so the result is safe in a cache key
 * (no commas, no separators of ours). Throws a TypeError for an empty part or a node major that
 * is not a positive integer.
 */
export declare function describePlatform(p: PlatformFacts): string;
