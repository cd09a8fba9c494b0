import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SymlinkInfo } from '../../src/core/model.js';
import { parseBuildOptions, renderApplications, type RenderUnit } from '../../src/render/index.js';
import { toolMessage } from '../../src/render/render.js';
import { MemoryTree } from '../helpers/memory-tree.js';
import { renderTools } from '../helpers/render-tools.js';

const tools = renderTools();
const REPO = 'https://github.com/acme/deploy';
// A secret file outside the repository: no render may read it.
const outsideDir = mkdtempSync(join(tmpdir(), 'gate-outside-'));
const SECRET = join(outsideDir, 'secret.yaml');
writeFileSync(SECRET, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stolen\n');
afterAll(() => rmSync(outsideDir, { recursive: true, force: true }));

class LinkTree extends MemoryTree {
  constructor(
    files: Record<string, string>,
    private readonly links: SymlinkInfo[],
  ) {
    super(files);
  }
  async symlinks() {
    return this.links;
  }
}

const unit = (path: string, extra: Partial<RenderUnit['source']> = {}): RenderUnit => {
  const source = { index: 0, multi: false, repoURL: REPO, path, targetRevision: 'HEAD', plugin: false, ...extra };
  return { id: `apps/a.yaml#a@0`, app: { name: 'a', file: 'apps/a.yaml', line: 1 }, source, sources: [source] };
};
const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n';
const render = (tree: MemoryTree, u: RenderUnit, buildOptions?: string, tmpDir?: string) =>
  renderApplications(tree, [u], { repoURLs: [REPO], kustomizeBinary: tools.kubectl, helmBinary: tools.helm, ...(buildOptions ? { kustomizeBuildOptions: buildOptions } : {}), ...(tmpDir ? { tmpDir } : {}) }).then((r) => r[0]!);

describe('hostile kustomizations are refused, nothing outside the sandbox is read', () => {
  it('an absolute path resource', async () => {
    const r = await render(new MemoryTree({ 'k/kustomization.yaml': `resources:\n- ${SECRET}\n` }), unit('k'), '--load-restrictor LoadRestrictionsNone');
    expect(r).toMatchObject({ status: 'not-evaluated', reason: expect.stringContaining('absolute path') });
    expect(JSON.stringify(r.objects)).not.toContain('stolen');
  });

  it('a ../ path out of the repository root, even with LoadRestrictionsNone', async () => {
    const rel = `../../../../../../../../..${SECRET}`;
    const r = await render(new MemoryTree({ 'k/kustomization.yaml': `resources:\n- ${rel}\n`, 'k/cm.yaml': CM }), unit('k'), '--load-restrictor=LoadRestrictionsNone');
    expect(r).toMatchObject({ status: 'not-evaluated', reason: expect.stringContaining('leaves the repository root') });
    const p = await render(new MemoryTree({ 'k/kustomization.yaml': `resources: [cm.yaml]\nconfigMapGenerator:\n- name: x\n  files: [key=${rel}]\n`, 'k/cm.yaml': CM }), unit('k'));
    expect(p).toMatchObject({ status: 'not-evaluated', reason: expect.stringContaining('leaves the repository root') });
  });

  it('a symbolic link out of the repository refuses the side', async () => {
    const tree = new LinkTree({ 'k/kustomization.yaml': 'resources: [cm.yaml]\n', 'k/cm.yaml': CM }, [{ path: 'k/cm.yaml', target: SECRET, via: ['k/cm.yaml'], problem: 'outside' }]);
    const r = await render(tree, unit('k'));
    expect(r).toMatchObject({ status: 'not-evaluated', reason: expect.stringContaining('leaves the repository') });
  });

  it('exec plugins and function configs in generators/transformers, and plugin flags in buildOptions', async () => {
    const execFn = `apiVersion: example.com/v1
kind: Steal
metadata:
  name: x
  annotations:
    config.kubernetes.io/function: |
      exec:
        path: /bin/sh
`;
    const t1 = new MemoryTree({ 'k/kustomization.yaml': 'resources: [cm.yaml]\ntransformers: [fn.yaml]\n', 'k/cm.yaml': CM, 'k/fn.yaml': execFn });
    expect(await render(t1, unit('k'))).toMatchObject({ status: 'not-evaluated', reason: expect.stringContaining('KRM function') });
    const t2 = new MemoryTree({ 'k/kustomization.yaml': 'resources: [cm.yaml]\ngenerators:\n- apiVersion: someteam.example.com/v1\n  kind: ChartInflator\n  metadata: {name: x}\n', 'k/cm.yaml': CM });
    expect(await render(t2, unit('k'))).toMatchObject({ status: 'not-evaluated', reason: expect.stringContaining('not a built-in plugin') });
    // A built-in transformer config is fine.
    const t3 = new MemoryTree({ 'k/kustomization.yaml': 'resources: [cm.yaml]\ntransformers: [t.yaml]\n', 'k/cm.yaml': CM, 'k/t.yaml': 'apiVersion: builtin\nkind: PrefixSuffixTransformer\nmetadata: {name: p}\nprefix: pre-\nfieldSpecs: [{path: metadata/name}]\n' });
    const ok = await render(t3, unit('k'));
    expect(ok.status, ok.reason).toBe('rendered');
    expect(ok.objects.map((o) => o.key)).toEqual(['ConfigMap /pre-ok']);
    expect(parseBuildOptions('--enable-alpha-plugins')).toEqual({ refused: expect.stringContaining('--enable-alpha-plugins') });
    expect(parseBuildOptions('--enable-exec --load-restrictor LoadRestrictionsNone')).toHaveProperty('refused');
    expect(parseBuildOptions('--load-restrictor LoadRestrictionsNone')).toEqual({ args: ['--load-restrictor=LoadRestrictionsNone'], loadNone: true });
  });

  it('a remote base is not evaluated: needs network', async () => {
    const r = await render(new MemoryTree({ 'k/kustomization.yaml': 'resources:\n- https://github.com/acme/base//deploy?ref=v1\n' }), unit('k'));
    expect(r).toMatchObject({ status: 'not-evaluated', reason: expect.stringMatching(/^needs network: /) });
    const r2 = await render(new MemoryTree({ 'k/kustomization.yaml': 'resources:\n- github.com/acme/base/deploy\n' }), unit('k'));
    expect(r2.reason).toMatch(/^needs network: /);
  });

  it('a local base missing from the repository fails the build, as in ArgoCD: it is not "needs network"', async () => {
    const r = await render(new MemoryTree({ 'a/b/k/kustomization.yaml': 'resources:\n- ../../base/tenant\n- ./more\n' }), unit('a/b/k'));
    expect(r).toMatchObject({ status: 'failed', reason: expect.stringContaining('does not exist in the repository') });
    const r2 = await render(new MemoryTree({ 'k/kustomization.yaml': 'resources:\n- overlays/missing\n' }), unit('k'));
    expect(r2.status).toBe('failed');
  });

  it('under the default LoadRestrictionsRootOnly, kustomize itself refuses a file above the kustomization root (failed, as in ArgoCD)', async () => {
    const r = await render(new MemoryTree({ 'k/kustomization.yaml': 'resources: [../other/cm.yaml]\n', 'other/cm.yaml': CM }), unit('k'));
    expect(r.status).toBe('failed');
    expect(r.reason).toMatch(/security|restrict|outside|not in or below/i);
  });

  it('drops klog headers (time, process id) from a tool\'s message, so the same failure reads the same in every run', () => {
    // As kubectl v1.32 (the google-cloud-sdk build on GitHub's runners' images) prints a failed kustomize build.
    const text = 'E1201 22:03:55.099866   13235 run.go:72] "command failed" err="accumulating resources from \'job.yaml\': must build at directory: \'/tmp/sb/repo/k/job.yaml\'"\n';
    expect(toolMessage(text, '/tmp/sb')).toBe('"command failed" err="accumulating resources from \'job.yaml\': must build at directory: \'k/job.yaml\'"');
  });

  it('leaves no sandbox behind', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'gate-sandboxes-'));
    try {
      const r = await render(new MemoryTree({ 'k/kustomization.yaml': 'resources: [cm.yaml]\n', 'k/cm.yaml': CM }), unit('k'), undefined, tmp);
      expect(r.status).toBe('rendered');
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('sources ArgoCD would fail', () => {
  it('an explicit kustomize source without a kustomization fails with the reason', async () => {
    const u = unit('m', { kustomize: { images: [], commonLabels: {}, commonAnnotations: {}, forceCommonLabels: false, forceCommonAnnotations: false, labelWithoutSelector: false, commonAnnotationsEnvsubst: false, patches: [], components: [], replicas: [] } });
    const r = await render(new MemoryTree({ 'm/cm.yaml': CM }), u);
    expect(r).toMatchObject({ status: 'failed', sourceType: 'Kustomize', reason: expect.stringContaining('holds no kustomization') });
  });
});
