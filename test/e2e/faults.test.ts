/**
 * End-to-end tests of the bundled Action against GitHub failures: server errors, connection resets,
 * cut-off bodies, slow answers, primary and secondary rate limits, pages that fail mid-pagination and
 * 404s of a token without access. Transient faults must be retried within a bounded time and lead to
 * the same report as a run without faults; what cannot be recovered must fail closed (verdict=fail,
 * exit 1) with the cause named in the log and the job summary, and never publish a verdict over less
 * than the whole change. docs/faults.md describes the behaviour these tests pin down.
 *
 * Elapsed-time assertions are generous bounds (the Action must not wait out a long rate limit or retry
 * forever), not speed goals: the retry backoff unit is 5 ms here (GITOPS_GATE_RETRY_DELAY_MS).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { primaryRateLimit, secondaryRateLimit, type FakeGitHub, type Fault } from './fake-github.js';
import { e2eSuite, runAction, type RunResult, type Scenario } from './harness.js';
import { deployment } from './fixtures.js';

/** Generous upper bound of a run with faults: retries are bounded, long waits are refused. */
const BOUND_MS = 20_000;

const suite = e2eSuite();
let fake: FakeGitHub;
beforeEach(() => {
  fake = suite.fake;
});

/**
 * A PR of `files` manifests that passes review (an approval on the head SHA by a user with write
 * permission), so a run without faults has nothing to fail on but what the policy finds.
 */
async function make(files = 3): Promise<Scenario> {
  const head: Record<string, string> = {};
  for (let i = 0; i < files; i++) head[`apps/svc-${String(i).padStart(3, '0')}/deploy.yaml`] = deployment(`svc-${i}`, '"1"');
  const s = await suite.make({ base: { 'README.md': 'GitOps\n' }, head, reviews: [['bob', 'APPROVED']] });
  fake.permissions.set('bob', { permission: 'write', role_name: 'write' });
  return s;
}

async function run(s: Scenario): Promise<RunResult & { ms: number }> {
  const t0 = performance.now();
  const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload(), inputs: { comment: 'never' } });
  return { ...r, ms: performance.now() - t0 };
}

/** What a report says about the change, without the run's time. */
function judgement(r: RunResult): unknown {
  const { verdict, headSha, files, commits, caps, findings, rules, notEvaluated, notes } = r.record!;
  return { verdict, headSha, files, commits, caps, findings, rules, notEvaluated, notes };
}

/** Runs once without faults (the control), then with `faults` queued; returns both runs. */
async function withAndWithout(s: Scenario, faults: [string, Fault][]): Promise<{ control: RunResult; faulted: RunResult & { ms: number } }> {
  const control = await run(s);
  expect(control.record).toBeDefined();
  fake.requests.length = 0;
  for (const [op, f] of faults) fake.fault(op, f);
  return { control, faulted: await run(s) };
}

/** The statuses the fake answered for one operation, in order (-1: reset, -2: body cut off). */
const statuses = (op: string) => fake.calls(op).map((q) => q.status);

/** A run that failed closed, with `cause` in the failure message and the job summary. */
function expectFailedClosed(r: RunResult & { ms: number }, cause: RegExp): void {
  expect(r.code).toBe(1);
  expect(r.outputs.verdict).toBe('fail');
  expect(r.stderr).toBe('');
  const failure = /^::error::gitops-gate: (.*)$/m.exec(r.stdout)?.[1] ?? '';
  expect(failure).toMatch(cause);
  expect(r.summary).toContain('The gate could not evaluate this change, so it fails closed');
  const quoted = /^> (.*)$/m.exec(r.summary)?.[1] ?? '';
  expect(quoted.replace(/\\(.)/g, '$1')).toMatch(cause);
  // Nothing claims an evaluation: no audit record, and nothing published on the PR says it passed.
  expect(r.record).toBeUndefined();
  expect(r.outputs['report-file']).toBeUndefined();
  expect(fake.checkRuns.filter((c) => c.conclusion === 'success' || c.conclusion === 'neutral')).toEqual([]);
  expect(fake.statuses.filter((x) => x.status.state === 'success')).toEqual([]);
  expect(fake.comments.filter((c) => String(c.body).includes('PASS'))).toEqual([]);
  expect(r.ms).toBeLessThan(BOUND_MS);
}

