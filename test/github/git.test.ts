/**
 * The gate's own git: resolved once to an absolute path, run with a fixed PATH and with the
 * token only where it is needed. Real repositories and a real `git` planted on PATH the way a
 * check could plant one (an executable in a directory early on the runner's PATH).
 */
import assert from 'node:assert/strict'
import { existsSync, promises as fs } from 'node:fs'
import * as path from 'node:path'
import { describe, test } from 'node:test'
import { planFromEvent } from '../../src/github/gate/event.ts'
import { createGitCommandManager, gitEnvironment } from '../../src/github/gate/git.ts'
import { SYSTEM_PATH } from '../../src/run/system-tools.ts'
import { prepareTrees } from '../../src/github/gate/trees.ts'
import {
  checkoutLikeActionsCheckout,
  commitFiles,
  createOrigin,
  scratchDirs,
  hermeticGitEnv,
  openPullRequest,
  pullRequestEvent,
} from '../support/git-fixtures.ts'

/** A fresh directory with a space in its name for one test. */
const freshDir = scratchDirs('quorum git test')

/**
 * Writes an executable `git` into `dir` that records its call in `marker`, then behaves like
 * git (so that, were it run, everything else would still work and only the marker tells).
 */
async function plantGit(dir: string, marker: string, record = '"$*"'): Promise<void> {
  const real = (await fs.realpath('/usr/bin/git').catch(() => null)) ?? '/usr/bin/git'
  await fs.writeFile(
    path.join(dir, 'git'),
    `#!/bin/sh\nprintf '%s\\n' ${record} >>'${marker}'\nexec '${real}' "$@"\n`,
  )
  await fs.chmod(path.join(dir, 'git'), 0o755)
}

/** A pull request checked out like actions/checkout does, and the plan Quorum makes from it. */
async function pullRequestCheckout(root: string) {
  const origin = await createOrigin(root)
  await commitFiles(origin, 'feature', { 'src/x.js': 'export const x = 1\n' }, 'Feature', {
    from: 'main',
  })
  const pr = await openPullRequest(origin, { number: 1, head: 'feature' })
  const event = pullRequestEvent(origin, pr)
  const workspace = path.join(root, 'work space', 'repo')
  await checkoutLikeActionsCheckout(origin, event.checkout, workspace)
  const plan = planFromEvent(event.eventName, event.payload, event.env, {
    allowPrHeadUnderPullRequestTarget: false,
    baselineRef: null,
    candidateRef: null,
  })
  return { workspace, plan, pr }
}

describe("the gate's own git", () => {
  test('a git planted at the front of PATH after the manager was created is never run', async () => {
    const root = await freshDir('planted later')
    const { workspace, plan, pr } = await pullRequestCheckout(root)
    // Like ~/.local/bin on GitHub's runners: on PATH, before /usr/bin, and empty at first.
    const userBin = path.join(root, 'home', '.local', 'bin')
    await fs.mkdir(userBin, { recursive: true })
    const marker = path.join(root, 'planted-git-ran')
    const env = { ...hermeticGitEnv(), PATH: `${userBin}:${process.env['PATH'] ?? ''}` }
    const git = createGitCommandManager(workspace, { parentEnv: env, authToken: 'ghs_gateToken' })

    // A check runs and plants its git; then the gate goes on using git.
    await plantGit(userBin, marker)
    const trees = await prepareTrees(git, workspace, plan, path.join(root, 'trees'))
    assert.equal(trees.candidate.sha, pr.mergeSha)
    assert.equal(await trees.configChanged('src/x.js'), true)
    await trees.cleanup() // git worktree prune: the command the review found hijackable
    await git.worktreePrune()

    assert.equal(existsSync(marker), false, 'the planted git ran')
  })

  test('a git already on PATH before the manager was created loses to the system one', async () => {
    const root = await freshDir('planted before')
    const { workspace } = await pullRequestCheckout(root)
    const userBin = path.join(root, 'bin')
    await fs.mkdir(userBin, { recursive: true })
    const marker = path.join(root, 'planted-git-ran')
    await plantGit(userBin, marker)
    const git = createGitCommandManager(workspace, {
      parentEnv: { ...hermeticGitEnv(), PATH: `${userBin}:${process.env['PATH'] ?? ''}` },
    })
    assert.match(await git.revParse('HEAD'), /^[0-9a-f]{40}$/)
    await git.worktreePrune()
    assert.equal(existsSync(marker), false, 'the planted git ran')
  })

  test('git runs with a fixed PATH, and only fetch sees the token', async () => {
    const root = await freshDir('environment')
    const { workspace, plan } = await pullRequestCheckout(root)
    // A recording git handed in explicitly (the manager never looks git up itself then).
    const recorder = path.join(root, 'recorder')
    await fs.mkdir(recorder)
    const log = path.join(root, 'git-env.log')
    await plantGit(recorder, log, '"== $1 $2 $3" "$(env)"')
    const git = createGitCommandManager(workspace, {
      gitPath: path.join(recorder, 'git'),
      parentEnv: { ...hermeticGitEnv(), PATH: `/evil/bin:${process.env['PATH'] ?? ''}` },
      authToken: 'ghs_gateToken',
    })
    await git.fetchShallow('origin', plan.baselineSha!, 1) // not in the depth-1 checkout
    await git.worktreePrune()

    const calls = (await fs.readFile(log, 'utf8')).split(/^== /m).filter((c) => c !== '')
    const fetch = calls.find((c) => /^-c protocol\.version=2 fetch/.test(c))
    const prune = calls.find((c) => /^-c protocol\.version=2 worktree/.test(c))
    assert.ok(fetch && prune, calls.join('\n---\n'))
    for (const call of [fetch, prune]) assert.match(call, new RegExp(`^PATH=${SYSTEM_PATH}$`, 'm'))
    const header = Buffer.from('x-access-token:ghs_gateToken').toString('base64')
    assert.ok(fetch.includes(header), 'fetch carries the token')
    assert.ok(!prune.includes(header), 'worktree prune does not')
    assert.ok(!prune.includes('GIT_CONFIG_COUNT'), prune)
  })

  test('gitEnvironment: PATH is fixed whatever the runner had', () => {
    const env = gitEnvironment({ PATH: '/home/runner/.local/bin:/usr/bin', HOME: '/home/runner' })
    assert.equal(env['PATH'], SYSTEM_PATH)
    assert.equal(SYSTEM_PATH, '/usr/local/bin:/usr/bin:/bin')
    assert.equal(env['HOME'], '/home/runner')
  })

  test('a relative gitPath is refused', async () => {
    const dir = await freshDir('relative')
    assert.throws(
      () => createGitCommandManager(dir, { gitPath: 'git' }),
      /gitPath must be absolute/,
    )
  })
})
