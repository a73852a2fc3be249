/**
 * quorum.yml text -> GateConfig: pure (no file access, no environment). Parsing keeps the YAML
 * document, not just its values, so that each check records where it is written and every error
 * can name the file, line, column and key path (see diagnostics.ts). Reading the file is the run
 * layer's job (run/config-file.ts).
 */
import path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { AUTO_MAX_REPEATS, AUTO_REPEATS, CHECK_NAME_PATTERN, ConfigFileSchema, DEFAULT_SETUP_TIMEOUT_S, DEFAULT_TIMEOUT_S, MAX_CHECK_NAME_LENGTH, expectKey, noiseKeys, } from "../config-schema.js";
import { ConfigError, errorMessage, excerpt } from "../errors.js";
import { parseTolerance } from "../numbers.js";
import { describeValue, firstSchemaError, genericMessage, yamlError } from "./diagnostics.js";
import { locationOf, valueAt, walk } from "./locations.js";
/** Largest config file we agree to parse; quorum.yml may come from an untrusted PR. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/**
 * A config built in code rather than read from a file (the library's Gate, the CLI's
 * `--checks` without `--config`): the defaults of an empty quorum.yml, plus `fields`.
 */
export function configInCode(fields = {}) {
    return {
        file: null,
        mode: 'pass-fail',
        flaky: 'warn',
        setup: null,
        env_passthrough: [],
        env: {},
        parallel: null,
        functions: null,
        checks: [],
        ...fields,
    };
}
/**
 * Parses and validates the text of a quorum.yml and applies defaults.
 *
 * @param text the file's contents
 * @param file absolute path of the file; `functions` is resolved against its directory
 * @throws ConfigError naming file, line, column and key for the first problem in the file
 */
export function parseConfig(text, file, options = {}) {
    const display = options.displayPath ?? file;
    const lines = new LineCounter();
    const doc = parseDocument(text, {
        lineCounter: lines,
        prettyErrors: false,
        // `<<: *defaults` is common in CI YAML; without this it would be an unknown key "<<".
        merge: true,
        uniqueKeys: true,
    });
    const src = { display, doc, lines };
    // Warnings too: an unresolved tag silently turns into a string, and a gate config should not
    // mean something other than what its author thinks.
    const yamlProblem = doc.errors[0] ?? doc.warnings[0];
    if (yamlProblem !== undefined)
        throw yamlError(src, yamlProblem);
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
        throw new ConfigError({
            file: display,
            line: 1,
            column: 1,
            message: 'the file is empty; it needs a `checks:` list (or `functions:`)',
        });
    }
    if (!isMap(doc.contents)) {
        const at = locationOf(src, doc.contents.range?.[0] ?? 0);
        throw new ConfigError({
            file: display,
            ...at,
            message: `the top level must be a mapping of keys (mode, checks, ...), not ${describeValue(doc.toJS())}`,
        });
    }
    let data;
    try {
        data = doc.toJS({ maxAliasCount: 100 });
    }
    catch (err) {
        // Only alias expansion can throw here (a "billion laughs" document).
        throw new ConfigError({
            file: display,
            line: 1,
            column: 1,
            message: `invalid YAML: ${excerpt(errorMessage(err))}`,
        });
    }
    const parsed = ConfigFileSchema.safeParse(data, { reportInput: true, error: genericMessage });
    if (!parsed.success)
        throw firstSchemaError(src, parsed.error.issues);
    const config = parsed.data;
    checkChecksPresent(src, config);
    checkUniqueNames(src, config);
    checkCanaries(src, config);
    checkMaxRepeats(src, config);
    checkAuditPolicies(src, config);
    const gate = {
        file,
        mode: config.mode ?? 'pass-fail',
        flaky: config.flaky ?? 'warn',
        setup: setupOf(config),
        env_passthrough: [...new Set(config.env_passthrough ?? [])],
        env: envOf(src, ['env'], config.env),
        parallel: config.parallel ?? null,
        ...(config.read_only_paths ? { read_only_paths: [...new Set(config.read_only_paths)] } : {}),
        ...auditOf(config),
        ...limitsOf(config),
        functions: config.functions === undefined ? null : path.resolve(path.dirname(file), config.functions),
        checks: (config.checks ?? []).map((check, i) => ({
            kind: 'shell',
            name: check.name,
            command: check.command,
            timeout_s: check.timeout_s ?? DEFAULT_TIMEOUT_S,
            score_from: check.score_from ?? null,
            env: envOf(src, ['checks', i, 'env'], check.env),
            ...(check.expect === 'fail' ? { expect: 'fail' } : {}),
            ...noiseOf(check, check.score_from ?? null),
            ...limitsOf(check),
            source: { file: display, ...valueAt(src, ['checks', i, 'name']) },
        })),
    };
    if (gate.functions !== null) {
        gate.functions_source = {
            path: gate.functions,
            location: { file: display, ...valueAt(src, ['functions']) },
        };
    }
    return gate;
}
/**
 * Appends the checks a functions module exports to a parsed config, as FunctionCheckSpecs.
 * Returns a new config; the given one is not changed.
 *
 * @param listed name and timeout of each exported check, in export order (timeout null = default)
 * @param modulePath absolute path of the module, recorded on each spec
 * @throws ConfigError located at the `functions` key when a name is invalid, repeated, or taken
 *   by a shell check, when a timeout is not a positive number, or when there are no checks at all
 */
