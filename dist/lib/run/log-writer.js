/**
 * A run's full output on disk: created new, never followed, never blocking, and never able to
 * hang or fail the run (a full disk truncates the log with a note).
 */
import { close, closeSync, constants as fsConstants, fstatSync, openSync, writev } from 'node:fs';
import { oneLine } from "../engine/paths.js";
import { errorMessage } from "../engine/errors.js";
export const DEFAULT_LOG_LIMIT = 128 * 1024 * 1024;
/** Bytes waiting for the log file beyond which the child's output is paused. */
const LOG_HIGH_WATER = 1024 * 1024;
/** How long closing a log may wait for its pending writes before it gives up on them. */
const LOG_CLOSE_WAIT_MS = 2000;
/**
 * The log is made by the run and nobody else: fail if anything is at the path (O_EXCL), never
 * follow a symlink there (O_NOFOLLOW), never block on a FIFO or device (O_NONBLOCK).
 */
const LOG_OPEN_FLAGS = fsConstants.O_WRONLY |
    fsConstants.O_CREAT |
    fsConstants.O_EXCL |
    fsConstants.O_NOFOLLOW |
    fsConstants.O_NONBLOCK;
/**
 * Appends the log's problem, if any, to the captured output as a last `[quorum: ...]` line, so
 * that every view shows it (the reason never quotes it: lastMeaningfulLine skips our markers).
 * `bytes` stays what the run printed.
 */
