/**
 * Reads custom health checks out of ArgoCD configuration documents, and validates the configuration
 * itself (key format, value types, customization types), each problem at its line.
 *
 * Sources (ArgoCD v3.6.0): split keys and the legacy block in argocd-cm (`util/settings/settings.go:1170-1249`,
 * `pkg/apis/application/v1alpha1/types.go:2589-2596`), the argo-cd Helm chart's `configs.cm`, and the
 * operator's ArgoCD CR (`spec.resourceHealthChecks`, deprecated `spec.resourceCustomizations`).
 */
import { isMap, isPair, isScalar, Scalar, type Node } from 'yaml';
import type { Position } from '../core/model.js';
import { parseYamlText, type YamlDoc, type YamlPath } from '../manifests/yaml-doc.js';
import type { ConfigProblem, HealthCheckDef, HealthOrigin } from './health-model.js';
import { reindentQuotedContinuations } from './argo-yaml.js';

/** Customization types ArgoCD knows in split keys (`util/settings/settings.go:1200-1226`). */
export const CUSTOMIZATION_TYPES = ['health', 'useOpenLibs', 'actions', 'ignoreDifferences', 'ignoreResourceUpdates', 'knownTypeFields'] as const;
/** Fields of a legacy `resource.customizations` entry (rawResourceOverride, types.go:2589-2596). */
export const LEGACY_FIELDS = ['health.lua', 'health.lua.useOpenLibs', 'actions', 'ignoreDifferences', 'ignoreResourceUpdates', 'knownTypeFields'] as const;
/** Values Go's strconv.ParseBool accepts. */
const PARSE_BOOL: Record<string, boolean> = { '1': true, t: true, T: true, TRUE: true, true: true, True: true, '0': false, f: false, F: false, FALSE: false, false: false, False: false };
/** ConfigMap keys: `[-._a-zA-Z0-9]+` (Kubernetes validation). */
const CONFIGMAP_KEY = /^[-._a-zA-Z0-9]+$/;
const PREFIX = 'resource.customizations';

/** The result of reading one configuration object. */
export interface HealthConfig {
  checks: HealthCheckDef[];
  problems: ConfigProblem[];
}

/** Where the text of a document sits in its file: inner line n is file line `lineOffset + n`. */
export interface DocPlacement {
  file: string;
  lineOffset: number;
  columnOffset: number;
}

/** Places a position of an embedded document into its file. */
function place(p: Position, at: DocPlacement): Position {
  return { line: p.line + at.lineOffset, column: p.column + (p.line === 1 ? 0 : at.columnOffset) };
}

/**
 * Where the text of a string value starts in the file: a block scalar (`|`, `>`) starts on the next
 * line, indented; other scalars start at the value.
 */
export function scriptPlacement(doc: YamlDoc, path: YamlPath, at: DocPlacement): { line: number; column: number } {
  const node = doc.node(path);
  const p = place(doc.pos(path), at);
  if (isScalar(node) && (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED)) {
    const src = typeof node.value === 'string' ? node.value : '';
    const indent = blockIndent(doc, path, src);
    return { line: p.line + 1, column: indent + 1 + at.columnOffset };
  }
  return p;
}

function blockIndent(doc: YamlDoc, path: YamlPath, _src: string): number {
  // The content of a block scalar is indented one level deeper than its key.
  return doc.keyPos(path).column - 1 + 2;
}

function problem(rule: string, file: string, pos: Position, subject: string, key: string, message: string, fix: string): ConfigProblem {
  return { rule, file, pos, subject, key, message, fix };
}

function typeName(n: Node | null | undefined): string {
  if (!n) return 'null';
  if (isScalar(n)) {
    const v = n.value;
    if (v === null) return 'null';
    if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
    return typeof v;
  }
  return isMap(n) ? 'mapping' : 'sequence';
}

/**
 * Converts a split-key suffix (`group_Kind`) to ArgoCD's override key, as convertToOverrideKey does
 * (settings.go:1241-1249), and returns the problems of its format.
 */
