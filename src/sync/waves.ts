/**
 * Wave rules: helm.sh/hook-weight interplay, wave range, waves where ArgoCD does not read them (labels, pod
 * templates, SyncFail hooks, ApplicationSet templates), waves stamped on everything by kustomize
 * commonAnnotations, and waves that cannot hold (no health check, suspended or Pending resources, child
 * Applications without an Application health check).
 */
import type { Check, FindingInput, RuleInfo, SideContext, SyncGroup } from '../area/contract.js';
import type { Resource } from '../manifests/resource.js';
import { ANNOTATION_HOOK, ANNOTATION_SYNC_WAVE, ARGOCD_PREFIX, parseAtoi } from '../argocd/vocabulary.js';
import { about, syncRule, groupNamespace, groupResources, onceReporter } from './context.js';
import { at, BUILTIN_GROUPS, claimNames, podTemplatePath, usesObject } from '../argocd/kinds.js';
import { globMatch, hasCustomHealth, knownHealthCheck } from '../argocd/builtin-health.js';
import { HELM_HOOK_WEIGHT, annotation, compareSteps, stepLabel, syncModel } from './model.js';
import { syncPlan, type PlanTask } from './plan.js';
import { hasRole } from './ordering.js';
import { dirName, normalizeDir } from '../manifests/manifest-file.js';

const INT32_MAX = 2147483647n;
const INT32_MIN = -2147483648n;

/** Keys ArgoCD reads only from the object's own metadata.annotations. */
const ANNOTATION_ONLY_KEYS = ['sync-wave', 'hook', 'hook-delete-policy', 'sync-options', 'compare-options'].map((k) => ARGOCD_PREFIX + k);

const rule = syncRule;

/** The rules of {@link waveCheck}. */
export const WAVE_RULES: RuleInfo[] = [
  rule('hook-weight-invalid', 'helm.sh/hook-weight must be an integer as strconv.Atoi parses it', 'warning', 'gitops-engine/pkg/sync/hook/helm/weight.go:9-18 (Atoi; an invalid weight is silently 0)'),
  rule('hook-weight-overridden', 'helm.sh/hook-weight and sync-wave must not disagree (sync-wave wins)', 'warning', 'gitops-engine/pkg/sync/syncwaves/waves.go:12-21 (sync-wave first, then hook/helm/weight.go)'),
  rule('wave-out-of-range', 'a wave must fit in 32 bits', 'warning', 'gitops-engine/pkg/sync/sync_tasks.go:95 (waves compared by int subtraction, which overflows)'),
  rule('wave-on-syncfail-hook', 'a wave on a SyncFail hook has no effect', 'warning', 'gitops-engine/pkg/sync/sync_context.go:926-962 (executeSyncFailPhase runs every SyncFail hook at once)'),
  rule('wave-overridden-by-dependency', 'a Namespace or CRD later than a resource that needs it is moved before it', 'notice', 'gitops-engine/pkg/sync/sync_tasks.go:113-178 (adjustDeps, waveOverride)'),
  rule('wave-wrong-location', 'ArgoCD sync annotations belong in the object\'s own metadata.annotations, not in labels or a pod template', 'error', 'gitops-engine/pkg/sync/syncwaves/waves.go:12-21 and hook/hook.go read obj.GetAnnotations() only'),
  rule('wave-in-commonannotations', 'no sync-wave in kustomize commonAnnotations (it stamps one wave on every resource); wave "0" and a kustomization of one resource are fine', 'warning', 'kustomize commonAnnotations applies to every resource; gitops-engine/pkg/sync/syncwaves/waves.go (0 is the default wave)'),
  rule('hook-in-commonannotations', 'no hook annotation in kustomize commonAnnotations (it turns every resource into a hook)', 'error', 'kustomize commonAnnotations; gitops-engine/pkg/sync/hook/hook.go:23-36 (IsHook); sync_task.go (hooks are not pruned, re-created on sync)'),
  rule('app-waves-need-app-health', 'waves on child Applications need an argoproj.io_Application health check in argocd-cm', 'warning', 'docs/operator-manual/health.md "Argocd App" (built-in Application health removed in 1.8, issue #3781); sync_context.go:570-588'),
  rule('app-waves-with-child-autosync', 'a child Application ordered by waves syncs on its own outside the parent\'s waves', 'notice', 'docs/user-guide/sync-waves.md (waves order one sync operation); issues #8778, #4577'),
  rule('appset-template-wave', 'a sync-wave in an ApplicationSet template orders nothing', 'warning', 'applicationset controller creates Applications directly (no sync operation over them); issue #18268; use Progressive Syncs'),
  rule('wave-without-health-gate', 'a resource that a later wave uses needs a health check for that wave to wait on it', 'warning', 'gitops-engine/pkg/sync/sync_context.go:575-577 (no health check means done at once; health: gitops-engine/pkg/health/health.go GetResourceHealth, built-in checks and resource.customizations.health); issue #14442'),
  rule('wave-blocked-by-suspended', 'a suspended or paused resource must not sit before later waves', 'warning', 'gitops-engine/pkg/sync/sync_context.go:578-586 (Suspended keeps the wave waiting); issue #25054'),
  rule('wave-blocked-by-pending-pvc', 'a PVC must not sit in an earlier wave than the Pod that binds it', 'warning', 'gitops-engine/pkg/health/health_pvc.go (Pending is Progressing); sync_context.go:570-588; WaitForFirstConsumer storage classes. A pre-bound claim (spec.volumeName, or storageClassName "") binds without a Pod'),
  rule('cr-needs-skip-dry-run', 'a custom resource whose CRD is not in the same Application (nor a platform kind the cluster always has) needs SkipDryRunOnMissingResource=true', 'warning', 'gitops-engine/pkg/sync/sync_context.go:1099 (SkipDryRunOnMissingResource); the dry run covers the whole sync before any wave; issue #6489. Platform kinds: policy sync.platformKinds'),
];

