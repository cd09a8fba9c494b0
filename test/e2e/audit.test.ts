/**
 * `gitops-gate audit` end to end: the built CLI (dist/cli.js) on a repository with real history (a merge
 * commit, squash merges, a rebase merge, a direct push, a revert, a PR merged while the gate failed)
 * against the fake GitHub, which checks every request and response against GitHub's OpenAPI description.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/audit/model.js';
import { CSV_COLUMNS } from '../../src/audit/render.js';
import { e2eSuite, runNode } from './harness.js';
import { fixture, simpleUser, type FakeGitHub } from './fake-github.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const suite = e2eSuite();

const BASE_ENV = { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
const WEB_FLOW = { GIT_COMMITTER_NAME: 'GitHub', GIT_COMMITTER_EMAIL: 'noreply@github.com' };
const person = (login: string, id: number) => ({ name: login, email: `${id}+${login}@users.noreply.github.com` });
const ALICE = person('alice', 1);
const ERIN = person('erin', 5);

let dir = '';
function git(args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, { cwd: dir, env: { ...process.env, ...BASE_ENV, ...env }, encoding: 'utf8' }).trim();
}
function write(files: Record<string, string>): void {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
}
/** Commits everything as `who` at `at` (author and committer, unless `committer` says otherwise). */
function commit(message: string, at: string, who: { name: string; email: string }, committer?: Record<string, string>): string {
  git(['add', '-A']);
  git(['commit', '-q', '--allow-empty', '-m', message], {
    GIT_AUTHOR_NAME: who.name,
    GIT_AUTHOR_EMAIL: who.email,
    GIT_AUTHOR_DATE: at,
    GIT_COMMITTER_NAME: who.name,
    GIT_COMMITTER_EMAIL: who.email,
    GIT_COMMITTER_DATE: at,
    ...(committer ?? {}),
  });
  return git(['rev-parse', 'HEAD']);
}
const deploy = (replicas: number, image = 'api:1') =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: ${replicas}\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ${image}\n`;

const BODY = (ticket: string, why: string) => `## Why\n\n${ticket}: ${why}\n\n## Rollback\n\nRevert this pull request; ArgoCD syncs the previous state.\n`;