export function checkSplitSuffix(suffix: string): { key?: string; problem?: { rule: string; message: string; fix: string } } {
  if (suffix.includes('*')) {
    return { problem: { rule: 'health-key-wildcard', message: `"${suffix}" holds a wildcard: "*" is not a valid ConfigMap key character, so the API server rejects the whole ConfigMap. Wildcards only work in the legacy resource.customizations block.`, fix: 'Name the group and Kind exactly, or move the check into the resource.customizations block with a quoted wildcard key.' } };
  }
  if (!CONFIGMAP_KEY.test(suffix)) {
    const near = suffix.replace('/', '_');
    return { problem: { rule: 'health-key-invalid-configmap-key', message: `"${suffix}" is not a valid ConfigMap key (only letters, digits, "-", "_" and "." are allowed): the API server rejects the whole argocd-cm, and every other setting in it is lost too.`, fix: `Join group and Kind with "_": ${near}.` } };
  }
  if (suffix === 'all') return { key: '*/*' };
  const parts = suffix.split('_');
  if (parts.length > 2) {
    return { problem: { rule: 'health-key-format', message: `"${suffix}" holds more than one "_": ArgoCD fails to load all resource overrides (convertToOverrideKey), not only this one.`, fix: 'Write exactly one "_" between the API group and the Kind (group_Kind), or just Kind for the core group.' } };
  }
  if (parts.length === 2) {
    if (parts[0] === '') {
      return { problem: { rule: 'health-key-core-group-prefix', message: `"${suffix}" starts with "_": the key becomes "/${parts[1]}", but health lookups for core kinds use just "${parts[1]}", so the check is never used.`, fix: `Write the core kind alone: ${parts[1]}.` } };
    }
    return { key: `${parts[0]}/${parts[1]}` };
  }
  const m = /^(.*\.[a-z0-9-]+)[-.]([A-Z][A-Za-z0-9]*)$/.exec(suffix);
  if (m) {
    return { problem: { rule: 'health-key-bad-separator', message: `"${suffix}" has no "_" between group and Kind: ArgoCD reads it as a core-group Kind named "${suffix}", which never matches, so the check is silently unused.`, fix: `Write ${m[1]}_${m[2]}.` } };
  }
  return { key: suffix };
}

/** Reads `data` of an argocd-cm ConfigMap (or the chart's `configs.cm`) at `dataPath` in `doc`. */
export function readArgocdCmData(doc: YamlDoc, dataPath: YamlPath, at: DocPlacement, holder: string, origin: 'argocd-cm' | 'helm-values'): HealthConfig {
  const node = doc.node(dataPath);
  if (!isMap(node)) return { checks: [], problems: [] };
  const entries: { key: string; path: YamlPath }[] = [];
  for (const pair of node.items) if (isPair(pair) && isScalar(pair.key)) entries.push({ key: String(pair.key.value), path: [...dataPath, String(pair.key.value)] });
  return readArgocdCmEntries(doc, entries, at, holder, origin);
}

/**
 * Reads argocd-cm data entries: each `key` with its value at `path` in `doc` (a map entry of `data`, or the
 * `value` of a JSON6902 operation that adds one key).
 */
