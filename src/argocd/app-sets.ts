/**
 * ApplicationSet expansion for the generators whose output is known from the repository alone: the List
 * generator and the Git directory generator (applicationset/generators/list.go, git.go; parameters as
 * docs/operator-manual/applicationset/Generators-Git.md names them). Templates are rendered as
 * applicationset/utils/utils.go does: fasttemplate `{{param}}` substitution in every string of the
 * template (an unknown parameter is left as written), or, with `goTemplate: true`, Go templates, of
 * which the gate evaluates field references (`{{ .path.basename }}`) and `index` only.
 * Every other generator, `templatePatch`, and any Go template beyond that is reported as not evaluated.
 */
import { minimatch } from 'minimatch';
import { isRecord } from '../core/values.js';
import { normalizeRepoURL } from './app-sources.js';

/** One Application an ApplicationSet generates. */
export interface GeneratedApplication {
  /** `metadata.name` after substitution. */
  name: string;
  /** The rendered Application object (`apiVersion`, `kind`, `metadata`, `spec`). */
  object: Record<string, unknown>;
  /** The generator parameters it was rendered with. */
  params: Record<string, unknown>;
}

/** The outcome of expanding one ApplicationSet. */
export interface AppSetExpansion {
  apps: GeneratedApplication[];
  /** Set when (part of) the ApplicationSet could not be expanded: what, and why. The listed apps are still the ones known. */
  notEvaluated?: string;
}

/** Options of {@link expandApplicationSet}. */
export interface ExpandOptions {
  /** Every file path of the repository side (`TreeReader.listFiles`), for the Git directory generator. */
  files: readonly string[];
  /** True when a repoURL names the repository under review. */
  isThisRepo: (repoURL: string) => boolean;
}

/** Thrown inside expansion for what the gate does not evaluate. */
class NotEvaluated extends Error {}

/** Directories of the tree (every ancestor directory of a file), without the root. */
function directoriesOf(files: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return [...dirs].sort();
}

/** Parameters of one directory, flat (fasttemplate) or nested (goTemplate). */
function directoryParams(dir: string, goTemplate: boolean, prefix: string | undefined): Record<string, unknown> {
  const segments = dir.split('/');
  const basename = segments[segments.length - 1] ?? '';
  const basenameNormalized = basename.replace(/[^a-zA-Z0-9-]/g, '-').toLowerCase();
  if (goTemplate) {
    const p = { path: dir, basename, basenameNormalized, segments };
    return prefix ? { [prefix]: { path: p } } : { path: p };
  }
  const key = prefix ? `${prefix}.path` : 'path';
  const out: Record<string, unknown> = { [key]: dir, [`${key}.basename`]: basename, [`${key}.basenameNormalized`]: basenameNormalized };
  segments.forEach((s, i) => (out[`${key}[${i}]`] = s));
  return out;
}

/** Flat parameters of a list element (fasttemplate mode): scalars by key, a `values` map as `values.<k>`. */
function listParams(el: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(el)) {
    if (k === 'values' && isRecord(v)) for (const [vk, vv] of Object.entries(v)) out[`values.${vk}`] = typeof vv === 'string' ? vv : JSON.stringify(vv);
    else out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

/** fasttemplate substitution: `{{ name }}` → the parameter, an unknown one left as written. */
function fastTemplate(s: string, params: Record<string, unknown>): string {
  return s.replace(/\{\{([^}]*)\}\}/g, (whole, tag: string) => {
    const v = params[tag.trim()];
    return v === undefined ? whole : String(v);
  });
}

function lookup(root: unknown, dotted: string): unknown {
  let cur = root;
  for (const k of dotted.split('.').filter(Boolean)) {
    if (!isRecord(cur) || !(k in cur)) throw new NotEvaluated(`Go template field .${dotted} is not a parameter of the generator`);
    cur = cur[k];
  }
  return cur;
}

/** The Go template subset: `{{ .a.b }}` and `{{ index .a.b N }}`; anything else is not evaluated. */
function goTemplate(s: string, params: Record<string, unknown>): string {
  return s.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (_w, expr: string) => {
    let m = /^\.([A-Za-z0-9_.]*)$/.exec(expr);
    let v: unknown;
    if (m) v = lookup(params, m[1]!);
    else if ((m = /^index\s+\.([A-Za-z0-9_.]+)\s+(\d+)$/.exec(expr))) {
      const arr = lookup(params, m[1]!);
      v = Array.isArray(arr) ? arr[Number(m[2])] : undefined;
      if (v === undefined) throw new NotEvaluated(`Go template ${expr}: index out of range`);
    } else throw new NotEvaluated(`Go template action {{ ${expr} }} (the gate evaluates field references and index only)`);
    if (isRecord(v) || Array.isArray(v)) return JSON.stringify(v);
    return String(v);
  });
}

