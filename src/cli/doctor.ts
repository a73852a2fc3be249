/**
 * `quorum doctor`: argv -> runDoctor -> the table (or JSON) -> exit code. 0 when every property
 * the config relies on holds (the default config without --config), 1 with one line on stderr
 * per property that does not, 2 for bad usage or a bad config.
 */
import { join, resolve } from 'node:path'
import { tmpdir } from 'node:os'
import { parseArgs } from 'node:util'
import { QuorumError, errorMessage } from '../engine/errors.ts'
import { loadConfigFile } from '../run/config-file.ts'
import { runDoctor, type DoctorReport, type DoctorRow } from '../run/doctor/run-doctor.ts'
import type { CliIO } from './run-cli.ts'

export const DOCTOR_USAGE = `Usage:
  quorum doctor [--config FILE] [--json] [--fresh]
Runs canary attacks in a real sandbox on this machine and prints what holds.
Options:
  --config FILE  judge against what FILE asks for (pids_max, memory_mb: cgroups required;
                 network: none: a private network required); default: the default config
  --json         print the table as JSON
  --fresh        probe again, even when this machine's result is cached
  -h, --help     this text
Exit codes: 0 every property relied on holds, 1 one does not, 2 bad usage or config.`

/** Runs `quorum doctor` with the arguments after `doctor`; returns the exit code. */
export async function runDoctorCli(argv: string[], io: CliIO): Promise<number> {
  const values = parseDoctorArgs(argv)
  if (values.help) {
    io.stdout.write(`${DOCTOR_USAGE}\n`)
    return 0
  }
  const config = values.config ? await loadConfigFile(resolve(io.cwd, values.config)) : null
  const report = await runDoctor({
    env: io.env,
    config,
    cacheDir: cacheDir(io),
    fresh: values.fresh ?? false,
    abort: io.interrupt,
  })
  if (io.interrupt.aborted) throw new QuorumError('cancelled', 'interrupted')
  if (values.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  else io.stdout.write(renderDoctor(report, values.config ?? null))
  for (const failure of report.failures) io.stderr.write(`quorum doctor: ${failure}\n`)
  // The last line, whichever the format: where the table came from and what it cost.
  ;(values.json ? io.stderr : io.stdout).write(`${timingLine(report)}\n`)
  return report.ok ? 0 : 1
}

function parseDoctorArgs(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        json: { type: 'boolean' },
        fresh: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values
  } catch (error) {
    throw new QuorumError('usage', `doctor: ${errorMessage(error)}`)
  }
}

/** The CLI's cache directory, as for the signing secret (run-cli.ts). */
function cacheDir(io: CliIO): string {
  const base = io.env.XDG_CACHE_HOME || join(io.env.HOME || tmpdir(), '.cache')
  return join(base, 'quorum')
}

/** The table as text: a heading, one line per row, the verdict. */
export function renderDoctor(report: DoctorReport, configName: string | null): string {
  const against = configName === null ? 'the default config' : configName
  const width = Math.max(...report.rows.map((r) => r.property.length)) + 2
  const stateWidth = Math.max(...report.rows.map((r) => stateWord(r).length)) + 2
  const lines = [
    `quorum doctor: Quorum ${report.version}, Linux ${report.kernel}, host ${report.hostname}, uid ${report.uid}`,
    '',
    ...report.rows.map(
      (r) => `  ${r.property.padEnd(width)}${stateWord(r).padEnd(stateWidth)}${r.detail}`,
    ),
    '',
    report.ok
      ? `every property ${against} relies on holds`
      : `${report.failures.length} ${report.failures.length === 1 ? 'property' : 'properties'} ${against} relies on ${report.failures.length === 1 ? 'does' : 'do'} not hold`,
  ]
  return `${lines.join('\n')}\n`
}

function stateWord(row: DoctorRow): string {
  if (row.state === 'info') return 'note'
  if (row.state === 'holds') return 'holds'
  return row.required ? 'DOES NOT HOLD' : 'does not hold (not relied on)'
}

function timingLine(report: DoctorReport): string {
  if (report.cached) {
    return `from the cache (${report.cache_file}), probed ${report.probed_at} in ${report.probe_ms} ms; --fresh to probe again`
  }
  const where = report.cache_file === null ? '' : `; cached in ${report.cache_file}`
  return `probed now in ${report.probe_ms} ms${where}`
}
