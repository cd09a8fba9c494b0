import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SourceError } from '../../src/core/errors.js';
import type { PullRequest, Report } from '../../src/core/model.js';
import type { DescriptionDetails } from '../../src/description/check.js';
import { namesPreviousWave } from '../../src/description/requirements.js';
import { evaluate } from '../../src/composition.js';
import { loadPolicy } from '../../src/composition.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderText } from '../../src/report/text.js';
import { memoryChange } from '../helpers/change.js';
import { GOOD_BODY, makePr } from '../helpers/pr.js';
import { nodesOf, parseGfm, rawHtml, textOf } from '../helpers/gfm.js';

const POLICY = 'policies/gitops-gate.yaml';

/** Evaluates a PR under a policy (YAML text, or the default policy) with optional base/head files. */
async function run(pr: Partial<PullRequest> | undefined, opts: { policy?: string; base?: Record<string, string>; head?: Record<string, string> } = {}): Promise<Report> {
  const base = { ...(opts.base ?? {}), ...(opts.policy ? { [POLICY]: `version: 1\n${opts.policy}` } : {}) };
  const head = { ...base, ...(opts.head ?? {}) };
  const change = memoryChange(base, head, pr ? { pr: makePr(pr), repository: 'example-org/shop', serverUrl: 'https://github.com' } : {});
  return evaluate(change, { policyPath: 'policies', now: () => new Date('2026-01-01T00:00:00Z') });
}

function rule(r: Report, id: string) {
  const o = r.rules.find((x) => x.rule === id);
  if (!o) throw new Error(`no outcome for ${id}`);
  return o;
}

function details(r: Report): DescriptionDetails {
  return r.details.description as DescriptionDetails;
}

