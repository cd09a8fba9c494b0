/**
 * The engine's render phase (between read and side): each affected sync group whose source ArgoCD renders
 * with a tool is rendered on both sides with src/render, and the snapshot's resources and group files become
 * the rendered objects, so the wave, hook, sync-option, ordering and metadata rules read what ArgoCD applies.
 *
 * Rendered groups:
 * - an Application group with a source of this repository that is a kustomization or a Helm chart (explicit
 *   `kustomize:`/`helm:`, or discovered from the files in its path as the repo-server does);
 * - a kustomization-directory group (no Application covers it): `kustomize build` of the directory; a
 *   kustomization of `kind: Component` is no group of its own (it only patches what includes it);
 * - directory groups inside a Helm chart (a `Chart.yaml` in the directory or above; a subchart in `charts/`
 *   belongs to its parent), merged into one group for the chart: `helm template` of the chart.
 *
 * The source files of a rendered group (kustomize patches, components, Helm templates and values files) give
 * no resources; they stay in `Snapshot.files` for the file rules. A group that renders nowhere (missing tool,
 * needs network, plugin, timeout, render error) gives no resources either, and is named per Application in the
 * report's not-evaluated list; rule `render-not-evaluated` (src/files/render-coverage.ts) reports it.
 *
 * Plain directory groups are untouched, and when a change has no such group nothing runs: no tool is
 * spawned and the snapshot is the one the read phase made.
 */
import { minimatch } from 'minimatch';
import { parse } from 'yaml';
import type { Change, NotEvaluated, TreeReader } from '../core/model.js';
import type { RenderedGroup, Snapshot, SyncGroup } from '../area/contract.js';
import type { Policy } from '../policy/types.js';
import { explicitSourceType } from '../argocd/app-sources.js';
import { repoLayout } from '../argocd/layout.js';
import { layoutSettings } from './layout.js';
import { isRecord } from '../core/values.js';
import { baseName, dirName, isKustomization, readManifestFile, type ManifestFile } from '../manifests/manifest-file.js';
import { decodeText } from '../manifests/yaml-doc.js';
import type { Resource } from '../manifests/resource.js';
import {
  createRenderCache,
  discoverSourceType,
  kustomizationIn,
  renderApplications,
  renderedApplicationDetail,
  renderedGroupLabel,
  renderedManifestFiles,
  sideContext,
  unitsOfApplication,
  warmTools,
  type RenderCache,
  type RenderDetails,
  type RenderOptions,
  type RenderUnit,
  type SideContext,
} from '../render/index.js';

/** Where the tools are, and how to run them: from the CLI's `--kustomize`/`--helm` or the Action's inputs. */
export interface RenderToolOptions {
  /** A `kustomize` (or `kubectl`) binary; default: `kustomize`, then `kubectl`, on PATH. */
  kustomizeBinary?: string;
  /** A `helm` binary; default: `helm` on PATH. */
  helmBinary?: string;
  /** PATH to look the tools up on; default `process.env.PATH`. */
  searchPath?: string;
  /** Parent directory of the sandboxes; default the OS temporary directory. */
  tmpDir?: string;
  /** Tool runs at once; default `os.availableParallelism()`. */
  concurrency?: number;
}

/** A group of one side to render. */
interface Target {
  /** Identity across sides: `application:<file>#<name>`, `kustomization:<dir>`, `chart:<dir>`. */
  key: string;
  shell: Omit<SyncGroup, 'files'>;
  file: string;
  line: number;
  /** Empty for a kustomize Component (no group of its own). */
  units: RenderUnit[];
  /** The read phase's groups it replaces. */
  members: SyncGroup[];
}

/** What the render phase did to one side. */
interface SideRender {
  groups: Map<string, RenderedGroup>;
  /** Source paths of the replaced groups. */
  covered: Set<string>;
}

/** What the render phase hands back to the engine. */
export interface RenderPhaseOutput {
  /** Applications (or directories) of the head side that are not (fully) rendered, with the render's reason. */
  notEvaluated: NotEvaluated[];
  /** Head source files of rendered groups: their file-level "not evaluated" (Helm template) entries no longer apply. */
  covered: ReadonlySet<string>;
  /** For `report.details.render`; absent when nothing was rendered. */
  details?: RenderDetails;
}

/** A unit for a kustomization or chart directory no Application covers. */
function directoryUnit(file: string, dir: string, kind: 'kustomization' | 'chart'): RenderUnit {
  const name = (baseName(dir) || 'root').toLowerCase().replace(/[^a-z0-9-]/g, '-');
  return { id: `${file}#${kind}`, app: { name, file, line: 1 }, source: { index: 0, multi: false, repoURL: '', targetRevision: '', plugin: false, path: dir }, sources: [] };
}

/** The chart a directory belongs to: the nearest directory at or above it holding a Chart.yaml, climbing out of `charts/` subcharts. */
function chartRoot(ctx: SideContext, dir: string): string | undefined {
  const has = (d: string) => ctx.files.has(d ? `${d}/Chart.yaml` : 'Chart.yaml');
  let root: string | undefined;
  for (let cur = dir; ; cur = dirName(cur)) {
    if (has(cur)) {
      root = cur;
      break;
    }
    if (cur === '') return undefined;
  }
  for (;;) {
    const parent = dirName(root);
    if (baseName(parent) !== 'charts' || parent === root) break;
    const up = dirName(parent);
    if (!has(up)) break;
    root = up;
  }
  return root;
}

