/**
 * Containment, round two: what a hostile check can read, hide from the key, write past its
 * budget, or reach without a file, played against the real CLI as root and as an ordinary user.
 *
 * As on a runner, the clone, the working directory and the CLI's TMPDIR live under the gate
 * user's HOME (`/home/<user>/work/...`), not under /tmp (a check's /tmp is private, so a path
 * there would prove nothing). Every assertion is about the host: a secret that must not appear
 * in what the check could print, a file that must not grow, a socket that must see no
 * connection, a verdict that must equal the one a run without the cache gives.
 *
 * To see these fail against another version of the CLI: QUORUM_HOSTILE_SOURCE=<its tree>.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { describe, test, type TestContext } from 'node:test'
import type { Report, RunResult } from '../../src/engine/types.ts'
import { abstractSocketsScoped } from '../../src/run/sandbox-core.ts'
import {
  actorEnv,
  giveTo,
  hostileSkipReason,
  overlaySkipReason,
  randomName,
  runCli,
  withActor,
  type Actor,
  type ActorKind,
  type CliResult,
} from '../support/as-user.ts'
import { diskUsage } from '../support/disk-usage.ts'

const SKIP = hostileSkipReason()
const ACTORS: readonly ActorKind[] = ['root', 'user']

/** A clone laid out as on a runner, owned by the actor. */
interface Clone {
  /** `~/work`: the CLI's working directory (its `.quorum/` holds the cache and the logs). */
  work: string
  /** `~/work/repo`: the candidate tree. */
  cand: string
  /** The CLI's TMPDIR (the workspace goes there), also under HOME. */
  tmp: string
  config: string
  json: string
  env: Record<string, string>
}

async function scenario(
  t: TestContext,
  who: ActorKind,
  body: (a: Actor, c: Clone) => Promise<void>,
): Promise<void> {
  await withActor(t, who, async (a) => {
    const why = await overlaySkipReason(a)
    if (why) {
      t.skip(why)
      return
    }
    mkdirSync(a.home, { recursive: true, mode: 0o755 })
    const work = join(a.home, 'work')
    const c: Clone = {
      work,
      cand: join(work, 'repo'),
      tmp: join(a.home, 'tmp'),
      config: join(work, 'quorum.yml'),
      json: join(work, 'report.json'),
      env: {},
    }
    for (const d of [c.work, c.cand, c.tmp]) mkdirSync(d, { recursive: true })
    c.env = actorEnv(a, c.tmp)
    giveTo(a, a.home)
    await body(a, c)
  })
}

interface GateRun {
  r: CliResult
  report: Report
  why: string
}

async function gate(a: Actor, c: Clone, config: string, args: string[] = []): Promise<GateRun> {
  writeFileSync(c.config, config)
  giveTo(a, a.home)
  rmSync(c.json, { force: true })
  const r = await runCli(
    a,
    ['verify', '--candidate', c.cand, '--config', c.config, '--json', c.json, ...args],
    { cwd: c.work, env: c.env, timeoutMs: 180_000 },
  )
  const why = `exit ${r.status ?? r.signal}\n--- stderr\n${r.stderr.slice(-3000)}\n--- stdout\n${r.stdout.slice(-3000)}`
  assert.ok(existsSync(c.json), `no JSON report\n${why}`)
  return { r, report: JSON.parse(readFileSync(c.json, 'utf8')) as Report, why }
}

function run(g: GateRun, check: string): RunResult {
  const found = g.report.checks.find((x) => x.name === check)
  assert.ok(found?.candidate, `no candidate run of ${check}\n${g.why}`)
  return found.candidate
}

function said(g: GateRun, check: string): string {
  const r = run(g, check)
  return `${r.output.head}${r.output.tail}`
}

/** The attack as a shell script in the candidate, run by `sh attack.sh`. */
function plant(a: Actor, c: Clone, name: string, lines: string[]): void {
  writeFileSync(join(c.cand, name), ['echo attack-ran', ...lines, ''].join('\n'))
  giveTo(a, c.cand)
}

function yaml(lines: string[]): string {
  return `${lines.join('\n')}\n`
}