/** Applies `render` to every string of a JSON-like value. */
function renderValue(v: unknown, render: (s: string) => string): unknown {
  if (typeof v === 'string') return render(v);
  if (Array.isArray(v)) return v.map((x) => renderValue(x, render));
  if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renderValue(x, render)]));
  return v;
}

/**
 * Expands an ApplicationSet object (`spec.generators`, `spec.template`) into the Applications it generates.
 * Never throws: what cannot be expanded is named in `notEvaluated`.
 */
export function expandApplicationSet(appSet: Record<string, unknown>, opts: ExpandOptions): AppSetExpansion {
  const spec = isRecord(appSet.spec) ? appSet.spec : {};
  const template = isRecord(spec.template) ? spec.template : undefined;
  if (!template) return { apps: [], notEvaluated: 'the ApplicationSet has no spec.template' };
  if (spec.templatePatch !== undefined) return { apps: [], notEvaluated: 'spec.templatePatch is not evaluated by the gate' };
  const go = spec.goTemplate === true;
  const generators = Array.isArray(spec.generators) ? spec.generators : [];
  const apps: GeneratedApplication[] = [];
  const skipped: string[] = [];
  for (const [gi, g] of generators.entries()) {
    if (!isRecord(g)) continue;
    const kinds = Object.keys(g).filter((k) => k !== 'selector' && k !== 'template');
    if (g.template !== undefined || g.selector !== undefined) {
      skipped.push(`generator ${gi}: a per-generator template or selector is not evaluated`);
      continue;
    }
    let paramSets: Record<string, unknown>[];
    if (kinds.length === 1 && kinds[0] === 'list' && isRecord(g.list)) {
      if (g.list.elementsYaml !== undefined) {
        skipped.push(`generator ${gi}: list.elementsYaml is not evaluated`);
        continue;
      }
      const els = Array.isArray(g.list.elements) ? g.list.elements.filter(isRecord) : [];
      paramSets = els.map((e) => (go ? e : listParams(e)));
    } else if (kinds.length === 1 && kinds[0] === 'git' && isRecord(g.git) && Array.isArray(g.git.directories) && g.git.files === undefined) {
      const repoURL = typeof g.git.repoURL === 'string' ? g.git.repoURL : '';
      if (!opts.isThisRepo(repoURL)) {
        skipped.push(`generator ${gi}: git generator of another repository (${repoURL || 'no repoURL'})`);
        continue;
      }
      const prefix = typeof g.git.pathParamPrefix === 'string' && g.git.pathParamPrefix ? g.git.pathParamPrefix : undefined;
      const entries = g.git.directories.filter(isRecord).flatMap((d) => (typeof d.path === 'string' ? [{ glob: d.path, exclude: d.exclude === true }] : []));
      const dirs = directoriesOf(opts.files).filter((dir) => {
        const match = (glob: string) => minimatch(dir, glob, { dot: true });
        return entries.some((e) => !e.exclude && match(e.glob)) && !entries.some((e) => e.exclude && match(e.glob));
      });
      paramSets = dirs.map((d) => directoryParams(d, go, prefix));
    } else {
      skipped.push(`generator ${gi} (${kinds.join(', ') || 'empty'}): only list and git directory generators are expanded`);
      continue;
    }
    for (const params of paramSets) {
      try {
        const render = go ? (s: string) => goTemplate(s, params) : (s: string) => fastTemplate(s, params);
        const obj = renderValue(template, render) as Record<string, unknown>;
        const meta = isRecord(obj.metadata) ? obj.metadata : {};
        const name = typeof meta.name === 'string' ? meta.name : '';
        apps.push({ name, params, object: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: meta, spec: obj.spec } });
      } catch (e) {
        if (!(e instanceof NotEvaluated)) throw e;
        skipped.push(`generator ${gi}: ${e.message}`);
        break;
      }
    }
  }
  return skipped.length ? { apps, notEvaluated: skipped.join('; ') } : { apps };
}

/** True when `repoURL` names one of `urls` (compared with {@link normalizeRepoURL}). */
export function repoMatcher(urls: readonly string[]): (repoURL: string) => boolean {
  const set = new Set(urls.map(normalizeRepoURL));
  return (u) => set.has(normalizeRepoURL(u));
}
