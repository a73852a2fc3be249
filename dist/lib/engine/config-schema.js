/**
 * The shape of quorum.yml, as one zod schema. It is the single source of truth for two things:
 * validation (config.ts runs it on the parsed YAML) and the JSON Schema that editors use
 * (scripts/gen-schema.ts writes schema/quorum.schema.json from configJsonSchema()).
 *
 * The schema describes the file as written (optional keys stay optional); defaults and rules
 * that span several keys (unique check names, "checks or functions") live in config.ts, where the
 * YAML document is at hand to point at the right line.
 */
import { z } from 'zod';
import { forbiddenEnvReason } from "./env-policy.js";
import { globProblem } from "./globs.js";
import { TOLERANCE_PATTERN } from "./numbers.js";
import { AUDIT_KINDS, MODES } from "./types.js";
/** Wall-clock budget of a check when the config gives none, in seconds. */
export const DEFAULT_TIMEOUT_S = 300;
/** Wall-clock budget of the setup command when the config gives none, in seconds. */
export const DEFAULT_SETUP_TIMEOUT_S = 600;
/** Longest check name: names become file names and CLI arguments. */
export const MAX_CHECK_NAME_LENGTH = 100;
/** Most changed files the change-coverage audit breaks when the config gives no audit_max_files. */
export const DEFAULT_AUDIT_MAX_FILES = 20;
/** Check names become file names and CLI arguments: no separators, no leading dot or dash. */
export const CHECK_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** Portable environment variable names (POSIX: letters, digits, underscore; no leading digit). */
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * score_from keys are matched as `key=<number>` on stdout. Kept to identifier characters so the
 * key can never be mistaken for the `=` separator or need escaping wherever it is matched.
 */
export const SCORE_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The schema-level message wins over the generic one, except for a key that is missing. */
function unlessMissing(message) {
    return (issue) => (issue.input === undefined ? undefined : message);
}
const seconds = (what) => z
    .number({ error: unlessMissing('must be a positive number of seconds') })
    .positive({ error: 'must be a positive number of seconds' })
    .describe(what);
const commandLine = (what) => z
    .string({ error: unlessMissing('must be a command line (a string)') })
    .min(1, { error: 'must not be empty' })
    .refine((s) => s.trim() !== '', { error: 'must not be empty' })
    .describe(what);
const envName = z
    .string()
    .regex(ENV_NAME_PATTERN, {
    error: (issue) => `${JSON.stringify(issue.input)} is not a valid environment variable name (letters, digits and _, not starting with a digit)`,
})
    .superRefine((name, ctx) => {
    const why = forbiddenEnvReason(name);
    if (why === null)
        return;
    // The reason names exact variables itself; prefix rules only name the prefix.
    const message = why.includes(name) ? `not allowed: ${why}` : `${name} is not allowed: ${why}`;
    ctx.addIssue({ code: 'custom', message });
});
const envValues = (what) => z
    .record(envName, z.union([z.string(), z.number(), z.boolean()], {
    error: 'must be a string, number or boolean',
}))
    .describe(`${what} Values are used exactly as written; an unquoted number or boolean is taken as its text.`);
const positiveInt = (what) => z
    .number({ error: unlessMissing('must be a positive integer') })
    .int({ error: 'must be a positive integer' })
    .positive({ error: 'must be a positive integer' })
    .describe(what);
const networkKey = z
    .enum(['none', 'host'], { error: 'must be none or host' })
    .describe("none: the run gets a private network with only a loopback interface (overlay sandboxes); host: the machine's network (default).");
/** Resource limits, allowed at the top level (every run) and per check. */
const limitKeys = {
    network: networkKey.optional(),
    pids_max: positiveInt('Most processes and threads a run may have at once (needs a cgroup; default 4096).').optional(),
    memory_mb: positiveInt('Most memory a run may use, in MiB, including what it writes to its tmpfs (needs a cgroup; default 4096).').optional(),
    disk_mb: positiveInt('Most a run may write, in MiB: its tree, HOME, TMPDIR and /tmp live on tmpfs of this size (overlay sandboxes; default 2048).').optional(),
};
const TOLERANCE_MESSAGE = 'must be a percentage such as "5%" (relative) or a number such as 2 (absolute, in the metric\'s unit), not negative';
const toleranceKey = z
    .union([
    z
        .number({ error: TOLERANCE_MESSAGE })
        .nonnegative({ error: TOLERANCE_MESSAGE })
        .refine(Number.isFinite, { error: TOLERANCE_MESSAGE }),
    z.string({ error: TOLERANCE_MESSAGE }).regex(TOLERANCE_PATTERN, { error: TOLERANCE_MESSAGE }),
], { error: TOLERANCE_MESSAGE })
    .describe('How far the metric may move the worse way before it counts as regressed: "5%" relative to the baseline median, or 2 in the metric\'s own unit (default 0).');
