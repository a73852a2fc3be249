import { ALLOWED_KEYS } from "../config-schema.js";
import { ConfigError, excerpt } from "../errors.js";
import { formatKeyPath, keyAt, keyPathAt, locationOf, valueAt, } from "./locations.js";
/** YAML's own error (or warning) as a located ConfigError; never quotes more than an excerpt. */
export function yamlError(src, problem) {
    const offset = problem.pos[0];
    const at = locationOf(src, offset);
    const keyPath = keyPathAt(src, offset);
    let message;
    switch (problem.code) {
        case 'DUPLICATE_KEY':
            message = `duplicate key${keyPath.length > 0 ? ` ${JSON.stringify(excerpt(String(keyPath[keyPath.length - 1]), 60))}` : ''} (each key may appear once in a mapping)`;
            break;
        case 'TAB_AS_INDENT':
            message = 'YAML does not allow tabs for indentation; indent with spaces';
            break;
        default:
            // The parser's words may quote the file; the file may not be a config at all.
            message = `invalid YAML: ${excerpt(firstLine(problem.message))}`;
    }
    return new ConfigError({
        file: src.display,
        ...at,
        key: problem.code === 'DUPLICATE_KEY' ? formatKeyPath(keyPath) : '',
        message,
    });
}
/**
 * zod reports every problem; a user fixes them top to bottom, so report the first in the file.
 * A missing key is dropped when its mapping also has an unknown key: that is almost always the
 * same typo, and the unknown key's message carries the suggestion.
 */
export function firstSchemaError(src, issues) {
    const flat = flattenIssues(issues, []);
    const withUnknown = new Set(flat.filter((f) => f.issue.code === 'unrecognized_keys').map((f) => formatKeyPath(f.parent)));
    const located = [];
    for (const f of flat) {
        if (f.missing && withUnknown.has(formatKeyPath(f.parent)))
            continue;
        located.push(locateIssue(src, f));
    }
    located.sort((a, b) => a.line - b.line || a.column - b.column || a.rank - b.rank);
    const first = located[0];
    if (first === undefined) {
        return new ConfigError({
            file: src.display,
            line: 1,
            column: 1,
            message: 'invalid configuration',
        });
    }
    return new ConfigError({
        file: src.display,
        line: first.line,
        column: first.column,
        key: first.key,
        message: first.message,
    });
}
function flattenIssues(issues, base) {
    const out = [];
    for (const issue of issues) {
        const at = [...base, ...issue.path];
        if (issue.code === 'invalid_union') {
            // Follow the branch the user evidently meant: the one whose type matched (a mapping
            // given for `setup` is judged as a mapping, not as "not a string").
            const meant = issue.errors.filter((branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0));
            if (meant.length === 1 && meant[0] !== undefined) {
                out.push(...flattenIssues(meant[0], at));
                continue;
            }
        }
        if (issue.code === 'unrecognized_keys') {
            for (const key of issue.keys) {
                out.push({ issue, path: [...at, key], parent: at, missing: false });
            }
            continue;
        }
        const missing = issue.code === 'invalid_type' && issue.input === undefined;
        out.push({ issue, path: at, parent: at.slice(0, -1), missing });
    }
    return out;
}
function locateIssue(src, f) {
    const { issue } = f;
    const key = formatKeyPath(f.path);
    if (issue.code === 'unrecognized_keys') {
        const unknown = String(f.path[f.path.length - 1]);
        return { ...keyAt(src, f.path), key, message: unknownKeyMessage(unknown, f.parent), rank: 0 };
    }
    if (f.missing) {
        const name = String(f.path[f.path.length - 1]);
        return {
            ...valueAt(src, f.parent),
            key,
            message: `missing required key ${JSON.stringify(name)}`,
            rank: 1,
        };
    }
    if (issue.code === 'invalid_key') {
        const inner = issue.issues[0]?.message ?? 'is not a valid key';
        return { ...keyAt(src, f.path), key, message: inner, rank: 1 };
    }
    return { ...valueAt(src, f.path), key, message: withInput(issue), rank: 1 };
}
/** Adds what was found to a message about a wrong value, unless it would say nothing new. */
function withInput(issue) {
    const echoes = issue.code === 'invalid_type' ||
        issue.code === 'invalid_union' ||
        issue.code === 'invalid_format' ||
        issue.code === 'too_big' ||
        (issue.code === 'too_small' && issue.origin !== 'string');
    if (!echoes)
        return issue.message;
    const input = issue.input;
    const hint = issue.code === 'invalid_type' &&
        issue.expected === 'string' &&
        (typeof input === 'number' || typeof input === 'boolean')
        ? ` (quote it if you mean the text "${String(input)}")`
        : '';
    return `${issue.message}, got ${describeValue(input)}${hint}`;
}
function unknownKeyMessage(unknown, parent) {
    const allowed = parent.length === 0
        ? ALLOWED_KEYS.top
        : parent.length === 2 && parent[0] === 'checks'
            ? ALLOWED_KEYS.check
            : parent.length === 1 && parent[0] === 'setup'
                ? ALLOWED_KEYS.setup
                : [];
    const suggestion = closest(unknown, allowed);
    const quoted = JSON.stringify(excerpt(unknown, 60));
    if (suggestion !== null)
        return `unknown key ${quoted} (did you mean ${JSON.stringify(suggestion)}?)`;
    if (allowed.length > 0)
        return `unknown key ${quoted} (allowed: ${allowed.join(', ')})`;
    return `unknown key ${quoted}`;
}
/**
 * The default wording for zod issues the schema gives no message of its own; says what was
 * expected and what was found, in YAML's terms (mapping, list), not JavaScript's.
 */
