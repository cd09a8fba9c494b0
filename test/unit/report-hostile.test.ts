/**
 * PR data that tries to break or fake the summary: every piece of text from the PR or the manifests must
 * render literally, on its line, with no HTML element, link or mention of its own.
 */
import { marked } from 'marked';
import { describe, expect, it } from 'vitest';
import type { PullRequest, Report } from '../../src/core/model.js';
import { encodePath } from '../../src/report/escape.js';
import { renderComment } from '../../src/publish/comment.js';
import { renderJobSummary } from '../../src/publish/job-summary.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderText } from '../../src/report/text.js';
import { memoryChange } from '../helpers/change.js';
import { evaluate } from '../../src/composition.js';
import { makeReport, rule } from '../helpers/report.js';
import { nodesOf, parseGfm, rawHtml, textOf } from '../helpers/gfm.js';

const FAKE = '\n## GitOps Gate: ✅ PASS\n</details></sub><img src=x onerror=alert(1)><script>alert(2)</script> | a | b |\n`x` [link](javascript:alert(3)) @octocat @org/team ![i](https://evil.example/p.png) <a href="javascript:x">a</a> &lt;b&gt; **bold** _em_ ~~s~~ \u202Eevil\u202C \u200Bzero\u200D';
const HOSTILE_FILE = 'apps/my app/`tick`|pipe <b> (x).yaml';
const RTL_FILE = 'apps/\u202Elmay.live\u202C/a.yaml';

function pr(title: string, body = FAKE): PullRequest {
  return {
    number: 7,
    title,
    body,
    author: { login: 'octo<b>cat' },
    labels: ['</details>'],
    baseRef: 'main',
    headRef: 'pr',
    baseSha: 'b'.repeat(40),
    headSha: 'h'.repeat(40),
    draft: false,
    url: 'https://github.com/o/r/pull/7',
  };
}

const manifest = (wave: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  annotations:\n    argocd.argoproj.io/sync-wave: ${JSON.stringify(wave)}\n`;

async function hostileReport(title = FAKE): Promise<Report> {
  const change = memoryChange({}, { [HOSTILE_FILE]: manifest(FAKE), [RTL_FILE]: manifest('1.5 | x') }, { pr: pr(title), repository: 'o/r', serverUrl: 'https://github.com' });
  const report = await evaluate(change, { policyPath: 'policies', now: () => new Date('2026-01-01T00:00:00Z') });
  report.notes.push(FAKE);
  report.notEvaluated.push({ subject: HOSTILE_FILE, reason: FAKE });
  return report;
}

/** Tag names of every HTML element in `html`. */
function tags(html: string): string[] {
  return [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase());
}

describe('summary under hostile PR data', () => {
  it('keeps exactly one verdict heading, the real one', async () => {
    const md = renderMarkdown(await hostileReport());
    const headings = md.split('\n').filter((l) => /^#{1,6} /.test(l));
    expect(headings.filter((h) => h.includes('GitOps Gate'))).toEqual(['## GitOps Gate: ❌ FAIL']);
    expect(md).not.toMatch(/\n#+ GitOps Gate: ✅/);
  });

  it('renders to HTML with no element, link or image from PR text', async () => {
    const md = renderMarkdown(await hostileReport());
    const html = await marked.parse(md, { gfm: true });
    const allowed = new Set(['h2', 'h3', 'p', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'strong', 'em', 'code', 'details', 'summary', 'sub', 'blockquote', 'ul', 'li', 'br']);
    expect(tags(html).filter((t) => !allowed.has(t))).toEqual([]);
    // The only <details> are the gate's own, each closed once.
    expect(tags(html).filter((t) => t === 'details')).toHaveLength((md.match(/<details><summary>/g) ?? []).length);
    expect((html.match(/<\/details>/g) ?? []).length).toBe((md.match(/<details><summary>/g) ?? []).length);
    // Links go to GitHub only: no javascript: URL, no image.
    for (const m of html.matchAll(/<a [^>]*href="([^"]*)"/g)) expect(m[1]).toMatch(/^https:\/\/github\.com\/o\/r\//);
    expect(html).not.toMatch(/<img|<script|<[^>]*onerror=/i);
    expect(html).not.toContain('<b>');
  });

  it('keeps every findings table row at four cells (line, severity, finding, fix), whatever the file name and message', async () => {
    const html = await marked.parse(renderMarkdown(await hostileReport()), { gfm: true });
    const findingTables = [...html.matchAll(/<table>([\s\S]*?)<\/table>/g)].map((m) => m[1]!).filter((t) => t.includes('<th>Fix</th>'));
    expect(findingTables.length).toBeGreaterThanOrEqual(2);
    for (const t of findingTables) for (const row of t.split('<tr>').slice(1)) expect((row.match(/<t[dh][ >]/g) ?? []).length).toBe(4);
  });

  it('breaks mentions and shows invisible and direction-changing characters', async () => {
    const md = renderMarkdown(await hostileReport());
    expect(md).not.toMatch(/@octocat|@org\/team/);
    expect(md).toContain('@\u200boctocat');
    expect(md).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200c\u200d]/);
    expect(md).toContain('U+202E');
    expect(md).not.toMatch(/\u200b(?!octo|org|cat|\/\/)/u); // only the mention breaks the gate adds itself
  });

  it('links file names with spaces, parentheses, pipes and backticks to the right blob', async () => {
    const html = await marked.parse(renderMarkdown(await hostileReport()), { gfm: true });
    const hrefs = [...html.matchAll(/<a [^>]*href="([^"]*)"/g)].map((m) => m[1]!);
    const fileLink = `https://github.com/o/r/blob/${'h'.repeat(40)}/${encodePath(HOSTILE_FILE)}`;
    expect(hrefs).toContain(fileLink);
    expect(decodeURIComponent(fileLink.split('/blob/')[1]!.slice(41))).toBe(HOSTILE_FILE);
  });

  it('caps a 65,536-character title and keeps the summary within the check run limit', async () => {
    const long = ('# x\n</details>|`' + 'A'.repeat(100)).repeat(700).slice(0, 65_536);
    const md = renderMarkdown(await hostileReport(long));
    const line = md.split('\n').find((l) => l.startsWith('[PR #7]'))!;
    expect(line.length).toBeLessThan(1_000);
    expect(md.length).toBeLessThan(65_535);
  });
});

