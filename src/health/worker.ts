/**
 * Worker-thread entry that executes health scripts for {@link ./runner-host.ts}. Bundled as
 * dist/health-worker.js; one message in ({@link WorkerRequest}), one message out ({@link WorkerResponse}).
 */
import { parentPort } from 'node:worker_threads';
import { runHealthLua, type LuaRunRequest, type LuaRunResult } from './lua-vm.js';

/** A request to the worker. */
export interface WorkerRequest {
  id: number;
  req: LuaRunRequest;
}

/** The worker's answer to one request. */
export interface WorkerResponse {
  id: number;
  result: LuaRunResult;
}

parentPort?.on('message', (m: WorkerRequest) => {
  runHealthLua(m.req).then(
    (result) => parentPort!.postMessage({ id: m.id, result } satisfies WorkerResponse),
    (e: unknown) => parentPort!.postMessage({ id: m.id, result: { kind: 'error', error: `the Lua VM failed: ${e instanceof Error ? e.message : String(e)}` } } satisfies WorkerResponse),
  );
});
