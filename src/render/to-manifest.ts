/**
 * Rendered objects as the checks read manifests: {@link ManifestFile}s of {@link Resource}s whose `file`
 * and positions are the object's origin (src/render/output.ts), so a finding about a rendered object points
 * at the source file and line it comes from. The YAML node of every field is the rendered one, so checks
 * that look at YAML types (an annotation rendered as an integer) see what ArgoCD applies.
 */
import type { Position } from '../core/model.js';
import type { ManifestFile } from '../manifests/manifest-file.js';
import { resourcesOf, type MetaEntry, type Resource } from '../manifests/resource.js';
import { DEFAULT_YAML_LIMITS, parseYamlText, type YamlDoc, type YamlLimits } from '../manifests/yaml-doc.js';
import type { RenderResult } from './model.js';

function remapMeta(m: Map<string, MetaEntry>, at: Position): Map<string, MetaEntry> {
  return new Map([...m].map(([k, e]) => [k, { ...e, keyPos: at, valuePos: at }]));
}

/** A resource of a rendered object, re-pointed at its origin. */
function atOrigin(r: Resource, file: string, line: number): Resource {
  const at: Position = { line, column: 1 };
  return { ...r, file, annotations: remapMeta(r.annotations, at), labels: remapMeta(r.labels, at), pos: () => at, keyPos: () => at };
}

/**
 * The rendered objects of one result, grouped by origin file (in first-seen order). A result that is not
 * `rendered` gives no files. Objects whose YAML does not parse (not expected from a tool's output) are
 * dropped from `resources` and named in `problems`.
 * @param limits - YAML limits (the policy's `manifests.limits`)
 */
export function renderedManifestFiles(result: RenderResult, limits: YamlLimits = DEFAULT_YAML_LIMITS): ManifestFile[] {
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
    f.resources.push(...resourcesOf(o.origin.file, indexed).map((r) => atOrigin(r, o.origin.file, o.origin.line)));
  }
  return [...files.values()];
}
