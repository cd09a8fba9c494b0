import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/composition.js';
import { memoryChange, evaluateFiles } from '../helpers/change.js';

const cm = (wave: string, extra = '') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n${extra}  annotations:\n    argocd.argoproj.io/sync-wave: ${wave}\n`;

describe('engine', () => {
  it('reports a finding present at base and head as pre-existing, and it does not block', async () => {
    const r = await evaluateFiles({ 'a.yaml': cm('5', '  labels: {a: "b"}\n') }, { 'a.yaml': cm('5') });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.status).toBe('pre-existing');
    expect(r.verdict).toBe('pass');
    expect(r.rules.find((x) => x.rule === 'wave-not-string')).toMatchObject({ state: 'passed', findings: { new: 0, preExisting: 1 } });
  });

  it('a finding introduced by the change is new and fails the gate', async () => {
    const r = await evaluateFiles({ 'a.yaml': cm('5') }, { 'a.yaml': cm('"5"') });
    expect(r.findings[0]!.status).toBe('new');
    expect(r.verdict).toBe('fail');
  });

  it('follows renames so a moved file keeps its pre-existing findings', async () => {
    const change = memoryChange({ 'old/a.yaml': cm('5') }, { 'new/a.yaml': cm('5') });
    change.files = [{ path: 'new/a.yaml', status: 'renamed', previousPath: 'old/a.yaml' }];
    const r = await evaluate(change, { policyPath: 'policies' });
    expect(r.findings.map((f) => [f.file, f.status])).toEqual([['new/a.yaml', 'pre-existing']]);
  });

  it('reads only the sync groups the change touches: siblings are evaluated, other directories are not', async () => {
    const files = { 'app/a.yaml': cm('"1"'), 'app/b.yaml': cm('5'), 'other/c.yaml': cm('5') };
    const change = memoryChange(files, { ...files, 'app/a.yaml': cm('"2"') });
    const r = await evaluate(change, { policyPath: 'policies' });
    // app/b.yaml is a sibling in the same group: its finding is reported, as pre-existing; other/ is not read.
    expect(r.findings.map((f) => [f.file, f.status])).toEqual([['app/b.yaml', 'pre-existing']]);
    expect(r.stats.filesExamined).toBe(4); // app/a.yaml and app/b.yaml, at base and at head
  });

  it('in --all mode every finding counts', async () => {
    const change = memoryChange({}, { 'b.yaml': cm('5') });
    change.mode = 'all';
    delete change.base;
    const r = await evaluate(change, { policyPath: 'policies' });
    expect(r.findings.map((f) => f.status)).toEqual(['new']);
    expect(r.verdict).toBe('fail');
  });

  it('honours fail-on and rule severities from the base policy, never the head', async () => {
    const policy = 'version: 1\nrules:\n  wave-not-string: warning\n';
    const loosened = 'version: 1\nrules:\n  wave-not-string: "off"\n';
    const base = { 'policies/gitops-gate.yaml': policy };
    const head = { 'policies/gitops-gate.yaml': loosened, 'a.yaml': cm('5') };
    const r1 = await evaluate(memoryChange(base, head), { policyPath: 'policies' });
    expect(r1.findings[0]!.severity).toBe('warning');
    expect(r1.verdict).toBe('pass');
    expect(r1.policy.changedByThisChange).toBe(true);
    expect(r1.notes.join(' ')).toContain('judged by the policy on the base branch');
    const r2 = await evaluate(memoryChange(base, head), { policyPath: 'policies', failOn: 'warning' });
    expect(r2.verdict).toBe('fail');
  });

  it('lets fail-on only tighten the policy\'s gate.failOn (never < error < warning), with a note when it was looser', async () => {
    const head = { 'a.yaml': cm('5') };
    const byDefault = await evaluate(memoryChange({}, head), { policyPath: 'policies', failOn: 'never' });
    expect([byDefault.failOn, byDefault.verdict]).toEqual(['error', 'fail']);
    expect(byDefault.notes[0]).toContain('The workflow asked for fail-on "never", but the policy (policies/default.yaml (built in)) sets gate.failOn to "error"');
    const pinned = { 'policies/gitops-gate.yaml': 'version: 1\ngate:\n  failOn: warning\nrules:\n  wave-not-string: warning\n' };
    for (const asked of ['never', 'error'] as const) {
      const r = await evaluate(memoryChange(pinned, { ...pinned, ...head }), { policyPath: 'policies', failOn: asked });
      expect([r.failOn, r.verdict]).toEqual(['warning', 'fail']);
    }
    const free = { 'policies/gitops-gate.yaml': 'version: 1\ngate:\n  failOn: never\n' };
    const chosen = await evaluate(memoryChange(free, { ...free, ...head }), { policyPath: 'policies', failOn: 'never' });
    expect([chosen.failOn, chosen.verdict, chosen.notes.some((n) => n.includes('gate.failOn'))]).toEqual(['never', 'pass', false]);
    const stricter = await evaluate(memoryChange({}, head), { policyPath: 'policies', failOn: 'warning' });
    expect([stricter.failOn, stricter.notes.some((n) => n.includes('gate.failOn'))]).toEqual(['warning', false]);
  });

  it('excludes .github/ from manifests by default', async () => {
    const r = await evaluateFiles({ '.github/workflows/ci.yaml': 'on: [push]\njobs: {a: [\n' });
    expect(r.findings).toEqual([]);
    expect(r.stats.filesExamined).toBe(0);
  });
});
