/**
 * Rendering Application sources with the real tools, as ArgoCD's repo-server does
 * (reposerver/repository/repository.go `GenerateManifests`): the source type is the explicit one written on
 * the source, else discovered from the files directly in the path (util/app/discovery/discovery.go
 * `AppType`: a `*Chart.yaml` → Helm, a kustomization → Kustomize, the later in lexical order winning;
 * otherwise a plain directory).
 *
 * Each render runs in its own sandbox: a fresh temporary directory holding only the files the render may
 * read (src/render/inputs.ts), written from the side's {@link TreeReader} (so a symbolic link is a plain copy
 * of its target, and a link that leaves the repository refuses the side, as ArgoCD refuses the repository),
 * with a clean environment and a timeout (src/render/tools.ts). Kustomize never gets
 * `--enable-alpha-plugins` or `--enable-exec`. Renders run in a small pool and are cached by tool, version,
 * options and the content hash of their inputs.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { parse, stringify } from 'yaml';
import type { TreeReader } from '../core/model.js';
import { isRecord } from '../core/values.js';
import { explicitSourceType, type ApplicationSourceSpec } from '../argocd/app-sources.js';
import { repoMatcher } from '../argocd/app-sets.js';
import { decodeText } from '../manifests/yaml-doc.js';
import type { CachedRender, Origin, RenderCache, RenderOptions, RenderResult, RenderUnit, RenderedObject, ToolInfo } from './model.js';
import { createRenderCache } from './model.js';
import { isKustomization, KUSTOMIZATION_NAMES } from '../manifests/manifest-file.js';
import {
  contentHash,
  directoryFilter,
  filesUnder,
  helmChartCheck,
  isDir,
  kustomizationIn,
  kustomizeClosure,
  readAll,
  resolveInRepo,
  sideContext,
  type InputProblem,
  type SideContext,
} from './inputs.js';
import { documentLines, helmSourcePath, lineIn, objectsOfDoc, outputDocuments, renderedObject, takeOrigin, ORIGIN_ANNOTATION } from './output.js';
import { patchDocs, patchOrigin } from './patch-origin.js';
import { locateHelm, locateKustomize, networkSandbox, runProcess, toolEnv, withVersion, type FoundTool, type Tool } from './tools.js';

/** Default time allowed for one tool run, in milliseconds. */
export const DEFAULT_RENDER_TIMEOUT_MS = 60_000;

/** `kustomize build` flags the gate passes on from `kustomize.buildOptions`; any other refuses the render. */
const ALLOWED_BUILD_FLAGS = new Set(['--load-restrictor', '--load_restrictor', '--reorder', '--enable-helm', '--helm-kube-version', '--helm-api-versions', '--enable-managedby-label', '--add-managedby-label']);
/** Flags of {@link ALLOWED_BUILD_FLAGS} that take a value as the next word. */
const VALUE_FLAGS = new Set(['--load-restrictor', '--load_restrictor', '--reorder', '--helm-kube-version', '--helm-api-versions']);

/** Parses `kustomize.buildOptions` as ArgoCD does (split on spaces), keeping only allowed flags. */
export function parseBuildOptions(opts: string | undefined): { args: string[]; loadNone: boolean } | { refused: string } {
  const words = (opts ?? '').split(' ').filter(Boolean);
  const args: string[] = [];
  let loadNone = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const [flag, inline] = w.includes('=') ? [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)] : [w, undefined];
    if (!ALLOWED_BUILD_FLAGS.has(flag)) return { refused: `kustomize build option ${w} is not passed by the gate (plugins, exec functions and network are never enabled)` };
    let value = inline;
    if (value === undefined && VALUE_FLAGS.has(flag)) value = words[++i];
    if (flag.startsWith('--load') && value === 'LoadRestrictionsNone') loadNone = true;
    args.push(value === undefined ? flag : `${flag}=${value}`);
  }
  return { args, loadNone };
}

