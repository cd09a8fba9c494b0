/**
 * Health checks that only the rendered objects show: an argocd-cm ConfigMap a Helm chart renders from its
 * values (the argo-cd chart's `configs.cm`, a value file an Application names, inline `valuesObject`), an
 * argocd-cm or an `ArgoCD` CR that a kustomize overlay patches (a JSON6902 patch adding to
 * `/spec/resourceHealthChecks`, in a JSON file the raw reading does not parse). The health area's `rendered`
 * hook runs after the engine's render phase: it reads the rendered objects with the one parser
 * (src/argocd/health-sources.ts), points each check and problem at the source file and line its text comes
 * from, leaves out what the raw reading already found (one finding per check), and validates and runs the
 * rest exactly like raw checks (static Lua checks, fresh object, status shapes, the suites whose kind it covers).
 *
 * Provenance: every string of a rendered config object that occurs verbatim in the render's inputs (a YAML or
 * JSON string of a value file, a patch, the Application's inline values; or a whole file, as a
 * `configMapGenerator` or `.Files.Get` reads it) maps its lines to that source. A check whose script is found
 * nowhere points at the Application (or kustomization, or Chart.yaml) that rendered it.
 */
import { isScalar, Scalar } from 'yaml';
import type { Position, TreeReader } from '../core/model.js';
import type { RenderedContext, RenderedFacts, RenderedGroup, Snapshot } from '../area/contract.js';
import type { Policy } from '../policy/types.js';
import { renderedGroupLabel, type RenderResult, type RenderedObject } from '../render/model.js';
import { parseYamlText, decodeText, type YamlDoc, type YamlLimits, type YamlPath } from '../manifests/yaml-doc.js';
import { splitApiVersion } from '../manifests/resource.js';
import { dirName } from '../manifests/manifest-file.js';
import { isRecord } from '../core/values.js';
import { configuredHealthKeys, healthConfigOfFile } from '../argocd/health-sources.js';
import { scriptPlacement } from '../argocd/health-config.js';
import { HEALTH_CONFIG_TEXT } from '../argocd/health-markers.js';
import type { ConfigProblem, FreshRun, HealthCheckDef, HealthFacts, HealthTestRun, ShapeRun } from './model.js';
import { checkPicker, freshObject, runCase, runRequest, ScriptAnalyses, statusShapes, wildcardOverlaps } from './gather.js';
import { joinPath } from './suites.js';
import { createLuaRunner, type LuaRunner } from './runner-host.js';

/** Where a string of a source file sits. */
interface SourceLoc {
  file: string;
  /** Line and column of the string's first character (a block scalar: its first content line). */
  start: Position;
  /** Position of the key holding it (the start, for a whole file). */
  keyPos: Position;
  /** The source gives the string line by line (a block scalar or a whole file), so inner lines map too. */
  lines: boolean;
}

/** A string of a rendered object mapped to its source. */
interface Span {
  start: Position;
  keyPos: Position;
  /** Lines of the string in the rendered text (1 when it is not a block scalar there). */
  count: number;
  source: SourceLoc;
}

const AT0 = { file: '', lineOffset: 0, columnOffset: 0 };

/** Every string value of a document with its path. */
function strings(v: unknown, path: (string | number)[], out: { path: YamlPath; text: string }[]): void {
  if (typeof v === 'string') out.push({ path: [...path], text: v });
  else if (Array.isArray(v)) v.forEach((x, i) => strings(x, [...path, i], out));
  else if (isRecord(v)) for (const [k, x] of Object.entries(v)) strings(x, [...path, k], out);
}

const isBlock = (doc: YamlDoc, path: YamlPath): boolean => {
  const n = doc.node(path);
  return isScalar(n) && (n.type === Scalar.BLOCK_LITERAL || n.type === Scalar.BLOCK_FOLDED);
};

/** The strings of the candidate files, by text, in candidate order. */
function sourceIndex(files: readonly { path: string; text: string }[], limits: YamlLimits): Map<string, SourceLoc[]> {
  const index = new Map<string, SourceLoc[]>();
  const add = (text: string, loc: SourceLoc) => {
    const l = index.get(text);
    if (l) l.push(loc);
    else index.set(text, [loc]);
  };
  for (const f of files) {
    add(f.text, { file: f.path, start: { line: 1, column: 1 }, keyPos: { line: 1, column: 1 }, lines: true });
    if (!/\.(ya?ml|json)$/i.test(f.path)) continue;
    for (const doc of parseYamlText(f.text, limits).docs) {
      if (doc.broken) continue;
      const found: { path: YamlPath; text: string }[] = [];
      strings(doc.value, [], found);
      for (const s of found) {
        if (!s.text.trim()) continue;
        add(s.text, { file: f.path, start: scriptPlacement(doc, s.path, AT0), keyPos: doc.keyPos(s.path), lines: isBlock(doc, s.path) });
      }
    }
  }
  return index;
}

