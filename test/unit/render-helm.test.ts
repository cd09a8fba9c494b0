import { describe, expect, it } from 'vitest';
import { renderApplications, renderedManifestFiles, unitsOfApplication, unitsOfApplicationSet, type RenderOptions } from '../../src/render/index.js';
import { readManifestFile } from '../../src/manifests/manifest-file.js';
import type { Resource } from '../../src/manifests/resource.js';
import { MemoryTree } from '../helpers/memory-tree.js';
import { renderTools } from '../helpers/render-tools.js';

const tools = renderTools();
const REPO = 'https://github.com/acme/deploy.git';
const opts = (extra: Partial<RenderOptions> = {}): RenderOptions => ({ repoURLs: [REPO, 'git@github.com:acme/deploy.git'], kustomizeBinary: tools.kubectl, helmBinary: tools.helm, ...extra });
const resources = (tree: MemoryTree, path: string): Resource[] => readManifestFile(path, tree.files.get(path)!, { maxFileBytes: 1e6, maxDocuments: 100, maxAliasCount: 100, maxDepth: 50 }).resources;

const CHART = {
  'charts/api/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\n',
  'charts/api/values.yaml': 'wave: "1"\nrawWave: 1\n',
  'charts/api/templates/job.yaml': `apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-migrate
  namespace: {{ .Release.Namespace }}
  annotations:
    argocd.argoproj.io/hook: PreSync
    argocd.argoproj.io/sync-wave: {{ .Values.wave | quote }}
spec: {}
`,
  'charts/api/templates/cm.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
  annotations:
    argocd.argoproj.io/sync-wave: {{ .Values.rawWave }}
`,
};

const helmApp = (name: string, helm: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
spec:
  destination: {server: https://kubernetes.default.svc, namespace: pay}
  source:
    repoURL: ${REPO}
    path: charts/api
    targetRevision: main
${helm}`;

describe('helm rendering (real helm template)', () => {
  it('renders a value that changes a wave, and an unquoted value as an integer annotation; provenance is the template', async () => {
    const tree = new MemoryTree({ ...CHART, 'apps/api.yaml': helmApp('api', '    helm:\n      parameters:\n      - {name: wave, value: "-3", forceString: true}\n') });
    const [r] = await renderApplications(tree, resources(tree, 'apps/api.yaml').flatMap(unitsOfApplication), opts());
    expect(r!.status, r!.reason).toBe('rendered');
    expect(r!.sourceType).toBe('Helm');
    expect(r!.tool).toMatchObject({ name: 'helm', version: expect.stringMatching(/^v\d/) });
    const job = r!.objects.find((o) => o.key === 'batch/Job pay/api-migrate')!;
    expect(job).toBeDefined(); // release name defaults to the Application name, namespace to the destination's
    expect((job.object.metadata as { annotations: Record<string, unknown> }).annotations['argocd.argoproj.io/sync-wave']).toBe('-3');
    expect(job.origin).toEqual({ file: 'charts/api/templates/job.yaml', line: 1, via: 'helm-source' });
    const cm = renderedManifestFiles(r!).flatMap((f) => f.resources).find((x) => x.kind === 'ConfigMap')!;
    expect(cm.file).toBe('charts/api/templates/cm.yaml');
    expect(cm.annotations.get('argocd.argoproj.io/sync-wave')).toMatchObject({ value: 1, isString: false });
  });

  it('multi-source: value files from a $values ref source of this repository', async () => {
    const tree = new MemoryTree({
      ...CHART,
      'env/prod/values.yaml': 'wave: "-7"\n',
      'apps/multi.yaml': `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: multi
spec:
  destination: {server: https://kubernetes.default.svc, namespace: pay}
  sources:
  - repoURL: git@github.com:acme/deploy.git
    targetRevision: main
    ref: values
  - repoURL: ${REPO}
    targetRevision: main
    path: charts/api
    helm:
      releaseName: rel
      valueFiles: [$values/env/prod/values.yaml]
  - repoURL: https://github.com/other/repo.git
    path: x
`,
    });
    const units = resources(tree, 'apps/multi.yaml').flatMap(unitsOfApplication);
    expect(units.map((u) => u.id)).toEqual(['apps/multi.yaml#multi@1', 'apps/multi.yaml#multi@2']);
    const [r, other] = await renderApplications(tree, units, opts());
    expect(r!.status, r!.reason).toBe('rendered');
    const job = r!.objects.find((o) => o.key === 'batch/Job pay/rel-migrate')!;
    expect((job.object.metadata as { annotations: Record<string, unknown> }).annotations['argocd.argoproj.io/sync-wave']).toBe('-7');
    expect(other).toMatchObject({ status: 'not-evaluated', reason: expect.stringContaining('another repository') });
  });

  it('a chart dependency that is not vendored in charts/ is not evaluated (needs network)', async () => {
    const tree = new MemoryTree({
      ...CHART,
      'charts/api/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\ndependencies:\n- name: redis\n  version: 1.0.0\n  repository: https://charts.example.invalid\n',
      'apps/api.yaml': helmApp('api', ''),
    });
    const [r] = await renderApplications(tree, resources(tree, 'apps/api.yaml').flatMap(unitsOfApplication), opts());
    expect(r).toMatchObject({ status: 'not-evaluated', reason: expect.stringMatching(/^needs network: .*redis/) });
  });

  it('expands an ApplicationSet list generator into rendered Applications', async () => {
    const tree = new MemoryTree({
      ...CHART,
      'env/dev.yaml': 'wave: "2"\n',
      'env/prod.yaml': 'wave: "-2"\n',
      'apps/set.yaml': `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: api-set
spec:
  generators:
  - list:
      elements:
      - env: dev
      - env: prod
  template:
    metadata:
      name: 'api-{{env}}'
    spec:
      destination: {server: https://kubernetes.default.svc, namespace: '{{env}}'}
      source:
        repoURL: ${REPO}
        targetRevision: main
        path: charts/api
        helm:
          valueFiles: ['/env/{{env}}.yaml']
`,
    });
    const units = resources(tree, 'apps/set.yaml').flatMap((r) => unitsOfApplicationSet(r, { files: [...tree.files.keys()], isThisRepo: (u) => u === REPO }));
    expect(units.map((u) => u.app.name)).toEqual(['api-dev', 'api-prod']);
    const results = await renderApplications(tree, units, opts());
    const waves = results.map((r) => {
      const job = r.objects.find((o) => o.object.kind === 'Job')!;
      return [job.key, (job.object.metadata as { annotations: Record<string, unknown> }).annotations['argocd.argoproj.io/sync-wave']];
    });
    expect(waves).toEqual([
      ['batch/Job dev/api-dev-migrate', '2'],
      ['batch/Job prod/api-prod-migrate', '-2'],
    ]);
  });
});
