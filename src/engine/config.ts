/**
 * quorum.yml -> GateConfig. Parsing keeps the YAML document (not just its values) so that every
 * error can name the file, line, column and key path: a contributor reading "bad config" in a
 * failed job should not have to guess which of twenty lines is wrong.
 */
import { isInside } from './paths.ts'
import { constants as fsConstants } from 'node:fs'
import { open, realpath, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
  type Pair,
  type YAMLError,
} from 'yaml'
import { z } from 'zod'
import {
  ALLOWED_KEYS,
  CHECK_NAME_PATTERN,
  ConfigFileSchema,
  DEFAULT_SETUP_TIMEOUT_S,
  DEFAULT_TIMEOUT_S,
  MAX_CHECK_NAME_LENGTH,
  expectKey,
  noiseKeys,
  type ConfigFile,
} from './config-schema.ts'
import { ConfigError, excerpt } from './errors.ts'
import { parseTolerance } from './numbers.ts'
import type {
  AuditKind,
  FunctionCheckSpec,
  GateConfig,
  MetricSpec,
  ResourceLimits,
  ShellCheckSpec,
} from './types.ts'

export {
  DEFAULT_AUDIT_MAX_FILES,
  DEFAULT_SETUP_TIMEOUT_S,
  DEFAULT_TIMEOUT_S,
} from './config-schema.ts'

/** Largest config file we agree to parse; quorum.yml may come from an untrusted PR. */
export const MAX_CONFIG_BYTES = 1024 * 1024

export interface ParseConfigOptions {
  /**
   * How the file is named in error messages (e.g. `quorum.yml` relative to the repository),
   * when that differs from the absolute path. Defaults to the path itself.
   */
  displayPath?: string
}

/** One check as a functions module lists it, before validation. */
export interface ListedFunctionCheck {
  name: string
  timeout_s: number | null
  /** repeats, retries, metrics and expect as the module wrote them (validated by mergeFunctionChecks). */
  repeats?: unknown
  retries?: unknown
  metrics?: unknown
  expect?: unknown
}

export interface LoadConfigOptions extends ParseConfigOptions {
  /**
   * The tree the file was taken from (e.g. the candidate's worktree). The file must lie inside
   * it once every link is followed; without it (a config the user named outside any tree),
   * links are followed anywhere.
   */
  root?: string
}

export interface TreeFileOptions {
  /** The tree the file must stay inside (see LoadConfigOptions.root); none = no such rule. */
  root?: string
  /** How the file is named in errors. */
  display: string
  /** Key an error is about (e.g. `functions`), when the file was named by a key. */
  key?: string
}

/** A file opened by openTreeFile; close `handle` when done. */
export interface OpenedTreeFile {
  handle: FileHandle
  /** The file's path with every link resolved. */
  realPath: string
  size: number
}

type KeyPath = ReadonlyArray<string | number>

/** The parsed YAML document and what is needed to turn offsets into lines. */
interface Source {
  display: string
  doc: Document.Parsed
  lines: LineCounter
}

/**
 * A config built in code rather than read from a file (the library's Gate, the CLI's
 * `--checks` without `--config`): the defaults of an empty quorum.yml, plus `fields`.
 */
export function configInCode(fields: Partial<Omit<GateConfig, 'file'>> = {}): GateConfig {
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
  }
}

/**
 * Parses and validates the text of a quorum.yml and applies defaults.
 *
 * @param text the file's contents
 * @param file absolute path of the file; `functions` is resolved against its directory
 * @throws ConfigError naming file, line, column and key for the first problem in the file
 */
