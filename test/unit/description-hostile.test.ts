/**
 * Hostile PR bodies (issue 13, "Fail closed", first crash item): Markdown that overflows the parser's stack or
 * takes minutes to parse becomes a `description-unparseable` failure, within a bounded time, never a crash.
 * The worker is built like dist/markdown-worker.js.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/model.js';
import { parseBodyBounded } from '../../src/description/bounded.js';
import { MARKDOWN_LIMITS, parseBody, prescanMarkdown } from '../../src/description/markdown.js';
import { evaluate } from '../../src/composition.js';
import { memoryChange } from '../helpers/change.js';
import { GOOD_BODY, makePr } from '../helpers/pr.js';

/** The three bodies of the issue, each inside GitHub's 65,536-character limit. */
const QUOTES = '> '.repeat(32_000);
const QUOTED_LISTS = '> - '.repeat(16_000);
const DELIMITERS = '*_'.repeat(32_000);

let dir: string;
let workerFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gg-md-worker-'));
  workerFile = join(dir, 'markdown-worker.js');
  await build({
    entryPoints: [new URL('../../src/description/markdown-worker.ts', import.meta.url).pathname],
    outfile: workerFile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'error',
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rule(r: Report, id: string) {
  const o = r.rules.find((x) => x.rule === id);
  if (!o) throw new Error(`no outcome for ${id}`);
  return o;
}

async function run(body: string): Promise<Report> {
  const change = memoryChange({}, {}, { pr: makePr({ body }), repository: 'example-org/shop', serverUrl: 'https://github.com' });
  return evaluate(change, { policyPath: 'policies', now: () => new Date('2026-01-01T00:00:00Z') });
}

describe('the limits, checked before parsing', () => {
  it('refuses deep block quotes and quoted lists at the line, in milliseconds', () => {
    const started = performance.now();
    expect(prescanMarkdown(QUOTES)).toMatchObject({ limit: 'depth', line: 1 });
    expect(prescanMarkdown(`ok\n\n${QUOTED_LISTS}`)).toMatchObject({ limit: 'depth', line: 3, message: expect.stringContaining('line 3 nests more than 32') });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('refuses a body over 65,536 characters (GitHub refuses it too)', () => {
    expect(prescanMarkdown('a'.repeat(65_537))).toMatchObject({ limit: 'size' });
    expect(prescanMarkdown('a'.repeat(65_536))).toBeUndefined();
  });

  it('accepts ordinary nesting, thematic breaks and numbered lists', () => {
    expect(prescanMarkdown('> - a\n>   - b\n>     > c\n1. x\n   2) y\n* * * * * * * * * * * * * * * * * * * * * * * * * * * * * * * * * *\n')).toBeUndefined();
    expect(prescanMarkdown(`${'> '.repeat(32)}deep but allowed`)).toBeUndefined();
    expect(prescanMarkdown(`${'> '.repeat(33)}one too deep`)).toMatchObject({ limit: 'depth' });
  });

});

describe('parseBodyBounded: the parse runs in a worker with a time limit', () => {
  it('parses an ordinary body exactly as in-process', async () => {
    expect(await parseBodyBounded(GOOD_BODY, { workerFile })).toEqual({ ok: true, body: parseBody(GOOD_BODY) });
  });

  it('refuses the three hostile bodies of the issue, each within its bound', async () => {
    const limits = { ...MARKDOWN_LIMITS, timeoutMs: 2_000 };
    for (const [body, limit] of [
      [QUOTES, 'depth'],
      [QUOTED_LISTS, 'depth'],
      [DELIMITERS, 'time'],
    ] as const) {
      const started = performance.now();
      const r = await parseBodyBounded(body, { workerFile, limits });
      expect(r).toMatchObject({ ok: false, limit });
      expect(performance.now() - started).toBeLessThan(limits.timeoutMs + 5_000);
    }
  }, 30_000);

  it('deep inline nesting (which overflows the stack in-process) is a result, not a crash', async () => {
    const limits = { ...MARKDOWN_LIMITS, timeoutMs: 3_000 };
    const r = await parseBodyBounded(`${'*'.repeat(8_000)}a${'*'.repeat(8_000)}`, { workerFile, limits });
    expect(r).toMatchObject({ ok: false, limit: expect.stringMatching(/^(error|time)$/) });
  }, 30_000);
});

describe('the description policy fails closed on a body it cannot read', () => {
  it('"> " x 32k: description-unparseable fails with the reason; body and sections fail, not pass', async () => {
    const r = await run(QUOTES);
    expect(r.verdict).toBe('fail');
    expect(rule(r, 'description-unparseable')).toMatchObject({ state: 'failed', blocking: true, reason: expect.stringContaining('line 1 nests more than 32 block quotes') });
    expect(rule(r, 'description-sections')).toMatchObject({ state: 'failed', reason: expect.stringContaining('could not be read as Markdown') });
    expect(rule(r, 'description-body')).toMatchObject({ state: 'failed' });
  }, 20_000);

  it('"> - " x 16k fails the same way', async () => {
    const r = await run(QUOTED_LISTS);
    expect(rule(r, 'description-unparseable')).toMatchObject({ state: 'failed', blocking: true });
  }, 20_000);

  it('an ordinary body passes description-unparseable', async () => {
    const r = await run(GOOD_BODY);
    expect(rule(r, 'description-unparseable')).toMatchObject({ state: 'passed' });
    expect(r.verdict).toBe('pass');
  });
});
