/** The review policy through the CLI bundle (dist/cli.js) with --pr, --reviews and --directory, on real git repositories. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, type TestRepo } from '../helpers/git-repo.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const repos: TestRepo[] = [];
const work = mkdtempSync(join(tmpdir(), 'gg-review-cli-'));
afterAll(() => {
  repos.forEach((r) => r.cleanup());
  rmSync(work, { recursive: true, force: true });
});

const CM = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "${v}"\n`;
const TEAM_POLICY = 'version: 1\nreview:\n  rules:\n    - name: sre\n      approvals: 1\n      from: { teams: ["acme/sre"] }\n';

/** A PR by dana whose commit is authored by dana and co-authored by lee (both by no-reply address). */
function prRepo(basePolicy?: string) {
  const r = makeRepo(
    { 'app/cm.yaml': CM('1'), ...(basePolicy ? { 'policies/gitops-gate.yaml': basePolicy } : {}) },
    { 'app/cm.yaml': CM('2') },
    'Change the ConfigMap\n\nCo-authored-by: Lee <1003+lee@users.noreply.github.com>\n',
    { GIT_AUTHOR_NAME: 'Dana', GIT_AUTHOR_EMAIL: '1001+dana@users.noreply.github.com', GIT_COMMITTER_NAME: 'Dana', GIT_COMMITTER_EMAIL: '1001+dana@users.noreply.github.com' },
  );
  repos.push(r);
  return r;
}

let n = 0;
function file(name: string, value: unknown): string {
  const p = join(work, `${n++}-${name}`);
  writeFileSync(p, JSON.stringify(value));
  return p;
}

/** A synchronize event: dana pushed the head (unless `sender` says otherwise; `null`: no sender). */
function event(r: TestRepo, sender: string | null = 'dana') {
  return file('event.json', {
    action: 'synchronize',
    ...(sender ? { sender: { login: sender, type: 'User' } } : {}),
    pull_request: {
      number: 5,
      title: 'Change the ConfigMap',
      body: '## Why\n\nThe config value must change for the new release.\n\n## Rollback\n\nRevert this pull request; nothing else changes.\n',
      user: { login: 'dana', type: 'User' },
      labels: [],
      base: { ref: 'main', sha: r.baseSha },
      head: { ref: 'pr', sha: r.headSha },
      draft: false,
    },
  });
}

let id = 100;
const review = (login: string, state: string, commit: string, type = 'User') => ({
  id: id++,
  user: { login, type },
  state,
  commit_id: commit,
  body: '',
  submitted_at: `2026-11-20T10:${String(id % 60).padStart(2, '0')}:00Z`,
  author_association: 'MEMBER',
});

const PERMS = { permissions: { sam: 'write', kim: 'write', dana: 'write', lee: 'write', ro: 'read' }, teams: {} };

function check(r: TestRepo, reviews: unknown[], directory: unknown = PERMS, extra: string[] = []) {
  const args = ['check', '--repo', r.dir, '--base', 'main', '--head', 'pr', '--pr', event(r), '--reviews', file('reviews.json', reviews), '--format', 'json', ...extra];
  if (directory) args.push('--directory', file('directory.json', directory));
  const out = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  expect(out.stderr).toBe('');
  const report = JSON.parse(out.stdout);
  const rule = (x: string) => report.rules.find((o: { rule: string }) => o.rule === x);
  const approval = (login: string) => report.details.review.approvals.find((a: { reviewer: string }) => a.reviewer === login);
  return { code: out.status, report, rule, approval };
}

