/**
 * Kubernetes resources read from manifest files: the fields ArgoCD reads (apiVersion, kind, metadata)
 * with the position of every annotation, label and field, so findings point at the exact line.
 */
import type { Node } from 'yaml';
import type { Position } from '../core/model.js';
import type { YamlDoc, YamlPath } from './yaml-doc.js';
import { isRecord } from '../core/values.js';

/** One entry of `metadata.annotations` or `metadata.labels`. */
export interface MetaEntry {
  key: string;
  /** The value as parsed (may be a number, boolean or null when the YAML is unquoted). */
  value: unknown;
  /** True when the YAML value is a string, as Kubernetes requires. */
  isString: boolean;
  /** The source text of the value as written (for messages). */
  source: string;
  keyPos: Position;
  valuePos: Position;
}

/** A Kubernetes object found in a manifest file (a document, or an item of a `kind: List`). */
export interface Resource {
  /** Repository-relative path of the file. */
  file: string;
  /** 0-based index of the YAML document in the file. */
  docIndex: number;
  /** Path of the object inside its document: `[]`, or `['items', i]` for a List item. */
  path: YamlPath;
  apiVersion: string;
  /** API group: `''` for the core group (`v1`), `apps` for `apps/v1`. */
  group: string;
  kind: string;
  name?: string;
  generateName?: string;
  namespace?: string;
  /** Annotations in file order, including non-string values (those are findings). */
  annotations: Map<string, MetaEntry>;
  labels: Map<string, MetaEntry>;
  /** The whole object as a plain value. */
  object: Record<string, unknown>;
  /** Position of the field at `sub` (relative to the object), or of its nearest ancestor. */
  pos(sub: YamlPath): Position;
  /** Position of the key of the field at `sub`. */
  keyPos(sub: YamlPath): Position;
  /** The raw YAML node of the field at `sub`. */
  node(sub: YamlPath): Node | undefined;
}

/** `group/Kind` as ArgoCD writes it (`/Service` style is avoided: core kinds are just `Kind`). */
export function groupKind(r: Pick<Resource, 'group' | 'kind'>): string {
  return r.group ? `${r.group}/${r.kind}` : r.kind;
}

/** A short, stable label for a resource: `Kind namespace/name` (or `Kind name`). */
export function resourceLabel(r: Pick<Resource, 'kind' | 'name' | 'generateName' | 'namespace' | 'group'>): string {
  const name = r.name ?? (r.generateName ? `${r.generateName}*` : '<unnamed>');
  return `${groupKind(r)} ${r.namespace ? `${r.namespace}/` : ''}${name}`;
}

/** Splits `apiVersion` into group and version (`v1` is the core group). */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}


/** The plain value at `path` inside `value`. */
function plainAt(value: unknown, path: YamlPath): unknown {
  let cur = value;
  for (const seg of path) cur = isRecord(cur) || Array.isArray(cur) ? (cur as Record<string | number, unknown>)[seg] : undefined;
  return cur;
}

/** Source text for messages: the scalar as written, or the value as JSON (aliases and collections). */
function sourceText(source: string | undefined, value: unknown): string {
  if (source !== undefined) return source;
  if (value === null || value === undefined) return '';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Reads the entries of a metadata map (annotations or labels) with their positions. Values come from
 * the document's plain value, so an alias counts as the value it names and merged keys count (as
 * Kubernetes reads them).
 */
function readMeta(doc: YamlDoc, at: YamlPath): Map<string, MetaEntry> {
  const out = new Map<string, MetaEntry>();
  const plain = plainAt(doc.value, at);
  if (!isRecord(plain) || !doc.isMap(at)) return out;
  // Keys of the plain value: written ones and those brought in by `<<` merge keys, each at its own line.
  for (const key of Object.keys(plain)) {
    const value = plain[key];
    out.set(key, {
      key,
      value,
      isString: typeof value === 'string',
      source: sourceText(doc.scalarSource([...at, key]), value),
      keyPos: doc.keyPos([...at, key]),
      valuePos: doc.pos([...at, key]),
    });
  }
  return out;
}

/**
 * API groups of tool configuration files that look like Kubernetes objects but are never applied to a cluster:
 * k3d and kind cluster configs (`k3d.io`, `kind.x-k8s.io`), Backstage catalog entries (`backstage.io`), oc-mirror's
 * ImageSetConfiguration (`mirror.openshift.io`), Skaffold (`skaffold/v4…`), kpt's Kptfile (`kpt.dev`) and ctlptl
 * (`ctlptl.dev`). Each tool reads its own file; ArgoCD would fail to apply them (no such API on any cluster).
 */
export const TOOL_CONFIG_GROUPS: ReadonlySet<string> = new Set(['k3d.io', 'kind.x-k8s.io', 'backstage.io', 'mirror.openshift.io', 'skaffold', 'kpt.dev', 'ctlptl.dev']);

/**
 * Builds a {@link Resource} from the object at `path` in `doc`, or returns `undefined` when the value
 * is not a Kubernetes object: it needs string `apiVersion` and `kind`, and an API group that is not a tool's
 * configuration ({@link TOOL_CONFIG_GROUPS}).
 */
export function toResource(file: string, doc: YamlDoc, path: YamlPath, value: unknown): Resource | undefined {
  if (!isRecord(value)) return undefined;
  const { apiVersion, kind } = value;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  const { group } = splitApiVersion(apiVersion);
  if (TOOL_CONFIG_GROUPS.has(group)) return undefined;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return {
    file,
    docIndex: doc.index,
    path,
    apiVersion,
    group,
    kind,
    name: str(metadata.name),
    generateName: str(metadata.generateName),
    namespace: str(metadata.namespace),
    annotations: readMeta(doc, [...path, 'metadata', 'annotations']),
    labels: readMeta(doc, [...path, 'metadata', 'labels']),
    object: value,
    pos: (sub) => doc.pos([...path, ...sub]),
    keyPos: (sub) => doc.keyPos([...path, ...sub]),
    node: (sub) => doc.node([...path, ...sub]),
  };
}

/**
 * The resources in one document: the object itself, or each item of a `kind: List`
 * (`v1/List` and any `*List` kind with an `items` array, as kubectl accepts).
 */
export function resourcesOf(file: string, doc: YamlDoc): Resource[] {
  const v = doc.value;
  if (!isRecord(v)) return [];
  if (typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items)) {
    const out: Resource[] = [];
    v.items.forEach((item, i) => {
      const r = toResource(file, doc, ['items', i], item);
      if (r) out.push(r);
    });
    return out;
  }
  const r = toResource(file, doc, [], v);
  return r ? [r] : [];
}

/** The value of a metadata entry as written, cut to 60 characters for messages. */
export function quoteSource(e: Pick<MetaEntry, 'source'>): string {
  return e.source.length > 60 ? `${e.source.slice(0, 57)}...` : e.source;
}

/** The YAML type of a parsed value, for messages: `integer`, `boolean`, `mapping`, `null`, ... */
export function yamlTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'sequence';
  if (typeof v === 'object') return 'mapping';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v === 'boolean' ? 'boolean' : typeof v;
}
