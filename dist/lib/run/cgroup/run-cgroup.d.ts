import { type CgroupsAvailable } from './types.ts';
export declare function makeSupport(version: 1 | 2, parents: readonly string[]): CgroupsAvailable;
