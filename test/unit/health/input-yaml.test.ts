/**
 * The line reader of plain YAML (src/health/input-yaml.ts) against the exact reading of a health-test input
 * (readArgoYamlObject) and the full parse of a suite (parseYamlText): whenever the line reader accepts a text,
 * the exact reader must accept it as strict YAML and give the same object, and the full parse find one
 * document and no problem. Checked on inputs of ArgoCD's shape, on hand-picked quirks, on YAML written
 * in many styles from generated values, and on mutated inputs.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readArgoYamlObject } from '../../../src/argocd/argo-yaml.js';
import { readPlainYaml } from '../../../src/health/input-yaml.js';
import { DEFAULT_YAML_LIMITS, parseYamlText } from '../../../src/manifests/yaml-doc.js';
import { mutatedText } from '../../helpers/mutations.js';

/** Asserts the two readers agree on `text`; true when the line reader accepted it. */
function agree(text: string, maxDepth = 100): boolean {
  const fast = readPlainYaml(text, maxDepth);
  if (fast === undefined) return false;
  const exact = readArgoYamlObject(text, DEFAULT_YAML_LIMITS);
  expect(exact, text).toStrictEqual({ value: fast, lenient: false });
  // health_test.yaml suites take the line reader's value too: the full parse finds no problem at all.
  const full = parseYamlText(text, DEFAULT_YAML_LIMITS);
  expect(full.problems, text).toEqual([]);
  expect(full.docs.length, text).toBe(1);
  return true;
}

const INPUT = `apiVersion: example.io/v1
kind: Widget
metadata:
  name: example-1
  namespace: default
  generation: 2
  labels:
    app.kubernetes.io/name: example
  annotations:
    example.com/note: "generated input 1"   # a comment
    example.com/quote: 'it''s'
spec:
  replicas: 3
  paused: false
  ratio: 0.5
  empty:
  template:
    spec:
      containers:
      - name: main
        image: registry.example/app:1.2.3
        args: [--port, "8080", -v]
        resources: {limits: {cpu: 500m, memory: 256Mi}, requests: {}}
      - name: side
        ports:
          - containerPort: 80
            protocol: TCP
status:
  observedGeneration: 2
  conditions:
  - type: Ready
    status: "False"
    lastTransitionTime: "2026-01-01T00:00:00Z"
    message: "the backend is not reachable: \\"timeout\\"\\n"
  - type: Synced
    status: "True"
  phase: Failed
`;

/** An input as kubectl writes long values: a last-applied annotation, wrapped messages, block scalars. */
const WRAPPED = `apiVersion: example.io/v1
kind: Widget
metadata:
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"example.io/v1","kind":"Widget"}
    note: >-
      folded
      text

      second paragraph
status:
  conditions:
  - message: 'create failed: the role ''example''
      cannot be found.'
    reason: ReconcileError
  - message: waiting for the deployment
      to become ready
    status: "False"
  - message:
      "on the line below
      its key"
  log: |-
    line one
      indented
    # not a comment
`;

