/**
 * The GitHub client and readers, in process, against the OpenAPI-checked fake API on 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubClient, type GitHubClient } from '../../src/github/client.js';
import { ContentsTree, GitHubObjects } from '../../src/github/contents-tree.js';
import { baseIsAncestor } from '../../src/github/gather.js';
import { makeRepo } from '../helpers/git-repo.js';
import { readPullRequest, readPullRequestLists } from '../../src/github/pull-request.js';
import { gatherDirectory, TEAM_TOKEN_ERROR } from '../../src/review/gather.js';
import { FakeGitHub, fixture, simpleUser } from '../e2e/fake-github.js';

let fake: FakeGitHub;
let gh: GitHubClient;
const ref = { owner: 'acme', repo: 'gitops', number: 7 };
const BASE = 'b'.repeat(40);

beforeEach(async () => {
  fake = await FakeGitHub.start();
  gh = createGitHubClient({ token: fake.token, baseUrl: fake.url, retryDelayMs: 1 });
});
afterEach(async () => {
  await fake.close();
  expect(fake.problems).toEqual([]);
});

function addPull(files: number, commits: number): void {
  fake.pulls.set(7, {
    pull: fixture('pulls/get', { number: 7, title: 't', user: simpleUser('alice'), head: { sha: 'h'.repeat(40), ref: 'pr' }, base: { sha: BASE, ref: 'main' }, changed_files: files, commits }),
    files: Array.from({ length: files }, (_, i) => fixture('pulls/list-files', { filename: `f/${i}.yaml`, status: 'added' })),
    commits: Array.from({ length: commits }, (_, i) => fixture('pulls/list-commits', { sha: String(i).padStart(40, '0'), commit: { message: `c${i}` } })),
    reviews: [fixture('pulls/list-reviews', { id: 1, user: simpleUser('bob'), state: 'APPROVED', commit_id: 'h'.repeat(40) })],
  });
}

describe('reading a pull request', () => {
  it('reads every list 100 per page and flags GitHub caps of 3,000 files and 250 commits', async () => {
    addPull(3100, 260);
    const { pr, changedFiles, commits } = await readPullRequest(gh, ref);
    expect(pr).toMatchObject({ number: 7, baseSha: BASE });
    const lists = await readPullRequestLists(gh, ref, { changedFiles, commits });
    expect(lists.files).toHaveLength(3000);
    expect(lists.commits).toHaveLength(250);
    expect(lists.reviews.map((r) => [r.reviewer.login, r.state])).toEqual([['bob', 'APPROVED']]);
    expect(lists.caps).toEqual({ filesTruncated: true, commitsTruncated: true });
    expect(fake.calls('pulls/list-files')).toHaveLength(30);
    expect(fake.calls('pulls/list-commits')).toHaveLength(3);
    expect(fake.requests.every((r) => r.operationId === 'pulls/get' || r.query.per_page === '100')).toBe(true);
  });

  it('does not flag caps under them', async () => {
    addPull(101, 1);
    const t = await readPullRequest(gh, ref);
    const lists = await readPullRequestLists(gh, ref, t);
    expect(lists.caps).toEqual({ filesTruncated: false, commitsTruncated: false });
    expect(fake.calls('pulls/list-files').map((r) => r.query.page ?? '1')).toEqual(['1', '2']);
  });

  it('names pull-requests: read on a 404 of the PR', async () => {
    await expect(readPullRequest(gh, ref)).rejects.toThrow(/GitHub answered 404 .* while reading pull request #7: .* lacks `pull-requests: read`/);
  });
});

describe('retries', () => {
  it('retries 5xx and network resets a bounded number of times', async () => {
    addPull(1, 1);
    fake.fault('pulls/get', { status: 503, times: 2 });
    fake.fault('pulls/get', { reset: true });
    expect((await readPullRequest(gh, ref)).pr.number).toBe(7);
    expect(fake.calls('pulls/get').map((r) => r.status)).toEqual([503, 503, -1, 200]);
  });

  it('gives up after three retries', async () => {
    addPull(1, 1);
    fake.fault('pulls/get', { status: 502, times: 10 });
    await expect(readPullRequest(gh, ref)).rejects.toThrow(/GitHub API error 502/);
    expect(fake.calls('pulls/get')).toHaveLength(4);
  });

  it('aborts a request that does not finish in time and retries it like a network error', async () => {
    addPull(1, 1);
    const quick = createGitHubClient({ token: fake.token, baseUrl: fake.url, retryDelayMs: 1, requestTimeoutMs: 200 });
    fake.fault('pulls/get', { delayMs: 1000 });
    expect((await readPullRequest(quick, ref)).pr.number).toBe(7);
    fake.fault('pulls/get', { delayMs: 1000, times: 4 });
    await expect(readPullRequest(quick, ref)).rejects.toThrow(/^Cannot reach the GitHub API while reading pull request #7 \(after 3 retries\): no complete answer within 0\.2 s$/);
    expect(fake.calls('pulls/get')).toHaveLength(6);
  });

  it('retries a body cut off halfway instead of reading it as an empty answer', async () => {
    addPull(1, 1);
    fake.fault('pulls/list-reviews', { truncate: true, times: 2 });
    const lists = await readPullRequestLists(gh, ref, { changedFiles: 1, commits: 1 });
    expect(lists.reviews).toHaveLength(1);
    expect(fake.calls('pulls/list-reviews').map((r) => r.status)).toEqual([-2, -2, 200]);
  });

  it('never retries a 404 or a plain 403', async () => {
    addPull(1, 1);
    fake.fault('pulls/get', { status: 403, body: { message: 'Resource not accessible by integration' } });
    await expect(readPullRequest(gh, ref)).rejects.toThrow(/403 Resource not accessible by integration.*`pull-requests: read`/);
    expect(fake.calls('pulls/get')).toHaveLength(1);
  });

  it('waits out a rate limit GitHub says resets soon', async () => {
    addPull(1, 1);
    const reset = String(Math.floor(Date.now() / 1000));
    fake.fault('pulls/get', { status: 403, body: { message: 'API rate limit exceeded' }, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset } });
    expect((await readPullRequest(gh, ref)).pr.number).toBe(7);
    expect(fake.calls('pulls/get').map((r) => r.status)).toEqual([403, 200]);
  });
});

describe('lists that fail or end early', () => {
  it('names the page when a later page fails, and maps a first-page failure as usual', async () => {
    addPull(1, 1);
    fake.pulls.get(7)!.reviews = Array.from({ length: 150 }, (_, i) => fixture('pulls/list-reviews', { id: i + 1, user: simpleUser('bob'), state: 'COMMENTED', commit_id: 'h'.repeat(40) }));
    fake.fault('pulls/list-reviews', { page: 2, status: 404, body: { message: 'Not Found' } });
    await expect(readPullRequestLists(gh, ref, { changedFiles: 1, commits: 1 })).rejects.toThrow(
      /^GitHub answered 404 \(Not Found\) for page 2 while listing the reviews of pull request #7, after reading page 1: the list changed or went away/,
    );
    fake.fault('pulls/list-reviews', { page: 2, status: 503, times: 4 });
    await expect(readPullRequestLists(gh, ref, { changedFiles: 1, commits: 1 })).rejects.toThrow(/^GitHub API error 503 .* while listing the reviews of pull request #7 \(page 2\), after 3 retries\.$/);
    fake.fault('pulls/list-reviews', { status: 403, body: { message: 'Resource not accessible by integration' } });
    await expect(readPullRequestLists(gh, ref, { changedFiles: 1, commits: 1 })).rejects.toThrow(/^GitHub refused access \(403 .*\) while listing the reviews of pull request #7: the token lacks `pull-requests: read`/);
  });

  it('fails closed when a list ends short of the count the pull request reports, up to the cap', async () => {
    addPull(120, 3);
    await expect(readPullRequestLists(gh, ref, { changedFiles: 120, commits: 4 })).rejects.toThrow(/^GitHub listed 3 of the 4 commits of pull request #7 \(its commits\): the list is incomplete/);
    fake.fault('pulls/list-files', { page: 2, status: 200, body: [] });
    await expect(readPullRequestLists(gh, ref, { changedFiles: 120, commits: 3 })).rejects.toThrow(/^GitHub listed 100 of the 120 files of pull request #7 \(its changed_files\)/);
    // The same lists read whole pass (past GitHub's caps a short list is flagged instead: see above).
    expect((await readPullRequestLists(gh, ref, { changedFiles: 120, commits: 3 })).caps).toEqual({ filesTruncated: false, commitsTruncated: false });
  });
});

describe('ContentsTree (git trees and blobs)', () => {
  let dirs: string[] = [];
  /** A directory that is no git clone: every blob comes from the API. */
  const noClone = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'gg-noclone-'));
    dirs.push(d);
    return d;
  };
  const objects = (budget?: number, workspace = noClone()) => new GitHubObjects(gh, 'acme', 'gitops', { workspace, ...(budget !== undefined ? { budget } : {}) });
  beforeEach(() => {
    fake.trees.set(BASE, { 'policies/gitops-gate.yaml': 'version: 1\n', 'apps/a.yaml': 'a: 1\n', 'apps/b/b.yaml': 'b: 1\n' });
  });
  afterEach(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    dirs = [];
  });

  it('lists the commit with one recursive tree read and reads each needed blob once; directories and missing paths cost nothing', async () => {
    const o = objects();
    const t = new ContentsTree(o, BASE);
    expect(await t.listFiles()).toEqual(['apps/a.yaml', 'apps/b/b.yaml', 'policies/gitops-gate.yaml']);
    const got = await t.readFiles(['apps/a.yaml', 'apps/missing.yaml', 'apps', 'apps/a.yaml']);
    expect(new TextDecoder().decode(got.get('apps/a.yaml'))).toBe('a: 1\n');
    expect([got.get('apps'), got.get('apps/missing.yaml')]).toEqual([undefined, undefined]);
    expect(await t.readFile('apps/a.yaml')).toBeDefined();
    expect(fake.calls('git/get-tree').map((r) => r.query.recursive)).toEqual(['1']);
    expect(fake.calls('git/get-blob')).toHaveLength(1);
    expect(fake.calls('repos/get-content')).toEqual([]);
    expect(o.used).toBe(2);
  });

  it('reads the blobs the workspace clone holds from the clone, not the API', async () => {
    const repo = makeRepo({ 'apps/a.yaml': 'a: 1\n' }, { 'apps/a.yaml': 'a: 1\n', 'other.yaml': 'x: 1\n' });
    try {
      const t = new ContentsTree(objects(undefined, repo.dir), BASE);
      const got = await t.readFiles(['apps/a.yaml', 'apps/b/b.yaml']);
      expect(new TextDecoder().decode(got.get('apps/a.yaml'))).toBe('a: 1\n');
      expect(new TextDecoder().decode(got.get('apps/b/b.yaml'))).toBe('b: 1\n');
      // Only b.yaml, which the clone lacks, is read through the API.
      expect(fake.calls('git/get-blob')).toHaveLength(1);
    } finally {
      repo.cleanup();
    }
  });

  it('walks a truncated tree (the root, then each subtree recursively) instead of trusting a partial list', async () => {
    fake.truncatedTrees.add(BASE);
    const t = new ContentsTree(objects(), BASE);
    expect(await t.listFiles()).toEqual(['apps/a.yaml', 'apps/b/b.yaml', 'policies/gitops-gate.yaml']);
    // recursive (truncated), the root alone, then apps/ and policies/ recursively.
    expect(fake.calls('git/get-tree').map((r) => r.query.recursive ?? '-')).toEqual(['1', '-', '1', '1']);
    expect(new TextDecoder().decode(await t.readFile('apps/b/b.yaml'))).toBe('b: 1\n');
  });

  it('fails closed over the request budget before sending the reads, naming the budget and fetch-depth: 0', async () => {
    const t = new ContentsTree(objects(2), BASE);
    await expect(t.readFiles(['policies/gitops-gate.yaml', 'apps/b/b.yaml'])).rejects.toThrow(
      /more than the 2 requests of the `api-request-budget` input \(1 spent, 2 more needed for 2 file\(s\) of b{40} the clone does not hold\).*fetch-depth: 0/,
    );
    expect(fake.calls('git/get-blob')).toEqual([]);
    expect(new TextDecoder().decode(await t.readFile('apps/b/b.yaml'))).toBe('b: 1\n'); // one more fits
  });

  it('fails closed naming contents: read when the token cannot see the repository', async () => {
    const t = new ContentsTree(objects(), 'c'.repeat(40));
    await expect(t.readFile('policies/gitops-gate.yaml')).rejects.toThrow(/lacks `contents: read`/);
  });

  it('stops reading blobs at the first failure', async () => {
    fake.fault('git/get-blob', { status: 403, body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' }, times: 10 });
    const t = new ContentsTree(objects(), BASE);
    await expect(t.readFiles(['apps/a.yaml', 'apps/b/b.yaml', 'policies/gitops-gate.yaml'])).rejects.toThrow(/403 .* reading blob .* lacks `contents: read`/);
    expect(fake.calls('git/get-blob').length).toBeLessThanOrEqual(3);
  });

  it('reads a link as the file it leads to within the commit, and resolves the others to their problem', async () => {
    Object.assign(fake.trees.get(BASE)!, { 'apps/in.yaml': 'a.yaml', 'apps/out.yaml': '../../etc/passwd', 'apps/gone.yaml': 'nothing.yaml' });
    fake.links.set(BASE, { 'apps/in.yaml': 'a.yaml', 'apps/out.yaml': '../../etc/passwd', 'apps/gone.yaml': 'nothing.yaml' });
    const t = new ContentsTree(objects(), BASE);
    expect(new TextDecoder().decode(await t.readFile('apps/in.yaml'))).toBe('a: 1\n');
    expect(await t.readFile('apps/out.yaml')).toBeUndefined();
    expect(await t.readFile('apps/gone.yaml')).toBeUndefined();
    expect((await t.symlinks()).map((l) => [l.path, l.resolved, l.problem])).toEqual([
      ['apps/gone.yaml', undefined, 'missing'],
      ['apps/in.yaml', 'apps/a.yaml', undefined],
      ['apps/out.yaml', undefined, 'outside'],
    ]);
  });
});

