/**
 * Helpers shared by the sync checks: a de-duplicating reporter (a file may belong to several Applications),
 * the resources of each sync group, and the namespace a group applies resources in.
 */
import type { Position } from '../core/model.js';
import type { Resource } from '../manifests/resource.js';
import { resourceLabel } from '../manifests/resource.js';
import type { FindingInput, RuleInfo, SideContext, SyncGroup } from '../area/contract.js';
import { at } from '../argocd/kinds.js';
import { dirName } from '../manifests/manifest-file.js';

/** Reports findings once per (rule, file, position, key), even when a file is evaluated in several groups. */
export function onceReporter(ctx: SideContext): (rule: string, f: FindingInput) => void {
  const seen = new Set<string>();
  return (rule, f) => {
    const k = [rule, f.file, f.pos.line, f.pos.column, f.subject ?? '', f.key ?? ''].join('\u0000');
    if (seen.has(k)) return;
    seen.add(k);
    ctx.report(rule, f);
  };
}

/** A finding about a resource, at `pos`. */
export function about(r: Resource, pos: Position, message: string, fix: string, key?: string): FindingInput {
  const subject = resourceLabel(r);
  return { file: r.file, pos, subject, message: `${subject}: ${message}`, fix, ...(key !== undefined ? { key } : {}) };
}

/** The resources ArgoCD applies from a group's files (kustomize's own objects excluded). */
export function groupResources(g: SyncGroup): Resource[] {
  return g.files.flatMap((f) => f.resources).filter((r) => r.group !== 'kustomize.config.k8s.io');
}

/**
 * The namespace namespaced resources without one are applied in: the `namespace` of a kustomization at the
 * group's directory, else the Application's destination namespace.
 */
export function groupNamespace(g: SyncGroup): string | undefined {
  for (const f of g.files) {
    if (f.role !== 'kustomization' || dirName(f.path) !== g.dir) continue;
    const ns = at(f.docs[0]?.value, 'namespace');
    if (typeof ns === 'string' && ns) return ns;
  }
  return g.application?.destinationNamespace;
}

/** A rule of the sync area. */
export function syncRule(id: string, title: string, defaultSeverity: RuleInfo['defaultSeverity'], reference: string): RuleInfo {
  return { id, area: 'sync', title, defaultSeverity, reference };
}
