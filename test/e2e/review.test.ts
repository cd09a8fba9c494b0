/**
 * End-to-end tests of the review policy in the bundled Action, under the built-in default policy (one
 * approval on the head commit from someone with write access who took no part in the change): each
 * scenario gets the right verdict and says why in the job summary.
 */
import { describe, expect, it } from 'vitest';
import { fixture, simpleUser } from './fake-github.js';
import { deployment } from './fixtures.js';
import { e2eSuite, runAction, type RunResult, type Scenario, type ScenarioOptions } from './harness.js';

const suite = e2eSuite();

const files = { base: { 'apps/api/deploy.yaml': deployment('api', '"1"') }, head: { 'apps/api/deploy.yaml': deployment('api', '"2"') } };

async function gate(opts: Partial<ScenarioOptions>): Promise<RunResult> {
  const s = await suite.make({ ...files, ...opts });
  return runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
}

/** A time after every check run the gate has written so far (GitHub's timestamps are whole seconds). */
function later(): string {
  return new Date(Date.now() + 2000).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** A synchronize event: `login` pushed `headSha`. */
function push(s: Scenario, login: string, headSha: string): unknown {
  const p = s.payload('synchronize') as { pull_request: { head: object } };
  return { ...p, sender: simpleUser(login), pull_request: { ...p.pull_request, head: { ...p.pull_request.head, sha: headSha } } };
}

/** A pull_request_review event: `login` submitted a review (it names no pusher). */
function reviewEvent(s: Scenario, login: string): unknown {
  return { action: 'submitted', sender: simpleUser(login), review: { id: 500, state: 'approved', user: simpleUser(login) }, pull_request: (s.payload() as { pull_request: unknown }).pull_request };
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
    const pushed = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: push(s, 'bob', s.repo.headSha) });
    expectBlocked(pushed, 'pushed the head commit last');
    // The check run carries what the run learned about the head, for later runs on it.
    expect(suite.fake.checkRuns.map((c) => c.external_id)).toEqual([`gitops-gate/1 pr=1 head=${s.repo.headSha} pushers=bob`]);
    // An event about an older head says nothing about who pushed the current one, but the gate's own check run does.
    const older = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: push(s, 'carol', s.repo.baseSha) });
    expectBlocked(older, 'pushed the head commit last');
  });

  describe('issue 13 item 6: the pusher of a head, across runs', () => {
    it('a pull_request_review run on the same head still excludes the pusher the synchronize run learned', async () => {
      const s = await suite.make({ ...files, reviews: [['bob', 'APPROVED']], permissions: { bob: 'write' } });
      expectBlocked(await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: push(s, 'bob', s.repo.headSha) }), 'pushed the head commit last');
      const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request_review', payload: reviewEvent(s, 'bob') });
      expectBlocked(r, 'pushed the head commit last');
      expect(r.record?.approvals).toMatchObject([{ reviewer: 'bob', counted: false }]);
      expect(suite.fake.calls('checks/list-for-ref').map((q) => [q.path, q.query.check_name, q.query.filter])).toEqual([
        [`/repos/acme/gitops/commits/${s.repo.headSha}/check-runs`, 'GitOps Gate', 'all'],
        [`/repos/acme/gitops/commits/${s.repo.headSha}/check-runs`, 'GitOps Gate', 'all'],
      ]);
      // The later run's check run replaces the earlier one on GitHub, and carries the pusher on.
      expect(suite.fake.checkRuns.at(-1)).toMatchObject({ conclusion: 'failure', external_id: `gitops-gate/1 pr=1 head=${s.repo.headSha} pushers=bob` });
    });

    it('passes a pull_request_review run when the recorded pusher is someone else', async () => {
      const s = await suite.make({ ...files, reviews: [['bob', 'APPROVED']], permissions: { bob: 'write' } });
      await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: push(s, 'alice', s.repo.headSha) });
      const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request_review', payload: reviewEvent(s, 'bob') });
      expect([r.code, r.outputs.verdict]).toEqual([0, 'pass']);
    });

    it('fails closed when no run recorded who pushed the head, naming why', async () => {
      const s = await suite.make({ ...files, reviews: [['bob', 'APPROVED']], permissions: { bob: 'write' } });
      const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request_review', payload: reviewEvent(s, 'bob') });
      expectBlocked(r, /who pushed the head commit [0-9a-f]{7} is unknown/);
      expect(r.record?.rules.find((x) => x.rule === 'review-approvals')?.state).toBe('failed');
    });

    it('ignores a record on the head written by another app (a workflow of the pull request could write one)', async () => {
      const s = await suite.make({ ...files, reviews: [['bob', 'APPROVED']], permissions: { bob: 'write' } });
      const forged = suite.fake.checkRun(
        { name: 'GitOps Gate', head_sha: s.repo.headSha, status: 'completed', conclusion: 'success', completed_at: '2026-01-01T00:00:00Z', external_id: `gitops-gate/1 pr=1 head=${s.repo.headSha} pushers=alice` },
        'someone-elses-app',
      );
      suite.fake.checkRuns.push(forged);
      const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request_review', payload: reviewEvent(s, 'bob') });
      expectBlocked(r, /who pushed the head commit [0-9a-f]{7} is unknown/);
      expect(r.summary).toContain('not created by the app the gate runs as (github-actions): ignored');
    });
  });

  describe('issue 13 item 11: commit identities', () => {
    it('fails closed naming a co-author with an ordinary e-mail, which no login can be tied to', async () => {
      const r = await gate({ commitMessage: 'Raise the wave\n\nCo-authored-by: Bob <bob@corp.example>\n', reviews: [['bob', 'APPROVED']], permissions: { bob: 'write' } });
      expectBlocked(r, /no GitHub login can be tied to Bob (?:&lt;|\\<)bob@\u200B?corp\.example(?:&gt;|>) \(co-author of [0-9a-f]{7}\)/);
      expect(r.record?.rules.find((x) => x.rule === 'review-approvals')?.state).toBe('failed');
    });

    it('fails closed naming a commit author whose ordinary e-mail GitHub links to no account (a second account)', async () => {
      const s = await suite.make({ ...files, reviews: [['bob', 'APPROVED']], permissions: { bob: 'write' } });
      for (const c of suite.fake.pulls.get(1)!.commits) c.author = null;
      const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
      expectBlocked(r, /no GitHub login can be tied to Test Author (?:&lt;|\\<)author@\u200B?example\.com(?:&gt;|>) \(committer of [0-9a-f]{7}\)/);
    });

    it('excludes "Co-authored-by : Bob <...>", a trailer to git despite the blank before the colon', async () => {
      const r = await gate({ commitMessage: 'Raise the wave\n\nCo-authored-by : Bob <4242+bob@users.noreply.github.com>\n', reviews: [['bob', 'APPROVED']], permissions: { bob: 'write' } });
      expectBlocked(r, 'is a Co-authored-by of a commit of the pull request');
    });

    it('excludes the co-author of a trailer ending in a zero-width space', async () => {
      const r = await gate({ commitMessage: 'Raise the wave\n\nCo-authored-by: Bob <4242+bob@users.noreply.github.com>\u200B\n', reviews: [['bob', 'APPROVED']], permissions: { bob: 'write' } });
      expectBlocked(r, 'is a Co-authored-by of a commit of the pull request');
    });
  });

  it('honours a break-glass label applied by a listed user after the head was pushed, reading who applied it from the issue events', async () => {
    const policy = ['version: 1', 'review:', '  breakGlass:', '    users: ["oncall"]', ''].join('\n');
    const s = await suite.make({ ...files, base: { ...files.base, 'policies/gitops-gate.yaml': policy }, labels: ['break-glass'] });
    const label = (at: string) => [fixture('issues/list-events', { id: 1, event: 'labeled', actor: simpleUser('oncall'), label: { name: 'break-glass', color: 'ff0000' }, created_at: at })];
    // Applied before the gate first saw the head: it cannot be tied to this head.
    suite.fake.pulls.get(1)!.events = label('2026-01-03T00:00:00Z');
    const before = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect([before.code, before.outputs.verdict]).toEqual([1, 'fail']);
    suite.fake.pulls.get(1)!.events = label(later());
    const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect([r.code, r.outputs.verdict]).toEqual([0, 'pass']);
    expect(r.record?.override).toMatchObject({ by: 'oncall', via: 'label' });
    expect(suite.fake.calls('issues/list-events')).toHaveLength(2);
  });

  describe('issue 13 item 10: break-glass', () => {
    const policy = (users: string) => ['version: 1', 'review:', '  breakGlass:', `    users: [${users}]`, ''].join('\n');

    /** Runs once (the gate records the head), adds the comments (`'later'`: after that run), runs again. */
    async function overridden(users: string, comments: [login: string, body: string, at: string][]): Promise<RunResult> {
      const s = await suite.make({ ...files, base: { ...files.base, 'policies/gitops-gate.yaml': policy(users) } });
      await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload(), inputs: { comment: 'never' } });
      const after = later();
      comments.forEach(([login, body, at], i) => {
        const when = at === 'later' ? after : at;
        suite.fake.comments.push(fixture('issues/list-comments', { id: 90 + i, body, user: simpleUser(login), created_at: when, updated_at: when, issue_url: `${suite.fake.url}/repos/acme/gitops/issues/1` }));
      });
      return runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload(), inputs: { comment: 'never' } });
    }

    it('honours a comment given after the head was pushed', async () => {
      const r = await overridden('"oncall"', [['oncall', '/gitops-gate break-glass outage INC-7', 'later']]);
      expect([r.code, r.outputs.verdict]).toEqual([0, 'pass']);
      expect(r.record?.override).toMatchObject({ by: 'oncall', via: 'comment', reason: 'outage INC-7' });
    });

    it('does not honour a comment from before the latest push', async () => {
      const r = await overridden('"oncall"', [['oncall', '/gitops-gate break-glass outage INC-7', '2026-01-05T00:00:00Z']]);
      expect([r.code, r.outputs.verdict]).toEqual([1, 'fail']);
      expect(r.record?.override ?? undefined).toBeUndefined();
      expect(r.summary).toContain('an override applies only to the head it was given for');
    });

    it('the pull request\'s author cannot break glass on it', async () => {
      const r = await overridden('"alice", "oncall"', [['alice', '/gitops-gate break-glass my own outage', 'later']]);
      expect([r.code, r.outputs.verdict]).toEqual([1, 'fail']);
      expect(r.summary).toContain('the author cannot break glass on their own change');
    });

    it('does not accept "/gitops-gate break-glassy"', async () => {
      const r = await overridden('"oncall"', [['oncall', '/gitops-gate break-glassy outage', 'later']]);
      expect([r.code, r.outputs.verdict]).toEqual([1, 'fail']);
      expect(r.summary).toContain('which is not the break-glass command');
    });
  });
});
