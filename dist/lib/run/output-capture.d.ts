/**
 * What a run printed, kept bounded: the first and last bytes in memory (OutputCapture) and the
 * `key=<number>` metric lines (MetricScanner), whatever the run prints and however fast.
 */
import type { CapturedOutput } from '../engine/types.ts';
/** Keeps the first headBytes and the last tailBytes of a byte stream, in constant memory. */
export declare class OutputCapture {
    bytes: number;
    private readonly head;
    private headLength;
    private readonly ring;
    private ringEnd;
    private ringFilled;
    constructor(headBytes: number, tailBytes: number);
    push(chunk: Buffer): void;
    result(logPath: string | null): CapturedOutput;
}
/**
 * Finds `<key>=<number>` on stdout lines as they arrive, split across chunks or not, for one or
 * more keys; the last value of each key wins. Lines longer than SCORE_LINE_MAX are skipped
 * without being buffered, so a flood without newlines costs nothing. `inf`, `nan` and numbers
 * too large for a double are kept as non-finite values, so the caller can name them.
 */
export declare class MetricScanner {
    private readonly pattern;
    private pending;
    private pendingLength;
    private skipping;
    private readonly last;
    private readonly keys;
    constructor(keys: readonly string[]);
    push(chunk: Buffer): void;
    /** The last value of every key that was printed (keys never printed are absent). */
    finish(): Record<string, number>;
    private endLine;
}
