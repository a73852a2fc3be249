/**
 * The doctor's bait on the host: files under HOME that no run may change or read, unix sockets
 * (under HOME, under /run, abstract) and TCP listeners on 127.0.0.1 that no run may reach, and a
 * "tool" under /tmp. After the runs, `evidence()` says from the host side what was touched, so
 * the verdict does not rest on what the attacking script says about itself.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { isAbsolute, join } from 'node:path'
import { isInside } from '../../engine/paths.ts'
import { removeTree } from '../remove-tree.ts'

/** What a run left on the bait, seen from the host. */
export interface BaitEvidence {
  /** `host-file` no longer holds what the doctor wrote. */
  readonly hostFileChanged: boolean
  /** A file appeared next to it. */
  readonly planted: boolean
  /** Which listeners accepted a connection. */
  readonly reached: {
    readonly homeSocket: boolean
    readonly runSocket: boolean
    readonly abstractSocket: boolean
    readonly tcpHost: boolean
    readonly tcpNone: boolean
  }
}

export interface Bait {
  /** The doctor's directory under HOME (removed by close()). */
  readonly dir: string
  /** Shown read-only to runs; holds `host-file`. */
  readonly visibleDir: string
  readonly hostFile: string
  readonly secretFile: string
  readonly homeSocket: string
  readonly runSocket: string | null
  readonly abstractSocket: string
  /** The port the main run connects to (its network is the host's: a positive control). */
  readonly tcpHostPort: number
  /** The port the `network: none` run connects to. */
  readonly tcpNonePort: number
  readonly tmpTool: string | null
  evidence(): Promise<BaitEvidence>
  /** Stops every listener and removes every file and directory made here. Idempotent. */
  close(): Promise<void>
}

const ORIGINAL = 'quorum doctor: a run must not change this file\n'

/**
 * Creates the bait's directory under `home` (mode 0700; a fresh name, never a path that exists
 * already) and returns it. Synchronous, and first: the workspace puts its logs in it while
 * layBait fills the rest.
 */
export function makeBaitDir(home: string): string {
  const dir = join(home, `.quorum-doctor-${randomBytes(6).toString('hex')}`)
  mkdirSync(dir, { mode: 0o700 })
  return dir
}

/** The directory runs are shown read-only, in the bait directory `dir` (see layBait). */
export function visibleDirOf(dir: string): string {
  return join(dir, 'visible')
}

/**
 * Lays the bait in `dir` (from makeBaitDir; removed with everything else by close()).
 * `runDirs` are the candidates for the /run socket (the first one under /run that takes a
 * directory); when none does, that socket is left out.
 */
export async function layBait(p: { dir: string; runDirs: readonly string[] }): Promise<Bait> {
  const { dir } = p
  const cleanups: Array<() => Promise<void>> = [() => removeTree(dir)]
  const reached = {
    homeSocket: false,
    runSocket: false,
    abstractSocket: false,
    tcpHost: false,
    tcpNone: false,
  }
  const close = once(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
  })
  try {
    const tag = randomBytes(6).toString('hex')
    const visibleDir = visibleDirOf(dir)
    const hiddenDir = join(dir, 'hidden')
    await Promise.all([visibleDir, hiddenDir].map((d) => mkdir(d, { mode: 0o755 })))
    const hostFile = join(visibleDir, 'host-file')
    const secretFile = join(hiddenDir, 'secret-token')
    await writeFile(hostFile, ORIGINAL, { mode: 0o644 })
    await writeFile(secretFile, `quorum-doctor-secret-${tag}\n`, { mode: 0o600 })

    const listen = async (key: keyof typeof reached, at: string | number): Promise<Server> => {
      const server = createServer((socket) => {
        reached[key] = true
        socket.destroy()
      })
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        if (typeof at === 'number') server.listen(at, '127.0.0.1', resolve)
        else server.listen(at, resolve)
      })
      cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
      return server
    }
    const port = (server: Server) => {
      const address = server.address()
      if (address === null || typeof address === 'string') throw new Error('no TCP port')
      return address.port
    }

    const homeSocket = join(hiddenDir, 'daemon.sock')
    const abstractSocket = `quorum-doctor-${tag}`
    const runSocket = await runSocketPath(p.runDirs, tag, cleanups)
    const [, , , tcpHost, tcpNone] = await Promise.all([
      listen('homeSocket', homeSocket),
      runSocket === null ? null : listen('runSocket', runSocket),
      listen('abstractSocket', `\0${abstractSocket}`),
      listen('tcpHost', 0),
      listen('tcpNone', 0),
    ])
    const tmpTool = await tmpToolPath(tag, cleanups)

    return {
      dir,
      visibleDir,
      hostFile,
      secretFile,
      homeSocket,
      runSocket,
      abstractSocket,
      tcpHostPort: port(tcpHost),
      tcpNonePort: port(tcpNone),
      tmpTool,
      evidence: async () => {
        // A connection the kernel took before the run ended is accepted on the next poll.
        await new Promise((resolve) => setImmediate(resolve))
        const now = await readFile(hostFile, 'utf8').catch(() => null)
        return {
          hostFileChanged: now !== ORIGINAL,
          planted: existsSync(join(visibleDir, 'planted')),
          reached: { ...reached },
        }
      },
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}

/** A socket path in the first of `dirs` under /run that takes a directory of ours, or null. */
async function runSocketPath(
  dirs: readonly string[],
  tag: string,
  cleanups: Array<() => Promise<void>>,
): Promise<string | null> {
  for (const parent of dirs) {
    if (!isAbsolute(parent) || !isInside(parent, '/run') || !existsSync(parent)) continue
    try {
      const dir = await mkdtemp(join(parent, `quorum-doctor-${tag}-`))
      cleanups.push(() => removeTree(dir))
      return join(dir, 'daemon.sock')
    } catch {
      // not ours to write: the next candidate
    }
  }
  return null
}

/** An executable "tool" in a fresh directory under /tmp, or null when /tmp takes none. */
async function tmpToolPath(
  tag: string,
  cleanups: Array<() => Promise<void>>,
): Promise<string | null> {
  try {
    const dir = await mkdtemp(join('/tmp', `quorum-doctor-${tag}-`))
    cleanups.push(() => removeTree(dir))
    const tool = join(dir, 'tool')
    await writeFile(tool, '#!/bin/sh\nexit 0\n', { mode: 0o755 })
    return tool
  } catch {
    return null
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | null = null
  return () => (done ??= fn())
}
