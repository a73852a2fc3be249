import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { credentialsIn, hiddenHomes, toolDirsUnder } from '../../src/run/read-allowlist.ts'

/** A HOME with tools laid out as nvm, pyenv, cargo, pip --user and a plain ~/bin do. */
function fakeHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'quorum-home-'))
  for (const dir of [
    '.nvm/versions/node/v24.1.0/bin',
    '.nvm/versions/node/v24.1.0/lib',
    '.pyenv/shims',
    '.pyenv/versions',
    '.cargo/bin',
    '.local/bin',
    '.local/lib',
    '.local/share/keyrings',
    'bin',
  ]) {
    mkdirSync(join(home, dir), { recursive: true })
  }
  return home
}

test('a tool under a hidden HOME is shown with its install prefix, never the home or ~/.local', (t) => {
  const home = fakeHome()
  t.after(() => rmSync(home, { recursive: true, force: true }))
  const path = [
    join(home, '.nvm/versions/node/v24.1.0/bin'),
    join(home, '.pyenv/shims'),
    join(home, '.cargo/bin'),
    join(home, '.local/bin'),
    join(home, 'bin'),
    home,
    '/usr/bin',
    'relative/bin',
  ].join(':')
  const shown = toolDirsUnder([home], { PATH: path, HOME: home })
  const inHome = shown.filter((d) => d.startsWith(home)).sort()
  assert.deepEqual(inHome, [
    join(home, '.cargo'),
    join(home, '.local/bin'),
    join(home, '.local/lib'),
    join(home, '.nvm/versions/node/v24.1.0'),
    join(home, '.pyenv'),
    join(home, 'bin'),
  ])
  // Outside every hidden directory nothing needs showing; the running node may add its own dir.
  assert.ok(!shown.includes('/usr/bin'))
  assert.ok(shown.every((d) => d.startsWith(home) || d.startsWith(dirname(process.execPath))))
  assert.deepEqual(credentialsIn(inHome, [home]).sort(), [
    join(home, '.cargo/credentials'),
    join(home, '.cargo/credentials.toml'),
  ])
})

test('the homes hidden from runs: /home, /root, HOME wherever it is, never /', () => {
  const homes = hiddenHomes({ HOME: '/' })
  assert.ok(!homes.includes('/'))
  for (const dir of ['/home', '/root']) assert.ok(homes.includes(dir), `${dir} is not hidden`)
  const elsewhere = mkdtempSync(join(tmpdir(), 'quorum-home-'))
  try {
    assert.ok(hiddenHomes({ HOME: elsewhere }).includes(elsewhere))
  } finally {
    rmSync(elsewhere, { recursive: true, force: true })
  }
})
