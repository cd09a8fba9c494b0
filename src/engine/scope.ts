/**
 * Which manifest files an evaluation reads on each side, and how they group into sync groups.
 * The cost of an evaluation follows the change: only files in scope are read and parsed.
 */
import type { Change } from '../core/model.js';
import { dirName, type ManifestFile } from '../manifests/manifest-file.js';
import type { YamlLimits } from '../manifests/yaml-doc.js';
import type { Snapshot, SyncGroup } from '../rules/check.js';
import type { TreeReader } from '../core/model.js';
import { parseManifestFiles, startParsers, type ParseInput } from './parallel-read.js';

/** The files to read on each side. */
export interface Scope {
  head: string[];
  base: string[];
  /**
   * Files whose positions checks are likely to ask for (Application manifests): in large batches they are
   * parsed on the main thread rather than in a worker (one the full parser reads keeps its syntax tree there).
   */
  prefer?: ReadonlySet<string>;
}

/**
 * Paths of the symbolic links, on either side, whose resolution reads a path the change touches: a link reads
 * its target, so changing the target (or a link on the way) changes what ArgoCD applies under the link's path.
 * @throws {SourceError} when a tree cannot be listed
 */
export async function linksThroughChange(change: Change): Promise<string[]> {
  const touched = new Set(change.files.flatMap((f) => (f.previousPath ? [f.path, f.previousPath] : [f.path])));
  const sides = await Promise.all([change.head.symlinks?.(), change.mode === 'diff' ? change.base?.symlinks?.() : undefined]);
  const out = new Set<string>();
  for (const links of sides) for (const l of links ?? []) if (l.via.some((p) => touched.has(p))) out.add(l.path);
  return [...out].sort();
}

/**
 * The manifest files the change touches: at head, every added, modified, renamed or copied manifest;
 * at base, the same files under their base names (removed ones included).
 * In `--all` mode, every manifest at head.
 */
export async function changedScope(change: Change, isManifest: (p: string) => boolean): Promise<Scope> {
  if (change.mode === 'all') {
    return { head: (await change.head.listFiles()).filter(isManifest).sort(), base: [] };
  }
  const head = new Set<string>();
  const base = new Set<string>();
  for (const f of change.files) {
    if (f.status !== 'removed' && isManifest(f.path)) head.add(f.path);
    const basePath = f.previousPath ?? f.path;
    if (f.status !== 'added' && isManifest(basePath)) base.add(basePath);
  }
  // A link whose target changed: read on both sides (a side where it is missing reads nothing).
  for (const p of await linksThroughChange(change)) {
    if (!isManifest(p)) continue;
    head.add(p);
    base.add(p);
  }
  return { head: [...head].sort(), base: [...base].sort() };
}

/**
 * Reads and parses manifest files from one side. Files in a Helm chart's `templates/` are recognised by
 * a `Chart.yaml` in the directory above, which is looked up in the same batch.
 */
export async function readSide(tree: TreeReader, paths: readonly string[], limits: YamlLimits, prefer?: ReadonlySet<string>): Promise<ManifestFile[]> {
  const charts = new Set<string>();
  for (const p of paths) {
    const parts = p.split('/');
    const t = parts.lastIndexOf('templates');
    if (t >= 0 && t < parts.length - 1) charts.add([...parts.slice(0, t), 'Chart.yaml'].join('/'));
  }
  // Large batches are parsed in worker threads, started now so that they load while git reads.
  const pool = startParsers(paths.length);
  try {
    const contents = await tree.readFiles([...paths, ...charts]);
    const existing = new Set([...charts].filter((p) => contents.get(p) !== undefined));
    const inputs: ParseInput[] = [];
    for (const p of paths) {
      const bytes = contents.get(p);
      if (bytes !== undefined) inputs.push({ path: p, bytes });
    }
    return await parseManifestFiles(inputs, limits, { existing, ...(pool ? { pool } : {}), ...(prefer ? { prefer: (p: string) => prefer.has(p) } : {}) });
  } finally {
    pool?.close();
  }
}

/** Groups files by directory: the fallback grouping when no Application or kustomization says otherwise. */
export function groupByDirectory(files: ManifestFile[]): SyncGroup[] {
  const byDir = new Map<string, ManifestFile[]>();
  for (const f of files) {
    const d = dirName(f.path);
    byDir.set(d, [...(byDir.get(d) ?? []), f]);
  }
  return [...byDir.entries()].map(([dir, fs]) => ({ name: dir || '(repository root)', grouping: 'directory', dir, files: fs }));
}

/** Builds a snapshot from parsed files. */
export function makeSnapshot(side: 'base' | 'head', files: ManifestFile[], groups?: SyncGroup[]): Snapshot {
  return { side, files, resources: files.flatMap((f) => f.resources), groups: groups ?? groupByDirectory(files) };
}
