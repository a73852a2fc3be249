/**
 * One bounded subprocess: the process side of a run. Whatever the child does (loops forever,
 * ignores SIGTERM, floods its output, leaves a background process holding the pipe, forks a
 * tree of grandchildren), spawnBounded resolves within its budget plus a short grace, with
 * bounded memory, and leaves no process of the run behind.
 *
 * How: every run is the leader of its own process group (and session), so the whole tree can be
 * signalled at once; the main process's exit, not the end of its pipes, is what ends the run;
 * whatever is left of the group then is killed, and the pipes get a short drain before they are
 * cut. A process that calls setsid() itself leaves the group and escapes this; that is for the
 * sandbox (a PID namespace) to contain.
 *
 * Those steps are superviseProcess, the one spawner: spawnBounded (a check's run: log, head and
 * tail, scores, the verdict channel) and exec (the gate's own commands, in a group or not) are
 * what each keeps of the output around it.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { functionHostArgv, listHostArgv } from "./function-host.js";
import { LogWriter, withLogNote } from "./log-writer.js";
import { MetricScanner, OutputCapture } from "./output-capture.js";
import { groupHasLiveMembers, isInGroup, signalGroup, waitForGroupGone } from "./proc-scan.js";
import { errorMessage } from "../engine/errors.js";
export { functionHostArgv, listHostArgv };
const DEFAULT_GRACE_MS = 2000;
const DEFAULT_HEAD = 16 * 1024;
const DEFAULT_TAIL = 16 * 1024;
const CHANNEL_LIMIT = 1024 * 1024;
/** How long the pipes may stay open after the main process ended and the group was killed. */
const DRAIN_MS = 1000;
/** How long to wait for the main process after SIGKILL before giving up on it. */
const KILL_WAIT_MS = 5000;
/**
 * Process groups of runs in flight, so that the judge's own exit can take them down too. The
 * 'exit' listener that does it is there only while a run is: a library caller's process carries
 * no listener of ours between gates.
 */
const liveGroups = new Set();
function trackGroup(pgid) {
    if (liveGroups.size === 0)
        process.on('exit', killAllRunGroups);
    liveGroups.add(pgid);
}
function untrackGroup(pgid) {
    if (liveGroups.delete(pgid) && liveGroups.size === 0)
        process.off('exit', killAllRunGroups);
}
/**
 * Sends SIGKILL to the process group of every run still in flight. Called on the judge's own
 * exit; an entry point that handles SIGINT/SIGTERM should call it too, because detached children
 * do not die with their parent.
 */
export function killAllRunGroups() {
    for (const pgid of liveGroups)
        signalGroup(pgid, 'SIGKILL');
}
/** The argv that runs a shell command line: `['/bin/sh', '-c', command]`. */
export function shellArgv(command) {
    return ['/bin/sh', '-c', command];
}
/**
 * The one way Quorum runs a process to its end: spawn it (in a process group of its own, or
 * not), bound it by a timeout and an abort signal (SIGTERM, then SIGKILL after the grace), kill
 * what is left of its group, drain its pipes for a short while, and settle once. Never rejects:
 * everything that can go wrong is in the result. spawnBounded (checks) and exec (the gate's own
 * commands) are the two callers; each adds what it keeps of the output.
 */
