import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { neutralizeWorkflowCommands, toRunnerLog } from '../../src/report/log-safe.ts'
import { BREAK } from '../../src/report/sanitize.ts'

// A model of how the GitHub Actions runner reads a step's output, written from its documented
// behaviour: lines end at \n, \r or \r\n; a `::cmd ...::data` command is recognised when the line,
// with leading .NET whitespace trimmed, starts with `::` and has a second `::`; the legacy
// `##[cmd ...]data` form is recognised wherever `##[` occurs in a line.
const DOTNET_WHITESPACE =
  /^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*/

function runnerCommands(text: string): string[] {
  const found: string[] = []
  for (const line of text.split(/\r\n|\r|\n/)) {
    const trimmed = line.replace(DOTNET_WHITESPACE, '')
    if (trimmed.startsWith('::') && trimmed.indexOf('::', 2) > 0) found.push(line)
    else if (line.includes('##[') && line.indexOf(']', line.indexOf('##[')) > 0) found.push(line)
  }
  return found
}

// Real command syntaxes a hostile check might print.
const COMMANDS = [
  '::error::forged',
  '::error file=src/app.ts,line=1,col=2::forged annotation',
  '::warning title=x::w',
  '::notice::n',
  '::debug::d',
  '::add-mask::secret-value',
  '::stop-commands::pwned',
  '::pwned::',
  '::set-output name=verdict::allow',
  '::save-state name=x::y',
  '::set-env name=NODE_OPTIONS::--require=/tmp/x.js',
  '::add-path::/tmp/evil',
  '::group::fake group',
  '::endgroup::',
  '::echo::on',
  '##[error]forged',
  '##[group]fake',
  '##[endgroup]',
  '##[warning]w',
  '##[section]s',
  '##[command]rm -rf /',
  '##[set-output name=verdict;]allow',
  '##vso[task.setvariable variable=x]y',
]

// Everything the runner might trim before a command, or that hides one.
const PREFIXES = [
  '',
  ' ',
  '\t',
  '   \t ',
  '\u00A0',
  '\u3000',
  '\u2003',
  '\u0085',
  '\u000B',
  '\u000C',
]

describe('neutralizeWorkflowCommands', () => {
  test('the runner model recognises the raw commands (so the test can fail)', () => {
    for (const prefix of PREFIXES) {
      for (const command of COMMANDS.filter((c) => !c.startsWith('##vso'))) {
        assert.equal(runnerCommands(prefix + command).length, 1, JSON.stringify(prefix + command))
      }
    }
  })

  test('no real command syntax survives, whatever leading whitespace it has', () => {
    for (const prefix of PREFIXES) {
      const text = COMMANDS.map((c) => prefix + c).join('\n')
      assert.deepEqual(runnerCommands(neutralizeWorkflowCommands(text)), [])
    }
  })

  test('##[ is broken anywhere in a line, as the legacy parser finds it anywhere', () => {
    const out = neutralizeWorkflowCommands('progress 50% ##[error]forged in the middle')
    assert.deepEqual(runnerCommands(out), [])
    assert.equal(out.replaceAll(BREAK, ''), 'progress 50% ##[error]forged in the middle')
  })

  test('a command after a carriage return or CRLF is still caught', () => {
    const text = 'harmless\r::error::after cr\r\n::add-mask::after crlf\u2028::notice::after ls'
    assert.deepEqual(runnerCommands(neutralizeWorkflowCommands(text)), [])
  })

  test('a command after a BOM or other invisible characters is caught too', () => {
    const out = neutralizeWorkflowCommands('\uFEFF::error::bom\n\u200B::error::zwsp')
    assert.equal(
      out.split('\n').every((l) => !l.replace(/^[\uFEFF\u200B]/, '').startsWith('::')),
      true,
    )
  })

  test('the text still reads the same: only an invisible character is added', () => {
    const text = COMMANDS.join('\n')
    assert.equal(neutralizeWorkflowCommands(text).replaceAll(BREAK, ''), text)
  })

  test('ordinary output, including :: in the middle of a line, is untouched', () => {
    const text = 'std::vector<int> v;\nhttp://x::y\nA::B::C is fine\n'
    assert.equal(neutralizeWorkflowCommands(text), text)
  })

  test('stays linear on a flood of blank lines and long whitespace', () => {
    const text = '\n'.repeat(500_000) + ' '.repeat(500_000) + 'x'
    const started = performance.now()
    neutralizeWorkflowCommands(text)
    assert.ok(performance.now() - started < 2000)
  })
})

describe('toRunnerLog', () => {
  test('strips escapes and controls, then neutralizes commands they were hiding', () => {
    // Removing the NUL and the colour codes joins the colons into a command.
    const text = ':\u0000:error::joined\n\u001b[31m::add-mask::x\u001b[0m\nok\u0007'
    const out = toRunnerLog(text)
    assert.ok(!/[\u0000-\u0008\u000B-\u001F\u007F]/.test(out))
    assert.deepEqual(runnerCommands(out), [])
    assert.ok(out.endsWith('\nok'))
  })

  test('a carriage return cannot overwrite the previous line', () => {
    assert.equal(toRunnerLog('secret\rHIDDEN'), 'secret\nHIDDEN')
  })
})
