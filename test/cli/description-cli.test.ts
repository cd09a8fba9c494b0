/** The description policy through the CLI (`gitops-gate check --pr EVENT.json`), under the default policy. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { makeRepo, type TestRepo } from '../helpers/git-repo.js';

const TEMPLATE = '## Why\n<!-- Why is this change needed? Link the ticket. -->\n\n## Rollback\n<!-- How do we undo it? -->\n- [ ] The revert was tested\n';
const repos: TestRepo[] = [];
const dirs: string[] = [];
afterAll(() => {
  repos.forEach((r) => r.cleanup());
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/** One repository for every case: a template on main, a harmless manifest change on the branch. */
function repo(): TestRepo {
  if (!repos[0]) {
    repos.push(
      makeRepo(
        { '.github/pull_request_template.md': TEMPLATE, 'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: "1"\n' },
        { 'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: "2"\n' },
      ),
    );
  }
  return repos[0]!;
}

function eventFile(r: TestRepo, body: string | null, title = 'Raise the cache size'): string {
  const dir = mkdtempSync(join(tmpdir(), 'gg-event-'));
  dirs.push(dir);
  const path = join(dir, 'event.json');
  writeFileSync(
    path,
    JSON.stringify({
      action: 'edited',
      pull_request: { number: 12, title, body, user: { login: 'dana' }, labels: [], draft: false, base: { ref: 'main', sha: r.baseSha }, head: { ref: 'pr', sha: r.headSha } },
    }),
  );
  return path;
}

async function check(body: string | null, format = 'text') {
  const r = repo();
  let out = '';
  let err = '';
  const code = await runCli(['check', '--repo', r.dir, '--base', 'main', '--head', 'pr', '--pr', eventFile(r, body), '--format', format], {
    out: (t) => (out += t),
    err: (t) => (err += t),
  });
  return { code, out, err };
}

describe('gitops-gate check --pr: the description policy', () => {
  it('passes filled Why and Rollback sections', async () => {
    const r = await check('## Why\nThe cache evicts hot keys at peak traffic.\n\n## Rollback\nRevert this PR; the old size is safe.\n');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('verdict: PASS');
  });

  it('passes Reason and Rollback plan headings', async () => {
    const r = await check('Reason\n------\nThe cache evicts hot keys at peak traffic.\n\n## Rollback plan\n1. Revert this PR.\n2. Sync the app.\n', 'json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.rules.find((o: { rule: string }) => o.rule === 'description-sections').reason).toBe(
      'Section “Why”: “Reason” at line 1: 42 character(s) of real content; Section “Rollback”: “## Rollback plan” at line 5: 28 character(s) of real content',
    );
  });

  it('fails a missing rollback section, with its reason', async () => {
    const r = await check('## Why\nThe cache evicts hot keys at peak traffic.\n');
    expect(r.code).toBe(1);
    expect(r.out).toContain('requirement failed [description-sections]: Section “Rollback”: no section headed “Rollback”, “Rollback plan” or “Roll back” (headings found: “## Why”)');
    expect(r.out).toContain('verdict: FAIL');
  });

  it('fails a section holding only a comment, with its reason', async () => {
    const r = await check('## Why\nThe cache evicts hot keys at peak traffic.\n\n## Rollback\n<!-- later -->\n');
    expect(r.code).toBe(1);
    expect(r.out).toContain('requirement failed [description-sections]: Section “Rollback”: section “## Rollback” (line 4) holds only an HTML comment');
  });

  it('fails the untouched template, with its reason', async () => {
    const r = await check(TEMPLATE);
    expect(r.code).toBe(1);
    expect(r.out).toContain('requirement failed [description-body]: Body with real content: the body is the PR template (.github/pull_request_template.md) left as written: nothing was filled in');
    expect(r.out).toContain('section “## Rollback” (line 4) holds only an HTML comment and text copied unchanged from the PR template (.github/pull_request_template.md)');
  });

  it('fails an empty body, with its reason', async () => {
    const r = await check(null);
    expect(r.code).toBe(1);
    expect(r.out).toContain('requirement failed [description-body]: Body with real content: the PR body is empty');
  });

  it('renders the requirements in the Markdown summary', async () => {
    const r = await check('## Why\nThe cache evicts hot keys at peak traffic.\n', 'markdown');
    expect(r.out).toContain('### Description');
    // Serialised from a tree: an empty cell is `| |`, and `#` is escaped only where it could start a heading.
    expect(r.out).toContain('| Section “Rollback” | ❌ failed | | no section headed “Rollback”, “Rollback plan” or “Roll back” (headings found: “## Why”) |');
  });

  it('reports the description as not evaluated without --pr, without failing the change', async () => {
    const r = repo();
    let out = '';
    const code = await runCli(['check', '--repo', r.dir, '--base', 'main', '--head', 'pr'], { out: (t) => (out += t), err: () => undefined });
    expect(code).toBe(0);
    expect(out).toContain('not-evaluated [description-body]: no pull request data');
  });
});

describe('the example pull request', () => {
  it('has Why and Rollback sections that pass the description area', async () => {
    const event = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'pr-event.template.json'), 'utf8'));
    const r = repo();
    const dir = mkdtempSync(join(tmpdir(), 'gg-event-'));
    dirs.push(dir);
    event.pull_request.base.sha = r.baseSha;
    event.pull_request.head.sha = r.headSha;
    writeFileSync(join(dir, 'event.json'), JSON.stringify(event));
    let out = '';
    const code = await runCli(['check', '--repo', r.dir, '--base', 'main', '--head', 'pr', '--pr', join(dir, 'event.json'), '--format', 'json'], { out: (t) => (out += t), err: () => undefined });
    const report = JSON.parse(out);
    expect(report.rules.filter((o: { area: string }) => o.area === 'description').map((o: { state: string }) => o.state)).toEqual(['passed', 'passed', 'skipped', 'skipped', 'skipped', 'skipped', 'passed']);
    expect(code).toBe(0);
  });
});
