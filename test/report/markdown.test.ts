import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Report } from '../../src/engine/types.ts'
import type { ViewContext } from '../../src/report/context.ts'
import { parseProvenance } from '../../src/report/comment-markers.ts'
import { COMMENT_MAX_CHARS } from '../../src/report/limits.ts'
import {
  markCommentOutdated,
  renderCheckRun,
  renderComment,
  renderSummary,
  safeUrl,
} from '../../src/report/markdown.ts'
import { GOLDEN_CTX, hugeReport, loadHostileReport, loadReport } from './golden.ts'

const MARKER = '<!-- quorum:gate=default -->'
const HEAD = '9a1b2c3d4e5f60718293a4b5c6d7e8f901234567'
const HEAD_LINE = `<!-- quorum:head=${HEAD} run=77.2 -->`
/** The context of a comment the action posts: it names the workflow run. */
const RUN_CTX: ViewContext = { ...GOLDEN_CTX, run: { id: 77, attempt: 2 } }
const OUR_TAGS = /<\/?(?:details|summary|b|sub)>/g

interface Split {
  /** Markdown outside fenced code blocks and code spans: what GitHub renders as text/HTML. */
  prose: string
  /** Contents of fenced code blocks. */
  code: string[]
  /** True when every fence that opened was closed. */
  balanced: boolean
}

/** Separates code from prose the way CommonMark does for backtick fences and code spans. */
function splitCode(markdown: string): Split {
  const prose: string[] = []
  const code: string[] = []
  let fence: string | null = null
  let block: string[] = []
  for (const line of markdown.split('\n')) {
    if (fence === null) {
      const open = /^(`{3,})[^`]*$/.exec(line)
      if (open) {
        fence = open[1] ?? null
        block = []
      } else {
        prose.push(line)
      }
    } else if (new RegExp(`^${fence}\`*\\s*$`).test(line)) {
      code.push(block.join('\n'))
      fence = null
    } else {
      block.push(line)
    }
  }
  return { prose: removeCodeSpans(prose.join('\n')), code, balanced: fence === null }
}

/**
 * Replaces code spans with a space: a run of n backticks not preceded by a backslash escape opens
 * a span that the next run of exactly n backticks closes; an unmatched run is literal text.
 */
function removeCodeSpans(text: string): string {
  let out = ''
  let i = 0
  while (i < text.length) {
    const c = text[i]
    if (c === '\\') {
      out += text.slice(i, i + 2)
      i += 2
      continue
    }
    if (c !== '`') {
      out += c
      i++
      continue
    }
    let n = 0
    while (text[i + n] === '`') n++
    const closer = new RegExp(`(?<!\`)\`{${n}}(?!\`)`, 'g')
    closer.lastIndex = i + n
    const close = closer.exec(text)
    if (close === null) {
      out += text.slice(i, i + n)
      i += n
    } else {
      out += ' '
      i = close.index + n
    }
  }
  return out
}

function views(report: Report, ctx: ViewContext = GOLDEN_CTX): Record<string, string> {
  const run = renderCheckRun(report, ctx)
  return {
    comment: renderComment(report, ctx),
    'check run summary': run.summary,
    'check run text': run.text,
    'job summary': renderSummary(report, ctx),
  }
}

const HOSTILE = loadHostileReport()
const ALL: Record<string, Report> = {
  'all-pass': loadReport('all-pass'),
  'pass-fail-block': loadReport('pass-fail-block'),
  scored: loadReport('scored'),
  hostile: HOSTILE,
}

