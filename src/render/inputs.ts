/**
 * What a render reads, decided before anything runs: the files of a source (its closure), checked for what
 * the gate refuses or cannot do offline. The closure is what is copied into the sandbox and what the cache
 * key hashes, so a render can only read what was checked.
 *
 * - Kustomize: the kustomization root and every directory reached through `resources`, `bases` and
 *   `components` (with kustomize's default `LoadRestrictionsRootOnly` nothing else is readable); with
 *   `--load-restrictor LoadRestrictionsNone`, the whole tree. Every path written in a kustomization must stay
 *   inside the repository (no absolute path, no `../` above the root); a resource that is not in the repository
 *   is remote (needs network); `generators`/`transformers`/`validators` may only name built-in plugin configs
 *   (no exec or container function, no Go plugin); `helmCharts` is not evaluated.
 * - Helm: the chart directory, its value files (`$ref/...` from a `ref` source of this repository) and file
 *   parameters; every dependency of Chart.yaml must be vendored in `charts/`.
 * - Directory: the YAML and JSON files under the path (recursively with `recurse`), filtered by `include`/`exclude`.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { minimatch } from 'minimatch';
import { parse, parseAllDocuments } from 'yaml';
import type { SymlinkInfo, TreeReader } from '../core/model.js';
import { isRecord } from '../core/values.js';
import { globMatch } from '../argocd/builtin-health.js';
import { decodeText } from '../manifests/yaml-doc.js';

import { KUSTOMIZATION_NAMES } from '../manifests/manifest-file.js';

/** What the gate knows of one side, read once per {@link TreeReader}. */
export interface SideContext {
  reader: TreeReader;
  files: Set<string>;
  /** Sorted file list. */
  sorted: string[];
  /** Every directory that holds a file, at any depth (`''` excluded). */
  dirs: Set<string>;
  symlinks: SymlinkInfo[];
  /** Bytes read so far. */
  bytes: Map<string, Uint8Array | undefined>;
}

const contexts = new WeakMap<TreeReader, Promise<SideContext>>();

/** The {@link SideContext} of a reader (listed once per reader). */
export function sideContext(reader: TreeReader): Promise<SideContext> {
  let c = contexts.get(reader);
  if (!c) {
    c = (async () => {
      const sorted = [...(await reader.listFiles())].sort();
      const symlinks = reader.symlinks ? await reader.symlinks() : [];
      const dirs = new Set<string>();
      for (const f of sorted) for (let i = f.lastIndexOf('/'); i > 0 && !dirs.has(f.slice(0, i)); i = f.lastIndexOf('/', i - 1)) dirs.add(f.slice(0, i));
      return { reader, files: new Set(sorted), sorted, dirs, symlinks, bytes: new Map() };
    })();
    contexts.set(reader, c);
  }
  return c;
}

/** Reads the given files through the side's reader, once each. */
export async function readAll(ctx: SideContext, paths: Iterable<string>): Promise<Map<string, Uint8Array>> {
  const want = [...new Set(paths)].filter((p) => !ctx.bytes.has(p));
  if (want.length) for (const [p, b] of await ctx.reader.readFiles(want)) ctx.bytes.set(p, b);
  const out = new Map<string, Uint8Array>();
  for (const p of paths) {
    const b = ctx.bytes.get(p);
    if (b) out.set(p, b);
  }
  return out;
}

/** Every file under `dir` (`''`: the whole tree). */
export function filesUnder(ctx: SideContext, dir: string): string[] {
  if (dir === '') return ctx.sorted;
  if (!ctx.dirs.has(dir)) return [];
  const prefix = `${dir}/`;
  // The paths under `dir` are one run of the sorted list: binary search for its start.
  let lo = 0;
  let hi = ctx.sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ctx.sorted[mid]! < prefix) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let i = lo; i < ctx.sorted.length && ctx.sorted[i]!.startsWith(prefix); i++) out.push(ctx.sorted[i]!);
  return out;
}

/** True when some file lies under `dir`. */
export function isDir(ctx: SideContext, dir: string): boolean {
  if (dir === '') return ctx.sorted.length > 0;
  return ctx.dirs.has(dir);
}

