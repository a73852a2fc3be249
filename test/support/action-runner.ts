/**
 * Runs the action the way the GitHub Actions runner does: `node <entry>` as a child process with
 * a clean environment built from scratch (INPUT_* variables, the GITHUB_* and RUNNER_* variables
 * the runner sets, HOME and PATH, nothing else), the event payload in a file, GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY as files, and cwd = GITHUB_WORKSPACE.
 *
 *   const result = await runAction({
 *     workspace, eventName: 'pull_request', payload, sha, ref,
 *     apiUrl: fake.url, inputs: { token: 'ghs_x', 'gate-name': 'default' },
 *   })
 *   result.code                   exit code (null when killed by a signal)
 *   result.outputs                step outputs parsed from GITHUB_OUTPUT (heredoc and name=value)
 *   result.summary                contents of GITHUB_STEP_SUMMARY
 *   result.commands               workflow commands the runner would execute from stdout, in order
 *   result.commandLikeLines       every stdout line that looks like a command, stop-commands or not
 *
 * The entry is dist/index.js (the bundle, what action.yml runs) unless `entry` is given or
 * QUORUM_E2E_ENTRY is set (e.g. `QUORUM_E2E_ENTRY=src/main.ts` runs from source while developing).
 */
import { spawn } from 'node:child_process'
import { existsSync, promises as fs, readFileSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'
import { assertDistBuiltFromSources } from './dist-freshness.ts'

/** The repository root (this file is test/support/action-runner.ts). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

/**
 * What `node <entry>` runs unless told otherwise: the committed bundle, which must have been
 * built from the sources in this checkout (see scripts/source-hash.mjs).
 */
export function defaultEntry(): string {
  const fromEnv = process.env['QUORUM_E2E_ENTRY']
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(REPO_ROOT, fromEnv)
  assertDistBuiltFromSources()
  return path.resolve(REPO_ROOT, 'dist/index.js')
}

export interface RunActionOptions {
  /** The script to run with node (absolute, or relative to the repository root). */
  entry?: string
  /** GITHUB_WORKSPACE: the checkout, and the action's cwd. */
  workspace: string
  eventName: string
  payload: unknown
  /** GITHUB_SHA and GITHUB_REF. */
  sha: string
  ref: string
  /** GITHUB_API_URL (the fake). */
  apiUrl?: string
  /** Action inputs by their action.yml name (`gate-name`, `config-source`, ...). */
  inputs?: Record<string, string>
  /**
   * Extra variables (e.g. GITHUB_TOKEN, ACTIONS_RUNTIME_TOKEN); an undefined value removes a
   * default. Applied last.
   */
  env?: Record<string, string | undefined>
  /** owner/repo; default octo-org/octo-repo (the fake's default repository). */
  repository?: string
  runId?: string | number
  runAttempt?: string | number
  /** Where RUNNER_TEMP, HOME and the runner's files go; default a fresh temp directory. */
  runnerDir?: string
  /** Wall-clock limit; the whole process group is killed after it (default 120 s). */
  timeoutMs?: number
  /**
   * Set INPUT_* for every input with a default in action.yml, as the runner does (default true).
   * `${{ github.token }}` evaluates to env.GITHUB_TOKEN, or '' when the test gives none.
   */
  actionDefaults?: boolean
  /** Called with the action's pid (also its process group) once it is started. */
  onSpawn?: (pid: number) => void
}

/** One workflow command the runner would act on. */
export interface WorkflowCommand {
  /** The command name, lowercased (`error`, `warning`, `add-mask`, `set-output`, ...). */
  name: string
  properties: Record<string, string>
  /** The data after the second `::`, unescaped as the runner unescapes it. */
  data: string
  /** The raw stdout line. */
  line: string
  /** `v2` for `::name::data`, `legacy` for `##[name]data`. */
  syntax: 'v2' | 'legacy'
}

export interface ActionRun {
  code: number | null
  signal: NodeJS.Signals | null
  timedOut: boolean
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  /** Raw contents of GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH and GITHUB_STATE after the run. */
  files: { output: string; env: string; path: string; state: string }
  /** Commands the runner would process (it honours ::stop-commands:: like the real runner). */
  commands: WorkflowCommand[]
  /** Every stdout line that parses as a command, ignoring ::stop-commands:: entirely. */
  commandLikeLines: WorkflowCommand[]
  /** RUNNER_TEMP of this run. */
  runnerTemp: string
  /** The exact environment the action was started with. */
  env: Record<string, string>
  /**
   * Peak resident set size of the action's node process in KiB (VmHWM, sampled every 50 ms on
   * Linux; null elsewhere). Its children (git, checks) are not included.
   */
  peakRssKb: number | null
  durationMs: number
  /** Messages of the processed commands of one name (`errors()` = data of every ::error::). */
  messages(name: string): string[]
}

const DEFAULT_TIMEOUT_MS = 120_000

/** Runs the action once as the runner would and collects what the runner would see. */
export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const entry = options.entry ? path.resolve(REPO_ROOT, options.entry) : defaultEntry()
  if (!existsSync(entry)) {
    throw new Error(`action entry ${entry} does not exist; run \`npm run bundle\` first`)
  }
  const runnerDir =
    options.runnerDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'quorum-e2e-runner-')))
  const runnerTemp = path.join(runnerDir, 'temp')
  const home = path.join(runnerDir, 'home')
  const fileCommands = path.join(runnerTemp, '_runner_file_commands')
  await fs.mkdir(fileCommands, { recursive: true })
  await fs.mkdir(home, { recursive: true })
  const eventPath = path.join(runnerDir, 'workflow', 'event.json')
  await fs.mkdir(path.dirname(eventPath), { recursive: true })
  await fs.writeFile(eventPath, JSON.stringify(options.payload, null, 2))
  // The runner names them <command>_<uuid>; a fixed suffix is as good for a test.
  const outputPath = path.join(fileCommands, 'set_output_e2e')
  const summaryPath = path.join(fileCommands, 'step_summary_e2e')
  const envPath = path.join(fileCommands, 'set_env_e2e')
  const pathPath = path.join(fileCommands, 'add_path_e2e')
  const statePath = path.join(fileCommands, 'save_state_e2e')
  for (const file of [outputPath, summaryPath, envPath, pathPath, statePath]) {
    await fs.writeFile(file, '')
  }

  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: options.eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_SHA: options.sha,
    GITHUB_REF: options.ref,
    GITHUB_REPOSITORY: options.repository ?? 'octo-org/octo-repo',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: String(options.runId ?? 1000),
    GITHUB_RUN_ATTEMPT: String(options.runAttempt ?? 1),
    GITHUB_JOB: 'gate',
    RUNNER_TEMP: runnerTemp,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_ENV: envPath,
    GITHUB_PATH: pathPath,
    GITHUB_STATE: statePath,
    // Hermetic git: the machine's system config must not change what the action's git does.
    GIT_CONFIG_NOSYSTEM: '1',
  }
  if (options.apiUrl !== undefined) env['GITHUB_API_URL'] = options.apiUrl
  const inputs: Record<string, string> = {}
  if (options.actionDefaults ?? true) {
    const githubToken = options.env?.['GITHUB_TOKEN'] ?? ''
    for (const [name, value] of Object.entries(await actionYmlDefaults())) {
      inputs[name] = value.replace(/\$\{\{\s*github\.token\s*\}\}/g, githubToken)
    }
  }
  Object.assign(inputs, options.inputs ?? {})
  for (const [name, value] of Object.entries(inputs)) {
    // @actions/core: `INPUT_${name.replace(/ /g, '_').toUpperCase()}`; dashes are kept.
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name]
    else env[name] = value
  }

  const started = Date.now()
  const { code, signal, stdout, stderr, timedOut, peakRssKb } = await spawnCollect(
    process.execPath,
    [entry],
    {
      cwd: options.workspace,
      env,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
    },
  )
  const durationMs = Date.now() - started
  const outputFile = await fs.readFile(outputPath, 'utf8')
  const outputs = parseOutputFile(outputFile)
  const summary = await fs.readFile(summaryPath, 'utf8')
  const files = {
    output: outputFile,
    env: await fs.readFile(envPath, 'utf8'),
    path: await fs.readFile(pathPath, 'utf8'),
    state: await fs.readFile(statePath, 'utf8'),
  }
  const { processed, all } = parseWorkflowCommands(stdout)
  // Without GITHUB_OUTPUT @actions/core falls back to ::set-output; count those too.
  for (const c of processed)
    if (c.name === 'set-output' && c.properties['name']) {
      outputs[c.properties['name']] = c.data
    }
  return {
    code,
    signal,
    timedOut,
    stdout,
    stderr,
    outputs,
    summary,
    files,
    commands: processed,
    commandLikeLines: all,
    runnerTemp,
    env,
    peakRssKb,
    durationMs,
    messages: (name) => processed.filter((c) => c.name === name).map((c) => c.data),
  }
}

