/**
 * Reading a tool's output: YAML documents split into objects (a `*List` is expanded into its items, as the
 * repo-server's manifest generation does), each mapped back to the repository file and line it comes from.
 *
 * - kustomize: the `config.kubernetes.io/origin` annotation that `buildMetadata: [originAnnotations]` adds
 *   (its `path`, or `configuredIn` for generated objects, is relative to the kustomization root); the gate
 *   strips it unless the repository's own kustomization asked for it (then ArgoCD applies it too).
 * - Helm: the `# Source: <chart>/templates/x.yaml` header helm writes before each document.
 * - Line: the line of the object's document in a plain manifest file; 1 for a template or generator.
 */
import { posix } from 'node:path';
import { LineCounter, parse, parseAllDocuments, stringify } from 'yaml';
import { isRecord } from '../core/values.js';
import { decodeText } from '../manifests/yaml-doc.js';
import type { Origin, RenderedObject } from './model.js';

/** The origin annotation of kustomize's `buildMetadata: [originAnnotations]`. */
export const ORIGIN_ANNOTATION = 'config.kubernetes.io/origin';

/** One YAML document of a tool's output, with the `# Source:` header helm wrote before it. */
export interface OutputDoc {
  value: unknown;
  source?: string;
}

/** Splits multi-document output; documents that are empty or not valid YAML are dropped (an invalid one is reported by the caller's tool exit code). */
export function outputDocuments(text: string): OutputDoc[] {
  const out: OutputDoc[] = [];
  const chunks = text.split(/^---[ \t]*(?:#.*)?$/m);
  for (const chunk of chunks) {
    const source = /^#\s*Source:\s*(.+?)\s*$/m.exec(chunk)?.[1];
    let value: unknown;
    try {
      value = parse(chunk, { maxAliasCount: 100 });
    } catch {
      continue;
    }
    if (value === null || value === undefined) continue;
    out.push({ value, ...(source ? { source } : {}) });
  }
  return out;
}

/** The objects of a document: itself, or the items of a `*List`. */
export function objectsOfDoc(value: unknown): Record<string, unknown>[] {
  if (!isRecord(value)) return [];
  if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) return value.items.filter(isRecord);
  return typeof value.kind === 'string' && typeof value.apiVersion === 'string' ? [value] : [];
}

/** `group/Kind namespace/name`, the identity diffs pair objects by. */
export function objectKey(o: Record<string, unknown>): string {
  const api = typeof o.apiVersion === 'string' ? o.apiVersion : '';
  const group = api.includes('/') ? api.slice(0, api.lastIndexOf('/')) : '';
  const meta = isRecord(o.metadata) ? o.metadata : {};
  const ns = typeof meta.namespace === 'string' ? meta.namespace : '';
  const name = typeof meta.name === 'string' ? meta.name : typeof meta.generateName === 'string' ? `${meta.generateName}*` : '';
  return `${group ? `${group}/` : ''}${String(o.kind)} ${ns}/${name}`;
}

/** Reads and removes the origin annotation of a kustomize output object (the object is changed in place unless `keep`). */
export function takeOrigin(o: Record<string, unknown>, keep: boolean): { path?: string; configuredIn?: string; remote?: boolean } | undefined {
  const meta = isRecord(o.metadata) ? o.metadata : undefined;
  const ann = meta && isRecord(meta.annotations) ? meta.annotations : undefined;
  const raw = ann?.[ORIGIN_ANNOTATION];
  if (!ann || typeof raw !== 'string') return undefined;
  if (!keep) {
    delete ann[ORIGIN_ANNOTATION];
    if (Object.keys(ann).length === 0) delete meta!.annotations;
  }
  let v: unknown;
  try {
    v = parse(raw);
  } catch {
    return undefined;
  }
  if (!isRecord(v)) return undefined;
  return {
    ...(typeof v.path === 'string' ? { path: v.path } : {}),
    ...(typeof v.configuredIn === 'string' ? { configuredIn: v.configuredIn } : {}),
    ...(v.repo !== undefined ? { remote: true } : {}),
  };
}

/** Documents of a plain manifest file with their start lines, kind and name, for provenance lines. */
export function documentLines(bytes: Uint8Array | undefined): { line: number; kind?: string; name?: string }[] {
  const text = bytes ? decodeText(bytes) : undefined;
  if (text === undefined) return [];
  const lc = new LineCounter();
  const out: { line: number; kind?: string; name?: string }[] = [];
  for (const doc of parseAllDocuments(text, { lineCounter: lc })) {
    if ('errors' in doc && doc.errors.length) continue;
    const start = doc.contents?.range[0];
    if (start === undefined) continue;
    const v: unknown = doc.toJS({ maxAliasCount: 100 });
    for (const o of isRecord(v) && typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items) ? [] : [v]) {
      const meta = isRecord(o) && isRecord(o.metadata) ? o.metadata : {};
      out.push({ line: lc.linePos(start).line, ...(isRecord(o) && typeof o.kind === 'string' ? { kind: o.kind } : {}), ...(typeof meta.name === 'string' ? { name: meta.name } : {}) });
    }
  }
  return out;
}

/**
 * The line of the document in a plain manifest file that an output object came from: the only document of
 * its kind, or the one whose name the rendered name contains (kustomize adds prefixes and suffixes); 1 when
 * it cannot tell.
 */
export function lineIn(docs: readonly { line: number; kind?: string; name?: string }[], o: Record<string, unknown>): number {
  const same = docs.filter((d) => d.kind === o.kind);
  if (same.length === 1) return same[0]!.line;
  const meta = isRecord(o.metadata) ? o.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const named = same.filter((d) => d.name !== undefined && name.includes(d.name)).sort((a, b) => b.name!.length - a.name!.length);
  return named[0]?.line ?? same[0]?.line ?? 1;
}

/** Builds a {@link RenderedObject}: YAML text from the (annotation-stripped) object. */
export function renderedObject(object: Record<string, unknown>, origin: Origin): RenderedObject {
  return { object, yaml: stringify(object, { lineWidth: 0 }), origin, key: objectKey(object) };
}

/**
 * Maps a Helm `# Source:` header to a repository path: its first segment is the chart's name, the rest
 * is relative to the chart directory (`mychart/charts/sub/templates/x.yaml` for a vendored subchart).
 * @returns the repository path when that file exists, else `undefined` (a subchart packaged as a `.tgz`)
 */
export function helmSourcePath(source: string, chartDir: string, exists: (p: string) => boolean): string | undefined {
  const slash = source.indexOf('/');
  if (slash < 0) return undefined;
  const rel = source.slice(slash + 1);
  const p = posix.normalize(chartDir ? `${chartDir}/${rel}` : rel);
  if (p.startsWith('..')) return undefined;
  return exists(p) ? p : undefined;
}
