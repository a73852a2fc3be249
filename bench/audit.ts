/**
 * The figures of issue 10, on this machine, with overlay sandboxes:
 * 1. A pull request's gate run with `audit: changes` (5 changed files, 4 checks), as a multiple
 *    of the same run without the audit. The project is a small JavaScript shop whose test suites
 *    import the modules they test, then work for a while (as real suites do): a check that loads
 *    a broken file fails at once, one that does not runs its full time. Both configurations run
 *    through runGate on the same trees, interleaved, the median of the repetitions compared.
 *    No setup: the checks' own time is the whole run, the worst case for the ratio (a setup runs
 *    once per tree and the variants reuse the candidate's, so a real `npm ci` only dilutes it).
 *    Measured again with checks that do nothing (`true`): what the audit itself costs besides
 *    the checks (the diff, the variant layers, the extra sandboxes).
 * 2. One variant sandbox (the candidate with one file broken: a one-file layer over the prepared
 *    tree) against a plain overlay sandbox of the same tree, at 1k and 50k files: each made and
 *    a trivial check run in it through the workspace, interleaved. O(1) means the variant costs
 *    the same at 50k files as at 1k, within 2x of the plain sandbox.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { configInCode } from '../src/engine/config.ts'
import type { AuditKind, CheckSpec, GateConfig, Report } from '../src/engine/types.ts'
import { runGate } from '../src/gate.ts'
import { detectSandbox, removeTree } from '../src/run/sandbox.ts'
import { createWorkspace, type RunOptions } from '../src/run/workspace.ts'
import { median, timed } from './stats.ts'

export const AUDIT_TARGETS = {
  /** PR run with `audit: changes` / without, overlay sandboxes. */
  pr_ratio_max: 2,
  /** A variant sandbox / a plain overlay sandbox of the same 50k-file tree. */
  variant_ratio_max: 2,
} as const

export interface AuditPrResult {
  /** What the checks do. */
  label: string
  changed_files: number
  checks: number
  reps: number
  without_ms: number
  with_ms: number
  ratio: number
  /** The normal runs of one gate (checks × trees), and the runs the audit added. */
  normal_runs: number
  audit_runs: number
  /** How the audit ended: files covered / files audited. */
  covered: string
  samples: { without_ms: number[]; with_ms: number[] }
}

export interface VariantCost {
  files: number
  reps: number
  plain_median_ms: number
  variant_median_ms: number
  ratio: number
}

export interface AuditResults {
  sandbox: 'overlay'
  parallel: number
  /** Test suites, no setup: the checks' own time is the whole run. */
  pr: AuditPrResult
  /** Checks that do nothing: the audit's own overhead. */
  pr_trivial: AuditPrResult
  variant: VariantCost[]
}

/**
 * Measures the audit's cost. Throws when overlay sandboxes are not available here (the figures
 * are about overlay; with copy sandboxes a variant is a whole copy of the tree).
 */
export async function measureAudit(p: {
  work: string
  quick: boolean
  progress: (line: string) => void
}): Promise<AuditResults> {
  const dir = join(p.work, 'audit')
  mkdirSync(dir, { recursive: true })
  const detection = await detectSandbox(dir, 'auto')
  if (detection.kind !== 'overlay') {
    throw new Error(`the audit figures need overlay sandboxes: ${detection.reason}`)
  }
  // As the gate runs by default: one run per core.
  const parallel = availableParallelism()
  const reps = p.quick ? 1 : 5
  const trees = writeShop(dir)

  const workMs = p.quick ? 150 : 400
  p.progress(`audit: PR run, 5 changed files, 4 test suites, ${reps} reps`)
  const pr = await comparePr(p, dir, trees, shopChecks(workMs), parallel, reps)
  p.progress(`audit: PR run, 5 changed files, 4 checks that do nothing, ${reps} reps`)
  const trivial = await comparePr(p, dir, trees, trivialChecks(), parallel, reps)
  const variant: VariantCost[] = []
  for (const files of p.quick ? [1_000] : [1_000, 50_000]) {
    const variantReps = p.quick ? 5 : 15
    p.progress(
      `audit: variant sandbox vs plain overlay sandbox, ${files} files, ${variantReps} reps`,
    )
    variant.push(await variantCost(dir, files, variantReps))
  }
  await removeTree(dir)
  return { sandbox: 'overlay', parallel, pr, pr_trivial: trivial, variant }
}

