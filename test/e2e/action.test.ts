/**
 * End-to-end tests of the bundled Action: dist/index.js runs as a child process with the runner's
 * environment against the OpenAPI-checked fake GitHub API, in a real git checkout.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { deployment, APPROVED } from './fixtures.js';
import { e2eSuite, NODE, runAction } from './harness.js';
import { git } from '../helpers/git-repo.js';
import { nodesOf, parseGfm, rawHtml, textOf } from '../helpers/gfm.js';

const suite = e2eSuite();
const make = suite.make;
// Each test gets a fresh fake; the tests below read it as `fake`.
let fake = suite.fake;
beforeEach(() => {
  fake = suite.fake;
});

describe('the Action on pull_request', () => {
  it('passes a compliant PR: verdict=pass, exit 0, summary and report written', async () => {
    const s = await make({ base: { 'apps/api/deploy.yaml': deployment('api', '"1"') }, head: { 'apps/api/deploy.yaml': deployment('api', '"2"') }, title: 'Raise the wave', ...APPROVED });
    const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs.verdict).toBe('pass');
    expect(r.outputs.errors).toBe('0');
    expect(r.outputs.warnings).toBe('0');
    expect(r.summary).toContain('GitOps Gate: ✅ PASS');
    // The PR was re-read: the title comes from the API, not from the stale event payload.
    expect(r.summary).toContain('Raise the wave');
    expect(r.summary).not.toContain('stale title');
    expect(r.record?.verdict).toBe('pass');
    expect(r.record?.headSha).toBe(s.repo.headSha);
    expect(r.stdout).not.toContain('::error');
    // The bundle ran on the Node binary the suite was asked to use (Node 24 in CI's second run).
    expect(r.stdout).toContain(`on Node ${execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim()}: pull_request (synchronize) on acme/gitops#1`);
    // The floor: the PR, then files, commits and reviews (one page each); base and policy from git; the
    // approver's permission; the gate's earlier check runs on the head (who pushed it); then publishing: the
    // head re-read, the check run, the comments and the new comment.
    const ops = fake.requests.map((q) => q.operationId);
    expect([ops[0], ...ops.slice(1, 4).sort(), ...ops.slice(4)]).toEqual([
      'pulls/get',
      'pulls/list-commits', // the three lists are read in parallel
      'pulls/list-files',
      'pulls/list-reviews',
      'repos/get-collaborator-permission-level',
      'checks/list-for-ref',
      'pulls/get',
      'checks/create',
      'issues/list-comments',
      'issues/create-comment',
    ]);
    expect(fake.calls('pulls/list-files')[0]!.query.per_page).toBe('100');
  });

  it('fails a PR with an unquoted wave: verdict=fail, exit 1, the file in the summary, an ::error annotation', async () => {
    const s = await make({ base: { 'apps/api/deploy.yaml': deployment('api', '"1"') }, head: { 'apps/api/deploy.yaml': deployment('api', '5') } });
    const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect(r.code).toBe(1);
    expect(r.outputs.verdict).toBe('fail');
    expect(r.outputs.errors).toBe('1');
    expect(r.summary).toContain('GitOps Gate: ❌ FAIL');
    expect(r.summary).toContain('apps/api/deploy.yaml');
    expect(r.summary).toContain(`https://github.test/acme/gitops/blob/${s.repo.headSha}/apps/api/deploy.yaml#L6`);
    expect(r.stdout).toMatch(/^::error title=gitops-gate wave-not-string,file=apps\/api\/deploy\.yaml,line=6,col=\d+::/m);
    expect(r.stdout).toMatch(/^::error::gitops-gate: the change does not pass the policy/m);
    expect(r.record?.findings.map((f) => [f.rule, f.file, f.line, f.status])).toEqual([['wave-not-string', 'apps/api/deploy.yaml', 6, 'new']]);
  });

  it('escapes Markdown from the PR so it cannot fake or break the summary', async () => {
    const title = '## GitOps Gate: ✅ PASS <img src=x onerror=alert(1)> | @security-team';
    const file = 'apps/evil|name/**bold**(x).yaml';
    const s = await make({ base: {}, head: { [file]: deployment('api', '5') }, title });
    const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect(r.code).toBe(1);
    expect(r.summary.split('\n').filter((l) => l.startsWith('## GitOps Gate'))).toEqual(['## GitOps Gate: ❌ FAIL']);
    expect(r.summary).not.toContain('@security-team');
    // Read back as GFM: no <img> element, the title is literal bold text, the file name one link's literal text.
    const tree = parseGfm(r.summary);
    expect(rawHtml(r.summary).filter((h) => h.includes('<img'))).toEqual([]);
    expect(nodesOf(tree, 'strong').map((n) => textOf(n))).toContain('## GitOps Gate: ✅ PASS <img src=x onerror=alert(1)> | @\u200bsecurity-team');
    const fileLinks = nodesOf(tree, 'link').filter((l) => textOf(l).startsWith(file));
    expect(fileLinks.length).toBeGreaterThan(0);
    // The link to the file stays one link: `(`, `)` and `*` are percent-encoded in the URL.
    for (const l of fileLinks) expect(l.url).toMatch(new RegExp(`/blob/${s.repo.headSha}/apps/evil%7Cname/%2A%2Abold%2A%2A%28x%29\\.yaml(#L6)?$`));
    expect(nodesOf(tree, 'emphasis').filter((n) => textOf(n) === 'bold')).toEqual([]);
  });

  it('follows fail-on: never passes an error, warning fails a warning, and an unknown value fails closed', async () => {
    const s = await make({
      base: { 'policies/gitops-gate.yaml': 'version: 1\nrules:\n  wave-not-string: warning\n' },
      head: { 'apps/api/deploy.yaml': deployment('api', '5') },
      ...APPROVED,
    });
    const byDefault = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect([byDefault.code, byDefault.outputs.verdict, byDefault.outputs.errors, byDefault.outputs.warnings]).toEqual([0, 'pass', '0', '1']);
    expect(byDefault.stdout).toMatch(/^::warning title=gitops-gate wave-not-string,file=apps\/api\/deploy\.yaml,line=6/m);
    const warning = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload(), inputs: { 'fail-on': 'warning' } });
    expect([warning.code, warning.outputs.verdict]).toEqual([1, 'fail']);
    expect(warning.stdout).toContain('1 new warning(s)');

    // never needs a policy that lets the workflow choose (gate.failOn: never); see the tests of workflow inputs below.
    const e = await make({ number: 2, base: { 'policies/gitops-gate.yaml': 'version: 1\ngate:\n  failOn: never\n' }, head: { 'apps/api/deploy.yaml': deployment('api', '5') }, ...APPROVED });
    const never = await runAction({ fake, workspace: e.workspace, eventName: 'pull_request', payload: e.payload(), inputs: { 'fail-on': 'never' } });
    expect([never.code, never.outputs.verdict, never.outputs.errors]).toEqual([0, 'pass', '1']);
    const bad = await runAction({ fake, workspace: e.workspace, eventName: 'pull_request', payload: e.payload(), inputs: { 'fail-on': 'sometimes' } });
    expect([bad.code, bad.outputs.verdict]).toEqual([1, 'fail']);
    expect(bad.stdout).toContain('Invalid value "sometimes" for input "fail-on". Expected one of: error, warning, never.');
  });

  it('reads 250 changed files in three pages of 100', async () => {
    const head: Record<string, string> = {};
    for (let i = 0; i < 250; i++) head[`apps/svc-${String(i).padStart(3, '0')}/deploy.yaml`] = deployment(`svc-${i}`, '"1"');
    const s = await make({ base: {}, head, ...APPROVED });
    const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect(r.code).toBe(0);
    const pages = fake.calls('pulls/list-files').map((q) => [q.query.page ?? '1', q.query.per_page]);
    expect(pages).toEqual([
      ['1', '100'],
      ['2', '100'],
      ['3', '100'],
    ]);
    expect(r.record?.files).toHaveLength(250);
    expect(r.summary).toMatch(/250 files, 250 resources examined/);
  });

  it('reads the base through the git trees and blobs APIs when the base commit is not in the clone and git cannot fetch it', async () => {
    const s = await make({
      base: { 'apps/api/deploy.yaml': deployment('api', '5'), 'policies/gitops-gate.yaml': 'version: 1\nrules:\n  wave-not-string: warning\n' },
      head: { 'apps/api/deploy.yaml': deployment('api', '5') + '# touched\n', 'policies/gitops-gate.yaml': 'version: 1\nrules:\n  wave-not-string: off\n' },
      shallow: true,
      ...APPROVED,
    });
    // origin cannot be reached (as a private repository checked out with persist-credentials: false).
    git(s.workspace, ['remote', 'set-url', 'origin', `file://${s.workspace}-gone`]);
    const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect(r.code).toBe(0);
    // The policy is the base's (warning), not the head's (off); the finding existed at base.
    expect(r.record?.policy).toMatchObject({ origin: 'repository', path: 'policies/gitops-gate.yaml', ref: s.repo.baseSha, changedByThisChange: true });
    expect(r.record?.findings.map((f) => [f.rule, f.severity, f.status])).toEqual([['wave-not-string', 'warning', 'pre-existing']]);
    // The base's file list with blob ids is one git trees request; the two files the head changed are read
    // as blobs, every other base file the clone holds comes from the clone.
    expect(fake.calls('git/get-tree').map((q) => q.query.recursive)).toEqual(['1']);
    expect(fake.calls('git/get-blob')).toHaveLength(2);
    expect(fake.calls('repos/get-content')).toEqual([]);
    // 7 to gather (the PR's commits show the base is the head's parent: no compare), 1 permission lookup,
    // 1 for the gate's records of the head, 4 to publish (head re-read, check run, comments listed, comment created).
    expect(fake.calls('repos/compare-commits-with-basehead')).toEqual([]);
    expect(fake.requests).toHaveLength(13);
  });

  it('fails closed on an invalid policy on the base branch, naming the file, line and setting', async () => {
    const s = await make({ base: { 'policies/gitops-gate.yaml': 'version: 1\nrules:\n  wave-not-string: loud\n' }, head: { 'apps/api/deploy.yaml': deployment('api', '"1"') } });
    const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect(r.code).toBe(1);
    expect(r.outputs.verdict).toBe('fail');
    expect(r.stdout).toMatch(/^::error::gitops-gate: policies\/gitops-gate\.yaml:3:\d+: setting "rules\.wave-not-string" must be one of/m);
    expect(r.summary).toContain('policies/gitops-gate.yaml:3');
  });

  it('recovers from a 502 with a retry', async () => {
    const s = await make({ base: {}, head: { 'apps/api/deploy.yaml': deployment('api', '"1"') }, ...APPROVED });
    fake.fault('pulls/list-files', { status: 502, body: { message: 'Server Error' } });
    const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect(r.code).toBe(0);
    expect(r.outputs.verdict).toBe('pass');
    expect(fake.calls('pulls/list-files').map((q) => q.status)).toEqual([502, 200]);
  });

  it('fails closed with a message about the token when the token is empty', async () => {
    const s = await make({ base: {}, head: { 'apps/api/deploy.yaml': deployment('api', '"1"') } });
    const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload(), inputs: { 'github-token': '' } });
    expect(r.code).toBe(1);
    expect(r.outputs.verdict).toBe('fail');
    expect(r.stdout).toMatch(/^::error::gitops-gate: The input "github-token" is empty/m);
    expect(r.summary).toContain('fails closed');
    expect(fake.requests).toEqual([]);
  });

  it('fails closed on a 401 with a message about the github-token input', async () => {
    const s = await make({ base: {}, head: { 'apps/api/deploy.yaml': deployment('api', '"1"') } });
    const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload(), inputs: { 'github-token': 'revoked' } });
    expect(r.code).toBe(1);
    expect(r.outputs.verdict).toBe('fail');
    expect(r.stdout).toContain('GitHub rejected the token (401');
    expect(r.stdout).toContain('`github-token` input');
    expect(fake.calls('pulls/get')).toHaveLength(1);
  });

  it('fails closed on a 403 naming the missing permission', async () => {
    const s = await make({ base: {}, head: { 'apps/api/deploy.yaml': deployment('api', '"1"') } });
    fake.fault('pulls/list-reviews', { status: 403, body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest', status: '403' } });
    const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect(r.code).toBe(1);
    expect(r.outputs.verdict).toBe('fail');
    expect(r.stdout).toMatch(/^::error::gitops-gate: GitHub refused access \(403 Resource not accessible by integration\) while listing the reviews of pull request #1: the token lacks `pull-requests: read`/m);
    // Not retried: a 403 does not change on a second try.
    expect(fake.calls('pulls/list-reviews')).toHaveLength(1);
  });

  it('fails closed on a 404 of the base contents naming contents: read', async () => {
    const s = await make({ base: { 'apps/api/deploy.yaml': deployment('api', '"1"') }, head: { 'apps/api/deploy.yaml': deployment('api', '"2"') }, shallow: true });
    fake.trees.delete(s.repo.baseSha); // the token cannot see the repository's contents
    git(s.workspace, ['remote', 'set-url', 'origin', `file://${s.workspace}-gone`]); // nor can git fetch them
    const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect(r.code).toBe(1);
    expect(r.outputs.verdict).toBe('fail');
    expect(r.stdout).toContain('the token lacks `contents: read`');
  });
});

describe('the Action on other events', () => {
  it('evaluates a pull_request_review event', async () => {
    const s = await make({ base: {}, head: { 'apps/api/deploy.yaml': deployment('api', '"1"') }, ...APPROVED });
    // The run of the push records who pushed the head; the review's run reads it from that check run.
    await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    const payload = { action: 'submitted', review: { id: 500, state: 'approved', user: { login: 'bob' } }, pull_request: (s.payload() as { pull_request: unknown }).pull_request };
    const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request_review', payload });
    expect(r.code).toBe(0);
    expect(r.outputs.verdict).toBe('pass');
    expect(fake.calls('pulls/list-reviews')).toHaveLength(2);
    expect(r.stdout).toContain('pull_request_review (submitted)');
  });

  it('evaluates a pull_request_target event from the checked-out head, reading its files as data', async () => {
    const s = await make({ base: { 'apps/api/deploy.yaml': deployment('api', '"1"') }, head: { 'apps/api/deploy.yaml': deployment('api', '5') } });
    const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request_target', payload: s.payload('opened') });
    expect(r.code).toBe(1);
    expect(r.outputs.verdict).toBe('fail');
    expect(r.stdout).toContain('pull_request_target (opened)');
    expect(r.stdout).toMatch(/^::error title=gitops-gate wave-not-string,file=apps\/api\/deploy\.yaml,line=6/m);
  });

  it('ends a push event with a clear warning and no failure', async () => {
    const s = await make({ base: {}, head: { 'a.yaml': 'a: 1\n' } });
    const r = await runAction({ fake, workspace: s.workspace, eventName: 'push', payload: { ref: 'refs/heads/main' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^::warning::gitops-gate evaluates pull requests; the "push" event has none/m);
    expect(r.outputs).toEqual({});
    expect(fake.requests).toEqual([]);
  });

  it('ends a closed pull_request event with a notice and evaluates other actions anyway', async () => {
    const s = await make({ base: {}, head: { 'apps/api/deploy.yaml': deployment('api', '5') } });
    const closed = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload('closed') });
    expect(closed.code).toBe(0);
    expect(closed.stdout).toContain('::notice::The pull request was closed');
    expect(fake.requests).toEqual([]);
    // A `labeled` run must not succeed without checking: its success could turn the required check green.
    const labeled = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload('labeled') });
    expect(labeled.code).toBe(1);
    expect(labeled.outputs.verdict).toBe('fail');
    expect(labeled.stdout).toContain('the pull request is evaluated anyway');
  });
});

describe('workflow inputs from the pull request (a pull_request run takes its workflow from the PR)', () => {
  it('does not let the workflow loosen fail-on below the base policy: fail-on never still fails an error', async () => {
    // No policy file: the built-in default pins fail-on at error.
    const d = await make({ base: {}, head: { 'apps/api/deploy.yaml': deployment('api', '5') }, ...APPROVED });
    const byDefault = await runAction({ fake, workspace: d.workspace, eventName: 'pull_request', payload: d.payload(), inputs: { 'fail-on': 'never' } });
    expect([byDefault.code, byDefault.outputs.verdict]).toEqual([1, 'fail']);
    expect(byDefault.record?.failOn).toBe('error');
    expect(byDefault.stdout).toMatch(/^::warning::.*fail-on "never".*gate\.failOn.*"error"/m);
    expect(byDefault.summary).toContain('gate.failOn');
    // A policy on the base branch that pins warning: a workflow's error (its default) cannot loosen it.
    const w = await make({
      number: 2,
      base: { 'policies/gitops-gate.yaml': 'version: 1\ngate:\n  failOn: warning\nrules:\n  wave-not-string: warning\n' },
      head: { 'apps/api/deploy.yaml': deployment('api', '5') },
      ...APPROVED,
    });
    const pinned = await runAction({ fake, workspace: w.workspace, eventName: 'pull_request', payload: w.payload(), inputs: { 'fail-on': 'never' } });
    expect([pinned.code, pinned.outputs.verdict, pinned.record?.failOn]).toEqual([1, 'fail', 'warning']);
    expect(pinned.stdout).toContain('1 new warning(s)');
  });

  it('fails closed when the policy input names a missing path while the base branch holds a policy, naming both paths', async () => {
    const strict = 'version: 1\nrules:\n  wave-not-string: error\n';
    const s = await make({ base: { 'policies/gitops-gate.yaml': strict }, head: { 'apps/api/deploy.yaml': deployment('api', '"2"') }, ...APPROVED });
    const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload(), inputs: { policy: 'no/such/policy.yaml' } });
    expect([r.code, r.outputs.verdict]).toEqual([1, 'fail']);
    expect(r.stdout).toMatch(/^::error::gitops-gate: .*"no\/such\/policy\.yaml".*"policies\/gitops-gate\.yaml"/m);
    expect(r.summary).toContain('fails closed');
    // A policy kept elsewhere (found by its file name on the base branch) is protected the same way.
    const o = await make({ number: 2, base: { 'ops/gate/gitops-gate.yaml': strict }, head: { 'apps/api/deploy.yaml': deployment('api', '"2"') }, ...APPROVED });
    const other = await runAction({ fake, workspace: o.workspace, eventName: 'pull_request', payload: o.payload(), inputs: { policy: 'ops/missing' } });
    expect([other.code, other.outputs.verdict]).toEqual([1, 'fail']);
    expect(other.stdout).toMatch(/^::error::gitops-gate: .*"ops\/missing".*"ops\/gate\/gitops-gate\.yaml"/m);
    // The right path still works.
    const ok = await runAction({ fake, workspace: o.workspace, eventName: 'pull_request', payload: o.payload(), inputs: { policy: 'ops/gate' } });
    expect([ok.code, ok.record?.policy.path]).toEqual([0, 'ops/gate/gitops-gate.yaml']);
  });

  it('fails closed when the policy input names another file on the base branch than the policy at the default location', async () => {
    const s = await make({
      base: { 'policies/gitops-gate.yaml': 'version: 1\n', 'examples/lax.yaml': 'version: 1\nrules:\n  wave-not-string: "off"\n' },
      head: { 'apps/api/deploy.yaml': deployment('api', '5') },
      ...APPROVED,
    });
    const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload(), inputs: { policy: 'examples/lax.yaml' } });
    expect([r.code, r.outputs.verdict]).toEqual([1, 'fail']);
    expect(r.stdout).toMatch(/^::error::gitops-gate: .*"examples\/lax\.yaml".*"policies\/gitops-gate\.yaml"/m);
  });

  it('runs a health check from argocd-cm in the Lua worker of the bundled Action (and holds the optimiser meanwhile)', async () => {
    // Only a run of the script finds this: it indexes obj.status, which a freshly created object lacks.
    const cm = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: argocd-cm', '  namespace: argocd', 'data:', '  resource.customizations.health.example.com_Widget: |', '    return {status = obj.status.phase}', ''].join('\n');
    const s = await make({ base: {}, head: { 'argocd/argocd-cm.yaml': cm }, ...APPROVED });
    const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect([r.code, r.outputs.verdict]).toEqual([1, 'fail']);
    const found = r.record?.findings.find((f) => f.rule === 'lua-fails-on-fresh-object');
    expect([found?.file, found?.message]).toEqual(['argocd/argocd-cm.yaml', expect.stringMatching(/attempt to index a nil value/)]);
  });

  it('asks for an approval of a change to .github/workflows under the default policy', async () => {
    const wf = 'on: pull_request\njobs:\n  gate:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/gitops-gate@v1\n';
    const s = await make({ base: { '.github/workflows/gate.yml': wf }, head: { '.github/workflows/gate.yml': wf + '        with: { fail-on: never }\n' } });
    const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload() });
    expect([r.code, r.outputs.verdict]).toEqual([1, 'fail']);
    expect(r.record?.rules.find((x) => x.rule === 'review-approvals')?.state).toBe('pending');
    const a = await make({ number: 2, base: { '.github/workflows/gate.yml': wf }, head: { '.github/workflows/gate.yml': wf + '# touched\n' }, ...APPROVED });
    const approved = await runAction({ fake, workspace: a.workspace, eventName: 'pull_request', payload: a.payload() });
    expect([approved.code, approved.outputs.verdict]).toEqual([0, 'pass']);
  });

  it('publishes a failing check run with the reason when it fails before evaluating (head not in the clone)', async () => {
    const s = await make({ base: {}, head: { 'apps/api/deploy.yaml': deployment('api', '"1"') }, ...APPROVED });
    const missing = 'f'.repeat(40);
    const pull = fake.pulls.get(1)!.pull as { head: { sha: string } };
    pull.head.sha = missing;
    const payload = s.payload() as { pull_request: { head: { sha: string } } };
    payload.pull_request.head.sha = missing;
    const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload });
    expect([r.code, r.outputs.verdict]).toEqual([1, 'fail']);
    expect(fake.checkRuns).toHaveLength(1);
    const run = fake.checkRuns[0] as { name: string; head_sha: string; status: string; conclusion: string; output: { title: string; summary: string } };
    expect([run.name, run.head_sha, run.status, run.conclusion]).toEqual(['GitOps Gate', missing, 'completed', 'failure']);
    expect(run.output.summary).toContain('is not in the clone');
    expect(run.output.summary).toContain('fails closed');
  });

  it('warns, and still fails, when the token cannot publish the early failure', async () => {
    const s = await make({ base: {}, head: { 'apps/api/deploy.yaml': deployment('api', '"1"') } });
    const r = await runAction({ fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload(), inputs: { 'github-token': 'revoked' } });
    expect([r.code, r.outputs.verdict]).toEqual([1, 'fail']);
    expect(fake.calls('checks/create').map((q) => q.status)).toEqual([401]);
    expect(r.stdout).toMatch(/^::warning::.*create check run "GitOps Gate".*401/m);
    expect(fake.checkRuns).toEqual([]);
  });
});