export function withLogNote(output, problem) {
    if (problem === null)
        return output;
    const last = output.tail !== '' ? output.tail : output.head;
    const sep = last === '' || last.endsWith('\n') ? '' : '\n';
    return { ...output, tail: `${output.tail}${sep}[quorum: ${oneLine(problem)}]\n` };
}
const FS_ERRORS = {
    ENOSPC: 'no space left on device',
    EDQUOT: 'disk quota exceeded',
    EFBIG: 'file too large',
    EIO: 'input/output error',
    EROFS: 'read-only file system',
    EEXIST: 'it already exists',
    ELOOP: 'it is a symbolic link',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOENT: 'its directory does not exist',
    ENOTDIR: 'a part of its path is not a directory',
    EISDIR: 'it is a directory',
    EPIPE: 'broken pipe',
    ENXIO: 'no such device or address',
    EAGAIN: 'it would block',
};
/** "no space left on device (ENOSPC)": what a file system error means, then its code. */
export function describeFsError(err) {
    const code = err?.code;
    if (typeof code === 'string')
        return `${FS_ERRORS[code] ?? code.toLowerCase()} (${code})`;
    return errorMessage(err);
}
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
export class LogWriter {
    /** The log file, complete or partial; null when it was never created. */
    path;
    /** Why the log is missing or incomplete; null while it is whole. */
    problem;
    fd;
    state = 'open';
    limit;
    /** Output bytes taken under the limit. */
    taken = 0;
    /** Bytes the file system confirmed written. */
    onDisk = 0;
    cut = false;
    failed = false;
    closing = false;
    writing = false;
    needDrain = false;
    queue = [];
    queued = 0;
    drainListeners = [];
    released;
    markReleased;
    constructor(path, fd, limit, problem) {
        this.path = path;
        this.fd = fd;
        this.limit = limit;
        this.problem = problem;
        this.released = new Promise((resolve) => (this.markReleased = resolve));
        if (fd === null) {
            this.failed = true;
            this.state = 'released';
            this.markReleased();
        }
    }
    /**
     * Creates the log at path, which must not exist (anything there is left alone: a log name is
     * unique per run, so an existing file is a bug or an attack). Never fails: a log that cannot
     * be created is a writer that writes nothing and says why.
     */
    static open(path, limit) {
        const max = Math.max(0, limit ?? DEFAULT_LOG_LIMIT);
        const unusable = (why) => new LogWriter(null, null, max, `the full log could not be written: cannot create ${path}: ${why}; only the head and tail of the output were kept`);
        let fd;
        try {
            fd = openSync(path, LOG_OPEN_FLAGS, 0o600);
        }
        catch (err) {
            return unusable(describeFsError(err));
        }
        let regular = false;
        try {
            regular = fstatSync(fd).isFile();
        }
        catch {
            // not regular, as far as we can tell
        }
        if (!regular) {
            try {
                closeSync(fd);
            }
            catch {
                // nothing more to do with it
            }
            return unusable('it is not a regular file');
        }
        return new LogWriter(path, fd, max, null);
    }
    onDrain(fn) {
        this.drainListeners.push(fn);
    }
    /** Writes a chunk; false means "wait for drain before writing more". */
    write(chunk) {
        if (this.cut || this.failed || this.closing)
            return true;
        const room = this.limit - this.taken;
        if (chunk.length <= room) {
            this.taken += chunk.length;
            return this.enqueue(chunk);
        }
        this.enqueue(chunk.subarray(0, room));
        this.taken = this.limit;
        this.cut = true;
        this.enqueue(Buffer.from(`\n[quorum: log cut here: it reached its limit of ${this.limit} bytes; the rest of the output was not kept]\n`));
        return true;
    }
    /** A line of our own, outside the limit. */
    note(text) {
        if (!this.failed && !this.closing)
            this.enqueue(Buffer.from(text));
    }
    /**
     * Flushes what is waiting and closes the file. Always resolves, within LOG_CLOSE_WAIT_MS:
     * past that the pending writes are given up on (the file is closed once they return) and the
     * log is said to be incomplete.
     */
    async close(totalBytes) {
        if (this.cut)
            this.note(`[quorum: the run printed ${totalBytes} bytes in all]\n`);
        this.closing = true;
        this.pump();
        let timer;
        const gaveUp = await Promise.race([
            this.released.then(() => false),
            new Promise((resolve) => {
                timer = setTimeout(() => resolve(true), LOG_CLOSE_WAIT_MS);
            }),
        ]);
        clearTimeout(timer);
        if (gaveUp) {
            this.problem ??= `log incomplete: writing it had not finished ${LOG_CLOSE_WAIT_MS / 1000} s after the run ended; ${this.path} may lack the end of the output`;
            this.stop();
        }
    }
    enqueue(chunk) {
        if (chunk.length > 0) {
            this.queue.push(chunk);
            this.queued += chunk.length;
            this.pump();
        }
        if (this.queued < LOG_HIGH_WATER)
            return true;
        this.needDrain = true;
        return false;
    }
    /** Starts the next write, or closes the file when nothing more will be written. */
    pump() {
        if (this.writing || this.state !== 'open' || this.fd === null)
            return;
        if (this.failed || (this.closing && this.queue.length === 0)) {
            this.release();
            return;
        }
        if (this.queue.length === 0)
            return;
        // A copy: the queue changes while the write is in flight.
        const batch = this.queue.slice(0, 1024);
        this.writing = true;
        writev(this.fd, batch, null, (err, written) => {
            this.writing = false;
            if (err)
                this.fail(err);
            else if (written === 0)
                this.fail(new Error('a write to it made no progress'));
            else if (!this.failed)
                this.consume(written);
            this.pump();
        });
    }
    /** Drops `n` written bytes from the front of the queue (a write may be partial). */
    consume(n) {
        this.onDisk += n;
        this.queued -= n;
        let rest = n;
        while (rest > 0 && this.queue.length > 0) {
            const first = this.queue[0];
            if (first.length <= rest) {
                rest -= first.length;
                this.queue.shift();
            }
            else {
                this.queue[0] = first.subarray(rest);
                rest = 0;
            }
        }
        if (this.needDrain && this.queued <= LOG_HIGH_WATER / 2) {
            this.needDrain = false;
            this.drainListeners.forEach((fn) => fn());
        }
    }
    fail(err) {
        if (this.failed)
            return;
        this.problem ??= `log truncated: ${describeFsError(err)}; ${this.path} holds only its first ${this.onDisk} bytes`;
        this.stop();
    }
    /** Writes nothing more, and never leaves the child's pipes paused. */
    stop() {
        this.failed = true;
        this.queue = [];
        this.queued = 0;
        this.needDrain = false;
        this.drainListeners.forEach((fn) => fn());
        this.pump();
    }
    release() {
        const fd = this.fd;
        if (fd === null || this.state !== 'open')
            return;
        this.state = 'releasing';
        this.fd = null;
        close(fd, (err) => {
            if (err)
                this.problem ??= `log may be incomplete: closing it failed: ${describeFsError(err)}`;
            this.state = 'released';
            this.markReleased();
        });
    }
}
