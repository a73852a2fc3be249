/**
 * From what a process did to what it means: outcome, reason, score. Pure: data in, data out.
 *
 * The rules in one place, so every view agrees: PASSED and FAILED are verdicts (an exit code for
 * a shell check, a returned value for a function check); TIMEOUT is over budget; CRASHED is a
 * process that died without a verdict (signal, OOM, hard exit); ERROR is a check that is broken
 * itself (command not found, threw, returned nonsense) or could not run.
 */
import { clip, oneLine } from "./paths.js";
const RETURN_FORMS = 'a check must return true/false, { passed, reason?, score?, metrics? } or [passed, reason?, score?]';
const REASON_MAX = 300;
/**
 * Checks a function check's return value: a boolean, `{ passed, reason?, score? }` or
 * `[passed, reason?, score?]`. `passed` must be a boolean, `reason` a string (or absent/null),
 * `score` a finite number (or absent/null). Anything else is `ok: false` with a reason that
 * names what was returned.
 */
export function normalizeCheckReturn(value) {
    if (typeof value === 'boolean') {
        return { ok: true, passed: value, reason: null, score: null };
    }
    let passed;
    let reason;
    let score;
    let metrics;
    let shape;
    if (Array.isArray(value)) {
        if (value.length < 1 || value.length > 3) {
            return { ok: false, reason: `returned an array of length ${value.length}; ${RETURN_FORMS}` };
        }
        ;
        [passed, reason, score] = value;
        shape = '[passed, reason, score]';
    }
    else if (value !== null && typeof value === 'object') {
        const record = value;
        if (!('passed' in record)) {
            const keys = Object.keys(record);
            const has = keys.length === 0 ? 'an empty object' : `an object with keys ${clip(keys.join(', '), 80)}`;
            return { ok: false, reason: `returned ${has} and no "passed"; ${RETURN_FORMS}` };
        }
        ;
        ({ passed, reason, score, metrics } = record);
        shape = '{ passed, reason, score, metrics }';
    }
    else {
        return { ok: false, reason: `returned ${describeValue(value)}; ${RETURN_FORMS}` };
    }
    if (typeof passed !== 'boolean') {
        return {
            ok: false,
            reason: `returned ${shape} with passed = ${describeValue(passed)}; passed must be true or false`,
        };
    }
    if (reason !== undefined && reason !== null && typeof reason !== 'string') {
        return {
            ok: false,
            reason: `returned ${shape} with reason = ${describeValue(reason)}; reason must be a string`,
        };
    }
    if (score !== undefined &&
        score !== null &&
        !(typeof score === 'number' && Number.isFinite(score))) {
        return {
            ok: false,
            reason: `returned ${shape} with score = ${describeValue(score)}; score must be a finite number`,
        };
    }
    const returned = {};
    if (metrics !== undefined && metrics !== null) {
        if (typeof metrics !== 'object' || Array.isArray(metrics)) {
            return {
                ok: false,
                reason: `returned ${shape} with metrics = ${describeValue(metrics)}; metrics must be an object { name: number }`,
            };
        }
        for (const [name, v] of Object.entries(metrics)) {
            if (typeof v !== 'number') {
                return {
                    ok: false,
                    reason: `returned metrics.${clip(name, 40)} = ${describeValue(v)}; metric values must be numbers`,
                };
            }
            returned[name] = v;
        }
    }
    return {
        ok: true,
        passed,
        reason: typeof reason === 'string' && reason.trim() !== '' ? reason : null,
        score: typeof score === 'number' ? score : null,
        ...(metrics !== undefined && metrics !== null ? { metrics: returned } : {}),
    };
}
/**
 * A run that passed must report every metric the check declares, as a finite number: a metric
 * never printed (a typo, a renamed key) must not quietly switch the comparison off. Returns the
 * classification with the declared metrics it reported, or an ERROR that names the metric.
 */
