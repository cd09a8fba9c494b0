/**
 * Every applications rule with a failing and a passing change: the failing one is flagged by that rule at the
 * given line (and severity), the passing one is not flagged by it. Changes run base → head, so rules about what
 * a change weakens are exercised as a reviewer meets them.
 */
import { describe, expect, it } from 'vitest';
import { evaluateFiles } from '../helpers/change.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderText } from '../../src/report/text.js';

const POLICY = 'policies/gitops-gate.yaml';

interface AppOpts {
  name?: string;
  annotations?: string[];
  project?: string;
  path?: string;
  namespace?: string;
  syncPolicy?: string;
  extra?: string;
  finalizers?: boolean;
}

const FULL_SYNC = '  syncPolicy:\n    automated:\n      selfHeal: true\n      prune: true\n    retry:\n      limit: 5\n';

/** An Application manifest. */
function app(o: AppOpts = {}): string {
  const annos = o.annotations?.length ? `  annotations:\n${o.annotations.map((a) => `    ${a}\n`).join('')}` : '';
  return (
    `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${o.name ?? 'payments-prod'}\n  namespace: argocd\n${o.finalizers ? '  finalizers:\n    - resources-finalizer.argocd.argoproj.io\n' : ''}${annos}` +
    `spec:\n  project: ${o.project ?? 'payments'}\n  source:\n    repoURL: https://git.example/r.git\n    path: ${o.path ?? 'apps/payments'}\n${o.extra ?? ''}` +
    `  destination:\n    server: https://kubernetes.default.svc\n    namespace: ${o.namespace ?? 'payments-prod'}\n${o.syncPolicy ?? FULL_SYNC}`
  );
}

function project(spec: string, name = 'payments', annos = ''): string {
  return `apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: ${name}\n  namespace: argocd\n${annos}spec:\n${spec}`;
}

/** An ApplicationSet whose template carries `sync` (indented as an Application spec's syncPolicy). */
function appSet(sync: string): string {
  const tplSync = sync.split('\n').map((l) => (l ? `    ${l}` : l)).join('\n');
  return `apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: payments\nspec:\n  generators:\n    - list:\n        elements: [{env: prod}]\n  template:\n    metadata:\n      name: 'payments-{{env}}'\n    spec:\n      project: payments\n      source: {repoURL: https://git.example/r.git, path: apps/payments}\n      destination: {server: https://kubernetes.default.svc, namespace: 'payments-{{env}}'}\n${tplSync}`;
}

