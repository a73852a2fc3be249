/**
 * The function host: the small program a function check runs in, as a child `node` process.
 * It imports the checks module, runs one check (or lists them all) and sends ONE message back
 * on fd 3. The verdict comes only from that message: exit codes and stdout are candidate
 * territory, so a check that calls process.exit(0) mid-run delivered nothing and is CRASHED.
 *
 * The host is a self-contained function serialized into `node -e`, so the bundled action and
 * CLI need no file next to them, and no path to the host can be wrong.
 *
 * What stops forgery, and what does not:
 * - The parent writes a fresh random nonce to the host's stdin (then EOF). The host reads it
 *   before any checks code is imported and puts it in its message; the parent accepts only a
 *   message carrying it. Candidate code can therefore not forge a verdict by writing to fd 3 or
 *   stdout and exiting: it never saw the nonce, and stdin is empty by the time it runs.
 * - fs.writeSync, JSON.stringify and process.exit are taken before the module is imported, so
 *   replacing them afterwards does not intercept the host; the message envelope is built as a
 *   string, so a planted Object.prototype.toJSON cannot rewrite it. The host exits right after
 *   sending, and the parent ignores anything on fd 3 without the nonce.
 * - What remains possible: candidate code runs in the same process as the check, so it can
 *   tamper with the check itself (patch the builtins the check uses, or Object.prototype.toJSON
 *   to rewrite the returned value), or with enough effort reach the nonce (the inspector,
 *   /proc/self/mem, Node internals). It can always make a run fail (close fd 3, garble it).
 *   Isolating the check from the code it checks would need a second process; the nonce stops
 *   the easy forgeries, not a determined in-process attacker.
 */
import type { TreeRole } from '../engine/types.ts'

// ExperimentalWarning: a TypeScript checks module triggers one per run; it is noise in the log.
const NODE_FLAGS = ['--input-type=module', '--disable-warning=ExperimentalWarning']

/** The argv that runs one function check in the host: `node -e <host> -- run ...`. */
export function functionHostArgv(p: {
  modulePath: string
  checkName: string
  root: string
  seed: string
  tree: TreeRole
}): string[] {
  return [
    process.execPath,
    ...NODE_FLAGS,
    '-e',
    hostSource(),
    '--',
    'run',
    p.modulePath,
    p.checkName,
    p.root,
    p.seed,
    p.tree,
  ]
}

/**
 * The argv that runs the host in "list" mode: it sends back `[{name, timeout_s}]` for the
 * module's checks, or a one-line description of what is wrong with the module.
 */
export function listHostArgv(modulePath: string): string[] {
  return [process.execPath, ...NODE_FLAGS, '-e', hostSource(), '--', 'list', modulePath]
}

function hostSource(): string {
  // The dynamic import lives in this string, not inside hostMain, so that a bundler compiling
  // this file cannot turn it into a call into its own module system.
  return `(${hostMain.toString()})((specifier) => import(specifier))`
}

/**
 * The host program. Runs in the child, from its own source text: it must reference nothing
 * outside its own body (no module-scope imports or helpers), and loads built-ins via `load`.
 * argv after `--`: `run <module> <check> <root> <seed> <tree>` or `list <module>`.
 */
