import { z } from 'zod';
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
    max_repeats?: unknown;
    repeat_time_s?: unknown;
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
declare const NoiseSchema: z.ZodObject<{
    expect: z.ZodOptional<z.ZodEnum<{
        fail: "fail";
        pass: "pass";
    }>>;
    repeats: z.ZodOptional<z.ZodUnion<readonly [z.ZodLiteral<"auto">, z.ZodNumber]>>;
    max_repeats: z.ZodOptional<z.ZodNumber>;
    repeat_time_s: z.ZodOptional<z.ZodNumber>;
    retries: z.ZodOptional<z.ZodNumber>;
    metrics: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodObject<{
        direction: z.ZodEnum<{
            higher: "higher";
            lower: "lower";
        }>;
        tolerance: z.ZodOptional<z.ZodUnion<readonly [z.ZodNumber, z.ZodString]>>;
        deterministic: z.ZodOptional<z.ZodBoolean>;
        source: z.ZodOptional<z.ZodEnum<{
            stdout: "stdout";
            cpu: "cpu";
        }>>;
    }, z.core.$strict>>>;
}, z.core.$strip>;
export type NoiseKeys = z.output<typeof NoiseSchema>;
/**
 * repeats (and the adaptive keys), retries and the metric list of a check, from the keys as
 * written (the library's Gate reads them the same way). `score_from: k` is a metric k, direction
 * higher, tolerance 0, unless `metrics` declares k itself (then that declaration wins).
 */
export declare function noiseOf(entry: NoiseKeys, scoreFrom: string | null): {
    repeats: number;
    max_repeats?: number;
    repeat_time_s?: number;
    retries: number;
    metrics: MetricSpec[];
};
/**
 * `score_from: k` is also a metric `k` (direction higher, tolerance 0) unless `metrics` declares
 * `k` itself: the declared metrics with that one first.
 */
export declare function withScoreMetric(metrics: MetricSpec[], scoreFrom: string | null): MetricSpec[];
export {};