describe('transient GitHub failures are retried, and the run judges as if nothing happened', () => {
  it('retries 500, 502 and 503 answers with a bounded backoff', async () => {
    const s = await make();
    const { control, faulted } = await withAndWithout(s, [
      ['pulls/get', { status: 500 }],
      ['pulls/list-files', { status: 502, times: 2 }],
      ['pulls/list-reviews', { status: 503, body: { message: 'Service Unavailable' } }],
    ]);
    expect(faulted.code).toBe(control.code);
    expect(judgement(faulted)).toEqual(judgement(control));
    expect(statuses('pulls/get')).toEqual([500, 200, 200]); // the faulted read, its retry, and the re-read before publishing
    expect(statuses('pulls/list-files')).toEqual([502, 502, 200]);
    expect(statuses('pulls/list-reviews')).toEqual([503, 200]);
    expect(faulted.ms).toBeLessThan(BOUND_MS);
  });

  it('retries a connection reset and a body cut off halfway', async () => {
    const s = await make();
    const { control, faulted } = await withAndWithout(s, [
      ['pulls/get', { reset: true }],
      ['pulls/list-files', { truncate: true }],
      ['pulls/list-commits', { truncate: true }],
    ]);
    expect(judgement(faulted)).toEqual(judgement(control));
    expect(statuses('pulls/get')).toEqual([-1, 200, 200]); // the faulted read, its retry, and the re-read before publishing
    expect(statuses('pulls/list-files')).toEqual([-2, 200]);
    expect(statuses('pulls/list-commits')).toEqual([-2, 200]);
    expect(faulted.ms).toBeLessThan(BOUND_MS);
  });

  it('waits for a slow answer without asking twice', async () => {
    const s = await make();
    const { control, faulted } = await withAndWithout(s, [['pulls/list-files', { delayMs: 1500 }]]);
    expect(judgement(faulted)).toEqual(judgement(control));
    expect(statuses('pulls/list-files')).toEqual([200]);
    expect(faulted.ms).toBeGreaterThanOrEqual(1500);
    expect(faulted.ms).toBeLessThan(BOUND_MS);
  });

  it('waits out primary rate limits (403 and 429) that reset within a minute', async () => {
    const s = await make();
    const { control, faulted } = await withAndWithout(s, [
      ['pulls/get', primaryRateLimit(403, 2)],
      ['pulls/list-reviews', primaryRateLimit(429, 2, 2)],
    ]);
    expect(judgement(faulted)).toEqual(judgement(control));
    expect(statuses('pulls/get')).toEqual([403, 200, 200]); // the limited read, its retry, and the re-read before publishing
    expect(statuses('pulls/list-reviews')).toEqual([429, 200]);
    expect(faulted.stdout).toMatch(/GitHub rate limit on GET \/repos\/acme\/gitops\/pulls\/1: retrying in \d s/);
    expect(faulted.ms).toBeLessThan(BOUND_MS);
  });

  it('waits out a secondary rate limit with a short retry-after', async () => {
    const s = await make();
    const { control, faulted } = await withAndWithout(s, [['pulls/list-commits', secondaryRateLimit(3)]]);
    expect(judgement(faulted)).toEqual(judgement(control));
    expect(statuses('pulls/list-commits')).toEqual([403, 200]);
    expect(faulted.stdout).toContain('GitHub secondary rate limit on GET /repos/acme/gitops/pulls/1/commits?per_page=100: retrying in 3 s');
  });

  it('retries a failed page of a long list without reading the other pages again', async () => {
    const s = await make(250);
    const { control, faulted } = await withAndWithout(s, [['pulls/list-files', { page: 2, status: 502 }]]);
    expect(judgement(faulted)).toEqual(judgement(control));
    expect(faulted.record!.files).toHaveLength(250);
    expect(fake.calls('pulls/list-files').map((q) => [q.query.page ?? '1', q.status])).toEqual([
      ['1', 200],
      ['2', 502],
      ['2', 200],
      ['3', 200],
    ]);
  });
});

