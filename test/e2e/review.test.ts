/**
 * End-to-end tests of the review policy in the bundled Action, under the built-in default policy (one
 * approval on the head commit from someone with write access who took no part in the change): each
 * scenario gets the right verdict and says why in the job summary.
 */
import { describe, expect, it } from 'vitest';
import { fixture, simpleUser } from './fake-github.js';
import { deployment } from './fixtures.js';
import { e2eSuite, runAction, type RunResult, type ScenarioOptions } from './harness.js';

const suite = e2eSuite();

const files = { base: { 'apps/api/deploy.yaml': deployment('api', '"1"') }, head: { 'apps/api/deploy.yaml': deployment('api', '"2"') } };

async function gate(opts: Partial<ScenarioOptions>): Promise<RunResult> {
  const s = await suite.make({ ...files, ...opts });
  return runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
}

/** The approvals rule failed or is pending, the run failed, and the summary says why. */
function expectBlocked(r: RunResult, why: string | RegExp): void {
  expect(r.code).toBe(1);
  expect(r.outputs.verdict).toBe('fail');
  expect(r.summary).toContain('GitOps Gate: ❌ FAIL');
  const rule = r.record?.rules.find((x) => x.rule === 'review-approvals');
  expect(['pending', 'failed']).toContain(rule?.state);
  if (typeof why === 'string') expect(r.summary).toContain(why);
  else expect(r.summary).toMatch(why);
}

