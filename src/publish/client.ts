/**
 * The small slice of the GitHub REST API the publishing layer needs, and how refused writes become
 * warnings. The interface matches Octokit's `octokit.request(route, params)`, so the Action passes its
 * Octokit (`getOctokit(token).request`) directly; tests pass a recording fake.
 */
import { httpStatus } from '../github/api-errors.js';
import type { GitHubRequester } from '../github/requester.js';

export type { GitHubResponse } from '../github/requester.js';

/** The client publishing writes through (an Octokit in the Action; a recording fake in tests). */
export type GitHubWriter = GitHubRequester;

/** The repository publishing targets. */
export interface RepoRef {
  owner: string;
  repo: string;
}

/** A token permission a write needs, in the words of a workflow's `permissions:` block. */
export type TokenPermission = 'checks: write' | 'pull-requests: write' | 'issues: write' | 'pull-requests: read';

/** A write (or read) that GitHub refused or that failed; the publish functions never throw. */
export interface Refusal {
  /** What was tried, for example `create check run "GitOps Gate"`. */
  action: string;
  /** HTTP status, when GitHub answered. */
  status?: number;
  /** The permission the token probably lacks (on 401, 403 and 404). */
  permission?: TokenPermission;
  /** A sentence for the workflow log and the job summary. */
  message: string;
}

/** What one publish function did. */
export interface PublishResult {
  /** What was published, in words (for example `created check run 17 with 50 annotations`). */
  published: string[];
  /** What GitHub refused, with the permission to grant. */
  refused: Refusal[];
  /** What was deliberately not done, and why (for example `comment: input comment is never`). */
  skipped: string[];
}

/** An empty result to fill. */
export function emptyResult(): PublishResult {
  return { published: [], refused: [], skipped: [] };
}

/** The HTTP status carried by an Octokit `RequestError` (or any error with a numeric `status`). */
export { httpStatus as errorStatus } from '../github/api-errors.js';

function errorText(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0]!.slice(0, 300);
}

/**
 * Turns a failed request into a refusal that names the missing permission. GitHub answers 403 when
 * the token lacks a permission, and 404 when a fork's read-only token cannot see the write endpoint
 * (GitHub REST docs, "Permissions required for GitHub Apps"; fork pull requests get read-only tokens).
 */
export function refusal(action: string, err: unknown, permission: TokenPermission): Refusal {
  const status = httpStatus(err);
  const text = errorText(err);
  if (status === 401 || status === 403 || status === 404) {
    const rate = status === 403 && /rate limit/i.test(text);
    const message = rate
      ? `${action}: GitHub refused it (403, rate limit): ${text}`
      : `${action}: GitHub refused it (${status}). The token probably lacks the permission \`${permission}\`` +
        (permission === 'pull-requests: write' ? ' (or `issues: write`) ' : ' ') +
        '(grant it in the workflow\'s `permissions:`; on pull requests from forks the token is read-only). ' +
        `GitHub said: ${text}`;
    return { action, status, ...(rate ? {} : { permission }), message };
  }
  return { action, ...(status !== undefined ? { status } : {}), message: `${action} failed${status !== undefined ? ` (${status})` : ''}: ${text}` };
}

/** The warnings to log for a result: one line per refusal. */
export function refusalWarnings(result: PublishResult): string[] {
  return result.refused.map((r) => r.message);
}
