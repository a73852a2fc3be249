import type { GateConfig, MetricSpec } from '../types.ts';
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
 * Appends the checks a functions module exports to a parsed config, as FunctionCheckSpecs.
 * Returns a new config; the given one is not changed.
 *
 * @param listed name and timeout of each exported check, in export order (timeout null = default)
 * @param modulePath absolute path of the module, recorded on each spec
 * @throws ConfigError located at the `functions` key when a name is invalid, repeated, or taken
 *   by a shell check, when a timeout is not a positive number, or when there are no checks at all
 */
export declare function mergeFunctionChecks(config: GateConfig, listed: readonly ListedFunctionCheck[], modulePath: string): GateConfig;
/**
 * `score_from: k` is also a metric `k` (direction higher, tolerance 0) unless `metrics` declares
 * `k` itself: the declared metrics with that one first.
 */
export declare function withScoreMetric(metrics: MetricSpec[], scoreFrom: string | null): MetricSpec[];