/** The history: SHAs by name. */
const h: Record<string, string> = {};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gg-audit-'));
  git(['init', '-q', '-b', 'main']);
  write({
    'apps.yaml': 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: api\n  namespace: argocd\nspec:\n  source:\n    repoURL: https://git.test/acme/gitops\n    path: apps/api\n  destination:\n    namespace: api\n',
    'apps/api/deploy.yaml': deploy(2),
    'policies/gitops-gate.yaml': 'version: 1\nreview:\n  breakGlass:\n    users: [oncall]\ndescription:\n  ticket:\n    pattern: "OPS-\\\\d+"\n',
  });
  h.initial = commit('initial', '2025-12-15T09:00:00Z', ALICE);

  // #1: a merge commit.
  git(['checkout', '-q', '-b', 'f1']);
  write({ 'apps/api/deploy.yaml': deploy(3) });
  h.head1 = commit('Raise replicas', '2026-01-05T09:00:00Z', ALICE);
  git(['checkout', '-q', 'main']);
  git(['merge', '-q', '--no-ff', 'f1', '-m', 'Merge pull request #1 from acme/f1\n\nRaise replicas'], { ...WEB_FLOW, GIT_COMMITTER_DATE: '2026-01-05T10:00:00Z', GIT_AUTHOR_DATE: '2026-01-05T10:00:00Z', GIT_AUTHOR_NAME: 'alice', GIT_AUTHOR_EMAIL: ALICE.email });
  h.m1 = git(['rev-parse', 'HEAD']);

  // #2: a squash merge; approvals: one on an older commit, one by a co-author.
  git(['checkout', '-q', '-b', 'f2']);
  write({ 'apps/api/deploy.yaml': deploy(3, 'api:2-rc') });
  h.old2 = commit('Try image 2', '2026-01-06T09:00:00Z', ALICE);
  write({ 'apps/api/deploy.yaml': deploy(3, 'api:2') });
  h.head2 = commit('Image 2\n\nCo-authored-by: Carol <2+carol@users.noreply.github.com>', '2026-01-06T11:00:00Z', ALICE);
  git(['checkout', '-q', 'main']);
  git(['merge', '-q', '--squash', 'f2']);
  h.s2 = commit('Change image (#2)\n\nCo-authored-by: Carol <2+carol@users.noreply.github.com>', '2026-01-06T12:00:00Z', ALICE, { ...WEB_FLOW, GIT_COMMITTER_DATE: '2026-01-06T12:00:00Z' });

  // A direct push, on a Saturday.
  write({ 'apps/api/deploy.yaml': deploy(4, 'api:2') });
  h.direct = commit('hotfix: more replicas', '2026-01-10T08:00:00Z', { name: 'Dave', email: 'dave@example.com' });

  // #3: squash-merged while the gate failed; its branch is gone from the clone.
  git(['checkout', '-q', '-b', 'f3']);
  write({ 'apps/api/deploy.yaml': deploy(1, 'api:2') });
  h.head3 = commit('Remove replicas', '2026-01-12T09:00:00Z', ALICE);
  git(['checkout', '-q', 'main']);
  git(['merge', '-q', '--squash', 'f3']);
  h.s3 = commit('Remove limits (#3)', '2026-01-12T10:00:00Z', ALICE, { ...WEB_FLOW, GIT_COMMITTER_DATE: '2026-01-12T10:00:00Z' });
  git(['branch', '-q', '-D', 'f3']);

  // #4: GitHub's revert of #3, merged by break-glass without approval or gate.
  git(['checkout', '-q', '-b', 'revert-3-f3']);
  git(['revert', '--no-edit', h.s3!], { GIT_AUTHOR_NAME: 'alice', GIT_AUTHOR_EMAIL: ALICE.email, GIT_COMMITTER_NAME: 'alice', GIT_COMMITTER_EMAIL: ALICE.email, GIT_AUTHOR_DATE: '2026-01-13T09:00:00Z', GIT_COMMITTER_DATE: '2026-01-13T09:00:00Z' });
  h.head4 = git(['rev-parse', 'HEAD']);
  git(['checkout', '-q', 'main']);
  git(['merge', '-q', '--squash', 'revert-3-f3']);
  h.s4 = commit('Revert "Remove limits" (#4)\n\nReverts acme/gitops#3', '2026-01-13T10:00:00Z', ALICE, { ...WEB_FLOW, GIT_COMMITTER_DATE: '2026-01-13T10:00:00Z' });

  // #5: a rebase merge of two commits.
  git(['checkout', '-q', '-b', 'f5']);
  write({ 'apps/api/deploy.yaml': deploy(4, 'api:3') });
  const c5a = commit('Image 3', '2026-01-19T09:00:00Z', ERIN);
  write({ 'apps/api/deploy.yaml': deploy(5, 'api:3') });
  h.head5 = commit('Five replicas', '2026-01-19T10:00:00Z', ERIN);
  git(['checkout', '-q', 'main']);
  for (const c of [c5a, h.head5]) git(['cherry-pick', c], { ...WEB_FLOW, GIT_COMMITTER_DATE: '2026-01-20T12:00:00Z' });
  h.r5b = git(['rev-parse', 'HEAD']);
  h.r5a = git(['rev-parse', 'HEAD~1']);

  // After the period.
  write({ 'apps/api/deploy.yaml': deploy(6, 'api:3') });
  h.late = commit('February', '2026-02-02T08:00:00Z', ALICE);
  // GitHub keeps no deleted branch in a clone: drop #3's head for real.
  git(['reflog', 'expire', '--expire=now', '--all']);
  git(['gc', '-q', '--prune=now']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let checkRunId = 9000;
function register(fake: FakeGitHub): void {
  const repoUrl = `https://github.test/${fake.owner}/${fake.repo}`;
  const pr = (n: number, o: { title: string; body: string; author: string; head: string; headRef: string; base: string; mergedAt: string | null; merge: string | null; created: string; labels?: string[] }) => {
    const user = simpleUser(o.author);
    fake.pulls.set(n, {
      pull: fixture('pulls/get', {
        number: n,
        state: 'closed',
        title: o.title,
        body: o.body,
        user,
        html_url: `${repoUrl}/pull/${n}`,
        labels: (o.labels ?? []).map((name, i) => ({ id: i + 1, node_id: `L${i}`, url: `${fake.url}/labels/${i}`, name, description: null, color: 'ededed', default: false })),
        head: { sha: o.head, ref: o.headRef, label: `${fake.owner}:${o.headRef}`, user },
        base: { sha: o.base, ref: 'main', label: `${fake.owner}:main`, user: simpleUser(fake.owner) },
        merged_at: o.mergedAt,
        merge_commit_sha: o.merge,
        created_at: o.created,
        updated_at: o.mergedAt ?? o.created,
        closed_at: o.mergedAt ?? o.created,
      }),
      files: [],
      commits: [],
      reviews: [],
    });
  };
  const review = (n: number, login: string, state: string, sha: string, at: string) =>
    fake.pulls.get(n)!.reviews.push(fixture('pulls/list-reviews', { id: 700 + fake.pulls.get(n)!.reviews.length + n * 10, user: simpleUser(login), state, commit_id: sha, body: '', submitted_at: at, author_association: 'MEMBER' }));
  const run = (sha: string, conclusion: string) =>
    fake.checkRuns.push(
      fixture('checks/create', { id: checkRunId++, name: 'GitOps Gate', head_sha: sha, status: 'completed', conclusion, html_url: `${repoUrl}/runs/${checkRunId}`, details_url: `${repoUrl}/actions/runs/${checkRunId}` }, 201),
    );

  pr(1, { title: 'Raise replicas', body: BODY('OPS-11', 'the API needs more replicas at peak.'), author: 'alice', head: h.head1!, headRef: 'f1', base: h.initial!, mergedAt: '2026-01-05T10:00:00Z', merge: h.m1!, created: '2026-01-05T09:05:00Z' });
  review(1, 'bob', 'APPROVED', h.head1!, '2026-01-05T09:30:00Z');
  run(h.head1!, 'success');

  pr(2, { title: 'Change image', body: BODY('OPS-12', 'image 2 fixes the memory leak.'), author: 'alice', head: h.head2!, headRef: 'f2', base: h.m1!, mergedAt: '2026-01-06T12:00:00Z', merge: h.s2!, created: '2026-01-06T09:05:00Z' });
  review(2, 'bob', 'APPROVED', h.old2!, '2026-01-06T09:30:00Z');
  review(2, 'carol', 'APPROVED', h.head2!, '2026-01-06T11:30:00Z');
  run(h.head2!, 'success');

  pr(3, { title: 'Remove limits', body: BODY('OPS-13', 'limits throttle the batch jobs.'), author: 'alice', head: h.head3!, headRef: 'f3', base: h.direct!, mergedAt: '2026-01-12T10:00:00Z', merge: h.s3!, created: '2026-01-12T09:05:00Z' });
  fake.pulls.get(3)!.commits = [
    fixture('pulls/list-commits', {
      sha: h.head3,
      commit: { message: 'Remove replicas', author: { ...ALICE, date: '2026-01-12T09:00:00Z' }, committer: { ...ALICE, date: '2026-01-12T09:00:00Z' } },
      author: simpleUser('alice'),
      committer: simpleUser('alice'),
    }),
  ];
  review(3, 'bob', 'APPROVED', h.head3!, '2026-01-12T09:30:00Z');
  run(h.head3!, 'failure');

  pr(4, { title: 'Revert "Remove limits"', body: 'Reverts acme/gitops#3\n\n## Why\n\nProduction is down: the batch jobs starve the API.\n', author: 'alice', head: h.head4!, headRef: 'revert-3-f3', base: h.s3!, mergedAt: '2026-01-13T10:00:00Z', merge: h.s4!, created: '2026-01-13T09:05:00Z' });
  fake.comments.push(
    fixture('issues/list-comments', {
      id: 8001,
      body: '/gitops-gate break-glass production is down',
      user: simpleUser('oncall'),
      issue_url: `${fake.url}/repos/${fake.owner}/${fake.repo}/issues/4`,
      html_url: `${repoUrl}/pull/4#issuecomment-8001`,
      created_at: '2026-01-13T09:30:00Z',
      updated_at: '2026-01-13T09:30:00Z',
    }),
  );

  pr(5, { title: 'Image 3', body: BODY('OPS-15', 'image 3 is the new release.'), author: 'erin', head: h.head5!, headRef: 'f5', base: h.s4!, mergedAt: '2026-01-20T12:00:00Z', merge: h.r5b!, created: '2026-01-19T09:05:00Z' });
  fake.commitPulls.set(h.r5a!, [5]);
  // GitHub also associates the direct push with #1 (say its branch carried the commit too): #1's merge did not bring it.
  fake.commitPulls.set(h.direct!, [1]);
  review(5, 'bob', 'COMMENTED', h.head5!, '2026-01-19T11:00:00Z');
  review(5, 'bob', 'APPROVED', h.head5!, '2026-01-19T11:30:00Z');
  run(h.head5!, 'success');

  // Closed without merging: not a change.
  pr(6, { title: 'Abandoned', body: '', author: 'alice', head: h.head1!, headRef: 'x', base: h.initial!, mergedAt: null, merge: null, created: '2026-01-07T00:00:00Z' });

  fake.permissions.set('bob', { permission: 'write', role_name: 'write' });
  fake.permissions.set('carol', { permission: 'write', role_name: 'write' });
}

async function audit(fake: FakeGitHub, args: string[], repo = dir): Promise<{ code: number; stdout: string; stderr: string }> {
  return runNode([join(ROOT, 'dist/cli.js'), 'audit', ...(repo ? ['--repo', repo] : []), ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), GITHUB_TOKEN: fake.token, GITHUB_REPOSITORY: `${fake.owner}/${fake.repo}`, GITHUB_API_URL: fake.url, GITOPS_GATE_RETRY_DELAY_MS: '5' },
  });
}