/** Runs at most `n` tasks at once. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active >= n) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** The source type the repo-server uses, from the files directly in the path (discovery.go). */
export function discoverSourceType(ctx: SideContext, dir: string): 'Helm' | 'Kustomize' | 'Directory' {
  let t: 'Helm' | 'Kustomize' | 'Directory' = 'Directory';
  const prefix = dir ? `${dir}/` : '';
  for (const f of ctx.sorted) {
    if (!f.startsWith(prefix)) continue;
    const base = f.slice(prefix.length);
    if (base.includes('/')) continue;
    if (base.endsWith('Chart.yaml')) t = 'Helm';
    if (isKustomization(base)) t = 'Kustomize';
  }
  return t;
}

/**
 * What a tool run hands back: the outcome when it failed, else a function that reads its output. The
 * output is read after the run leaves the pool, so the next tool starts while this one's output is parsed.
 */
type RunStep = CachedRender | (() => CachedRender);

interface Prepared {
  /** Cache key; absent for a unit decided without running anything. */
  key?: string;
  files: string[];
  run: (sandbox: string, env: Record<string, string>, timeoutMs: number) => Promise<RunStep>;
}

/** Per side (tree): the provenance data of source files, read once for all the side's renders. */
const sideMemos = new WeakMap<SideContext, { lines: Map<string, ReturnType<typeof documentLines>>; patches: Map<string, ReturnType<typeof patchDocs>> }>();
function memoOf(ctx: SideContext): { lines: Map<string, ReturnType<typeof documentLines>>; patches: Map<string, ReturnType<typeof patchDocs>> } {
  let m = sideMemos.get(ctx);
  if (!m) sideMemos.set(ctx, (m = { lines: new Map(), patches: new Map() }));
  return m;
}

/** {@link patchDocs} of several kustomizations: the concatenation of each one's, each read once per side. */
function sidePatchDocs(ctx: SideContext, kustomizations: readonly string[], bytes: ReadonlyMap<string, Uint8Array>): ReturnType<typeof patchDocs> {
  const memo = memoOf(ctx).patches;
  return kustomizations.flatMap((k) => {
    let docs = memo.get(k);
    if (!docs) memo.set(k, (docs = patchDocs([k], bytes)));
    return docs;
  });
}

/** Runs at most `n` tasks at once; one pool per render cache, so base and head share it. */
const pools = new WeakMap<RenderCache, ReturnType<typeof limiter>>();

type Decided = { status: RenderResult['status']; reason: string; sourceType?: RenderResult['sourceType']; tool?: ToolInfo };

const ne = (reason: string, sourceType?: RenderResult['sourceType']): Decided => ({ status: 'not-evaluated', reason, ...(sourceType ? { sourceType } : {}) });
const fromProblem = (p: InputProblem, sourceType: RenderResult['sourceType']): Decided =>
  p.kind === 'failed' ? { status: 'failed', reason: p.reason, sourceType } : ne(p.kind === 'network' ? `needs network: ${p.reason}` : p.reason, sourceType);

/** Writes `files` (repository paths) into `<sandbox>/repo`. */
async function materialize(ctx: SideContext, sandbox: string, files: readonly string[]): Promise<void> {
  const bytes = await readAll(ctx, files);
  const repo = join(sandbox, 'repo');
  await mkdir(repo, { recursive: true });
  const dirs = new Set(files.map((f) => dirname(join(repo, f))));
  await Promise.all([...dirs].map((d) => mkdir(d, { recursive: true })));
  await Promise.all(files.map((f) => writeFile(join(repo, f), bytes.get(f) ?? new Uint8Array())));
}

/** Trims a tool's error text and replaces sandbox paths with repository paths. */
/** klog's line header (`E1201 21:42:12.572962    7714 run.go:72] `): a time and a process id, which would make reports differ run to run. */
const KLOG_HEADER = /^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ [\w.-]+:\d+\] /gm;

