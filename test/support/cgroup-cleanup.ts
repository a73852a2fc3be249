/** Removing the cgroups a test user's gate had delegated to it through sudo (--cgroup-sudo). */
import { spawnSync } from 'node:child_process'
import { readdirSync, rmdirSync } from 'node:fs'
import { join } from 'node:path'

/** The cgroups --cgroup-sudo left for `uid` (empty once the gate has exited), removed. */
export function removeDelegatedCgroups(uid: number): void {
  for (const hierarchy of [
    '/sys/fs/cgroup/pids',
    '/sys/fs/cgroup/memory',
    '/sys/fs/cgroup/cpuacct',
    '/sys/fs/cgroup',
  ]) {
    let names: string[] = []
    try {
      names = readdirSync(hierarchy).filter((n) => n.startsWith(`quorum-delegated-${uid}-`))
    } catch {
      continue
    }
    for (const name of names) {
      // Deepest first: rmdir of a cgroup fails while it has children.
      const dirs = spawnSync('find', [join(hierarchy, name), '-depth', '-type', 'd'], {
        encoding: 'utf8',
      }).stdout.split('\n')
      for (const dir of dirs.filter(Boolean)) {
        try {
          rmdirSync(dir)
        } catch {
          // a cgroup still in use: left for the machine's end
        }
      }
    }
  }
}