describe('the review policy in the Action (default policy)', () => {
  it('passes with one valid approval, and the audit record says it counted', async () => {
    const r = await gate({ reviews: [['bob', 'APPROVED']], permissions: { bob: 'write' } });
    expect([r.code, r.outputs.verdict]).toEqual([0, 'pass']);
    expect(r.record?.approvals).toMatchObject([{ reviewer: 'bob', onHead: true, counted: true }]);
    expect(suite.fake.calls('repos/get-collaborator-permission-level').map((q) => q.path)).toEqual(['/repos/acme/gitops/collaborators/bob/permission']);
  });

  it('fails when only the author approved', async () => {
    const r = await gate({ author: 'alice', reviews: [['alice', 'APPROVED']], permissions: { alice: 'admin' } });
    expectBlocked(r, 'is the pull request author');
  });

  it('fails when the only approval is on an older commit', async () => {
    const r = await gate({ reviews: [['bob', 'APPROVED', { commitId: 'base' }]], permissions: { bob: 'write' } });
    expectBlocked(r, /stale: given on [0-9a-f]{7}, the head is [0-9a-f]{7}/);
    expect(r.record?.approvals).toMatchObject([{ reviewer: 'bob', onHead: false, counted: false }]);
  });

  it('fails when a co-author of a commit approved', async () => {
    const r = await gate({
      commitMessage: 'Raise the wave\n\nCo-authored-by: Bob <4242+bob@users.noreply.github.com>\n',
      reviews: [['bob', 'APPROVED']],
      permissions: { bob: 'write' },
    });
    expectBlocked(r, 'is a Co-authored-by of a commit of the pull request');
  });

  it('fails when the reviewer approved and then requested changes', async () => {
    const r = await gate({ reviews: [['bob', 'APPROVED'], ['bob', 'CHANGES_REQUESTED']], permissions: { bob: 'write' } });
    expectBlocked(r, '**Changes requested** by');
    expect(r.summary).toContain('superseded by changes requested');
    expect(r.record?.rules.find((x) => x.rule === 'review-changes-requested')?.state).toBe('failed');
  });

  it('fails when the approver can only read the repository', async () => {
    const r = await gate({ reviews: [['rita', 'APPROVED']], permissions: { rita: 'read' } });
    expectBlocked(r, 'has read permission; write is required');
  });

  it('fails when the approval was dismissed', async () => {
    // GitHub turns a dismissed approval's state into DISMISSED; no approval is left.
    const r = await gate({ reviews: [['bob', 'DISMISSED']], permissions: { bob: 'write' } });
    expectBlocked(r, 'the latest review was dismissed');
  });

  it('finds the one valid approval past the 30th of 35 reviews: reviews are read 100 per page', async () => {
    const others: [string, string][] = Array.from({ length: 34 }, (_, i) => [`reader${i}`, 'COMMENTED']);
    const reviews = [...others.slice(0, 32), ['bob', 'APPROVED'] as [string, string], ...others.slice(32)];
    const r = await gate({ reviews, permissions: { bob: 'write' } });
    expect(reviews).toHaveLength(35);
    // A client reading GitHub's default page of 30 without following the next page would miss it.
    expect(reviews.findIndex(([login]) => login === 'bob')).toBeGreaterThanOrEqual(30);
    expect([r.code, r.outputs.verdict]).toEqual([0, 'pass']);
    expect(suite.fake.calls('pulls/list-reviews').map((q) => [q.query.per_page, q.query.page ?? '1'])).toEqual([['100', '1']]);
  });

  it('fails closed naming the token needed when a team rule meets a token that cannot read teams (404)', async () => {
    const policy = [
      'version: 1',
      'review:',
      '  rules:',
      '    - name: sre',
      '      if: { manifestsChanged: true }',
      '      approvals: 1',
      '      from: { teams: ["acme/sre"] }',
      '',
    ].join('\n');
    const r = await gate({
      base: { ...files.base, 'policies/gitops-gate.yaml': policy },
      reviews: [['bob', 'APPROVED']],
      permissions: { bob: 'write' },
    });
    expect([r.code, r.outputs.verdict]).toEqual([1, 'fail']);
    expect(r.record?.rules.find((x) => x.rule === 'review-approvals')?.state).toBe('failed');
    expect(r.summary).toContain('cannot read team membership: the token needs Members: read (GitHub App) or read:org (PAT)');
    expect(suite.fake.calls('teams/list-members-in-org').map((q) => [q.path, q.status])).toEqual([['/orgs/acme/teams/sre/members', 404]]);
  });

  it('fails when the approver pushed the head commit last (the sender of a synchronize event for the current head)', async () => {
    const s = await suite.make({ ...files, reviews: [['bob', 'APPROVED']], permissions: { bob: 'write' } });
    const event = (headSha: string) => {
      const p = s.payload('synchronize') as { pull_request: { head: object } };
      return { ...p, sender: simpleUser('bob'), pull_request: { ...p.pull_request, head: { ...p.pull_request.head, sha: headSha } } };
    };
    const pushed = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: event(s.repo.headSha) });
    expectBlocked(pushed, 'pushed the head commit last');
    // An event about an older head says nothing about who pushed the current one: unknown, and the summary says so.
    const older = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: event(s.repo.baseSha) });
    expect([older.code, older.outputs.verdict]).toEqual([0, 'pass']);
    expect(older.summary).toContain('Who pushed the head commit last is unknown for this run');
  });

  it('honours a break-glass label applied by a listed user, reading who applied it from the issue events', async () => {
    const policy = ['version: 1', 'review:', '  breakGlass:', '    users: ["oncall"]', ''].join('\n');
    const s = await suite.make({ ...files, base: { ...files.base, 'policies/gitops-gate.yaml': policy }, labels: ['break-glass'] });
    suite.fake.pulls.get(1)!.events = [
      fixture('issues/list-events', { id: 1, event: 'labeled', actor: simpleUser('oncall'), label: { name: 'break-glass', color: 'ff0000' }, created_at: '2026-01-03T00:00:00Z' }),
    ];
    const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect([r.code, r.outputs.verdict]).toEqual([0, 'pass']);
    expect(r.record?.override).toMatchObject({ by: 'oncall', via: 'label' });
    expect(suite.fake.calls('issues/list-events')).toHaveLength(1);
  });
});