const JANUARY = ['--since', '2026-01-01', '--until', '2026-01-31'];

describe('gitops-gate audit', () => {
  it('lists every change of the period with its PR, approvals, gate verdict and exceptions', async () => {
    const fake = suite.fake;
    register(fake);
    // One transient failure: retried, and counted.
    fake.fault('pulls/list-reviews', { status: 502 });
    const r = await audit(fake, [...JANUARY, '--format', 'json', '--sample', '3', '--seed', 'audit-2026-01']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as AuditReport;

    const schema = JSON.parse(readFileSync(join(ROOT, 'docs/audit-report.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);

    expect(report.repository).toBe('acme/gitops');
    expect(report.branch).toEqual({ name: 'main', ref: 'refs/heads/main', sha: h.late });
    expect(report.period).toEqual({ since: '2026-01-01', until: '2026-01-31', start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z' });
    const rows = report.changes.map((c) => ({ commit: c.commit, method: c.method, pr: c.pr?.number ?? null, exceptions: c.exceptions.map((e) => e.kind) }));
    expect(rows).toEqual([
      { commit: h.m1, method: 'merge', pr: 1, exceptions: [] },
      { commit: h.s2, method: 'squash', pr: 2, exceptions: ['approval-stale', 'self-approval'] },
      { commit: h.direct, method: 'direct-push', pr: null, exceptions: ['direct-push'] },
      { commit: h.s3, method: 'squash', pr: 3, exceptions: ['gate-failed'] },
      { commit: h.s4, method: 'squash', pr: 4, exceptions: ['gate-missing', 'approval-missing', 'break-glass', 'revert'] },
      { commit: h.r5a, method: 'rebase', pr: 5, exceptions: [] },
      { commit: h.r5b, method: 'rebase', pr: 5, exceptions: [] },
    ]);
    expect(report.totals).toEqual({
      changes: 7,
      pullRequests: 5,
      directPushes: 1,
      changesWithExceptions: 4,
      exceptions: { 'direct-push': 1, 'gate-failed': 1, 'gate-missing': 1, 'approval-missing': 1, 'approval-stale': 1, 'self-approval': 1, 'break-glass': 1, revert: 1, unverified: 0 },
    });
    // Exceptions first, by kind.
    expect(report.exceptions.map((e) => [e.kind, e.commit, e.pr])).toEqual([
      ['direct-push', h.direct, null],
      ['gate-failed', h.s3, 3],
      ['gate-missing', h.s4, 4],
      ['approval-missing', h.s4, 4],
      ['approval-stale', h.s2, 2],
      ['self-approval', h.s2, 2],
      ['break-glass', h.s4, 4],
      ['revert', h.s4, 4],
    ]);

    const [c1, c2, direct, c3, c4, c5a] = report.changes as [AuditReport['changes'][number], ...AuditReport['changes']];
    expect(c1).toMatchObject({
      mergedAt: '2026-01-05T10:00:00Z',
      pr: { number: 1, url: 'https://github.test/acme/gitops/pull/1', title: 'Raise replicas', headSha: h.head1 },
      author: 'alice',
      committers: ['alice'],
      approvers: [{ login: 'bob', permission: 'write', commit: h.head1, valid: true }],
      reason: 'OPS-11: the API needs more replicas at peak.',
      rollback: 'Revert this pull request; ArgoCD syncs the previous state.',
      ticket: 'OPS-11',
      gate: { conclusion: 'success', headSha: h.head1, checkRunUrl: expect.stringMatching(/\/runs\/\d+$/), auditRecordUrl: expect.stringMatching(/\/actions\/runs\/\d+$/) },
      override: null,
      manifests: ['apps/api/deploy.yaml'],
      applications: ['apps.yaml#api'],
    });
    expect(c2!.coAuthors).toEqual(['carol']);
    expect(c2!.approvers).toEqual([
      expect.objectContaining({ login: 'bob', valid: false, commit: h.old2 }),
      expect.objectContaining({ login: 'carol', valid: false, why: expect.stringContaining('co-author') }),
    ]);
    expect(direct!.exceptions[0]!.detail).toContain('GitHub associates it with #1, whose merge did not bring it');
    expect(direct).toMatchObject({ author: 'Dave <dave@example.com>', committers: ['Dave <dave@example.com>'], approvers: [], reason: null, gate: { conclusion: 'none' } });
    expect(c3).toMatchObject({ committers: ['alice'], gate: { conclusion: 'failure', headSha: h.head3 } });
    expect(c4).toMatchObject({
      override: { by: 'oncall', reason: 'production is down', via: 'comment' },
      reverts: { pr: 3, commit: h.s3, inPeriod: true },
      reason: 'Production is down: the batch jobs starve the API.',
      rollback: null,
      gate: { conclusion: 'none' },
    });
    expect(c5a).toMatchObject({ author: 'erin', committers: ['erin'], approvers: [{ login: 'bob', valid: true }] });

    const firstRun = fake.requests.length;
    // The sample: three changes, reproducible.
    expect(report.sample?.commits).toHaveLength(3);
    const again = JSON.parse((await audit(fake, [...JANUARY, '--sample', '3', '--seed', 'audit-2026-01'])).stdout) as AuditReport;
    expect(again.sample).toEqual(report.sample);

    // Requests: counted as the fake saw them, the retry included.
    const first = fake.requests.slice(0, firstRun);
    expect(report.requests.total).toBe(firstRun);
    expect(report.requests.retries).toBe(1);
    expect(again.requests).toMatchObject({ total: firstRun - 1, retries: 0 });
    expect(first.filter((q) => q.status === 502)).toHaveLength(1);
    const ops = (id: string) => first.filter((q) => q.operationId === id).length;
    expect({
      list: ops('pulls/list'),
      commitPulls: ops('repos/list-pull-requests-associated-with-commit'),
      reviews: ops('pulls/list-reviews'),
      checks: ops('checks/list-for-ref'),
      commits: ops('pulls/list-commits'),
      comments: ops('issues/list-comments-for-repo'),
      permissions: ops('repos/get-collaborator-permission-level'),
    }).toEqual({ list: 1, commitPulls: 2, reviews: 6, checks: 5, commits: 1, comments: 1, permissions: 2 });
    expect(report.requests.byRoute, JSON.stringify(report.requests.byRoute)).toMatchObject({ 'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews': 5 });
  });

  it('writes CSV with one row per change and Markdown with the exceptions first', async () => {
    const fake = suite.fake;
    register(fake);
    const out = mkdtempSync(join(tmpdir(), 'gg-audit-out-'));
    try {
      const csv = await audit(fake, [...JANUARY, '--format', 'csv', '--output', join(out, 'audit.csv')]);
      expect(csv.code).toBe(0);
      expect(csv.stderr).toMatch(/wrote .*audit\.csv: 7 change\(s\), 8 exception\(s\), \d+ GitHub request\(s\)/);
      const text = readFileSync(join(out, 'audit.csv'), 'utf8');
      // Records end with CRLF; a field holding a line break is quoted, so split on CRLF outside quotes.
      const records = text.split(/\r\n(?=(?:[^"]*"[^"]*")*[^"]*$)/).filter(Boolean);
      expect(records[0]).toBe(CSV_COLUMNS.join(','));
      expect(records).toHaveLength(8);
      expect(records[3]).toContain(`,${h.direct},direct-push,,`);
      expect(records[3]).toMatch(/,direct-push,"direct-push: [^"]+",true,false$/);
      expect(records[5]).toContain('gate-missing; approval-missing; break-glass; revert');

      // Markdown from the JSON report of an earlier run: no git, no GitHub.
      const json = await audit(fake, [...JANUARY, '--output', join(out, 'audit.json')]);
      expect(json.code).toBe(0);
      const before = fake.requests.length;
      const md = await audit(fake, ['--from', join(out, 'audit.json'), '--format', 'markdown', '--sample', '2', '--seed', 's'], '');
      expect(md.stderr).toBe('');
      expect(md.code).toBe(0);
      expect(fake.requests.length).toBe(before);
      expect(md.stdout).toContain('## Sample (2 of 7, seed s)');
      const exceptions = md.stdout.indexOf('## Exceptions');
      const changes = md.stdout.indexOf('## Changes');
      expect(exceptions).toBeGreaterThan(0);
      expect(changes).toBeGreaterThan(exceptions);
      expect(md.stdout.slice(exceptions, changes)).toContain(`| direct-push | 2026-01-10T08:00:00Z | direct push \`${h.direct!.slice(0, 12)}\``);
      // Mentions from details are broken, so an issue made from the report pings nobody.
      expect(md.stdout).not.toMatch(/@oncall/);
      expect(md.stdout).toContain('## What this audit cannot know');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('fails when the clone does not hold the history of the period', async () => {
    const fake = suite.fake;
    const shallow = mkdtempSync(join(tmpdir(), 'gg-audit-shallow-'));
    try {
      execFileSync('git', ['clone', '-q', '--depth', '2', '--branch', 'main', `file://${dir}`, shallow], { env: { ...process.env, ...BASE_ENV } });
      const r = await audit(fake, JANUARY, shallow);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/shallow.*fetch-depth: 0/s);
      expect(fake.requests).toHaveLength(0);
    } finally {
      rmSync(shallow, { recursive: true, force: true });
    }
  });

  it('spends about two requests per merged pull request (the cost of a year of history)', async () => {
    const fake = suite.fake;
    const n = 250;
    const big = mkdtempSync(join(tmpdir(), 'gg-audit-big-'));
    try {
      // n merge commits through one git fast-import: one process, not thousands.
      const t0 = Date.parse('2026-03-01T00:00:00Z') / 1000;
      const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
      let stream = `commit refs/heads/main\nmark :1\ncommitter Init <init@example.com> ${t0 - 86400} +0000\n${data('initial')}M 644 inline README.md\n${data('x')}\n`;
      for (let i = 1; i <= n; i++) {
        const at = t0 + i * 3600;
        stream += `commit refs/heads/f${i}\nmark :${2 * i}\nauthor alice <1+alice@users.noreply.github.com> ${at} +0000\ncommitter alice <1+alice@users.noreply.github.com> ${at} +0000\n${data(`change ${i}`)}from :${2 * i - 1}\nM 644 inline docs/${i}.md\n${data(`change ${i}`)}\n`;
        stream += `commit refs/heads/main\nmark :${2 * i + 1}\ncommitter GitHub <noreply@github.com> ${at + 60} +0000\n${data(`Merge pull request #${i} from acme/f${i}`)}from :${2 * i - 1}\nmerge :${2 * i}\nM 644 inline docs/${i}.md\n${data(`change ${i}`)}\n`;
      }
      execFileSync('git', ['init', '-q', '-b', 'main', big], { env: { ...process.env, ...BASE_ENV } });
      execFileSync('git', ['fast-import', '--quiet'], { cwd: big, input: stream, env: { ...process.env, ...BASE_ENV } });
      const merges = execFileSync('git', ['log', '--first-parent', '--reverse', '--format=%H %P', 'main'], { cwd: big, encoding: 'utf8' }).trim().split('\n').slice(1);
      expect(merges).toHaveLength(n);
      const repoUrl = `https://github.test/${fake.owner}/${fake.repo}`;
      merges.forEach((line, k) => {
        const [merge, base, head] = line.split(' ') as [string, string, string];
        const i = k + 1;
        const at = new Date((t0 + i * 3600 + 60) * 1000).toISOString().replace('.000Z', 'Z');
        fake.pulls.set(i, {
          pull: fixture('pulls/get', {
            number: i, state: 'closed', title: `Change ${i}`, body: BODY(`OPS-${i}`, 'a routine change of the docs.'), user: simpleUser('alice'), html_url: `${repoUrl}/pull/${i}`,
            head: { sha: head, ref: `f${i}`, label: `acme:f${i}`, user: simpleUser('alice') }, base: { sha: base, ref: 'main', label: 'acme:main', user: simpleUser('acme') },
            merged_at: at, merge_commit_sha: merge, created_at: at, updated_at: at, closed_at: at,
          }),
          files: [], commits: [],
          reviews: [fixture('pulls/list-reviews', { id: 10_000 + i, user: simpleUser('bob'), state: 'APPROVED', commit_id: head, body: '', submitted_at: at, author_association: 'MEMBER' })],
        });
        fake.checkRuns.push(fixture('checks/create', { id: 20_000 + i, name: 'GitOps Gate', head_sha: head, status: 'completed', conclusion: 'success', html_url: `${repoUrl}/runs/${i}` }, 201));
      });
      fake.permissions.set('bob', { permission: 'write', role_name: 'write' });
      fake.rateLimitRemaining = 5000;

      const r = await audit(fake, ['--since', '2026-03-01', '--until', '2026-03-31'], big);
      expect(r.stderr).toBe('');
      const report = JSON.parse(r.stdout) as AuditReport;
      expect(report.totals).toMatchObject({ changes: n, pullRequests: n, directPushes: 0, changesWithExceptions: 0 });
      // The PR list in pages of 100, then one reviews and one check-runs request per PR, one permission per approver.
      expect(report.requests).toMatchObject({ total: Math.ceil(n / 100) + 2 * n + 1, retries: 0 });
      expect(report.requests.total).toBe(fake.requests.length);
    } finally {
      rmSync(big, { recursive: true, force: true });
    }
  }, 300_000);
});
