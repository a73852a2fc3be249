/** Path and text helpers shared by every layer. Pure: no file system access. */
import * as path from 'node:path';
/**
 * Whether `child` is `parent` or lies below it. Both absolute and already resolved (realpath
 * where links matter); `..foo` inside `parent` is inside, `../foo` is not.
 */
export function isInside(child, parent) {
    const rel = path.relative(parent, child);
    return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
/**
 * `text` on one line: every line break (with the blanks around it) becomes one space, the ends
 * are trimmed, and with `max` a longer result is cut to `max` characters ending in "…".
 */
export function oneLine(text, max) {
    const line = text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
    return max !== undefined && line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
/**
 * Entries at a tree's root that checks never see and that result keys and the change audit
 * leave out: git's own data (not part of the tree) and Quorum's (its logs and cache, written
 * by the gate, so hashing them would change the key they are looked up by). One list, so that
 * whatever the key leaves out is hidden from the check, and the other way round.
 */
export const TREE_HIDDEN = ['.git', '.quorum'];
/**
 * Cuts `text` to at most `max` UTF-16 units, ending with `…` when something was cut. Never splits
 * a surrogate pair. UTF-16 length is an upper bound of the code-point count GitHub limits by.
 */
export function clip(text, max) {
    if (text.length <= max)
        return text;
    if (max <= 0)
        return '';
    let end = max - 1;
    const code = text.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff)
        end -= 1;
    return `${text.slice(0, end)}…`;
}