describe('default policy: Why and Rollback sections', () => {
  it('passes filled Why and Rollback sections', async () => {
    const r = await run({ body: GOOD_BODY });
    expect(r.verdict).toBe('pass');
    expect(rule(r, 'description-sections')).toMatchObject({ state: 'passed' });
    expect(rule(r, 'description-body')).toMatchObject({ state: 'passed' });
    expect(details(r).requirements.find((q) => q.name === 'Section “Why”')).toMatchObject({ state: 'passed', found: expect.stringContaining('“## Why” at line 1') });
  });

  it('accepts the synonyms case-insensitively: Reason, Motivation, Rollback plan, Roll back', async () => {
    for (const [why, back] of [
      ['Reason', 'Rollback plan'],
      ['MOTIVATION:', 'Roll back'],
      ['why?', 'roll-back'],
    ]) {
      const r = await run({ body: `### ${why}\nThe queue overflows every night.\n\n### ${back}\nRevert the PR and resync.\n` });
      expect(rule(r, 'description-sections').state, `${why} / ${back}`).toBe('passed');
    }
  });

  it('fails a missing rollback section, quoting the headings it looked for and the ones found', async () => {
    const r = await run({ body: '## Why\nThe queue overflows every night.\n\n## Testing\nRan it on staging.\n' });
    expect(r.verdict).toBe('fail');
    const o = rule(r, 'description-sections');
    expect(o).toMatchObject({ state: 'failed', blocking: true });
    expect(o.reason).toBe('Section “Rollback”: no section headed “Rollback”, “Rollback plan” or “Roll back” (headings found: “## Why” and “## Testing”)');
  });

  it('hints at bold text used instead of a heading', async () => {
    const r = await run({ body: '**Why:** the queue overflows every night.\n\n## Rollback\nRevert the PR and resync.\n' });
    expect(rule(r, 'description-sections').reason).toContain('line 1 has “Why: the queue overflows every night.” in bold: make it a Markdown heading, such as “## Why”');
  });

  it('fails a section holding only a comment, saying so', async () => {
    const r = await run({ body: '## Why\nThe queue overflows every night.\n\n## Rollback\n<!-- How do we undo this? -->\n' });
    expect(rule(r, 'description-sections').reason).toBe('Section “Rollback”: section “## Rollback” (line 4) holds only an HTML comment');
    expect(rule(r, 'description-body').state).toBe('passed');
  });

  it('fails a section whose content is only placeholders or too short', async () => {
    const r = await run({ body: '## Why\nTBD\n\n## Rollback\nRevert.\n' });
    expect(rule(r, 'description-sections').reason).toBe(
      'Section “Why”: section “## Why” (line 1) holds only placeholder text; Section “Rollback”: section “## Rollback” (line 4) holds only 7 character(s) of real content; at least 10 are required',
    );
  });

  it('reads bodies with the CRLF line endings GitHub stores', async () => {
    const r = await run({ body: GOOD_BODY.replace(/\n/g, '\r\n') });
    expect(rule(r, 'description-sections')).toMatchObject({ state: 'passed' });
    const missing = await run({ body: '## Why\r\nThe queue overflows every night.\r\n\r\n## Rollback\r\n<!--\r\nlater\r\n-->\r\n' });
    expect(rule(missing, 'description-sections').reason).toBe('Section “Rollback”: section “## Rollback” (line 4) holds only an HTML comment');
  });

  it('uses the first matching section that satisfies the requirement', async () => {
    const r = await run({ body: '## Why\n<!-- -->\n\n## Reason\nThe queue overflows every night.\n\n## Rollback\nRevert the PR and resync.\n' });
    expect(rule(r, 'description-sections').state).toBe('passed');
    expect(details(r).requirements[1]!.found).toContain('“## Reason” at line 4');
  });

  it('fails an empty body on both the body and the sections', async () => {
    const r = await run({ body: '' });
    expect(rule(r, 'description-body')).toMatchObject({ state: 'failed', reason: 'Body with real content: the PR body is empty' });
    expect(rule(r, 'description-sections').reason).toContain('(the body has no headings)');
  });

  it('does not accept N/A unless the section allows it', async () => {
    const body = '## Why\nThe queue overflows every night.\n\n## Rollback\nN/A\n';
    expect(rule(await run({ body }), 'description-sections').reason).toBe('Section “Rollback”: section “## Rollback” (line 4) says N/A, which the policy does not accept for this section');
    const allowed = await run({ body }, { policy: 'description:\n  sections:\n    rollback:\n      allowNA: true\n' });
    expect(rule(allowed, 'description-sections').state).toBe('passed');
    expect(details(allowed).requirements[2]!.found).toContain('N/A (accepted for this section)');
  });

  it('lets a policy add sections with their own headings and drop a default one', async () => {
    const policy = 'description:\n  sections:\n    rollback:\n      required: false\n    testing:\n      headings: ["Testing", "How was this tested"]\n      minLength: 5\n      mention: ["staging|production"]\n';
    const ok = await run({ body: '## Why\nThe queue overflows every night.\n\n## How was this tested?\nOn staging.\n' }, { policy });
    expect(rule(ok, 'description-sections').state).toBe('passed');
    const bad = await run({ body: '## Why\nThe queue overflows every night.\n\n## Testing\nUnit tests.\n' }, { policy });
    expect(rule(bad, 'description-sections').reason).toBe('Section “Testing”: section “## Testing” (line 4) does not mention /staging|production/');
  });
});

