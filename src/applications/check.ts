/**
 * The applications area: the controls that make GitOps an enforced source of truth live in ArgoCD's own
 * objects (Application, ApplicationSet, AppProject, argocd-notifications-cm, argocd-cm). Per side, it checks
 * what the policy requires of them; across the change, it reports every control the change weakens (self-heal
 * or prune turned off, the last sync-failure subscription removed, a project fence widened, a child Application
 * removed from its parent), and records `report.details.applications` ({@link ApplicationsDetail}) for the
 * summary. Paths in references are in argoproj/argo-cd.
 */
import { minimatch } from 'minimatch';
import { touchedPaths, type Position, type Severity } from '../core/model.js';
import { isRecord } from '../core/values.js';
import { dirName } from '../manifests/manifest-file.js';
import type { Resource } from '../manifests/resource.js';
import type { Policy } from '../policy/types.js';
import type { Check, ChangeContext, FindingInput, RuleInfo, SideContext } from '../area/contract.js';
import type { ApplicationRepoFacts } from './gather.js';
import {
  appFacts,
  blacklistItems,
  breakGlassWindows,
  destinationLabel,
  driftOf,
  fenceItems,
  openFences,
  selectsAny,
  subscriptionsOf,
  type AppFacts,
  type DriftControls,
} from './model.js';

const DRIFT_REF =
  'docs/user-guide/auto_sync.md (automated, prune, selfHeal; retry in docs/user-guide/sync-options.md); controller/appcontroller.go autoSync; SyncPolicyAutomated.Enabled in pkg/apis/application/v1alpha1/types.go (ArgoCD 3.x: enabled: false turns automated sync off)';
const NOTIFY_REF = 'docs/user-guide/subscriptions.md (notifications.argoproj.io/subscribe.<trigger>.<service>, on Applications and AppProjects); docs/operator-manual/notifications/catalog.md (on-sync-failed)';

const rule = (id: string, title: string, defaultSeverity: Severity, reference: string): RuleInfo => ({ id, area: 'applications', title, defaultSeverity, reference });

/** The rules of {@link applicationsCheck}. */
export const APPLICATION_RULES: RuleInfo[] = [
  rule('app-drift-not-reconciled', 'Applications the policy selects (applications.drift.require) sync automatically with selfHeal, prune and a retry limit', 'error', DRIFT_REF),
  rule('app-drift-weakened', 'A change does not turn off automated sync, selfHeal, prune or the retry limit of an Application (error for production)', 'warning', DRIFT_REF),
  rule('app-sync-failure-unnotified', 'Applications the policy selects (applications.notifications.require) subscribe to a sync-failure trigger', 'error', NOTIFY_REF),
  rule('app-notification-undefined', 'A subscription names a trigger, its templates and a service that argocd-notifications-cm defines (when the repository holds it)', 'warning', 'docs/operator-manual/notifications/triggers.md, templates.md, services/; argo-cd #16195, argocd-notifications #229 and #236 (an undefined trigger or service notifies no one)'),
  rule('app-notification-removed', 'A change does not remove the last sync-failure subscription of an Application (error for production)', 'warning', NOTIFY_REF),
  rule('app-child-removed', 'A child Application removed from its parent is named with what ArgoCD does to it: pruned (deleted, cascading with resources-finalizer) or orphaned', 'warning', 'docs/user-guide/auto_sync.md "Automatic Pruning"; docs/user-guide/app_deletion.md (resources-finalizer.argocd.argoproj.io cascades the deletion)'),
  rule('app-child-unreachable', 'Every Application manifest under a parent Application\'s path is one the parent renders', 'warning', 'docs/user-guide/directory.md (directory.recurse, include, exclude); reposerver/repository/repository.go findManifests'),
  rule('app-project-default', 'Production Applications do not use the default AppProject', 'error', 'docs/user-guide/projects.md "The Default Project" (any source repository, any destination, any kind)'),
  rule('project-fence-open', 'An AppProject opens no fence with a wildcard (sourceRepos, destinations, clusterResourceWhitelist) unless the policy allows it', 'warning', 'docs/user-guide/projects.md; pkg/apis/application/v1alpha1/app_project_types.go (IsSourcePermitted, IsDestinationPermitted, IsGroupKindPermitted)'),
  rule('project-fence-widened', 'A change that widens an AppProject, or moves an Application to another project, names what it widens (error for production)', 'warning', 'docs/user-guide/projects.md; pkg/apis/application/v1alpha1/app_project_types.go'),
  rule('sync-window-manual-sync', 'A deny sync window with manualSync: true is named: people can still sync by hand while it is active', 'notice', 'docs/user-guide/sync_windows.md (manualSync); pkg/apis/application/v1alpha1/types.go SyncWindows.CanSync'),
  rule('respect-ignore-differences-without-ssa', 'ignoreDifferences with RespectIgnoreDifferences=true also sets ServerSideApply=true', 'warning', 'docs/user-guide/sync-options.md "Respect Ignore Difference Configs"; argo-cd #9678 (with client-side apply the ignored fields are still applied)'),
  rule('argocd-cm-operator-signal', 'No health checks written into argocd-cm when an operator manages ArgoCD (openshift-gitops namespace, operator labels, ArgoCD owner)', 'warning', 'argocd-operator reconciles argocd-cm from the ArgoCD CR and reverts other keys (argo-cd #5056, #6169; argocd-operator #383)'),
];

