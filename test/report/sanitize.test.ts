import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  BREAK,
  breakHtmlComments,
  clip,
  clipStart,
  codeFence,
  codeSpan,
  htmlText,
  inlineText,
  neutralizeReferences,
  stripControl,
  tableCell,
  tailLines,
} from '../../src/report/sanitize.ts'

// What GitHub's mention filter looks for: @ after a non-word character, then a login.
const MENTION = /(?:^|[^\w])@[a-z0-9][a-z0-9-]*/i
const ISSUE_REF = /(?:^|[^\w])#\d+|\bGH-\d+/i
const AUTOLINK = /https?:\/\/|www\./i

describe('stripControl', () => {
  test('removes SGR colours, cursor movement and screen clearing, keeping the text', () => {
    assert.equal(stripControl('\u001b[31mred\u001b[0m \u001b[2J\u001b[Hcleared'), 'red cleared')
  })

  test('removes OSC 8 hyperlinks and window titles, payload included', () => {
    const osc = '\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007 \u001b]0;pwned\u001b\\ok'
    assert.equal(stripControl(osc), 'click ok')
  })

  test('removes an unterminated OSC to the end rather than leaking its payload', () => {
    assert.equal(stripControl('a\u001b]0;title without end'), 'a')
  })

  test('removes 8-bit CSI, C0/C1 controls, DEL and bidi overrides but keeps \\n and \\t', () => {
    const input = 'a\u009b31mb\u0000c\u0007d\u007fe\u0085f\u202eg\u2066h\ti\nj\bk'
    assert.equal(stripControl(input), 'abcde\nfgh\ti\njk')
  })

  test('turns carriage returns into line breaks so nothing can overwrite a line', () => {
    assert.equal(
      stripControl('progress 10%\rprogress 100%\r\ndone'),
      'progress 10%\nprogress 100%\ndone',
    )
  })

  test('replaces lone surrogates so the result is well-formed UTF-16', () => {
    assert.equal(stripControl('a\ud800b').isWellFormed(), true)
  })
})

describe('clip', () => {
  test('leaves short text alone and cuts long text with an ellipsis within the limit', () => {
    assert.equal(clip('hello', 5), 'hello')
    assert.equal(clip('hello world', 6), 'hello…')
    assert.equal(clip('hello world', 6).length, 6)
  })

  test('never splits a surrogate pair', () => {
    const cut = clip('ab😀cd', 4)
    assert.equal(cut.isWellFormed(), true)
    assert.ok(cut.length <= 4)
  })

  test('clipStart keeps the end', () => {
    assert.equal(clipStart('hello world', 6), '…world')
    assert.equal(clipStart('😀😀😀', 4).isWellFormed(), true)
  })
})

describe('neutralizeReferences', () => {
  test('@user and @org/team no longer look like mentions but read the same', () => {
    const out = neutralizeReferences('ping @octocat and @github/security-team')
    assert.doesNotMatch(out, MENTION)
    assert.equal(out.replaceAll(BREAK, ''), 'ping @octocat and @github/security-team')
  })

  test('#123, GH-123 and owner/repo#123 no longer look like references', () => {
    const out = neutralizeReferences('fixes #123, GH-7 and octo/repo#9')
    assert.doesNotMatch(out, ISSUE_REF)
    assert.equal(out.replaceAll(BREAK, ''), 'fixes #123, GH-7 and octo/repo#9')
  })

  test('full issue URLs and www. links are not autolinked (no backlinks)', () => {
    const out = neutralizeReferences('see https://github.com/octo/repo/issues/1 or www.example.com')
    assert.doesNotMatch(out, AUTOLINK)
  })

  test('e-mail addresses do not become mailto links', () => {
    assert.doesNotMatch(neutralizeReferences('admin@example.com'), /\w@\w/)
  })
})

