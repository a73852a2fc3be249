// When the audit's runs run, through the real gate and real sandboxes: behind the normal runs in
// the same scheduler, filling slots as those free them, and only after every normal run has ended
// when a check measures timings (an audit run beside them would slow one tree's samples).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomInt } from 'node:crypto'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { configInCode } from '../src/engine/config.ts'
import type { CheckSpec, MetricSpec } from '../src/engine/types.ts'
import { runGate, type GateEvent } from '../src/gate.ts'
import { removeTree } from '../src/run/sandbox.ts'

const root = mkdtempSync(join(tmpdir(), 'quorum-audit-schedule-'))
after(() => removeTree(root))

function tree(name: string): string {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'app.txt'), 'app\n')
  return dir
}

function shell(name: string, command: string, metrics?: MetricSpec[]): CheckSpec {
  return {
    kind: 'shell',
    name,
    command,
    timeout_s: 30,
    score_from: null,
    env: {},
    ...(metrics ? { metrics } : {}),
  }
}

/** Runs the gate with the vacuity probe and returns its events in order. */
async function events(
  checks: CheckSpec[],
  onEvent: (event: GateEvent) => void = () => {},
): Promise<GateEvent[]> {
  const seen: GateEvent[] = []
  const report = await runGate({
    config: configInCode({ checks }),
    candidateDir: tree(`cand-${checks.length}-${Math.random()}`),
    baselineDir: tree(`base-${checks.length}-${Math.random()}`),
    audit: ['vacuity'],
    parallel: 3,
    logDir: join(root, 'logs'),
    onEvent: (event) => {
      seen.push(event)
      onEvent(event)
    },
  })
  assert.equal(report.verdict, 'allow', report.reasons.join('; '))
  return seen
}

const index = (list: GateEvent[], match: (e: GateEvent) => boolean) => list.findIndex(match)

describe('the audit in the gate’s scheduler', () => {
  test('an audit run starts in a slot a finished normal run freed, while others still run', async () => {
    // `fast` passes on the baseline first; its probe takes the next free slot while `slow` runs.
    // `slow` sleeps until that probe has started, however long it takes to come, then ends (its
    // sleep killed from outside by its unique argv: runs have a /proc of their own). A probe that
    // waited for slow would find it still asleep a minute later, after its normal runs. On the
    // empty tree (its own probe) slow fails at once instead.
    const sleeper = `sleep 60.${randomInt(1000, 10_000)}`
    let probing = false
    let killing = false
    // pkill runs beside the gate, never blocking the event loop the gate runs on.
    const wake = setInterval(() => {
      if (!probing || killing) return
      killing = true
      spawn('pkill', ['-f', `^${sleeper.replace('.', '\\.')}$`], { stdio: 'ignore' })
        .on('error', () => (killing = false))
        .on('exit', () => (killing = false))
    }, 100)
    let seen: GateEvent[]
    try {
      seen = await events(
        [
          shell('fast', 'true'),
          { ...shell('slow', `[ -f app.txt ] || exit 1; ${sleeper}; true`), timeout_s: 120 },
        ],
        (e) => {
          if (e.type === 'start' && e.audit !== undefined && e.check === 'fast') probing = true
        },
      )
    } finally {
      clearInterval(wake)
    }
    const probe = index(
      seen,
      (e) => e.type === 'start' && e.audit !== undefined && e.check === 'fast',
    )
    const slowDone = index(
      seen,
      (e) => e.type === 'finish' && e.audit === undefined && e.check === 'slow',
    )
    assert.ok(probe >= 0 && slowDone >= 0)
    assert.ok(probe < slowDone, 'the probe of fast started before slow’s normal runs ended')
  })

  test('with a check that measures timings, no audit run starts before every normal run ended', async () => {
    const timing: MetricSpec = {
      name: 't_ms',
      direction: 'lower',
      tolerance: { kind: 'relative', fraction: 0.1 },
      deterministic: false,
    }
    const seen = await events([
      shell('fast', 'true'),
      shell('slow', 'sleep 1.5; echo t_ms=1500', [timing]),
    ])
    const firstAudit = index(seen, (e) => e.type === 'start' && e.audit !== undefined)
    const lastNormal = seen.findLastIndex((e) => e.type === 'finish' && e.audit === undefined)
    assert.ok(firstAudit >= 0, 'the probe ran')
    assert.ok(firstAudit > lastNormal, 'the probe waited for the normal runs')
  })
})
