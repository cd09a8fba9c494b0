/**
 * The repository as ArgoCD sees it, per side: the resources ArgoCD syncs together are found
 * from Application resources in the repository (`spec.source.path`, `spec.sources[].path`), else from the
 * nearest directory with a kustomization, else from the file's directory (the engine's scope, src/engine/scope.ts,
 * reads every file of each group a change touches, at base and head, and nothing else); and the custom health
 * checks configured anywhere in the tree (src/argocd/health-sources.ts).
 *
 * Cost: each side's file list is read once (cached by the TreeReader), and every manifest's text once per side
 * to find Applications and argocd-cm ConfigMaps by a textual test. argocd-cm candidates are parsed at once;
 * an Application is parsed only when a directory its text may name as `path` is asked about (see
 * {@link RepoLayout}), and in `--all` mode the engine's own parse of every manifest is reused.
 */
import { minimatch } from 'minimatch';
import type { TreeReader } from '../core/model.js';
import { baseName, dirName, isKustomization, KUSTOMIZATION_NAMES, manifestMatcher, readManifestFile, type ManifestSelector } from '../manifests/manifest-file.js';
import { applicationSourceSpecs } from './app-sources.js';
import type { YamlLimits } from '../manifests/yaml-doc.js';
import { decodeText } from '../manifests/yaml-doc.js';
import type { ManifestFile } from '../manifests/manifest-file.js';
import { HEALTH_CONFIG_TEXT } from './health-markers.js';
import { configuredHealthKeys, healthConfigOfFileCached } from './health-sources.js';
import type { ConfigProblem, HealthCheckDef } from './health-model.js';
import type { Resource } from '../manifests/resource.js';
import { applicationPathDirs } from './app-paths.js';
import { isRecord } from '../core/values.js';

/**
 * What the layout needs of the policy: which files are manifests (with the YAML limits to read them), and
 * which repository URLs name the repository under review (`sync.applications.repoURLs`).
 */
export interface LayoutSettings {
  manifests: ManifestSelector & { limits: YamlLimits };
  repoURLs: readonly string[];
}

/** A set of resources that ArgoCD syncs together, and the files they come from. */
export interface SyncGroup {
  /** Display name: the Application's name, or the directory. */
  name: string;
  /** How the grouping was found: an Application's `spec.source.path`, a kustomization directory, or the file's directory. */
  grouping: 'application' | 'kustomization' | 'directory';
  /** The directory the group covers (repository-relative). */
  dir: string;
  /**
   * The Application resource that defines the group, when there is one: its file and name, its
   * `spec.destination.namespace`, and its `spec.syncPolicy.syncOptions` (which apply to every resource).
   */
  application?: { file: string; name: string; destinationNamespace?: string; syncOptions?: string[] };
  files: ManifestFile[];
}

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

/** The sync group a key names: an Application (file and name), a kustomization directory, or a plain directory. */
export type GroupRef = { grouping: 'application'; file: string; name: string } | { grouping: 'kustomization' | 'directory'; dir: string };

/**
 * What one side of the repository looks like to the grouping. Applications are parsed on demand: the layout
 * indexes each Application manifest by the directories its text names as `path` ({@link applicationPathDirs}),
 * and parses one only when a directory it may point at is asked about (texts it cannot read safely are parsed
 * at once). So a change that touches one Application parses a handful of files, and `--all` every one.
 */
export interface RepoLayout {
  /** Every path of the side, as listed (for areas that need files other than manifests, such as health.lua). */
  files: string[];
  /** Manifest paths, sorted. */
  manifests: string[];
  kustomizeDirs: Set<string>;
  /**
   * Keys with a working custom health check (argocd-cm, chart values, ArgoCD CR, kustomize patches), read by the
   * health area's parser (`configuredHealthKeys` in src/argocd/health-sources.ts): `group/Kind`, `Kind` for the core group,
   * or a glob of the legacy block. Match with `hasCustomHealth` (src/argocd/builtin-health.ts).
   */
  customHealth: Set<string>;
  /** Texts of the manifests (kustomizations included) that may hold health-check configuration, for the health area. */
  healthTexts: Map<string, string>;
  /** Bytes of the manifests read (kustomizations aside): every one, or those holding a {@link LAYOUT_MARKERS} string. */
  contents: ReadonlyMap<string, Uint8Array | undefined>;
  /** Group keys of a manifest path; `undefined` for a path that is not a manifest of this side. */
  keysOf(path: string): string[] | undefined;
  /** The Application sources a file defines on this side (none when it is not an Application manifest). */
  appsOfFile(file: string): AppSource[];
  /** Members of a group (the manifests whose keys include it), sorted. */
  members(key: string, ref: GroupRef): string[];
  /** What a key names, for keys this layout made. */
  refOf(key: string): GroupRef | undefined;
  /** The SyncGroup shell (without files) of a key this layout made. */
  shell(key: string): Omit<SyncGroup, 'files'> | undefined;
  /** Manifests that may hold Applications (by a textual test). */
  applicationFiles: ReadonlySet<string>;
  /** Hands over files already parsed from this side (`--all` reads every manifest), so Applications are not parsed twice. */
  adopt(files: readonly ManifestFile[]): void;
}

