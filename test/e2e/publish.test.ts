/**
 * End-to-end tests of publishing in the bundled Action: the check run on the head SHA with every finding
 * as an annotation, the sticky comment across runs, refused writes, the audit record and SARIF files, and
 * the head guard.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { APPROVED, deployment } from './fixtures.js';
import { e2eSuite, runAction } from './harness.js';

const suite = e2eSuite();

const compliant = { base: { 'apps/api/deploy.yaml': deployment('api', '"1"') }, head: { 'apps/api/deploy.yaml': deployment('api', '"2"') }, ...APPROVED };

describe('publishing from the Action', () => {
  it('puts 120 findings on one check run on the head SHA, 50 annotations per request, and writes SARIF', async () => {
    const head: Record<string, string> = {};
    for (let i = 0; i < 120; i++) head[`apps/svc-${String(i).padStart(3, '0')}/deploy.yaml`] = deployment(`svc-${i}`, '5');
    const s = await suite.make({ base: {}, head, ...APPROVED });
    const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload(), inputs: { 'sarif-file': 'out/gate.sarif' } });
    expect([r.code, r.outputs.verdict, r.outputs.errors]).toEqual([1, 'fail', '120']);
    const create = suite.fake.calls('checks/create');
    const updates = suite.fake.calls('checks/update');
    expect(create).toHaveLength(1);
    expect(updates).toHaveLength(2);
    const body = create[0]!.body as { name: string; head_sha: string; conclusion: string; output: { annotations: { path: string }[] } };
    expect(body).toMatchObject({ name: 'GitOps Gate', head_sha: s.repo.headSha, conclusion: 'failure' });
    const batches = [body, ...updates.map((u) => u.body as typeof body)].map((b) => b.output.annotations);
    expect(batches.map((b) => b.length)).toEqual([50, 50, 20]);
    expect(new Set(batches.flat().map((a) => a.path)).size).toBe(120);
    expect(updates.every((u) => u.path === `/repos/acme/gitops/check-runs/${(suite.fake.checkRuns[0] as { id: number }).id}`)).toBe(true);
    // SARIF: one result per finding, at the path the output names.
    expect(r.outputs['sarif-file']).toBe(`${s.workspace}/out/gate.sarif`);
    expect(r.sarif?.runs[0]!.results).toHaveLength(120);
  });

  it('creates one sticky comment on the first run and updates it on the second', async () => {
    const s = await suite.make(compliant);
    const first = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect(first.code).toBe(0);
    expect(suite.fake.comments).toHaveLength(1);
    const id = suite.fake.comments[0]!.id;
    const second = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect(second.code).toBe(0);
    expect(suite.fake.comments).toHaveLength(1);
    expect(suite.fake.comments[0]!.id).toBe(id);
    expect(suite.fake.calls('issues/create-comment')).toHaveLength(1);
    expect(suite.fake.calls('issues/update-comment').map((q) => q.path)).toEqual([`/repos/acme/gitops/issues/comments/${id}`]);
    expect(suite.fake.comments[0]!.body).toContain('<!-- gitops-gate:sticky -->');
    // One check run per evaluation: a later run replaces the earlier result on the head.
    expect(suite.fake.checkRuns).toHaveLength(2);
  });

  it('with a read-only token still delivers the verdict, outputs and job summary, warning about the permissions', async () => {
    const s = await suite.make(compliant);
    suite.fake.readOnly = true;
    const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect(r.stderr).toBe('');
    expect([r.code, r.outputs.verdict, r.outputs.errors, r.outputs.warnings]).toEqual([0, 'pass', '0', '0']);
    expect(r.summary).toContain('GitOps Gate: ✅ PASS');
    expect(r.summary).toContain('### Publishing');
    expect(r.summary).toContain('`checks: write`');
    expect(r.stdout).toMatch(/^::warning::create check run "GitOps Gate": GitHub refused it \(403\)\. The token probably lacks the permission `checks: write`/m);
    expect(r.stdout).toMatch(/^::warning::.*`pull-requests: write`/m);
    expect(suite.fake.calls('checks/create').map((q) => q.status)).toEqual([403]);
    expect(suite.fake.calls('issues/create-comment').map((q) => q.status)).toEqual([403]);
    expect(suite.fake.checkRuns).toEqual([]);
    expect(r.record?.verdict).toBe('pass');
  });

  it('writes the audit record to report-file, naming the head SHA, the approvers and the run', async () => {
    const s = await suite.make(compliant);
    const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload(), inputs: { 'report-file': 'audit/gate.json' } });
    expect(r.outputs['report-file']).toBe(`${s.workspace}/audit/gate.json`);
    const record = JSON.parse(readFileSync(`${s.workspace}/audit/gate.json`, 'utf8')) as NonNullable<typeof r.record>;
    expect(record).toMatchObject({
      schema: 'urn:gitops-gate:audit-record:1',
      headSha: s.repo.headSha,
      baseSha: s.repo.baseSha,
      repository: 'acme/gitops',
      verdict: 'pass',
      pullRequest: { number: 1, author: { login: 'alice' } },
      run: { url: 'https://github.test/acme/gitops/actions/runs/4242', event: 'pull_request' },
    });
    expect(record.approvals).toEqual([expect.objectContaining({ reviewer: 'bob', commit: s.repo.headSha, onHead: true, counted: true })]);
  });

  it('fails closed, publishing no verdict, when the audit record cannot be written', async () => {
    const s = await suite.make(compliant);
    // A path under a regular file: the directory cannot be created.
    const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload(), inputs: { 'report-file': 'apps/api/deploy.yaml/audit.json' } });
    expect([r.code, r.outputs.verdict]).toEqual([1, 'fail']);
    expect(r.summary).toContain('fails closed');
    // No verdict reaches the PR: only the failing check run of a run that could not finish, with the reason.
    expect(suite.fake.checkRuns.map((c) => [c.conclusion, (c.output as { title: string }).title])).toEqual([['failure', 'Failed: the gate could not evaluate this change']]);
    expect(((suite.fake.checkRuns[0]!.output as { summary: string }).summary)).toContain('apps/api/deploy.yaml');
    expect(suite.fake.calls('issues/create-comment')).toEqual([]);
  });

  it('publishes nothing stale when the head moves during the run, and says so', async () => {
    const s = await suite.make(compliant);
    suite.fake.pulls.get(1)!.pushAfterReads = { reads: 1, sha: 'd'.repeat(40) };
    const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    // The verdict is about the commit evaluated; only publishing on the PR is withheld.
    expect([r.code, r.outputs.verdict]).toEqual([0, 'pass']);
    expect(suite.fake.calls('pulls/get')).toHaveLength(2);
    expect(suite.fake.calls('checks/create')).toEqual([]);
    expect(suite.fake.calls('issues/list-comments')).toEqual([]);
    expect(suite.fake.comments).toEqual([]);
    const moved = `the pull request's head moved from ${s.repo.headSha.slice(0, 7)} (evaluated) to ddddddd while the gate ran`;
    expect(r.summary).toContain(moved);
    expect(r.stdout).toContain(moved);
  });
});