const metricName = z.string().regex(SCORE_KEY_PATTERN, {
    error: (issue) => `${JSON.stringify(issue.input)} is not a valid metric name (letters, digits and _, not starting with a digit)`,
});
const metricSpec = z
    .strictObject({
    direction: z
        .enum(['higher', 'lower'], { error: 'must be higher or lower (which way is better)' })
        .describe('Which way is better: higher (e.g. throughput) or lower (e.g. time, size).'),
    tolerance: toleranceKey.optional().meta({ default: 0 }),
    deterministic: z
        .boolean({ error: 'must be true or false' })
        .optional()
        .describe('The value is the same on every run of the same tree (a size, a count): compared exactly, and reusable from the cache.')
        .meta({ default: false }),
    source: z
        .enum(['stdout', 'cpu'], { error: 'must be stdout or cpu' })
        .optional()
        .describe("Where the value comes from: stdout, a `name=<number>` line the check prints (the last one wins); cpu, the CPU time (user + system, in ms) of the run's processes, measured through its cgroup (nothing to print; far steadier than wall time on a shared machine).")
        .meta({ default: 'stdout' }),
})
    .refine((m) => !(m.source === 'cpu' && m.deterministic === true), {
    error: 'a cpu metric cannot be deterministic: CPU time varies between runs',
})
    .describe('One metric: a `name=<number>` line on stdout (the last one of a run wins), or the CPU time of the run.');
const REPEATS_MESSAGE = 'must be a positive integer or auto';
/** `repeats: auto`: this many repeats to start with… */
export const AUTO_REPEATS = 9;
/** …and at most this many (unless max_repeats says otherwise). */
export const AUTO_MAX_REPEATS = 45;
/** Default wall-time budget of an adaptive check's runs, in seconds. */
export const DEFAULT_REPEAT_TIME_S = 300;
/** The keys about repeats, retries and metrics, shared by shell checks and function checks. */
export const noiseKeys = {
    repeats: z
        .union([
        z.literal('auto', { error: REPEATS_MESSAGE }),
        z
            .number({ error: unlessMissing(REPEATS_MESSAGE) })
            .int({ error: REPEATS_MESSAGE })
            .min(1, { error: 'must be a positive integer (1 = run once per tree)' })
            .max(1000, { error: 'must be at most 1000' }),
    ], { error: unlessMissing(REPEATS_MESSAGE) })
        .optional()
        .describe(`Runs per tree (default 1). Baseline and candidate runs alternate, so drift on a shared machine hits both alike. auto: ${AUTO_REPEATS} to start with, and more while a timing is inconclusive (max_repeats ${AUTO_MAX_REPEATS} unless set).`)
        .meta({ default: 1 }),
    max_repeats: z
        .number({ error: unlessMissing('must be a whole number, 2 or more') })
        .int({ error: 'must be a whole number, 2 or more' })
        .min(2, { error: 'must be a whole number, 2 or more' })
        .max(1000, { error: 'must be at most 1000' })
        .optional()
        .describe('Adaptive repeats: while a metric that is not deterministic is inconclusive, add interleaved pairs of runs, up to this many per tree. The looks are planned in advance and each spends part of the 1% error budget, so the error rate stays at 1%.'),
    repeat_time_s: seconds(`Most wall time the runs of an adaptive check (max_repeats or repeats: auto) may take in all, in seconds (default ${DEFAULT_REPEAT_TIME_S}); no more pairs start past it.`)
        .optional()
        .meta({ default: DEFAULT_REPEAT_TIME_S }),
    retries: z
        .number({ error: unlessMissing('must be a whole number, 0 or more') })
        .int({ error: 'must be a whole number, 0 or more' })
        .min(0, { error: 'must be a whole number, 0 or more' })
        .max(20, { error: 'must be at most 20' })
        .optional()
        .describe('Extra attempts, on the same tree with a new seed, of a run that FAILED, TIMEOUT or CRASHED (default 0). Failed then passed is FLAKY.')
        .meta({ default: 0 }),
    metrics: z
        .record(metricName, metricSpec, { error: unlessMissing('must be a mapping of metric names') })
        .optional()
        .describe('Named numbers the check reports, compared between baseline and candidate.'),
};
/** `expect` of a check: `fail` makes it a canary. Shared with function checks. */
export const expectKey = z
    .enum(['pass', 'fail'], { error: 'must be pass or fail' })
    .describe('fail: a canary, a check that must not pass (say, a known-bad input kept in the suite). If it passes, the gate itself is broken, and the verdict is block. Canaries are never retried.')
    .meta({ default: 'pass' });
