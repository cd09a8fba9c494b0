/**
 * End-to-end tests of the Action in real repositories' set-ups (issue 17): merge queues, a base branch
 * that moved on, break-glass by comment, outputs, a checkout in a sub-directory. Payloads start from
 * GitHub's own examples (`@octokit/webhooks-examples`), adapted to the scenario's repository and SHAs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '../helpers/git-repo.js';
import { deployment, APPROVED } from './fixtures.js';
import { fixture, simpleUser } from './fake-github.js';
import { e2eSuite, runAction, type Scenario } from './harness.js';

const suite = e2eSuite();
const require = createRequire(import.meta.url);
const examples = require('@octokit/webhooks-examples') as { name: string; examples: Record<string, unknown>[] }[];

/** GitHub's first example payload of `event` with `action` (deep copy, to adapt). */
function example(event: string, pick: (p: Record<string, unknown>) => boolean = () => true): Record<string, unknown> {
  const found = examples.find((e) => e.name === event)?.examples.find(pick);
  if (!found) throw new Error(`no ${event} example`);
  return structuredClone(found);
}

const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
const files = { base: { 'apps/api/deploy.yaml': deployment('api', '"1"') }, head: { 'apps/api/deploy.yaml': deployment('api', '"2"') } };
const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

/**
 * Builds the merge queue's commit for the scenario's PR as GitHub does (a merge of the PR's head into the
 * base branch's tip, on branch gh-readonly-queue/main/pr-<n>-<base sha>) and a `fetch-depth: 1` clone of it.
 */
function mergeQueue(s: Scenario): { headSha: string; headRef: string; workspace: string } {
  const tree = git(s.repo.dir, ['rev-parse', `${s.repo.headSha}^{tree}`]);
  const headSha = git(s.repo.dir, ['commit-tree', tree, '-p', s.repo.baseSha, '-p', s.repo.headSha, '-m', `Merge pull request #${s.number} from acme/pr`]);
  const branch = `gh-readonly-queue/main/pr-${s.number}-${s.repo.baseSha}`;
  git(s.repo.dir, ['branch', branch, headSha]);
  const workspace = mkdtempSync(join(tmpdir(), 'gg-queue-'));
  dirs.push(workspace);
  execFileSync('git', ['clone', '-q', '--depth', '1', '--branch', branch, `file://${s.repo.dir}`, workspace], { env: GIT_ENV });
  return { headSha, headRef: `refs/heads/${branch}`, workspace };
}

function mergeGroupPayload(s: Scenario, q: { headSha: string; headRef: string }): Record<string, unknown> {
  const p = example('merge_group');
  const g = p.merge_group as Record<string, unknown>;
  Object.assign(g, { head_sha: q.headSha, head_ref: q.headRef, base_sha: s.repo.baseSha, base_ref: 'refs/heads/main' });
  (g.head_commit as Record<string, unknown>).id = q.headSha;
  return p;
}

describe('merge queues (merge_group)', () => {
  it('evaluates the group against its base, applies the queued PR\'s reviews, and reports on the group\'s head', async () => {
    const s = await suite.make({ ...files, ...APPROVED });
    // The PR passed the gate before it was queued (the check is required): that run recorded who pushed its head,
    // which the queue's run needs to count the approval (separation of duties excludes the last pusher).
    const pr = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect([pr.code, pr.outputs.verdict]).toEqual([0, 'pass']);
    const q = mergeQueue(s);
    const r = await runAction({ fake: suite.fake, workspace: q.workspace, eventName: 'merge_group', payload: mergeGroupPayload(s, q) });
    expect(r.stderr).toBe('');
    expect([r.code, r.outputs.verdict]).toEqual([0, 'pass']);
    expect(suite.fake.checkRuns.filter((c) => c.head_sha === q.headSha)).toMatchObject([{ head_sha: q.headSha, conclusion: 'success', name: 'GitOps Gate' }]);
    expect(suite.fake.comments.filter((c) => String(c.body).includes(q.headSha.slice(0, 7)))).toEqual([]);
    expect(r.record?.approvals).toMatchObject([{ reviewer: 'bob', counted: true }]);
    expect(r.stdout).toContain('Fetched');
    expect(r.summary).toContain(`Merge group ${q.headSha.slice(0, 7)}`);
  });

  it('fails the group, on its head, when the queued PR lacks its approval', async () => {
    const s = await suite.make({ ...files });
    const q = mergeQueue(s);
    const r = await runAction({ fake: suite.fake, workspace: q.workspace, eventName: 'merge_group', payload: mergeGroupPayload(s, q) });
    expect([r.code, r.outputs.verdict]).toEqual([1, 'fail']);
    expect(suite.fake.checkRuns).toMatchObject([{ head_sha: q.headSha, conclusion: 'failure' }]);
  });

  it('fails closed when the queue branch names no pull request', async () => {
    const s = await suite.make({ ...files, ...APPROVED });
    const q = mergeQueue(s);
    const r = await runAction({ fake: suite.fake, workspace: q.workspace, eventName: 'merge_group', payload: mergeGroupPayload(s, { ...q, headRef: 'refs/heads/main' }) });
    expect([r.code, r.outputs.verdict]).toEqual([1, 'fail']);
    expect(r.stdout).toContain('names no queued pull request');
    expect(suite.fake.checkRuns).toMatchObject([{ head_sha: q.headSha, conclusion: 'failure' }]);
  });
});

