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
