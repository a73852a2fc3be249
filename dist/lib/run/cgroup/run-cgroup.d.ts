import { type CgroupFs } from './files.ts';
import { type CgroupsAvailable, type ControllerDirs } from './types.ts';
/**
 * The runs of one judge below its parent directories `parentDirs` (created by the caller), on
 * the cgroup file system `fs`.
 */
export declare function makeSupport(version: 1 | 2, parentDirs: ControllerDirs, fs: CgroupFs): CgroupsAvailable;