const policyKey = (what) => z
    .enum(['warn', 'block'], { error: 'must be warn or block' })
    .describe(what)
    .meta({ default: 'warn' });
const auditKind = z
    .string({ error: unlessMissing('must be an audit kind (vacuity or changes)') })
    .pipe(z.enum(AUDIT_KINDS, {
    error: (issue) => `unknown audit kind ${JSON.stringify(String(issue.input).slice(0, 40))} (allowed: ${AUDIT_KINDS.join(', ')})`,
}))
    // The pipe hides the enum from the generated JSON Schema; editors still get the choices.
    .meta({ enum: [...AUDIT_KINDS] });
/** The keys of the audits that test the checks themselves (see src/engine/audit.ts). */
const auditKeys = {
    audit: z
        .union([auditKind, z.array(auditKind).max(AUDIT_KINDS.length * 2)], {
        error: `must be an audit kind (${AUDIT_KINDS.join(', ')}) or a list of them`,
    })
        .optional()
        .describe('Audits that test the checks themselves. vacuity: each check that passes on the baseline also runs on an empty tree (no files, setup not run); one that still passes cannot fail. changes: each changed file, broken on purpose, is run against the checks that passed on the candidate; a file no check notices is not covered. [] runs none (the action runs vacuity when this key is absent).'),
    audit_max_files: z
        .number({ error: unlessMissing('must be a whole number, 0 or more') })
        .int({ error: 'must be a whole number, 0 or more' })
        .min(0, { error: 'must be a whole number, 0 or more' })
        .max(1000, { error: 'must be at most 1000' })
        .optional()
        .describe(`Most changed files the changes audit breaks, one variant each (default ${DEFAULT_AUDIT_MAX_FILES}); its cost is files × checks runs. Code files (JavaScript, TypeScript, Python, shell) go first, then the others, in path order.`)
        .meta({ default: DEFAULT_AUDIT_MAX_FILES }),
    audit_ignore: z
        .array(z
        .string({ error: 'must be a glob (a string) such as "docs/**"' })
        .superRefine((glob, ctx) => {
        const why = globProblem(glob);
        if (why !== null)
            ctx.addIssue({ code: 'custom', message: why });
    }), { error: unlessMissing('must be a list of globs such as ["docs/**", "**/*.md"]') })
        .max(1000, { error: 'must list at most 1000 globs' })
        .optional()
        .describe('Globs of changed files the changes audit leaves out, relative to the repository root: * and ? stay within a directory, ** crosses directories, {a,b} and [...] as usual; names starting with a dot match too.'),
    vacuous: policyKey('How a check that passes on an empty tree (it cannot fail) counts: warn shows it; block blocks the change.').optional(),
    uncovered: policyKey('How a changed file that no check noticed when it was broken counts: warn shows it; block blocks the change.').optional(),
};
/** One entry of `checks`: a shell check. */
export const CheckEntrySchema = z
    .strictObject({
    name: z
        .string({ error: unlessMissing('must be a string') })
        .min(1, { error: 'must not be empty' })
        .max(MAX_CHECK_NAME_LENGTH, { error: `must be at most ${MAX_CHECK_NAME_LENGTH} characters` })
        .regex(CHECK_NAME_PATTERN, {
        error: 'must start with a letter or digit and contain only letters, digits, "_", "." and "-"',
    })
        .describe('Unique name of the check; it appears in reports and names its log file.'),
    command: commandLine('Shell command line run in a fresh sandbox of the tree; exit code 0 means PASSED.'),
    timeout_s: seconds(`Wall-clock budget of one run, in seconds (default ${DEFAULT_TIMEOUT_S}).`)
        .optional()
        .meta({ default: DEFAULT_TIMEOUT_S }),
    score_from: z
        .string({ error: unlessMissing('must be a string') })
        .regex(SCORE_KEY_PATTERN, {
        error: 'must be a key name (letters, digits and _, not starting with a digit)',
    })
        .describe('Key whose last `key=<number>` line on stdout is the score of the run (used by scored mode).')
        .optional(),
    env: envValues('Literal environment variables for this check only.').optional(),
    expect: expectKey.optional(),
    ...noiseKeys,
    ...limitKeys,
})
    .describe('A shell check.');
