/**
 * End-to-end tests of GitHub's listing caps: `pulls/list-files` lists at most 3,000 files and
 * `pulls/list-commits` at most 250 commits of a pull request (the fake enforces both, as GitHub documents
 * them). The gate must judge the whole change anyway: files past the cap come from the clone (`git diff`
 * of the merge base and the head), commits past the cap from GitHub's paged compare API checked against
 * the clone (`git log`); when the whole change cannot be had, it fails closed and says why.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_PULL_COMMITS, MAX_PULL_FILES, type FakeGitHub } from './fake-github.js';
import { e2eSuite, runAction, type RunResult, type Scenario, type ScenarioOptions } from './harness.js';
import { APPROVED, deployment } from './fixtures.js';

const suite = e2eSuite();
let fake: FakeGitHub;
beforeEach(() => {
  fake = suite.fake;
});

const BROKEN = 'apps/zz-broken/deploy.yaml';
/** A run over 3,000 files takes a while on a busy machine. */
const SLOW = 300_000;

/**
 * A PR of `n` notes that are not manifests (sorted first, so GitHub's listing holds only them), then one
 * manifest that is not valid YAML: file `n + 1`, past GitHub's cap when `n` is 3,000.
 */
function manyFiles(n: number): ScenarioOptions {
  const head: Record<string, string> = {};
  for (let i = 0; i < n; i++) head[`about/note-${String(i).padStart(4, '0')}.md`] = `Note ${i}\n`;
  head[BROKEN] = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: [broken\n';
  return { base: { 'README.md': 'GitOps\n' }, head, ...APPROVED };
}

/** A PR of 1 + `extra.length` commits (the first adds a valid manifest), approved by bob unless told. */
function manyCommits(extra: ScenarioOptions['commits'], over: Partial<ScenarioOptions> = {}): ScenarioOptions {
  return { base: { 'apps/api/deploy.yaml': deployment('api', '"1"') }, head: { 'apps/api/deploy.yaml': deployment('api', '"2"') }, commits: extra, ...APPROVED, ...over };
}

const run = (s: Scenario): Promise<RunResult> => runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload(), inputs: { comment: 'never' } });

/** The failure message of a run that failed closed (exit 1, verdict fail, no audit record). */
function failedClosed(r: RunResult): string {
  expect(r.code).toBe(1);
  expect(r.outputs.verdict).toBe('fail');
  expect(r.summary).toContain('The gate could not evaluate this change, so it fails closed');
  expect(r.record).toBeUndefined();
  return /^::error::gitops-gate: (.*)$/m.exec(r.stdout)?.[1] ?? '';
}

describe('more than 3,000 changed files', () => {
  it('judges the files past the cap from the clone: a broken manifest at file 3,001 fails the PR', { timeout: SLOW }, async () => {
    const s = await suite.make(manyFiles(MAX_PULL_FILES));
    const r = await run(s);
    expect(r.outputs.verdict).toBe('fail');
    // GitHub listed 3,000 files in 30 pages; the PR says 3,001.
    expect(fake.calls('pulls/list-files')).toHaveLength(MAX_PULL_FILES / 100);
    expect(r.record?.caps.filesTruncated).toBe(true);
    expect(r.record?.files).toHaveLength(MAX_PULL_FILES + 1);
    expect(r.record?.findings.some((f) => f.file === BROKEN && f.severity === 'error')).toBe(true);
    expect(r.code).toBe(1);
    expect(r.summary).toContain('the 3001 changed files were read from the clone');
    expect(r.record?.notEvaluated.filter((n) => /3,000/.test(n.subject))).toEqual([]);
  });

  it('fails closed when the clone cannot give the files past the cap either (base commit not fetched)', { timeout: SLOW }, async () => {
    const s = await suite.make({ ...manyFiles(MAX_PULL_FILES), shallow: true });
    const r = await run(s);
    expect(failedClosed(r)).toMatch(/^GitHub lists at most 3,000 files of a pull request and this one changes 3001, .*fetch-depth: 0/);
  });
});

describe('more than 250 commits', () => {
  it('excludes the author of commit 251 (the head) and a co-author of a later commit from approving', async () => {
    const extra = Array.from({ length: 260 }, (): NonNullable<ScenarioOptions['commits']>[number] => ({}));
    // Commit 251: bob, with an e-mail only GitHub can map to his account. Commit 261 (the head): kim's co-author trailer.
    extra[249] = { name: 'Bob', email: 'bob@corp.example', login: 'bob' };
    extra[259] = { message: 'last\n\nCo-authored-by: Kim <7+kim@users.noreply.github.com>' };
    const s = await suite.make(manyCommits(extra, { reviews: [['bob', 'APPROVED'], ['kim', 'APPROVED']], permissions: { bob: 'write', kim: 'write' } }));
    const r = await run(s);
    expect(r.outputs.verdict).toBe('fail');
    expect(fake.calls('pulls/list-commits')).toHaveLength(3);
    // The commits past 250: compare pages 3 (201-300) of 261, oldest first.
    expect(fake.calls('repos/compare-commits-with-basehead').map((q) => [q.query.page, q.status])).toEqual([['3', 200]]);
    expect(r.record?.commits).toHaveLength(261);
    expect(r.record?.caps.commitsTruncated).toBe(true);
    const approvals = (r.record?.details as { review: { approvals: { reviewer: string; counted: boolean; reasons: { code: string }[] }[] } }).review.approvals;
    expect(approvals.map((a) => [a.reviewer, a.reasons.map((x) => x.code)])).toEqual([
      ['bob', ['committer']],
      ['kim', ['co-author']],
    ]);
    expect(r.summary).toContain('the 261 commits were read from GitHub (compare) and checked against the clone');
  });

  it('takes the commits from GitHub alone when the clone lacks them, and still finds the author of commit 260', async () => {
    const extra = Array.from({ length: 259 }, () => ({}));
    extra[258] = { name: 'Bob', email: 'bob@corp.example', login: 'bob' };
    const s = await suite.make({ ...manyCommits(extra), shallow: true });
    const r = await run(s);
    expect(r.outputs.verdict).toBe('fail');
    expect(r.record?.commits).toHaveLength(260);
    expect(r.summary).toContain('the 260 commits were read from GitHub (compare); the clone could not check them');
  });

  it('fails closed when GitHub cannot list the commits past the cap', async () => {
    const s = await suite.make(manyCommits(Array.from({ length: MAX_PULL_COMMITS }, () => ({}))));
    fake.fault('repos/compare-commits-with-basehead', { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } });
    const r = await run(s);
    expect(failedClosed(r)).toMatch(/^GitHub answered 404 \(Not Found\) while listing the commits past the 250th of pull request #1/);
  });

  it('fails closed when GitHub and the clone disagree on the commits', async () => {
    const s = await suite.make(manyCommits(Array.from({ length: MAX_PULL_COMMITS }, () => ({}))));
    // GitHub lists commit 251 with another SHA than the clone holds.
    const pull = fake.pulls.get(1)!;
    pull.commits[250] = { ...pull.commits[250], sha: 'f'.repeat(40) };
    const r = await run(s);
    expect(failedClosed(r)).toMatch(/^GitHub and the clone disagree on the commits of pull request #1: .*ffffffffffff/);
  });
});
