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
