/** The largest N in `K/N`: more jobs than this is a typo, not a plan. */
export declare const MAX_SHARDS = 256;
/** One shard of a matrix: `index` of `total`, both counted from 1 (`2/4` is index 2, total 4). */
export interface Shard {
    index: number;
    total: number;
}
/**
 * Parses `K/N` (1 <= K <= N <= 256, plain decimal integers without signs, leading zeros or
 * blanks). Throws a usage QuorumError with a one-line message otherwise.
 */
export declare function parseShard(text: string): Shard;
/**
 * Assigns every name to a shard in 1..total: sorted by the sha-256 of the name (ties, which
 * need a hash collision, broken by the name), then dealt round-robin. Shard sizes differ by at
 * most one. The result depends only on the set of names, not on their order in `names`.
 * Throws on a duplicate name (check names are unique; a duplicate is a caller's bug) and on a
 * total outside 1..MAX_SHARDS.
 */
export declare function assignShards(names: readonly string[], total: number): Map<string, number>;
/**
 * The names that `shard` runs, in their order in `names` (the config's order, which is the
 * order reports list them in).
 */
export declare function checksInShard(names: readonly string[], shard: Shard): string[];
