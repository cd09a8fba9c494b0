/**
 * Parsing an untrusted PR body with a time limit: the parse runs in a worker thread
 * (dist/markdown-worker.js, src/description/markdown-worker.ts) that is terminated when it outlives
 * {@link MarkdownLimits.timeoutMs}. Size and nesting are checked first, in-process ({@link prescanMarkdown}).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { MARKDOWN_LIMITS, parseBodySafe, prescanMarkdown, type BodyParse, type MarkdownLimits } from './markdown.js';
import type { MarkdownWorkerRequest } from './markdown-worker.js';

/** The bundled worker script next to this module (dist/markdown-worker.js), when it exists. */
export function bundledMarkdownWorker(): string | undefined {
  const p = fileURLToPath(new URL('./markdown-worker.js', import.meta.url));
  return existsSync(p) ? p : undefined;
}

/** Options of {@link parseBodyBounded}. */
export interface BoundedParseOptions {
  limits?: MarkdownLimits;
  /**
   * Worker script; default {@link bundledMarkdownWorker}. Without one (the TypeScript sources run by the tests)
   * the body is parsed in-process by {@link parseBodySafe}: size, nesting and parser errors are still bounded,
   * time is not.
   */
  workerFile?: string | null;
}

/**
 * Parses a PR body within the size, nesting and time limits.
 * @returns the parsed body, or why it was not read (`limit: 'time'` when the worker was stopped). Never rejects.
 */
export async function parseBodyBounded(text: string, opts: BoundedParseOptions = {}): Promise<BodyParse> {
  const limits = opts.limits ?? MARKDOWN_LIMITS;
  const refused = prescanMarkdown(text, limits);
  if (refused) return { ok: false, ...refused };
  const workerFile = opts.workerFile === undefined ? bundledMarkdownWorker() : opts.workerFile;
  if (!workerFile) return parseBodySafe(text, limits);
  const worker = new Worker(workerFile, { resourceLimits: { maxOldGenerationSizeMb: 512, stackSizeMb: 4 } });
  try {
    return await new Promise<BodyParse>((resolve) => {
      const timer = setTimeout(() => {
        resolve({ ok: false, limit: 'time', message: `parsing took longer than ${limits.timeoutMs.toLocaleString('en-US')} ms and was stopped` });
      }, limits.timeoutMs);
      const done = (r: BodyParse) => {
        clearTimeout(timer);
        resolve(r);
      };
      worker.once('message', done);
      worker.once('error', (e: Error) => done({ ok: false, limit: 'error', message: `the Markdown parser failed: ${e.message}` }));
      worker.once('exit', (code) => done({ ok: false, limit: 'error', message: `the Markdown parser stopped (exit code ${code})` }));
      worker.postMessage({ text, limits } satisfies MarkdownWorkerRequest);
    });
  } finally {
    await worker.terminate();
  }
}
