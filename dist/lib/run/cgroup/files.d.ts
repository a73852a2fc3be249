import { CgroupError } from './types.ts';
export declare function errnoCode(err: unknown): string | undefined;
export declare function describe(err: unknown): string;
export declare function fail(action: string, path: string, err: unknown): CgroupError;
/**
 * One write(2) of `value` to an existing cgroup file: opened O_WRONLY without O_CREAT, so a
 * missing file is ENOENT, and in one call, as cgroup files parse each write on its own.
 */
export declare function writeCgroupFile(path: string, value: string): Promise<void>;
/** Like writeCgroupFile, but a missing file is fine (returns false): optional knobs. */
export declare function writeIfPresent(path: string, value: string): Promise<boolean>;
/** The file's text, or null when it does not exist. */
export declare function readIfPresent(path: string): Promise<string | null>;
/** The live processes listed in a cgroup.procs file ([] when the cgroup is gone). */
export declare function readProcs(file: string): Promise<number[]>;
/** rmdir that tolerates a missing directory and retries EBUSY (tasks still exiting) briefly. */
export declare function removeDir(dir: string, deadline: number): Promise<void>;
export declare function uid(): number;
/** A reason sentence for a failed step, with the permission case spelled out. */
export declare function reasonFrom(what: string, err: unknown): string;
