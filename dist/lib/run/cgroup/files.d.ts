import { CgroupError } from './types.ts';
/**
 * The operations the cgroup code does on the cgroup file system, and nothing else: the kernel's
 * (kernelCgroupFs) in production. Tests hand in a fake that keeps the kernel's rules on a plain
 * directory (a plain directory gets no interface files on mkdir and enforces nothing). Failures
 * are errno errors (`code`, `errno`) as node:fs gives them.
 */
export interface CgroupFs {
    /** Creates a cgroup; the kernel fills it with its interface files. */
    mkdir(dir: string): Promise<void>;
    /** Removes a cgroup without processes or child cgroups. */
    rmdir(dir: string): Promise<void>;
    readFile(file: string): Promise<string>;
    /** One write(2) of `value` to an existing file (no O_CREAT): cgroup files parse each write. */
    write(file: string, value: string): Promise<void>;
    /** The names of the child cgroups of `dir`. */
    subdirs(dir: string): Promise<string[]>;
    /** Resolves when this process may write `file` (access(2) with W_OK). */
    checkWritable(file: string): Promise<void>;
}
export declare const kernelCgroupFs: CgroupFs;
export declare function errnoCode(err: unknown): string | undefined;
export declare function describe(err: unknown): string;
export declare function fail(action: string, path: string, err: unknown): CgroupError;
/**
 * One write(2) of `value` to an existing cgroup file: opened O_WRONLY without O_CREAT, so a
 * missing file is ENOENT, and in one call, as cgroup files parse each write on its own.
 */
export declare function writeCgroupFile(fs: CgroupFs, path: string, value: string): Promise<void>;
/** Like writeCgroupFile, but a missing file is fine (returns false): optional knobs. */
export declare function writeIfPresent(fs: CgroupFs, path: string, value: string): Promise<boolean>;
/** The file's text, or null when it does not exist. */
export declare function readIfPresent(fs: CgroupFs, path: string): Promise<string | null>;
/** The live processes listed in a cgroup.procs file ([] when the cgroup is gone). */
export declare function readProcs(fs: CgroupFs, file: string): Promise<number[]>;
/** rmdir that tolerates a missing directory and retries EBUSY (tasks still exiting) briefly. */
export declare function removeDir(fs: CgroupFs, dir: string, deadline: number): Promise<void>;
export declare function uid(): number;
/** A reason sentence for a failed step, with the permission case spelled out. */
export declare function reasonFrom(what: string, err: unknown): string;
