import { describe, expect, it } from 'vitest';
import { SourceError } from '../../src/core/errors.js';
import { apiError, needed } from '../../src/github/api-errors.js';

const need = { what: 'reading pull request #3', permission: 'pull-requests: read' };
const http = (status: number, message = 'Msg - https://docs.github.com/rest') => Object.assign(new Error(message), { status });

describe('apiError', () => {
  it('names the token input on a 401', () => {
    expect(apiError(http(401, 'Bad credentials'), need).message).toMatch(/^GitHub rejected the token \(401 Bad credentials\) while reading pull request #3\. Check the `github-token` input/);
  });

  it('names the permission on a 403 and a 404', () => {
    expect(apiError(http(403, 'Resource not accessible by integration'), need).message).toContain('the token lacks `pull-requests: read`. Grant `pull-requests: read`');
    expect(apiError(http(404, 'Not Found'), need).message).toMatch(/404 \(Not Found\).*does not exist, or the token lacks `pull-requests: read`/);
  });

  it('drops the documentation link Octokit appends and reports other statuses and network errors', () => {
    expect(apiError(http(500), need).message).toBe('GitHub API error 500 (Msg) while reading pull request #3.');
    expect(apiError(new Error('connect ECONNREFUSED 127.0.0.1:1'), need).message).toBe('Cannot reach the GitHub API while reading pull request #3: connect ECONNREFUSED 127.0.0.1:1');
  });

  it('names a rate limit, never a permission, for a rate-limited 403 or 429', () => {
    const limited = (status: number, message: string, headers: Record<string, string>) => Object.assign(http(status, message), { response: { headers } });
    const reset = Date.UTC(2026, 0, 1, 12, 30, 5) / 1000;
    expect(apiError(limited(403, 'API rate limit exceeded for installation ID 1.', { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) }), need).message).toBe(
      "GitHub's API rate limit for this token is used up (403 API rate limit exceeded for installation ID 1.) while reading pull request #3; it resets at 12:30:05 UTC. " +
        'The gate waits at most 60 s: re-run the job after the reset, or use a token with its own limit (a GitHub App installation token).',
    );
    expect(apiError(limited(403, 'You have exceeded a secondary rate limit. Please wait.', { 'retry-after': '120' }), need).message).toBe(
      "GitHub's secondary rate limit stopped the gate (403 You have exceeded a secondary rate limit. Please wait.) while reading pull request #3. GitHub asked to wait 120 s. " +
        'The gate waits at most 60 s: re-run the job later, or spread out the workflows that share this token.',
    );
    expect(apiError(limited(429, 'Too Many Requests', { 'retry-after': '90' }), need).message).toBe(
      'GitHub asked the gate to slow down (429 Too Many Requests) while reading pull request #3. GitHub asked to wait 90 s. The gate waits at most 60 s: re-run the job later.',
    );
    // A 403 with rate-limit headers left is a permission problem.
    expect(apiError(limited(403, 'Resource not accessible by integration', { 'x-ratelimit-remaining': '4999' }), need).message).toContain('the token lacks `pull-requests: read`');
  });

  it('tells a request that got no answer from a server error, and counts the retries', () => {
    const request = (retryCount?: number) => ({ method: 'GET', url: 'x', request: retryCount === undefined ? {} : { retryCount } });
    expect(apiError(Object.assign(http(500, 'other side closed'), { request: request(3) }), need).message).toBe('Cannot reach the GitHub API while reading pull request #3 (after 3 retries): other side closed');
    expect(apiError(Object.assign(http(502, 'Bad Gateway'), { request: request(1), response: { headers: {} } }), need).message).toBe('GitHub API error 502 (Bad Gateway) while reading pull request #3, after 1 retry.');
    expect(apiError(Object.assign(http(502, 'Bad Gateway'), { request: request(), response: { headers: {} } }), need).message).toBe('GitHub API error 502 (Bad Gateway) while reading pull request #3.');
  });

  it('wraps failures of a needed call as SourceError', async () => {
    await expect(needed(need, () => Promise.reject(http(403)))).rejects.toBeInstanceOf(SourceError);
    await expect(needed(need, () => Promise.resolve(5))).resolves.toBe(5);
  });
});
