/**
 * Dependency ordering: the policy's `sync.ordering` constraints (by default databases, then schema migrations,
 * then the workloads that use them), PreSync hooks that read Sync-phase ConfigMaps and Secrets, and migration
 * Jobs whose immutable template breaks the next release.
 */
import { minimatch } from 'minimatch';
import type { Position } from '../core/model.js';
import type { Resource } from '../manifests/resource.js';
import { resourceLabel } from '../manifests/resource.js';
import type { Check, RuleInfo } from '../area/contract.js';
import { ANNOTATION_HOOK, ANNOTATION_SYNC_OPTIONS, ANNOTATION_SYNC_WAVE, splitCsv } from '../argocd/vocabulary.js';
import { about, syncRule, groupNamespace, groupResources, onceReporter } from './context.js';
import { imageRepository, images, podReferences, usesObject } from '../argocd/kinds.js';
import { annotation, compareSteps, stepLabel, syncModel } from './model.js';
import { syncPlan, type PlanTask } from './plan.js';
import { comparePlans } from './plan-report.js';
import type { OrderPhase, OrderingConstraint, ResourceRole, ResourceSelector, SyncSettings } from './settings.js';

const rule = syncRule;

const WAVES_REF = 'gitops-engine/pkg/sync/sync_tasks.go:16-21, 81-111 (phase, then wave); sync_context.go:677-684 (one step at a time)';

/** The rules of {@link orderingCheck}. */
export const ORDERING_RULES: RuleInfo[] = [
  rule('ordering-violated', 'resources must respect the ordering constraints of the policy (sync.ordering)', 'error', WAVES_REF),
  rule('presync-hook-before-database', 'a schema migration must run after the database it migrates (a PreSync hook runs before every Sync-phase resource)', 'error', `${WAVES_REF}; docs/user-guide/sync-waves.md`),
  rule('migration-wave-not-before-consumer', 'a schema migration must run in an earlier phase or wave than every workload that uses its schema', 'error', `${WAVES_REF}; issues #5086, #15968`),
  rule('presync-hook-depends-on-sync-resource', 'a PreSync hook must not need a ConfigMap, Secret or ServiceAccount that is only applied in the Sync phase', 'error', 'gitops-engine/pkg/sync/sync_tasks.go:16-21 (PreSync runs before any Sync-phase resource); issue #9891'),
  rule('job-immutable-template', 'a Job that is not a hook needs a per-release name or Replace=true (its template is immutable)', 'warning', 'Kubernetes: Job spec.template is immutable; gitops-engine/pkg/sync/sync_context.go:1434-1435 (Replace, Force)'),
];

function globs(value: string | undefined, patterns: readonly string[]): boolean {
  return value !== undefined && patterns.some((p) => minimatch(value, p));
}

function metaMatches(meta: Resource['labels'], wanted: Record<string, string> | undefined): boolean {
  if (!wanted) return true;
  return Object.entries(wanted).every(([k, v]) => {
    const e = meta.get(k);
    return e !== undefined && e.isString && minimatch(String(e.value), v);
  });
}

function anyMeta(meta: Resource['labels'], wanted: Record<string, string>): boolean {
  return Object.entries(wanted).some(([k, v]) => {
    const e = meta.get(k);
    return e !== undefined && e.isString && minimatch(String(e.value), v);
  });
}

/** Workload kinds that run a database when their image is one of `databases.images`. */
const DATABASE_WORKLOADS: ReadonlySet<string> = new Set(['StatefulSet', 'Deployment']);

/** True when `r` plays `role` under the policy's settings. */
export function hasRole(r: Resource, role: ResourceRole, s: SyncSettings): boolean {
  const name = r.name ?? r.generateName;
  switch (role) {
    case 'migration':
      return (r.kind === 'Job' || r.kind === 'Pod') && (globs(name, s.migrations.names) || anyMeta(r.labels, s.migrations.labels));
    case 'database':
      // By what it runs, not only by kind: a database is often a Deployment (ClickHouse, a dev Postgres).
      return s.databases.kinds.includes(`${r.group}/${r.kind}`) || (DATABASE_WORKLOADS.has(r.kind) && images(r).some((i) => globs(i, s.databases.images)));
    case 'consumer':
      return (s.consumers.kinds.includes(r.kind) || s.consumers.kinds.includes(`${r.group}/${r.kind}`)) && !hasRole(r, 'database', s);
  }
}

