/** health_test.yaml suites in ArgoCD's layout, run at base and head. */
import { describe, expect, it } from 'vitest';
import { evaluateFiles as evaluateAll } from '../../helpers/change.js';
import { HEALTH_RULES } from '../../../src/health/check.js';
import { renderHealthSection } from '../../../src/report/health-section.js';

const HEALTH = new Set(HEALTH_RULES.map((r) => r.id));

/** Evaluates and keeps only the health area's findings (other areas' rules also see these manifests). */
async function evaluateFiles(...args: Parameters<typeof evaluateAll>) {
  const r = await evaluateAll(...args);
  return { ...r, findings: r.findings.filter((f) => HEALTH.has(f.rule)) };
}
import { BUILTIN_ARGOCD_VERSION, knownHealthCheck } from '../../../src/argocd/builtin-health.js';

const SCRIPT = `hs = {status = "Progressing", message = "Waiting"}
if obj.status ~= nil and obj.status.ready == obj.spec.replicas then
  hs = {status = "Healthy", message = obj.status.ready .. "/" .. obj.spec.replicas .. " ready"}
end
return hs
`;
const input = (ready?: number) => `apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  replicas: 3\n${ready === undefined ? '' : `status:\n  ready: ${ready}\n`}`;
const suite = (healthyMessage: string) => `tests:
- healthStatus:
    status: Progressing
    message: Waiting
  inputPath: testdata/progressing.yaml
- healthstatus:
    STATUS: Healthy
    message: "${healthyMessage}"
  inputpath: testdata/healthy.yaml
`;
const dir = 'resource_customizations/example.com/Widget';
const layout = (script: string, healthyMessage: string) => ({
  [`${dir}/health.lua`]: script,
  [`${dir}/health_test.yaml`]: suite(healthyMessage),
  [`${dir}/testdata/progressing.yaml`]: input(),
  [`${dir}/testdata/healthy.yaml`]: input(3),
});

type Details = { tests: { case: number; head: string; headPass: boolean; base?: string; changed: boolean }[] };