describe('review policy via the CLI', () => {
  it('fails when only the author approved', () => {
    const r = prRepo();
    const { code, rule, approval } = check(r, [review('dana', 'APPROVED', r.headSha)]);
    expect(code).toBe(1);
    expect(rule('review-approvals')).toMatchObject({ state: 'pending', blocking: true });
    expect(approval('dana').reasons.map((x: { code: string }) => x.code)).toEqual(['author', 'committer', 'last-pusher']);
  });

  it('fails when the only approval is on an older commit', () => {
    const r = prRepo();
    const { code, approval } = check(r, [review('sam', 'APPROVED', r.baseSha)]);
    expect(code).toBe(1);
    expect(approval('sam').reasons[0].text).toBe(`stale: given on ${r.baseSha.slice(0, 7)}, the head is ${r.headSha.slice(0, 7)}`);
  });

  it('fails when a co-author approved', () => {
    const r = prRepo();
    const { code, approval } = check(r, [review('lee', 'APPROVED', r.headSha)]);
    expect(code).toBe(1);
    expect(approval('lee').reasons.map((x: { code: string }) => x.code)).toEqual(['co-author']);
  });

  it('fails when the reviewer approved and then requested changes', () => {
    const r = prRepo();
    const { code, rule } = check(r, [review('sam', 'APPROVED', r.headSha), review('sam', 'CHANGES_REQUESTED', r.headSha)]);
    expect(code).toBe(1);
    expect(rule('review-changes-requested')).toMatchObject({ state: 'failed', reason: 'changes requested by @sam' });
    expect(rule('review-approvals').state).toBe('pending');
  });

  it('fails when a read-only user approved', () => {
    const r = prRepo();
    const { code, approval } = check(r, [review('ro', 'APPROVED', r.headSha)]);
    expect(code).toBe(1);
    expect(approval('ro').reasons).toEqual([{ code: 'no-write-access', text: 'has read permission; write is required' }]);
  });

  it('fails when the approval was dismissed', () => {
    const r = prRepo();
    const { code, approval } = check(r, [review('sam', 'APPROVED', r.headSha), review('sam', 'DISMISSED', r.headSha)]);
    expect(code).toBe(1);
    expect(approval('sam').reasons.map((x: { code: string }) => x.code)).toEqual(['dismissed']);
  });

  it('passes with the one valid approval among 35 reviews', () => {
    const r = prRepo();
    const reviews = Array.from({ length: 34 }, (_, i) => review(i % 2 ? 'kim' : 'dana', i % 4 ? 'COMMENTED' : 'APPROVED', i % 2 ? r.baseSha : r.headSha));
    reviews.splice(32, 0, review('sam', 'APPROVED', r.headSha));
    expect(reviews).toHaveLength(35);
    const { code, rule, approval } = check(r, reviews);
    expect(rule('review-approvals').state).toBe('passed');
    expect(approval('sam').countedFor).toEqual(['manifests']);
    expect(code).toBe(0);
  });

  it('fails closed with the token requirement when the team cannot be read', () => {
    const r = prRepo(TEAM_POLICY);
    const dir = { permissions: { sam: 'write' }, teams: { 'acme/sre': { error: 'cannot read team membership: the token needs Members: read (GitHub App) or read:org (PAT); GitHub answers 404 for missing access' } } };
    const { code, rule } = check(r, [review('sam', 'APPROVED', r.headSha)], dir);
    expect(code).toBe(1);
    expect(rule('review-approvals').state).toBe('failed');
    expect(rule('review-approvals').reason).toContain('the token needs Members: read (GitHub App) or read:org (PAT)');
  });

  it('passes a team rule when the directory lists the approver as a member', () => {
    const r = prRepo(TEAM_POLICY);
    const { code } = check(r, [review('sam', 'APPROVED', r.headSha)], { permissions: { sam: 'write' }, teams: { 'acme/sre': ['sam'] } });
    expect(code).toBe(0);
  });

  it('fails closed without --directory: write access cannot be verified offline', () => {
    const r = prRepo();
    const { code, rule } = check(r, [review('sam', 'APPROVED', r.headSha)], null);
    expect(code).toBe(1);
    expect(rule('review-approvals').reason).toContain('pass --directory FILE');
  });

  it('prints the reasons in the markdown summary', () => {
    const r = prRepo();
    const args = ['check', '--repo', r.dir, '--base', 'main', '--head', 'pr', '--pr', event(r), '--reviews', file('r.json', [review('lee', 'APPROVED', r.headSha)]), '--directory', file('d.json', PERMS), '--format', 'markdown'];
    const out = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    expect(out.status).toBe(1);
    expect(out.stdout).toContain('| @\u200blee |');
    expect(out.stdout).toContain('is a Co-authored-by of a commit of the pull request');
    expect(out.stdout).toContain('⏳ pending');
  });

  it('exits 2 naming the file for a malformed directory file', () => {
    const r = prRepo();
    const args = ['check', '--repo', r.dir, '--base', 'main', '--head', 'pr', '--pr', event(r), '--reviews', file('r.json', []), '--directory', file('d.json', { permissions: { sam: 'root' } })];
    const out = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('d.json: permissions.sam must be one of');
  });

  it('a break-glass comment from a listed user passes with an override', () => {
    const r = prRepo('version: 1\nreview:\n  breakGlass:\n    users: ["ops"]\n');
    const comments = file('comments.json', [{ id: 1, user: { login: 'ops' }, body: '/gitops-gate break-glass outage INC-9', created_at: '2026-11-20T11:00:00Z' }]);
    const { code, report } = check(r, [], PERMS, ['--comments', comments, '--pushed-at', '2026-11-20T10:00:00Z']);
    expect(code).toBe(0);
    expect(report.override).toEqual({ by: 'ops', reason: 'outage INC-9', via: 'comment', at: '2026-11-20T11:00:00Z' });
    // Without the time of the head's push, the comment cannot be tied to this head: not honoured.
    const unknown = check(r, [], PERMS, ['--comments', comments]);
    expect(unknown.code).toBe(1);
    expect(unknown.report.notes.join('\n')).toContain('the time the head commit');
  });

  it('takes the pusher from the event\'s sender or --pusher, and fails closed without one', () => {
    const r = prRepo();
    const approvals = [review('sam', 'APPROVED', r.headSha)];
    const run = (ev: string, extra: string[] = []) => {
      const args = ['check', '--repo', r.dir, '--base', 'main', '--head', 'pr', '--pr', ev, '--reviews', file('r.json', approvals), '--directory', file('d.json', PERMS), '--format', 'json', ...extra];
      return JSON.parse(spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' }).stdout);
    };
    const approvalOf = (report: { details: { review: { approvals: { reviewer: string; reasons: { code: string }[] }[] } } }) => report.details.review.approvals[0]!.reasons.map((x) => x.code);
    expect(approvalOf(run(event(r, 'sam')))).toEqual(['last-pusher']);
    expect(approvalOf(run(event(r, null)))).toEqual(['pusher-unknown']);
    expect(approvalOf(run(event(r, null), ['--pusher', 'sam']))).toEqual(['last-pusher']);
  });
});
