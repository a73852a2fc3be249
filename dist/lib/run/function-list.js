import { readChannelMessage } from "../engine/outcome.js";
import { oneLine } from "../engine/paths.js";
import { listHostArgv } from "./function-host.js";
import { noiseKeys } from "../engine/config-schema.js";
import { spawnBounded } from "./process.js";
/** The keys of a listed check that travel as the module wrote them: the noise keys and expect. */
const LISTED_KEYS = [
    ...Object.keys(noiseKeys),
    'expect',
];
/**
 * Lists the function checks a module exports, by running the function host in "list" mode in a
 * child process (so a module with side effects or a syntax error cannot touch the judge).
 * Throws an Error with a one-line message naming the module file on any problem.
 */
export async function listFunctionChecks(modulePath, opts) {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const argv = listHostArgv(modulePath);
    // spawnBounded, not exec: the host runs the module's own code, like a function check, and
    // answers on the verdict channel (fd 3, with the nonce on stdin), which only a run has.
    const r = await spawnBounded({
        argv: opts.wrap ? opts.wrap(argv) : argv,
        cwd: opts.cwd,
        env: opts.env,
        timeoutMs,
        logPath: null,
        channel: true,
    }, opts.abort);
    const fail = (why) => new Error(oneLine(`functions module ${modulePath}: ${why}`));
    if (r.aborted)
        throw fail('loading it was stopped');
    if (r.spawnError)
        throw fail(`could not start node to load it: ${r.spawnError}`);
    if (r.timedOut)
        throw fail(`loading it took longer than ${timeoutMs / 1000} s`);
    const { message, problem } = readChannelMessage(r.channel, r.channelNonce);
    if (message?.type === 'list-error')
        throw fail(String(message.message));
    if (message?.type === 'list' && Array.isArray(message.checks)) {
        return message.checks.map((c) => {
            const entry = c;
            const listed = {
                name: String(entry.name),
                timeout_s: typeof entry.timeout_s === 'number' ? entry.timeout_s : null,
            };
            // Only what the module wrote: an absent key stays absent.
            for (const key of LISTED_KEYS) {
                if (entry[key] !== undefined)
                    listed[key] = entry[key];
            }
            return listed;
        });
    }
    const how = r.signal ? `was killed by ${r.signal}` : `exited with code ${r.exitCode}`;
    const said = lastOutputLine(r.output);
    throw fail(`loading it ${how} without listing its checks` +
        (problem ? ` (${problem})` : '') +
        (said ? `: ${said}` : ''));
}
function lastOutputLine(output) {
    const lines = `${output.head}\n${output.tail}`.split('\n').map((l) => l.trim());
    const useful = lines.filter((l) => l !== '' && !/^at\s/.test(l) && !/^Node\.js v\d/.test(l));
    const last = useful.at(-1) ?? '';
    return last.length > 200 ? `${last.slice(0, 200)}…` : last;
}
