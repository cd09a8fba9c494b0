import { describe, expect, it } from 'vitest';
import { parseYamlText } from '../../src/manifests/yaml-doc.js';
import { resourcesOf, type Resource } from '../../src/manifests/resource.js';
import { syncPlan } from '../../src/sync/plan.js';
import { syncModel } from '../../src/sync/model.js';

function res(text: string): Resource[] {
  return parseYamlText(text).docs.flatMap((d) => resourcesOf('x.yaml', d));
}

function obj(kind: string, name: string, annotations: Record<string, string> = {}, extra = '', apiVersion = 'v1'): string {
  const annos = Object.entries(annotations).map(([k, v]) => `    ${k}: "${v}"\n`).join('');
  return `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n${annos ? `  annotations:\n${annos}` : ''}${extra}---\n`;
}

const order = (text: string, ns?: string) => syncPlan(res(text), ns).map((t) => `${t.phase} ${t.wave} ${t.resource.kind}/${t.resource.name ?? t.resource.generateName}`);

describe('sync plan (gitops-engine sync_tasks.go Sort)', () => {
  it('orders by phase first: PreSync, Sync, PostSync, SyncFail, whatever the waves', () => {
    const text =
      obj('Job', 'fail', { 'argocd.argoproj.io/hook': 'SyncFail', 'argocd.argoproj.io/sync-wave': '-9' }, '', 'batch/v1') +
      obj('Job', 'post', { 'argocd.argoproj.io/hook': 'PostSync', 'argocd.argoproj.io/sync-wave': '-5' }, '', 'batch/v1') +
      obj('ConfigMap', 'plain', { 'argocd.argoproj.io/sync-wave': '-3' }) +
      obj('Job', 'pre', { 'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/sync-wave': '10' }, '', 'batch/v1');
    expect(order(text)).toEqual(['PreSync 10 Job/pre', 'Sync -3 ConfigMap/plain', 'PostSync -5 Job/post', 'SyncFail -9 Job/fail']);
  });

  it('orders by wave inside a phase, negative waves first', () => {
    const text = obj('ConfigMap', 'b', { 'argocd.argoproj.io/sync-wave': '1' }) + obj('ConfigMap', 'a', { 'argocd.argoproj.io/sync-wave': '-2' }) + obj('ConfigMap', 'c');
    expect(order(text)).toEqual(['Sync -2 ConfigMap/a', 'Sync 0 ConfigMap/c', 'Sync 1 ConfigMap/b']);
  });

  it('orders by ArgoCD kind order inside a wave, unknown kinds last, then by name', () => {
    const text =
      obj('Widget', 'a', {}, '', 'example.com/v1') +
      obj('Deployment', 'b', {}, '', 'apps/v1') +
      obj('Service', 'z', {}) +
      obj('Service', 'a', {}) +
      obj('Namespace', 'n') +
      obj('Secret', 's');
    expect(order(text)).toEqual(['Sync 0 Namespace/n', 'Sync 0 Secret/s', 'Sync 0 Service/a', 'Sync 0 Service/z', 'Sync 0 Deployment/b', 'Sync 0 Widget/a']);
  });

  it('puts a hook listed in two phases in both', () => {
    expect(order(obj('Job', 'j', { 'argocd.argoproj.io/hook': 'PostSync,PreSync' }, '', 'batch/v1'))).toEqual(['PreSync 0 Job/j', 'PostSync 0 Job/j']);
  });

  it('moves a Namespace annotated later than its first dependent before it, with the dependent\'s wave and phase', () => {
    const text = obj('Namespace', 'shop', { 'argocd.argoproj.io/sync-wave': '5' }) + obj('ConfigMap', 'cfg', { 'argocd.argoproj.io/sync-wave': '-1' }, '') + obj('Secret', 'other');
    // cfg gets the Application's destination namespace "shop".
    const plan = syncPlan(res(text), 'shop');
    expect(plan.map((t) => `${t.phase} ${t.wave} ${t.resource.kind}`)).toEqual(['Sync -1 Namespace', 'Sync -1 ConfigMap', 'Sync 0 Secret']);
    expect(plan[0]!.movedBefore).toEqual({ dependent: 'ConfigMap cfg', phase: 'Sync', wave: 5n });
  });

  it('moves a CRD before the first custom resource of its group and kind', () => {
    const crd = `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n  annotations:\n    argocd.argoproj.io/sync-wave: "3"\nspec:\n  group: example.com\n  names: {kind: Widget}\n---\n`;
    const text = crd + obj('Widget', 'w', { 'argocd.argoproj.io/hook': 'PreSync' }, '', 'example.com/v1') + obj('Gadget', 'g', {}, '', 'example.com/v1');
    expect(order(text)).toEqual(['PreSync 0 CustomResourceDefinition/widgets.example.com', 'PreSync 0 Widget/w', 'Sync 0 Gadget/g']);
  });

  it('leaves out skipped objects, hooks of no phase and delete hooks', () => {
    const text =
      obj('ConfigMap', 'skip', { 'argocd.argoproj.io/hook': 'Skip' }) +
      obj('ConfigMap', 'typo', { 'argocd.argoproj.io/hook': 'presync' }) +
      obj('Job', 'del', { 'argocd.argoproj.io/hook': 'PreDelete' }, '', 'batch/v1') +
      obj('ConfigMap', 'kept');
    expect(order(text)).toEqual(['Sync 0 ConfigMap/kept']);
  });
});

