import { describe, expect, it } from 'vitest';
import { annotate, annotationOverflowNote, newCounts, planAnnotations } from '../../src/action/deliver.js';
import { renderJobSummary } from '../../src/publish/job-summary.js';
import type { Finding, Report, Severity } from '../../src/core/model.js';
import { evaluateFiles } from '../helpers/change.js';

function finding(i: number, severity: Severity, status: Finding['status'] = 'new'): Finding {
  return { rule: 'wave-not-string', severity, file: `f${String(i).padStart(2, '0')}.yaml`, line: i + 1, column: 3, message: `m${i}`, fix: 'quote it', reference: 'r', status, fingerprint: `fp${i}` };
}

async function reportWith(findings: Finding[], verdict: Report['verdict']): Promise<Report> {
  const base = await evaluateFiles({});
  return { ...base, findings, verdict };
}

describe('planAnnotations', () => {
  it('annotates at most 10 per level, keeping one error slot for the failure message', async () => {
    const fs = [...Array.from({ length: 12 }, (_, i) => finding(i, 'error')), ...Array.from({ length: 11 }, (_, i) => finding(20 + i, 'warning'))];
    const plan = planAnnotations(await reportWith(fs, 'fail'));
    expect(plan.annotate.filter((f) => f.severity === 'error')).toHaveLength(9);
    expect(plan.annotate.filter((f) => f.severity === 'warning')).toHaveLength(10);
    expect(plan.left).toEqual({ error: 3, warning: 1, notice: 0 });
  });

  it('annotates ten errors on a passing run and never pre-existing findings', async () => {
    const fs = [...Array.from({ length: 10 }, (_, i) => finding(i, 'error')), finding(50, 'error', 'pre-existing')];
    const plan = planAnnotations(await reportWith(fs, 'pass'));
    expect(plan.annotate).toHaveLength(10);
    expect(plan.annotate.some((f) => f.status === 'pre-existing')).toBe(false);
    expect(plan.left.error).toBe(0);
  });
});

describe('annotate', () => {
  it('writes file, line, column and title for each finding at its level', async () => {
    const calls: [string, string, unknown][] = [];
    const rec = (level: string) => (message: string, props: unknown) => calls.push([level, message, props]);
    annotate(planAnnotations(await reportWith([finding(1, 'error'), finding(2, 'notice')], 'fail')), { error: rec('error'), warning: rec('warning'), notice: rec('notice') });
    expect(calls).toEqual([
      ['error', 'm1 Fix: quote it', { title: 'gitops-gate wave-not-string', file: 'f01.yaml', startLine: 2, startColumn: 3 }],
      ['notice', 'm2 Fix: quote it', { title: 'gitops-gate wave-not-string', file: 'f02.yaml', startLine: 3, startColumn: 3 }],
    ]);
  });
});

describe('summary', () => {
  it('says how many findings did not fit in annotations, in the job summary', async () => {
    const r = await reportWith(Array.from({ length: 13 }, (_, i) => finding(i, 'error')), 'fail');
    const note = annotationOverflowNote(planAnnotations(r));
    expect(note).toContain('4 more finding(s) are listed in this summary only');
    expect(renderJobSummary(r, undefined, { notes: [note!] })).toContain('> GitHub shows at most 10 error and 10 warning annotations per step: 4 more finding(s)');
    const fits = await reportWith(Array.from({ length: 9 }, (_, i) => finding(i, 'error')), 'fail');
    expect(annotationOverflowNote(planAnnotations(fits))).toBeUndefined();
  });

  it('counts new errors and warnings only', async () => {
    const r = await reportWith([finding(1, 'error'), finding(2, 'warning'), finding(3, 'error', 'pre-existing'), finding(4, 'notice')], 'fail');
    expect(newCounts(r)).toEqual({ errors: 1, warnings: 1 });
  });
});
