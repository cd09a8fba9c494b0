import { describe, expect, it } from 'vitest';
import { createRenderCache, renderApplications, renderedManifestFiles, unitsOfApplication, type RenderOptions } from '../../src/render/index.js';
import { readManifestFile } from '../../src/manifests/manifest-file.js';
import type { Resource } from '../../src/manifests/resource.js';
import { MemoryTree } from '../helpers/memory-tree.js';
import { renderTools } from '../helpers/render-tools.js';

const tools = renderTools();
const REPO = 'https://github.com/acme/deploy.git';
const opts = (extra: Partial<RenderOptions> = {}): RenderOptions => ({ repoURLs: [REPO], kustomizeBinary: tools.kubectl, helmBinary: tools.helm, concurrency: 2, ...extra });

/** The Application resources of a file of the tree. */
function apps(tree: MemoryTree, path: string): Resource[] {
  return readManifestFile(path, tree.files.get(path)!, { maxFileBytes: 1e6, maxDocuments: 100, maxAliasCount: 100, maxDepth: 50 }).resources;
}

const app = (name: string, path: string, extra = '') => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
spec:
  project: default
  destination:
    server: https://kubernetes.default.svc
    namespace: payments
  source:
    repoURL: ${REPO}
    targetRevision: main
    path: ${path}
${extra}`;

const BASE = {
  'base/kustomization.yaml': 'resources:\n- db.yaml\n- migrate.yaml\n- deploy.yaml\n',
  'base/db.yaml': `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  annotations:
    argocd.argoproj.io/sync-wave: "-1"
spec: {}
`,
  'base/migrate.yaml': `# the migration hook
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    argocd.argoproj.io/hook: PreSync
    argocd.argoproj.io/sync-wave: "0"
spec: {}
`,
  'base/deploy.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: api-config
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 1
`,
  'overlays/prod/kustomization.yaml': `resources:
- ../../base
patches:
- target: {kind: Deployment, name: api}
  patch: |
    - op: add
      path: /metadata/annotations
      value: {argocd.argoproj.io/sync-wave: "-5"}
`,
  'apps/prod.yaml': app('api-prod', 'overlays/prod'),
};