/**
 * The PR changes apps/api/api.yaml; after it branched, main fixed a bad sync wave in apps/api/db.yaml, a
 * file the PR never touched (both are one Application). The PR's head still has the old mistake: against
 * the base branch's tip it looks new, against the merge base it is pre-existing.
 */
async function movedBase(shallow: boolean): Promise<{ s: Scenario; tip: string }> {
  const base = { 'apps/api/db.yaml': deployment('db', '"first"'), 'apps/api/api.yaml': deployment('api', '"1"') };
  const s = await suite.make({ base, head: { 'apps/api/api.yaml': deployment('api', '"2"') }, ...APPROVED, shallow });
  git(s.repo.dir, ['checkout', '-q', 'main']);
  git(s.repo.dir, ['commit', '-q', '-am', 'placeholder', '--allow-empty']);
  execFileSync('sh', ['-c', `printf '%s' "$0" > apps/api/db.yaml && git add -A && git commit -q --amend -m 'Fix the wave of db'`, deployment('db', '"0"')], { cwd: s.repo.dir, env: { ...GIT_ENV, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com' } });
  const tip = git(s.repo.dir, ['rev-parse', 'HEAD']);
  git(s.repo.dir, ['checkout', '-q', 'pr']);
  const pr = suite.fake.pulls.get(s.number)!;
  (pr.pull.base as Record<string, unknown>).sha = tip;
  pr.mergeBase = s.repo.baseSha;
  suite.fake.trees.set(tip, { ...suite.fake.trees.get(s.repo.baseSha)!, 'apps/api/db.yaml': deployment('db', '"0"') });
  return { s, tip };
}

describe('a base branch that moved on', () => {
  it.each([false, true])('compares the head with the merge base, as "Files changed" does (shallow clone: %s)', async (shallow) => {
    const { s, tip } = await movedBase(shallow);
    const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect(r.stderr).toBe('');
    expect([r.code, r.outputs.verdict]).toEqual([0, 'pass']);
    expect(r.record?.baseSha).toBe(s.repo.baseSha);
    expect(r.stdout).toContain(`the base branch's tip ${tip.slice(0, 7)}`);
  });
});

/** GitHub's example `issue_comment` payload of `action`, moved onto the scenario's PR (or a plain issue). */
function commentPayload(s: Scenario, action: string, body: string, onPull = true): Record<string, unknown> {
  const p = example('issue_comment', (x) => x.action === action);
  const issue = p.issue as Record<string, unknown>;
  issue.number = s.number;
  if (onPull) issue.pull_request = { url: `${suite.fake.url}/repos/acme/gitops/pulls/${s.number}`, html_url: `https://github.test/acme/gitops/pull/${s.number}`, diff_url: null, patch_url: null };
  else delete issue.pull_request;
  Object.assign(p.comment as Record<string, unknown>, { body, user: simpleUser('oncall') });
  return p;
}

describe('break-glass by comment (issue_comment)', () => {
  const policy = ['version: 1', 'review:', '  breakGlass:', '    users: ["oncall"]', ''].join('\n');
  const withPolicy = { ...files, base: { ...files.base, 'policies/gitops-gate.yaml': policy } };
  const command = '/gitops-gate break-glass payments down, INC-4711';

  it('re-evaluates the PR when the command is posted, and publishes the override on its head', async () => {
    const s = await suite.make(withPolicy);
    // The push's run fails (no approval) and records the head; an override applies only when given after that.
    const push = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect([push.code, push.outputs.verdict]).toEqual([1, 'fail']);
    const at = new Date(Date.now() + 2000).toISOString().replace(/\.\d+Z$/, 'Z');
    suite.fake.comments.push(
      fixture('issues/list-comments', { id: 8001, body: command, user: simpleUser('oncall'), issue_url: `${suite.fake.url}/repos/acme/gitops/issues/1`, created_at: at, updated_at: at }),
    );
    const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'issue_comment', payload: commentPayload(s, 'created', command) });
    expect(r.stderr).toBe('');
    expect([r.code, r.outputs.verdict]).toEqual([0, 'pass']);
    expect(r.record?.override).toMatchObject({ by: 'oncall', via: 'comment' });
    expect(r.outputs.override).toBe('true');
    expect(suite.fake.checkRuns.at(-1)).toMatchObject({ head_sha: s.repo.headSha, conclusion: 'neutral' }); // an override is not a plain success
  });

  it('re-evaluates when the command is deleted: the override is gone', async () => {
    const s = await suite.make(withPolicy);
    const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'issue_comment', payload: commentPayload(s, 'deleted', command) });
    expect([r.code, r.outputs.verdict]).toEqual([1, 'fail']);
    expect(suite.fake.checkRuns).toMatchObject([{ head_sha: s.repo.headSha, conclusion: 'failure' }]);
  });

  it('ignores a comment on a plain issue, with a notice', async () => {
    const s = await suite.make(withPolicy);
    const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'issue_comment', payload: commentPayload(s, 'edited', command, false) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('::notice::The comment is on issue #1, not on a pull request');
    expect(suite.fake.requests).toEqual([]);
  });
});