describe('reads follow an allow list', { skip: SKIP ?? false }, () => {
  for (const who of ACTORS) {
    test(`a check cannot read the CLI's signing secret, its cache or its logs, so it cannot forge a cached PASSED, as ${who}`, async (t) => {
      await scenario(t, who, async (a, c) => {
        const secretFile = join(a.home, '.cache', 'quorum', 'result-secret')
        const cache = join(c.work, '.quorum', 'cache')
        const logs = join(c.work, '.quorum', 'logs')
        plant(a, c, 'attack.sh', [
          `printf 'secret=%s\\n' "$(base64 -w0 '${secretFile}' 2>&1)"`,
          `printf 'cache=%s\\n' "$(ls -R '${cache}' 2>&1 | tr '\\n' ' ')"`,
          `printf 'logs=%s\\n' "$(ls -R '${logs}' 2>&1 | tr '\\n' ' ')"`,
          'exit 1',
        ])
        const config = yaml(['checks:', '  - name: attack', '    command: sh attack.sh'])
        // The first run leaves a failing result in the cache and a log; the second reads them.
        await gate(a, c, config)
        const g = await gate(a, c, config, ['--seed', 'again'])
        const out = said(g, 'attack')
        assert.match(out, /attack-ran/, g.why)
        assert.ok(existsSync(secretFile), 'the CLI made no signing secret')
        const secret = readFileSync(secretFile).toString('base64')
        assert.ok(!out.includes(secret), `the check read the signing secret:\n${out}`)
        const entries = readdirSync(cache, { recursive: true }).map(String)
        assert.ok(entries.length > 0, 'nothing was cached')
        for (const entry of entries.filter((e) => e.length > 8)) {
          assert.ok(!out.includes(entry.split('/').pop()!), `the check listed the cache:\n${out}`)
        }
        const logNames = readdirSync(logs, { recursive: true }).map(String)
        assert.ok(
          logNames.some((n) => n.endsWith('.log')),
          'no log was kept',
        )
        for (const name of logNames.filter((n) => n.endsWith('.log'))) {
          assert.ok(!out.includes(name.split('/').pop()!), `the check listed the logs:\n${out}`)
        }
      })
    })

    test(`a check reads nothing of any home but its own tools, as ${who}`, async (t) => {
      await scenario(t, who, async (a, c) => {
        const marker = (what: string) => `${what}-${randomBytes(6).toString('hex')}`
        const mine = marker('OWN-HOME')
        writeFileSync(join(a.home, 'notes.txt'), `${mine}\n`)
        const other = join('/home', randomName('qother'))
        t.after(() => rmSync(other, { recursive: true, force: true }))
        mkdirSync(other, { mode: 0o755 })
        const theirs = marker('OTHER-HOME')
        writeFileSync(join(other, 'diary.txt'), `${theirs}\n`, { mode: 0o644 })
        const rootFile = join('/root', randomName('quorum-test-'))
        t.after(() => rmSync(rootFile, { force: true }))
        const roots = marker('ROOT-HOME')
        writeFileSync(rootFile, `${roots}\n`, { mode: 0o644 })
        // A tool installed under HOME, as nvm or pyenv do: bin/ on PATH, its data beside it.
        const prefix = join(a.home, '.tools', 'mytool')
        mkdirSync(join(prefix, 'bin'), { recursive: true })
        mkdirSync(join(prefix, 'share'), { recursive: true })
        writeFileSync(join(prefix, 'share', 'data.txt'), 'TOOL-DATA-OK\n')
        writeFileSync(
          join(prefix, 'bin', 'mytool'),
          `#!/bin/sh\ncat "$(dirname "$0")/../share/data.txt"\n`,
          { mode: 0o755 },
        )
        // cargo keeps its registry token beside bin/: the prefix is shown, the token is not.
        const cargo = join(a.home, '.cargo')
        mkdirSync(join(cargo, 'bin'), { recursive: true })
        const token = marker('CARGO-TOKEN')
        writeFileSync(join(cargo, 'credentials.toml'), `token = "${token}"\n`)
        writeFileSync(join(cargo, 'bin', 'cargo-hello'), '#!/bin/sh\necho CARGO-TOOL-OK\n', {
          mode: 0o755,
        })
        giveTo(a, a.home)
        c.env = {
          ...c.env,
          PATH: `${join(prefix, 'bin')}:${join(cargo, 'bin')}:${c.env.PATH}`,
        }
        plant(a, c, 'attack.sh', [
          `cat '${join(a.home, 'notes.txt')}' '${join(other, 'diary.txt')}' '${rootFile}' 2>&1`,
          `ls -a '${a.home}' /home /root 2>&1`,
          'mytool',
          'cargo-hello',
          `cat '${join(cargo, 'credentials.toml')}' 2>&1`,
        ])
        const g = await gate(
          a,
          c,
          yaml(['checks:', '  - name: attack', '    command: sh attack.sh']),
        )
        const out = said(g, 'attack')
        assert.match(out, /attack-ran/, g.why)
        assert.match(out, /CARGO-TOOL-OK/, `a tool under ~/.cargo/bin did not work:\n${out}`)
        for (const secret of [mine, theirs, roots, token]) {
          assert.ok(!out.includes(secret), `the check read ${secret}:\n${out}`)
        }
        assert.doesNotMatch(out, /^notes\.txt$/m, `the check listed the real HOME:\n${out}`)
        assert.match(out, /TOOL-DATA-OK/, `a tool under HOME on PATH did not work:\n${out}`)
        assert.equal(run(g, 'attack').outcome, 'PASSED', g.why)
      })
    })

    test(`read_only_paths shows what the config names under a home, read-only, as ${who}`, async (t) => {
      await scenario(t, who, async (a, c) => {
        mkdirSync(join(a.home, 'extra'))
        writeFileSync(join(a.home, 'extra', 'readme'), 'EXTRA-OK\n')
        giveTo(a, a.home)
        plant(a, c, 'read.sh', [
          `cat '${join(a.home, 'extra', 'readme')}'`,
          `echo changed > '${join(a.home, 'extra', 'readme')}' || echo not-written`,
        ])
        const g = await gate(
          a,
          c,
          yaml([
            'read_only_paths: ["~/extra"]',
            'checks:',
            '  - name: read',
            '    command: sh read.sh',
          ]),
        )
        const out = said(g, 'read')
        assert.match(out, /EXTRA-OK/, `read_only_paths did not show ~/extra:\n${out}`)
        assert.match(out, /not-written/, out)
        assert.equal(readFileSync(join(a.home, 'extra', 'readme'), 'utf8'), 'EXTRA-OK\n')
      })
    })

    test(`a command that exists on this machine but not in the sandbox says why and what to do, as ${who}`, async (t) => {
      await scenario(t, who, async (a, c) => {
        const venv = join('/tmp', randomName('quorum-venv-'))
        t.after(() => rmSync(venv, { recursive: true, force: true }))
        mkdirSync(join(venv, 'bin'), { recursive: true, mode: 0o755 })
        chmodSync(venv, 0o755)
        const tool = join(venv, 'bin', 'python')
        writeFileSync(tool, '#!/bin/sh\necho hello\n', { mode: 0o755 })
        const g = await gate(a, c, yaml(['checks:', '  - name: py', `    command: ${tool} -V`]))
        const r = run(g, 'py')
        assert.equal(r.outcome, 'ERROR', g.why)
        assert.match(r.reason, /exists on this machine, but \/tmp is private to each run/, r.reason)
        assert.match(r.reason, /read_only_paths/, r.reason)
      })
    })
  }
})

