import type { CapturedOutput } from '../engine/types.ts';
export declare const DEFAULT_LOG_LIMIT: number;
/**
 * Appends the log's problem, if any, to the captured output as a last `[quorum: ...]` line, so
 * that every view shows it (the reason never quotes it: lastMeaningfulLine skips our markers).
 * `bytes` stays what the run printed.
 */
export declare function withLogNote(output: CapturedOutput, problem: string | null): CapturedOutput;
/** "no space left on device (ENOSPC)": what a file system error means, then its code. */
export declare function describeFsError(err: unknown): string;
/**
 * Streams output to the log file, up to a limit, then marks the cut.
 *
 * Never throws, never blocks the caller and never keeps it waiting: the file is created new
 * (see LOG_OPEN_FLAGS); writes go through libuv's pool with at most LOG_HIGH_WATER bytes
 * waiting (write() returns false beyond that: backpressure); the first failed write (ENOSPC,
 * EIO, ...) stops the logging for good, drops what was waiting and releases any backpressure;
 * close() resolves within LOG_CLOSE_WAIT_MS whatever the disk does. What went wrong is in
 * `problem`, one line, for the run's output.
 */
export declare class LogWriter {
    /** The log file, complete or partial; null when it was never created. */
    readonly path: string | null;
    /** Why the log is missing or incomplete; null while it is whole. */
    problem: string | null;
    private fd;
    private state;
    private readonly limit;
    /** Output bytes taken under the limit. */
    private taken;
    /** Bytes the file system confirmed written. */
    private onDisk;
    private cut;
    private failed;
    private closing;
    private writing;
    private needDrain;
    private queue;
    private queued;
    private drainListeners;
    private readonly released;
    private markReleased;
    private constructor();
    /**
     * Creates the log at path, which must not exist (anything there is left alone: a log name is
     * unique per run, so an existing file is a bug or an attack). Never fails: a log that cannot
     * be created is a writer that writes nothing and says why.
     */
    static open(path: string, limit: number | undefined): LogWriter;
    onDrain(fn: () => void): void;
    /** Writes a chunk; false means "wait for drain before writing more". */
    write(chunk: Buffer): boolean;
    /** A line of our own, outside the limit. */
    note(text: string): void;
    /**
     * Flushes what is waiting and closes the file. Always resolves, within LOG_CLOSE_WAIT_MS:
     * past that the pending writes are given up on (the file is closed once they return) and the
     * log is said to be incomplete.
     */
    close(totalBytes: number): Promise<void>;
    private enqueue;
    /** Starts the next write, or closes the file when nothing more will be written. */
    private pump;
    /** Drops `n` written bytes from the front of the queue (a write may be partial). */
    private consume;
    private fail;
    /** Writes nothing more, and never leaves the child's pipes paused. */
    private stop;
    private release;
}
