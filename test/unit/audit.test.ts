/** The audit's pure parts: the exception rules, the sample, CSV quoting and the arguments. */
import { describe, expect, it } from 'vitest';
import { parseAuditArgs } from '../../src/audit/args.js';
import { auditChange, linkReverts, listExceptions, type ChangeFacts } from '../../src/audit/build.js';
import type { MergedPull } from '../../src/audit/github.js';
import { routeOf } from '../../src/audit/github.js';
import type { AuditChange, AuditReport } from '../../src/audit/model.js';
import { csvField, renderCsv } from '../../src/audit/render.js';
import { drawSample, sampleWeight } from '../../src/audit/sample.js';
import type { Review } from '../../src/core/model.js';
import { loadPolicy } from '../../src/composition.js';

const POLICY = loadPolicy('version: 1\nreview:\n  breakGlass:\n    users: [oncall]\n', 'policies/gitops-gate.yaml');
const HEAD = 'b'.repeat(40);
const OLD = 'a'.repeat(40);

function pull(over: Partial<MergedPull> = {}): MergedPull {
  return {
    number: 7,
    url: 'https://github.test/acme/gitops/pull/7',
    title: 'Scale the API',
    body: '## Why\n\nPeak traffic doubles latency.\n\n## Rollback\n\n<!-- how to undo -->\nRevert this PR.\n',
    author: 'alice',
    authorType: 'User',
    labels: [],
    baseRef: 'main',
    headRef: 'scale',
    headSha: HEAD,
    mergedAt: '2026-01-07T10:00:00Z',
    mergeCommitSha: 'c'.repeat(40),
    createdAt: '2026-01-07T09:00:00Z',
    ...over,
  };
}

function review(login: string, state: Review['state'], commitId = HEAD, at = '2026-01-07T09:30:00Z'): Review {
  return { id: Math.floor(Math.random() * 1e6), reviewer: { login }, state, commitId, submittedAt: at, body: '' };
}

function facts(over: Partial<ChangeFacts> = {}): ChangeFacts {
  return {
    commit: {
      sha: 'c'.repeat(40),
      parents: ['d'.repeat(40)],
      committedAt: '2026-01-07T10:00:00Z',
      subject: 'Scale the API (#7)',
      author: { name: 'alice', email: '1+alice@users.noreply.github.com', login: 'alice' },
      committer: { name: 'GitHub', email: 'noreply@github.com' },
      coAuthors: [],
      message: 'Scale the API (#7)',
    },
    scope: { files: [{ path: 'apps/api.yaml', status: 'modified' }], manifests: ['apps/api.yaml'], applications: [] },
    method: 'squash',
    pr: pull(),
    reviews: [review('bob', 'APPROVED')],
    prCommits: [{ sha: HEAD, author: { login: 'alice' }, committer: { login: 'alice' }, coAuthors: [], message: 'x' }],
    gate: { checkName: 'GitOps Gate', headSha: HEAD, conclusion: 'success', checkRunUrl: null, auditRecordUrl: null },
    policy: POLICY,
    templates: [],
    permissions: new Map([
      ['bob', 'write'],
      ['carol', 'write'],
      ['ron', 'read'],
    ]),
    unverified: [],
    ...over,
  };
}

const kinds = (c: AuditChange) => c.exceptions.map((e) => e.kind);

