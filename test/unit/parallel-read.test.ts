/**
 * The worker pool gives the same files, problems, resources and positions as parsing inline. The worker
 * script is bundled with esbuild for the test, as scripts/build.mjs does for dist/.
 */
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromWire, MAIN_SHARE, parseBatch, parseManifestFiles, splitBatch, startParsers, toWire, type ParseInput } from '../../src/engine/parallel-read.js';
import type { ManifestFile } from '../../src/manifests/manifest-file.js';
import { DEFAULT_YAML_LIMITS } from '../../src/manifests/yaml-doc.js';

const enc = (s: string) => new TextEncoder().encode(s);
let dir: string;
let workerUrl: URL;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gg-worker-'));
  await build({ entryPoints: ['src/engine/read-worker.ts'], bundle: true, platform: 'node', format: 'esm', outfile: join(dir, 'read-worker.mjs'), logLevel: 'silent',
    // CommonJS dependencies bundled into ESM need require (as in scripts/build.mjs).
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
  workerUrl = pathToFileURL(join(dir, 'read-worker.mjs'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function inputs(n: number): ParseInput[] {
  const out: ParseInput[] = [];
  for (let i = 0; i < n; i++) {
    const kind = i % 5;
    const text =
      kind === 0
        ? `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  annotations:\n    argocd.argoproj.io/sync-wave: ${i}\n`
        : kind === 1
          ? `a: 1\na: 2\n`
          : kind === 2
            ? `apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Secret, metadata: {name: s${i}, labels: {n: 1}}}\n`
            : kind === 3
              ? `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }}\n`
              : '\u0000binary';
    out.push({ path: kind === 3 ? `chart/templates/t${i}.yaml` : `apps/f${i}.yaml`, bytes: enc(text) });
  }
  return out;
}

/** Everything observable about a parsed file, functions called on the paths checks use. */
function observe(f: ManifestFile) {
  return {
    path: f.path,
    role: f.role,
    notEvaluated: f.notEvaluated,
    text: f.text,
    problems: f.problems,
    docs: f.docs.map((d) => ({ index: d.index, broken: d.broken, value: d.value, startLine: d.startLine, pos: d.pos(['metadata', 'name']) })),
    resources: f.resources.map((r) => ({
      kind: r.kind,
      name: r.name,
      object: r.object,
      annotations: [...r.annotations.values()],
      labels: [...r.labels.values()],
      pos: r.pos(['metadata', 'name']),
      keyPos: r.keyPos(['metadata', 'name']),
      nodeType: r.node(['metadata', 'name'])?.constructor.name,
    })),
  };
}

describe('parallel manifest parsing', () => {
  it('gives the same result in workers as inline, in input order', async () => {
    const files = inputs(50);
    const existing = new Set(['chart/Chart.yaml']);
    const inline = parseBatch({ files, limits: DEFAULT_YAML_LIMITS, existing: [...existing] });
    const pooled = await parseManifestFiles(files, DEFAULT_YAML_LIMITS, { existing, workerUrl, workers: 2, minFiles: 10 });
    expect(pooled.map(observe)).toEqual(inline.map(observe));
    expect(pooled.find((f) => f.path.startsWith('chart/'))!.notEvaluated).toMatch(/Helm chart template/);
  });

  it('uses workers started ahead, leaving the spare ones to close', async () => {
    const files = inputs(12);
    const pool = startParsers(20, { workerUrl, workers: 3, minFiles: 10 })!;
    expect(pool.workers).toHaveLength(3);
    try {
      const pooled = await parseManifestFiles(files.slice(0, 2), DEFAULT_YAML_LIMITS, { existing: new Set(), pool });
      expect(pooled.map(observe)).toEqual(parseBatch({ files: files.slice(0, 2), limits: DEFAULT_YAML_LIMITS, existing: [] }).map(observe));
    } finally {
      pool.close();
    }
    expect(startParsers(5, { workerUrl, workers: 2, minFiles: 10 })).toBeUndefined();
  });

  it('parses small batches inline, and when no worker script exists', async () => {
    const files = inputs(5);
    const missing = new URL('file:///nonexistent/read-worker.js');
    const a = await parseManifestFiles(files, DEFAULT_YAML_LIMITS, { existing: new Set(), workerUrl: missing, workers: 2, minFiles: 1 });
    expect(a.map(observe)).toEqual(parseBatch({ files, limits: DEFAULT_YAML_LIMITS, existing: [] }).map(observe));
  });

  it('wire form crosses threads (structured clone) and keeps positions', () => {
    const [file] = parseBatch({ files: inputs(1), limits: DEFAULT_YAML_LIMITS, existing: [] });
    const back = fromWire(structuredClone(toWire(file!)), inputs(1)[0]!.bytes, DEFAULT_YAML_LIMITS);
    expect(observe(back)).toEqual(observe(file!));
    expect(back.resources[0]!.annotations.get('argocd.argoproj.io/sync-wave')!.valuePos).toEqual({ line: 6, column: 35 });
  });

  it('answers a resource\'s own position from the wire form, without re-parsing the text', () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: a}\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: b}\n';
    const [file] = parseBatch({ files: [{ path: 'l.yaml', bytes: enc(text) }], limits: DEFAULT_YAML_LIMITS, existing: [] });
    // Other bytes behind the wire form: a re-parse would give other positions.
    const back = fromWire(structuredClone(toWire(file!)), enc('other: text\n'), DEFAULT_YAML_LIMITS);
    expect(back.resources.map((r) => r.pos([]))).toEqual([
      { line: 4, column: 5 },
      { line: 7, column: 5 },
    ]);
    expect(back.resources.map((r) => r.pos([]))).toEqual(file!.resources.map((r) => r.pos([])));
    expect(back.docs[0]!.pos([])).toEqual(file!.docs[0]!.pos([]));
    expect(back.resources[1]!.pos(['kind'])).toEqual({ line: 1, column: 1 });
  });

  it('splits a batch by size: preferred files on the main thread, each file parsed exactly once', () => {
    const files: ParseInput[] = Array.from({ length: 30 }, (_, i) => ({ path: `f${i}.yaml`, bytes: new Uint8Array(i % 3 === 0 ? 300 : 100) }));
    const total = files.reduce((n, f) => n + f.bytes.byteLength, 0);
    const { main, workers } = splitBatch(files, 2, (p) => p === 'f29.yaml' || p === 'f28.yaml');
    expect([...main, ...workers.flat()].sort((a, b) => a - b)).toEqual(files.map((_, i) => i));
    expect(main).toContain(29);
    expect(main).toContain(28);
    const bytes = (idx: number[]) => idx.reduce((n, i) => n + files[i]!.bytes.byteLength, 0);
    // The main thread's share (MAIN_SHARE of a third), the workers an equal part of the rest, give or take a file.
    expect(Math.abs(bytes(main) - (total / 3) * MAIN_SHARE)).toBeLessThanOrEqual(300);
    for (const part of workers) expect(Math.abs(bytes(part) - (total - bytes(main)) / 2)).toBeLessThanOrEqual(300);
  });

  it('parses with the main thread and a worker together, in input order, preferred files keeping their syntax trees', async () => {
    const files = inputs(40);
    const inline = parseBatch({ files, limits: DEFAULT_YAML_LIMITS, existing: ['chart/Chart.yaml'] });
    const pooled = await parseManifestFiles(files, DEFAULT_YAML_LIMITS, { existing: new Set(['chart/Chart.yaml']), workerUrl, workers: 1, minFiles: 10, prefer: (p) => p === 'apps/f35.yaml' });
    expect(pooled.map(observe)).toEqual(inline.map(observe));
    // Parsed on the main thread: a syntax tree, not a wire form rebuilt over the bytes.
    expect(Object.getOwnPropertyDescriptor(pooled[35]!, 'text')?.get).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(pooled[39]!, 'text')?.get).toBeDefined();
  });
});