/** The spans of a rendered object's strings found in the sources. */
function spansOf(doc: YamlDoc, index: ReadonlyMap<string, SourceLoc[]>): Span[] {
  const found: { path: YamlPath; text: string }[] = [];
  strings(doc.value, [], found);
  const out: Span[] = [];
  for (const s of found) {
    const src = index.get(s.text)?.[0];
    if (!src) continue;
    const block = isBlock(doc, s.path);
    out.push({ start: scriptPlacement(doc, s.path, AT0), keyPos: doc.keyPos(s.path), count: block ? s.text.split('\n').length : 1, source: src });
  }
  return out;
}

/** Maps a position of the rendered text to its source, through the innermost span holding it. */
function mapPos(p: Position, spans: readonly Span[]): { file: string; pos: Position; lines: boolean; span: Span } | undefined {
  let best: Span | undefined;
  let onKey = false;
  for (const s of spans) {
    const key = s.keyPos.line === p.line && s.keyPos.column === p.column;
    const inside = p.line >= s.start.line && p.line < s.start.line + s.count && (p.line > s.start.line || p.column >= s.start.column);
    if ((key || inside) && (!best || s.count < best.count)) {
      best = s;
      onKey = key && !inside;
    }
  }
  if (!best) return undefined;
  const src = best.source;
  if (onKey) return { file: src.file, pos: src.keyPos, lines: src.lines, span: best };
  if (!src.lines) return { file: src.file, pos: src.start, lines: false, span: best };
  const line = src.start.line + p.line - best.start.line;
  const column = p.line === best.start.line ? src.start.column + p.column - best.start.column : Math.max(1, p.column - best.start.column + src.start.column);
  return { file: src.file, pos: { line, column }, lines: true, span: best };
}

