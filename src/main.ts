import { getState, saveState } from '@actions/core'
import { run } from './github/action.ts'
import { POST_STATE, runPost } from './github/post.ts'

// This script is also the action's post step (action.yml `post`): the runner hands the post step
// the state the main step saved, and the main step saves POST_STATE first of all.
if (getState(POST_STATE) === 'true') {
  await runPost(process.env)
} else {
  saveState(POST_STATE, 'true')
  // A cancelled workflow sends SIGINT, then SIGTERM: stop every run and clean up, then exit.
  const cancel = new AbortController()
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => cancel.abort())
  await run(process.env, cancel.signal)
}