/** True when `r`, running in `phases`, matches the selector. */
export function selects(sel: ResourceSelector, r: Resource, phases: readonly OrderPhase[], s: SyncSettings): boolean {
  if (sel.kinds && !sel.kinds.some((k) => k === r.kind || k === `${r.group}/${r.kind}`)) return false;
  if (sel.groups && !sel.groups.includes(r.group)) return false;
  if (sel.names && !globs(r.name ?? r.generateName, sel.names)) return false;
  if (!metaMatches(r.labels, sel.labels) || !metaMatches(r.annotations, sel.annotations)) return false;
  if (sel.phases && !phases.some((p) => sel.phases!.includes(p))) return false;
  if (sel.role && !hasRole(r, sel.role, s)) return false;
  return true;
}

function sameImage(a: Resource, b: Resource, s: SyncSettings): boolean {
  if (globs(b.name ?? b.generateName, s.consumers.names)) return true;
  const repos = new Set(images(a).map(imageRepository));
  return images(b).some((i) => repos.has(imageRepository(i)));
}

/** Where to point at a resource's step: its hook annotation when it is a hook, else its wave, else its name. */
function stepPos(r: Resource): Position {
  const m = syncModel(r);
  const wave = r.annotations.get(ANNOTATION_SYNC_WAVE);
  const hook = r.annotations.get(ANNOTATION_HOOK);
  if (m.isHook && hook && m.phases[0] !== 'Sync') return hook.valuePos;
  if (wave) return wave.valuePos;
  if (hook) return hook.valuePos;
  return r.pos(['metadata']);
}

/** A note when a resource carries a sync-wave ArgoCD cannot read, so the wave shown is not the one written. */
function unreadWave(r: Resource): string {
  const e = r.annotations.get(ANNOTATION_SYNC_WAVE);
  if (!e || syncModel(r).waveSource === 'sync-wave') return '';
  return ` Note: the sync-wave of ${resourceLabel(r)} (${e.source}) is not a valid quoted integer, so ArgoCD does not use it.`;
}

function fixFor(c: OrderingConstraint, early: PlanTask, late: PlanTask): string {
  const lateLabel = resourceLabel(late.resource);
  const earlyLabel = resourceLabel(early.resource);
  if (late.phase === 'PreSync' && early.phase !== 'PreSync') {
    return `Make ${lateLabel} a Sync hook (argocd.argoproj.io/hook: Sync) with a sync-wave greater than ${early.wave}, so it runs after ${earlyLabel}.`;
  }
  if (early.phase !== late.phase) return `Put ${earlyLabel} in a phase that runs before ${late.phase}, or move ${lateLabel} to a later phase.`;
  return `Give ${earlyLabel} a sync-wave lower than ${late.wave} (quoted, for example "${late.wave - 1n}"), or give ${lateLabel} a sync-wave greater than ${early.wave}; the "${c.name}" constraint needs ${earlyLabel} first.`;
}

