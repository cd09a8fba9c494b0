/**
 * Health checks that exist only in rendered objects (src/health/rendered.ts), through `evaluate` with the real
 * tools (test/helpers/render-tools.ts): an argocd-cm a Helm chart shaped like argo-cd renders from a value file,
 * an ArgoCD CR a kustomize overlay patches with a JSON6902 patch, and the coverage the sync rules count.
 */
import { describe, expect, it } from 'vitest';
import type { Change } from '../../src/core/model.js';
import { evaluate } from '../../src/composition.js';
import { memoryChange } from '../helpers/change.js';
import { renderTools } from '../helpers/render-tools.js';

const tools = renderTools();
const render = { kustomizeBinary: tools.kubectl, helmBinary: tools.helm };
const run = (change: Change) => evaluate(change, { policyPath: 'policies', now: () => new Date('2026-01-01T00:00:00Z'), render });

const REPO = 'https://git.example/platform.git';
const app = (name: string, path: string, extra = '') =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${name}\n  namespace: argocd\nspec:\n  project: default\n  source:\n    repoURL: ${REPO}\n    targetRevision: HEAD\n    path: ${path}\n${extra}  destination:\n    server: https://kubernetes.default.svc\n    namespace: argocd\n`;

/** A chart shaped like argo-cd's: `configs.cm` of the values becomes the data of argocd-cm. */
const chart: Record<string, string> = {
  'apps/argocd.yaml': app('argocd', 'platform/argo-cd', '    helm:\n      valueFiles:\n        - envs/prod.yaml\n'),
  'platform/argo-cd/Chart.yaml': 'apiVersion: v2\nname: argo-cd\nversion: 1.0.0\n',
  'platform/argo-cd/values.yaml': 'configs:\n  cm:\n    timeout.reconciliation: 180s\n',
  'platform/argo-cd/templates/argocd-cm.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\n  namespace: {{ .Release.Namespace }}\ndata:\n{{- with .Values.configs.cm }}\n  {{- toYaml . | nindent 2 }}\n{{- end }}\n',
};
const goodLua = 'hs = {status = "Progressing", message = "waiting"}\nif obj.status ~= nil and obj.status.ready then\n  hs.status = "Healthy"\nend\nreturn hs\n';
/** Line 8 of the file: `//` is no operator of ArgoCD's Lua 5.1. */
const brokenLua = 'hs = {status = "Progressing", message = "waiting"}\nif obj.status ~= nil and obj.status.ready then\n  hs.status = "Healthy"\nend\nhs.message = 7 // 2\nreturn hs\n';
const prodValues = (lua: string) => `configs:\n  cm:\n    resource.customizations.health.example.com_Widget: |\n${lua.trimEnd().split('\n').map((l) => `      ${l}`).join('\n')}\n`;