describe('audit exceptions', () => {
  it('a clean change has none, and its reason and rollback are the sections real content', () => {
    const c = auditChange(facts(), 'acme/gitops');
    expect(kinds(c)).toEqual([]);
    expect(c.reason).toBe('Peak traffic doubles latency.');
    expect(c.rollback).toBe('Revert this PR.');
    expect(c.approvers).toEqual([{ login: 'bob', permission: 'write', commit: HEAD, submittedAt: '2026-01-07T09:30:00Z', valid: true }]);
  });

  it('an approval of an earlier head is stale; a later dismissal or change request withdraws an approval', () => {
    expect(kinds(auditChange(facts({ reviews: [review('bob', 'APPROVED', OLD)] }), 'acme/gitops'))).toEqual(['approval-stale']);
    const dismissed = auditChange(facts({ reviews: [review('bob', 'APPROVED'), review('bob', 'DISMISSED', HEAD, '2026-01-07T09:40:00Z')] }), 'acme/gitops');
    expect(kinds(dismissed)).toEqual(['approval-missing']);
    expect(dismissed.approvers).toEqual([]);
    // A comment after an approval does not withdraw it.
    expect(kinds(auditChange(facts({ reviews: [review('bob', 'APPROVED'), review('bob', 'COMMENTED', HEAD, '2026-01-07T09:40:00Z')] }), 'acme/gitops'))).toEqual([]);
  });

  it('an approval by a committer is self-approval and does not count; nor does one below the minimum permission', () => {
    const self = auditChange(facts({ reviews: [review('carol', 'APPROVED')], prCommits: [{ sha: HEAD, author: { login: 'alice' }, committer: { login: 'carol' }, coAuthors: [], message: 'x' }] }), 'acme/gitops');
    expect(kinds(self)).toEqual(['approval-missing', 'self-approval']);
    expect(self.approvers[0]).toMatchObject({ login: 'carol', valid: false, why: 'took part in the change (committer)' });
    const read = auditChange(facts({ reviews: [review('ron', 'APPROVED')] }), 'acme/gitops');
    expect(read.approvers[0]).toMatchObject({ valid: false, why: "has read permission, below the policy's write" });
    const unknown = auditChange(facts({ reviews: [review('zed', 'APPROVED')], permissions: new Map([['zed', { error: 'cannot read the permission of @zed: 404' }]]) }), 'acme/gitops');
    expect(unknown.approvers[0]).toMatchObject({ permission: 'unknown', valid: false, why: 'cannot read the permission of @zed: 404' });
  });

  it('the gate: failure, never completed, never ran, and neutral (a break-glass override)', () => {
    const gate = (conclusion: string) => kinds(auditChange(facts({ gate: { ...facts().gate, conclusion } }), 'acme/gitops'));
    expect(gate('failure')).toEqual(['gate-failed']);
    expect(gate('cancelled')).toEqual(['gate-failed']);
    expect(gate('in_progress')).toEqual(['gate-missing']);
    expect(gate('none')).toEqual(['gate-missing']);
    const neutral = auditChange(facts({ gate: { ...facts().gate, conclusion: 'neutral' } }), 'acme/gitops');
    expect(kinds(neutral)).toEqual(['break-glass']);
    expect(neutral.override).toMatchObject({ by: null, via: 'check-run' });
  });

  it('break-glass by a listed user comment names who and why; an unlisted user is ignored', () => {
    const comment = (login: string) => ({ id: 1, author: { login }, body: '/gitops-gate break-glass prod down', createdAt: '2026-01-07T09:50:00Z', updatedAt: '2026-01-07T09:50:00Z' });
    const c = auditChange(facts({ comments: [comment('oncall')] }), 'acme/gitops');
    expect(c.override).toEqual({ by: 'oncall', reason: 'prod down', via: 'comment', at: '2026-01-07T09:50:00Z' });
    expect(kinds(c)).toEqual(['break-glass']);
    expect(kinds(auditChange(facts({ comments: [comment('mallory')] }), 'acme/gitops'))).toEqual([]);
  });

  it('a direct push is named, and a revert is linked to the change it reverts, keeping its own exceptions', () => {
    const original = auditChange(facts(), 'acme/gitops');
    const direct = auditChange(
      facts({
        pr: undefined,
        method: 'direct-push',
        reviews: [],
        commit: { ...facts().commit, sha: 'e'.repeat(40), subject: 'Revert "Scale the API (#7)"', message: `Revert "Scale the API (#7)"\n\nThis reverts commit ${'c'.repeat(40)}.\n`, committer: { name: 'Dave', email: 'dave@example.com' }, author: { name: 'Dave', email: 'dave@example.com' } },
      }),
      'acme/gitops',
    );
    const changes = [original, direct];
    linkReverts(changes);
    expect(direct.reverts).toEqual({ pr: 7, commit: 'c'.repeat(40), inPeriod: true });
    expect(kinds(direct)).toEqual(['direct-push', 'revert']);
    expect(direct.author).toBe('Dave <dave@example.com>');
    expect(listExceptions(changes).map((e) => [e.kind, e.pr])).toEqual([
      ['direct-push', null],
      ['revert', null],
    ]);
  });
});

