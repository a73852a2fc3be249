/**
 * `quorum verify` and `quorum scored`: argv -> gate -> terminal/JSON -> exit code.
 * Exit codes: 0 allowed (and promoted when asked), 1 blocked, 2 bad usage or bad config,
 * 3 an internal error, 130 interrupted. Errors a user can fix are one line on stderr, no stack.
 */
import { isInside } from '../engine/paths.ts'
import { existsSync, realpathSync, statSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve, sep } from 'node:path'
import { parseArgs } from 'node:util'
import { QuorumError, errorMessage } from '../engine/errors.ts'
import { loadConfigFromTree } from '../run/config-file.ts'
import {
  AUDIT_KINDS,
  MODES,
  type AuditKind,
  type GateConfig,
  type Mode,
  type Report,
} from '../engine/types.ts'
import { runGate, type GateEvent } from '../gate.ts'
import { promote } from './promote.ts'
import { runDoctorCli } from './doctor.ts'
import { openResultCache } from '../cache/local-store.ts'
import { SECRET_FILE, machineSecret, type ResultCacheOptions } from '../cache/reuse.ts'
import { copySandboxLine } from '../report/format.ts'
import { plainLine } from '../report/sanitize.ts'
import { renderTerminal } from '../report/terminal.ts'
import { VERSION } from '../version.ts'

export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean }
  stderr: NodeJS.WritableStream & { isTTY?: boolean }
  env: Record<string, string | undefined>
  cwd: string
  /** Signals that interrupt the gate (SIGINT/SIGTERM); the CLI cleans up, then returns 130. */
  interrupt: AbortSignal
}

export const USAGE = `Usage:
  quorum verify --candidate DIR [--baseline DIR] [options]   allow iff every check passes
  quorum scored --candidate DIR --baseline DIR [options]     allow iff the score strictly improves
                                                             and nothing that passed now fails
  quorum doctor [--config FILE] [--json] [--fresh]           prove the sandbox's containment here
                                                             (see quorum doctor --help)
Options:
  --mode MODE       pass-fail | scored | no-regression (default: the config's mode)
  --config FILE     quorum.yml (default: ./quorum.yml when it exists)
  --checks FILE     function-checks module (overrides the config's "functions")
  --json FILE       write the JSON report to FILE ("-" for stdout)
  --promote         copy an allowed candidate over --live DIR
  --live DIR        the directory --promote replaces
  --only NAME       run only this check (repeatable)
  --skip NAME       do not run this check; the report lists it as skipped (repeatable)
  --audit LIST      audits to run, overriding the config's audit key: vacuity, changes,
                    both (vacuity,changes), or none
  --cache DIR       reuse consistent results from DIR (default ./.quorum/cache)
  --no-cache        neither reuse nor store results in this run
  --seed SEED       QUORUM_SEED for every run (to replay a failure)
  --parallel N      runs at once (default: the config's, else the number of cores)
  --sandbox KIND    auto | overlay | copy (default auto)
  --cgroup-sudo     not root: get per-run cgroups through passwordless sudo (limits hold)
  --log-dir DIR     where full logs are kept (default ./.quorum/logs; the newest 20 gates)
  --keep-logs       keep the full log of runs that passed too (default: only of the others)
  --quiet           no progress lines on stderr
  --no-color        never colour the terminal output
  -h, --help        this text
  -v, --version     the version
Exit codes: 0 allowed, 1 blocked, 2 bad usage or config, 3 internal error, 130 interrupted.`