export function withDeclaredMetrics(c, reported, declared, how) {
    if (declared.length === 0) {
        const { metrics: _undeclared, ...rest } = c;
        return rest;
    }
    const metrics = {};
    const missing = [];
    const notFinite = [];
    for (const { name } of declared) {
        const value = reported[name];
        if (value === undefined)
            missing.push(name);
        else if (!Number.isFinite(value))
            notFinite.push(`${name}=${String(value)}`);
        else
            metrics[name] = value;
    }
    if (c.outcome !== 'PASSED' || (missing.length === 0 && notFinite.length === 0)) {
        return { ...c, metrics };
    }
    const form = how === 'printed' ? 'as a `name=<number>` line on stdout' : 'in `metrics`';
    const problems = [
        ...(missing.length > 0
            ? [`metric${missing.length === 1 ? '' : 's'} ${missing.join(', ')} never ${how} ${form}`]
            : []),
        ...(notFinite.length > 0 ? [`metric value not finite: ${notFinite.join(', ')}`] : []),
    ];
    return {
        outcome: 'ERROR',
        reason: `${problems.join('; ')} (the run itself passed)`,
        score: null,
        metrics,
        declaration_error: true,
    };
}
/**
 * Classifies a shell check's run. Exit 0 is PASSED; non-zero is FAILED with the code and the
 * last meaningful line of output; a signal is CRASHED; over budget is TIMEOUT; exit 127 with
 * "not found" (the shell's "command not found") and 126 (not executable) are ERROR.
 *
 * Score: with a scoreKey, the last `<key>=<number>` printed on stdout (PASSED or FAILED); a run
 * that exits 0 without ever printing it is ERROR, because a missing score would silently count
 * as nothing. Without a scoreKey, PASSED scores 1 and FAILED 0, so scored mode works without
 * score_from. TIMEOUT, CRASHED and ERROR score null.
 */
export function classifyShellRun(r, p) {
    const declared = p.metrics ?? [];
    // The score key is checked by classifyShellExit (a run that passed without it is ERROR, with
    // its own message), so it is left out of the check for missing metrics, but not out of the
    // metrics: `score_from: k` is the metric k too, and its value is the score (DESIGN.md).
    const others = declared.filter((m) => m.name !== p.scoreKey);
    const c = withDeclaredMetrics(classifyShellExit(r, p), r.metrics ?? {}, others, 'printed');
    // The very value that is the score, so the two can never disagree.
    const score = c.score;
    if (p.scoreKey === null || score === null || !declared.some((m) => m.name === p.scoreKey)) {
        return c;
    }
    // In the order the check declares its metrics (the score's metric comes first by default).
    const metrics = {};
    for (const { name } of declared) {
        const value = name === p.scoreKey ? score : c.metrics?.[name];
        if (value !== undefined)
            metrics[name] = value;
    }
    return { ...c, metrics };
}
function classifyShellExit(r, p) {
    const early = classifyCommon(r, p.timeoutMs);
    if (early)
        return early;
    const code = r.exitCode;
    if (code === 0) {
        if (p.scoreKey !== null && r.score === null) {
            return error(`score_from '${p.scoreKey}' was never printed as ${p.scoreKey}=<number> on stdout`);
        }
        const score = p.scoreKey !== null ? r.score : 1;
        const shown = p.scoreKey !== null ? `; ${p.scoreKey}=${r.score}` : '';
        return { outcome: 'PASSED', reason: `exited with code 0${shown}`, score };
    }
    const crash = crashFromOutput(r);
    if (crash)
        return crash;
    if (r.signal !== null)
        return crashed(describeSignal(r.signal));
    if (code !== null && code > 128 && SHELL_CRASH_SIGNALS[code - 128]) {
        // The shell reports a child killed by signal N as exit code 128+N.
        const signal = SHELL_CRASH_SIGNALS[code - 128];
        return crashed(`exited with code ${code}: a process it ran was ${describeSignal(signal)}`);
    }
    if (code === 127) {
        const missing = findNotFoundCommand(r.output);
        if (missing !== null)
            return error(`command not found: ${missing}`);
    }
    if (code === 126) {
        const denied = findDeniedCommand(r.output);
        return error(denied !== null
            ? `command not executable: ${denied} (permission denied)`
            : 'a command could not be executed (exit code 126: permission denied or not executable)');
    }
    const last = lastMeaningfulLine(r.output);
    return {
        outcome: 'FAILED',
        reason: `exited with code ${code}${last ? `: ${last}` : ''}`,
        score: p.scoreKey !== null ? r.score : 0,
    };
}
/**
 * Classifies a function check's run from the host's message on fd 3, never from the exit code
 * or stdout. A returned value is PASSED/FAILED (its own score, else 1/0 like a shell check); a
 * throw, an invalid return value or a broken module is ERROR; no message is CRASHED (a hard
 * exit, a signal, an OOM, or a promise that can never settle); over budget is TIMEOUT.
 */