describe('the key covers everything a check can see', { skip: SKIP ?? false }, () => {
  for (const who of ACTORS) {
    test(`a candidate that differs only in .quorum/ gets the verdict it gets without the cache, as ${who}`, async (t) => {
      await scenario(t, who, async (a, c) => {
        const impl = join(c.cand, '.quorum', 'impl.sh')
        mkdirSync(join(c.cand, '.quorum'))
        writeFileSync(join(c.cand, 'src.txt'), 'one\n')
        // The test passes when .quorum/impl.sh says so, read by relative or absolute path.
        plant(a, c, 'test.sh', [`cat .quorum/impl.sh '${impl}' 2>/dev/null | grep -q pass-me`])
        const config = yaml(['checks:', '  - name: tests', '    command: sh test.sh'])
        writeFileSync(impl, 'pass-me\n')
        giveTo(a, c.cand)
        const first = await gate(a, c, config)
        assert.match(said(first, 'tests'), /attack-ran/, first.why)

        writeFileSync(impl, 'fail-me\n')
        giveTo(a, c.cand)
        const cached = await gate(a, c, config)
        const fresh = await gate(a, c, config, ['--no-cache'])
        assert.equal(
          run(cached, 'tests').outcome,
          run(fresh, 'tests').outcome,
          `with the cache: ${run(cached, 'tests').outcome}${run(cached, 'tests').reused_from ? ' (reused)' : ''}; without: ${run(fresh, 'tests').outcome}\n${cached.why}`,
        )
        assert.equal(cached.report.verdict, fresh.report.verdict)

        // The other way: a change to a file the check sees is a new key, so the check runs.
        writeFileSync(join(c.cand, 'src.txt'), 'two\n')
        giveTo(a, c.cand)
        const changed = await gate(a, c, config)
        assert.equal(run(changed, 'tests').reused_from, undefined, changed.why)
        // And an unchanged tree is reused (the cache works at all).
        const again = await gate(a, c, config)
        assert.ok(run(again, 'tests').reused_from, `an unchanged tree was not reused\n${again.why}`)
      })
    })
  }
})