export async function superviseProcess(options) {
    const notStarted = (spawnError) => ({
        started: false,
        exitCode: null,
        signal: null,
        timedOut: false,
        aborted: spawnError === 'aborted',
        spawnError,
        durationMs: 0,
        killedLeftovers: false,
    });
    const { argv, signal: abort, processGroup } = options;
    if (abort?.aborted)
        return notStarted('aborted');
    if (argv.length === 0 || argv[0] === '')
        return notStarted('EINVAL: empty argv');
    // spawn reports a missing cwd as ENOENT of the command, which sends people looking for the
    // wrong thing; say which one is missing.
    const cwdProblem = options.cwd === undefined ? null : checkDirectory(options.cwd);
    if (cwdProblem)
        return notStarted(cwdProblem);
    const started = performance.now();
    let child;
    try {
        child = spawn(argv[0], argv.slice(1), {
            ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
            env: options.env,
            detached: processGroup,
            stdio: [
                options.input === undefined ? 'ignore' : 'pipe',
                'pipe',
                'pipe',
                ...(options.channel ? ['pipe'] : []),
            ],
            windowsHide: true,
        });
    }
    catch (err) {
        return notStarted(describeSpawnError(err, argv[0]));
    }
    const pid = child.pid;
    if (pid === undefined) {
        const err = await new Promise((resolve) => child.once('error', resolve));
        for (const s of child.stdio)
            s?.destroy();
        return notStarted(describeSpawnError(err, argv[0]));
    }
    if (processGroup)
        trackGroup(pid);
    if (options.input !== undefined && child.stdin) {
        // A process that exits without reading stdin makes this write fail with EPIPE: harmless.
        child.stdin.on('error', () => { });
        child.stdin.end(options.input);
    }
    const outputs = [child.stdout, child.stderr].filter((s) => s !== null);
    const channelStream = options.channel ? child.stdio[3] : null;
    const pipes = channelStream ? [...outputs, channelStream] : outputs;
    // Backpressure: while the sink cannot take more (a log file's write buffer is full), stop
    // reading, so a flood fills the pipe (and blocks the process) instead of our memory.
    let paused = false;
    options.output.onDrain?.(() => {
        if (!paused)
            return;
        paused = false;
        for (const s of outputs)
            s.resume();
    });
    const onOutput = (chunk, stream) => {
        if (!options.output.write(chunk, stream) && !paused) {
            paused = true;
            for (const s of outputs)
                s.pause();
        }
    };
    child.stdout?.on('data', (chunk) => onOutput(chunk, 'stdout'));
    child.stderr?.on('data', (chunk) => onOutput(chunk, 'stderr'));
    if (options.channel)
        channelStream?.on('data', options.channel);
    // An error on a pipe (e.g. after we destroy it) must not become an uncaught exception; nor
    // may a failed kill() of the running process, which is an 'error' too.
    for (const s of pipes)
        s.on('error', () => { });
    child.on('error', () => { });
    let timedOut = false;
    let aborted = false;
    const timers = new Set();
    const later = (ms, fn) => {
        const t = setTimeout(() => {
            timers.delete(t);
            fn();
        }, ms);
        timers.add(t);
    };
    const exit = await new Promise((resolve) => {
        let exited = false;
        let stopping = false;
        child.once('exit', (code, signal) => {
            exited = true;
            resolve({ code, signal, ended: performance.now() });
        });
        // In a group, the process too, by pid, when it moved itself to another group (or where
        // that cannot be told); never twice when it is still in it (a TERM trap would run twice).
        const signalRun = (signal) => {
            if (processGroup)
                signalGroup(pid, signal);
            if (!processGroup || isInGroup(pid, pid) !== true)
                child.kill(signal);
        };
        // Once, whether the timeout or the abort (or both) asked first.
        const stop = () => {
            if (exited || stopping)
                return;
            stopping = true;
            signalRun('SIGTERM');
            later(options.graceMs ?? DEFAULT_GRACE_MS, () => {
                if (exited)
                    return;
                signalRun('SIGKILL');
                // A process stuck in uninterruptible sleep survives SIGKILL for a while; the gate
                // must not hang on it.
                later(KILL_WAIT_MS, () => resolve({ code: null, signal: null, ended: performance.now() }));
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
    // The process is gone; anything left of its group (background jobs, grandchildren, a process
    // ignoring SIGTERM) dies now.
    const killedLeftovers = processGroup && groupHasLiveMembers(pid);
    if (killedLeftovers)
        signalGroup(pid, 'SIGKILL');
    // Drain what is already in the pipes; a holder that escaped the group (or, outside a group,
    // any leftover) must not keep us here.
    await Promise.race([
        Promise.all(pipes.map((s) => (s.closed || s.destroyed ? null : once(s, 'close')))),
        new Promise((resolve) => later(DRAIN_MS, () => resolve(null))),
    ]);
    for (const t of timers)
        clearTimeout(t);
    timers.clear();
    for (const s of pipes)
        s.destroy();
    child.stdin?.destroy();
    if (processGroup) {
        await waitForGroupGone(pid);
        untrackGroup(pid);
    }
    return {
        started: true,
        exitCode: exit.code,
        signal: exit.signal,
        timedOut,
        aborted,
        spawnError: aborted ? 'aborted' : null,
        durationMs: exit.ended - started,
        killedLeftovers,
    };
}
/**
 * Runs argv in its own process group with a wall-clock budget and bounded output capture
 * (superviseProcess, with a log file, head and tail, score and metric scanning and the verdict
 * channel). Never rejects: everything that can go wrong is in the result. On timeout (or abort)
 * the group gets SIGTERM, then SIGKILL after graceMs; when the main process ends, whatever is
 * left of its group is killed at once. Resolves once no process of the group is left (zombies
 * awaiting a reaper count as gone) and the log file is complete.
 */
export async function spawnBounded(spec, abort) {
    const capture = new OutputCapture(spec.headBytes ?? DEFAULT_HEAD, spec.tailBytes ?? DEFAULT_TAIL);
    const log = spec.logPath === null ? null : LogWriter.open(spec.logPath, spec.logLimitBytes);
    const scanKeys = [
        ...new Set([...(spec.scoreKey ? [spec.scoreKey] : []), ...(spec.metricKeys ?? [])]),
    ];
    const scanner = scanKeys.length > 0 ? new MetricScanner(scanKeys) : null;
    const nonce = spec.channel ? randomBytes(16).toString('hex') : null;
    const stdinText = nonce === null ? spec.input : `${nonce}\n${spec.input ?? ''}`;
    const channelChunks = [];
    let channelBytes = 0;
    const ended = await superviseProcess({
        argv: spec.argv,
        cwd: spec.cwd,
        env: spec.env,
        timeoutMs: spec.timeoutMs,
        graceMs: spec.graceMs,
        signal: abort,
        input: stdinText,
        processGroup: true,
        output: {
            write(chunk, stream) {
                capture.push(chunk);
                if (stream === 'stdout')
                    scanner?.push(chunk);
                return log === null || log.write(chunk);
            },
            ...(log === null ? {} : { onDrain: (resume) => log.onDrain(resume) }),
        },
        ...(spec.channel
            ? {
                channel: (chunk) => {
                    // Past the limit the bytes are read and dropped, so a flood on fd 3 cannot block
                    // the child.
                    const room = CHANNEL_LIMIT - channelBytes;
                    if (room <= 0)
                        return;
                    const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
                    channelChunks.push(kept);
                    channelBytes += kept.length;
                },
            }
            : {}),
    });
    if (!ended.started)
        log?.note(`[quorum: the process did not start: ${ended.spawnError}]\n`);
    await log?.close(capture.bytes);
    const metrics = scanner?.finish() ?? {};
    return {
        exitCode: ended.exitCode,
        signal: ended.signal,
        timedOut: ended.timedOut,
        spawnError: ended.spawnError,
        aborted: ended.aborted,
        durationMs: Math.round(ended.durationMs),
        output: withLogNote(capture.result(log?.path ?? null), log?.problem ?? null),
        score: scoreOf(metrics, spec.scoreKey ?? null),
        metrics,
        channel: spec.channel ? Buffer.concat(channelChunks).toString('utf8') : null,
        channelNonce: nonce,
        killedLeftovers: ended.killedLeftovers,
    };
}
function once(stream, event) {
    return new Promise((resolve) => stream.once(event, () => resolve()));
}
/** Why `dir` cannot be a working directory (it is missing, or not a directory), or null. */
export function checkDirectory(dir) {
    try {
        if (!statSync(dir).isDirectory())
            return `ENOTDIR: the working directory is not a directory: ${dir}`;
        return null;
    }
    catch {
        return `ENOENT: the working directory does not exist: ${dir}`;
    }
}
/** A failed spawn as one line: the errno code first, and what it means for `command`. */
export function describeSpawnError(err, command) {
    const code = err?.code;
    if (code === 'ENOENT')
        return `ENOENT: command not found: ${command}`;
    if (code === 'EACCES')
        return `EACCES: permission denied (not executable?): ${command}`;
    const message = errorMessage(err);
    return typeof code === 'string' ? `${code}: ${message}` : message;
}
/** The score key's value when it was printed as a finite number, else null. */
function scoreOf(metrics, key) {
    const value = key === null ? undefined : metrics[key];
    return value !== undefined && Number.isFinite(value) ? value : null;
}
