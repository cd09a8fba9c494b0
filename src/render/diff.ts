/**
 * The rendered diff of one unit: which objects the change adds, removes or changes in what ArgoCD would
 * apply, with a unified diff (the `diff` package) of each changed object's YAML. The values of a Secret's
 * `data` and `stringData` (and a `last-applied-configuration` annotation, which can copy them) are
 * redacted before anything is compared or printed: a value reads `<redacted>`, and a changed value
 * `<redacted: changed>` on the head side, so a reviewer sees that it changed, never what it is.
 */
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import { isRecord } from '../core/values.js';
import type { RenderedObject, RenderResult } from './model.js';

/** One object present on both sides whose YAML differs. */
export interface ChangedObject {
  key: string;
  base: RenderedObject;
  head: RenderedObject;
  /** Unified diff of the (redacted) YAML, base to head. */
  patch: string;
}

/** The rendered diff of one unit. Objects are redacted copies (Secrets' values hidden). */
export interface RenderedDiff {
  added: RenderedObject[];
  removed: RenderedObject[];
  changed: ChangedObject[];
}

const SECRET_FIELDS = ['data', 'stringData'] as const;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function isSecret(o: Record<string, unknown>): boolean {
  return o.kind === 'Secret' && (o.apiVersion === 'v1' || o.apiVersion === undefined);
}

/**
 * A copy of `o` with a Secret's values replaced: `<redacted>`, or `<redacted: changed>` where `other`
 * (the same Secret on the other side) holds a different value for the key.
 */
export function redactSecret(o: Record<string, unknown>, other?: Record<string, unknown>): Record<string, unknown> {
  if (!isSecret(o)) return o;
  const copy: Record<string, unknown> = structuredClone(o);
  for (const f of SECRET_FIELDS) {
    const m = copy[f];
    if (!isRecord(m)) continue;
    const om = other && isRecord(other[f]) ? other[f] : undefined;
    for (const k of Object.keys(m)) m[k] = om && k in om && om[k] !== m[k] ? '<redacted: changed>' : '<redacted>';
  }
  const meta = isRecord(copy.metadata) ? copy.metadata : undefined;
  if (meta && isRecord(meta.annotations) && LAST_APPLIED in meta.annotations) meta.annotations[LAST_APPLIED] = '<redacted>';
  return copy;
}

function redacted(r: RenderedObject, other?: RenderedObject): RenderedObject {
  if (!isSecret(r.object)) return r;
  const object = redactSecret(r.object, other?.object);
  return { ...r, object, yaml: stringify(object, { lineWidth: 0 }) };
}

/**
 * Compares the objects of one unit's base and head renders, paired by `group/Kind namespace/name`.
 * A side that is absent or not rendered counts as no objects. Pure.
 */
export function diffRendered(base: Pick<RenderResult, 'objects'> | undefined, head: Pick<RenderResult, 'objects'> | undefined): RenderedDiff {
  const b = new Map((base?.objects ?? []).map((o) => [o.key, o] as const));
  const h = new Map((head?.objects ?? []).map((o) => [o.key, o] as const));
  const out: RenderedDiff = { added: [], removed: [], changed: [] };
  for (const [key, ho] of h) {
    const bo = b.get(key);
    if (!bo) {
      out.added.push(redacted(ho));
      continue;
    }
    // Mark changed values on the head side only: the base side reads `<redacted>`.
    const rb = isSecret(bo.object) ? { ...bo, yaml: stringify(redactSecret(bo.object), { lineWidth: 0 }), object: redactSecret(bo.object) } : bo;
    const rh = redacted(ho, bo);
    if (bo.yaml === ho.yaml) continue;
    const patch = createTwoFilesPatch(`base/${key}`, `head/${key}`, rb.yaml, rh.yaml, bo.origin.file, ho.origin.file);
    out.changed.push({ key, base: rb, head: rh, patch });
  }
  for (const [key, bo] of b) if (!h.has(key)) out.removed.push(redacted(bo));
  const byKey = (x: { key: string }, y: { key: string }) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0);
  out.added.sort(byKey);
  out.removed.sort(byKey);
  out.changed.sort(byKey);
  return out;
}
