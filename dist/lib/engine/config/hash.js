/**
 * The one config hash: "which checks judged this", from the bytes of the config file and of the
 * checks module it names, as data (the run layer reads them: run/config-file.ts). Two runs whose
 * sources hash alike ran the same checks.
 *
 * The value is written in two places that outlive a run, each in its own fixed encoding:
 * - `handoff`: `sha256:<64 hex>`, the envelope's `config_hash`. The publish stage computes it
 *   from its own checkout and merges only reports whose envelopes carry the same value.
 * - `results-cache`: 16 hex characters, part of every GitHub Actions cache key the action saves
 *   results under (`quorum-results-v1-<platform>-<hash>-<tree>`). Entries saved by earlier runs
 *   are found only if the key is computed as it was when they were saved.
 * Neither can become the other without orphaning what is already stored, so the encodings stay
 * as they are; what they share is this one function and its input.
 */
import { createHash } from 'node:crypto';
import { configHash } from "../handoff.js";
/**
 * Hashes the sources of a gate config for `use`. Equal sources give equal hashes; a change to
 * either file, or a module appearing or going, changes the hash.
 *
 * @throws TypeError for `handoff` without a config file: a report is always handed over by a
 *   gate that read one
 */
export function hashConfigSources(sources, use) {
    if (use === 'handoff') {
        if (sources.config === null)
            throw new TypeError('a handoff config hash needs a config file');
        return configHash(sources.config, sources.functions);
    }
    // The first encoding, kept byte for byte: each file's content (or the word "none") and a NUL.
    const hash = createHash('sha256');
    for (const part of [sources.config, sources.functions]) {
        hash.update(part ?? 'none');
        hash.update('\0');
    }
    return hash.digest('hex').slice(0, 16);
}