describe('the hidden marker', () => {
  test('is line 1 of the comment and appears nowhere else, even when checks print it', () => {
    for (const [name, report] of Object.entries(ALL)) {
      const comment = renderComment(report, GOLDEN_CTX)
      assert.equal(comment.split('\n')[0], MARKER, name)
      assert.equal(comment.indexOf(MARKER, 1), -1, `${name}: a second marker`)
      assert.equal(comment.indexOf('<!--', 1), -1, `${name}: a second comment opener`)
    }
  })

  test('the hostile fixture really does contain the marker text (so the test above can fail)', () => {
    const raw = JSON.stringify(HOSTILE)
    assert.ok(raw.includes(MARKER))
    assert.ok(HOSTILE.checks.some((c) => c.candidate.output.tail.includes(MARKER)))
  })

  test('no other view contains a comment opener at all', () => {
    for (const [name, report] of Object.entries(ALL)) {
      const { comment: _comment, ...rest } = views(report)
      for (const [view, text] of Object.entries(rest)) {
        assert.equal(text.includes('<!--'), false, `${name}: ${view}`)
      }
    }
  })

  test('with the workflow run, line 2 records head and run, and a check cannot forge another', () => {
    const report = loadReport('hostile')
    const forged = '<!-- quorum:head=ffffffffffffffffffffffffffffffffffffffff run=999999.9 -->'
    report.reasons.unshift(forged)
    report.checks[0]!.candidate.output.head = `${forged}\n${report.checks[0]!.candidate.output.head}`
    const comment = renderComment(report, RUN_CTX)
    const lines = comment.split('\n')
    assert.deepEqual(lines.slice(0, 2), [MARKER, HEAD_LINE])
    assert.deepEqual(parseProvenance(comment), { headSha: HEAD, runId: 77n, runAttempt: 2n })
    assert.equal(comment.split('<!--').length - 1, 2, 'only our two hidden lines')
    assert.ok(comment.includes('quorum:head=ffff'), 'the forged text is shown, broken')
  })

  test('a head sha or run that could break out of the hidden line is refused', () => {
    const report = loadReport('all-pass')
    assert.throws(() => renderComment(report, { ...RUN_CTX, headSha: 'x -->' }), RangeError)
    assert.throws(
      () => renderComment(report, { ...RUN_CTX, run: { id: '1 --> <b>', attempt: 1 } }),
      RangeError,
    )
    assert.throws(() => renderComment(report, { ...GOLDEN_CTX, gateName: 'a --> b' }), RangeError)
  })
})

describe('an outdated comment', () => {
  test('gets a warning after the hidden lines, the rest unchanged', () => {
    const comment = renderComment(loadReport('pass-fail-block'), RUN_CTX)
    const marked = markCommentOutdated(comment, { report: HEAD, pullRequest: 'e'.repeat(40) })
    assert.ok(marked !== null)
    const [marker, head, ...rest] = comment.split('\n')
    assert.equal(
      marked,
      [
        marker,
        head,
        '> [!WARNING]',
        '> Outdated: this report is for 9a1b2c3d4e5f, but the pull request head is now eeeeeeeeeeee. A newer run will replace it.',
        '',
        ...rest,
      ].join('\n'),
    )
  })

  test('a comment at the size limit still fits once marked: its room was kept', () => {
    const report = hugeReport({ checks: 2000, failEvery: 7, reasonChars: 2000, outputLines: 5 })
    const comment = renderComment(report, RUN_CTX)
    assert.ok(comment.length > COMMENT_MAX_CHARS * 0.9, 'the comment really is near the limit')
    const marked = markCommentOutdated(comment, { report: HEAD, pullRequest: 'e'.repeat(64) })
    assert.ok(marked !== null && marked.length <= COMMENT_MAX_CHARS, `${marked?.length}`)
    assert.equal(marked.slice(-200), comment.slice(-200), 'nothing was cut to make room')
  })
})

