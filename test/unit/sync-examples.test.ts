/**
 * Every wave, hook and migration example of the mistakes catalogue (test/fixtures/argocd-mistakes, copied from
 * the project's ArgoCD reference) is flagged at the severity its header states or worse, in its file and at a
 * line marked `# <--`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { atLeast, type Severity } from '../../src/core/model.js';
import { evaluateFiles } from '../helpers/change.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'argocd-mistakes');
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

describe('mistakes catalogue examples (waves, hooks, migrations)', () => {
  it('covers the odd-numbered examples 01 to 21', () => {
    expect(files.map((f) => f.slice(0, 2))).toEqual(['01', '03', '05', '07', '09', '11', '13', '15', '17', '19', '21']);
  });

  for (const name of files) {
    it(`flags ${name}`, async () => {
      const text = readFileSync(join(DIR, name), 'utf8');
      const header = /^# expected-finding: (ERROR|WARNING|NOTICE) rule=([a-z0-9-]+)$/m.exec(text);
      expect(header).not.toBeNull();
      const severity = header![1]!.toLowerCase() as Severity;
      const rule = header![2]!;
      const marked = text.split('\n').flatMap((l, i) => (l.includes('# <--') ? [i + 1] : []));
      expect(marked.length).toBeGreaterThan(0);
      const path = `apps/example/${name}`;
      const report = await evaluateFiles({ [path]: text });
      const hits = report.findings.filter((f) => f.rule === rule && f.file === path);
      expect(hits.length, `no ${rule} finding; got ${report.findings.map((f) => `${f.rule}:${f.line}`).join(', ')}`).toBeGreaterThan(0);
      expect(hits.some((f) => atLeast(f.severity, severity) && marked.includes(f.line)), JSON.stringify(hits.map((h) => [h.severity, h.line]))).toBe(true);
      expect(report.verdict).toBe(severity === 'error' ? 'fail' : report.verdict);
    });
  }
});
