import { describe, expect, it } from 'vitest';
import type { GitHubWriter } from '../../src/publish/client.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failureTarget } from '../../src/action/early-failure.js';
import { checkRunConclusion, findingAnnotation, publishCheckRun, publishFailureCheckRun } from '../../src/publish/check-run.js';
import { publishComment, renderComment, runUrl, STICKY_MARKER } from '../../src/publish/comment.js';
import { checkHead } from '../../src/publish/head-guard.js';
import { renderJobSummary } from '../../src/publish/job-summary.js';
import { publishToPullRequest } from '../../src/publish/publish.js';
import { finding, makeReport, manyFindings, rule } from '../helpers/report.js';
import { RecordingGitHub } from '../helpers/recording-github.js';
import { nodesOf, parseGfm, rawHtml, textOf } from '../helpers/gfm.js';

const HEAD = 'a'.repeat(40);
const repo = { owner: 'acme', repo: 'deploy' };
const CREATE_RUN = 'POST /repos/{owner}/{repo}/check-runs';
const UPDATE_RUN = 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}';
const CREATE_COMMENT = 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments';
const UPDATE_COMMENT = 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}';

describe('check run', () => {
  it('sends 120 findings as one create and two updates of at most 50 annotations, on the head SHA', async () => {
    const gh = new RecordingGitHub(HEAD);
    const report = makeReport({ findings: manyFindings(120) });
    const r = await publishCheckRun(gh, report, { ...repo, headSha: HEAD });
    expect(gh.calls(CREATE_RUN)).toHaveLength(1);
    expect(gh.calls(UPDATE_RUN)).toHaveLength(2);
    const sizes = [...gh.calls(CREATE_RUN), ...gh.calls(UPDATE_RUN)].map((p) => (p.output as { annotations: unknown[] }).annotations.length);
    expect(sizes).toEqual([50, 50, 20]);
    expect(gh.checkRuns).toHaveLength(1);
    const run = gh.checkRuns[0]!;
    expect(run).toMatchObject({ name: 'GitOps Gate', head_sha: HEAD, conclusion: 'failure' });
    expect(run.annotations).toHaveLength(120);
    expect(new Set(run.annotations.map((a) => `${a.path}:${a.start_line}`)).size).toBe(120);
    // Every update repeats title and summary (the fake rejects it otherwise).
    for (const p of gh.calls(UPDATE_RUN)) expect((p.output as { title: string }).title).toBe(run.output.title);
    expect(r.annotationsSent).toBe(120);
    expect(r.refused).toEqual([]);
    expect(r.checkRun?.url).toContain('/runs/');
  });

  it('sends new findings first and caps the annotations, saying so', async () => {
    const gh = new RecordingGitHub(HEAD);
    const findings = [...manyFindings(60, 'pre-existing'), ...manyFindings(10).map((f) => ({ ...f, file: `new/${f.file}` }))];
    const r = await publishCheckRun(gh, makeReport({ findings }), { ...repo, headSha: HEAD, maxAnnotations: 55 });
    const sent = gh.checkRuns[0]!.annotations;
    expect(sent).toHaveLength(55);
    expect(sent.slice(0, 10).every((a) => a.path.startsWith('new/') && a.annotation_level === 'failure')).toBe(true);
    expect(r.skipped).toEqual([expect.stringContaining('15 of 70 findings not sent')]);
  });

  it('uses the check-name input and creates without updates when there are no findings', async () => {
    const gh = new RecordingGitHub(HEAD);
    await publishCheckRun(gh, makeReport(), { ...repo, headSha: HEAD, name: 'Deploy gate' });
    expect(gh.calls(UPDATE_RUN)).toHaveLength(0);
    expect(gh.checkRuns[0]).toMatchObject({ name: 'Deploy gate', conclusion: 'success', annotations: [] });
  });

  it('concludes neutral for a pass by override, failure for fail, success for pass', () => {
    expect(checkRunConclusion(makeReport({ verdict: 'pass', override: { by: 'lead', reason: 'incident', via: 'label' } }))).toBe('neutral');
    expect(checkRunConclusion(makeReport({ verdict: 'fail' }))).toBe('failure');
    expect(checkRunConclusion(makeReport({ verdict: 'pass' }))).toBe('success');
  });

  it('maps severities to annotation levels; pre-existing findings are notices; long texts are cut', () => {
    expect(findingAnnotation(finding('a.yaml', 3)).annotation_level).toBe('failure');
    expect(findingAnnotation(finding('a.yaml', 3, { severity: 'warning' })).annotation_level).toBe('warning');
    const pre = findingAnnotation(finding('a.yaml', 3, { status: 'pre-existing' }));
    expect(pre.annotation_level).toBe('notice');
    expect(pre.title).toMatch(/^\(pre-existing\)/);
    const long = findingAnnotation(finding('a.yaml', 3, { subject: 'x'.repeat(400), message: 'é'.repeat(70_000) }));
    expect(long.title.length).toBeLessThanOrEqual(255);
    expect(new TextEncoder().encode(long.message).length).toBeLessThanOrEqual(64 * 1024);
    const span = findingAnnotation(finding('a.yaml', 3, { endLine: 5, endColumn: 2 }));
    expect(span).toMatchObject({ start_line: 3, end_line: 5 });
    expect(span.start_column).toBeUndefined();
  });

  it('keeps the summary within 65,535 characters for a huge report and names the full report', async () => {
    const gh = new RecordingGitHub(HEAD);
    const findings = [...manyFindings(1500), ...manyFindings(1500, 'pre-existing').map((f) => ({ ...f, file: `old/${f.file}` }))];
    await publishCheckRun(gh, makeReport({ findings }), { ...repo, headSha: HEAD });
    const summary = gh.checkRuns[0]!.output.summary;
    expect(summary.length).toBeLessThanOrEqual(65_535);
    expect(summary).toContain('full report');
    expect(gh.checkRuns[0]!.annotations).toHaveLength(3000);
  });

  it('a 403 on create is a refusal naming checks: write, not an exception', async () => {
    const gh = new RecordingGitHub(HEAD);
    gh.refuse.set(CREATE_RUN, 403);
    const r = await publishCheckRun(gh, makeReport({ findings: manyFindings(60) }), { ...repo, headSha: HEAD });
    expect(r.refused).toHaveLength(1);
    expect(r.refused[0]).toMatchObject({ status: 403, permission: 'checks: write' });
    expect(r.refused[0]!.message).toContain('`checks: write`');
    expect(gh.calls(UPDATE_RUN)).toHaveLength(0);
  });

  it('a refused update keeps what was sent and reports the rest', async () => {
    const gh = new RecordingGitHub(HEAD);
    gh.refuse.set(UPDATE_RUN, 500);
    const r = await publishCheckRun(gh, makeReport({ findings: manyFindings(120) }), { ...repo, headSha: HEAD });
    expect(r.annotationsSent).toBe(50);
    expect(r.refused[0]!.action).toContain('51-120');
    expect(r.refused[0]!.permission).toBeUndefined();
  });
});