/** Runs the CLI with the given arguments (without node and script) and returns the exit code. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  try {
    return await runCommand(argv, io)
  } catch (error) {
    if (io.interrupt.aborted) return fail(io, 'quorum: interrupted; every run was stopped', 130)
    if (error instanceof QuorumError) {
      switch (error.fate) {
        case 'config':
          return fail(io, error.describe(), 2)
        case 'usage':
          return fail(io, `quorum: ${error.describe()}`, 2)
        case 'promote':
          return fail(io, `quorum: promote: ${error.describe()}`, 1)
        case 'cancelled':
          return fail(io, `quorum: ${error.describe()}`, 130)
        case 'environment':
          return fail(io, `quorum: ${error.describe()}`, 3)
      }
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
    return fail(io, `quorum: internal error: ${message}`, 3)
  }
}

function fail(io: CliIO, line: string, code: number): number {
  io.stderr.write(`${line}\n`)
  return code
}

async function runCommand(argv: string[], io: CliIO): Promise<number> {
  // doctor has options of its own (its --json is a flag, verify's takes a FILE).
  if (argv[0] === 'doctor') return runDoctorCli(argv.slice(1), io)
  const { values, positionals } = parseCliArgs(argv)
  if (values.help) {
    io.stdout.write(`${USAGE}\n`)
    return 0
  }
  if (values.version) {
    io.stdout.write(`${VERSION}\n`)
    return 0
  }
  const command = positionals[0]
  if (command !== 'verify' && command !== 'scored') {
    throw new QuorumError(
      'usage',
      command
        ? `unknown command "${command}" (expected verify, scored or doctor; see --help)`
        : 'missing command (see --help)',
    )
  }
  if (positionals.length > 1)
    throw new QuorumError('usage', `unexpected argument "${positionals[1]}"`)

  const candidateDir = requireDir(io, values.candidate, '--candidate')
  const baselineDir = values.baseline ? requireDir(io, values.baseline, '--baseline') : null
  if (command === 'scored' && baselineDir === null) {
    throw new QuorumError(
      'usage',
      'scored needs --baseline DIR (the tree the candidate must improve on)',
    )
  }
  if (values.promote && !values.live) throw new QuorumError('usage', '--promote needs --live DIR')
  if (values.live && !values.promote)
    throw new QuorumError('usage', '--live is only used with --promote')
  const parallel =
    values.parallel === undefined ? null : parsePositiveInt(values.parallel, '--parallel')
  const sandbox = values.sandbox ?? 'auto'
  if (sandbox !== 'auto' && sandbox !== 'overlay' && sandbox !== 'copy') {
    throw new QuorumError('usage', `--sandbox must be auto, overlay or copy, not "${sandbox}"`)
  }

  const audit = values.audit === undefined ? null : parseAudit(values.audit)
  checkWritableTarget(io, values.json, '--json', 'file')
  checkWritableTarget(io, values['log-dir'], '--log-dir', 'directory')
  const trees = [candidateDir, ...(baselineDir ? [baselineDir] : [])]
  const config = await loadCliConfig(io, values.config, values.checks, trees)
  // verify follows the config's mode unless --mode says otherwise; scored forces scored mode.
  const mode: Mode | null = command === 'scored' ? 'scored' : parseMode(values.mode)
  if (command === 'scored' && values.mode !== undefined && values.mode !== 'scored') {
    throw new QuorumError(
      'usage',
      `quorum scored runs in scored mode; --mode ${values.mode} needs quorum verify`,
    )
  }
  if (mode === 'scored' && baselineDir === null) {
    throw new QuorumError(
      'usage',
      '--mode scored needs --baseline DIR (the tree the candidate must improve on)',
    )
  }
  if (values.cache !== undefined && values['no-cache']) {
    throw new QuorumError('usage', '--cache and --no-cache contradict each other')
  }
  const cacheDir = values['no-cache']
    ? null
    : values.cache
      ? resolve(io.cwd, values.cache)
      : defaultStateDir(io, trees, 'cache')
  const color = !values['no-color'] && Boolean(io.stdout.isTTY) && !io.env.NO_COLOR
  const progress = values.quiet ? undefined : progressPrinter(io)
  // Runs that are not isolated are said first, as the first run starts (so a usage error found
  // by the gate stays one line), or before the report if nothing ran; even with --quiet.
  let sandboxNote: string | null = null
  let copyRuns = false
  let copyNamed = false
  const nameCopySandbox = () => {
    if (!copyRuns || copyNamed) return
    copyNamed = true
    io.stderr.write(`${copySandboxLine(sandboxNote)}\n`)
  }
  const onEvent = (event: GateEvent) => {
    if (event.type === 'sandbox') {
      copyRuns = event.kind === 'copy'
      sandboxNote = event.note ?? null
    } else if (event.type === 'start' || event.type === 'setup') {
      nameCopySandbox()
    }
    progress?.(event)
  }
  const logDir = values['log-dir']
    ? resolve(io.cwd, values['log-dir'])
    : defaultStateDir(io, trees, 'logs')

  const report = await runGate({
    config,
    candidateDir,
    baselineDir,
    mode,
    only: values.only ?? null,
    skip: values.skip ?? null,
    audit,
    cache: cacheDir === null ? null : await localCache(io, cacheDir),
    seed: values.seed ?? null,
    parallel,
    sandbox,
    cgroupSudo: values['cgroup-sudo'] ?? false,
    logDir,
    keepPassingLogs: values['keep-logs'] ?? false,
    parentEnv: io.env,
    // The gate's own files, wherever they are: with the signing secret a check could forge a
    // cached PASSED; with the cache or the logs, read or plant results (the workspace adds the
    // gate's log directory itself; both are named here for when they lie under the trees).
    maskPaths: [secretFile(io), ...(cacheDir === null ? [] : [cacheDir]), logDir],
    abort: io.interrupt,
    onEvent,
  })
  if (io.interrupt.aborted) return fail(io, 'quorum: interrupted; every run was stopped', 130)
  copyRuns ||= report.sandbox === 'copy'
  nameCopySandbox()

  await writeJsonReport(io, values.json, report)
  if (values.json !== '-') io.stdout.write(renderTerminal(report, { color }))
  const logs = logDirOf(report)
  if (logs !== null && !values.quiet) io.stderr.write(`full logs: ${logs}\n`)

  if (report.verdict !== 'allow') return 1
  if (values.promote && values.live) {
    const live = resolve(io.cwd, values.live)
    await promote(candidateDir, live, report)
    // stderr: stdout may be the JSON report (--json -).
    io.stderr.write(`promoted ${candidateDir} -> ${live}\n`)
  }
  return 0
}

function parseCliArgs(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        candidate: { type: 'string' },
        baseline: { type: 'string' },
        config: { type: 'string' },
        checks: { type: 'string' },
        json: { type: 'string' },
        promote: { type: 'boolean' },
        live: { type: 'string' },
        only: { type: 'string', multiple: true },
        skip: { type: 'string', multiple: true },
        audit: { type: 'string' },
        mode: { type: 'string' },
        cache: { type: 'string' },
        'no-cache': { type: 'boolean' },
        seed: { type: 'string' },
        parallel: { type: 'string' },
        sandbox: { type: 'string' },
        'cgroup-sudo': { type: 'boolean' },
        'log-dir': { type: 'string' },
        'keep-logs': { type: 'boolean' },
        quiet: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    })
  } catch (error) {
    // parseArgs' messages are already one clear line ("Unknown option '--comand'...").
    throw new QuorumError('usage', errorMessage(error))
  }
}

function requireDir(io: CliIO, value: string | undefined, flag: string): string {
  if (!value) throw new QuorumError('usage', `${flag} DIR is required`)
  const dir = resolve(io.cwd, value)
  if (!existsSync(dir)) throw new QuorumError('usage', `${flag} ${value}: no such directory`)
  if (!statSync(dir).isDirectory())
    throw new QuorumError('usage', `${flag} ${value}: not a directory`)
  return dir
}

/** Refuses, before anything runs, an output path whose verdict would otherwise be lost at the end. */
/**
 * Where logs (or cached results) go without --log-dir (--cache): `.quorum/logs` in the working
 * directory, where a user looks, unless that lies inside a tree being judged (`--candidate .`):
 * a tree must not change while it is read, so then the user's cache directory.
 */
