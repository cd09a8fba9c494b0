/**
 * Facts the applications area needs from the whole tree of one side, taken from the repository layout the
 * engine already read (src/argocd/layout.ts), so the checks stay pure and nothing is read twice. AppProjects,
 * ApplicationSets, argocd-notifications-cm, argocd-cm and ArgoCD CRs (few files) are parsed at once;
 * Applications are parsed on demand: the ones a change touches, and the parents that may render a file.
 */
import { isRecord } from '../core/values.js';
import { APPLICATION_TEXT, type RepoLayout } from '../argocd/layout.js';
import { applicationPathDirs } from '../argocd/app-paths.js';
import { baseName, dirName, isKustomization, readManifestFile, type ManifestFile } from '../manifests/manifest-file.js';
import type { Resource } from '../manifests/resource.js';
import { decodeText, parseYamlText, type YamlLimits } from '../manifests/yaml-doc.js';
import { appFacts, type AppFacts } from './model.js';

/** Fixed strings of the files parsed at once. */
const EAGER_MARKERS = ['AppProject', 'ApplicationSet', 'argocd-notifications-cm', 'argocd-cm', 'ArgoCD'];

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
  /** `subscriptions` without a selector: global subscriptions, which apply to every Application. */
  globalTriggers: string[];
}

/** Facts of one side's whole tree. */
export interface ApplicationRepoFacts {
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
  /** The Applications defined in `path`. */
  appsInFile(path: string): AppFacts[];
  /** Applications whose source path may be `dir` or one of its ancestors (the parents that may render a file there). */
  appsAbove(dir: string): AppFacts[];
  /** Applications whose manifest text holds `text` (a name), parsed to check. */
  appsMentioning(text: string): AppFacts[];
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

/**
 * The facts of one side, from its layout (pure: the layout holds the bytes already read).
 * @param limits - YAML limits of the policy's `manifests` section
 */
export function applicationFacts(layout: Pick<RepoLayout, 'files' | 'contents'>, limits: YamlLimits): ApplicationRepoFacts {
  const texts = new Map<string, string>();
  for (const [p, bytes] of layout.contents) {
    if (!bytes) continue;
    const t = decodeText(bytes);
    if (t !== undefined) texts.set(p, t);
  }
  const parsed = new Map<string, ManifestFile>();
  const file = (p: string): ManifestFile | undefined => {
    let f = parsed.get(p);
    const bytes = layout.contents.get(p);
    if (!f && bytes) parsed.set(p, (f = readManifestFile(p, bytes, limits)));
    return f;
  };
  const appCache = new Map<string, AppFacts[]>();
  const appsInFile = (p: string): AppFacts[] => {
    let a = appCache.get(p);
    if (!a) {
      const t = texts.get(p);
      appCache.set(p, (a = t !== undefined && APPLICATION_TEXT.test(t) ? (file(p)?.resources ?? []).flatMap((r) => appFacts(r) ?? []) : []));
    }
    return a;
  };
  // Application texts indexed by the directories they may name as a source path (undefined: cannot tell).
  const byDir = new Map<string, string[]>();
  const unsure: string[] = [];
  for (const [p, t] of texts) {
    if (!APPLICATION_TEXT.test(t)) continue;
    const dirs = applicationPathDirs(t);
    if (!dirs) unsure.push(p);
    else for (const d of dirs) byDir.set(d, [...(byDir.get(d) ?? []), p]);
  }
  const facts: ApplicationRepoFacts = {
    appSets: [],
    projects: new Map(),
    notifications: [],
    argocdCms: [],
    operatorCr: false,
    toolDirs: new Set(layout.files.filter((p) => isKustomization(p) || baseName(p) === 'Chart.yaml').map(dirName)),
    appsInFile,
    appsAbove(dir) {
      const paths = new Set(unsure);
      for (let cur = dir; ; cur = dirName(cur)) {
        for (const p of byDir.get(cur) ?? []) paths.add(p);
        if (cur === '') break;
      }
      return [...paths].sort().flatMap(appsInFile);
    },
    appsMentioning(text) {
      return [...texts].filter(([, t]) => t.includes(text)).map(([p]) => p).sort().flatMap(appsInFile);
    },
  };
  for (const [p, t] of [...texts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!EAGER_MARKERS.some((m) => t.includes(m))) continue;
    for (const r of file(p)?.resources ?? []) {
      if (r.group === 'argoproj.io' && r.kind === 'AppProject' && r.name && !facts.projects.has(r.name)) facts.projects.set(r.name, r);
      else if (r.group === 'argoproj.io' && r.kind === 'ApplicationSet') facts.appSets.push(r);
      else if (r.group === 'argoproj.io' && r.kind === 'ArgoCD') facts.operatorCr = true;
      else if (r.group === '' && r.kind === 'ConfigMap' && r.name === 'argocd-notifications-cm') facts.notifications.push(notificationsConfig(r, limits));
      else if (r.group === '' && r.kind === 'ConfigMap' && r.name === 'argocd-cm') facts.argocdCms.push(r);
    }
  }
  return facts;
}