export function readArgocdCmEntries(doc: YamlDoc, entries: readonly { key: string; path: YamlPath }[], at: DocPlacement, holder: string, origin: 'argocd-cm' | 'helm-values'): HealthConfig {
  const out: HealthConfig = { checks: [], problems: [] };
  const health = new Map<string, { script: string; pos: Position; path: YamlPath }>();
  const openLibs = new Map<string, boolean>();
  for (const { key: k, path } of entries) {
    const kpos = place(doc.keyPos(path), at);
    const v = (doc.node(path) ?? null) as Node | null;
    const isString = isScalar(v) && typeof v.value === 'string';
    if (!isString) {
      const shown = isScalar(v) ? String(v.source ?? v.value) : typeName(v);
      out.problems.push(problem('configmap-value-not-string', at.file, place(doc.pos(path), at), holder, k,
        `${holder}: data "${k}" is the YAML ${typeName(v)} ${shown}, not a string. ConfigMap data values must be strings: the apply fails (cannot unmarshal ${typeName(v)} into ConfigMap.data of type string).`,
        `Quote the value: ${k}: "${shown}"`));
    }
    if (k !== PREFIX && !k.startsWith(`${PREFIX}.`)) continue;
    if (k === PREFIX) {
      if (isString) out.checks.push(...readLegacyBlock(doc, path, at, holder, origin === 'argocd-cm' ? 'argocd-cm-legacy' : origin, out.problems));
      continue;
    }
    const parts = splitN(k, '.', 4);
    const type = parts[2] ?? '';
    if (!(CUSTOMIZATION_TYPES as readonly string[]).includes(type) || parts.length < 4) {
      out.problems.push(problem('health-customization-unknown-type', at.file, kpos, holder, k,
        `${holder}: "${k}" names the customization type "${type}", which ArgoCD does not know (${CUSTOMIZATION_TYPES.join(', ')}). ArgoCD fails to load every resource override when it meets it (settings.go:1226).`,
        `Use resource.customizations.<type>.<group>_<Kind> with one of: ${CUSTOMIZATION_TYPES.join(', ')}.`));
      continue;
    }
    if (type !== 'health' && type !== 'useOpenLibs') continue;
    const { key, problem: p } = checkSplitSuffix(parts[3]!);
    if (p) {
      out.problems.push(problem(p.rule, at.file, kpos, holder, k, `${holder}: ${p.message}`, p.fix));
      continue;
    }
    if (!isString) continue;
    const text = String((v as Scalar).value);
    if (type === 'health') health.set(key!, { script: text, pos: kpos, path });
    else {
      const b = PARSE_BOOL[text];
      if (b === undefined) {
        out.problems.push(problem('health-useopenlibs-invalid', at.file, place(doc.pos(path), at), holder, k,
          `${holder}: "${k}" is "${text}", which Go's strconv.ParseBool rejects (it accepts 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False).`,
          `Write "true" or "false".`));
      } else openLibs.set(key!, b);
    }
  }
  const legacyKeys = new Map(out.checks.map((c) => [c.key, c]));
  for (const [key, h] of health) {
    const sp = scriptPlacement(doc, h.path, at);
    const shadowed = legacyKeys.get(key);
    if (shadowed) {
      out.problems.push(problem('health-check-shadowed', at.file, h.pos, holder, `shadow:${key}`,
        `${holder}: ${key} has a health check both in the resource.customizations block (line ${shadowed.pos.line}) and as a split key; the split key wins and the block's script is never used.`,
        'Keep one definition: delete the health.lua in the resource.customizations block.'));
      out.checks = out.checks.filter((c) => c !== shadowed);
    }
    out.checks.push({ key, script: h.script, useOpenLibs: openLibs.get(key) ?? shadowed?.useOpenLibs ?? false, origin, file: at.file, pos: h.pos, scriptLine: sp.line, scriptColumn: sp.column, holder });
  }
  return out;
}

