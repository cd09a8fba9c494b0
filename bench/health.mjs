// Measures health-check execution: time per test case through the built worker (dist/health-worker.js),
// one Lua state per worker with a fresh environment per case, as the gate runs health_test.yaml cases.
// Usage: npm run build && node bench/health.mjs [CASES]   (default 2000 cases)
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { importFromSource } from './bundle-src.mjs';

const workerFile = new URL('../dist/health-worker.js', import.meta.url);
if (!existsSync(workerFile)) {
  process.stderr.write('dist/health-worker.js is missing: run `npm run build` first\n');
  process.exit(2);
}
// Usage: node bench/health.mjs [CASES]; other arguments (such as bench/run.mjs's --repo DIR) are ignored.
const cases = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 2000);

// A script of the size and shape of ArgoCD's built-in checks (conditions, counters, string functions).
const script = `
local hs = {status = "Progressing", message = "Waiting for rollout"}
if obj.status == nil then return hs end
if obj.spec.paused == true then return {status = "Suspended", message = "Rollout is paused"} end
for _, c in ipairs(obj.status.conditions or {}) do
  if c.type == "Degraded" and c.status == "True" then
    return {status = "Degraded", message = c.message or ""}
  end
end
local ready = obj.status.readyReplicas or 0
if ready < obj.spec.replicas then
  hs.message = "Waiting for " .. (obj.spec.replicas - ready) .. " of " .. obj.spec.replicas .. " replicas"
  return hs
end
if string.find(obj.status.phase or "", "Healthy") then return {status = "Healthy", message = ready .. "/" .. obj.spec.replicas} end
return hs
`;

function object(i) {
  const replicas = 1 + (i % 5);
  const o = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: `r${i}`, namespace: 'default', generation: i }, spec: { replicas, paused: i % 11 === 0 } };
  if (i % 7 !== 0) {
    o.status = {
      readyReplicas: i % 3 === 0 ? replicas - 1 : replicas,
      phase: 'Healthy',
      conditions: [{ type: 'Available', status: 'True' }, { type: 'Degraded', status: i % 13 === 0 ? 'True' : 'False', message: 'ProgressDeadlineExceeded' }],
    };
  }
  return o;
}

// The worker compiles scripts the host has prepared (src/health/runner-host.ts rewrites `..` once per script with
// rewriteConcat): the rewrite is bundled from src/.
const { rewriteConcat } = await importFromSource('health-prepare', "export { rewriteConcat } from './src/health/lua-static.ts';");
const prepared = rewriteConcat(script);

const worker = new Worker(workerFile);
let next = 0;
const pending = new Map();
worker.on('message', (answers) => {
  for (const m of answers) {
    pending.get(m.id)?.(m.result);
    pending.delete(m.id);
  }
});
// As the gate's runner does (src/health/runner-host.ts): the script text goes once, later requests name it,
// and requests posted in one tick travel as one batch (answers come back in batches).
let sent = false;
let outbox = [];
const run = (obj) =>
  new Promise((resolve) => {
    const id = next++;
    pending.set(id, resolve);
    const req = { obj, prepared: true, useOpenLibs: true, timeoutMs: 1000, memoryBytes: 64 * 1024 * 1024 };
    outbox.push({ id, req: sent ? req : { ...req, script: prepared }, scriptId: 0 });
    sent = true;
    if (outbox.length === 1) {
      void Promise.resolve().then(() => {
        worker.postMessage(outbox);
        outbox = [];
      });
    }
  });

const t0 = performance.now();
await run(object(1));
const init = performance.now() - t0;
const counts = {};
const cpu0 = process.cpuUsage();
const t1 = performance.now();
const results = await Promise.all(Array.from({ length: cases }, (_, i) => run(object(i))));
const total = performance.now() - t1;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
for (const r of results) {
  const key = r.kind === 'ok' ? r.status : r.kind;
  counts[key] = (counts[key] ?? 0) + 1;
}
await worker.terminate();
process.stdout.write(
  `health checks: ${cases} cases in ${total.toFixed(0)} ms: ${(total / cases).toFixed(3)} ms/case wall, ${(cpuMs / cases).toFixed(3)} ms/case CPU (both threads) ` +
    `(first run incl. worker and WebAssembly start: ${init.toFixed(0)} ms); results ${JSON.stringify(counts)}\n`,
);
process.stdout.write(JSON.stringify({ cases, msPerCase: total / cases, cpuMsPerCase: cpuMs / cases, firstRunMs: init, results: counts }) + '\n');
