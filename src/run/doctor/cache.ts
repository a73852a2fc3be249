/**
 * The doctor's cache: one probed table per machine, kernel, user and Quorum version, in the
 * CLI's cache directory. What is cached are the observations, not the verdict, so one probe
 * serves every config. A file that does not parse, or was written for another key, is a miss.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { SandboxKind } from '../../engine/types.ts'
import { NEEDS, PROPERTY_IDS, ROW_STATES, type Observation } from './judge.ts'

/** What a cached table is valid for. */
export interface DoctorCacheKey {
  readonly hostname: string
  readonly kernel: string
  readonly uid: number
  readonly version: string
  /**
   * The sysctls that decide user namespaces (null: absent): a `sysctl` step changes them
   * without a reboot, and the table with them.
   */
  readonly sysctls: Readonly<Record<string, string | null>>
}

export interface CachedProbe {
  readonly key: DoctorCacheKey
  /** ISO time of the probe. */
  readonly probed_at: string
  readonly probe_ms: number
  readonly sandbox: SandboxKind
  readonly observations: readonly Observation[]
}

/** The file of `key` in `dir`. */
export function doctorCacheFile(dir: string, key: DoctorCacheKey): string {
  const hash = createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 16)
  return join(dir, `doctor-${hash}.json`)
}

/** The cached probe in `file` when it is one of `key`, else null. Never throws. */
export async function readCachedProbe(
  file: string,
  key: DoctorCacheKey,
): Promise<CachedProbe | null> {
  let data: unknown
  try {
    data = JSON.parse(await readFile(file, 'utf8'))
  } catch {
    return null
  }
  if (!isCachedProbe(data)) return null
  return JSON.stringify(data.key) === JSON.stringify(key) ? data : null
}

/** Writes `entry` to `file` (through a rename: a reader never sees half a file). */
export async function writeCachedProbe(file: string, entry: CachedProbe): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true })
  const part = `${file}.${randomBytes(4).toString('hex')}.part`
  await writeFile(part, `${JSON.stringify(entry, null, 2)}\n`, { mode: 0o644 })
  await rename(part, file)
}

function isCachedProbe(data: unknown): data is CachedProbe {
  if (typeof data !== 'object' || data === null) return false
  const d = data as Record<string, unknown>
  return (
    typeof d.key === 'object' &&
    d.key !== null &&
    typeof d.probed_at === 'string' &&
    typeof d.probe_ms === 'number' &&
    (d.sandbox === 'overlay' || d.sandbox === 'copy') &&
    Array.isArray(d.observations) &&
    d.observations.length === PROPERTY_IDS.length &&
    d.observations.every(isObservation)
  )
}

function isObservation(o: unknown): o is Observation {
  if (typeof o !== 'object' || o === null) return false
  const r = o as Record<string, unknown>
  return (
    (PROPERTY_IDS as readonly unknown[]).includes(r.id) &&
    typeof r.property === 'string' &&
    (ROW_STATES as readonly unknown[]).includes(r.state) &&
    typeof r.detail === 'string' &&
    (NEEDS as readonly unknown[]).includes(r.need)
  )
}
