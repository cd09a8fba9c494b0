import { describe, expect, it } from 'vitest';
import type { Change, Report } from '../../src/core/model.js';
import { evaluate } from '../../src/composition.js';
import { changedScope } from '../../src/engine/scope.js';
import type { SyncPlansDetail } from '../../src/sync/plan-report.js';
import { memoryChange } from '../helpers/change.js';
import { MemoryTree } from '../helpers/memory-tree.js';

const app = (name: string, path: string, repoURL = 'https://git.example/shop.git', extra = '') =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${name}\n  namespace: argocd\nspec:\n  source:\n    repoURL: ${repoURL}\n    path: ${path}\n${extra}  destination:\n    namespace: ${name}\n`;
const cm = (name: string, wave = '0') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  annotations:\n    argocd.argoproj.io/sync-wave: "${wave}"\n`;

/**
 * A TreeReader that counts listings and read batches. Like the real readers (git, workspace, contents API), it
 * lists its side once and answers later `listFiles` calls from that listing (the TreeReader contract), so `lists`
 * counts the listings made, not the calls.
 */
class CountingTree extends MemoryTree {
  lists = 0;
  batches = 0;
  private listing: Promise<string[]> | undefined;
  override async listFiles() {
    this.listing ??= (this.lists++, super.listFiles());
    return this.listing;
  }
  override async readFiles(paths: readonly string[]) {
    this.batches++;
    return super.readFiles(paths);
  }
}

function countingChange(base: Record<string, string>, head: Record<string, string>): Change & { base: CountingTree; head: CountingTree } {
  const c = memoryChange(base, head);
  return { ...c, base: new CountingTree(base, c.baseSha), head: new CountingTree(head, c.headSha) };
}

const plans = (r: { details: Report["details"] }) => (r.details.syncPlans as SyncPlansDetail).groups;

