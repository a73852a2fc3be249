/**
 * What a run printed, kept bounded: the first and last bytes in memory (OutputCapture) and the
 * `key=<number>` score lines (ScoreScanner), whatever the run prints and however fast.
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
 * Finds `<key>=<number>` on stdout lines as they arrive, split across chunks or not. Lines
 * longer than SCORE_LINE_MAX are skipped without being buffered, so a flood without newlines
 * costs nothing.
 */
export declare class ScoreScanner {
    private readonly pattern;
    private pending;
    private pendingLength;
    private skipping;
    private last;
    constructor(key: string);
    push(chunk: Buffer): void;
    finish(): number | null;
    private endLine;
}
