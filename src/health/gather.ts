/**
 * The source step of the health area: finds every custom health check on one side of a change, reads
 * the configuration around it, and runs the scripts (test suites, fresh objects) in the sandbox, so the
 * health check itself stays a pure function of these facts. Called by the engine for each side.
 */
import { minimatch } from 'minimatch';
import { touchedPaths, type Change, type Position, type TreeReader } from '../core/model.js';
import { baseName, dirName, isKustomization } from '../manifests/manifest-file.js';
import { decodeText, type YamlLimits } from '../manifests/yaml-doc.js';
import { splitApiVersion } from '../manifests/resource.js';
import type { Policy } from '../policy/types.js';
import { globMatch, overrideKey } from '../argocd/builtin-health.js';
import { healthConfigOfFileCached } from '../argocd/health-sources.js';
import { analyzeLua, type LuaProblem } from './lua-static.js';
import type { EncodedInput } from './encoded-input.js';
import { argoHealth, type LuaRunRequest } from './lua-vm.js';
import type { ConfigProblem, FreshRun, HealthCheckDef, HealthFacts, HealthTestCase, HealthTestRun, ShapeRun } from './model.js';
import { createLuaRunner, type LuaRunner } from './runner-host.js';
import { HEALTH_CONFIG_TEXT } from '../argocd/health-markers.js';
import type { RepoLayout } from '../argocd/layout.js';

/** ArgoCD's view of one side's tree (the engine's, cached per tree). */
export type LayoutOf = (tree: TreeReader) => Promise<RepoLayout>;
import { joinPath, parseSuite } from './suites.js';
import { readArgoYamlObject, type ArgoYamlObject } from '../argocd/argo-yaml.js';
import { isRecord } from '../core/values.js';
import { readPlainYaml } from './input-yaml.js';
import { SAFE_PARSE_DEPTH } from '../manifests/yaml-guard.js';

const CONFIG_MARKERS = HEALTH_CONFIG_TEXT;


/**
 * Gathers health facts for the head side and, in diff mode with a base, the base side. One worker runs
 * every script of the evaluation and is stopped at the end. Needs no parsed manifests, so the engine
 * starts it while it reads the files in scope.
 */
export async function gatherHealthFacts(change: Change, policy: Policy, isManifest: (p: string) => boolean, layout: LayoutOf): Promise<{ head: HealthFacts; base?: HealthFacts }> {
  const runner = createLuaRunner();
  try {
    const head = await gatherHealth(change.head, policy, isManifest, runner, layout);
    if (change.mode !== 'diff' || !change.base) return { head };
    // When the change touches no health-check source, the base has the same facts: skip re-running them.
    const base = (await touchesHealth(change, policy, isManifest, head, layout)) ? await gatherHealth(change.base, policy, isManifest, runner, layout) : head;
    return { head, base };
  } finally {
    await runner.close();
  }
}

/**
 * True when a changed file is a health-check source on either side: a file the head facts came from
 * (configuration, layout checks, suites and their inputs), a file under the layout globs, or a changed
 * manifest whose base version holds health-check configuration.
 */
async function touchesHealth(change: Change, policy: Policy, isManifest: (p: string) => boolean, head: HealthFacts, layout: LayoutOf): Promise<boolean> {
  const sources = new Set(head.files);
  const inLayout = policy.health.layout.map((g) => new minimatch.Minimatch(g, { dot: true }));
  const paths = touchedPaths(change);
  if (paths.some((p) => sources.has(p) || inLayout.some((m) => m.match(p)))) return true;
  const baseTexts = (await layout(change.base!)).healthTexts;
  const baseKustomizations = paths.filter((p) => isManifest(p) && isKustomization(p));
  const contents = baseKustomizations.length ? await change.base!.readFiles(baseKustomizations) : new Map<string, Uint8Array | undefined>();
  if (paths.some((p) => baseTexts.has(p))) return true;
  for (const b of contents.values()) {
    const t = b === undefined ? undefined : decodeText(b);
    if (t !== undefined && CONFIG_MARKERS.test(t)) return true;
  }
  return false;
}