describe('untrusted text in the markdown views', () => {
  for (const [name, report] of Object.entries(ALL)) {
    for (const [view, text] of Object.entries(views(report))) {
      test(`${name} / ${view}: fences close, HTML is ours, no mention or reference outside code`, () => {
        // The comment's line 1 is our marker, the only HTML comment allowed.
        const split = splitCode(view === 'comment' ? text.slice(text.indexOf('\n') + 1) : text)
        assert.ok(split.balanced, 'every code fence is closed')
        const tags = split.prose.replace(OUR_TAGS, '')
        assert.equal(/<[a-z!/]/i.test(tags), false, 'no HTML but our own tags')
        assert.doesNotMatch(split.prose, /(?:^|[^\w])@[a-z0-9]/i, 'no @mention')
        assert.doesNotMatch(split.prose, /(?:^|[^\w&])#\d/, 'no #123 reference')
        assert.doesNotMatch(split.prose, /\bGH-\d/i, 'no GH-123 reference')
        assert.doesNotMatch(
          split.prose.replace(/\]\(https:\/\/github\.com\/acme\/shop[^)]*\)/g, ''),
          /https?:\/\/|www\./,
          'no autolink except our own links',
        )
        assert.equal(/\u001b|[\u0000-\u0008\u000B-\u001F\u007F]/.test(text), false, 'no controls')
        assert.equal(
          (text.match(/<details>/g) ?? []).length,
          (text.match(/<\/details>/g) ?? []).length,
          'details balanced',
        )
      })
    }
  }

  test('the hostile prose checks above can fail: the raw fixture has every construct', () => {
    const raw = HOSTILE.reasons.join('\n') + HOSTILE.checks[0]!.candidate.output.head
    for (const needle of ['@octocat', '#1', '<img', '| a | b |', '```', '::error::', '\u001b[']) {
      assert.ok(raw.includes(needle), needle)
    }
  })

  test('table rows always have exactly five cells', () => {
    for (const [name, report] of Object.entries(ALL)) {
      const comment = renderComment(report, GOLDEN_CTX)
      // Table lines of the prose (a `| a | b |` line of output inside a fence is not a row).
      const rows = splitCode(comment)
        .prose.split('\n')
        .filter((l) => l.startsWith('| '))
      assert.equal(rows.length, report.checks.length + 2, name)
      for (const row of rows) {
        const pipes = row.match(/(?<!\\)\|/g) ?? []
        assert.equal(pipes.length, 6, `${name}: ${row}`)
      }
    }
  })

  test('hostile output is shown literally inside a code fence, escapes stripped', () => {
    const comment = renderComment(HOSTILE, GOLDEN_CTX)
    const { code } = splitCode(comment)
    const outputs = code.join('\n')
    for (const needle of [
      '::error::forged',
      '::add-mask::x',
      '##[error]x',
      '| a | b |',
      '<img src=x',
    ]) {
      assert.ok(outputs.includes(needle), needle)
    }
    assert.ok(outputs.includes('```'), 'a triple backtick line is content, not a fence')
  })

  test('the reproduce command survives hostile content intact inside its fence', () => {
    const { code } = splitCode(renderComment(HOSTILE, GOLDEN_CTX))
    assert.ok(code.some((c) => c.startsWith('npx quorum verify --only "@octocat" ```')))
  })
})

