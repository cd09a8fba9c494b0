/** Gathering review facts: what to look up, looking it up through a fake Octokit, CODEOWNERS parsing, offline fact files. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import type { Review } from '../../src/core/model.js';
import { loadPolicy } from '../../src/composition.js';
import { ownerEntry, parseCodeowners, readCodeowners } from '../../src/review/codeowners.js';
import { commentsFromJson, directoryFromJson } from '../../src/sources/facts-files.js';
import { gatherBreakGlass, gatherDirectory, gatherReviewFacts, TEAM_TOKEN_ERROR, type GitHubRequester } from '../../src/review/gather.js';
import type { PullRequest } from '../../src/core/model.js';
import { reviewNeeds } from '../../src/review/needs.js';
import { prepareReview } from '../../src/review/prepare.js';
import { formatHeadRecord, parseHeadRecord, readHeadRecords } from '../../src/review/head-records.js';
import { memoryChange } from '../helpers/change.js';
import { MemoryTree } from '../helpers/memory-tree.js';

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** A fake `octokit.request` answering from a route table; records every call. */
function fakeApi(routes: Record<string, (p: Record<string, unknown>) => unknown>): GitHubRequester & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async request(route, params) {
      calls.push(`${route} ${JSON.stringify(params)}`);
      const handler = routes[route];
      if (!handler) throw new HttpError(404, 'Not Found');
      return { data: handler(params ?? {}), status: 200 };
    },
  };
}

describe('gatherDirectory', () => {
  it('reads role_name (maintain, triage) over the legacy permission field, and the permission of custom roles', async () => {
    const api = fakeApi({
      'GET /repos/{owner}/{repo}/collaborators/{username}/permission': (p) =>
        ({ sam: { permission: 'write', role_name: 'maintain' }, kim: { permission: 'read', role_name: 'triage' }, lee: { permission: 'write', role_name: 'deployer' } })[p.username as string],
    });
    const dir = await gatherDirectory(api, 'acme/gitops', { logins: ['sam', 'kim', 'lee'], teams: [] });
    expect([...dir.permissions]).toEqual([
      ['sam', 'maintain'],
      ['kim', 'triage'],
      ['lee', 'write'],
    ]);
    expect(api.calls[0]).toContain('"owner":"acme","repo":"gitops","username":"sam"');
  });

  it('records a failed permission lookup as an error, never as "no access"', async () => {
    const api: GitHubRequester = {
      request: async () => {
        throw new HttpError(502, 'Bad Gateway');
      },
    };
    const dir = await gatherDirectory(api, 'acme/gitops', { logins: ['sam'], teams: [] });
    expect(dir.permissions.get('sam')).toEqual({ error: 'cannot read the permission of @sam: GitHub answered 502: Bad Gateway' });
  });

  it('pages through team members (100 per page)', async () => {
    const all = Array.from({ length: 150 }, (_, i) => ({ login: `User${i}` }));
    const api = fakeApi({ 'GET /orgs/{org}/teams/{team_slug}/members': (p) => all.slice(((p.page as number) - 1) * 100, (p.page as number) * 100) });
    const dir = await gatherDirectory(api, 'acme/gitops', { logins: [], teams: ['acme/sre'] });
    const members = dir.teams.get('acme/sre') as string[];
    expect(members).toHaveLength(150);
    expect(members[149]).toBe('user149');
    expect(api.calls).toHaveLength(2);
  });

  it('records the token requirement when GitHub answers 404 for a team', async () => {
    const dir = await gatherDirectory(fakeApi({}), 'acme/gitops', { logins: [], teams: ['acme/sre'] });
    expect(dir.teams.get('acme/sre')).toEqual({ error: TEAM_TOKEN_ERROR });
  });

  it('records other team errors with the status', async () => {
    const api: GitHubRequester = {
      request: async () => {
        throw new HttpError(403, 'rate limited');
      },
    };
    const dir = await gatherDirectory(api, 'acme/gitops', { logins: [], teams: ['acme/sre'] });
    expect(dir.teams.get('acme/sre')).toEqual({ error: 'cannot read the members of @acme/sre: GitHub answered 403: rate limited' });
  });
});