function wavePos(r: Resource): FindingInput['pos'] {
  const e = r.annotations.get(ANNOTATION_SYNC_WAVE);
  return e ? e.valuePos : r.keyPos(['metadata', r.name ? 'name' : 'generateName']);
}

function checkWeight(report: ReturnType<typeof onceReporter>, r: Resource): void {
  const weight = r.annotations.get(HELM_HOOK_WEIGHT);
  const wave = annotation(r, ANNOTATION_SYNC_WAVE);
  const parsedWave = wave === undefined ? undefined : parseAtoi(wave);
  if (weight?.isString) {
    const parsed = parseAtoi(String(weight.value));
    if (parsed === undefined) {
      report('hook-weight-invalid', about(r, weight.valuePos, `helm.sh/hook-weight "${String(weight.value)}" is not an integer; ArgoCD ignores it${parsedWave === undefined ? ' and uses wave 0' : ''}.`, 'Write a whole number, quoted, such as "-1".'));
    } else if (parsedWave !== undefined && parsed !== parsedWave) {
      report(
        'hook-weight-overridden',
        about(r, weight.valuePos, `helm.sh/hook-weight "${parsed}" differs from sync-wave "${parsedWave}"; ArgoCD uses the sync-wave and ignores the weight.`, 'Remove one of them, or give both the same value.'),
      );
    }
  }
  for (const [key, value] of [
    [ANNOTATION_SYNC_WAVE, parsedWave],
    [HELM_HOOK_WEIGHT, weight?.isString ? parseAtoi(String(weight.value)) : undefined],
  ] as const) {
    if (value === undefined || (value >= INT32_MIN && value <= INT32_MAX)) continue;
    report('wave-out-of-range', about(r, r.annotations.get(key)!.valuePos, `${key} ${value} is outside 32-bit range; ArgoCD orders waves by subtracting them, which can overflow and misorder.`, 'Use a small wave number, for example between -100 and 100.', key));
  }
}

