// `npm run bench`: generates a monorepo (bench/generate.mjs), then measures, with the built CLI in child
// processes, ratios rather than bare times:
//   (a) a PR touching one Application, against the time to merely parse every manifest with `yaml`;
//   (b) `--all` on the whole tree, against the same bare parse;
//   (c) peak memory (maxRSS) of each child.
// Parts built elsewhere plug in here: bench/action.mjs (action start-up, API request counts),
// bench/health.mjs (health-check VM time per test case), bench/health-corpus.mjs (ArgoCD's layout end to end,
// CPU per test case with input parsing), bench/render.mjs (kustomize/Helm rendering against the same renders
// back to back) and bench/markdown.mjs (the summary, job summary, check run summary and PR comment of a
// 12,000-finding report) run when present, and their JSON output is included.
// Writes bench/.work/results.json.
//
// Usage: node bench/run.mjs [--apps N] [--runs N] [--regenerate]   (defaults: 2000 apps, 3 runs; the repo is reused)
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateRepo, git } from './generate.mjs';

const here = new URL('.', import.meta.url).pathname;
const root = join(here, '..');
const work = join(here, '.work');
const { values } = parseArgs({ options: { apps: { type: 'string' }, runs: { type: 'string' }, regenerate: { type: 'boolean' } } });
const apps = Number(values.apps ?? 2000);
const runs = Number(values.runs ?? 3);
mkdirSync(work, { recursive: true });

/** Runs a node script in a child, returns wall ms, the child's CPU ms and maxRSS (reported by bench/child-stats.mjs). */
function runChild(args, { cwd = root, expectExit = [0] } = {}) {
  const stats = join(work, `stats-${process.pid}.json`);
  rmSync(stats, { force: true });
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', join(here, 'child-stats.mjs'), ...args], {
      cwd,
      env: { ...process.env, GITOPS_GATE_BENCH_STATS: stats },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      const stdout = Buffer.concat(out).toString('utf8');
      if (!expectExit.includes(code)) return reject(new Error(`${args.join(' ')} exited ${code}: ${Buffer.concat(err).toString('utf8').slice(0, 2000)}`));
      const s = existsSync(stats) ? JSON.parse(readFileSync(stats, 'utf8')) : {};
      rmSync(stats, { force: true });
      resolve({ wallMs, cpuMs: s.cpuMs, maxRssKb: s.maxRssKb, stdout, code });
    });
    child.on('error', reject);
  });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function measure(label, args, opts) {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await runChild(args, opts));
  const m = { wallMs: median(samples.map((s) => s.wallMs)), cpuMs: median(samples.map((s) => s.cpuMs)), maxRssKb: Math.max(...samples.map((s) => s.maxRssKb)) };
  process.stderr.write(`  ${label}: ${fmtMs(m.wallMs)} wall, ${fmtMs(m.cpuMs)} CPU, ${fmtMb(m.maxRssKb)} peak\n`);
  return { ...m, samples, last: samples[samples.length - 1] };
}

const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const fmtMb = (kb) => `${(kb / 1024).toFixed(0)} MB`;

// 1. The repository (generated once; reused while its parameters match).
const repoDir = join(work, 'repo');
const metaFile = join(work, 'repo.json');
let repo = existsSync(metaFile) ? JSON.parse(readFileSync(metaFile, 'utf8')) : undefined;
// A change to the generator regenerates the repository.
const generator = createHash('sha256').update(readFileSync(join(here, 'generate.mjs'))).digest('hex').slice(0, 12);
if (values.regenerate || !repo || repo.apps !== apps || repo.generator !== generator || !existsSync(join(repoDir, '.git'))) {
  const t = performance.now();
  process.stderr.write(`generating ${apps} Applications in ${repoDir} ...\n`);
  const g = generateRepo({ apps, out: repoDir });
  repo = { apps, generator, files: g.manifests, prPath: g.prPath, baseSha: g.baseSha, headSha: g.headSha, generateMs: performance.now() - t };
  writeFileSync(metaFile, JSON.stringify(repo, null, 2));
}
git(repoDir, ['checkout', '-q', 'pr']);
process.stderr.write(`repository: ${repo.files} files, ${apps} Applications; PR ${repo.baseSha.slice(0, 7)}..${repo.headSha.slice(0, 7)}\n`);