describe('gatherBreakGlass', () => {
  const pr = (labels: string[]): PullRequest => ({ number: 9, title: 't', body: '', author: { login: 'dana' }, labels, baseRef: 'main', headRef: 'f', baseSha: 'b', headSha: 'h', draft: false });
  const bg = { users: ['ops'], labels: ['break-glass'], command: '/gitops-gate break-glass', allowAuthor: false };
  const comments = Array.from({ length: 101 }, (_, i) => ({ id: i, user: { login: i === 100 ? 'ops' : 'dana' }, body: `c${i}`, created_at: '2026-11-20T10:00:00Z' }));
  const events = [
    { event: 'labeled', label: { name: 'break-glass' }, actor: { login: 'ops' }, created_at: '2026-11-20T11:00:00Z' },
    { event: 'review_requested', actor: { login: 'dana' }, created_at: '2026-11-20T11:01:00Z' },
  ];
  const api = () =>
    fakeApi({
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': (p) => comments.slice(((p.page as number) - 1) * 100, (p.page as number) * 100),
      'GET /repos/{owner}/{repo}/issues/{issue_number}/events': (p) => (p.page === 1 ? events : []),
    });

  it('reads all comment pages, and label events only when a break-glass label is on the PR', async () => {
    const a = api();
    const out = await gatherBreakGlass(a, 'acme/gitops', pr([]), bg);
    expect(out.comments).toHaveLength(101);
    expect(out.comments![100]).toEqual({ id: 100, author: { login: 'ops' }, body: 'c100', createdAt: '2026-11-20T10:00:00Z' });
    expect(out.labelEvents).toBeUndefined();
    const labelled = await gatherBreakGlass(api(), 'acme/gitops', pr(['break-glass']), bg);
    expect(labelled.labelEvents).toEqual([{ action: 'labeled', label: 'break-glass', actor: { login: 'ops' }, createdAt: '2026-11-20T11:00:00Z' }]);
  });

  it('fetches nothing while break-glass is disabled, and notes a failed fetch', async () => {
    const a = api();
    expect(await gatherBreakGlass(a, 'acme/gitops', pr(['break-glass']), { ...bg, users: [] })).toEqual({ notes: [] });
    expect(a.calls).toEqual([]);
    const out = await gatherBreakGlass(fakeApi({}), 'acme/gitops', pr(['break-glass']), bg);
    expect(out.comments).toBeUndefined();
    expect(out.notes).toEqual([
      'Break-glass comments could not be read: GitHub answered 404: Not Found',
      'Label events could not be read, so a break-glass label cannot be attributed: GitHub answered 404: Not Found',
    ]);
  });
});

describe('gatherReviewFacts', () => {
  it('reads CODEOWNERS from the base, then looks up its teams and the approvers, and the break-glass facts; notes what failed', async () => {
    const policy = loadPolicy('version: 1\nreview:\n  codeowners: { mode: any-owner }\n  breakGlass: { users: ["ops"] }\n', 'p.yaml');
    const pr: PullRequest = { number: 9, title: 't', body: '', author: { login: 'dana' }, labels: [], baseRef: 'main', headRef: 'f', baseSha: 'b'.repeat(40), headSha: 'h'.repeat(40), draft: false };
    const change = memoryChange({ 'CODEOWNERS': '/apps/ @acme/SRE\n', 'apps/a.yaml': 'a: 1\n' }, { 'CODEOWNERS': '/apps/ @acme/other\n', 'apps/a.yaml': 'a: 2\n' }, {
      pr,
      reviews: [{ id: 1, reviewer: { login: 'Sam' }, state: 'APPROVED', commitId: 'h'.repeat(40), body: '' }],
    });
    const api = fakeApi({
      'GET /repos/{owner}/{repo}/collaborators/{username}/permission': () => ({ permission: 'write', role_name: 'write' }),
      'GET /orgs/{org}/teams/{team_slug}/members': (p) => (p.page === 1 ? [{ login: 'Sam' }] : []),
    });
    const out = await gatherReviewFacts(api, 'acme/gitops', change, policy);
    // The base's CODEOWNERS names the team, not the head's: a PR does not choose its owners.
    expect(out.change.codeowners?.text).toContain('@acme/SRE');
    expect(out.change.directory?.teams.get('acme/sre')).toEqual(['sam']);
    expect(out.change.directory?.permissions.get('sam')).toBe('write');
    expect(api.calls.filter((c) => c.startsWith('GET /orgs')).map((c) => c.includes('"team_slug":"SRE"') || c.includes('"team_slug":"sre"'))).toEqual([true]);
    // The comments route is missing from the fake: break-glass comments are unknown, and a note says so.
    expect(out.change.comments).toBeUndefined();
    expect(out.notes).toEqual(['Break-glass comments could not be read: GitHub answered 404: Not Found']);
  });
});

