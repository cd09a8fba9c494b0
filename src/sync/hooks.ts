/**
 * Hook rules: Skip mixed with phases, Helm hooks ArgoCD maps or ignores, delete policies, hooks that will not
 * re-run, TTLs on hook Jobs, long-lived kinds used as hooks, and non-hooks without a name.
 */
import type { Check, RuleInfo } from '../area/contract.js';
import type { Resource } from '../manifests/resource.js';
import { isRecord } from '../core/values.js';
import { ANNOTATION_HOOK, ANNOTATION_HOOK_DELETE_POLICY, argocdAtLeast, closest, splitCsv } from '../argocd/vocabulary.js';
import { about, syncRule, onceReporter } from './context.js';
import { at, LONG_LIVED_KINDS, PERSISTENT_WORKLOAD_KINDS, podReferences } from '../argocd/kinds.js';
import {
  ARGO_DELETE_POLICIES,
  ENGINE_HOOK_TYPES,
  HELM_DELETE_POLICIES,
  HELM_HOOK,
  HELM_HOOK_DELETE_POLICY,
  HELM_HOOK_MAPPING,
  syncModel,
  type SyncModel,
} from './model.js';

const rule = syncRule;

/** The rules of {@link hookCheck}. */
export const HOOK_RULES: RuleInfo[] = [
  rule('hook-skip-mixed', 'Skip mixed with other hook types is not a skip', 'warning', 'gitops-engine/pkg/sync/hook/hook.go:31-36 (Skip only when it is the only type)'),
  rule('helm-hook-unsupported', 'helm.sh/hook values must be ones ArgoCD maps (pre/post-install, pre/post-upgrade, pre/post-delete, crd-install)', 'warning', 'gitops-engine/pkg/sync/hook/helm/type.go, helm/type_test.go; ignore/ignore.go:10 (a hook with no type is never synced)'),
  rule('helm-and-argo-hook', 'with both argocd.argoproj.io/hook and helm.sh/hook, the Helm hook is ignored', 'notice', 'gitops-engine/pkg/sync/hook/hook.go:46-51; hook/delete_policy.go:19-21 (delete policies are unioned)'),
  rule('hook-invalid-delete-policy', 'hook-delete-policy items must be ones ArgoCD reads, in the spelling of their annotation', 'error', 'gitops-engine/pkg/sync/common/types.go:135-148; hook/helm/delete_policy.go; hook/delete_policy.go:11-26 (unknown values dropped, default BeforeHookCreation)'),
  rule('delete-policy-on-non-hook', 'a hook delete policy on a resource that is not a hook does nothing', 'warning', 'gitops-engine/pkg/sync/sync_task.go:122-128 (hasHookDeletePolicy: not a hook, no policy)'),
  rule('named-hook-not-rerun', 'a named hook Job or Pod needs BeforeHookCreation (or generateName) to run again', 'warning', 'gitops-engine/pkg/sync/doc.go:40-41; sync_context.go:1011-1024 (only unnamed hooks get fresh names)'),
  rule('hook-on-persistent-resource', 'a long-running workload as a hook leaves the app\'s health and pruning', 'notice', 'controller/health.go:36 (hooks are left out of app health); sync_context.go (hooks are not pruned)'),
  rule('non-hook-without-name', 'a resource that is not a hook needs metadata.name', 'error', 'gitops-engine/pkg/sync/sync_context.go:1011-1024 (only hooks get generated names)'),
  rule('hook-with-ttl', 'before ArgoCD 3.0, a hook Job should not set ttlSecondsAfterFinished', 'warning', 'argo-cd issues #21055, #14929 (the Job can vanish before ArgoCD records the result); fixed by the hook finalizer, gitops-engine PR #646, released in ArgoCD 3.0: the rule follows the policy\'s argocd.version'),
  rule('helm-hook-mapping', 'Helm hooks that rely on Helm\'s install/upgrade semantics behave differently under ArgoCD', 'warning', 'gitops-engine/pkg/sync/hook/helm/type.go (pre-install and pre-upgrade are PreSync, post-* are PostSync); sync_tasks.go:16-21'),
  rule('mixed-helm-argo-delete-policy', 'do not combine ArgoCD and Helm delete policies on one object (they are unioned)', 'warning', 'gitops-engine/pkg/sync/hook/delete_policy.go:11-26; issue #15613'),
  rule('stateful-kind-as-hook', 'long-lived objects (PVC, Namespace, Secret, ConfigMap, CRD) should not be hooks, unless a hook of the same phase uses them', 'warning', 'hooks are re-created on every sync (BeforeHookCreation) and never pruned: sync_context.go; issues #3837, #6112. A ConfigMap, Secret or ServiceAccount a PreSync hook needs must itself be a PreSync hook (sync_tasks.go:16-21; docs/user-guide/resource_hooks.md)'),
];