describe('audit sample', () => {
  const population = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      commit: i.toString(16).padStart(40, '0'),
      // Mondays to Fridays of January 2026 only (the 5th is a Monday), so weekends do not weigh in.
      mergedAt: `2026-01-${String(5 + (i % 5)).padStart(2, '0')}T10:00:00Z`,
      exceptions: i % 2 ? [{ kind: 'gate-failed' as const, detail: 'x' }] : [],
    }));

  it('is the same for the same seed and differs for another', () => {
    const p = population(40);
    expect(drawSample(p, 10, 'audit-2026-01')).toEqual(drawSample(p, 10, 'audit-2026-01'));
    expect(drawSample(p, 10, 'audit-2026-01')).not.toEqual(drawSample(p, 10, 'audit-2026-02'));
    expect(drawSample(p, 10, 's')).toHaveLength(10);
    expect(drawSample(p, 100, 's')).toEqual(p.map((c) => c.commit));
  });

  it('is weighted to exceptions and weekends', () => {
    const p = population(40);
    let withExceptions = 0;
    for (let s = 0; s < 200; s++) withExceptions += drawSample(p, 5, `seed-${s}`).filter((sha) => parseInt(sha, 16) % 2).length;
    // Weight 5 against 1: far more than half of the 1,000 draws hold exceptions.
    expect(withExceptions).toBeGreaterThan(700);
    expect(sampleWeight({ mergedAt: '2026-01-10T08:00:00Z', exceptions: [] })).toBe(3);
    expect(sampleWeight({ mergedAt: '2026-01-12T08:00:00Z', exceptions: [{ kind: 'revert', detail: '' }] })).toBe(5);
  });
});

describe('audit CSV', () => {
  it('quotes fields as RFC 4180 says and defuses formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('-1')).toBe("'-1");
    expect(csvField(null)).toBe('');
    expect(csvField(3)).toBe('3');
  });

  it('writes one CRLF-terminated record per change', () => {
    const change = auditChange(facts({ pr: pull({ title: 'Scale, "fast"' }) }), 'acme/gitops');
    const report = { changes: [change, change], sample: null } as unknown as AuditReport;
    const text = renderCsv(report);
    expect(text.endsWith('\r\n')).toBe(true);
    const records = text.split('\r\n').filter(Boolean);
    expect(records).toHaveLength(3);
    expect(records[1]).toContain(',"Scale, ""fast""",');
  });
});

describe('audit arguments and routes', () => {
  it('parses the period, the format and the sample', () => {
    expect(parseAuditArgs(['--since', '2026-01-01'], '2026-02-03')).toMatchObject({ since: '2026-01-01', until: '2026-02-03', branch: 'main', format: 'json', checkName: 'GitOps Gate' });
    expect(parseAuditArgs(['--since', '2026-01-01', '--until', '2026-01-31', '--format', 'csv', '--sample', '25', '--seed', 'q1'])).toMatchObject({ format: 'csv', sample: 25, seed: 'q1' });
    expect(() => parseAuditArgs([])).toThrow(/--since/);
    expect(() => parseAuditArgs(['--since', '2026-02-30'])).toThrow(/YYYY-MM-DD/);
    expect(() => parseAuditArgs(['--since', '2026-02-01', '--until', '2026-01-01'])).toThrow(/before/);
    expect(() => parseAuditArgs(['--since', '2026-01-01', '--sample', '5'])).toThrow(/--seed/);
    expect(() => parseAuditArgs(['--since', '2026-01-01', '--format', 'xml'])).toThrow(/json, csv, markdown/);
    expect(parseAuditArgs(['--from', 'audit.json', '--format', 'markdown'])).toMatchObject({ from: 'audit.json', format: 'markdown' });
    expect(() => parseAuditArgs(['--from', 'audit.json', '--since', '2026-01-01'])).toThrow(/come from the report/);
  });

  it('counts pages of a list under their route', () => {
    expect(routeOf('/repos/{owner}/{repo}/pulls', 'acme', 'gitops')).toBe('/repos/{owner}/{repo}/pulls');
    expect(routeOf('https://ghe.test/api/v3/repos/acme/gitops/pulls/12/reviews?per_page=100&page=2', 'acme', 'gitops')).toBe('/repos/{owner}/{repo}/pulls/{pull_number}/reviews');
    expect(routeOf(`https://api.test/repos/acme/gitops/commits/${'a'.repeat(40)}/pulls?per_page=100`, 'acme', 'gitops')).toBe('/repos/{owner}/{repo}/commits/{commit_sha}/pulls');
  });
});