/** The shop: 20 modules, a config file, a README; the PR changes 5 files. */
function writeShop(dir: string): { baseline: string; candidate: string } {
  const write = (root: string, files: Record<string, string>) => {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true })
      writeFileSync(join(root, path), content)
    }
  }
  const base: Record<string, string> = {
    'README.md': '# shop\n',
    'config.json': '{ "currency": "EUR", "vat": 0.2 }\n',
  }
  for (let i = 0; i < 20; i++) {
    const name = `m${String(i).padStart(2, '0')}`
    base[`src/${name}.mjs`] = `export const ${name} = (x) => x * ${i + 1}\n`
  }
  base['test/burn.mjs'] = [
    '// Stands in for the work of a test suite: CPU for the given milliseconds.',
    'export function burn(ms) {',
    '  const end = Date.now() + ms',
    '  let x = 0',
    '  while (Date.now() < end) x += Math.sqrt(x + 1)',
    '  return x',
    '}',
    '',
  ].join('\n')
  const suite = (modules: number[], extra = '') =>
    [
      ...modules.map((i) => {
        const name = `m${String(i).padStart(2, '0')}`
        return `import { ${name} } from '../src/${name}.mjs'`
      }),
      "import { burn } from './burn.mjs'",
      extra,
      ...modules.map((i) => {
        const name = `m${String(i).padStart(2, '0')}`
        return `if (${name}(1) !== ${i + 1}) throw new Error('${name}')`
      }),
      'burn(Number(process.argv[2] ?? 0))',
      '',
    ].join('\n')
  base['test/unit-a.mjs'] = suite([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  base['test/unit-b.mjs'] = suite([10, 11, 12, 13, 14, 15, 16, 17, 18, 19])
  base['test/integration.mjs'] = suite(
    [1, 12],
    "import { readFileSync } from 'node:fs'\nconst config = JSON.parse(readFileSync('config.json', 'utf8'))\nif (!config.currency) throw new Error('currency')",
  )
  // A syntax check: a first-line throw is valid syntax, so it notices nothing (as a linter would).
  base['test/syntax.mjs'] = [
    "import { readdirSync } from 'node:fs'",
    "import { execFileSync } from 'node:child_process'",
    "import { burn } from './burn.mjs'",
    "for (const f of readdirSync('src')) execFileSync(process.execPath, ['--check', `src/${f}`])",
    'burn(Number(process.argv[2] ?? 0))',
    '',
  ].join('\n')
  const baseline = join(dir, 'shop-base')
  const candidate = join(dir, 'shop-pr')
  write(baseline, base)
  write(candidate, {
    ...base,
    'src/m01.mjs': 'export const m01 = (x) => x * 2 // doubled on purpose\n',
    'src/m05.mjs': 'export const m05 = (x) => 6 * x\n',
    'src/m12.mjs': 'export const m12 = (x) => x * 13 + 0\n',
    'config.json': '{ "currency": "EUR", "vat": 0.21 }\n',
    'README.md': '# shop\n\nNow with VAT.\n',
  })
  return { baseline, candidate }
}

function trivialChecks(): CheckSpec[] {
  return ['a', 'b', 'c', 'd'].map((n) => ({
    kind: 'shell',
    name: `noop_${n}`,
    command: 'true',
    timeout_s: 30,
    score_from: null,
    env: {},
  }))
}

function shopChecks(workMs: number): CheckSpec[] {
  const check = (name: string, script: string): CheckSpec => ({
    kind: 'shell',
    name,
    command: `node ${script} ${workMs}`,
    timeout_s: 60,
    score_from: null,
    env: {},
  })
  return [
    check('unit_a', 'test/unit-a.mjs'),
    check('unit_b', 'test/unit-b.mjs'),
    check('integration', 'test/integration.mjs'),
    check('syntax', 'test/syntax.mjs'),
  ]
}

async function comparePr(
  p: { progress: (line: string) => void },
  dir: string,
  trees: { baseline: string; candidate: string },
  checks: CheckSpec[],
  parallel: number,
  reps: number,
): Promise<AuditPrResult> {
  const config: GateConfig = configInCode({ mode: 'pass-fail', checks })
  const label = checks.every((c) => c.kind === 'shell' && c.command === 'true')
    ? 'checks that do nothing (true)'
    : `test suites that import their modules, then work ${checks[0]!.kind === 'shell' ? checks[0]!.command.split(' ').at(-1) : '?'} ms`
  const gate = (audit: AuditKind[]) =>
    timed(() =>
      runGate({
        config,
        candidateDir: trees.candidate,
        baselineDir: trees.baseline,
        audit,
        sandbox: 'overlay',
        parallel,
        logDir: join(dir, 'logs'),
        seed: 'bench',
      }),
    )
  const withMs: number[] = []
  const withoutMs: number[] = []
  let last: Report | null = null
  // One unmeasured run of each warms the page cache and node's compile cache alike.
  await gate([])
  await gate(['changes'])
  for (let rep = 0; rep < reps; rep++) {
    // Alternate which goes first, so drift on the machine hits both alike.
    const order: Array<AuditKind[]> = rep % 2 === 0 ? [[], ['changes']] : [['changes'], []]
    for (const audit of order) {
      const { ms, value } = await gate(audit)
      if (value.verdict !== 'allow') {
        throw new Error(`the shop PR should be allowed: ${value.reasons.join('; ')}`)
      }
      if (audit.length === 0) withoutMs.push(ms)
      else {
        withMs.push(ms)
        last = value
      }
    }
    p.progress(
      `  rep ${rep + 1}: without ${withoutMs.at(-1)!.toFixed(0)} ms, with ${withMs.at(-1)!.toFixed(0)} ms`,
    )
  }
  const files = last?.audit?.changes?.files ?? []
  const without = median(withoutMs)
  const withAudit = median(withMs)
  return {
    label,
    changed_files: files.length,
    checks: checks.length,
    reps,
    without_ms: without,
    with_ms: withAudit,
    ratio: withAudit / without,
    normal_runs: checks.length * 2,
    audit_runs: auditRunsMade(last),
    covered: `${files.filter((f) => f.covered === true).length}/${files.length}`,
    samples: { without_ms: withoutMs, with_ms: withMs },
  }
}

/** The audit runs one gate made (or reused), as its report counts them. */
function auditRunsMade(report: Report | null): number {
  return (report?.audit?.changes?.runs ?? []).reduce((n, r) => n + r.runs, 0)
}

/** `files` small files in directories of 100. */
function writeTree(root: string, files: number): void {
  for (let d = 0; d * 100 < files; d++) {
    const sub = join(root, 'src', `d${d}`)
    mkdirSync(sub, { recursive: true })
    for (let f = 0; f < 100 && d * 100 + f < files; f++) {
      writeFileSync(join(sub, `f${f}.js`), `export const v${f} = ${d * 100 + f}\n`)
    }
  }
}

async function variantCost(dir: string, files: number, reps: number): Promise<VariantCost> {
  const tree = join(dir, `variant-tree-${files}`)
  writeTree(tree, files)
  const ws = await createWorkspace({
    baseDir: join(dir, `variant-ws-${files}`),
    sandbox: 'overlay',
    parentEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  })
  const opts: RunOptions = { seed: 'bench', envPassthrough: [], env: {} }
  const check: CheckSpec = {
    kind: 'shell',
    name: 'probe',
    command: 'test -f src/d0/f0.js',
    timeout_s: 30,
    score_from: null,
    env: {},
  }
  try {
    const { tree: prepared } = await ws.prepareTree('candidate', tree, null, opts)
    const plain: number[] = []
    const variant: number[] = []
    const contenders = [
      async () => {
        const { ms, value } = await timed(() => ws.runCheck(prepared, check, opts))
        if (value.outcome !== 'PASSED') throw new Error(`plain sandbox: ${value.reason}`)
        plain.push(ms)
      },
      async () => {
        const { ms, value } = await timed(async () => {
          const broken = await ws.prepareVariant(
            prepared,
            [{ path: 'src/d0/f0.js', content: Buffer.from('throw new Error("x")\n'), mode: 0o644 }],
            'bench',
          )
          return ws.runCheck(broken, check, opts)
        })
        if (value.outcome !== 'PASSED') throw new Error(`variant sandbox: ${value.reason}`)
        variant.push(ms)
      },
    ]
    // Warm-up, then alternate the order.
    for (const c of contenders) await c()
    plain.length = 0
    variant.length = 0
    for (let rep = 0; rep < reps; rep++) {
      for (let i = 0; i < contenders.length; i++) await contenders[(rep + i) % contenders.length]!()
    }
    const plainMs = median(plain)
    const variantMs = median(variant)
    return {
      files,
      reps,
      plain_median_ms: plainMs,
      variant_median_ms: variantMs,
      ratio: variantMs / plainMs,
    }
  } finally {
    await ws.dispose()
    await removeTree(tree)
  }
}
