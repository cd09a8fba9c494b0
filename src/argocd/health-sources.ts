/**
 * Reads the health-check configuration of one repository file: argocd-cm ConfigMaps, argo-cd chart values, the
 * operator's ArgoCD CR, and kustomize patches that carry them (inline strategic-merge patches and JSON6902
 * operations). The one parser of custom health-check keys: the health area and the sync rules
 * ({@link configuredHealthKeys}, the engine's `Snapshot.customHealth`) both read checks through it.
 */
import { baseName, isKustomization } from '../manifests/manifest-file.js';
import { parseYamlText, type YamlDoc, type YamlLimits } from '../manifests/yaml-doc.js';
import { splitApiVersion } from '../manifests/resource.js';
import { globMatch } from './builtin-health.js';
import { readArgoCdCr, readArgocdCmData, readArgocdCmEntries, readHealthCheckItem, type DocPlacement, type HealthConfig } from './health-config.js';
import { HEALTH_CONFIG_TEXT } from './health-markers.js';
import type { ConfigProblem, HealthCheckDef } from './health-model.js';
import { isRecord } from '../core/values.js';

const CONFIG_MARKERS = HEALTH_CONFIG_TEXT;

/** Reads the configuration documents of one file into checks and problems. */
export function healthConfigOfFile(path: string, text: string, limits: YamlLimits): HealthConfig & { operatorCrs: number } {
  const out = { checks: [] as HealthCheckDef[], problems: [] as ConfigProblem[], operatorCrs: 0 };
  const parsed = parseYamlText(text, limits);
  const at: DocPlacement = { file: path, lineOffset: 0, columnOffset: 0 };
  for (const doc of parsed.docs) {
    if (doc.broken) continue; // reported by the YAML check
    if (isKustomization(path)) {
      readKustomizationPatches(doc, at, limits, out);
      continue;
    }
    readConfigDoc(doc, at, /^values.*\.ya?ml$/.test(baseName(path)), out);
  }
  return out;
}

function readConfigDoc(doc: YamlDoc, at: DocPlacement, helmValues: boolean, out: HealthConfig & { operatorCrs: number }): void {
  const v = doc.value;
  if (Array.isArray(v)) {
    readJson6902(doc, v, at, out);
    return;
  }
  if (!isRecord(v)) return;
  const meta = isRecord(v.metadata) ? v.metadata : {};
  const add = (c: HealthConfig) => {
    out.checks.push(...c.checks);
    out.problems.push(...c.problems);
  };
  if (v.kind === 'ConfigMap' && meta.name === 'argocd-cm') add(readArgocdCmData(doc, ['data'], at, 'ConfigMap argocd-cm', 'argocd-cm'));
  else if (v.kind === 'ArgoCD' && typeof v.apiVersion === 'string' && splitApiVersion(v.apiVersion).group === 'argoproj.io') {
    out.operatorCrs++;
    add(readArgoCdCr(doc, [], at, `ArgoCD ${String(meta.name ?? '')}`.trim()));
  } else if (helmValues) {
    // The argo-cd chart's own values, or an umbrella chart that has it as the `argo-cd` dependency.
    for (const prefix of [[], ['argo-cd']]) {
      const scope = prefix.length ? v[prefix[0]!] : v;
      if (isRecord(scope) && isRecord(scope.configs) && isRecord(scope.configs.cm)) {
        add(readArgocdCmData(doc, [...prefix, 'configs', 'cm'], at, `Helm values ${[...prefix, 'configs', 'cm'].join('.')}`, 'helm-values'));
      }
    }
  }
}

/** Inline patches of a kustomization (`patches[].patch`, `patchesStrategicMerge[]`) that carry health checks. */
function readKustomizationPatches(doc: YamlDoc, at: DocPlacement, limits: YamlLimits, out: HealthConfig & { operatorCrs: number }): void {
  const v = doc.value;
  if (!isRecord(v)) return;
  const inline: { path: (string | number)[]; text: string; target?: Record<string, unknown> }[] = [];
  if (Array.isArray(v.patches)) {
    v.patches.forEach((p, i) => {
      if (isRecord(p) && typeof p.patch === 'string') inline.push({ path: ['patches', i, 'patch'], text: p.patch, ...(isRecord(p.target) ? { target: p.target } : {}) });
    });
  }
  if (Array.isArray(v.patchesStrategicMerge)) {
    v.patchesStrategicMerge.forEach((p, i) => {
      if (typeof p === 'string' && p.includes('\n')) inline.push({ path: ['patchesStrategicMerge', i], text: p });
    });
  }
  for (const p of inline) {
    if (!CONFIG_MARKERS.test(p.text)) continue;
    const start = doc.pos(p.path);
    const node = doc.node(p.path) as { type?: string } | undefined;
    const block = node?.type === 'BLOCK_LITERAL' || node?.type === 'BLOCK_FOLDED';
    const inner: DocPlacement = { file: at.file, lineOffset: start.line - (block ? 0 : 1), columnOffset: doc.keyPos(p.path).column + 1 };
    const parsed = parseYamlText(p.text, limits);
    for (const d of parsed.docs) if (!d.broken) readConfigDoc(d, inner, false, out);
    if (p.target && /resource\.customizations|resourceHealthChecks/.test(p.text)) {
      const kind = typeof p.target.kind === 'string' ? p.target.kind : undefined;
      const name = typeof p.target.name === 'string' ? p.target.name : undefined;
      const wrongKind = kind !== undefined && kind !== 'ConfigMap' && kind !== 'ArgoCD';
      const wrongName = kind === 'ConfigMap' && name !== undefined && !globMatch(name.replace(/\.\*/g, '*'), 'argocd-cm');
      if (wrongKind || wrongName) {
        const tpath = [...p.path.slice(0, -1), 'target', wrongKind ? 'kind' : 'name'];
        out.problems.push({
          rule: 'patch-target-matches-nothing',
          file: at.file,
          pos: doc.pos(tpath),
          subject: `kustomize patch ${p.path.join('.')}`,
          key: p.path.join('.'),
          message: `This patch adds health checks, but its target selects ${wrongKind ? `kind "${kind}"` : `ConfigMap "${name}"`}, which is neither the argocd-cm ConfigMap nor an ArgoCD CR: kustomize applies a patch that matches nothing as a silent no-op, so the checks never reach ArgoCD.`,
          fix: wrongKind ? 'Target kind: ConfigMap with name: argocd-cm (or kind: ArgoCD for the operator).' : 'Target name: argocd-cm.',
        });
      }
    }
  }
}