export function parseConfig(
  text: string,
  file: string,
  options: ParseConfigOptions = {},
): GateConfig {
  const display = options.displayPath ?? file
  const lines = new LineCounter()
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    // `<<: *defaults` is common in CI YAML; without this it would be an unknown key "<<".
    merge: true,
    uniqueKeys: true,
  })
  const src: Source = { display, doc, lines }

  // Warnings too: an unresolved tag silently turns into a string, and a gate config should not
  // mean something other than what its author thinks.
  const yamlProblem = doc.errors[0] ?? doc.warnings[0]
  if (yamlProblem !== undefined) throw yamlError(src, yamlProblem)

  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    throw new ConfigError({
      file: display,
      line: 1,
      column: 1,
      message: 'the file is empty; it needs a `checks:` list (or `functions:`)',
    })
  }
  if (!isMap(doc.contents)) {
    const at = locationOf(src, doc.contents.range?.[0] ?? 0)
    throw new ConfigError({
      file: display,
      ...at,
      message: `the top level must be a mapping of keys (mode, checks, ...), not ${describeValue(doc.toJS())}`,
    })
  }

  let data: unknown
  try {
    data = doc.toJS({ maxAliasCount: 100 })
  } catch (err) {
    // Only alias expansion can throw here (a "billion laughs" document).
    throw new ConfigError({
      file: display,
      line: 1,
      column: 1,
      message: `invalid YAML: ${excerpt(errorText(err))}`,
    })
  }

  const parsed = ConfigFileSchema.safeParse(data, { reportInput: true, error: genericMessage })
  if (!parsed.success) throw firstSchemaError(src, parsed.error.issues)
  const config = parsed.data

  checkChecksPresent(src, config)
  checkUniqueNames(src, config)
  checkCanaries(src, config)
  checkAuditPolicies(src, config)

  const gate: GateConfig = {
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
    functions:
      config.functions === undefined ? null : path.resolve(path.dirname(file), config.functions),
    checks: (config.checks ?? []).map((check, i): ShellCheckSpec => ({
      kind: 'shell',
      name: check.name,
      command: check.command,
      timeout_s: check.timeout_s ?? DEFAULT_TIMEOUT_S,
      score_from: check.score_from ?? null,
      env: envOf(src, ['checks', i, 'env'], check.env),
      ...(check.expect === 'fail' ? { expect: 'fail' as const } : {}),
      ...noiseOf(check, check.score_from ?? null),
      ...limitsOf(check),
      source: { file: display, ...valueAt(src, ['checks', i, 'name']) },
    })),
  }
  if (gate.functions !== null) {
    gate.functions_source = {
      path: gate.functions,
      location: { file: display, ...valueAt(src, ['functions']) },
    }
  }
  return gate
}

/**
 * Reads a quorum.yml from disk and parses it (the engine's only file access, through
 * openTreeFile: inside `root` when given, a regular file, bounded in size).
 *
 * @throws ConfigError with line 0 when the file cannot be read (missing, a directory, too large,
 *   not a regular file, a link out of its tree)
 */
export async function loadConfigFile(
  file: string,
  options: LoadConfigOptions = {},
): Promise<GateConfig> {
  const absolute = path.resolve(file)
  const display = options.displayPath ?? file
  const opened = await openTreeFile(absolute, {
    display,
    ...(options.root === undefined ? {} : { root: options.root }),
  })
  let text: string
  try {
    if (opened.size > MAX_CONFIG_BYTES) throw tooLarge(display, opened.size)
    // Read to the limit rather than trusting the size: files under /proc say 0.
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1)
    let length = 0
    for (;;) {
      const { bytesRead } = await opened.handle.read(buffer, length, buffer.length - length)
      if (bytesRead === 0) break
      length += bytesRead
      if (length > MAX_CONFIG_BYTES) throw tooLarge(display, length)
    }
    text = buffer.subarray(0, length).toString('utf8')
  } catch (err) {
    if (err instanceof ConfigError) throw err
    throw new ConfigError({ file: display, message: `cannot read the file: ${errorText(err)}` })
  } finally {
    await opened.handle.close().catch(() => {})
  }
  return parseConfig(text, absolute, options)
}

function tooLarge(display: string, size: number): ConfigError {
  return new ConfigError({
    file: display,
    message: `file is too large (${size > MAX_CONFIG_BYTES ? `over ${MAX_CONFIG_BYTES}` : size} bytes; at most ${MAX_CONFIG_BYTES})`,
  })
}

