/**
 * planFromEvent with real webhook payloads from @octokit/webhooks-examples (edited only where a
 * scenario needs it: a fork, a deleted fork, an ordinary push), and parseInputs, whose values
 * the plan depends on.
 */
import assert from 'node:assert/strict'
import * as path from 'node:path'
import { describe, test } from 'node:test'
import { planFromEvent, type EventInputs } from '../../src/github/gate/event.ts'
import { InputError, parseInputs, readInputs } from '../../src/github/action/inputs.ts'
import { examplePayload } from '../support/git-fixtures.ts'

const NO_INPUTS: EventInputs = {
  allowPrHeadUnderPullRequestTarget: false,
  baselineRef: null,
  candidateRef: null,
}
// What GitHub would put in GITHUB_SHA for the example PR: its refs/pull/2/merge commit.
const MERGE_SHA = 'c4295bd74fb0f4fda03689c3df3f2803b658fd85'
const PR_ENV = { GITHUB_SHA: MERGE_SHA, GITHUB_REF: 'refs/pull/2/merge' }
// The example payloads' own shas.
const HEAD = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821'
const BASE = 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e'

type Json = Record<string, unknown>
function at(obj: Json, ...keys: string[]): Json {
  let node: unknown = obj
  for (const key of keys) node = (node as Json)[key]
  return node as Json
}

function forkPayload(action: string): Json {
  const payload = examplePayload('pull_request', action)
  const head = at(payload, 'pull_request', 'head')
  head['repo'] = { ...at(head, 'repo'), id: 999, full_name: 'mallory/Hello-World', fork: true }
  return payload
}

