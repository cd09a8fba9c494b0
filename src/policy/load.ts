/**
 * Loading the policy: YAML parsed with positions, validated against policies/schema.json (JSON Schema
 * 2020-12; ./schema-validator.ts, Ajv standalone code in the bundles), merged over the built-in default
 * policy. Every error names the file, the line and the setting; unknown settings and unknown rule ids are errors.
 */
import { createHash } from 'node:crypto';
import type { ErrorObject } from 'ajv/dist/2020.js';
import defaultPolicyText from '../../policies/default.yaml';
import { ConfigError } from '../core/errors.js';
import type { PolicySource, TreeReader } from '../core/model.js';
import { decodeText, parseYamlText, type YamlDoc, type YamlPath } from '../manifests/yaml-doc.js';
import type { Policy } from './types.js';
import { policyValidator } from './schema-validator.js';
import { isRecord } from '../core/values.js';

/** The built-in default policy's file name, as reports name it. */
export const DEFAULT_POLICY_NAME = 'policies/default.yaml (built in)';
/** File names looked up when the configured policy path is a directory. */
export const POLICY_FILE_NAMES = ['gitops-gate.yaml', 'gitops-gate.yml'];

/** Deep-merges `over` onto `base`: mappings merge key by key, everything else (lists too) replaces. */
export function mergeSettings(base: unknown, over: unknown): unknown {
  if (!isRecord(base) || !isRecord(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = mergeSettings(base[k], v);
  return out;
}

/** JSON pointer (`/review/rules/0`) to a YAML path (`['review','rules',0]`). */
function pointerToPath(pointer: string, doc: YamlDoc): (string | number)[] {
  if (!pointer) return [];
  const out: (string | number)[] = [];
  let cur: unknown = doc.value;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      out.push(Number(seg));
      cur = cur[Number(seg)];
    } else {
      out.push(seg);
      cur = isRecord(cur) ? cur[seg] : undefined;
    }
  }
  return out;
}

/** `review.rules[0].count` from a YAML path. */
export function settingName(path: YamlPath): string {
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : s ? `.${seg}` : seg;
  return s || '(top level)';
}

function describeAjvError(e: ErrorObject, doc: YamlDoc): { path: YamlPath; atKey: boolean; message: string } {
  const path = pointerToPath(e.instancePath, doc);
  const where = settingName(path);
  switch (e.keyword) {
    case 'additionalProperties': {
      const prop = String((e.params as { additionalProperty: string }).additionalProperty);
      const full = [...path, prop];
      return { path: full, atKey: true, message: `unknown setting "${settingName(full)}"${where === '(top level)' ? '' : ` under ${where}`}` };
    }
    case 'enum':
      return { path, atKey: false, message: `setting "${where}" must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}` };
    case 'const':
      return { path, atKey: false, message: `setting "${where}" must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}` };
    case 'required': {
      const prop = String((e.params as { missingProperty: string }).missingProperty);
      return { path, atKey: false, message: `setting "${settingName([...path, prop])}" is required` };
    }
    case 'false schema':
      // A setting the shared definition has but this place refuses (review.rules[].if.kinds: src/policy/conditions.ts).
      return { path, atKey: true, message: `setting "${where}" is not available here${/\.if\.(kinds|changes)$/.test(where) ? ': kinds and changes are description conditions (description.conditional[].when); an approval rule is decided before the manifests are read' : ''}` };
    default:
      return { path, atKey: false, message: `setting "${where}" ${e.message ?? 'is invalid'}` };
  }
}

/**
 * Parses and validates one policy file's text (without merging defaults).
 * @param text the YAML text
 * @param file the file name used in error messages
 * @returns the validated value of the file
 * @throws {ConfigError} naming file, line and setting on a syntax error, a schema violation, or an unknown rule id
 */
function parsePolicyText(catalog: RuleCatalog, text: string, file: string): Record<string, unknown> {
  return readPolicyText(text, file, true, catalog);
}

