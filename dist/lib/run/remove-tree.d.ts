/**
 * `rm -rf` that also copes with what checks leave behind: read-only directories (a Go module
 * cache, a test that chmods 0555) and overlayfs' mode-000 work directory. Never follows
 * symlinks. Missing paths are fine.
 */
export declare function removeTree(path: string): Promise<void>;