/** One Application in the summary: its controls before and after the change. */
export interface AppRow {
  name: string;
  file: string;
  status: 'added' | 'removed' | 'modified' | 'unchanged';
  production: boolean;
  project: { base?: string; head?: string };
  destination: { base?: string; head?: string };
  drift: { base?: DriftControls; head?: DriftControls };
  /** Sync-failure subscriptions at head (what notifies a person when a sync fails). */
  notifications: { base?: string[]; head?: string[] };
  /** What the change weakens, in words ("turns off self-heal: ..."). */
  weakens: string[];
}

/** A child Application the change removes from its parent. */
export interface RemovedChild {
  name: string;
  file: string;
  parent: string;
  /** `pruned`: the parent prunes it; `orphaned`: it stays, unmanaged by the parent. */
  fate: 'pruned' | 'orphaned';
  /** With resources-finalizer, deleting the child deletes its resources too. */
  cascade: boolean;
}

/** `report.details.applications`. */
export interface ApplicationsDetail {
  apps: AppRow[];
  removedChildren: RemovedChild[];
  /** Deny windows that allow manual syncs, in projects of the Applications listed. */
  breakGlassWindows: { project: string; schedule: string; duration: string }[];
}

type Reporter = (rule: string, f: FindingInput) => void;

function isProduction(policy: Policy, a: AppFacts): boolean {
  return selectsAny(policy.applications.production, a, () => false);
}

const prodSeverity = (prod: boolean): { severity?: Severity } => (prod ? { severity: 'error' } : {});

function label(r: Resource): string {
  return `${r.kind} ${r.name ?? r.generateName ?? ''}`;
}

function find(r: Resource, pos: Position, message: string, fix: string, key?: string, severity?: { severity?: Severity }): FindingInput {
  return { file: r.file, pos, subject: `argoproj.io/${label(r)}`, message: `${label(r)}: ${message}`, fix, ...(key !== undefined ? { key } : {}), ...severity };
}

/** Where to point at an Application's annotations: the block, or its name when it has none. */
function metaPos(r: Resource): Position {
  return r.annotations.size ? r.keyPos(['metadata', 'annotations']) : r.pos(['metadata', 'name']);
}

function driftMissing(d: DriftControls): string[] {
  const out: string[] = [];
  if (!d.automated) out.push('automated sync');
  else {
    if (!d.selfHeal) out.push('selfHeal: true');
    if (!d.prune) out.push('prune: true');
  }
  if (d.retryLimit === undefined || d.retryLimit <= 0) out.push('retry with a positive limit');
  return out;
}

/**
 * The sync-failure subscriptions that reach someone: on the Application, on its AppProject, or global in
 * argocd-notifications-cm. When the repository holds argocd-notifications-cm, only subscriptions whose trigger
 * and service it defines count.
 */
