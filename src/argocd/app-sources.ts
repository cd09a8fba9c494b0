/**
 * Application sources as ArgoCD's repo-server reads them: `spec.source` and `spec.sources[]`, with the
 * Helm, Kustomize, directory and plugin options written on each. Field names and defaults are those of
 * pkg/apis/application/v1alpha1/types.go (argoproj/argo-cd): `ApplicationSource`, `ApplicationSourceHelm`,
 * `ApplicationSourceKustomize`, `ApplicationSourceDirectory`.
 *
 * This module only reads; deciding what to render and rendering are src/render/'s job.
 */
import { isRecord } from '../core/values.js';
import { normalizeDir } from '../manifests/manifest-file.js';

/** `spec.source.helm.parameters[]`: one `--set` (or `--set-string` with `forceString`). */
export interface HelmParameter {
  name: string;
  value: string;
  forceString: boolean;
}

/** `spec.source.helm.fileParameters[]`: one `--set-file name=path`. */
export interface HelmFileParameter {
  name: string;
  path: string;
}

/** `spec.source.helm` (`ApplicationSourceHelm`). */
export interface HelmSourceOptions {
  /** `valueFiles`: paths relative to the chart directory, absolute (from the repository root), or `$ref/...`. */
  valueFiles: string[];
  /** `values` (a YAML string) or `valuesObject` (which wins when both are written, as in ArgoCD). */
  values?: string | Record<string, unknown>;
  parameters: HelmParameter[];
  fileParameters: HelmFileParameter[];
  /** `releaseName`; ArgoCD defaults it to the Application's name. */
  releaseName?: string;
  /** `namespace`; ArgoCD defaults it to `spec.destination.namespace`. */
  namespace?: string;
  skipCrds: boolean;
  skipSchemaValidation: boolean;
  skipTests: boolean;
  ignoreMissingValueFiles: boolean;
  passCredentials: boolean;
  kubeVersion?: string;
  apiVersions: string[];
}

/** `spec.source.kustomize` (`ApplicationSourceKustomize`). */
export interface KustomizeSourceOptions {
  namePrefix?: string;
  nameSuffix?: string;
  /** `images`: `name=newName:tag` style overrides, as `kustomize edit set image` takes them. */
  images: string[];
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  forceCommonLabels: boolean;
  forceCommonAnnotations: boolean;
  labelWithoutSelector: boolean;
  commonAnnotationsEnvsubst: boolean;
  namespace?: string;
  /** `patches`: kustomize patch entries, appended to the kustomization's own. */
  patches: Record<string, unknown>[];
  /** `components`: component directories, relative to the source path. */
  components: string[];
  /** `replicas`: `{name, count}`. */
  replicas: { name: string; count: number | string }[];
  /** `version`: a named kustomize version configured in argocd-cm (`kustomize.version.<v>`). */
  version?: string;
}

/** `spec.source.directory` (`ApplicationSourceDirectory`). */
export interface DirectorySourceOptions {
  recurse: boolean;
  include?: string;
  exclude?: string;
  /** True when `jsonnet` options are written (the gate does not evaluate Jsonnet). */
  jsonnet: boolean;
}

/** One `spec.source` or `spec.sources[]` entry. */
export interface ApplicationSourceSpec {
  /** 0-based index in `spec.sources`; 0 for `spec.source`. */
  index: number;
  /** True when read from `spec.sources` (a multi-source Application). */
  multi: boolean;
  repoURL: string;
  /** `path`, normalized (repository-relative, `''` for the root); absent for a chart or ref-only source. */
  path?: string;
  /** `path` as written. */
  rawPath?: string;
  /** `chart`: a chart from a Helm repository (not rendered from this repository). */
  chart?: string;
  targetRevision: string;
  /** `ref`: the name other sources use as `$ref/...` in Helm `valueFiles`. */
  ref?: string;
  /** `name` (ArgoCD 2.14+). */
  name?: string;
  helm?: HelmSourceOptions;
  kustomize?: KustomizeSourceOptions;
  directory?: DirectorySourceOptions;
  /** True when `plugin` is written (a Config Management Plugin renders it). */
  plugin: boolean;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out[k] = String(x);
  return out;
}

function helmOf(h: Record<string, unknown>): HelmSourceOptions {
  const values = isRecord(h.valuesObject) ? h.valuesObject : typeof h.values === 'string' ? h.values : isRecord(h.values) ? h.values : undefined;
  const releaseName = str(h.releaseName);
  const namespace = str(h.namespace);
  const kubeVersion = str(h.kubeVersion);
  return {
    valueFiles: strings(h.valueFiles),
    ...(values !== undefined && values !== '' ? { values } : {}),
    parameters: (Array.isArray(h.parameters) ? h.parameters : []).filter(isRecord).flatMap((p) =>
      typeof p.name === 'string' ? [{ name: p.name, value: p.value === undefined || p.value === null ? '' : String(p.value), forceString: p.forceString === true }] : [],
    ),
    fileParameters: (Array.isArray(h.fileParameters) ? h.fileParameters : []).filter(isRecord).flatMap((p) =>
      typeof p.name === 'string' && typeof p.path === 'string' ? [{ name: p.name, path: p.path }] : [],
    ),
    ...(releaseName ? { releaseName } : {}),
    ...(namespace ? { namespace } : {}),
    skipCrds: h.skipCrds === true,
    skipSchemaValidation: h.skipSchemaValidation === true,
    skipTests: h.skipTests === true,
    ignoreMissingValueFiles: h.ignoreMissingValueFiles === true,
    passCredentials: h.passCredentials === true,
    ...(kubeVersion ? { kubeVersion } : {}),
    apiVersions: strings(h.apiVersions),
  };
}

