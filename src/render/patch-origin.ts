/**
 * Which kustomize patch set an object's ArgoCD annotations. kustomize's origin annotation names the file an
 * object was first read from (the base), not the overlay patch that changed its sync-wave or hook; a finding
 * about the ordering the patch made should point at the patch. For every kustomization of a render's closure
 * (root first: its patches apply last and win), the patches (`patches[].path` or inline `patch`,
 * `patchesStrategicMerge` files) that target the object (by `target` kind and name, else by the patch's own
 * kind and name) and set an `argocd.argoproj.io/` annotation to the value the object carries are found; the
 * first gives the object's origin: the patch file (or the kustomization, for an inline patch) and the line of
 * that annotation.
 */
import { parse, parseAllDocuments } from 'yaml';
import { isRecord } from '../core/values.js';
import { decodeText } from '../manifests/yaml-doc.js';
import type { Origin } from './model.js';
import { resolveInRepo } from './inputs.js';

const ARGOCD_PREFIX = 'argocd.argoproj.io/';

/** One patch document that sets ArgoCD annotations. */
interface PatchDoc {
  file: string;
  /** Text of the file, for the annotation's line. */
  text: string;
  kind?: string;
  name?: string;
  annotations: Record<string, string>;
}

function lineOf(text: string, needle: string, from = 0): number {
  const i = text.indexOf(needle, from);
  return i < 0 ? 1 : text.slice(0, i).split('\n').length;
}

function docsOf(file: string, text: string, target: Record<string, unknown> | undefined): PatchDoc[] {
  const out: PatchDoc[] = [];
  for (const d of parseAllDocuments(text)) {
    if ('errors' in d && d.errors.length) continue;
    const v: unknown = d.toJS({ maxAliasCount: 100 });
    if (!isRecord(v)) continue;
    const meta = isRecord(v.metadata) ? v.metadata : {};
    const ann = isRecord(meta.annotations) ? meta.annotations : {};
    const annotations: Record<string, string> = {};
    for (const [k, x] of Object.entries(ann)) if (k.startsWith(ARGOCD_PREFIX) && typeof x === 'string') annotations[k] = x;
    if (!Object.keys(annotations).length) continue;
    const kind = typeof target?.kind === 'string' ? target.kind : typeof v.kind === 'string' ? v.kind : undefined;
    const name = typeof target?.name === 'string' ? target.name : typeof meta.name === 'string' ? meta.name : undefined;
    out.push({ file, text, ...(kind ? { kind } : {}), ...(name ? { name } : {}), annotations });
  }
  return out;
}

/**
 * The patches of the kustomizations in a render's closure that set ArgoCD annotations, root first.
 * @param kustomizations - kustomization files of the closure, the root's first
 * @param bytes - the closure's contents
 */
export function patchDocs(kustomizations: readonly string[], bytes: ReadonlyMap<string, Uint8Array>): PatchDoc[] {
  const out: PatchDoc[] = [];
  const text = (p: string) => {
    const b = bytes.get(p);
    return b ? decodeText(b) : undefined;
  };
  for (const kfile of kustomizations) {
    const kt = text(kfile);
    let k: unknown;
    try {
      k = kt === undefined ? undefined : parse(kt, { maxAliasCount: 100 });
    } catch {
      continue;
    }
    if (!isRecord(k)) continue;
    const dir = kfile.includes('/') ? kfile.slice(0, kfile.lastIndexOf('/')) : '';
    const fromFile = (p: unknown, target?: Record<string, unknown>) => {
      if (typeof p !== 'string') return;
      const r = resolveInRepo(dir, p, 'patch');
      const t = typeof r === 'string' ? text(r) : undefined;
      if (typeof r === 'string' && t !== undefined) out.push(...docsOf(r, t, target));
    };
    for (const e of Array.isArray(k.patches) ? k.patches : []) {
      if (!isRecord(e)) continue;
      const target = isRecord(e.target) ? e.target : undefined;
      if (typeof e.path === 'string') fromFile(e.path, target);
      else if (typeof e.patch === 'string' && kt !== undefined) out.push(...inline(kfile, kt, e.patch, target));
    }
    for (const e of Array.isArray(k.patchesStrategicMerge) ? k.patchesStrategicMerge : []) {
      if (typeof e === 'string' && !e.includes('\n')) fromFile(e);
      else if (typeof e === 'string' && kt !== undefined) out.push(...inline(kfile, kt, e, undefined));
    }
  }
  return out;
}

/** An inline patch: its documents, located in the kustomization's text. */
function inline(kfile: string, ktext: string, patch: string, target: Record<string, unknown> | undefined): PatchDoc[] {
  return docsOf(kfile, patch, target).map((d) => ({ ...d, text: ktext }));
}

/** The origin of `obj` when one of `patches` targets it and sets one of its ArgoCD annotations; undefined otherwise. */
export function patchOrigin(obj: Record<string, unknown>, patches: readonly PatchDoc[]): Origin | undefined {
  if (!patches.length) return undefined;
  const meta = isRecord(obj.metadata) ? obj.metadata : {};
  const ann = isRecord(meta.annotations) ? meta.annotations : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  for (const p of patches) {
    if (p.kind !== undefined && p.kind !== obj.kind) continue;
    if (p.name !== undefined && p.name !== name && !name.includes(p.name)) continue;
    for (const [k, v] of Object.entries(p.annotations)) {
      if (ann[k] !== v) continue;
      return { file: p.file, line: lineOf(p.text, k), via: 'kustomize-patch' };
    }
  }
  return undefined;
}
