/**
 * The GitHub REST client of the Action: `getOctokit` from @actions/github (which brings the runner's
 * proxy settings) with the retry and throttling plugins.
 *
 * Retries are bounded: server errors (5xx) and network errors are retried `retries` times with a
 * quadratic backoff of `retryDelayMs` × 1, 4, 9 ms (plugin-retry: `retryAfter = (count + 1)²`, scaled by
 * `retryAfterBaseValue`). Client errors are never retried: a 401, 403, 404 or 422 will not change
 * on a second try, and the gate must fail fast with a message about the missing permission. Rate limits
 * (403/429 with the rate-limit headers, secondary limits) are handled by the throttling plugin, which
 * waits only when the wait is short.
 */
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck/light.js';

/** The Octokit instance the Action uses (REST endpoint methods and pagination included). */
export type GitHubClient = ReturnType<typeof getOctokit>;

/** Client settings (see {@link createGitHubClient}). */
export interface ClientOptions {
  /** The token: `GITHUB_TOKEN` or a PAT or GitHub App token. Must not be empty. */
  token: string;
  /** REST API base URL (`GITHUB_API_URL`, for example `https://api.github.com` or a GHES `/api/v3`). */
  baseUrl: string;
  /** How many times a 5xx or network error is retried. Default 3. */
  retries?: number;
  /** Base unit of the retry backoff in milliseconds. Default 1000 (waits of 1 s, 4 s, 9 s). */
  retryDelayMs?: number;
  /**
   * Least time between two write requests (POST, PATCH, PUT, DELETE), in milliseconds. Default 1000: the
   * throttling plugin's own, following GitHub's advice to wait a second between writes to avoid secondary
   * rate limits. Tests lower it (`GITOPS_GATE_WRITE_INTERVAL_MS`); production never should.
   */
  writeIntervalMs?: number;
  /** Longest rate-limit wait, in seconds, the client accepts before giving up. Default 60. */
  maxRateLimitWaitS?: number;
  /** Where the client reports waits (the Action passes `core.info`). */
  log?: (message: string) => void;
}

/**
 * Statuses never retried. 429 and rate-limited 403s are the throttling plugin's to retry, after the
 * wait GitHub asks for (peter-evans/create-pull-request and github/codeql-action do the same).
 */
export const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];

/** Creates the client. */
export function createGitHubClient(opts: ClientOptions): GitHubClient {
  const log = opts.log ?? (() => undefined);
  const maxWait = opts.maxRateLimitWaitS ?? 60;
  const delay = opts.retryDelayMs ?? 1000;
  const onLimit =
    (kind: string) =>
    (retryAfter: number, options: { method?: string; url?: string }, _octokit: unknown, retryCount: number): boolean => {
      const what = `${options.method ?? 'GET'} ${options.url ?? ''}`;
      if (retryCount < 2 && retryAfter <= maxWait) {
        log(`GitHub ${kind} on ${what}: retrying in ${retryAfter} s`);
        return true;
      }
      log(`GitHub ${kind} on ${what}: not retrying (asked to wait ${retryAfter} s, ${retryCount} retries so far)`);
      return false;
    };
  return getOctokit(
    opts.token,
    {
      baseUrl: opts.baseUrl.replace(/\/+$/, ''),
      userAgent: 'gitops-gate',
      retry: { doNotRetry: DO_NOT_RETRY, retries: opts.retries ?? 3, retryAfterBaseValue: delay },
      throttle: {
        retryAfterBaseValue: delay,
        onRateLimit: onLimit('rate limit'),
        onSecondaryRateLimit: onLimit('secondary rate limit'),
        // The plugin's write limiter, one request at a time, with the interval asked for (its default: 1000 ms).
        ...(opts.writeIntervalMs !== undefined && opts.writeIntervalMs !== 1000
          ? { write: new Bottleneck.Group({ id: 'gitops-gate-write', maxConcurrent: 1, minTime: opts.writeIntervalMs }) }
          : {}),
      },
    },
    retry,
    throttling,
  );
}