/**
 * Opens a file the gate reads from a tree (the config, the checks module) so that the tree
 * cannot lead the gate anywhere else: a link out of `root` (`quorum.yml -> /proc/self/environ`)
 * is refused, and so is anything but a regular file (a FIFO would hang the read, a device could
 * be anything). Links that stay inside the tree are fine.
 *
 * How: the path is resolved with realpath and must lie inside the realpath of `root`; that
 * resolved path is then opened with O_NOFOLLOW (a final component swapped for a link since
 * fails instead of being followed) and O_NONBLOCK (opening a FIFO does not wait for a writer),
 * and fstat on the open file decides whether it is a regular file. Nothing is read here.
 *
 * @throws ConfigError (line 0, naming `display`) saying which rule the file broke; never quotes
 *   the content of the file or of a link's target
 */
export async function openTreeFile(
  file: string,
  options: TreeFileOptions,
): Promise<OpenedTreeFile> {
  const fail = (message: string): ConfigError =>
    new ConfigError({ file: options.display, key: options.key ?? '', message })
  const absolute = path.resolve(file)
  let real: string
  try {
    real = await realpath(absolute)
  } catch (err) {
    throw fail(openErrorMessage(err))
  }
  if (options.root !== undefined) {
    let realRoot: string
    try {
      realRoot = await realpath(options.root)
    } catch (err) {
      throw fail(`cannot read the tree it belongs to: ${openErrorMessage(err)}`)
    }
    if (!isInside(real, realRoot)) {
      throw fail(
        `is a link to a file outside the tree (it resolves to ${excerpt(real, 120)}); ` +
          'Quorum reads only files inside the tree, so that a change cannot point it at runner files',
      )
    }
  }
  let handle: FileHandle
  try {
    handle = await open(
      real,
      fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK,
    )
  } catch (err) {
    throw fail(openErrorMessage(err))
  }
  try {
    const info = await handle.stat()
    if (!info.isFile()) throw fail(notRegularMessage(info))
    return { handle, realPath: real, size: info.size }
  } catch (err) {
    await handle.close().catch(() => {})
    if (err instanceof ConfigError) throw err
    throw fail(`cannot read the file: ${errorText(err)}`)
  }
}

function openErrorMessage(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'file not found'
    case 'EACCES':
    case 'EPERM':
      return 'cannot read the file: permission denied'
    case 'ELOOP':
      return 'is a link that cannot be followed (a loop, or it was replaced while being opened)'
    case 'ENXIO':
      return 'is a socket or a device, not a regular file'
    default:
      return `cannot read the file: ${errorText(err)}`
  }
}

