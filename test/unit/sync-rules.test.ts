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
  /** A repository policy (policies/gitops-gate.yaml on both sides) for the pair. */
  policy?: string;
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
    bad: { 'app/x.yaml': widget(a(W, '-1') + a(SO, 'SkipDryRunOnMissingResource=true')) + '---\n' + deploy('api', 'example/api:1', a(W, '1')).replace('image: example/api:1}', 'image: example/api:1, args: ["--widget=http://w:8080"]}') },
    line: 6,
    good: { 'app/x.yaml': widget(a(W, '-1') + a(SO, 'SkipDryRunOnMissingResource=true')) + '---\n' + deploy('api', 'example/api:1', a(W, '1')).replace('image: example/api:1}', 'image: example/api:1, args: ["--widget=http://w:8080"]}'), 'argocd/cm.yaml': argocdCm.replace('argoproj.io_Application', 'example.com_Widget') },
  },
  {
    // A VerticalPodAutoscaler (no health check) before a Job that does not use it: nothing waits on its readiness.
    rule: 'wave-without-health-gate',
    bad: { 'app/x.yaml': `apiVersion: autoscaling.k8s.io/v1\nkind: VerticalPodAutoscaler\nmetadata:\n  name: api\n  annotations:\n    ${W}: "-1"\n    ${SO}: "SkipDryRunOnMissingResource=true"\nspec: {}\n---\n` + job(a(H, 'Sync') + a(W, '1') + a(DP, 'BeforeHookCreation')).replace('image: example/api:1.0}', 'image: example/api:1.0, env: [{name: API, value: "http://api:80"}]}') },
    line: 6,
    good: { 'app/x.yaml': `apiVersion: autoscaling.k8s.io/v1\nkind: VerticalPodAutoscaler\nmetadata:\n  name: api\n  annotations:\n    ${W}: "-1"\n    ${SO}: "SkipDryRunOnMissingResource=true"\nspec: {}\n---\n` + job(a(H, 'Sync') + a(W, '1') + a(DP, 'BeforeHookCreation')) },
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
  { rule: 'hook-with-ttl', bad: { 'app/x.yaml': job(a(H, 'Sync'), '  ttlSecondsAfterFinished: 10\n', '  generateName: j-\n') }, line: 8, good: { 'app/x.yaml': job(a(H, 'Sync'), '', '  generateName: j-\n') }, policy: 'version: 1\nargocd:\n  version: "2.14"\n' },
  { rule: 'helm-hook-mapping', bad: { 'app/x.yaml': job(a('helm.sh/hook', 'pre-install')) }, line: 6, good: { 'app/x.yaml': job(a('helm.sh/hook', 'pre-install,pre-upgrade')) } },
  { rule: 'mixed-helm-argo-delete-policy', bad: { 'app/x.yaml': job(a(H, 'Sync') + a(DP, 'BeforeHookCreation') + a('helm.sh/hook-delete-policy', 'hook-succeeded')) }, line: 8, good: { 'app/x.yaml': job(a(H, 'Sync') + a(DP, 'BeforeHookCreation') + a('helm.sh/hook-delete-policy', 'before-hook-creation')) } },
  { rule: 'stateful-kind-as-hook', bad: { 'app/x.yaml': cm(a(H, 'PreSync'), 's', 'Secret') }, line: 6, good: { 'app/x.yaml': cm(a(W, '-1'), 's', 'Secret') } },
  {
    // A ServiceAccount made a PreSync hook beside the PreSync Job that runs as it is the right pattern (the fix the rule
    // used to suggest, a normal resource, is a presync-hook-depends-on-sync-resource error).
    rule: 'stateful-kind-as-hook',
    bad: { 'app/x.yaml': cm(a(H, 'PreSync'), 'migrator', 'ServiceAccount') + '---\n' + job(a(H, 'PostSync') + a(DP, 'BeforeHookCreation')).replace('restartPolicy: Never', 'restartPolicy: Never\n      serviceAccountName: migrator') },
    line: 6,
    good: { 'app/x.yaml': cm(a(H, 'PreSync') + a(W, '-1'), 'migrator', 'ServiceAccount') + '---\n' + job(a(H, 'PreSync') + a(DP, 'BeforeHookCreation')).replace('restartPolicy: Never', 'restartPolicy: Never\n      serviceAccountName: migrator') },
  },
  { rule: 'sync-option-unknown', bad: { 'app/x.yaml': cm(a(SO, 'PruneLast=True')) }, line: 6, good: { 'app/x.yaml': cm(a(SO, 'PruneLast=true')) } },
  { rule: 'sync-option-unknown', bad: { 'app/x.yaml': cm(a(SO, 'CreateNamespace=true')) }, line: 6, good: { 'app/x.yaml': app(a('x', 'y'), '  syncPolicy:\n    syncOptions: [CreateNamespace=true]\n') } },
  // CreateNamespace=false spells out the default: valid, never "fixed" into CreateNamespace=true.
  { rule: 'sync-option-unknown', bad: { 'app/x.yaml': app(a('x', 'y'), '  syncPolicy:\n    syncOptions: [CreateNamespace=flase]\n') }, line: 11, good: { 'app/x.yaml': app(a('x', 'y'), '  syncPolicy:\n    syncOptions: [CreateNamespace=false]\n') } },
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

function withPolicy(files: Record<string, string>, policy: string | undefined): Record<string, string> {
  return policy ? { ...files, 'policies/gitops-gate.yaml': policy } : files;
}

describe('sync rules: one failing and one passing manifest each', () => {
  for (const c of CASES) {
    it(`${c.rule}: flags the failing manifest at line ${c.line}`, async () => {
      const r = await evaluateFiles(withPolicy(c.bad, c.policy), withPolicy({}, c.policy));
      const hits = r.findings.filter((f) => f.rule === c.rule);
      expect(hits.map((f) => [f.file, f.line]), JSON.stringify(r.findings.map((f) => [f.rule, f.line]))).toContainEqual(['app/x.yaml', c.line]);
      expect(hits[0]!.message.length).toBeGreaterThan(20);
      expect(hits[0]!.fix.length).toBeGreaterThan(5);
    });
    it(`${c.rule}: passes the corrected manifest`, async () => {
      const r = await evaluateFiles(withPolicy(c.good, c.policy), withPolicy({}, c.policy));
      expect(r.findings.filter((f) => f.rule === c.rule)).toEqual([]);
    });
  }
});

describe('rules that follow the facts of ArgoCD', () => {
  const ttlJob = { 'app/x.yaml': job(a(H, 'Sync'), '  ttlSecondsAfterFinished: 10\n', '  generateName: j-\n') };
  const ttlFindings = async (version?: string) => {
    const files = version ? withPolicy(ttlJob, `version: 1\nargocd:\n  version: "${version}"\n`) : ttlJob;
    const r = await evaluateFiles(files, version ? withPolicy({}, `version: 1\nargocd:\n  version: "${version}"\n`) : {});
    return r.findings.filter((f) => f.rule === 'hook-with-ttl').length;
  };

  it('hook-with-ttl follows argocd.version: hook finalizers (gitops-engine PR #646) make a TTL safe from 3.0 on', async () => {
    expect(await ttlFindings()).toBe(0); // the default policy targets the current release
    expect(await ttlFindings('3.0')).toBe(0);
    expect(await ttlFindings('v3.1.2')).toBe(0);
    expect(await ttlFindings('2.14.9')).toBe(1);
  });

  it('sync-option-unknown never suggests a fix that changes the value', async () => {
    const r = await evaluateFiles({ 'app/x.yaml': app(a('x', 'y'), '  syncPolicy:\n    syncOptions: [CreateNamespace=False, PruneLast=False, CreateNamespace=ture]\n') });
    const fixes = r.findings.filter((f) => f.rule === 'sync-option-unknown').map((f) => f.fix);
    expect(fixes).toHaveLength(3);
    expect(fixes[0]).toContain('"CreateNamespace=false"');
    expect(fixes[1]).toContain('"PruneLast=false"');
    for (const fix of fixes) expect(fix).not.toContain('=true"');
  });

  const rulesOf = async (files: Record<string, string>) => (await evaluateFiles(files)).findings.map((f) => f.rule);

  it('wave-wrong-location does not read an ApplicationSet template as a pod template', async () => {
    const appset = `apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: s\nspec:\n  generators: [{list: {elements: [{env: a}]}}]\n  template:\n    metadata:\n      name: 'x-{{env}}'\n      annotations:\n        ${H}: PreSync\n    spec:\n      project: default\n      source: {repoURL: https://git.example/r.git, path: x}\n      destination: {namespace: x}\n`;
    expect(await rulesOf({ 'app/x.yaml': appset })).not.toContain('wave-wrong-location');
    // A Deployment's pod template still is one.
    expect(await rulesOf({ 'app/x.yaml': deploy('d', 'x:1', a('x', 'y')).replace('  template:\n    spec:', `  template:\n    metadata:\n      annotations:\n        ${H}: PreSync\n    spec:`) })).toContain('wave-wrong-location');
  });

  it('wave-blocked-by-pending-pvc leaves pre-bound claims alone (volumeName, or storageClassName "")', async () => {
    const pvc = (spec: string) => `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\n  annotations:\n    ${W}: "-1"\nspec: ${spec}\n---\n` + deploy('d', 'x:1', a(W, '0')).replace('containers:', 'volumes: [{name: v, persistentVolumeClaim: {claimName: data}}]\n      containers:');
    expect(await rulesOf({ 'app/x.yaml': pvc('{}') })).toContain('wave-blocked-by-pending-pvc');
    expect(await rulesOf({ 'app/x.yaml': pvc('{volumeName: pv-data}') })).not.toContain('wave-blocked-by-pending-pvc');
    expect(await rulesOf({ 'app/x.yaml': pvc('{storageClassName: ""}') })).not.toContain('wave-blocked-by-pending-pvc');
  });

  it('wave-in-commonannotations is quiet for wave "0" and for a kustomization of one object', async () => {
    const kust = (wave: string, resources: string) => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\ncommonAnnotations:\n  ${W}: "${wave}"\nresources: ${resources}\n`;
    const two = cm(a('x', 'y'), 'one') + '---\n' + cm(a('x', 'y'), 'two');
    expect(await rulesOf({ 'app/kustomization.yaml': kust('2', '[a.yaml]'), 'app/a.yaml': two })).toContain('wave-in-commonannotations');
    expect(await rulesOf({ 'app/kustomization.yaml': kust('0', '[a.yaml]'), 'app/a.yaml': two })).not.toContain('wave-in-commonannotations');
    expect(await rulesOf({ 'app/kustomization.yaml': kust('2', '[a.yaml]'), 'app/a.yaml': cm(a('x', 'y'), 'one') })).not.toContain('wave-in-commonannotations');
    expect(await rulesOf({ 'app/kustomization.yaml': kust('2', '[../base]'), 'app/a.yaml': cm(a('x', 'y'), 'one') })).toContain('wave-in-commonannotations');
  });

  it('cr-needs-skip-dry-run knows the platform baseline and kustomize commonAnnotations', async () => {
    const cr = (apiVersion: string, kind: string) => `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: r\n`;
    expect(await rulesOf({ 'app/x.yaml': cr('example.com/v1', 'Widget') })).toContain('cr-needs-skip-dry-run');
    for (const [v, k] of [['route.openshift.io/v1', 'Route'], ['operators.coreos.com/v1alpha1', 'Subscription'], ['operators.coreos.com/v1', 'OperatorGroup'], ['argoproj.io/v1beta1', 'ArgoCD']]) {
      expect(await rulesOf({ 'app/x.yaml': cr(v!, k!) }), `${v} ${k}`).not.toContain('cr-needs-skip-dry-run');
    }
    const kust = `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\ncommonAnnotations:\n  ${SO}: SkipDryRunOnMissingResource=true\nresources: [x.yaml]\n`;
    expect(await rulesOf({ 'app/kustomization.yaml': kust, 'app/x.yaml': cr('example.com/v1', 'Widget') })).not.toContain('cr-needs-skip-dry-run');
  });

  it('non-hook-without-name ignores documents no one applies: tool configs, metadata-less files, .argo/ submissions', async () => {
    const imageSet = 'kind: ImageSetConfiguration\napiVersion: mirror.openshift.io/v1alpha2\nstorageConfig:\n  local: {path: ./m}\n';
    const k3d = 'apiVersion: k3d.io/v1alpha5\nkind: Simple\nservers: 1\n';
    const workflow = 'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  generateName: ci-\nspec:\n  entrypoint: main\n';
    const noMeta = 'apiVersion: example.com/v1\nkind: Thing\nspec: {}\n';
    const cases: Record<string, string>[] = [{ 'mirror/imageset.yaml': imageSet }, { 'k3d.yaml': k3d }, { '.argo/ci.yaml': workflow }, { 'app/thing.yaml': noMeta }];
    for (const files of cases) {
      const rules = await rulesOf(files);
      expect(rules, JSON.stringify(files)).not.toContain('non-hook-without-name');
    }
    // The same Workflow where an Application would apply it is still a finding.
    expect(await rulesOf({ 'app/ci.yaml': workflow })).toContain('non-hook-without-name');
  });

  it('a Jinja-templated kustomization.yaml is one template not evaluated, not a cascade of syntax errors', async () => {
    const jinja = `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n{%- for app in apps %}\n  - {{ app }}\n{%- endfor %}\n{% if prod %}\npatches:\n  - path: prod.yaml\n{% endif %}\n`;
    const r = await evaluateFiles({ 'app/kustomization.yaml': jinja });
    expect(r.findings.filter((f) => f.rule === 'yaml-syntax')).toEqual([]);
    expect(r.notEvaluated.map((n) => n.subject ?? JSON.stringify(n)).join(' ')).toContain('app/kustomization.yaml');
  });

  it('yaml-syntax reports one finding per file, with the count of the errors that follow from it', async () => {
    const r = await evaluateFiles({ 'app/x.yaml': 'a: [\nb: {\nc: "\n' });
    const hits = r.findings.filter((f) => f.rule === 'yaml-syntax');
    expect(hits).toHaveLength(1);
  });

  it('migration-wave-not-before-consumer does not take the database the migration waits for as a consumer', async () => {
    const clickhouse = deploy('clickhouse', 'clickhouse/clickhouse-server:24.3', a(W, '0'));
    const migrate = job(a(H, 'Sync') + a(W, '1') + a(DP, 'BeforeHookCreation'), '', '  generateName: migrate-\n').replace(
      'image: example/api:1.0}',
      'image: clickhouse/clickhouse-server:24.3, command: [sh, -c, "until clickhouse-client --host=clickhouse -q \\"SELECT 1\\"; do sleep 2; done; clickhouse-client --host=clickhouse < /m.sql"]}',
    );
    const rules = await rulesOf({ 'app/x.yaml': clickhouse + '---\n' + migrate });
    expect(rules).not.toContain('migration-wave-not-before-consumer');
    expect(rules).not.toContain('ordering-violated');
  });
});

