/**
 * The one way the gate runs a helper command of its own to completion (git, sudo, cp, probes)
 * and gets back how it ended and what it printed: a small options object in front of one
 * function, as in @actions/exec. argv goes to the program as it is; there is no shell.
 *
 * Checks do not come through here: a check is a run (spawnBounded, with its output log, its
 * metrics and its verdict channel). Both spawn through superviseProcess (process.ts); this file
 * only keeps the start of stdout and stderr apart.
 */
import { superviseProcess } from "./process.js";
/**
 * Why a helper command did not succeed, in one short line: why it could not run, else the last
 * line it printed (stderr, else stdout), else how it ended; null when it exited 0.
 */
export function whyFailed(r) {
    if (r.code === 0 && r.error === null)
        return null;
    if (r.error !== null)
        return r.error;
    if (r.timedOut)
        return 'it ran out of time';
    const said = (r.stderr.trim() || r.stdout.trim()).split('\n').at(-1)?.slice(0, 200) ?? '';
    return said || (r.signal ? `killed by ${r.signal}` : `exit ${r.code}`);
}
const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
/**
 * Runs a helper command to its end (or its budget's) and resolves with how it ended and what it
 * printed. Never rejects: a command that cannot start is `error`, a timeout `timedOut`.
 */
export async function exec(options) {
    const output = new KeptOutput(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
    const ended = await superviseProcess({
        argv: options.argv,
        cwd: options.cwd,
        env: options.env,
        timeoutMs: options.timeoutMs,
        graceMs: options.graceMs,
        signal: options.signal,
        input: options.input,
        processGroup: options.processGroup ?? false,
        output: {
            write: (chunk, stream) => {
                output.push(stream, chunk);
                return true;
            },
        },
    });
    return {
        code: ended.exitCode,
        signal: ended.signal,
        ...output.result(),
        timedOut: ended.timedOut,
        aborted: ended.aborted,
        error: ended.spawnError,
    };
}
/** The first `limit` bytes of stdout and of stderr; the rest is counted and dropped. */
class KeptOutput {
    #limit;
    #chunks = { stdout: [], stderr: [] };
    #sizes = { stdout: 0, stderr: 0 };
    constructor(limit) {
        this.#limit = limit;
    }
    push(stream, chunk) {
        const room = this.#limit - this.#sizes[stream];
        if (room > 0)
            this.#chunks[stream].push(chunk.length <= room ? chunk : chunk.subarray(0, room));
        this.#sizes[stream] += chunk.length;
    }
    result() {
        return {
            stdout: Buffer.concat(this.#chunks.stdout).toString('utf8'),
            stderr: Buffer.concat(this.#chunks.stderr).toString('utf8'),
            truncated: this.#sizes.stdout > this.#limit || this.#sizes.stderr > this.#limit,
        };
    }
}
