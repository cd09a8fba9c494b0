/**
 * When a conditional description requirement applies: changed paths, kinds of resources touched, and
 * changes to sync waves or hooks, found by comparing the base and head snapshots' annotations.
 *
 * ArgoCD reads the wave from `argocd.argoproj.io/sync-wave` (gitops-engine/pkg/sync/syncwaves/waves.go:12-21,
 * default 0) and hooks from `argocd.argoproj.io/hook`, or Helm's `helm.sh/hook` when ArgoCD's is absent
 * (gitops-engine/pkg/sync/hook/hook.go:23-36 and 46-51, gitops-engine/pkg/sync/hook/helm/hook.go).
 */
import type { Change } from '../core/model.js';
import type { ManifestSelector } from '../manifests/manifest-file.js';
import { changeConditions } from '../policy/conditions.js';
import { groupKind, resourceLabel, type Resource } from '../manifests/resource.js';
import { ANNOTATION_HOOK, ANNOTATION_SYNC_WAVE } from '../argocd/vocabulary.js';
import type { Snapshot } from '../area/contract.js';
import type { ConditionalRequirement } from './settings.js';

const HELM_HOOK = 'helm.sh/hook';

/** A resource whose sync wave differs between base and head. */
export interface WaveChange {
  /** `Kind namespace/name`. */
  subject: string;
  /** `metadata.name` (or generateName), as authors write it in prose. */
  name: string;
  file: string;
  /** The wave at base, as written (`0` when the annotation was absent). */
  before: string;
  /** The wave at head, as written (`0` when the annotation is absent). */
  after: string;
}

/** Sync-order changes between base and head, over the resources in scope. */
export interface SyncChanges {
  /** Resources on both sides whose wave changed. */
  waves: WaveChange[];
  /** Resources added or removed with an explicit sync-wave annotation. */
  wavedAddedOrRemoved: string[];
  /** Resources whose hook annotation changed, or hooks added or removed. */
  hooks: string[];
}

function key(r: Resource): string {
  return `${groupKind(r)}\u0000${r.namespace ?? ''}\u0000${r.name ?? r.generateName ?? ''}`;
}

function annotation(r: Resource, k: string): string | undefined {
  const e = r.annotations.get(k);
  return e === undefined ? undefined : String(e.value ?? '').trim();
}

function hookOf(r: Resource): string | undefined {
  return annotation(r, ANNOTATION_HOOK) ?? annotation(r, HELM_HOOK);
}

/**
 * Compares the sync order of the resources in both snapshots.
 * @param inScope restricts the comparison to resources of these files (base or head path); all when absent
 */
export function syncChanges(base: Snapshot | undefined, head: Snapshot, inScope?: (file: string) => boolean): SyncChanges {
  const pick = (s: Snapshot | undefined) => new Map((s?.resources ?? []).filter((r) => !inScope || inScope(r.file)).map((r) => [key(r), r] as const));
  const before = pick(base);
  const after = pick(head);
  const out: SyncChanges = { waves: [], wavedAddedOrRemoved: [], hooks: [] };
  for (const [k, h] of after) {
    const b = before.get(k);
    if (!b) {
      if (annotation(h, ANNOTATION_SYNC_WAVE) !== undefined) out.wavedAddedOrRemoved.push(resourceLabel(h));
      if (hookOf(h) !== undefined) out.hooks.push(resourceLabel(h));
      continue;
    }
    const wb = annotation(b, ANNOTATION_SYNC_WAVE) ?? '0';
    const wa = annotation(h, ANNOTATION_SYNC_WAVE) ?? '0';
    if (wb !== wa) out.waves.push({ subject: resourceLabel(h), name: h.name ?? h.generateName ?? '', file: h.file, before: wb, after: wa });
    if (hookOf(b) !== hookOf(h)) out.hooks.push(resourceLabel(h));
  }
  for (const [k, b] of before) {
    if (after.has(k)) continue;
    if (annotation(b, ANNOTATION_SYNC_WAVE) !== undefined) out.wavedAddedOrRemoved.push(resourceLabel(b));
    if (hookOf(b) !== undefined) out.hooks.push(resourceLabel(b));
  }
  return out;
}

/** Why a conditional requirement applies, or `undefined` when it does not. */
export interface Applies {
  /** Plain-language reasons, for example `sync waves changed: Deployment payments/api 1 → 3`. */
  because: string[];
  /** Wave changes among the matching resources (for `previousWaves`). */
  waves: WaveChange[];
}

/**
 * Decides whether `req` applies to the change. Every condition given in `when` must hold: the change
 * conditions (paths, manifestsChanged, labels, authors, targetBranches) are decided by the policy's
 * condition language (src/policy/conditions.ts), the resource conditions (`kinds`, `changes`) here, over
 * the resources in files matching `paths`, when given.
 * @param manifests the policy's `manifests` section, for `manifestsChanged`
 */
export function applies(req: ConditionalRequirement, change: Change, base: Snapshot | undefined, head: Snapshot, manifests: ManifestSelector): Applies | undefined {
  const decided = changeConditions(req.when, change, manifests);
  if (!decided.holds) return undefined;
  const because = [...decided.because];
  const inScope = decided.inScope;
  if (req.when.kinds?.length) {
    const kinds = new Set(req.when.kinds);
    const touched = [...(base?.resources ?? []), ...head.resources].filter((r) => (!inScope || inScope(r.file)) && (kinds.has(r.kind) || kinds.has(groupKind(r))));
    if (!touched.length) return undefined;
    because.push(`touches ${[...new Set(touched.map(resourceLabel))].slice(0, 3).join(', ')}`);
  }
  const sc = syncChanges(base, head, inScope);
  if (req.when.changes?.length) {
    const parts: string[] = [];
    if (req.when.changes.includes('sync-waves') && (sc.waves.length || sc.wavedAddedOrRemoved.length)) {
      parts.push(`sync waves changed: ${[...sc.waves.map((w) => `${w.subject} ${w.before} → ${w.after}`), ...sc.wavedAddedOrRemoved.map((s) => `${s} added or removed`)].slice(0, 5).join(', ')}`);
    }
    if (req.when.changes.includes('hooks') && sc.hooks.length) parts.push(`hooks changed: ${sc.hooks.slice(0, 5).join(', ')}`);
    if (!parts.length) return undefined;
    because.push(...parts);
  }
  if (!because.length) because.push('applies to every change');
  return { because, waves: sc.waves };
}
