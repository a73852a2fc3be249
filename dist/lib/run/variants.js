/**
 * Variant trees for the audits: a prepared tree with a few files replaced, without copying it.
 * A variant is one small directory holding only the replaced files, put on top of the tree's
 * layers: with overlay sandboxes it is one more lower layer (O(1) in the tree's size: one file
 * written, whatever the tree holds); with copy sandboxes it is copied over the tree's copy.
 */
import { chmod, lstat, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
/**
 * Writes `files` into the new directory `layerDir`. Each directory on the way takes the mode of
 * the same directory in `sourceDir` when it exists there (an overlay shows a directory with the
 * attributes of its topmost layer, so a fresh 0755 would change what the tree looks like).
 * Throws for a path that is not a plain relative path.
 */
export async function writeVariantLayer(layerDir, sourceDir, files) {
    await mkdir(layerDir, { recursive: false });
    const dirs = new Set();
    for (const file of files) {
        const parts = file.path.split('/');
        if (parts.some((p) => p === '' || p === '.' || p === '..') || file.path.includes('\0')) {
            throw new Error(`a variant file needs a plain relative path, not ${JSON.stringify(file.path)}`);
        }
        for (let i = 1; i < parts.length; i++)
            dirs.add(parts.slice(0, i).join('/'));
        await mkdir(join(layerDir, dirname(file.path)), { recursive: true });
        await writeFile(join(layerDir, file.path), file.content, { mode: file.mode & 0o7777 });
        // writeFile's mode is filtered by the umask; the file must keep the mode it replaces.
        await chmod(join(layerDir, file.path), file.mode & 0o7777);
    }
    // Deepest first: a directory made read-only must already hold everything below it.
    for (const dir of [...dirs].sort((a, b) => b.split('/').length - a.split('/').length)) {
        const source = await lstat(join(sourceDir, dir)).catch(() => null);
        if (source?.isDirectory())
            await chmod(join(layerDir, dir), source.mode & 0o7777);
    }
}
