/**
 * The gate config, pure: quorum.yml text -> GateConfig, with errors that name file, line, column
 * and key. This file is the front door; the parts live in config/:
 * - parse.ts: text -> GateConfig, and a checks module's listed checks merged into it;
 * - diagnostics.ts: YAML and schema problems -> one located message;
 * - locations.ts: key paths <-> lines and columns in the parsed document;
 * - hash.ts: the one config hash (envelopes, results-cache keys).
 * Reading the file, and keeping it and its checks module inside their tree, is the run layer's
 * (run/config-file.ts).
 */
export {
  DEFAULT_AUDIT_MAX_FILES,
  DEFAULT_SETUP_TIMEOUT_S,
  DEFAULT_TIMEOUT_S,
} from './config-schema.ts'
export {
  MAX_CONFIG_BYTES,
  configInCode,
  mergeFunctionChecks,
  noiseOf,
  parseConfig,
  withScoreMetric,
  type ListedFunctionCheck,
  type ParseConfigOptions,
} from './config/parse.ts'
export { hashConfigSources, type ConfigHashUse, type ConfigSources } from './config/hash.ts'
