/**
 * Where the gate finds the programs it runs for itself (git), outside any sandbox and with the
 * token in reach. A check runs as the same user as the gate, so it can drop an executable named
 * `git` into a directory early on the runner's PATH (`~/.local/bin` is one on GitHub's images);
 * a later `git worktree prune` looked up through PATH would run it. So: every such tool is
 * resolved once, to an absolute path, when the gate starts (before any untrusted code runs),
 * and system directories win over PATH.
 */
import { QuorumError } from "../engine/errors.js";
import { isInside } from "../engine/paths.js";
import { accessSync, constants as fsConstants, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { PORTABLE_ENV, portableMode } from "./platform.js";
/** Searched first, in this order; PATH is only a fallback for tools missing from all of them. */
export const SYSTEM_TOOL_DIRS = [
    '/usr/bin',
    '/bin',
    '/usr/local/bin',
    '/usr/sbin',
    '/sbin',
];
/** The PATH the gate's own children (git) get: never the runner's, which a check may have changed. */
export const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin';
/**
 * The absolute path of the executable `name`: the first of SYSTEM_TOOL_DIRS that has it, else
 * the first absolute PATH entry that has it and is not refused (see below).
 *
 * Why the PATH fallback refuses a tool in a directory the current user can write, or anywhere
 * under HOME, although resolution happens before any untrusted code runs (which already defeats
 * a tool planted on PATH later): resolving early fixes the *path*, not the *file*. A check runs
 * as this same user, so it can replace a file in a directory it can write after we resolved
 * it, and the next `git` the gate runs would be the check's. The rule is the same whatever the
 * timing, so it stays simple: the gate only runs tools the checks cannot rewrite. (As root every
 * directory is writable, so only the system directories count; that is the intent.)
 *
 * In portable mode with a tool directory (QUORUM_PORTABLE=<dir>, a testing aid) that directory
 * is the only place searched: the test that hands it a directory of POSIX tools must see every
 * tool the gate runs come from there, never a GNU one from /usr/bin.
 *
 * @throws QuorumError of fate 'environment' (the run stops) naming what was searched and what
 *   was refused, and why
 */
export function resolveTool(name, options = {}) {
    if (name === '' || name.includes('/')) {
        throw new QuorumError('environment', `resolveTool: '${name}' is not a bare program name`);
    }
    const toolDir = options.systemDirs === undefined ? (portableMode()?.toolDir ?? null) : null;
    if (toolDir !== null) {
        const candidate = path.join(toolDir, name);
        if (isExecutableFile(candidate))
            return candidate;
        throw new QuorumError('environment', `${name} was not found in ${toolDir}, the only tool directory ${PORTABLE_ENV} allows`);
    }
    const systemDirs = options.systemDirs ?? SYSTEM_TOOL_DIRS;
    for (const dir of systemDirs) {
        const candidate = path.join(dir, name);
        if (isExecutableFile(candidate))
            return candidate;
    }
    const canWrite = options.canWrite ?? isWritableDirectory;
    const homeEnv = options.home ?? process.env['HOME'] ?? '';
    // As written and as resolved: a HOME reached through a link is still HOME.
    const homes = [homeEnv, realOrNull(homeEnv)].filter((h) => h !== null && path.isAbsolute(h));
    const pathEnv = 'pathEnv' in options ? options.pathEnv : process.env['PATH'];
    const refused = [];
    for (const dir of (pathEnv ?? '').split(path.delimiter)) {
        // Relative entries ('', '.') mean "the current directory": a tree, when a check runs.
        if (!path.isAbsolute(dir))
            continue;
        const candidate = path.join(dir, name);
        if (!isExecutableFile(candidate))
            continue;
        const why = untrustedLocation(candidate, homes, canWrite);
        if (why === null)
            return candidate;
        refused.push(`${candidate} (${why})`);
    }
    const searched = `${systemDirs.join(', ')} and PATH`;
    throw new QuorumError('environment', refused.length === 0
        ? `${name} was not found in ${searched}; install ${name} on the runner`
        : `${name} was not found in ${systemDirs.join(', ')}, and Quorum refuses the copies on PATH: ` +
            `${refused.join('; ')}. A check runs as the same user and could replace them; install ` +
            `${name} in one of those system directories`);
}
/** Why a tool at `file` (found on PATH) could be rewritten by a check, or null when it cannot. */
function untrustedLocation(file, homes, canWrite) {
    // Both the entry on PATH and what it links to: either one replaced is the tool replaced.
    const real = realOrNull(file) ?? file;
    for (const location of new Set([file, real])) {
        const dir = path.dirname(location);
        const home = homes.find((h) => isInside(location, h));
        if (home !== undefined)
            return `under HOME ${home}`;
        if (canWrite(dir))
            return `in ${dir}, which this user can write`;
    }
    return null;
}
function isExecutableFile(file) {
    try {
        if (!statSync(file).isFile())
            return false;
        accessSync(file, fsConstants.X_OK);
        return true;
    }
    catch {
        return false;
    }
}
function isWritableDirectory(dir) {
    try {
        accessSync(dir, fsConstants.W_OK);
        return true;
    }
    catch {
        return false;
    }
}
function realOrNull(p) {
    if (p === '')
        return null;
    try {
        return realpathSync(p);
    }
    catch {
        return null;
    }
}