/**
 * A tool's message as the report shows it: sandbox paths made relative to the repository, klog headers dropped
 * (kubectl builds print `E1201 21:42:12.572962    7714 run.go:72] "command failed" err=...`), capped at 2,000 characters.
 * @param sandbox - the render's sandbox directory
 */
export function toolMessage(text: string, sandbox: string): string {
  const t = text.split(`${join(sandbox, 'repo')}/`).join('').split(sandbox).join('<sandbox>').replace(KLOG_HEADER, '').trim();
  return t.length > 2000 ? `${t.slice(0, 2000)}…` : t;
}

function outcome(o: Awaited<ReturnType<typeof runProcess>>, tool: Tool, sandbox: string, timeoutMs: number, started: number): CachedRender | undefined {
  const durationMs = Date.now() - started;
  if (o.spawnError) return { status: 'not-evaluated', reason: `${tool.info.name} could not start: ${o.spawnError}`, objects: [], durationMs };
  if (o.timedOut) return { status: 'not-evaluated', reason: `${tool.info.name} did not finish within ${timeoutMs} ms (render timeout)`, tool: tool.info, objects: [], durationMs };
  if (o.code !== 0) return { status: 'failed', reason: `${tool.info.name} ${tool.info.version} failed: ${toolMessage(o.stderr || o.stdout, sandbox)}`, tool: tool.info, objects: [], durationMs };
  return undefined;
}

/** Wraps a tool command in `unshare -rn` when a network namespace is available. */
async function command(tool: FoundTool, args: string[]): Promise<[string, string[]]> {
  const unshare = await networkSandbox();
  return unshare ? [unshare, ['-rn', '--', tool.path, ...tool.prefix, ...args]] : [tool.path, [...tool.prefix, ...args]];
}

/**
 * Runs the found tool with `args` while its version command finishes, so the version never delays a render.
 * @returns the tool (with its version) and the run, or the render's outcome when the tool reports no version (the
 *   output is then dropped: not evaluated, as before any run) or the run failed
 */
async function runFound(found: FoundTool, args: string[], cwd: string, env: Record<string, string>, sandbox: string, timeoutMs: number, started: number): Promise<{ tool: Tool; res: Awaited<ReturnType<typeof runProcess>> } | CachedRender> {
  const [file, full] = await command(found, args);
  const [res, tool] = await Promise.all([runProcess(file, full, { cwd, env, timeoutMs }), withVersion(found)]);
  if (typeof tool === 'string') return { status: 'not-evaluated', reason: tool, objects: [], durationMs: Date.now() - started };
  return outcome(res, tool, sandbox, timeoutMs, started) ?? { tool, res };
}

