/**
 * Promote: make the live directory match an allowed candidate (the original tool's
 * `--promote --live DIR`). Files the candidate deleted are deleted from live too, so live ends up
 * exactly what was verified; a top-level `.git` in live is left alone.
 */
import { QuorumError, errorMessage } from "../engine/errors.js";
import { isInside } from "../engine/paths.js";
import { cp, lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
/**
 * Copies candidate over live when the report allows it; otherwise, and when copying fails,
 * throws a QuorumError of fate 'promote'.
 */
export async function promote(candidateDir, liveDir, report) {
    if (report.verdict !== 'allow') {
        throw new QuorumError('promote', 'the candidate was blocked; nothing promoted');
    }
    const candidate = resolve(candidateDir);
    const live = resolve(liveDir);
    if (isInside(live, candidate) || isInside(candidate, live)) {
        throw new QuorumError('promote', `${live} and ${candidate} overlap; refusing to copy one over the other`);
    }
    try {
        await mkdir(live, { recursive: true });
        // Remove first, so an entry that changed kind (file <-> directory) can be copied afresh.
        await removeExtraneous(candidate, live, true);
        await cp(candidate, live, {
            recursive: true,
            force: true,
            verbatimSymlinks: true,
            filter: (source) => relative(candidate, source) !== '.git',
        });
    }
    catch (error) {
        const why = errorMessage(error);
        throw new QuorumError('promote', `copying ${candidate} over ${live} failed: ${why}`);
    }
}
async function removeExtraneous(candidate, live, top) {
    for (const entry of await readdir(live, { withFileTypes: true })) {
        if (top && entry.name === '.git')
            continue;
        const inLive = join(live, entry.name);
        const inCandidate = join(candidate, entry.name);
        const source = await lstat(inCandidate).catch(() => null);
        // Links are always replaced: copying a link over a link follows the old one.
        const replace = !source || source.isDirectory() !== entry.isDirectory();
        if (replace || entry.isSymbolicLink() || source.isSymbolicLink()) {
            await rm(inLive, { recursive: true, force: true });
        }
        else if (entry.isDirectory()) {
            await removeExtraneous(inCandidate, inLive, false);
        }
    }
}