describe('PR template', () => {
  const TEMPLATE = '## Why\n<!-- Why is this change needed? -->\nDescribe the reason here.\n\n## Rollback\n- [ ] Revert is safe\n\nDescribe how to roll back.\n';

  it('fails the untouched template, read from the base branch', async () => {
    const r = await run({ body: TEMPLATE }, { base: { '.github/pull_request_template.md': TEMPLATE } });
    expect(rule(r, 'description-body').reason).toBe('Body with real content: the body is the PR template (.github/pull_request_template.md) left as written: nothing was filled in');
    expect(rule(r, 'description-sections').reason).toContain('section “## Why” (line 1) holds only an HTML comment and text copied unchanged from the PR template (.github/pull_request_template.md)');
  });

  it('counts what the author wrote under the template headings', async () => {
    const body = TEMPLATE.replace('Describe the reason here.', 'Describe the reason here.\n\nThe queue overflows every night.').replace('Describe how to roll back.', 'Revert this PR, then resync.');
    const r = await run({ body }, { base: { '.github/PULL_REQUEST_TEMPLATE.md': TEMPLATE } });
    expect(rule(r, 'description-sections').state).toBe('passed');
  });

  it("reads the base branch's template, not the one the change brings", async () => {
    const r = await run({ body: 'Describe the reason here.\n' }, { head: { 'docs/pull_request_template.md': '## Why\nDescribe the reason here.\n' } });
    expect(rule(r, 'description-body').state).toBe('passed');
    expect(details(r).templates).toEqual([]);
  });

  it('reads templates from configured paths, or not at all when disabled', async () => {
    const base = { 'meta/pr.md': TEMPLATE };
    const configured = await run({ body: TEMPLATE }, { base, policy: 'description:\n  template:\n    paths: ["meta/pr.md"]\n' });
    expect(rule(configured, 'description-body').state).toBe('failed');
    expect(details(configured).templates).toEqual(['meta/pr.md']);
    const disabled = await run({ body: TEMPLATE }, { base: { '.github/pull_request_template.md': TEMPLATE }, policy: 'description:\n  template:\n    enabled: false\n' });
    expect(rule(disabled, 'description-body').state).toBe('passed');
  });
});

describe('the template pre-pass', () => {
  it('reads templates only for a PR, and fails closed when the base tree cannot be read', async () => {
    const reads: string[][] = [];
    const change = (pr?: PullRequest, failList = false) => {
      const tpl = { '.github/pull_request_template.md': '## Why\n\n## Rollback\n' };
      const c = memoryChange(tpl, { ...tpl, 'a.yaml': 'a: 1\n' }, pr ? { pr } : {});
      const readFiles = c.base!.readFiles.bind(c.base!);
      c.base!.readFiles = async (paths) => {
        reads.push([...paths]);
        return readFiles(paths);
      };
      if (failList) {
        c.base!.listFiles = async () => {
          throw new SourceError('git ls-tree failed');
        };
      }
      return c;
    };
    const noPr = await evaluate(change(), { policyPath: 'policies' });
    expect(noPr.verdict).toBe('pass');
    const templateReads = () => reads.flat().filter((p) => /pull_request_template/i.test(p));
    expect(templateReads()).toEqual([]);
    await evaluate(change(makePr({ body: GOOD_BODY })), { policyPath: 'policies' });
    expect(templateReads().length).toBeGreaterThan(0);
    await expect(evaluate(change(makePr({ body: GOOD_BODY }), true), { policyPath: 'policies' })).rejects.toThrow('git ls-tree failed');
  });
});

