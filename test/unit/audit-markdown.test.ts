/**
 * The audit report's Markdown (`gitops-gate audit --format markdown`) under hostile input: PR text, logins,
 * branch names, and whatever an earlier JSON report read back with `--from` holds. Each value must render
 * as the text it is, in its own cell, line or code span: no extra table cell, heading, list, link or HTML.
 */
import { describe, expect, it } from 'vitest';
import type { Nodes } from 'mdast';
import type { AuditChange, AuditReport } from '../../src/audit/model.js';
import { EXCEPTION_KINDS } from '../../src/audit/model.js';
import { renderMarkdown } from '../../src/audit/render.js';
import { nodesOf, parseGfm, textOf } from '../helpers/gfm.js';

const SHA = 'c'.repeat(40);
const HOSTILE = 'a | b `c` <script>alert(1)</script> [l](http://x.example) <!-- hide\n# Heading ![i](https://evil.example/p.png) @octocat';

function change(over: Partial<AuditChange> = {}): AuditChange {
  return {
    commit: SHA,
    mergedAt: '2026-01-07T10:00:00Z',
    method: 'squash',
    pr: { number: 7, url: 'https://github.test/acme/gitops/pull/7', title: 'Scale the API', headSha: 'b'.repeat(40), baseRef: 'main' },
    subject: 'Scale the API (#7)',
    author: 'alice',
    committers: ['alice'],
    coAuthors: [],
    approvers: [{ login: 'bob', permission: 'write', commit: 'b'.repeat(40), submittedAt: '2026-01-07T09:30:00Z', valid: true }],
    reason: 'Peak traffic doubles latency.',
    rollback: 'Revert this PR.',
    ticket: null,
    gate: { checkName: 'GitOps Gate', headSha: 'b'.repeat(40), conclusion: 'success', checkRunUrl: 'https://github.test/acme/gitops/runs/1', auditRecordUrl: null },
    override: null,
    labels: [],
    manifests: ['apps/api.yaml'],
    applications: [],
    reverts: null,
    exceptions: [],
    ...over,
  };
}