describe('disk_mb bounds every write', { skip: SKIP ?? false }, () => {
  for (const who of ACTORS) {
    test(`with disk_mb: 32, writes to the tree, HOME, TMPDIR, /tmp, /var/tmp, /dev/shm and the run area stay under 32 MiB, files included, as ${who}`, async (t) => {
      await scenario(t, who, async (a, c) => {
        const MIB = 1024 * 1024
        const targets = [
          '../big',
          './big',
          '"$HOME"/big',
          '"$TMPDIR"/big',
          '/tmp/big',
          '/var/tmp/big',
          '/dev/shm/big',
        ]
        plant(a, c, 'attack.sh', [
          ...targets.map((p) => `head -c 24M /dev/zero > ${p} 2>/dev/null && echo "wrote ${p}"`),
          'for d in .. .; do mkdir -p "$d/many" 2>/dev/null; i=0; while [ $i -lt 20000 ] && true > "$d/many/$i" 2>/dev/null; do i=$((i + 1)); done; echo "files in $d: $i"; done',
          // Long enough for the host to look at its disk while everything is still there.
          'sleep 3',
        ])
        const before = diskUsage(c.tmp)
        let most = before
        const sampler = setInterval(() => {
          most = Math.max(most, diskUsage(c.tmp))
        }, 100)
        let g: GateRun
        try {
          g = await gate(
            a,
            c,
            yaml([
              'disk_mb: 32',
              'checks:',
              '  - name: attack',
              '    command: sh attack.sh',
              '    timeout_s: 60',
            ]),
          )
        } finally {
          clearInterval(sampler)
        }
        const out = said(g, 'attack')
        assert.match(out, /attack-ran/, g.why)
        assert.ok(
          most - before < 8 * MIB,
          `the run's writes reached the disk: ${((most - before) / MIB).toFixed(1)} MiB under its TMPDIR\n${out}`,
        )
        const wrote = out.match(/^wrote /gm)?.length ?? 0
        assert.ok(wrote <= 1, `${wrote} writes of 24 MiB succeeded under disk_mb: 32:\n${out}`)
        for (const m of out.matchAll(/^files in (\S+): (\d+)$/gm)) {
          assert.ok(Number(m[2]) < 20_000, `20,000 files were created in ${m[1]}:\n${out}`)
        }
        assert.match(out, /^files in \.\.: \d+$/m, out)
      })
    })
  }
})

const ABSTRACT_CJS = `// node abstract.cjs <name>: connects to the abstract unix socket \\0<name>, says how it went
const s = require('node:net').connect('\\0' + process.argv[2])
s.setTimeout(5000, () => { console.log('connect: timeout'); s.destroy() })
s.on('connect', () => { console.log('connect: connected'); s.end('hello') })
s.on('error', (e) => console.log('connect: ' + e.code))
`

function listenAbstract(name: string, onConnection: () => void): Promise<Server> {
  const server = createServer((socket) => {
    onConnection()
    socket.destroy()
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(`\0${name}`, () => resolve(server))
  })
}

describe('abstract unix sockets', { skip: SKIP ?? false }, () => {
  for (const who of ACTORS) {
    test(`with the default network a check cannot reach a host daemon's abstract socket, as ${who}`, async (t) => {
      if (!abstractSocketsScoped()) {
        t.skip('this kernel cannot scope abstract sockets (Landlock ABI 6, Linux 6.12+)')
        return
      }
      await scenario(t, who, async (a, c) => {
        const name = randomName('quorum-test-')
        let connections = 0
        const server = await listenAbstract(name, () => connections++)
        t.after(() => server.close())
        writeFileSync(join(c.cand, 'abstract.cjs'), ABSTRACT_CJS)
        plant(a, c, 'attack.sh', [`"${a.node}" abstract.cjs '${name}'`])
        const g = await gate(
          a,
          c,
          yaml(['checks:', '  - name: attack', '    command: sh attack.sh']),
        )
        const out = said(g, 'attack')
        assert.match(out, /attack-ran/, g.why)
        assert.match(out, /connect: /, `the attempt did not run:\n${out}`)
        // The server sees a connection as soon as the kernel accepts it; give it a moment.
        await new Promise((r) => setImmediate(r))
        assert.equal(connections, 0, `the check reached the host's abstract socket:\n${out}`)
      })
    })
  }
})