describe('kustomize rendering (real kubectl kustomize)', () => {
  it('renders the prod overlay that moves the Deployment to wave -5, before the DB (-1) and the migration hook (0), with provenance', async () => {
    const tree = new MemoryTree(BASE);
    const units = apps(tree, 'apps/prod.yaml').flatMap(unitsOfApplication);
    expect(units).toHaveLength(1);
    const [r] = await renderApplications(tree, units, opts());
    expect(r!.status, r!.reason).toBe('rendered');
    expect(r!.sourceType).toBe('Kustomize');
    expect(r!.tool).toMatchObject({ name: 'kustomize', version: expect.stringMatching(/^v5\./) });
    const byKey = new Map(r!.objects.map((o) => [o.key, o]));
    const deploy = byKey.get('apps/Deployment /api')!;
    expect((deploy.object.metadata as { annotations: Record<string, string> }).annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '-5' });
    // The JSON patch replaced the whole annotations map, so kustomize names the overlay's patch as the origin
    // (configuredIn), which is where the wave is written.
    expect(deploy.origin).toEqual({ file: 'overlays/prod/kustomization.yaml', line: 1, via: 'kustomize-origin' });
    // Provenance of untouched objects: the file and the line of the object's document in it.
    expect(deploy.yaml).not.toContain('config.kubernetes.io/origin');
    expect(byKey.get('batch/Job /migrate')!.origin).toEqual({ file: 'base/migrate.yaml', line: 2, via: 'kustomize-origin' });
    expect(byKey.get('apps/StatefulSet /db')!.origin.line).toBe(1);
    expect(byKey.get('ConfigMap /api-config')!.origin).toEqual({ file: 'base/deploy.yaml', line: 1, via: 'kustomize-origin' });
    // The checks' view: resources at the origin file and line.
    const files = renderedManifestFiles(r!);
    const res = files.flatMap((f) => f.resources).find((x) => x.kind === 'Deployment')!;
    expect(res.file).toBe('overlays/prod/kustomization.yaml');
    expect(res.annotations.get('argocd.argoproj.io/sync-wave')).toMatchObject({ value: '-5', isString: true, valuePos: { line: 1, column: 1 } });
    const job = files.flatMap((f) => f.resources).find((x) => x.kind === 'Job')!;
    expect(job.file).toBe('base/migrate.yaml');
    expect(job.annotations.get('argocd.argoproj.io/sync-wave')).toMatchObject({ value: '0', valuePos: { line: 2, column: 1 } });
    expect(job.pos(['metadata', 'annotations'])).toEqual({ line: 2, column: 1 });
  });

  it('keeps the source line of a field the render left as written, and the origin line for one a patch set', async () => {
    const tree = new MemoryTree(BASE);
    const units = apps(tree, 'apps/prod.yaml').flatMap(unitsOfApplication);
    const [r] = await renderApplications(tree, units, opts());
    expect(r!.status, r!.reason).toBe('rendered');
    const sourceOf = (file: string) => {
      const text = (BASE as Record<string, string>)[file];
      return text === undefined ? undefined : readManifestFile(file, new TextEncoder().encode(text), { maxFileBytes: 1e6, maxDocuments: 100, maxAliasCount: 100, maxDepth: 50 }).resources;
    };
    const resources = renderedManifestFiles(r!, undefined, sourceOf).flatMap((f) => f.resources);
    const job = resources.find((x) => x.kind === 'Job')!;
    // base/migrate.yaml line 8 holds the wave as written: the finding goes there, not to the document's first line.
    expect(job.annotations.get('argocd.argoproj.io/sync-wave')).toMatchObject({ value: '0', keyPos: { line: 8, column: 5 } });
    expect(job.annotations.get('argocd.argoproj.io/sync-wave')!.valuePos.line).toBe(8);
    expect(job.pos(['metadata', 'annotations', 'argocd.argoproj.io/hook'])).toMatchObject({ line: 7 });
    const db = resources.find((x) => x.kind === 'StatefulSet')!;
    expect(db.keyPos(['metadata', 'name'])).toMatchObject({ line: 4 });
    // The overlay's JSON patch wrote the Deployment's wave: no source line holds it, so it stays at the origin.
    const deploy = resources.find((x) => x.kind === 'Deployment')!;
    expect(deploy.annotations.get('argocd.argoproj.io/sync-wave')!.valuePos).toEqual({ line: 1, column: 1 });
  });

  it('applies the Application kustomize options: commonAnnotations adding a hook, namePrefix, images', async () => {
    const tree = new MemoryTree({
      ...BASE,
      'apps/hooked.yaml': app(
        'hooked',
        'base',
        `    kustomize:
      namePrefix: prod-
      commonAnnotations:
        argocd.argoproj.io/hook: Sync
      images:
      - nginx=registry.local/nginx:1.27
`,
      ),
    });
    const [r] = await renderApplications(tree, apps(tree, 'apps/hooked.yaml').flatMap(unitsOfApplication), opts());
    expect(r!.status, r!.reason).toBe('rendered');
    const cm = r!.objects.find((o) => o.key === 'ConfigMap /prod-api-config')!;
    expect(cm).toBeDefined();
    expect((cm.object.metadata as { annotations: Record<string, string> }).annotations['argocd.argoproj.io/hook']).toBe('Sync');
    // The prefixed name still maps to its document.
    expect(r!.objects.find((o) => o.key === 'apps/Deployment /prod-api')!.origin).toMatchObject({ file: 'base/deploy.yaml', line: 6 });
  });

  it('sides rendered at once: the side passed `after` is looked up second, whichever call starts first', async () => {
    const cache = createRenderCache();
    const base = new MemoryTree(BASE, 'base');
    const head = new MemoryTree({ ...BASE, 'README.md': 'changed elsewhere' }, 'head');
    const u = apps(base, 'apps/prod.yaml').flatMap(unitsOfApplication);
    let headLookedUp!: () => void;
    const headFirst = new Promise<void>((r) => (headLookedUp = r));
    // The base call starts first; its lookups still wait for the head call's.
    const bp = renderApplications(base, u, opts({ cache, after: headFirst, concurrency: 1 }));
    const hp = renderApplications(head, u, opts({ cache, onLookedUp: headLookedUp, concurrency: 1 }));
    const [[b], [h]] = await Promise.all([bp, hp]);
    expect(cache).toMatchObject({ runs: 1, hits: 1 });
    expect(h!.cached).toBe(false);
    expect(b!.cached).toBe(true);
    expect(b!.objects.map((o) => o.yaml)).toEqual(h!.objects.map((o) => o.yaml));
  });

  it('renders an identical unit once: the second side is served from the cache', async () => {
    const cache = createRenderCache();
    const base = new MemoryTree(BASE, 'base');
    const head = new MemoryTree({ ...BASE, 'README.md': 'changed elsewhere' }, 'head');
    const u = apps(base, 'apps/prod.yaml').flatMap(unitsOfApplication);
    const [b] = await renderApplications(base, u, opts({ cache }));
    const [h] = await renderApplications(head, u, opts({ cache }));
    expect(cache).toMatchObject({ runs: 1, hits: 1 });
    expect(h!.cached).toBe(true);
    expect(h!.objects.map((o) => o.yaml)).toEqual(b!.objects.map((o) => o.yaml));
    // A change to an input renders again.
    const changed = new MemoryTree({ ...BASE, 'base/db.yaml': BASE['base/db.yaml'].replace('"-1"', '"-2"') }, 'head2');
    await renderApplications(changed, u, opts({ cache }));
    expect(cache).toMatchObject({ runs: 2, hits: 1 });
  });

  it('names a missing binary and a render timeout as not evaluated', async () => {
    const tree = new MemoryTree(BASE);
    const u = apps(tree, 'apps/prod.yaml').flatMap(unitsOfApplication);
    const [missing] = await renderApplications(tree, u, opts({ kustomizeBinary: '/nonexistent/kustomize' }));
    expect(missing).toMatchObject({ status: 'not-evaluated', reason: expect.stringContaining('/nonexistent/kustomize') });
    const [none] = await renderApplications(tree, u, { repoURLs: [REPO], searchPath: '/nonexistent' });
    expect(none).toMatchObject({ status: 'not-evaluated', reason: 'neither kustomize nor kubectl was found on PATH' });
    const [slow] = await renderApplications(tree, u, opts({ timeoutMs: 1 }));
    expect(slow).toMatchObject({ status: 'not-evaluated', reason: expect.stringContaining('render timeout') });
  });
});