let defaultsCache: Record<string, string> | null = null

/** The `default` of every input in action.yml, by input name. */
export async function actionYmlDefaults(): Promise<Record<string, string>> {
  if (defaultsCache !== null) return defaultsCache
  const doc = parseYaml(await fs.readFile(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as {
    inputs?: Record<string, { default?: unknown }>
  }
  const defaults: Record<string, string> = {}
  for (const [name, spec] of Object.entries(doc.inputs ?? {})) {
    if (spec.default !== undefined && spec.default !== null) defaults[name] = String(spec.default)
  }
  defaultsCache = defaults
  return defaults
}

function spawnCollect(
  command: string,
  args: string[],
  options: {
    cwd: string
    env: Record<string, string>
    timeoutMs: number
    onSpawn?: (pid: number) => void
  },
): Promise<{
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  timedOut: boolean
  peakRssKb: number | null
}> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    if (child.pid !== undefined) options.onSpawn?.(child.pid)
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    let timedOut = false
    let peakRssKb: number | null = null
    const sampleRss = (): void => {
      if (child.pid === undefined || process.platform !== 'linux') return
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
        const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status)
        if (hwm) peakRssKb = Math.max(peakRssKb ?? 0, Number(hwm[1]))
      } catch {
        // exited between samples
      }
    }
    const sampler = setInterval(sampleRss, 50)
    child.stdout.once('end', sampleRss)
    const timer = setTimeout(() => {
      timedOut = true
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }, options.timeoutMs)
    child.once('error', (error) => {
      clearTimeout(timer)
      clearInterval(sampler)
      reject(error)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      clearInterval(sampler)
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        peakRssKb,
      })
    })
  })
}