/** `Application argocd`, `kustomization overlays/prod`, `Helm chart charts/argo-cd`. */
/** The value files of a Helm source that name a repository path directly, last (winning) first. */
function valueFilesOf(r: RenderResult): string[] {
  const s = r.unit.source;
  const out: string[] = [];
  for (const vf of s.helm?.valueFiles ?? []) {
    if (vf.startsWith('$') || /^[a-z][a-z0-9+.-]*:\/\//i.test(vf)) continue;
    out.push(vf.startsWith('/') ? joinPath('', vf.slice(1)) : joinPath(s.path ?? '', vf));
  }
  return out.reverse();
}

/** A config object of a render: argocd-cm, or an `ArgoCD` CR of argoproj.io. */
function isConfigObject(o: RenderedObject): boolean {
  const v = o.object;
  const meta = isRecord(v.metadata) ? v.metadata : {};
  if (v.kind === 'ConfigMap') return meta.name === 'argocd-cm';
  return v.kind === 'ArgoCD' && typeof v.apiVersion === 'string' && splitApiVersion(v.apiVersion).group === 'argoproj.io';
}

/** Checks and problems of a side's rendered config objects, in source coordinates, and the keys they make work. */
interface RenderedConfig {
  checks: HealthCheckDef[];
  problems: ConfigProblem[];
  keys: Set<string>;
}

/** Reads the rendered config objects of a side's renders and maps what they define to the sources. */
async function renderedConfig(renders: readonly RenderedGroup[], tree: TreeReader, limits: YamlLimits): Promise<RenderedConfig> {
  const out: RenderedConfig = { checks: [], problems: [], keys: new Set() };
  const work: { g: RenderedGroup; r: RenderResult; objects: RenderedObject[] }[] = [];
  for (const g of renders) {
    for (const r of g.results) {
      if (r.status !== 'rendered') continue;
      const objects = r.objects.filter((o) => isConfigObject(o) && HEALTH_CONFIG_TEXT.test(o.yaml));
      if (objects.length) work.push({ g, r, objects });
    }
  }
  if (!work.length) return out;
  const wanted = [...new Set(work.flatMap(({ g, r, objects }) => [g.file, r.unit.app.file, ...valueFilesOf(r), ...objects.map((o) => o.origin.file), ...(r.inputs ?? [])]))];
  const bytes = await tree.readFiles(wanted);
  const texts = new Map<string, string>();
  for (const p of wanted) {
    const b = bytes.get(p);
    const t = b === undefined ? undefined : decodeText(b);
    if (t !== undefined) texts.set(p, t);
  }
  const seen = new Set<string>();
  for (const { g, r, objects } of work) {
    // Candidates in the order that decides between equal texts: inline values (the Application), value files
    // (the last wins), the objects' origins, then every other input.
    const order = [...new Set([r.unit.app.file, ...valueFilesOf(r), ...objects.map((o) => o.origin.file), ...(r.inputs ?? [])])];
    const index = sourceIndex(order.flatMap((p) => (texts.has(p) ? [{ path: p, text: texts.get(p)! }] : [])), limits);
    const by = renderedGroupLabel(g);
    const fallback: Position = { line: g.line, column: 1 };
    for (const o of objects) {
      const doc = parseYamlText(o.yaml, limits).docs[0];
      if (!doc || doc.broken) continue;
      const config = healthConfigOfFile(`${o.origin.file}#rendered`, o.yaml, limits);
      for (const k of configuredHealthKeys(config.checks, config.problems)) out.keys.add(k);
      const spans = spansOf(doc, index);
      for (const c of config.checks) {
        const start = mapPos({ line: c.scriptLine, column: c.scriptColumn }, spans);
        const key = mapPos(c.pos, spans);
        const holder = `${c.holder}, rendered by ${by}`;
        const placed: HealthCheckDef = start
          ? { ...c, holder, renderedBy: by, file: start.file, pos: key && key.file === start.file ? key.pos : start.span.source.keyPos, scriptLine: start.pos.line, scriptColumn: start.pos.column, ...(start.lines ? {} : { scriptUnplaced: true }) }
          : { ...c, holder, renderedBy: by, file: g.file, pos: fallback, scriptLine: g.line, scriptColumn: 1, scriptUnplaced: true };
        // Every place the script's text is written, for telling a check the raw reading already has.
        const at = (index.get(c.script) ?? []).map((l) => l.file);
        const id = `${placed.key}\0${placed.file}\0${placed.scriptLine}\0${placed.script}`;
        if (seen.has(id)) continue;
        seen.add(id);
        out.checks.push(Object.assign(placed, { sourceFiles: at }));
      }
      for (const p of config.problems) {
        const m = mapPos(p.pos, spans);
        const placed: ConfigProblem = { ...p, subject: `${p.subject}, rendered by ${by}`, file: m?.file ?? g.file, pos: m?.pos ?? fallback, message: `${p.message} (in what ${by} renders)` };
        const id = `${placed.rule}\0${placed.file}\0${placed.key}\0${placed.pos.line}`;
        if (seen.has(id)) continue;
        seen.add(id);
        out.problems.push(placed);
      }
    }
  }
  return out;
}

/** True when the raw reading already has this check: same key and script, in a file the rendered text comes from. */
function knownRaw(c: HealthCheckDef & { sourceFiles?: string[] }, raw: readonly HealthCheckDef[]): boolean {
  const files = new Set([c.file, ...(c.sourceFiles ?? [])]);
  return raw.some((r) => r.origin !== 'layout' && r.key === c.key && r.script === c.script && files.has(r.file));
}

/** True when the raw reading already has this problem (same rule and key in the same file). */
function knownRawProblem(p: ConfigProblem, raw: readonly ConfigProblem[]): boolean {
  return raw.some((r) => r.rule === p.rule && r.key === p.key && r.file === p.file);
}

/** Runs used so far on a side: each fresh, shape and test run made left one result. */
function runsUsed(f: HealthFacts): number {
  return f.fresh.length + f.shapes.length + f.tests.filter((t) => t.result !== undefined).length;
}

/**
 * Adds rendered checks to a side's facts: static checks, then (with `health.execute`) the fresh-object run,
 * the suites whose input kind the check now serves, and the status shapes, within the side's run budget.
 * Returns new facts; `facts` (possibly shared by both sides) is not modified.
 */
async function addChecks(facts: HealthFacts, added: HealthCheckDef[], problems: ConfigProblem[], policy: Policy, runner: () => LuaRunner): Promise<HealthFacts> {
  const settings = policy.health;
  const out: HealthFacts = {
    checks: [...facts.checks, ...added],
    problems: [...facts.problems, ...problems],
    tests: [...facts.tests],
    fresh: [...facts.fresh],
    shapes: [...facts.shapes],
    files: [...facts.files, ...added.map((c) => c.file)],
    notEvaluated: [...facts.notEvaluated],
    skipped: [...facts.skipped],
  };
  const analyses = new ScriptAnalyses();
  const compiles = (c: HealthCheckDef) => analyses.compiles(c);
  out.problems.push(...analyses.problems(added));
  const mine = new Set(added);
  for (const p of wildcardOverlaps(out.checks)) {
    if (!knownRawProblem(p, facts.problems) && added.some((c) => p.key.split('|').includes(c.key))) out.problems.push(p);
  }
  if (!settings.execute) return out;

  let runs = runsUsed(facts);
  const budget = () => (runs < settings.maxRunsPerSide ? (runs++, true) : false);
  const fresh: Promise<FreshRun>[] = [];
  for (const c of added) {
    if (c.key.includes('*') || !compiles(c)) continue;
    if (!budget()) {
      out.notEvaluated.push(`health check for ${c.key} in ${c.file}: not run on a fresh object, the limit of script runs per side was reached`);
      out.skipped.push({ check: c });
      continue;
    }
    fresh.push(runner().run(runRequest(c, freshObject(c.key), settings)).then((result) => ({ check: c, result }) satisfies FreshRun));
  }
  // Suites whose input kind a rendered check now serves (ArgoCD's pick: configured exact key, then wildcard) run again with it.
  const pick = checkPicker(out.checks);
  const rerun: Promise<void>[] = [];
  out.tests.forEach((t, i) => {
    const input = t.case.input;
    if ('error' in input) return;
    const c = pick(splitApiVersion(String(input.apiVersion ?? '')).group, String(input.kind ?? ''));
    if (!c || !mine.has(c) || (c.key === t.checkKey && c.file === t.checkFile)) return;
    if (t.notRun) out.skipped = out.skipped.filter((s) => s.case !== t.case);
    const inputFile = joinPath(dirName(t.case.file), t.case.inputPath);
    rerun.push(runCase(t.case, inputFile, pick, compiles, runner(), (x, obj) => runRequest(x, obj, settings), budget, out).then((r: HealthTestRun) => void (out.tests[i] = r)));
  });
  await Promise.all(rerun);
  const shapes: Promise<ShapeRun>[] = [];
  let left = 0;
  for (const c of added) {
    if (c.key.includes('*') || !compiles(c)) continue;
    const inputs = out.tests.filter((t) => t.checkFile === c.file && t.checkKey === c.key && !('error' in t.case.input)).map((t) => t.case.input as Record<string, unknown>);
    for (const s of statusShapes(c.key, inputs)) {
      if (!budget()) {
        left++;
        continue;
      }
      shapes.push(runner().run(runRequest(c, s.obj, settings)).then((result) => ({ check: c, shape: s.shape, result }) satisfies ShapeRun));
    }
  }
  if (left) out.notEvaluated.push(`${left} run(s) of rendered health checks on common status shapes: the limit of script runs per side was reached`);
  out.fresh.push(...(await Promise.all(fresh)));
  out.shapes.push(...(await Promise.all(shapes)));
  return out;
}

/**
 * The health area's `rendered` hook: see the module comment. Sides without rendered config objects, or whose
 * rendered checks the raw reading already has, are left as they are.
 * @throws what the trees throw (reading the render inputs)
 */
export async function renderedHealth(ctx: RenderedContext): Promise<RenderedFacts> {
  let lua: LuaRunner | undefined;
  const runner = () => (lua ??= createLuaRunner());
  const limits = ctx.policy.manifests.limits;
  const side = async (snap: Snapshot, tree: TreeReader | undefined): Promise<RenderedFacts['head']> => {
    if (!snap.renders?.length || !snap.health || !tree) return undefined;
    const found = await renderedConfig(snap.renders, tree, limits);
    const facts = snap.health;
    const added = found.checks.filter((c) => !knownRaw(c, facts.checks)).map(({ sourceFiles: _s, ...c }: HealthCheckDef & { sourceFiles?: string[] }) => c);
    const problems = found.problems.filter((p) => !knownRawProblem(p, facts.problems));
    const keys = [...found.keys].filter((k) => !snap.customHealth?.has(k));
    if (!added.length && !problems.length && !keys.length) return undefined;
    return {
      health: await addChecks(facts, added, problems, ctx.policy, runner),
      ...(keys.length ? { customHealth: new Set([...(snap.customHealth ?? []), ...keys]) } : {}),
    };
  };
  try {
    const head = await side(ctx.head, ctx.change.head);
    const base = ctx.base ? await side(ctx.base, ctx.change.base) : undefined;
    return { ...(head ? { head } : {}), ...(base ? { base } : {}) };
  } finally {
    await lua?.close();
  }
}