/** Ordering rules (see the module comment). */
export const orderingCheck: Check = {
  name: 'sync-ordering',
  rules: ORDERING_RULES,
  /** The sync plan of each affected group at base and head, for the report (`details.syncPlans`). */
  change(ctx) {
    const detail = comparePlans(ctx.head, ctx.base);
    if (detail.groups.length) ctx.detail('syncPlans', detail);
  },
  side(ctx) {
    const report = onceReporter(ctx);
    const s = ctx.policy.sync;
    for (const g of ctx.snapshot.groups) {
      const resources = groupResources(g);
      const plan = syncPlan(resources, groupNamespace(g));
      const tasksOf = new Map<Resource, PlanTask[]>();
      for (const t of plan) tasksOf.set(t.resource, [...(tasksOf.get(t.resource) ?? []), t]);
      const phasesOf = (r: Resource) => (tasksOf.get(r) ?? []).map((t) => t.phase).filter((p) => p !== 'SyncFail');
      const ordered = [...tasksOf.keys()].filter((r) => phasesOf(r).length > 0);

      for (const c of s.ordering) {
        const rel = c.relation ?? 'any';
        const ruleId = c.rule ?? 'ordering-violated';
        const before = ordered.filter((r) => selects(c.before, r, phasesOf(r), s));
        const after = ordered.filter((r) => selects(c.after, r, phasesOf(r), s));
        for (const a of before) {
          const lastA = tasksOf.get(a)!.filter((t) => t.phase !== 'SyncFail').at(-1)!;
          for (const b of after) {
            if (a === b || (rel === 'same-image' && !sameImage(a, b, s))) continue;
            // `a` visibly waits for `b` (names it as a host, a Secret or a ConfigMap): `b` is a dependency of `a`, not
            // something that must follow it (a migration that waits for `--host=clickhouse` runs after ClickHouse).
            if (usesObject(a, b)) continue;
            const firstB = tasksOf.get(b)!.find((t) => t.phase !== 'SyncFail')!;
            if (compareSteps(lastA, firstB) < 0) continue;
            const target = hasRole(a, 'migration', s) && !hasRole(b, 'migration', s) ? a : b;
            const other = target === a ? b : a;
            const same = compareSteps(lastA, firstB) === 0;
            report(ruleId, {
              ...about(
                target,
                stepPos(target),
                `"${c.name}": ${resourceLabel(a)} (${stepLabel(lastA.phase, lastA.wave)}) must run before ${resourceLabel(b)} (${stepLabel(firstB.phase, firstB.wave)}), but ArgoCD ${same ? 'applies them in the same step, together' : `runs ${resourceLabel(b)} first`}` +
                  (firstB.phase === 'PreSync' && lastA.phase !== 'PreSync' ? ': PreSync hooks run before every Sync-phase resource, whatever their waves.' : '.') +
                  ` (${a.file === b.file ? a.file : `${a.file} and ${b.file}`}; ${g.grouping} ${g.name})` +
                  unreadWave(a) +
                  unreadWave(b),
                fixFor(c, lastA, firstB),
                `${c.name}|${resourceLabel(other)}`,
              ),
              // Either side can be fixed: when the change touched only the other one (an overlay's patch moved its
              // wave), the finding is placed there.
              related: [{ file: other.file, pos: stepPos(other), message: `${resourceLabel(other)} (${other === a ? stepLabel(lastA.phase, lastA.wave) : stepLabel(firstB.phase, firstB.wave)})` }],
            });
          }
        }
      }

      // PreSync hooks that read ConfigMaps, Secrets or ServiceAccounts applied in the Sync phase.
      const syncOnly = new Map<string, Resource>();
      for (const r of ordered) {
        if (['ConfigMap', 'Secret', 'ServiceAccount'].includes(r.kind) && r.name && !phasesOf(r).includes('PreSync')) syncOnly.set(`${r.kind}/${r.name}`, r);
      }
      for (const r of ordered) {
        if (!phasesOf(r).includes('PreSync') || !syncModel(r).isHook) continue;
        for (const ref of podReferences(r)) {
          const dep = syncOnly.get(`${ref.kind}/${ref.name}`);
          if (!dep) continue;
          report(
            'presync-hook-depends-on-sync-resource',
            about(r, r.pos(ref.path), `this PreSync hook uses ${ref.kind} ${ref.name}, which is a normal resource of the same Application (${dep.file}) and so is only applied in the Sync phase, after every PreSync hook. On a first install it does not exist yet (the Pod is stuck in CreateContainerConfigError); later syncs read the previous value.`, `Run this hook in the Sync phase (argocd.argoproj.io/hook: Sync) with a sync-wave after ${ref.kind} ${ref.name} (and after the database, for a migration).`, `${ref.kind}/${ref.name}`),
          );
        }
      }
    }

    // Jobs that are not hooks: a fixed name plus an immutable template breaks the next release.
    for (const r of ctx.snapshot.resources) {
      if (r.kind !== 'Job' || r.group !== 'batch' || r.name === undefined) continue;
      const m = syncModel(r);
      if (m.isHook || m.skip) continue;
      const opts = splitCsv(annotation(r, ANNOTATION_SYNC_OPTIONS) ?? '');
      if (opts.includes('Replace=true') || opts.includes('Force=true')) continue;
      report(
        'job-immutable-template',
        about(r, r.pos(['metadata', 'name']), 'this Job is a normal resource with a fixed name. A Job\'s spec.template is immutable, so the next release that changes it (a new image tag) fails to apply ("field is immutable") and the sync is stuck until someone deletes the Job.', 'Make it a hook (argocd.argoproj.io/hook: Sync or PreSync, hook-delete-policy: BeforeHookCreation), add argocd.argoproj.io/sync-options: Replace=true, or give it a per-release name.'),
      );
    }
  },
};
