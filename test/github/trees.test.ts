/**
 * prepareTrees against real repositories: an origin shaped like GitHub's (refs/pull/N/merge,
 * fetch by sha) and a workspace made exactly the way actions/checkout makes it (depth 1, one
 * commit). Every directory involved has a space in its path.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, promises as fs } from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as path from 'node:path'
import { describe, test } from 'node:test'
import { planFromEvent, type EventInputs, type EventPlan } from '../../src/github/gate/event.ts'
import { createGitCommandManager, type GitCommandManager } from '../../src/github/gate/git.ts'
import { prepareTrees } from '../../src/github/gate/trees.ts'
import {
  checkoutLikeActionsCheckout,
  commitFiles,
  createMergeGroup,
  createOrigin,
  scratchDirs,
  git,
  hermeticGitEnv,
  mergeGroupEvent,
  openPullRequest,
  PERSISTED_FAKE_TOKEN,
  pullRequestEvent,
  pushEvent,
  workflowDispatchEvent,
  type FixtureEvent,
  type Origin,
} from '../support/git-fixtures.ts'

const NO_INPUTS: EventInputs = {
  allowPrHeadUnderPullRequestTarget: false,
  baselineRef: null,
  candidateRef: null,
}

/** A fresh directory with a space in its name for one test. */
const freshDir = scratchDirs('quorum trees test')

interface Setup {
  workspace: string
  tmpRoot: string
  git: GitCommandManager
  plan: EventPlan
}

/** actions/checkout for `event`, then the plan Quorum would make from it. */
async function checkoutFor(
  root: string,
  origin: Origin,
  event: FixtureEvent,
  inputs: EventInputs = NO_INPUTS,
): Promise<Setup> {
  const workspace = path.join(root, 'work space', 'repo')
  await checkoutLikeActionsCheckout(origin, event.checkout, workspace)
  return {
    workspace,
    tmpRoot: path.join(root, 'runner temp'),
    git: createGitCommandManager(workspace, { parentEnv: hermeticGitEnv() }),
    plan: planFromEvent(event.eventName, event.payload, event.env, inputs),
  }
}

async function read(dir: string, file: string): Promise<string | null> {
  return fs.readFile(path.join(dir, file), 'utf8').catch(() => null)
}

