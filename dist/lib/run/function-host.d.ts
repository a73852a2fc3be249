/**
 * The function host: the small program a function check runs in, as a child `node` process.
 * It imports the checks module, runs one check (or lists them all) and sends ONE message back
 * on fd 3. The verdict comes only from that message: exit codes and stdout are candidate
 * territory, so a check that calls process.exit(0) mid-run delivered nothing and is CRASHED.
 *
 * The host is a self-contained function serialized into `node -e`, so the bundled action and
 * CLI need no file next to them, and no path to the host can be wrong.
 *
 * What stops forgery, and what does not:
 * - The parent writes a fresh random nonce to the host's stdin (then EOF). The host reads it
 *   before any checks code is imported and puts it in its message; the parent accepts only a
 *   message carrying it. Candidate code can therefore not forge a verdict by writing to fd 3 or
 *   stdout and exiting: it never saw the nonce, and stdin is empty by the time it runs.
 * - fs.writeSync, JSON.stringify and process.exit are taken before the module is imported, so
 *   replacing them afterwards does not intercept the host; the message envelope is built as a
 *   string, so a planted Object.prototype.toJSON cannot rewrite it. The host exits right after
 *   sending, and the parent ignores anything on fd 3 without the nonce.
 * - What remains possible: candidate code runs in the same process as the check, so it can
 *   tamper with the check itself (patch the builtins the check uses, or Object.prototype.toJSON
 *   to rewrite the returned value), or with enough effort reach the nonce (the inspector,
 *   /proc/self/mem, Node internals). It can always make a run fail (close fd 3, garble it).
 *   Isolating the check from the code it checks would need a second process; the nonce stops
 *   the easy forgeries, not a determined in-process attacker.
 */
import type { TreeRole } from '../engine/types.ts';
/** The argv that runs one function check in the host: `node -e <host> -- run ...`. */
export declare function functionHostArgv(p: {
    modulePath: string;
    checkName: string;
    root: string;
    seed: string;
    tree: TreeRole;
}): string[];
/**
 * The argv that runs the host in "list" mode: it sends back `[{name, timeout_s}]` for the
 * module's checks, or a one-line description of what is wrong with the module.
 */
export declare function listHostArgv(modulePath: string): string[];
/**
 * The host program. Runs in the child, from its own source text: it must reference nothing
 * outside its own body (no module-scope imports or helpers), and loads built-ins via `load`.
 * argv after `--`: `run <module> <check> <root> <seed> <tree>` or `list <module>`.
 */
export declare function hostMain(load: (specifier: string) => Promise<unknown>): Promise<void>;
