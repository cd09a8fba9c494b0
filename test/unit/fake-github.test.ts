/**
 * The fake GitHub API itself: its handlers answer with what GitHub's OpenAPI description allows, and it
 * refuses requests GitHub would refuse. (The publishing and review work build on these handlers.)
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubClient, type GitHubClient } from '../../src/github/client.js';
import { FakeGitHub, fixture, simpleUser } from '../e2e/fake-github.js';

let fake: FakeGitHub;
let gh: GitHubClient;
const repo = { owner: 'acme', repo: 'gitops' };

beforeEach(async () => {
  fake = await FakeGitHub.start();
  gh = createGitHubClient({ token: fake.token, baseUrl: fake.url, retries: 0, retryDelayMs: 1 });
  fake.pulls.set(3, { pull: fixture('pulls/get', { number: 3, user: simpleUser('alice') }), files: [], commits: [], reviews: [] });
});
afterEach(() => fake.close());

describe('FakeGitHub', () => {
  it('stores comments, check runs and statuses with responses valid against the OpenAPI description', async () => {
    const c = await gh.rest.issues.createComment({ ...repo, issue_number: 3, body: 'hello' });
    await gh.rest.issues.updateComment({ ...repo, comment_id: c.data.id, body: 'updated' });
    const list = await gh.rest.issues.listComments({ ...repo, issue_number: 3, per_page: 100 });
    expect(list.data.map((x) => x.body)).toEqual(['updated']);
    await gh.rest.issues.deleteComment({ ...repo, comment_id: c.data.id });
    expect(fake.comments).toEqual([]);

    const run = await gh.rest.checks.create({ ...repo, name: 'gitops-gate', head_sha: 'a'.repeat(40), status: 'in_progress' });
    await gh.rest.checks.update({ ...repo, check_run_id: run.data.id, status: 'completed', conclusion: 'failure', output: { title: 't', summary: 's' } });
    expect(fake.checkRuns[0]).toMatchObject({ status: 'completed', conclusion: 'failure', output: { title: 't', summary: 's' } });

    await gh.rest.repos.createCommitStatus({ ...repo, sha: 'a'.repeat(40), state: 'success', context: 'gitops-gate' });
    expect(fake.statuses.map((s) => [s.sha, s.status.context])).toEqual([['a'.repeat(40), 'gitops-gate']]);

    fake.teams.set('sre', ['erin']);
    expect((await gh.rest.teams.getMembershipForUserInOrg({ org: 'acme', team_slug: 'sre', username: 'erin' })).data.state).toBe('active');
    expect(fake.problems).toEqual([]);
  });

  it('refuses a request GitHub would refuse and records the problem', async () => {
    // Check run annotations must use annotation_level notice|warning|failure; `error` is invalid.
    const annotations = [{ path: 'a.yaml', start_line: 1, end_line: 1, annotation_level: 'error' as 'failure', message: 'm' }];
    await expect(
      gh.rest.checks.create({ ...repo, name: 'gitops-gate', head_sha: 'a'.repeat(40), output: { title: 't', summary: 's', annotations } }),
    ).rejects.toMatchObject({ status: 400 });
    expect(fake.problems).toEqual([expect.stringContaining('request does not match the OpenAPI description')]);
  });

  it('records a fixture GitHub would never send', async () => {
    fake.pulls.get(3)!.files.push({ filename: 'a.yaml', status: 'moved' });
    await gh.rest.pulls.listFiles({ ...repo, pull_number: 3 });
    expect(fake.problems).toEqual([expect.stringContaining('response 200 does not match the OpenAPI description')]);
  });

  it('refuses writes with a read-only token (fork pull requests), as GitHub does', async () => {
    fake.readOnly = true;
    await expect(gh.rest.issues.createComment({ ...repo, issue_number: 3, body: 'x' })).rejects.toMatchObject({ status: 403 });
    expect((await gh.rest.pulls.get({ ...repo, pull_number: 3 })).headers['x-ratelimit-remaining']).toBe('998');
    expect(fake.comments).toEqual([]);
    expect(fake.problems).toEqual([]);
  });

  it('answers 401 to a wrong token and clamps per_page to 100', async () => {
    const other = createGitHubClient({ token: 'wrong', baseUrl: fake.url, retries: 0 });
    await expect(other.rest.pulls.get({ ...repo, pull_number: 3 })).rejects.toMatchObject({ status: 401 });
    fake.pulls.get(3)!.files.push(...Array.from({ length: 150 }, (_, i) => fixture('pulls/list-files', { filename: `f${i}`, status: 'added' })));
    const page = await gh.rest.pulls.listFiles({ ...repo, pull_number: 3, per_page: 500 });
    expect(page.data).toHaveLength(100);
    expect(page.headers.link).toContain('rel="next"');
  });
});
