/**
 * Parsing many manifest files on every core: large batches (`--all` on a monorepo) are split between the
 * main thread and worker threads running {@link readManifestFile} (the main thread would otherwise wait);
 * small batches are parsed inline, where starting workers would cost more than it saves.
 *
 * Workers send back plain data (values, resources, annotation positions, problems), never the YAML syntax
 * trees, which cannot cross threads. The position lookups of documents and resources (`pos`, `keyPos`,
 * `node`) re-parse the file's text on first use, so they behave exactly as for a file parsed inline;
 * checks only call them for the few nodes they report on.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { readManifestFile, type ManifestFile } from '../manifests/manifest-file.js';
import type { Resource } from '../manifests/resource.js';
import type { Position } from '../core/model.js';
import { decodeText, parseYamlText, type YamlDoc, type YamlLimits } from '../manifests/yaml-doc.js';

/**
 * The main thread's share of a batch, relative to an equal split: a worker's results still have to be
 * copied to the main thread and rebuilt there, so the main thread parses more (measured with
 * `npm run bench` on two cores: 1.3 has both finish together).
 */
export const MAIN_SHARE = 1.3;

/** Fewest files for which workers are started. */
export const PARALLEL_MIN_FILES = 2000;

/** One file to parse. */
export interface ParseInput {
  path: string;
  bytes: Uint8Array;
}

/** Options of {@link parseManifestFiles}. */
export interface ParseOptions {
  /** Paths that exist on the side being read (for Helm chart detection: `Chart.yaml` files). */
  existing: ReadonlySet<string>;
  /** Worker script; default `read-worker.js` next to this module (present in the bundle, `dist/`). */
  workerUrl?: URL;
  /** Number of workers; default: one less than the available parallelism (the main thread parses a share too), at most 3. */
  workers?: number;
  /** Smallest batch sent to workers; default {@link PARALLEL_MIN_FILES}. */
  minFiles?: number;
  /** Workers started ahead ({@link startParsers}); the caller closes them. Default: started here when the batch is large. */
  pool?: ParserPool;
}

/**
 * A file as a worker sends it: every field of a {@link ManifestFile} except functions, syntax trees and the
 * text (the main thread still holds the bytes, and decodes them only if the text is asked for).
 */
export type WireFile = Omit<ManifestFile, 'docs' | 'resources' | 'text'> & {
  hasText: boolean;
  /** `rootPos`: the position of the document's (resource's) own node, `pos([])`, which plans ask of every resource. */
  docs: (Omit<YamlDoc, 'pos' | 'keyPos' | 'node' | 'scalarSource' | 'isMap'> & { rootPos: Position })[];
  resources: (Omit<Resource, 'pos' | 'keyPos' | 'node'> & { rootPos: Position })[];
};

/** Data fields of `obj`: functions dropped, so the object can be posted between threads. */
function dataOf<T extends object>(obj: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => typeof v !== 'function'));
}

/** Strips a parsed file down to what can cross threads. */
export function toWire(file: ManifestFile): WireFile {
  const { text, ...rest } = file;
  return {
    ...dataOf(rest),
    hasText: text !== undefined,
    docs: file.docs.map((d) => ({ ...dataOf(d), rootPos: d.pos([]) })),
    resources: file.resources.map((r) => ({ ...dataOf(r), rootPos: r.pos([]) })),
  } as WireFile;
}

/**
 * Rebuilds a {@link ManifestFile} from its wire form and the file's bytes. The text is decoded, and position
 * lookups other than `pos([])` re-parse it, once, on first use.
 */
