/**
 * Which files the candidate changed compared with the baseline, read from the two directories
 * themselves (the CLI's trees need not be git checkouts, and a directory diff runs no git and no
 * code of the tree's). Deletions are not listed: a deleted file cannot be broken.
 *
 * Nothing in either tree is followed: entries are classified without following links (readdir
 * types, lstat), regular files are opened with O_NOFOLLOW | O_NONBLOCK, and a file whose size
 * matches on both sides is compared in fixed-size chunks, so memory stays bounded whatever the
 * trees hold. Cost: one walk of the candidate, an lstat per file on the baseline, and a full read
 * of both sides of every same-sized file (what a content diff needs).
 */
import { constants as fsConstants } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { BINARY_SNIFF_BYTES } from "../engine/audit.js";
import { TREE_HIDDEN } from "../engine/paths.js";
/** Skipped at the root: what no check sees (TREE_HIDDEN), so breaking it could prove nothing. */
const IGNORED_AT_ROOT = new Set(TREE_HIDDEN);
const FILE_CONCURRENCY = 16;
const CHUNK_BYTES = 64 * 1024;
const OPEN_FLAGS = fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK;
/**
 * The entries of `candidateDir` that are new or differ from `baselineDir` (content, type, the
 * owner-executable bit, or a link's text). Rejects when a directory or file of the candidate
 * cannot be read, or with the signal's reason when `abort` fires.
 */
export async function listChangedFiles(baselineDir, candidateDir, options = {}) {
    const signal = options.abort;
    const changed = [];
    const sameSized = [];
    let unnamed = 0;
    const pending = [''];
    while (pending.length > 0) {
        signal?.throwIfAborted();
        const relDir = pending.pop();
        const dirents = await readdir(join(candidateDir, relDir), { withFileTypes: true });
        for (const dirent of dirents) {
            if (relDir === '' && IGNORED_AT_ROOT.has(dirent.name))
                continue;
            // A name that is not UTF-8 reads back with U+FFFD and could name another file.
            if (dirent.name.includes('\uFFFD')) {
                unnamed++;
                continue;
            }
            const rel = relDir === '' ? dirent.name : `${relDir}/${dirent.name}`;
            if (dirent.isDirectory()) {
                pending.push(rel);
                continue;
            }
            const before = await lstat(join(baselineDir, rel)).catch(() => null);
            if (dirent.isFile()) {
                const after = await lstat(join(candidateDir, rel));
                if (before === null || !before.isFile()) {
                    const status = before === null ? 'added' : 'modified';
                    changed.push({ path: rel, status, head: null, special: false });
                }
                else if (before.size !== after.size || executable(before) !== executable(after)) {
                    changed.push({ path: rel, status: 'modified', head: null, special: false });
                }
                else {
                    sameSized.push({ rel, size: after.size });
                }
            }
            else if (!(await sameSpecial(dirent, before, join(baselineDir, rel), join(candidateDir, rel)))) {
                // A link or another special file: changed, and never opened (head stays null).
                const status = before === null ? 'added' : 'modified';
                changed.push({ path: rel, status, head: null, special: true });
            }
        }
    }
    await eachLimited(sameSized, async ({ rel, size }) => {
        signal?.throwIfAborted();
        if (!(await sameContent(join(baselineDir, rel), join(candidateDir, rel), size))) {
            changed.push({ path: rel, status: 'modified', head: null, special: false });
        }
    });
    // The first bytes of every changed regular file: binary or not, and its language.
    await eachLimited(changed, async (entry) => {
        signal?.throwIfAborted();
        if (entry.special)
            return;
        const head = await readHead(join(candidateDir, entry.path));
        if (head === null)
            entry.unreadable = true;
        else
            entry.head = head;
    });
    changed.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
    return { changed: changed.map(({ special: _special, ...entry }) => entry), unnamed };
}
function executable(stats) {
    return (stats.mode & 0o100) !== 0;
}
/** Whether a link (or FIFO, socket, device) of the candidate is the same entry on the baseline. */
async function sameSpecial(dirent, before, baselinePath, candidatePath) {
    if (before === null)
        return false;
    if (dirent.isSymbolicLink()) {
        if (!before.isSymbolicLink())
            return false;
        const [a, b] = await Promise.all([
            readlink(baselinePath, { encoding: 'buffer' }),
            readlink(candidatePath, { encoding: 'buffer' }),
        ]);
        return a.equals(b);
    }
    return ((dirent.isFIFO() && before.isFIFO()) ||
        (dirent.isSocket() && before.isSocket()) ||
        (dirent.isCharacterDevice() && before.isCharacterDevice()) ||
        (dirent.isBlockDevice() && before.isBlockDevice()));
}
/** Compares two files of the same size chunk by chunk; false when either cannot be read. */
async function sameContent(a, b, size) {
    let ha = null;
    let hb = null;
    try {
        ha = await open(a, OPEN_FLAGS);
        hb = await open(b, OPEN_FLAGS);
        const [sa, sb] = await Promise.all([ha.stat(), hb.stat()]);
        if (!sa.isFile() || !sb.isFile())
            return false;
        const ba = Buffer.allocUnsafe(CHUNK_BYTES);
        const bb = Buffer.allocUnsafe(CHUNK_BYTES);
        for (let offset = 0; offset < size;) {
            const [ra, rb] = await Promise.all([
                ha.read(ba, 0, CHUNK_BYTES, offset),
                hb.read(bb, 0, CHUNK_BYTES, offset),
            ]);
            if (ra.bytesRead !== rb.bytesRead)
                return false;
            if (ra.bytesRead === 0)
                break;
            if (!ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead)))
                return false;
            offset += ra.bytesRead;
        }
        return true;
    }
    catch {
        return false;
    }
    finally {
        await ha?.close().catch(() => undefined);
        await hb?.close().catch(() => undefined);
    }
}
/** The first BINARY_SNIFF_BYTES of a regular file, or null when it is not one any more. */
async function readHead(path) {
    let handle = null;
    try {
        handle = await open(path, OPEN_FLAGS);
        if (!(await handle.stat()).isFile())
            return null;
        const buffer = Buffer.alloc(BINARY_SNIFF_BYTES);
        let length = 0;
        while (length < buffer.length) {
            const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
            if (bytesRead === 0)
                break;
            length += bytesRead;
        }
        return buffer.subarray(0, length);
    }
    catch {
        return null;
    }
    finally {
        await handle?.close().catch(() => undefined);
    }
}
/** Runs fn over items, FILE_CONCURRENCY at a time; the first rejection rejects, after all stop. */
async function eachLimited(items, fn) {
    let next = 0;
    const worker = async () => {
        while (next < items.length)
            await fn(items[next++]);
    };
    const settled = await Promise.allSettled(Array.from({ length: Math.min(FILE_CONCURRENCY, items.length) }, worker));
    for (const s of settled)
        if (s.status === 'rejected')
            throw s.reason;
}
