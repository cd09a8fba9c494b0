import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annotate, annotationOverflowNote, deliverFailure, newCounts, planAnnotations } from '../../src/action/deliver.js';
import { nodesOf, parseGfm, textOf } from '../helpers/gfm.js';
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

describe('deliverFailure', () => {
  const saved = { summary: process.env.GITHUB_STEP_SUMMARY, output: process.env.GITHUB_OUTPUT, exitCode: process.exitCode };
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gg-deliver-'));
    process.env.GITHUB_STEP_SUMMARY = join(dir, 'summary.md');
    process.env.GITHUB_OUTPUT = join(dir, 'output');
    writeFileSync(process.env.GITHUB_OUTPUT, '');
  });
  afterAll(() => {
    for (const [k, v] of [['GITHUB_STEP_SUMMARY', saved.summary], ['GITHUB_OUTPUT', saved.output]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    process.exitCode = saved.exitCode;
    rmSync(dir, { recursive: true, force: true });
  });

  /** The job summary deliverFailure writes for `message` (core.setFailed's exit code is undone). */
  async function summaryFor(message: string): Promise<string> {
    writeFileSync(process.env.GITHUB_STEP_SUMMARY!, '');
    const stdout = process.stdout.write;
    process.stdout.write = () => true; // setFailed's ::error:: line
    try {
      await deliverFailure(message);
    } finally {
      process.stdout.write = stdout;
      process.exitCode = saved.exitCode;
    }
    return readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8');
  }

  // Error messages quote GitHub's answers and the repository's files: whatever they hold, the summary shows
  // the message as one quoted line of text, under the gate's one heading.
  it.each([
    ['a list marker', '- [x] the gate passed'],
    ['a numbered list marker', '1. all checks passed'],
    ['a thematic break', '---'],
    ['an indented code block', '    not code'],
    ['a heading on a line of its own', 'GitHub said:\n## GitOps Gate: ✅ PASS'],
    ['HTML, a link, a comment and code', 'bad input `x` <script>alert(1)</script> [docs](http://x.example) <!-- hidden'],
  ])('quotes a message with %s as text', async (_, message) => {
    const md = await summaryFor(message);
    const tree = parseGfm(md);
    expect(nodesOf(tree, 'heading').map((h) => textOf(h))).toEqual(['GitOps Gate: ❌ FAIL']);
    const quotes = nodesOf(tree, 'blockquote');
    expect(quotes).toHaveLength(1);
    expect(quotes[0]!.children.map((c) => c.type)).toEqual(['paragraph']);
    expect(textOf(quotes[0]!).replace(/\u200b/g, '').trim()).toBe(message.replace(/\n/g, ' ').trim());
    for (const t of ['html', 'link', 'list', 'thematicBreak', 'code', 'inlineCode'] as const) expect(nodesOf(tree, t)).toEqual([]);
  });
});
