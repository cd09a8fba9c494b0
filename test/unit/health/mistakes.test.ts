/**
 * Each health example of the mistakes catalogue (test/fixtures/health-mistakes, from
 * argocd-mistakes.md) is flagged at the severity its header states or worse, on a line the example
 * marks with "<--".
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { atLeast, type Severity } from '../../../src/core/model.js';
import { evaluateFiles } from '../../helpers/change.js';

const dir = new URL('../../fixtures/health-mistakes/', import.meta.url);

describe('health mistakes catalogue', () => {
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    it(name, async () => {
      const text = readFileSync(new URL(name, dir), 'utf8');
      const m = /^# expected-finding: (\w+) rule=([\w-]+)/m.exec(text);
      expect(m).not.toBeNull();
      const severity = m![1]!.toLowerCase() as Severity;
      const rule = m![2]!;
      const marked = text.split('\n').flatMap((l, i) => (l.includes('<--') && !l.startsWith('#') ? [i + 1] : []));
      const file = `argocd/${name}`;
      const report = await evaluateFiles({ [file]: text });
      const hits = report.findings.filter((f) => f.rule === rule && f.file === file);
      expect(hits.length, JSON.stringify(report.findings.map((f) => [f.rule, f.line]))).toBeGreaterThan(0);
      expect(hits.some((f) => atLeast(f.severity, severity))).toBe(true);
      expect(hits.some((f) => marked.includes(f.line)), `lines ${hits.map((f) => f.line)} vs marked ${marked}`).toBe(true);
    });
  }
});