export function mergeFunctionChecks(config, listed, modulePath) {
    const at = config.functions_source?.path === config.functions ? config.functions_source.location : null;
    const display = at?.file ?? config.checks[0]?.source?.file ?? config.file ?? 'quorum.yml';
    const moduleName = path.basename(modulePath);
    const fail = (message) => new ConfigError({
        file: display,
        line: at?.line ?? 0,
        column: at?.column ?? 0,
        key: 'functions',
        message,
    });
    const taken = new Map();
    for (const check of config.checks) {
        const line = check.source?.line;
        taken.set(check.name.toLowerCase(), `the ${check.kind} check "${check.name}"${line === undefined ? '' : ` at line ${line}`}`);
    }
    const added = [];
    for (const [i, entry] of listed.entries()) {
        const name = entry.name;
        if (typeof name !== 'string' || !CHECK_NAME_PATTERN.test(name)) {
            throw fail(`${moduleName}: check #${i + 1} has an invalid name ${describeValue(name)}; names must start with a letter or digit and contain only letters, digits, "_", "." and "-"`);
        }
        if (name.length > MAX_CHECK_NAME_LENGTH) {
            throw fail(`${moduleName}: check name "${name}" is longer than ${MAX_CHECK_NAME_LENGTH} characters`);
        }
        const clash = taken.get(name.toLowerCase());
        if (clash !== undefined) {
            throw fail(`${moduleName}: function check "${name}" has the same name as ${clash}`);
        }
        const timeout = entry.timeout_s;
        if (timeout !== null &&
            (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0)) {
            throw fail(`${moduleName}: check "${name}" has timeout_s ${describeValue(timeout)}; it must be a positive number of seconds`);
        }
        const noise = NoiseSchema.safeParse({
            repeats: entry.repeats,
            max_repeats: entry.max_repeats,
            repeat_time_s: entry.repeat_time_s,
            retries: entry.retries,
            metrics: entry.metrics,
            expect: entry.expect,
        }, { error: genericMessage });
        if (!noise.success) {
            const issue = noise.error.issues[0];
            const where = issue.path.map(String).join('.');
            throw fail(`${moduleName}: check "${name}": ${where} ${issue.message}`);
        }
        if (noise.data.expect === 'fail' && (noise.data.retries ?? 0) > 0) {
            throw fail(`${moduleName}: check "${name}": ${CANARY_RETRIES}`);
        }
        const tooFew = maxRepeatsProblem(noise.data);
        if (tooFew !== null)
            throw fail(`${moduleName}: check "${name}": max_repeats ${tooFew}`);
        taken.set(name.toLowerCase(), `the function check "${name}" in ${moduleName}`);
        added.push({
            kind: 'function',
            name,
            timeout_s: timeout ?? DEFAULT_TIMEOUT_S,
            env: {},
            module: modulePath,
            ...(noise.data.expect === 'fail' ? { expect: 'fail' } : {}),
            ...noiseOf(noise.data, null),
        });
    }
    if (config.checks.length === 0 && added.length === 0) {
        // A gate with no checks would allow anything.
        throw fail(`${moduleName} exports no checks, and no shell checks are listed`);
    }
    return { ...config, checks: [...config.checks, ...added] };
}
const NoiseSchema = z.object({ ...noiseKeys, expect: expectKey.optional() });
const CANARY_RETRIES = 'a canary (expect: fail) is never retried: a retry would only give a known-bad input another chance to pass; remove retries';
/**
 * The audit keys the file sets, and only those: a config without them parses exactly as before
 * (the gate applies the defaults). `vacuous: block` or `uncovered: block` switch their audit on
 * when `audit` is absent, so that a policy is never set for an audit that does not run.
 */
