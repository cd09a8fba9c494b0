import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { Change } from '../../src/core/model.js';
import { evaluate } from '../../src/composition.js';
import { auditRecordJson, buildAuditRecord, runContextFromEnv } from '../../src/report/audit-record.js';
import { memoryChange } from '../helpers/change.js';

const schema = JSON.parse(readFileSync(new URL('../../docs/audit-record.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats.default(ajv);
const validate = ajv.compile(schema);

const BASE = '1'.repeat(40);
const HEAD = '2'.repeat(40);
const OLD = '3'.repeat(40);

function prChange(): Change {
  const c = memoryChange(
    { 'apps/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n    argocd.argoproj.io/sync-wave: "1"\n' },
    { 'apps/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n    argocd.argoproj.io/sync-wave: 2\n' },
  );
  return {
    ...c,
    repository: 'acme/deploy',
    serverUrl: 'https://github.com',
    baseSha: BASE,
    headSha: HEAD,
    pr: { number: 7, title: 'Bump wave', body: 'x', author: { login: 'dana', type: 'User' }, labels: ['infra'], baseRef: 'main', headRef: 'bump', baseSha: BASE, headSha: HEAD, draft: false, url: 'https://github.com/acme/deploy/pull/7', lastPusher: 'dana' },
    commits: [{ sha: HEAD, author: { name: 'Dana', email: 'dana@example.com', login: 'dana' }, committer: { name: 'GitHub', email: 'noreply@github.com' }, coAuthors: [{ name: 'Eve', email: '9+eve@users.noreply.github.com', login: 'eve' }], message: 'bump' }],
    reviews: [
      { id: 1, reviewer: { login: 'rita' }, state: 'APPROVED', commitId: HEAD, submittedAt: '2026-03-01T09:00:00Z', body: '' },
      { id: 2, reviewer: { login: 'sam' }, state: 'APPROVED', commitId: OLD, submittedAt: '2026-02-28T09:00:00Z', body: '' },
      { id: 3, reviewer: { login: 'tom' }, state: 'COMMENTED', commitId: HEAD, body: 'nit' },
    ],
  };
}

async function evaluated(change: Change) {
  return evaluate(change, { policyPath: 'policies', now: () => new Date('2026-03-01T10:00:00Z') });
}

describe('audit record', () => {
  it('validates against the published schema and names the head SHA, the commits and the approvers', async () => {
    const change = prChange();
    const report = await evaluated(change);
    const record = JSON.parse(auditRecordJson(buildAuditRecord(report, change, { url: 'https://github.com/acme/deploy/actions/runs/9', id: '9', event: 'pull_request' })));
    expect(validate(record), JSON.stringify(validate.errors)).toBe(true);
    expect(record.headSha).toBe(HEAD);
    expect(record.baseSha).toBe(BASE);
    expect(record.pullRequest).toMatchObject({ number: 7, url: 'https://github.com/acme/deploy/pull/7', author: { login: 'dana' } });
    expect(record.commits[0]).toMatchObject({ sha: HEAD, author: { login: 'dana' }, committer: { name: 'GitHub' }, coAuthors: [{ name: 'Eve' }] });
    // The review policy reports on every approval, in submission order (no directory here: write access cannot be verified).
    expect(record.approvalsSource).toBe('review-policy');
    expect(record.approvals.map((a: { reviewer: string; onHead: boolean; counted: boolean; reason: string }) => [a.reviewer, a.onHead, a.counted, a.reason])).toEqual([
      ['sam', false, false, expect.stringContaining('stale')],
      ['rita', true, false, expect.stringContaining('write access could not be verified')],
    ]);
    expect(record.verdict).toBe('fail');
    expect(record.findings[0]).toMatchObject({ rule: 'wave-not-string', file: 'apps/cm.yaml', status: 'new' });
    expect(record.policy.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(record.controls).toContainEqual({ control: 'SOC 2 CC8.1', rules: expect.arrayContaining(['wave-not-string']), state: 'failed' });
    expect(record.description).toMatchObject({ evaluated: true });
    expect(record.rules.find((r: { rule: string }) => r.rule === 'wave-not-string').controls).toEqual(['SOC 2 CC8.1']);
  });

  it('takes the review policy\'s account of approvals and the description sections when present', async () => {
    const change = prChange();
    const report = await evaluated(change);
    // Details of other shapes (an older record, another tool's) must still make a valid record.
    (report.details as Record<string, unknown>).review = { approvals: [{ reviewer: { login: 'rita' }, commitId: HEAD, submittedAt: '2026-03-01T09:00:00Z', counted: true }, { reviewer: 'sam', commitId: OLD, counted: false, reason: 'given on an older commit' }] };
    (report.details as Record<string, unknown>).description = { sections: [{ name: 'Rollback', found: true, line: 4 }] };
    report.override = { by: 'lead', reason: 'incident 42', via: 'label' };
    const record = JSON.parse(auditRecordJson(buildAuditRecord(report, change)));
    expect(validate(record), JSON.stringify(validate.errors)).toBe(true);
    expect(record.approvalsSource).toBe('review-policy');
    expect(record.approvals).toEqual([
      { reviewer: 'rita', state: 'APPROVED', commit: HEAD, submittedAt: '2026-03-01T09:00:00Z', onHead: true, counted: true, reason: null },
      { reviewer: 'sam', state: 'APPROVED', commit: OLD, submittedAt: null, onHead: false, counted: false, reason: 'given on an older commit' },
    ]);
    expect(record.description).toEqual({ sections: [{ name: 'Rollback', found: true, line: 4 }] });
    expect(record.override).toEqual({ by: 'lead', reason: 'incident 42', via: 'label' });
    expect(record.run).toBeNull();
  });

  it('without a PR or reviews the record says so and still validates', async () => {
    const change = { ...prChange(), baseSha: BASE, headSha: HEAD };
    delete change.pr;
    delete change.reviews;
    const record = JSON.parse(auditRecordJson(buildAuditRecord(await evaluated(change), change)));
    expect(validate(record), JSON.stringify(validate.errors)).toBe(true);
    expect(record.pullRequest).toBeNull();
    expect(record.approvalsSource).toBe('unavailable');
    expect(record.approvals).toEqual([]);
  });

  it('the schema rejects a record missing the head SHA or with an unknown field', async () => {
    const change = prChange();
    const record = JSON.parse(auditRecordJson(buildAuditRecord(await evaluated(change), change)));
    expect(validate({ ...record, headSha: undefined })).toBe(false);
    expect(validate({ ...record, extra: 1 })).toBe(false);
    expect(validate({ ...record, approvals: [{ reviewer: 'x' }] })).toBe(false);
  });

  it('reads the run context from the runner environment', () => {
    expect(runContextFromEnv({ GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/deploy', GITHUB_RUN_ID: '9', GITHUB_RUN_ATTEMPT: '2', GITHUB_EVENT_NAME: 'pull_request_review', GITHUB_ACTOR: 'rita' })).toEqual({
      url: 'https://github.com/acme/deploy/actions/runs/9',
      id: '9',
      attempt: '2',
      event: 'pull_request_review',
      actor: 'rita',
    });
    expect(runContextFromEnv({})).toEqual({});
  });
});
