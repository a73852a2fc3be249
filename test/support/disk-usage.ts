// How much of the disk a directory takes, for host-side checks that a run's writes stayed off it.
import { lstatSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

/** Bytes allocated on disk under dir (what `du` counts), 0 for what vanished meanwhile. */
export function diskUsage(dir: string): number {
  let total = 0
  const walk = (path: string) => {
    let st
    try {
      st = lstatSync(path)
    } catch {
      return
    }
    total += st.blocks * 512
    if (!st.isDirectory()) return
    let names: string[] = []
    try {
      names = readdirSync(path)
    } catch {
      return
    }
    for (const name of names) walk(join(path, name))
  }
  walk(dir)
  return total
}