describe('comment content', () => {
  const blocked = renderComment(loadReport('pass-fail-block'), GOLDEN_CTX)

  test('headline states the verdict, gate, mode, short head sha and counts', () => {
    const lines = blocked.split('\n')
    assert.equal(lines[1], '### ❌ Quorum blocked this change')
    assert.match(
      blocked,
      /Gate `default` · mode `pass-fail` · head \[`9a1b2c3`\]\(https:\/\/github\.com\/acme\/shop\/commit\/9a1b2c3d4e5f/,
    )
    assert.match(blocked, /4 of 5 checks failing/)
    assert.match(
      renderComment(loadReport('all-pass'), GOLDEN_CTX),
      /### ✅ Quorum allowed this change/,
    )
  })

  test('notices are shown as a warning alert before the reasons', () => {
    const alert = blocked.indexOf('> [!WARNING]\n> quorum.yml changed in this PR')
    assert.ok(alert > 0)
    assert.ok(alert < blocked.indexOf('**Why**'))
  })

  test('every non-passing check has a details block with seed, log and reproduce command', () => {
    const blocks = blocked.split('<details>').slice(1)
    assert.equal(blocks.length, 4)
    for (const block of blocks) {
      assert.match(block, /\*\*Seed\*\* `b-0\d`/)
      assert.match(block, /\*\*log\*\* `\/home\/runner\/work\/_quorum\/logs\/candidate\/\w+\.log`/)
      assert.match(
        block,
        /```sh\nnpx quorum verify --candidate \. --config quorum\.yml --only \w+ --seed b-0\d\n```/,
      )
    }
  })

  test('the footer links to the check run when there is one, and only to safe URLs', () => {
    assert.match(blocked, /\[check run\]\(https:\/\/github\.com\/acme\/shop\/runs\/123\)/)
    const bare = renderComment(loadReport('pass-fail-block'), {
      gateName: 'default',
      checkRunUrl: 'javascript:alert(1)',
      headSha: 'not-a-sha',
    })
    assert.equal(bare.includes('javascript:'), false)
    assert.equal(bare.includes('check run]('), false)
    assert.equal(bare.includes('head '), false)
  })

  test('scored reports show the score totals and per-check deltas', () => {
    const scored = renderComment(loadReport('scored'), GOLDEN_CTX)
    assert.match(
      scored,
      /Score: \*\*1611\*\* on the candidate, \*\*1448\*\* on the baseline \(\+163\)/,
    )
    assert.match(scored, /\| 🔻 regressed \(−1\) \|/)
    assert.match(scored, /\| 🎉 fixed \(\+4\) \|/)
  })
})

describe('check run', () => {
  test('title counts failing checks and states the verdict', () => {
    assert.equal(
      renderCheckRun(loadReport('pass-fail-block'), GOLDEN_CTX).title,
      '4 of 5 checks failing · blocked',
    )
    assert.equal(
      renderCheckRun(loadReport('all-pass'), GOLDEN_CTX).title,
      'all 3 checks passing · allowed',
    )
  })

  test('its text says every check passed only when checks ran and all of them passed', () => {
    assert.equal(
      renderCheckRun(loadReport('all-pass'), GOLDEN_CTX).text,
      'Every check passed on the candidate.',
    )
    // A publisher that refused every artifact: blocked, with no check at all.
    const refused: Report = {
      ...loadReport('all-pass'),
      verdict: 'block',
      reasons: ['quorum-report refused: its head is not the pull request’s head'],
      checks: [],
    }
    assert.equal(
      renderCheckRun(refused, GOLDEN_CTX).text,
      'No check ran on the candidate: the summary says why.',
    )
  })

  test("annotations follow GitHub's shape: columns only on single-line annotations", () => {
    const { annotations } = renderCheckRun(loadReport('pass-fail-block'), GOLDEN_CTX)
    assert.ok(annotations.length > 0)
    for (const a of annotations) {
      assert.ok(a.start_line >= 1 && a.end_line >= a.start_line)
      if (a.start_column !== undefined) assert.equal(a.start_line, a.end_line)
      assert.ok(['notice', 'warning', 'failure'].includes(a.annotation_level))
    }
  })

  test('forged ::error lines in hostile output become annotations only inside the repo', () => {
    const { annotations } = renderCheckRun(HOSTILE, GOLDEN_CTX)
    assert.deepEqual(
      annotations.map((a) => a.path),
      ['src/app.ts'],
    )
  })
})

describe('safeUrl', () => {
  test('accepts http(s) and encodes characters that could end a markdown link', () => {
    assert.equal(safeUrl('https://x.test/a(b)c d'), 'https://x.test/a%28b%29c%20d')
    assert.equal(safeUrl('javascript:alert(1)'), null)
    assert.equal(safeUrl('data:text/html,x'), null)
    assert.equal(safeUrl('not a url'), null)
    assert.equal(safeUrl(null), null)
  })
})
