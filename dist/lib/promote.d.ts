import type { Report } from './engine/types.ts';
export declare class PromoteError extends Error {
    name: string;
}
/** Copies candidate over live when the report allows it; throws PromoteError otherwise. */
export declare function promote(candidateDir: string, liveDir: string, report: Report): Promise<void>;
