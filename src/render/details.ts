/**
 * What the report says about rendering (`report.details.render`): per affected Application (or kustomization
 * or chart directory) the provenance of each source's render on both sides and the rendered diff, with
 * Secret values redacted (src/render/diff.ts). Built by the engine's render phase (src/engine/render-phase.ts).
 */
import { diffRendered } from './diff.js';
import type { RenderedObject, RenderResult } from './model.js';

declare module '../core/model.js' {
  interface ReportDetails {
    /** Rendered kustomize and Helm sources of the affected Applications: provenance and rendered diff (src/render/details.ts). */
    render?: RenderDetails;
  }
}

/** How one side of one source was rendered. */
export interface RenderProvenance {
  status: RenderResult['status'];
  /** Why it was not rendered (the tool's message for `failed`). */
  reason?: string;
  /** `kustomize`, `helm` or `directory`. */
  tool?: string;
  /** The tool's version, for example `v5.6.0`. */
  version?: string;
  /** Wall time of the tool run in milliseconds (0 when served from the cache). */
  durationMs?: number;
  /** True when the identical input was already rendered (the other side, same contents). */
  cached?: boolean;
  /** Objects rendered. */
  objects: number;
}

/** One source (render unit) of an Application, on both sides. */
export interface RenderUnitDetail {
  /** `<application file>#<name>@<source index>`, or `<kustomization file>#kustomization`, `<Chart.yaml>#chart`. */
  id: string;
  sourceType?: RenderResult['sourceType'];
  /** Absent when the source does not exist at head. */
  head?: RenderProvenance;
  /** Absent in `--all` mode, and when the source does not exist at base. */
  base?: RenderProvenance;
}

/** An object of the rendered output, named by its identity and origin. */
export interface RenderedObjectRef {
  /** `group/Kind namespace/name`. */
  key: string;
  /** Repository file and 1-based line it comes from. */
  file: string;
  line: number;
}

/** A changed object: its identity, origin at head, and the unified diff of its (redacted) YAML. */
export interface RenderedChange extends RenderedObjectRef {
  patch: string;
}

/** One rendered Application (or directory) of the change. */
export interface RenderedApplicationDetail {
  name: string;
  grouping: 'application' | 'kustomization' | 'directory';
  dir: string;
  /** Where it is defined (the Application's file and line). */
  file: string;
  line: number;
  units: RenderUnitDetail[];
  /** What the change does to the rendered objects (units rendered on both sides only; empty in `--all` mode). */
  diff: { added: RenderedObjectRef[]; removed: RenderedObjectRef[]; changed: RenderedChange[] };
  /** True when some source is not rendered on a side: the diff may then be partial. */
  partial: boolean;
}

/** `report.details.render`. */
export interface RenderDetails {
  applications: RenderedApplicationDetail[];
  /** Tool runs started, and renders served from the cache, over both sides. */
  runs: number;
  cacheHits: number;
}

function provenance(r: RenderResult): RenderProvenance {
  return {
    status: r.status,
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.tool ? { tool: r.tool.name, ...(r.tool.version ? { version: r.tool.version } : {}) } : {}),
    ...(r.durationMs !== undefined ? { durationMs: r.durationMs } : {}),
    ...(r.cached !== undefined ? { cached: r.cached } : {}),
    objects: r.objects.length,
  };
}

const ref = (o: RenderedObject): RenderedObjectRef => ({ key: o.key, file: o.origin.file, line: o.origin.line });

/** A rendered group of one side, as the builder needs it. */
export interface RenderedGroupLike {
  name: string;
  grouping: 'application' | 'kustomization' | 'directory';
  dir: string;
  file: string;
  line: number;
  results: readonly RenderResult[];
}

/**
 * The detail of one group from its head render and its base render (paired by unit id). The diff covers the
 * units rendered on both sides, or on one side when the unit is new or gone. Pure.
 * @param diff - false in `--all` mode (no base): provenance only
 */
export function renderedApplicationDetail(head: RenderedGroupLike | undefined, base: RenderedGroupLike | undefined, diff: boolean): RenderedApplicationDetail {
  const g = (head ?? base)!;
  const ids = [...new Set([...(head?.results ?? []), ...(base?.results ?? [])].map((r) => r.unit.id))];
  const hb = new Map((head?.results ?? []).map((r) => [r.unit.id, r] as const));
  const bb = new Map((base?.results ?? []).map((r) => [r.unit.id, r] as const));
  const out: RenderedApplicationDetail = { name: g.name, grouping: g.grouping, dir: g.dir, file: g.file, line: g.line, units: [], diff: { added: [], removed: [], changed: [] }, partial: false };
  for (const id of ids) {
    const h = hb.get(id);
    const b = bb.get(id);
    const sourceType = h?.sourceType ?? b?.sourceType;
    out.units.push({ id, ...(sourceType ? { sourceType } : {}), ...(h ? { head: provenance(h) } : {}), ...(b ? { base: provenance(b) } : {}) });
    if ((h && h.status !== 'rendered') || (diff && b && b.status !== 'rendered')) out.partial = true;
    if (!diff || (h && h.status !== 'rendered') || (b && b.status !== 'rendered')) continue;
    const d = diffRendered(b, h);
    out.diff.added.push(...d.added.map(ref));
    out.diff.removed.push(...d.removed.map(ref));
    out.diff.changed.push(...d.changed.map((c) => ({ ...ref(c.head), patch: c.patch })));
  }
  return out;
}