function auditOf(config) {
    const kinds = config.audit === undefined
        ? undefined
        : [...new Set(typeof config.audit === 'string' ? [config.audit] : config.audit)];
    const out = {};
    if (kinds !== undefined)
        out.audit = kinds;
    else {
        const implied = [];
        if (config.vacuous === 'block')
            implied.push('vacuity');
        if (config.uncovered === 'block')
            implied.push('changes');
        if (implied.length > 0)
            out.audit = implied;
    }
    if (config.audit_max_files !== undefined)
        out.audit_max_files = config.audit_max_files;
    if (config.audit_ignore !== undefined)
        out.audit_ignore = [...new Set(config.audit_ignore)];
    if (config.vacuous !== undefined)
        out.vacuous = config.vacuous;
    if (config.uncovered !== undefined)
        out.uncovered = config.uncovered;
    return out;
}
/**
 * repeats (and the adaptive keys), retries and the metric list of a check, from the keys as
 * written (the library's Gate reads them the same way). `score_from: k` is a metric k, direction
 * higher, tolerance 0, unless `metrics` declares k itself (then that declaration wins).
 */
export function noiseOf(entry, scoreFrom) {
    const metrics = Object.entries(entry.metrics ?? {}).map(([name, spec]) => ({
        name,
        direction: spec.direction,
        tolerance: parseTolerance(spec.tolerance),
        deterministic: spec.deterministic ?? false,
        ...(spec.source === 'cpu' ? { source: 'cpu' } : {}),
    }));
    const auto = entry.repeats === 'auto';
    const repeats = entry.repeats === 'auto' ? AUTO_REPEATS : (entry.repeats ?? 1);
    const maxRepeats = entry.max_repeats ?? (auto ? Math.max(AUTO_MAX_REPEATS, repeats) : undefined);
    return {
        repeats,
        ...(maxRepeats !== undefined && maxRepeats > repeats ? { max_repeats: maxRepeats } : {}),
        ...(entry.repeat_time_s !== undefined ? { repeat_time_s: entry.repeat_time_s } : {}),
        retries: entry.retries ?? 0,
        metrics: withScoreMetric(metrics, scoreFrom),
    };
}
/** Why `max_repeats` cannot work with these keys; null when it can. */
function maxRepeatsProblem(entry) {
    if (entry.max_repeats === undefined)
        return null;
    if (typeof entry.repeats === 'number' && entry.max_repeats < entry.repeats) {
        return `must be at least repeats (${entry.repeats})`;
    }
    return null;
}
/**
 * `score_from: k` is also a metric `k` (direction higher, tolerance 0) unless `metrics` declares
 * `k` itself: the declared metrics with that one first.
 */