function notRegularMessage(info: {
  isDirectory(): boolean
  isFIFO(): boolean
  isSocket(): boolean
  isCharacterDevice(): boolean
  isBlockDevice(): boolean
}): string {
  if (info.isDirectory()) return 'is a directory, not a file'
  if (info.isFIFO()) return 'is a named pipe (FIFO), not a regular file'
  if (info.isSocket()) return 'is a socket, not a regular file'
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'is a device, not a regular file'
  return 'is not a regular file'
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
export function mergeFunctionChecks(
  config: GateConfig,
  listed: readonly ListedFunctionCheck[],
  modulePath: string,
): GateConfig {
  const at =
    config.functions_source?.path === config.functions ? config.functions_source.location : null
  const display = at?.file ?? config.checks[0]?.source?.file ?? config.file ?? 'quorum.yml'
  const moduleName = path.basename(modulePath)
  const fail = (message: string): ConfigError =>
    new ConfigError({
      file: display,
      line: at?.line ?? 0,
      column: at?.column ?? 0,
      key: 'functions',
      message,
    })

  const taken = new Map<string, string>()
  for (const check of config.checks) {
    const line = check.source?.line
    taken.set(
      check.name.toLowerCase(),
      `the ${check.kind} check "${check.name}"${line === undefined ? '' : ` at line ${line}`}`,
    )
  }

  const added: FunctionCheckSpec[] = []
  for (const [i, entry] of listed.entries()) {
    const name: unknown = entry.name
    if (typeof name !== 'string' || !CHECK_NAME_PATTERN.test(name)) {
      throw fail(
        `${moduleName}: check #${i + 1} has an invalid name ${describeValue(name)}; names must start with a letter or digit and contain only letters, digits, "_", "." and "-"`,
      )
    }
    if (name.length > MAX_CHECK_NAME_LENGTH) {
      throw fail(
        `${moduleName}: check name "${name}" is longer than ${MAX_CHECK_NAME_LENGTH} characters`,
      )
    }
    const clash = taken.get(name.toLowerCase())
    if (clash !== undefined) {
      throw fail(`${moduleName}: function check "${name}" has the same name as ${clash}`)
    }
    const timeout: unknown = entry.timeout_s
    if (
      timeout !== null &&
      (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0)
    ) {
      throw fail(
        `${moduleName}: check "${name}" has timeout_s ${describeValue(timeout)}; it must be a positive number of seconds`,
      )
    }
    const noise = NoiseSchema.safeParse(
      {
        repeats: entry.repeats,
        retries: entry.retries,
        metrics: entry.metrics,
        expect: entry.expect,
      },
      { error: genericMessage },
    )
    if (!noise.success) {
      const issue = noise.error.issues[0]!
      const where = issue.path.map(String).join('.')
      throw fail(`${moduleName}: check "${name}": ${where} ${issue.message}`)
    }
    if (noise.data.expect === 'fail' && (noise.data.retries ?? 0) > 0) {
      throw fail(`${moduleName}: check "${name}": ${CANARY_RETRIES}`)
    }
    taken.set(name.toLowerCase(), `the function check "${name}" in ${moduleName}`)
    added.push({
      kind: 'function',
      name,
      timeout_s: timeout ?? DEFAULT_TIMEOUT_S,
      env: {},
      module: modulePath,
      ...(noise.data.expect === 'fail' ? { expect: 'fail' as const } : {}),
      ...noiseOf(noise.data, null),
    })
  }

  if (config.checks.length === 0 && added.length === 0) {
    // A gate with no checks would allow anything.
    throw fail(`${moduleName} exports no checks, and no shell checks are listed`)
  }
  return { ...config, checks: [...config.checks, ...added] }
}

const NoiseSchema = z.object({ ...noiseKeys, expect: expectKey.optional() })
type NoiseKeys = z.output<typeof NoiseSchema>

const CANARY_RETRIES =
  'a canary (expect: fail) is never retried: a retry would only give a known-bad input another chance to pass; remove retries'

/**
 * The audit keys the file sets, and only those: a config without them parses exactly as before
 * (the gate applies the defaults). `vacuous: block` or `uncovered: block` switch their audit on
 * when `audit` is absent, so that a policy is never set for an audit that does not run.
 */
function auditOf(config: ConfigFile): Partial<GateConfig> {
  const kinds: AuditKind[] | undefined =
    config.audit === undefined
      ? undefined
      : [...new Set(typeof config.audit === 'string' ? [config.audit] : config.audit)]
  const out: Partial<GateConfig> = {}
  if (kinds !== undefined) out.audit = kinds
  else {
    const implied: AuditKind[] = []
    if (config.vacuous === 'block') implied.push('vacuity')
    if (config.uncovered === 'block') implied.push('changes')
    if (implied.length > 0) out.audit = implied
  }
  if (config.audit_max_files !== undefined) out.audit_max_files = config.audit_max_files
  if (config.audit_ignore !== undefined) out.audit_ignore = [...new Set(config.audit_ignore)]
  if (config.vacuous !== undefined) out.vacuous = config.vacuous
  if (config.uncovered !== undefined) out.uncovered = config.uncovered
  return out
}

/**
 * repeats, retries and the metric list of a check. `score_from: k` is a metric k, direction
 * higher, tolerance 0, unless `metrics` declares k itself (then that declaration wins).
 */
function noiseOf(
  entry: NoiseKeys,
  scoreFrom: string | null,
): { repeats: number; retries: number; metrics: MetricSpec[] } {
  const metrics: MetricSpec[] = Object.entries(entry.metrics ?? {}).map(([name, spec]) => ({
    name,
    direction: spec.direction,
    tolerance: parseTolerance(spec.tolerance),
    deterministic: spec.deterministic ?? false,
  }))
  return {
    repeats: entry.repeats ?? 1,
    retries: entry.retries ?? 0,
    metrics: withScoreMetric(metrics, scoreFrom),
  }
}

/**
 * `score_from: k` is also a metric `k` (direction higher, tolerance 0) unless `metrics` declares
 * `k` itself: the declared metrics with that one first.
 */
export function withScoreMetric(metrics: MetricSpec[], scoreFrom: string | null): MetricSpec[] {
  if (scoreFrom === null || metrics.some((m) => m.name === scoreFrom)) return metrics
  return [
    {
      name: scoreFrom,
      direction: 'higher',
      tolerance: { kind: 'absolute', value: 0 },
      deterministic: false,
    },
    ...metrics,
  ]
}

// ---------------------------------------------------------------------------------------------
// Cross-key rules

function checkChecksPresent(src: Source, config: ConfigFile): void {
  if (config.functions !== undefined) return
  if (config.checks === undefined) {
    throw new ConfigError({
      file: src.display,
      ...locationOf(src, src.doc.contents?.range?.[0] ?? 0),
      key: 'checks',
      message: 'missing required key "checks" (list at least one check, or set functions)',
    })
  }
  if (config.checks === null || config.checks.length === 0) {
    throw new ConfigError({
      file: src.display,
      ...valueAt(src, ['checks']),
      key: 'checks',
      message: 'no checks listed; list at least one, or set functions',
    })
  }
}

/** A canary must not be retried: every retry is one more chance for a known-bad input to pass. */
function checkCanaries(src: Source, config: ConfigFile): void {
  for (const [i, check] of (config.checks ?? []).entries()) {
    if (check.expect !== 'fail' || (check.retries ?? 0) === 0) continue
    throw new ConfigError({
      file: src.display,
      ...valueAt(src, ['checks', i, 'retries']),
      key: `checks[${i}].retries`,
      message: CANARY_RETRIES,
    })
  }
}

/**
 * `vacuous: block` (or `uncovered: block`) next to an `audit` list that leaves its audit out
 * would block on something that is never looked at: a contradiction, not a default to guess.
 */
function checkAuditPolicies(src: Source, config: ConfigFile): void {
  if (config.audit === undefined) return
  const kinds: readonly string[] = typeof config.audit === 'string' ? [config.audit] : config.audit
  const rules = [
    { key: 'vacuous', kind: 'vacuity', value: config.vacuous },
    { key: 'uncovered', kind: 'changes', value: config.uncovered },
  ] as const
  for (const rule of rules) {
    if (rule.value !== 'block' || kinds.includes(rule.kind)) continue
    throw new ConfigError({
      file: src.display,
      ...valueAt(src, [rule.key]),
      key: rule.key,
      message: `block needs the ${rule.kind} audit, which \`audit\` leaves out; add ${rule.kind} to audit`,
    })
  }
}

/** Returns where each check's name is written, for messages about clashes found later. */
function checkUniqueNames(src: Source, config: ConfigFile): void {
  const seen = new Map<string, { name: string; line: number }>()
  for (const [i, check] of (config.checks ?? []).entries()) {
    const at = valueAt(src, ['checks', i, 'name'])
    // Names become file names, and some file systems ignore case.
    const first = seen.get(check.name.toLowerCase())
    if (first !== undefined) {
      const message =
        first.name === check.name
          ? `duplicate check name "${check.name}" (first used at line ${first.line})`
          : `check name "${check.name}" clashes with "${first.name}" at line ${first.line} (names become file names, so case does not tell them apart)`
      throw new ConfigError({ file: src.display, ...at, key: `checks[${i}].name`, message })
    }
    seen.set(check.name.toLowerCase(), { name: check.name, line: at.line })
  }
}

function setupOf(config: ConfigFile): GateConfig['setup'] {
  if (config.setup === undefined) return null
  if (typeof config.setup === 'string') {
    return { command: config.setup, timeout_s: DEFAULT_SETUP_TIMEOUT_S }
  }
  return {
    command: config.setup.command,
    timeout_s: config.setup.timeout_s ?? DEFAULT_SETUP_TIMEOUT_S,
    ...(config.setup.network ? { network: config.setup.network } : {}),
  }
}

/**
 * `{ limits }` with the limit keys a mapping sets, or nothing when it sets none (absent keys
 * fall back: a check's to the config's, the config's to DEFAULT_LIMITS).
 */
function limitsOf(entry: Partial<ResourceLimits>): { limits?: Partial<ResourceLimits> } {
  const limits: Partial<ResourceLimits> = {}
  if (entry.network !== undefined) limits.network = entry.network
  if (entry.pids_max !== undefined) limits.pids_max = entry.pids_max
  if (entry.memory_mb !== undefined) limits.memory_mb = entry.memory_mb
  if (entry.disk_mb !== undefined) limits.disk_mb = entry.disk_mb
  return Object.keys(limits).length > 0 ? { limits } : {}
}

/**
 * Environment values as strings. An unquoted `1.10` or `0x1F` is taken as the text the user
 * wrote, not as the number YAML reads (1.1, 31): a version string must not change on the way.
 */
function envOf(
  src: Source,
  at: KeyPath,
  env: Record<string, string | number | boolean> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(env ?? {})) {
    if (typeof value === 'string') {
      out[name] = value
      continue
    }
    const node = walk(src, [...at, name]).node
    out[name] = isScalar(node) && typeof node.source === 'string' ? node.source : String(value)
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Errors from YAML and from zod, located

function yamlError(src: Source, problem: YAMLError): ConfigError {
  const offset = problem.pos[0]
  const at = locationOf(src, offset)
  const keyPath = keyPathAt(src, offset)
  let message: string
  switch (problem.code) {
    case 'DUPLICATE_KEY':
      message = `duplicate key${keyPath.length > 0 ? ` ${JSON.stringify(excerpt(String(keyPath[keyPath.length - 1]), 60))}` : ''} (each key may appear once in a mapping)`
      break
    case 'TAB_AS_INDENT':
      message = 'YAML does not allow tabs for indentation; indent with spaces'
      break
    default:
      // The parser's words may quote the file; the file may not be a config at all.
      message = `invalid YAML: ${excerpt(firstLine(problem.message))}`
  }
  return new ConfigError({
    file: src.display,
    ...at,
    key: problem.code === 'DUPLICATE_KEY' ? formatKeyPath(keyPath) : '',
    message,
  })
}

/** One problem to report, with a position to sort by. */
interface Located {
  line: number
  column: number
  key: string
  message: string
  /** Unknown keys explain a missing key next to them ("comand"), so they win ties. */
  rank: number
}

type Issue = z.core.$ZodIssue

/**
 * zod reports every problem; a user fixes them top to bottom, so report the first in the file.
 * A missing key is dropped when its mapping also has an unknown key: that is almost always the
 * same typo, and the unknown key's message carries the suggestion.
 */
function firstSchemaError(src: Source, issues: readonly Issue[]): ConfigError {
  const flat = flattenIssues(issues, [])
  const withUnknown = new Set(
    flat.filter((f) => f.issue.code === 'unrecognized_keys').map((f) => formatKeyPath(f.parent)),
  )
  const located: Located[] = []
  for (const f of flat) {
    if (f.missing && withUnknown.has(formatKeyPath(f.parent))) continue
    located.push(locateIssue(src, f))
  }
  located.sort((a, b) => a.line - b.line || a.column - b.column || a.rank - b.rank)
  const first = located[0]
  if (first === undefined) {
    return new ConfigError({
      file: src.display,
      line: 1,
      column: 1,
      message: 'invalid configuration',
    })
  }
  return new ConfigError({
    file: src.display,
    line: first.line,
    column: first.column,
    key: first.key,
    message: first.message,
  })
}

interface FlatIssue {
  issue: Issue
  /** Full path of the offending key or value. */
  path: KeyPath
  /** Path of the mapping the issue is in (for unknown and missing keys). */
  parent: KeyPath
  missing: boolean
}

function flattenIssues(issues: readonly Issue[], base: KeyPath): FlatIssue[] {
  const out: FlatIssue[] = []
  for (const issue of issues) {
    const at = [...base, ...(issue.path as Array<string | number>)]
    if (issue.code === 'invalid_union') {
      // Follow the branch the user evidently meant: the one whose type matched (a mapping
      // given for `setup` is judged as a mapping, not as "not a string").
      const meant = issue.errors.filter(
        (branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0),
      )
      if (meant.length === 1 && meant[0] !== undefined) {
        out.push(...flattenIssues(meant[0], at))
        continue
      }
    }
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ issue, path: [...at, key], parent: at, missing: false })
      }
      continue
    }
    const missing = issue.code === 'invalid_type' && issue.input === undefined
    out.push({ issue, path: at, parent: at.slice(0, -1), missing })
  }
  return out
}