describe('inlineText', () => {
  test('escapes HTML so tags and comments are shown, never interpreted', () => {
    const out = inlineText('<img src=x onerror=alert(1)> <!-- quorum:gate=default --> -->')
    assert.doesNotMatch(out, /[<>]/)
    assert.ok(!out.includes('<!--'))
    assert.match(out, /&lt;img src=x onerror=alert\(1\)&gt;/)
  })

  test('escapes & so entities in check text cannot smuggle characters back', () => {
    const out = inlineText('&lt;b&gt; &#64;octocat')
    assert.ok(out.startsWith('&amp;lt;b&amp;gt; &amp;'))
    assert.doesNotMatch(
      out,
      /&(?!amp;|lt;|gt;)/,
      'every & in the output starts one of our entities',
    )
  })

  test('escapes markdown punctuation: pipes, code, emphasis, links, math', () => {
    assert.equal(
      inlineText('| a | `b` *c* _d_ [e](f) ~g~ $h$'),
      '\\| a \\| \\`b\\` \\*c\\* \\_d\\_ \\[e\\](f) \\~g\\~ \\$h\\$',
    )
  })

  test('neutralizes a leading list, quote or heading marker', () => {
    assert.equal(inlineText('- item'), '\\- item')
    assert.equal(inlineText('1. item'), '1\\. item')
    assert.match(inlineText('> quote'), /^&gt;/)
    assert.match(inlineText('# heading'), /^\\#/)
  })

  test('joins lines, strips escapes and cuts to the limit', () => {
    assert.equal(inlineText('one\ntwo\r\n\u001b[1mthree\u001b[0m'), 'one two three')
    assert.equal(inlineText('x'.repeat(1000), 10), `${'x'.repeat(9)}…`)
  })

  test('breaks mentions and references', () => {
    const out = inlineText('@octocat see #1')
    assert.doesNotMatch(out, MENTION)
    assert.doesNotMatch(out, /#\d/)
  })
})

describe('tableCell', () => {
  test('cannot add or split cells: pipes escaped, newlines removed', () => {
    const cell = tableCell('| a | b |\nnext line')
    assert.equal(cell.includes('\n'), false)
    assert.equal(cell.replaceAll('\\|', '').includes('|'), false)
  })

  test('keeps the cell non-empty and bounded', () => {
    assert.equal(tableCell(''), ' ')
    assert.ok(tableCell('y'.repeat(5000), 200).length <= 200)
  })
})

describe('htmlText', () => {
  test('escapes HTML and breaks mentions without corrupting entities', () => {
    const out = htmlText(`<b>@octocat</b> it's #1`)
    assert.equal(out, `&lt;b&gt;@${BREAK}octocat&lt;/b&gt; it&#39;s #${BREAK}1`)
  })
})

describe('breakHtmlComments', () => {
  test('no untrusted text can contain an HTML comment opener afterwards', () => {
    const out = breakHtmlComments('<!-- quorum:gate=default --> <!DOCTYPE x> <![CDATA[')
    assert.ok(!out.includes('<!'))
  })
})

describe('codeSpan', () => {
  test('uses a backtick run longer than any in the content', () => {
    assert.equal(codeSpan('a ``` b'), '````a ``` b````')
    assert.equal(codeSpan('`x`'), '`` `x` ``')
  })

  test('escapes pipes only inside tables and never contains a comment opener', () => {
    assert.equal(codeSpan('a|b', { inTable: true }), '`a\\|b`')
    assert.equal(codeSpan('a|b'), '`a|b`')
    assert.ok(!codeSpan('<!-- quorum:gate=default -->').includes('<!--'))
  })

  test('is one line and never empty', () => {
    assert.equal(codeSpan('a\nb'), '`a b`')
    assert.equal(codeSpan(''), '` `')
  })
})

describe('codeFence', () => {
  test('content with ``` (or longer runs) cannot close the fence', () => {
    const content = 'before\n```\nescaped?\n`````\nafter'
    const fenced = codeFence(content)
    const fence = fenced.slice(0, fenced.indexOf('text'))
    assert.equal(fence, '``````')
    const inner = fenced.split('\n').slice(1, -1)
    for (const line of inner) assert.ok(!line.startsWith(fence), `line closes the fence: ${line}`)
    assert.ok(fenced.endsWith(`\n${fence}`))
  })

  test('uses at least three backticks and the info string we choose', () => {
    assert.equal(codeFence('plain', 'sh'), '```sh\nplain\n```')
  })

  test('strips escapes and breaks comment openers, keeping the rest literal', () => {
    const fenced = codeFence('\u001b[31m<!-- quorum:gate=default -->\u001b[0m @octocat #1')
    assert.ok(!fenced.includes('\u001b'))
    assert.ok(!fenced.includes('<!--'))
    assert.ok(fenced.includes('@octocat #1'), 'code is not rendered, so mentions stay as printed')
  })
})

describe('tailLines', () => {
  test('keeps the last lines within the line and character caps', () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n')
    const tail = tailLines(text, { maxLines: 3, maxChars: 1000 })
    assert.equal(tail.text, 'line 97\nline 98\nline 99')
    assert.equal(tail.totalLines, 100)
    assert.equal(tail.keptLines, 3)
    assert.ok(tailLines(text, { maxLines: 100, maxChars: 30 }).text.length <= 30)
  })

  test('cuts long lines and drops trailing blank lines', () => {
    const tail = tailLines(`${'z'.repeat(1000)}\n\n\n`, {
      maxLines: 5,
      maxChars: 5000,
      maxLineLength: 50,
    })
    assert.equal(tail.text.length, 50)
  })

  test('handles megabytes of output quickly and boundedly', () => {
    const huge = 'x'.repeat(80) + '\n'
    const text = huge.repeat(30_000)
    const started = performance.now()
    const tail = tailLines(text, { maxLines: 10, maxChars: 2000 })
    assert.ok(performance.now() - started < 2000)
    assert.equal(tail.keptLines, 10)
    assert.equal(tail.totalLines, 30_000)
  })

  test('reports an empty tail for whitespace-only output', () => {
    assert.equal(tailLines('\n\n  \n', { maxLines: 5, maxChars: 100 }).text, '')
  })
})
