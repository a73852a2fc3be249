/**
 * From what the probes saw to the doctor's table, and from the table to a verdict. Pure: facts
 * in, rows out; which rows a config relies on is decided here too, so a cached table can be
 * judged against another config without probing again.
 */
import type { GateConfig, SandboxKind } from '../../engine/types.ts'
import type { BaitEvidence } from './bait.ts'
import { FORK_ATTEMPTS, type ProbeLines } from './probe-script.ts'

/** The properties the doctor reports on, in table order. */
export const PROPERTY_IDS = [
  'sandbox',
  'user-namespace',
  'private-proc',
  'read-only-host',
  'hidden-homes',
  'no-capabilities',
  'daemon-sockets',
  'abstract-sockets',
  'cgroups',
  'pids-limit',
  'memory-limit',
  'network-none',
  'apparmor-userns',
  'private-tmp',
] as const
export type PropertyId = (typeof PROPERTY_IDS)[number]

/**
 * `holds`: the attack failed (or the feature works); `fails`: it succeeded (or the feature is
 * missing); `info`: a fact about this machine, nothing to pass or fail.
 */
export const ROW_STATES = ['holds', 'fails', 'info'] as const
export type RowState = (typeof ROW_STATES)[number]

/** When a config relies on a row: always, never, or when it asks for the feature. */
export const NEEDS = ['always', 'never', 'pids_max', 'memory_mb', 'limits', 'network-none'] as const
export type Need = (typeof NEEDS)[number]

/** A row as probed: the same whichever config it is judged against (and what is cached). */
export interface Observation {
  readonly id: PropertyId
  readonly property: string
  readonly state: RowState
  /** The evidence, or why not: one line. */
  readonly detail: string
  readonly need: Need
}

/** A row judged against a config. */
export interface DoctorRow extends Observation {
  /** The config relies on it: a `fails` here is a failure of the doctor (exit 1). */
  readonly required: boolean
}

/** What a config asks for that only some machines give. */
export interface ConfigAsks {
  readonly pids_max: boolean
  readonly memory_mb: boolean
  readonly networkNone: boolean
}

/** What the default config relies on: the sandbox, none of the optional features. */
export const DEFAULT_ASKS: ConfigAsks = { pids_max: false, memory_mb: false, networkNone: false }

/**
 * What `config` asks for: a pids_max or memory_mb it sets itself (top level or in a check: the
 * built-in defaults are applied where cgroups exist, and only noted where not), `network:
 * none` anywhere. Function checks are listed by running their module, so their own keys are not
 * seen here.
 */
export function asksOf(config: GateConfig | null): ConfigAsks {
  if (config === null) return DEFAULT_ASKS
  const limits = [config.limits ?? {}, ...config.checks.map((c) => c.limits ?? {})]
  const set = (key: 'pids_max' | 'memory_mb') =>
    limits.some((l) => l[key] !== undefined && l[key] !== null)
  return {
    pids_max: set('pids_max'),
    memory_mb: set('memory_mb'),
    networkNone: limits.some((l) => l.network === 'none') || config.setup?.network === 'none',
  }
}

/** Whether a config that asks `asks` relies on a row that needs `need`. */
export function isRequired(need: Need, asks: ConfigAsks): boolean {
  switch (need) {
    case 'always':
      return true
    case 'never':
      return false
    case 'pids_max':
      return asks.pids_max
    case 'memory_mb':
      return asks.memory_mb
    case 'limits':
      return asks.pids_max || asks.memory_mb
    case 'network-none':
      return asks.networkNone
  }
}

/** The rows judged against `asks`, and one line per row relied on that does not hold. */
export function judge(
  observations: readonly Observation[],
  asks: ConfigAsks,
): { rows: DoctorRow[]; failures: string[] } {
  const rows = observations.map((o) => ({ ...o, required: isRequired(o.need, asks) }))
  const failures = rows
    .filter((r) => r.required && r.state === 'fails')
    .map((r) => `${r.property} does not hold: ${r.detail}`)
  return { rows, failures }
}

/** One probe run as the doctor saw it. */
export interface ProbeRun {
  /** The run ended by itself (exit 0); otherwise nothing it printed is trusted as complete. */
  readonly completed: boolean
  /** Why not, when it did not complete (the run's reason). */
  readonly why: string
  readonly lines: ProbeLines
}

/** Everything the rows are made from. */
export interface ProbeFacts {
  readonly kind: SandboxKind
  readonly sandboxNote: string | null
  readonly cgroupNote: string | null
  readonly root: boolean
  /** The kernel has Landlock scopes (ABI 6, Linux 6.12+), which overlay runs use. */
  readonly landlock: boolean
  /** kernel.apparmor_restrict_unprivileged_userns, or null where the file does not exist. */
  readonly apparmorUserns: string | null
  readonly main: ProbeRun
  readonly network: ProbeRun
  readonly evidence: BaitEvidence
  readonly targets: {
    readonly hostFile: string
    readonly secretFile: string
    readonly doctorPid: number
    readonly homeSocket: string
    readonly runSocket: string | null
    readonly abstractSocket: string
    readonly tmpTool: string | null
  }
  /** The limits the main run was given. */
  readonly limits: { readonly pidsMax: number; readonly memoryBytes: number }
}