function locateIssue(src: Source, f: FlatIssue): Located {
  const { issue } = f
  const key = formatKeyPath(f.path)
  if (issue.code === 'unrecognized_keys') {
    const unknown = String(f.path[f.path.length - 1])
    return { ...keyAt(src, f.path), key, message: unknownKeyMessage(unknown, f.parent), rank: 0 }
  }
  if (f.missing) {
    const name = String(f.path[f.path.length - 1])
    return {
      ...valueAt(src, f.parent),
      key,
      message: `missing required key ${JSON.stringify(name)}`,
      rank: 1,
    }
  }
  if (issue.code === 'invalid_key') {
    const inner = issue.issues[0]?.message ?? 'is not a valid key'
    return { ...keyAt(src, f.path), key, message: inner, rank: 1 }
  }
  return { ...valueAt(src, f.path), key, message: withInput(issue), rank: 1 }
}

/** Adds what was found to a message about a wrong value, unless it would say nothing new. */
function withInput(issue: Issue): string {
  const echoes =
    issue.code === 'invalid_type' ||
    issue.code === 'invalid_union' ||
    issue.code === 'invalid_format' ||
    issue.code === 'too_big' ||
    (issue.code === 'too_small' && issue.origin !== 'string')
  if (!echoes) return issue.message
  const input: unknown = issue.input
  const hint =
    issue.code === 'invalid_type' &&
    issue.expected === 'string' &&
    (typeof input === 'number' || typeof input === 'boolean')
      ? ` (quote it if you mean the text "${String(input)}")`
      : ''
  return `${issue.message}, got ${describeValue(input)}${hint}`
}