export function fromWire(wire: WireFile, bytes: Uint8Array, limits: YamlLimits): ManifestFile {
  const { hasText, ...fields } = wire;
  let text: string | undefined;
  const getText = () => (hasText ? (text ??= decodeText(bytes)) : undefined);
  let parsed: YamlDoc[] | undefined;
  const docAt = (i: number): YamlDoc | undefined => {
    const t = getText();
    return (parsed ??= t === undefined ? [] : parseYamlText(t, limits, { positionsOnly: true }).docs)[i];
  };
  const fallback = (i: number) => ({ line: wire.docs[i]?.startLine ?? 1, column: 1 });
  const docs: YamlDoc[] = wire.docs.map(({ rootPos, ...d }) => ({
    ...d,
    pos: (path) => (path.length === 0 ? rootPos : (docAt(d.index)?.pos(path) ?? fallback(d.index))),
    keyPos: (path) => docAt(d.index)?.keyPos(path) ?? fallback(d.index),
    node: (path) => docAt(d.index)?.node(path),
    scalarSource: (path) => docAt(d.index)?.scalarSource(path),
    isMap: (path) => docAt(d.index)?.isMap(path) ?? false,
  }));
  const resources: Resource[] = wire.resources.map(({ rootPos, ...r }) => ({
    ...r,
    pos: (sub) => (sub.length === 0 ? rootPos : (docAt(r.docIndex)?.pos([...r.path, ...sub]) ?? fallback(r.docIndex))),
    keyPos: (sub) => docAt(r.docIndex)?.keyPos([...r.path, ...sub]) ?? fallback(r.docIndex),
    node: (sub) => docAt(r.docIndex)?.node([...r.path, ...sub]),
  }));
  return Object.defineProperty({ ...fields, docs, resources }, 'text', { get: getText, enumerable: true }) as ManifestFile;
}

/** The message a worker receives. */
export interface WorkerJob {
  files: ParseInput[];
  limits: YamlLimits;
  existing: string[];
}

/**
 * Parses one batch; the body of the worker, and the inline path. `each` maps every file as soon as it is
 * parsed (the worker strips it to its wire form there, so syntax trees do not pile up in memory).
 */
export function parseBatch<T = ManifestFile>(job: WorkerJob, each: (f: ManifestFile) => T = (f) => f as T): T[] {
  const existing = new Set(job.existing);
  return job.files.map((f) => each(readManifestFile(f.path, f.bytes, job.limits, (p) => existing.has(p))));
}

function defaultWorkerUrl(): URL {
  return new URL('./read-worker.js', import.meta.url);
}

/**
 * Copies a batch's bytes into one fresh buffer, transferred to the worker: posting views of the reader's
 * large output buffer would copy all of it to every worker.
 */
function packBatch(files: ParseInput[]): { files: ParseInput[]; transfer: ArrayBuffer } {
  const total = files.reduce((n, f) => n + f.bytes.byteLength, 0);
  const buf = new Uint8Array(total);
  let off = 0;
  const packed = files.map((f) => {
    buf.set(f.bytes, off);
    const bytes = buf.subarray(off, off + f.bytes.byteLength);
    off += f.bytes.byteLength;
    return { path: f.path, bytes };
  });
  return { files: packed, transfer: buf.buffer };
}

/** One worker thread, started ahead of its batch so that it loads while the files are being read. */
interface ParserWorker {
  run(batch: ParseInput[], limits: YamlLimits, existing: string[]): Promise<WireFile[]>;
  stop(): void;
}

function startWorker(url: URL): ParserWorker {
  // A larger young generation: parsing allocates many short-lived objects, and fewer scavenges save time.
  const worker = new Worker(url, { resourceLimits: { maxYoungGenerationSizeMb: 64 } });
  const result = new Promise<WireFile[]>((resolve, reject) => {
    worker.once('message', (out: WireFile[]) => {
      resolve(out);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`manifest parser worker exited with code ${code}`)));
  });
  result.catch(() => undefined); // a worker stopped unused is not an error
  return {
    run(batch, limits, existing) {
      const { files, transfer } = packBatch(batch);
      worker.postMessage({ files, limits, existing } satisfies WorkerJob, [transfer]);
      return result;
    },
    stop: () => void worker.terminate(),
  };
}

/** Worker threads started for one batch of files; see {@link startParsers}. */
export interface ParserPool {
  readonly workers: readonly ParserWorker[];
  /** Stops every worker (those that finished have stopped already). Call it in a `finally`. */
  close(): void;
}