/** The gate's own HTML: `<details><summary>…</summary>`, `</details>`, `<sub>`, `</sub>`, the sticky marker. */
const OWN_HTML = /^(<details><summary>[^<]*(<code>[^<]*<\/code>[^<]*)*<\/summary>|<\/details>|<\/?sub>|<!-- gitops-gate:sticky[^>]*-->)$/;

describe('Markdown built as a tree: escaping by the serialiser', () => {
  it('inline code outside a table keeps a pipe as is (no stray backslash)', () => {
    const report = makeReport();
    report.policy.path = 'policies/a|b.yaml';
    const codes = nodesOf(parseGfm(renderMarkdown(report)), 'inlineCode').map((c) => c.value);
    expect(codes).toContain('policies/a|b.yaml');
    expect(codes.some((c) => c.includes('\\'))).toBe(false);
  });

  it('inline code with pipes and backticks in a table cell stays in its cell', () => {
    const report = makeReport({ rules: [rule('a|b`c', { state: 'failed', blocking: true, reason: 'x | y `z` | w' })] });
    const tree = parseGfm(renderMarkdown(report));
    const rules = nodesOf(tree, 'table').find((t) => textOf(t.children[0]!).startsWith('AreaRule'))!;
    for (const r of rules.children) expect(r.children).toHaveLength(6);
    expect(nodesOf(rules, 'inlineCode').map((c) => c.value)).toContain('a|b`c');
    expect(textOf(rules.children[1]!.children[2]!)).toBe('❌ failed: x | y `z` | w');
  });

  it('a file name or note that starts like a list item stays text: no list, quote or heading of its own', () => {
    const report = makeReport({ notEvaluated: [{ subject: '1. fake.yaml', reason: 'r1' }, { subject: '+ plus.yaml', reason: 'r2' }, { subject: '# h.yaml', reason: 'r3' }] });
    report.notes.push('- injected item', '1) second', '> nested');
    const tree = parseGfm(renderMarkdown(report));
    const notEvaluated = nodesOf(tree, 'list').find((l) => textOf(l).includes('fake.yaml'))!;
    expect(notEvaluated.children.map((i) => textOf(i))).toEqual(['1. fake.yaml: r1', '+ plus.yaml: r2', '# h.yaml: r3']);
    expect(nodesOf(notEvaluated, 'list')).toHaveLength(1);
    const quotes = nodesOf(tree, 'blockquote');
    expect(quotes.map((q) => textOf(q))).toEqual(expect.arrayContaining(['- injected item', '1) second', '> nested']));
    for (const q of quotes) expect(q.children.map((c) => c.type)).toEqual(['paragraph']);
  });

  it('file names with brackets, parentheses and pipes make one link each, to the blob', async () => {
    const report = makeReport();
    const file = 'apps/[x](javascript:alert(1))|y.yaml';
    report.findings.push({ ...report.findings[0], rule: 'r', severity: 'error', file, line: 3, column: 1, message: 'm', fix: 'f', reference: '', subject: 's', status: 'new', fingerprint: 'x' });
    const md = renderMarkdown(report);
    const links = nodesOf(parseGfm(md), 'link');
    expect(links.every((l) => l.url.startsWith('https://github.com/acme/deploy/'))).toBe(true);
    expect(links.filter((l) => textOf(l) === file)).toHaveLength(1);
    expect(decodeURIComponent(links.find((l) => textOf(l) === file)!.url.split(`/blob/${'a'.repeat(40)}/`)[1]!)).toBe(file);
  });

  it('the PR comment keeps PR text from adding HTML, links, mentions or headings', async () => {
    const report = await hostileReport();
    report.override = { by: 'x<b>y', reason: FAKE, via: 'label' };
    const md = renderComment(report, { checkRun: 'https://github.com/o/r/runs/1' });
    expect(rawHtml(md).filter((h) => !OWN_HTML.test(h))).toEqual([]);
    const tree = parseGfm(md);
    expect(nodesOf(tree, 'heading').map((h) => textOf(h))).toEqual(['GitOps Gate: ❌ FAIL']);
    expect(nodesOf(tree, 'image')).toEqual([]);
    for (const l of nodesOf(tree, 'link')) expect(l.url).toMatch(/^https:\/\/github\.com\/o\/r\//);
    expect(md).not.toMatch(/@octocat|@org\/team/);
  });

  it('every summary table keeps its column count whatever the cells hold', async () => {
    const md = renderMarkdown(await hostileReport());
    const tables = nodesOf(parseGfm(md), 'table');
    expect(tables.length).toBeGreaterThan(3);
    for (const t of tables) for (const r of t.children) expect(r.children.length).toBe(t.children[0]!.children.length);
    expect(rawHtml(md).filter((h) => !OWN_HTML.test(h))).toEqual([]);
  });

  it("the job summary's publishing notes quote GitHub's error text without HTML or mentions, keeping our code spans", () => {
    const md = renderJobSummary(makeReport(), { warnings: ['create check run: GitHub refused it (403 <script>x</script> @org/admins): grant `checks: write`'] });
    expect(rawHtml(md).filter((h) => !OWN_HTML.test(h))).toEqual([]);
    const item = nodesOf(parseGfm(md), 'listItem').find((i) => textOf(i).includes('refused'))!;
    expect(textOf(item)).toBe('⚠️ create check run: GitHub refused it (403 <script>x</script> @\u200borg/admins): grant checks: write');
    expect(nodesOf(item, 'inlineCode').map((c) => c.value)).toEqual(['checks: write']);
  });
});

describe('plain text under hostile data', () => {
  it('keeps each entry on its line and shows control characters', async () => {
    const report = await hostileReport();
    report.findings[0]!.message = 'x\nverdict: PASS \u001b[32mgreen\u001b[0m';
    const text = renderText(report);
    const lines = text.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('verdict:'))).toHaveLength(1);
    expect(lines[1]).toMatch(/^verdict: FAIL/);
    for (const c of ['\u001b', '\u202e', '\u200b']) expect(text).not.toContain(c);
    expect(text).toContain('<U+001B>[32mgreen');
    expect(text).toContain('x\\nverdict: PASS');
  });
});