export function genericMessage(issue) {
    switch (issue.code) {
        case 'invalid_type':
            return `expected ${typeNoun(issue.expected)}`;
        case 'invalid_value': {
            const allowed = issue.values.map((v) => String(v));
            const got = typeof issue.input === 'string' ? issue.input : '';
            const suggestion = closest(got, allowed);
            const hint = suggestion === null ? '' : ` (did you mean ${JSON.stringify(suggestion)}?)`;
            return `must be one of ${allowed.join(', ')}; got ${describeValue(issue.input)}${hint}`;
        }
        case 'too_small':
            return issue.origin === 'string'
                ? 'must not be empty'
                : `must be at least ${String(issue.minimum)}`;
        case 'too_big':
            return `must be at most ${String(issue.maximum)}`;
        case 'invalid_format':
            return 'has an invalid format';
        default:
            return 'is not valid';
    }
}
function typeNoun(expected) {
    switch (expected) {
        case 'object':
        case 'record':
            return 'a mapping';
        case 'array':
            return 'a list';
        case 'int':
            return 'an integer';
        default:
            return `a ${expected}`;
    }
}
/** A value as a YAML user would name it, short enough for one line. */
export function describeValue(value) {
    if (value === null || value === undefined)
        return 'an empty value';
    if (Array.isArray(value))
        return 'a list';
    if (typeof value === 'object')
        return 'a mapping';
    if (typeof value === 'string') {
        return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
    }
    return String(value);
}
/** The allowed word closest to a mistyped one, when it is close enough to be a typo. */
function closest(word, candidates) {
    if (word === '')
        return null;
    let best = null;
    let bestDistance = Infinity;
    for (const candidate of candidates) {
        const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    const limit = Math.max(2, Math.floor(word.length / 3));
    return bestDistance <= limit ? best : null;
}
/** Levenshtein distance, two rows at a time. */
function editDistance(a, b) {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
            current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
        }
        previous = current;
    }
    return previous[b.length] ?? 0;
}
function firstLine(text) {
    return text.split('\n', 1)[0] ?? text;
}