export function withScoreMetric(metrics, scoreFrom) {
    if (scoreFrom === null || metrics.some((m) => m.name === scoreFrom))
        return metrics;
    return [
        {
            name: scoreFrom,
            direction: 'higher',
            tolerance: { kind: 'absolute', value: 0 },
            deterministic: false,
            from_score: true,
        },
        ...metrics,
    ];
}
// ---------------------------------------------------------------------------------------------
// Cross-key rules
function checkChecksPresent(src, config) {
    if (config.functions !== undefined)
        return;
    if (config.checks === undefined) {
        throw new ConfigError({
            file: src.display,
            ...locationOf(src, src.doc.contents?.range?.[0] ?? 0),
            key: 'checks',
            message: 'missing required key "checks" (list at least one check, or set functions)',
        });
    }
    if (config.checks === null || config.checks.length === 0) {
        throw new ConfigError({
            file: src.display,
            ...valueAt(src, ['checks']),
            key: 'checks',
            message: 'no checks listed; list at least one, or set functions',
        });
    }
}
/** `max_repeats` below `repeats` is a mistake: say so where it is written. */
function checkMaxRepeats(src, config) {
    for (const [i, check] of (config.checks ?? []).entries()) {
        const why = maxRepeatsProblem(check);
        if (why === null)
            continue;
        throw new ConfigError({
            file: src.display,
            ...valueAt(src, ['checks', i, 'max_repeats']),
            key: `checks[${i}].max_repeats`,
            message: why,
        });
    }
}
/** A canary must not be retried: every retry is one more chance for a known-bad input to pass. */
function checkCanaries(src, config) {
    for (const [i, check] of (config.checks ?? []).entries()) {
        if (check.expect !== 'fail' || (check.retries ?? 0) === 0)
            continue;
        throw new ConfigError({
            file: src.display,
            ...valueAt(src, ['checks', i, 'retries']),
            key: `checks[${i}].retries`,
            message: CANARY_RETRIES,
        });
    }
}
/**
 * `vacuous: block` (or `uncovered: block`) next to an `audit` list that leaves its audit out
 * would block on something that is never looked at: a contradiction, not a default to guess.
 */
function checkAuditPolicies(src, config) {
    if (config.audit === undefined)
        return;
    const kinds = typeof config.audit === 'string' ? [config.audit] : config.audit;
    const rules = [
        { key: 'vacuous', kind: 'vacuity', value: config.vacuous },
        { key: 'uncovered', kind: 'changes', value: config.uncovered },
    ];
    for (const rule of rules) {
        if (rule.value !== 'block' || kinds.includes(rule.kind))
            continue;
        throw new ConfigError({
            file: src.display,
            ...valueAt(src, [rule.key]),
            key: rule.key,
            message: `block needs the ${rule.kind} audit, which \`audit\` leaves out; add ${rule.kind} to audit`,
        });
    }
}
/** Returns where each check's name is written, for messages about clashes found later. */
function checkUniqueNames(src, config) {
    const seen = new Map();
    for (const [i, check] of (config.checks ?? []).entries()) {
        const at = valueAt(src, ['checks', i, 'name']);
        // Names become file names, and some file systems ignore case.
        const first = seen.get(check.name.toLowerCase());
        if (first !== undefined) {
            const message = first.name === check.name
                ? `duplicate check name "${check.name}" (first used at line ${first.line})`
                : `check name "${check.name}" clashes with "${first.name}" at line ${first.line} (names become file names, so case does not tell them apart)`;
            throw new ConfigError({ file: src.display, ...at, key: `checks[${i}].name`, message });
        }
        seen.set(check.name.toLowerCase(), { name: check.name, line: at.line });
    }
}
function setupOf(config) {
    if (config.setup === undefined)
        return null;
    if (typeof config.setup === 'string') {
        return { command: config.setup, timeout_s: DEFAULT_SETUP_TIMEOUT_S };
    }
    return {
        command: config.setup.command,
        timeout_s: config.setup.timeout_s ?? DEFAULT_SETUP_TIMEOUT_S,
        ...(config.setup.network ? { network: config.setup.network } : {}),
    };
}
/**
 * `{ limits }` with the limit keys a mapping sets, or nothing when it sets none (absent keys
 * fall back: a check's to the config's, the config's to DEFAULT_LIMITS).
 */
function limitsOf(entry) {
    const limits = {};
    if (entry.network !== undefined)
        limits.network = entry.network;
    if (entry.pids_max !== undefined)
        limits.pids_max = entry.pids_max;
    if (entry.memory_mb !== undefined)
        limits.memory_mb = entry.memory_mb;
    if (entry.disk_mb !== undefined)
        limits.disk_mb = entry.disk_mb;
    return Object.keys(limits).length > 0 ? { limits } : {};
}
/**
 * Environment values as strings. An unquoted `1.10` or `0x1F` is taken as the text the user
 * wrote, not as the number YAML reads (1.1, 31): a version string must not change on the way.
 */
function envOf(src, at, env) {
    const out = {};
    for (const [name, value] of Object.entries(env ?? {})) {
        if (typeof value === 'string') {
            out[name] = value;
            continue;
        }
        const node = walk(src, [...at, name]).node;
        out[name] = isScalar(node) && typeof node.source === 'string' ? node.source : String(value);
    }
    return out;
}
