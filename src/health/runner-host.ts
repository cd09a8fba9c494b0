/**
 * Runs health scripts away from the gate's own thread: in a worker thread (dist/health-worker.js, built
 * next to the bundles) that the host terminates when a run overstays its time limit by a margin, the
 * last resort for work the in-VM hook cannot interrupt (a long C call such as a pathological pattern).
 * When no worker script is available (running from source in tests without a build), runs in-process:
 * the in-VM time and memory limits still apply.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { runHealthLua, type LuaRunRequest, type LuaRunResult } from './lua-vm.js';
import type { WorkerRequest, WorkerResponse } from './worker.js';

/** Executes health scripts one at a time. */
export interface LuaRunner {
  run(req: LuaRunRequest): Promise<LuaRunResult>;
  /** Stops the worker, if any. */
  close(): Promise<void>;
}

/** Time the host grants beyond the in-VM limit before it kills the worker, in milliseconds. */
export const KILL_MARGIN_MS = 2000;

/** The bundled worker script next to this module, when it exists. */
export function bundledWorker(): string | undefined {
  const p = fileURLToPath(new URL('./health-worker.js', import.meta.url));
  return existsSync(p) ? p : undefined;
}

/**
 * Creates a runner.
 * @param workerFile a worker script (default: the bundled dist/health-worker.js); absent means in-process
 */
export function createLuaRunner(workerFile: string | undefined = bundledWorker()): LuaRunner {
  if (!workerFile) return { run: runHealthLua, close: async () => {} };
  let worker: Worker | undefined;
  let next = 0;
  const kill = async () => {
    const w = worker;
    worker = undefined;
    if (w) await w.terminate();
  };
  return {
    async run(req) {
      worker ??= new Worker(workerFile);
      const w = worker;
      const id = next++;
      return new Promise<LuaRunResult>((resolve) => {
        const done = (r: LuaRunResult) => {
          clearTimeout(timer);
          w.off('message', onMessage);
          w.off('error', onError);
          resolve(r);
        };
        const onMessage = (m: WorkerResponse) => {
          if (m.id === id) done(m.result);
        };
        const onError = (e: Error) => {
          void kill();
          done({ kind: 'error', error: `the Lua worker failed: ${e.message}` });
        };
        const timer = setTimeout(() => {
          void kill();
          done({ kind: 'error', error: `time limit exceeded (${req.timeoutMs} ms; the worker was stopped)`, limit: 'time' });
        }, req.timeoutMs + KILL_MARGIN_MS);
        w.on('message', onMessage);
        w.on('error', onError);
        w.postMessage({ id, req } satisfies WorkerRequest);
      });
    },
    close: kill,
  };
}