/** Applies the Application's `kustomize` options to a kustomization object, as ArgoCD's `kustomize edit` calls do (util/kustomize/kustomize.go `Build`). */
export function applyKustomizeOptions(k: Record<string, unknown>, o: NonNullable<ApplicationSourceSpec['kustomize']>): string | undefined {
  if (o.namePrefix) k.namePrefix = o.namePrefix;
  if (o.nameSuffix) k.nameSuffix = o.nameSuffix;
  if (o.namespace) k.namespace = o.namespace;
  if (o.images.length) {
    const images = (Array.isArray(k.images) ? k.images : []).filter(isRecord);
    for (const spec of o.images) {
      const [name, rest] = spec.includes('=') ? [spec.slice(0, spec.indexOf('=')), spec.slice(spec.indexOf('=') + 1)] : [undefined, spec];
      const at = rest.indexOf('@');
      const base = at >= 0 ? rest.slice(0, at) : rest;
      const colon = base.lastIndexOf(':') > base.lastIndexOf('/') ? base.lastIndexOf(':') : -1;
      const newName = colon >= 0 ? base.slice(0, colon) : base;
      const entry: Record<string, unknown> = { name: name ?? newName };
      if (name !== undefined && newName !== name) entry.newName = newName;
      if (colon >= 0) entry.newTag = base.slice(colon + 1);
      if (at >= 0) entry.digest = rest.slice(at + 1);
      const i = images.findIndex((x) => x.name === entry.name);
      if (i >= 0) images[i] = entry;
      else images.push(entry);
    }
    k.images = images;
  }
  for (const [field, values, force] of [
    ['commonLabels', o.commonLabels, o.forceCommonLabels],
    ['commonAnnotations', o.commonAnnotations, o.forceCommonAnnotations],
  ] as const) {
    if (!Object.keys(values).length) continue;
    if (field === 'commonLabels' && o.labelWithoutSelector) {
      k.labels = [...(Array.isArray(k.labels) ? k.labels : []), { pairs: values, includeSelectors: false }];
      continue;
    }
    const cur = isRecord(k[field]) ? { ...k[field] } : {};
    for (const [key, v] of Object.entries(values)) {
      if (key in cur && !force) return `kustomize edit add: ${field} ${key} already exists in the kustomization (ArgoCD needs force${field === 'commonLabels' ? 'CommonLabels' : 'CommonAnnotations'})`;
      cur[key] = v;
    }
    k[field] = cur;
  }
  if (o.patches.length) k.patches = [...(Array.isArray(k.patches) ? k.patches : []), ...o.patches];
  if (o.components.length) k.components = [...(Array.isArray(k.components) ? k.components : []), ...o.components];
  if (o.replicas.length) {
    const reps = (Array.isArray(k.replicas) ? k.replicas : []).filter(isRecord);
    for (const r of o.replicas) {
      const count = typeof r.count === 'number' ? r.count : Number(r.count);
      const i = reps.findIndex((x) => x.name === r.name);
      if (i >= 0) reps[i] = { name: r.name, count };
      else reps.push({ name: r.name, count });
    }
    k.replicas = reps;
  }
  return undefined;
}