describe('tickets, titles and labels', () => {
  const ticket = 'description:\n  ticket:\n    pattern: "[A-Z][A-Z0-9]+-\\\\d+"\n';

  it('finds a ticket in the title, the body or the branch name', async () => {
    expect(details(await run({ body: GOOD_BODY, title: 'PAY-318: more replicas' }, { policy: ticket })).requirements.find((q) => q.rule === 'description-ticket')).toMatchObject({
      state: 'passed',
      found: '“PAY-318” in the title',
    });
    expect(rule(await run({ body: `${GOOD_BODY}\nTicket: OPS-7\n` }, { policy: ticket }), 'description-ticket')).toMatchObject({ state: 'passed', reason: 'Ticket reference: “OPS-7” in the body' });
    expect(rule(await run({ body: GOOD_BODY, headRef: 'feature/INC-12-fix' }, { policy: ticket }), 'description-ticket').state).toBe('passed');
  });

  it('fails without a ticket, and does not count one hidden in a comment or outside the allowed places', async () => {
    const r = await run({ body: `${GOOD_BODY}<!-- e.g. ABC-123 -->\n` }, { policy: ticket });
    expect(rule(r, 'description-ticket')).toMatchObject({
      state: 'failed',
      reason: 'Ticket reference: no ticket reference matching /[A-Z][A-Z0-9]+-\\d+/ in the title, the body or the branch name “raise-replicas”',
    });
    const titleOnly = await run({ body: `${GOOD_BODY}\nOPS-7\n` }, { policy: `${ticket}    in: [title]\n` });
    expect(rule(titleOnly, 'description-ticket').reason).toBe('Ticket reference: no ticket reference matching /[A-Z][A-Z0-9]+-\\d+/ in the title');
  });

  it('skips the ticket, title and labels requirements the default policy does not set', async () => {
    const r = await run({ body: GOOD_BODY });
    for (const id of ['description-ticket', 'description-title', 'description-labels', 'description-conditional']) expect(rule(r, id).state).toBe('skipped');
  });

  it('checks the title pattern, with the hint on failure', async () => {
    const policy = 'description:\n  title:\n    pattern: "^(feat|fix|chore)(\\\\(.+\\\\))?: .+"\n    hint: "type(scope): summary"\n';
    expect(rule(await run({ body: GOOD_BODY, title: 'fix(payments): more replicas' }, { policy }), 'description-title').state).toBe('passed');
    expect(rule(await run({ body: GOOD_BODY, title: 'More replicas' }, { policy }), 'description-title').reason).toBe(
      'Title format: the title does not match /^(feat|fix|chore)(\\(.+\\))?: .+/ (type(scope): summary)',
    );
  });

  it('requires and forbids labels, case-insensitively', async () => {
    const policy = 'description:\n  labels:\n    required: ["change-approved", "payments"]\n    forbidden: ["do-not-merge"]\n';
    expect(rule(await run({ body: GOOD_BODY, labels: ['Payments', 'CHANGE-APPROVED'] }, { policy }), 'description-labels').state).toBe('passed');
    expect(rule(await run({ body: GOOD_BODY, labels: ['payments', 'Do-Not-Merge'] }, { policy }), 'description-labels').reason).toBe(
      'Labels: missing required label(s) “change-approved”; carries forbidden label(s) “Do-Not-Merge”',
    );
  });

  it('accepts every policy example in docs/description.md', () => {
    const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'description.md'), 'utf8');
    const examples = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(examples.length).toBeGreaterThan(6);
    for (const text of examples) expect(() => loadPolicy(`version: 1\n${text}`, 'docs/description.md'), text).not.toThrow();
  });

  it('rejects an invalid regular expression in the policy, naming the setting and line', async () => {
    expect(() => loadPolicy('version: 1\ndescription:\n  ticket:\n    pattern: "[A-Z+"\n', 'p.yaml')).toThrow(/p\.yaml:4:\d+: setting "description\.ticket\.pattern" must match format "regex"/);
    expect(() => loadPolicy('version: 1\ndescription:\n  sections:\n    why:\n      heading: [Why]\n', 'p.yaml')).toThrow(/unknown setting "description\.sections\.why\.heading"/);
  });
});