function unknownKeyMessage(unknown: string, parent: KeyPath): string {
  const allowed: readonly string[] =
    parent.length === 0
      ? ALLOWED_KEYS.top
      : parent.length === 2 && parent[0] === 'checks'
        ? ALLOWED_KEYS.check
        : parent.length === 1 && parent[0] === 'setup'
          ? ALLOWED_KEYS.setup
          : []
  const suggestion = closest(unknown, allowed)
  const quoted = JSON.stringify(excerpt(unknown, 60))
  if (suggestion !== null)
    return `unknown key ${quoted} (did you mean ${JSON.stringify(suggestion)}?)`
  if (allowed.length > 0) return `unknown key ${quoted} (allowed: ${allowed.join(', ')})`
  return `unknown key ${quoted}`
}

/**
 * The default wording for zod issues the schema gives no message of its own; says what was
 * expected and what was found, in YAML's terms (mapping, list), not JavaScript's.
 */
function genericMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${typeNoun(issue.expected)}`
    case 'invalid_value': {
      const allowed = issue.values.map((v) => String(v))
      const got = typeof issue.input === 'string' ? issue.input : ''
      const suggestion = closest(got, allowed)
      const hint = suggestion === null ? '' : ` (did you mean ${JSON.stringify(suggestion)}?)`
      return `must be one of ${allowed.join(', ')}; got ${describeValue(issue.input)}${hint}`
    }
    case 'too_small':
      return issue.origin === 'string'
        ? 'must not be empty'
        : `must be at least ${String(issue.minimum)}`
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`
    case 'invalid_format':
      return 'has an invalid format'
    default:
      return 'is not valid'
  }
}

