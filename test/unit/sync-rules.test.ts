/**
 * Every sync rule with a failing and a passing manifest: the failing one is flagged by that rule at the given
 * line, the passing one is not flagged by it.
 */
import { describe, expect, it } from 'vitest';
import { evaluateFiles } from '../helpers/change.js';

interface Case {
  rule: string;
  /** Files of the failing repository; the finding is expected in `app/x.yaml` at `line`. */
  bad: Record<string, string>;
  line: number;
  good: Record<string, string>;
}

const job = (annos: string, extra = '', meta = '  name: j\n') =>
  `apiVersion: batch/v1\nkind: Job\nmetadata:\n${meta}  annotations:\n${annos}spec:\n${extra}  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: example/api:1.0}]\n`;
const cm = (annos: string, name = 'c', kind = 'ConfigMap') => `apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n  annotations:\n${annos}`;
const a = (k: string, v: string) => `    ${k}: "${v}"\n`;
const W = 'argocd.argoproj.io/sync-wave';
const H = 'argocd.argoproj.io/hook';
const DP = 'argocd.argoproj.io/hook-delete-policy';
const SO = 'argocd.argoproj.io/sync-options';
const app = (annos: string, extra = '') =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: child\n  annotations:\n${annos}spec:\n  source: {repoURL: https://git.example/r.git, path: child}\n  destination: {namespace: child}\n${extra}`;
const argocdCm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\ndata:\n  resource.customizations.health.argoproj.io_Application: |\n    return {status = "Healthy"}\n';
const widget = (annos: string) => `apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  annotations:\n${annos}`;
const deploy = (name: string, image: string, annos: string, extra = '') =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  annotations:\n${annos}spec:\n${extra}  template:\n    spec:\n      containers: [{name: c, image: ${image}}]\n`;

const CASES: Case[] = [
  { rule: 'hook-weight-invalid', bad: { 'app/x.yaml': cm(a('helm.sh/hook-weight', 'one')) }, line: 6, good: { 'app/x.yaml': cm(a('helm.sh/hook-weight', '1')) } },
  { rule: 'hook-weight-overridden', bad: { 'app/x.yaml': cm(a(W, '1') + a('helm.sh/hook-weight', '2')) }, line: 7, good: { 'app/x.yaml': cm(a(W, '2') + a('helm.sh/hook-weight', '2')) } },
  { rule: 'wave-out-of-range', bad: { 'app/x.yaml': cm(a(W, '3000000000')) }, line: 6, good: { 'app/x.yaml': cm(a(W, '-2147483648')) } },
  { rule: 'wave-on-syncfail-hook', bad: { 'app/x.yaml': job(a(H, 'SyncFail') + a(W, '2')) }, line: 7, good: { 'app/x.yaml': job(a(H, 'SyncFail')) } },
  {
    rule: 'wave-overridden-by-dependency',
    bad: { 'app/x.yaml': `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  annotations:\n    ${W}: "5"\n---\n${cm(a(W, '1')).replace('  name: c\n', '  name: c\n  namespace: shop\n')}` },
    line: 6,
    good: { 'app/x.yaml': `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  annotations:\n    ${W}: "-1"\n---\n${cm(a(W, '1')).replace('  name: c\n', '  name: c\n  namespace: shop\n')}` },
  },
  {
    rule: 'wave-wrong-location',
    bad: { 'app/x.yaml': deploy('d', 'x:1', a('x', 'y'), `  template:\n    metadata:\n      annotations:\n        ${W}: "1"\n`).replace('  template:\n    spec:', '    spec:') },
    line: 11,
    good: { 'app/x.yaml': deploy('d', 'x:1', a(W, '1')) },
  },
  { rule: 'wave-wrong-location', bad: { 'app/x.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    ${W}: "1"\n` }, line: 6, good: { 'app/x.yaml': cm(a(W, '1')) } },
  {
    rule: 'wave-in-commonannotations',
    bad: { 'app/x.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\ncommonAnnotations:\n  ${W}: "1"\nresources: [a.yaml]\n` },
    line: 4,
    good: { 'app/x.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\ncommonAnnotations:\n  team: a\nresources: [a.yaml]\n` },
  },
  {
    rule: 'hook-in-commonannotations',
    bad: { 'app/x.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\ncommonAnnotations:\n  ${H}: PreSync\n` },
    line: 4,
    good: { 'app/x.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n` },
  },
  { rule: 'app-waves-need-app-health', bad: { 'app/x.yaml': app(a(W, '1')) }, line: 6, good: { 'app/x.yaml': app(a(W, '1')), 'argocd/cm.yaml': argocdCm } },
  { rule: 'app-waves-with-child-autosync', bad: { 'app/x.yaml': app(a(W, '1'), '  syncPolicy:\n    automated: {prune: true}\n') }, line: 11, good: { 'app/x.yaml': app(a(W, '1'), '  syncPolicy:\n    syncOptions: [CreateNamespace=true]\n') } },
  {
    rule: 'appset-template-wave',
    bad: { 'app/x.yaml': `apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: s\nspec:\n  template:\n    metadata:\n      name: x\n      annotations:\n        ${W}: "1"\n` },
    line: 10,
    good: { 'app/x.yaml': `apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: s\nspec:\n  template:\n    metadata:\n      name: x\n` },
  },
  {
    rule: 'wave-without-health-gate',
    bad: { 'app/x.yaml': widget(a(W, '-1') + a(SO, 'SkipDryRunOnMissingResource=true')) + '---\n' + cm(a(W, '1')) },
    line: 6,
    good: { 'app/x.yaml': widget(a(W, '-1') + a(SO, 'SkipDryRunOnMissingResource=true')) + '---\n' + cm(a(W, '1')), 'argocd/cm.yaml': argocdCm.replace('argoproj.io_Application', 'example.com_Widget') },
  },
  { rule: 'wave-blocked-by-suspended', bad: { 'app/x.yaml': deploy('d', 'x:1', a(W, '-1'), '  paused: true\n') + '---\n' + cm(a(W, '1')) }, line: 8, good: { 'app/x.yaml': deploy('d', 'x:1', a(W, '2'), '  paused: true\n') + '---\n' + cm(a(W, '1')) } },
  {
    rule: 'wave-blocked-by-pending-pvc',
    bad: { 'app/x.yaml': `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\n  annotations:\n    ${W}: "-1"\nspec: {}\n---\n` + deploy('d', 'x:1', a(W, '0')).replace('containers:', 'volumes: [{name: v, persistentVolumeClaim: {claimName: data}}]\n      containers:') },
    line: 6,
    good: { 'app/x.yaml': `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\n  annotations:\n    ${W}: "0"\nspec: {}\n---\n` + deploy('d', 'x:1', a(W, '0')).replace('containers:', 'volumes: [{name: v, persistentVolumeClaim: {claimName: data}}]\n      containers:') },
  },
  { rule: 'cr-needs-skip-dry-run', bad: { 'app/x.yaml': widget(a('x', 'y')) }, line: 2, good: { 'app/x.yaml': widget(a(SO, 'SkipDryRunOnMissingResource=true')) } },
  { rule: 'hook-skip-mixed', bad: { 'app/x.yaml': job(a(H, 'Skip,PreSync')) }, line: 6, good: { 'app/x.yaml': job(a(H, 'Skip')) } },
  { rule: 'helm-hook-unsupported', bad: { 'app/x.yaml': job(a('helm.sh/hook', 'test')) }, line: 6, good: { 'app/x.yaml': job(a('helm.sh/hook', 'pre-install,pre-upgrade')) } },
  { rule: 'helm-and-argo-hook', bad: { 'app/x.yaml': job(a(H, 'Sync') + a('helm.sh/hook', 'pre-install')) }, line: 7, good: { 'app/x.yaml': job(a(H, 'Sync')) } },
  { rule: 'hook-invalid-delete-policy', bad: { 'app/x.yaml': job(a(H, 'Sync') + a(DP, 'hook-succeeded')) }, line: 7, good: { 'app/x.yaml': job(a(H, 'Sync') + a(DP, 'HookSucceeded')) } },
  { rule: 'delete-policy-on-non-hook', bad: { 'app/x.yaml': cm(a(DP, 'HookSucceeded')) }, line: 6, good: { 'app/x.yaml': cm(a('x', 'y')) } },
  { rule: 'named-hook-not-rerun', bad: { 'app/x.yaml': job(a(H, 'Sync') + a(DP, 'HookFailed')) }, line: 4, good: { 'app/x.yaml': job(a(H, 'Sync') + a(DP, 'HookFailed,BeforeHookCreation')) } },
  { rule: 'hook-on-persistent-resource', bad: { 'app/x.yaml': deploy('d', 'x:1', a(H, 'PostSync')) }, line: 6, good: { 'app/x.yaml': deploy('d', 'x:1', a(W, '1')) } },
  { rule: 'non-hook-without-name', bad: { 'app/x.yaml': job(a(W, '1'), '', '  generateName: j-\n') }, line: 4, good: { 'app/x.yaml': job(a(H, 'Sync'), '', '  generateName: j-\n') } },
  { rule: 'hook-with-ttl', bad: { 'app/x.yaml': job(a(H, 'Sync'), '  ttlSecondsAfterFinished: 10\n', '  generateName: j-\n') }, line: 8, good: { 'app/x.yaml': job(a(H, 'Sync'), '', '  generateName: j-\n') } },
  { rule: 'helm-hook-mapping', bad: { 'app/x.yaml': job(a('helm.sh/hook', 'pre-install')) }, line: 6, good: { 'app/x.yaml': job(a('helm.sh/hook', 'pre-install,pre-upgrade')) } },
  { rule: 'mixed-helm-argo-delete-policy', bad: { 'app/x.yaml': job(a(H, 'Sync') + a(DP, 'BeforeHookCreation') + a('helm.sh/hook-delete-policy', 'hook-succeeded')) }, line: 8, good: { 'app/x.yaml': job(a(H, 'Sync') + a(DP, 'BeforeHookCreation') + a('helm.sh/hook-delete-policy', 'before-hook-creation')) } },
  { rule: 'stateful-kind-as-hook', bad: { 'app/x.yaml': cm(a(H, 'PreSync'), 's', 'Secret') }, line: 6, good: { 'app/x.yaml': cm(a(W, '-1'), 's', 'Secret') } },
  { rule: 'sync-option-unknown', bad: { 'app/x.yaml': cm(a(SO, 'PruneLast=True')) }, line: 6, good: { 'app/x.yaml': cm(a(SO, 'PruneLast=true')) } },
  { rule: 'sync-option-unknown', bad: { 'app/x.yaml': cm(a(SO, 'CreateNamespace=true')) }, line: 6, good: { 'app/x.yaml': app(a('x', 'y'), '  syncPolicy:\n    syncOptions: [CreateNamespace=true]\n') } },
  { rule: 'sync-option-conflict', bad: { 'app/x.yaml': cm(a(SO, 'Force=true')) }, line: 6, good: { 'app/x.yaml': cm(a(SO, 'Force=true,Replace=true')) } },
  {
    rule: 'sync-option-conflict',
    bad: { 'app/x.yaml': app(a('x', 'y'), '  syncPolicy:\n    syncOptions:\n      - Replace=true\n      - ServerSideApply=true\n') },
    line: 11,
    good: { 'app/x.yaml': app(a('x', 'y'), '  syncPolicy:\n    syncOptions:\n      - Force=true\n      - Replace=true\n') },
  },
  { rule: 'compare-option-unknown', bad: { 'app/x.yaml': cm(a('argocd.argoproj.io/compare-options', 'ServerSideDiff=true')) }, line: 6, good: { 'app/x.yaml': cm(a('argocd.argoproj.io/compare-options', 'IgnoreExtraneous')) } },
  { rule: 'ignore-annotation-not-true', bad: { 'app/x.yaml': cm(a('argocd.argoproj.io/ignore-healthcheck', 'True')) }, line: 6, good: { 'app/x.yaml': cm(a('argocd.argoproj.io/ignore-healthcheck', 'true')) } },
  {
    rule: 'presync-hook-before-database',
    bad: { 'app/x.yaml': `apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  template:\n    spec:\n      containers: [{name: db, image: postgres:16}]\n---\n` + job(a(H, 'PreSync'), '', '  generateName: migrate-\n') },
    line: 15,
    good: { 'app/x.yaml': `apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  template:\n    spec:\n      containers: [{name: db, image: postgres:16}]\n---\n` + job(a(H, 'Sync') + a(W, '1'), '', '  generateName: migrate-\n') },
  },
  {
    rule: 'migration-wave-not-before-consumer',
    bad: { 'app/x.yaml': job(a(H, 'Sync') + a(W, '1'), '', '  generateName: migrate-\n') + '---\n' + deploy('api', 'example/api:2.0', a(W, '1')) },
    line: 7,
    good: { 'app/x.yaml': job(a(H, 'Sync') + a(W, '1'), '', '  generateName: migrate-\n') + '---\n' + deploy('api', 'example/api:2.0', a(W, '2')) + '---\n' + deploy('other', 'example/other:1', a(W, '0')) },
  },
  {
    rule: 'presync-hook-depends-on-sync-resource',
    bad: { 'app/x.yaml': cm(a('x', 'y'), 'settings') + '---\n' + job(a(H, 'PreSync'), '', '  generateName: m-\n').replace('image: example/api:1.0}', 'image: example/api:1.0, envFrom: [{configMapRef: {name: settings}}]}') },
    line: 18,
    good: { 'app/x.yaml': cm(a(H, 'PreSync') + a(W, '-1'), 'settings') + '---\n' + job(a(H, 'PreSync'), '', '  generateName: m-\n').replace('image: example/api:1.0}', 'image: example/api:1.0, envFrom: [{configMapRef: {name: settings}}]}') },
  },
  { rule: 'job-immutable-template', bad: { 'app/x.yaml': job(a(W, '1')) }, line: 4, good: { 'app/x.yaml': job(a(W, '1') + a(SO, 'Replace=true')) } },
];

describe('sync rules: one failing and one passing manifest each', () => {
  for (const c of CASES) {
    it(`${c.rule}: flags the failing manifest at line ${c.line}`, async () => {
      const r = await evaluateFiles(c.bad);
      const hits = r.findings.filter((f) => f.rule === c.rule);
      expect(hits.map((f) => [f.file, f.line]), JSON.stringify(r.findings.map((f) => [f.rule, f.line]))).toContainEqual(['app/x.yaml', c.line]);
      expect(hits[0]!.message.length).toBeGreaterThan(20);
      expect(hits[0]!.fix.length).toBeGreaterThan(5);
    });
    it(`${c.rule}: passes the corrected manifest`, async () => {
      const r = await evaluateFiles(c.good);
      expect(r.findings.filter((f) => f.rule === c.rule)).toEqual([]);
    });
  }
});