/** The `setup` key: a command line, or a command with its own budget. */
export const SetupSchema = z
    .union([
    commandLine('Command line run once per tree before any check.'),
    z.strictObject({
        command: commandLine('Command line run once per tree before any check.'),
        timeout_s: seconds(`Wall-clock budget of the setup command, in seconds (default ${DEFAULT_SETUP_TIMEOUT_S}).`)
            .optional()
            .meta({ default: DEFAULT_SETUP_TIMEOUT_S }),
        network: networkKey.optional(),
    }),
], { error: 'must be a command line, or a mapping with command, timeout_s and network' })
    .describe('Prepares each tree once before its checks run (e.g. "npm ci").');
/** The whole of quorum.yml. */
export const ConfigFileSchema = z.strictObject({
    mode: z
        .enum(MODES)
        .optional()
        .describe('pass-fail: allow iff every check passes on the candidate. scored: allow iff the total score strictly improves on the baseline and no check that passed on the baseline fails. no-regression: block iff something got worse (a check that passed on the baseline fails, a check without a baseline fails, a metric regressed).')
        .meta({ default: 'pass-fail' }),
    flaky: z
        .enum(['warn', 'block'], { error: 'must be warn or block' })
        .optional()
        .describe('How a FLAKY result (failed, then passed on a retry) counts: warn shows it and does not block; block counts it as a failure.')
        .meta({ default: 'warn' }),
    setup: SetupSchema.optional(),
    parallel: z
        .number({ error: unlessMissing('must be a positive integer') })
        .int({ error: 'must be a positive integer' })
        .positive({ error: 'must be a positive integer' })
        .optional()
        .describe('Maximum number of runs at once (default: the number of CPU cores).'),
    env: envValues('Literal environment variables for every check.').optional(),
    ...limitKeys,
    env_passthrough: z
        .array(envName, { error: unlessMissing('must be a list of variable names') })
        .optional()
        .describe("Names of the judge's environment variables that checks may see, beyond the built-in allowlist. Credentials and runner files are refused."),
    read_only_paths: z
        .array(z
        .string({ error: 'must be an absolute path or one starting with ~/ (a string)' })
        .regex(/^(\/|~\/)/, { error: 'must be an absolute path or one starting with ~/' })
        .regex(/^[^\t\n\0]*$/, { error: 'must not contain a tab, a line break or a NUL' }), { error: unlessMissing('must be a list of paths such as ["~/.rustup", "/opt/sdk"]') })
        .max(100, { error: 'must list at most 100 paths' })
        .optional()
        .describe("Paths that checks may read although they would be hidden: by default a check reads its tree, its own HOME and TMPDIR, the system's directories and its tools (the PATH entries under a home and their install prefixes), and nothing of any home, /tmp or the gate's own files. ~/ is the gate user's HOME. Shown read-only, overlay sandboxes; their content is not part of a result's key (like the system's tools)."),
    functions: z
        .string({ error: unlessMissing('must be a path (a string)') })
        .min(1, { error: 'must not be empty' })
        .optional()
        .describe("Module of function checks (.mjs, .js or .ts), relative to this file's directory. Its default export is a list of { name, timeout_s, run }."),
    ...auditKeys,
    checks: z
        .array(CheckEntrySchema, { error: unlessMissing('must be a list of checks') })
        .nullable()
        .optional()
        .describe('Shell checks. May be empty or absent only when functions is set.'),
});
/** The keys a mapping may hold, by where it sits: for "did you mean" suggestions. */
export const ALLOWED_KEYS = {
    top: Object.keys(ConfigFileSchema.shape),
    check: Object.keys(CheckEntrySchema.shape),
    setup: ['command', 'timeout_s', 'network'],
};
/** Where the published schema lives; editors fetch it by this URL. */
export const SCHEMA_ID = 'https://raw.githubusercontent.com/quorum-gate/quorum/main/schema/quorum.schema.json';
/**
 * The JSON Schema of quorum.yml for editors (yaml-language-server, IDEs), generated from
 * ConfigFileSchema. Draft 7, because that is the draft editors support most widely. It describes
 * the input side (defaults are optional keys) and omits the rules zod checks in code (forbidden
 * environment names, unique check names).
 */
export function configJsonSchema() {
    const generated = z.toJSONSchema(ConfigFileSchema, { io: 'input', target: 'draft-7' });
    const { $schema, ...rest } = generated;
    return {
        $schema,
        $id: SCHEMA_ID,
        $comment: 'Generated from src/engine/config-schema.ts by scripts/gen-schema.ts; do not edit.',
        title: 'Quorum configuration (quorum.yml)',
        description: 'Checks that Quorum runs on the baseline and the candidate tree to decide whether a change may merge.',
        ...rest,
    };
}