async function prepareKustomize(ctx: SideContext, unit: RenderUnit, dir: string, opts: RenderOptions, env: Record<string, string>): Promise<Prepared | Decided> {
  const build = parseBuildOptions(opts.kustomizeBuildOptions);
  if ('refused' in build) return ne(build.refused, 'Kustomize');
  const o = unit.source.kustomize;
  if (o?.commonAnnotationsEnvsubst) return ne('kustomize.commonAnnotationsEnvsubst is not evaluated by the gate', 'Kustomize');
  if (o?.version) return ne(`kustomize.version ${o.version}: a named kustomize version of argocd-cm is not evaluated by the gate`, 'Kustomize');
  const closure = await kustomizeClosure(ctx, dir, o?.components ?? [], build.loadNone);
  if (closure.problem) return fromProblem(closure.problem, 'Kustomize');
  const kfile = kustomizationIn(ctx, dir);
  if (!kfile) return { status: 'failed', reason: `${dir || '.'} holds no kustomization (${KUSTOMIZATION_NAMES.join(', ')}) for the kustomize source`, sourceType: 'Kustomize' };
  // The inputs are read while the tool is found; its version command runs on while the tool renders (runFound).
  const [found, bytes] = await Promise.all([locateKustomize(opts.kustomizeBinary, opts.searchPath ?? process.env.PATH, env), readAll(ctx, closure.files)]);
  if (typeof found === 'string') return ne(found, 'Kustomize');
  const text = decodeText(bytes.get(kfile) ?? new Uint8Array()) ?? '';
  // The cache lives for one evaluation, where a binary has one version: its path names the tool.
  const key = createHash('sha256')
    .update(JSON.stringify({ t: { name: found.name, path: found.path }, o, dir, args: build.args, inputs: contentHash(closure.files, bytes) }))
    .digest('hex');
  return {
    key,
    files: closure.files,
    async run(sandbox, runEnv, timeoutMs) {
      let k: unknown;
      try {
        k = parse(text, { maxAliasCount: 100 });
      } catch (e) {
        return { status: 'failed', reason: `${kfile}: not valid YAML: ${(e as Error).message}`, objects: [], durationMs: 0 };
      }
      const kust: Record<string, unknown> = isRecord(k) ? k : {};
      const meta = Array.isArray(kust.buildMetadata) ? kust.buildMetadata.filter((x): x is string => typeof x === 'string') : [];
      const keepOrigin = meta.includes('originAnnotations');
      if (!keepOrigin) kust.buildMetadata = [...meta, 'originAnnotations'];
      if (o) {
        const err = applyKustomizeOptions(kust, o);
        if (err) return { status: 'failed', reason: err, objects: [], durationMs: 0 };
      }
      await writeFile(join(sandbox, 'repo', kfile), stringify(kust));
      const started = Date.now();
      const ran = await runFound(found, [dir || '.', ...build.args], join(sandbox, 'repo'), runEnv, sandbox, timeoutMs, started);
      if ('status' in ran) return ran;
      const { tool, res } = ran;
      return () => {
        const docsCache = memoOf(ctx).lines;
        const kustomizations = [kfile, ...closure.files.filter((f) => f !== kfile && isKustomization(f))];
        const patches = sidePatchDocs(ctx, kustomizations, bytes);
        const objects: RenderedObject[] = [];
        for (const d of outputDocuments(res.stdout)) {
          for (const obj of objectsOfDoc(d.value)) {
            const org = takeOrigin(obj, keepOrigin);
            let origin: Origin = { file: unit.app.file, line: unit.app.line, via: 'application' };
            const rel = org?.path ?? org?.configuredIn;
            if (rel !== undefined && !org?.remote) {
              const p = resolveInRepo(dir, rel, 'origin');
              if (typeof p === 'string' && ctx.files.has(p)) {
                let line = 1;
                if (org?.path !== undefined) {
                  let docs = docsCache.get(p);
                  if (!docs) docsCache.set(p, (docs = documentLines(bytes.get(p))));
                  line = lineIn(docs, obj);
                }
                origin = { file: p, line, via: 'kustomize-origin' };
              }
            }
            origin = patchOrigin(obj, patches) ?? origin;
            objects.push(renderedObject(obj, origin));
          }
        }
        return { status: 'rendered', tool: tool.info, objects, durationMs: Date.now() - started };
      };
    },
  };
}

