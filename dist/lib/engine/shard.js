/**
 * Splitting a suite across a matrix of jobs (`shard: K/N`): which checks each shard runs.
 *
 * The assignment is a deal, not a hash bucket. Hashing each name on its own (sha-256 mod N) is
 * stable whatever else is in the config, but it is a lottery: 12 checks dealt that way over 4
 * shards leave a shard empty one time in eight, and give some shard 5 or more of them (instead of
 * 3) more often than not, and the slowest shard sets the wall time of the whole suite. So the names are put in a stable pseudo-random order (by the sha-256 of
 * each name) and dealt round-robin like cards: every shard gets the same number of checks, give
 * or take one, and no shard is empty while there are at least N checks.
 *
 * The price: the assignment depends on the whole set of names, so adding or renaming a check can
 * move others to another shard. That is harmless, because every job of one matrix reads the same
 * config (the publisher refuses shards from different configs), and it keeps the promise that
 * matters: for a given set of check names, the same name always lands in the same shard, and
 * every check lands in exactly one. The hash order rather than the config or alphabetical order
 * keeps checks that are written next to each other (often the slow ones of a kind, `e2e-a`,
 * `e2e-b`) from landing together by accident of naming.
 *
 * Shards are numbered from 1, as users write them (`shard: 1/4` is the first of four).
 */
import { createHash } from 'node:crypto';
import { QuorumError, excerpt } from "./errors.js";
/** The largest N in `K/N`: more jobs than this is a typo, not a plan. */
export const MAX_SHARDS = 256;
const SHARD_PATTERN = /^([1-9][0-9]{0,2})\/([1-9][0-9]{0,2})$/;
/**
 * Parses `K/N` (1 <= K <= N <= 256, plain decimal integers without signs, leading zeros or
 * blanks). Throws a usage QuorumError with a one-line message otherwise.
 */
export function parseShard(text) {
    const match = SHARD_PATTERN.exec(text);
    const index = Number(match?.[1]);
    const total = Number(match?.[2]);
    if (match === null || total > MAX_SHARDS || index > total) {
        // The text is quoted as JSON so blanks, line breaks and control characters show as what
        // they are; excerpt() bounds it, because an input can be anything.
        throw new QuorumError('usage', `shard: expected K/N with 1 <= K <= N <= ${MAX_SHARDS} (e.g. 2/4), got ${JSON.stringify(excerpt(text, 40))}`);
    }
    return { index, total };
}
/**
 * Assigns every name to a shard in 1..total: sorted by the sha-256 of the name (ties, which
 * need a hash collision, broken by the name), then dealt round-robin. Shard sizes differ by at
 * most one. The result depends only on the set of names, not on their order in `names`.
 * Throws on a duplicate name (check names are unique; a duplicate is a caller's bug) and on a
 * total outside 1..MAX_SHARDS.
 */
export function assignShards(names, total) {
    if (!Number.isInteger(total) || total < 1 || total > MAX_SHARDS) {
        throw new RangeError(`shard total must be an integer in 1..${MAX_SHARDS}, got ${total}`);
    }
    const keyed = names.map((name) => ({ name, key: sha256(name) }));
    keyed.sort((a, b) => compare(a.key, b.key) || compare(a.name, b.name));
    const shards = new Map();
    keyed.forEach(({ name }, position) => {
        if (shards.has(name))
            throw new Error(`assignShards: duplicate check name ${name}`);
        shards.set(name, (position % total) + 1);
    });
    return shards;
}
/**
 * The names that `shard` runs, in their order in `names` (the config's order, which is the
 * order reports list them in).
 */
export function checksInShard(names, shard) {
    const assigned = assignShards(names, shard.total);
    return names.filter((name) => assigned.get(name) === shard.index);
}
function sha256(text) {
    return createHash('sha256').update(text, 'utf8').digest('hex');
}
/** Code-unit order, never locale order: every machine must sort the same way. */
function compare(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
}