function kustomizeOf(k: Record<string, unknown>): KustomizeSourceOptions {
  const namePrefix = str(k.namePrefix);
  const nameSuffix = str(k.nameSuffix);
  const namespace = str(k.namespace);
  const version = str(k.version);
  return {
    ...(namePrefix ? { namePrefix } : {}),
    ...(nameSuffix ? { nameSuffix } : {}),
    images: strings(k.images),
    commonLabels: stringMap(k.commonLabels),
    commonAnnotations: stringMap(k.commonAnnotations),
    forceCommonLabels: k.forceCommonLabels === true,
    forceCommonAnnotations: k.forceCommonAnnotations === true,
    labelWithoutSelector: k.labelWithoutSelector === true,
    commonAnnotationsEnvsubst: k.commonAnnotationsEnvsubst === true,
    ...(namespace ? { namespace } : {}),
    patches: (Array.isArray(k.patches) ? k.patches : []).filter(isRecord),
    components: strings(k.components),
    replicas: (Array.isArray(k.replicas) ? k.replicas : []).filter(isRecord).flatMap((r) =>
      typeof r.name === 'string' && (typeof r.count === 'number' || typeof r.count === 'string') ? [{ name: r.name, count: r.count }] : [],
    ),
    ...(version ? { version } : {}),
  };
}

/** Reads one source entry; `undefined` when it is not a map. */
export function sourceSpecOf(src: unknown, index: number, multi: boolean): ApplicationSourceSpec | undefined {
  if (!isRecord(src)) return undefined;
  const rawPath = str(src.path);
  const chart = str(src.chart);
  const ref = str(src.ref);
  const name = str(src.name);
  const d = isRecord(src.directory) ? src.directory : undefined;
  const include = d ? str(d.include) : undefined;
  const exclude = d ? str(d.exclude) : undefined;
  return {
    index,
    multi,
    repoURL: str(src.repoURL) ?? '',
    ...(rawPath !== undefined && chart === undefined ? { path: normalizeDir(rawPath), rawPath } : {}),
    ...(chart !== undefined ? { chart } : {}),
    targetRevision: str(src.targetRevision) ?? '',
    ...(ref ? { ref } : {}),
    ...(name ? { name } : {}),
    ...(isRecord(src.helm) ? { helm: helmOf(src.helm) } : {}),
    ...(isRecord(src.kustomize) ? { kustomize: kustomizeOf(src.kustomize) } : {}),
    ...(d ? { directory: { recurse: d.recurse === true, ...(include ? { include } : {}), ...(exclude ? { exclude } : {}), jsonnet: isRecord(d.jsonnet) && Object.keys(d.jsonnet).length > 0 } } : {}),
    plugin: isRecord(src.plugin),
  };
}

/**
 * Every source of an Application spec. ArgoCD reads `spec.sources` when it is non-empty and ignores
 * `spec.source` then (`ApplicationSpec.HasMultipleSources`, types.go).
 */
export function applicationSourceSpecs(spec: unknown): ApplicationSourceSpec[] {
  if (!isRecord(spec)) return [];
  if (Array.isArray(spec.sources) && spec.sources.length > 0) {
    return spec.sources.flatMap((s, i) => sourceSpecOf(s, i, true) ?? []);
  }
  const one = sourceSpecOf(spec.source, 0, false);
  return one ? [one] : [];
}

/**
 * The explicit source type written on a source (`ApplicationSource.ExplicitType`, types.go): the one of
 * `helm`, `kustomize`, `directory`, `plugin` that is written; `'multiple'` when more than one is (ArgoCD
 * refuses the source: "multiple application sources defined"); `undefined` when none is.
 */
export function explicitSourceType(s: ApplicationSourceSpec): 'Helm' | 'Kustomize' | 'Directory' | 'Plugin' | 'multiple' | undefined {
  const set = [s.helm && 'Helm', s.kustomize && 'Kustomize', s.directory && 'Directory', s.plugin && 'Plugin'].filter((x): x is 'Helm' | 'Kustomize' | 'Directory' | 'Plugin' => typeof x === 'string');
  if (set.length > 1) return 'multiple';
  return set[0];
}

/**
 * A comparable form of a Git repository URL: scheme, user, `.git` suffix and trailing slashes dropped,
 * host lower-cased, and `git@host:owner/repo` read as `host/owner/repo` (ArgoCD's `git.NormalizeGitURL`
 * and `SameURL`, util/git/git.go, compare the same way).
 */
export function normalizeRepoURL(url: string): string {
  let u = url.trim();
  const scp = /^([^@/:]+@)?([^/:]+):(?!\/\/)(.*)$/.exec(u);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(u)) u = `${scp[2]}/${scp[3]}`;
  u = u.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/^[^@/]+@/, '');
  u = u.replace(/\/+$/, '').replace(/\.git$/, '').replace(/\/+$/, '');
  const slash = u.indexOf('/');
  const host = (slash < 0 ? u : u.slice(0, slash)).toLowerCase().replace(/:(22|443|80)$/, '');
  return slash < 0 ? host : `${host}${u.slice(slash).toLowerCase()}`;
}
