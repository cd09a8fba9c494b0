/**
 * Rendered objects as the checks read manifests: {@link ManifestFile}s of {@link Resource}s whose `file`
 * and positions are the object's origin (src/render/output.ts), so a finding about a rendered object points
 * at the source file and line it comes from. The YAML node of every field is the rendered one, so checks
 * that look at YAML types (an annotation rendered as an integer) see what ArgoCD applies.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Position } from '../core/model.js';
import type { ManifestFile } from '../manifests/manifest-file.js';
import { resourcesOf, type MetaEntry, type Resource } from '../manifests/resource.js';
import { DEFAULT_YAML_LIMITS, parseYamlText, type YamlDoc, type YamlLimits } from '../manifests/yaml-doc.js';
import type { RenderResult } from './model.js';
import type { YamlPath } from '../manifests/yaml-doc.js';

/** Source resources of the tree that rendered, by repository path (the plain manifests an origin can name). */
export type SourceResources = (file: string) => readonly Resource[] | undefined;

/** The value at `path` inside `v`, or `undefined`. */
function valueAt(v: unknown, path: YamlPath): unknown {
  let cur = v;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k as string | number];
  }
  return cur;
}

/**
 * The source resource a rendered object was written as: the object of the same kind whose document starts at
 * the origin's line. The origin's line was already chosen among the file's documents (src/render/output.ts
 * `lineIn`: the only one of that kind, or the one whose name the rendered name contains), so it is the match.
 */
function sourceResource(r: Resource, line: number, candidates: readonly Resource[] | undefined): Resource | undefined {
  return candidates?.find((c) => c.kind === r.kind && c.group === r.group && c.pos([]).line === line);
}

/**
 * A resource of a rendered object, re-pointed at its origin. A field the render left as written (same value
 * at the same path in the source document) keeps its source line, so a finding about an unpatched field
 * points where the reviewer edits it; a field a patch, a generator or a template produced points at the
 * origin's line.
 */
function atOrigin(r: Resource, file: string, line: number, src: Resource | undefined): Resource {
  const at: Position = { line, column: 1 };
  const same = (sub: YamlPath): boolean => src !== undefined && isDeepStrictEqual(valueAt(r.object, sub), valueAt(src.object, sub)) && valueAt(src.object, sub) !== undefined;
  const remapMeta = (m: Map<string, MetaEntry>, from: Map<string, MetaEntry> | undefined): Map<string, MetaEntry> =>
    new Map(
      [...m].map(([k, e]) => {
        const s = from?.get(k);
        return [k, s && s.source === e.source && isDeepStrictEqual(s.value, e.value) ? { ...e, keyPos: s.keyPos, valuePos: s.valuePos } : { ...e, keyPos: at, valuePos: at }];
      }),
    );
  return {
    ...r,
    file,
    annotations: remapMeta(r.annotations, src?.annotations),
    labels: remapMeta(r.labels, src?.labels),
    pos: (sub) => (sub.length && same(sub) ? src!.pos(sub) : at),
    keyPos: (sub) => (sub.length && same(sub) ? src!.keyPos(sub) : at),
  };
}

/**
 * The rendered objects of one result, grouped by origin file (in first-seen order). A result that is not
 * `rendered` gives no files. Objects whose YAML does not parse (not expected from a tool's output) are
 * dropped from `resources` and named in `problems`.
 * @param limits - YAML limits (the policy's `manifests.limits`)
 * @param sources - the rendering side's resources by file, so unpatched fields keep their source lines
 */
export function renderedManifestFiles(result: RenderResult, limits: YamlLimits = DEFAULT_YAML_LIMITS, sources?: SourceResources): ManifestFile[] {
  if (result.status !== 'rendered') return [];
  const files = new Map<string, ManifestFile>();
  for (const o of result.objects) {
    let f = files.get(o.origin.file);
    if (!f) files.set(o.origin.file, (f = { path: o.origin.file, role: 'manifest', docs: [], problems: [], resources: [] }));
    const parsed = parseYamlText(o.yaml, limits);
    const doc: YamlDoc | undefined = parsed.docs[0];
    if (!doc || doc.broken || parsed.problems.length) {
      f.problems.push(...parsed.problems.map((p) => ({ ...p, line: o.origin.line, column: 1 })));
      continue;
    }
    const indexed: YamlDoc = {
      index: f.docs.length,
      value: doc.value,
      broken: doc.broken,
      pos: (p) => doc.pos(p),
      keyPos: (p) => doc.keyPos(p),
      node: (p) => doc.node(p),
      scalarSource: (p) => doc.scalarSource(p),
      isMap: (p) => doc.isMap(p),
      startLine: o.origin.line,
    };
    f.docs.push(indexed);
    const srcs = sources?.(o.origin.file);
    f.resources.push(...resourcesOf(o.origin.file, indexed).map((r) => atOrigin(r, o.origin.file, o.origin.line, sourceResource(r, o.origin.line, srcs))));
  }
  return [...files.values()];
}