function checkSyncFailWave(report: ReturnType<typeof onceReporter>, r: Resource): void {
  const m = syncModel(r);
  const wave = r.annotations.get(ANNOTATION_SYNC_WAVE) ?? r.annotations.get(HELM_HOOK_WEIGHT);
  if (!wave || !m.phases.includes('SyncFail')) return;
  report('wave-on-syncfail-hook', about(r, wave.valuePos, `${wave.key} has no effect on a SyncFail hook: ArgoCD runs every SyncFail hook at once when a sync fails.`, 'Remove the wave; if SyncFail hooks must run in order, combine them into one Job.'));
}

function checkLocation(report: ReturnType<typeof onceReporter>, r: Resource): void {
  for (const key of ANNOTATION_ONLY_KEYS) {
    const label = r.labels.get(key);
    if (label && !r.annotations.has(key)) {
      report('wave-wrong-location', about(r, label.keyPos, `${key} is a label; ArgoCD reads it only from metadata.annotations, so it has no effect.`, `Move ${key} from metadata.labels to metadata.annotations.`, `label:${key}`));
    }
  }
  const tpl = podTemplatePath(r);
  if (!tpl || tpl.length === 0) return;
  const annos = at(r.object, ...tpl, 'metadata', 'annotations');
  if (typeof annos !== 'object' || annos === null) return;
  for (const key of ANNOTATION_ONLY_KEYS) {
    if (!(key in annos) || r.annotations.has(key)) continue;
    report(
      'wave-wrong-location',
      about(r, r.keyPos([...tpl, 'metadata', 'annotations', key]), `${key} is on the pod template, which ArgoCD does not read (it is copied to the Pods and only forces a rollout). ${r.kind} ${r.name ?? ''} stays in wave 0 / is not a hook.`, `Move ${key} to the ${r.kind}'s own metadata.annotations.`, `template:${key}`),
    );
  }
}

/**
 * A sync-wave in commonAnnotations that cannot collapse an ordering: wave "0" (the default wave, which every
 * resource without one has anyway), or a kustomization that takes one resource file holding at most one object
 * and nothing else (no directories, bases, components, charts or generators).
 */
function harmlessCommonWave(ctx: SideContext, path: string, kustomization: Record<string, unknown>, wave: unknown): boolean {
  if (typeof wave === 'string' && parseAtoi(wave) === 0n) return true;
  for (const key of ['bases', 'components', 'helmCharts', 'generators', 'configMapGenerator', 'secretGenerator']) {
    const v = kustomization[key];
    if (Array.isArray(v) ? v.length > 0 : v !== undefined) return false;
  }
  const resources = Array.isArray(kustomization.resources) ? kustomization.resources : [];
  if (resources.length !== 1 || typeof resources[0] !== 'string' || !/\.(ya?ml|json)$/i.test(resources[0])) return false;
  const dir = dirName(path);
  const target = normalizeDir(dir ? `${dir}/${resources[0]}` : resources[0]);
  const file = ctx.snapshot.files.find((x) => x.path === target);
  return file !== undefined && file.resources.length <= 1;
}

