import type { Report } from '../engine/types.ts';
/**
 * Copies candidate over live when the report allows it; otherwise, and when copying fails,
 * throws a QuorumError of fate 'promote'.
 */
export declare function promote(candidateDir: string, liveDir: string, report: Report): Promise<void>;
