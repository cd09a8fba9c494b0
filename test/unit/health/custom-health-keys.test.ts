/**
 * One parser of custom health-check keys (issue 14): the sync rules see exactly the checks the health area
 * lists, from every source ArgoCD reads, in one key format.
 */
import { describe, expect, it } from 'vitest';
import { evaluateFiles } from '../../helpers/change.js';

const W = 'argocd.argoproj.io/sync-wave';
const child = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: child
  annotations:
    ${W}: "1"
spec:
  source: {repoURL: https://git.example/r.git, path: child}
  destination: {namespace: child}
`;
const argocdCr = (kind: string) => `apiVersion: argoproj.io/v1beta1
kind: ArgoCD
metadata:
  name: argocd
spec:
  resourceHealthChecks:
    - group: argoproj.io
      kind: ${kind}
      check: |
        hs = {status = "Progressing"}
        if obj.status ~= nil then hs.status = "Healthy" end
        return hs
`;
const cm = (key: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: argocd-cm
data:
  resource.customizations.health.${key}: |
    hs = {status = "Healthy"}
    return hs
`;
const pvcAndPod = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
  annotations:
    ${W}: "-1"
spec: {}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  annotations:
    ${W}: "0"
spec:
  template:
    spec:
      volumes: [{name: v, persistentVolumeClaim: {claimName: data}}]
      containers: [{name: c, image: x:1}]
`;
const rules = async (files: Record<string, string>) => (await evaluateFiles(files)).findings.map((f) => f.rule);

describe('Snapshot.customHealth comes from the health area parser', () => {
  it('an ArgoCD CR resourceHealthChecks entry for argoproj.io/Application is a check for app-waves-need-app-health', async () => {
    expect(await rules({ 'apps/child.yaml': child, 'argocd/argocd.yaml': argocdCr('Application') })).not.toContain('app-waves-need-app-health');
    expect(await rules({ 'apps/child.yaml': child, 'argocd/argocd.yaml': argocdCr('AppProject') })).toContain('app-waves-need-app-health');
  });

  it('an argocd-cm key the health area reports as never used does not suppress wave-blocked-by-pending-pvc', async () => {
    const bad = await rules({ 'app/x.yaml': pvcAndPod, 'argocd/cm.yaml': cm('_PersistentVolumeClaim') });
    expect(bad).toContain('health-key-core-group-prefix');
    expect(bad).toContain('wave-blocked-by-pending-pvc');
    const good = await rules({ 'app/x.yaml': pvcAndPod, 'argocd/cm.yaml': cm('PersistentVolumeClaim') });
    expect(good).not.toContain('health-key-core-group-prefix');
    expect(good).not.toContain('wave-blocked-by-pending-pvc');
  });

  it('a check added by a JSON6902 kustomize patch counts, and one in an argocd-cm ArgoCD rejects as a whole does not', async () => {
    const kust = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [argocd-cm.yaml]
patches:
  - target: {kind: ConfigMap, name: argocd-cm}
    patch: |-
      - op: add
        path: /data/resource.customizations.health.argoproj.io_Application
        value: |
          hs = {status = "Healthy"}
          return hs
`;
    const base = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\ndata: {}\n';
    expect(await rules({ 'apps/child.yaml': child, 'argocd/kustomization.yaml': kust, 'argocd/argocd-cm.yaml': base })).not.toContain('app-waves-need-app-health');
    const rejected = cm('argoproj.io_Application') + '  resource.customizations.health.a_b_C: |\n    return {status = "Healthy"}\n';
    expect(await rules({ 'apps/child.yaml': child, 'argocd/cm.yaml': rejected })).toContain('app-waves-need-app-health');
  });
});

describe('health checks added by JSON6902 patches are validated', () => {
  const kust = (lua: string) => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [argocd.yaml]
patches:
  - target: {kind: ArgoCD, name: argocd}
    patch: |-
      - op: add
        path: /spec/resourceHealthChecks/-
        value:
          group: example.com
          kind: Widget
          check: |
            hs = {status = "Progressing"}
            ${lua}
            return hs
`;
  const cr = 'apiVersion: argoproj.io/v1beta1\nkind: ArgoCD\nmetadata:\n  name: argocd\nspec: {}\n';
  it('broken Lua in an op that appends to /spec/resourceHealthChecks is a lua-syntax-error at its line', async () => {
    const bad = (await evaluateFiles({ 'argocd/kustomization.yaml': kust('if obj.status // 2 then hs.status = "Healthy" end'), 'argocd/argocd.yaml': cr })).findings;
    expect(bad.filter((f) => f.rule === 'lua-syntax-error').map((f) => [f.file, f.line])).toEqual([['argocd/kustomization.yaml', 14]]);
    const good = (await evaluateFiles({ 'argocd/kustomization.yaml': kust('if obj.status then hs.status = "Healthy" end'), 'argocd/argocd.yaml': cr })).findings;
    expect(good.map((f) => f.rule)).not.toContain('lua-syntax-error');
  });
});
