/**
 * Facts about Kubernetes kinds that ArgoCD's sync order depends on, and helpers that read pod specs
 * (images, volumes, ConfigMap/Secret references) out of workload manifests.
 */
import type { Resource } from '../manifests/resource.js';
import { isRecord } from '../core/values.js';

/**
 * ArgoCD's kind order (gitops-engine/pkg/sync/sync_tasks.go:28-64, Helm's install order). Matched by Kind only;
 * kinds not listed sort after all listed ones.
 */
export const KIND_ORDER: readonly string[] = [
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
];

const KIND_RANK = new Map(KIND_ORDER.map((k, i) => [k, i - KIND_ORDER.length]));

/** ArgoCD's rank of a kind: negative for listed kinds, 0 (last) for others (sync_tasks.go:98-104). */
export function kindRank(kind: string): number {
  return KIND_RANK.get(kind) ?? 0;
}

/** API groups served by Kubernetes itself: their kinds need no CRD. */
export const BUILTIN_GROUPS: ReadonlySet<string> = new Set([
  '',
  'apps',
  'batch',
  'autoscaling',
  'policy',
  'extensions',
  'networking.k8s.io',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'apiextensions.k8s.io',
  'admissionregistration.k8s.io',
  'apiregistration.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'node.k8s.io',
  'scheduling.k8s.io',
  'certificates.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'resource.k8s.io',
  'internal.apiserver.k8s.io',
  'storagemigration.k8s.io',
]);

/** `group/Kind` of ArgoCD's own CRDs, present wherever ArgoCD runs. */
export const ARGOCD_KINDS: ReadonlySet<string> = new Set(['argoproj.io/Application', 'argoproj.io/AppProject', 'argoproj.io/ApplicationSet']);

/** Kinds ArgoCD treats as long-lived state: poor hooks because hooks are re-created and never pruned. */
export const LONG_LIVED_KINDS: ReadonlySet<string> = new Set([
  'PersistentVolumeClaim',
  'PersistentVolume',
  'Namespace',
  'Secret',
  'ConfigMap',
  'CustomResourceDefinition',
  'StorageClass',
  'ServiceAccount',
]);

/** Workload kinds that run continuously: as hooks they drop out of the app's health and pruning. */
export const PERSISTENT_WORKLOAD_KINDS: ReadonlySet<string> = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Rollout',
  'Service',
  'Ingress',
]);


/** Reads a nested value. */
export function at(obj: unknown, ...path: (string | number)[]): unknown {
  let cur = obj;
  for (const p of path) {
    if (Array.isArray(cur) && typeof p === 'number') cur = cur[p];
    else if (isRecord(cur) && typeof p === 'string') cur = cur[p];
    else return undefined;
  }
  return cur;
}

/** Kubernetes and Argo Rollouts kinds whose `spec.template` is a pod template. */
const POD_TEMPLATE_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'Rollout']);

/**
 * Path (relative to the object) of the pod template of a workload, or `undefined` when the kind has none. A
 * `spec.template` is a pod template only for the workload kinds, or when it holds a pod spec (`spec.containers`):
 * an ApplicationSet's `spec.template` is an Application, not a pod.
 */
export function podTemplatePath(r: Resource): (string | number)[] | undefined {
  if (r.kind === 'Pod') return [];
  if (r.kind === 'CronJob') return ['spec', 'jobTemplate', 'spec', 'template'];
  const tpl = at(r.object, 'spec', 'template');
  if (!isRecord(tpl)) return undefined;
  if (POD_TEMPLATE_KINDS.has(r.kind)) return ['spec', 'template'];
  return Array.isArray(at(tpl, 'spec', 'containers')) ? ['spec', 'template'] : undefined;
}

/** The pod spec of a workload (`spec` of a Pod, `spec.template.spec` of others), or `undefined`. */
export function podSpec(r: Resource): Record<string, unknown> | undefined {
  const p = podTemplatePath(r);
  if (!p) return undefined;
  const spec = at(r.object, ...p, 'spec');
  return isRecord(spec) ? spec : undefined;
}

function containers(spec: Record<string, unknown>): Record<string, unknown>[] {
  const all = [spec.containers, spec.initContainers].flatMap((c) => (Array.isArray(c) ? c : []));
  return all.filter(isRecord);
}

/** Container images of a workload, as written. */
export function images(r: Resource): string[] {
  const spec = podSpec(r);
  if (!spec) return [];
  return containers(spec).flatMap((c) => (typeof c.image === 'string' ? [c.image] : []));
}

