/**
 * The gate stage's hand-over (DESIGN "Forks and shards"): the directory a workflow uploads with
 * actions/upload-artifact for the publish stage to read, and the config hash both stages compute
 * the same way.
 *
 * The directory is created after every check has ended (and every process a check started is
 * gone), under RUNNER_TEMP, which checks cannot see, with a fresh random name and files created
 * exclusively: nothing a check did or left behind can be waiting in it.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import * as path from 'node:path'

import { hashConfigSources } from '../../engine/config.ts'
import { ENVELOPE_FILE, REPORT_FILE, type Envelope } from '../../engine/handoff.ts'
import type { GateConfig, Report } from '../../engine/types.ts'
import { readConfigSources } from '../../run/config-file.ts'

/**
 * Writes `report` and `envelope` into a new directory under `parent` and returns its path. The
 * files are the only ones in it, and neither is hidden (upload-artifact v4 leaves dotfiles out).
 */
export async function writeReportDir(
  parent: string,
  report: Report,
  envelope: Envelope,
): Promise<string> {
  const dir = await mkdtemp(path.join(parent, 'report-'))
  // 'wx': created here, never through a link or over a file someone else put there.
  await writeFile(path.join(dir, REPORT_FILE), `${JSON.stringify(report, null, 2)}\n`, {
    flag: 'wx',
  })
  await writeFile(path.join(dir, ENVELOPE_FILE), `${JSON.stringify(envelope, null, 2)}\n`, {
    flag: 'wx',
  })
  return dir
}

/**
 * The envelope's config hash (hashConfigSources, `handoff`) of the files a gate config was read
 * from: the config file and the checks module it names (when it names one), each read inside
 * `root` as the gate reads them (no link out of the tree). Throws the ConfigError of
 * openTreeFile when a file cannot be read.
 */
export async function hashConfigFiles(config: GateConfig, root: string): Promise<string> {
  if (config.file === null) throw new Error('hashConfigFiles: the config has no file')
  const sources = await readConfigSources(
    { config: config.file, functions: config.functions },
    root,
  )
  return hashConfigSources(sources, 'handoff')
}
