// A directory of tools as a system with only POSIX tools has them, for QUORUM_PORTABLE=<dir>
// (src/run/platform.ts): the gate then runs its host tools from there and nowhere else.
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SYSTEM_TOOL_DIRS, resolveTool } from '../../src/run/system-tools.ts'

/**
 * Fills `dir` (created) with `cp` that takes only the options POSIX gives cp (-R -H -L -P -f
 * -i -p) and refuses any other the way BSD cp (macOS) does, exit 64, before running the real
 * cp; links to the real tools `names` (from the system directories); and `node`, the running
 * binary. Returns `dir`.
 */
export function makePosixToolDir(dir: string, names: readonly string[]): string {
  mkdirSync(dir, { recursive: true })
  // Resolved in the system directories even when the test process itself is in portable mode.
  const real = (name: string) => resolveTool(name, { systemDirs: SYSTEM_TOOL_DIRS, pathEnv: '' })
  const cp = join(dir, 'cp')
  writeFileSync(
    cp,
    [
      '#!/bin/sh',
      '# cp with only the options POSIX gives it; GNU-only ones are refused, as BSD cp does.',
      'for arg do',
      '  case $arg in',
      '    --) break ;;',
      '    -?*)',
      '      case ${arg#-} in',
      '        *[!RHLPfip]*) printf \'cp: illegal option -- %s\\n\' "${arg#-}" >&2; exit 64 ;;',
      '      esac ;;',
      '    *) break ;;',
      '  esac',
      'done',
      `exec '${real('cp')}' "$@"`,
      '',
    ].join('\n'),
  )
  chmodSync(cp, 0o755)
  for (const name of names) symlinkSync(real(name), join(dir, name))
  symlinkSync(process.execPath, join(dir, 'node'))
  return dir
}
