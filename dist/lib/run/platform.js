/**
 * What the platform gives the sandboxes: Linux, with everything they can use (overlay mounts in
 * namespaces, cgroups, setpriv, /proc), or only what every POSIX system has (macOS, where the
 * CLI runs too): copy sandboxes, process groups, kill(2), no limits.
 *
 * Portable mode, a testing aid, makes Linux behave like the second kind, so that what the CLI
 * does on macOS is tested where the tests run. `QUORUM_PORTABLE=1` turns it on: copy sandboxes
 * (overlay is refused when asked for), no cgroups, no setpriv, no /proc scans.
 * `QUORUM_PORTABLE=<absolute directory>` does the same and also takes every host tool the gate
 * runs (cp, ...) from that directory and nowhere else, so a directory holding only POSIX tools
 * shows any use of a GNU-only tool or flag. Never set it on a runner: it only takes protection
 * away, and the tools directory is trusted as a system directory is.
 */
import { isAbsolute } from 'node:path';
/** The environment variable that turns portable mode on. */
export const PORTABLE_ENV = 'QUORUM_PORTABLE';
/** Portable mode, or null when QUORUM_PORTABLE is unset, empty or `0`. Never throws. */
export function portableMode(env = process.env) {
    const value = env[PORTABLE_ENV];
    if (value === undefined || value === '' || value === '0')
        return null;
    if (value === '1')
        return { toolDir: null, invalid: null };
    if (isAbsolute(value))
        return { toolDir: value, invalid: null };
    return {
        toolDir: null,
        invalid: `${PORTABLE_ENV} must be 1 or an absolute directory of tools, not ${JSON.stringify(value.slice(0, 100))}`,
    };
}
/**
 * Why the Linux-only means (overlay sandboxes, cgroups, setpriv, /proc) are not used here, as a
 * phrase for a reason in parentheses; null on Linux outside portable mode.
 */
export function linuxOnlyRefusal(env = process.env, platform = process.platform) {
    if (platform !== 'linux')
        return `this is ${platform}`;
    if (portableMode(env) !== null)
        return `${PORTABLE_ENV} is set: only what macOS has too is used`;
    return null;
}
/**
 * Cgroups as this platform has them before anything is probed: unavailable, and why (not Linux,
 * or portable mode), or null when detection should look. For the workspace's cgroup decision.
 */
export function platformCgroupRefusal(env = process.env, platform = process.platform) {
    const why = linuxOnlyRefusal(env, platform);
    return why === null ? null : { available: false, reason: `cgroups are Linux-only (${why})` };
}
/**
 * Whether the judge reads /proc about other processes: only on Linux (another system's /proc,
 * where there is one, has other files in other formats) and not in portable mode.
 */
export function procScansAllowed(env = process.env, platform = process.platform) {
    return linuxOnlyRefusal(env, platform) === null;
}
