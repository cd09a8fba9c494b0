/**
 * Application-based scope and grouping, the engine's default: the resources ArgoCD syncs together are found
 * from Application resources in the repository (`spec.source.path`, `spec.sources[].path`), else from the
 * nearest directory with a kustomization, else from the file's directory. A change reads every file of each
 * group it touches, at base and head, and nothing else.
 *
 * Cost: each side's file list is read once (cached by the TreeReader), and every manifest's text once per side
 * to find Applications and argocd-cm ConfigMaps by a textual test; only files that pass it are parsed.
 */
import { minimatch } from 'minimatch';
import type { Change, TreeReader } from '../core/model.js';
import { baseName, dirName, isKustomization, manifestMatcher, readManifestFile } from '../manifests/manifest-file.js';
import { decodeText, parseYamlText } from '../manifests/yaml-doc.js';
import type { Policy } from '../policy/types.js';
import type { SyncGroup } from '../rules/check.js';
import type { ManifestFile } from '../manifests/manifest-file.js';
import type { Scope } from './scope.js';
import { HEALTH_CONFIG_TEXT } from '../health/markers.js';

/** An Application source that points into this repository. */
export interface AppSource {
  file: string;
  name: string;
  /** Repository-relative directory (`''` for the root). */
  dir: string;
  /** True when the whole tree under `dir` belongs to the Application (directory.recurse, kustomize, Helm). */
  recursive: boolean;
  destinationNamespace?: string;
  syncOptions?: string[];
}

/** What one side of the repository looks like to the grouping. */
export interface RepoLayout {
  /** Every path of the side, as listed (for areas that need files other than manifests, such as health.lua). */
  files: string[];
  /** Manifest paths, sorted. */
  manifests: string[];
  apps: AppSource[];
  kustomizeDirs: Set<string>;
  /** `group/Kind` keys with a custom health check in an argocd-cm ConfigMap. */
  customHealth: Set<string>;
  /** Texts of the manifests (kustomizations aside) that may hold health-check configuration, for the health area. */
  healthTexts: Map<string, string>;
  /** Group keys of each manifest path. */
  keysOf: Map<string, string[]>;
  /** Members of each group key. */
  members: Map<string, string[]>;
  /** The SyncGroup shell (without files) of each key. */
  shells: Map<string, Omit<SyncGroup, 'files'>>;
}

const APPLICATION_TEXT = /^\s*kind:\s*["']?Application["']?\s*(#.*)?$/m;
const ARGOCD_CM_TEXT = /argocd-cm/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function normalizeDir(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else out.push(p);
  }
  return out.join('/');
}

/** Reads `group/Kind` keys of custom health checks from an argocd-cm ConfigMap's data. */
function healthKeys(data: Record<string, unknown>, out: Set<string>): void {
  const prefix = 'resource.customizations.health.';
  for (const [k, v] of Object.entries(data)) {
    if (k.startsWith(prefix)) {
      const gk = k.slice(prefix.length);
      const i = gk.lastIndexOf('_');
      out.add(i < 0 ? `/${gk}` : `${gk.slice(0, i)}/${gk.slice(i + 1)}`);
    } else if (k === 'resource.customizations' && typeof v === 'string') {
      const legacy = parseYamlText(v).docs[0]?.value;
      if (!isRecord(legacy)) continue;
      for (const [gk, body] of Object.entries(legacy)) {
        if (isRecord(body) && 'health.lua' in body) out.add(gk.includes('/') ? gk : `/${gk}`);
      }
    }
  }
}

function appSources(file: string, obj: Record<string, unknown>, repoURLs: string[], hasFile: (p: string) => boolean): AppSource[] {
  const meta = isRecord(obj.metadata) ? obj.metadata : {};
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const name = typeof meta.name === 'string' ? meta.name : baseName(file);
  const dest = isRecord(spec.destination) && typeof spec.destination.namespace === 'string' ? spec.destination.namespace : undefined;
  const opts = isRecord(spec.syncPolicy) && Array.isArray(spec.syncPolicy.syncOptions) ? spec.syncPolicy.syncOptions.filter((o): o is string => typeof o === 'string') : undefined;
  const sources = [spec.source, ...(Array.isArray(spec.sources) ? spec.sources : [])].filter(isRecord);
  const out: AppSource[] = [];
  for (const s of sources) {
    if (typeof s.path !== 'string' || typeof s.chart === 'string') continue;
    const url = typeof s.repoURL === 'string' ? s.repoURL : '';
    if (repoURLs.length && !repoURLs.some((g) => minimatch(url, g))) continue;
    const dir = normalizeDir(s.path);
    const recurse = isRecord(s.directory) && s.directory.recurse === true;
    const tooled = isRecord(s.kustomize) || isRecord(s.helm) || hasFile(dir ? `${dir}/kustomization.yaml` : 'kustomization.yaml') || hasFile(dir ? `${dir}/Chart.yaml` : 'Chart.yaml');
    out.push({ file, name, dir, recursive: recurse || tooled, ...(dest ? { destinationNamespace: dest } : {}), ...(opts ? { syncOptions: opts } : {}) });
  }
  return out;
}

