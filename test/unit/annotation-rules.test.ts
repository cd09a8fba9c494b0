import { describe, expect, it } from 'vitest';
import { parseAtoi, splitCsv } from '../../src/argocd/vocabulary.js';
import { evaluateFiles } from '../helpers/change.js';

const obj = (annotations: string, kind = 'ConfigMap', api = 'v1') =>
  `apiVersion: ${api}\nkind: ${kind}\nmetadata:\n  name: x\n  annotations:\n${annotations}`;

async function findingsOf(text: string) {
  const r = await evaluateFiles({ 'app/x.yaml': text });
  return r.findings.map((f) => ({ rule: f.rule, line: f.line, severity: f.severity }));
}

describe('parseAtoi (strconv.Atoi semantics)', () => {
  it.each(['5', '-1', '+1', '010', '-0', '9223372036854775807'])('accepts %j', (v) => expect(parseAtoi(v)).toBeDefined());
  it.each([' 1', '1 ', '1.0', '1.5', '0x10', '1_000', '', '+', '9223372036854775808', 'one'])('rejects %j', (v) =>
    expect(parseAtoi(v)).toBeUndefined(),
  );
  it('reads leading zeros as decimal', () => expect(parseAtoi('010')).toBe(10n));
});

describe('splitCsv (GetAnnotationCSVs)', () => {
  it('trims, drops empty items and de-duplicates', () => expect(splitCsv(' PreSync, ,Sync,PreSync,')).toEqual(['PreSync', 'Sync']));
});

describe('wave-not-string', () => {
  it('flags an unquoted integer wave at its line', async () => {
    expect(await findingsOf(obj('    argocd.argoproj.io/sync-wave: 5\n'))).toEqual([{ rule: 'wave-not-string', line: 6, severity: 'error' }]);
  });
  it('passes a quoted wave', async () => {
    expect(await findingsOf(obj('    argocd.argoproj.io/sync-wave: "5"\n'))).toEqual([]);
  });
});

describe('wave-not-integer', () => {
  it.each(['"1.5"', '" 1"', '"early"', '""', "'0x10'"])('flags %s', async (v) => {
    expect(await findingsOf(obj(`    argocd.argoproj.io/sync-wave: ${v}\n`))).toEqual([{ rule: 'wave-not-integer', line: 6, severity: 'error' }]);
  });
  it.each(['"-1"', '"+1"', '"010"'])('passes %s', async (v) => {
    expect(await findingsOf(obj(`    argocd.argoproj.io/sync-wave: ${v}\n`))).toEqual([]);
  });
});

describe('hook-invalid-phase', () => {
  it.each(['presync', 'Pre-Sync', 'pre-install', 'PostSyncHook', 'PreSync,Sink'])('flags %s', async (v) => {
    const f = await findingsOf(obj(`    argocd.argoproj.io/hook: ${v}\n`, 'Job', 'batch/v1'));
    expect(f).toEqual([{ rule: 'hook-invalid-phase', line: 6, severity: 'error' }]);
  });
  it.each(['PreSync', 'Sync', 'PostSync', 'SyncFail', 'Skip', 'PreDelete', 'PostDelete', 'PreSync, PostSync'])('passes %s', async (v) => {
    expect(await findingsOf(obj(`    argocd.argoproj.io/hook: ${v}\n`, 'Job', 'batch/v1'))).toEqual([]);
  });
  it('says the object is never applied when no valid phase is left, and suggests the spelling', async () => {
    const r = await evaluateFiles({ 'j.yaml': obj('    argocd.argoproj.io/hook: presync\n', 'Job', 'batch/v1') });
    expect(r.findings[0]!.message).toContain('never applies it');
    expect(r.findings[0]!.fix).toBe('Write "PreSync".');
  });
});