describe('Application-based scope', () => {
  it('a PR touching one Application in a repository of thousands of files evaluates only that Application', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 400; i++) {
      files[`apps/svc-${i}.yaml`] = app(`svc-${i}`, `services/svc-${i}`);
      for (let j = 0; j < 8; j++) files[`services/svc-${i}/cm-${j}.yaml`] = cm(`cm-${j}`, String(j));
    }
    const head = { ...files, 'services/svc-42/cm-3.yaml': cm('cm-3', '30') };
    const change = countingChange(files, head);
    const r = await evaluate(change, { policyPath: 'policies' });
    expect(Object.keys(files).length).toBe(3600);
    // The 8 manifests of svc-42, at base and at head; nothing else is parsed for evaluation.
    expect(r.stats.filesExamined).toBe(16);
    expect(r.stats.resourcesExamined).toBe(16);
    expect(plans(r).map((g) => [g.name, g.grouping, g.dir])).toEqual([['svc-42', 'application', 'services/svc-42']]);
    // Each side is listed once and read in two batches (the Application index, then the group's files).
    expect([change.head.lists, change.base.lists, change.head.batches, change.base.batches]).toEqual([1, 1, 2, 2]);
  });

  it('groups by Application, else by kustomization directory, else by directory, and says which', async () => {
    const base = {
      'apps/a.yaml': app('alpha', 'alpha'),
      'alpha/cm.yaml': cm('a1'),
      'kust/kustomization.yaml': 'resources: [cm.yaml, sub/cm.yaml]\n',
      'kust/cm.yaml': cm('k1'),
      'kust/sub/cm.yaml': cm('k2'),
      'plain/one.yaml': cm('p1'),
      'plain/two.yaml': cm('p2'),
      'plain/deeper/three.yaml': cm('p3'),
    };
    const head = { ...base, 'alpha/cm.yaml': cm('a1', '1'), 'kust/sub/cm.yaml': cm('k2', '1'), 'plain/one.yaml': cm('p1', '1') };
    const r = await evaluate(memoryChange(base, head), { policyPath: 'policies' });
    const groups = plans(r).map((g) => [g.grouping, g.name, g.head.map((x) => x.name).sort().join(',')]);
    expect(groups.sort()).toEqual([
      ['application', 'alpha', 'a1'],
      ['directory', 'plain', 'p1,p2'],
      ['kustomization', 'kust', 'k1,k2'],
    ]);
  });

  it('takes only the Application directory itself unless recurse, kustomize or Helm says otherwise', async () => {
    const base = { 'apps/a.yaml': app('alpha', 'alpha'), 'alpha/cm.yaml': cm('a1'), 'alpha/sub/cm.yaml': cm('a2') };
    const head = { ...base, 'alpha/sub/cm.yaml': cm('a2', '1') };
    let r = await evaluate(memoryChange(base, head), { policyPath: 'policies' });
    expect(plans(r).map((g) => [g.grouping, g.name])).toEqual([['directory', 'alpha/sub']]);
    const recursive = { ...base, 'apps/a.yaml': app('alpha', 'alpha', undefined, '    directory:\n      recurse: true\n') };
    r = await evaluate(memoryChange(recursive, { ...recursive, 'alpha/sub/cm.yaml': cm('a2', '1') }), { policyPath: 'policies' });
    expect(plans(r).map((g) => [g.grouping, g.name, g.head.length])).toEqual([['application', 'alpha', 2]]);
  });

  it('reads Application sources as ArgoCD does: spec.sources, when given, replaces spec.source; kustomization.yml and Kustomization are kustomizations', async () => {
    const off = { 'policies/gitops-gate.yaml': 'version: 1\nrender:\n  enabled: false\n' };
    const multi = `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: alpha\nspec:\n  source:\n    repoURL: https://git.example/shop.git\n    path: old\n  sources:\n  - repoURL: https://git.example/shop.git\n    path: new\n  destination:\n    namespace: alpha\n`;
    const base = { ...off, 'apps/a.yaml': multi, 'old/cm.yaml': cm('o1'), 'new/cm.yaml': cm('n1') };
    let r = await evaluate(memoryChange(base, { ...base, 'old/cm.yaml': cm('o1', '3') }), { policyPath: 'policies' });
    // ArgoCD ignores spec.source here, so old/ belongs to no Application.
    expect(plans(r).map((g) => [g.grouping, g.name])).toEqual([['directory', 'old']]);
    r = await evaluate(memoryChange(base, { ...base, 'new/cm.yaml': cm('n1', '3') }), { policyPath: 'policies' });
    expect(plans(r).map((g) => [g.grouping, g.name])).toEqual([['application', 'alpha']]);
    for (const name of ['kustomization.yml', 'Kustomization']) {
      const k = { ...off, 'apps/a.yaml': app('alpha', 'alpha'), [`alpha/${name}`]: 'resources: [sub/cm.yaml]\n', 'alpha/sub/cm.yaml': cm('a2') };
      r = await evaluate(memoryChange(k, { ...k, 'alpha/sub/cm.yaml': cm('a2', '1') }), { policyPath: 'policies' });
      expect(plans(r).map((g) => [g.grouping, g.name]), name).toEqual([['application', 'alpha']]);
    }
  });

  it('a changed Application also brings in the group it defines', async () => {
    const base = { 'apps/a.yaml': app('alpha', 'alpha'), 'alpha/cm.yaml': cm('a1'), 'beta/cm.yaml': cm('b1') };
    const head = { ...base, 'apps/a.yaml': app('alpha', 'alpha').replace('namespace: alpha', 'namespace: alpha-prod') };
    const r = await evaluate(memoryChange(base, head), { policyPath: 'policies' });
    expect(plans(r).map((g) => [g.grouping, g.name]).sort()).toEqual([
      ['application', 'alpha'],
      ['directory', 'apps'],
    ]);
    expect(plans(r).find((g) => g.name === 'alpha')!.head[0]!.namespace).toBe('alpha-prod');
  });

  it('with a custom scope that reads only changed files, files still form groups of their Application', async () => {
    const base = { 'apps/a.yaml': app('alpha', 'alpha'), 'alpha/a.yaml': cm('one'), 'alpha/b.yaml': cm('two') };
    const r = await evaluate(memoryChange(base, { ...base, 'alpha/a.yaml': cm('one', '1') }), { policyPath: 'policies', scope: (c, m) => changedScope(c, m) });
    expect(r.stats.filesExamined).toBe(2);
    expect(plans(r).map((g) => [g.grouping, g.name, g.head.map((x) => x.name).join(',')])).toEqual([['application', 'alpha', 'one']]);
  });

  it('ignores Applications whose repoURL the policy does not count as this repository', async () => {
    const policy = 'version: 1\nsync:\n  applications:\n    repoURLs: ["https://git.example/shop*"]\n';
    const base = { 'policies/gitops-gate.yaml': policy, 'apps/a.yaml': app('alpha', 'alpha', 'https://elsewhere/x.git'), 'alpha/cm.yaml': cm('a1') };
    const r = await evaluate(memoryChange(base, { ...base, 'alpha/cm.yaml': cm('a1', '2') }), { policyPath: 'policies' });
    expect(plans(r).map((g) => g.grouping)).toEqual(['directory']);
  });

  it('marks resources the change moves, adds and removes in the plan', async () => {
    const base = { 'apps/a.yaml': app('alpha', 'alpha'), 'alpha/a.yaml': cm('one', '1'), 'alpha/b.yaml': cm('two', '2'), 'alpha/c.yaml': cm('gone') };
    const head = { 'apps/a.yaml': base['apps/a.yaml'], 'alpha/a.yaml': cm('one', '3'), 'alpha/b.yaml': cm('two', '2'), 'alpha/d.yaml': cm('new', '0') };
    const r = await evaluate(memoryChange(base, head), { policyPath: 'policies' });
    const [g] = plans(r);
    expect(g!.changed).toBe(true);
    expect(g!.head.map((x) => [x.name, x.wave, x.change ?? '', x.was?.wave ?? ''])).toEqual([
      ['new', '0', 'added', ''],
      ['two', '2', '', ''],
      ['one', '3', 'moved', '1'],
    ]);
    expect(g!.removed.map((x) => x.name)).toEqual(['gone']);
    expect(g!.head[0]!.namespace).toBe('alpha');
  });
});