function typeNoun(expected: string): string {
  switch (expected) {
    case 'object':
    case 'record':
      return 'a mapping'
    case 'array':
      return 'a list'
    case 'int':
      return 'an integer'
    default:
      return `a ${expected}`
  }
}

/** A value as a YAML user would name it, short enough for one line. */
function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)
  }
  return String(value)
}

// ---------------------------------------------------------------------------------------------
// Positions

function locationOf(src: Source, offset: number): { line: number; column: number } {
  const { line, col } = src.lines.linePos(offset)
  return { line, column: col }
}

/**
 * Follows a key path through the document as far as it exists. Returns the deepest node reached
 * and, when the last step reached was a mapping key, its pair.
 */
function walk(
  src: Source,
  keyPath: KeyPath,
): { node: Node | null; pair: Pair | null; depth: number } {
  let node: unknown = src.doc.contents
  let pair: Pair | null = null
  let depth = 0
  for (const step of keyPath) {
    if (isAlias(node)) node = node.resolve(src.doc)
    if (isMap(node)) {
      const found = node.items.find((p) => keyText(p.key) === String(step))
      if (found === undefined) break
      pair = found
      node = found.value
    } else if (isSeq(node) && typeof step === 'number') {
      node = node.items[step]
      pair = null
    } else {
      break
    }
    depth++
  }
  return { node: isNodeLike(node) ? node : null, pair, depth }
}