// 2. Measurements: each is run `runs` times in a fresh child; the median is taken.
const cli = join(root, 'dist/cli.js');
const loadBefore = loadavg()[0];
const bare = await measure('bare parse (yaml)', [join(here, 'bare-parse.mjs'), repoDir]);
// The baseline is the parse time measured inside the child (files already in memory), median of the runs.
const bareRuns = bare.samples.map((x) => JSON.parse(x.stdout));
const bareStats = bareRuns[bareRuns.length - 1];
const bareParseMs = median(bareRuns.map((x) => x.ms));
const bareParseCpuMs = median(bareRuns.map((x) => x.cpuMs));
const bareEventsMs = median(bareRuns.map((x) => x.eventsMs));
const pr = await measure('CLI, PR of one Application', [cli, 'check', '--repo', repoDir, '--base', repo.baseSha, '--head', repo.headSha, '--format', 'json'], { expectExit: [0, 1] });
const all = await measure('CLI, --all', [cli, 'check', '--repo', repoDir, '--all', '--head', repo.headSha, '--format', 'json'], { expectExit: [0, 1] });
const allReport = JSON.parse(all.last.stdout);
const prReport = JSON.parse(pr.last.stdout);

// 3. Parts measured by other scripts, when present.
const extra = {};
for (const name of ['action', 'health', 'health-corpus', 'render', 'markdown']) {
  const script = join(here, `${name}.mjs`);
  if (!existsSync(script)) continue;
  const r = await runChild([script, '--repo', repoDir], { expectExit: [0] });
  try {
    // Each script prints its results as one JSON object on its last line.
    extra[name] = JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    extra[name] = { output: r.stdout.trim() };
  }
}

const results = {
  machine: {
    cpus: availableParallelism(),
    model: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: process.platform,
    // Other work on the machine inflates wall times; ratios of CPU times are given alongside.
    loadAverage: { before: loadBefore, after: loadavg()[0] },
  },
  repository: { applications: apps, files: repo.files, documents: bareStats.docs, generateMs: repo.generateMs },
  // Peak memory of the yaml parse itself, taken before the js-yaml context run.
  bareParse: { ms: bareParseMs, cpuMs: bareParseCpuMs, maxRssKb: bareStats.maxRssKb, jsYamlEventsMs: bareEventsMs },
  pr: { wallMs: pr.wallMs, cpuMs: pr.cpuMs, maxRssKb: pr.maxRssKb, filesExamined: prReport.stats.filesExamined, verdict: prReport.verdict },
  all: { wallMs: all.wallMs, cpuMs: all.cpuMs, maxRssKb: all.maxRssKb, filesExamined: allReport.stats.filesExamined, resources: allReport.stats.resourcesExamined, verdict: allReport.verdict },
  ratios: {
    prVsBareParse: pr.wallMs / bareParseMs,
    allVsBareParse: all.wallMs / bareParseMs,
    allCpuVsBareParseCpu: all.cpuMs / bareParseCpuMs,
  },
  goals: { prVsBareParse: 0.25, allVsBareParse: 1.5 },
  ...extra,
};
writeFileSync(join(work, 'results.json'), JSON.stringify(results, null, 2) + '\n');

const ok = (v, goal) => (v <= goal ? 'meets' : 'MISSES');
const rows = [
  ['Measure', 'Value', 'Goal'],
  ['Repository', `${apps} Applications, ${repo.files} files, ${bareStats.docs} documents`, ''],
  ['Bare parse of every manifest (yaml)', fmtMs(bareParseMs), 'baseline'],
  ['  for context: js-yaml events of the same texts', fmtMs(bareEventsMs), ''],
  ['PR of one Application (CLI, wall)', `${fmtMs(pr.wallMs)} (${prReport.stats.filesExamined} files read)`, ''],
  ['  ratio to bare parse', results.ratios.prVsBareParse.toFixed(3), `<= 0.25 (${ok(results.ratios.prVsBareParse, 0.25)})`],
  ['--all on the whole tree (CLI, wall)', `${fmtMs(all.wallMs)} (${fmtMs(all.cpuMs)} CPU)`, ''],
  ['  ratio to bare parse', results.ratios.allVsBareParse.toFixed(2), `<= 1.5 (${ok(results.ratios.allVsBareParse, 1.5)})`],
  ['  CPU time ratio (all threads, to bare parse CPU)', results.ratios.allCpuVsBareParseCpu.toFixed(2), ''],
  ['Peak memory: PR / --all / bare parse', `${fmtMb(pr.maxRssKb)} / ${fmtMb(all.maxRssKb)} / ${fmtMb(bareStats.maxRssKb)}`, ''],
];
for (const [name, data] of Object.entries(extra)) rows.push([`${name} (bench/${name}.mjs)`, JSON.stringify(data).slice(0, 200), '']);
const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
console.log(
  `\ngitops-gate benchmark · ${results.machine.cpus} CPU(s), ${results.machine.model ?? 'unknown CPU'}, Node ${process.version} · load average ${loadBefore.toFixed(1)} → ${results.machine.loadAverage.after.toFixed(1)}\n`,
);
for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i])).join(' | '));
console.log(`\nResults: ${join(work, 'results.json')}`);