/** Every file under dir except .git, with its content: a workspace fingerprint. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {}
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true })
  for (const entry of entries) {
    const full = path.join(entry.parentPath, entry.name)
    const rel = path.relative(dir, full)
    if (rel === '.git' || rel.startsWith(`.git${path.sep}`) || !entry.isFile()) continue
    result[rel] = await fs.readFile(full, 'utf8')
  }
  return result
}

async function featurePullRequest(origin: Origin, files: Record<string, string | null>) {
  await commitFiles(origin, 'feature', files, 'Feature work', { from: 'main' })
  return openPullRequest(origin, { number: 1, head: 'feature' })
}

const MUL = 'export function mul(a, b) {\n  return a * b\n}\n'

describe('prepareTrees', () => {
  test('pull_request: baseline is main at the merge commit’s first parent, candidate is the merged tree, workspace untouched, cleanup removes both', async () => {
    const root = await freshDir('pr')
    const origin = await createOrigin(root)
    const pr = await featurePullRequest(origin, { 'src/mul.js': MUL })
    const event = pullRequestEvent(origin, pr)
    const { workspace, tmpRoot, git: gitManager, plan } = await checkoutFor(root, origin, event)
    const headBefore = await git(workspace, ['rev-parse', 'HEAD'])
    const filesBefore = await snapshot(workspace)

    const trees = await prepareTrees(gitManager, workspace, plan, tmpRoot)
    try {
      assert.ok(trees.baseline)
      assert.equal(trees.baseline.sha, pr.baseSha)
      assert.equal(trees.candidate.sha, pr.mergeSha)
      assert.equal(trees.headSha, pr.headSha)
      assert.deepEqual(trees.notes, [])

      assert.equal(await read(trees.baseline.path, 'src/mul.js'), null)
      assert.equal(await read(trees.baseline.path, 'README.md'), '# fixture-app\n')
      assert.equal(await read(trees.candidate.path, 'src/mul.js'), MUL)
      assert.equal(await read(trees.candidate.path, 'README.md'), '# fixture-app\n')

      for (const tree of [trees.baseline, trees.candidate]) {
        assert.ok(tree.root.startsWith(await fs.realpath(tmpRoot)), `${tree.root} is under tmpRoot`)
        assert.ok(!tree.root.startsWith(workspace), `${tree.root} is outside the workspace`)
        // The .git link is gone: code in the tree cannot reach the workspace's config (which
        // holds the persisted token) or write to its refs.
        assert.equal(existsSync(path.join(tree.root, '.git')), false)
        await assert.rejects(git(tree.root, ['config', '--get-regexp', 'extraheader']))
      }
      const leaked = JSON.stringify(await snapshot(trees.candidate.root))
      assert.ok(
        !leaked.includes(Buffer.from(`x-access-token:${PERSISTED_FAKE_TOKEN}`).toString('base64')),
      )

      assert.equal(await git(workspace, ['rev-parse', 'HEAD']), headBefore)
      assert.equal(await git(workspace, ['status', '--porcelain', '--untracked-files=all']), '')
      assert.deepEqual(await snapshot(workspace), filesBefore)
    } finally {
      await trees.cleanup()
    }
    assert.equal(existsSync(trees.candidate.root), false)
    assert.equal(existsSync(trees.baseline.root), false)
    const worktrees = await git(workspace, ['worktree', 'list', '--porcelain'])
    assert.equal(worktrees.split('\n').filter((l) => l.startsWith('worktree ')).length, 1)
    await trees.cleanup() // a second cleanup is a no-op, not an error
  })

  test('pull_request after the base moved: the baseline is the merge’s first parent, not the payload’s base.sha', async () => {
    const root = await freshDir('moved base')
    const origin = await createOrigin(root)
    const opened = await featurePullRequest(origin, { 'src/mul.js': MUL })
    const movedMain = await commitFiles(origin, 'main', { 'CHANGELOG.md': 'v2\n' }, 'Base moves on')
    // GitHub recomputes refs/pull/1/merge on top of the new main; the event still carries the
    // base.sha from when the PR was opened.
    const pr = await openPullRequest(origin, { number: 1, head: 'feature' })
    assert.equal(pr.baseSha, movedMain)
    const event = pullRequestEvent(origin, pr, { payloadBaseSha: opened.baseSha })
    const { workspace, tmpRoot, git: gitManager, plan } = await checkoutFor(root, origin, event)
    assert.equal(plan.baselineSha, opened.baseSha)

    const trees = await prepareTrees(gitManager, workspace, plan, tmpRoot)
    try {
      assert.equal(trees.baseline?.sha, movedMain)
      assert.equal(await read(trees.baseline.path, 'CHANGELOG.md'), 'v2\n')
      assert.equal(await read(trees.baseline.path, 'src/mul.js'), null)
      assert.equal(await read(trees.candidate.path, 'CHANGELOG.md'), 'v2\n')
      assert.equal(await read(trees.candidate.path, 'src/mul.js'), MUL)
      assert.match(trees.notes.join('\n'), /base branch moved/)
    } finally {
      await trees.cleanup()
    }
  })

  test('pull_request whose test merge was built from an older head says so', async () => {
    const root = await freshDir('stale merge')
    const origin = await createOrigin(root)
    const pr = await featurePullRequest(origin, { 'src/mul.js': MUL })
    const newerHead = await commitFiles(
      origin,
      'feature',
      { 'src/mul.js': `${MUL}// v2\n` },
      'More',
    )
    const event = pullRequestEvent(origin, { ...pr, headSha: newerHead })
    const { workspace, tmpRoot, git: gitManager, plan } = await checkoutFor(root, origin, event)
    const trees = await prepareTrees(gitManager, workspace, plan, tmpRoot)
    try {
      assert.equal(trees.candidate.sha, pr.mergeSha)
      assert.match(trees.notes.join('\n'), new RegExp(`built from ${pr.headSha}`))
    } finally {
      await trees.cleanup()
    }
  })

  test('push: baseline is before, candidate is after; a created branch has no baseline', async () => {
    const root = await freshDir('push')
    const origin = await createOrigin(root)
    const [, second, third] = origin.mainCommits as [string, string, string]
    const event = pushEvent(origin, { ref: 'refs/heads/main', before: second, after: third })
    const { workspace, tmpRoot, git: gitManager, plan } = await checkoutFor(root, origin, event)
    assert.equal(await git(workspace, ['branch', '--show-current']), 'main')

    const trees = await prepareTrees(gitManager, workspace, plan, tmpRoot)
    try {
      assert.equal(trees.baseline?.sha, second)
      assert.equal(trees.candidate.sha, third)
      assert.equal(trees.headSha, third)
      assert.equal(await read(trees.baseline.path, 'README.md'), null)
      assert.equal(await read(trees.candidate.path, 'README.md'), '# fixture-app\n')
    } finally {
      await trees.cleanup()
    }

    const created = pushEvent(origin, { ref: 'refs/heads/main', before: null, after: third })
    const createdPlan = planFromEvent(created.eventName, created.payload, created.env, NO_INPUTS)
    const alone = await prepareTrees(gitManager, workspace, createdPlan, tmpRoot)
    try {
      assert.equal(alone.baseline, null)
      assert.equal(alone.candidate.sha, third)
      assert.equal(await alone.configChanged('quorum.yml'), false)
      assert.match(alone.notes.join('\n'), /created refs\/heads\/main/)
    } finally {
      await alone.cleanup()
    }
  })

  test('merge_group: baseline is base_sha, candidate is the queue’s merge commit', async () => {
    const root = await freshDir('merge group')
    const origin = await createOrigin(root)
    const pr = await featurePullRequest(origin, { 'src/mul.js': MUL })
    const group = await createMergeGroup(origin, pr)
    const event = mergeGroupEvent(origin, group)
    const { workspace, tmpRoot, git: gitManager, plan } = await checkoutFor(root, origin, event)
    assert.equal(plan.commentable, false)

    const trees = await prepareTrees(gitManager, workspace, plan, tmpRoot)
    try {
      assert.equal(trees.baseline?.sha, group.baseSha)
      assert.equal(trees.candidate.sha, group.headSha)
      assert.equal(trees.headSha, group.headSha)
      assert.equal(await read(trees.baseline.path, 'src/mul.js'), null)
      assert.equal(await read(trees.candidate.path, 'src/mul.js'), MUL)
    } finally {
      await trees.cleanup()
    }
  })

  test('pull_request_target with the opt-in: candidate is the PR head, fetched into a checkout of the base', async () => {
    const root = await freshDir('target')
    const origin = await createOrigin(root)
    const pr = await featurePullRequest(origin, { 'src/mul.js': MUL })
    const event = pullRequestEvent(origin, pr, {
      eventName: 'pull_request_target',
      forkFullName: 'someone/fixture-app',
    })
    // Without the opt-in nothing is even planned (see event.test.ts); with it:
    const {
      workspace,
      tmpRoot,
      git: gitManager,
      plan,
    } = await checkoutFor(root, origin, event, {
      ...NO_INPUTS,
      allowPrHeadUnderPullRequestTarget: true,
    })
    const trees = await prepareTrees(gitManager, workspace, plan, tmpRoot)
    try {
      assert.equal(trees.baseline?.sha, pr.baseSha)
      assert.equal(trees.candidate.sha, pr.headSha)
      assert.equal(await read(trees.candidate.path, 'src/mul.js'), MUL)
      assert.match(trees.notes.join('\n'), /secrets/)
    } finally {
      await trees.cleanup()
    }
  })

  test('workflow_dispatch: branch names from the inputs are fetched and resolved to shas', async () => {
    const root = await freshDir('dispatch')
    const origin = await createOrigin(root)
    const featureHead = await commitFiles(origin, 'feature', { 'src/mul.js': MUL }, 'Feature', {
      from: 'main',
    })
    const mainHead = origin.mainCommits[2] as string
    const event = workflowDispatchEvent(origin, { ref: 'refs/heads/main', sha: mainHead })
    const {
      workspace,
      tmpRoot,
      git: gitManager,
      plan,
    } = await checkoutFor(root, origin, event, {
      ...NO_INPUTS,
      baselineRef: 'main',
      candidateRef: 'feature',
    })
    assert.equal(plan.hasUnresolvedRefs, true)
    const trees = await prepareTrees(gitManager, workspace, plan, tmpRoot)
    try {
      assert.equal(trees.baseline?.sha, mainHead)
      assert.equal(trees.candidate.sha, featureHead)
      assert.equal(trees.headSha, featureHead)
      assert.equal(await read(trees.candidate.path, 'src/mul.js'), MUL)
    } finally {
      await trees.cleanup()
    }
  })

  test('configChanged tells whether the config or the checks module differ, for paths with spaces too', async () => {
    const root = await freshDir('config')
    const origin = await createOrigin(root)
    await commitFiles(
      origin,
      'main',
      { 'ci config/quorum checks.mjs': 'export default []\n' },
      'Add checks module',
    )
    const pr = await featurePullRequest(origin, {
      'quorum.yml': 'mode: scored\nchecks: []\n',
      'docs/read me.md': 'hello\n',
    })
    const {
      workspace,
      tmpRoot,
      git: gitManager,
      plan,
    } = await checkoutFor(root, origin, pullRequestEvent(origin, pr))
    const trees = await prepareTrees(gitManager, workspace, plan, tmpRoot)
    try {
      assert.equal(await trees.configChanged('quorum.yml'), true)
      assert.equal(await trees.configChanged(['ci config/quorum checks.mjs']), false)
      assert.equal(await trees.configChanged(['ci config/quorum checks.mjs', 'quorum.yml']), true)
      // An absolute path inside a tree, as GateConfig.functions is after resolution.
      assert.equal(
        await trees.configChanged(
          path.join(trees.candidate.root, 'ci config', 'quorum checks.mjs'),
        ),
        false,
      )
      assert.equal(await trees.configChanged(path.join(trees.baseline!.root, 'quorum.yml')), true)
      assert.equal(await trees.configChanged('docs/read me.md'), true)
      // Literal matching: a glob character is a file name, not a pattern.
      assert.equal(await trees.configChanged('*.yml'), false)
      assert.equal(await trees.configChanged([]), false)
    } finally {
      await trees.cleanup()
    }
  })

  test('a working directory below the repository root maps to the same directory in each tree', async () => {
    const root = await freshDir('subdir')
    const origin = await createOrigin(root)
    const pr = await featurePullRequest(origin, { 'src/mul.js': MUL })
    const { workspace, tmpRoot, plan } = await checkoutFor(
      root,
      origin,
      pullRequestEvent(origin, pr),
    )
    const sub = path.join(workspace, 'src')
    const trees = await prepareTrees(
      createGitCommandManager(sub, { parentEnv: hermeticGitEnv() }),
      sub,
      plan,
      tmpRoot,
    )
    try {
      assert.equal(trees.candidate.path, path.join(trees.candidate.root, 'src'))
      assert.equal(await read(trees.candidate.path, 'mul.js'), MUL)
      assert.equal(
        await read(trees.baseline!.path, 'math.js'),
        'export function add(a, b) {\n  return a + b\n}\n',
      )
    } finally {
      await trees.cleanup()
    }
  })

  test('a commit origin does not have fails with an error naming the role and the sha, and leaves nothing behind', async () => {
    const root = await freshDir('missing')
    const origin = await createOrigin(root)
    const third = origin.mainCommits[2] as string
    const event = pushEvent(origin, {
      ref: 'refs/heads/main',
      before: 'f'.repeat(40),
      after: third,
    })
    const { workspace, tmpRoot, git: gitManager, plan } = await checkoutFor(root, origin, event)
    await assert.rejects(prepareTrees(gitManager, workspace, plan, tmpRoot), {
      fate: 'environment',
      message: new RegExp(`baseline commit ${'f'.repeat(40)}`),
    })
    assert.deepEqual(await fs.readdir(tmpRoot).catch(() => []), [])
  })

  test('trees inside the repository are refused', async () => {
    const root = await freshDir('inside')
    const origin = await createOrigin(root)
    const third = origin.mainCommits[2] as string
    const event = pushEvent(origin, { ref: 'refs/heads/main', before: null, after: third })
    const { workspace, git: gitManager, plan } = await checkoutFor(root, origin, event)
    await assert.rejects(
      prepareTrees(gitManager, workspace, plan, path.join(workspace, 'tmp')),
      /inside the repository/,
    )
  })
})

describe('GitCommandManager on an actions/checkout workspace', () => {
  test('parents() reads both parents of the depth-1 merge commit; worktreeAdd/worktreeRemove round-trip', async () => {
    const root = await freshDir('manager')
    const origin = await createOrigin(root)
    const pr = await featurePullRequest(origin, { 'src/mul.js': MUL })
    const { workspace, git: gitManager } = await checkoutFor(
      root,
      origin,
      pullRequestEvent(origin, pr),
    )
    // The shallow graft hides the parents from rev-parse; the commit object still has them.
    await assert.rejects(git(workspace, ['rev-parse', '--verify', 'HEAD^1']))
    assert.deepEqual(await gitManager.parents(pr.mergeSha), [pr.baseSha, pr.headSha])
    assert.equal(await gitManager.commitExists(pr.headSha), false)
    assert.equal(await gitManager.fetchShallow('origin', pr.headSha, 1), pr.headSha)
    assert.equal(await gitManager.commitExists(pr.headSha), true)
    assert.equal(await gitManager.fetchShallow('origin', 'main', 1), pr.baseSha)
    assert.deepEqual(await gitManager.diffNames(pr.baseSha, pr.headSha), ['src/mul.js'])

    const dir = path.join(root, 'a worktree')
    await gitManager.worktreeAdd(dir, pr.headSha)
    assert.equal(await git(dir, ['rev-parse', 'HEAD']), pr.headSha)
    await fs.writeFile(path.join(dir, 'untracked build output'), 'x')
    await gitManager.worktreeRemove(dir)
    assert.equal(existsSync(dir), false)
    await assert.rejects(gitManager.revParse('--upload-pack=evil'), /Refusing/)
  })

  test('a token is sent as the only Authorization header, even over the one actions/checkout persisted', async () => {
    const root = await freshDir('auth')
    const origin = await createOrigin(root)
    const server = await smartHttpServer(path.dirname(origin.dir))
    try {
      const serverUrl = `http://127.0.0.1:${server.port}`
      const third = origin.mainCommits[2] as string
      const workspace = path.join(root, 'work space', 'repo')
      await checkoutLikeActionsCheckout(origin, { ref: 'refs/heads/main', sha: third }, workspace)
      await git(workspace, ['remote', 'set-url', 'origin', `${serverUrl}/origin.git`])
      const persisted =
        'AUTHORIZATION: basic ' + Buffer.from('x-access-token:persisted').toString('base64')
      await git(workspace, ['config', '--local', `http.${serverUrl}/.extraheader`, persisted])

      const plain = createGitCommandManager(workspace, { parentEnv: hermeticGitEnv() })
      assert.equal(
        await plain.fetchShallow('origin', origin.mainCommits[1] as string, 1),
        origin.mainCommits[1],
      )
      assert.ok(server.authorizations.length > 0)
      assert.deepEqual(
        new Set(server.authorizations.map((a) => a.join(' | '))),
        new Set([persisted.slice('AUTHORIZATION: '.length)]),
      )

      server.authorizations.length = 0
      const withToken = createGitCommandManager(workspace, {
        parentEnv: hermeticGitEnv(),
        authToken: 'ghs_fresh',
        serverUrl,
      })
      assert.equal(
        await withToken.fetchShallow('origin', origin.mainCommits[0] as string, 1),
        origin.mainCommits[0],
      )
      const ours = 'basic ' + Buffer.from('x-access-token:ghs_fresh').toString('base64')
      assert.ok(server.authorizations.length > 0)
      for (const headers of server.authorizations) assert.deepEqual(headers, [ours])
    } finally {
      await server.close()
    }
  })
})

/**
 * A git smart-HTTP server: `git http-backend` behind node:http, recording the Authorization
 * headers of every request (all of them, duplicates included).
 */