describe('outputs', () => {
  it('sets override, not-evaluated, check-run-url and comment-url', async () => {
    const s = await suite.make({ ...files, ...APPROVED });
    const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect([r.code, r.outputs.verdict]).toEqual([0, 'pass']);
    expect(r.outputs).toMatchObject({ override: 'false', 'not-evaluated': String(r.record?.notEvaluated.length) });
    expect(r.outputs['check-run-url']).toBe(suite.fake.checkRuns[0]!.html_url);
    expect(r.outputs['comment-url']).toBe(suite.fake.comments[0]!.html_url);
  });

  it('counts what could not be evaluated, and sets no URL when nothing was published', async () => {
    const s = await suite.make({ base: files.base, head: { ...files.head, 'apps/api/templated.yaml': 'kind: {{ .Values.kind }}\nmetadata: {{ include "x" . }}: y\n' }, ...APPROVED });
    suite.fake.readOnly = true;
    const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect(r.record?.notEvaluated.length).toBeGreaterThan(0);
    expect(Number(r.outputs['not-evaluated'])).toBe(r.record?.notEvaluated.length);
    expect(r.outputs).not.toHaveProperty('check-run-url');
    expect(r.outputs).not.toHaveProperty('comment-url');
  });
});

describe('a checkout in a sub-directory (path)', () => {
  it('reads the clone from the path input, as actions/checkout with path: gitops leaves it', async () => {
    const s = await suite.make({ ...files, ...APPROVED });
    const outer = mkdtempSync(join(tmpdir(), 'gg-ws-'));
    dirs.push(outer);
    execFileSync('git', ['clone', '-q', '--branch', 'pr', `file://${s.repo.dir}`, join(outer, 'gitops')], { env: GIT_ENV });
    const r = await runAction({ fake: suite.fake, workspace: outer, eventName: 'pull_request', payload: s.payload(), inputs: { path: 'gitops', 'report-file': 'audit.json' } });
    expect(r.stderr).toBe('');
    expect([r.code, r.outputs.verdict]).toEqual([0, 'pass']);
    expect(r.outputs['report-file']).toBe(join(outer, 'audit.json'));
  });
});

