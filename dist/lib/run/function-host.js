// ExperimentalWarning: a TypeScript checks module triggers one per run; it is noise in the log.
const NODE_FLAGS = ['--input-type=module', '--disable-warning=ExperimentalWarning'];
/** The argv that runs one function check in the host: `node -e <host> -- run ...`. */
export function functionHostArgv(p) {
    return [
        process.execPath,
        ...NODE_FLAGS,
        '-e',
        hostSource(),
        '--',
        'run',
        p.modulePath,
        p.checkName,
        p.root,
        p.seed,
        p.tree,
    ];
}
/**
 * The argv that runs the host in "list" mode: it sends back `[{name, timeout_s}]` for the
 * module's checks, or a one-line description of what is wrong with the module.
 */
export function listHostArgv(modulePath) {
    return [process.execPath, ...NODE_FLAGS, '-e', hostSource(), '--', 'list', modulePath];
}
function hostSource() {
    // The dynamic import lives in this string, not inside hostMain, so that a bundler compiling
    // this file cannot turn it into a call into its own module system.
    return `(${hostMain.toString()})((specifier) => import(specifier))`;
}
/**
 * The host program. Runs in the child, from its own source text: it must reference nothing
 * outside its own body (no module-scope imports or helpers), and loads built-ins via `load`.
 * argv after `--`: `run <module> <check> <root> <seed> <tree>` or `list <module>`.
 */
