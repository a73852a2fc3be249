import { type FileHandle } from 'node:fs/promises';
import { type ConfigSources, type ParseConfigOptions } from '../engine/config.ts';
import type { GateConfig } from '../engine/types.ts';
/** The largest file read to be hashed (the config itself is capped by loadConfigFile). */
export declare const MAX_HASHED_BYTES: number;
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
/** A file the gate reads and the tree it was taken from. */
export interface FileInTree {
    /** Absolute path. */
    path: string;
    /**
     * The tree it must stay inside; null for a file the user named outside every tree, which is
     * the user's own and may be a link to anywhere.
     */
    root: string | null;
}
export interface ConfigFromTreeOptions {
    /** quorum.yml; `display` names it in errors (default: its path). Null: there is none. */
    config: (FileInTree & {
        display?: string;
    }) | null;
    /**
     * A checks module that takes the place of the config's `functions` (the CLI's --checks),
     * named in errors by `display`. Without a config, the config is this module alone.
     */
    checks?: (FileInTree & {
        display: string;
    }) | null;
    /**
     * How errors name a checks module that the config names: by its path (default), or by its
     * path relative to the config's tree.
     */
    functionsDisplay?: 'path' | 'in-tree';
}
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
export declare function loadConfigFromTree(options: ConfigFromTreeOptions): Promise<GateConfig>;
/**
 * Reads a quorum.yml from disk and parses it (through openTreeFile: inside `root` when given, a
 * regular file, at most MAX_CONFIG_BYTES).
 *
 * @throws ConfigError with line 0 when the file cannot be read (missing, a directory, too large,
 *   not a regular file, a link out of its tree)
 */
export declare function loadConfigFile(file: string, options?: LoadConfigOptions): Promise<GateConfig>;
/**
 * The bytes of the files a gate config was read from, for hashConfigSources: the config file
 * and the checks module, each read inside `root` (openTreeFile) and named in errors relative to
 * it.
 *
 * @throws ConfigError of openTreeFile when a file cannot be read; RangeError when one is larger
 *   than MAX_HASHED_BYTES
 */
export declare function readConfigSources(files: {
    config: string;
    functions: string | null;
}, root: string): Promise<ConfigSources>;
/**
 * The whole content of a file, opened by openTreeFile.
 *
 * @param options.maxBytes refuse a larger file (RangeError naming `display`); none = no limit
 * @throws ConfigError of openTreeFile when the file cannot be opened
 */
export declare function readTreeFile(file: string, options: TreeFileOptions & {
    maxBytes?: number;
}): Promise<Buffer>;
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