const FENCED = '  sourceRepos:\n    - https://git.example/r.git\n  destinations:\n    - server: https://kubernetes.default.svc\n      namespace: payments-prod\n';
const SUB = 'notifications.argoproj.io/subscribe.on-sync-failed.slack: payments-oncall';
const NOTIF_CM =
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-notifications-cm\n  namespace: argocd\ndata:\n  service.slack: |\n    token: $slack-token\n  trigger.on-sync-failed: |\n    - when: app.status.operationState.phase in [\'Error\', \'Failed\']\n      send: [app-sync-failed]\n  template.app-sync-failed: |\n    message: failed\n';

const line = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

interface Case {
  name: string;
  rule: string;
  policy?: string;
  base?: Record<string, string>;
  bad: Record<string, string>;
  good: Record<string, string>;
  /** Expected file and line of the finding (default `apps/app.yaml`). */
  file?: string;
  line: number;
  severity?: 'error' | 'warning' | 'notice';
  /** Text the message must hold. */
  says?: string;
}

const PROD = 'version: 1\napplications:\n  production:\n    - namespaces: ["*-prod"]\n';
const selfHealOff = FULL_SYNC.replace('selfHeal: true', 'selfHeal: false');
const enabledOff = FULL_SYNC.replace('    automated:\n', '    automated:\n      enabled: false\n');

const CASES: Case[] = [
  {
    name: 'required drift reconciliation missing',
    rule: 'app-drift-not-reconciled',
    policy: 'version: 1\napplications:\n  drift:\n    require: [{ namespaces: ["*-prod"] }]\n',
    bad: { 'apps/app.yaml': app({ syncPolicy: '  syncPolicy:\n    automated:\n      selfHeal: true\n' }) },
    good: { 'apps/app.yaml': app() },
    line: line(app(), '    automated:'),
    severity: 'error',
    says: 'prune: true, retry with a positive limit',
  },
  {
    name: 'self-heal turned off (not production: warning)',
    rule: 'app-drift-weakened',
    base: { 'apps/app.yaml': app() },
    bad: { 'apps/app.yaml': app({ syncPolicy: selfHealOff }) },
    good: { 'apps/app.yaml': app({ namespace: 'payments-prod', syncPolicy: FULL_SYNC.replace('limit: 5', 'limit: 3') }) },
    line: line(app(), '    automated:'),
    severity: 'warning',
    says: 'turns off self-heal for payments-prod',
  },
  {
    name: 'self-heal turned off on a production Application (error)',
    rule: 'app-drift-weakened',
    policy: PROD,
    base: { 'apps/app.yaml': app() },
    bad: { 'apps/app.yaml': app({ syncPolicy: selfHealOff }) },
    good: { 'apps/app.yaml': app() },
    line: line(app(), '    automated:'),
    severity: 'error',
    says: 'no longer reverted',
  },
  {
    name: 'automated.enabled: false (ArgoCD 3.x) counts as off',
    rule: 'app-drift-weakened',
    base: { 'apps/app.yaml': app() },
    bad: { 'apps/app.yaml': app({ syncPolicy: enabledOff }) },
    good: { 'apps/app.yaml': app({ syncPolicy: FULL_SYNC.replace('    automated:\n', '    automated:\n      enabled: true\n') }) },
    line: line(app(), '  syncPolicy:'),
    says: 'turns off automated sync',
  },
  {
    name: 'prune turned off in an ApplicationSet template',
    rule: 'app-drift-weakened',
    base: { 'apps/set.yaml': appSet(FULL_SYNC) },
    bad: { 'apps/set.yaml': appSet(FULL_SYNC.replace('prune: true', 'prune: false')) },
    good: { 'apps/set.yaml': appSet(FULL_SYNC.replace('limit: 5', 'limit: 2')) },
    file: 'apps/set.yaml',
    line: line(appSet(FULL_SYNC), '    automated:'),
    says: 'turns off prune for every Application of ApplicationSet payments',
  },
  {
    name: 'required sync-failure subscription missing (the AppProject may hold it)',
    rule: 'app-sync-failure-unnotified',
    policy: 'version: 1\napplications:\n  notifications:\n    require: [{}]\n',
    bad: { 'apps/app.yaml': app(), 'apps/project.yaml': project(FENCED) },
    good: { 'apps/app.yaml': app(), 'apps/project.yaml': project(FENCED, 'payments', `  annotations:\n    ${SUB}\n`) },
    line: line(app(), '  name:'),
    severity: 'error',
  },
  {
    name: 'subscription to a trigger argocd-notifications-cm does not define',
    rule: 'app-notification-undefined',
    bad: { 'apps/app.yaml': app({ annotations: [SUB.replace('on-sync-failed', 'on-sync-fail')] }), 'argocd/notifications.yaml': NOTIF_CM },
    good: { 'apps/app.yaml': app({ annotations: [SUB] }), 'argocd/notifications.yaml': NOTIF_CM },
    line: line(app({ annotations: [SUB] }), 'notifications.argoproj.io'),
    says: 'trigger on-sync-fail',
  },
  {
    name: 'subscription to a service argocd-notifications-cm does not define',
    rule: 'app-notification-undefined',
    bad: { 'apps/app.yaml': app({ annotations: [SUB.replace('.slack:', '.teams:')] }), 'argocd/notifications.yaml': NOTIF_CM },
    good: { 'apps/app.yaml': app({ annotations: [SUB] }), 'argocd/notifications.yaml': NOTIF_CM },
    line: line(app({ annotations: [SUB] }), 'notifications.argoproj.io'),
    says: 'service teams',
  },
  {
    name: 'the last sync-failure subscription removed',
    rule: 'app-notification-removed',
    base: { 'apps/app.yaml': app({ annotations: [SUB] }) },
    bad: { 'apps/app.yaml': app() },
    good: { 'apps/app.yaml': app({ annotations: [SUB, 'team: payments'] }) },
    line: line(app(), '  name:'),
    says: 'on-sync-failed → slack',
  },
  {
    name: 'child Application removed from a pruning root (cascade)',
    rule: 'app-child-removed',
    base: { 'apps/root.yaml': app({ name: 'root', path: 'apps/children', namespace: 'argocd' }), 'apps/children/pay.yaml': app({ finalizers: true }), 'apps/children/web.yaml': app({ name: 'web' }) },
    bad: { 'apps/root.yaml': app({ name: 'root', path: 'apps/children', namespace: 'argocd' }), 'apps/children/web.yaml': app({ name: 'web' }) },
    good: { 'apps/root.yaml': app({ name: 'root', path: 'apps/children', namespace: 'argocd' }), 'apps/children/pay.yaml': app({ finalizers: true, syncPolicy: FULL_SYNC.replace('limit: 5', 'limit: 4') }), 'apps/children/web.yaml': app({ name: 'web' }) },
    file: 'apps/children/pay.yaml',
    line: 1,
    says: 'which prunes it: ArgoCD deletes the Application and, through resources-finalizer',
  },
  {
    name: 'child Application removed from a root that does not prune',
    rule: 'app-child-removed',
    base: { 'apps/root.yaml': app({ name: 'root', path: 'apps/children', namespace: 'argocd', syncPolicy: '' }), 'apps/children/pay.yaml': app() },
    bad: { 'apps/root.yaml': app({ name: 'root', path: 'apps/children', namespace: 'argocd', syncPolicy: '' }) },
    good: { 'apps/root.yaml': app({ name: 'root', path: 'apps/children', namespace: 'argocd', syncPolicy: '' }), 'apps/children/pay.yaml': app({ namespace: 'payments-prod' }) },
    file: 'apps/children/pay.yaml',
    line: 1,
    says: 'orphaned',
  },
  {
    name: 'child Application in a subdirectory the root does not recurse into',
    rule: 'app-child-unreachable',
    bad: { 'apps/root.yaml': app({ name: 'root', path: 'apps/children', namespace: 'argocd' }), 'apps/children/team/pay.yaml': app() },
    good: { 'apps/root.yaml': app({ name: 'root', path: 'apps/children', namespace: 'argocd', extra: '    directory:\n      recurse: true\n' }), 'apps/children/team/pay.yaml': app() },
    file: 'apps/children/team/pay.yaml',
    line: 1,
    says: 'never created',
  },
  {
    name: 'child Application excluded by the root\'s directory.exclude',
    rule: 'app-child-unreachable',
    bad: { 'apps/root.yaml': app({ name: 'root', path: 'apps/children', namespace: 'argocd', extra: '    directory:\n      exclude: "pay*.yaml"\n' }), 'apps/children/pay.yaml': app() },
    good: { 'apps/root.yaml': app({ name: 'root', path: 'apps/children', namespace: 'argocd', extra: '    directory:\n      exclude: "web*.yaml"\n' }), 'apps/children/pay.yaml': app() },
    file: 'apps/children/pay.yaml',
    line: 1,
  },
  {
    name: 'production Application in the default project',
    rule: 'app-project-default',
    policy: PROD,
    bad: { 'apps/app.yaml': app({ project: 'default' }) },
    good: { 'apps/app.yaml': app() },
    line: line(app(), '  project:'),
    severity: 'error',
  },
  {
    name: 'AppProject open to any source repository',
    rule: 'project-fence-open',
    bad: { 'apps/project.yaml': project(FENCED.replace('- https://git.example/r.git', "- '*'")) },
    good: { 'apps/project.yaml': project(FENCED) },
    file: 'apps/project.yaml',
    line: line(project(FENCED), '    - https://git.example'),
    says: 'any Git or Helm repository',
  },
  {
    name: 'AppProject wildcard the policy allows for that project is not flagged',
    rule: 'project-fence-open',
    bad: { 'apps/project.yaml': project(FENCED + '  clusterResourceWhitelist:\n    - group: "*"\n      kind: "*"\n') },
    good: { 'apps/project.yaml': project(FENCED + '  clusterResourceWhitelist:\n    - group: "*"\n      kind: "*"\n', 'platform') },
    policy: 'version: 1\napplications:\n  projects:\n    allow:\n      platform: [clusterResources]\n',
    file: 'apps/project.yaml',
    line: line(project(FENCED + '  clusterResourceWhitelist:\n'), '  clusterResourceWhitelist:') + 1,
  },
  {
    name: 'a change widens an AppProject destination',
    rule: 'project-fence-widened',
    base: { 'apps/project.yaml': project(FENCED + '    - server: https://kubernetes.default.svc\n      namespace: payments-canary\n') },
    bad: { 'apps/project.yaml': project(FENCED + "    - server: https://kubernetes.default.svc\n      namespace: '*'\n") },
    good: { 'apps/project.yaml': project(FENCED) },
    file: 'apps/project.yaml',
    line: line(project(FENCED + "    - server: https://kubernetes.default.svc\n      namespace: '*'\n"), "namespace: '*'") - 1,
    says: 'adds destination https://kubernetes.default.svc namespace *',
  },
  {
    name: 'a change moves an Application to the default project',
    rule: 'project-fence-widened',
    base: { 'apps/app.yaml': app() },
    bad: { 'apps/app.yaml': app({ project: 'default' }) },
    good: { 'apps/app.yaml': app({ project: 'payments' }) },
    line: line(app(), '  project:'),
    says: 'from AppProject payments to default',
  },
  {
    name: 'deny sync window with manualSync: true',
    rule: 'sync-window-manual-sync',
    bad: { 'apps/project.yaml': project(FENCED + "  syncWindows:\n    - kind: deny\n      schedule: '0 22 * * *'\n      duration: 8h\n      manualSync: true\n") },
    good: { 'apps/project.yaml': project(FENCED + "  syncWindows:\n    - kind: deny\n      schedule: '0 22 * * *'\n      duration: 8h\n      manualSync: false\n") },
    file: 'apps/project.yaml',
    line: line(project(FENCED) + '  syncWindows:\n    - kind: deny\n      schedule: x\n      duration: 8h\n', 'duration') + 1,
    severity: 'notice',
    says: 'break-glass',
  },
  {
    name: 'RespectIgnoreDifferences without ServerSideApply',
    rule: 'respect-ignore-differences-without-ssa',
    bad: { 'apps/app.yaml': app({ extra: '  ignoreDifferences:\n    - kind: Deployment\n      group: apps\n      jsonPointers: [/spec/replicas]\n', syncPolicy: FULL_SYNC + '    syncOptions:\n      - RespectIgnoreDifferences=true\n' }) },
    good: { 'apps/app.yaml': app({ extra: '  ignoreDifferences:\n    - kind: Deployment\n      group: apps\n      jsonPointers: [/spec/replicas]\n', syncPolicy: FULL_SYNC + '    syncOptions:\n      - RespectIgnoreDifferences=true\n      - ServerSideApply=true\n' }) },
    line: line(app({ extra: '  ignoreDifferences:\n    - kind: Deployment\n      group: apps\n      jsonPointers: [/spec/replicas]\n', syncPolicy: FULL_SYNC + '    syncOptions:\n' }), 'syncOptions'),
  },
  {
    name: 'health check in an operator-managed argocd-cm (openshift-gitops), no ArgoCD CR in the repository',
    rule: 'argocd-cm-operator-signal',
    bad: { 'argocd/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\n  namespace: openshift-gitops\ndata:\n  resource.customizations.health.example.com_Widget: |\n    return {status = "Healthy"}\n' },
    good: { 'argocd/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\n  namespace: argocd\ndata:\n  resource.customizations.health.example.com_Widget: |\n    return {status = "Healthy"}\n' },
    file: 'argocd/cm.yaml',
    line: 7,
    says: 'openshift-gitops',
  },
  {
    name: 'health check in argocd-cm labelled by the operator',
    rule: 'argocd-cm-operator-signal',
    bad: { 'argocd/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\n  labels:\n    app.kubernetes.io/managed-by: example-argocd\n    app.kubernetes.io/part-of: argocd\ndata:\n  resource.customizations.health.example.com_Widget: |\n    return {status = "Healthy"}\n' },
    good: { 'argocd/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\n  labels:\n    app.kubernetes.io/managed-by: Helm\n    app.kubernetes.io/part-of: argocd\ndata:\n  resource.customizations.health.example.com_Widget: |\n    return {status = "Healthy"}\n' },
    file: 'argocd/cm.yaml',
    line: 9,
    says: 'managed-by: example-argocd',
  },
];

async function run(c: Case, head: Record<string, string>) {
  const policy: Record<string, string> = c.policy ? { [POLICY]: c.policy } : {};
  return evaluateFiles({ ...policy, ...head }, { ...policy, ...(c.base ?? {}) });
}

describe('applications rules: one failing and one passing change each', () => {
  for (const c of CASES) {
    it(`${c.rule}: ${c.name}: flagged`, async () => {
      const r = await run(c, c.bad);
      const hits = r.findings.filter((f) => f.rule === c.rule);
      expect(hits.map((f) => [f.file, f.line]), JSON.stringify(r.findings.map((f) => [f.rule, f.file, f.line, f.message]))).toContainEqual([c.file ?? 'apps/app.yaml', c.line]);
      const hit = hits.find((f) => f.line === c.line)!;
      expect(hit.status).toBe('new');
      if (c.severity) expect(hit.severity).toBe(c.severity);
      if (c.says) expect(hit.message).toContain(c.says);
      expect(hit.fix.length).toBeGreaterThan(5);
    });
    it(`${c.rule}: ${c.name}: passes the corrected change`, async () => {
      const r = await run(c, c.good);
      expect(r.findings.filter((f) => f.rule === c.rule)).toEqual([]);
    });
  }
});

describe('applications: policy and summary', () => {
  it('the default policy requires nothing of an Application without automated sync', async () => {
    const r = await evaluateFiles({ 'apps/app.yaml': app({ syncPolicy: '' }) });
    expect(r.findings.filter((f) => f.rule.startsWith('app-') || f.rule.startsWith('project-'))).toEqual([]);
  });

  it('the policy\'s rules setting wins over the production severity', async () => {
    const policy = PROD + 'rules:\n  app-drift-weakened: notice\n';
    const r = await evaluateFiles({ [POLICY]: policy, 'apps/app.yaml': app({ syncPolicy: selfHealOff }) }, { [POLICY]: policy, 'apps/app.yaml': app() });
    expect(r.findings.filter((f) => f.rule === 'app-drift-weakened').map((f) => f.severity)).toEqual(['notice']);
    expect(r.verdict).toBe('pass');
  });

  it('a production weakening fails the gate and the summary says what it weakens', async () => {
    const r = await evaluateFiles({ [POLICY]: PROD, 'apps/app.yaml': app({ syncPolicy: selfHealOff, annotations: [SUB] }) }, { [POLICY]: PROD, 'apps/app.yaml': app({ annotations: [SUB] }) });
    expect(r.verdict).toBe('fail');
    const md = renderMarkdown(r);
    expect(md).toContain('### Applications');
    expect(md).toContain('`payments-prod` (production)');
    expect(md).toContain('auto · selfHeal on · prune on · retry 5 → **auto · selfHeal off · prune on · retry 5**');
    expect(md).toContain('turns off self-heal for payments-prod');
    expect(md).toContain('on-sync-failed → slack');
    expect(renderText(r)).toContain('WEAKENS: turns off self-heal for payments-prod');
  });

  it('a subscription to an undefined trigger does not count as a sync-failure notification; a global one does', async () => {
    const policy = 'version: 1\napplications:\n  notifications:\n    require: [{}]\n';
    const undefinedTrigger = await evaluateFiles({ [POLICY]: policy, 'apps/app.yaml': app({ annotations: [SUB] }), 'argocd/n.yaml': NOTIF_CM.replace('trigger.on-sync-failed', 'trigger.on-sync-done') }, { [POLICY]: policy });
    expect(undefinedTrigger.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['app-sync-failure-unnotified', 'app-notification-undefined']));
    const global = NOTIF_CM + '  subscriptions: |\n    - recipients: [slack:oncall]\n      triggers: [on-sync-failed]\n';
    const r = await evaluateFiles({ [POLICY]: policy, 'apps/app.yaml': app(), 'argocd/n.yaml': global }, { [POLICY]: policy });
    expect(r.rules.find((x) => x.rule === 'app-sync-failure-unnotified')?.state).toBe('passed');
    expect(r.findings.filter((f) => f.rule === 'app-sync-failure-unnotified')).toEqual([]);
  });

  it('production raises side findings and project widenings to errors', async () => {
    const undefinedSub = await evaluateFiles({ [POLICY]: PROD, 'apps/app.yaml': app({ annotations: [SUB.replace('.slack:', '.teams:')] }), 'argocd/n.yaml': NOTIF_CM }, { [POLICY]: PROD });
    expect(undefinedSub.findings.find((f) => f.rule === 'app-notification-undefined')?.severity).toBe('error');
    const wide = project(FENCED + "    - server: https://kubernetes.default.svc\n      namespace: '*'\n");
    const r = await evaluateFiles({ [POLICY]: PROD, 'apps/app.yaml': app(), 'apps/project.yaml': wide }, { [POLICY]: PROD, 'apps/app.yaml': app(), 'apps/project.yaml': project(FENCED) });
    expect(r.findings.find((f) => f.rule === 'project-fence-widened')).toMatchObject({ severity: 'error', status: 'new' });
    expect(renderMarkdown(r)).toMatch(/\| ⚠️ AppProject payments adds destination https:\S*kubernetes\.default\.svc namespace \\\* \|/);
  });

  it('the sync plan names a removed child as pruned', async () => {
    const c = CASES.find((x) => x.rule === 'app-child-removed')!;
    const r = await run(c, c.bad);
    const md = renderMarkdown(r);
    expect(md).toMatch(/➖ removed: pruned by root, with its resources/);
    expect(md).toContain('**pruned**');
  });

  it('a break-glass sync window of a touched Application\'s project is in the summary', async () => {
    const proj = project(FENCED + "  syncWindows:\n    - kind: deny\n      schedule: '0 22 * * *'\n      duration: 8h\n      manualSync: true\n");
    const r = await evaluateFiles({ 'apps/app.yaml': app({ syncPolicy: selfHealOff }), 'apps/project.yaml': proj }, { 'apps/app.yaml': app(), 'apps/project.yaml': proj });
    expect(renderMarkdown(r)).toContain('break-glass sync is possible');
  });
});