describe('GitHub failures that do not go away fail closed, naming the cause', () => {
  it('gives up on a server error after three retries', async () => {
    const s = await make();
    fake.fault('pulls/list-files', { status: 502, body: { message: 'Server Error' }, times: 10 });
    const r = await run(s);
    expectFailedClosed(r, /^GitHub API error 502 \(Server Error\) while listing the files of pull request #1, after 3 retries\./);
    expect(statuses('pulls/list-files')).toEqual([502, 502, 502, 502]);
  });

  it('gives up on a connection that keeps resetting, saying GitHub could not be reached', async () => {
    const s = await make();
    fake.fault('pulls/get', { reset: true, times: 10 });
    const r = await run(s);
    expectFailedClosed(r, /^Cannot reach the GitHub API while reading pull request #1 \(after 3 retries\): /);
    expect(statuses('pulls/get')).toEqual([-1, -1, -1, -1]);
  });

  it('does not wait for a primary rate limit that resets in an hour (403 and 429)', async () => {
    for (const status of [403, 429] as const) {
      const s = await make();
      fake.requests.length = 0;
      fake.fault('pulls/get', primaryRateLimit(status, 3600, status === 429 ? 3600 : undefined));
      const r = await run(s);
      expectFailedClosed(r, new RegExp(`^GitHub's API rate limit for this token is used up \\(${status} API rate limit exceeded for installation ID 4242\\.\\) while reading pull request #1; it resets at \\d\\d:\\d\\d:\\d\\d UTC\\. The gate waits at most 60 s: re-run the job after the reset`));
      expect(r.stdout).not.toContain('lacks');
      expect(statuses('pulls/get')).toEqual([status]);
    }
  });

  it('stops after two waits for a rate limit that keeps coming back', async () => {
    const s = await make();
    fake.fault('pulls/list-reviews', { ...primaryRateLimit(403, 1), times: 10 });
    const r = await run(s);
    expectFailedClosed(r, /^GitHub's API rate limit for this token is used up \(403 .*\) while listing the reviews of pull request #1/);
    expect(statuses('pulls/list-reviews')).toEqual([403, 403, 403]);
  });

  it('does not wait for a secondary rate limit with a long retry-after', async () => {
    const s = await make();
    fake.fault('pulls/list-files', secondaryRateLimit(600));
    const r = await run(s);
    expectFailedClosed(r, /^GitHub's secondary rate limit stopped the gate \(403 You have exceeded a secondary rate limit\..*\) while listing the files of pull request #1\. GitHub asked to wait 600 s\. The gate waits at most 60 s: re-run the job later/);
    expect(r.stdout).toContain('GitHub secondary rate limit on GET /repos/acme/gitops/pulls/1/files?per_page=100: not retrying (asked to wait 600 s');
    expect(statuses('pulls/list-files')).toEqual([403]);
  });

  it.each([404, 422])('fails closed when page 2 of the files answers %i after page 1 was read', async (status) => {
    const s = await make(250);
    fake.fault('pulls/list-files', { page: 2, status, body: { message: status === 404 ? 'Not Found' : 'Validation Failed', documentation_url: 'https://docs.github.com/rest' } });
    const r = await run(s);
    expectFailedClosed(r, new RegExp(`^GitHub answered ${status} \\((Not Found|Validation Failed)\\) for page 2 while listing the files of pull request #1, after reading page 1: the list changed or went away while it was read`));
    expect(fake.calls('pulls/list-files').map((q) => [q.query.page ?? '1', q.status])).toEqual([
      ['1', 200],
      ['2', status],
    ]);
  });

  it('fails closed when a page the Link header promised comes back empty: no pass over a partial list', async () => {
    const s = await make(250);
    fake.fault('pulls/list-files', { page: 2, status: 200, body: [] });
    const r = await run(s);
    expectFailedClosed(r, /^GitHub listed 100 of the 250 files of pull request #1 \(its changed_files\): the list is incomplete/);
    expect(statuses('pulls/list-files')).toEqual([200, 200]);
  });

  it('names the permission when a token without access gets a 404', async () => {
    const s = await make();
    fake.fault('pulls/get', { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } });
    const r = await run(s);
    expectFailedClosed(r, /^GitHub answered 404 \(Not Found\) while reading pull request #1: the resource does not exist, or the token lacks `pull-requests: read`/);
    expect(statuses('pulls/get')).toEqual([404]);
    // Nothing else is read; the only other request is the failing check run on the head the event names.
    expect(fake.requests.map((q) => q.operationId)).toEqual(['pulls/get', 'checks/create']);
    expect(fake.checkRuns.map((c) => c.conclusion)).toEqual(['failure']);
  });
});
