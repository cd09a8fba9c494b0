/**
 * The YAML fast path (js-yaml events) against the full parser (the `yaml` package): whenever the fast
 * path accepts a text, the full parser must find no problem in it and give the same documents, values,
 * start lines, positions, key positions and scalar sources. Checked on every YAML file of the repository,
 * on YAML written in many styles from generated values, and on mutated manifests.
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import * as jsyaml from 'js-yaml';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_YAML_LIMITS, parseYamlText, parseYamlTextFully, type YamlDoc, type YamlPath } from '../../src/manifests/yaml-doc.js';
import { fastParseYaml } from '../../src/manifests/yaml-fast.js';
import { resolvePlainScalar } from '../../src/manifests/plain-scalar.js';
import { mutatedText } from '../helpers/mutations.js';

const root = join(import.meta.dirname, '../..');
/** More generated cases for a long local run: YAML_FAST_RUNS=50 multiplies the counts below. */
const RUNS = Number(process.env.YAML_FAST_RUNS ?? 1);

function fast(text: string) {
  return fastParseYaml(text, { maxDepth: 100, maxDocuments: 1000, fullDocs: () => parseYamlTextFully(text, DEFAULT_YAML_LIMITS, { positionsOnly: true }).docs });
}

/** Every path into a plain value (map keys and sequence indexes), with a missing child of each collection. */
function paths(value: unknown, prefix: YamlPath = [], out: YamlPath[] = []): YamlPath[] {
  out.push(prefix);
  if (Array.isArray(value)) {
    value.forEach((v, i) => paths(v, [...prefix, i], out));
    out.push([...prefix, value.length]);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
    out.push([...prefix, 'no-such-key']);
  }
  return out;
}

const observe = (d: YamlDoc, p: YamlPath) => ({ path: p, pos: d.pos(p), keyPos: d.keyPos(p), source: d.scalarSource(p), isMap: d.isMap(p) });

/**
 * Compares both paths on `text`.
 * @returns whether the fast path accepted the text
 */
function agree(text: string): boolean {
  const f = fast(text);
  if (!f) return false;
  const full = parseYamlTextFully(text);
  expect(full.problems, `the fast path accepted text the full parser rejects:\n${text}`).toEqual([]);
  expect(f.docs.length).toBe(full.docs.length);
  f.docs.forEach((d, i) => {
    const g = full.docs[i]!;
    expect(d.value).toEqual(g.value);
    expect(d.startLine).toBe(g.startLine);
    expect(d.broken).toBe(false);
    const ps = paths(g.value);
    // Positions are compared both before and after the events are released.
    const before = ps.map((p) => observe(d, p));
    expect(before).toEqual(ps.map((p) => observe(g, p)));
    f.release();
    expect(ps.map((p) => observe(d, p))).toEqual(before);
  });
  return true;
}

function repositoryYaml(): string[] {
  const files = execFileSync('git', ['ls-files', '*.yaml', '*.yml'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
  return files.map((p) => readFileSync(join(root, p), 'utf8'));
}

/** Strings that look like other types, or need quoting, as keys and values. */
const trickyString = fc.constantFrom(
  '', ' ', 'null', 'Null', 'NULL', '~', 'true', 'True', 'FALSE', 'yes', 'no', 'on', 'off', 'y', '1', '-1', '+1', '007', '0o17', '0O17', '0x1F', '0xG', '0b101',
  '1_000', '1.5', '.5', '5.', '1e3', '-1.2E-3', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', 'NaN', 'inf', '1:2', 'a: b', '- x', '#x', 'x #y', '"q"', "'q'", '[a]', '{a}',
  '*x', '&x', '!x', '%x', '@x', '`x', '|', '>', '<<', '__proto__', 'a\nb', 'a\n\nb', ' lead', 'trail ', 'tab\there', 'é', '💡', 'a\\b', 'line\r\nbreak', '---', '...',
  'registry.example.com/api:1.0', 'argocd.argoproj.io/sync-wave', 'PreSync,Sync',
);
const anyText = (maxLength: number) => fc.oneof(fc.string({ maxLength }), fc.string({ unit: 'binary', maxLength }));
const key = fc.oneof(trickyString, anyText(8), fc.constantFrom('apiVersion', 'kind', 'metadata', 'name', 'annotations', 'spec'));
const scalar = fc.oneof(trickyString, anyText(12), fc.integer(), fc.double({ noNaN: false }), fc.boolean(), fc.constant(null));
const value = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(key, tie('node'), { maxKeys: 4 })),
})).node;
const doc = fc.oneof(fc.dictionary(key, value, { minKeys: 1, maxKeys: 5 }), fc.array(value, { minLength: 1, maxLength: 4 }));

