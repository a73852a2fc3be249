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
/** Wall-clock budget of a check when the config gives none, in seconds. */
export declare const DEFAULT_TIMEOUT_S = 300;
/** Wall-clock budget of the setup command when the config gives none, in seconds. */
export declare const DEFAULT_SETUP_TIMEOUT_S = 600;
/** Longest check name: names become file names and CLI arguments. */
export declare const MAX_CHECK_NAME_LENGTH = 100;
/** Most changed files the change-coverage audit breaks when the config gives no audit_max_files. */
export declare const DEFAULT_AUDIT_MAX_FILES = 20;
/** Check names become file names and CLI arguments: no separators, no leading dot or dash. */
export declare const CHECK_NAME_PATTERN: RegExp;
/** Portable environment variable names (POSIX: letters, digits, underscore; no leading digit). */
export declare const ENV_NAME_PATTERN: RegExp;
/**
 * score_from keys are matched as `key=<number>` on stdout. Kept to identifier characters so the
 * key can never be mistaken for the `=` separator or need escaping wherever it is matched.
 */
export declare const SCORE_KEY_PATTERN: RegExp;
/** `repeats: auto`: this many repeats to start with… */
export declare const AUTO_REPEATS = 9;
/** …and at most this many (unless max_repeats says otherwise). */
export declare const AUTO_MAX_REPEATS = 45;
/** Default wall-time budget of an adaptive check's runs, in seconds. */
export declare const DEFAULT_REPEAT_TIME_S = 300;
/** The keys about repeats, retries and metrics, shared by shell checks and function checks. */
export declare const noiseKeys: {
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
};
/** `expect` of a check: `fail` makes it a canary. Shared with function checks. */
export declare const expectKey: z.ZodEnum<{
    fail: "fail";
    pass: "pass";
}>;
/** One entry of `checks`: a shell check. */
export declare const CheckEntrySchema: z.ZodObject<{
    network: z.ZodOptional<z.ZodEnum<{
        none: "none";
        host: "host";
    }>>;
    pids_max: z.ZodOptional<z.ZodNumber>;
    memory_mb: z.ZodOptional<z.ZodNumber>;
    disk_mb: z.ZodOptional<z.ZodNumber>;
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
    name: z.ZodString;
    command: z.ZodString;
    timeout_s: z.ZodOptional<z.ZodNumber>;
    score_from: z.ZodOptional<z.ZodString>;
    env: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodUnion<readonly [z.ZodString, z.ZodNumber, z.ZodBoolean]>>>;
    expect: z.ZodOptional<z.ZodEnum<{
        fail: "fail";
        pass: "pass";
    }>>;
}, z.core.$strict>;
/** The `setup` key: a command line, or a command with its own budget. */
export declare const SetupSchema: z.ZodUnion<readonly [z.ZodString, z.ZodObject<{
    command: z.ZodString;
    timeout_s: z.ZodOptional<z.ZodNumber>;
    network: z.ZodOptional<z.ZodEnum<{
        none: "none";
        host: "host";
    }>>;
}, z.core.$strict>]>;
/** The whole of quorum.yml. */
export declare const ConfigFileSchema: z.ZodObject<{
    checks: z.ZodOptional<z.ZodNullable<z.ZodArray<z.ZodObject<{
        network: z.ZodOptional<z.ZodEnum<{
            none: "none";
            host: "host";
        }>>;
        pids_max: z.ZodOptional<z.ZodNumber>;
        memory_mb: z.ZodOptional<z.ZodNumber>;
        disk_mb: z.ZodOptional<z.ZodNumber>;
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
        name: z.ZodString;
        command: z.ZodString;
        timeout_s: z.ZodOptional<z.ZodNumber>;
        score_from: z.ZodOptional<z.ZodString>;
        env: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodUnion<readonly [z.ZodString, z.ZodNumber, z.ZodBoolean]>>>;
        expect: z.ZodOptional<z.ZodEnum<{
            fail: "fail";
            pass: "pass";
        }>>;
    }, z.core.$strict>>>>;
    audit: z.ZodOptional<z.ZodUnion<readonly [z.ZodPipe<z.ZodString, z.ZodEnum<{
        vacuity: "vacuity";
        changes: "changes";
    }>>, z.ZodArray<z.ZodPipe<z.ZodString, z.ZodEnum<{
        vacuity: "vacuity";
        changes: "changes";
    }>>>]>>;
    audit_max_files: z.ZodOptional<z.ZodNumber>;
    audit_ignore: z.ZodOptional<z.ZodArray<z.ZodString>>;
    vacuous: z.ZodOptional<z.ZodEnum<{
        warn: "warn";
        block: "block";
    }>>;
    uncovered: z.ZodOptional<z.ZodEnum<{
        warn: "warn";
        block: "block";
    }>>;
    env_passthrough: z.ZodOptional<z.ZodArray<z.ZodString>>;
    read_only_paths: z.ZodOptional<z.ZodArray<z.ZodString>>;
    functions: z.ZodOptional<z.ZodString>;
    network: z.ZodOptional<z.ZodEnum<{
        none: "none";
        host: "host";
    }>>;
    pids_max: z.ZodOptional<z.ZodNumber>;
    memory_mb: z.ZodOptional<z.ZodNumber>;
    disk_mb: z.ZodOptional<z.ZodNumber>;
    mode: z.ZodOptional<z.ZodEnum<{
        "pass-fail": "pass-fail";
        scored: "scored";
        "no-regression": "no-regression";
    }>>;
    flaky: z.ZodOptional<z.ZodEnum<{
        warn: "warn";
        block: "block";
    }>>;
    setup: z.ZodOptional<z.ZodUnion<readonly [z.ZodString, z.ZodObject<{
        command: z.ZodString;
        timeout_s: z.ZodOptional<z.ZodNumber>;
        network: z.ZodOptional<z.ZodEnum<{
            none: "none";
            host: "host";
        }>>;
    }, z.core.$strict>]>>;
    parallel: z.ZodOptional<z.ZodNumber>;
    env: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodUnion<readonly [z.ZodString, z.ZodNumber, z.ZodBoolean]>>>;
}, z.core.$strict>;
/** quorum.yml as written, before defaults. */
export type ConfigFile = z.output<typeof ConfigFileSchema>;
/** The keys a mapping may hold, by where it sits: for "did you mean" suggestions. */
export declare const ALLOWED_KEYS: {
    readonly top: string[];
    readonly check: string[];
    readonly setup: readonly ["command", "timeout_s", "network"];
};
/** Where the published schema lives; editors fetch it by this URL. */
export declare const SCHEMA_ID = "https://raw.githubusercontent.com/quorum-gate/quorum/main/schema/quorum.schema.json";
/**
 * The JSON Schema of quorum.yml for editors (yaml-language-server, IDEs), generated from
 * ConfigFileSchema. Draft 7, because that is the draft editors support most widely. It describes
 * the input side (defaults are optional keys) and omits the rules zod checks in code (forbidden
 * environment names, unique check names).
 */
export declare function configJsonSchema(): Record<string, unknown>;