/** The repository part of an image reference: without tag or digest (`ghcr.io/org/api:1.2` gives `ghcr.io/org/api`). */
export function imageRepository(image: string): string {
  const noDigest = image.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** PVC names a workload mounts (`volumes[].persistentVolumeClaim.claimName`). */
export function claimNames(r: Resource): string[] {
  const spec = podSpec(r);
  const vols = Array.isArray(spec?.volumes) ? spec.volumes : [];
  return vols.flatMap((v) => {
    const n = at(v, 'persistentVolumeClaim', 'claimName');
    return typeof n === 'string' ? [n] : [];
  });
}

/** A ConfigMap, Secret or ServiceAccount a pod spec refers to. */
export interface PodReference {
  kind: 'ConfigMap' | 'Secret' | 'ServiceAccount';
  name: string;
  /** Path of the reference inside the object, for the finding's line. */
  path: (string | number)[];
}

/** ConfigMaps, Secrets and ServiceAccounts a workload's pod spec refers to (env, envFrom, volumes, serviceAccountName). */
export function podReferences(r: Resource): PodReference[] {
  const base = podTemplatePath(r);
  const spec = podSpec(r);
  if (!base || !spec) return [];
  const specPath = [...base, 'spec'];
  const out: PodReference[] = [];
  const add = (kind: PodReference['kind'], name: unknown, path: (string | number)[]) => {
    if (typeof name === 'string' && name) out.push({ kind, name, path });
  };
  if (typeof spec.serviceAccountName === 'string') add('ServiceAccount', spec.serviceAccountName, [...specPath, 'serviceAccountName']);
  for (const list of ['containers', 'initContainers'] as const) {
    const cs = Array.isArray(spec[list]) ? spec[list] : [];
    cs.forEach((c, ci) => {
      const cp = [...specPath, list, ci];
      const envFrom = Array.isArray(at(c, 'envFrom')) ? (at(c, 'envFrom') as unknown[]) : [];
      envFrom.forEach((e, ei) => {
        add('ConfigMap', at(e, 'configMapRef', 'name'), [...cp, 'envFrom', ei, 'configMapRef', 'name']);
        add('Secret', at(e, 'secretRef', 'name'), [...cp, 'envFrom', ei, 'secretRef', 'name']);
      });
      const env = Array.isArray(at(c, 'env')) ? (at(c, 'env') as unknown[]) : [];
      env.forEach((e, ei) => {
        add('ConfigMap', at(e, 'valueFrom', 'configMapKeyRef', 'name'), [...cp, 'env', ei, 'valueFrom', 'configMapKeyRef', 'name']);
        add('Secret', at(e, 'valueFrom', 'secretKeyRef', 'name'), [...cp, 'env', ei, 'valueFrom', 'secretKeyRef', 'name']);
      });
    });
  }
  const vols = Array.isArray(spec.volumes) ? spec.volumes : [];
  vols.forEach((v, vi) => {
    add('ConfigMap', at(v, 'configMap', 'name'), [...specPath, 'volumes', vi, 'configMap', 'name']);
    add('Secret', at(v, 'secret', 'secretName'), [...specPath, 'volumes', vi, 'secret', 'secretName']);
  });
  return out;
}

/** Names `r` provides to others: its own name, and the Secrets it writes (`secretName`, `writeConnectionSecretToRef`, `target.name`). */
export function providedNames(r: Resource): Set<string> {
  const names = new Set<string>();
  if (r.name) names.add(r.name);
  let budget = 2000;
  const walk = (v: unknown, key: string, depth: number): void => {
    if (budget-- <= 0 || depth > 12) return;
    if (typeof v === 'string') {
      if (/secretname$/i.test(key) && v) names.add(v);
      return;
    }
    if (Array.isArray(v)) return v.forEach((x) => walk(x, key, depth + 1));
    if (!isRecord(v)) return;
    for (const [k, x] of Object.entries(v)) {
      if ((k === 'writeConnectionSecretToRef' || k === 'target') && isRecord(x) && typeof x.name === 'string' && x.name) names.add(x.name);
      walk(x, k, depth + 1);
    }
  };
  walk(at(r.object, 'spec'), 'spec', 0);
  return names;
}

/**
 * Keys whose values name the object's own parts, not other objects (an image `example/api:1.0` does not use a
 * Deployment `api`); references by `name` are read by {@link podReferences}.
 */
const NOT_REFERENCES: ReadonlySet<string> = new Set(['image', 'name', 'mountPath', 'subPath', 'imagePullPolicy', 'restartPolicy', 'protocol', 'path', 'kind', 'apiVersion', 'labels', 'matchLabels', 'selector']);

/**
 * True when `user` refers to `provider` by name: a token of one of its string values (outside metadata) is a
 * name `provider` provides, or a DNS name under it (`db`, `db.shop.svc`, `--host=db`, `postgres://db:5432`).
 */
export function usesObject(user: Resource, provider: Resource): boolean {
  const names = providedNames(provider);
  if (names.size === 0) return false;
  if (podReferences(user).some((ref) => names.has(ref.name))) return true;
  let budget = 4000;
  const hit = (s: string): boolean =>
    s.split(/[\s=:/@,;"'()[\]{}]+/).some((tok) => names.has(tok) || [...names].some((n) => tok.startsWith(`${n}.`)));
  const walk = (v: unknown, depth: number): boolean => {
    if (budget-- <= 0 || depth > 16) return false;
    if (typeof v === 'string') return hit(v);
    if (Array.isArray(v)) return v.some((x) => walk(x, depth + 1));
    if (!isRecord(v)) return false;
    return Object.entries(v).some(([k, x]) => (NOT_REFERENCES.has(k) || (depth === 0 && k === 'metadata') ? false : walk(x, depth + 1)));
  };
  return walk(user.object, 0);
}
