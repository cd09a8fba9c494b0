/**
 * Turns a failed GitHub API call into a message that says what to fix. GitHub answers 404 (not 403)
 * when a token cannot see a private resource, so a 404 names the permission as a possible cause. A 403
 * or 429 that is a rate limit names the limit and when to re-run, never a missing permission; a failure
 * without an HTTP answer (reset, timeout) says GitHub could not be reached; and a failure the client had
 * already retried says how often. docs/faults.md lists the messages.
 */
import { GitHubResponseError, SourceError } from '../core/errors.js';

/** What a call was for and the permission it needs, for messages. */
export interface ApiNeed {
  /** What the gate was doing, for example `reading pull request #12`. */
  what: string;
  /** The `permissions:` entry the workflow must grant, for example `pull-requests: read`. */
  permission: string;
}

/** The HTTP status of an Octokit `RequestError`, if `err` is one. */
export function httpStatus(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'status' in err && typeof (err as { status: unknown }).status === 'number') {
    return (err as { status: number }).status;
  }
  return undefined;
}

/** The first line of an error's message, without the documentation link Octokit appends. */
export function apiMessage(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0]!.replace(/\s+-\s+https?:\/\/\S+$/, '');
  return String(err);
}

/** The parts of an Octokit `RequestError` the messages use; every field may be absent. */
interface RequestErrorShape {
  response?: { headers?: Record<string, string | number | undefined> };
  request?: { request?: { retryCount?: number } };
}

function header(err: unknown, name: string): string | undefined {
  const value = (err as RequestErrorShape).response?.headers?.[name];
  return value === undefined ? undefined : String(value);
}

/** True when Octokit got no HTTP answer at all (connection refused or reset, cut-off body, timeout). */
function noAnswer(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'request' in err && !(err as RequestErrorShape).response;
}

/** How often the retry plugin retried the call before giving up (0 when it did not retry). */
export function retriesOf(err: unknown): number {
  const n = typeof err === 'object' && err !== null ? (err as RequestErrorShape).request?.request?.retryCount : undefined;
  return typeof n === 'number' ? n : 0;
}

/** `HH:MM:SS UTC` of a Unix time in seconds (GitHub's `x-ratelimit-reset`). */
function utcTime(epochS: number): string {
  return `${new Date(epochS * 1000).toISOString().slice(11, 19)} UTC`;
}

/**
 * The rate-limit message for a 403 or 429 that is one (GitHub: a primary limit has
 * `x-ratelimit-remaining: 0`; a secondary limit says "secondary rate limit" and may send `retry-after`),
 * or `undefined` for any other answer.
 */
function rateLimitMessage(status: number, msg: string, err: unknown, what: string): string | undefined {
  if (status !== 403 && status !== 429) return undefined;
  const retryAfter = header(err, 'retry-after');
  const wait = retryAfter ? ` GitHub asked to wait ${retryAfter} s.` : '';
  const rerun = `The gate waits at most ${RATE_LIMIT_MAX_WAIT_S} s: re-run the job`;
  if (/\bsecondary rate limit\b/i.test(msg)) {
    return `GitHub's secondary rate limit stopped the gate (${status} ${msg}) while ${what}.${wait} ${rerun} later, or spread out the workflows that share this token.`;
  }
  const reset = Number(header(err, 'x-ratelimit-reset'));
  if (header(err, 'x-ratelimit-remaining') === '0') {
    const when = Number.isFinite(reset) && reset > 0 ? `; it resets at ${utcTime(reset)}` : '';
    return `GitHub's API rate limit for this token is used up (${status} ${msg}) while ${what}${when}. ${rerun} after the reset, or use a token with its own limit (a GitHub App installation token).`;
  }
  if (status === 429) return `GitHub asked the gate to slow down (429 ${msg}) while ${what}.${wait} ${rerun} later.`;
  return undefined;
}

/** Longest rate-limit wait of the Action's client, in seconds (client.ts defaults to it). */
export const RATE_LIMIT_MAX_WAIT_S = 60;

/**
 * Maps an error of a needed API call to a {@link SourceError} naming the missing permission or input;
 * a {@link GitHubResponseError} (a malformed answer) stays one, with what the call was for.
 * @param err what Octokit threw
 * @param need the call's purpose and the permission it needs
 */
export function apiError(err: unknown, need: ApiNeed): SourceError {
  // GitHub answered, with a body of the wrong shape: not a permission or network fault.
  if (err instanceof GitHubResponseError) return new GitHubResponseError(`GitHub sent a malformed answer while ${need.what}: ${err.message}`, { cause: err });
  const status = httpStatus(err);
  const msg = apiMessage(err);
  const retries = retriesOf(err);
  const after = retries > 0 ? `, after ${retries} ${retries === 1 ? 'retry' : 'retries'}` : '';
  if (noAnswer(err)) return new SourceError(`Cannot reach the GitHub API while ${need.what}${after ? ` (${after.slice(2)})` : ''}: ${msg}`, { cause: err });
  const limited = status === undefined ? undefined : rateLimitMessage(status, msg, err, need.what);
  if (limited) return new SourceError(limited, { cause: err });
  const grant = `Grant \`${need.permission}\` in the workflow's \`permissions:\` (or use a token that has it).`;
  switch (status) {
    case 401:
      return new SourceError(
        `GitHub rejected the token (401 ${msg}) while ${need.what}. Check the \`github-token\` input: it must be a valid token, by default \${{ github.token }}.`,
        { cause: err },
      );
    case 403:
      return new SourceError(`GitHub refused access (403 ${msg}) while ${need.what}: the token lacks \`${need.permission}\`. ${grant}`, { cause: err });
    case 404:
      return new SourceError(
        `GitHub answered 404 (${msg}) while ${need.what}: the resource does not exist, or the token lacks \`${need.permission}\` (GitHub hides what a token may not read). ${grant}`,
        { cause: err },
      );
    case undefined:
      return new SourceError(`Cannot reach the GitHub API while ${need.what}: ${msg}`, { cause: err });
    default:
      return new SourceError(`GitHub API error ${status} (${msg}) while ${need.what}${after}.`, { cause: err });
  }
}

/**
 * True for an error of the gate's own code (a `TypeError`, `RangeError` or `ReferenceError` with no request
 * attached): Octokit wraps every failed request, network errors included, in a `RequestError`.
 */
function isBug(err: unknown): boolean {
  return (err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError) && !('request' in err);
}

/**
 * Runs `call`, mapping its failure with {@link apiError}. A bug in `call` (see `isBug`) is rethrown as it
 * is, so it reads as an internal error (CLI exit code 3) and not as an unreachable GitHub.
 */
export async function needed<T>(need: ApiNeed, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isBug(err)) throw err;
    throw apiError(err, need);
  }
}