export function failureSubscriptions(a: AppFacts, facts: ApplicationRepoFacts | undefined, triggers: readonly string[]): string[] {
  const cms = facts?.notifications ?? [];
  const project = facts?.projects.get(a.project);
  const subs = [...a.subscriptions, ...(project ? subscriptionsOf(project, 'project') : [])];
  const defaults = cms.flatMap((n) => n.defaultTriggers);
  const out: string[] = [];
  for (const s of subs) {
    const ts = s.trigger ? [s.trigger] : defaults;
    const t = ts.find((x) => triggers.includes(x));
    if (!t) continue;
    if (cms.length && !(cms.some((n) => n.triggers.has(t)) && cms.some((n) => n.services.has(s.service)))) continue;
    out.push(`${t} → ${s.service}${s.on === 'project' ? ` (AppProject ${a.project})` : ''}`);
  }
  for (const n of cms) for (const t of n.globalTriggers) if (triggers.includes(t) && n.triggers.has(t)) out.push(`${t} (global subscription in argocd-notifications-cm)`);
  return [...new Set(out)];
}

/** The Applications whose path holds `file`, and whether each renders it (directory.recurse, include, exclude, tools). */
function parentsOf(file: string, self: AppFacts, facts: ApplicationRepoFacts, policy: Policy): { parent: AppFacts; renders: boolean }[] {
  const dir = dirName(file);
  const repoURLs = policy.sync.applications.repoURLs;
  const out: { parent: AppFacts; renders: boolean }[] = [];
  for (const p of facts.appsAbove(dir)) {
    if (p === self || p.resource.file === file) continue;
    for (const s of p.sources) {
      if (repoURLs.length && !repoURLs.some((g) => minimatch(s.repoURL, g))) continue;
      if (!(s.dir === '' || dir === s.dir || dir.startsWith(`${s.dir}/`))) continue;
      const rel = s.dir ? file.slice(s.dir.length + 1) : file;
      const tool = s.tool || facts.toolDirs.has(s.dir);
      let renders = tool || s.recurse || dir === s.dir;
      const globs = (g?: string) => (g ? (g.startsWith('{') ? g.slice(1, -1).split(',') : [g]).map((x) => x.trim()) : []);
      if (renders && !tool && s.include && !globs(s.include).some((g) => minimatch(rel, g) || minimatch(rel.split('/').pop()!, g))) renders = false;
      if (renders && !tool && s.exclude && globs(s.exclude).some((g) => minimatch(rel, g) || minimatch(rel.split('/').pop()!, g))) renders = false;
      out.push({ parent: p, renders });
    }
  }
  return out;
}

const OPERATOR_MANAGERS = new Set(['argocd-operator', 'openshift-gitops-operator', 'gitops-operator']);

/** Why argocd-cm looks operator-managed (namespace, labels, owner), or undefined. */
function operatorSignal(r: Resource): string | undefined {
  if (r.namespace === 'openshift-gitops') return 'it is in the openshift-gitops namespace, which the OpenShift GitOps operator manages';
  const managed = r.labels.get('app.kubernetes.io/managed-by');
  if (managed?.isString) {
    const v = String(managed.value);
    if (OPERATOR_MANAGERS.has(v.toLowerCase())) return `it carries app.kubernetes.io/managed-by: ${v}`;
    if (r.labels.get('app.kubernetes.io/part-of')?.value === 'argocd' && !['helm', 'kustomize'].includes(v.toLowerCase())) return `it carries app.kubernetes.io/managed-by: ${v} (the operator labels argocd-cm with its ArgoCD CR's name)`;
  }
  const meta = isRecord(r.object.metadata) ? r.object.metadata : {};
  const owners = Array.isArray(meta.ownerReferences) ? meta.ownerReferences : [];
  if (owners.some((o) => isRecord(o) && o.kind === 'ArgoCD')) return 'its ownerReferences name an ArgoCD CR';
  return undefined;
}

function healthKeys(r: Resource): string[] {
  const data = isRecord(r.object.data) ? r.object.data : {};
  return Object.keys(data).filter((k) => k.startsWith('resource.customizations.health.') || (k === 'resource.customizations' && typeof data[k] === 'string' && (data[k] as string).includes('health.lua')));
}

function allowed(policy: Policy, project: string): Set<string> {
  const out = new Set<string>();
  for (const [glob, fences] of Object.entries(policy.applications.projects.allow)) if (minimatch(project, glob)) for (const f of fences) out.add(f);
  return out;
}

