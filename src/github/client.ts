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
 *
 * Every request runs through {@link bufferedFetch}: the body is read completely before Octokit sees the
 * response, so a connection cut off mid-body is a network error that is retried (Octokit would read a
 * cut-off body as an empty string and carry on with no data), and a request that does not finish within
 * `requestTimeoutMs` is aborted and retried like any network error. docs/faults.md lists what the gate
 * does for each GitHub failure.
 */
import { getOctokit } from '@actions/github';
import { defaults } from '@actions/github/lib/utils';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { RATE_LIMIT_MAX_WAIT_S } from './api-errors.js';
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
  /** Longest time one request may take, headers and body, in milliseconds. Default 60,000. */
  requestTimeoutMs?: number;
  /** Where the client reports waits (the Action passes `core.info`). */
  log?: (message: string) => void;
  /** Called for every HTTP attempt, retries included (the audit counts its requests with it). */
  onAttempt?: () => void;
}

/**
 * Statuses never retried. 429 and rate-limited 403s are the throttling plugin's to retry, after the
 * wait GitHub asks for (peter-evans/create-pull-request and github/codeql-action do the same).
 */
export const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];

/** How many rate-limit waits one request may take before the client gives up. */
export const MAX_RATE_LIMIT_RETRIES = 2;

type Fetch = typeof globalThis.fetch;

/** Statuses whose response has no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * Wraps `fetch` so the response body is read completely, within `timeoutMs` counted from the request,
 * before the response is returned. A cut-off body or a timeout then rejects like a network error, which
 * Octokit turns into a retried `RequestError`.
 */
export function bufferedFetch(inner: Fetch, timeoutMs: number): Fetch {
  return async (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    try {
      const res = await inner(input, { ...init, signal });
      const body = NULL_BODY.has(res.status) ? null : await res.arrayBuffer();
      const copy = new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
      Object.defineProperty(copy, 'url', { value: res.url });
      return copy;
    } catch (err) {
      // A plain Error, not the AbortError: Octokit rethrows an AbortError as it is, and it is never retried.
      if (timeout.aborted) throw new Error(`no complete answer within ${timeoutMs / 1000} s`, { cause: err });
      throw err;
    }
  };
}

function counted(inner: Fetch, onAttempt?: () => void): Fetch {
  if (!onAttempt) return inner;
  return (input, init) => {
    onAttempt();
    return inner(input, init);
  };
}

/**
 * Stops at the first primary rate-limit answer GitHub will not lift in time: once a 403 or 429 with
 * `x-ratelimit-remaining: 0` comes back whose reset is more than `maxWaitS` away, every later request of
 * this client gets that same answer without being sent, until the reset. Requests already in flight
 * still arrive; nothing new spends the next hour's budget on answers that would be refused (a large
 * base read through the API would otherwise send hundreds after the first refusal).
 */
export function rateLimitBreaker(inner: Fetch, maxWaitS: number, log: (m: string) => void): Fetch {
  let tripped: { status: number; statusText: string; headers: [string, string][]; body: ArrayBuffer; resetAt: number } | undefined;
  let held = 0;
  return async (input, init) => {
    if (tripped && Date.now() / 1000 < tripped.resetAt) {
      if (held++ === 0) log(`GitHub's rate limit is used up until ${new Date(tripped.resetAt * 1000).toISOString().slice(11, 19)} UTC: later requests are not sent.`);
      return new Response(tripped.body.slice(0), { status: tripped.status, statusText: tripped.statusText, headers: tripped.headers });
    }
    const res = await inner(input, init);
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    if ((res.status === 403 || res.status === 429) && res.headers.get('x-ratelimit-remaining') === '0' && Number.isFinite(reset) && reset - Date.now() / 1000 > maxWaitS) {
      const body = await res.clone().arrayBuffer();
      tripped = { status: res.status, statusText: res.statusText, headers: [...res.headers.entries()], body, resetAt: reset };
    }
    return res;
  };
}

/** Creates the client. */
export function createGitHubClient(opts: ClientOptions): GitHubClient {
  const log = opts.log ?? (() => undefined);
  const maxWait = opts.maxRateLimitWaitS ?? RATE_LIMIT_MAX_WAIT_S;
  const delay = opts.retryDelayMs ?? 1000;
  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  const onLimit =
    (kind: string) =>
    (retryAfter: number, options: Parameters<GitHubClient['request']['endpoint']['parse']>[0], octokit: Pick<GitHubClient, 'request'>, retryCount: number): boolean => {
      // The request as sent (templates expanded), without the API's base URL.
      const what = `${options.method} ${octokit.request.endpoint.parse(options).url.replace(baseUrl, '')}`;
      if (retryCount < MAX_RATE_LIMIT_RETRIES && retryAfter <= maxWait) {
        log(`GitHub ${kind} on ${what}: retrying in ${retryAfter} s`);
        return true;
      }
      log(`GitHub ${kind} on ${what}: not retrying (asked to wait ${retryAfter} s, ${retryCount} retries so far)`);
      return false;
    };
  return getOctokit(
    opts.token,
    {
      baseUrl,
      userAgent: 'gitops-gate',
      // The runner's proxy-aware fetch from @actions/github's defaults, made to read bodies whole.
      request: { ...defaults.request, fetch: rateLimitBreaker(counted(bufferedFetch((defaults.request?.fetch as Fetch | undefined) ?? globalThis.fetch, opts.requestTimeoutMs ?? 60_000), opts.onAttempt), maxWait, log) },
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