/** The same values written in the styles people (and tools) write YAML in. */
const styled = fc
  .tuple(
    fc.array(doc, { minLength: 1, maxLength: 3 }),
    fc.record({
      collectionStyle: fc.constantFrom('any', 'block', 'flow'),
      defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'),
      defaultKeyType: fc.constantFrom(null, 'PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE'),
      indent: fc.integer({ min: 1, max: 4 }),
      indentSeq: fc.boolean(),
      lineWidth: fc.constantFrom(0, 8, 20, 80),
    }),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([docs, opts, useJsYaml, marker]) =>
    docs
      .map((d, i) => {
        const body = useJsYaml
          ? jsyaml.dump(d, { lineWidth: opts.lineWidth || -1, indent: Math.max(opts.indent, 2), flowLevel: opts.collectionStyle === 'flow' ? 0 : -1 })
          : stringify(d, { ...opts, defaultKeyType: opts.defaultKeyType as 'PLAIN' | null, defaultStringType: opts.defaultStringType as 'PLAIN' });
        return (i > 0 || marker ? '---\n' : '') + body;
      })
      .join(''),
  );

const MANIFEST = `# a comment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels: {app: api, "tier": 'web'}
  annotations:
    argocd.argoproj.io/sync-wave: "2"
    argocd.argoproj.io/hook: PreSync,Sync   # trailing comment
    note: >-
      folded
      text
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: api
        image: "registry.example.com/api:1.0"
        args: [serve, --port, "8080", 0x1F, .inf]
        env:
          - {name: A, value: ''}
          - name: B
            value:
---
apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}, data: {k: "multi
      line"}}
`;
const TOKENS = [
  '[', ']', '{', '}', ',', '- ', '? ', ': ', ':', '\n', '\r\n', '\r', '  ', '\t', '"', "'", '\\', '# c', '|', '>-', '|2+', 'a', '1', '~', '---\n', '--- ', '...\n', '... ',
  '\u00a0', '\u0085', '\u2028', '\ufeff', '\u0000', ' ', '&a ', '*a', '!t ', '<<: ', '%YAML 1.2\n',
];
const mutated = mutatedText(MANIFEST, fc.oneof(fc.constantFrom(...TOKENS), anyText(3)), { maxEdits: 4, maxRange: 12 });

