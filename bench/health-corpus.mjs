// Health checks in ArgoCD's layout, end to end: generates a corpus shaped like argo-cd's
// resource_customizations/ (241 checks, each with health.lua, health_test.yaml and testdata/ inputs; 1,121
// cases), runs the built CLI with --all on it, and reports the CPU time per test case, input reading and
// parsing included. The cost of everything else (start-up, listing, the other areas) is measured on the same
// tree without the suites and inputs, and subtracted.
// Usage: npm run build && node bench/health-corpus.mjs [--kinds N] [--corpus DIR] [--runs N]   (writes bench/.work/health-corpus*/)
// --corpus DIR runs a real corpus instead: DIR holds resource_customizations/ (a checkout of argo-cd).
// HEALTH_BASELINE='cmd' also times `cmd <dir>` on the same corpus (for instance a build of ArgoCD's health test
// harness with gopher-lua, given the folder that holds resource_customizations/) and makes its CPU per case the goal.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { git } from './generate.mjs';

const here = new URL('.', import.meta.url).pathname;
const root = join(here, '..');
const { values } = parseArgs({ options: { kinds: { type: 'string' }, repo: { type: 'string' }, corpus: { type: 'string' }, runs: { type: 'string' } }, strict: false });
const kinds = Number(values.kinds ?? 241);
/** The tree with the suites and their inputs, and the same tree with only the scripts. */
const dirs = { full: join(here, '.work', 'health-corpus'), base: join(here, '.work', 'health-corpus-scripts') };

/** Seeded PRNG, so every run generates the same corpus. */
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

// Script shapes found in ArgoCD's checks, written for this bench: conditions, phases, replica counts, goto.
const SCRIPTS = [
  (k) => `local hs = {}
if obj.status ~= nil then
  if obj.status.conditions ~= nil then
    for i, condition in ipairs(obj.status.conditions) do
      if condition.type == "Ready" and condition.status == "False" then
        hs.status = "Degraded"
        hs.message = condition.message
        return hs
      end
      if condition.type == "Ready" and condition.status == "True" then
        hs.status = "Healthy"
        hs.message = "${k} is ready"
        return hs
      end
    end
  end
end
hs.status = "Progressing"
hs.message = "Waiting for ${k}"
return hs
`,
  (k) => `local health_status = {}
if obj.status == nil or obj.status.phase == nil then
  health_status.status = "Progressing"
  health_status.message = "Waiting for ${k} to be created"
  return health_status
end
local phase = obj.status.phase
if phase == "Running" or phase == "Ready" then
  health_status.status = "Healthy"
  health_status.message = "${k} is " .. phase
elseif phase == "Failed" or phase == "Error" then
  health_status.status = "Degraded"
  health_status.message = obj.status.message or ("${k} " .. phase)
elseif phase == "Paused" then
  health_status.status = "Suspended"
  health_status.message = "${k} is paused"
else
  health_status.status = "Progressing"
  health_status.message = "${k} is " .. phase
end
return health_status
`,
  (k) => `hs = {status = "Progressing", message = "Waiting for replicas"}
if obj.status == nil then return hs end
local desired = obj.spec.replicas or 1
local ready = obj.status.readyReplicas or 0
if obj.metadata.generation ~= nil and obj.status.observedGeneration ~= nil and obj.metadata.generation > obj.status.observedGeneration then
  hs.message = "Waiting for the ${k} spec update to be observed"
  return hs
end
if ready < desired then
  hs.message = "Waiting for " .. (desired - ready) .. " of " .. desired .. " replicas (" .. string.format("%d%%", ready * 100 / desired) .. ")"
  return hs
end
hs.status = "Healthy"
hs.message = ready .. "/" .. desired .. " replicas ready"
return hs
`,
  (k) => `local hs = {status = "Progressing", message = "Waiting for conditions"}
if obj.status == nil or obj.status.conditions == nil then return hs end
for _, c in ipairs(obj.status.conditions) do
  if c.type ~= "Synced" and c.type ~= "Ready" then goto continue end
  if c.status == "False" then
    hs.status = "Degraded"
    hs.message = c.type .. ": " .. (c.reason or "") .. " " .. (c.message or "")
    return hs
  end
  if c.type == "Ready" and c.status == "True" then
    hs.status = "Healthy"
    hs.message = "${k} is available"
  end
  ::continue::
end
return hs
`,
];

const STATES = [
  ['Healthy', (k) => ({ conditions: [{ type: 'Ready', status: 'True', reason: 'Available', message: `${k} is ready` }, { type: 'Synced', status: 'True' }], phase: 'Running', readyReplicas: 3 })],
  ['Degraded', (k) => ({ conditions: [{ type: 'Ready', status: 'False', reason: 'Failed', message: `${k} failed: the backend is not reachable` }], phase: 'Failed', message: 'the backend is not reachable', readyReplicas: 1 })],
  ['Progressing', () => ({ conditions: [{ type: 'Ready', status: 'Unknown', reason: 'Reconciling' }], phase: 'Pending', readyReplicas: 1 })],
];

