/**
 * Worker-thread entry that executes health scripts for {@link ./runner-host.ts}. Bundled as
 * dist/health-worker.js; a message in is a batch of {@link WorkerRequest}s, a message out a batch of
 * {@link WorkerResponse}s. The Lua state is made ready as soon as the worker starts, while the host still
 * reads the test cases; a batch then runs synchronously, request after request. The worker also reads test
 * inputs of the plain shape (input-yaml.ts) for the host, which meanwhile analyses the scripts, and sends back
 * only their encoding for Lua and the fields that pick their check: the objects are not cloned across threads.
 */
import { setFlagsFromString } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { readEncodedInput, type EncodedInput } from './encoded-input.js';
import { loadHealthLua, runHealthLuaLoaded, type LuaRunRequest, type LuaRunResult } from './lua-vm.js';
import { WORKER_READY } from './worker-protocol.js';

/**
 * A run of a script. The first request with a script carries its text and gives it a number (`scriptId`);
 * later ones with the same number leave the text out. The object travels encoded (`req.encoded`, see
 * encodeLuaValue), not as a tree.
 */
export interface WorkerRunRequest {
  id: number;
  req: LuaRunRequest | Omit<LuaRunRequest, 'script'>;
  scriptId: number;
}

/** A test input to read and encode for the runs of its cases (`readEncodedInput(parse, maxDepth)`). */
export interface WorkerParseRequest {
  id: number;
  parse: string;
  maxDepth: number;
}

/** A request to the worker. */
export type WorkerRequest = WorkerRunRequest | WorkerParseRequest;

/** The worker's answer to one request: a run's result, or the input read and encoded (null: the line reader refused it). */
export type WorkerResponse = { id: number; result: LuaRunResult } | { id: number; read: EncodedInput | null };

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

// The Lua VM's WebAssembly stays on V8's baseline compiler (Liftoff): an evaluation makes a few thousand short
// runs at most, and the optimising compiles of the VM's hot functions (on V8's background threads) cost more CPU
// than they save over such a run (about 0.2 s of 2.6 s on bench/health-corpus.mjs's 1,121 cases). Set before the
// module is compiled; nothing else in this process compiles WebAssembly while a worker exists (the host's
// in-process path is for runs from source, without a worker).
setFlagsFromString('--liftoff-only');

/** The state is ready (or failed to load: then every run says why). */
const ready = loadHealthLua().then(
  () => undefined,
  (e: unknown) => (e instanceof Error ? e.message : String(e)),
);
// Tell the host: its watchdog counts a run's time from here, not from the thread's start-up.
void ready.then(() => parentPort?.postMessage(WORKER_READY));

/** Reads and encodes one input; never throws (what it cannot read is left to the host's exact reader). */
function parse(m: WorkerParseRequest): WorkerResponse {
  return { id: m.id, read: readEncodedInput(m.parse, m.maxDepth) ?? null };
}

/** Answers one request; never throws. */
function handle(m: WorkerRequest, failed: string | undefined): WorkerResponse {
  if ('parse' in m) return parse(m);
  if ('script' in m.req) scripts.set(m.scriptId, m.req.script);
  const script = scripts.get(m.scriptId);
  if (script === undefined) return { id: m.id, result: { kind: 'error', error: 'the Lua worker does not know this script' } };
  if (failed !== undefined) return { id: m.id, result: { kind: 'error', error: `the Lua VM failed: ${failed}` } };
  try {
    const req = m.req as LuaRunRequest;
    req.script = script;
    return { id: m.id, result: runHealthLuaLoaded(req) };
  } catch (e) {
    return { id: m.id, result: { kind: 'error', error: `the Lua VM failed: ${e instanceof Error ? e.message : String(e)}` } };
  }
}

// A message is a batch of requests; they run in order (batches too), and their answers come back in batches.
// A batch of inputs to read that arrives while nothing is queued is answered at once, before the Lua state
// is ready: reading needs no Lua.
let tail: Promise<unknown> = ready;
let queued = 0;
parentPort?.on('message', (batch: WorkerRequest[]) => {
  if (queued === 0 && batch.every((m) => 'parse' in m)) {
    batch.forEach((m, i) => answer(parse(m as WorkerParseRequest), i === batch.length - 1));
    return;
  }
  queued++;
  tail = tail.then(async () => {
    const failed = await ready;
    batch.forEach((m, i) => answer(handle(m, failed), i === batch.length - 1));
    queued--;
  });
});
