import type { CgroupsUnavailable } from './cgroup.ts';
/** The environment variable that turns portable mode on. */
export declare const PORTABLE_ENV = "QUORUM_PORTABLE";
type Env = Readonly<Record<string, string | undefined>>;
/** Portable mode as QUORUM_PORTABLE asks for it. */
export interface PortableMode {
    /** The only directory host tools are taken from, or null for the usual places. */
    readonly toolDir: string | null;
    /**
     * What is wrong with the variable's value, or null. Portable mode is on all the same (it only
     * takes away), and the workspace refuses to start with this as the reason.
     */
    readonly invalid: string | null;
}
/** Portable mode, or null when QUORUM_PORTABLE is unset, empty or `0`. Never throws. */
export declare function portableMode(env?: Env): PortableMode | null;
/**
 * Why the Linux-only means (overlay sandboxes, cgroups, setpriv, /proc) are not used here, as a
 * phrase for a reason in parentheses; null on Linux outside portable mode.
 */
export declare function linuxOnlyRefusal(env?: Env, platform?: NodeJS.Platform): string | null;
/**
 * Cgroups as this platform has them before anything is probed: unavailable, and why (not Linux,
 * or portable mode), or null when detection should look. For the workspace's cgroup decision.
 */
export declare function platformCgroupRefusal(env?: Env, platform?: NodeJS.Platform): CgroupsUnavailable | null;
/**
 * Whether the judge reads /proc about other processes: only on Linux (another system's /proc,
 * where there is one, has other files in other formats) and not in portable mode.
 */
export declare function procScansAllowed(env?: Env, platform?: NodeJS.Platform): boolean;
export {};