describe('unknown-argocd-annotation', () => {
  it('flags misspelled keys and prefixes at the key line (mistakes catalogue 03)', async () => {
    const f = await findingsOf(obj('    argocd.argoproj.io/syncwave: "-1"\n    argoproj.io/sync-wave: "-1"\n    argocd.argoproj.io/hooks: PreSync\n', 'Secret'));
    expect(f).toEqual([
      { rule: 'unknown-argocd-annotation', line: 6, severity: 'error' },
      { rule: 'unknown-argocd-annotation', line: 7, severity: 'error' },
      { rule: 'unknown-argocd-annotation', line: 8, severity: 'error' },
    ]);
  });
  it('suggests the intended key', async () => {
    const r = await evaluateFiles({ 's.yaml': obj('    argocd.argoproj.io/syncwave: "-1"\n') });
    expect(r.findings[0]!.fix).toBe('Did you mean argocd.argoproj.io/sync-wave?');
  });
  it('leaves known keys and unrelated prefixes alone', async () => {
    expect(
      await findingsOf(
        obj('    argocd.argoproj.io/sync-options: Prune=false\n    argocd.argoproj.io/compare-options: IgnoreExtraneous\n    example.com/owner: team\n'),
      ),
    ).toEqual([]);
  });
});

describe('annotation-not-string', () => {
  it('flags booleans and nulls in annotations and labels', async () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    enabled: true\n  annotations:\n    argocd.argoproj.io/ignore-healthcheck: true\n    note:\n';
    expect(await findingsOf(text)).toEqual([
      { rule: 'annotation-not-string', line: 6, severity: 'error' },
      { rule: 'annotation-not-string', line: 8, severity: 'error' },
      { rule: 'annotation-not-string', line: 9, severity: 'error' },
    ]);
  });
});

describe('yaml findings', () => {
  it('a broken file fails closed with its line', async () => {
    const r = await evaluateFiles({ 'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n' });
    expect(r.verdict).toBe('fail');
    expect(r.findings[0]).toMatchObject({ rule: 'yaml-syntax', file: 'a.yaml', severity: 'error' });
  });
  it('a duplicate annotations block is an error at the second key (mistakes catalogue 05)', async () => {
    const text = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: broker\n  annotations:\n    a: b\n  annotations:\n    argocd.argoproj.io/sync-wave: "0"\n';
    const r = await evaluateFiles({ 'd.yaml': text });
    expect(r.findings.map((f) => [f.rule, f.line])).toEqual([['yaml-duplicate-key', 7]]);
  });
  // Rendering off: the files as written (src/engine/render-phase.ts renders charts and kustomizations otherwise).
  const noRender = { 'policies/gitops-gate.yaml': 'version: 1\nrender:\n  enabled: false\n' };
  it('a Helm template that is not YAML is not evaluated, not broken', async () => {
    const files = { 'chart/Chart.yaml': 'name: c\nversion: 1.0.0\n', 'chart/templates/d.yaml': 'metadata:\n  name: {{ .Values.name }}\n  {{- include "x" . }}\n' };
    const r = await evaluateFiles({ ...files, ...noRender }, noRender);
    expect(r.findings).toEqual([]);
    expect(r.verdict).toBe('pass');
    expect(r.notEvaluated.map((n) => n.subject)).toEqual(['chart/templates/d.yaml']);
    // Rendering on and no helm: the chart is not evaluated, and that blocks (never a silent pass).
    const on = await evaluateFiles(files, {}, { render: { searchPath: '' } });
    expect(on.findings.map((f) => [f.rule, f.file])).toEqual([['render-not-evaluated', 'chart/Chart.yaml']]);
    expect(on.notEvaluated.map((n) => n.reason)).toEqual([expect.stringContaining('helm was not found on PATH')]);
  });
  it('kustomization files are recognised and not read as resources', async () => {
    const r = await evaluateFiles({ 'k/kustomization.yaml': 'resources: [a.yaml]\ncommonAnnotations:\n  note: "x"\n', ...noRender }, noRender);
    expect(r.findings).toEqual([]);
    expect(r.stats.resourcesExamined).toBe(0);
  });
});
