/**
 * Whether `child` is `parent` or lies below it. Both absolute and already resolved (realpath
 * where links matter); `..foo` inside `parent` is inside, `../foo` is not.
 */
export declare function isInside(child: string, parent: string): boolean;
/**
 * `text` on one line: every line break (with the blanks around it) becomes one space, the ends
 * are trimmed, and with `max` a longer result is cut to `max` characters ending in "…".
 */
export declare function oneLine(text: string, max?: number): string;
/**
 * Entries at a tree's root that checks never see and that result keys and the change audit
 * leave out: git's own data (not part of the tree) and Quorum's (its logs and cache, written
 * by the gate, so hashing them would change the key they are looked up by). One list, so that
 * whatever the key leaves out is hidden from the check, and the other way round.
 */
export declare const TREE_HIDDEN: readonly string[];
/**
 * Cuts `text` to at most `max` UTF-16 units, ending with `…` when something was cut. Never splits
 * a surrogate pair. UTF-16 length is an upper bound of the code-point count GitHub limits by.
 */
export declare function clip(text: string, max: number): string;
