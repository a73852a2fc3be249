/**
 * Problems in a quorum.yml -> one located message. YAML's own errors and zod's schema issues are
 * turned into a single ConfigError that names the file, line, column and key, in YAML's words
 * (mapping, list), with a "did you mean" for a mistyped key or value. A contributor reading "bad
 * config" in a failed job should not have to guess which of twenty lines is wrong.
 */
import type { YAMLError } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { type ConfigDocument } from './locations.ts';
/** YAML's own error (or warning) as a located ConfigError; never quotes more than an excerpt. */
export declare function yamlError(src: ConfigDocument, problem: YAMLError): ConfigError;
type Issue = z.core.$ZodIssue;
/**
 * zod reports every problem; a user fixes them top to bottom, so report the first in the file.
 * A missing key is dropped when its mapping also has an unknown key: that is almost always the
 * same typo, and the unknown key's message carries the suggestion.
 */
export declare function firstSchemaError(src: ConfigDocument, issues: readonly Issue[]): ConfigError;
/**
 * The default wording for zod issues the schema gives no message of its own; says what was
 * expected and what was found, in YAML's terms (mapping, list), not JavaScript's.
 */
export declare function genericMessage(issue: z.core.$ZodRawIssue): string;
/** A value as a YAML user would name it, short enough for one line. */
export declare function describeValue(value: unknown): string;
export {};