function checkKustomizations(ctx: SideContext, report: ReturnType<typeof onceReporter>): void {
  for (const f of ctx.snapshot.files) {
    for (const d of f.docs) {
      const v = d.value as Record<string, unknown> | undefined;
      if (!v || typeof v !== 'object') continue;
      const isKust = f.role === 'kustomization' || (typeof v.apiVersion === 'string' && v.apiVersion.startsWith('kustomize.config.k8s.io/'));
      const common = v.commonAnnotations;
      if (!isKust || typeof common !== 'object' || common === null) continue;
      if (ANNOTATION_SYNC_WAVE in common && !harmlessCommonWave(ctx, f.path, v, (common as Record<string, unknown>)[ANNOTATION_SYNC_WAVE])) {
        report('wave-in-commonannotations', {
          file: f.path,
          pos: d.pos(['commonAnnotations', ANNOTATION_SYNC_WAVE]),
          key: ANNOTATION_SYNC_WAVE,
          message: `${f.path}: commonAnnotations sets ${ANNOTATION_SYNC_WAVE} on every resource of the kustomization (Namespaces, CRDs, Jobs and pod templates too) and overwrites per-resource waves from bases, so the ordering inside the Application collapses to one wave.`,
          fix: 'Remove it from commonAnnotations; annotate the resources that need a wave, or use a patch with a target selector.',
        });
      }
      if (ANNOTATION_HOOK in common) {
        report('hook-in-commonannotations', {
          file: f.path,
          pos: d.pos(['commonAnnotations', ANNOTATION_HOOK]),
          key: ANNOTATION_HOOK,
          message: `${f.path}: commonAnnotations sets ${ANNOTATION_HOOK} on every resource, so each becomes a hook: not tracked or pruned as part of the Application, deleted and re-created on every sync (BeforeHookCreation), which breaks Namespaces, PVCs and operators.`,
          fix: 'Remove the hook from commonAnnotations; annotate only the Jobs that are hooks, or use sync waves for ordering.',
        });
      }
    }
  }
}

function hasWave(r: Resource): boolean {
  return r.annotations.has(ANNOTATION_SYNC_WAVE);
}

function checkApplications(ctx: SideContext, report: ReturnType<typeof onceReporter>, r: Resource): void {
  if (r.group !== 'argoproj.io') return;
  if (r.kind === 'ApplicationSet') {
    const tplAnnos = at(r.object, 'spec', 'template', 'metadata', 'annotations');
    if (typeof tplAnnos === 'object' && tplAnnos !== null && ANNOTATION_SYNC_WAVE in tplAnnos) {
      report(
        'appset-template-wave',
        about(r, r.keyPos(['spec', 'template', 'metadata', 'annotations', ANNOTATION_SYNC_WAVE]), 'the ApplicationSet controller creates and updates the generated Applications directly; no sync operation runs over them, so this wave orders nothing.', 'Remove the wave; to roll Applications out in order use Progressive Syncs (spec.strategy.type: RollingSync).'),
      );
    }
    return;
  }
  if (r.kind !== 'Application' || !hasWave(r)) return;
  const health = ctx.snapshot.customHealth;
  if (!health || !hasCustomHealth(health, 'argoproj.io', 'Application')) {
    report(
      'app-waves-need-app-health',
      about(r, wavePos(r), 'this child Application has a sync-wave, but no argocd-cm in this repository defines resource.customizations.health.argoproj.io_Application. Since ArgoCD 1.8 Applications have no built-in health, so the parent moves on to the next wave as soon as the child is created: waves order creation only.', 'Add the argoproj.io_Application health check to argocd-cm (see the ArgoCD health documentation, "Argocd App"), or drop the waves.'),
    );
  }
  const automated = at(r.object, 'spec', 'syncPolicy', 'automated');
  const enabled = typeof automated === 'object' && automated !== null && (automated as Record<string, unknown>).enabled !== false;
  if (enabled) {
    report(
      'app-waves-with-child-autosync',
      about(r, r.keyPos(['spec', 'syncPolicy', 'automated']), 'this child Application is ordered by a sync-wave in its parent and also syncs automatically on its own. The waves order the children\'s creation and the syncs the parent runs; a change to only this child\'s source syncs it by itself, outside the parent\'s waves, so it is not ordered against its siblings then. That is the usual bootstrap pattern and harmless unless a later child depends on this one\'s updates.', 'Nothing, if the children are independent after bootstrap; otherwise order the dependent resources inside one Application (waves on its resources).'),
    );
  }
}

/**
 * Directories of the kustomizations in `files` whose commonAnnotations give every resource
 * SkipDryRunOnMissingResource=true (kustomize stamps them on what the kustomization builds).
 */