/** The group/Kind of a layout check from its path (`<dir>/<group>/<Kind>/health.lua`); `_` means `*`. */
export function layoutKey(path: string): string | undefined {
  const parts = path.split('/');
  if (parts.length < 3) return undefined;
  const kind = parts[parts.length - 2]!;
  const group = parts[parts.length - 3]!;
  const star = (s: string) => s.replace(/_/g, '*');
  return group === 'core' || group === '' ? star(kind) : `${star(group)}/${star(kind)}`;
}

/**
 * Picks the script ArgoCD would run for a group/Kind among the gathered checks, in the order of
 * `util/lua/lua.go` GetHealthScript: configured exact key, configured wildcard, then layout checks
 * (exact, then wildcard, sorted by file). Made for many kinds over one list of checks: exact keys are
 * indexed once and each group/Kind's pick is made once, so the list must not change while the picker is used.
 */
export function checkPicker(checks: readonly HealthCheckDef[]): (group: string, kind: string) => HealthCheckDef | undefined {
  const exact = new Map<string, HealthCheckDef>();
  const layoutExact = new Map<string, HealthCheckDef>();
  const wild: HealthCheckDef[] = [];
  const layoutWild: HealthCheckDef[] = [];
  for (const c of checks) {
    const layout = c.origin === 'layout';
    if (c.key.includes('*')) (layout ? layoutWild : wild).push(c);
    // The first of a key wins, as a search of the list in order does.
    const m = layout ? layoutExact : exact;
    if (!m.has(c.key)) m.set(c.key, c);
  }
  layoutWild.sort((a, b) => a.file.localeCompare(b.file));
  const picked = new Map<string, HealthCheckDef | undefined>();
  return (group, kind) => {
    const key = overrideKey(group, kind);
    if (picked.has(key)) return picked.get(key);
    const c = exact.get(key) ?? wild.find((x) => globMatch(x.key, key)) ?? layoutExact.get(key) ?? layoutWild.find((x) => globMatch(x.key, key, false));
    picked.set(key, c);
    return c;
  };
}