describe('drafts', () => {
  it('evaluates a draft, says so in the check run, and writes the comment once it is ready for review', async () => {
    const s = await suite.make({ ...files, ...APPROVED });
    const pull = suite.fake.pulls.get(s.number)!.pull as Record<string, unknown>;
    pull.draft = true;
    const opened = example('pull_request', (x) => x.action === 'opened');
    Object.assign(opened.pull_request as Record<string, unknown>, { number: s.number, draft: true, head: { ...(pull.head as object) } });
    const draft = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: opened, inputs: { 'draft-comment': 'wait' } });
    expect(draft.stderr).toBe('');
    expect([draft.code, draft.outputs.verdict]).toEqual([0, 'pass']);
    expect((suite.fake.checkRuns[0]!.output as { title: string }).title).toMatch(/^Draft: Passed/);
    expect(suite.fake.comments).toEqual([]);
    expect(draft.stdout).toContain('the pull request is a draft');

    pull.draft = false;
    const ready = example('pull_request', (x) => x.action === 'ready_for_review');
    Object.assign(ready.pull_request as Record<string, unknown>, { number: s.number, draft: false });
    const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: ready, inputs: { 'draft-comment': 'wait' } });
    expect([r.code, r.outputs.verdict]).toEqual([0, 'pass']);
    expect(suite.fake.comments).toHaveLength(1);
    expect((suite.fake.checkRuns[1]!.output as { title: string }).title).toMatch(/^Passed/);
  });
});

describe('why approvals did not count, in the sticky comment', () => {
  it('names each approval that did not count and why (read-only permission, stale, co-author)', async () => {
    const s = await suite.make({
      ...files,
      commitMessage: 'Raise the wave\n\nCo-authored-by: Carol <4243+carol@users.noreply.github.com>\n',
      reviews: [['rita', 'APPROVED'], ['bob', 'APPROVED', { commitId: 'base' }], ['carol', 'APPROVED']],
      permissions: { rita: 'read', bob: 'write', carol: 'write' },
    });
    const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect([r.code, r.outputs.verdict]).toEqual([1, 'fail']);
    const body = String(suite.fake.comments[0]!.body);
    expect(body).toContain('**Approvals that did not count:**');
    expect(body).toMatch(/@.?rita: has read permission; write is required/);
    expect(body).toMatch(/@.?bob: stale: given on [0-9a-f]{7}, the head is [0-9a-f]{7}/);
    expect(body).toMatch(/@.?carol: .*Co-authored-by/);
  });
});

describe('shallow clones (fetch-depth: 1)', () => {
  it('fetches the base with git instead of reading every base file through the contents API', async () => {
    const base: Record<string, string> = {};
    for (let i = 0; i < 30; i++) base[`apps/api/part-${i}.yaml`] = deployment(`part-${i}`, '"1"');
    const s = await suite.make({ base, head: { 'apps/api/part-0.yaml': deployment('part-0', '"2"') }, ...APPROVED, shallow: true });
    const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect(r.stderr).toBe('');
    expect([r.code, r.outputs.verdict]).toEqual([0, 'pass']);
    expect(r.stdout).toContain(`Fetched ${s.repo.baseSha} from origin with git`);
    expect(suite.fake.calls('repos/get-content')).toEqual([]);
    expect(suite.fake.calls('git/get-tree')).toEqual([]);
    // The audit record counts the requests made before it was written: all but the 4 of publishing
    // (head re-read, check run, comments listed, comment created).
    expect(r.record?.run?.apiRequests).toBe(suite.fake.requests.length - 4);
  });
});