describe('reviewNeeds', () => {
  const r = (login: string, state: Review['state'], id: number): Review => ({ id, reviewer: { login }, state, commitId: 'h', body: '', submittedAt: `2026-01-01T00:00:0${id}Z` });

  it('asks for the permission of reviewers whose latest word is an approval, and the teams of applicable requirements and code owners', async () => {
    const policy = loadPolicy(
      'version: 1\nreview:\n  codeowners: { mode: every-owning-team }\n  rules:\n    - name: sre\n      approvals: 1\n      from: { teams: ["Acme/SRE"] }\n    - name: prod\n      if: { paths: ["prod/**"] }\n      approvals: 1\n      from: { teams: ["acme/prod"] }\n',
      'p.yaml',
    );
    const change = memoryChange({ CODEOWNERS: 'app/ @acme/apps @kim\n' }, { CODEOWNERS: 'app/ @acme/apps @kim\n', 'app/a.yaml': 'a: 1\n' }, {
      reviews: [r('Sam', 'APPROVED', 1), r('kim', 'APPROVED', 2), r('kim', 'CHANGES_REQUESTED', 3), r('lee', 'COMMENTED', 4)],
    });
    const needs = reviewNeeds(await prepareReview(change, policy), policy);
    expect(needs).toEqual({ logins: ['sam'], teams: ['acme/apps', 'acme/sre'] });
  });
});

describe('CODEOWNERS', () => {
  it('the last matching pattern wins, and a line without owners un-owns', () => {
    const p = parseCodeowners('*       @acme/all   # everyone\n/apps/  @acme/apps\n/apps/generated/\ndocs/*.md  docs@acme.example 12+kim@users.noreply.github.com\n');
    if (!p.ok) throw new Error('expected to parse');
    expect(ownerEntry(p.entries, 'apps/x/y.yaml')?.line).toBe(2);
    expect(ownerEntry(p.entries, 'apps/generated/z.yaml')?.owners).toEqual([]);
    expect(ownerEntry(p.entries, 'README.md')?.owners).toEqual([{ kind: 'team', team: 'acme/all' }]);
    expect(ownerEntry(p.entries, 'docs/a.md')?.owners).toEqual([
      { kind: 'email', email: 'docs@acme.example' },
      { kind: 'email', email: '12+kim@users.noreply.github.com', login: 'kim' },
    ]);
    expect(ownerEntry(p.entries, 'docs/sub/a.md')?.line).toBe(1);
  });

  it('patterns are case-sensitive and anchored only with a leading or inner slash', () => {
    const p = parseCodeowners('apps @a\n/Docs/ @b\n');
    if (!p.ok) throw new Error('expected to parse');
    expect(ownerEntry(p.entries, 'x/apps/y')?.line).toBe(1);
    expect(ownerEntry(p.entries, 'docs/y')).toBeUndefined();
    expect(ownerEntry(p.entries, 'x/Docs/y')).toBeUndefined();
  });

  it.each([
    ['!apps/ @a', 1, 'does not support "!" negation'],
    ['apps/[ab] @a', 1, 'character ranges'],
    ['[Section]', 1, 'GitLab syntax'],
    ['apps/ a-user', 7, '"a-user" is not an owner'],
  ])('rejects %j with the position', (line, column, message) => {
    const p = parseCodeowners(`* @ok\n${line}\n`);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.problems[0]).toMatchObject({ line: 2, column, message: expect.stringContaining(message) });
  });

  it('reads the file GitHub would use', async () => {
    expect(await readCodeowners(new MemoryTree({ 'docs/CODEOWNERS': 'a', CODEOWNERS: 'b' }))).toEqual({ path: 'CODEOWNERS', text: 'b' });
    expect(await readCodeowners(new MemoryTree({}))).toBeNull();
  });
});

