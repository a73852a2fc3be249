/**
 * Golden files for the report views: fixtures in test/fixtures/report/ hold input reports (JSON)
 * and the outputs they must render to. UPDATE_GOLDEN=1 rewrites the outputs instead of comparing;
 * review the diff before committing.
 */
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { CheckReport, Report } from '../../src/engine/types.ts'
import type { ViewContext } from '../../src/report/context.ts'

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'report')

/** The context every golden is rendered with. */
export const GOLDEN_CTX: ViewContext = {
  gateName: 'default',
  headSha: '9a1b2c3d4e5f60718293a4b5c6d7e8f901234567',
  checkRunUrl: 'https://github.com/acme/shop/runs/123',
  reportUrl: 'https://github.com/acme/shop/actions/runs/9/attempts/1#summary',
  treeRoot: '/home/runner/work/shop/shop',
  repoUrl: 'https://github.com/acme/shop',
}

/** Reads an input report from the fixtures. */
export function loadReport(name: string): Report {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Report
}

/**
 * The line the hostile fixture floods with: every hostile construct on one line, so a view that
 * shows any of the flood shows all of them.
 */
export const FLOOD_LINE =
  '\u001b[33mflood\u001b[0m @octocat #1 <!-- quorum:gate=default --> --> ::error::forged ##[error]x ``` | a |\n'

/**
 * The hostile fixture with its "flood" check's captured tail inflated to 2 MB. Kept out of the
 * JSON so the fixture stays readable; the inflation is deterministic, so goldens are stable.
 */
export function loadHostileReport(): Report {
  const report = loadReport('hostile')
  const flood = report.checks.find((c) => c.name === 'flood')
  assert.ok(flood, 'hostile fixture has a check named flood')
  const target = 2 * 1024 * 1024
  const lines: string[] = []
  let size = 0
  for (let i = 0; size < target; i++) {
    const line = `${i} ${FLOOD_LINE}`
    lines.push(line)
    size += line.length
  }
  const tail = lines.join('')
  flood.candidate.output = {
    ...flood.candidate.output,
    tail,
    bytes: flood.candidate.output.head.length + tail.length + 5_000_000,
    truncated: true,
  }
  return report
}

export interface HugeOptions {
  checks: number
  /** Every `failEvery`-th check fails (1 = all fail). */
  failEvery: number
  reasonChars?: number
  outputLines?: number
  /** Text each output line is made of. */
  outputUnit?: string
}

/** A report with many checks, long reasons and long outputs, built from a real fixture. */
export function hugeReport(options: HugeOptions): Report {
  const report = loadReport('pass-fail-block')
  const template = report.checks[1] as CheckReport
  const unit = options.outputUnit ?? 'x'
  const line = unit.repeat(Math.ceil(150 / unit.length))
  report.checks = Array.from({ length: options.checks }, (_, i) => {
    const failing = i % options.failEvery === 0
    const output = Array.from({ length: options.outputLines ?? 0 }, (_, j) => `${j} ${line}`).join(
      '\n',
    )
    return {
      ...template,
      name: `check_${String(i).padStart(5, '0')}_${'n'.repeat(40)}`,
      change: failing ? 'regressed' : 'still-passing',
      candidate: {
        ...template.candidate,
        outcome: failing ? 'FAILED' : 'PASSED',
        reason: `reason ${i} ${'r'.repeat(options.reasonChars ?? 50)}`,
        output: {
          head: output,
          tail: '',
          bytes: output.length,
          truncated: false,
          log_path: `/logs/${i}.log`,
        },
      },
    }
  })
  return report
}

/** Compares `actual` with the golden file `name`, or rewrites it when UPDATE_GOLDEN=1. */
export function expectGolden(name: string, actual: string): void {
  const path = join(FIXTURES, name)
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(path, actual)
    return
  }
  assert.ok(existsSync(path), `missing golden ${path}; run with UPDATE_GOLDEN=1 and review it`)
  assert.equal(actual, readFileSync(path, 'utf8'), `${name} differs from its golden file`)
}