/**
 * Starts the workers for a batch of `fileCount` files before the files are read, when the batch is large
 * enough and the worker script exists; otherwise returns `undefined` (the batch is parsed inline).
 */
export function startParsers(fileCount: number, opts: Omit<ParseOptions, 'existing'> = {}): ParserPool | undefined {
  const url = opts.workerUrl ?? defaultWorkerUrl();
  const count = Math.min(opts.workers ?? Math.min(availableParallelism() - 1, 3), fileCount);
  if (fileCount < (opts.minFiles ?? PARALLEL_MIN_FILES) || count < 1 || !existsSync(fileURLToPath(url))) return undefined;
  const workers = Array.from({ length: count }, () => startWorker(url));
  return { workers, close: () => workers.forEach((w) => w.stop()) };
}

/**
 * Splits a batch between the main thread and `workers` workers, by size: the main thread takes the files
 * `prefer` names first (those the full parser reads keep their syntax trees there, so later position
 * lookups need no re-parse), then more until it has its share ({@link MAIN_SHARE}); the rest is dealt to
 * the workers by size.
 * @returns input indexes for the main thread and for each worker
 */
export function splitBatch(files: readonly ParseInput[], workers: number, prefer?: (path: string) => boolean): { main: number[]; workers: number[][] } {
  const total = files.reduce((n, f) => n + f.bytes.byteLength, 0);
  const share = (total / (workers + 1)) * MAIN_SHARE;
  const main: number[] = [];
  const taken = new Set<number>();
  let mainBytes = 0;
  const take = (i: number) => {
    main.push(i);
    taken.add(i);
    mainBytes += files[i]!.bytes.byteLength;
  };
  if (prefer) files.forEach((f, i) => prefer(f.path) && take(i));
  for (let i = 0; i < files.length && mainBytes < share; i++) if (!taken.has(i)) take(i);
  const out: number[][] = Array.from({ length: workers }, () => []);
  const load = new Array<number>(workers).fill(0);
  files.forEach((f, i) => {
    if (taken.has(i)) return;
    // The least loaded worker takes the next file, so every worker gets a similar amount of text.
    let w = 0;
    for (let k = 1; k < workers; k++) if (load[k]! < load[w]!) w = k;
    out[w]!.push(i);
    load[w]! += f.bytes.byteLength;
  });
  main.sort((a, b) => a - b);
  return { main, workers: out };
}

/**
 * Parses manifest files, in worker threads and the main thread together when the batch is large and a
 * worker script is available. Results are in input order and equal to parsing each file with
 * {@link readManifestFile}.
 * @param prefer files to parse on the main thread (see {@link splitBatch})
 * @throws {Error} only when a worker fails (a bug); bad input never throws
 */
export async function parseManifestFiles(files: ParseInput[], limits: YamlLimits, opts: ParseOptions & { prefer?: (path: string) => boolean }): Promise<ManifestFile[]> {
  const existing = [...opts.existing];
  const pool = opts.pool ?? startParsers(files.length, opts);
  const count = Math.min(pool?.workers.length ?? 0, files.length);
  try {
    if (!pool || count < 1) return parseBatch({ files, limits, existing });
    const split = splitBatch(files, count, opts.prefer);
    const results = split.workers.map((idx, w) =>
      pool.workers[w]!.run(
        idx.map((i) => files[i]!),
        limits,
        existing,
      ),
    );
    // The main thread parses its share while the workers parse theirs.
    const out: ManifestFile[] = new Array(files.length);
    const mine = parseBatch({ files: split.main.map((i) => files[i]!), limits, existing });
    split.main.forEach((i, j) => (out[i] = mine[j]!));
    const wires = await Promise.all(results);
    wires.forEach((ws, w) => ws.forEach((wire, j) => {
      const i = split.workers[w]![j]!;
      out[i] = fromWire(wire, files[i]!.bytes, limits);
    }));
    return out;
  } finally {
    if (!opts.pool) pool?.close();
  }
}