function commonSkipDryRunDirs(files: SyncGroup['files']): string[] {
  const out: string[] = [];
  for (const f of files) {
    if (f.role !== 'kustomization') continue;
    const opts = at(f.docs[0]?.value, 'commonAnnotations', 'argocd.argoproj.io/sync-options');
    if (typeof opts === 'string' && opts.split(',').map((o) => o.trim()).includes('SkipDryRunOnMissingResource=true')) out.push(dirName(f.path));
  }
  return out;
}

function checkGroupWaves(ctx: SideContext, report: ReturnType<typeof onceReporter>): void {
  const health = ctx.snapshot.customHealth ?? new Set<string>();
  const clusterCrd = ctx.policy.sync.clusterCrdGroups;
  const platformKinds = ctx.policy.sync.platformKinds;
  for (const g of ctx.snapshot.groups) {
    const resources = groupResources(g);
    const plan = syncPlan(resources, groupNamespace(g));
    const sync = plan.filter((t) => t.phase !== 'SyncFail');
    const later = (t: PlanTask) => sync.find((o) => o.resource !== t.resource && compareSteps(o, t) > 0);
    for (const t of plan) {
      const r = t.resource;
      if (t.movedBefore && compareSteps(t, t.movedBefore) !== 0) {
        report(
          'wave-overridden-by-dependency',
          about(r, wavePos(r), `ArgoCD moves this ${r.kind} before ${t.movedBefore.dependent}, which needs it, so it runs in ${stepLabel(t.phase, t.wave)} instead of ${stepLabel(t.movedBefore.phase, t.movedBefore.wave)}.`, `Give the ${r.kind} a wave no later than its first dependent (${stepLabel(t.phase, t.wave)}) so the manifest says what happens.`),
        );
      }
      if (t.phase === 'SyncFail') continue;
      const next = later(t);
      if (!next) continue;
      const gk = `${r.group}/${r.kind}`;
      const nextLabel = `${next.resource.kind} ${next.resource.name ?? next.resource.generateName ?? ''} (${stepLabel(next.phase, next.wave)})`;
      if (!BUILTIN_GROUPS.has(r.group) && r.group !== 'argoproj.io' && knownHealthCheck(r.group, r.kind, []) === undefined && !hasCustomHealth(health, r.group, r.kind)) {
        // Without a health check the resource is done once applied. That matters only when something in a later
        // step needs it ready: it names the object or what the object provisions, or the object is a database.
        const waiter = sync.find((o) => compareSteps(o, t) > 0 && o.resource !== r && (usesObject(o.resource, r) || (hasRole(r, 'database', ctx.policy.sync) && o.resource.kind !== r.kind)));
        if (waiter) {
          const waiterLabel = `${waiter.resource.kind} ${waiter.resource.name ?? waiter.resource.generateName ?? ''} (${stepLabel(waiter.phase, waiter.wave)})`;
          report(
            'wave-without-health-gate',
            about(r, wavePos(r), `${gk} has no built-in health check and no custom one in argocd-cm, so ArgoCD counts it done as soon as it is applied: ${waiterLabel}, which uses it, does not wait for it to be ready.`, `Add resource.customizations.health.${r.group}_${r.kind} to argocd-cm, or do not rely on the wave order for this resource.`),
          );
        }
      }
      const paused = (r.kind === 'Deployment' || r.kind === 'Rollout') && at(r.object, 'spec', 'paused') === true;
      const suspended = (r.kind === 'CronJob' || r.kind === 'Job') && at(r.object, 'spec', 'suspend') === true;
      if (paused || suspended) {
        report(
          'wave-blocked-by-suspended',
          about(r, r.pos(['spec', paused ? 'paused' : 'suspend']), `this ${r.kind} is ${paused ? 'paused' : 'suspended'}, so its health is Suspended and the sync waits on it: ${nextLabel} is never applied.`, `Move the ${r.kind} to the last wave, or do not pause it in Git.`),
        );
      }
      const preBound = (typeof at(r.object, 'spec', 'volumeName') === 'string' && at(r.object, 'spec', 'volumeName') !== '') || at(r.object, 'spec', 'storageClassName') === '';
      if (r.kind === 'PersistentVolumeClaim' && r.group === '' && !preBound && !hasCustomHealth(health, '', 'PersistentVolumeClaim') && t.model.phases.length && !t.model.isHook) {
        const immediate = resources.some(
          (s) => s.kind === 'StorageClass' && s.name === at(r.object, 'spec', 'storageClassName') && at(s.object, 'volumeBindingMode') === 'Immediate',
        );
        const consumer = plan.find((o) => compareSteps(o, t) > 0 && o.phase !== 'SyncFail' && claimNames(o.resource).includes(r.name ?? ''));
        if (!immediate && consumer) {
          report(
            'wave-blocked-by-pending-pvc',
            about(r, wavePos(r), `this PVC is in ${stepLabel(t.phase, t.wave)}, before ${consumer.resource.kind} ${consumer.resource.name ?? ''} (${stepLabel(consumer.phase, consumer.wave)}) that mounts it. With a WaitForFirstConsumer storage class the claim stays Pending (Progressing) until a Pod uses it, so the wave never completes and the Pod is never created.`, 'Put the PVC in the same wave as its consumer, use a storage class with volumeBindingMode: Immediate, or add a PVC health check to argocd-cm that treats Pending as Healthy.'),
          );
        }
      }
    }
    // Custom resources whose CRD is not in this group: the dry run fails before any wave runs.
    const crds = new Set(
      resources.filter((r) => r.kind === 'CustomResourceDefinition').map((r) => `${String(at(r.object, 'spec', 'group'))}/${String(at(r.object, 'spec', 'names', 'kind'))}`),
    );
    const appSkip = (g.application?.syncOptions ?? []).includes('SkipDryRunOnMissingResource=true');
    const skipDirs = commonSkipDryRunDirs(g.files);
    for (const r of resources) {
      const gk = `${r.group}/${r.kind}`;
      if (BUILTIN_GROUPS.has(r.group) || crds.has(gk) || appSkip) continue;
      if (r.group === 'argoproj.io' && ['Application', 'AppProject', 'ApplicationSet'].includes(r.kind)) continue;
      if (clusterCrd.some((p) => globMatch(p, r.group))) continue;
      if (platformKinds.some((p) => globMatch(p, gk))) continue;
      if (skipDirs.some((d) => d === '' || r.file.startsWith(`${d}/`))) continue;
      const opts = annotation(r, 'argocd.argoproj.io/sync-options') ?? '';
      if (opts.split(',').map((s) => s.trim()).includes('SkipDryRunOnMissingResource=true')) continue;
      report(
        'cr-needs-skip-dry-run',
        about(r, r.pos(['kind']), `${gk} is a custom resource and its CRD is not in this Application. ArgoCD dry-runs the whole sync before any wave; if the CRD is not installed yet the dry run fails ("no matches for kind") and nothing is applied.`, `Add argocd.argoproj.io/sync-options: SkipDryRunOnMissingResource=true, put the CRD in this Application, or list "${r.group}" in the policy's sync.clusterCrdGroups when the cluster always has it.`),
      );
    }
  }
}

/** Wave rules (see the module comment). */
export const waveCheck: Check = {
  name: 'sync-waves',
  rules: WAVE_RULES,
  side(ctx) {
    const report = onceReporter(ctx);
    for (const r of ctx.snapshot.resources) {
      checkWeight(report, r);
      checkSyncFailWave(report, r);
      checkLocation(report, r);
      checkApplications(ctx, report, r);
    }
    checkKustomizations(ctx, report);
    checkGroupWaves(ctx, report);
  },
};