describe('YAML fast path', () => {
  it('resolves plain scalars as the YAML 1.2 core schema does', () => {
    const cases: [string, unknown][] = [
      ['', null], ['~', null], ['null', null], ['Null', null], ['NULL', null], ['nULL', 'nULL'],
      ['true', true], ['True', true], ['TRUE', true], ['tRUE', 'tRUE'], ['false', false], ['yes', 'yes'], ['on', 'on'],
      ['0', 0], ['-0', -0], ['+12', 12], ['007', 7], ['0o17', 15], ['0o8', '0o8'], ['0x1F', 31], ['0X1F', '0X1F'], ['0b101', '0b101'], ['1_000', '1_000'],
      ['1.5', 1.5], ['.5', 0.5], ['5.', 5], ['1e3', 1000], ['-1.2E-3', -0.0012], ['.inf', Infinity], ['-.Inf', -Infinity], ['.nan', NaN], ['NaN', 'NaN'], ['1.2.3', '1.2.3'],
    ];
    for (const [s, v] of cases) expect(resolvePlainScalar(s), s).toEqual(v);
  });

  it('reads CRLF line ends as the full parser does: the same values, lines and columns', () => {
    const texts = repositoryYaml().map((t) => t.replace(/\r?\n/g, '\r\n'));
    const accepted = texts.filter((t) => agree(t)).length;
    expect(accepted / texts.length).toBeGreaterThan(0.6);
    expect(agree('a: >-\r\n  folded\r\n  text\r\nb: |\r\n  kept\r\n  lines\r\nc: "two\r\n  lines"\r\n')).toBe(true);
  });

  it('agrees with the full parser on every YAML file of the repository', () => {
    const texts = repositoryYaml();
    expect(texts.length).toBeGreaterThan(20);
    const accepted = texts.filter((t) => agree(t)).length;
    // Most real files are plain YAML; the few others (templates, anchors) go to the full parser.
    expect(accepted / texts.length).toBeGreaterThan(0.6);
  });

  for (const [what, texts, runs, least] of [
    ['YAML written in many styles', styled, 600, 200],
    ['mutated manifests', mutated, 800, 100],
  ] as const) {
    it(`agrees with the full parser on ${what}`, () => {
      let accepted = 0;
      fc.assert(
        fc.property(texts, (text) => {
          if (agree(text)) accepted++;
          // The same text with CRLF line ends: accepted or not, never read differently.
          agree(text.replace(/\r?\n/g, '\r\n'));
        }),
        { numRuns: runs * RUNS },
      );
      // Enough of the cases reach the fast path for the comparison to mean something.
      expect(accepted).toBeGreaterThan(least * RUNS);
    });
  }

  it('leaves anchors, aliases, tags, merge keys, directives, odd keys and broken text to the full parser', () => {
    const refused = [
      'a: &x 1\nb: *x\n', 'a: !!str 1\n', 'a: !custom x\n', 'base: &b {x: 1}\nc:\n  <<: *b\n', '%YAML 1.2\n---\na: 1\n', '1: one\n', 'true: x\n', '~: x\n',
      '? [a]\n: x\n', 'a: 1\na: 2\n', '...\na: 1\n', 'a: 1\n...\n', 'a: x\ry\n', 'a: 1\rb: 2\r\n', '__proto__: x\n', '"<<": x\n', 'just a scalar\n', '', '# only a comment\n', 'a: [1, 2\n', 'a:\n\t- x\n',
    ];
    for (const t of refused) expect(fast(t), JSON.stringify(t)).toBeUndefined();
    // Through parseYamlText they still come out right (the full parser's problems included).
    expect(parseYamlText('a: 1\na: 2\n').problems.map((p) => p.kind)).toEqual(['yaml-duplicate-key']);
    expect(parseYamlText('base: &b {x: 1}\nc:\n  <<: *b\n').docs[0]!.value).toEqual({ base: { x: 1 }, c: { x: 1 } });
  });

  it('agrees with the full parser at the nesting limit (policy manifests.limits.maxDepth)', () => {
    for (const maxDepth of [2, 3, 5, 10]) {
      const limits = { ...DEFAULT_YAML_LIMITS, maxDepth };
      for (let d = 1; d <= maxDepth + 3; d++) {
        const block = Array.from({ length: d }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' x\n';
        const flow = `${'['.repeat(d)}x${']'.repeat(d)}\n`;
        const seq = Array.from({ length: d }, (_, i) => `${'  '.repeat(i)}- `).join('\n') + 'x\n';
        for (const text of [block, flow, `a: ${flow}`, seq]) {
          const observed = (f: ReturnType<typeof parseYamlText>) => ({ text, problems: f.problems.map((p) => [p.kind, p.line]), values: f.docs.map((x) => x.value) });
          expect(observed(parseYamlText(text, limits))).toEqual(observed(parseYamlTextFully(text, limits)));
        }
      }
    }
  });

  it('answers lookups the events cannot place exactly (empty and block scalars, raw nodes) from the full parser', () => {
    const text = 'a:\nb: |\n  x\nc: "q"\n';
    const d = fast(text)!.docs[0]!;
    const g = parseYamlTextFully(text).docs[0]!;
    for (const p of [['a'], ['b'], ['c']]) expect(d.pos(p)).toEqual(g.pos(p));
    expect(d.pos(['b'])).toEqual({ line: 2, column: 4 });
    expect(d.node(['c'])).toMatchObject({ value: 'q' });
  });
});