const deploy = (name: string, wave?: string, hook?: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  annotations:\n${wave !== undefined ? `    argocd.argoproj.io/sync-wave: "${wave}"\n` : ''}${hook ? `    argocd.argoproj.io/hook: ${hook}\n` : ''}    note: "x"\nspec:\n  replicas: 1\n`;

describe('naming the previous wave', () => {
  it('takes the number nearest to the resource name', () => {
    const api = { name: 'api', before: '1' };
    for (const line of ['api: wave 1.', '| api | 1 | 3 |', 'wave 1 for api, wave 3 for db', 'API was at +1']) expect(namesPreviousWave(line, api), line).toBe(true);
    for (const line of ['set api back to wave 11 and db to 1', 'api-gateway: 1', 'wave 1', 'api: wave 1.5', 'api: -1']) expect(namesPreviousWave(line, api), line).toBe(false);
    expect(namesPreviousWave('migrate goes back to -2', { name: 'migrate', before: '-2' })).toBe(true);
  });
});

describe('conditional requirements', () => {
  const policy = `description:
  conditional:
    - name: production sync order
      when:
        paths: ["envs/prod/**"]
        changes: [sync-waves]
      sections: [rollback]
      previousWaves: rollback
`;
  const body = (rollback: string) => `## Why\nThe migration must run before the API starts.\n\n## Rollback\n${rollback}\n`;

  it('applies to a production wave change and requires the previous wave in the rollback section', async () => {
    const files = { base: { 'envs/prod/api.yaml': deploy('api', '1') }, head: { 'envs/prod/api.yaml': deploy('api', '3') }, policy };
    const bad = await run({ body: body('Revert this PR and resync the app.') }, files);
    expect(rule(bad, 'description-conditional')).toMatchObject({ state: 'failed', blocking: true });
    expect(rule(bad, 'description-conditional').reason).toBe(
      'production sync order: section “Rollback”: section “## Rollback” (line 4) does not name the previous wave of apps/Deployment api (was 1, now 3): write a line such as “api: wave 1”',
    );
    expect(details(bad).conditions).toEqual([{ name: 'production sync order', because: ['changed paths match envs/prod/** (envs/prod/api.yaml)', 'sync waves changed: apps/Deployment api 1 → 3'] }]);
    const good = await run({ body: body('Revert this PR. Previous order:\n\n| resource | wave |\n| --- | --- |\n| api | 1 |') }, files);
    expect(rule(good, 'description-conditional').state).toBe('passed');
    // The number alone, or the name with another number, is not the previous order.
    expect(rule(await run({ body: body('Set api back to wave 11 and db to 1.') }, files), 'description-conditional').state).toBe('failed');
  });

  it('does not apply outside the paths, or when waves did not change', async () => {
    const staging = await run({ body: body('Revert this PR.') }, { base: { 'envs/staging/api.yaml': deploy('api', '1') }, head: { 'envs/staging/api.yaml': deploy('api', '3') }, policy });
    expect(rule(staging, 'description-conditional')).toMatchObject({ state: 'skipped', reason: 'no conditional requirement applies to this change' });
    const sameWave = await run({ body: body('Revert this PR.') }, { base: { 'envs/prod/api.yaml': deploy('api', '1') }, head: { 'envs/prod/api.yaml': deploy('api', '1').replace('replicas: 1', 'replicas: 2') }, policy });
    expect(rule(sameWave, 'description-conditional').state).toBe('skipped');
  });

  it('treats an absent wave as wave 0, and reacts to hook changes and resource kinds', async () => {
    const hooks = `description:
  conditional:
    - name: hooks
      when:
        changes: [hooks]
      mention:
        rollback: ["hook"]
    - name: jobs
      when:
        kinds: ["batch/Job"]
      sections: [why]
`;
    const r = await run({ body: body('Revert this PR.') }, { base: { 'a.yaml': deploy('api') }, head: { 'a.yaml': deploy('api', undefined, 'PreSync') }, policy: hooks });
    expect(rule(r, 'description-conditional').reason).toBe('hooks: section “Rollback”: section “## Rollback” (line 4) does not mention /hook/');
    expect(details(r).conditions?.map((c) => c.name)).toEqual(['hooks']);
    const job = 'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n';
    const jobs = await run({ body: '## Rollback\nRevert this PR and resync.\n' }, { head: { 'db/job.yaml': job }, policy: hooks });
    expect(details(jobs).conditions).toEqual([{ name: 'jobs', because: ['touches batch/Job migrate'] }]);
    expect(rule(jobs, 'description-conditional').reason).toBe('jobs: section “Why”: no section headed “Why”, “Reason” or “Motivation” (headings found: “## Rollback”)');
    const waveZero = await run({ body: body('Revert this PR.') }, { base: { 'envs/prod/api.yaml': deploy('api') }, head: { 'envs/prod/api.yaml': deploy('api', '0') }, policy });
    expect(rule(waveZero, 'description-conditional').state).toBe('skipped');
  });

  it('accepts the approval rules\' conditions in when (one condition language): labels, authors, targetBranches, manifestsChanged', async () => {
    const shared = `description:
  conditional:
    - name: hotfix to main
      when:
        labels: [hotfix]
        targetBranches: [main]
        authors: [DANA]
        manifestsChanged: true
      sections: [why]
`;
    const head = { 'envs/prod/api.yaml': deploy('api', '1') };
    const pr = { body: '## Rollback\nRevert this PR and resync.\n', labels: ['hotfix'], author: { login: 'dana' }, baseRef: 'main' };
    const hit = await run(pr, { head, policy: shared });
    expect(details(hit).conditions).toEqual([{ name: 'hotfix to main', because: ['a manifest changed (envs/prod/api.yaml)', 'labelled hotfix', 'authored by @dana', 'targets main'] }]);
    expect(rule(hit, 'description-conditional')).toMatchObject({ state: 'failed', reason: 'hotfix to main: section “Why”: no section headed “Why”, “Reason” or “Motivation” (headings found: “## Rollback”)' });
    // Any one condition missing: the requirement does not apply.
    for (const miss of [{ labels: [] }, { baseRef: 'release' }, { author: { login: 'sam' } }]) {
      expect(rule(await run({ ...pr, ...miss }, { head, policy: shared }), 'description-conditional').state).toBe('skipped');
    }
    expect(rule(await run(pr, { head: { 'README.md': 'x\n' }, policy: shared }), 'description-conditional').state).toBe('skipped');
  });
});

