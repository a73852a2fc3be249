/** The files a gate config was read from, as bytes. */
export interface ConfigSources {
    /** The config file (quorum.yml); null for a config built in code. */
    config: Uint8Array | null;
    /** The checks module the config names; null when it names none. */
    functions: Uint8Array | null;
}
/** Where a config hash is stored, which decides its encoding (see the file's comment). */
export type ConfigHashUse = 'handoff' | 'results-cache';
/**
 * Hashes the sources of a gate config for `use`. Equal sources give equal hashes; a change to
 * either file, or a module appearing or going, changes the hash.
 *
 * @throws TypeError for `handoff` without a config file: a report is always handed over by a
 *   gate that read one
 */
export declare function hashConfigSources(sources: ConfigSources, use: ConfigHashUse): string;
