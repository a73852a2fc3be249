/**
 * Where things are written in a parsed quorum.yml: key paths to lines and columns, offsets to key
 * paths. The parser records where each check is written; the diagnostics use the same walk to
 * place an error on the key or value it is about.
 */
import { type Document, type LineCounter, type Node, type Pair } from 'yaml';
/** A path of keys and list indexes from the top of the document: `['checks', 0, 'name']`. */
export type KeyPath = ReadonlyArray<string | number>;
/** A line and a column, both from 1. */
export interface Position {
    line: number;
    column: number;
}
/** The parsed YAML document, how the file is named in messages, and its line index. */
export interface ConfigDocument {
    display: string;
    doc: Document.Parsed;
    lines: LineCounter;
}
/** The line and column of a character offset in the file. */
export declare function locationOf(src: ConfigDocument, offset: number): Position;
/**
 * Follows a key path through the document as far as it exists. Returns the deepest node reached
 * and, when the last step reached was a mapping key, its pair.
 */
export declare function walk(src: ConfigDocument, keyPath: KeyPath): {
    node: Node | null;
    pair: Pair | null;
    depth: number;
};
/** Where the value at keyPath is written; falls back to its key, then to the nearest parent. */
export declare function valueAt(src: ConfigDocument, keyPath: KeyPath): Position;
/** Where the key that ends keyPath is written. */
export declare function keyAt(src: ConfigDocument, keyPath: KeyPath): Position;
/** The key path of the innermost key or value that contains offset (for YAML's own errors). */
export declare function keyPathAt(src: ConfigDocument, offset: number): KeyPath;
/** `checks[1].command`; keys that are not plain words are quoted, so the path stays one line. */
export declare function formatKeyPath(keyPath: KeyPath): string;
