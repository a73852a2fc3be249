export declare const TREE_HASH_FORMAT = "quorum-tree/1";
/**
 * Skipped at the root by default: TREE_HIDDEN, the entries no check ever sees (the sandboxes
 * hide them), so that a key covers exactly what a check can read.
 */
export declare const DEFAULT_TREE_IGNORE: readonly string[];
export interface TreeHashOptions {
    /**
     * Paths relative to the root (`/`-separated, no `.` or `..` parts) skipped with everything
     * below them. Replaces DEFAULT_TREE_IGNORE; pass `[]` to hash everything.
     */
    ignore?: readonly string[];
    abort?: AbortSignal;
}
/**
 * `content:<sha256 hex>` of the tree under `dir` (see the format above). `dir` itself may be
 * reached through a link; nothing below it is.
 *
 * A tree that someone changes while it is hashed hashes as no particular state of it; changes
 * that are caught (a file that vanished, or became a link or a FIFO) reject. One race is not
 * closed: a directory swapped for a link between being listed and being read is read through
 * the link (Node cannot list a directory by descriptor). The CLI hashes the user's own tree, with
 * nobody racing it; what is in it is never followed.
 *
 * Rejects (never resolves to a partial hash) when the tree cannot be read completely, e.g. an
 * unreadable file or directory, or an entry that changed type or vanished while it was hashed:
 * a content hash that does not cover all the content must not key reused results. The caller
 * then runs without reuse. Rejects with the signal's reason when `abort` fires.
 */
export declare function treeContentHash(dir: string, options?: TreeHashOptions): Promise<string>;