function isNodeLike(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value
}

function keyText(key: unknown): string | null {
  if (isScalar(key)) return typeof key.value === 'symbol' ? null : String(key.value)
  return null
}

/** Where the value at keyPath is written; falls back to its key, then to the nearest parent. */
function valueAt(src: Source, keyPath: KeyPath): { line: number; column: number } {
  const { node, pair, depth } = walk(src, keyPath)
  const complete = depth === keyPath.length
  const empty = isScalar(node) && node.value === null && node.range?.[0] === node.range?.[1]
  if (complete && pair !== null && (node === null || empty)) return keyAt(src, keyPath)
  if (node?.range) return locationOf(src, node.range[0])
  if (pair !== null) return keyAt(src, keyPath.slice(0, depth))
  return { line: 1, column: 1 }
}

/** Where the key that ends keyPath is written. */
function keyAt(src: Source, keyPath: KeyPath): { line: number; column: number } {
  const { pair, depth } = walk(src, keyPath)
  const keyNode = pair?.key
  if (depth === keyPath.length && isNodeLike(keyNode) && keyNode.range) {
    return locationOf(src, keyNode.range[0])
  }
  return valueAt(src, keyPath.slice(0, -1))
}

/** The key path of the innermost key or value that contains offset (for YAML's own errors). */
function keyPathAt(src: Source, offset: number): KeyPath {
  const out: Array<string | number> = []
  let node: unknown = src.doc.contents
  for (;;) {
    if (isMap(node)) {
      const hit = node.items.find((p) => contains(p.key, offset) || contains(p.value, offset))
      const text = hit === undefined ? null : keyText(hit.key)
      if (hit === undefined || text === null) return out
      out.push(text)
      if (contains(hit.key, offset)) return out
      node = hit.value
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => contains(item, offset))
      if (index < 0) return out
      out.push(index)
      node = node.items[index]
    } else {
      return out
    }
  }
}

function contains(node: unknown, offset: number): boolean {
  if (!isNodeLike(node) || !node.range) return false
  return node.range[0] <= offset && offset < node.range[2]
}

/** `checks[1].command`; keys that are not plain words are quoted, so the path stays one line. */
function formatKeyPath(keyPath: KeyPath): string {
  let out = ''
  for (const step of keyPath) {
    if (typeof step === 'number') out += `[${step}]`
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(step)) out += out === '' ? step : `.${step}`
    else out += `[${JSON.stringify(excerpt(step, 60))}]`
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** The allowed word closest to a mistyped one, when it is close enough to be a typo. */
function closest(word: string, candidates: readonly string[]): string | null {
  if (word === '') return null
  let best: string | null = null
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3))
  return bestDistance <= limit ? best : null
}

/** Levenshtein distance, two rows at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution)
    }
    previous = current
  }
  return previous[b.length] ?? 0
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
