/**
 * Where timed runs run: one CPU of their own, through sched affinity (taskset, util-linux).
 *
 * On shared vCPUs a process that moves between CPUs, or shares one with another busy process,
 * runs at a fraction of its speed, and its timings vary by 25-30%. Pinned to one CPU that nothing
 * else of the gate uses, the same loop varies by about 3%. So for the timed phase the gate picks
 * one CPU for the runs, moves itself (every thread) to the others, and starts each timed run
 * under `taskset -c <cpu>`; afterwards it moves itself back.
 */
import { readFile } from 'node:fs/promises'
import { exec, whyFailed } from './exec.ts'
import { linuxOnlyRefusal } from './platform.ts'
import { SYSTEM_PATH, resolveTool } from './system-tools.ts'

/** How the timed phase runs: pinned to `cpu`, or not pinned and why. */
export type Pinning =
  | {
      pinned: true
      cpu: number
      /** argv prefix that starts a program pinned to `cpu`. */
      prefix: string[]
      /** The CPUs the gate itself moved to during the timed phase; [] when it could not move. */
      gateCpus: number[]
      /** Moves the gate back to where it was. */
      release(): Promise<void>
    }
  | { pinned: false; reason: string }

const TASKSET_TIMEOUT_MS = 10_000

/**
 * Pins the timed phase: picks the CPU this process may use that is idle most (see leastBusy) for
 * the runs, and moves the gate to the others. Never throws: anything that does not work is a reason not to pin.
 */
export async function pinTimedPhase(
  platform: NodeJS.Platform = process.platform,
): Promise<Pinning> {
  const refusal = linuxOnlyRefusal(process.env, platform)
  if (refusal !== null)
    return { pinned: false, reason: `sched affinity is Linux-only (${refusal})` }
  const allowed = await allowedCpus(process.pid)
  if (allowed === null)
    return { pinned: false, reason: 'the CPUs this process may use are unknown' }
  let taskset: string
  try {
    taskset = resolveTool('taskset')
  } catch {
    return { pinned: false, reason: 'taskset (util-linux) is not installed' }
  }
  const cpu = await leastBusy(allowed)
  const prefix = [taskset, '-c', String(cpu)]
  const probe = await runTaskset([...prefix, '/bin/true'])
  if (probe !== null) return { pinned: false, reason: `taskset could not pin a process: ${probe}` }
  const others = allowed.filter((c) => c !== cpu)
  let gateCpus: number[] = []
  if (others.length > 0) {
    const moved = await runTaskset([
      taskset,
      '-a',
      '-p',
      '-c',
      cpuList(others),
      String(process.pid),
    ])
    if (moved === null) gateCpus = others
  }
  return {
    pinned: true,
    cpu,
    prefix,
    gateCpus,
    async release() {
      if (gateCpus.length === 0) return
      await runTaskset([taskset, '-a', '-p', '-c', cpuList(allowed), String(process.pid)])
    },
  }
}

/**
 * Of `cpus`, the one that was idle most over a short look at /proc/stat (the last of them on a
 * tie): a process of someone else that keeps a CPU busy is then left its own, instead of sharing
 * it with the timed runs.
 */
export async function leastBusy(cpus: readonly number[], lookMs = 100): Promise<number> {
  const before = await idleTicks()
  await new Promise((resolve) => setTimeout(resolve, lookMs))
  const after = await idleTicks()
  let best = cpus.at(-1)!
  let bestIdle = -1
  for (const cpu of cpus) {
    const idle = (after.get(cpu) ?? 0) - (before.get(cpu) ?? 0)
    if (idle > bestIdle || (idle === bestIdle && cpu > best)) {
      best = cpu
      bestIdle = idle
    }
  }
  return best
}

/** Each CPU's idle + iowait ticks so far, from /proc/stat (empty when it cannot be read). */
async function idleTicks(): Promise<Map<number, number>> {
  const ticks = new Map<number, number>()
  try {
    for (const line of (await readFile('/proc/stat', 'utf8')).split('\n')) {
      const m = /^cpu(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/.exec(line)
      if (m) ticks.set(Number(m[1]), Number(m[5]) + Number(m[6]))
    }
  } catch {
    // No /proc/stat: every CPU looks alike, and the last one is taken.
  }
  return ticks
}

/** The CPUs process `pid` may run on (its Cpus_allowed_list), or null when unknown. */
export async function allowedCpus(pid: number): Promise<number[] | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const line = /^Cpus_allowed_list:\s*(.+)$/m.exec(status)
    return line ? parseCpuList(line[1]!) : null
  } catch {
    return null
  }
}

/** "0-3,6,8-9" -> [0, 1, 2, 3, 6, 8, 9]; null when it is not such a list. */
export function parseCpuList(text: string): number[] | null {
  const cpus = new Set<number>()
  for (const part of text.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part)
    if (!m) return null
    const from = Number(m[1])
    const to = m[2] === undefined ? from : Number(m[2])
    if (to < from || to - from > 4096) return null
    for (let c = from; c <= to; c++) cpus.add(c)
  }
  return cpus.size > 0 ? [...cpus].sort((a, b) => a - b) : null
}

/** [0, 1, 2, 5] -> "0,1,2,5" (taskset's -c list). */
export function cpuList(cpus: readonly number[]): string {
  return cpus.join(',')
}

/** Runs taskset; null when it worked, else what went wrong, in one line. */
async function runTaskset(argv: string[]): Promise<string | null> {
  return whyFailed(await exec({ argv, env: { PATH: SYSTEM_PATH }, timeoutMs: TASKSET_TIMEOUT_MS }))
}