/** Decodes a JSON pointer segment (RFC 6901: `~1` is `/`, `~0` is `~`). */
function pointerSegment(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * Reads the health checks a JSON6902 patch (a list of operations, inline in a kustomization or in a patch
 * file) adds or replaces: `/spec/resourceHealthChecks` (the list, one entry, or `-` to append) of an ArgoCD CR,
 * and `/data` (the map, or one `resource.customizations...` key) of argocd-cm.
 */
function readJson6902(doc: YamlDoc, ops: unknown[], at: DocPlacement, out: HealthConfig): void {
  ops.forEach((op, i) => {
    if (!isRecord(op) || (op.op !== 'add' && op.op !== 'replace') || typeof op.path !== 'string' || !('value' in op)) return;
    const segs = op.path.split('/').slice(1).map(pointerSegment);
    const vpath = [i, 'value'];
    const add = (c: HealthConfig) => {
      out.checks.push(...c.checks);
      out.problems.push(...c.problems);
    };
    if (segs[0] === 'spec' && segs[1] === 'resourceHealthChecks') {
      const holder = 'ArgoCD (JSON6902 patch)';
      if (segs.length === 2 && Array.isArray(op.value)) op.value.forEach((_, j) => readHealthCheckItem(doc, [...vpath, j], at, holder, out));
      else if (segs.length === 3) readHealthCheckItem(doc, vpath, at, holder, out);
    } else if (segs[0] === 'data') {
      const holder = 'ConfigMap argocd-cm (JSON6902 patch)';
      if (segs.length === 1) add(readArgocdCmData(doc, vpath, at, holder, 'argocd-cm'));
      else if (segs.length === 2 && segs[1]!.startsWith('resource.customizations')) add(readArgocdCmEntries(doc, [{ key: segs[1]!, path: vpath }], at, holder, 'argocd-cm'));
    }
  });
}

/**
 * Rules whose problem makes ArgoCD drop every resource override of the object that holds it: the API server
 * rejects the ConfigMap (an invalid key), or ArgoCD fails to load the overrides (settings.go:1226, a bad split
 * key or an unparsable legacy block).
 */
const DROPS_ALL_OVERRIDES = new Set(['health-key-format', 'health-key-invalid-configmap-key', 'health-key-wildcard', 'health-config-invalid']);

/**
 * The group/Kind keys ArgoCD has a working custom health check for, out of the configured checks: layout
 * checks (test homes, not configuration) are left out, and so are the checks of an object whose configuration
 * ArgoCD rejects as a whole. Keys are override keys (`group/Kind`, `Kind` for the core group, see
 * `overrideKey` in ./builtin.ts) or globs (legacy block); match them with `hasCustomHealth` there.
 */
export function configuredHealthKeys(checks: readonly HealthCheckDef[], problems: readonly ConfigProblem[]): Set<string> {
  const broken = new Set<string>();
  for (const p of problems) {
    if (DROPS_ALL_OVERRIDES.has(p.rule)) broken.add(`${p.file}\0${p.subject}`);
  }
  const keys = new Set<string>();
  for (const c of checks) if (c.origin !== 'layout' && !broken.has(`${c.file}\0${c.holder}`)) keys.add(c.key);
  return keys;
}

/** Parsed configuration by file and text: the layout and the health area read the same texts. */
const parsedConfigs = new Map<string, HealthConfig & { operatorCrs: number }>();
const PARSED_CONFIGS_MAX = 1000;

/** {@link healthConfigOfFile}, remembered by path and text (callers must not modify the result). */
export function healthConfigOfFileCached(path: string, text: string, limits: YamlLimits): HealthConfig & { operatorCrs: number } {
  const key = `${path}\0${JSON.stringify(limits)}\0${text}`;
  let c = parsedConfigs.get(key);
  if (!c) {
    if (parsedConfigs.size >= PARSED_CONFIGS_MAX) parsedConfigs.clear();
    parsedConfigs.set(key, (c = healthConfigOfFile(path, text, limits)));
  }
  return c;
}
