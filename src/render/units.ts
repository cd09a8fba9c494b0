/**
 * From Application and ApplicationSet resources to {@link RenderUnit}s: one per source of each
 * Application (an ApplicationSet's generated Applications included). A source that is only a `ref` (no
 * `path`) feeds other sources' value files and is not a unit of its own, as in the repo-server
 * (reposerver/repository/repository.go renders a multi-source Application's sources one by one, skipping
 * ref-only ones).
 */
import { isRecord } from '../core/values.js';
import type { Resource } from '../manifests/resource.js';
import { applicationSourceSpecs } from '../argocd/app-sources.js';
import { expandApplicationSet, type ExpandOptions } from '../argocd/app-sets.js';
import type { RenderUnit } from './model.js';

function unitsOf(obj: Record<string, unknown>, file: string, line: number, generatedBy?: string): RenderUnit[] {
  const meta = isRecord(obj.metadata) ? obj.metadata : {};
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const dest = isRecord(spec.destination) ? spec.destination : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const sources = applicationSourceSpecs(spec);
  return sources
    .filter((s) => !(s.ref && s.path === undefined && s.chart === undefined))
    .map((source) => ({
      id: `${file}#${name}@${source.index}`,
      app: {
        name,
        file,
        line,
        ...(typeof dest.namespace === 'string' && dest.namespace ? { destinationNamespace: dest.namespace } : {}),
        ...(generatedBy !== undefined ? { generatedBy } : {}),
      },
      source,
      sources,
    }));
}

/** The render units of one Application resource (an empty list for any other kind). */
export function unitsOfApplication(app: Resource): RenderUnit[] {
  if (app.group !== 'argoproj.io' || app.kind !== 'Application') return [];
  return unitsOf(app.object, app.file, app.pos([]).line);
}

/**
 * The render units of the Applications an ApplicationSet generates (list and Git directory generators).
 * What cannot be expanded comes back as one unit with `notEvaluated` set, id `<file>#<appset name>@appset`.
 */
export function unitsOfApplicationSet(appSet: Resource, opts: ExpandOptions): RenderUnit[] {
  if (appSet.group !== 'argoproj.io' || appSet.kind !== 'ApplicationSet') return [];
  const line = appSet.pos([]).line;
  const name = appSet.name ?? '';
  const exp = expandApplicationSet(appSet.object, opts);
  const out = exp.apps.flatMap((a) => unitsOf(a.object, appSet.file, line, name));
  if (exp.notEvaluated) {
    out.push({
      id: `${appSet.file}#${name}@appset`,
      app: { name, file: appSet.file, line, generatedBy: name },
      source: { index: 0, multi: false, repoURL: '', targetRevision: '', plugin: false },
      sources: [],
      notEvaluated: `ApplicationSet ${name}: ${exp.notEvaluated}`,
    });
  }
  return out;
}
