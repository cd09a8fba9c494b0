/**
 * The summary's findings tables are serialised row by row and only when they can be shown (see
 * FindingTables in src/report/markdown.ts); these tests hold that to the text of the whole tables serialised
 * at once, for hostile text, and check that the size floor that skips a variant never skips one that fits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../src/core/model.js';
import { fitBlocks, measure } from '../../src/report/limits.js';
import { findingsByFile, renderMarkdown } from '../../src/report/markdown.js';
import { code, link, paragraph, serialize, rowFloor, serializeParagraphs, serializeTableUpTo, strong, table, tableHead, tableRowLines, text, untrusted } from '../../src/report/md.js';
import { finding, makeReport } from '../helpers/report.js';

const HOSTILE = [
  '<img src=x onerror=alert(1)> | ## PASS',
  '@org/admins https://evil.example/x www.example.com',
  '`code` ``two`` *star* _under_ ~~strike~~ [l](javascript:x)',
  'right\u202eleft\u200bzero\nnew line\r\nand | pipe',
  '_lead and trail_',
  '*',
  ' spaces ',
  '\\| backslash pipe',
  '🛑 astral 𝔘',
  '',
  'x'.repeat(600),
];

const hostile = fc.constantFrom(...HOSTILE);
const findingArb = fc.record({
  file: fc.oneof(fc.constantFrom('apps/a.yaml', 'apps/b.yaml', 'apps/my app/`t`|p <b>.yaml'), hostile.map((h) => `apps/${h.slice(0, 40)}.yaml`)),
  line: fc.integer({ min: 1, max: 500 }),
  severity: fc.constantFrom<Finding['severity']>('error', 'warning', 'notice'),
  rule: fc.constantFrom('wave-not-string', 'a|b', 'x`y'),
  message: hostile,
  fix: hostile,
  status: fc.constantFrom<Finding['status']>('new', 'pre-existing'),
});

type FindingInput = { file: string; line: number; severity: Finding['severity']; rule: string; message: string; fix: string; status: Finding['status'] };

function reportOf(fs: FindingInput[], noUrl = false): Report {
  const r = makeReport({ findings: fs.map((f) => finding(f.file, f.line, f)) });
  if (noUrl) delete r.change.serverUrl;
  return r;
}

describe('large summaries', () => {
  it('the findings tables are the whole tables serialised at once, hostile text included', () => {
    fc.assert(
      fc.property(fc.array(findingArb, { maxLength: 40 }), fc.boolean(), (fs, noUrl) => {
        const r = reportOf(fs, noUrl);
        const md = renderMarkdown(r);
        const newF = r.findings.filter((f) => f.status === 'new');
        const oldF = r.findings.filter((f) => f.status === 'pre-existing');
        if (newF.length) expect(md).toContain(`### New findings (${newF.length})\n\n${findingsByFile(r, newF)}\n\n`);
        if (oldF.length) expect(md).toContain(`they do not block</summary>\n\n${findingsByFile(r, oldF)}\n\n</details>`);
      }),
      { numRuns: 60 },
    );
  });

  it('shows the first 50 findings as the whole table of those would', () => {
    const fs = Array.from({ length: 120 }, (_, i) => finding(`apps/${HOSTILE[i % HOSTILE.length]!.slice(0, 20)}/${i % 7}.yaml`, i + 1, { message: HOSTILE[i % HOSTILE.length]! }));
    const r = makeReport({ findings: fs });
    const md = renderMarkdown(r, { budget: { max: 40_000, unit: 'chars' } });
    expect(md).toContain(`### New findings (120)\n\n${findingsByFile(r, fs, 50)}\n\n_The other findings were left out`);
  });

  it('a budget the size of the full summary keeps it whole; one unit less shortens it (the size floor never over-estimates)', () => {
    fc.assert(
      fc.property(fc.array(findingArb, { minLength: 1, maxLength: 30 }), fc.constantFrom<'chars' | 'bytes'>('chars', 'bytes'), (fs, unit) => {
        const r = reportOf(fs);
        const full = renderMarkdown(r);
        const max = measure(full, unit);
        expect(renderMarkdown(r, { budget: { max, unit } })).toBe(full);
        const less = renderMarkdown(r, { budget: { max: max - 1, unit } });
        expect(less).not.toBe(full);
        expect(measure(less, unit)).toBeLessThanOrEqual(max - 1);
      }),
      { numRuns: 40 },
    );
  });

  it('table rows serialised apart are the lines of the whole table, also when a cell spans lines', () => {
    const header = ['A', 'B', 'C'];
    const rows = [[text('a | b'), code('x|y'), link('https://e.example/a b', text('L1'))], [untrusted(HOSTILE[3]!), text('raw\nline')], [text('')], [strong(text('*')), text('_x_')], [{ type: 'inlineCode' as const, value: 'spans\nlines' }]];
    const whole = serialize([table(header, rows)]);
    expect(`${tableHead(header)}\n${tableRowLines(3, rows).join('\n')}`).toBe(whole);
    // One entry per row, each the row's own text (a row of several lines stays one entry).
    expect(tableRowLines(3, rows)).toEqual(rows.map((row) => serialize([table(header, [row])]).split('\n').slice(2).join('\n')));
    expect(serializeTableUpTo(header, rows.length, (i) => rows[i]!, { max: whole.length, unit: 'chars' })).toBe(whole);
    expect(serializeTableUpTo(header, rows.length, (i) => rows[i]!, { max: whole.length - 1, unit: 'chars' })).toBeUndefined();
  });

  it('the floor of a row is never more than its line, hostile text included', () => {
    const cell = fc.oneof(
      hostile.map((h) => text(h)),
      hostile.map((h) => untrusted(h, 500)),
      hostile.map((h) => code(h)),
      hostile.map((h) => link('https://github.com/acme/deploy/blob/a/b.yaml#L1', untrusted(h))),
      fc.constantFrom(link('https://e.example/', text('https://e.example/')), link('mailto:a@b.c', text('mailto:a@b.c'))),
      hostile.map((h) => strong(text(h))),
    );
    fc.assert(
      fc.property(fc.array(cell, { minLength: 1, maxLength: 4 }), fc.constantFrom<'chars' | 'bytes'>('chars', 'bytes'), (cells, unit) => {
        const [line] = tableRowLines(cells.length, [cells]);
        expect(rowFloor(cells, unit)).toBeLessThanOrEqual(measure(line!, unit));
      }),
      { numRuns: 300 },
    );
    // Tight where nothing is escaped: the text, a pipe per cell and one more.
    expect(rowFloor([text('ab'), code('c')], 'chars')).toBe(2 + 1 + 3);
  });

  it("a finding's `rule: message` cell, with the message in the same text node as `: `, serialises as with two nodes", () => {
    const ch = fc.constantFrom(...'ab _*`|\\#-+>!<[](){}~:/.@&;\u00e9𝔘\t09=wW'.split(''), 'www.', 'http://', ' _', '* ', '\u202e', '&amp;', '\n');
    fc.assert(
      fc.property(fc.array(ch, { maxLength: 30 }).map((a) => a.join('')), fc.constantFrom('wave-not-string', 'a|b', 'x`y', ''), (m, rule) => {
        const message = untrusted(m, 500);
        const apart = serialize([table(['A'], [[[code(rule), text(': '), message]]])]);
        expect(serialize([table(['A'], [[[code(rule), text(`: ${message.value}`)]]])])).toBe(apart);
      }),
      { numRuns: 2000 },
    );
  });

  it('paragraphs serialised in one run are each as serialised alone, also one with a line break', () => {
    const ps = [paragraph(text('# not a heading')), paragraph(text('two\nlines')), paragraph(strong(untrusted(HOSTILE[0]!))), paragraph(text('- item'))];
    expect(serializeParagraphs(ps)).toEqual(ps.map((p) => serialize([p])));
    expect(serializeParagraphs(ps.filter((_, i) => i !== 1))).toEqual(ps.filter((_, i) => i !== 1).map((p) => serialize([p])));
  });

  it('a variant that declines (larger than the budget on its own) is never chosen nor built in full', () => {
    const calls: number[] = [];
    const big = (budget: { max: number }) => {
      calls.push(budget.max);
      return undefined;
    };
    const out = fitBlocks([{ id: 'a', priority: 1, variants: [big, 'B'.repeat(20), 'b'] }], { max: 30, unit: 'chars' }, 'cut');
    expect(out.text).toBe(`${'B'.repeat(20)}\n`);
    expect(calls).toEqual([30]);
  });
});
