/**
 * The content identity of a directory tree as the CLI sees it, for reusing run results (DESIGN
 * "Results are reusable": the CLI keys results by a content hash, the action by the git tree id).
 *
 * Nothing in the tree is followed or opened that could leave it, hang or flood memory: entries
 * are classified without following links (readdir types, lstat), symbolic links are hashed by
 * their text, FIFOs, sockets and devices by their type alone, and regular files are opened with
 * O_NOFOLLOW | O_NONBLOCK and streamed through the hash in fixed-size chunks.
 *
 * ## Format (`content:` + sha256 hex)
 * sha256 over TREE_HASH_FORMAT, a NUL byte, then one record per entry under the root (the root
 * itself has none), in byte order of their relative paths (`/`-separated, raw bytes of the file
 * names: names that are not UTF-8 hash as what they are):
 *   type  1 byte:  F regular file, D directory, L symbolic link, P FIFO, S socket,
 *                  C character device, B block device, ? anything else
 *   path  uint32 BE byte length, then the bytes
 *   F:    1 byte 0x01 when the owner-executable bit is set (as git's 100755), else 0x00;
 *         then the sha256 of the content (32 bytes)
 *   L:    uint32 BE byte length of the link text, then its bytes
 * Directories have no payload: their records and the records below them are their content, so an
 * empty directory counts. Ownership, times and other mode bits do not count.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { constants as fsConstants } from 'node:fs';
import { readdir, readlink, stat } from 'node:fs/promises';
import { TREE_HIDDEN } from "../engine/paths.js";
export const TREE_HASH_FORMAT = 'quorum-tree/1';
/**
 * Skipped at the root by default: TREE_HIDDEN, the entries no check ever sees (the sandboxes
 * hide them), so that a key covers exactly what a check can read.
 */
export const DEFAULT_TREE_IGNORE = TREE_HIDDEN;
/**
 * Files hashed at once. Each holds one CHUNK_BYTES buffer (4 MiB in all); more than libuv's 4
 * pool threads keeps the pool busy while JavaScript handles the completions (measured on 2
 * cores: 50k small files in about 2.5 s).
 */