function checkApplication(ctx: SideContext, report: Reporter, a: AppFacts): void {
  const { policy } = ctx;
  const r = a.resource;
  const facts = ctx.snapshot.applications;
  const prod = isProduction(policy, a);
  const isProd = (x: AppFacts) => isProduction(policy, x);
  if (selectsAny(policy.applications.drift.require, a, isProd)) {
    const missing = driftMissing(a.drift);
    if (missing.length) {
      report(
        'app-drift-not-reconciled',
        find(r, r.keyPos(['spec', 'syncPolicy', ...(a.drift.automated ? ['automated'] : [])]), `the policy requires drift reconciliation, but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing: a manual change in the cluster is not reverted, or a failed sync is not retried.`, 'Set spec.syncPolicy.automated: {selfHeal: true, prune: true} and spec.syncPolicy.retry.limit (for example 5).'),
      );
    }
  }
  if (selectsAny(policy.applications.notifications.require, a, isProd) && failureSubscriptions(a, facts, policy.applications.notifications.triggers).length === 0) {
    report(
      'app-sync-failure-unnotified',
      find(r, metaPos(r), `no subscription to a sync-failure trigger (${policy.applications.notifications.triggers.join(', ')}) on the Application, its AppProject ${a.project} or globally: a failed sync notifies no one.`, `Add notifications.argoproj.io/subscribe.${policy.applications.notifications.triggers[0] ?? 'on-sync-failed'}.<service>: <recipient> to the Application or its AppProject.`),
    );
  }
  const cms = facts?.notifications ?? [];
  if (cms.length) {
    for (const s of a.subscriptions) {
      const e = r.annotations.get(s.key)!;
      const missing: string[] = [];
      if (s.trigger && !cms.some((n) => n.triggers.has(s.trigger!))) missing.push(`trigger ${s.trigger}`);
      else if (s.trigger) {
        const sends = cms.flatMap((n) => n.triggers.get(s.trigger!) ?? []);
        for (const t of sends) if (!cms.some((n) => n.templates.has(t))) missing.push(`template ${t} (sent by ${s.trigger})`);
      }
      if (!cms.some((n) => n.services.has(s.service))) missing.push(`service ${s.service}`);
      if (!missing.length) continue;
      report(
        'app-notification-undefined',
        find(r, e.keyPos, `${s.key} names ${missing.join(', ')}, which no argocd-notifications-cm in this repository (${cms.map((n) => n.resource.file).join(', ')}) defines: this subscription notifies no one.`, 'Define the trigger (trigger.<name>), its templates (template.<name>) and the service (service.<type> or service.<type>.<name>) in argocd-notifications-cm, or fix the annotation key.', s.key, prodSeverity(prod)),
      );
    }
  }
  if (prod && a.project === 'default') {
    report('app-project-default', find(r, r.pos(['spec', 'project']), 'this production Application uses the default AppProject, which may deploy any source to any cluster and namespace unless restricted: nothing fences what it touches.', 'Put the Application in a project that lists its source repositories and destinations.'));
  }
  if (a.hasIgnoreDifferences && a.syncOptions.includes('RespectIgnoreDifferences=true') && !a.syncOptions.includes('ServerSideApply=true')) {
    report(
      'respect-ignore-differences-without-ssa',
      find(r, r.keyPos(['spec', 'syncPolicy', 'syncOptions']), 'ignoreDifferences with RespectIgnoreDifferences=true but client-side apply: the sync can still overwrite the ignored fields or stay OutOfSync (argo-cd #9678).', 'Add ServerSideApply=true to spec.syncPolicy.syncOptions.'),
    );
  }
  if (facts) {
    const parents = parentsOf(r.file, a, facts, policy);
    if (parents.length && !parents.some((p) => p.renders)) {
      const names = parents.map((p) => p.parent.name).join(', ');
      report(
        'app-child-unreachable',
        find(r, r.pos([]), `this Application lies under the path of ${names}, which does not render this file (plain directory without recurse, or directory.include/exclude leaves it out): it is never created, and nothing it deploys is managed.`, `Set directory.recurse: true on ${names}, adjust include/exclude, or move the file to the directory the parent reads.`),
      );
    }
  }
}