/** Why a closure cannot be rendered: `refused` (hostile or forbidden input), `network` (needs network), `unsupported`, `failed` (ArgoCD would fail). */
export interface InputProblem {
  kind: 'refused' | 'network' | 'unsupported' | 'failed';
  reason: string;
}

/** The files a render reads, or why it cannot run. */
export interface Closure {
  files: string[];
  problem?: InputProblem;
}

/**
 * Resolves `p` written in a file of directory `dir` to a repository path.
 * @returns the path, or an {@link InputProblem} when it is absolute or leaves the repository
 */
export function resolveInRepo(dir: string, p: string, what: string): string | InputProblem {
  if (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p)) return { kind: 'refused', reason: `${what} ${JSON.stringify(p)} is an absolute path: the gate reads nothing outside the repository` };
  const joined = posix.normalize(posix.join(dir || '.', p));
  if (joined === '..' || joined.startsWith('../')) return { kind: 'refused', reason: `${what} ${JSON.stringify(p)} leaves the repository root` };
  return joined === '.' ? '' : joined.replace(/\/$/, '');
}

/** True when a kustomize resource reference is a remote URL (kustomize's `IsRemoteFile`/repospec forms). */
export function isRemoteRef(p: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(p) || /^git@/.test(p) || /\?(ref|version|timeout|submodules)=/.test(p) || /^(github\.com|gitlab\.com|bitbucket\.org)[/:]/.test(p) || /\.git(\/\/|$)/.test(p);
}

const isProblem = (x: unknown): x is InputProblem => isRecord(x) && typeof x.kind === 'string' && typeof x.reason === 'string';

/** The kustomization file of `dir`, if any. */
export function kustomizationIn(ctx: SideContext, dir: string): string | undefined {
  for (const n of KUSTOMIZATION_NAMES) {
    const p = dir ? `${dir}/${n}` : n;
    if (ctx.files.has(p)) return p;
  }
  return undefined;
}

const FN_ANNOTATIONS = ['config.kubernetes.io/function', 'config.k8s.io/function'];

/** Checks one generator/transformer/validator config object: only built-in plugins, no functions. */
function checkPluginConfig(v: unknown, where: string): InputProblem | undefined {
  if (!isRecord(v)) return undefined;
  const meta = isRecord(v.metadata) ? v.metadata : {};
  const ann = isRecord(meta.annotations) ? meta.annotations : {};
  const fn = FN_ANNOTATIONS.find((a) => a in ann);
  if (fn) return { kind: 'refused', reason: `${where}: a KRM function config (${fn}); the gate never runs exec or container functions` };
  if (v.apiVersion !== 'builtin') {
    return { kind: 'refused', reason: `${where}: plugin config ${String(v.apiVersion)}/${String(v.kind)} is not a built-in plugin; the gate never enables kustomize plugins (--enable-alpha-plugins, --enable-exec)` };
  }
  return undefined;
}

/** Paths written in a kustomization's fields that name files or directories. */
function pathsOf(k: Record<string, unknown>): { field: string; path: string }[] {
  const out: { field: string; path: string }[] = [];
  const add = (field: string, v: unknown) => typeof v === 'string' && out.push({ field, path: v });
  const list = (v: unknown) => (Array.isArray(v) ? v : []);
  for (const f of ['patchesStrategicMerge', 'crds', 'configurations']) for (const v of list(k[f])) if (typeof v === 'string' && !v.includes('\n')) add(f, v);
  for (const f of ['patches', 'patchesJson6902', 'replacements']) for (const v of list(k[f])) if (isRecord(v)) add(`${f}.path`, v.path);
  if (isRecord(k.openapi)) add('openapi.path', k.openapi.path);
  for (const g of ['configMapGenerator', 'secretGenerator']) {
    for (const v of list(k[g])) {
      if (!isRecord(v)) continue;
      for (const f of list(v.files)) if (typeof f === 'string') add(`${g}.files`, f.includes('=') ? f.slice(f.indexOf('=') + 1) : f);
      for (const f of list(v.envs)) add(`${g}.envs`, f);
      add(`${g}.env`, v.env);
    }
  }
  return out;
}