function defaultStateDir(io: CliIO, trees: readonly string[], what: 'logs' | 'cache'): string {
  const local = resolve(io.cwd, '.quorum', what)
  if (!trees.some((tree) => isInside(local, tree))) return local
  const cache = io.env.XDG_CACHE_HOME || join(io.env.HOME || tmpdir(), '.cache')
  return join(cache, 'quorum', what)
}

/**
 * The CLI's result cache: a local directory; reused results name it. Entries are signed with a
 * secret of this user on this machine (in the user's cache directory, never in a tree), so
 * entries committed to a repository's `.quorum/cache` are refused. Without a secret, no cache.
 */
async function localCache(io: CliIO, dir: string): Promise<ResultCacheOptions | null> {
  let secret: Buffer
  try {
    secret = await machineSecret(dirname(secretFile(io)))
  } catch (error) {
    const why = errorMessage(error)
    io.stderr.write(`quorum: results are not reused in this run: no signing secret (${why})\n`)
    return null
  }
  return {
    store: openResultCache(dir),
    origin: () => ({ cache: 'local', location: dir }),
    parentEnv: io.env,
    secret,
  }
}

/** The file that holds this user's signing secret (see machineSecret). */
function secretFile(io: CliIO): string {
  const home = io.env.XDG_CACHE_HOME || join(io.env.HOME || tmpdir(), '.cache')
  return join(home, 'quorum', SECRET_FILE)
}

/** `vacuity`, `changes`, `vacuity,changes` or `none`. */
function parseAudit(value: string): AuditKind[] {
  if (value.trim() === 'none') return []
  const kinds = value.split(',').map((kind) => kind.trim())
  const unknown = kinds.filter((kind) => !(AUDIT_KINDS as readonly string[]).includes(kind))
  if (unknown.length > 0 || kinds.length === 0) {
    throw new QuorumError(
      'usage',
      `--audit must be ${AUDIT_KINDS.join(', ')}, a comma-separated list of them, or none, not "${value}"`,
    )
  }
  return [...new Set(kinds as AuditKind[])]
}