function input(group, kind, state, i) {
  const status = state(kind);
  const lines = [
    `apiVersion: ${group}/v1`,
    `kind: ${kind}`,
    'metadata:',
    `  name: example-${i}`,
    '  namespace: default',
    '  generation: 2',
    '  labels:',
    '    app.kubernetes.io/name: example',
    '    app.kubernetes.io/part-of: bench',
    '  annotations:',
    `    example.com/note: "generated input ${i}"`,
    'spec:',
    '  replicas: 3',
    '  template:',
    '    spec:',
    '      containers:',
    '      - name: main',
    '        image: registry.example/app:1.2.3',
    '        resources: {limits: {cpu: 500m, memory: 256Mi}}',
    'status:',
    '  observedGeneration: 2',
    `  readyReplicas: ${status.readyReplicas}`,
    `  phase: ${status.phase}`,
    ...(status.message ? [`  message: "${status.message}"`] : []),
    '  conditions:',
    ...status.conditions.flatMap((c) => [
      `  - type: ${c.type}`,
      `    status: "${c.status}"`,
      '    lastTransitionTime: "2026-01-01T00:00:00Z"',
      ...(c.reason ? [`    reason: ${c.reason}`] : []),
      ...(c.message ? [`    message: "${c.message}"`] : []),
    ]),
  ];
  return lines.join('\n') + '\n';
}

/** Runs one Lua-free copy of each script to know what a case expects: the bench checks the gate agrees. */
function expected(scriptIndex, kind, stateName) {
  const s = STATES.find(([n]) => n === stateName)[1](kind);
  switch (scriptIndex) {
    case 0:
      return s.conditions.some((c) => c.type === 'Ready' && c.status === 'False')
        ? ['Degraded', s.conditions.find((c) => c.type === 'Ready').message]
        : s.conditions.some((c) => c.type === 'Ready' && c.status === 'True') ? ['Healthy', `${kind} is ready`] : ['Progressing', `Waiting for ${kind}`];
    case 1:
      return s.phase === 'Running' ? ['Healthy', `${kind} is Running`] : s.phase === 'Failed' ? ['Degraded', s.message] : ['Progressing', `${kind} is ${s.phase}`];
    case 2:
      return s.readyReplicas < 3 ? ['Progressing', `Waiting for ${3 - s.readyReplicas} of 3 replicas (${Math.floor((s.readyReplicas * 100) / 3)}%)`] : ['Healthy', '3/3 replicas ready'];
    default: {
      const bad = s.conditions.find((c) => (c.type === 'Synced' || c.type === 'Ready') && c.status === 'False');
      if (bad) return ['Degraded', `${bad.type}: ${bad.reason ?? ''} ${bad.message ?? ''}`];
      return s.conditions.some((c) => c.type === 'Ready' && c.status === 'True') ? ['Healthy', `${kind} is available`] : ['Progressing', 'Waiting for conditions'];
    }
  }
}

function generate(withSuites) {
  const dir = withSuites ? dirs.full : dirs.base;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  seed = 7;
  let cases = 0;
  const write = (p, t) => {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), t);
  };
  for (let k = 0; k < kinds; k++) {
    const group = `g${k % 112}.example.io`;
    const kind = `Kind${k}`;
    const base = `resource_customizations/${group}/${kind}`;
    const si = Math.floor(rand() * SCRIPTS.length);
    write(`${base}/health.lua`, SCRIPTS[si](kind));
    if (!withSuites) continue;
    // 1,123 cases over 241 checks: 4 or 5 (sometimes 6) per check.
    const n = 4 + (rand() < 0.6 ? 1 : 0) + (rand() < 0.08 ? 1 : 0);
    const tests = [];
    for (let i = 0; i < n; i++) {
      const [stateName, state] = pick(STATES);
      const file = `testdata/${stateName.toLowerCase()}-${i}.yaml`;
      write(`${base}/${file}`, input(group, kind, state, i));
      const [status, message] = expected(si, kind, stateName);
      tests.push(`- healthStatus:\n    status: ${status}\n    message: ${JSON.stringify(message)}\n  inputPath: ${file}\n`);
      cases++;
    }
    write(`${base}/health_test.yaml`, `tests:\n${tests.join('')}`);
  }
  return { dir, cases, head: commitPacked(dir) };
}

/**
 * Commits the tree in `dir` as a new repository, its objects packed as in a clone (a fresh commit leaves one
 * loose object per file, which git reads one by one).
 * @returns the commit
 */
function commitPacked(dir) {
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', 'corpus']);
  git(dir, ['gc', '-q']);
  return git(dir, ['rev-parse', 'HEAD']);
}