describe('the line reader of plain YAML', () => {
  it('reads an input of ArgoCD\'s shape exactly as the exact reader does', () => {
    expect(agree(INPUT)).toBe(true);
    expect(agree(`---\n${INPUT}`)).toBe(true);
    expect(readPlainYaml(INPUT, 100)).toMatchObject({ spec: { replicas: 3, empty: null, template: { spec: { containers: [{ args: ['--port', '8080', '-v'] }, {}] } } } });
  });

  it('reads CRLF line ends as the exact reader does (a sixth of the inputs in ArgoCD\'s corpus use them), and leaves a lone CR to it', () => {
    const crlf = INPUT.replace(/\n/g, '\r\n');
    expect(agree(crlf)).toBe(true);
    expect(readPlainYaml(crlf, 100)).toStrictEqual(readPlainYaml(INPUT, 100));
    expect(readPlainYaml('a: 1\rb: 2\n', 100)).toBeUndefined();
    expect(readPlainYaml('a: "x\r"\n', 100)).toBeUndefined();
  });

  it('refuses what it does not read itself, and agrees on everything it reads', () => {
    const quirks = [
      'a: 1\na: 2\n', // duplicate key: go-yaml's last-wins reading
      'a: "x\ny"\n', // under-indented continuation (go-yaml accepts it)
      'a: "x\n\n  y"\n', // a blank line inside a scalar over several lines
      'a: \'x\n  # not a comment\n  y\'\n',
      'a: |2\n   indicated\n',
      'a: |+\n  kept\n\n',
      'a: |\n\n  leading blank\n',
      'a: >\n  folded\n    more indented\n',
      'a: |\nb: 1\n',
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      '1: a\n',
      'true: a\n',
      '~: a\n',
      '<<: {a: 1}\n',
      '__proto__: a\n',
      '? a\n: b\n',
      'a: "escaped \\\n  line break"\n',
      'a:\tb\n',
      'a: 1\n---\nb: 2\n',
      '%YAML 1.2\n---\na: 1\n',
      '- a\n- b\n',
      'plain\n',
      '',
      '# only a comment\n',
      'a: b: c\n',
      'a: b:\n',
      'a:b\n',
      'a : b\n',
      'a: [1, 2,]\n',
      'a: {b: 1,}\n',
      'a: [1,\n  2]\n',
      'a: {b}\n',
      'a: {b:1}\n',
      'a: [a: b]\n',
      'a: x # c\nb: "y" # c\nc: [1] # c\n',
      'a: -1\nb: - x\n',
      'a: \'\'\nb: ""\n',
      'a: "#not a comment"\nb: x#y\n',
      'a:\n- x\n-\n  - y\n- - z\n',
      'a:\n  - b: 1\n    c: 2\n  -   d: 3\n      e: 4\n',
      'a:\n  b: 1\n c: 2\n',
      'a:\n  - b: 1\n     c: 2\n',
      'a: 0x1F\nb: 0o17\nc: .inf\nd: -.inf\ne: .nan\nf: 1e3\ng: +12\nh: 007\ni: 9007199254740993\n',
      'a: null\nb: Null\nc: ~\nd: TRUE\ne: yes\nf: on\n',
      'a: é ü 中\n',
      'a: "\u0085"\n',
      'a: 😀\n',
      'a: x\r\nb: y\r\n',
      '\ufeffa: 1\n',
      'a: 1\n...\n',
      ' a: 1\n',
      'a:\n    - 1\n  - 2\n',
      '"quoted key": 1\n\'single\': 2\n"1": 3\n',
      'a: {"b": \'c\', d: [e, "f, g"]}\n',
      'a: [{b: 1}, [2, 3], {}]\n',
      'a: @x\n',
      'a: `x`\n',
      'a: %x\n',
      'a: ,x\n',
      'a: x,y\n',
      'a: [x y, z]\n',
      'a: {b: c d}\n',
      'a: -\n',
      'a: "x" y\n',
      'a: \'x\' \'y\'\n',
    ];
    for (const q of quirks) agree(q);
    // The refusals that matter: go-yaml's quirks and YAML the line reader does not follow.
    for (const q of quirks.slice(0, 21)) expect(readPlainYaml(q, 100), q).toBeUndefined();
  });

  it('reads scalars over several lines as kubectl writes them, and block scalars (a fifth of ArgoCD\'s test inputs)', () => {
    expect(agree(WRAPPED)).toBe(true);
    const read: [string, unknown][] = [
      ['a: plain\n  continued\n', { a: 'plain continued' }],
      ['a: "x\n  y"\n', { a: 'x y' }],
      ['a: "tab\\there \\"q\\" \\\\ \\/ \\x41\\u00e9\\U0001F600 \\N\\_\\0"\n', { a: 'tab\there "q" \\ / A\u00e9\u{1F600} \u0085\u00a0\u0000' }],
      ['"k\\"ey": 1\nb: "line one\\n\n  line \\"two\\"\\n"\n', { 'k"ey': 1, b: 'line one\n line "two"\n' }],
      ['jvmOptions:\n  -Xms: 8000m\n  -XX:\n    UseG1GC: true\n', { jvmOptions: { '-Xms': '8000m', '-XX': { UseG1GC: true } } }],
      ['-1: a\n', undefined],
      ['a: "\\ud800"\n', undefined],
      ['a: "\\q"\n', undefined],
      ["a: 'it''s\n   wrapped'\nb: 1\n", { a: "it's wrapped", b: 1 }],
      ["a:\n  'below the key:\n  and wrapped'\n", { a: 'below the key: and wrapped' }],
      ['a:\n  below the key\n   and wrapped\n', { a: 'below the key and wrapped' }],
      ['- first\n  second\n- 1\n  2\n', undefined], // a document that is not a mapping
      ['a:\n- first\n  second\n- "q\n  r"\n', { a: ['first second', 'q r'] }],
      ['a: |\n  block\n   more\n\n  # not a comment\n\nb: 1\n', { a: 'block\n more\n\n# not a comment\n', b: 1 }],
      ['a: |-\n  x  \n  y\n# a comment\nb: |\n  z\n', { a: 'x  \ny', b: 'z\n' }],
      ['a: >-\n  folded\n  text\n\n  new paragraph\n\n\n  third\n', { a: 'folded text\nnew paragraph\n\nthird' }],
      ['a: > # c\n  x\n  y\n', { a: 'x y\n' }],
      ['a:\n- |\n  item\n- b: >\n    x\n    y\n  c: 1\n', { a: ['item\n', { b: 'x y\n', c: 1 }] }],
      [
        "status:\n  conditions:\n  - message: 'Package runtime health is \"False\" with message: post establish\n      hook failed'\n    status: \"False\"\n",
        { status: { conditions: [{ message: 'Package runtime health is "False" with message: post establish hook failed', status: 'False' }] } },
      ],
    ];
    for (const [text, value] of read) {
      if (value === undefined) expect(readPlainYaml(text, 100), text).toBeUndefined();
      else {
        expect(agree(text), text).toBe(true);
        expect(readPlainYaml(text, 100), text).toStrictEqual(value);
      }
    }
  });

  it('refuses nesting deeper than the caller\'s limit', () => {
    const deep = 'a:\n  b:\n    c:\n      d: [[1]]\n';
    expect(agree(deep)).toBe(true);
    expect(readPlainYaml(deep, 4)).toBeUndefined();
  });

  it('agrees with the exact reader on YAML written in many styles from generated values', () => {
    const key = fc.oneof(fc.constantFrom('apiVersion', 'kind', 'name', 'status', 'a b', 'x:y', '-k', 'k#', 'true', '1', ''), fc.string({ maxLength: 6 }));
    // Sentences long enough to wrap at the line widths below (plain, quoted or folded), and text with line feeds
    // (literal block scalars).
    const words = fc.array(fc.constantFrom('word', 'x:', 'a#b', '#', '-', "it's", '"q"', 'ü', 'a-long-token-here', ' ', ''), { minLength: 3, maxLength: 14 });
    const sentence = fc.oneof(words.map((w) => w.join(' ')), words.map((w) => w.join('\n')));
    const scalar = fc.oneof(sentence, fc.string({ maxLength: 10 }), fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom('', ' ', 'null', 'True', '0x10', '-1', '1.5', 'a: b', '#x', "it's", 'say "hi"', '- x', '[x]', '{x}', 'a #b'), fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
    const value = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(key, tie('node'), { maxKeys: 4 })),
    })).node;
    let accepted = 0;
    let overLines = 0;
    fc.assert(
      fc.property(
        fc.dictionary(key, value, { minKeys: 1, maxKeys: 5 }),
        fc.record({
          collectionStyle: fc.constantFrom('any', 'block', 'flow'),
          defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE'),
          defaultKeyType: fc.constantFrom(null, 'PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE'),
          indent: fc.integer({ min: 1, max: 4 }),
          indentSeq: fc.boolean(),
          lineWidth: fc.constantFrom(0, 20, 80),
        }),
        (doc, opts) => {
          const text = stringify(doc, opts as never);
          if (agree(text)) {
            accepted++;
            // A block scalar, or a scalar wrapped onto a line of its own.
            if (/: [|>]-?\n|\n *[^-\s][^:\n]*\n/.test(text)) overLines++;
          }
        },
      ),
      { numRuns: 600 },
    );
    // The generator must reach the reader's own path, or this test would check nothing.
    expect(accepted).toBeGreaterThan(60);
    expect(overLines).toBeGreaterThan(20);
  });

  it('agrees with the exact reader on mutated inputs', () => {
    const tokens = fc.constantFrom(' ', '  ', '\n', '\\', '\\"', '\\n', '\\u00', '- ', ': ', ':', '#', ' #', '"', "'", '[', ']', '{', '}', ',', '|', '>', '&a', '*a', '!t', '?', '---', '\t', 'null', '1', 'key: v\n');
    let accepted = 0;
    fc.assert(
      fc.property(fc.constantFrom(INPUT, WRAPPED).chain((base) => mutatedText(base, fc.oneof(tokens, fc.string({ maxLength: 3 })), { maxEdits: 3, maxRange: 10 })), (text) => {
        if (agree(text)) accepted++;
      }),
      { numRuns: 1500 },
    );
    expect(accepted).toBeGreaterThan(100);
  });
});
