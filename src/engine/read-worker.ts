/**
 * Worker thread of {@link parseManifestFiles}: parses one batch of manifest files and posts back their
 * plain-data form. Bundled as `dist/read-worker.js`, next to the CLI and the Action.
 */
import { parentPort } from 'node:worker_threads';
import { parseBatch, toWire, type WorkerJob } from './parallel-read.js';

parentPort?.once('message', (job: WorkerJob) => {
  parentPort!.postMessage(parseBatch(job, toWire));
});
