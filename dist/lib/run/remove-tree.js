/** Deleting what runs leave behind. */
import { chmod, lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
/**
 * `rm -rf` that also copes with what checks leave behind: read-only directories (a Go module
 * cache, a test that chmods 0555) and overlayfs' mode-000 work directory. Never follows
 * symlinks. Missing paths are fine.
 */
export async function removeTree(path) {
    try {
        await rm(path, { recursive: true, force: true, maxRetries: 2 });
        return;
    }
    catch {
        // fall through: make every directory writable and searchable, then try once more
    }
    await makeRemovable(path);
    await rm(path, { recursive: true, force: true, maxRetries: 2 });
}
async function makeRemovable(path) {
    let st;
    try {
        st = await lstat(path);
    }
    catch {
        return;
    }
    if (!st.isDirectory())
        return;
    try {
        await chmod(path, 0o700);
    }
    catch {
        // not ours to change; rm will say so
    }
    let names = [];
    try {
        names = await readdir(path);
    }
    catch {
        return;
    }
    await Promise.all(names.map((n) => makeRemovable(join(path, n))));
}