function checkProject(ctx: SideContext, report: Reporter, p: Resource): void {
  const allow = allowed(ctx.policy, p.name ?? '');
  for (const f of openFences(p)) {
    if (allow.has(f.fence)) continue;
    report('project-fence-open', find(p, p.pos(f.path), `a wildcard lets its Applications ${f.what}.`, `List what the project needs, or allow it in the policy (applications.projects.allow: {${p.name ?? 'project'}: [${f.fence}]}).`, `${f.fence}:${f.path.join('.')}`));
  }
  for (const w of breakGlassWindows(p)) {
    report(
      'sync-window-manual-sync',
      find(p, p.pos(['spec', 'syncWindows', w.index, 'manualSync']), `the deny window "${w.schedule}" for ${w.duration}${w.applications.length ? ` (${w.applications.join(', ')})` : ''} has manualSync: true: automated syncs wait, but anyone allowed to sync can still sync by hand (break-glass).`, 'Keep it if break-glass syncs are intended and audited; otherwise set manualSync: false.', `window:${w.index}`),
    );
  }
}

function checkArgocdCm(ctx: SideContext, report: Reporter, r: Resource): void {
  if (ctx.snapshot.applications?.operatorCr) return; // health's argocd-cm-managed-by-operator reports it
  const keys = healthKeys(r);
  const why = keys.length ? operatorSignal(r) : undefined;
  if (!why) return;
  for (const k of keys) {
    report('argocd-cm-operator-signal', { file: r.file, pos: r.keyPos(['data', k]), subject: `ConfigMap ${r.namespace ?? ''}/argocd-cm`, key: k, message: `argocd-cm defines ${k}, but an operator manages ArgoCD here (${why}): the operator rewrites argocd-cm from its ArgoCD CR and reverts this key on its next reconcile.`, fix: 'Move the health check into the ArgoCD CR: spec.resourceHealthChecks (group, kind, check).' });
  }
}

function sideCheck(ctx: SideContext): void {
  const seen = new Set<string>();
  const report: Reporter = (id, f) => {
    const k = [id, f.file, f.pos.line, f.pos.column, f.key ?? ''].join('\u0000');
    if (seen.has(k)) return;
    seen.add(k);
    ctx.report(id, f);
  };
  for (const r of ctx.snapshot.resources) {
    const a = appFacts(r);
    if (a) checkApplication(ctx, report, a);
    else if (r.group === 'argoproj.io' && r.kind === 'AppProject') checkProject(ctx, report, r);
    else if (r.group === '' && r.kind === 'ConfigMap' && r.name === 'argocd-cm') checkArgocdCm(ctx, report, r);
  }
}

const appKey = (a: AppFacts) => `${a.resource.namespace ?? ''}/${a.name}`;

function driftWeakening(b: DriftControls, h: DriftControls, name: string): { what: string; path: string[] }[] {
  const out: { what: string; path: string[] }[] = [];
  if (b.automated && !h.automated) out.push({ what: `turns off automated sync for ${name}: Git changes are no longer applied, and drift is no longer reverted`, path: ['spec', 'syncPolicy'] });
  else {
    if (b.selfHeal && !h.selfHeal) out.push({ what: `turns off self-heal for ${name}: a manual change in the cluster (kubectl edit, scale) is no longer reverted`, path: ['spec', 'syncPolicy', 'automated'] });
    if (b.prune && !h.prune) out.push({ what: `turns off prune for ${name}: resources removed from Git keep running in the cluster`, path: ['spec', 'syncPolicy', 'automated'] });
  }
  const retry = (d: DriftControls) => d.retryLimit !== undefined && d.retryLimit !== 0;
  if (retry(b) && !retry(h)) out.push({ what: `removes the retry limit of ${name}: a failed sync is not retried`, path: ['spec', 'syncPolicy'] });
  return out;
}

function projectWidening(b: Resource | undefined, h: Resource): { what: string; path: (string | number)[] }[] {
  if (!b) return [];
  const out: { what: string; path: (string | number)[] }[] = [];
  const before = fenceItems(b);
  for (const [item, path] of fenceItems(h)) if (!before.has(item)) out.push({ what: `adds ${item}`, path });
  const blackAfter = blacklistItems(h);
  for (const item of blacklistItems(b).keys()) if (!blackAfter.has(item)) out.push({ what: `removes ${item} (denied before)`, path: ['spec'] });
  return out;
}

