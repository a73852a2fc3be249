/** Process glue for the CLI: real stdio, real signals, real exit code. */
import { runCli } from './run-cli.ts'

/** Runs `quorum` for this process and exits with its code. */
export async function main(): Promise<void> {
  const controller = new AbortController()
  let interrupts = 0
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1
    // The first signal stops every run and removes the sandboxes; a second one means "now".
    if (interrupts > 1) process.exit(130)
    process.stderr.write(`quorum: ${signal}: stopping every run and removing sandboxes...\n`)
    controller.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.on('SIGHUP', onSignal)
  const code = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    interrupt: controller.signal,
  })
  process.exitCode = code
  // Let stdout drain (a big --json -) before exiting; nothing else should keep the loop alive.
  process.stdout.write('', () => process.exit(code))
}