async function prepareHelm(
  ctx: SideContext,
  unit: RenderUnit,
  dir: string,
  opts: RenderOptions,
  env: Record<string, string>,
  isThisRepo: (u: string) => boolean,
  revisions: ReadonlySet<string> | undefined,
): Promise<Prepared | Decided> {
  const h = unit.source.helm;
  const check = await helmChartCheck(ctx, dir);
  if (check.problem) return fromProblem(check.problem, 'Helm');
  const valueFiles: string[] = [];
  for (const vf of h?.valueFiles ?? []) {
    let path: string | InputProblem;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(vf)) return ne(`needs network: value file ${vf} is a URL`, 'Helm');
    if (vf.startsWith('$')) {
      const name = vf.slice(1, vf.includes('/') ? vf.indexOf('/') : undefined);
      const ref = unit.sources.find((s) => s.ref === name);
      if (!ref) return { status: 'failed', reason: `value file ${vf}: no source has ref ${name}`, sourceType: 'Helm' };
      if (!isThisRepo(ref.repoURL)) return ne(`value file ${vf} comes from another repository (${ref.repoURL})`, 'Helm');
      if (revisions && !revisions.has(ref.targetRevision)) return ne(`value file ${vf} comes from revision ${ref.targetRevision}, not the revision under review`, 'Helm');
      path = resolveInRepo('', vf.slice(name.length + 2), `value file ${vf}`);
    } else if (vf.startsWith('/')) path = resolveInRepo('', vf.slice(1), `value file ${vf}`);
    else path = resolveInRepo(dir, vf, `value file ${vf}`);
    if (typeof path !== 'string') return fromProblem(path, 'Helm');
    if (!ctx.files.has(path)) {
      if (h?.ignoreMissingValueFiles) continue;
      return { status: 'failed', reason: `value file ${vf} (${path}) does not exist in the repository`, sourceType: 'Helm' };
    }
    valueFiles.push(path);
  }
  const fileParams: { name: string; path: string }[] = [];
  for (const fp of h?.fileParameters ?? []) {
    const p = resolveInRepo(dir, fp.path, `file parameter ${fp.name}`);
    if (typeof p !== 'string') return fromProblem(p, 'Helm');
    fileParams.push({ name: fp.name, path: p });
  }
  const files = [...new Set([...filesUnder(ctx, dir), ...valueFiles, ...fileParams.map((f) => f.path).filter((p) => ctx.files.has(p))])].sort();
  // The inputs are read while helm is found; its version command runs on while helm renders (runFound).
  const [found, bytes] = await Promise.all([locateHelm(opts.helmBinary, opts.searchPath ?? process.env.PATH, env), readAll(ctx, files)]);
  if (typeof found === 'string') return ne(found, 'Helm');
  const releaseName = h?.releaseName || unit.app.name;
  const namespace = h?.namespace || unit.app.destinationNamespace;
  const kubeVersion = h?.kubeVersion || opts.kubeVersion;
  const inline = h?.values === undefined ? undefined : typeof h.values === 'string' ? h.values : stringify(h.values);
  const key = createHash('sha256')
    .update(JSON.stringify({ t: { name: found.name, path: found.path }, h, releaseName, namespace, kubeVersion, dir, inputs: contentHash(files, bytes) }))
    .digest('hex');
  return {
    key,
    files,
    async run(sandbox, runEnv, timeoutMs) {
      const repo = join(sandbox, 'repo');
      const args = [releaseName, dir ? join(repo, dir) : repo];
      if (namespace) args.push('--namespace', namespace);
      if (kubeVersion) args.push('--kube-version', kubeVersion);
      for (const a of h?.apiVersions ?? []) args.push('--api-versions', a);
      for (const vf of valueFiles) args.push('--values', join(repo, vf));
      if (inline !== undefined) {
        const p = join(sandbox, 'argocd-inline-values.yaml');
        await writeFile(p, inline);
        args.push('--values', p);
      }
      for (const p of h?.parameters ?? []) args.push(p.forceString ? '--set-string' : '--set', `${p.name}=${p.value}`);
      for (const p of fileParams) args.push('--set-file', `${p.name}=${join(repo, p.path)}`);
      if (!h?.skipCrds) args.push('--include-crds');
      if (h?.skipSchemaValidation) args.push('--skip-schema-validation');
      if (h?.skipTests) args.push('--skip-tests');
      const started = Date.now();
      const ran = await runFound(found, args, repo, runEnv, sandbox, timeoutMs, started);
      if ('status' in ran) return ran;
      const { tool, res } = ran;
      return () => {
        const objects: RenderedObject[] = [];
        for (const d of outputDocuments(res.stdout)) {
          const p = d.source ? helmSourcePath(d.source, dir, (x) => ctx.files.has(x)) : undefined;
          for (const obj of objectsOfDoc(d.value)) {
            objects.push(renderedObject(obj, p ? { file: p, line: 1, via: 'helm-source' } : { file: unit.app.file, line: unit.app.line, via: 'application' }));
          }
        }
        return { status: 'rendered', tool: tool.info, objects, durationMs: Date.now() - started };
      };
    },
  };
}

