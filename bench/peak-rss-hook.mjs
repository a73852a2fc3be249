// Preloaded into the gate's own process by the benchmark (`node --import <this> <cli> ...`): when
// that process exits, it writes its peak resident memory to $QUORUM_BENCH_PEAK_FILE. The gate
// builds its children's environment from an allowlist, so checks never see the variable.
import { readFileSync, writeFileSync } from 'node:fs'

const target = process.env.QUORUM_BENCH_PEAK_FILE
if (target) {
  process.on('exit', () => {
    const status = readFileSync('/proc/self/status', 'utf8')
    const vmhwm = /^VmHWM:\s*(\d+)\s*kB$/m.exec(status)
    writeFileSync(
      target,
      JSON.stringify({
        vmhwm_kib: vmhwm ? Number(vmhwm[1]) : null,
        max_rss_kib: process.resourceUsage().maxRSS,
      }),
    )
  })
}
