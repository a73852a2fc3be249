/**
 * The gate config from disk: the one place that reads quorum.yml and its checks module, for the
 * CLI, the action's gate stage and its publish stage alike. A tree may be someone else's change,
 * so nothing read from it may lead the gate out of it: no link out of the tree, nothing but a
 * regular file, nothing unbounded. Parsing is the engine's (engine/config.ts), on the text read
 * here.
 */
import { constants as fsConstants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { MAX_CONFIG_BYTES, configInCode, parseConfig, } from "../engine/config.js";
import { ConfigError, errorMessage, excerpt } from "../engine/errors.js";
import { isInside } from "../engine/paths.js";
/** The largest file read to be hashed (the config itself is capped by loadConfigFile). */
export const MAX_HASHED_BYTES = 16 * 1024 * 1024;
/**
 * Reads a gate config as the gate runs it: quorum.yml (when there is one) read inside its tree
 * and parsed, `checks` put in place of its `functions`, and the checks module (named by the
 * config or by `checks`) opened inside its own tree and closed again, so that a module that
 * leads out of its tree (`functions: ../../runner/x.mjs`, a link) is refused before anything is
 * run. The module's checks are not listed here (that means running it).
 *
 * @throws ConfigError (line 0) when a file cannot be read or breaks a tree rule; a located
 *   ConfigError for a problem inside quorum.yml
 */
export async function loadConfigFromTree(options) {
    const checks = options.checks ?? null;
    let config;
    if (options.config !== null) {
        const { path: file, root, display } = options.config;
        const loaded = await loadConfigFile(file, {
            ...(display === undefined ? {} : { displayPath: display }),
            ...(root === null ? {} : { root }),
        });
        config = checks ? { ...loaded, functions: checks.path } : loaded;
    }
    else if (checks) {
        config = configInCode({ functions: checks.path });
    }
    else {
        throw new TypeError('loadConfigFromTree: neither a config file nor a checks module');
    }
    if (config.functions !== null) {
        // A config from a tree may only name a checks module in that same tree (`../..` included).
        const root = checks ? checks.root : (options.config?.root ?? null);
        if (root !== null) {
            const display = checks
                ? checks.display
                : options.functionsDisplay === 'in-tree'
                    ? path.relative(root, config.functions)
                    : config.functions;
            const opened = await openTreeFile(config.functions, {
                root,
                display,
                ...(checks ? {} : { key: 'functions' }),
            });
            await opened.handle.close();
        }
    }
    return config;
}
/**
 * Reads a quorum.yml from disk and parses it (through openTreeFile: inside `root` when given, a
 * regular file, at most MAX_CONFIG_BYTES).
 *
 * @throws ConfigError with line 0 when the file cannot be read (missing, a directory, too large,
 *   not a regular file, a link out of its tree)
 */
export async function loadConfigFile(file, options = {}) {
    const absolute = path.resolve(file);
    const display = options.displayPath ?? file;
    const opened = await openTreeFile(absolute, {
        display,
        ...(options.root === undefined ? {} : { root: options.root }),
    });
    let text;
    try {
        if (opened.size > MAX_CONFIG_BYTES)
            throw tooLarge(display, opened.size);
        // Read to the limit rather than trusting the size: files under /proc say 0.
        const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
        let length = 0;
        for (;;) {
            const { bytesRead } = await opened.handle.read(buffer, length, buffer.length - length);
            if (bytesRead === 0)
                break;
            length += bytesRead;
            if (length > MAX_CONFIG_BYTES)
                throw tooLarge(display, length);
        }
        text = buffer.subarray(0, length).toString('utf8');
    }
    catch (err) {
        if (err instanceof ConfigError)
            throw err;
        throw new ConfigError({ file: display, message: `cannot read the file: ${errorMessage(err)}` });
    }
    finally {
        await opened.handle.close().catch(() => { });
    }
    return parseConfig(text, absolute, options);
}
function tooLarge(display, size) {
    return new ConfigError({
        file: display,
        message: `file is too large (${size > MAX_CONFIG_BYTES ? `over ${MAX_CONFIG_BYTES}` : size} bytes; at most ${MAX_CONFIG_BYTES})`,
    });
}
/**
 * The bytes of the files a gate config was read from, for hashConfigSources: the config file
 * and the checks module, each read inside `root` (openTreeFile) and named in errors relative to
 * it.
 *
 * @throws ConfigError of openTreeFile when a file cannot be read; RangeError when one is larger
 *   than MAX_HASHED_BYTES
 */
export async function readConfigSources(files, root) {
    const read = (file, key) => readTreeFile(file, {
        root,
        display: path.relative(root, file),
        key,
        maxBytes: MAX_HASHED_BYTES,
    });
    const config = await read(files.config, '');
    const functions = files.functions === null ? null : await read(files.functions, 'functions');
    return { config, functions };
}
/**
 * The whole content of a file, opened by openTreeFile.
 *
 * @param options.maxBytes refuse a larger file (RangeError naming `display`); none = no limit
 * @throws ConfigError of openTreeFile when the file cannot be opened
 */
export async function readTreeFile(file, options) {
    const { maxBytes, ...where } = options;
    const opened = await openTreeFile(file, where);
    try {
        if (maxBytes !== undefined && opened.size > maxBytes) {
            throw new RangeError(`${options.display} is larger than ${maxBytes} bytes`);
        }
        return await opened.handle.readFile();
    }
    finally {
        await opened.handle.close().catch(() => { });
    }
}
/**
 * Opens a file the gate reads from a tree (the config, the checks module) so that the tree
 * cannot lead the gate anywhere else: a link out of `root` (`quorum.yml -> /proc/self/environ`)
 * is refused, and so is anything but a regular file (a FIFO would hang the read, a device could
 * be anything). Links that stay inside the tree are fine.
 *
 * How: the path is resolved with realpath and must lie inside the realpath of `root`; that
 * resolved path is then opened with O_NOFOLLOW (a final component swapped for a link since
 * fails instead of being followed) and O_NONBLOCK (opening a FIFO does not wait for a writer),
 * and fstat on the open file decides whether it is a regular file. Nothing is read here.
 *
 * @throws ConfigError (line 0, naming `display`) saying which rule the file broke; never quotes
 *   the content of the file or of a link's target
 */
export async function openTreeFile(file, options) {
    const fail = (message) => new ConfigError({ file: options.display, key: options.key ?? '', message });
    const absolute = path.resolve(file);
    let real;
    try {
        real = await realpath(absolute);
    }
    catch (err) {
        throw fail(openErrorMessage(err));
    }
    if (options.root !== undefined) {
        let realRoot;
        try {
            realRoot = await realpath(options.root);
        }
        catch (err) {
            throw fail(`cannot read the tree it belongs to: ${openErrorMessage(err)}`);
        }
        if (!isInside(real, realRoot)) {
            throw fail(`is a link to a file outside the tree (it resolves to ${excerpt(real, 120)}); ` +
                'Quorum reads only files inside the tree, so that a change cannot point it at runner files');
        }
    }
    let handle;
    try {
        handle = await open(real, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
    }
    catch (err) {
        throw fail(openErrorMessage(err));
    }
    try {
        const info = await handle.stat();
        if (!info.isFile())
            throw fail(notRegularMessage(info));
        return { handle, realPath: real, size: info.size };
    }
    catch (err) {
        await handle.close().catch(() => { });
        if (err instanceof ConfigError)
            throw err;
        throw fail(`cannot read the file: ${errorMessage(err)}`);
    }
}
function openErrorMessage(err) {
    const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
    switch (code) {
        case 'ENOENT':
        case 'ENOTDIR':
            return 'file not found';
        case 'EACCES':
        case 'EPERM':
            return 'cannot read the file: permission denied';
        case 'ELOOP':
            return 'is a link that cannot be followed (a loop, or it was replaced while being opened)';
        case 'ENXIO':
            return 'is a socket or a device, not a regular file';
        default:
            return `cannot read the file: ${errorMessage(err)}`;
    }
}
function notRegularMessage(info) {
    if (info.isDirectory())
        return 'is a directory, not a file';
    if (info.isFIFO())
        return 'is a named pipe (FIFO), not a regular file';
    if (info.isSocket())
        return 'is a socket, not a regular file';
    if (info.isCharacterDevice() || info.isBlockDevice())
        return 'is a device, not a regular file';
    return 'is not a regular file';
}
