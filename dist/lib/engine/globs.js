/**
 * Globs over paths relative to a tree's root (`audit_ignore`). Matching is Node's own
 * `path.matchesGlob` (`*`, `**`, `?`, `[...]`, `{a,b}`), with one difference users expect from
 * .gitignore-style lists: a wildcard matches names that start with a dot too, so `**\/*.md`
 * covers `.github/README.md`.
 */
import { matchesGlob } from 'node:path';
/** Stands in for a leading dot of a path segment, so that `*` and `**` match dot-names. */
const DOT = '\uE000';
/** Why `pattern` cannot be an `audit_ignore` glob, or null when it can. */
export function globProblem(pattern) {
    if (pattern.trim() === '')
        return 'must not be empty';
    if (pattern.startsWith('/')) {
        return 'must be relative to the repository root (no leading "/")';
    }
    if (pattern.startsWith('!')) {
        return 'negation ("!") is not supported; list only what to leave out';
    }
    if (pattern.split('/').includes('..'))
        return 'must not contain ".." (it stays inside the tree)';
    if (/[\0\n\r]/.test(pattern))
        return 'must not contain line breaks or NUL characters';
    return null;
}
/** Whether `relPath` (`/`-separated, relative to the root) matches one of `globs`. */
export function matchesAnyGlob(relPath, globs) {
    if (globs.length === 0)
        return false;
    const path = hideLeadingDots(relPath);
    return globs.some((glob) => matchesGlob(path, hideLeadingDots(glob)));
}
function hideLeadingDots(text) {
    return text
        .split('/')
        .map((segment) => 
    // `.` and `..` stay what they are; only names that start with a dot change.
    segment.startsWith('.') && segment !== '.' && segment !== '..'
        ? DOT + segment.slice(1)
        : segment)
        .join('/');
}