/** {@link parsePolicyText}, optionally without the schema (compiling it costs a noticeable part of a small run). */
function readPolicyText(text: string, file: string, againstSchema: boolean, catalog: RuleCatalog): Record<string, unknown> {
  const RULES = catalog.rules;
  const parsed = parseYamlText(text);
  const first = parsed.problems[0];
  if (first) throw new ConfigError(`policy is not valid YAML: ${first.message}`, { file, line: first.line, column: first.column });
  const docs = parsed.docs.filter((d) => d.value !== undefined && d.value !== null);
  if (docs.length !== 1) {
    throw new ConfigError(docs.length === 0 ? 'policy file is empty' : 'policy file must hold exactly one YAML document', { file, line: docs[1]?.startLine ?? 1 });
  }
  const doc = docs[0]!;
  const validateFn = againstSchema ? policyValidator() : undefined;
  if (validateFn && !validateFn(doc.value)) {
    const errs = (validateFn.errors ?? []).filter((e) => e.keyword !== 'if').map((e) => describeAjvError(e, doc));
    const lines = errs.map((e) => {
      const p = e.atKey ? doc.keyPos(e.path) : doc.pos(e.path);
      return { ...e, pos: p };
    });
    const head = lines[0] ?? { message: 'policy does not match the schema', path: [] as YamlPath, pos: { line: doc.startLine, column: 1 } };
    const rest = lines.slice(1).map((l) => `\n  ${file}:${l.pos.line}:${l.pos.column}: ${l.message}`).join('');
    throw new ConfigError(`${head.message}${rest}`, { file, line: head.pos.line, column: head.pos.column }, settingName(head.path));
  }
  const value = doc.value as Record<string, unknown>;
  if (isRecord(value.rules)) {
    for (const id of Object.keys(value.rules)) {
      if (!RULES.has(id)) {
        const pos = doc.keyPos(['rules', id]);
        const near = [...RULES.keys()].find((k) => k.replace(/-/g, '') === id.replace(/[-_]/g, '').toLowerCase());
        throw new ConfigError(`unknown rule "${id}" under rules${near ? ` (did you mean "${near}"?)` : ''}`, { file, ...pos }, `rules.${id}`);
      }
    }
  }
  if (isRecord(value.controls)) {
    const areas = new Set(catalog.areas);
    for (const id of Object.keys(value.controls)) {
      if (!RULES.has(id) && !areas.has(id)) {
        throw new ConfigError(`controls: "${id}" is neither a rule id nor an area (${catalog.areas.join(', ')})`, { file, ...doc.keyPos(['controls', id]) }, `controls.${id}`);
      }
    }
  }
  return value;
}

const defaults = new WeakMap<RuleCatalog, Record<string, unknown>>();

/**
 * The built-in default policy. Its rule ids are checked here; its schema validation is left to the test
 * suite (test/unit/policy-load.test.ts validates the shipped file), so that a run without a policy file
 * does not compile the schema. @throws {ConfigError} only if the shipped file is broken (a bug).
 */
function defaultPolicyValue(catalog: RuleCatalog): Record<string, unknown> {
  let d = defaults.get(catalog);
  if (!d) defaults.set(catalog, (d = readPolicyText(defaultPolicyText, DEFAULT_POLICY_NAME, false, catalog)));
  return d;
}

/** The built-in default policy's text. */
export function defaultPolicyYaml(): string {
  return defaultPolicyText;
}

/**
 * Loads a policy from text: validates it and merges it over the default policy.
 * @throws {ConfigError} see {@link parsePolicyText}
 */
function loadPolicy(catalog: RuleCatalog, text: string, file: string): Policy {
  const value = parsePolicyText(catalog, text, file);
  return mergeSettings(defaultPolicyValue(catalog), value) as Policy;
}

