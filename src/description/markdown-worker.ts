/**
 * Worker thread entry (bundled as dist/markdown-worker.js): parses one PR body per message with
 * {@link parseBodySafe} and posts the {@link BodyParse} back. The host (./bounded.ts) terminates the thread
 * when a parse outlives its time limit.
 */
import { parentPort } from 'node:worker_threads';
import { parseBodySafe, type BodyParse, type MarkdownLimits } from './markdown.js';

/** One request to the worker. */
export interface MarkdownWorkerRequest {
  text: string;
  limits: MarkdownLimits;
}

parentPort?.on('message', (req: MarkdownWorkerRequest) => {
  const result: BodyParse = parseBodySafe(req.text, req.limits);
  parentPort!.postMessage(result);
});