describe('sticky comment', () => {
  const failing = makeReport({ findings: manyFindings(3) });

  it('creates one comment on the first run and updates it on the second', async () => {
    const gh = new RecordingGitHub(HEAD);
    const first = await publishComment(gh, failing, { ...repo, pull: 7, mode: 'always' });
    expect(first.comment?.created).toBe(true);
    expect(gh.comments).toHaveLength(1);
    const passing = makeReport();
    const second = await publishComment(gh, passing, { ...repo, pull: 7, mode: 'always' });
    expect(second.comment).toMatchObject({ id: first.comment!.id, created: false });
    expect(gh.calls(CREATE_COMMENT)).toHaveLength(1);
    expect(gh.calls(UPDATE_COMMENT)).toHaveLength(1);
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]!.body).toContain('PASS');
  });

  it('never edits a comment someone else wrote, even with the marker', async () => {
    const gh = new RecordingGitHub(HEAD);
    const foreign = gh.addComment('mallory', `${STICKY_MARKER}\nGitOps Gate: ✅ PASS (forged)`);
    await publishComment(gh, failing, { ...repo, pull: 7, mode: 'always' });
    expect(gh.calls(UPDATE_COMMENT)).toHaveLength(0);
    expect(gh.comments.find((c) => c.id === foreign.id)!.body).toContain('forged');
    expect(gh.comments).toHaveLength(2);
  });

  it('finds its comment past the first page of 100', async () => {
    const gh = new RecordingGitHub(HEAD);
    for (let i = 0; i < 130; i++) gh.addComment('someone', `comment ${i}`);
    const own = gh.addComment('github-actions[bot]', `${STICKY_MARKER}\nold`);
    await publishComment(gh, failing, { ...repo, pull: 7, mode: 'always' });
    expect(gh.calls('GET /repos/{owner}/{repo}/issues/{issue_number}/comments').map((p) => [p.page, p.per_page])).toEqual([
      [1, 100],
      [2, 100],
    ]);
    expect(gh.calls(UPDATE_COMMENT)[0]!.comment_id).toBe(own.id);
    expect(gh.calls(CREATE_COMMENT)).toHaveLength(0);
  });

  it('uses the configured author: a comment by the default bot is not the App\'s', async () => {
    const gh = new RecordingGitHub(HEAD);
    gh.login = 'deploy-gate[bot]';
    gh.addComment('github-actions[bot]', `${STICKY_MARKER}\nold`);
    await publishComment(gh, failing, { ...repo, pull: 7, mode: 'always', author: 'deploy-gate[bot]' });
    expect(gh.calls(UPDATE_COMMENT)).toHaveLength(0);
    expect(gh.calls(CREATE_COMMENT)).toHaveLength(1);
  });

  it('on-failure: a pass creates nothing, but updates an earlier comment', async () => {
    const gh = new RecordingGitHub(HEAD);
    const passing = makeReport();
    const none = await publishComment(gh, passing, { ...repo, pull: 7, mode: 'on-failure' });
    expect(gh.comments).toHaveLength(0);
    expect(none.skipped[0]).toContain('on-failure');
    await publishComment(gh, failing, { ...repo, pull: 7, mode: 'on-failure' });
    expect(gh.comments).toHaveLength(1);
    await publishComment(gh, passing, { ...repo, pull: 7, mode: 'on-failure' });
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]!.body).toContain('✅ PASS');
  });

  it('never: no request at all', async () => {
    const gh = new RecordingGitHub(HEAD);
    const r = await publishComment(gh, failing, { ...repo, pull: 7, mode: 'never' });
    expect(gh.requests).toEqual([]);
    expect(r.skipped).toHaveLength(1);
  });

  it('a 403 on create is a refusal naming pull-requests: write', async () => {
    const gh = new RecordingGitHub(HEAD);
    gh.refuse.set(CREATE_COMMENT, 403);
    const r = await publishComment(gh, failing, { ...repo, pull: 7, mode: 'always' });
    expect(r.refused[0]).toMatchObject({ status: 403, permission: 'pull-requests: write' });
    expect(r.refused[0]!.message).toMatch(/`pull-requests: write` \(or `issues: write`\)/);
  });

  it('says what blocks and what is missing, with links to the check run and the job summary', () => {
    const report = makeReport({
      findings: manyFindings(2),
      rules: [rule('wave-not-string', { state: 'failed', findings: { new: 2, preExisting: 0 } }), rule('approvals', { area: 'review', state: 'failed', blocking: true, reason: 'needs 1 approval from @acme/payments' }), rule('description-sections', { area: 'description', state: 'pending', reason: 'section "Rollback" is empty' })],
    });
    const body = renderComment(report, { checkRun: 'https://github.com/acme/deploy/runs/5', run: 'https://github.com/acme/deploy/actions/runs/9' });
    expect(body.startsWith(STICKY_MARKER)).toBe(true);
    expect(body).toContain('❌ FAIL');
    expect(body).toMatch(/What blocks:[\s\S]*`wave-not-string`: 2 new errors at \[apps\/app-0\/config\.yaml:1\]/);
    expect(body).toMatch(/What is missing:[\s\S]*`approvals`: needs 1 approval from @\u200bacme\/payments/);
    expect(body).toContain('Rollback');
    expect(body).toContain('[check run](https://github.com/acme/deploy/runs/5)');
    expect(body).toContain('[job summary](https://github.com/acme/deploy/actions/runs/9)');
  });

  it('stays within 65,536 characters with thousands of blockers and points to the full report', () => {
    const rules = Array.from({ length: 3000 }, (_, i) => rule(`req-${i}`, { area: 'review', state: 'failed', blocking: true, reason: 'x'.repeat(390) }));
    const body = renderComment(makeReport({ rules, findings: manyFindings(3000) }), { run: 'https://github.com/acme/deploy/actions/runs/9' });
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain('full report');
  });

  it('builds the run URL from the runner environment', () => {
    expect(runUrl({ GITHUB_SERVER_URL: 'https://github.com/', GITHUB_REPOSITORY: 'acme/deploy', GITHUB_RUN_ID: '42' })).toBe('https://github.com/acme/deploy/actions/runs/42');
    expect(runUrl({})).toBeUndefined();
  });
});