/** A loaded policy and where it came from. */
export interface ResolvedPolicy {
  policy: Policy;
  source: PolicySource;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The policy path the Action's `policy` input and the CLI's `--policy` default to. */
export const DEFAULT_POLICY_PATH = 'policies';

/** The paths a configured policy path may name: the path itself, or the policy file names in it. */
function policyCandidates(path: string): { clean: string; candidates: string[] } {
  const clean = path.replace(/^\.\//, '').replace(/\/+$/, '');
  return { clean, candidates: /\.ya?ml$/.test(clean) ? [clean] : [clean, ...POLICY_FILE_NAMES.map((n) => (clean ? `${clean}/${n}` : n))] };
}

async function firstExisting(tree: TreeReader, candidates: readonly string[]): Promise<{ path: string; bytes: Uint8Array } | undefined> {
  for (const candidate of candidates) {
    if (!candidate) continue;
    const bytes = await tree.readFile(candidate);
    if (bytes !== undefined) return { path: candidate, bytes };
  }
  return undefined;
}

/**
 * Finds and loads the policy on one side of a change (the base side: a PR must not loosen the policy
 * that judges it). `path` may name a file, or a directory holding `gitops-gate.yaml`. When nothing is
 * there and the side holds no policy file anywhere the gate would find one, the built-in default
 * policy applies.
 *
 * The path comes from the workflow, which a `pull_request` run takes from the PR itself, so it cannot
 * be trusted to name the side's policy (issue "Fail closed", item 5). The side's policy is the
 * authority: when the side holds a policy at {@link DEFAULT_POLICY_PATH}, a path that resolves to any
 * other file fails closed; when the path holds nothing while the side holds a policy at the default
 * location or a `gitops-gate.yaml`/`.yml` anywhere in its tree, the run fails closed instead of falling
 * back to the built-in default.
 *
 * @param tree the side to read from (base, or head in `--all` mode)
 * @param path the configured policy path in the repository
 * @param changedPaths paths the change touches, to tell whether the change edits the policy
 * @throws {ConfigError} when the policy file exists but is invalid, or when the path resolves to
 * another policy than the one the side holds (the message names both paths)
 * @throws {SourceError} when the side's file list cannot be read (only needed when the path holds nothing)
 */
async function resolvePolicy(catalog: RuleCatalog, tree: TreeReader, path: string, changedPaths: readonly string[] = []): Promise<ResolvedPolicy> {
  const { clean, candidates } = policyCandidates(path);
  const changed = (p: string) => changedPaths.includes(p);
  const found = await firstExisting(tree, candidates);
  const atDefault = clean === DEFAULT_POLICY_PATH ? found : await firstExisting(tree, policyCandidates(DEFAULT_POLICY_PATH).candidates);
  // The side is the base commit, or the checked commit in `--all` mode.
  const side = `commit ${tree.label}`;
  if (found) {
    if (atDefault && atDefault.path !== found.path) {
      throw new ConfigError(
        `the configured policy path "${clean}" resolves to "${found.path}", but ${side} holds the policy at "${atDefault.path}": ` +
          `a run must use the policy the base branch holds (the workflow of a pull_request run comes from the pull request), so the gate fails closed. ` +
          `Set the policy input (or --policy) to "${DEFAULT_POLICY_PATH}", or move the policy there.`,
        { file: found.path, line: 1 },
        '(file)',
      );
    }
    const text = decodeText(found.bytes);
    // Fail closed: a policy that cannot be read is an error, never replaced by the default policy.
    if (text === undefined) throw new ConfigError('policy file is not UTF-8 text (binary content or invalid UTF-8)', { file: found.path, line: 1 }, '(file)');
    const policy = loadPolicy(catalog, text, found.path);
    return {
      policy,
      source: { origin: 'repository', path: found.path, ref: tree.label, sha256: sha256(text), changedByThisChange: changed(found.path) },
    };
  }
  const held = atDefault ? [atDefault.path] : (await tree.listFiles()).filter((p) => POLICY_FILE_NAMES.includes(p.slice(p.lastIndexOf('/') + 1))).sort();
  if (held.length) {
    const list = held.slice(0, 5).map((p) => `"${p}"`).join(', ') + (held.length > 5 ? ` and ${held.length - 5} more` : '');
    throw new ConfigError(
      `the configured policy path "${clean}" holds no policy on ${side}, but that commit holds ${held.length === 1 ? 'a policy at' : 'policies at'} ${list}: ` +
        `the gate does not fall back to the built-in default policy and drop those rules (the workflow of a pull_request run comes from the pull request), so it fails closed. ` +
        `Set the policy input (or --policy) to the policy's path.`,
      { file: held[0]!, line: 1 },
      '(file)',
    );
  }
  return {
    policy: mergeSettings(defaultPolicyValue(catalog), {}) as Policy,
    source: {
      origin: 'default',
      path: clean,
      sha256: sha256(defaultPolicyText),
      changedByThisChange: candidates.some(changed),
    },
  };
}

/**
 * What the loader checks a policy's `rules` and `controls` keys against: every rule id and every area id of the
 * areas the gate runs (from the composition root, src/composition.ts).
 */
export interface RuleCatalog {
  rules: ReadonlySet<string> | ReadonlyMap<string, unknown>;
  areas: readonly string[];
}

/** The policy loader for one rule catalogue; see {@link policyLoader}. */
export interface PolicyLoader {
  /**
   * Parses and validates one policy file's text (without merging defaults).
   * @param text the YAML text
   * @param file the file name used in error messages
   * @returns the validated value of the file
   * @throws {ConfigError} naming file, line and setting on a syntax error, a schema violation, or an unknown rule id
   */
  parsePolicyText(text: string, file: string): Record<string, unknown>;
  /**
   * The built-in default policy. Its rule ids are checked here; its schema validation is left to the test
   * suite (test/unit/policy-load.test.ts validates the shipped file), so that a run without a policy file
   * does not compile the schema. @throws {ConfigError} only if the shipped file is broken (a bug).
   */
  defaultPolicyValue(): Record<string, unknown>;
  /**
   * Loads a policy from text: validates it and merges it over the default policy.
   * @throws {ConfigError} see {@link PolicyLoader.parsePolicyText}
   */
  loadPolicy(text: string, file: string): Policy;
  /** Finds and loads the policy on one side of a change; see {@link resolvePolicy}. */
  resolvePolicy(tree: TreeReader, path: string, changedPaths?: readonly string[]): Promise<ResolvedPolicy>;
}

/**
 * The policy loader for the given rule catalogue: the rule ids and area ids a policy may name. The composition
 * root binds it to the gate's areas; a test may bind it to others.
 */
export function policyLoader(catalog: RuleCatalog): PolicyLoader {
  return {
    parsePolicyText: (text, file) => parsePolicyText(catalog, text, file),
    defaultPolicyValue: () => defaultPolicyValue(catalog),
    loadPolicy: (text, file) => loadPolicy(catalog, text, file),
    resolvePolicy: (tree, path, changedPaths) => resolvePolicy(catalog, tree, path, changedPaths),
  };
}