/**
 * A real corpus instead of the generated one: `from` holds resource_customizations/ (a checkout of argo-cd, or a
 * copy of that folder). Without the suites, only the health.lua files are kept.
 */
function copyCorpus(from, withSuites) {
  const dir = withSuites ? dirs.full : dirs.base;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(join(from, 'resource_customizations'), join(dir, 'resource_customizations'), {
    recursive: true,
    filter: (src) => withSuites || (statSync(src).isDirectory() ? basename(src) !== 'testdata' : basename(src) === 'health.lua'),
  });
  // The number of cases is taken from the gate's report (see below).
  return { dir, cases: 0, head: commitPacked(dir) };
}

function runCli({ dir, head }) {
  const t0 = performance.now();
  const stats = join(here, '.work', `health-corpus-stats-${process.pid}.json`);
  const r = spawnSync(process.execPath, ['--import', join(here, 'child-stats.mjs'), join(root, 'dist/cli.js'), 'check', '--repo', dir, '--all', '--head', head, '--format', 'json'], {
    env: { ...process.env, GITOPS_GATE_BENCH_STATS: stats },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const wallMs = performance.now() - t0;
  const s = JSON.parse(readFileSync(stats, 'utf8'));
  rmSync(stats, { force: true });
  return { cpuMs: s.cpuMs, wallMs, report: JSON.parse(r.stdout) };
}

/**
 * Wall and CPU time (user + system), in ms, of a baseline command run on the full tree, such as a build of
 * ArgoCD's own health test harness (gopher-lua), named by HEALTH_BASELINE (its argument: the folder holding
 * resource_customizations/). bash's `time` reports the child's times.
 */
function baselineTimes(command, dir) {
  const r = spawnSync('bash', ['-c', `TIMEFORMAT='%R %U %S'; time ( ${command} "$1" > /dev/null )`, 'baseline', dir], { encoding: 'utf8' });
  const m = /([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr ?? '');
  if (r.status !== 0 || !m) throw new Error(`HEALTH_BASELINE failed: ${r.stderr}`);
  return { wallMs: Number(m[1]) * 1000, cpuMs: (Number(m[2]) + Number(m[3])) * 1000 };
}

const load = loadavg().map((x) => x.toFixed(1)).join(' ');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Runs of each tree (`--runs N`, default 5); the medians are compared. */
const RUNS = Math.max(1, Number(values.runs ?? 5));
const base = values.corpus ? copyCorpus(values.corpus, false) : generate(false);
const full = values.corpus ? copyCorpus(values.corpus, true) : generate(true);
const baselineCommand = process.env.HEALTH_BASELINE;
// Interleaved (the baseline too), so that a change in the machine's load touches every side alike.
const baseRuns = [];
const runs = [];
const baseline = baselineCommand ? [] : undefined;
for (let i = 0; i < RUNS; i++) {
  baseRuns.push(runCli(base));
  runs.push(runCli(full));
  baseline?.push(baselineTimes(baselineCommand, full.dir));
}
// A real corpus's cases are those the gate read from its suites.
if (values.corpus) full.cases = runs[0].report.details?.health?.tests?.length ?? 0;
const perCase = (key) => (median(runs.map((r) => r[key])) - median(baseRuns.map((r) => r[key]))) / full.cases;
const tests = runs[0].report.details?.health?.tests ?? [];
const passed = tests.filter((t) => t.headPass).length;
const cpuPerCase = perCase('cpuMs');
const wallPerCase = perCase('wallMs');
const baselineCpu = baseline && median(baseline.map((b) => b.cpuMs)) / full.cases;
const baselineWall = baseline && median(baseline.map((b) => b.wallMs)) / full.cases;
// Without a baseline on this machine, the goal is the figure the precision issue measured for ArgoCD's gopher-lua.
const goal = baselineCpu ?? 0.29;
const f = (x) => x.toFixed(3);
process.stdout.write(
  `health corpus${values.corpus ? ` (${values.corpus})` : ''}: ${values.corpus ? 'real' : kinds} checks, ${full.cases} cases (${passed} pass), time the suites add per case, input reading and parsing included: ` +
    `${f(cpuPerCase)} ms CPU, ${f(wallPerCase)} ms wall (goal: at most ${baseline ? `the HEALTH_BASELINE run on this machine: ${f(baselineCpu)} ms CPU, ${f(baselineWall)} ms wall` : "gopher-lua's 0.29 ms, measured elsewhere"}); load average ${load}\n`,
);
process.stdout.write(
  JSON.stringify({ kinds: values.corpus ? null : kinds, corpus: values.corpus ?? null, cases: full.cases, passed, cpuMsPerCase: cpuPerCase, wallMsPerCase: wallPerCase, goalMsPerCase: goal, baselineCpuMsPerCase: baselineCpu ?? null, baselineWallMsPerCase: baselineWall ?? null, loadAverage: load }) + '\n',
);
