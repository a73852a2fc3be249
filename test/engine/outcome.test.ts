// Outcome rules, on plain data: what a run's exit code, signal, output and verdict message mean.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  classifyFunctionRun,
  classifyShellRun,
  lastMeaningfulLine,
  normalizeCheckReturn,
  readChannelMessage,
} from '../../src/engine/outcome.ts'
import type { SpawnResult } from '../../src/run/process.ts'

const NONCE = '0123456789abcdef0123456789abcdef'

/** A run that exited 0 with no output; override what the case is about. */
function run(over: Partial<SpawnResult> & { text?: string } = {}): SpawnResult {
  const { text = '', ...rest } = over
  return {
    exitCode: 0,
    signal: null,
    timedOut: false,
    spawnError: null,
    aborted: false,
    durationMs: 12,
    output: { head: text, tail: '', bytes: text.length, truncated: false, log_path: null },
    score: null,
    channel: null,
    channelNonce: null,
    killedLeftovers: false,
    ...rest,
  }
}

/** A function-host run whose fd 3 carried these messages, each with the right nonce. */
function hostRun(messages: object[], over: Partial<SpawnResult> = {}): SpawnResult {
  const channel = messages.map((m) => `${JSON.stringify({ nonce: NONCE, ...m })}\n`).join('')
  return run({ channel, channelNonce: NONCE, ...over })
}

const shell = (r: SpawnResult, scoreKey: string | null = null) =>
  classifyShellRun(r, { timeoutMs: 5000, scoreKey })
const fn = (r: SpawnResult) => classifyFunctionRun(r, { timeoutMs: 5000 })

describe('normalizeCheckReturn', () => {
  test('accepts a boolean', () => {
    assert.deepEqual(normalizeCheckReturn(true), {
      ok: true,
      passed: true,
      reason: null,
      score: null,
    })
    assert.deepEqual(normalizeCheckReturn(false), {
      ok: true,
      passed: false,
      reason: null,
      score: null,
    })
  })
  test('accepts { passed, reason?, score? }', () => {
    assert.deepEqual(normalizeCheckReturn({ passed: false, reason: 'lost 3', score: 0.25 }), {
      ok: true,
      passed: false,
      reason: 'lost 3',
      score: 0.25,
    })
    assert.deepEqual(normalizeCheckReturn({ passed: true, reason: null }), {
      ok: true,
      passed: true,
      reason: null,
      score: null,
    })
  })
  test('accepts [passed, reason?, score?]', () => {
    assert.deepEqual(normalizeCheckReturn([true]), {
      ok: true,
      passed: true,
      reason: null,
      score: null,
    })
    assert.deepEqual(normalizeCheckReturn([false, 'why', -2]), {
      ok: true,
      passed: false,
      reason: 'why',
      score: -2,
    })
  })
  const rejected: Array<[string, unknown, RegExp]> = [
    ['a string', 'yes', /returned the string "yes"; a check must return/],
    ['undefined', undefined, /returned undefined;/],
    ['null', null, /returned null;/],
    ['a number', 1, /returned the number 1;/],
    ['an empty array', [], /returned an array of length 0;/],
    ['a long array', [true, 'a', 1, 2], /returned an array of length 4;/],
    [
      'an object without passed',
      { ok: true, why: 'x' },
      /object with keys ok, why and no "passed"/,
    ],
    [
      'passed that is not a boolean',
      { passed: 1 },
      /passed = the number 1; passed must be true or false/,
    ],
    [
      'a non-string reason',
      { passed: true, reason: 42 },
      /reason = the number 42; reason must be a string/,
    ],
    [
      'a NaN score sent as a string',
      { passed: true, score: 'NaN' },
      /score = the string "NaN"; score must be a finite number/,
    ],
    ['an infinite score', [true, null, Infinity], /score = the number Infinity/],
  ]
  for (const [what, value, pattern] of rejected) {
    test(`rejects ${what}, naming what was returned`, () => {
      const n = normalizeCheckReturn(value)
      assert.equal(n.ok, false)
      assert.match(n.reason ?? '', pattern)
    })
  }
})

