import { type FileHandle } from 'node:fs/promises';
import type { GateConfig } from './types.ts';
export { DEFAULT_AUDIT_MAX_FILES, DEFAULT_SETUP_TIMEOUT_S, DEFAULT_TIMEOUT_S, } from './config-schema.ts';
/** Largest config file we agree to parse; quorum.yml may come from an untrusted PR. */
export declare const MAX_CONFIG_BYTES: number;
export interface ParseConfigOptions {
    /**
     * How the file is named in error messages (e.g. `quorum.yml` relative to the repository),
     * when that differs from the absolute path. Defaults to the path itself.
     */
    displayPath?: string;
}
/** One check as a functions module lists it, before validation. */
export interface ListedFunctionCheck {
    name: string;
    timeout_s: number | null;
    /** repeats, retries, metrics and expect as the module wrote them (validated by mergeFunctionChecks). */
    repeats?: unknown;
    retries?: unknown;
    metrics?: unknown;
    expect?: unknown;
}
export interface LoadConfigOptions extends ParseConfigOptions {
    /**
     * The tree the file was taken from (e.g. the candidate's worktree). The file must lie inside
     * it once every link is followed; without it (a config the user named outside any tree),
     * links are followed anywhere.
     */
    root?: string;
}
export interface TreeFileOptions {
    /** The tree the file must stay inside (see LoadConfigOptions.root); none = no such rule. */
    root?: string;
    /** How the file is named in errors. */
    display: string;
    /** Key an error is about (e.g. `functions`), when the file was named by a key. */
    key?: string;
}
/** A file opened by openTreeFile; close `handle` when done. */
export interface OpenedTreeFile {
    handle: FileHandle;
    /** The file's path with every link resolved. */
    realPath: string;
    size: number;
}
/**
 * A config built in code rather than read from a file (the library's Gate, the CLI's
 * `--checks` without `--config`): the defaults of an empty quorum.yml, plus `fields`.
 */
export declare function configInCode(fields?: Partial<Omit<GateConfig, 'file'>>): GateConfig;
/**
 * Parses and validates the text of a quorum.yml and applies defaults.
 *
 * @param text the file's contents
 * @param file absolute path of the file; `functions` is resolved against its directory
 * @throws ConfigError naming file, line, column and key for the first problem in the file
 */
export declare function parseConfig(text: string, file: string, options?: ParseConfigOptions): GateConfig;
/**
 * Reads a quorum.yml from disk and parses it (the engine's only file access, through
 * openTreeFile: inside `root` when given, a regular file, bounded in size).
 *
 * @throws ConfigError with line 0 when the file cannot be read (missing, a directory, too large,
 *   not a regular file, a link out of its tree)
 */
export declare function loadConfigFile(file: string, options?: LoadConfigOptions): Promise<GateConfig>;
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
export declare function openTreeFile(file: string, options: TreeFileOptions): Promise<OpenedTreeFile>;
/**
 * Appends the checks a functions module exports to a parsed config, as FunctionCheckSpecs.
 * Returns a new config; the given one is not changed.
 *
 * @param listed name and timeout of each exported check, in export order (timeout null = default)
 * @param modulePath absolute path of the module, recorded on each spec
 * @throws ConfigError located at the `functions` key when a name is invalid, repeated, or taken
 *   by a shell check, when a timeout is not a positive number, or when there are no checks at all
 */
export declare function mergeFunctionChecks(config: GateConfig, listed: readonly ListedFunctionCheck[], modulePath: string): GateConfig;