/** A freshly created object of a kind: no status yet, as ArgoCD sees it right after the first apply. */
export function freshObject(key: string): Record<string, unknown> {
  const i = key.lastIndexOf('/');
  const group = i < 0 ? '' : key.slice(0, i);
  const kind = i < 0 ? key : key.slice(i + 1);
  return {
    apiVersion: group ? `${group}/v1` : 'v1',
    kind,
    metadata: { name: 'example', namespace: 'default', generation: 1, uid: '00000000-0000-0000-0000-000000000000', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {},
  };
}

/** Test inputs read by text: base and head share most of them, and a case may reuse another's input. */
const inputCache = new Map<string, ArgoYamlObject>();
const INPUT_CACHE_MAX = 5000;
/** Texts the line reader refused (in the worker): {@link readInput} reads them the exact way at once. */
const refusedPlain = new Set<string>();
/** Inputs the worker read and encoded, by the same key: their cases run without the object on this thread. */
const encodedReads = new Map<string, EncodedInput>();

const inputKey = (text: string, limits: YamlLimits) => `${limits.maxAliasCount},${limits.maxDepth},${limits.maxDocuments},${limits.maxFileBytes}\0${text}`;
/** The nesting the line reader accepts under `limits` (the exact reader's guard has the last word beyond it). */
const plainDepth = (limits: YamlLimits) => Math.min(limits.maxDepth, SAFE_PARSE_DEPTH) - 2;

/** Starts the caches of inputs over when one of them is full. */
function bound(): void {
  if (inputCache.size < INPUT_CACHE_MAX && encodedReads.size < INPUT_CACHE_MAX && refusedPlain.size < INPUT_CACHE_MAX) return;
  inputCache.clear();
  refusedPlain.clear();
  encodedReads.clear();
}

function remember(key: string, r: ArgoYamlObject): void {
  bound();
  inputCache.set(key, r);
}

/** Reads a test input as ArgoCD's test does ({@link readArgoYamlObject}), once per text and limits. */
function readInput(text: string, limits: YamlLimits): ArgoYamlObject {
  const key = inputKey(text, limits);
  let r = inputCache.get(key);
  if (!r) {
    // The plain shape of nearly every input is read by the line reader; anything else the exact way.
    const plain = refusedPlain.has(key) ? undefined : readPlainYaml(text, plainDepth(limits));
    remember(key, (r = plain ? { value: plain, lenient: false } : readArgoYamlObject(text, limits)));
  }
  return r;
}

/**
 * Has the runner's worker read and encode `text` with the line reader ahead of the cases that use it: they then
 * run on the encoding ({@link encodedReads}), or, when the worker refused the text, {@link readInput} reads it
 * the exact way without trying the line reader again.
 * @returns when the worker has answered; never rejects
 */
function readAhead(text: string, limits: YamlLimits, runner: LuaRunner): Promise<void> {
  const key = inputKey(text, limits);
  if (encodedReads.has(key) || refusedPlain.has(key)) return Promise.resolve();
  return runner.parse(text, plainDepth(limits)).then(
    (read) => {
      bound();
      if (read) encodedReads.set(key, read);
      else refusedPlain.add(key);
    },
    () => undefined,
  );
}

/** The input of a case read from its text on this thread (`file`: its path, for the error). */
function readCaseInput(text: string, file: string, limits: YamlLimits): HealthTestCase['input'] {
  const read = readInput(text, limits);
  return 'error' in read ? { error: `input file ${file} is ${read.error}` } : read.value;
}

/**
 * Makes `tc.input` read from the text on first use: a case the worker read runs on its encoding, so its object is
 * made here only when something else needs it (status shapes, a rendered check's rerun of a configured kind).
 */
function readOnUse(tc: HealthTestCase, read: () => HealthTestCase['input']): void {
  const settle = (value: HealthTestCase['input']) => Object.defineProperty(tc, 'input', { value, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(tc, 'input', {
    enumerable: true,
    configurable: true,
    get: () => {
      const value = read();
      settle(value);
      return value;
    },
    set: settle,
  });
}

/** A condition as controllers write it. */
const condition = (type: string, status: string) => ({ type, status, reason: status === 'True' ? type : `Not${type}`, message: `${type} is ${status}`, lastTransitionTime: '2026-01-01T00:00:00Z' });
const label = (cs: unknown[]) => cs.map((c) => (isRecord(c) ? `${String(c.type)}=${String(c.status)}` : '?')).join(', ');
/** Most shape runs per check. */
const MAX_SHAPES = 12;

/**
 * Objects of the statuses a resource of `key` passes through: common shapes (an empty status, no
 * conditions, a Ready condition True, False or Unknown, a phase) and, from the inputs of the check's tests,
 * the input with no conditions and with each of its conditions alone. A script that fails on one of them
 * fails in a cluster as soon as the resource reaches that status.
 */
export function statusShapes(key: string, inputs: readonly Record<string, unknown>[]): { shape: string; obj: Record<string, unknown> }[] {
  const fresh = freshObject(key);
  const out: { shape: string; obj: Record<string, unknown> }[] = [
    { shape: 'status = {}', obj: { ...fresh, status: {} } },
    { shape: 'status.conditions = []', obj: { ...fresh, status: { conditions: [] } } },
    ...['True', 'False', 'Unknown'].map((st) => ({ shape: `status.conditions = [Ready=${st}]`, obj: { ...fresh, status: { observedGeneration: 1, conditions: [condition('Ready', st)] } } })),
    { shape: 'status.phase = "Pending"', obj: { ...fresh, status: { phase: 'Pending' } } },
  ];
  const seen = new Set<string>();
  for (const input of inputs) {
    const status = isRecord(input.status) ? input.status : undefined;
    const conds = status && Array.isArray(status.conditions) ? status.conditions : [];
    const variants = [[], ...conds.map((c) => [c])];
    for (const v of variants) {
      const shape = `a test input's status with conditions = [${label(v)}]`;
      if (seen.has(shape)) continue;
      seen.add(shape);
      out.push({ shape, obj: { ...input, status: { ...status, conditions: v } } });
    }
  }
  return out.slice(0, MAX_SHAPES);
}

/** The request to run check `c` on `obj` under the area's limits (the runner prepares each script once). */
export function runRequest(c: HealthCheckDef, obj: Record<string, unknown>, settings: Policy['health']): LuaRunRequest {
  return { script: c.script, obj, useOpenLibs: c.useOpenLibs, timeoutMs: settings.timeoutMs, memoryBytes: settings.memoryLimitMiB * 1024 * 1024 };
}

/** Gathers the facts of one side. */
export async function gatherHealth(tree: TreeReader, policy: Policy, isManifest: (p: string) => boolean, runner: LuaRunner, layout: LayoutOf): Promise<HealthFacts> {
  const settings = policy.health;
  const limits = policy.manifests.limits;
  const facts: HealthFacts = { checks: [], problems: [], tests: [], fresh: [], shapes: [], notEvaluated: [], skipped: [], files: [] };
  const index = await layout(tree);
  const all = index.files;
  const inLayout = settings.layout.map((g) => new minimatch.Minimatch(g, { dot: true }));
  const layoutFiles = all.filter((p) => (baseName(p) === 'health.lua' || baseName(p) === 'health_test.yaml') && inLayout.some((m) => m.match(p)));
  facts.files.push(...layoutFiles);
  // The worker loads the Lua module while the files are read and the suites and their inputs parsed here.
  if (settings.execute && layoutFiles.some((p) => baseName(p) === 'health_test.yaml')) runner.start();
  // Manifest texts come from the repository index the engine reads anyway (one batch per side); only
  // kustomizations (for inline patches), layout files and test inputs are read here, when there are any.
  const indexed = index.healthTexts;
  const kustomizations = all.filter((p) => isManifest(p) && isKustomization(p) && !layoutFiles.includes(p) && !indexed.has(p));
  // The inputs of the suites: in ArgoCD's layout, the files under testdata/ next to each health_test.yaml (a case
  // naming another file reads it after the suites are parsed). They are read from git while the scripts and
  // suites are, and as soon as they are, the worker reads them as YAML (readAhead) while this thread analyses
  // the scripts (below).
  const likelyInputs = testdataFiles(all, layoutFiles);
  const decoded = new Map<string, string>();
  let inputsRead = false;
  const readInputsAhead = async () => {
    const bytes = await tree.readFiles(likelyInputs);
    const ahead: Promise<void>[] = [];
    for (const [p, b] of bytes) {
      const t = b === undefined ? undefined : decodeText(b);
      if (t === undefined) continue;
      decoded.set(p, t);
      ahead.push(readAhead(t, limits, runner));
    }
    await Promise.all(ahead);
    return bytes;
  };
  const readingInputs = likelyInputs.length && settings.execute ? readInputsAhead().finally(() => (inputsRead = true)) : undefined;
  // A failed read of the inputs is thrown where they are awaited, not left unhandled meanwhile.
  readingInputs?.catch(() => undefined);
  const toRead = [...kustomizations, ...layoutFiles];
  const contents = new Map<string, Uint8Array | undefined>(toRead.length ? await tree.readFiles(toRead) : []);
  const configFiles = [...indexed.keys(), ...kustomizations].filter((p) => !layoutFiles.includes(p)).sort();
  const text = (p: string) => {
    const known = indexed.get(p);
    if (known !== undefined) return known;
    const b = contents.get(p);
    return b === undefined ? undefined : decodeText(b);
  };

  let operatorCrs = 0;
  for (const p of configFiles) {
    const t = text(p);
    if (t === undefined || !CONFIG_MARKERS.test(t)) continue;
    facts.files.push(p);
    const c = healthConfigOfFileCached(p, t, limits);
    facts.checks.push(...c.checks);
    facts.problems.push(...c.problems);
    operatorCrs += c.operatorCrs;
  }
  if (operatorCrs > 0) {
    for (const c of facts.checks.filter((x) => x.origin === 'argocd-cm' || x.origin === 'argocd-cm-legacy')) {
      facts.problems.push({ rule: 'argocd-cm-managed-by-operator', file: c.file, pos: c.pos, subject: `${c.holder} ${c.key}`, key: c.key, message: `${c.holder} defines a health check for ${c.key}, but this repository also holds an ArgoCD CR: the operator owns argocd-cm and reverts keys added to it on its next reconcile.`, fix: 'Move the check into the ArgoCD CR: spec.resourceHealthChecks (group, kind, check).' });
    }
  }
  facts.problems.push(...wildcardOverlaps(facts.checks));
  for (const p of layoutFiles.filter((x) => baseName(x) === 'health.lua')) {
    const t = text(p);
    const key = layoutKey(p);
    if (t === undefined || !key) continue;
    facts.checks.push({ key, script: t, useOpenLibs: true, origin: 'layout', file: p, pos: { line: 1, column: 1 }, scriptLine: 1, scriptColumn: 1, holder: dirName(p) });
  }

  // Each script is analysed when its first run is posted, so the worker runs one check's cases while the next
  // check is analysed here; the findings keep the checks' order (added after the runs are posted).
  const analyses = new ScriptAnalyses();
  const compiles = (c: HealthCheckDef) => analyses.compiles(c);
  if (!settings.execute) {
    facts.problems.push(...analyses.problems(facts.checks));
    return facts;
  }

  let runs = 0;
  const budget = () => {
    if (runs >= settings.maxRunsPerSide) return false;
    runs++;
    return true;
  };
  // The runner rewrites each script (rewriteConcat) once, reusing the static check's parse; the worker only
  // compiles and runs them.
  const request = (c: HealthCheckDef, obj: Record<string, unknown>): LuaRunRequest => runRequest(c, obj, settings);

  const fresh: Promise<FreshRun>[] = [];
  for (const c of facts.checks) {
    if (c.origin === 'layout' || c.key.includes('*') || !compiles(c)) continue;
    if (!budget()) {
      facts.notEvaluated.push(`health check for ${c.key} in ${c.file}: not run on a fresh object, the limit of script runs per side was reached`);
      facts.skipped.push({ check: c });
      continue;
    }
    // Runs are pipelined: the worker makes them in order while the next ones are posted.
    fresh.push(runner.run(request(c, freshObject(c.key))).then((result) => ({ check: c, result }) satisfies FreshRun));
  }

  // While the inputs are still being read, here and in the worker, the scripts are analysed (the rest of them as
  // their first runs go).
  if (readingInputs) {
    for (const c of facts.checks) {
      if (inputsRead) break;
      analyses.of(c);
      await new Promise<void>((r) => setImmediate(r));
    }
    for (const [p, b] of await readingInputs) contents.set(p, b);
  }
  const suites = layoutFiles.filter((x) => baseName(x) === 'health_test.yaml');
  const inputs = new Map<string, string | undefined>();
  const parsedSuites = suites.map((s) => ({ file: s, ...parseSuite(s, text(s) ?? '') }));
  const wanted = parsedSuites.flatMap((s) => s.cases.map((c) => joinPath(dirName(s.file), c.inputPath)));
  facts.files.push(...wanted);
  const unread = [...new Set(wanted)].filter((p) => !contents.has(p));
  const inputBytes = unread.length ? await tree.readFiles(unread) : new Map<string, Uint8Array | undefined>();
  for (const p of new Set(wanted)) {
    const b = contents.has(p) ? contents.get(p) : inputBytes.get(p);
    inputs.set(p, b === undefined ? undefined : (decoded.get(p) ?? decodeText(b)));
  }
  const tests: Promise<HealthTestRun>[] = [];
  // The checks are all known here.
  const pick = checkPicker(facts.checks);
  for (const s of parsedSuites) {
    for (const tc of s.cases) {
      const inputFile = joinPath(dirName(s.file), tc.inputPath);
      const t = inputs.get(inputFile);
      const encoded = t === undefined ? undefined : encodedReads.get(inputKey(t, limits));
      if (t === undefined) tc.input = { error: `input file ${inputFile} not found` };
      else if (encoded) {
        tc.encodedInput = encoded;
        readOnUse(tc, () => readCaseInput(t, inputFile, limits));
      } else tc.input = readCaseInput(t, inputFile, limits);
      tests.push(runCase(tc, inputFile, pick, compiles, runner, request, budget, facts));
      // The runs posted so far go to the worker now (the runner sends what was posted before a microtask
      // checkpoint as one message), so it runs them while the rest of the inputs are parsed here.
      if (tests.length % PIPELINE_BATCH === 0) await Promise.resolve();
    }
  }
  facts.problems.push(...analyses.problems(facts.checks), ...parsedSuites.flatMap((s) => s.problems));
  facts.tests.push(...(await Promise.all(tests)));
  // Configured checks run on the statuses a resource passes through, after the tests, while the budget lasts.
  const shapes: Promise<ShapeRun>[] = [];
  let shapesLeftOut = 0;
  for (const c of facts.checks) {
    if (c.origin === 'layout' || c.key.includes('*') || !compiles(c)) continue;
    const inputs = facts.tests.filter((t) => t.checkFile === c.file && t.checkKey === c.key && !('error' in t.case.input)).map((t) => t.case.input as Record<string, unknown>);
    for (const s of statusShapes(c.key, inputs)) {
      if (!budget()) {
        shapesLeftOut++;
        continue;
      }
      shapes.push(runner.run(request(c, s.obj)).then((result) => ({ check: c, shape: s.shape, result }) satisfies ShapeRun));
    }
  }
  if (shapesLeftOut) facts.notEvaluated.push(`${shapesLeftOut} run(s) of configured health checks on common status shapes: the limit of script runs per side was reached`);
  facts.fresh.push(...(await Promise.all(fresh)));
  facts.shapes.push(...(await Promise.all(shapes)));
  return facts;
}

/**
 * The static checks of health scripts (lua-static.ts `analyzeLua`), each made once, when first asked for.
 */
export class ScriptAnalyses {
  private readonly found = new Map<HealthCheckDef, LuaProblem[]>();

  /** The static findings on `c`'s script. */
  of(c: HealthCheckDef): LuaProblem[] {
    let f = this.found.get(c);
    if (!f) this.found.set(c, (f = analyzeLua(c.script, c.useOpenLibs)));
    return f;
  }

  /** Whether `c`'s script compiles (no `lua-syntax-error`): only such scripts are run. */
  compiles(c: HealthCheckDef): boolean {
    return !this.of(c).some((f) => f.rule === 'lua-syntax-error');
  }

  /** The static findings on `checks`, in their order, placed at the script's lines in their files. */
  problems(checks: readonly HealthCheckDef[]): ConfigProblem[] {
    return checks.flatMap((c) => this.of(c).map((f) => ({ rule: f.rule, file: c.file, pos: scriptPos(c, f.pos), subject: `${c.holder} ${c.key}`, key: `${c.key}:${f.key}`, message: `Health check for ${c.key} (${c.holder}): ${f.message}`, fix: f.fix })));
  }
}

export async function runCase(
  tc: HealthTestRun['case'],
  inputFile: string,
  pick: (group: string, kind: string) => HealthCheckDef | undefined,
  compiles: (c: HealthCheckDef) => boolean,
  runner: LuaRunner,
  request: (c: HealthCheckDef, obj: Record<string, unknown>) => LuaRunRequest,
  budget: () => boolean,
  facts: HealthFacts,
): Promise<HealthTestRun> {
  const encoded = tc.encodedInput;
  if (!encoded && 'error' in tc.input) return { case: tc, actual: { status: 'Unknown', message: String(tc.input.error) }, pass: false };
  // A case the worker read runs on its encoding: its object is never made on this thread.
  const fields = encoded ?? (tc.input as Record<string, unknown>);
  const { group } = splitApiVersion(String(fields.apiVersion ?? ''));
  const kind = String(fields.kind ?? '');
  const check = pick(group, kind);
  if (!check) return { case: tc, actual: { status: 'Unknown', message: `no custom health check for ${overrideKey(group, kind)} in this repository` }, pass: false };
  if (!compiles(check)) return { case: tc, checkKey: check.key, checkFile: check.file, actual: { status: 'Unknown', message: 'the health script does not compile' }, pass: false };
  if (!budget()) {
    // Not a pass: the health check reports the checks left unrun (health-test-budget-exhausted).
    facts.notEvaluated.push(`${tc.file} test ${tc.index + 1}: the limit of script runs per side was reached`);
    facts.skipped.push({ check, case: tc, inputFile });
    return { case: tc, checkKey: check.key, checkFile: check.file, actual: { status: '', message: 'not run' }, pass: false, notRun: true };
  }
  const req = encoded ? { ...request(check, {}), encoded: encoded.bytes } : request(check, tc.input as Record<string, unknown>);
  const result = await runner.run(req);
  const actual = argoHealth(result);
  const pass = actual.status === tc.expected.status && actual.message === tc.expected.message;
  return { case: tc, checkKey: check.key, checkFile: check.file, actual, result, pass };
}

/** Test cases parsed between two sends of runs to the worker. */
const PIPELINE_BATCH = 64;

/** File names read with the suites, as likely test inputs (other names are read when a case names them). */
const INPUT_NAME = /\.(ya?ml|json)$/;

/**
 * The files under `testdata/` (at any depth) of the directories that hold a `health_test.yaml` among
 * `layoutFiles`: the inputs of ArgoCD's layout, read in one batch with the suites.
 */
export function testdataFiles(all: readonly string[], layoutFiles: readonly string[]): string[] {
  const prefixes = new Set(layoutFiles.filter((p) => baseName(p) === 'health_test.yaml').map((p) => (dirName(p) ? `${dirName(p)}/testdata/` : 'testdata/')));
  if (prefixes.size === 0) return [];
  return all.filter((p) => {
    if (!INPUT_NAME.test(p)) return false;
    for (let i = p.indexOf('testdata/'); i >= 0; i = p.indexOf('testdata/', i + 1)) {
      if ((i === 0 || p[i - 1] === '/') && prefixes.has(p.slice(0, i + 'testdata/'.length))) return true;
    }
    return false;
  });
}

/** Maps a position inside a script to its file. */
export function scriptPos(c: HealthCheckDef, p: Position): Position {
  if (c.scriptUnplaced) return { line: c.scriptLine, column: c.scriptColumn };
  return { line: c.scriptLine + p.line - 1, column: p.line === 1 ? c.scriptColumn + p.column - 1 : p.column + c.scriptColumn - 1 };
}

/** C7: several wildcard keys matching the same group/Kind make ArgoCD's pick non-deterministic (lua.go). */
export function wildcardOverlaps(checks: HealthCheckDef[]): ConfigProblem[] {
  const wild = checks.filter((c) => c.key.includes('*') && c.origin !== 'layout');
  const out: ConfigProblem[] = [];
  for (let i = 0; i < wild.length; i++) {
    for (let j = i + 1; j < wild.length; j++) {
      const a = wild[i]!;
      const b = wild[j]!;
      const sample = (k: string) => k.replace(/\*/g, 'x');
      if (a.key !== b.key && (globMatch(a.key, sample(b.key)) || globMatch(b.key, sample(a.key)))) {
        out.push({ rule: 'health-wildcard-overlap', file: b.file, pos: b.pos, subject: `${b.holder} ${b.key}`, key: `${a.key}|${b.key}`, message: `The wildcard health checks "${a.key}" (${a.file}:${a.pos.line}) and "${b.key}" match the same kinds: ArgoCD picks one of them at random (Go map order, util/lua/lua.go getWildcardHealthOverrideLua).`, fix: 'Make the wildcards disjoint, or add an exact key for the kinds both match.' });
      }
    }
  }
  return out;
}
