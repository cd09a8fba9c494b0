/**
 * What gitops-gate reads from ArgoCD's own objects: an Application's project, destination, automated sync
 * (selfHeal, prune, `enabled`), retry, notification subscriptions; an AppProject's fences and sync windows;
 * the triggers, templates and services of argocd-notifications-cm. Field names are those of
 * pkg/apis/application/v1alpha1/types.go and app_project_types.go (argoproj/argo-cd).
 */
import type { Resource } from '../manifests/resource.js';
import { isRecord } from '../core/values.js';
import { globMatch } from '../argocd/builtin-health.js';
import { normalizeDir } from '../argocd/app-paths.js';
import type { AppSelector } from './settings.js';

/** Annotation prefix of notification subscriptions (docs/user-guide/subscriptions.md). */
export const SUBSCRIBE_PREFIX = 'notifications.argoproj.io/subscribe.';

/** One `notifications.argoproj.io/subscribe.<trigger>.<service>` annotation. */
export interface Subscription {
  /** The trigger, or undefined for `subscribe.<service>` (the default triggers apply). */
  trigger?: string;
  service: string;
  /** The annotation key. */
  key: string;
  /** Where it is written: on the Application, or on its AppProject. */
  on: 'application' | 'project';
}

/** The drift controls of an Application: `spec.syncPolicy.automated` and `spec.syncPolicy.retry`. */
export interface DriftControls {
  /** `automated` present and not `enabled: false` (ArgoCD 3.x `SyncPolicyAutomated.Enabled`). */
  automated: boolean;
  selfHeal: boolean;
  prune: boolean;
  /** `retry.limit` (0 or absent: no retry limit written; a negative limit retries forever). */
  retryLimit?: number;
}

/** An Application as the applications area reads it. */
export interface AppFacts {
  resource: Resource;
  name: string;
  /** `spec.project`; ArgoCD reads an empty project as `default`. */
  project: string;
  server?: string;
  cluster?: string;
  namespace?: string;
  labels: Record<string, string>;
  drift: DriftControls;
  subscriptions: Subscription[];
  syncOptions: string[];
  hasIgnoreDifferences: boolean;
  /** The `resources-finalizer.argocd.argoproj.io` finalizer (deleting the Application cascades to its resources). */
  cascade: boolean;
  /** `Prune=false` in the Application's own sync-options annotation: its parent never prunes it. */
  noPrune: boolean;
  /** Its Git sources with a path (Helm chart sources left out). */
  sources: AppSource[];
}

