// Issue 20, item 6: when the CLI runs checks in copy sandboxes, the first line it prints says so,
// and what that means; with overlay sandboxes there is no such line.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { copySandboxLine } from '../src/report/format.ts'

const CLI = join(import.meta.dirname, '..', 'src', 'bin', 'quorum.ts')
const root = mkdtempSync(join(tmpdir(), 'quorum-copy-line-'))
after(() => rmSync(root, { recursive: true, force: true }))

const candidate = join(root, 'candidate')
mkdirSync(candidate)
writeFileSync(join(candidate, 'a.txt'), 'a\n')
const config = join(root, 'quorum.yml')
writeFileSync(config, 'checks:\n  - name: reads\n    command: "test -f a.txt"\n')

function quorum(...extra: string[]) {
  const tmp = mkdtempSync(join(root, 'tmp-'))
  return spawnSync(
    process.execPath,
    [
      CLI,
      'verify',
      '--candidate',
      candidate,
      '--config',
      config,
      ...(extra.includes('--cache') ? [] : ['--no-cache']),
      ...extra,
    ],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', TMPDIR: tmp, XDG_CACHE_HOME: join(root, 'xdg') },
      timeout: 120_000,
      killSignal: 'SIGKILL',
    },
  )
}

const COPY_LINE = /^copy sandbox: /m

describe('the copy sandbox says what it is', () => {
  test('--sandbox copy: the first line printed names it, once, and the run goes on', () => {
    const r = quorum('--sandbox', 'copy')
    assert.equal(r.status, 0, r.stderr)
    const first = r.stderr.split('\n')[0]
    assert.equal(first, copySandboxLine(null))
    assert.match(first!, /read and write whatever you can/)
    assert.match(first!, /signal it \(copies were asked for\)$/)
    assert.equal(r.stderr.match(/^copy sandbox: /gm)?.length, 1)
    // The report on stdout is unchanged: its header names the sandbox.
    assert.doesNotMatch(r.stdout, COPY_LINE)
    assert.match(r.stdout, /· sandbox copy$/m)
  })

  test('--quiet keeps it: it is a warning, not progress', () => {
    const r = quorum('--sandbox', 'copy', '--quiet')
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stderr.split('\n')[0], copySandboxLine(null))
  })

  test('every result reused, nothing run: the line still comes first', () => {
    const cache = ['--cache', join(root, 'cache'), '--sandbox', 'copy']
    const first = quorum(...cache)
    assert.equal(first.status, 0, first.stderr)
    const again = quorum(...cache)
    assert.equal(again.status, 0, again.stderr)
    assert.match(again.stdout, /\[reused\]/)
    assert.equal(again.stderr.split('\n')[0], copySandboxLine(null))
  })

  test('a usage error the gate finds (an unknown --only) stays one line: nothing ran', () => {
    const r = quorum('--sandbox', 'copy', '--only', 'nosuch')
    assert.equal(r.status, 2, r.stderr)
    assert.deepEqual(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.match(r.stderr, /^quorum: unknown check "nosuch"/)
  })

  test('--sandbox overlay: no such line', (t) => {
    const r = quorum('--sandbox', 'overlay')
    if (r.status !== 0 && /overlay sandboxes are not available here/.test(r.stderr)) {
      t.skip('overlay sandboxes are not available on this machine')
      return
    }
    // Whatever the check's outcome: the point is what the CLI prints around it.
    assert.match(r.stdout, /· sandbox overlay$/m, r.stderr)
    assert.doesNotMatch(r.stderr, COPY_LINE)
    assert.doesNotMatch(r.stdout, COPY_LINE)
  })

  test('the line: one line, the reason clipped and stripped of control characters', () => {
    const line = copySandboxLine(`overlayfs needs Linux\n\u001b[31m${'x'.repeat(500)}`)
    assert.doesNotMatch(line, /[\n\u001b]/)
    assert.match(line, /\(no overlay sandbox here: overlayfs needs Linux x+…\)$/)
    assert.ok(line.length < 320, `${line.length} characters`)
    assert.match(copySandboxLine(''), /\(copies were asked for\)$/)
  })
})