describe('baseIsAncestor', () => {
  const c = (sha: string, parents?: string[]) => ({ sha, author: {}, committer: {}, coAuthors: [], message: '', ...(parents ? { parents } : {}) });
  it('proves the base an ancestor only from a list that ends at the head and has a commit on the base', () => {
    expect(baseIsAncestor([c('1', [BASE]), c('2', ['1'])], BASE, '2')).toBe(true);
    expect(baseIsAncestor([c('1', ['0']), c('2', ['1', BASE])], BASE, '2')).toBe(true); // merged the base in
    expect(baseIsAncestor([c('1', ['0']), c('2', ['1'])], BASE, '2')).toBe(false); // branched off an older commit
    expect(baseIsAncestor([c('1', [BASE]), c('2', ['1'])], BASE, '3')).toBe(false); // another head's list
    expect(baseIsAncestor([c('1'), c('2')], BASE, '2')).toBe(false); // no parents given
  });
});

describe('gatherDirectory through the Action\'s Octokit', () => {
  it('reads permission levels and team members (org/slug, lower-cased), recording failures as errors', async () => {
    fake.permissions.set('alice', { permission: 'write', role_name: 'maintain' });
    fake.permissions.set('bob', { permission: 'read', role_name: 'read' });
    fake.teams.set('platform', ['Carol', 'dave']);
    const d = await gatherDirectory(gh, 'acme/gitops', { logins: ['alice', 'bob', 'mallory'], teams: ['acme/platform', 'acme/ghosts'] });
    expect(Object.fromEntries(d.permissions)).toEqual({ alice: 'maintain', bob: 'read', mallory: { error: expect.stringContaining('GitHub answered 404') } });
    expect(d.teams.get('acme/platform')).toEqual(['carol', 'dave']);
    // GitHub answers 404 both for a missing team and for a token that cannot read teams: never "no members".
    expect(d.teams.get('acme/ghosts')).toEqual({ error: TEAM_TOKEN_ERROR });
    expect(fake.calls('repos/get-collaborator-permission-level')).toHaveLength(3);
    expect(fake.calls('teams/list-members-in-org').map((q) => [q.path, q.query.per_page])).toEqual([
      ['/orgs/acme/teams/platform/members', '100'],
      ['/orgs/acme/teams/ghosts/members', '100'],
    ]);
  });

  it('records a refused permission lookup as an error, never as a level', async () => {
    fake.permissions.set('alice', { permission: 'admin', role_name: 'admin' });
    fake.fault('repos/get-collaborator-permission-level', { status: 403, body: { message: 'Forbidden' } });
    const d = await gatherDirectory(gh, 'acme/gitops', { logins: ['alice'], teams: [] });
    expect(d.permissions.get('alice')).toEqual({ error: expect.stringContaining('403') });
  });
});