const FILE_CONCURRENCY = 16;
/** Bytes read per chunk from a file. */
const CHUNK_BYTES = 256 * 1024;
/** Regular files are opened so that a link put in their place is an error, never followed. */
const FILE_OPEN_FLAGS = fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK;
const SLASH = Buffer.from('/');
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
export async function treeContentHash(dir, options = {}) {
    const signal = options.abort;
    signal?.throwIfAborted();
    const ignore = ignoreSet(options.ignore ?? DEFAULT_TREE_IGNORE);
    const root = Buffer.from(dir);
    // The root is the caller's choice and may be reached through a link; nothing below it is.
    const rootStat = await stat(root);
    if (!rootStat.isDirectory())
        throw new Error(`cannot hash ${dir}: it is not a directory`);
    const entries = [];
    const files = [];
    // Depth-first with an explicit stack: a deep tree must not overflow the call stack.
    const pending = [Buffer.alloc(0)];
    while (pending.length > 0) {
        signal?.throwIfAborted();
        const relDir = pending.pop();
        const absDir = relDir.length === 0 ? root : Buffer.concat([root, SLASH, relDir]);
        const dirents = await readdir(absDir, { encoding: 'buffer', withFileTypes: true }).catch((err) => {
            throw readError(absDir, err);
        });
        for (const dirent of dirents) {
            const rel = relDir.length === 0 ? dirent.name : Buffer.concat([relDir, SLASH, dirent.name]);
            if (ignore.has(rel.toString('latin1')))
                continue;
            const entry = { rel, type: typeOf(dirent) };
            entries.push(entry);
            if (entry.type === 'D')
                pending.push(rel);
            else if (entry.type === 'F')
                files.push(entry);
            else if (entry.type === 'L') {
                const abs = Buffer.concat([root, SLASH, rel]);
                entry.link = await readlink(abs, { encoding: 'buffer' }).catch((err) => {
                    throw readError(abs, err);
                });
            }
        }
    }
    await hashFiles(root, files, signal);
    signal?.throwIfAborted();
    entries.sort((a, b) => Buffer.compare(a.rel, b.rel));
    const hash = createHash('sha256');
    hash.update(`${TREE_HASH_FORMAT}\0`, 'latin1');
    for (const entry of entries) {
        hash.update(entry.type, 'latin1');
        hash.update(uint32(entry.rel.length));
        hash.update(entry.rel);
        if (entry.type === 'F') {
            hash.update(Buffer.of(entry.exec ? 1 : 0));
            hash.update(entry.digest);
        }
        else if (entry.type === 'L') {
            hash.update(uint32(entry.link.length));
            hash.update(entry.link);
        }
    }
    return `content:${hash.digest('hex')}`;
}
function ignoreSet(paths) {
    const set = new Set();
    for (const p of paths) {
        const parts = p.split('/');
        if (p === '' || parts.some((part) => part === '' || part === '.' || part === '..')) {
            throw new TypeError(`treeContentHash: ignore entry ${JSON.stringify(p)} must be a relative path like ".git" or "build/out"`);
        }
        // latin1 maps bytes 1:1, so a UTF-8 path compares with the raw bytes of the entry name.
        set.add(Buffer.from(p, 'utf8').toString('latin1'));
    }
    return set;
}
function typeOf(dirent) {
    // Node fills in the type with lstat when the file system does not report it (DT_UNKNOWN), so
    // a link is always seen as a link here, never as what it points to.
    if (dirent.isFile())
        return 'F';
    if (dirent.isDirectory())
        return 'D';
    if (dirent.isSymbolicLink())
        return 'L';
    if (dirent.isFIFO())
        return 'P';
    if (dirent.isSocket())
        return 'S';
    if (dirent.isCharacterDevice())
        return 'C';
    if (dirent.isBlockDevice())
        return 'B';
    return '?';
}
/** Hashes the regular files with a small pool of workers, each with one reusable buffer. */
async function hashFiles(root, files, signal) {
    let next = 0;
    let failed = false;
    const worker = async () => {
        const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
        while (next < files.length && !failed) {
            signal?.throwIfAborted();
            const entry = files[next++];
            try {
                await hashFile(Buffer.concat([root, SLASH, entry.rel]), entry, buffer, signal);
            }
            catch (err) {
                failed = true;
                throw err;
            }
        }
    };
    const workers = Array.from({ length: Math.min(FILE_CONCURRENCY, files.length) }, worker);
    // allSettled first: no worker may still be reading when the caller hears of a failure.
    const settled = await Promise.allSettled(workers);
    for (const s of settled)
        if (s.status === 'rejected')
            throw s.reason;
}
// The callback API, promisified by hand: measurably cheaper per call than FileHandle, and a
// tree of small files is almost nothing but these calls.
const openFd = (path) => new Promise((resolve, reject) => fs.open(path, FILE_OPEN_FLAGS, (err, fd) => (err ? reject(err) : resolve(fd))));
const fstatFd = (fd) => new Promise((resolve, reject) => fs.fstat(fd, (err, st) => (err ? reject(err) : resolve(st))));
const readFd = (fd, buffer) => new Promise((resolve, reject) => fs.read(fd, buffer, 0, buffer.length, null, (err, n) => (err ? reject(err) : resolve(n))));
const closeFd = (fd) => new Promise((resolve) => fs.close(fd, () => resolve()));
async function hashFile(abs, entry, buffer, signal) {
    const fd = await openFd(abs).catch((err) => {
        // ELOOP: it was a regular file when listed and is a link now.
        throw readError(abs, err);
    });
    try {
        const st = await fstatFd(fd);
        if (!st.isFile()) {
            throw new Error(`cannot hash ${abs.toString()}: it changed while the tree was hashed (no longer a regular file)`);
        }
        const hash = createHash('sha256');
        let total = 0;
        for (;;) {
            signal?.throwIfAborted();
            const bytesRead = await readFd(fd, buffer).catch((err) => {
                throw readError(abs, err);
            });
            if (bytesRead === 0)
                break;
            hash.update(buffer.subarray(0, bytesRead));
            total += bytesRead;
            // A short read that reaches the size fstat gave is the end: spares most files a read.
            if (bytesRead < buffer.length && total === st.size)
                break;
        }
        entry.exec = (st.mode & 0o100) !== 0;
        entry.digest = hash.digest();
    }
    finally {
        await closeFd(fd);
    }
}
function uint32(n) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
}
function readError(path, err) {
    const code = err?.code;
    const why = code === 'ENOENT'
        ? 'it vanished while the tree was hashed'
        : code === 'ELOOP'
            ? 'it became a symbolic link while the tree was hashed'
            : err instanceof Error
                ? err.message
                : String(err);
    return new Error(`cannot hash ${path.toString()}: ${why}`, { cause: err });
}