describe('head guard and publishing', () => {
  it('publishes nothing when the head moved during the run, and says so', async () => {
    const gh = new RecordingGitHub('f'.repeat(40));
    const out = await publishToPullRequest(gh, makeReport({ findings: manyFindings(3) }), { ...repo, pull: 7 });
    expect(out.stale).toMatch(/moved from aaaaaaa .* to fffffff/);
    expect(gh.requests.map((r) => r.route)).toEqual(['GET /repos/{owner}/{repo}/pulls/{pull_number}']);
    expect(out.warnings).toEqual([out.stale]);
    expect(renderJobSummary(makeReport(), out)).toContain('head moved');
  });

  it('fails closed when the PR cannot be re-read', async () => {
    const gh = new RecordingGitHub(HEAD);
    gh.refuse.set('GET /repos/{owner}/{repo}/pulls/{pull_number}', 404);
    const g = await checkHead(gh, { ...repo, pull: 7 }, HEAD);
    expect(g.ok).toBe(false);
  });

  it('publishes the check run then the comment linking to it, on the unchanged head', async () => {
    const gh = new RecordingGitHub(HEAD);
    const out = await publishToPullRequest(gh, makeReport({ findings: manyFindings(3) }), { ...repo, pull: 7, runUrl: 'https://github.com/acme/deploy/actions/runs/9' });
    expect(out.stale).toBeUndefined();
    expect(gh.requests.map((r) => r.route.split(' ')[0] + ' ' + r.route.split('/').pop())).toEqual(['GET {pull_number}', 'POST check-runs', 'GET comments', 'POST comments']);
    expect(gh.comments[0]!.body).toContain(`[check run](https://github.com/acme/deploy/runs/${gh.checkRuns[0]!.id})`);
    expect(gh.calls(CREATE_RUN)[0]!.details_url).toBe('https://github.com/acme/deploy/actions/runs/9');
  });

  it('with every write refused (403) lists the refusals with permissions, does not throw, and the job summary still carries the verdict', async () => {
    const gh = new RecordingGitHub(HEAD);
    for (const r of [CREATE_RUN, CREATE_COMMENT, UPDATE_COMMENT, UPDATE_RUN]) gh.refuse.set(r, 403);
    const report = makeReport({ findings: manyFindings(3) });
    const out = await publishToPullRequest(gh, report, { ...repo, pull: 7 });
    expect(out.warnings).toHaveLength(2);
    expect(out.warnings[0]).toContain('`checks: write`');
    expect(out.warnings[1]).toContain('`pull-requests: write`');
    expect(report.verdict).toBe('fail');
    const summary = renderJobSummary(report, out);
    expect(summary).toContain('❌ FAIL');
    expect(summary).toMatch(/### Publishing[\s\S]*checks: write/);
  });

  it('a comment key keeps two gates on one PR apart', async () => {
    const gh = new RecordingGitHub(HEAD);
    await publishToPullRequest(gh, makeReport(), { ...repo, pull: 7 });
    await publishToPullRequest(gh, makeReport(), { ...repo, pull: 7, checkName: 'Prod gate' });
    expect(gh.comments).toHaveLength(2);
    await publishToPullRequest(gh, makeReport(), { ...repo, pull: 7, checkName: 'Prod gate' });
    expect(gh.comments).toHaveLength(2);
  });
});

describe('client interface', () => {
  it('an Octokit from @actions/github is a GitHubWriter (checked by tsc)', async () => {
    const { getOctokit } = await import('@actions/github');
    const writer: GitHubWriter = getOctokit('token-for-type-check-only');
    expect(typeof writer.request).toBe('function');
  });
});

describe('publishing never throws', () => {
  it('a client that throws something unexpected becomes a warning', async () => {
    const broken = { request: async () => ({ status: 200, data: { head: { sha: HEAD } } }) };
    let n = 0;
    const client = { request: async (route: string, params?: Record<string, unknown>) => (n++ === 0 ? broken.request() : Promise.reject(new TypeError(`boom on ${route} ${JSON.stringify(params).length}`))) };
    const out = await publishToPullRequest(client, makeReport({ findings: manyFindings(2) }), { ...repo, pull: 7 });
    expect(out.warnings.join('\n')).toContain('boom on POST /repos/{owner}/{repo}/check-runs');
  });
});

describe('failing check run of a run that could not evaluate', () => {
  it('creates a completed, failing check run on the head with the escaped reason', async () => {
    const gh = new RecordingGitHub(HEAD);
    const r = await publishFailureCheckRun(gh, { ...repo, headSha: HEAD, name: 'Gate', detailsUrl: 'https://github.test/run/1' }, 'head <b>x</b> is not in the clone', '2026-01-01T00:00:00Z');
    expect(r.refused).toEqual([]);
    const p = gh.calls(CREATE_RUN)[0]!;
    expect(p).toMatchObject({ name: 'Gate', head_sha: HEAD, status: 'completed', conclusion: 'failure', completed_at: '2026-01-01T00:00:00Z', details_url: 'https://github.test/run/1' });
    const out = p.output as { title: string; summary: string };
    expect(out.title).toBe('Failed: the gate could not evaluate this change');
    // The reason renders literally (escaped by the serialiser, `\\<b>`): no HTML element, the text in the quote.
    expect(rawHtml(out.summary)).toEqual([]);
    expect(nodesOf(parseGfm(out.summary), 'blockquote').map((q) => textOf(q))).toEqual(['head <b>x</b> is not in the clone']);
  });

  it('a refusal is returned naming checks: write, not thrown', async () => {
    const gh = new RecordingGitHub(HEAD);
    gh.refuse.set(CREATE_RUN, 403);
    const r = await publishFailureCheckRun(gh, { ...repo, headSha: HEAD }, 'reason');
    expect(r.refused).toHaveLength(1);
    expect(r.refused[0]).toMatchObject({ status: 403, permission: 'checks: write' });
  });

  it('finds the target from the inputs and the event payload, and nothing without a token, a PR event or a head SHA', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gg-early-'));
    try {
      const event = join(dir, 'event.json');
      writeFileSync(event, JSON.stringify({ action: 'synchronize', pull_request: { number: 3, head: { sha: HEAD } } }));
      const env = { GITHUB_REPOSITORY: 'acme/deploy', GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event, GITHUB_API_URL: 'http://127.0.0.1:1' };
      const inputs = (m: Record<string, string>) => (name: string) => m[name] ?? '';
      expect(await failureTarget(inputs({ 'github-token': 't', 'check-name': 'Gate' }), env)).toEqual({ token: 't', owner: 'acme', repo: 'deploy', apiUrl: 'http://127.0.0.1:1', headSha: HEAD, checkName: 'Gate' });
      expect(await failureTarget(inputs({ 'github-token': ' ' }), env)).toBeUndefined();
      expect(await failureTarget(inputs({ 'github-token': 't' }), { ...env, GITHUB_EVENT_NAME: 'push' })).toBeUndefined();
      writeFileSync(event, JSON.stringify({ pull_request: { head: { sha: 'not-a-sha' } } }));
      expect(await failureTarget(inputs({ 'github-token': 't' }), env)).toBeUndefined();
      writeFileSync(event, '{');
      expect(await failureTarget(inputs({ 'github-token': 't' }), env)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