describe('classifyShellRun', () => {
  test('exit 0 is PASSED and scores 1 without score_from', () => {
    assert.deepEqual(shell(run()), { outcome: 'PASSED', reason: 'exited with code 0', score: 1 })
  })
  test('a non-zero exit is FAILED with the code and the last meaningful line, scoring 0', () => {
    const text =
      'running 3 tests\nAssertionError: expected 2, got 3\n    at foo (a.js:1:1)\n\nNode.js v24.1.0\n'
    assert.deepEqual(shell(run({ exitCode: 1, text })), {
      outcome: 'FAILED',
      reason: 'exited with code 1: AssertionError: expected 2, got 3',
      score: 0,
    })
  })
  test('the score comes from score_from, on PASSED and on FAILED', () => {
    assert.deepEqual(shell(run({ score: 3 }), 'passed'), {
      outcome: 'PASSED',
      reason: 'exited with code 0; passed=3',
      score: 3,
    })
    assert.equal(shell(run({ exitCode: 1, score: 0.5 }), 'passed').score, 0.5)
  })
  test('exit 0 without the score_from key printed is ERROR', () => {
    assert.deepEqual(shell(run(), 'passed'), {
      outcome: 'ERROR',
      reason: "score_from 'passed' was never printed as passed=<number> on stdout",
      score: null,
    })
  })
  test('a signal is CRASHED, naming it', () => {
    const r = shell(run({ exitCode: null, signal: 'SIGSEGV' }))
    assert.deepEqual(r, {
      outcome: 'CRASHED',
      reason: 'killed by SIGSEGV (segmentation fault)',
      score: null,
    })
    assert.match(
      shell(run({ exitCode: null, signal: 'SIGKILL' })).reason,
      /SIGKILL \(possibly the kernel's OOM killer\)/,
    )
  })
  test("a shell's 128+N exit for a crash signal is CRASHED", () => {
    const r = shell(run({ exitCode: 139 }))
    assert.equal(r.outcome, 'CRASHED')
    assert.match(r.reason, /code 139: a process it ran was killed by SIGSEGV/)
  })
  test('V8 heap exhaustion is CRASHED as out of JavaScript heap memory', () => {
    const text =
      '<--- Last few GCs --->\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n'
    for (const r of [
      run({ exitCode: null, signal: 'SIGABRT', text }),
      run({ exitCode: 134, text }),
    ]) {
      const c = shell(r)
      assert.equal(c.outcome, 'CRASHED')
      assert.match(c.reason, /ran out of JavaScript heap memory/)
    }
  })
  test('over budget is TIMEOUT, whatever the exit', () => {
    const r = shell(run({ timedOut: true, exitCode: null, signal: 'SIGKILL' }))
    assert.deepEqual(r, {
      outcome: 'TIMEOUT',
      reason: 'exceeded its 5 s budget and was killed',
      score: null,
    })
    assert.match(
      classifyShellRun(run({ timedOut: true }), { timeoutMs: 1500, scoreKey: null }).reason,
      /1\.5 s budget/,
    )
  })
  test('exit 127 with "not found" is ERROR naming the command (dash, bash, zsh)', () => {
    for (const text of [
      '/bin/sh: 1: tsc-nope: not found\n',
      'bash: line 1: tsc-nope: command not found\n',
      'zsh: command not found: tsc-nope\n',
    ]) {
      assert.deepEqual(shell(run({ exitCode: 127, text })), {
        outcome: 'ERROR',
        reason: 'command not found: tsc-nope',
        score: null,
      })
    }
  })
  test('exit 127 without "not found" is an ordinary failure', () => {
    assert.equal(shell(run({ exitCode: 127, text: 'custom\n' })).outcome, 'FAILED')
  })
  test('exit 126 is ERROR: not executable', () => {
    const r = shell(run({ exitCode: 126, text: '/bin/sh: 1: ./run.sh: Permission denied\n' }))
    assert.deepEqual(r, {
      outcome: 'ERROR',
      reason: 'command not executable: ./run.sh (permission denied)',
      score: null,
    })
  })
  test('a process that could not start is ERROR', () => {
    const r = shell(run({ exitCode: null, spawnError: 'ENOENT: command not found: /nope' }))
    assert.deepEqual(r, {
      outcome: 'ERROR',
      reason: 'could not start: ENOENT: command not found: /nope',
      score: null,
    })
  })
  test('an aborted run is ERROR, saying it was cancelled', () => {
    const r = shell(
      run({ exitCode: null, signal: 'SIGTERM', aborted: true, spawnError: 'aborted' }),
    )
    assert.equal(r.outcome, 'ERROR')
    assert.match(r.reason, /cancelled/)
  })
})

describe('classifyFunctionRun', () => {
  test('a returned object is the verdict, with its reason and score', () => {
    assert.deepEqual(
      fn(hostRun([{ type: 'return', value: { passed: false, reason: 'lost 2', score: 0.5 } }])),
      {
        outcome: 'FAILED',
        reason: 'lost 2',
        score: 0.5,
      },
    )
  })
  test('a returned boolean scores 1 or 0', () => {
    assert.deepEqual(fn(hostRun([{ type: 'return', value: true }])), {
      outcome: 'PASSED',
      reason: 'returned true',
      score: 1,
    })
    assert.equal(fn(hostRun([{ type: 'return', value: false }])).score, 0)
  })
  test('the exit code does not matter once the verdict arrived', () => {
    assert.equal(fn(hostRun([{ type: 'return', value: true }], { exitCode: 3 })).outcome, 'PASSED')
  })
  test('an exit without a message is CRASHED, even with code 0', () => {
    assert.deepEqual(fn(run()), {
      outcome: 'CRASHED',
      reason: 'exited (code 0) without delivering a verdict',
      score: null,
    })
    const r = fn(
      run({ exitCode: 1, text: 'Error: async boom\n    at x (y.js:1:1)\n\nNode.js v24.1.0\n' }),
    )
    assert.equal(r.reason, 'exited (code 1) without delivering a verdict: Error: async boom')
  })
  test('a throw is ERROR with the error message', () => {
    const r = fn(
      hostRun([{ type: 'throw', name: 'RangeError', message: 'bad amount\nsecond line' }]),
    )
    assert.deepEqual(r, {
      outcome: 'ERROR',
      reason: 'threw RangeError: bad amount second line',
      score: null,
    })
  })
  test('an invalid return value is ERROR naming it', () => {
    const r = fn(hostRun([{ type: 'return', value: 'yes' }]))
    assert.equal(r.outcome, 'ERROR')
    assert.match(r.reason, /^returned the string "yes"/)
  })
  test('bad-return and host-error messages are ERROR with their message', () => {
    assert.deepEqual(fn(hostRun([{ type: 'bad-return', message: 'returned a function' }])), {
      outcome: 'ERROR',
      reason: 'returned a function',
      score: null,
    })
    assert.equal(
      fn(hostRun([{ type: 'host-error', message: 'checks module m: does not exist' }])).reason,
      'checks module m: does not exist',
    )
  })
  test('a promise that can never settle is CRASHED', () => {
    const r = fn(hostRun([{ type: 'stalled' }]))
    assert.equal(r.outcome, 'CRASHED')
    assert.match(r.reason, /never finished/)
  })
  test('a message without the nonce is not a verdict', () => {
    const forged = `${JSON.stringify({ type: 'return', value: true })}\n`
    const r = fn(run({ channel: forged, channelNonce: NONCE }))
    assert.equal(r.outcome, 'CRASHED')
    assert.match(r.reason, /1 message on the verdict channel did not come from the host/)
  })
  test('a forged message before the real one does not change the verdict', () => {
    const forged = `${JSON.stringify({ type: 'return', nonce: 'guess', value: true })}\n`
    const real = `${JSON.stringify({ type: 'return', nonce: NONCE, value: false })}\n`
    const r = fn(run({ channel: forged + real, channelNonce: NONCE }))
    assert.equal(r.outcome, 'FAILED')
    assert.match(r.reason, /did not come from the host and was ignored/)
  })
  test('a signal or a heap OOM without a verdict is CRASHED', () => {
    assert.match(fn(run({ exitCode: null, signal: 'SIGSEGV' })).reason, /^killed by SIGSEGV/)
    const text = 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory'
    assert.match(
      fn(run({ exitCode: null, signal: 'SIGABRT', text })).reason,
      /out of JavaScript heap memory/,
    )
  })
  test('TIMEOUT and spawn errors come first', () => {
    assert.equal(
      fn(hostRun([{ type: 'return', value: true }], { timedOut: true })).outcome,
      'TIMEOUT',
    )
    assert.equal(fn(run({ spawnError: 'ENOENT: command not found: node' })).outcome, 'ERROR')
  })
})

describe('readChannelMessage', () => {
  const line = (m: object) => `${JSON.stringify(m)}\n`
  test('nothing on the channel is no message and no problem', () => {
    assert.deepEqual(readChannelMessage(null, null), { message: null, problem: null })
    assert.deepEqual(readChannelMessage('', NONCE), { message: null, problem: null })
  })
  test('an incomplete last line does not count', () => {
    const r = readChannelMessage(
      JSON.stringify({ type: 'return', nonce: NONCE, value: true }),
      NONCE,
    )
    assert.equal(r.message, null)
    assert.match(r.problem ?? '', /did not come from the host/)
  })
  test('two authentic messages are no verdict', () => {
    const m = line({ type: 'return', nonce: NONCE, value: true })
    const r = readChannelMessage(m + m, NONCE)
    assert.equal(r.message, null)
    assert.match(r.problem ?? '', /2 verdict messages arrived where exactly one is allowed/)
  })
  test('without a nonce, exactly one well-formed message is required', () => {
    assert.equal(
      readChannelMessage(line({ type: 'return', value: true }), null).message?.type,
      'return',
    )
    const two = line({ type: 'return', value: false }) + line({ type: 'return', value: true })
    assert.equal(readChannelMessage(two, null).message, null)
  })
})

describe('lastMeaningfulLine', () => {
  const out = (head: string, tail = '', truncated = false) => ({
    head,
    tail,
    bytes: head.length + tail.length,
    truncated,
    log_path: null,
  })
  test('skips npm boilerplate, stack frames and ANSI colours', () => {
    const text =
      '\u001b[31mnot ok 1 - adds\u001b[0m\nnpm error code 1\nnpm error path /x\nnpm error command failed\nnpm error command sh -c node --test\n'
    assert.equal(lastMeaningfulLine(out(text)), 'not ok 1 - adds')
  })
  test('reads the tail after the head, and a line split between them when nothing was dropped', () => {
    assert.equal(lastMeaningfulLine(out('first\nsec', 'ond\n')), 'second')
    assert.equal(lastMeaningfulLine(out('first\n', 'last line\n', true)), 'last line')
  })
  test('is short', () => {
    assert.equal(lastMeaningfulLine(out(`${'x'.repeat(500)}\n`)).length, 160)
  })
})