/**
 * Parses the GITHUB_OUTPUT file as the runner does: `name<<DELIM\nvalue\nDELIM` blocks and
 * `name=value` lines. Later values win.
 */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    if (line === '') continue
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    const eq = line.indexOf('=')
    if (heredoc !== null && (eq < 0 || line.indexOf('<<') < eq)) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string]
      const value: string[] = []
      let closed = false
      for (i++; i < lines.length; i++) {
        if (lines[i] === delimiter) {
          closed = true
          break
        }
        value.push(lines[i] as string)
      }
      if (!closed)
        throw new Error(`GITHUB_OUTPUT: heredoc for ${name} is not closed by ${delimiter}`)
      outputs[name] = value.join('\n')
    } else if (eq > 0) {
      outputs[line.slice(0, eq)] = line.slice(eq + 1)
    } else {
      throw new Error(`GITHUB_OUTPUT: cannot parse line ${JSON.stringify(line)}`)
    }
  }
  return outputs
}

function unescapeData(s: string): string {
  return s.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%')
}

function unescapeProperty(s: string): string {
  return unescapeData(s).replace(/%3A/gi, ':').replace(/%2C/gi, ',')
}

/** One line as the runner's ActionCommand parsers see it, or null. */
export function parseCommandLine(line: string): WorkflowCommand | null {
  // v2: after .NET TrimStart (Unicode whitespace; JS trimStart trims the same set and U+FEFF).
  const trimmed = line.trimStart()
  if (trimmed.startsWith('::')) {
    const end = trimmed.indexOf('::', 2)
    if (end > 2) {
      const info = trimmed.slice(2, end)
      const space = info.indexOf(' ')
      const name = (space < 0 ? info : info.slice(0, space)).toLowerCase()
      const properties: Record<string, string> = {}
      if (space >= 0) {
        for (const pair of info.slice(space + 1).split(',')) {
          const eq = pair.indexOf('=')
          if (eq > 0) properties[pair.slice(0, eq).trim()] = unescapeProperty(pair.slice(eq + 1))
        }
      }
      return { name, properties, data: unescapeData(trimmed.slice(end + 2)), line, syntax: 'v2' }
    }
  }
  // legacy: `##[name props]data` anywhere in the line.
  const at = line.indexOf('##[')
  if (at >= 0) {
    const close = line.indexOf(']', at)
    if (close > at) {
      const info = line.slice(at + 3, close)
      const space = info.indexOf(' ')
      const name = (space < 0 ? info : info.slice(0, space)).toLowerCase()
      return { name, properties: {}, data: line.slice(close + 1), line, syntax: 'legacy' }
    }
  }
  return null
}

/**
 * Every command-like line of `stdout` (`all`), and the ones the runner would process
 * (`processed`): after `::stop-commands::TOKEN` nothing is processed until a line `::TOKEN::`.
 * Lines end at \n, \r\n or a lone \r, as the runner splits them.
 */
export function parseWorkflowCommands(stdout: string): {
  processed: WorkflowCommand[]
  all: WorkflowCommand[]
} {
  const processed: WorkflowCommand[] = []
  const all: WorkflowCommand[] = []
  let stopToken: string | null = null
  for (const line of stdout.split(/\r\n|\n|\r/)) {
    if (stopToken !== null) {
      if (line.trim().toLowerCase() === `::${stopToken}::`.toLowerCase()) stopToken = null
      const c = parseCommandLine(line)
      if (c !== null) all.push(c)
      continue
    }
    const command = parseCommandLine(line)
    if (command === null) continue
    all.push(command)
    processed.push(command)
    if (command.syntax === 'v2' && command.name === 'stop-commands' && command.data !== '') {
      stopToken = command.data
    }
  }
  return { processed, all }
}