function parseMode(value: string | undefined): Mode | null {
  if (value === undefined) return null
  if (!(MODES as readonly string[]).includes(value)) {
    throw new QuorumError('usage', `--mode must be one of ${MODES.join(', ')}, not "${value}"`)
  }
  return value as Mode
}

/** The directory of this gate's kept logs, or null when none was kept (every run passed). */
function logDirOf(report: Report): string | null {
  for (const check of report.checks) {
    for (const run of [check.candidate, check.baseline]) {
      if (run?.output.log_path) return dirname(run.output.log_path)
    }
  }
  return null
}

function checkWritableTarget(
  io: CliIO,
  value: string | undefined,
  flag: string,
  want: 'file' | 'directory',
): void {
  if (!value || value === '-') return
  const path = resolve(io.cwd, value)
  if (!existsSync(path)) return
  const isDir = statSync(path).isDirectory()
  if (want === 'file' && isDir)
    throw new QuorumError('usage', `${flag} ${value}: is a directory, not a file`)
  if (want === 'directory' && !isDir) {
    throw new QuorumError('usage', `${flag} ${value}: is a file, not a directory`)
  }
}

function parsePositiveInt(value: string, flag: string): number {
  if (!/^[1-9]\d*$/.test(value))
    throw new QuorumError('usage', `${flag} must be a positive integer, not "${value}"`)
  return Number(value)
}

/**
 * --config, else ./quorum.yml, else a config holding only the --checks module. A config or
 * checks module inside --candidate or --baseline belongs to that tree, which may be someone
 * else's change: it may not lead out of the tree (see loadConfigFromTree). One outside every
 * tree is the user's own, and may be a link to anywhere.
 */
async function loadCliConfig(
  io: CliIO,
  configFlag: string | undefined,
  checksFlag: string | undefined,
  trees: readonly string[],
): Promise<GateConfig> {
  const checks = checksFlag ? resolve(io.cwd, checksFlag) : null
  if (checks && !existsSync(checks))
    throw new QuorumError('usage', `--checks ${checksFlag}: no such file`)
  // A template, not path.resolve: ncc would mistake resolve(dir, 'quorum.yml') for an asset.
  const defaultConfig = `${resolve(io.cwd)}${sep}quorum.yml`
  const configPath = configFlag
    ? resolve(io.cwd, configFlag)
    : existsSync(defaultConfig) && !checks
      ? defaultConfig
      : null
  if (!configPath && !checks) {
    throw new QuorumError(
      'usage',
      'no checks: pass --config FILE (or create ./quorum.yml) or --checks FILE',
    )
  }
  return loadConfigFromTree({
    config: configPath ? { path: configPath, root: treeContaining(configPath, trees) } : null,
    checks: checks
      ? { path: checks, display: checksFlag ?? checks, root: treeContaining(checks, trees) }
      : null,
  })
}

/** The tree `file` is in, as written or once the tree's own links are resolved; null if none. */
function treeContaining(file: string, trees: readonly string[]): string | null {
  for (const tree of trees) {
    const forms = [resolve(tree)]
    try {
      forms.push(realpathSync(tree))
    } catch {
      // requireDir checked it exists; a tree that vanished since has nothing to contain
    }
    if (forms.some((dir) => isInside(resolve(file), dir))) return tree
  }
  return null
}

async function writeJsonReport(io: CliIO, target: string | undefined, report: Report) {
  if (!target) return
  const json = `${JSON.stringify(report, null, 2)}\n`
  if (target === '-') {
    io.stdout.write(json)
    return
  }
  const path = resolve(io.cwd, target)
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, json)
}

/** One short line per finished run on stderr: names and outcomes, never check output. */
function progressPrinter(io: CliIO) {
  return (event: GateEvent) => {
    if (event.type === 'finish') {
      const seconds = (event.result.duration_ms / 1000).toFixed(1)
      const which = [
        event.repeat !== undefined && event.repeat > 1 ? `repeat ${event.repeat}` : '',
        event.attempt !== undefined && event.attempt > 1 ? `retry ${event.attempt - 1}` : '',
      ]
        .filter((s) => s !== '')
        .join(', ')
      const tree = event.audit === undefined ? event.tree : 'audit'
      // A file's path is the tree's text: no escapes or line breaks reach the terminal.
      const where = event.audit === undefined ? '' : ` on ${plainLine(event.audit, 200)}`
      io.stderr.write(
        `  ${tree.padEnd(9)} ${event.check}${where}${which ? ` (${which})` : ''}: ${event.result.outcome} (${seconds}s)\n`,
      )
    } else if (event.type === 'setup') {
      io.stderr.write(`  ${event.tree.padEnd(9)} setup: ${event.result.outcome}\n`)
    }
  }
}
