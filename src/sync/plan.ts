/**
 * The sync plan: the order in which ArgoCD applies the resources of one sync group, computed as
 * gitops-engine's `syncTasks.Sort` does (gitops-engine/pkg/sync/sync_tasks.go:81-178).
 */
import type { Resource } from '../manifests/resource.js';
import { at, kindRank } from '../argocd/kinds.js';
import { compareSteps, syncModel, type SyncModel } from './model.js';
import type { OrderPhase } from './settings.js';

/** One task of the plan: a resource in one phase (a hook in two phases has two tasks). */
export interface PlanTask {
  resource: Resource;
  model: SyncModel;
  phase: OrderPhase;
  /** The wave ArgoCD uses, after dependency moves. */
  wave: bigint;
  /** The namespace ArgoCD applies the resource in (its own, else the group's default for namespaced kinds). */
  namespace?: string;
  /** Set when ArgoCD moved the task before a dependent (Namespace or CRD), with the step it had before. */
  movedBefore?: { dependent: string; phase: OrderPhase; wave: bigint };
}

/** Kinds that are cluster-scoped: they get no default namespace. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ClusterIssuer',
  'Node',
  'RuntimeClass',
  'CSIDriver',
]);

/** The name ArgoCD sorts by: `metadata.name` (hooks without one get a generated name starting with generateName). */
export function taskName(r: Resource): string {
  return r.name ?? r.generateName ?? '';
}

/** Sort key of a resource as `sync_tasks.go` Less compares it (phase, wave, kind, name). */
function less(a: PlanTask, b: PlanTask): number {
  const d = compareSteps(a, b);
  if (d !== 0) return d;
  const k = kindRank(a.resource.kind) - kindRank(b.resource.kind);
  if (k !== 0) return k;
  const an = taskName(a.resource);
  const bn = taskName(b.resource);
  return an < bn ? -1 : an > bn ? 1 : 0;
}

/** The key of the dependency a task *is* (a Namespace name, or a CRD's group/kind). */
type DepFn = (t: PlanTask) => string | undefined;

const isNamespace: DepFn = (t) => (t.resource.kind === 'Namespace' && t.resource.group === '' ? t.resource.name : undefined);
const inNamespace: DepFn = (t) => t.namespace;
const isCrd: DepFn = (t) => {
  if (t.resource.kind !== 'CustomResourceDefinition' || t.resource.group !== 'apiextensions.k8s.io') return undefined;
  const g = at(t.resource.object, 'spec', 'group');
  const k = at(t.resource.object, 'spec', 'names', 'kind');
  return typeof g === 'string' && typeof k === 'string' ? `${g}/${k}` : undefined;
};
const crOf: DepFn = (t) => `${t.resource.group}/${t.resource.kind}`;

/**
 * `adjustDeps` (sync_tasks.go:140-178): a dependency found after its first dependent moves to that dependent's
 * place and takes its wave and phase.
 */
function adjustDeps(tasks: PlanTask[], isDep: DepFn, findDep: DepFn): void {
  const first = new Map<string, number>();
  for (let i = 0; i < tasks.length; i++) {
    const t = tasks[i]!;
    const depKey = isDep(t);
    if (depKey !== undefined) {
      const index = first.get(depKey);
      if (index !== undefined) {
        const dependent = tasks[index]!;
        t.movedBefore = { dependent: `${dependent.resource.kind} ${taskName(dependent.resource)}`, phase: t.phase, wave: t.wave };
        t.wave = dependent.wave;
        t.phase = dependent.phase;
        tasks.splice(i, 1);
        tasks.splice(index, 0, t);
        for (const [k, v] of first) if (v >= index) first.set(k, v + 1);
      }
    } else {
      const key = findDep(t);
      if (key !== undefined && !first.has(key)) first.set(key, i);
    }
  }
}

/**
 * Computes the sync plan of a group's resources.
 * @param resources the resources ArgoCD would apply (kustomizations are not resources)
 * @param defaultNamespace the namespace namespaced resources without one are applied in (the Application's destination)
 * @returns tasks in ArgoCD's order; skipped, ignored and delete-only hooks are left out
 */
export function syncPlan(resources: readonly Resource[], defaultNamespace?: string): PlanTask[] {
  const tasks: PlanTask[] = [];
  for (const r of resources) {
    if (r.group === 'kustomize.config.k8s.io') continue;
    const model = syncModel(r);
    const namespace = r.namespace ?? (CLUSTER_SCOPED.has(r.kind) ? undefined : defaultNamespace);
    for (const phase of model.phases) tasks.push({ resource: r, model, phase, wave: model.wave, ...(namespace ? { namespace } : {}) });
  }
  // Stable sort: ArgoCD's sort.Sort is not stable, ties (same kind and name) keep file order here.
  tasks.sort(less);
  adjustDeps(tasks, isNamespace, inNamespace);
  adjustDeps(tasks, isCrd, crOf);
  return tasks;
}