/** A plain directory source: the repo-server reads its YAML and JSON files (no tool). */
async function renderDirectory(ctx: SideContext, unit: RenderUnit, dir: string): Promise<Decided | (CachedRender & { inputs: string[] })> {
  const d = unit.source.directory;
  if (d?.jsonnet) return ne('directory.jsonnet: Jsonnet is not evaluated by the gate', 'Directory');
  const keep = directoryFilter(d?.include, d?.exclude);
  const all = filesUnder(ctx, dir).filter((f) => d?.recurse || !f.slice(dir ? dir.length + 1 : 0).includes('/'));
  const jsonnet = all.find((f) => /\.(jsonnet|libsonnet)$/.test(f));
  if (jsonnet) return ne(`${jsonnet}: Jsonnet is not evaluated by the gate`, 'Directory');
  const files = all.filter((f) => /\.(ya?ml|json)$/.test(f) && keep(f.slice(dir ? dir.length + 1 : 0)));
  const bytes = await readAll(ctx, files);
  const objects: RenderedObject[] = [];
  for (const f of files) {
    const docs = documentLines(bytes.get(f));
    const text = decodeText(bytes.get(f) ?? new Uint8Array()) ?? '';
    for (const doc of outputDocuments(text)) for (const obj of objectsOfDoc(doc.value)) objects.push(renderedObject(obj, { file: f, line: lineIn(docs, obj), via: 'file' }));
  }
  return { status: 'rendered', tool: { name: 'directory', version: '' }, objects, durationMs: 0, inputs: files };
}

/**
 * Renders every unit from one side of a change.
 *
 * Never throws for a unit: each comes back `rendered`, `failed` (the tool refused the input, with its
 * message) or `not-evaluated` (with the reason). Results are in the order of `units`.
 * @param tree - the side's files; only the files a unit may read are copied into its sandbox
 * @param units - from src/render/units.ts
 * @param opts - tools, options and the shared cache (pass the same {@link RenderCache} for base and head)
 */