/** One `spec.source`/`spec.sources[]` entry with a `path`. */
export interface AppSource {
  repoURL: string;
  /** Repository-relative directory. */
  dir: string;
  /** `directory.recurse`. */
  recurse: boolean;
  /** `directory.include` / `directory.exclude` globs (docs/user-guide/directory.md). */
  include?: string;
  exclude?: string;
  /** `kustomize` or `helm` written on the source (ArgoCD renders it with a tool). */
  tool: boolean;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Subscriptions written as annotations on `r`. */
export function subscriptionsOf(r: Resource, on: Subscription['on']): Subscription[] {
  const out: Subscription[] = [];
  for (const [key, e] of r.annotations) {
    if (!key.startsWith(SUBSCRIBE_PREFIX) || !e.isString) continue;
    const rest = key.slice(SUBSCRIBE_PREFIX.length);
    const dot = rest.indexOf('.');
    out.push(dot < 0 ? { service: rest, key, on } : { trigger: rest.slice(0, dot), service: rest.slice(dot + 1), key, on });
  }
  return out;
}

/** The drift controls written in an Application's (or ApplicationSet template's) spec. */
export function driftOf(spec: unknown): DriftControls {
  const policy = isRecord(spec) && isRecord(spec.syncPolicy) ? spec.syncPolicy : {};
  const a = policy.automated;
  const automated = isRecord(a) && a.enabled !== false;
  const retry = isRecord(policy.retry) ? policy.retry : undefined;
  const limit = retry && typeof retry.limit === 'number' ? retry.limit : undefined;
  return {
    automated,
    selfHeal: automated && isRecord(a) && a.selfHeal === true,
    prune: automated && isRecord(a) && a.prune === true,
    ...(limit !== undefined ? { retryLimit: limit } : {}),
  };
}

/** Reads an Application resource; `undefined` for any other kind. */
export function appFacts(r: Resource): AppFacts | undefined {
  if (r.group !== 'argoproj.io' || r.kind !== 'Application') return undefined;
  const spec = isRecord(r.object.spec) ? r.object.spec : {};
  const dest = isRecord(spec.destination) ? spec.destination : {};
  const policy = isRecord(spec.syncPolicy) ? spec.syncPolicy : {};
  const labels: Record<string, string> = {};
  for (const [k, e] of r.labels) if (e.isString) labels[k] = String(e.value);
  const meta = isRecord(r.object.metadata) ? r.object.metadata : {};
  const finalizers = Array.isArray(meta.finalizers) ? meta.finalizers : [];
  const so = r.annotations.get('argocd.argoproj.io/sync-options');
  const server = str(dest.server);
  const cluster = str(dest.name);
  const namespace = str(dest.namespace);
  return {
    resource: r,
    name: r.name ?? '',
    project: str(spec.project) || 'default',
    ...(server ? { server } : {}),
    ...(cluster ? { cluster } : {}),
    ...(namespace ? { namespace } : {}),
    labels,
    drift: driftOf(spec),
    subscriptions: subscriptionsOf(r, 'application'),
    syncOptions: Array.isArray(policy.syncOptions) ? policy.syncOptions.filter((o): o is string => typeof o === 'string') : [],
    hasIgnoreDifferences: Array.isArray(spec.ignoreDifferences) && spec.ignoreDifferences.length > 0,
    cascade: finalizers.some((f) => typeof f === 'string' && f.startsWith('resources-finalizer.argocd.argoproj.io')),
    sources: [spec.source, ...(Array.isArray(spec.sources) ? spec.sources : [])].filter(isRecord).flatMap((src): AppSource[] => {
      if (typeof src.path !== 'string' || typeof src.chart === 'string') return [];
      const d = isRecord(src.directory) ? src.directory : {};
      const include = str(d.include);
      const exclude = str(d.exclude);
      return [{ repoURL: str(src.repoURL) ?? '', dir: normalizeDir(src.path), recurse: d.recurse === true, ...(include ? { include } : {}), ...(exclude ? { exclude } : {}), tool: isRecord(src.kustomize) || isRecord(src.helm) }];
    }),
    noPrune: so?.isString === true && String(so.value).split(',').some((o) => o.trim() === 'Prune=false'),
  };
}

/** The destination in words: `cluster/namespace`. */
export function destinationLabel(a: AppFacts): string {
  return `${a.cluster ?? a.server ?? '?'}/${a.namespace ?? '(none)'}`;
}

const anyGlob = (globs: readonly string[] | undefined, value: string | undefined) => !globs || (value !== undefined && globs.some((g) => globMatch(g, value)));

/**
 * True when the Application matches the selector (see {@link AppSelector}).
 * @param isProduction - decides `production: true`
 */
export function selects(sel: AppSelector, a: AppFacts, isProduction: (a: AppFacts) => boolean): boolean {
  if (!anyGlob(sel.names, a.name)) return false;
  if (!anyGlob(sel.projects, a.project)) return false;
  if (sel.clusters && !(anyGlob(sel.clusters, a.server) || anyGlob(sel.clusters, a.cluster))) return false;
  if (!anyGlob(sel.namespaces, a.namespace)) return false;
  for (const [k, v] of Object.entries(sel.labels ?? {})) if (a.labels[k] === undefined || !globMatch(v, a.labels[k])) return false;
  if (sel.production === true && !isProduction(a)) return false;
  return true;
}

/** True when any selector of the list selects the Application (an empty list selects none). */
export function selectsAny(list: readonly AppSelector[], a: AppFacts, isProduction: (a: AppFacts) => boolean): boolean {
  return list.some((s) => selects(s, a, isProduction));
}

/** A wildcard an AppProject opens, with where it is written. */
export interface OpenFence {
  fence: 'sourceRepos' | 'destinationServer' | 'destinationNamespace' | 'clusterResources';
  /** Path of the field inside the AppProject object. */
  path: (string | number)[];
  /** What it lets the project's Applications do, in words. */
  what: string;
}

/** The items of an AppProject's fences, as comparable strings: `sourceRepos:<repo>`, `destination:<server>|<name>/<namespace>`, `cluster:<group>/<kind>`... */
export function fenceItems(project: Resource): Map<string, (string | number)[]> {
  const spec = isRecord(project.object.spec) ? project.object.spec : {};
  const out = new Map<string, (string | number)[]>();
  const list = (k: string) => (Array.isArray(spec[k]) ? (spec[k] as unknown[]) : []);
  list('sourceRepos').forEach((v, i) => typeof v === 'string' && out.set(`source repository ${v}`, ['spec', 'sourceRepos', i]));
  list('sourceNamespaces').forEach((v, i) => typeof v === 'string' && out.set(`Application namespace ${v}`, ['spec', 'sourceNamespaces', i]));
  list('destinations').forEach((d, i) => {
    if (!isRecord(d)) return;
    out.set(`destination ${str(d.server) ?? str(d.name) ?? '?'} namespace ${str(d.namespace) ?? '?'}`, ['spec', 'destinations', i]);
  });
  list('clusterResourceWhitelist').forEach((d, i) => {
    if (isRecord(d)) out.set(`cluster-scoped ${str(d.group) ?? ''}/${str(d.kind) ?? ''}`, ['spec', 'clusterResourceWhitelist', i]);
  });
  list('namespaceResourceWhitelist').forEach((d, i) => {
    if (isRecord(d)) out.set(`namespaced ${str(d.group) ?? ''}/${str(d.kind) ?? ''}`, ['spec', 'namespaceResourceWhitelist', i]);
  });
  return out;
}

/** Entries of an AppProject's blacklists (removing one widens the fence). */
export function blacklistItems(project: Resource): Map<string, (string | number)[]> {
  const spec = isRecord(project.object.spec) ? project.object.spec : {};
  const out = new Map<string, (string | number)[]>();
  for (const k of ['clusterResourceBlacklist', 'namespaceResourceBlacklist']) {
    const l = Array.isArray(spec[k]) ? (spec[k] as unknown[]) : [];
    l.forEach((d, i) => {
      if (isRecord(d)) out.set(`${k} ${str(d.group) ?? ''}/${str(d.kind) ?? ''}`, ['spec', k, i]);
    });
  }
  return out;
}

/** The wildcards an AppProject opens (docs/user-guide/projects.md; the `default` project opens all of them). */
export function openFences(project: Resource): OpenFence[] {
  const spec = isRecord(project.object.spec) ? project.object.spec : {};
  const out: OpenFence[] = [];
  const list = (k: string) => (Array.isArray(spec[k]) ? (spec[k] as unknown[]) : []);
  list('sourceRepos').forEach((v, i) => {
    if (v === '*') out.push({ fence: 'sourceRepos', path: ['spec', 'sourceRepos', i], what: 'deploy from any Git or Helm repository' });
  });
  list('destinations').forEach((d, i) => {
    if (!isRecord(d)) return;
    if (d.server === '*' || d.name === '*') out.push({ fence: 'destinationServer', path: ['spec', 'destinations', i], what: 'deploy to any cluster ArgoCD knows' });
    if (d.namespace === '*') out.push({ fence: 'destinationNamespace', path: ['spec', 'destinations', i], what: 'deploy into any namespace, kube-system and argocd included' });
  });
  list('clusterResourceWhitelist').forEach((d, i) => {
    if (isRecord(d) && d.group === '*' && d.kind === '*') out.push({ fence: 'clusterResources', path: ['spec', 'clusterResourceWhitelist', i], what: 'create any cluster-scoped resource (ClusterRoles, CRDs, webhooks)' });
  });
  return out;
}

/** A deny window that still lets people sync by hand (docs/user-guide/sync_windows.md, `manualSync`). */
export function breakGlassWindows(project: Resource): { index: number; schedule: string; duration: string; applications: string[] }[] {
  const spec = isRecord(project.object.spec) ? project.object.spec : {};
  const windows = Array.isArray(spec.syncWindows) ? spec.syncWindows : [];
  const out: { index: number; schedule: string; duration: string; applications: string[] }[] = [];
  windows.forEach((w, index) => {
    if (!isRecord(w) || w.kind !== 'deny' || w.manualSync !== true) return;
    const apps = Array.isArray(w.applications) ? w.applications.filter((a): a is string => typeof a === 'string') : [];
    out.push({ index, schedule: str(w.schedule) ?? '?', duration: str(w.duration) ?? '?', applications: apps });
  });
  return out;
}