async function smartHttpServer(projectRoot: string): Promise<{
  port: number
  authorizations: string[][]
  close(): Promise<void>
}> {
  const authorizations: string[][] = []
  const server = http.createServer((req, res) => {
    const auth: string[] = []
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if (req.rawHeaders[i]?.toLowerCase() === 'authorization')
        auth.push(req.rawHeaders[i + 1] ?? '')
    }
    authorizations.push(auth)
    const url = new URL(req.url ?? '/', 'http://localhost')
    const child = spawn('git', ['http-backend'], {
      env: {
        ...hermeticGitEnv(),
        GIT_PROJECT_ROOT: projectRoot,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        REMOTE_ADDR: '127.0.0.1',
      },
    })
    req.pipe(child.stdin)
    const chunks: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk))
    child.on('close', () => {
      const out = Buffer.concat(chunks)
      const split = out.indexOf('\r\n\r\n')
      const headerText = out.subarray(0, split).toString('latin1')
      let status = 200
      for (const line of headerText.split('\r\n')) {
        const colon = line.indexOf(':')
        const name = line.slice(0, colon)
        const value = line.slice(colon + 1).trim()
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10)
        else res.setHeader(name, value)
      }
      res.statusCode = status
      res.end(out.subarray(split + 4))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    authorizations,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