export function classifyFunctionRun(r, p) {
    // The exit's metrics are what the check returned, as returned (possibly not finite).
    const c = classifyFunctionExit(r, p);
    return withDeclaredMetrics(c, c.metrics ?? {}, p.metrics ?? [], 'returned');
}
function classifyFunctionExit(r, p) {
    const early = classifyCommon(r, p.timeoutMs);
    if (early)
        return early;
    const { message, problem } = readChannelMessage(r.channel, r.channelNonce);
    const note = problem ? ` (${problem})` : '';
    if (message !== null) {
        switch (message.type) {
            case 'return': {
                const n = normalizeCheckReturn(message.value);
                if (!n.ok)
                    return error(`${n.reason}${note}`);
                const reason = n.reason ?? (n.passed ? 'returned true' : 'returned false (no reason given)');
                return {
                    outcome: n.passed ? 'PASSED' : 'FAILED',
                    reason: `${oneLine(reason, REASON_MAX)}${note}`,
                    score: n.score ?? (n.passed ? 1 : 0),
                    ...(n.metrics ? { metrics: n.metrics } : {}),
                };
            }
            case 'throw': {
                const name = typeof message.name === 'string' && message.name !== '' ? ` ${message.name}` : '';
                const text = typeof message.message === 'string' ? message.message : '';
                return error(`threw${name}: ${oneLine(text, REASON_MAX) || '(no message)'}${note}`);
            }
            case 'bad-return':
            case 'host-error':
                return error(`${oneLine(String(message.message), REASON_MAX)}${note}`);
            case 'stalled':
                return crashed('never finished: the event loop ran empty while run() was still pending, so its ' +
                    `promise can never settle (a deadlock?)${note}`);
            default:
                return error(`the function host sent an unexpected message (${clip(String(message.type), 40)})`);
        }
    }
    const crash = crashFromOutput(r);
    if (crash)
        return { ...crash, reason: `${crash.reason}${note}` };
    if (r.signal !== null)
        return crashed(`${describeSignal(r.signal)}${note}`);
    const last = r.exitCode !== 0 ? lastMeaningfulLine(r.output) : '';
    return crashed(`exited (code ${r.exitCode}) without delivering a verdict${last ? `: ${last}` : ''}${note}`);
}
/**
 * Reads the function host's message from what arrived on fd 3. Messages are JSON lines; with a
 * nonce, only lines carrying it count (anything else was written by someone else in the
 * process: ignored, and reported in `problem`). Exactly one message must count: none is no
 * verdict, two or more is no verdict either (one of them is forged).
 */
export function readChannelMessage(channel, nonce) {
    if (channel === null || channel === '')
        return { message: null, problem: null };
    const lines = channel.split('\n');
    const incomplete = lines.pop() ?? '';
    const found = [];
    let foreign = incomplete.trim() === '' ? 0 : 1;
    for (const line of lines) {
        if (line.trim() === '')
            continue;
        let parsed;
        try {
            parsed = JSON.parse(line);
        }
        catch {
            foreign++;
            continue;
        }
        const candidate = parsed;
        const wellFormed = candidate !== null &&
            typeof candidate === 'object' &&
            !Array.isArray(candidate) &&
            typeof candidate.type === 'string';
        if (!wellFormed || (nonce !== null && candidate.nonce !== nonce)) {
            foreign++;
            continue;
        }
        found.push(candidate);
    }
    const ignored = foreign === 0
        ? null
        : `${foreign} message${foreign === 1 ? '' : 's'} on the verdict channel did not come from the host and ${foreign === 1 ? 'was' : 'were'} ignored`;
    if (found.length === 1)
        return { message: found[0], problem: ignored };
    if (found.length > 1) {
        return {
            message: null,
            problem: `${found.length} verdict messages arrived where exactly one is allowed${ignored ? `; ${ignored}` : ''}`,
        };
    }
    return { message: null, problem: ignored };
}
/**
 * The last line of output worth showing in a reason: skips blank lines, stack frames, Node's
 * version footer and npm/yarn boilerplate, so "Error: boom" wins over "Node.js v24.1.0".
 * At most 160 characters, ANSI escapes removed; '' when nothing qualifies.
 */
