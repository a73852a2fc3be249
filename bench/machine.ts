/** What the figures were measured on; a benchmark without its machine means little. */
import { readFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os'

export interface MachineInfo {
  cores: number
  cpu_model: string
  kernel: string
  node: string
  memory_gib: number
  /** 1-minute load average when the benchmark started: the machine may be shared. */
  load_at_start: number
}

export function describeMachine(): MachineInfo {
  return {
    cores: availableParallelism(),
    cpu_model: cpuModel(),
    kernel: release(),
    node: process.version,
    memory_gib: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    load_at_start: loadavg()[0] ?? 0,
  }
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))
    if (match?.[1]) return match[1].trim()
  } catch {
    // Not Linux: fall back to what Node reports.
  }
  return cpus()[0]?.model ?? 'unknown'
}

/** One line for the top of the output. */
export function formatMachine(m: MachineInfo): string {
  return (
    `Machine: ${m.cores} cores (${m.cpu_model}), ${m.memory_gib} GiB RAM, ` +
    `Linux ${m.kernel}, Node ${m.node}, load average ${m.load_at_start.toFixed(2)} at start`
  )
}