/**
 * The closure of a kustomization rooted at `root` (plus `extraComponents`, relative to the root, from the
 * Application), checked as the module comment says.
 * @param loadNone - `--load-restrictor LoadRestrictionsNone` is in the build options
 */
export async function kustomizeClosure(ctx: SideContext, root: string, extraComponents: readonly string[], loadNone: boolean): Promise<Closure> {
  const dirs = new Set<string>();
  const queue: { dir: string; from: string }[] = [{ dir: root, from: 'the Application' }];
  for (const c of extraComponents) {
    const r = resolveInRepo(root, c, 'Application kustomize.components entry');
    if (isProblem(r)) return { files: [], problem: r };
    queue.push({ dir: r, from: 'the Application' });
  }
  const extraFiles: string[] = [];
  while (queue.length) {
    const { dir } = queue.shift()!;
    if (dirs.has(dir)) continue;
    dirs.add(dir);
    const kfile = kustomizationIn(ctx, dir);
    if (!kfile) continue; // kustomize reports a directory without a kustomization itself
    const bytes = (await readAll(ctx, [kfile])).get(kfile);
    const text = bytes ? decodeText(bytes) : undefined;
    let k: unknown;
    try {
      k = text === undefined ? undefined : parse(text, { maxAliasCount: 100 });
    } catch {
      continue; // kustomize reports the syntax error
    }
    if (!isRecord(k)) continue;
    if (k.helmCharts !== undefined || k.helmChartInflationGenerator !== undefined) {
      return { files: [], problem: { kind: 'unsupported', reason: `${kfile}: helmCharts (kustomize's Helm inflation) is not evaluated by the gate` } };
    }
    for (const field of ['resources', 'bases', 'components']) {
      for (const v of Array.isArray(k[field]) ? k[field] : []) {
        if (typeof v !== 'string') continue;
        if (isRemoteRef(v)) return { files: [], problem: { kind: 'network', reason: `${kfile}: ${field} entry ${JSON.stringify(v)} is remote; rendering it needs network, which the gate does not use` } };
        const r = resolveInRepo(dir, v, `${kfile}: ${field} entry`);
        if (isProblem(r)) return { files: [], problem: r };
        if (isDir(ctx, r)) queue.push({ dir: r, from: kfile });
        else if (ctx.files.has(r)) extraFiles.push(r);
        // A relative path (`./x`, `../x`, `x/y` with no host) that is not there fails the build, in ArgoCD too;
        // only a host-like first segment (`github.com/org/repo`) is what kustomize fetches as a repository.
        else if (looksLocal(v)) return { files: [], problem: { kind: 'failed', reason: `${kfile}: ${field} entry ${JSON.stringify(v)} does not exist in the repository at this commit; kustomize (and ArgoCD) fail to build it` } };
        else return { files: [], problem: { kind: 'network', reason: `${kfile}: ${field} entry ${JSON.stringify(v)} is not in the repository; kustomize would fetch it as a remote repository, which needs network` } };
      }
    }
    for (const { field, path } of pathsOf(k)) {
      const r = resolveInRepo(dir, path, `${kfile}: ${field}`);
      if (isProblem(r)) return { files: [], problem: r };
      if (ctx.files.has(r)) extraFiles.push(r);
    }
    for (const field of ['generators', 'transformers', 'validators']) {
      for (const [i, v] of (Array.isArray(k[field]) ? k[field] : []).entries()) {
        const where = `${kfile}: ${field}[${i}]`;
        if (isRecord(v)) {
          const p = checkPluginConfig(v, where);
          if (p) return { files: [], problem: p };
          continue;
        }
        if (typeof v !== 'string') continue;
        if (isRemoteRef(v)) return { files: [], problem: { kind: 'network', reason: `${where} ${JSON.stringify(v)} is remote; rendering it needs network` } };
        const r = resolveInRepo(dir, v, where);
        if (isProblem(r)) return { files: [], problem: r };
        if (!ctx.files.has(r)) return { files: [], problem: { kind: 'refused', reason: `${where} ${JSON.stringify(v)} is not a plugin config file in the repository (a directory of configs is not evaluated)` } };
        const b = (await readAll(ctx, [r])).get(r);
        const t = b ? decodeText(b) : undefined;
        for (const doc of t ? parseAllDocuments(t) : []) {
          if ('errors' in doc && doc.errors.length) continue;
          const p = checkPluginConfig(doc.toJS({ maxAliasCount: 100 }), `${where} (${r})`);
          if (p) return { files: [], problem: p };
        }
        extraFiles.push(r);
      }
    }
  }
  const files = loadNone ? ctx.sorted : [...new Set([...[...dirs].flatMap((d) => filesUnder(ctx, d)), ...extraFiles])].sort();
  return { files };
}