describe('offline fact files', () => {
  it('parses a directory file, lower-casing logins and teams', () => {
    const d = directoryFromJson({ permissions: { Sam: 'write', kim: { error: 'x' } }, teams: { 'Acme/SRE': ['Sam'], 'acme/x': { error: 'no' } } }, 'd.json');
    expect(d.permissions.get('sam')).toBe('write');
    expect(d.permissions.get('kim')).toEqual({ error: 'x' });
    expect(d.teams.get('acme/sre')).toEqual(['sam']);
    expect(d.teams.get('acme/x')).toEqual({ error: 'no' });
  });

  it('rejects malformed entries naming the file and the entry', () => {
    expect(() => directoryFromJson({ permissions: { sam: 'writer' } }, 'd.json')).toThrow(new UsageError('d.json: permissions.sam must be one of none, read, triage, write, maintain, admin or {"error": "..."}'));
    expect(() => directoryFromJson({ perms: {} }, 'd.json')).toThrow(/unknown key "perms"/);
    expect(() => commentsFromJson([{ body: 'x' }], 'c.json')).toThrow('c.json[0]: a comment needs "id" and "created_at"');
  });

  it('maps REST issue comments', () => {
    expect(commentsFromJson([{ id: 1, user: { login: 'ops', type: 'User' }, body: 'hi', created_at: '2026-01-01T00:00:00Z' }], 'c.json')).toEqual([
      { id: 1, author: { login: 'ops', type: 'User' }, body: 'hi', createdAt: '2026-01-01T00:00:00Z' },
    ]);
  });
});