describe('sync model (gitops-engine hook.go, waves.go, delete_policy.go)', () => {
  const model = (annotations: Record<string, string>) => syncModel(res(obj('Job', 'j', annotations, '', 'batch/v1'))[0]!);

  it('Skip only skips when it is the only type', () => {
    expect(model({ 'argocd.argoproj.io/hook': 'Skip' })).toMatchObject({ skip: true, isHook: false, phases: [] });
    expect(model({ 'argocd.argoproj.io/hook': 'Skip,PreSync' })).toMatchObject({ skip: false, isHook: true, phases: ['PreSync'] });
  });

  it('maps Helm hooks only when no valid ArgoCD type is present', () => {
    expect(model({ 'helm.sh/hook': 'post-install' })).toMatchObject({ isHook: true, phases: ['PostSync'] });
    expect(model({ 'helm.sh/hook': 'pre-install', 'argocd.argoproj.io/hook': 'Sync' })).toMatchObject({ phases: ['Sync'] });
    expect(model({ 'helm.sh/hook': 'crd-install' })).toMatchObject({ isHook: false, phases: ['Sync'] });
    expect(model({ 'helm.sh/hook': 'test' })).toMatchObject({ isHook: true, ignored: true, phases: [] });
  });

  it('takes the wave from sync-wave, else helm.sh/hook-weight, else 0', () => {
    expect(model({ 'argocd.argoproj.io/sync-wave': '3', 'helm.sh/hook-weight': '7' })).toMatchObject({ wave: 3n, waveSource: 'sync-wave' });
    expect(model({ 'argocd.argoproj.io/sync-wave': '1.5', 'helm.sh/hook-weight': '7' })).toMatchObject({ wave: 7n, waveSource: 'hook-weight' });
    expect(model({ 'helm.sh/hook-weight': 'x' })).toMatchObject({ wave: 0n, waveSource: 'default' });
  });

  it('unions ArgoCD and Helm delete policies and defaults to BeforeHookCreation', () => {
    expect(model({ 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'HookFailed', 'helm.sh/hook-delete-policy': 'hook-succeeded' }).deletePolicies).toEqual([
      'HookFailed',
      'HookSucceeded',
    ]);
    expect(model({ 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'OnSuccess' })).toMatchObject({ deletePolicies: ['BeforeHookCreation'], deletePolicyDefaulted: true });
  });
});