describe('health_test.yaml', () => {
  it('passes when every case matches (keys are case-insensitive; whole numbers print as integers)', async () => {
    const r = await evaluateFiles(layout(SCRIPT, '3/3 ready'));
    expect(r.findings.filter((f) => f.rule.startsWith('health') || f.rule.startsWith('lua'))).toEqual([]);
    expect((r.details.health as Details).tests.map((t) => [t.case, t.headPass, t.head])).toEqual([
      [1, true, 'Progressing: Waiting'],
      [2, true, 'Healthy: 3/3 ready'],
    ]);
  });
  it('reads suites and inputs written with CRLF line ends as ArgoCD does (82 files in its corpus are)', async () => {
    const crlf = Object.fromEntries(Object.entries(layout(SCRIPT, '3/3 ready')).map(([p, t]) => [p, p.endsWith('.yaml') ? t.replace(/\n/g, '\r\n') : t]));
    const r = await evaluateFiles(crlf);
    expect(r.findings).toEqual([]);
    expect((r.details.health as Details).tests.map((t) => [t.case, t.headPass, t.head])).toEqual([
      [1, true, 'Progressing: Waiting'],
      [2, true, 'Healthy: 3/3 ready'],
    ]);
    // A failing case is reported at its item's line, CRLF or not.
    const failing = await evaluateFiles({ ...crlf, [`${dir}/health_test.yaml`]: suite('wrong').replace(/\n/g, '\r\n') });
    expect(failing.findings.map((f) => [f.rule, f.file, f.line])).toEqual([['health-test-failed', `${dir}/health_test.yaml`, 6]]);
  });
  it('reports a wrong expectation as one failing case with expected and actual', async () => {
    const r = await evaluateFiles(layout(SCRIPT, 'all ready'));
    const failed = r.findings.filter((f) => f.rule === 'health-test-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ file: `${dir}/health_test.yaml`, line: 6, severity: 'error' });
    expect(failed[0]!.message).toContain('expected status "Healthy", message "all ready", got status "Healthy", message "3/3 ready"');
    expect(r.verdict).toBe('fail');
  });
  it('runs the check configured in argocd-cm when the suite has no health.lua, with its useOpenLibs', async () => {
    const cm = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\ndata:\n  resource.customizations.health.example.com_Widget: |\n${SCRIPT.replace(/^/gm, '    ')}`;
    const files = { 'argocd/argocd-cm.yaml': cm, ...layout(SCRIPT, '3/3 ready') };
    delete (files as Record<string, string>)[`${dir}/health.lua`];
    const r = await evaluateFiles(files);
    expect((r.details.health as Details).tests.every((t) => t.headPass)).toBe(true);
  });
  it('chooses the script from the input object\'s group/Kind, not from the directory', async () => {
    const files = { ...layout(SCRIPT, '3/3 ready'), [`${dir}/testdata/healthy.yaml`]: input(3).replace('kind: Widget', 'kind: Gadget') };
    const r = await evaluateFiles(files);
    const failed = r.findings.filter((f) => f.rule === 'health-test-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.message).toContain('no custom health check for example.com/Gadget');
  });
  it('reports a missing input file and a malformed suite', async () => {
    const files: Record<string, string> = { ...layout(SCRIPT, '3/3 ready'), 'health/a.io/B/health_test.yaml': 'tests:\n- inputPath: x.yaml\n' };
    delete files[`${dir}/testdata/healthy.yaml`];
    const r = await evaluateFiles(files);
    expect(r.findings.map((f) => [f.rule, f.line])).toEqual([
      ['health-test-invalid', 2],
      ['health-test-failed', 6],
    ]);
  });
  it('shows which results a changed script alters between base and head', async () => {
    const broken = SCRIPT.replace('"Healthy"', '"Degraded"');
    const r = await evaluateFiles(layout(broken, '3/3 ready'), layout(SCRIPT, '3/3 ready'));
    const rows = (r.details.health as Details).tests;
    expect(rows.map((t) => [t.case, t.headPass, t.changed])).toEqual([
      [1, true, false],
      [2, false, true],
    ]);
    expect(rows[1]!.base).toBe('Healthy: 3/3 ready');
    expect(r.findings.filter((f) => f.rule === 'health-test-failed').map((f) => f.status)).toEqual(['new']);
  });
});

describe('knownHealthCheck', () => {
  it('follows ArgoCD\'s lookup order and knows the v3.6.0 built-ins', () => {
    expect(BUILTIN_ARGOCD_VERSION).toBe('v3.6.0');
    expect(knownHealthCheck('apps', 'Deployment', [])).toBe('builtin-go');
    expect(knownHealthCheck('', 'Pod', [])).toBe('builtin-go');
    expect(knownHealthCheck('argoproj.io', 'Rollout', [])).toBe('builtin-lua');
    expect(knownHealthCheck('pkg.crossplane.io', 'Provider', [])).toBe('builtin-lua');
    expect(knownHealthCheck('argoproj.io', 'Application', [])).toBeUndefined();
    expect(knownHealthCheck('example.com', 'Widget', [])).toBeUndefined();
    expect(knownHealthCheck('argoproj.io', 'Application', [{ key: 'argoproj.io/Application' }])).toBe('custom');
    expect(knownHealthCheck('apps', 'Deployment', [{ key: 'apps/*' }])).toBe('custom');
  });
});

describe('base facts', () => {
  const cm = (key: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\ndata:\n  ${key}: |\n    return {status = "Healthy"}\n`;
  it('count as pre-existing when the change touches no health source', async () => {
    const files = { 'argocd/cm.yaml': cm('resource.customizations.health.a.io-B') };
    const r = await evaluateFiles({ ...files, 'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n' }, files);
    expect(r.findings.map((f) => [f.rule, f.status])).toEqual([['health-key-bad-separator', 'pre-existing']]);
  });
  it('are read again when the change adds an ArgoCD CR that makes argocd-cm checks operator-managed', async () => {
    const files = { 'argocd/cm.yaml': cm('resource.customizations.health.a.io_B') };
    const r = await evaluateFiles({ ...files, 'argocd/cr.yaml': 'apiVersion: argoproj.io/v1beta1\nkind: ArgoCD\nmetadata:\n  name: x\n' }, files);
    expect(r.findings.map((f) => [f.rule, f.status])).toEqual([['argocd-cm-managed-by-operator', 'new']]);
  });
  it('are read again when the change edits a health check', async () => {
    const r = await evaluateFiles({ 'argocd/cm.yaml': cm('resource.customizations.health.a.io-B') }, { 'argocd/cm.yaml': cm('resource.customizations.health.a.io_B') });
    expect(r.findings.map((f) => [f.rule, f.status])).toEqual([['health-key-bad-separator', 'new']]);
  });
});

describe('run limit', () => {
  it('lists runs past maxRunsPerSide as not evaluated instead of passing them silently', async () => {
    const policy = 'version: 1\nhealth:\n  maxRunsPerSide: 1\n';
    const r = await evaluateAll({ ...layout(SCRIPT, '3/3 ready') }, { 'policies/gitops-gate.yaml': policy, ...layout(SCRIPT, '3/3 ready') });
    expect(r.notEvaluated.filter((n) => n.subject === 'health').map((n) => n.reason)).toEqual([
      `${dir}/health_test.yaml test 2: the limit of script runs per side was reached`,
    ]);
  });
});

describe('run budget exhausted (issue 13 item 8)', () => {
  const FILLER = 'return {status = "Healthy"}\n';
  const fillerDir = 'resource_customizations/example.com/Filler';
  const brokenDir = 'resource_customizations/example.com/Widget'; // runs after Filler (suites run in path order)
  const fillers = (n: number) => ({
    [`${fillerDir}/health.lua`]: FILLER,
    [`${fillerDir}/health_test.yaml`]: `tests:\n${'- healthStatus: {status: Healthy}\n  inputPath: testdata/f.yaml\n'.repeat(n)}`,
    [`${fillerDir}/testdata/f.yaml`]: 'apiVersion: example.com/v1\nkind: Filler\nmetadata:\n  name: f\n',
  });
  const broken = (script: string) => ({
    [`${brokenDir}/health.lua`]: script,
    [`${brokenDir}/health_test.yaml`]: 'tests:\n- healthStatus: {status: Healthy}\n  inputPath: testdata/b.yaml\n',
    [`${brokenDir}/testdata/b.yaml`]: 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: b\n',
  });
  it('2,000 filler cases push a broken case past maxRunsPerSide: the unrun case blocks, it is not a pass', async () => {
    const r = await evaluateFiles({ ...fillers(2000), ...broken('return {status = "Degraded"}\n') });
    const found = r.findings.filter((f) => f.rule.startsWith('health-test-budget'));
    expect(found.map((f) => [f.rule, f.severity, f.status, f.file])).toEqual([['health-test-budget-exhausted', 'error', 'new', `${brokenDir}/health.lua`]]);
    expect(found[0]!.message).toContain('example.com/Widget');
    expect(found[0]!.message).toContain(`${brokenDir}/health_test.yaml test 1`);
    expect(r.verdict).toBe('fail');
    const rows = (r.details.health as Details & { tests: { notRun?: boolean }[] }).tests;
    expect(rows.at(-1)).toMatchObject({ headPass: false, notRun: true });
    const summary = renderHealthSection(r, '###')!;
    expect(summary).toContain('failing: 0, not run (health.maxRunsPerSide spent): 1');
    expect(summary).toContain('| NOT RUN |');
  }, 60_000);
  it('a change to an unrun case (its input) blocks even when the script is unchanged', async () => {
    const policy = { 'policies/gitops-gate.yaml': 'version: 1\nhealth:\n  maxRunsPerSide: 1\n' };
    const base = { ...policy, ...layout(SCRIPT, '3/3 ready') };
    const r = await evaluateFiles({ ...base, [`${dir}/testdata/healthy.yaml`]: input(2) }, base);
    const found = r.findings.filter((f) => f.rule.startsWith('health-test-budget'));
    expect(found.map((f) => [f.rule, f.file])).toEqual([['health-test-budget-exhausted', `${dir}/health.lua`]]);
    expect(found[0]!.message).toContain(`${dir}/health_test.yaml test 2 (testdata/healthy.yaml)`);
    expect(r.verdict).toBe('fail');
  });
  it('checks the change did not touch, left unrun, are a warning that does not block', async () => {
    const files = { ...fillers(2000), ...broken('return {status = "Healthy"}\n') };
    const r = await evaluateFiles({ ...files, 'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n' }, files);
    const found = r.findings.filter((f) => f.rule.startsWith('health-test-budget'));
    expect(found.map((f) => [f.rule, f.severity, f.file])).toEqual([['health-test-budget-exhausted-untouched', 'warning', `${brokenDir}/health.lua`]]);
    expect(r.verdict).toBe('pass');
  }, 60_000);
});