describe('the gate\'s records of a head (issue 13, item 6)', () => {
  const HEAD = 'a'.repeat(40);
  const run = (over: Record<string, unknown>) => ({
    name: 'GitOps Gate',
    head_sha: HEAD,
    app: { slug: 'github-actions' },
    completed_at: '2026-11-20T10:00:00Z',
    external_id: formatHeadRecord({ pr: 7, headSha: HEAD, pushers: ['bob'] }),
    ...over,
  });
  const opts = { pr: 7, headSha: HEAD, checkName: 'GitOps Gate', appSlug: 'github-actions' };

  it('formats and parses a record, and refuses anything else', () => {
    const text = formatHeadRecord({ pr: 7, headSha: HEAD, pushers: ['bob', 'carol'] });
    expect(text).toBe(`gitops-gate/1 pr=7 head=${HEAD} pushers=bob,carol`);
    expect(parseHeadRecord(text)).toEqual({ pr: 7, headSha: HEAD, pushers: ['bob', 'carol'] });
    expect(parseHeadRecord(formatHeadRecord({ pr: 7, headSha: HEAD, pushers: [] }))).toEqual({ pr: 7, headSha: HEAD, pushers: [] });
    for (const bad of [HEAD, `gitops-gate/1 pr=7 head=${HEAD} pushers=bo b`, `gitops-gate/1 pr=7 head=${HEAD} pushers=-x`, null]) expect(parseHeadRecord(bad)).toBeUndefined();
  });

  it('unites the pushers of the records of this pull request and head made by the gate\'s app; the earliest time is when the head was seen', async () => {
    const runs = [
      run({}),
      run({ completed_at: '2026-11-20T09:00:00Z', external_id: formatHeadRecord({ pr: 7, headSha: HEAD, pushers: ['Carol', 'BOB'] }) }),
      // A record by another app (any workflow with checks: write could write one), of another PR, of another head, of another check: ignored.
      run({ app: { slug: 'evil-app' }, completed_at: '2026-01-01T00:00:00Z', external_id: formatHeadRecord({ pr: 7, headSha: HEAD, pushers: ['mallory'] }) }),
      run({ completed_at: '2026-01-01T00:00:00Z', external_id: formatHeadRecord({ pr: 8, headSha: HEAD, pushers: ['zed'] }) }),
      run({ completed_at: '2026-01-01T00:00:00Z', external_id: formatHeadRecord({ pr: 7, headSha: 'b'.repeat(40), pushers: ['yan'] }) }),
      run({ name: 'Other', completed_at: '2026-01-01T00:00:00Z' }),
    ];
    const api = fakeApi({ 'GET /repos/{owner}/{repo}/commits/{ref}/check-runs': () => ({ total_count: runs.length, check_runs: runs }) });
    const facts = await readHeadRecords(api, 'acme/gitops', opts);
    expect(facts.pushers).toEqual(['bob', 'Carol']);
    expect(facts.seenAt).toBe('2026-11-20T09:00:00Z');
    expect(facts.notes).toEqual([`1 check run(s) named "GitOps Gate" on aaaaaaa carry a gate record but were not created by the app the gate runs as (github-actions): ignored.`]);
    expect(api.calls[0]).toContain('"check_name":"GitOps Gate","filter":"all","per_page":100,"page":1');
  });

  it('reads every page, and leaves the facts unknown with a note when the list cannot be read', async () => {
    const many = Array.from({ length: 100 }, () => run({ external_id: null }));
    const api = fakeApi({ 'GET /repos/{owner}/{repo}/commits/{ref}/check-runs': (p) => ({ total_count: 101, check_runs: p.page === 1 ? many : [run({})] }) });
    expect((await readHeadRecords(api, 'acme/gitops', opts)).pushers).toEqual(['bob']);
    expect(api.calls).toHaveLength(2);
    const failed = await readHeadRecords(fakeApi({}), 'acme/gitops', opts);
    expect(failed.pushers).toEqual([]);
    expect(failed.seenAt).toBeUndefined();
    expect(failed.notes[0]).toContain('could not be read (GitHub answered 404: Not Found; the token needs checks: read)');
  });

  it('leaves the facts unknown when the check runs fill the 10 pages it reads (a cut list could miss a pusher)', async () => {
    const full = Array.from({ length: 100 }, () => run({ external_id: null }));
    // Page 1 names bob; pages 2-10 are full; GitHub would have more (an 11th page may name another pusher).
    const api = fakeApi({ 'GET /repos/{owner}/{repo}/commits/{ref}/check-runs': (p) => ({ total_count: 1001, check_runs: p.page === 1 ? [run({}), ...full.slice(1)] : full }) });
    const facts = await readHeadRecords(api, 'acme/gitops', opts);
    expect(api.calls).toHaveLength(10);
    expect(facts.pushers).toEqual([]);
    expect(facts.seenAt).toBeUndefined();
    expect(facts.notes).toEqual(['The gate\'s earlier check runs on aaaaaaa number more than 1000 (the most the gate reads): who pushed the head and when stay unknown.']);
  });

  it('gatherReviewFacts adds the recorded pushers and the time the head was seen to the pull request', async () => {
    const policy = loadPolicy('version: 1\n', 'p.yaml');
    const pr: PullRequest = { number: 7, title: 't', body: '', author: { login: 'dana' }, labels: [], baseRef: 'main', headRef: 'f', baseSha: 'b', headSha: HEAD, draft: false, lastPusher: 'dana' };
    const change = memoryChange({ 'a.yaml': 'a: 1\n' }, { 'a.yaml': 'a: 2\n' }, { headSha: HEAD, pr });
    const api = fakeApi({
      'GET /repos/{owner}/{repo}/commits/{ref}/check-runs': () => ({ total_count: 1, check_runs: [run({})] }),
    });
    const out = await gatherReviewFacts(api, 'acme/gitops', change, policy, { checkName: 'GitOps Gate', appSlug: 'github-actions' });
    expect(out.change.pr).toMatchObject({ lastPusher: 'dana', pushers: ['dana', 'bob'], headSeenAt: '2026-11-20T10:00:00Z' });
  });
});