/** The first YAML document of a file of the side (from the files read, else from the tree). */
async function firstDoc(ctx: SideContext, files: ReadonlyMap<string, ManifestFile>, path: string): Promise<unknown> {
  const f = files.get(path);
  if (f) return f.docs[0]?.value;
  const bytes = (await ctx.reader.readFiles([path])).get(path);
  const text = bytes ? decodeText(bytes) : undefined;
  try {
    return text === undefined ? undefined : parse(text, { maxAliasCount: 100 });
  } catch {
    return undefined;
  }
}

/** The groups of a snapshot that need rendering. */
async function targetsOf(snapshot: Snapshot, tree: TreeReader, policy: Policy): Promise<Target[]> {
  const candidates = snapshot.groups.filter((g) => g.grouping !== 'directory' || g.files.length);
  if (!candidates.length) return [];
  const ctx = await sideContext(tree);
  const byPath = new Map(snapshot.files.map((f) => [f.path, f] as const));
  const globs = policy.sync.applications.repoURLs;
  const ours = (url: string) => !globs.length || globs.some((g) => minimatch(url, g));
  // Application files the read phase did not read: the layout holds their bytes (it indexes every Application).
  const appFiles = [...new Set(snapshot.groups.flatMap((g) => (g.application && !byPath.has(g.application.file) ? [g.application.file] : [])))];
  if (appFiles.length) {
    const layout = await repoLayout(tree, layoutSettings(policy));
    const missing = appFiles.filter((p) => !layout.contents.get(p));
    const read = missing.length ? await tree.readFiles(missing) : new Map<string, Uint8Array | undefined>();
    for (const p of appFiles) {
      const b = layout.contents.get(p) ?? read.get(p);
      if (b) byPath.set(p, readManifestFile(p, b, policy.manifests.limits));
    }
  }
  const out = new Map<string, Target>();
  for (const g of snapshot.groups) {
    const { files: _files, ...shell } = g;
    if (g.grouping === 'application' && g.application) {
      const { file, name } = g.application;
      const app: Resource | undefined = byPath.get(file)?.resources.find((r) => r.group === 'argoproj.io' && r.kind === 'Application' && (r.name ?? baseName(file)) === name);
      if (!app) continue;
      const units = unitsOfApplication(app).filter((u) => u.source.path !== undefined && u.source.chart === undefined && ours(u.source.repoURL));
      const tooled = units.some((u) => {
        const t = explicitSourceType(u.source) ?? discoverSourceType(ctx, u.source.path!);
        return t === 'Kustomize' || t === 'Helm';
      });
      if (!tooled) continue;
      const key = `application:${file}#${name}`;
      const t = out.get(key);
      if (t) t.members.push(g);
      else out.set(key, { key, shell, file, line: app.pos([]).line, units, members: [g] });
    } else if (g.grouping === 'kustomization') {
      const kfile = kustomizationIn(ctx, g.dir);
      if (!kfile) continue;
      const doc = await firstDoc(ctx, byPath, kfile);
      const component = isRecord(doc) && doc.kind === 'Component';
      const key = `kustomization:${g.dir}`;
      const t = out.get(key);
      if (t) t.members.push(g);
      else out.set(key, { key, shell, file: kfile, line: 1, units: component ? [] : [directoryUnit(kfile, g.dir, 'kustomization')], members: [g] });
    } else {
      const root = chartRoot(ctx, g.dir);
      if (root === undefined) continue;
      const key = `chart:${root}`;
      const file = root ? `${root}/Chart.yaml` : 'Chart.yaml';
      const t = out.get(key);
      if (t) t.members.push(g);
      else out.set(key, { key, shell: { name: root || '(repository root)', grouping: 'directory', dir: root }, file, line: 1, units: [directoryUnit(file, root, 'chart')], members: [g] });
    }
  }
  return [...out.values()];
}