describe('reverts', () => {
  const revert = { title: 'Revert "Raise payments replicas"', body: 'Reverts example-org/shop#41\n\n## Why\nReplicas starve the database of connections.\n', headRef: 'revert-41-raise-replicas' };

  it('requires only what the policy asks of reverts, and links the reverted PR', async () => {
    const r = await run(revert, { policy: 'description:\n  title:\n    pattern: "^(feat|fix): "\n' });
    expect(r.verdict).toBe('pass');
    expect(rule(r, 'description-sections').state).toBe('passed');
    expect(rule(r, 'description-title')).toMatchObject({ state: 'skipped', reason: 'not required of a revert PR (description.reverts.exempt)' });
    expect(details(r).revert).toMatchObject({ number: 41, url: 'https://github.com/example-org/shop/pull/41' });
    expect(renderMarkdown(r)).toContain('> **Revert** of [example-org/shop#41](https://github.com/example-org/shop/pull/41)');
  });

  it('still requires the revert sections', async () => {
    const r = await run({ ...revert, body: 'Reverts example-org/shop#41\n' });
    expect(rule(r, 'description-sections').reason).toBe('Section “Why”: no section headed “Why”, “Reason” or “Motivation” (the body has no headings)');
    expect(r.verdict).toBe('fail');
  });
});

describe('drafts, missing PR data and the summary', () => {
  it('evaluates drafts; their failures block unless the policy says report', async () => {
    const enforced = await run({ body: '', draft: true });
    expect(enforced.verdict).toBe('fail');
    expect(enforced.notes).toContain('This PR is a draft. Its description is evaluated as if it were ready for review, and its failures block.');
    const reported = await run({ body: '', draft: true }, { policy: 'description:\n  drafts: report\n' });
    expect(reported.verdict).toBe('pass');
    expect(rule(reported, 'description-body')).toMatchObject({ state: 'failed', blocking: false });
    expect(renderMarkdown(reported)).toContain('> **Draft PR.** Evaluated, but its failures do not block');
  });

  it('reports not-evaluated without PR data and leaves the verdict to the other areas', async () => {
    const r = await run(undefined);
    expect(r.verdict).toBe('pass');
    expect(r.rules.filter((o) => o.area === 'description').map((o) => o.state)).toEqual(Array(7).fill('not-evaluated'));
    expect(renderText(r)).toContain('not-evaluated [description-sections]: no pull request data');
  });

  it('escapes PR text in the summary', async () => {
    const r = await run({ body: '## Why <img src=x onerror=alert(1)> @admins\nThe queue overflows every night.\n\n## Rollback | ✅ passed |\n<!-- -->\n' });
    const md = renderMarkdown(r);
    expect(md).not.toMatch(/@admins/);
    // Read as GFM: no HTML element from the body, and the pipes stay inside the Found cell.
    expect(rawHtml(md).filter((h) => !/^<\/?(details|summary|sub)>/.test(h) && !h.startsWith('<details><summary>'))).toEqual([]);
    expect(textOf(parseGfm(md))).toContain('<img src=x');
    const tables = nodesOf(parseGfm(md), 'table').filter((t) => textOf(t).includes('Rollback | ✅ passed |'));
    expect(tables.length).toBeGreaterThan(0);
    for (const t of tables) for (const r of t.children) expect(r.children).toHaveLength(t.children[0]!.children.length);
  });
});
