/**
 * Manifest files: which files are manifests (policy globs), what role each plays (plain manifest,
 * kustomization, Helm template), and their parsed documents and resources.
 */
import { minimatch } from 'minimatch';
import { parseYamlFile, type YamlDoc, type YamlLimits, type YamlProblem } from './yaml-doc.js';
import { resourcesOf, type Resource } from './resource.js';

/**
 * What a file is to the gate.
 * - `manifest`: Kubernetes objects applied as they are.
 * - `kustomization`: a `kustomization.yaml` (read by kustomize, not applied).
 * - `template`: a Helm template or other templated text; evaluated only when it is valid YAML.
 */
export type FileRole = 'manifest' | 'kustomization' | 'template';

/** A manifest file read and parsed from one side of a change. */
export interface ManifestFile {
  path: string;
  role: FileRole;
  /** The file's text (undefined when it is not text). */
  text?: string;
  docs: YamlDoc[];
  /** Syntax, duplicate-key, limit and encoding problems, each with its line. */
  problems: YamlProblem[];
  /** Resources found in the file (empty for a kustomization, and for a template that is not YAML). */
  resources: Resource[];
  /** Set when the file was not evaluated, with the reason (for example an unrenderable template). */
  notEvaluated?: string;
}

/** Which files are manifests, from the policy's `manifests` section. */
export interface ManifestSelector {
  include: string[];
  exclude: string[];
}

/** File names kustomize reads as a kustomization, in its order (argo-cd util/kustomize/kustomize.go `KustomizationNames`); ArgoCD's source-type detection uses the same list. */
export const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;
const KUSTOMIZATION_NAME_SET: ReadonlySet<string> = new Set(KUSTOMIZATION_NAMES);

/** Base name of a `/`-separated path. */
export function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

/** Directory of a `/`-separated path (`''` for the root). */
export function dirName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** True when `path` is a kustomization file. */
export function isKustomization(path: string): boolean {
  return KUSTOMIZATION_NAME_SET.has(baseName(path));
}

/**
 * Returns a predicate telling whether a repository path matches any of the policy's path globs: minimatch
 * with `dot: true` (so `.argocd/` matches), and a glob without `/` matches the file name anywhere.
 */
export function pathMatcher(globs: readonly string[]): (path: string) => boolean {
  const ms = globs.map((g) => new minimatch.Minimatch(g, { dot: true, matchBase: !g.includes('/') }));
  return (path) => ms.some((m) => m.match(path));
}

/** Returns a predicate telling which paths are manifests: matched by an `include` glob and by no `exclude` glob. */
export function manifestMatcher(sel: ManifestSelector): (path: string) => boolean {
  const inc = pathMatcher(sel.include);
  const exc = pathMatcher(sel.exclude);
  return (path) => inc(path) && !exc(path);
}

/**
 * Decides the role of a file. Files in a Helm chart's `templates/` directory (a `Chart.yaml` sits in the
 * directory above) and files holding `{{` actions (Helm, Go templates) or `{%` tags (Jinja) are templates.
 */
export function fileRole(path: string, text: string | undefined, hasFile?: (p: string) => boolean): FileRole {
  if (isKustomization(path)) return 'kustomization';
  const parts = path.split('/');
  const t = parts.lastIndexOf('templates');
  if (t > 0 || (t === 0 && parts.length > 1)) {
    const chartDir = parts.slice(0, t).join('/');
    const chart = chartDir ? `${chartDir}/Chart.yaml` : 'Chart.yaml';
    if (hasFile?.(chart)) return 'template';
  }
  if (text !== undefined && (text.includes('{{') || text.includes('{%'))) return 'template';
  return 'manifest';
}

/**
 * Reads one manifest file. Never throws for bad input: syntax errors and limits come back in
 * `problems`; a template that is not valid YAML comes back with `notEvaluated` and no problems
 * (it is not broken, only not renderable here).
 */
export function readManifestFile(
  path: string,
  bytes: Uint8Array,
  limits: YamlLimits,
  hasFile?: (p: string) => boolean,
): ManifestFile {
  const parsed = parseYamlFile(bytes, limits);
  const text = parsed.text;
  const broken = parsed.problems.some((p) => p.kind === 'yaml-syntax' || p.kind === 'yaml-duplicate-key' || p.kind === 'yaml-unsupported-key');
  let role = fileRole(path, text, hasFile);
  // A Jinja- or Helm-templated kustomization.yaml that is not YAML until rendered is a template, not a kustomization
  // whose every line is a syntax error.
  if (role === 'kustomization' && broken && text !== undefined && (text.includes('{{') || text.includes('{%'))) role = 'template';
  if (role === 'template') {
    const inChart = fileRole(path, undefined, hasFile) === 'template';
    if (inChart || broken) {
      return {
        path,
        role,
        text,
        docs: [],
        problems: parsed.problems.filter((p) => p.kind === 'yaml-limit' || p.kind === 'yaml-not-text'),
        resources: [],
        notEvaluated: inChart
          ? 'Helm chart template: only its rendered output is applied, and rendering is outside the gate'
          : 'templated text ({{ ... }} or {% ... %}) that is not valid YAML until rendered',
      };
    }
  }
  const resources = role === 'kustomization' ? [] : parsed.docs.flatMap((d) => (d.broken ? [] : resourcesOf(path, d)));
  // The resources hold the positions they need; later lookups (for findings) parse the text again.
  parsed.release?.();
  return { path, role, text, docs: parsed.docs, problems: parsed.problems, resources };
}

/** Resolves `.` and `..` segments and drops empty ones: the repository-relative directory (`''` for the root). */
export function normalizeDir(path: string): string {
  const out: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return out.join('/');
}
