/**
 * Which manifest files an evaluation reads on each side, and how they group into sync groups.
 * The cost of an evaluation follows the change: only files in scope are read and parsed.
 */
import type { Change } from '../core/model.js';
import { dirName, type ManifestFile } from '../manifests/manifest-file.js';
import type { YamlLimits } from '../manifests/yaml-doc.js';
import type { Snapshot } from '../area/contract.js';
import { appKey, repoLayout, type GroupRef, type RepoLayout, type SyncGroup } from '../argocd/layout.js';
import { layoutSettings } from './layout.js';
import type { Policy } from '../policy/types.js';
import type { TreeReader } from '../core/model.js';
import { parseManifestFiles, startParsers, type ParseInput } from './parallel-read.js';
import { kustomizationIn, kustomizeClosure, readAll, sideContext } from '../render/index.js';

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

/**
 * The default scope: every manifest of every sync group a changed manifest belongs to, on either side, and of
 * the groups that changed Application manifests define.
 * In `--all` mode, every manifest at head.
 */
export async function applicationScope(change: Change, isManifest: (p: string) => boolean, policy: Policy): Promise<Scope> {
  const settings = layoutSettings(policy);
  if (change.mode === 'all' || !change.base) {
    const head = await repoLayout(change.head, settings);
    return { head: head.manifests, base: [], prefer: head.applicationFiles };
  }
  // One side after the other: readers that cache by content (git) then read only the changed files twice.
  const head = await repoLayout(change.head, settings);
  const base = await repoLayout(change.base, settings);
  const keys = new Map<string, GroupRef>();
  // A link reads its target: a change to the target (or to a link on the way) touches the link's group too.
  const linked = (await linksThroughChange(change)).map((path) => ({ path, previousPath: undefined }));
  for (const f of [...change.files, ...linked]) {
    for (const p of [f.path, f.previousPath].filter((x): x is string => x !== undefined && isManifest(x))) {
      for (const l of [head, base]) {
        for (const k of l.keysOf(p) ?? []) keys.set(k, l.refOf(k)!);
        // A changed Application also affects the group it defines (its path, namespace or options may have changed).
        for (const a of l.appsOfFile(p)) keys.set(appKey(a), { grouping: 'application', file: a.file, name: a.name });
      }
    }
  }
  // A file a kustomization reads from outside its own group (a base, a component, a patch file, a generator's
  // input) changes what that kustomization renders: its groups are affected too. Only when rendering: files read
  // as written do not change with a base, and following every kustomization's closure costs a parse of each.
  const touched = [...change.files, ...linked].flatMap((f) => (f.previousPath ? [f.path, f.previousPath] : [f.path]));
  for (const [l, tree] of policy.render.enabled
    ? ([
        [head, change.head],
        [base, change.base],
      ] as const)
    : []) {
    for (const kfile of await kustomizeDependents(tree, l, touched)) for (const k of l.keysOf(kfile) ?? []) keys.set(k, l.refOf(k)!);
  }
  const collect = (l: RepoLayout) => [...new Set([...keys].flatMap(([k, ref]) => l.members(k, ref)))].sort();
  return { head: collect(head), base: collect(base) };
}

/**
 * The kustomization files of one side whose build reads one of `paths`: through `resources`, `bases` and
 * `components` (transitively), patch files, generator inputs and the other files a kustomization names
 * (`kustomizeClosure` in src/render/inputs.ts, with kustomize's default load restrictor). A kustomization whose
 * closure cannot be computed offline (a remote base) counts as reading nothing. No I/O when the side has no
 * kustomization.
 * @throws {SourceError} when the tree cannot be read
 */
export async function kustomizeDependents(tree: TreeReader, layout: RepoLayout, paths: readonly string[]): Promise<string[]> {
  if (!layout.kustomizeDirs.size || !paths.length) return [];
  const ctx = await sideContext(tree);
  const wanted = new Set(paths);
  const out: string[] = [];
  // Every kustomization in one read: the closures below then read from memory.
  await readAll(ctx, [...layout.kustomizeDirs].flatMap((d) => kustomizationIn(ctx, d) ?? []));
  // A kustomization whose text names no `..` reads only its own tree (absolute paths are refused), unless a
  // kustomization below it reaches out. When no changed path lies in its tree either, it cannot depend on one,
  // and its text need not be parsed.
  const inTree = (p: string, dir: string) => dir === '' || p === dir || p.startsWith(`${dir}/`);
  const reachesOut = [...layout.kustomizeDirs].filter((d) => {
    const bytes = ctx.bytes.get(kustomizationIn(ctx, d) ?? '');
    return !bytes || Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes('..');
  });
  const mayDepend = (dir: string) => paths.some((p) => inTree(p, dir)) || reachesOut.some((d) => inTree(d, dir));
  for (const dir of [...layout.kustomizeDirs].sort()) {
    const kfile = kustomizationIn(ctx, dir);
    if (!kfile) continue;
    if (!mayDepend(dir)) continue;
    const closure = await kustomizeClosure(ctx, dir, [], false);
    if (closure.files.some((f) => wanted.has(f))) out.push(kfile);
  }
  return out;
}

/** The default grouping: the files read on one side, in the groups {@link applicationScope} found. */
export async function applicationGroups(_side: 'base' | 'head', files: ManifestFile[], tree: TreeReader, policy: Policy): Promise<SyncGroup[]> {
  const layout = await repoLayout(tree, layoutSettings(policy));
  layout.adopt(files);
  const groups = new Map<string, SyncGroup>();
  for (const f of files) {
    // A file read by a custom scope that is not a manifest of the layout forms a group with its directory.
    const dir = dirName(f.path);
    const fallback = `directory:${dir}`;
    for (const k of layout.keysOf(f.path) ?? [fallback]) {
      let g = groups.get(k);
      const shell = layout.shell(k) ?? { name: dir || '(repository root)', grouping: 'directory' as const, dir };
      if (!g) groups.set(k, (g = { ...shell, files: [] }));
      g.files.push(f);
    }
  }
  return [...groups.values()];
}
