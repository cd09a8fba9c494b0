/**
 * The worker host: scripts run in a worker thread built like dist/health-worker.js, and a run stuck
 * inside one C call (where the in-VM hook cannot fire) is ended by terminating the worker.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLuaRunner, KILL_MARGIN_MS } from '../../../src/health/runner-host.js';
import { readPlainYaml } from '../../../src/health/input-yaml.js';
import { encodeInput } from '../../../src/health/encoded-input.js';

let dir: string;
let worker: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gg-worker-'));
  worker = join(dir, 'health-worker.js');
  await build({
    entryPoints: [new URL('../../../src/health/worker.ts', import.meta.url).pathname],
    outfile: worker,
    bundle: true,
    platform: 'node',
    format: 'esm',
    loader: { '.lua': 'text', '.yaml': 'text' },
    logLevel: 'error',
    banner: { js: "import { createRequire as __r } from 'node:module'; import { fileURLToPath as __f } from 'node:url'; const require = __r(import.meta.url); const __filename = __f(import.meta.url);" },
  });
  copyFileSync(createRequire(import.meta.url).resolve('wasmoon/dist/glue.wasm'), join(dir, 'glue.wasm'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('worker host', () => {
  it('runs scripts in the worker and survives a killed run', async () => {
    const runner = createLuaRunner(worker);
    const req = { obj: {}, useOpenLibs: true, timeoutMs: 200, memoryBytes: 16 * 1024 * 1024 };
    try {
      expect(await runner.run({ ...req, script: 'return {status = "Healthy"}' })).toMatchObject({ kind: 'ok', status: 'Healthy' });
      const t = Date.now();
      // A pathological pattern: one long C call that the count hook cannot interrupt.
      const stuck = await runner.run({ ...req, script: 'return {status = tostring(string.find(string.rep("a", 40000), ".-.-.-.-.-.-b"))}' });
      expect(stuck).toMatchObject({ kind: 'error', limit: 'time' });
      expect(Date.now() - t).toBeLessThan(200 + KILL_MARGIN_MS + 2000);
      expect(await runner.run({ ...req, script: 'return {status = "Degraded"}' })).toMatchObject({ kind: 'ok', status: 'Degraded' });
    } finally {
      await runner.close();
    }
  });

  it('counts a run\'s time from the moment the worker is ready, not from its start-up (a loaded machine must not fail a check)', async () => {
    // A worker that takes longer to start than the watchdog grants a run (timeoutMs + KILL_MARGIN_MS): under load
    // (ArgoCD's crossplane check, the first case of a corpus run at load average 11) the first run was reported as a
    // time limit though the script never ran.
    const timeoutMs = 100;
    const slow = join(dir, 'slow-worker.mjs');
    writeFileSync(slow, `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${timeoutMs + KILL_MARGIN_MS + 600});\nawait import('./health-worker.js');\n`);
    const runner = createLuaRunner(slow);
    try {
      const r = await runner.run({ obj: {}, useOpenLibs: true, timeoutMs, memoryBytes: 16 * 1024 * 1024, script: 'return {status = "Healthy"}' });
      expect(r).toMatchObject({ kind: 'ok', status: 'Healthy' });
    } finally {
      await runner.close();
    }
  });

  it('reads and encodes test inputs in the worker as the line reader does here, also before the Lua state is ready and across a killed run', async () => {
    const runner = createLuaRunner(worker);
    const input = 'apiVersion: example.io/v1\nkind: Widget\nstatus:\n  message: >-\n    wrapped\n    text\n  ready: true\n';
    const req = { obj: {}, useOpenLibs: true, timeoutMs: 200, memoryBytes: 16 * 1024 * 1024 };
    try {
      // Posted first, before the worker has loaded Lua: answered all the same.
      const early = runner.parse(input, 60);
      expect(await early).toStrictEqual(encodeInput(readPlainYaml(input, 60)!));
      expect(await early).toMatchObject({ apiVersion: 'example.io/v1', kind: 'Widget' });
      // The bytes are the object for a run: the script sees what the text says.
      const seen = await runner.run({ ...req, encoded: (await early)!.bytes, script: 'return {status = "Healthy", message = obj.status.message .. "/" .. tostring(obj.status.ready)}' });
      expect(seen).toMatchObject({ kind: 'ok', message: 'wrapped text/true' });
      // A text the line reader refuses comes back undefined: the host then reads it the exact way.
      expect(await runner.parse('a: &x 1\nb: *x\n', 60)).toBeUndefined();
      // Queued behind a run the watchdog ends by killing the worker: sent again to the new worker and answered.
      const stuck = runner.run({ ...req, script: 'return {status = tostring(string.find(string.rep("a", 40000), ".-.-.-.-.-.-b"))}' });
      const behind = runner.parse(input, 60);
      expect(await stuck).toMatchObject({ kind: 'error', limit: 'time' });
      expect(await behind).toStrictEqual(encodeInput(readPlainYaml(input, 60)!));
    } finally {
      await runner.close();
    }
  });

  it('holds the optimiser off while the worker starts or has requests waiting, and only then', async () => {
    const events: string[] = [];
    const hold = () => {
      events.push('hold');
      return () => events.push('release');
    };
    const runner = createLuaRunner(worker, hold);
    const req = { obj: {}, useOpenLibs: true, timeoutMs: 200, memoryBytes: 16 * 1024 * 1024 };
    try {
      // Started ahead of the first request: held while the worker loads, released once it is ready with nothing to do.
      runner.start();
      expect(events).toStrictEqual(['hold']);
      await expect.poll(() => events, { timeout: 20_000 }).toStrictEqual(['hold', 'release']);
      // A burst of requests: one hold for all of them, released when the last answer is in.
      const burst = [runner.parse('a: 1\n', 60), ...[1, 2, 3].map((n) => runner.run({ ...req, script: `return {status = "Healthy", message = "${n}"}` }))];
      expect(events).toStrictEqual(['hold', 'release', 'hold']);
      await Promise.all(burst);
      expect(events).toStrictEqual(['hold', 'release', 'hold', 'release']);
      // A killed run keeps the hold across the restart (the new worker starts), for the request behind it.
      const stuck = runner.run({ ...req, script: 'return {status = tostring(string.find(string.rep("a", 40000), ".-.-.-.-.-.-b"))}' });
      const behind = runner.run({ ...req, script: 'return {status = "Healthy"}' });
      expect(await stuck).toMatchObject({ kind: 'error', limit: 'time' });
      expect(events).toStrictEqual(['hold', 'release', 'hold', 'release', 'hold']);
      expect(await behind).toMatchObject({ kind: 'ok' });
      expect(events).toStrictEqual(['hold', 'release', 'hold', 'release', 'hold', 'release']);
      // Closed with a request posted in the same tick: released all the same, and no new worker starts for the
      // request after the close (it would take the hold again).
      const queued = runner.run({ ...req, script: 'return {status = "Healthy"}' });
      await runner.close();
      expect(await queued).toMatchObject({ kind: 'error', error: 'the Lua worker was closed' });
      expect(events).toStrictEqual(['hold', 'release', 'hold', 'release', 'hold', 'release', 'hold', 'release']);
    } finally {
      await runner.close();
    }
  });

  it('never holds the optimiser in-process (no worker: the runs are this thread\'s own work)', async () => {
    let holds = 0;
    const runner = createLuaRunner(undefined, () => {
      holds++;
      return () => {};
    });
    expect(await runner.run({ obj: {}, useOpenLibs: true, timeoutMs: 200, memoryBytes: 16 * 1024 * 1024, script: 'return {status = "Healthy"}' })).toMatchObject({ kind: 'ok' });
    await runner.close();
    expect(holds).toBe(0);
  });

  it('reads test inputs in-process without a worker', async () => {
    const runner = createLuaRunner(undefined);
    expect(await runner.parse('a: "x\\ty"\n', 60)).toStrictEqual(encodeInput({ a: 'x\ty' }));
    expect(await runner.parse('apiVersion: v1\nkind: Pod\n', 60)).toMatchObject({ apiVersion: 'v1', kind: 'Pod' });
    expect(await runner.parse('a: !t 1\n', 60)).toBeUndefined();
    await runner.close();
  });

  it('settles a request the worker answers as the other kind: the run fails, nothing waits forever', async () => {
    // A broken worker that answers every request as an input read.
    const odd = join(dir, 'odd-worker.mjs');
    writeFileSync(odd, "import { parentPort } from 'node:worker_threads';\nparentPort.postMessage('ready');\nparentPort.on('message', (batch) => parentPort.postMessage(batch.map((m) => ({ id: m.id, read: null }))));\n");
    const runner = createLuaRunner(odd);
    try {
      const r = await runner.run({ obj: {}, useOpenLibs: true, timeoutMs: 200, memoryBytes: 16 * 1024 * 1024, script: 'return {status = "Healthy"}' });
      expect(r).toMatchObject({ kind: 'error', error: expect.stringMatching(/answered a run as an input read/) });
      expect(await runner.parse('a: 1\n', 10)).toBeUndefined();
    } finally {
      await runner.close();
    }
  });
});