describe('shallow clones git cannot complete (the base through the GitHub API)', () => {
  /** 40 Applications' manifests; the pull request changes one. Origin is gone, so git cannot fetch the base. */
  async function unreachableBase(): Promise<Scenario> {
    const base: Record<string, string> = { 'CODEOWNERS': '* @acme/sre\n' };
    for (let i = 0; i < 40; i++) {
      base[`apps/app-${i}/deploy.yaml`] = deployment(`app-${i}`, '"1"');
      base[`apps/app-${i}/svc.yaml`] = deployment(`svc-${i}`, '"2"');
    }
    const s = await suite.make({ base, head: { 'apps/app-0/deploy.yaml': deployment('app-0', '"3"') }, ...APPROVED, shallow: true });
    git(s.workspace, ['remote', 'set-url', 'origin', `file://${s.workspace}-gone`]);
    return s;
  }

  it('reads a one-file change with two requests: the tree, and the one blob the checkout does not share', async () => {
    const s = await unreachableBase();
    const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect(r.stderr).toBe('');
    expect([r.code, r.outputs.verdict]).toEqual([0, 'pass']);
    expect(r.stdout).toContain('from the GitHub API (the base commit is not in the clone)');
    expect(suite.fake.calls('git/get-tree').map((q) => q.query.recursive)).toEqual(['1']);
    expect(suite.fake.calls('git/get-blob')).toHaveLength(1);
    expect(suite.fake.calls('repos/get-content')).toEqual([]);
    // The PR's commits show the base is the head's ancestor: no compare for the merge base either.
    expect(suite.fake.calls('repos/compare-commits-with-basehead')).toEqual([]);
    expect(r.record?.run?.apiRequests).toBe(suite.fake.requests.length - 4);
  });

  it('fails closed before spending more than api-request-budget, naming it and fetch-depth: 0', async () => {
    const s = await unreachableBase();
    const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload(), inputs: { 'api-request-budget': '1' } });
    expect([r.code, r.outputs.verdict]).toEqual([1, 'fail']);
    expect(r.stdout).toMatch(/^::error::gitops-gate: Reading the base through the GitHub API would take more than the 1 requests of the `api-request-budget` input .*`fetch-depth: 0`/m);
    expect(suite.fake.calls('git/get-blob')).toEqual([]);
  });

  it('rejects an api-request-budget that is not a whole number', async () => {
    const s = await unreachableBase();
    const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload(), inputs: { 'api-request-budget': 'lots' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Invalid value "lots" for input "api-request-budget"');
  });
});

describe('fork pull requests (read-only token)', () => {
  it('fails the job itself, the check to require, and writes the audit record a workflow_run job can publish from', async () => {
    const s = await suite.make({ ...files });
    suite.fake.readOnly = true;
    const payload = example('pull_request', (x) => x.action === 'opened');
    const pr = payload.pull_request as Record<string, unknown>;
    Object.assign(pr, { number: s.number, head: { ...(pr.head as object), sha: s.repo.headSha, repo: { ...((pr.head as { repo: object }).repo), fork: true } } });
    const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload });
    expect([r.code, r.outputs.verdict]).toEqual([1, 'fail']);
    expect(suite.fake.checkRuns).toEqual([]);
    expect(suite.fake.comments).toEqual([]);
    expect(r.record).toMatchObject({ verdict: 'fail', headSha: s.repo.headSha, pullRequest: { number: s.number } });
  });
});

describe('a rate limit while reading the base through the GitHub API', () => {
  it('stops at the first rate-limit answer instead of spending the next hour\'s budget', async () => {
    const base: Record<string, string> = {};
    const head: Record<string, string> = {};
    for (let i = 0; i < 120; i++) {
      base[`apps/api/part-${i}.yaml`] = deployment(`part-${i}`, '"1"');
      head[`apps/api/part-${i}.yaml`] = deployment(`part-${i}`, '"2"'); // every base blob differs from the head's: 120 blob reads
    }
    const s = await suite.make({ base, head, ...APPROVED, shallow: true });
    git(s.workspace, ['remote', 'set-url', 'origin', `file://${s.workspace}-gone`]); // git cannot fetch the base
    suite.fake.rateLimitRemaining = 30;
    suite.fake.enforceRateLimit = true;
    const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect([r.code, r.outputs.verdict]).toEqual([1, 'fail']);
    expect(r.stdout).toContain("GitHub's API rate limit for this token is used up");
    const refused = suite.fake.requests.filter((q) => q.status === 403).length;
    // Only the requests already in flight when the first refusal came back (blobs are read 8 at a time).
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThanOrEqual(8);
    expect(suite.fake.calls('git/get-blob').length).toBeLessThan(40);
  });
});