/** Builds the layout of one side; see {@link repoLayout}. */
async function buildLayout(tree: TreeReader, policy: Policy): Promise<RepoLayout> {
  const isManifest = manifestMatcher(policy.manifests);
  const all = await tree.listFiles();
  const allSet = new Set(all);
  const manifests = all.filter(isManifest).sort();
  const kustomizeDirs = new Set(manifests.filter(isKustomization).map(dirName));
  const contents = await tree.readFiles(manifests.filter((m) => !isKustomization(m)));
  const apps: AppSource[] = [];
  const customHealth = new Set<string>();
  const healthTexts = new Map<string, string>();
  const repoURLs = policy.sync.applications.repoURLs;
  for (const [path, bytes] of contents) {
    if (!bytes) continue;
    const text = decodeText(bytes);
    if (text === undefined) continue;
    if (HEALTH_CONFIG_TEXT.test(text)) healthTexts.set(path, text);
    const maybeApp = APPLICATION_TEXT.test(text);
    const maybeCm = ARGOCD_CM_TEXT.test(text);
    if (!maybeApp && !maybeCm) continue;
    const parsed = readManifestFile(path, bytes, policy.manifests.limits, (p) => allSet.has(p));
    for (const r of parsed.resources) {
      if (r.kind === 'Application' && r.group === 'argoproj.io') apps.push(...appSources(path, r.object, repoURLs, (p) => allSet.has(p)));
      if (r.kind === 'ConfigMap' && r.group === '' && r.name === 'argocd-cm' && isRecord(r.object.data)) healthKeys(r.object.data, customHealth);
    }
  }

  const keysOf = new Map<string, string[]>();
  const members = new Map<string, string[]>();
  const shells = new Map<string, Omit<SyncGroup, 'files'>>();
  const appsByDir = new Map<string, AppSource[]>();
  for (const a of apps) appsByDir.set(a.dir, [...(appsByDir.get(a.dir) ?? []), a]);
  for (const m of manifests) {
    const d = dirName(m);
    // The deepest Application directory covering the file: its own directory, or an ancestor of a recursive one.
    let covering: AppSource[];
    for (let cur = d; ; cur = dirName(cur)) {
      covering = (appsByDir.get(cur) ?? []).filter((a) => cur === d || a.recursive);
      if (covering.length || cur === '') break;
    }
    let keys: string[];
    if (covering.length) {
      keys = covering.map((a) => {
        const key = `application:${a.file}#${a.name}`;
        if (!shells.has(key)) {
          const application = {
            file: a.file,
            name: a.name,
            ...(a.destinationNamespace ? { destinationNamespace: a.destinationNamespace } : {}),
            ...(a.syncOptions ? { syncOptions: a.syncOptions } : {}),
          };
          shells.set(key, { name: a.name, grouping: 'application', dir: a.dir, application });
        }
        return key;
      });
    } else {
      let k: string | undefined;
      for (let cur = d; ; cur = dirName(cur)) {
        if (kustomizeDirs.has(cur)) {
          k = cur;
          break;
        }
        if (cur === '') break;
      }
      const key = k !== undefined ? `kustomization:${k}` : `directory:${d}`;
      if (!shells.has(key)) {
        const dir = k ?? d;
        shells.set(key, { name: dir || '(repository root)', grouping: k !== undefined ? 'kustomization' : 'directory', dir });
      }
      keys = [key];
    }
    keysOf.set(m, keys);
    for (const k of keys) {
      const list = members.get(k);
      if (list) list.push(m);
      else members.set(k, [m]);
    }
  }
  return { files: all, manifests, apps, kustomizeDirs, customHealth, healthTexts, keysOf, members, shells };
}

const layouts = new WeakMap<TreeReader, Map<string, Promise<RepoLayout>>>();

/**
 * The layout of one side of the repository, cached per tree and policy.
 * @throws {SourceError} when the tree cannot be listed or read
 */
export function repoLayout(tree: TreeReader, policy: Policy): Promise<RepoLayout> {
  const key = JSON.stringify([policy.manifests, policy.sync.applications]);
  let byPolicy = layouts.get(tree);
  if (!byPolicy) layouts.set(tree, (byPolicy = new Map()));
  let p = byPolicy.get(key);
  if (!p) byPolicy.set(key, (p = buildLayout(tree, policy)));
  return p;
}

/**
 * The default scope: every manifest of every sync group a changed manifest belongs to, on either side, and of
 * the groups that changed Application manifests define.
 * In `--all` mode, every manifest at head.
 */
export async function applicationScope(change: Change, isManifest: (p: string) => boolean, policy: Policy): Promise<Scope> {
  const head = await repoLayout(change.head, policy);
  if (change.mode === 'all' || !change.base) return { head: head.manifests, base: [] };
  const base = await repoLayout(change.base, policy);
  const keys = new Set<string>();
  for (const f of change.files) {
    for (const p of [f.path, f.previousPath].filter((x): x is string => x !== undefined && isManifest(x))) {
      for (const l of [head, base]) {
        for (const k of l.keysOf.get(p) ?? []) keys.add(k);
        // A changed Application also affects the group it defines (its path, namespace or options may have changed).
        for (const a of l.apps) if (a.file === p) keys.add(`application:${a.file}#${a.name}`);
      }
    }
  }
  const collect = (l: RepoLayout) => [...new Set([...keys].flatMap((k) => l.members.get(k) ?? []))].sort();
  return { head: collect(head), base: collect(base) };
}

/** The default grouping: the files read on one side, in the groups {@link applicationScope} found. */
export async function applicationGroups(_side: 'base' | 'head', files: ManifestFile[], tree: TreeReader, policy: Policy): Promise<SyncGroup[]> {
  const layout = await repoLayout(tree, policy);
  const groups = new Map<string, SyncGroup>();
  for (const f of files) {
    // A file read by a custom scope that is not a manifest of the layout forms a group with its directory.
    const dir = dirName(f.path);
    const fallback = `directory:${dir}`;
    for (const k of layout.keysOf.get(f.path) ?? [fallback]) {
      let g = groups.get(k);
      const shell = layout.shells.get(k) ?? { name: dir || '(repository root)', grouping: 'directory' as const, dir };
      if (!g) groups.set(k, (g = { ...shell, files: [] }));
      g.files.push(f);
    }
  }
  return [...groups.values()];
}
