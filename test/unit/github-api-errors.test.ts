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

  it('wraps failures of a needed call as SourceError', async () => {
    await expect(needed(need, () => Promise.reject(http(403)))).rejects.toBeInstanceOf(SourceError);
    await expect(needed(need, () => Promise.resolve(5))).resolves.toBe(5);
  });
});
