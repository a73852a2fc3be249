/**
 * The gate's workspace: opened from the gate's options (what checks may read besides their
 * trees), and described for the report at the end (how isolated the runs were).
 */
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { abstractSocketsScoped } from "../run/sandbox-core.js";
import { createWorkspace } from "../run/workspace.js";
/** Creates the workspace every run of this gate goes through. */
export function openGateWorkspace(options, dirs) {
    // A plain literal (no conditional spreads), so a field the workspace does not know is a
    // compile error rather than a silently dropped option.
    return createWorkspace({
        sandbox: options.sandbox ?? 'auto',
        cgroupSudo: options.cgroupSudo ?? false,
        logDir: options.logDir,
        keepPassingLogs: options.keepPassingLogs ?? false,
        parentEnv: options.parentEnv,
        inputTrees: [dirs.candidate, ...(dirs.baseline ? [dirs.baseline] : [])],
        maskPaths: options.maskPaths,
        // What checks read beyond their trees: the checks module (imported in their sandbox) and
        // the paths the config names. Everything else of the gate's stays hidden or read-only.
        readOnlyPaths: [
            ...(options.config.functions ? [dirname(options.config.functions)] : []),
            ...(options.config.read_only_paths ?? []).map((p) => p.startsWith('~/') ? join(homeOfGate(options.parentEnv), p.slice(2)) : p),
            ...(options.readOnlyPaths ?? []),
        ],
    });
}
/** How isolated the runs were, as the report states it (read once every run has ended). */
export function isolationOf(workspace, options) {
    return {
        kind: workspace.kind,
        sandboxNote: workspace.sandboxNote,
        cgroupNote: workspace.cgroupNote,
        maskPaths: options.maskPaths ?? [],
        abstractSocketsScoped,
    };
}
/** The gate user's HOME, for `~/` in `read_only_paths`. */
function homeOfGate(env) {
    return (env ?? process.env)['HOME'] || homedir();
}
