/**
 * Facts the applications area needs from the whole tree of one side, read before the checks run (the checks
 * stay pure): every Application, AppProject, argocd-notifications-cm and argocd-cm ConfigMap, and whether an
 * ArgoCD operator CR is present. An Application's project or the notification configuration usually live
 * outside the files a change touches.
 */
import type { TreeReader } from '../core/model.js';
import { isRecord } from '../core/values.js';
import { baseName, dirName, isKustomization, readManifestFile, type ManifestFile } from '../manifests/manifest-file.js';
import type { Resource } from '../manifests/resource.js';
import { decodeText, parseYamlText, type YamlLimits } from '../manifests/yaml-doc.js';
import { appFacts, type AppFacts } from './model.js';

/** Fixed strings one of which every file this module reads holds. */
export const APPLICATION_MARKERS = ['Application', 'AppProject', 'argocd-notifications-cm', 'argocd-cm', 'ArgoCD'];

/** What an argocd-notifications-cm ConfigMap defines (docs/operator-manual/notifications/). */
export interface NotificationsConfig {
  resource: Resource;
  /** `trigger.<name>`: the templates each trigger sends (`send` of every condition). */
  triggers: Map<string, string[]>;
  /** `template.<name>`. */
  templates: Set<string>;
  /** Service names: `service.<type>` defines `<type>`, `service.<type>.<name>` defines `<name>`. */
  services: Set<string>;
  /** `defaultTriggers`: the triggers of a subscription that names none. */
  defaultTriggers: string[];
  /** `subscriptions`: global subscriptions with no selector (they apply to every Application). */
  globalTriggers: string[];
}

/** Facts of one side's whole tree. */
export interface ApplicationRepoFacts {
  /** Every Application of the side, in file order. */
  apps: AppFacts[];
  /** Every ApplicationSet of the side. */
  appSets: Resource[];
  /** AppProjects by `metadata.name` (the first one found). */
  projects: Map<string, Resource>;
  notifications: NotificationsConfig[];
  /** ConfigMaps named argocd-cm. */
  argocdCms: Resource[];
  /** True when an operator `ArgoCD` CR (argoproj.io/ArgoCD) is in the tree. */
  operatorCr: boolean;
  /** Directories holding a kustomization or a Chart.yaml: ArgoCD renders them with a tool, not as a plain directory. */
  toolDirs: Set<string>;
}

function yamlList(text: unknown, limits: YamlLimits): unknown[] {
  if (typeof text !== 'string') return [];
  const v = parseYamlText(text, limits).docs[0]?.value;
  return Array.isArray(v) ? v : [];
}

/** Reads an argocd-notifications-cm ConfigMap's data. */
export function notificationsConfig(r: Resource, limits: YamlLimits): NotificationsConfig {
  const data = isRecord(r.object.data) ? r.object.data : {};
  const out: NotificationsConfig = { resource: r, triggers: new Map(), templates: new Set(), services: new Set(), defaultTriggers: [], globalTriggers: [] };
  for (const [k, v] of Object.entries(data)) {
    if (k.startsWith('trigger.')) {
      const sends = yamlList(v, limits).flatMap((c) => (isRecord(c) && Array.isArray(c.send) ? c.send.filter((s): s is string => typeof s === 'string') : []));
      out.triggers.set(k.slice('trigger.'.length), sends);
    } else if (k.startsWith('template.')) out.templates.add(k.slice('template.'.length));
    else if (k.startsWith('service.')) {
      const parts = k.slice('service.'.length).split('.');
      out.services.add(parts.length > 1 ? parts.slice(1).join('.') : parts[0]!);
    } else if (k === 'defaultTriggers') out.defaultTriggers = yamlList(v, limits).filter((t): t is string => typeof t === 'string');
    else if (k === 'subscriptions') {
      for (const s of yamlList(v, limits)) {
        if (isRecord(s) && s.selector === undefined && Array.isArray(s.triggers)) out.globalTriggers.push(...s.triggers.filter((t): t is string => typeof t === 'string'));
      }
    }
  }
  return out;
}

/** Builds the facts from parsed files (pure; used by {@link gatherApplicationFacts} and tests). */
export function applicationFactsOf(files: readonly ManifestFile[], limits: YamlLimits): ApplicationRepoFacts {
  const facts: ApplicationRepoFacts = { apps: [], appSets: [], projects: new Map(), notifications: [], argocdCms: [], operatorCr: false, toolDirs: new Set() };
  for (const f of files) {
    for (const r of f.resources) {
      const a = appFacts(r);
      if (a) facts.apps.push(a);
      else if (r.group === 'argoproj.io' && r.kind === 'AppProject' && r.name && !facts.projects.has(r.name)) facts.projects.set(r.name, r);
      else if (r.group === 'argoproj.io' && r.kind === 'ApplicationSet') facts.appSets.push(r);
      else if (r.group === 'argoproj.io' && r.kind === 'ArgoCD') facts.operatorCr = true;
      else if (r.group === '' && r.kind === 'ConfigMap' && r.name === 'argocd-notifications-cm') facts.notifications.push(notificationsConfig(r, limits));
      else if (r.group === '' && r.kind === 'ConfigMap' && r.name === 'argocd-cm') facts.argocdCms.push(r);
    }
  }
  return facts;
}

/** A reader that can find files by content (the git reader). */
interface ContentSearch {
  filesContaining(needles: readonly string[]): Promise<Set<string>>;
}

/**
 * Reads the facts of one side: the manifests holding one of {@link APPLICATION_MARKERS}.
 * @throws {SourceError} when the tree cannot be read
 */
export async function gatherApplicationFacts(tree: TreeReader, isManifest: (p: string) => boolean, limits: YamlLimits): Promise<ApplicationRepoFacts> {
  const search = (tree as Partial<ContentSearch>).filesContaining;
  const [all, marked] = await Promise.all([tree.listFiles(), typeof search === 'function' ? search.call(tree, APPLICATION_MARKERS) : undefined]);
  const paths = all.filter((p) => isManifest(p) && (!marked || marked.has(p))).sort();
  const contents = await tree.readFiles(paths);
  const files: ManifestFile[] = [];
  for (const p of paths) {
    const bytes = contents.get(p);
    if (!bytes) continue;
    const text = decodeText(bytes);
    if (text === undefined || !APPLICATION_MARKERS.some((m) => text.includes(m))) continue;
    files.push(readManifestFile(p, bytes, limits));
  }
  const facts = applicationFactsOf(files, limits);
  for (const p of all) if (isKustomization(p) || baseName(p) === 'Chart.yaml') facts.toolDirs.add(dirName(p));
  return facts;
}
