/** One file of a variant: where it goes in the tree, what it holds, and its mode bits. */
export interface VariantFile {
    /** Relative to the tree's root, `/`-separated, no `.` or `..` segments. */
    path: string;
    content: Uint8Array;
    /** Permission bits (e.g. 0o755), taken from the file it replaces. */
    mode: number;
}
/**
 * Writes `files` into the new directory `layerDir`. Each directory on the way takes the mode of
 * the same directory in `sourceDir` when it exists there (an overlay shows a directory with the
 * attributes of its topmost layer, so a fresh 0755 would change what the tree looks like).
 * Throws for a path that is not a plain relative path.
 */
export declare function writeVariantLayer(layerDir: string, sourceDir: string, files: readonly VariantFile[]): Promise<void>;