export async function hostMain(load: (specifier: string) => Promise<unknown>): Promise<void> {
  const fs = (await load('node:fs')) as typeof import('node:fs')
  const url = (await load('node:url')) as typeof import('node:url')
  // Taken before any checks code runs (see the note at the top of function-host.ts).
  const writeSync = fs.writeSync
  const stringify = JSON.stringify
  const bytesOf = Buffer.from.bind(Buffer)
  const exit = process.exit.bind(process)
  const writeStderr = process.stderr.write.bind(process.stderr)
  const MAX_MESSAGE = 900 * 1024 // below the parent's 1 MiB channel limit

  const [mode, modulePath = '', checkName = '', root = '', seed = '', tree = ''] =
    process.argv.slice(1)
  let nonce = ''
  try {
    nonce = fs.readFileSync(0, 'utf8').trim()
  } catch {
    // No stdin: the message goes out unauthenticated and the parent knows no nonce either.
  }

  let sent = false
  /** Sends one message (the JSON fields after the nonce) on fd 3 and exits at once. */
  const send = (fields: string): void => {
    if (sent) return
    sent = true
    const bytes = bytesOf(`{"nonce":${stringify(nonce)},${fields}}\n`, 'utf8')
    let offset = 0
    while (offset < bytes.length) {
      try {
        offset += writeSync(3, bytes, offset)
      } catch (err) {
        if ((err as { code?: unknown }).code !== 'EAGAIN') break
      }
    }
    exit(0)
  }
  /** A problem with the module; the list caller names the module itself, run mode does it here. */
  const fail = (message: string): void =>
    mode === 'list'
      ? send(`"type":"list-error","message":${stringify(message)}`)
      : send(
          `"type":"host-error","message":${stringify(`checks module ${modulePath}: ${message}`)}`,
        )

  const describe = (value: unknown): string => {
    if (value === null) return 'null'
    if (Array.isArray(value)) return `an array of length ${value.length}`
    switch (typeof value) {
      case 'undefined':
        return 'undefined'
      case 'string':
        return `the string ${stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
      case 'number':
      case 'boolean':
        return `${typeof value} ${String(value)}`
      case 'bigint':
        return `the bigint ${String(value)}n`
      case 'object':
        return 'an object'
      default:
        return `a ${typeof value}`
    }
  }
  const errorText = (err: unknown): string => {
    try {
      if (!(err instanceof Error)) return `a thrown ${describe(err)}`
      return `${err.name}: ${err.message}`.replace(/\s*\n\s*/g, ' ')
    } catch {
      return 'an error that cannot be printed'
    }
  }
  /** Where a syntax error is: the first stack line when Node put it there, else `node --check`. */
  const syntaxErrorLocation = async (err: unknown): Promise<string> => {
    if (!(err instanceof SyntaxError)) return ''
    const first = (err.stack ?? '').split('\n')[0] ?? ''
    if (/^(?:file:\/\/|\/)\S.*:\d+$/.test(first)) return ` at ${first}`
    // A dynamically imported module that fails to parse does not say where; `node --check` does, on stderr.
    const cp = (await load('node:child_process')) as typeof import('node:child_process')
    const r = cp.spawnSync(process.execPath, ['--check', modulePath], {
      encoding: 'utf8',
      timeout: 10_000,
    })
    const where = /^(\S.*:\d+)$/m.exec(r.stderr ?? '')
    return where ? ` at ${where[1]}` : ''
  }

  if (mode !== 'run' && mode !== 'list') {
    writeStderr('usage: host run <module> <check> <root> <seed> <tree> | host list <module>\n')
    exit(2)
    return
  }
  // The event loop running empty while the check (or the module's top-level await) is still
  // pending means a promise that nothing can settle anymore: say so instead of just exiting.
  process.on('beforeExit', () =>
    mode === 'list'
      ? fail('never finished loading (a top-level await that never settles?)')
      : send('"type":"stalled"'),
  )

  if (mode === 'run') {
    try {
      process.chdir(root)
    } catch (err) {
      return fail(`cannot run it in ${root}: ${errorText(err)}`)
    }
  }
  if (!fs.existsSync(modulePath)) return fail('does not exist')
  let mod: Record<string, unknown>
  try {
    mod = (await load(url.pathToFileURL(modulePath).href)) as Record<string, unknown>
  } catch (err) {
    return fail(`could not be loaded: ${errorText(err)}${await syntaxErrorLocation(err)}`)
  }
  const list = Array.isArray(mod.default)
    ? (mod.default as unknown[])
    : Array.isArray(mod.checks)
      ? (mod.checks as unknown[])
      : null
  if (list === null) {
    const got =
      'default' in mod ? `its default export is ${describe(mod.default)}` : 'has no default export'
    return fail(
      `${got}; it must export an array of checks: export default [{ name, timeout_s?, run }]` +
        ' (or export const checks = [...])',
    )
  }

  if (mode === 'list') {
    const checks: Array<{
      name: string
      timeout_s: number | null
      repeats?: unknown
      max_repeats?: unknown
      repeat_time_s?: unknown
      retries?: unknown
      metrics?: unknown
      expect?: unknown
    }> = []
    const seen = new Map<string, number>()
    for (let i = 0; i < list.length; i++) {
      const entry = list[i] as {
        name?: unknown
        run?: unknown
        timeout_s?: unknown
        repeats?: unknown
        max_repeats?: unknown
        repeat_time_s?: unknown
        retries?: unknown
        metrics?: unknown
        expect?: unknown
      } | null
      if (entry === null || typeof entry !== 'object') {
        return fail(`checks[${i}] is ${describe(entry)}, not an object { name, timeout_s?, run }`)
      }
      const name = entry.name
      if (typeof name !== 'string' || name.trim() === '') {
        return fail(`checks[${i}] has no name (a non-empty string)`)
      }
      const label = `checks[${i}] (${stringify(name)})`
      if (typeof entry.run !== 'function') return fail(`${label} has no run function`)
      const timeout = entry.timeout_s
      if (timeout !== undefined && timeout !== null) {
        if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) {
          return fail(
            `${label} timeout_s must be a positive number of seconds, not ${describe(timeout)}`,
          )
        }
      }
      const previous = seen.get(name)
      if (previous !== undefined) {
        return fail(
          `duplicate check name ${stringify(name)} (checks[${previous}] and checks[${i}])`,
        )
      }
      seen.set(name, i)
      // repeats, retries, metrics and expect travel as written; the judge validates them.
      checks.push({
        name,
        timeout_s: typeof timeout === 'number' ? timeout : null,
        repeats: entry.repeats,
        max_repeats: entry.max_repeats,
        repeat_time_s: entry.repeat_time_s,
        retries: entry.retries,
        metrics: entry.metrics,
        expect: entry.expect,
      })
    }
    return send(`"type":"list","checks":${stringify(checks)}`)
  }

  const check = list.find(
    (c) => c !== null && typeof c === 'object' && (c as { name?: unknown }).name === checkName,
  ) as { run?: unknown } | undefined
  if (!check) {
    const names = list
      .map((c) => (c as { name?: unknown } | null)?.name)
      .filter((n) => typeof n === 'string')
    return fail(
      `has no check named ${stringify(checkName)} (it has: ${names.join(', ') || 'none'})`,
    )
  }
  if (typeof check.run !== 'function')
    return fail(`check ${stringify(checkName)} has no run function`)

  let value: unknown
  try {
    value = await (check.run as (ctx: unknown) => unknown).call(check, { root, seed, tree })
  } catch (err) {
    let name = ''
    let message = ''
    let stack = ''
    try {
      if (err instanceof Error) {
        name = String(err.name)
        message = String(err.message)
        stack = String(err.stack ?? '')
      } else {
        message = typeof err === 'string' ? err : `a thrown ${describe(err)}`
      }
    } catch {
      message = 'an error that cannot be printed'
    }
    // The stack belongs in the run's log, where the reviewer reads the output.
    if (stack) writeStderr(`${stack}\n`)
    return send(
      `"type":"throw","name":${stringify(name)},"message":${stringify(message)},"stack":${stringify(stack.slice(0, 8192))}`,
    )
  }

  let json: string | undefined
  try {
    // NaN and Infinity would silently become null; keep them visible as what they were.
    json = stringify(value, (_key, v: unknown) =>
      typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
    )
  } catch (err) {
    return send(
      `"type":"bad-return","message":${stringify(`returned a value that cannot be sent back as JSON (${errorText(err)})`)}`,
    )
  }
  if (json === undefined) {
    return send(`"type":"bad-return","message":${stringify(`returned ${describe(value)}`)}`)
  }
  const size = bytesOf(json, 'utf8').length
  if (size > MAX_MESSAGE) {
    const kib = `${Math.round(size / 1024)} KiB of JSON`
    return send(
      `"type":"bad-return","message":${stringify(`returned a value too large to send back (${kib})`)}`,
    )
  }
  return send(`"type":"return","value":${json}`)
}