describe('planFromEvent', () => {
  test('pull_request opened in the same repository: candidate is the merge commit, head is the PR head', () => {
    const plan = planFromEvent(
      'pull_request',
      examplePayload('pull_request', 'opened'),
      PR_ENV,
      NO_INPUTS,
    )
    assert.deepEqual(plan, {
      event: 'pull_request',
      baselineSha: BASE,
      candidateSha: MERGE_SHA,
      headSha: HEAD,
      pullNumber: 2,
      baseRef: 'master',
      headRepoFullName: 'Codertocat/Hello-World',
      isFork: false,
      candidateIsPrHead: false,
      commentable: true,
      baselineFromMergeParent: true,
      hasUnresolvedRefs: false,
      notes: [],
    })
  })

  test('pull_request synchronize from a fork is planned the same way, marked as a fork', () => {
    const plan = planFromEvent('pull_request', forkPayload('synchronize'), PR_ENV, NO_INPUTS)
    assert.equal(plan.isFork, true)
    assert.equal(plan.headRepoFullName, 'mallory/Hello-World')
    assert.equal(plan.candidateSha, MERGE_SHA)
    assert.equal(plan.headSha, HEAD)
    assert.equal(plan.commentable, true)
    assert.equal(plan.candidateIsPrHead, false)
  })

  test('a pull request whose fork was deleted counts as a fork', () => {
    const payload = examplePayload('pull_request', 'synchronize')
    at(payload, 'pull_request', 'head')['repo'] = null
    const plan = planFromEvent('pull_request', payload, PR_ENV, NO_INPUTS)
    assert.equal(plan.isFork, true)
    assert.equal(plan.headRepoFullName, null)
  })

  test('pull_request_target is refused without the opt-in, with the reason and the way out', () => {
    const env = { GITHUB_SHA: BASE, GITHUB_REF: 'refs/heads/master' }
    for (const payload of [examplePayload('pull_request', 'opened'), forkPayload('synchronize')]) {
      assert.throws(() => planFromEvent('pull_request_target', payload, env, NO_INPUTS), {
        fate: 'usage',
        message:
          /pull_request_target(?=.*secrets)(?=.*allow-pr-head-under-pull-request-target: true)/s,
      })
    }
  })

  test('pull_request_target with the opt-in runs the PR head against the base head, and says so', () => {
    const env = { GITHUB_SHA: BASE, GITHUB_REF: 'refs/heads/master' }
    const plan = planFromEvent('pull_request_target', forkPayload('synchronize'), env, {
      ...NO_INPUTS,
      allowPrHeadUnderPullRequestTarget: true,
    })
    assert.equal(plan.baselineSha, BASE)
    assert.equal(plan.candidateSha, HEAD)
    assert.equal(plan.headSha, HEAD)
    assert.equal(plan.candidateIsPrHead, true)
    assert.equal(plan.baselineFromMergeParent, false)
    assert.match(plan.notes[0] ?? '', /because 'allow-pr-head-under-pull-request-target' is true/)
    assert.match(plan.notes[0] ?? '', /a fork \(mallory\/Hello-World\)/)
  })

  test('merge_group checks_requested: base_sha against head_sha, no comment', () => {
    const plan = planFromEvent(
      'merge_group',
      examplePayload('merge_group', 'checks_requested'),
      {
        GITHUB_SHA: '2ffea6db159f6b6c47a24e778fb9ef40cf6b1c7d',
        GITHUB_REF:
          'refs/heads/gh-readonly-queue/main/pr-104-929f8209d40f77f4abc622a499c93a83babdbe64',
      },
      NO_INPUTS,
    )
    assert.deepEqual(
      { ...plan, notes: plan.notes },
      {
        event: 'merge_group',
        baselineSha: '380387fbc80638b734a49e1be1c4dfec1c01b33c',
        candidateSha: '2ffea6db159f6b6c47a24e778fb9ef40cf6b1c7d',
        headSha: '2ffea6db159f6b6c47a24e778fb9ef40cf6b1c7d',
        pullNumber: null,
        baseRef: 'main',
        headRepoFullName: 'octo-org/octo-repo',
        isFork: false,
        candidateIsPrHead: false,
        commentable: false,
        baselineFromMergeParent: false,
        hasUnresolvedRefs: false,
        notes: [],
      },
    )
  })

  test('push that created a tag has no baseline and no branch', () => {
    const created = examplePayload('push', (p) => p['created'] === true)
    assert.equal(created['ref'], 'refs/tags/simple-tag')
    const plan = planFromEvent('push', created, { GITHUB_SHA: String(created['after']) }, NO_INPUTS)
    assert.equal(plan.baselineSha, null)
    assert.equal(plan.baseRef, null)
  })

  test('push that created a branch has no baseline, and says so', () => {
    const created = examplePayload('push', (p) => p['ref'] === 'refs/heads/master')
    assert.equal(created['created'], true)
    const plan = planFromEvent(
      'push',
      created,
      { GITHUB_SHA: '6113728f27ae82c7b1a177c8d03f9e96e0adf246', GITHUB_REF: 'refs/heads/master' },
      NO_INPUTS,
    )
    assert.equal(plan.baselineSha, null)
    assert.equal(plan.candidateSha, '6113728f27ae82c7b1a177c8d03f9e96e0adf246')
    assert.equal(plan.headSha, '6113728f27ae82c7b1a177c8d03f9e96e0adf246')
    assert.equal(plan.baseRef, 'master')
    assert.equal(plan.commentable, false)
    assert.deepEqual(plan.notes, [
      'The push created refs/heads/master, so there is no previous commit to compare with: only the candidate was checked.',
    ])
  })

  test('push to an existing branch compares before with after; a force push says the baseline may not be an ancestor', () => {
    const payload = {
      ...examplePayload('push'),
      ref: 'refs/heads/master',
      created: false,
      before: BASE,
    }
    const env = { GITHUB_SHA: '6113728f27ae82c7b1a177c8d03f9e96e0adf246' }
    const plan = planFromEvent('push', payload, env, NO_INPUTS)
    assert.equal(plan.baselineSha, BASE)
    assert.equal(plan.candidateSha, '6113728f27ae82c7b1a177c8d03f9e96e0adf246')
    assert.deepEqual(plan.notes, [])
    const forced = planFromEvent('push', { ...payload, forced: true }, env, NO_INPUTS)
    assert.match(forced.notes.join(' '), /force push/)
  })

  test('push-trees: after judges the pushed tree alone, and says why; other events ignore it', () => {
    const payload = {
      ...examplePayload('push'),
      ref: 'refs/heads/master',
      created: false,
      before: BASE,
    }
    const env = { GITHUB_SHA: '6113728f27ae82c7b1a177c8d03f9e96e0adf246' }
    const plan = planFromEvent('push', payload, env, { ...NO_INPUTS, pushTrees: 'after' })
    assert.equal(plan.baselineSha, null)
    assert.equal(plan.candidateSha, '6113728f27ae82c7b1a177c8d03f9e96e0adf246')
    assert.deepEqual(plan.notes, [
      'push-trees: after: only the pushed tree was judged; its results are stored for the pull requests on master.',
    ])
    const both = planFromEvent('push', payload, env, { ...NO_INPUTS, pushTrees: 'both' })
    assert.equal(both.baselineSha, BASE)
    const dispatch = planFromEvent(
      'workflow_dispatch',
      {},
      { GITHUB_SHA: BASE },
      { ...NO_INPUTS, pushTrees: 'after' },
    )
    assert.ok(
      dispatch.notes.includes(
        "Input 'push-trees' is ignored under workflow_dispatch; it applies to push.",
      ),
      JSON.stringify(dispatch.notes),
    )
  })

  test('a push that deleted a ref is an error that says there is nothing to gate', () => {
    const deleted = examplePayload('push', (p) => p['deleted'] === true)
    assert.throws(() => planFromEvent('push', deleted, { GITHUB_SHA: BASE }, NO_INPUTS), {
      fate: 'usage',
      message: /deleted refs\/tags\/simple-tag/,
    })
  })

  test('workflow_dispatch: candidate defaults to GITHUB_SHA, baseline-ref and candidate-ref may be refs', () => {
    const payload = examplePayload('workflow_dispatch')
    const plain = planFromEvent(
      'workflow_dispatch',
      payload,
      { GITHUB_SHA: BASE, GITHUB_REF: 'refs/heads/main' },
      NO_INPUTS,
    )
    assert.equal(plain.candidateSha, BASE)
    assert.equal(plain.headSha, BASE)
    assert.equal(plain.baselineSha, null)
    assert.equal(plain.hasUnresolvedRefs, false)
    assert.match(plain.notes.join(' '), /No 'baseline-ref'/)

    const refs = planFromEvent(
      'workflow_dispatch',
      payload,
      { GITHUB_SHA: BASE },
      {
        ...NO_INPUTS,
        baselineRef: 'main',
        candidateRef: HEAD,
      },
    )
    assert.equal(refs.baselineSha, 'main')
    assert.equal(refs.candidateSha, HEAD)
    assert.equal(refs.hasUnresolvedRefs, true)
  })

  test('baseline-ref outside workflow_dispatch is ignored with a note', () => {
    const plan = planFromEvent('pull_request', examplePayload('pull_request', 'opened'), PR_ENV, {
      ...NO_INPUTS,
      baselineRef: 'main',
    })
    assert.equal(plan.baselineSha, BASE)
    assert.deepEqual(plan.notes, [
      "Input 'baseline-ref' is ignored under pull_request; it applies to workflow_dispatch.",
    ])
  })

  test('an unsupported event is an error listing the supported ones', () => {
    assert.throws(() => planFromEvent('issues', examplePayload('issues'), PR_ENV, NO_INPUTS), {
      fate: 'usage',
      message:
        "Quorum does not support the 'issues' event. Supported events: pull_request, pull_request_target, merge_group, push, workflow_dispatch.",
    })
  })

  test('a payload without the field GitHub always sends names that field', () => {
    const payload = examplePayload('pull_request', 'opened')
    delete at(payload, 'pull_request', 'head')['sha']
    assert.throws(
      () => planFromEvent('pull_request', payload, PR_ENV, NO_INPUTS),
      /pull_request\.head\.sha/,
    )
    assert.throws(
      () => planFromEvent('pull_request', 'not json', PR_ENV, NO_INPUTS),
      /not a JSON object/,
    )
    assert.throws(
      () =>
        planFromEvent(
          'pull_request',
          examplePayload('pull_request', 'opened'),
          { GITHUB_SHA: 'main' },
          NO_INPUTS,
        ),
      /GITHUB_SHA must be a full commit sha/,
    )
  })
})

