/**
 * The shared vocabulary of Quorum, as plain data. Every layer (engine, run, report, github, cli)
 * speaks these types; none of them carries behaviour.
 */
export declare const OUTCOMES: readonly ["PASSED", "FAILED", "TIMEOUT", "CRASHED", "ERROR"];
export type Outcome = (typeof OUTCOMES)[number];
export declare const MODES: readonly ["pass-fail", "scored"];
export type Mode = (typeof MODES)[number];
export type TreeRole = 'baseline' | 'candidate';
export type Verdict = 'allow' | 'block';
export type SandboxKind = 'overlay' | 'copy';
/** One check as the config describes it, after validation and defaults. */
interface CheckSpecBase {
    name: string;
    /** Wall-clock budget of one run, in seconds (> 0). */
    timeout_s: number;
    /** Extra environment for this check only: literal values set by the config. */
    env: Record<string, string>;
    /** This check's resource limits; what is missing comes from the config's, then the defaults. */
    limits?: Partial<ResourceLimits>;
    /** Where the check's name is written in the config, when it came from one (for errors). */
    source?: SourceLocation;
}
/** What one run may use besides its wall-clock budget (config keys of the same names). */
export interface ResourceLimits {
    /** `none`: a private network namespace with loopback only; `host`: the machine's network. */
    network: 'none' | 'host';
    /** Most processes (and threads) the run may have at once; null = no limit. Needs a cgroup. */
    pids_max: number | null;
    /** Most memory (including what it writes to tmpfs) in MiB; null = no limit. Needs a cgroup. */
    memory_mb: number | null;
    /** Most bytes the run may write (its tree, HOME, TMPDIR, /tmp), in MiB; null = the disk's free space. */
    disk_mb: number | null;
}
export interface ShellCheckSpec extends CheckSpecBase {
    kind: 'shell';
    command: string;
    /** Key whose `key=<number>` line on stdout is the score (last occurrence wins). */
    score_from: string | null;
}
export interface FunctionCheckSpec extends CheckSpecBase {
    kind: 'function';
    /** Absolute path of the checks module that exports this check. */
    module: string;
}
export type CheckSpec = ShellCheckSpec | FunctionCheckSpec;
/** Where in a config file a value came from, for one-line error messages. */
export interface SourceLocation {
    file: string;
    line: number;
    column: number;
}
/** The validated gate configuration (quorum.yml plus the function checks it names). */
export interface GateConfig {
    /** Absolute path of the config file, or null when built in code. */
    file: string | null;
    mode: Mode;
    /** Shell command run once per tree before any check, in the prepared tree. */
    setup: {
        command: string;
        timeout_s: number;
        network?: 'none' | 'host';
    } | null;
    /** Resource limits of every run unless a check says otherwise (defaults: DEFAULT_LIMITS). */
    limits?: Partial<ResourceLimits>;
    /** Names of the parent's environment variables that children may see (beyond the built-in allowlist). */
    env_passthrough: string[];
    /** Literal environment for every check. */
    env: Record<string, string>;
    /** Maximum number of runs at once; null = number of cores. */
    parallel: number | null;
    /** Path of the function-checks module, resolved against the config's directory; null if none. */
    functions: string | null;
    /**
     * Where `functions` is written in the config and the path it named there: errors about the
     * module point at that line while `functions` is still that path (a caller such as the CLI's
     * --checks may replace it).
     */
    functions_source?: {
        path: string;
        location: SourceLocation;
    };
    /** Shell checks from the config; function checks are appended once the module is loaded. */
    checks: CheckSpec[];
}
/** What was kept of a run's output: bounded, whatever the check printed. */
export interface CapturedOutput {
    /** First bytes of stdout+stderr interleaved as they arrived (UTF-8, may end mid-line). */
    head: string;
    /** Last bytes; empty when everything fit in head. */
    tail: string;
    /** Total bytes the run printed. */
    bytes: number;
    /** True when bytes > head + tail, i.e. something in the middle was dropped. */
    truncated: boolean;
    /** Absolute path of the full log on disk, or null if it was not kept. */
    log_path: string | null;
}
export interface SpawnResult {
    exitCode: number | null;
    /** Signal that ended the main process, e.g. 'SIGSEGV'. */
    signal: string | null;
    timedOut: boolean;
    /**
     * Why the process could not start or did not finish on its own, starting with a code:
     * 'ENOENT: ...', 'EACCES: ...', or exactly 'aborted' when the AbortSignal fired.
     */
    spawnError: string | null;
    /** True when the run was ended by the AbortSignal (spawnError is then 'aborted'). */
    aborted: boolean;
    /** From spawn to the end of the main process. */
    durationMs: number;
    output: CapturedOutput;
    /** From scoreKey scanning; null when no key or never printed. */
    score: number | null;
    /** Bytes received on fd 3 (at most 1 MiB), as UTF-8; null when no channel was asked for. */
    channel: string | null;
    /** The nonce given to the child on stdin when channel was asked for, else null. */
    channelNonce: string | null;
    /** Processes of the group were still alive after the main process ended (they were killed). */
    killedLeftovers: boolean;
}
/** One execution of one check on one tree. */
export interface RunResult {
    outcome: Outcome;
    /** Always present, always human-readable: why this outcome. */
    reason: string;
    score: number | null;
    duration_ms: number;
    exit_code: number | null;
    /** Signal name (e.g. "SIGSEGV") when the process died by a signal. */
    signal: string | null;
    output: CapturedOutput;
    /** QUORUM_SEED given to the run, so a failure can be replayed. */
    seed: string;
    sandbox: SandboxKind;
    /**
     * The tree's path as this run saw it (its sandbox root), so absolute paths in its output can
     * be mapped back into the repository; absent when the run never started.
     */
    sandbox_root?: string | null;
}
/** How a check moved between baseline and candidate. */
export type Change = 'still-passing' | 'regressed' | 'fixed' | 'still-failing' | 'passing' | 'failing' | 'new-check-passing' | 'new-check-failing';
export interface CheckReport {
    name: string;
    kind: 'shell' | 'function';
    candidate: RunResult;
    baseline: RunResult | null;
    change: Change;
    /** candidate.score - baseline.score when both are numbers, else null. */
    score_delta: number | null;
    /** One command line that reproduces the candidate run locally with the CLI. */
    reproduce: string;
}
export interface TreeInfo {
    role: TreeRole;
    /** Directory the tree was read from (the user's directory or a git worktree). */
    path: string;
    /** Commit sha when known (action), else null. */
    commit: string | null;
    setup: RunResult | null;
}
/** The single source every view is rendered from. Serialized as-is by --json. */
export interface Report {
    schema_version: 1;
    tool: {
        name: 'quorum';
        version: string;
    };
    verdict: Verdict;
    mode: Mode;
    /** Why the verdict is what it is, one sentence each, most important first. */
    reasons: string[];
    checks: CheckReport[];
    counts: Record<Outcome, number>;
    totals: {
        baseline_score: number | null;
        candidate_score: number;
    };
    trees: {
        baseline: TreeInfo | null;
        candidate: TreeInfo;
    };
    sandbox: SandboxKind;
    config_file: string | null;
    started_at: string;
    duration_ms: number;
    /** Free-form notes that views should show prominently (e.g. "quorum.yml changed in this PR"). */
    notices: string[];
}
export {};