export function lastMeaningfulLine(output) {
    const text = output.truncated ? `${output.head}\n${output.tail}` : output.head + output.tail;
    const lines = text.split(/\r?\n|\r/);
    for (let i = lines.length - 1; i >= 0; i--) {
        const line = stripAnsi(lines[i]).trim();
        if (line === '' || BOILERPLATE.some((re) => re.test(line)))
            continue;
        return clip(line, 160);
    }
    return '';
}
const BOILERPLATE = [
    /^at\s/, // stack frame
    /^Node\.js v\d/,
    /^[\s^~]*$/, // caret markers under a source line
    /^npm (?:ERR!|error)(?:\s|$)(?:\s*$|code |path |command |errno |syscall |signal |A complete log|Lifecycle|Failed at|This is probably|[\w-]+@\S+ \S+: `)/,
    /^error Command failed with exit code/, // yarn
    /^info Visit https:\/\/yarnpkg/,
    /^(?:ℹ|#)\s*(?:duration_ms|todo|skipped|cancelled|suites)\b/, // node --test summary tail
    /^\[quorum:/, // our own log markers
    /^Thrown at:$/,
];
// Signals whose 128+N shell exit code is the same on Linux and macOS.
const SHELL_CRASH_SIGNALS = {
    4: 'SIGILL',
    6: 'SIGABRT',
    8: 'SIGFPE',
    9: 'SIGKILL',
    11: 'SIGSEGV',
};
const SIGNAL_MEANINGS = {
    SIGSEGV: 'segmentation fault',
    SIGBUS: 'bus error',
    SIGILL: 'illegal instruction',
    SIGFPE: 'arithmetic error',
    SIGABRT: 'aborted',
    SIGKILL: "possibly the kernel's OOM killer",
    SIGTERM: 'terminated',
    SIGINT: 'interrupted',
    SIGHUP: 'hangup',
    SIGPIPE: 'broken pipe',
    SIGXCPU: 'CPU time limit exceeded',
    SIGXFSZ: 'file size limit exceeded',
    SIGSYS: 'bad system call',
};
function describeSignal(signal) {
    const meaning = SIGNAL_MEANINGS[signal];
    return `killed by ${signal}${meaning ? ` (${meaning})` : ''}`;
}
/** What every run shares: could not start, cancelled, over budget. */
function classifyCommon(r, timeoutMs) {
    if (r.aborted || r.spawnError === 'aborted') {
        return error('cancelled before it finished (the gate was aborted)');
    }
    if (r.spawnError !== null)
        return error(`could not start: ${oneLine(r.spawnError)}`);
    if (r.timedOut) {
        return {
            outcome: 'TIMEOUT',
            reason: `exceeded its ${formatSeconds(timeoutMs)} budget and was killed`,
            score: null,
        };
    }
    return null;
}
/** A V8 heap OOM prints its cause before aborting; the signal alone would say only SIGABRT. */
function crashFromOutput(r) {
    if (r.exitCode === 0 && r.signal === null)
        return null;
    const text = `${r.output.head}\n${r.output.tail}`;
    if (/JavaScript heap out of memory|Reached heap limit Allocation failed/.test(text)) {
        const how = r.signal ? `; ${r.signal}` : r.exitCode !== null ? `; exit code ${r.exitCode}` : '';
        return crashed(`ran out of JavaScript heap memory (V8 heap limit reached${how})`);
    }
    return null;
}
/** "sh: 1: foo: not found" (dash), "bash: line 1: foo: command not found", "zsh: command not found: foo". */
function findNotFoundCommand(output) {
    const lines = `${output.head}\n${output.tail}`.split('\n').reverse();
    for (const raw of lines) {
        const line = stripAnsi(raw).trim();
        const m = /: ([^:]+): (?:command )?not found$/.exec(line) ?? /command not found: (.+)$/.exec(line);
        if (m)
            return clip(m[1].trim(), 120);
    }
    return null;
}
function findDeniedCommand(output) {
    const lines = `${output.head}\n${output.tail}`.split('\n').reverse();
    for (const raw of lines) {
        const m = /: ([^:]+): (?:Permission denied|cannot execute[^:]*|Is a directory)$/.exec(stripAnsi(raw).trim());
        if (m)
            return clip(m[1].trim(), 120);
    }
    return null;
}
function error(reason) {
    return { outcome: 'ERROR', reason, score: null };
}
function crashed(reason) {
    return { outcome: 'CRASHED', reason, score: null };
}
/** 5000 -> "5 s", 1500 -> "1.5 s", 250 -> "0.25 s". */
function formatSeconds(ms) {
    return `${Number((ms / 1000).toFixed(3))} s`;
}
function describeValue(value) {
    if (value === null)
        return 'null';
    if (value === undefined)
        return 'undefined';
    if (Array.isArray(value))
        return `an array of length ${value.length}`;
    switch (typeof value) {
        case 'string':
            return `the string ${JSON.stringify(clip(value, 40))}`;
        case 'number':
        case 'boolean':
        case 'bigint':
            return `the ${typeof value} ${String(value)}`;
        case 'object':
            return 'an object';
        default:
            return `a ${typeof value}`;
    }
}
function stripAnsi(text) {
    return text.replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g, '');
}
