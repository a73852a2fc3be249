/**
 * The one way the gate runs a helper command of its own to completion (git, sudo, cp, probes)
 * and gets back how it ended and what it printed: a small options object in front of one
 * function, as in @actions/exec. argv goes to the program as it is; there is no shell.
 *
 * Checks do not come through here: a check is a run (spawnBounded, with its output log, its
 * metrics and its verdict channel).
 */
import { spawn } from 'node:child_process';
import { checkDirectory, describeSpawnError, spawnBounded } from "./process.js";
const DEFAULT_GRACE_MS = 2000;
const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
/** How long the pipes may stay open after the command ended (a leftover process holds them). */
const DRAIN_MS = 1000;
/** How long to wait for the command after SIGKILL before giving up on it. */
const KILL_WAIT_MS = 5000;
/**
 * Runs a helper command to its end (or its budget's) and resolves with how it ended and what it
 * printed. Never rejects: a command that cannot start is `error`, a timeout `timedOut`.
 */
export async function exec(options) {
    const output = new KeptOutput(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
    if (options.processGroup) {
        const r = await spawnBounded({
            argv: [...options.argv],
            cwd: options.cwd ?? process.cwd(),
            env: { ...options.env },
            timeoutMs: options.timeoutMs,
            graceMs: options.graceMs ?? DEFAULT_GRACE_MS,
            logPath: null,
            ...(options.input === undefined ? {} : { input: options.input }),
            onOutput: (chunk, stream) => output.push(stream, chunk),
        }, options.signal);
        return {
            code: r.exitCode,
            signal: r.signal,
            ...output.result(),
            timedOut: r.timedOut,
            aborted: r.aborted,
            error: r.spawnError,
        };
    }
    const ended = await runInSession(options, output);
    return { ...ended, ...output.result() };
}
async function runInSession(options, output) {
    const notStarted = (error) => ({
        code: null,
        signal: null,
        timedOut: false,
        aborted: error === 'aborted',
        error,
    });
    const { argv, signal: abort } = options;
    if (abort?.aborted)
        return notStarted('aborted');
    if (argv.length === 0 || argv[0] === '')
        return notStarted('EINVAL: empty argv');
    const cwdProblem = options.cwd === undefined ? null : checkDirectory(options.cwd);
    if (cwdProblem)
        return notStarted(cwdProblem);
    let child;
    try {
        child = spawn(argv[0], argv.slice(1), {
            ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
            env: options.env,
            stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
            windowsHide: true,
        });
    }
    catch (err) {
        return notStarted(describeSpawnError(err, argv[0]));
    }
    if (child.pid === undefined) {
        const err = await new Promise((resolve) => child.once('error', resolve));
        for (const s of child.stdio)
            s?.destroy();
        return notStarted(describeSpawnError(err, argv[0]));
    }
    // A failed kill() of the running command is an 'error' too: nothing to do about it here.
    child.on('error', () => { });
    const pipes = [child.stdout, child.stderr];
    // An error on a pipe (e.g. after it is destroyed) must not become an uncaught exception.
    for (const s of pipes)
        s?.on('error', () => { });
    child.stdout?.on('data', (chunk) => output.push('stdout', chunk));
    child.stderr?.on('data', (chunk) => output.push('stderr', chunk));
    if (options.input !== undefined && child.stdin) {
        // A command that exits without reading stdin makes this write fail with EPIPE: harmless.
        child.stdin.on('error', () => { });
        child.stdin.end(options.input);
    }
    const timers = new Set();
    const later = (ms, fn) => {
        const t = setTimeout(() => {
            timers.delete(t);
            fn();
        }, ms);
        timers.add(t);
    };
    let timedOut = false;
    let aborted = false;
    const exit = await new Promise((resolve) => {
        let exited = false;
        let stopping = false;
        child.once('exit', (code, signal) => {
            exited = true;
            resolve({ code, signal });
        });
        const stop = () => {
            if (exited || stopping)
                return;
            stopping = true;
            child.kill('SIGTERM');
            later(options.graceMs ?? DEFAULT_GRACE_MS, () => {
                if (exited)
                    return;
                child.kill('SIGKILL');
                // A process stuck in uninterruptible sleep survives SIGKILL for a while.
                later(KILL_WAIT_MS, () => resolve({ code: null, signal: null }));
            });
        };
        // setTimeout turns anything above 2^31-1 ms into 1 ms.
        later(Math.min(Math.max(0, options.timeoutMs), 2 ** 31 - 1), () => {
            timedOut = true;
            stop();
        });
        const onAbort = () => {
            aborted = true;
            stop();
        };
        abort?.addEventListener('abort', onAbort, { once: true });
        child.once('exit', () => abort?.removeEventListener('abort', onAbort));
    });
    for (const t of timers)
        clearTimeout(t);
    timers.clear();
    // What is already in the pipes; a leftover process that holds them must not keep us here.
    await Promise.race([
        Promise.all(pipes.map((s) => s === null || s.closed || s.destroyed
            ? null
            : new Promise((resolve) => s.once('close', () => resolve())))),
        new Promise((resolve) => later(DRAIN_MS, resolve)),
    ]);
    for (const t of timers)
        clearTimeout(t);
    for (const s of pipes)
        s?.destroy();
    child.stdin?.destroy();
    return {
        code: exit.code,
        signal: exit.signal,
        timedOut,
        aborted,
        error: aborted ? 'aborted' : null,
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
