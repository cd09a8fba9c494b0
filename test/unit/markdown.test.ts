import { describe, expect, it } from 'vitest';
import { renderJobSummary } from '../../src/publish/job-summary.js';
import { fitBlocks, measure, truncate } from '../../src/report/limits.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import type { SectionRenderer } from '../../src/report/sections.js';
import { finding, makeReport, manyFindings, rule } from '../helpers/report.js';
import { nodesOf, parseGfm, rawHtml, textOf } from '../helpers/gfm.js';

const preExisting = (n: number) => manyFindings(n, 'pre-existing').map((f) => ({ ...f, file: `legacy/${f.file}` }));

describe('summary', () => {
  it('shows verdict, change line, blockers, areas, findings with line links, policy version and controls', () => {
    const md = renderMarkdown(makeReport({ findings: [finding('apps/a.yaml', 7)], notEvaluated: [{ subject: 'charts/x.yaml', reason: 'Helm templates are not rendered' }] }));
    expect(md).toMatch(/^## GitOps Gate: ❌ FAIL/);
    expect(md).toContain('[PR #7](https://github.com/acme/deploy/pull/7) **Raise payments replicas** by @\u200bdana · 2 commits, 3 files changed');
    expect(md).toMatch(/\*\*What blocks:\*\*\n\n- `wave-not-string`: 1 new error at \[apps\/a\.yaml:7\]/);
    expect(md).toContain(`[L7](https://github.com/acme/deploy/blob/${'a'.repeat(40)}/apps/a.yaml#L7)`);
    expect(md).toContain('### Not evaluated (1)');
    expect(md).toContain('Helm templates are not rendered');
    expect(md).toContain(`on base \`bbbbbbb\` · sha256 \`${'c'.repeat(64)}\``);
    expect(md).toMatch(/<details><summary>Compliance controls served by these rules<\/summary>[\s\S]*\| SOC 2 CC8\.1 \| ❌ failed \| `wave-not-string` \|/);
  });

  it('escapes PR text: no raw HTML, no mentions, no fake structure', () => {
    const report = makeReport();
    report.change.pr!.title = '<img src=x onerror=alert(1)> @org/admins | ## PASS';
    const md = renderMarkdown(report);
    const tree = parseGfm(md);
    // Read as GFM, the title is one bold run of literal text: no <img> element, no heading, no table.
    expect(rawHtml(md).some((h) => h.includes('<img'))).toBe(false);
    const title = nodesOf(tree, 'strong').find((n) => textOf(n).includes('onerror'))!;
    expect(textOf(title)).toBe('<img src=x onerror=alert(1)> @\u200borg/admins | ## PASS');
    expect(nodesOf(tree, 'heading').filter((n) => textOf(n).includes('PASS')).map((n) => textOf(n))).toEqual(['GitOps Gate: ✅ PASS']);
    expect(md).toContain('@\u200borg/admins');
  });

  it('without a budget renders everything (backward compatible)', () => {
    const md = renderMarkdown(makeReport({ findings: [...manyFindings(30), ...preExisting(30)] }));
    expect(md.match(/\| \[L\d+\]/g) ?? []).toHaveLength(60);
    expect(md).not.toContain('size limit');
  });

  it('with a budget, collapses pre-existing findings first and keeps the new ones', () => {
    const report = makeReport({ findings: [...manyFindings(5), ...preExisting(400)] });
    const full = renderMarkdown(report);
    const max = Math.floor(full.length / 3);
    const md = renderMarkdown(report, { budget: { max, unit: 'chars' } });
    expect(md.length).toBeLessThanOrEqual(max);
    expect(md).toContain('### New findings (5)');
    expect(md.match(/\| \[L\d+\]/g) ?? []).toHaveLength(5);
    expect(md).toMatch(/Pre-existing findings \(400\)[\s\S]*\| File \| Errors \|/);
    expect(md).not.toContain('legacy/apps/app-0/config.yaml#L1)');
  });

  it('shortens area sections to their compact form, then leaves them out with a pointer', () => {
    const compactable: SectionRenderer = (_r, h) => ({ full: `${h} Sync plan\n\n${'| wave | x |\n'.repeat(3000)}`, compact: `${h} Sync plan\n\n(3000 steps)` });
    const report = makeReport({ findings: manyFindings(3) });
    const a = renderMarkdown(report, { budget: { max: 20_000, unit: 'chars' }, sections: [compactable] });
    expect(a).toContain('(3000 steps)');
    const fullOnly: SectionRenderer = (_r, h) => `${h} Sync plan\n\n${'| wave | x |\n'.repeat(3000)}`;
    const b = renderMarkdown(report, { budget: { max: 20_000, unit: 'chars' }, fullReport: 'see the artifact', sections: [fullOnly] });
    expect(b).toContain('_The "Sync plan" section left out to fit GitHub\'s size limit: see the artifact._');
    expect(b).toContain('### New findings (3)');
  });

  it('a job summary of a huge report stays within 1 MiB and points to the report file', () => {
    const report = makeReport({ findings: [...manyFindings(6000), ...preExisting(6000)] });
    const md = renderJobSummary(report, { warnings: ['create check run "GitOps Gate": GitHub refused it (403).'] });
    expect(measure(md, 'bytes')).toBeLessThanOrEqual(1024 * 1024);
    expect(md).toContain('report-file');
    expect(md).toContain('### Publishing');
    expect(md).toMatch(/^## GitOps Gate: ❌ FAIL/);
  });

  it('a requirement that failed is listed as missing with its reason', () => {
    const md = renderMarkdown(makeReport({ rules: [rule('approvals', { area: 'review', state: 'failed', blocking: true, reason: 'needs an approval from a member of payments' })] }));
    expect(md).toContain('**What is missing:**\n\n- `approvals`: needs an approval from a member of payments');
    expect(md).toMatch(/\| Review \| ❌ failed \| 1 \| 0 \| `approvals` \|/);
  });
});

describe('limits', () => {
  it('truncates by bytes without splitting characters', () => {
    const t = truncate('é'.repeat(100), { max: 51, unit: 'bytes' });
    expect(measure(t, 'bytes')).toBeLessThanOrEqual(51);
    expect(t.endsWith('…')).toBe(true);
    expect(t).not.toContain('\uFFFD');
    expect(truncate('short', { max: 10, unit: 'chars' })).toBe('short');
  });

  it('cuts at a word boundary, never mid-word, unless the word is a long token', () => {
    const t = truncate('the approver has read permission; write is required', { max: 30, unit: 'chars' });
    expect(t).toBe('the approver has read…');
    expect(truncate('one two three', { max: 8, unit: 'chars' })).toBe('one two…');
    expect(truncate(`see ${'x'.repeat(300)}`, { max: 200, unit: 'chars' })).toBe(`see ${'x'.repeat(195)}…`);
  });

  it('cuts hard at a line when nothing can be shortened, closing an open details element', () => {
    const body = `<details><summary>x</summary>\n\n${'line\n'.repeat(500)}</details>`;
    const out = fitBlocks([{ id: 'a', priority: 1, variants: [body] }], { max: 300, unit: 'chars' }, 'CUT: see the full report');
    expect(out.cut).toBe(true);
    expect(out.text.length).toBeLessThanOrEqual(300);
    expect(out.text).toMatch(/<\/details>\n\nCUT: see the full report\n$/);
  });

  it('builds a variant given as a function only when it is tried', () => {
    let built = 0;
    const small = () => {
      built++;
      return 'd';
    };
    const roomy = fitBlocks([{ id: 'a', priority: 1, variants: ['A'.repeat(10), small] }], { max: 60, unit: 'chars' }, 'cut');
    expect([roomy.text, built]).toEqual([`${'A'.repeat(10)}\n`, 0]);
    const tight = fitBlocks([{ id: 'a', priority: 1, variants: ['A'.repeat(100), small] }], { max: 60, unit: 'chars' }, 'cut');
    expect([tight.text, built]).toEqual(['d\n', 1]);
  });

  it('steps down the lowest priority block first', () => {
    const out = fitBlocks(
      [
        { id: 'keep', priority: 9, variants: ['K'.repeat(50), 'k'] },
        { id: 'drop', priority: 1, variants: ['D'.repeat(50), 'd'] },
      ],
      { max: 60, unit: 'chars' },
      'cut',
    );
    expect(out.text).toBe(`${'K'.repeat(50)}\n\nd\n`);
    expect(out.shortened).toEqual(['drop']);
  });

  it('gives a small block back its full form when shortening a bigger one made room', () => {
    const out = fitBlocks(
      [
        { id: 'keep', priority: 9, variants: ['K'.repeat(50)] },
        { id: 'big', priority: 5, variants: ['B'.repeat(100), 'b'] },
        { id: 'small', priority: 1, variants: ['s'.repeat(5), ''] },
      ],
      { max: 70, unit: 'chars' },
      'cut',
    );
    expect(out.text).toBe(`${'K'.repeat(50)}\n\nb\n\nsssss\n`);
    expect(out.shortened).toEqual(['big']);
  });

  it('a check run summary of 1,500 new findings keeps as many rows as fit, and the small tables', () => {
    const findings = [...manyFindings(1500), ...preExisting(1500)];
    const md = renderMarkdown(makeReport({ findings }), { budget: { max: 65_535, unit: 'chars' } });
    expect(md.length).toBeLessThanOrEqual(65_535);
    expect(md.length).toBeGreaterThan(40_000);
    expect(md).toContain('more findings in');
    expect(md).toContain('<details><summary>All rules (1)</summary>');
  });
});
