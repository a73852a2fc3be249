/**
 * The publish stage's intake: the report artifacts of one workflow run, each downloaded (capped,
 * without the token reaching the storage host: artifacts.ts), extracted into a private directory
 * (capped, no traversal, no links: zip-extract.ts), and its two files read (capped, never
 * following a link) and schema-checked. Nothing in them is executed, imported or used as a path.
 *
 * Whatever is wrong with one artifact becomes a refusal (one sentence, for the verdict's
 * reasons); deciding what the rest mean together is engine/merge.ts's job.
 */
import { constants as fsConstants } from 'node:fs'
import { mkdtemp, open, rm } from 'node:fs/promises'
import * as path from 'node:path'

import { QuorumError } from '../../engine/errors.ts'
import { ENVELOPE_FILE, REPORT_FILE, parseEnvelope } from '../../engine/handoff.ts'
import type { HandedOverReport } from '../../engine/merge.ts'
import { parseReport } from '../../engine/report-schema.ts'
import { MAX_SHARDS } from '../../engine/shard.ts'
import { downloadArtifact, listRunArtifacts, type RunArtifact } from './artifacts.ts'
import type { GitHubClient } from '../api/client.ts'
import type { ZipCaps } from './zip-extract.ts'

const MiB = 1024 * 1024

/** Limits on what the publisher takes in; a report is a few hundred KiB in practice. */
export interface IntakeCaps {
  /** One artifact's archive. */
  maxZipBytes: number
  /** All archives of the run together (as listed). */
  maxTotalZipBytes: number
  /** One file read from an archive (the report or the envelope). */
  maxFileBytes: number
  zip: Partial<ZipCaps>
}

export const DEFAULT_INTAKE_CAPS: Readonly<IntakeCaps> = Object.freeze({
  maxZipBytes: 16 * MiB,
  maxTotalZipBytes: 256 * MiB,
  maxFileBytes: 16 * MiB,
  zip: { maxEntries: 64, maxEntryBytes: 16 * MiB, maxTotalBytes: 32 * MiB },
})

export interface Intake {
  reports: HandedOverReport[]
  refusals: string[]
  /** Artifacts whose names start like ours but are not `<name>` or `<name>-<K>` (not ours). */
  ignored: string[]
}

/**
 * Reads every report artifact (`name`, or `name-<K>` for shard K) of run `runId` into `scratch`,
 * which is removed again, one artifact at a time. Throws (an ArtifactError with the permission
 * to grant) only when the run's artifacts cannot be listed at all.
 */
export async function collectReports(
  client: GitHubClient,
  options: {
    owner: string
    repo: string
    runId: number
    name: string
    scratch: string
    caps?: Partial<IntakeCaps>
    signal?: AbortSignal
  },
): Promise<Intake> {
  const caps: IntakeCaps = { ...DEFAULT_INTAKE_CAPS, ...options.caps }
  const listed = await listRunArtifacts(client, {
    owner: options.owner,
    repo: options.repo,
    runId: options.runId,
    namePrefix: options.name,
  })
  const ours = new RegExp(`^${escapeRegExp(options.name)}(?:-[1-9][0-9]{0,2})?$`)
  const intake: Intake = { reports: [], refusals: [], ignored: [] }
  const mine: RunArtifact[] = []
  for (const artifact of listed) {
    if (ours.test(artifact.name)) mine.push(artifact)
    else intake.ignored.push(artifact.name)
  }
  if (mine.length > MAX_SHARDS + 1) {
    intake.refusals.push(
      `workflow run ${options.runId} holds ${mine.length} report artifacts, more than the ${MAX_SHARDS} shards Quorum splits into`,
    )
    return intake
  }
  const total = mine.reduce((sum, a) => sum + a.sizeInBytes, 0)
  if (total > caps.maxTotalZipBytes) {
    intake.refusals.push(
      `the report artifacts of workflow run ${options.runId} are ${total} bytes together, more than the ${caps.maxTotalZipBytes} allowed`,
    )
    return intake
  }
  for (const artifact of mine) {
    const refused = (why: string): void => {
      intake.refusals.push(`${artifact.name} refused: ${why}`)
    }
    if (artifact.workflowRunId !== null && artifact.workflowRunId !== options.runId) {
      refused(`GitHub says it belongs to run ${artifact.workflowRunId}, not ${options.runId}`)
      continue
    }
    if (artifact.sizeInBytes > caps.maxZipBytes) {
      refused(`it is ${artifact.sizeInBytes} bytes, more than the ${caps.maxZipBytes} allowed`)
      continue
    }
    const dir = await mkdtemp(path.join(options.scratch, 'artifact-'))
    const target = path.join(dir, 'x')
    try {
      await downloadArtifact(client, {
        owner: options.owner,
        repo: options.repo,
        artifactId: artifact.id,
        targetDir: target,
        maxZipBytes: caps.maxZipBytes,
        caps: caps.zip,
        expectedDigest: artifact.digest,
        ...(options.signal ? { signal: options.signal } : {}),
      })
      const envelopeText = await readCapped(path.join(target, ENVELOPE_FILE), caps.maxFileBytes)
      const reportText = await readCapped(path.join(target, REPORT_FILE), caps.maxFileBytes)
      const envelope = parseEnvelope(parseJson(envelopeText, ENVELOPE_FILE))
      if (!envelope.ok) throw new QuorumError('environment', `${ENVELOPE_FILE}: ${envelope.why}`)
      const report = parseReport(parseJson(reportText, REPORT_FILE))
      if (!report.ok) throw new QuorumError('environment', `${REPORT_FILE}: ${report.why}`)
      intake.reports.push({
        artifact: artifact.name,
        envelope: envelope.envelope,
        report: report.report,
      })
    } catch (error) {
      // ArtifactError (download, size, digest, expiry, API), ArchiveRefusedError (an unsafe
      // archive) and the QuorumErrors of readCapped and the checks above (unreadable or invalid
      // files) all say what was wrong in one line; anything else is a bug and goes up.
      if (!(error instanceof QuorumError)) throw error
      refused(error.message)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
  return intake
}

/** The file's text, refusing anything but a regular file of at most `max` bytes. */
async function readCapped(file: string, max: number): Promise<string> {
  const name = path.basename(file)
  let handle
  try {
    handle = await open(
      file,
      fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK,
    )
  } catch (error) {
    const code = (error as { code?: unknown }).code
    throw new QuorumError(
      'environment',
      code === 'ENOENT'
        ? `it has no ${name} (was report-dir uploaded as it is, with its contents at the root?)`
        : `${name} cannot be read (${String(code)})`,
    )
  }
  try {
    const info = await handle.stat()
    if (!info.isFile()) throw new QuorumError('environment', `${name} is not a regular file`)
    const buffer = Buffer.alloc(Math.min(max, info.size) + 1)
    let length = 0
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length)
      if (bytesRead === 0) break
      length += bytesRead
      if (length > max) throw new QuorumError('environment', `${name} is larger than ${max} bytes`)
      if (length === buffer.length) break
    }
    return buffer.subarray(0, length).toString('utf8')
  } finally {
    await handle.close()
  }
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new QuorumError('environment', `${name} is not JSON`)
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')
}
