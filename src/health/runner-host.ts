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

/** A request waiting for its answer. */
interface Pending {
  id: number;
  req: LuaRunRequest;
  resolve: (r: LuaRunResult) => void;
}

/**
 * Creates a runner. Requests are pipelined: {@link LuaRunner.run} posts at once, the worker answers in order,
 * and a watchdog gives the run at the head of the queue `timeoutMs` + {@link KILL_MARGIN_MS} from the moment
 * it starts (the previous answer); past that the worker is terminated, that run is a time limit and the runs
 * behind it are sent again to a new worker. Each script text is sent once per worker and named by a number
 * afterwards; requests posted in the same tick go as one message, and the worker answers in batches.
 * @param workerFile a worker script (default: the bundled dist/health-worker.js); absent means in-process
 */
export function createLuaRunner(workerFile: string | undefined = bundledWorker()): LuaRunner {
  if (!workerFile) return { run: runHealthLua, close: async () => {} };
  let worker: Worker | undefined;
  let scripts = new Map<string, number>();
  let next = 0;
  const queue: Pending[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const head = queue[0];
    if (!head) return;
    timer = setTimeout(() => {
      const stuck = queue.shift()!;
      restart();
      stuck.resolve({ kind: 'error', error: `time limit exceeded (${stuck.req.timeoutMs} ms; the worker was stopped)`, limit: 'time' });
    }, head.req.timeoutMs + KILL_MARGIN_MS);
  };
  // Requests posted in one go (a loop over test cases) travel as one message.
  let outbox: WorkerRequest[] = [];
  const flush = () => {
    const batch = outbox;
    outbox = [];
    if (batch.length) start().postMessage(batch);
  };
  const post = (p: Pending) => {
    const known = scripts.get(p.req.script);
    if (known !== undefined) {
      const { script: _script, ...rest } = p.req;
      outbox.push({ id: p.id, req: rest, scriptId: known });
    } else {
      const scriptId = scripts.size;
      scripts.set(p.req.script, scriptId);
      outbox.push({ id: p.id, req: p.req, scriptId });
    }
    if (outbox.length === 1) queueMicrotask(flush);
  };
  const onMessage = (answers: WorkerResponse[]) => {
    for (const m of answers) {
      // Answers come in the order of the queue: the head is the one looked for, save after a restart.
      const i = queue[0]?.id === m.id ? 0 : queue.findIndex((p) => p.id === m.id);
      if (i < 0) continue;
      const [p] = queue.splice(i, 1);
      p!.resolve(m.result);
    }
    arm();
  };
  const onError = (e: Error) => {
    const failed = queue.shift();
    restart();
    failed?.resolve({ kind: 'error', error: `the Lua worker failed: ${e.message}` });
  };
  function start(): Worker {
    if (!worker) {
      worker = new Worker(workerFile!);
      worker.on('message', onMessage);
      worker.on('error', onError);
    }
    return worker;
  }
  /** Stops the worker; the runs still queued go to a new one. */
  function restart(): void {
    const w = worker;
    worker = undefined;
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
    run(req) {
      return new Promise<LuaRunResult>((resolve) => {
        const p = { id: next++, req, resolve };
        queue.push(p);
        post(p);
        if (queue.length === 1) arm();
      });
    },
    async close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      const w = worker;
      worker = undefined;
      scripts = new Map();
      for (const p of queue.splice(0)) p.resolve({ kind: 'error', error: 'the Lua worker was closed' });
      if (w) await w.terminate();
    },
  };
}
