/**
 * What ArgoCD makes of one resource's sync annotations: hook types, phases, wave and delete policies,
 * computed exactly as gitops-engine does. Paths are in argoproj/argo-cd v3.6.0 (gitops-engine in-tree).
 */
import type { Resource } from '../manifests/resource.js';
import {
  ANNOTATION_HOOK,
  ANNOTATION_HOOK_DELETE_POLICY,
  ANNOTATION_SYNC_WAVE,
  parseAtoi,
  splitCsv,
} from '../argocd/vocabulary.js';
import type { OrderPhase } from './settings.js';

/** `helm.sh/hook` (gitops-engine/pkg/sync/hook/helm/hook.go). */
export const HELM_HOOK = 'helm.sh/hook';
/** `helm.sh/hook-weight` (gitops-engine/pkg/sync/hook/helm/weight.go). */
export const HELM_HOOK_WEIGHT = 'helm.sh/hook-weight';
/** `helm.sh/hook-delete-policy` (gitops-engine/pkg/sync/hook/helm/delete_policy.go). */
export const HELM_HOOK_DELETE_POLICY = 'helm.sh/hook-delete-policy';

/** Hook types `NewHookType` accepts (gitops-engine/pkg/sync/common/types.go:116-133). PreDelete/PostDelete are not among them. */
export const ENGINE_HOOK_TYPES = ['PreSync', 'Sync', 'PostSync', 'SyncFail', 'Skip'] as const;
export type EngineHookType = (typeof ENGINE_HOOK_TYPES)[number];

/** Phase order (gitops-engine/pkg/sync/sync_tasks.go:16-21). */
export const PHASE_ORDER: Record<OrderPhase, number> = { PreSync: -1, Sync: 0, PostSync: 1, SyncFail: 2 };

/**
 * Helm hook values ArgoCD maps to its own types (gitops-engine/pkg/sync/hook/helm/type.go, and
 * controller/hook.go:33-41 for the delete hooks, which only run when the Application is deleted).
 */
export const HELM_HOOK_MAPPING: Readonly<Record<string, 'PreSync' | 'PostSync' | 'PreDelete' | 'PostDelete'>> = {
  'pre-install': 'PreSync',
  'pre-upgrade': 'PreSync',
  'post-install': 'PostSync',
  'post-upgrade': 'PostSync',
  'pre-delete': 'PreDelete',
  'post-delete': 'PostDelete',
};

/** Argo delete policies (gitops-engine/pkg/sync/common/types.go:135-148). */
export const ARGO_DELETE_POLICIES = ['HookSucceeded', 'HookFailed', 'BeforeHookCreation'] as const;
/** Helm delete policies and the Argo policy each means (gitops-engine/pkg/sync/hook/helm/delete_policy.go). */
export const HELM_DELETE_POLICIES: Readonly<Record<string, (typeof ARGO_DELETE_POLICIES)[number]>> = {
  'before-hook-creation': 'BeforeHookCreation',
  'hook-succeeded': 'HookSucceeded',
  'hook-failed': 'HookFailed',
};

/** A string annotation's value, or `undefined` when absent or not a string (non-strings are reported elsewhere). */
export function annotation(r: Resource, key: string): string | undefined {
  const e = r.annotations.get(key);
  return e && e.isString ? String(e.value) : undefined;
}

/** Where a resource's wave came from. */
export type WaveSource = 'sync-wave' | 'hook-weight' | 'default';

/** ArgoCD's reading of one resource's sync annotations. */
export interface SyncModel {
  /** Valid Argo hook types from `argocd.argoproj.io/hook` (gitops-engine/pkg/sync/hook/hook.go `Types`, argo part). */
  argoTypes: EngineHookType[];
  /** Helm hook types ArgoCD maps (used only when `argoTypes` is empty; hook/hook.go:46-51). */
  helmTypes: EngineHookType[];
  /** The hook types ArgoCD acts on: `argoTypes`, else `helmTypes`. */
  types: EngineHookType[];
  /** `hook.IsHook` (hook/hook.go:23-36): the argo key is present and the object is not Skip-only, or `helm.sh/hook` is present and not `crd-install`. */
  isHook: boolean;
  /** `hook.Skip`: Skip is the only type (hook/hook.go:31-36). */
  skip: boolean;
  /** `ignore.Ignore` (gitops-engine/pkg/sync/ignore/ignore.go:10): a hook with no type; never synced. */
  ignored: boolean;
  /** Sync phases (gitops-engine/pkg/sync/sync_phase.go:13-27); empty when skipped or ignored. Sorted by phase order. */
  phases: OrderPhase[];
  /** Wave: sync-wave, else helm.sh/hook-weight, else 0 (syncwaves/waves.go:12-21, hook/helm/weight.go:9-18). */
  wave: bigint;
  waveSource: WaveSource;
  /** Delete policies, Argo and Helm unioned, BeforeHookCreation when none is valid (hook/delete_policy.go:11-26). */
  deletePolicies: (typeof ARGO_DELETE_POLICIES)[number][];
  /** True when the delete policies come from the default (no valid value written). */
  deletePolicyDefaulted: boolean;
  /** True for PreDelete/PostDelete hooks (controller/hook.go:27-44): run only on Application deletion. */
  deleteHook: boolean;
}