describe('parseInputs', () => {
  const workspace = path.resolve('/home/runner/work/repo/repo')
  const parse = (values: Record<string, string>) =>
    parseInputs((name) => values[name] ?? '', { workspace })

  test('empty inputs give the documented defaults', () => {
    assert.deepEqual(parse({}), {
      config: 'quorum.yml',
      token: '',
      gateName: 'default',
      comment: true,
      checkRun: true,
      mode: null,
      configSource: 'base',
      allowPrHeadUnderPullRequestTarget: false,
      baselineRef: null,
      candidateRef: null,
      pushTrees: 'both',
      workingDirectory: workspace,
      parallel: null,
      sandbox: 'auto',
      cgroupSudo: false,
      hostSetup: 'auto',
      commentAuthor: null,
      skip: [],
      cache: true,
      audit: ['vacuity'],
      stage: 'all',
      shard: null,
      artifactName: 'quorum-report',
    })
  })

  test('audit: none turns the default vacuity probe off', () => {
    assert.deepEqual(parse({ audit: 'none' }).audit, [])
    assert.deepEqual(parse({ audit: 'changes' }).audit, ['changes'])
  })

  test('every input is read, normalized and typed', () => {
    const inputs = parse({
      config: './.github/quorum.yml',
      token: 'ghs_x',
      'gate-name': 'perf.v2',
      comment: 'False',
      'check-run': 'FALSE',
      mode: 'scored',
      'config-source': 'candidate',
      'allow-pr-head-under-pull-request-target': ' true ',
      'baseline-ref': 'refs/heads/main',
      'candidate-ref': HEAD.toUpperCase(),
      'push-trees': 'after',
      'working-directory': 'packages/app',
      parallel: '4',
      sandbox: 'copy',
      'cgroup-sudo': 'true',
      'host-setup': 'False',
      'comment-author': 'quorum-app[bot]',
      skip: 'slow, flaky\nbench',
      cache: 'false',
      audit: 'vacuity,\nchanges',
      stage: 'gate',
      shard: '2/4',
      'artifact-name': 'perf-report',
    })
    assert.deepEqual(inputs, {
      config: '.github/quorum.yml',
      token: 'ghs_x',
      gateName: 'perf.v2',
      comment: false,
      checkRun: false,
      mode: 'scored',
      configSource: 'candidate',
      allowPrHeadUnderPullRequestTarget: true,
      baselineRef: 'refs/heads/main',
      candidateRef: HEAD,
      pushTrees: 'after',
      workingDirectory: path.join(workspace, 'packages', 'app'),
      parallel: 4,
      sandbox: 'copy',
      cgroupSudo: true,
      hostSetup: 'false',
      commentAuthor: 'quorum-app[bot]',
      skip: ['slow', 'flaky', 'bench'],
      cache: false,
      audit: ['vacuity', 'changes'],
      stage: 'gate',
      shard: { index: 2, total: 4 },
      artifactName: 'perf-report',
    })
  })

  const invalid: [string, string, RegExp][] = [
    ['comment-author', 'evil user', /Input 'comment-author' must be a GitHub login/],
    [
      'comment',
      'yes',
      /Input 'comment' must be a boolean \(true \| True \| TRUE \| false \| False \| FALSE\), got 'yes'/,
    ],
    ['check-run', '1', /Input 'check-run' must be a boolean/],
    [
      'allow-pr-head-under-pull-request-target',
      'on',
      /Input 'allow-pr-head-under-pull-request-target' must be a boolean/,
    ],
    ['gate-name', 'my gate', /Input 'gate-name' must match \[A-Za-z0-9_.-\]\+/],
    [
      'mode',
      'strict',
      /Input 'mode' must be empty \(use the config's mode\) or one of pass-fail \| scored \| no-regression, got 'strict'/,
    ],
    ['config-source', 'head', /Input 'config-source' must be one of base \| candidate, got 'head'/],
    ['sandbox', 'docker', /Input 'sandbox' must be one of auto \| overlay \| copy/],
    ['parallel', '0', /Input 'parallel' must be empty or a whole number/],
    ['parallel', '2.5', /Input 'parallel'/],
    [
      'config',
      '/etc/quorum.yml',
      /Input 'config' must be a file path relative to the repository root/,
    ],
    ['config', '../other/quorum.yml', /Input 'config' must be a file path relative/],
    [
      'baseline-ref',
      '--upload-pack=touch /tmp/x',
      /Input 'baseline-ref' must be a branch or tag name/,
    ],
    ['candidate-ref', 'main..feature', /Input 'candidate-ref' must be a branch or tag name/],
    ['candidate-ref', 'HEAD~1', /Input 'candidate-ref'/],
    ['stage', 'merge', /Input 'stage' must be one of all \| gate \| publish, got 'merge'/],
    // A shard outside a gate stage would silently run every check, or none.
    ['shard', '1/2', /Input 'shard' applies to 'stage: gate' only \(this job's stage is all\)/],
    ['artifact-name', '../x', /Input 'artifact-name' must be 1 to 100 of \[A-Za-z0-9_.-\]/],
    ['artifact-name', '-x', /Input 'artifact-name'/],
    [
      'audit',
      'vacuity, mutation',
      /Input 'audit' must be vacuity, changes, both \(separated by a comma\), or none; 'mutation' is not an audit/,
    ],
  ]
  for (const [value, expected] of [
    [
      '3/2',
      /Input 'shard' must be K\/N: expected K\/N with 1 <= K <= N <= 256 \(e\.g\. 2\/4\), got "3\/2"/,
    ],
    ['0/4', /Input 'shard' must be K\/N/],
    ['2 / 4', /Input 'shard' must be K\/N/],
  ] as const) {
    test(`shard: '${value}' in a gate stage is refused, naming the input and the form`, () => {
      assert.throws(
        () => parse({ stage: 'gate', shard: value }),
        (error: unknown) =>
          error instanceof InputError && error.input === 'shard' && expected.test(error.message),
      )
    })
  }

  for (const [name, value, expected] of invalid) {
    test(`${name}: '${value}' is refused with a message naming the input and the expected form`, () => {
      assert.throws(
        () => parse({ [name]: value }),
        (error: unknown) =>
          error instanceof InputError && error.input === name && expected.test(error.message),
      )
    })
  }

  test('readInputs reads the INPUT_* variables the runner sets, hyphens and all', () => {
    const set = {
      'INPUT_GATE-NAME': 'nightly',
      'INPUT_CHECK-RUN': 'false',
      'INPUT_CONFIG-SOURCE': 'candidate',
      GITHUB_WORKSPACE: workspace,
    }
    const saved = Object.fromEntries(Object.keys(set).map((k) => [k, process.env[k]]))
    Object.assign(process.env, set)
    try {
      const inputs = readInputs(workspace)
      assert.equal(inputs.gateName, 'nightly')
      assert.equal(inputs.checkRun, false)
      assert.equal(inputs.configSource, 'candidate')
      assert.equal(inputs.workingDirectory, workspace)
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k]
        else process.env[k] = v
      }
    }
  })
})