/** Dependencies named in a chart's Chart.yaml (v2) or requirements.yaml (v1). */
function chartDependencies(chartYaml: unknown, requirements: unknown): { name: string; repository: string }[] {
  const list = [...(isRecord(chartYaml) && Array.isArray(chartYaml.dependencies) ? chartYaml.dependencies : []), ...(isRecord(requirements) && Array.isArray(requirements.dependencies) ? requirements.dependencies : [])];
  return list.filter(isRecord).flatMap((d) => (typeof d.name === 'string' ? [{ name: d.name, repository: typeof d.repository === 'string' ? d.repository : '' }] : []));
}

/** Parses a YAML file of the side (first document), `undefined` when absent or broken. */
export async function readYaml(ctx: SideContext, path: string): Promise<unknown> {
  const b = (await readAll(ctx, [path])).get(path);
  const t = b ? decodeText(b) : undefined;
  if (t === undefined) return undefined;
  try {
    return parse(t, { maxAliasCount: 100 });
  } catch {
    return undefined;
  }
}

/** A chart's name (Chart.yaml `name`) and the problem of a dependency that is not vendored in `charts/`. */
export async function helmChartCheck(ctx: SideContext, chartDir: string): Promise<{ name?: string; problem?: InputProblem }> {
  const at = (p: string) => (chartDir ? `${chartDir}/${p}` : p);
  const chart = await readYaml(ctx, at('Chart.yaml'));
  const req = ctx.files.has(at('requirements.yaml')) ? await readYaml(ctx, at('requirements.yaml')) : undefined;
  const name = isRecord(chart) && typeof chart.name === 'string' ? chart.name : undefined;
  for (const d of chartDependencies(chart, req)) {
    const vendored = ctx.files.has(at(`charts/${d.name}/Chart.yaml`)) || ctx.sorted.some((f) => f.startsWith(at(`charts/${d.name}-`)) && f.endsWith('.tgz'));
    if (!vendored) {
      return {
        ...(name ? { name } : {}),
        problem: {
          kind: 'network',
          reason: `${at('Chart.yaml')}: dependency ${d.name}${d.repository ? ` (${d.repository})` : ''} is not vendored in charts/; fetching it (helm dependency build) needs network, which the gate does not use`,
        },
      };
    }
  }
  return name ? { name } : {};
}

/** True when `rel` passes a directory source's `include`/`exclude` globs (`{a,b}` braces; `*` crosses `/`, as ArgoCD's util/glob). */
export function directoryFilter(include: string | undefined, exclude: string | undefined): (rel: string) => boolean {
  const m = (g: string, v: string) => minimatch.braceExpand(g).some((p) => globMatch(p, v));
  return (rel) => (!include || m(include, rel)) && !(exclude && m(exclude, rel));
}

/** SHA-256 (hex) of the sorted `(path, content hash)` pairs of the given files. */
export function contentHash(files: readonly string[], bytes: ReadonlyMap<string, Uint8Array>): string {
  const h = createHash('sha256');
  for (const f of [...files].sort()) {
    const b = bytes.get(f);
    h.update(f).update('\0').update(b ? createHash('sha256').update(b).digest('hex') : '-').update('\n');
  }
  return h.digest('hex');
}

/** True for a kustomize entry that names a local path: it starts with `.` or `/`, or its first segment is no host name. */
function looksLocal(entry: string): boolean {
  if (entry.startsWith('.') || entry.startsWith('/')) return true;
  const first = entry.split('/')[0] ?? '';
  return !first.includes('.');
}