/** What {@link checkResource} needs to know beyond the resource itself. */
interface HookScope {
  /** The policy's ArgoCD release is 3.0 or later (hook finalizers: gitops-engine PR #646). */
  hookFinalizers: boolean;
  /** `Kind/name` of the ConfigMaps, Secrets and ServiceAccounts each phase's hooks use. */
  usedByHooks: Map<string, Set<string>>;
}

/**
 * `Kind/name` of the ConfigMaps, Secrets and ServiceAccounts that hooks use, per phase: such an object must run in
 * the hook's phase (a PreSync Job cannot wait for a Sync-phase ServiceAccount), so making it a hook is right.
 */
function objectsUsedByHooks(resources: readonly Resource[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const r of resources) {
    const m = syncModel(r);
    if (!m.isHook) continue;
    const refs = podReferences(r).map((ref) => `${ref.kind}/${ref.name}`);
    for (const phase of m.phases) {
      const set = out.get(phase) ?? new Set<string>();
      for (const ref of refs) set.add(ref);
      out.set(phase, set);
    }
  }
  return out;
}

function checkResource(report: ReturnType<typeof onceReporter>, r: Resource, m: SyncModel, scope: HookScope): void {
  if (r.group === 'kustomize.config.k8s.io') return;
  const argo = r.annotations.get(ANNOTATION_HOOK);
  const argoItems = argo?.isString ? splitCsv(String(argo.value)) : [];
  const helm = r.annotations.get(HELM_HOOK);
  const helmItems = helm?.isString ? splitCsv(String(helm.value)) : [];

  if (argo && argoItems.includes('Skip') && argoItems.some((t) => t !== 'Skip' && (ENGINE_HOOK_TYPES as readonly string[]).includes(t))) {
    report('hook-skip-mixed', about(r, argo.valuePos, `"Skip" is ignored when other hook types are listed: ArgoCD runs this object as a ${m.phases.join(', ')} hook instead of skipping it.`, 'Use "Skip" alone to skip the object, or remove "Skip".'));
  }
  if (helm) {
    const unknown = helmItems.filter((h) => !(h in HELM_HOOK_MAPPING) && h !== 'crd-install');
    for (const u of unknown) {
      const dropped = !argo && m.ignored;
      report(
        'helm-hook-unsupported',
        about(r, helm.valuePos, `helm.sh/hook "${u}" has no ArgoCD equivalent (test and rollback hooks never run under ArgoCD).${dropped ? ' With no hook type left the object is a hook of no phase: ArgoCD never applies it.' : ''}`, dropped ? 'Remove the object from what ArgoCD renders, or map it to an ArgoCD phase with argocd.argoproj.io/hook.' : `Remove "${u}".`, u),
      );
    }
    if (m.argoTypes.length) {
      report('helm-and-argo-hook', about(r, helm.keyPos, `argocd.argoproj.io/hook (${m.argoTypes.join(', ')}) takes precedence, so helm.sh/hook "${String(helm.value)}" is ignored (delete policies of both are still combined).`, 'Remove helm.sh/hook if the object is only deployed by ArgoCD, or accept that ArgoCD ignores it.'));
    } else if (!argo && helmItems.length) {
      const mapped = new Set(helmItems.map((h) => HELM_HOOK_MAPPING[h]).filter(Boolean));
      const has = (h: string) => helmItems.includes(h);
      const problems: string[] = [];
      if (has('post-install') || has('post-upgrade')) {
        problems.push('post-install/post-upgrade become PostSync, which runs only after every Sync-phase resource is Healthy: anything those resources need from this hook deadlocks the sync');
      }
      if (has('pre-install') !== has('pre-upgrade') && (has('pre-install') || has('pre-upgrade'))) {
        problems.push(`${has('pre-install') ? 'pre-install' : 'pre-upgrade'} becomes PreSync, which ArgoCD runs on every sync (ArgoCD has no install/upgrade distinction)`);
      }
      if (has('post-install') !== has('post-upgrade') && (has('post-install') || has('post-upgrade'))) {
        problems.push(`${has('post-install') ? 'post-install' : 'post-upgrade'} runs on every sync as well, not only on ${has('post-install') ? 'install' : 'upgrade'}`);
      }
      if (problems.length && mapped.size) {
        report('helm-hook-mapping', about(r, helm.valuePos, `helm.sh/hook "${String(helm.value)}" maps to ArgoCD ${[...mapped].join(', ')}: ${problems.join('; ')}.`, 'Set argocd.argoproj.io/hook (and a sync-wave) for the phase this hook needs under ArgoCD, for example Sync with a wave before its consumers.'));
      }
    }
  }

  const argoPolicy = r.annotations.get(ANNOTATION_HOOK_DELETE_POLICY);
  const helmPolicy = r.annotations.get(HELM_HOOK_DELETE_POLICY);
  if (argoPolicy?.isString) {
    for (const p of splitCsv(String(argoPolicy.value))) {
      if ((ARGO_DELETE_POLICIES as readonly string[]).includes(p)) continue;
      const helmSpelling = HELM_DELETE_POLICIES[p];
      report(
        'hook-invalid-delete-policy',
        about(r, argoPolicy.valuePos, `"${p}" is not an ArgoCD hook delete policy (${ARGO_DELETE_POLICIES.join(', ')}); ArgoCD drops it${m.deletePolicyDefaulted ? ' and, with no valid policy left, uses BeforeHookCreation: the hook is not deleted after it finishes' : ''}.`, helmSpelling ? `Write "${helmSpelling}" (the Helm spelling belongs under helm.sh/hook-delete-policy).` : `Write one of ${ARGO_DELETE_POLICIES.join(', ')}${closest(p, ARGO_DELETE_POLICIES) ? ` (did you mean ${closest(p, ARGO_DELETE_POLICIES)}?)` : ''}.`, `argo:${p}`),
      );
    }
  }
  if (helmPolicy?.isString) {
    for (const p of splitCsv(String(helmPolicy.value))) {
      if (p in HELM_DELETE_POLICIES) continue;
      report('hook-invalid-delete-policy', about(r, helmPolicy.valuePos, `"${p}" is not a Helm hook delete policy (${Object.keys(HELM_DELETE_POLICIES).join(', ')}); ArgoCD drops it.`, `Write one of ${Object.keys(HELM_DELETE_POLICIES).join(', ')}.`, `helm:${p}`));
    }
  }
  if ((argoPolicy || helmPolicy) && !m.isHook) {
    report('delete-policy-on-non-hook', about(r, (argoPolicy ?? helmPolicy)!.keyPos, 'this resource is not a hook, so ArgoCD ignores its hook delete policy.', 'Remove the delete policy, or make the resource a hook with argocd.argoproj.io/hook.'));
  }
  if (argoPolicy?.isString && helmPolicy?.isString && m.isHook) {
    const argoSet = new Set(splitCsv(String(argoPolicy.value)));
    const extra = splitCsv(String(helmPolicy.value)).map((p) => HELM_DELETE_POLICIES[p]).filter((p): p is NonNullable<typeof p> => p !== undefined && !argoSet.has(p));
    if (extra.length) {
      report('mixed-helm-argo-delete-policy', about(r, helmPolicy.valuePos, `ArgoCD combines both delete policies, so helm.sh/hook-delete-policy adds ${extra.join(', ')} to the ArgoCD policy "${String(argoPolicy.value)}"; for example hook-succeeded still deletes the Job and its logs.`, 'Keep one delete policy: remove helm.sh/hook-delete-policy, or make both say the same.'));
    }
  }

  if (!m.isHook || m.phases.length === 0) {
    // A document with no metadata at all is some tool's file that borrows apiVersion/kind, not an object anyone
    // applies; Argo Workflows files under .argo/ are submitted with `argo submit`, not synced.
    const applied = isRecord(r.object.metadata) && !r.file.split('/').includes('.argo');
    if (!m.isHook && !m.skip && r.name === undefined && applied) {
      report('non-hook-without-name', about(r, r.keyPos(['metadata', r.generateName !== undefined ? 'generateName' : 'name']), 'it has no metadata.name. Only hooks get a generated name; ArgoCD cannot apply or track a resource without one.', 'Give it a metadata.name, or make it a hook (for a Job that should run on every sync: argocd.argoproj.io/hook: Sync).'));
    }
    return;
  }
  const isRunOnce = r.kind === 'Job' || r.kind === 'Pod';
  if (isRunOnce && r.name !== undefined && !m.deletePolicies.includes('BeforeHookCreation')) {
    report('named-hook-not-rerun', about(r, r.pos(['metadata', 'name']), `this hook has a fixed name and delete policy ${m.deletePolicies.join(', ')}: when it is still there from the last sync, ArgoCD does not create it again (and a Job's template cannot be changed), so it will not re-run.`, 'Add BeforeHookCreation to argocd.argoproj.io/hook-delete-policy, or use metadata.generateName.'));
  }
  if (r.kind === 'Job' && !scope.hookFinalizers && at(r.object, 'spec', 'ttlSecondsAfterFinished') !== undefined) {
    report('hook-with-ttl', about(r, r.keyPos(['spec', 'ttlSecondsAfterFinished']), 'the Job controller may delete this hook Job before ArgoCD records its result; the sync then waits forever or fails with "resource is missing".', 'Remove ttlSecondsAfterFinished and let the hook delete policy (HookSucceeded, BeforeHookCreation) clean up.'));
  }
  const hookPos = argo?.valuePos ?? helm?.valuePos ?? r.pos(['metadata']);
  const usedByHookOfItsPhase = r.name !== undefined && m.phases.some((p) => scope.usedByHooks.get(p)?.has(`${r.kind}/${r.name}`));
  if (LONG_LIVED_KINDS.has(r.kind) && !usedByHookOfItsPhase) {
    report('stateful-kind-as-hook', about(r, hookPos, `a ${r.kind} as a hook is not part of the Application's managed resources: it is deleted and re-created on every sync (BeforeHookCreation; a bound PVC cannot be deleted) and never pruned.`, `Make the ${r.kind} a normal resource and order it with a negative sync-wave instead.`));
  } else if (PERSISTENT_WORKLOAD_KINDS.has(r.kind)) {
    report('hook-on-persistent-resource', about(r, hookPos, `a ${r.kind} as a hook is left out of the Application's health and is not pruned like other resources.`, `Make the ${r.kind} a normal resource and order it with sync-waves.`));
  }
}

/** Hook rules (see the module comment). */
export const hookCheck: Check = {
  name: 'sync-hooks',
  rules: HOOK_RULES,
  side(ctx) {
    const report = onceReporter(ctx);
    const scope: HookScope = { hookFinalizers: argocdAtLeast(ctx.policy.argocd.version, 3, 0), usedByHooks: objectsUsedByHooks(ctx.snapshot.resources) };
    for (const r of ctx.snapshot.resources) checkResource(report, r, syncModel(r), scope);
  },
};