function report(changes: AuditChange[], over: Partial<AuditReport> = {}): AuditReport {
  const exceptions = changes.flatMap((c) => c.exceptions.map((e) => ({ ...e, commit: c.commit, pr: c.pr?.number ?? null, mergedAt: c.mergedAt })));
  const counts = Object.fromEntries(EXCEPTION_KINDS.map((k) => [k, exceptions.filter((e) => e.kind === k).length]));
  return {
    schemaVersion: 1,
    tool: { name: 'gitops-gate', version: '0.0.0' },
    generatedAt: '2026-02-01T00:00:00Z',
    repository: 'acme/gitops',
    branch: { name: 'main', ref: 'refs/remotes/origin/main', sha: 'f'.repeat(40) },
    period: { since: '2026-01-01', until: '2026-01-31', start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z' },
    totals: { changes: changes.length, pullRequests: changes.filter((c) => c.pr).length, directPushes: changes.filter((c) => !c.pr).length, changesWithExceptions: changes.filter((c) => c.exceptions.length).length, exceptions: counts as AuditReport['totals']['exceptions'] },
    exceptions,
    changes,
    sample: { seed: 's', size: changes.length, method: 'weighted random sampling', commits: changes.map((c) => c.commit) },
    requests: { total: 1, retries: 0, byRoute: {} },
    notes: ['Changes made outside git.'],
    ...over,
  };
}

/** Text as the report shows it: mentions and bare URLs are broken by a zero-width space, line breaks are spaces. */
const shown = (s: string) => s.replace(/\r\n?|\n/g, ' ');
const plain = (n: Nodes) => textOf(n).replace(/\u200b/g, '');

/** The rows of the table whose header starts with `first`, each as its cells' text. */
function rows(md: string, first: string): string[][] {
  const t = nodesOf(parseGfm(md), 'table').find((x) => plain(x.children[0]!.children[0]!) === first);
  expect(t, `a table headed "${first}"`).toBeDefined();
  return t!.children.slice(1).map((r) => r.children.map(plain));
}

/** The gate's own structure, whatever the input: its headings, and links to the given URLs only. */
function expectOwnStructure(md: string, links: string[]): void {
  const tree = parseGfm(md);
  expect(nodesOf(tree, 'html')).toEqual([]);
  expect(nodesOf(tree, 'image')).toEqual([]);
  expect(nodesOf(tree, 'heading').map((h) => `${h.depth} ${plain(h).replace(/ .*/, '')}`)).toEqual(['1 Change', '2 Exceptions', '2 Sample', '2 Changes', '2 What']);
  expect([...new Set(nodesOf(tree, 'link').map((l) => l.url))].sort()).toEqual([...links].sort());
}

describe('audit Markdown under hostile input', () => {
  it('keeps PR text, logins and reasons in their cells, as text', () => {
    const c = change({
      pr: { number: 7, url: 'https://github.test/acme/gitops/pull/7', title: HOSTILE, headSha: 'b'.repeat(40), baseRef: 'main' },
      author: 'al|ice',
      approvers: [{ login: 'b`o|b', permission: 'write', commit: 'b'.repeat(40), submittedAt: null, valid: false }],
      reason: HOSTILE,
      rollback: '- [x] undo | now',
      exceptions: [{ kind: 'self-approval', detail: HOSTILE }],
    });
    const md = renderMarkdown(report([c]));
    expectOwnStructure(md, ['https://github.test/acme/gitops/pull/7', 'https://github.test/acme/gitops/runs/1']);
    const [row] = rows(md, 'merged at (UTC)');
    expect(row).toEqual(['2026-01-07T10:00:00Z', `#7 ${SHA.slice(0, 12)}`, shown(HOSTILE), 'al|ice', 'b`o|b (not counted)', 'success', shown(HOSTILE), '- [x] undo | now', 'self-approval']);
    expect(rows(md, 'kind')).toEqual([['self-approval', '2026-01-07T10:00:00Z', `#7 ${SHA.slice(0, 12)}`, shown(HOSTILE)]]);
  });

  it('keeps a branch name with backticks in its code span (git allows them in branch names)', () => {
    const name = 'rel`<img src=x onerror=alert(1)>`ease';
    const md = renderMarkdown(report([change()], { branch: { name, ref: `refs/heads/${name}`, sha: 'f'.repeat(40) } }));
    expectOwnStructure(md, ['https://github.test/acme/gitops/pull/7', 'https://github.test/acme/gitops/runs/1']);
    const codes = nodesOf(parseGfm(md), 'inlineCode').map((n) => n.value);
    expect(codes.filter((v) => v === name)).toHaveLength(2);
  });

  it('shows the notes and the sample method of a report read back with --from as text, not Markdown', () => {
    const notes = ['# Fake heading', '<script>alert(1)</script>', '[click](http://x.example)', '<!-- the rest is hidden', '1. numbered'];
    const r = report([change()], { notes, sample: { seed: 'x](http://y.example) | `z`', size: 1, method: '## Sample\n<img src=x onerror=alert(1)>', commits: [SHA] } });
    const md = renderMarkdown(r);
    expectOwnStructure(md, ['https://github.test/acme/gitops/pull/7', 'https://github.test/acme/gitops/runs/1']);
    const tree = parseGfm(md);
    const lists = nodesOf(tree, 'list');
    expect(lists.map((l) => l.children.length)).toEqual([1, notes.length]);
    expect(lists[1]!.children.map(plain)).toEqual(notes);
    expect(nodesOf(tree, 'paragraph').map(plain)).toContain('## Sample <img src=x onerror=alert(1)>');
    expect(plain(nodesOf(tree, 'heading')[2]!)).toBe('Sample (1 of 1, seed x](http://y.example) | `z`)');
  });

  it('keeps a gate conclusion and URLs of a report read back with --from from adding cells or links', () => {
    const c = change({
      pr: { number: 7, url: 'javascript:alert(1)', title: 'Scale', headSha: 'b'.repeat(40), baseRef: 'main' },
      gate: { checkName: 'GitOps Gate', headSha: 'b'.repeat(40), conclusion: 'success | x | y', checkRunUrl: 'https://github.test/runs/1) [pwn](http://evil.example', auditRecordUrl: null },
    });
    const md = renderMarkdown(report([c]));
    expectOwnStructure(md, []);
    const [row] = rows(md, 'merged at (UTC)');
    expect(row).toHaveLength(9);
    expect(row![1]).toBe(`#7 ${SHA.slice(0, 12)}`);
    expect(row![5]).toBe('success | x | y');
  });
});
