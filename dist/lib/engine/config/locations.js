/**
 * Where things are written in a parsed quorum.yml: key paths to lines and columns, offsets to key
 * paths. The parser records where each check is written; the diagnostics use the same walk to
 * place an error on the key or value it is about.
 */
import { isAlias, isMap, isScalar, isSeq, } from 'yaml';
import { excerpt } from "../errors.js";
/** The line and column of a character offset in the file. */
export function locationOf(src, offset) {
    const { line, col } = src.lines.linePos(offset);
    return { line, column: col };
}
/**
 * Follows a key path through the document as far as it exists. Returns the deepest node reached
 * and, when the last step reached was a mapping key, its pair.
 */
export function walk(src, keyPath) {
    let node = src.doc.contents;
    let pair = null;
    let depth = 0;
    for (const step of keyPath) {
        if (isAlias(node))
            node = node.resolve(src.doc);
        if (isMap(node)) {
            const found = node.items.find((p) => keyText(p.key) === String(step));
            if (found === undefined)
                break;
            pair = found;
            node = found.value;
        }
        else if (isSeq(node) && typeof step === 'number') {
            node = node.items[step];
            pair = null;
        }
        else {
            break;
        }
        depth++;
    }
    return { node: isNodeLike(node) ? node : null, pair, depth };
}
function isNodeLike(value) {
    return typeof value === 'object' && value !== null && 'range' in value;
}
function keyText(key) {
    if (isScalar(key))
        return typeof key.value === 'symbol' ? null : String(key.value);
    return null;
}
/** Where the value at keyPath is written; falls back to its key, then to the nearest parent. */
export function valueAt(src, keyPath) {
    const { node, pair, depth } = walk(src, keyPath);
    const complete = depth === keyPath.length;
    const empty = isScalar(node) && node.value === null && node.range?.[0] === node.range?.[1];
    if (complete && pair !== null && (node === null || empty))
        return keyAt(src, keyPath);
    if (node?.range)
        return locationOf(src, node.range[0]);
    if (pair !== null)
        return keyAt(src, keyPath.slice(0, depth));
    return { line: 1, column: 1 };
}
/** Where the key that ends keyPath is written. */
export function keyAt(src, keyPath) {
    const { pair, depth } = walk(src, keyPath);
    const keyNode = pair?.key;
    if (depth === keyPath.length && isNodeLike(keyNode) && keyNode.range) {
        return locationOf(src, keyNode.range[0]);
    }
    return valueAt(src, keyPath.slice(0, -1));
}
/** The key path of the innermost key or value that contains offset (for YAML's own errors). */
export function keyPathAt(src, offset) {
    const out = [];
    let node = src.doc.contents;
    for (;;) {
        if (isMap(node)) {
            const hit = node.items.find((p) => contains(p.key, offset) || contains(p.value, offset));
            const text = hit === undefined ? null : keyText(hit.key);
            if (hit === undefined || text === null)
                return out;
            out.push(text);
            if (contains(hit.key, offset))
                return out;
            node = hit.value;
        }
        else if (isSeq(node)) {
            const index = node.items.findIndex((item) => contains(item, offset));
            if (index < 0)
                return out;
            out.push(index);
            node = node.items[index];
        }
        else {
            return out;
        }
    }
}
function contains(node, offset) {
    if (!isNodeLike(node) || !node.range)
        return false;
    return node.range[0] <= offset && offset < node.range[2];
}
/** `checks[1].command`; keys that are not plain words are quoted, so the path stays one line. */
export function formatKeyPath(keyPath) {
    let out = '';
    for (const step of keyPath) {
        if (typeof step === 'number')
            out += `[${step}]`;
        else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(step))
            out += out === '' ? step : `.${step}`;
        else
            out += `[${JSON.stringify(excerpt(step, 60))}]`;
    }
    return out;
}