function changeCheck(ctx: ChangeContext): void {
  const { policy } = ctx;
  const hf = ctx.head.applications;
  if (!hf) return;
  const bf = ctx.base?.applications;
  const touched = new Set(touchedPaths(ctx.change));
  const triggers = policy.applications.notifications.triggers;
  const touchedProjects = new Set([...hf.projects.values(), ...(bf?.projects.values() ?? [])].filter((p) => touched.has(p.file)).map((p) => p.name ?? ''));
  // The Applications the change touches: in changed files, or using a changed AppProject (`--all`: every one in scope).
  const collect = (f: ApplicationRepoFacts | undefined, all: readonly AppFacts[]) => {
    const out = new Map<string, AppFacts>();
    if (!f) return out;
    const found = ctx.change.mode === 'all' ? all : [...[...touched].flatMap((p) => f.appsInFile(p)), ...[...touchedProjects].flatMap((n) => f.appsMentioning(n).filter((a) => a.project === n))];
    for (const a of found) if (!out.has(appKey(a))) out.set(appKey(a), a);
    return out;
  };
  const headApps = collect(hf, ctx.head.resources.flatMap((r) => appFacts(r) ?? []));
  const baseApps = ctx.change.mode === 'all' ? new Map<string, AppFacts>() : collect(bf, []);
  const keys = new Set([...headApps.keys(), ...baseApps.keys()]);
  const rows: AppRow[] = [];
  const removedChildren: RemovedChild[] = [];
  const projectsUsed = new Set<string>();
  for (const k of keys) {
    const h = headApps.get(k) ?? (baseApps.has(k) ? hf.appsMentioning(baseApps.get(k)!.name).find((x) => appKey(x) === k) : undefined);
    const b = baseApps.get(k) ?? (bf && headApps.has(k) ? bf.appsMentioning(headApps.get(k)!.name).find((x) => appKey(x) === k) : undefined);
    const any = (h ?? b)!;
    const prod = isProduction(policy, any) || (b !== undefined && isProduction(policy, b));
    const weakens: string[] = [];
    const row: AppRow = {
      name: any.name,
      file: any.resource.file,
      status: !b ? (ctx.change.mode === 'all' ? 'unchanged' : 'added') : !h ? 'removed' : touched.has(h.resource.file) || touched.has(b.resource.file) ? 'modified' : 'unchanged',
      production: prod,
      project: { ...(b ? { base: b.project } : {}), ...(h ? { head: h.project } : {}) },
      destination: { ...(b ? { base: destinationLabel(b) } : {}), ...(h ? { head: destinationLabel(h) } : {}) },
      drift: { ...(b ? { base: b.drift } : {}), ...(h ? { head: h.drift } : {}) },
      notifications: { ...(b ? { base: failureSubscriptions(b, bf, triggers) } : {}), ...(h ? { head: failureSubscriptions(h, hf, triggers) } : {}) },
      weakens,
    };
    if (h) projectsUsed.add(h.project);
    if (b && h) {
      for (const w of driftWeakening(b.drift, h.drift, h.name)) {
        weakens.push(w.what);
        ctx.report('app-drift-weakened', find(h.resource, h.resource.keyPos(w.path), `this change ${w.what}.`, 'Keep spec.syncPolicy.automated with selfHeal: true and prune: true (and a retry limit), or record why drift may stay in the cluster.', w.what.split(' ').slice(0, 3).join(' '), prodSeverity(prod)));
      }
      if (row.notifications.base!.length && !row.notifications.head!.length) {
        const what = `removes the last sync-failure notification of ${h.name} (was: ${row.notifications.base!.join('; ')}): a failed sync reaches no one`;
        weakens.push(what);
        ctx.report('app-notification-removed', find(h.resource, metaPos(h.resource), `this change ${what}.`, 'Keep a notifications.argoproj.io/subscribe.on-sync-failed.<service> subscription on the Application or its AppProject.', 'notification', prodSeverity(prod)));
      }
      if (b.project !== h.project) {
        const from = bf?.projects.get(b.project);
        const to = hf.projects.get(h.project);
        let extra: string[] | undefined;
        if (h.project === 'default' && !to) extra = ['the default project, which permits any source, destination and kind'];
        else if (from && to) {
          const before = fenceItems(from);
          extra = [...fenceItems(to).keys()].filter((i) => !before.has(i));
          if (!extra.length) extra = undefined;
        }
        if (extra) {
          const what = `moves ${h.name} from AppProject ${b.project} to ${h.project}, which widens what it may touch: ${extra.join('; ')}`;
          weakens.push(what);
          ctx.report('project-fence-widened', find(h.resource, h.resource.pos(['spec', 'project']), `this change ${what}.`, `Keep ${h.name} in ${b.project}, or fence ${h.project} to what ${h.name} needs.`, 'project-move', prodSeverity(prod)));
        }
      }
    }
    if (b && !h && bf) {
      const parents = parentsOf(b.resource.file, b, bf, policy).filter((p) => p.renders);
      if (parents.length) {
        const parentBase = parents[0]!.parent;
        const parent = hf.appsInFile(parentBase.resource.file).find((x) => x.name === parentBase.name) ?? parentBase;
        const fate: RemovedChild['fate'] = parent.drift.prune && !b.noPrune ? 'pruned' : 'orphaned';
        removedChildren.push({ name: b.name, file: b.resource.file, parent: parent.name, fate, cascade: b.cascade });
        const what =
          fate === 'pruned'
            ? `removes child Application ${b.name} from ${parent.name}, which prunes it: ArgoCD deletes the Application${b.cascade ? ' and, through resources-finalizer, every resource it deployed' : ' (its resources stay, unmanaged)'}`
            : `removes child Application ${b.name} from ${parent.name}, whose prune is off${b.noPrune ? ' (or the child says Prune=false)' : ''}: the child is orphaned, keeps running and syncing, and ${parent.name} shows OutOfSync until someone prunes it by hand`;
        weakens.push(what);
        ctx.report('app-child-removed', { ...find(b.resource, b.resource.pos([]), `this change ${what}.`, 'Make sure the removal is intended; to keep the workloads, remove resources-finalizer from the child before removing it.', 'child-removed'), ...prodSeverity(prod) });
      }
    }
    rows.push(row);
  }
  if (ctx.base && bf) {
    // ApplicationSet templates: weakening the template weakens every Application it generates.
    for (const set of hf.appSets) {
      if (!touched.has(set.file)) continue;
      const before = bf.appSets.find((x) => x.name === set.name);
      if (!before) continue;
      const tpl = (r: Resource) => (isRecord(r.object.spec) && isRecord(r.object.spec.template) ? r.object.spec.template.spec : undefined);
      for (const w of driftWeakening(driftOf(tpl(before)), driftOf(tpl(set)), `every Application of ApplicationSet ${set.name ?? ''}`)) {
        ctx.report('app-drift-weakened', find(set, set.keyPos(['spec', 'template', ...w.path]), `this change ${w.what}.`, 'Keep spec.template.spec.syncPolicy.automated with selfHeal: true and prune: true (and a retry limit).', w.what.split(' ').slice(0, 3).join(' ')));
      }
    }
    for (const p of hf.projects.values()) {
      if (!touched.has(p.file)) continue;
      const prod = hf.appsMentioning(p.name ?? '').some((a) => a.project === p.name && isProduction(policy, a));
      for (const w of projectWidening(bf.projects.get(p.name ?? ''), p)) {
        ctx.report('project-fence-widened', find(p, p.pos(w.path), `this change widens the project: it ${w.what}.`, 'Keep the fence as narrow as the project\'s Applications need; a wider fence needs its own review.', w.what, prodSeverity(prod)));
        for (const row of rows) if (row.project.head === p.name) row.weakens.push(`AppProject ${p.name ?? ''} ${w.what}`);
      }
    }
  }
  const windows: ApplicationsDetail['breakGlassWindows'] = [];
  for (const name of projectsUsed) {
    const p = hf.projects.get(name);
    if (p) for (const w of breakGlassWindows(p)) windows.push({ project: name, schedule: w.schedule, duration: w.duration });
  }
  if (rows.length || removedChildren.length) {
    rows.sort((x, y) => Number(y.weakens.length > 0) - Number(x.weakens.length > 0) || x.name.localeCompare(y.name));
    ctx.detail('applications', { apps: rows, removedChildren, breakGlassWindows: windows } satisfies ApplicationsDetail);
  }
}

/** The applications area (see the module comment). */
export const applicationsCheck: Check = {
  name: 'applications',
  rules: APPLICATION_RULES,
  side: sideCheck,
  change: changeCheck,
};

