import { describe, expect, it } from 'vitest';
import { expandApplicationSet, repoMatcher } from '../../src/argocd/app-sets.js';
import { applicationSourceSpecs, explicitSourceType, normalizeRepoURL } from '../../src/argocd/app-sources.js';
import { renderApplications, type RenderUnit } from '../../src/render/index.js';
import { MemoryTree } from '../helpers/memory-tree.js';

const REPO = 'https://github.com/acme/deploy.git';
const FILES = ['apps/api/kustomization.yaml', 'apps/web/kustomization.yaml', 'apps/legacy/x.yaml', 'README.md'];

describe('Application sources', () => {
  it('reads spec.sources when present, else spec.source; ref-only sources kept for $ref', () => {
    const s = applicationSourceSpecs({ source: { repoURL: 'x', path: 'ignored' }, sources: [{ repoURL: REPO, ref: 'values' }, { repoURL: REPO, path: './a/../b/', helm: { valuesObject: { a: 1 }, values: 'b: 2', parameters: [{ name: 'p', value: 3 }] } }] });
    expect(s.map((x) => [x.index, x.path, x.ref])).toEqual([
      [0, undefined, 'values'],
      [1, 'b', undefined],
    ]);
    expect(s[1]!.helm).toMatchObject({ values: { a: 1 }, parameters: [{ name: 'p', value: '3', forceString: false }] });
    expect(explicitSourceType(s[1]!)).toBe('Helm');
    expect(explicitSourceType({ ...s[1]!, directory: { recurse: false, jsonnet: false } })).toBe('multiple');
  });

  it('compares repository URLs as ArgoCD does', () => {
    expect(normalizeRepoURL('git@github.com:Acme/Deploy.git')).toBe(normalizeRepoURL('https://github.com/acme/deploy/'));
    expect(normalizeRepoURL('ssh://git@github.com/acme/deploy.git')).toBe('github.com/acme/deploy');
    expect(repoMatcher([REPO])('https://github.com/acme/other')).toBe(false);
  });
});

describe('ApplicationSet expansion', () => {
  const appSet = (generators: unknown[], template: Record<string, unknown>, goTemplate = false) => ({ spec: { goTemplate, generators, template } });
  const opts = { files: FILES, isThisRepo: repoMatcher([REPO]) };

  it('git directory generator with exclusions, fasttemplate {{path}} and {{path.basename}}', () => {
    const e = expandApplicationSet(
      appSet([{ git: { repoURL: REPO, directories: [{ path: 'apps/*' }, { path: 'apps/legacy', exclude: true }] } }], { metadata: { name: '{{path.basename}}' }, spec: { source: { repoURL: REPO, path: '{{path}}' }, info: '{{unknown}}' } }),
      opts,
    );
    expect(e.notEvaluated).toBeUndefined();
    expect(e.apps.map((a) => [a.name, (a.object.spec as { source: { path: string } }).source.path])).toEqual([
      ['api', 'apps/api'],
      ['web', 'apps/web'],
    ]);
    expect((e.apps[0]!.object.spec as { info: string }).info).toBe('{{unknown}}');
  });

  it('goTemplate field references and index; other actions and generators are named not evaluated', () => {
    const e = expandApplicationSet(appSet([{ git: { repoURL: REPO, directories: [{ path: 'apps/api' }] } }], { metadata: { name: '{{ .path.basename }}-{{index .path.segments 0}}' }, spec: { source: { path: '{{.path.path}}' } } }, true), opts);
    expect(e.apps.map((a) => a.name)).toEqual(['api-apps']);
    const bad = expandApplicationSet(appSet([{ list: { elements: [{ n: 'a' }] } }, { clusters: {} }], { metadata: { name: '{{ .n | upper }}' } }, true), opts);
    expect(bad.apps).toEqual([]);
    expect(bad.notEvaluated).toContain('{{ .n | upper }}');
    expect(bad.notEvaluated).toContain('clusters');
  });
});

describe('directory sources', () => {
  const unit = (directory?: RenderUnit['source']['directory']): RenderUnit => {
    const source = { index: 0, multi: false, repoURL: REPO, path: 'm', targetRevision: '', plugin: false, ...(directory ? { directory } : {}) };
    return { id: 'a#a@0', app: { name: 'a', file: 'a.yaml', line: 3 }, source, sources: [source] };
  };
  const tree = new MemoryTree({
    'm/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n# second\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n',
    'm/sub/c.json': '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}',
    'm/skip.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: skip}\n',
  });

  it('reads the YAML and JSON files, with recurse, include and exclude; lines of the documents', async () => {
    const [flat] = await renderApplications(tree, [unit()], { repoURLs: [REPO] });
    expect(flat!.objects.map((o) => [o.key, o.origin.file, o.origin.line])).toEqual([
      ['ConfigMap /a', 'm/a.yaml', 1],
      ['ConfigMap /b', 'm/a.yaml', 6],
      ['ConfigMap /skip', 'm/skip.yaml', 1],
    ]);
    const [rec] = await renderApplications(tree, [unit({ recurse: true, exclude: '{skip.yaml,nothing}', jsonnet: false })], { repoURLs: [REPO] });
    expect(rec!.objects.map((o) => o.key)).toEqual(['ConfigMap /a', 'ConfigMap /b', 'ConfigMap /c']);
    const [js] = await renderApplications(new MemoryTree({ 'm/x.jsonnet': '{}' }), [unit()], { repoURLs: [REPO] });
    expect(js).toMatchObject({ status: 'not-evaluated', reason: expect.stringContaining('Jsonnet') });
  });
});