describe('health checks from rendered objects', () => {
  it('a Helm value file that puts a broken check into argocd-cm is found at the value file line', async () => {
    const base = { ...chart, 'platform/argo-cd/envs/prod.yaml': prodValues(goodLua) };
    const head = { ...chart, 'platform/argo-cd/envs/prod.yaml': prodValues(brokenLua) };
    const r = await run(memoryChange(base, head));
    const hits = r.findings.filter((f) => f.rule === 'lua-syntax-error');
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ file: 'platform/argo-cd/envs/prod.yaml', line: 8, status: 'new', severity: 'error' });
    expect(hits[0]!.message).toContain('rendered by Application argocd');
    expect(r.verdict).toBe('fail');
    expect(r.details.health?.checks).toEqual([expect.objectContaining({ key: 'example.com/Widget', file: 'platform/argo-cd/envs/prod.yaml', line: 3 })]);
  });

  it('the good twin: the check is run on a fresh object and gives no finding', async () => {
    const base = { ...chart, 'platform/argo-cd/envs/prod.yaml': prodValues(goodLua) };
    const head = { ...base, 'platform/argo-cd/envs/prod.yaml': prodValues(goodLua.replace('waiting', 'waiting for the widget')) };
    const r = await run(memoryChange(base, head));
    expect(r.findings.filter((f) => f.rule.startsWith('lua-') || f.rule.startsWith('health-'))).toEqual([]);
    expect(r.details.health?.fresh).toEqual([{ key: 'example.com/Widget', file: 'platform/argo-cd/envs/prod.yaml', result: { status: 'Progressing', message: 'waiting for the widget' } }]);
  });

  it('a broken check already on the base is pre-existing', async () => {
    const both = { ...chart, 'platform/argo-cd/envs/prod.yaml': prodValues(brokenLua) };
    const head = { ...both, 'platform/argo-cd/values.yaml': 'configs:\n  cm:\n    timeout.reconciliation: 240s\n' };
    const r = await run(memoryChange(both, head));
    expect(r.findings.filter((f) => f.rule === 'lua-syntax-error').map((f) => [f.file, f.status])).toEqual([['platform/argo-cd/envs/prod.yaml', 'pre-existing']]);
  });

  it('a check in the chart values.yaml, read raw and rendered, is reported once', async () => {
    const head: Record<string, string> = { ...chart, 'platform/argo-cd/values.yaml': prodValues(brokenLua), 'apps/argocd.yaml': app('argocd', 'platform/argo-cd') };
    const r = await run(memoryChange({}, head));
    expect(r.findings.filter((f) => f.rule === 'lua-syntax-error').map((f) => [f.file, f.line])).toEqual([['platform/argo-cd/values.yaml', 8]]);
  });

  it('a health_test.yaml for the kind runs the rendered check (suites where present)', async () => {
    const suite: Record<string, string> = {
      'health/example.com/Widget/health_test.yaml': 'tests:\n  - healthStatus:\n      status: Healthy\n      message: waiting\n    inputPath: testdata/ready.yaml\n  - healthStatus:\n      status: Progressing\n      message: waiting\n    inputPath: testdata/new.yaml\n',
      'health/example.com/Widget/testdata/ready.yaml': 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nstatus:\n  ready: true\n',
      'health/example.com/Widget/testdata/new.yaml': 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n',
    };
    const base = { ...chart, ...suite, 'platform/argo-cd/envs/prod.yaml': prodValues(goodLua) };
    const r = await run(memoryChange(base, { ...base, 'platform/argo-cd/envs/prod.yaml': prodValues(goodLua.replace('"Healthy"', '"Degraded"')) }));
    const failed = r.findings.filter((f) => f.rule === 'health-test-failed');
    expect(failed.map((f) => [f.file, f.line, f.status])).toEqual([['health/example.com/Widget/health_test.yaml', 2, 'new']]);
    expect(failed[0]!.message).toContain('script for example.com/Widget in platform/argo-cd/envs/prod.yaml');
    expect(r.details.health?.tests.map((t) => [t.headPass, t.basePass])).toEqual([[false, true], [true, true]]);
  });

  it('a bad key in the value file is found at its line', async () => {
    const head = { ...chart, 'platform/argo-cd/envs/prod.yaml': prodValues(goodLua).replace('example.com_Widget', 'example.com.Widget') };
    const r = await run(memoryChange(chart, head));
    expect(r.findings.filter((f) => f.rule === 'health-key-bad-separator').map((f) => [f.file, f.line, f.status])).toEqual([['platform/argo-cd/envs/prod.yaml', 3, 'new']]);
  });

  it('a JSON6902 patch (a JSON file) adding a resourceHealthChecks entry with an invalid status is found at the patch', async () => {
    const files: Record<string, string> = {
      'apps/argocd.yaml': app('argocd', 'argocd/overlays/prod'),
      'argocd/base/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - argocd.yaml\n',
      'argocd/base/argocd.yaml': 'apiVersion: argoproj.io/v1beta1\nkind: ArgoCD\nmetadata:\n  name: argocd\nspec:\n  resourceHealthChecks: []\n',
      'argocd/overlays/prod/kustomization.yaml':
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base\npatches:\n  - path: health-checks.json\n    target:\n      group: argoproj.io\n      kind: ArgoCD\n      name: argocd\n',
    };
    const patch = (status: string) =>
      `[\n  {\n    "op": "add",\n    "path": "/spec/resourceHealthChecks/-",\n    "value": {\n      "group": "example.com",\n      "kind": "Widget",\n      "check": "hs = {}\\nhs.status = \\"${status}\\"\\nreturn hs\\n"\n    }\n  }\n]\n`;
    const base = { ...files, 'argocd/overlays/prod/health-checks.json': patch('Healthy') };
    const head = { ...files, 'argocd/overlays/prod/health-checks.json': patch('Ready') };
    const r = await run(memoryChange(base, head));
    const hits = r.findings.filter((f) => f.rule === 'lua-invalid-status-value');
    expect(hits.length).toBeGreaterThan(0);
    for (const h of hits) expect(h).toMatchObject({ file: 'argocd/overlays/prod/health-checks.json', line: 8, status: 'new' });
    expect(r.verdict).toBe('fail');
    // The good twin, alone: nothing.
    const good = await run(memoryChange(files, base));
    expect(good.findings.filter((f) => f.rule.startsWith('lua-') || f.rule.startsWith('health-'))).toEqual([]);
  });

  it('a custom kind whose health check only the rendered argocd-cm holds counts as having health for the wave rules', async () => {
    const W = 'argocd.argoproj.io/sync-wave';
    const workload: Record<string, string> = {
      'apps/shop.yaml': app('shop', 'shop'),
      'shop/widget.yaml': `apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  annotations:\n    ${W}: "-1"\n    argocd.argoproj.io/sync-options: SkipDryRunOnMissingResource=true\n`,
      'shop/api.yaml': `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  annotations:\n    ${W}: "1"\nspec:\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec: {containers: [{name: api, image: example/api:1, args: ["--widget=http://w:8080"]}]}\n`,
    };
    const covered = await run(memoryChange({}, { ...workload, ...chart, 'platform/argo-cd/envs/prod.yaml': prodValues(goodLua) }));
    expect(covered.findings.filter((f) => f.rule === 'wave-without-health-gate')).toEqual([]);
    // Without the rendered check the Widget has no health, and the rule says so.
    const bare = await run(memoryChange({}, { ...workload, ...chart, 'platform/argo-cd/envs/prod.yaml': 'configs:\n  cm: {}\n' }));
    expect(bare.findings.filter((f) => f.rule === 'wave-without-health-gate').map((f) => f.file)).toEqual(['shop/widget.yaml']);
  });
});