/** Renders one side's targets and rewrites its snapshot: rendered objects in place of the groups' source files. */
async function renderSide(snapshot: Snapshot, tree: TreeReader, policy: Policy, opts: Omit<RenderOptions, 'repoURLs'>): Promise<SideRender> {
  const targets = await targetsOf(snapshot, tree, policy);
  const groups = new Map<string, RenderedGroup>();
  const covered = new Set<string>();
  if (!targets.length) return { groups, covered };
  const units = targets.flatMap((t) => t.units);
  const results = units.length ? await renderApplications(tree, units, { ...opts, repoURLs: [...new Set(units.map((u) => u.source.repoURL))] }) : [];
  const replaced = new Map<SyncGroup, Target>();
  const renderedFiles = new Map<Target, ManifestFile[]>();
  const byPath = new Map(snapshot.files.map((f) => [f.path, f.resources]));
  const sources = (file: string): readonly Resource[] | undefined => byPath.get(file);
  let i = 0;
  for (const t of targets) {
    const rs = results.slice(i, i + t.units.length);
    i += t.units.length;
    for (const m of t.members) {
      replaced.set(m, t);
      for (const f of m.files) covered.add(f.path);
    }
    if (!t.units.length) continue; // a Component
    groups.set(t.key, { name: t.shell.name, grouping: t.shell.grouping, dir: t.shell.dir, file: t.file, line: t.line, results: rs });
    if (rs.some((r) => r.status === 'rendered')) renderedFiles.set(t, rs.flatMap((r) => renderedManifestFiles(r, policy.manifests.limits, sources)));
  }
  // Groups in their order; a target takes the place of its first member, and renders nowhere when nothing rendered.
  const next: SyncGroup[] = [];
  const placed = new Set<Target>();
  for (const g of snapshot.groups) {
    const t = replaced.get(g);
    if (!t) {
      next.push(g);
      continue;
    }
    if (placed.has(t)) continue;
    placed.add(t);
    const files = renderedFiles.get(t);
    if (files) next.push({ ...t.shell, files });
  }
  const plain = new Set(snapshot.groups.filter((g) => !replaced.has(g)).flatMap((g) => g.files.map((f) => f.path)));
  const grouped = new Set(snapshot.groups.flatMap((g) => g.files.map((f) => f.path)));
  const raw = snapshot.files.filter((f) => plain.has(f.path) || !grouped.has(f.path)).flatMap((f) => f.resources);
  const rendered = [...renderedFiles.values()].flatMap((fs) => fs.flatMap((f) => f.resources));
  snapshot.groups = next;
  snapshot.resources = [...raw, ...rendered];
  if (groups.size) snapshot.renders = [...groups.values()];
  return { groups, covered };
}

/** Not-evaluated entries for a side's rendered groups: one per source that did not render. */
function notEvaluatedOf(groups: Iterable<RenderedGroup>): NotEvaluated[] {
  const out: NotEvaluated[] = [];
  for (const g of groups) {
    for (const r of g.results) {
      if (r.status === 'rendered') continue;
      const what = renderedGroupLabel(g);
      const source = g.results.length > 1 ? ` source ${r.unit.source.index}` : '';
      out.push({ subject: `${g.file}:${g.line} (${what}${source})`, reason: `not rendered${r.status === 'failed' ? ' (render error)' : ''}: ${r.reason ?? 'unknown reason'}` });
    }
  }
  return out;
}

/**
 * Starts the render tools' probes (see warmTools in src/render/tools.ts) once the head side's files are
 * listed, when rendering is on and the repository holds a Helm chart or a kustomization, so that they run
 * while the sides are read. Never throws.
 */
export function warmRenderTools(change: Change, policy: Policy, tools: RenderToolOptions = {}): void {
  if (!policy.render.enabled) return;
  change.head
    .listFiles()
    .then((files) => warmTools({ helm: files.some((f) => baseName(f) === 'Chart.yaml'), kustomize: files.some(isKustomization) }, tools))
    .catch(() => undefined);
}

/**
 * Phase 3b, render: see the module comment. Mutates the snapshots (resources, groups, renders).
 * Renders with one cache for both sides, so an unchanged source renders once.
 * Never throws for a source that cannot be rendered (it comes back not evaluated); throws what the trees throw.
 */
export async function renderPhase(change: Change, policy: Policy, head: Snapshot, base: Snapshot | undefined, tools: RenderToolOptions = {}): Promise<RenderPhaseOutput> {
  if (!policy.render.enabled) return { notEvaluated: [], covered: new Set() };
  const cache: RenderCache = createRenderCache();
  const opts: Omit<RenderOptions, 'repoURLs'> = {
    cache,
    timeoutMs: policy.render.timeoutSeconds * 1000,
    ...(policy.render.kustomizeBuildOptions ? { kustomizeBuildOptions: policy.render.kustomizeBuildOptions } : {}),
    ...tools,
  };
  // Both sides at once, in one pool of tool runs; the base side's cache lookups wait for the head side's, so
  // the base side's unchanged sources hit the cache as when the sides render one after the other.
  let headLookedUp!: () => void;
  const headFirst = new Promise<void>((r) => (headLookedUp = r));
  const hp = renderSide(head, change.head, policy, { ...opts, onLookedUp: headLookedUp }).finally(headLookedUp);
  const bp = base && change.base ? renderSide(base, change.base, policy, { ...opts, after: headFirst }) : undefined;
  const [h, b] = await Promise.all([hp, bp]);
  const notEvaluated = notEvaluatedOf(h.groups.values());
  const keys = [...new Set([...h.groups.keys(), ...(b?.groups.keys() ?? [])])];
  if (!keys.length) return { notEvaluated, covered: h.covered };
  const diff = change.mode === 'diff' && b !== undefined;
  const applications = keys.map((k) => renderedApplicationDetail(h.groups.get(k), b?.groups.get(k), diff));
  return { notEvaluated, covered: h.covered, details: { applications, runs: cache.runs, cacheHits: cache.hits } };
}
