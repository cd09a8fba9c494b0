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
import { readEncodedInput, type EncodedInput } from './encoded-input.js';
import { encodeLuaValue, loadHealthLua, type LuaRunRequest, type LuaRunResult } from './lua-vm.js';
import { runHealthLua } from './lua-run.js';
import { rewriteConcat } from './lua-static.js';
import type { WorkerRequest, WorkerResponse } from './worker.js';
import { WORKER_READY } from './worker-protocol.js';
import { holdOptimizer, type HoldOptimizer } from './optimizer-hold.js';

/** Executes health scripts one at a time. */
export interface LuaRunner {
  run(req: LuaRunRequest): Promise<LuaRunResult>;
  /**
   * Reads a test input with the line reader of plain YAML and encodes it for its runs
   * (`readEncodedInput(text, maxDepth)`), in the worker when there is one, so that the caller's thread analyses scripts
   * meanwhile and never receives the object.
   * @returns the encoded input, or undefined when the text must be read the exact way (also when the worker failed)
   */
  parse(text: string, maxDepth: number): Promise<EncodedInput | undefined>;
  /**
   * Starts the worker (and its loading of the Lua module) ahead of the first run, so that its start-up
   * overlaps the caller's own work (reading and parsing the test cases).
   */
  start(): void;
  /** Stops the worker, if any. */
  close(): Promise<void>;
}

/** Time the host grants beyond the in-VM limit before it kills the worker, in milliseconds. */
export const KILL_MARGIN_MS = 2000;

/**
 * Time a new worker has to load its Lua state, in milliseconds. Past it the runs waiting for it fail as
 * "the Lua worker did not start" (not a time limit of any script; the gate fails closed either way).
 */
export const STARTUP_LIMIT_MS = 60_000;

/**
 * Time the worker has to read one test input, in milliseconds (the line reader is linear in the text; this only
 * bounds a worker that stopped answering). Past it the worker is restarted and the input is read by the host.
 */
export const PARSE_LIMIT_MS = 10_000;

/** The bundled worker script next to this module, when it exists. */
export function bundledWorker(): string | undefined {
  const p = fileURLToPath(new URL('./health-worker.js', import.meta.url));
  return existsSync(p) ? p : undefined;
}

/** A run waiting for its answer. */
interface PendingRun {
  id: number;
  req: LuaRunRequest;
  /** The object as sent: encoded once (see encodeLuaValue), or why it cannot be. */
  encoded: Uint8Array | { error: string };
  resolve: (r: LuaRunResult) => void;
}

/** An input to read, waiting for its answer. */
interface PendingParse {
  id: number;
  text: string;
  maxDepth: number;
  resolve: (v: EncodedInput | undefined) => void;
}

type Pending = PendingRun | PendingParse;
const isRun = (p: Pending): p is PendingRun => 'req' in p;
/** The time the worker has for `p` once it is at the head of the queue, in milliseconds. */
const timeLimit = (p: Pending) => (isRun(p) ? p.req.timeoutMs : PARSE_LIMIT_MS);
/** Ends `p` without an answer from the worker: a run fails with `error`; an input is left to the host's reader. */
function fail(p: Pending, error: string, limit?: 'time'): void {
  if (isRun(p)) p.resolve({ kind: 'error', error, ...(limit ? { limit } : {}) });
  else p.resolve(undefined);
}

/** Encodings by object: the same input object often runs more than once (base and head, shapes). */
const encodings = new WeakMap<object, Uint8Array>();