/** Models already computed: several checks ask for the model of every resource. */
const models = new WeakMap<Resource, Readonly<SyncModel>>();

/**
 * Computes {@link SyncModel} for a resource, as gitops-engine does. The result is computed once per resource
 * and shared: callers must not modify it.
 */
export function syncModel(r: Resource): Readonly<SyncModel> {
  let m = models.get(r);
  if (!m) models.set(r, (m = computeSyncModel(r)));
  return m;
}

function computeSyncModel(r: Resource): SyncModel {
  const argoRaw = r.annotations.get(ANNOTATION_HOOK);
  const argoItems = argoRaw?.isString ? splitCsv(String(argoRaw.value)) : [];
  const argoTypes = argoItems.filter((t): t is EngineHookType => (ENGINE_HOOK_TYPES as readonly string[]).includes(t));
  const helmRaw = annotation(r, HELM_HOOK);
  const helmItems = helmRaw !== undefined ? splitCsv(helmRaw) : [];
  const helmTypes = helmItems.flatMap((h) => {
    const t = HELM_HOOK_MAPPING[h];
    return t === 'PreSync' || t === 'PostSync' ? [t as EngineHookType] : [];
  });
  const types = argoTypes.length ? argoTypes : helmTypes;
  const skip = types.includes('Skip') && types.length === 1;
  const argoPresent = r.annotations.has(ANNOTATION_HOOK);
  const isHook = argoPresent ? !skip : helmRaw !== undefined && helmRaw !== 'crd-install';
  const ignored = isHook && types.length === 0;
  const deleteHook =
    argoItems.some((t) => t === 'PreDelete' || t === 'PostDelete') ||
    (!argoPresent && helmItems.some((h) => h === 'pre-delete' || h === 'post-delete'));
  let phases: OrderPhase[];
  if (skip) phases = [];
  else if (isHook) phases = [...new Set(types.filter((t): t is OrderPhase => t !== 'Skip'))].sort((a, b) => PHASE_ORDER[a] - PHASE_ORDER[b]);
  else phases = ['Sync'];

  let wave = 0n;
  let waveSource: WaveSource = 'default';
  const w = annotation(r, ANNOTATION_SYNC_WAVE);
  const parsedWave = w === undefined ? undefined : parseAtoi(w);
  if (parsedWave !== undefined) {
    wave = parsedWave;
    waveSource = 'sync-wave';
  } else {
    const hw = annotation(r, HELM_HOOK_WEIGHT);
    const parsedWeight = hw === undefined ? undefined : parseAtoi(hw);
    if (parsedWeight !== undefined) {
      wave = parsedWeight;
      waveSource = 'hook-weight';
    }
  }

  const policies: SyncModel['deletePolicies'] = [];
  const argoPolicy = annotation(r, ANNOTATION_HOOK_DELETE_POLICY);
  for (const p of argoPolicy === undefined ? [] : splitCsv(argoPolicy)) {
    if ((ARGO_DELETE_POLICIES as readonly string[]).includes(p)) policies.push(p as SyncModel['deletePolicies'][number]);
  }
  const helmPolicy = annotation(r, HELM_HOOK_DELETE_POLICY);
  for (const p of helmPolicy === undefined ? [] : splitCsv(helmPolicy)) {
    const mapped = HELM_DELETE_POLICIES[p];
    if (mapped) policies.push(mapped);
  }
  const deletePolicyDefaulted = policies.length === 0;
  const deletePolicies = deletePolicyDefaulted ? (['BeforeHookCreation'] as SyncModel['deletePolicies']) : [...new Set(policies)];

  return { argoTypes, helmTypes, types, isHook, skip, ignored, phases, wave, waveSource, deletePolicies, deletePolicyDefaulted, deleteHook };
}

/** `(phase, wave)` as a short label: `PreSync -1`. */
export function stepLabel(phase: OrderPhase, wave: bigint): string {
  return `${phase} wave ${wave}`;
}

/** Compares two `(phase, wave)` steps: negative when `a` runs first. */
export function compareSteps(a: { phase: OrderPhase; wave: bigint }, b: { phase: OrderPhase; wave: bigint }): number {
  const d = PHASE_ORDER[a.phase] - PHASE_ORDER[b.phase];
  if (d !== 0) return d;
  return a.wave < b.wave ? -1 : a.wave > b.wave ? 1 : 0;
}
