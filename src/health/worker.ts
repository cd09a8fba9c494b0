/**
 * Worker-thread entry that executes health scripts for {@link ./runner-host.ts}. Bundled as
 * dist/health-worker.js; a message in is a batch of {@link WorkerRequest}s, a message out a batch of
 * {@link WorkerResponse}s.
 */
import { parentPort } from 'node:worker_threads';
import { runHealthLua, type LuaRunRequest, type LuaRunResult } from './lua-vm.js';

/**
 * A request to the worker. The first request with a script carries its text and gives it a number
 * (`scriptId`); later ones with the same number leave the text out.
 */
export interface WorkerRequest {
  id: number;
  req: LuaRunRequest | Omit<LuaRunRequest, 'script'>;
  scriptId: number;
}

/** The worker's answer to one request. */
export interface WorkerResponse {
  id: number;
  result: LuaRunResult;
}

/** Script texts by the number the host gave them. */
const scripts = new Map<number, string>();

/** Answers not sent yet, and when answers were last sent (ms). */
let outbox: WorkerResponse[] = [];
let sentAt = Date.now();
/** Answers are sent at least this often (ms) while a batch runs, so the host's watchdog sees progress. */
const ANSWER_EVERY_MS = 10;

function answer(r: WorkerResponse, last: boolean): void {
  outbox.push(r);
  if (last || Date.now() - sentAt >= ANSWER_EVERY_MS) {
    parentPort!.postMessage(outbox);
    outbox = [];
    sentAt = Date.now();
  }
}

/** Runs one request; never rejects. */
async function handle(m: WorkerRequest): Promise<WorkerResponse> {
  if ('script' in m.req) scripts.set(m.scriptId, m.req.script);
  const script = scripts.get(m.scriptId);
  if (script === undefined) return { id: m.id, result: { kind: 'error', error: 'the Lua worker does not know this script' } };
  try {
    return { id: m.id, result: await runHealthLua({ ...m.req, script }) };
  } catch (e) {
    return { id: m.id, result: { kind: 'error', error: `the Lua VM failed: ${e instanceof Error ? e.message : String(e)}` } };
  }
}

// A message is a batch of requests; they run in order, and their answers come back in batches.
parentPort?.on('message', (batch: WorkerRequest[]) => {
  batch.forEach((m, i) => {
    void handle(m).then((r) => answer(r, i === batch.length - 1));
  });
});