/** The object of a request as the worker receives it. */
function encode(obj: unknown): Uint8Array | { error: string } {
  const cacheable = typeof obj === 'object' && obj !== null;
  const known = cacheable ? encodings.get(obj) : undefined;
  if (known) return known;
  try {
    const e = encodeLuaValue(obj);
    if (cacheable) encodings.set(obj, e);
    return e;
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** Scripts as prepared for the worker, by their text (see rewriteConcat). */
const preparedScripts = new Map<string, string>();
function prepare(script: string): string {
  let p = preparedScripts.get(script);
  if (p === undefined) {
    if (preparedScripts.size >= 5000) preparedScripts.clear();
    preparedScripts.set(script, (p = rewriteConcat(script)));
  }
  return p;
}

/**
 * Creates a runner. Requests are pipelined: {@link LuaRunner.run} posts at once, the worker answers in order,
 * and a watchdog gives the run at the head of the queue `timeoutMs` + {@link KILL_MARGIN_MS} from the moment
 * it starts (the previous answer, or the worker's ready message: a worker's start-up, slow on a loaded machine, is
 * never counted against a script; {@link STARTUP_LIMIT_MS} bounds it); past that the worker is terminated, that run is a time limit and the runs
 * behind it are sent again to a new worker. Each script text is sent once per worker and named by a number
 * afterwards; requests posted in the same tick go as one message, and the worker answers in batches.
 * While the worker starts or requests wait for it, V8's optimising compiler is held off (optimizer-hold.ts says why).
 * @param workerFile a worker script (default: the bundled dist/health-worker.js); absent means in-process
 * @param hold takes the hold on the optimiser (default: the process's, {@link holdOptimizer}); not taken in-process
 */
export function createLuaRunner(workerFile: string | undefined = bundledWorker(), hold: HoldOptimizer = holdOptimizer): LuaRunner {
  if (!workerFile) {
    return {
      run: runHealthLua,
      parse: async (text, maxDepth) => readEncodedInput(text, maxDepth),
      start: () => void loadHealthLua().catch(() => undefined),
      close: async () => {},
    };
  }
  let worker: Worker | undefined;
  let scripts = new Map<string, number>();
  let next = 0;
  const queue: Pending[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** The current worker has loaded its Lua state: until then no run is timed (its start-up is not the script's time). */
  let loaded = false;
  /** Releases the hold on the optimiser, taken while the worker starts or the queue holds requests. */
  let release: (() => void) | undefined;
  const holdWhileBusy = () => {
    if (queue.length > 0 || (worker !== undefined && !loaded)) release ??= hold();
    else if (release) {
      release();
      release = undefined;
    }
  };

  // Called after every change of the queue.
  const arm = () => {
    holdWhileBusy();
    if (timer) clearTimeout(timer);
    timer = undefined;
    const head = queue[0];
    if (!head) return;
    if (!loaded) {
      // Only a worker that never becomes ready is stopped, and no script is blamed for it.
      timer = setTimeout(() => {
        const waiting = queue.splice(0);
        restart();
        for (const p of waiting) fail(p, `the Lua worker did not start within ${STARTUP_LIMIT_MS / 1000} s`);
      }, STARTUP_LIMIT_MS);
      return;
    }
    timer = setTimeout(() => {
      const stuck = queue.shift()!;
      restart();
      fail(stuck, `time limit exceeded (${timeLimit(stuck)} ms; the worker was stopped)`, 'time');
    }, timeLimit(head) + KILL_MARGIN_MS);
  };
  // Requests posted in one go (a loop over test cases) travel as one message.
  let outbox: WorkerRequest[] = [];
  const flush = () => {
    const batch = outbox;
    outbox = [];
    if (batch.length) start().postMessage(batch);
  };
  const post = (p: Pending) => {
    if (!isRun(p)) {
      outbox.push({ id: p.id, parse: p.text, maxDepth: p.maxDepth });
      if (outbox.length === 1) queueMicrotask(flush);
      return;
    }
    const { req } = p;
    const known = scripts.get(req.script);
    // Only what the worker needs: the encoded object instead of the tree, the script text once.
    const sent = { prepared: req.prepared, obj: null, encoded: p.encoded, useOpenLibs: req.useOpenLibs, timeoutMs: req.timeoutMs, memoryBytes: req.memoryBytes };
    if (known !== undefined) outbox.push({ id: p.id, req: sent, scriptId: known });
    else {
      const scriptId = scripts.size;
      scripts.set(req.script, scriptId);
      outbox.push({ id: p.id, req: { ...sent, script: req.script }, scriptId });
    }
    if (outbox.length === 1) queueMicrotask(flush);
  };
  /** Queues a request and sends it; the watchdog starts on it when it is the only one. */
  const enqueue = (p: Pending) => {
    queue.push(p);
    post(p);
    if (queue.length === 1) arm();
  };
  const onMessage = (answers: WorkerResponse[] | typeof WORKER_READY) => {
    if (answers === WORKER_READY) {
      loaded = true;
      arm();
      return;
    }
    for (const m of answers) {
      // Answers come in the order of the queue: the head is the one looked for, save after a restart.
      const i = queue[0]?.id === m.id ? 0 : queue.findIndex((p) => p.id === m.id);
      if (i < 0) continue;
      const p = queue.splice(i, 1)[0]!;
      // An answer of the other kind (never sent by the worker) still settles the request: a run fails, an input
      // is left to the host's reader; nothing waits forever.
      if ('read' in m) {
        if (isRun(p)) fail(p, 'the Lua worker answered a run as an input read');
        else p.resolve(m.read ?? undefined);
      } else if (isRun(p)) p.resolve(m.result);
      else fail(p, 'the Lua worker answered an input read as a run');
    }
    arm();
  };
  const onError = (e: Error) => {
    const failed = queue.shift();
    restart();
    if (failed) fail(failed, `the Lua worker failed: ${e.message}`);
  };
  function start(): Worker {
    if (!worker) {
      loaded = false;
      worker = new Worker(workerFile!);
      worker.on('message', onMessage);
      worker.on('error', onError);
      holdWhileBusy();
    }
    return worker;
  }
  /** Stops the worker; the runs still queued go to a new one. */
  function restart(): void {
    const w = worker;
    worker = undefined;
    loaded = false;
    scripts = new Map();
    outbox = [];
    if (w) {
      w.off('message', onMessage);
      w.off('error', onError);
      void w.terminate();
    }
    for (const p of queue) post(p);
    arm();
  }
  return {
    start() {
      start();
    },
    run(asked) {
      // The worker compiles prepared scripts only (its bundle leaves the Lua parser out): prepared here, once each.
      const req = asked.prepared ? asked : { ...asked, script: prepare(asked.script), prepared: true };
      return new Promise<LuaRunResult>((resolve) => enqueue({ id: next++, req, encoded: req.encoded ?? encode(req.obj), resolve }));
    },
    parse(text, maxDepth) {
      return new Promise<EncodedInput | undefined>((resolve) => enqueue({ id: next++, text, maxDepth, resolve }));
    },
    async close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      const w = worker;
      worker = undefined;
      scripts = new Map();
      // Requests posted in this tick have not been sent yet: dropped with the queue, or their flush would start a
      // new worker after the close.
      outbox = [];
      for (const p of queue.splice(0)) fail(p, 'the Lua worker was closed');
      holdWhileBusy();
      if (w) await w.terminate();
    },
  };
}
