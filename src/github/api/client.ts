/**
 * The one Octokit Quorum uses: @actions/github's GitHub class (REST methods, pagination, the
 * runner's proxy settings) plus the retry and throttling plugins.
 *
 * Retries: a transient failure (5xx, or a network error, which Octokit reports as 500) is tried
 * 3 times in all with quadratic back-off (1 s, 4 s). 4xx is never retried by the retry plugin:
 * permission, validation and not-found errors do not fix themselves, and 429/403 rate limits
 * belong to the throttling plugin, which waits as GitHub asks (retry-after / x-ratelimit-reset)
 * and retries at most twice, and only when the wait is short enough for a CI job.
 * Writes are also spaced as GitHub's best practices ask (the throttling plugin's write and
 * notification queues), so a burst of annotation PATCHes does not trip the secondary limit.
 */

import { GitHub, getOctokitOptions } from '@actions/github/lib/utils'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'

import type { GitHubLog } from './errors.ts'

export type { GitHubLog } from './errors.ts'

const QuorumOctokit = GitHub.plugin(retry, throttling)

/** The Octokit instance type the github/ modules take. */
export type GitHubClient = InstanceType<typeof QuorumOctokit>

/** Total attempts for a transient failure (first try included). */
export const TRANSIENT_ATTEMPTS = 3
/** How many times a rate-limited request is retried before giving up. */
export const RATE_LIMIT_RETRIES = 2
/** A rate-limit wait longer than this is not worth holding a CI job for: give up instead. */
export const MAX_RATE_LIMIT_WAIT_S = 60

// 429 is added to the plugin's defaults: it is a rate limit, the throttling plugin's business.
// Retrying it here as well would multiply the attempts and ignore GitHub's retry-after.
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451]

export interface GitHubClientOptions {
  token: string
  /** REST API root, from GITHUB_API_URL (e.g. https://ghe.example.com/api/v3). */
  baseUrl?: string
  userAgent?: string
  log: GitHubLog
  /**
   * Unit of every back-off, in ms (default 1000: GitHub's seconds). Tests shrink it so retries
   * and rate-limit waits take milliseconds; production code should leave it alone.
   */
  retryBaseMs?: number
  /**
   * Clients with the same key share one write queue (GitHub asks for writes to be spaced, per
   * token). The default is one queue per process, right when every client uses the same token;
   * tests give each client its own key so one test's pacing does not delay the next.
   */
  pacingKey?: string
}

/**
 * Creates the Octokit used for every Quorum API call (check run, comment, PR lookup). The token
 * is the workflow's GITHUB_TOKEN or a PAT; it is never logged.
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const { log } = options
  const base = options.retryBaseMs ?? 1000

  const onLimit =
    (kind: string) =>
    (
      retryAfter: number,
      request: { method?: string; url?: string },
      _o: unknown,
      count: number,
    ) => {
      const what = `${request.method ?? '?'} ${request.url ?? '?'}`
      // Giving up is said as info: the request then fails as a rate-limit error, and whoever
      // made it says that failure once, with what it cost (a warning, or a refused report).
      if (count >= RATE_LIMIT_RETRIES) {
        log.info(`GitHub ${kind} hit on ${what}; gave up after ${count} retries.`)
        return false
      }
      if (retryAfter > MAX_RATE_LIMIT_WAIT_S) {
        log.info(
          `GitHub ${kind} hit on ${what}; it resets in ${retryAfter} s, too long to wait in a job.`,
        )
        return false
      }
      log.info(`GitHub ${kind} hit on ${what}; retrying in ${retryAfter} s (${count + 1}/2).`)
      return true
    }

  return new QuorumOctokit(
    getOctokitOptions(options.token, {
      ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl.replace(/\/+$/, '') }),
      userAgent: options.userAgent ?? 'quorum-gate',
      log: {
        debug: (m: string) => log.debug(m),
        info: (m: string) => log.debug(m),
        warn: (m: string) => log.warning(m),
        error: (m: string) => log.warning(m),
      },
      retry: {
        retries: TRANSIENT_ATTEMPTS - 1,
        doNotRetry: DO_NOT_RETRY,
        retryAfterBaseValue: base,
      },
      throttle: {
        id: options.pacingKey ?? 'quorum',
        retryAfterBaseValue: base,
        onRateLimit: onLimit('rate limit'),
        onSecondaryRateLimit: onLimit('secondary rate limit'),
      },
    }),
  )
}