/** Go's strings.SplitN. */
function splitN(s: string, sep: string, n: number): string[] {
  const parts = s.split(sep);
  return parts.length <= n ? parts : [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

/**
 * Reads the legacy `resource.customizations` YAML block (a string holding YAML) at `path` in `doc`.
 * Problems are appended to `problems`.
 */
export function readLegacyBlock(doc: YamlDoc, path: YamlPath, at: DocPlacement, holder: string, origin: HealthOrigin, problems: ConfigProblem[]): HealthCheckDef[] {
  const node = doc.node(path);
  if (!isScalar(node) || typeof node.value !== 'string') return [];
  const start = scriptPlacement(doc, path, at);
  const inner: DocPlacement = { file: at.file, lineOffset: start.line - 1, columnOffset: start.column - 1 };
  let parsed = parseYamlText(node.value);
  if (parsed.problems.length && parsed.problems.every((p) => p.kind === 'yaml-syntax')) {
    // ArgoCD reads the block with go-yaml, which accepts under-indented continuation lines of quoted scalars.
    const lenient = reindentQuotedContinuations(node.value);
    const again = lenient === undefined ? undefined : parseYamlText(lenient);
    if (again && again.problems.length === 0) parsed = again;
  }
  const first = parsed.problems[0];
  if (first) {
    problems.push(problem('health-config-invalid', at.file, place({ line: first.line, column: first.column }, inner), holder, `${path.join('.')}:yaml`,
      `${holder}: the resource.customizations block is not valid YAML: ${first.message}. ArgoCD cannot load any resource override.`, 'Fix the YAML of the block.'));
    return [];
  }
  const d = parsed.docs[0];
  const m = d?.node([]);
  if (!d || !isMap(m)) return [];
  const checks: HealthCheckDef[] = [];
  for (const pair of m.items) {
    if (!isPair(pair) || !isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    const kpos = place(d.keyPos([key]), inner);
    const entry = pair.value as Node | null;
    if (!isMap(entry)) continue;
    let script: { text: string; path: YamlPath } | undefined;
    let useOpenLibs = false;
    for (const f of entry.items) {
      if (!isPair(f) || !isScalar(f.key)) continue;
      const field = String(f.key.value);
      const fpath = [key, field];
      if (!(LEGACY_FIELDS as readonly string[]).includes(field)) {
        problems.push(problem('health-customization-unknown-type', at.file, place(d.keyPos(fpath), inner), holder, `${key}.${field}`,
          `${holder}: "${field}" under "${key}" is not a field ArgoCD reads (${LEGACY_FIELDS.join(', ')}); it is silently ignored.`,
          field === 'health' ? 'Write health.lua.' : `Use one of ${LEGACY_FIELDS.join(', ')}.`));
        continue;
      }
      const fv = f.value as Node | null;
      if (field === 'health.lua' && isScalar(fv) && typeof fv.value === 'string') script = { text: fv.value, path: fpath };
      if (field === 'health.lua.useOpenLibs') {
        if (isScalar(fv) && typeof fv.value === 'boolean') useOpenLibs = fv.value;
        else {
          problems.push(problem('health-useopenlibs-invalid', at.file, place(d.pos(fpath), inner), holder, `${key}.${field}`,
            `${holder}: health.lua.useOpenLibs under "${key}" must be a YAML boolean here (the block is decoded into a Go bool); ArgoCD fails to load the block.`, 'Write true or false, unquoted.'));
        }
      }
    }
    if (!script) continue;
    const sp = scriptPlacement(d, script.path, inner);
    checks.push({ key, script: script.text, useOpenLibs, origin, file: at.file, pos: kpos, scriptLine: sp.line, scriptColumn: sp.column, holder });
  }
  return checks;
}

/** Reads the operator's ArgoCD CR at `path` in `doc` (spec.resourceHealthChecks, spec.resourceCustomizations). */
export function readArgoCdCr(doc: YamlDoc, path: YamlPath, at: DocPlacement, holder: string): HealthConfig {
  const out: HealthConfig = { checks: [], problems: [] };
  const legacyPath = [...path, 'spec', 'resourceCustomizations'];
  const legacy = doc.node(legacyPath);
  if (legacy) {
    out.problems.push(problem('argocd-cr-deprecated-resourcecustomizations', at.file, place(doc.keyPos(legacyPath), at), holder, 'spec.resourceCustomizations',
      `${holder}: spec.resourceCustomizations is deprecated; since the operator's v1beta1 API (OpenShift GitOps 1.10) it cannot be set, so the application managing this CR stays OutOfSync and its health checks disappear.`,
      'Move each health.lua into spec.resourceHealthChecks (group, kind, check).'));
    out.checks.push(...readLegacyBlock(doc, legacyPath, at, holder, 'argocd-cr-legacy', out.problems));
  }
  const listPath = [...path, 'spec', 'resourceHealthChecks'];
  const list = doc.node(listPath) as { items?: unknown[] } | undefined;
  const items = Array.isArray(list?.items) ? list.items : [];
  items.forEach((_, i) => readHealthCheckItem(doc, [...listPath, i], at, holder, out));
  return out;
}

/**
 * Reads one `spec.resourceHealthChecks` entry (group, kind, check) at `ip` in `doc`, from an ArgoCD CR or
 * from the `value` of a JSON6902 operation that adds one. Checks and problems are appended to `out`.
 */
export function readHealthCheckItem(doc: YamlDoc, ip: YamlPath, at: DocPlacement, holder: string, out: HealthConfig): void {
  const item = doc.node(ip);
  if (!isMap(item)) return;
  const get = (f: string) => {
    const n = doc.node([...ip, f]);
    return isScalar(n) && n.value !== null ? String(n.value) : undefined;
  };
  const group = get('group') ?? '';
  const kind = get('kind') ?? '';
  const check = get('check');
  const pos = place(doc.pos(ip), at);
  if (`${group}${kind}`.includes('*')) {
    out.problems.push(problem('health-key-wildcard', at.file, pos, holder, `${group}/${kind}`,
      `${holder}: resourceHealthChecks entry ${group}/${kind} holds a wildcard; the operator writes it into an argocd-cm key, where "*" is not allowed, and the reconcile fails.`,
      'Name the group and Kind exactly.'));
    return;
  }
  if (!kind || check === undefined) return;
  const sp = scriptPlacement(doc, [...ip, 'check'], at);
  out.checks.push({ key: group ? `${group}/${kind}` : kind, script: check, useOpenLibs: false, origin: 'argocd-cr', file: at.file, pos, scriptLine: sp.line, scriptColumn: sp.column, holder });
}