export async function renderApplications(tree: TreeReader, units: readonly RenderUnit[], opts: RenderOptions): Promise<RenderResult[]> {
  const ctx = await sideContext(tree);
  const cache = opts.cache ?? createRenderCache();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_RENDER_TIMEOUT_MS;
  let pool = pools.get(cache);
  if (!pool) pools.set(cache, (pool = limiter(Math.max(1, opts.concurrency ?? availableParallelism()))));
  const run = pool;
  // Probed once per process; started now, it runs while the tools report their versions.
  void networkSandbox();
  const isThisRepo = repoMatcher(opts.repoURLs);
  const revisions = opts.revisions ? new Set(['', 'HEAD', ...opts.revisions]) : undefined;
  const outside = ctx.symlinks.find((l) => l.problem === 'outside');
  const base = await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'gitops-gate-render-'));
  const env = await toolEnv(join(base, 'home'));
  let seq = 0;
  // Every unit passes the cache lookup (or is decided without it) once; then opts.onLookedUp is called.
  let pending = units.length;
  const lookedUp = () => {
    if (--pending === 0) opts.onLookedUp?.();
  };
  if (pending === 0) opts.onLookedUp?.();
  try {
    return await Promise.all(
      units.map((unit) => {
        let marked = false;
        const mark = () => {
          if (marked) return;
          marked = true;
          lookedUp();
        };
        return renderOne(unit, mark)
          .catch((e: unknown): RenderResult => ({ unit, status: 'not-evaluated', reason: `the gate could not render this source: ${(e as Error).message}`, objects: [] }))
          .finally(mark);
      }),
    );
  } finally {
    await rm(base, { recursive: true, force: true });
  }

  async function renderOne(unit: RenderUnit, mark: () => void): Promise<RenderResult> {
    const done = (d: Decided | CachedRender, cached?: boolean): RenderResult => {
      const objects = 'objects' in d ? d.objects.map((o) => (o.origin.via === 'application' ? { ...o, origin: { file: unit.app.file, line: unit.app.line, via: 'application' as const } } : o)) : [];
      return {
        unit,
        status: d.status,
        ...(d.reason ? { reason: d.reason } : {}),
        ...('sourceType' in d && d.sourceType ? { sourceType: d.sourceType } : {}),
        ...(d.tool ? { tool: d.tool } : {}),
        objects,
        ...(cached !== undefined ? { cached } : {}),
        ...('durationMs' in d ? { durationMs: cached ? 0 : d.durationMs } : {}),
      };
    };
    if (unit.notEvaluated) return done(ne(unit.notEvaluated));
    const s = unit.source;
    if (outside) return done(ne(`symbolic link ${outside.path} → ${outside.target} leaves the repository; ArgoCD refuses the whole repository, and the gate reads nothing outside it`));
    if (!isThisRepo(s.repoURL)) return done(ne(`source ${s.index} comes from another repository (${s.repoURL || 'no repoURL'}); only the repository under review is rendered`));
    if (s.chart !== undefined) return done(ne(`source ${s.index} is chart ${s.chart} from a Helm repository; fetching it needs network`, 'Helm'));
    if (revisions && !revisions.has(s.targetRevision)) return done(ne(`source ${s.index} targets revision ${s.targetRevision}, not the revision under review`));
    if (s.path === undefined) return done(ne(`source ${s.index} has no path`));
    const dir = s.path;
    const explicit = explicitSourceType(s);
    if (explicit === 'multiple') return done({ status: 'failed', reason: `source ${s.index} writes more than one of helm, kustomize, directory and plugin (ArgoCD: multiple application sources defined)` });
    if (!isDir(ctx, dir)) return done({ status: 'failed', reason: `source ${s.index}: path ${s.rawPath ?? dir} does not exist in the repository (ArgoCD: app path does not exist)` });
    const type = explicit ?? discoverSourceType(ctx, dir);
    if (type === 'Plugin') return done(ne(`source ${s.index} uses a Config Management Plugin, which the gate does not run`, 'Plugin'));
    if (type === 'Directory') {
      const d = await renderDirectory(ctx, unit, dir);
      return { ...done(d), sourceType: 'Directory', ...('inputs' in d ? { inputs: d.inputs } : {}) };
    }
    const prep = type === 'Kustomize' ? await prepareKustomize(ctx, unit, dir, opts, env) : await prepareHelm(ctx, unit, dir, opts, env, isThisRepo, revisions);
    if (!('run' in prep)) return done(prep);
    const key = prep.key!;
    // Another call's lookups first (head before base), so which side is served from the cache does not depend on timing.
    if (opts.after) await opts.after;
    for (;;) {
      let entry = cache.entries.get(key);
      const cached = entry !== undefined;
      if (entry) cache.hits++;
      else {
        cache.runs++;
        entry = start(prep);
        cache.entries.set(key, entry);
      }
      mark();
      const r = await entry;
      // A timeout or a tool that could not start says nothing of the inputs: do not keep it.
      if (!cached && r.status === 'not-evaluated') cache.entries.delete(key);
      // Served a run that was dropped so: run again, as when the run had ended before this lookup.
      if (cached && r.status === 'not-evaluated' && cache.entries.get(key) !== entry) {
        cache.hits--;
        continue;
      }
      return { ...done(r, cached), sourceType: type, inputs: prep.files };
    }
  }

  /** Runs a prepared unit in its sandbox; the pool slot is held by the copy and the tool run only, not by the parse of its output. */
  async function start(prep: Prepared): Promise<CachedRender> {
    const sandbox = join(base, `u${seq++}`);
    let step: RunStep;
    try {
      step = await run(async () => {
        await materialize(ctx, sandbox, prep.files);
        return await prep.run(sandbox, env, timeoutMs);
      });
    } finally {
      await rm(sandbox, { recursive: true, force: true });
    }
    return typeof step === 'function' ? step() : step;
  }
}

export { ORIGIN_ANNOTATION };