export async function hostMain(load) {
    const fs = (await load('node:fs'));
    const url = (await load('node:url'));
    // Taken before any checks code runs (see the note at the top of function-host.ts).
    const writeSync = fs.writeSync;
    const stringify = JSON.stringify;
    const bytesOf = Buffer.from.bind(Buffer);
    const exit = process.exit.bind(process);
    const writeStderr = process.stderr.write.bind(process.stderr);
    const MAX_MESSAGE = 900 * 1024; // below the parent's 1 MiB channel limit
    const [mode, modulePath = '', checkName = '', root = '', seed = '', tree = ''] = process.argv.slice(1);
    let nonce = '';
    try {
        nonce = fs.readFileSync(0, 'utf8').trim();
    }
    catch {
        // No stdin: the message goes out unauthenticated and the parent knows no nonce either.
    }
    let sent = false;
    /** Sends one message (the JSON fields after the nonce) on fd 3 and exits at once. */
    const send = (fields) => {
        if (sent)
            return;
        sent = true;
        const bytes = bytesOf(`{"nonce":${stringify(nonce)},${fields}}\n`, 'utf8');
        let offset = 0;
        while (offset < bytes.length) {
            try {
                offset += writeSync(3, bytes, offset);
            }
            catch (err) {
                if (err.code !== 'EAGAIN')
                    break;
            }
        }
        exit(0);
    };
    /** A problem with the module; the list caller names the module itself, run mode does it here. */
    const fail = (message) => mode === 'list'
        ? send(`"type":"list-error","message":${stringify(message)}`)
        : send(`"type":"host-error","message":${stringify(`checks module ${modulePath}: ${message}`)}`);
    const describe = (value) => {
        if (value === null)
            return 'null';
        if (Array.isArray(value))
            return `an array of length ${value.length}`;
        switch (typeof value) {
            case 'undefined':
                return 'undefined';
            case 'string':
                return `the string ${stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
            case 'number':
            case 'boolean':
                return `${typeof value} ${String(value)}`;
            case 'bigint':
                return `the bigint ${String(value)}n`;
            case 'object':
                return 'an object';
            default:
                return `a ${typeof value}`;
        }
    };
    const errorText = (err) => {
        try {
            if (!(err instanceof Error))
                return `a thrown ${describe(err)}`;
            return `${err.name}: ${err.message}`.replace(/\s*\n\s*/g, ' ');
        }
        catch {
            return 'an error that cannot be printed';
        }
    };
    /** Where a syntax error is: the first stack line when Node put it there, else `node --check`. */
    const syntaxErrorLocation = async (err) => {
        if (!(err instanceof SyntaxError))
            return '';
        const first = (err.stack ?? '').split('\n')[0] ?? '';
        if (/^(?:file:\/\/|\/)\S.*:\d+$/.test(first))
            return ` at ${first}`;
        // A dynamically imported module that fails to parse does not say where; `node --check` does, on stderr.
        const cp = (await load('node:child_process'));
        const r = cp.spawnSync(process.execPath, ['--check', modulePath], {
            encoding: 'utf8',
            timeout: 10_000,
        });
        const where = /^(\S.*:\d+)$/m.exec(r.stderr ?? '');
        return where ? ` at ${where[1]}` : '';
    };
    if (mode !== 'run' && mode !== 'list') {
        writeStderr('usage: host run <module> <check> <root> <seed> <tree> | host list <module>\n');
        exit(2);
        return;
    }
    // The event loop running empty while the check (or the module's top-level await) is still
    // pending means a promise that nothing can settle anymore: say so instead of just exiting.
    process.on('beforeExit', () => mode === 'list'
        ? fail('never finished loading (a top-level await that never settles?)')
        : send('"type":"stalled"'));
    if (mode === 'run') {
        try {
            process.chdir(root);
        }
        catch (err) {
            return fail(`cannot run it in ${root}: ${errorText(err)}`);
        }
    }
    if (!fs.existsSync(modulePath))
        return fail('does not exist');
    let mod;
    try {
        mod = (await load(url.pathToFileURL(modulePath).href));
    }
    catch (err) {
        return fail(`could not be loaded: ${errorText(err)}${await syntaxErrorLocation(err)}`);
    }
    const list = Array.isArray(mod.default)
        ? mod.default
        : Array.isArray(mod.checks)
            ? mod.checks
            : null;
    if (list === null) {
        const got = 'default' in mod ? `its default export is ${describe(mod.default)}` : 'has no default export';
        return fail(`${got}; it must export an array of checks: export default [{ name, timeout_s?, run }]` +
            ' (or export const checks = [...])');
    }
    if (mode === 'list') {
        const checks = [];
        const seen = new Map();
        for (let i = 0; i < list.length; i++) {
            const entry = list[i];
            if (entry === null || typeof entry !== 'object') {
                return fail(`checks[${i}] is ${describe(entry)}, not an object { name, timeout_s?, run }`);
            }
            const name = entry.name;
            if (typeof name !== 'string' || name.trim() === '') {
                return fail(`checks[${i}] has no name (a non-empty string)`);
            }
            const label = `checks[${i}] (${stringify(name)})`;
            if (typeof entry.run !== 'function')
                return fail(`${label} has no run function`);
            const timeout = entry.timeout_s;
            if (timeout !== undefined && timeout !== null) {
                if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) {
                    return fail(`${label} timeout_s must be a positive number of seconds, not ${describe(timeout)}`);
                }
            }
            const previous = seen.get(name);
            if (previous !== undefined) {
                return fail(`duplicate check name ${stringify(name)} (checks[${previous}] and checks[${i}])`);
            }
            seen.set(name, i);
            // repeats, retries, metrics and expect travel as written; the judge validates them.
            checks.push({
                name,
                timeout_s: typeof timeout === 'number' ? timeout : null,
                repeats: entry.repeats,
                max_repeats: entry.max_repeats,
                repeat_time_s: entry.repeat_time_s,
                retries: entry.retries,
                metrics: entry.metrics,
                expect: entry.expect,
            });
        }
        return send(`"type":"list","checks":${stringify(checks)}`);
    }
    const check = list.find((c) => c !== null && typeof c === 'object' && c.name === checkName);
    if (!check) {
        const names = list
            .map((c) => c?.name)
            .filter((n) => typeof n === 'string');
        return fail(`has no check named ${stringify(checkName)} (it has: ${names.join(', ') || 'none'})`);
    }
    if (typeof check.run !== 'function')
        return fail(`check ${stringify(checkName)} has no run function`);
    let value;
    try {
        value = await check.run.call(check, { root, seed, tree });
    }
    catch (err) {
        let name = '';
        let message = '';
        let stack = '';
        try {
            if (err instanceof Error) {
                name = String(err.name);
                message = String(err.message);
                stack = String(err.stack ?? '');
            }
            else {
                message = typeof err === 'string' ? err : `a thrown ${describe(err)}`;
            }
        }
        catch {
            message = 'an error that cannot be printed';
        }
        // The stack belongs in the run's log, where the reviewer reads the output.
        if (stack)
            writeStderr(`${stack}\n`);
        return send(`"type":"throw","name":${stringify(name)},"message":${stringify(message)},"stack":${stringify(stack.slice(0, 8192))}`);
    }
    let json;
    try {
        // NaN and Infinity would silently become null; keep them visible as what they were.
        json = stringify(value, (_key, v) => typeof v === 'number' && !Number.isFinite(v) ? String(v) : v);
    }
    catch (err) {
        return send(`"type":"bad-return","message":${stringify(`returned a value that cannot be sent back as JSON (${errorText(err)})`)}`);
    }
    if (json === undefined) {
        return send(`"type":"bad-return","message":${stringify(`returned ${describe(value)}`)}`);
    }
    const size = bytesOf(json, 'utf8').length;
    if (size > MAX_MESSAGE) {
        const kib = `${Math.round(size / 1024)} KiB of JSON`;
        return send(`"type":"bad-return","message":${stringify(`returned a value too large to send back (${kib})`)}`);
    }
    return send(`"type":"return","value":${json}`);
}