/** The table's rows as probed, in order. */
export function observe(f: ProbeFacts): Observation[] {
  const line = (name: string): readonly string[] | null =>
    f.main.completed ? (f.main.lines.get(name) ?? null) : null
  const noAnswer = `no answer from the probe run (${f.main.completed ? 'it printed nothing for this probe' : f.main.why})`
  const row = (
    id: PropertyId,
    property: string,
    need: Need,
    [state, detail]: [RowState, string],
  ): Observation => ({ id, property, state, detail, need })
  const ev = f.evidence
  const t = f.targets

  const sandbox = ((): [RowState, string] => {
    if (f.kind !== 'overlay') return ['fails', `copy: ${f.sandboxNote ?? 'overlay is not used'}`]
    if (!f.main.completed) return ['fails', `overlay, but the probe run failed: ${f.main.why}`]
    return ['holds', 'overlay: own mount, pid and ipc namespaces, the tree as an overlay']
  })()

  const userns = ((): [RowState, string] => {
    if (f.root) return ['info', 'not needed: root mounts without one']
    if (f.kind === 'overlay') return ['holds', 'runs map this user to itself in a user namespace']
    return ['fails', `no overlay sandbox without one: ${f.sandboxNote ?? 'refused'}`]
  })()

  const proc = ((): [RowState, string] => {
    const l = line('proc')
    if (l === null) return ['fails', noAnswer]
    const [seen, count = '?', init = '?'] = l
    if (seen === 'visible') {
      return [
        'fails',
        `a run saw the doctor's own process (pid ${t.doctorPid}) in /proc, its environment and command line with it`,
      ]
    }
    return [
      'holds',
      `a run sees ${count} processes; pid 1 is ${init}, pid ${t.doctorPid} is not there`,
    ]
  })()

  const readOnly = ((): [RowState, string] => {
    if (ev.hostFileChanged) return ['fails', `a run overwrote ${t.hostFile}`]
    if (ev.planted) return ['fails', `a run created a file next to ${t.hostFile}`]
    const l = line('write-host')
    if (l === null) return ['fails', noAnswer]
    if (l[0] === 'unseen') return ['fails', `${t.hostFile} was not visible to the run: not shown`]
    if (l[0] === 'wrote') return ['fails', `a run reported writing ${t.hostFile}`]
    return ['holds', `a run read ${t.hostFile} and could not change it or add a file`]
  })()

  const homes = ((): [RowState, string] => {
    const l = line('read-home')
    if (l === null) return ['fails', noAnswer]
    if (l[0] === 'read') return ['fails', `a run read ${t.secretFile}`]
    if (l[0] === 'exists')
      return ['fails', `a run could see ${t.secretFile} (not read: permissions)`]
    return ['holds', `${t.secretFile}: not there in a run (every home is an empty mount)`]
  })()

  const caps = ((): [RowState, string] => {
    const l = line('caps')
    if (l === null) return ['fails', noAnswer]
    const [eff = '?', prm = '?', nnp = '?'] = l
    const said = `CapEff ${eff}, CapPrm ${prm}, NoNewPrivs ${nnp}`
    return /^0+$/.test(eff) && /^0+$/.test(prm) ? ['holds', said] : ['fails', `a run holds ${said}`]
  })()

  const sockets = ((): [RowState, string] => {
    const targets = [
      { path: t.homeSocket, probe: 'home-socket', reached: ev.reached.homeSocket },
      ...(t.runSocket === null
        ? []
        : [{ path: t.runSocket, probe: 'run-socket', reached: ev.reached.runSocket }]),
    ]
    const reached = targets.filter((s) => s.reached || line(s.probe)?.[0] === 'reached')
    if (reached.length > 0)
      return ['fails', `a run connected to ${reached.map((s) => s.path).join(' and ')}`]
    if (targets.some((s) => line(s.probe) === null)) return ['fails', noAnswer]
    const where = targets.map((s) => s.path).join(', ')
    return [
      'holds',
      `${where}: not reachable${t.runSocket === null ? ' (no /run socket: /run not writable)' : ''}`,
    ]
  })()

  const abstract = ((): [RowState, string] => {
    const name = `@${t.abstractSocket}`
    if (ev.reached.abstractSocket || line('abstract-socket')?.[0] === 'reached') {
      return [
        'fails',
        f.landlock
          ? `a run connected to ${name} although the kernel has Landlock scopes`
          : `a run connected to ${name}: the kernel has no Landlock scopes (Linux 6.12+); set network: none to close it`,
      ]
    }
    const l = line('abstract-socket')
    if (l === null) return ['fails', noAnswer]
    return ['holds', `${name}: refused (${l.slice(1).join(' ') || l[0]})`]
  })()

  const cgroupLine = line('cgroup')
  const cgroupVersion = cgroupLine?.[0] ?? 'none'
  const cgroups = ((): [RowState, string] => {
    if (f.cgroupNote !== null) return ['fails', `runs get no cgroup: ${f.cgroupNote}`]
    if (cgroupLine === null) return ['fails', noAnswer]
    if (cgroupVersion === 'none') return ['fails', 'a run found no cgroup of its own']
    return ['holds', `cgroup ${cgroupVersion}: every run is a cgroup of its own`]
  })()
  const notEnforced = f.cgroupNote === null ? '' : ` (${f.cgroupNote})`

  const pids = ((): [RowState, string] => {
    const l = line('pids')
    if (l === null) return ['fails', noAnswer]
    const started = Number(l[0])
    const why = l.slice(2).join(' ')
    if (started < FORK_ATTEMPTS) {
      return [
        'holds',
        `pids_max ${f.limits.pidsMax}: the run's fork bomb stopped after ${started} processes (${why})`,
      ]
    }
    return [
      'fails',
      `a run started all ${FORK_ATTEMPTS} processes under pids_max ${f.limits.pidsMax}: not enforced${notEnforced}`,
    ]
  })()

  const memory = ((): [RowState, string] => {
    if (cgroupLine === null) return ['fails', noAnswer]
    const value = cgroupLine[2] ?? 'none'
    const mib = Math.round(f.limits.memoryBytes / 1024 / 1024)
    if (Number(value) === f.limits.memoryBytes) {
      return ['holds', `memory_mb ${mib}: the run's own cgroup says ${value} bytes`]
    }
    return [
      'fails',
      `memory_mb ${mib} asked, the run's cgroup says ${value}: not enforced${notEnforced}`,
    ]
  })()

  const network = ((): [RowState, string] => {
    const l = f.network.completed ? f.network.lines.get('tcp-none') : undefined
    if (ev.reached.tcpNone || l?.[0] === 'reached') {
      return ['fails', 'a run with network: none connected to the host on 127.0.0.1']
    }
    if (l === undefined) {
      return [
        'fails',
        `no answer from the network: none run (${f.network.completed ? 'no line' : f.network.why})`,
      ]
    }
    const control = ev.reached.tcpHost ? '; a run with the host network reached it' : ''
    return [
      'holds',
      `a run with network: none cannot reach 127.0.0.1 of the host (${l.slice(1).join(' ')})${control}`,
    ]
  })()

  const apparmor = ((): [RowState, string] => {
    if (f.apparmorUserns === null) return ['info', 'no apparmor_restrict_unprivileged_userns here']
    if (f.apparmorUserns.trim() === '0')
      return ['info', 'present, 0: user namespaces are not restricted']
    return [
      'info',
      f.root
        ? 'restricts unprivileged user namespaces (1); root does not need one'
        : 'restricts unprivileged user namespaces (1): run `sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0` before the gate',
    ]
  })()

  const tmp = ((): [RowState, string] => {
    const general =
      '/tmp, /var/tmp, /run and /dev/shm are private to every run: a tool installed under /tmp is "command not found" in a check (install it elsewhere, or name it in read_only_paths)'
    const seen = line('tmp-tool')?.[0]
    if (t.tmpTool !== null && seen === 'visible') {
      return ['info', `runs see the host's /tmp (${t.tmpTool} was there): it is not private here`]
    }
    return ['info', seen === 'hidden' ? `${general}; ${t.tmpTool} was not there` : general]
  })()

  return [
    row('sandbox', 'sandbox', 'always', sandbox),
    row('user-namespace', 'user namespace', f.root ? 'never' : 'always', userns),
    row('private-proc', 'private /proc', 'always', proc),
    row('read-only-host', 'read-only host', 'always', readOnly),
    row('hidden-homes', 'hidden homes', 'always', homes),
    row('no-capabilities', 'no capabilities', 'always', caps),
    row('daemon-sockets', 'daemon sockets (/run, HOME)', 'always', sockets),
    row(
      'abstract-sockets',
      'abstract sockets (Landlock)',
      f.landlock ? 'always' : 'never',
      abstract,
    ),
    row('cgroups', 'cgroups', 'limits', cgroups),
    row('pids-limit', 'pids_max enforced', 'pids_max', pids),
    row('memory-limit', 'memory_mb enforced', 'memory_mb', memory),
    row('network-none', 'network: none', 'network-none', network),
    row('apparmor-userns', 'AppArmor userns restriction', 'never', apparmor),
    row('private-tmp', '/tmp of the host', 'never', tmp),
  ]
}