/** A text that may hold an Application (a `kind: Application` line). */
export const APPLICATION_TEXT = /^\s*kind:\s*["']?Application["']?\s*(#.*)?$/m;
const ARGOCD_CM_TEXT = /argocd-cm/;
/**
 * Fixed strings of which every text the layout looks at holds one: `Application` ({@link APPLICATION_TEXT}),
 * `argocd-cm`, and the literals of {@link HEALTH_CONFIG_TEXT} (`kind: ArgoCD` holds `ArgoCD`); `AppProject` and
 * `argocd-notifications-cm` for the applications area (src/applications/gather.ts).
 */
export const LAYOUT_MARKERS = ['Application', 'argocd-cm', 'resource.customizations', 'resourceHealthChecks', 'resourceCustomizations', 'ArgoCD', 'AppProject', 'argocd-notifications-cm'];

/** A reader that can find files by content without reading them out (the git reader: `git grep`). */
interface ContentSearch {
  filesContaining(needles: readonly string[]): Promise<Set<string>>;
}


/**
 * The sources of an Application that name a directory of this repository, read by the one source reader
 * ({@link applicationSourceSpecs}: `spec.sources` replaces `spec.source` when given, as in ArgoCD). A source
 * is taken recursively when `directory.recurse` is set or a tool renders it (kustomize or Helm options, a
 * kustomization, a `Chart.yaml`): the tool then reads below the directory.
 */
function appSources(file: string, obj: Record<string, unknown>, repoURLs: readonly string[], hasFile: (p: string) => boolean): AppSource[] {
  const meta = isRecord(obj.metadata) ? obj.metadata : {};
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const name = typeof meta.name === 'string' ? meta.name : baseName(file);
  const dest = isRecord(spec.destination) && typeof spec.destination.namespace === 'string' ? spec.destination.namespace : undefined;
  const opts = isRecord(spec.syncPolicy) && Array.isArray(spec.syncPolicy.syncOptions) ? spec.syncPolicy.syncOptions.filter((o): o is string => typeof o === 'string') : undefined;
  const out: AppSource[] = [];
  const at = (dir: string, f: string) => (dir ? `${dir}/${f}` : f);
  for (const s of applicationSourceSpecs(spec)) {
    if (s.path === undefined) continue;
    if (repoURLs.length && !repoURLs.some((g) => minimatch(s.repoURL, g))) continue;
    const dir = s.path;
    const tooled = s.kustomize !== undefined || s.helm !== undefined || KUSTOMIZATION_NAMES.some((k) => hasFile(at(dir, k))) || hasFile(at(dir, 'Chart.yaml'));
    out.push({ file, name, dir, recursive: s.directory?.recurse === true || tooled, ...(dest ? { destinationNamespace: dest } : {}), ...(opts ? { syncOptions: opts } : {}) });
  }
  return out;
}

/** What the layout reads from a manifest's text, without parsing it. */
interface TextFacts {
  /** The text, when it may hold health-check configuration ({@link HEALTH_CONFIG_TEXT}). */
  healthText?: string;
  /** May hold an Application. */
  app: boolean;
  /** May hold the argocd-cm ConfigMap (parsed at once). */
  cm: boolean;
  /** For an Application that is no argocd-cm candidate: the directories it may name ({@link applicationPathDirs}). */
  dirs?: Set<string>;
}

/**
 * Facts by file content. Readers that return the same bytes for the same content (the git reader caches
 * blobs by id) let the base side reuse the head side's reading of every unchanged file.
 */
const textFacts = new WeakMap<Uint8Array, TextFacts | null>();

function textFactsOf(bytes: Uint8Array): TextFacts | null {
  let facts = textFacts.get(bytes);
  if (facts !== undefined) return facts;
  const text = decodeText(bytes);
  if (text === undefined) {
    facts = null;
  } else {
    const app = APPLICATION_TEXT.test(text);
    const cm = ARGOCD_CM_TEXT.test(text);
    const dirs = app && !cm ? applicationPathDirs(text) : undefined;
    facts = { app, cm, ...(HEALTH_CONFIG_TEXT.test(text) ? { healthText: text } : {}), ...(dirs ? { dirs } : {}) };
  }
  textFacts.set(bytes, facts);
  return facts;
}

/** The key of an Application's sync group: its file and name. */
export const appKey = (a: Pick<AppSource, 'file' | 'name'>) => `application:${a.file}#${a.name}`;

/**
 * True for a `health_test.yaml`, and for a file under `testdata/` next to a `health_test.yaml` or `health.lua`: in ArgoCD's layout
 * (`resource_customizations/<group>/<Kind>/testdata/`) these are health-test inputs, objects as the cluster
 * reports them, not resources anyone applies, so they are not manifests of the repository.
 */
export function isHealthTestInput(path: string, hasFile: (p: string) => boolean): boolean {
  const parts = path.split('/');
  // The suite itself (tests: [...]) is no resource either.
  if (parts[parts.length - 1] === 'health_test.yaml') return true;
  for (let i = parts.length - 2; i >= 0; i--) {
    if (parts[i] !== 'testdata') continue;
    const dir = parts.slice(0, i).join('/');
    const at = (f: string) => (dir ? `${dir}/${f}` : f);
    if (hasFile(at('health_test.yaml')) || hasFile(at('health.lua'))) return true;
  }
  return false;
}

/** True when `path` lies in `dir` or below it. */
function under(path: string, dir: string): boolean {
  return dir === '' || path.startsWith(`${dir}/`);
}

/** Manifest matchers by policy, remembering each path's answer: both sides list mostly the same paths. */
const matchers = new WeakMap<ManifestSelector, (path: string) => boolean>();

function memoMatcher(selector: ManifestSelector): (path: string) => boolean {
  let m = matchers.get(selector);
  if (!m) {
    const match = manifestMatcher(selector);
    const known = new Map<string, boolean>();
    m = (p) => {
      let v = known.get(p);
      if (v === undefined) known.set(p, (v = match(p)));
      return v;
    };
    matchers.set(selector, m);
  }
  return m;
}

/** Builds the layout of one side; see {@link repoLayout}. */
async function buildLayout(tree: TreeReader, settings: LayoutSettings): Promise<RepoLayout> {
  const isManifest = memoMatcher(settings.manifests);
  // Readers that can search (git) read only the files holding a marker; the others read every manifest.
  const search = (tree as Partial<ContentSearch>).filesContaining;
  const [all, marked] = await Promise.all([tree.listFiles(), typeof search === 'function' ? search.call(tree, LAYOUT_MARKERS) : undefined]);
  const allSet = new Set(all);
  const hasFile = (p: string) => allSet.has(p);
  const manifests = all.filter((p) => isManifest(p) && !isHealthTestInput(p, hasFile)).sort();
  const manifestSet = new Set(manifests);
  const kustomizeDirs = new Set(manifests.filter(isKustomization).map(dirName));
  // Kustomizations are read when they may hold health-check configuration (inline patches): always when
  // the reader cannot search.
  const contents = await tree.readFiles(manifests.filter((m) => !marked || marked.has(m)));
  const healthTexts = new Map<string, string>();
  const repoURLs = settings.repoURLs;

  /** Application sources of each parsed candidate file. */
  const parsedApps = new Map<string, AppSource[]>();
  /** Candidate files not parsed yet: their bytes, by path. */
  const pending = new Map<string, Uint8Array>();
  /** Candidate files by a directory their text may name. */
  const byDir = new Map<string, string[]>();
  /** Sources of parsed files by directory. */
  const appsByDir = new Map<string, AppSource[]>();
  const adopted = new Map<string, ManifestFile>();
  const applicationFiles = new Set<string>();

  const record = (path: string, resources: readonly Resource[]) => {
    const found: AppSource[] = [];
    for (const r of resources) {
      if (r.kind === 'Application' && r.group === 'argoproj.io') found.push(...appSources(path, r.object, repoURLs, hasFile));
    }
    parsedApps.set(path, found);
    for (const a of found) {
      const list = appsByDir.get(a.dir);
      if (list) list.push(a);
      else appsByDir.set(a.dir, [a]);
    }
    return found;
  };
  const parseCandidate = (path: string) => {
    const bytes = pending.get(path);
    if (bytes === undefined) return;
    pending.delete(path);
    record(path, (adopted.get(path) ?? readManifestFile(path, bytes, settings.manifests.limits, hasFile)).resources);
  };

  for (const [path, bytes] of contents) {
    if (!bytes) continue;
    const facts = textFactsOf(bytes);
    if (!facts) continue;
    if (facts.healthText !== undefined) healthTexts.set(path, facts.healthText);
    if (isKustomization(path) || (!facts.app && !facts.cm)) continue;
    if (facts.app) applicationFiles.add(path);
    if (facts.dirs) {
      // Parsed only when one of these directories is asked about.
      pending.set(path, bytes);
      for (const d of facts.dirs) {
        const list = byDir.get(d);
        if (list) list.push(path);
        else byDir.set(d, [path]);
      }
      continue;
    }
    record(path, readManifestFile(path, bytes, settings.manifests.limits, hasFile).resources);
  }
  // Custom health checks, through the health area's own parser (one key format, every source ArgoCD reads).
  const healthChecks: HealthCheckDef[] = [];
  const healthProblems: ConfigProblem[] = [];
  for (const [path, text] of healthTexts) {
    const c = healthConfigOfFileCached(path, text, settings.manifests.limits);
    healthChecks.push(...c.checks);
    healthProblems.push(...c.problems);
  }
  const customHealth = configuredHealthKeys(healthChecks, healthProblems);

  /** Sources whose directory is exactly `dir` (parsing the candidates that may name it), in file order. */
  const appsAt = (dir: string): AppSource[] => {
    const waiting = byDir.get(dir);
    if (waiting) {
      byDir.delete(dir);
      for (const p of waiting) parseCandidate(p);
    }
    return appsByDir.get(dir) ?? [];
  };

  const refs = new Map<string, GroupRef>();
  const shells = new Map<string, Omit<SyncGroup, 'files'>>();
  const keyCache = new Map<string, string[]>();
  const keysOf = (m: string): string[] | undefined => {
    if (!manifestSet.has(m)) return undefined;
    const known = keyCache.get(m);
    if (known) return known;
    const d = dirName(m);
    // The deepest Application directory covering the file: its own directory, or an ancestor of a recursive one.
    let covering: AppSource[];
    for (let cur = d; ; cur = dirName(cur)) {
      covering = appsAt(cur).filter((a) => cur === d || a.recursive);
      if (covering.length || cur === '') break;
    }
    // Sources of one file are listed in file order, so keys come out as the full layout gave them.
    covering.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    let keys: string[];
    if (covering.length) {
      keys = [
        ...new Set(
          covering.map((a) => {
            const key = appKey(a);
            if (!shells.has(key)) {
              const application = {
                file: a.file,
                name: a.name,
                ...(a.destinationNamespace ? { destinationNamespace: a.destinationNamespace } : {}),
                ...(a.syncOptions ? { syncOptions: a.syncOptions } : {}),
              };
              shells.set(key, { name: a.name, grouping: 'application', dir: a.dir, application });
              refs.set(key, { grouping: 'application', file: a.file, name: a.name });
            }
            return key;
          }),
        ),
      ];
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
        const grouping = k !== undefined ? 'kustomization' : 'directory';
        shells.set(key, { name: dir || '(repository root)', grouping, dir });
        refs.set(key, { grouping, dir });
      }
      keys = [key];
    }
    keyCache.set(m, keys);
    return keys;
  };

  const appsOfFile = (file: string): AppSource[] => {
    parseCandidate(file);
    return parsedApps.get(file) ?? [];
  };

  const members = (key: string, ref: GroupRef): string[] => {
    // Only manifests in the group's region can carry its key: the Application's directories (with their
    // trees when recursive), the kustomization's tree, or the directory itself.
    let inRegion: (m: string) => boolean;
    if (ref.grouping === 'application') {
      const sources = appsOfFile(ref.file).filter((a) => a.name === ref.name);
      inRegion = (m) => sources.some((a) => (a.recursive ? under(m, a.dir) : dirName(m) === a.dir));
    } else if (ref.grouping === 'kustomization') {
      inRegion = (m) => under(m, ref.dir);
    } else {
      inRegion = (m) => dirName(m) === ref.dir;
    }
    return manifests.filter((m) => inRegion(m) && keysOf(m)!.includes(key));
  };

  return {
    files: all,
    manifests,
    kustomizeDirs,
    customHealth,
    healthTexts,
    contents,
    keysOf,
    appsOfFile,
    members,
    applicationFiles,
    refOf: (key) => refs.get(key),
    shell: (key) => shells.get(key),
    adopt: (files) => {
      for (const f of files) if (pending.has(f.path)) adopted.set(f.path, f);
    },
  };
}

const layouts = new WeakMap<TreeReader, Map<string, Promise<RepoLayout>>>();

/**
 * The layout of one side of the repository, cached per tree and settings.
 * @throws {SourceError} when the tree cannot be listed or read
 */
export function repoLayout(tree: TreeReader, settings: LayoutSettings): Promise<RepoLayout> {
  const key = JSON.stringify([settings.manifests, settings.repoURLs]);
  let byPolicy = layouts.get(tree);
  if (!byPolicy) layouts.set(tree, (byPolicy = new Map()));
  let p = byPolicy.get(key);
  if (!p) byPolicy.set(key, (p = buildLayout(tree, settings)));
  return p;
}
