/**
 * Property-based tests (fast-check): no input makes the YAML layer, the wave and hook parsers or the
 * policy loader throw anything but the project's own errors, and the parsers agree with reference models
 * of the Go functions ArgoCD calls.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { readManifestFile } from '../../src/manifests/manifest-file.js';
import { DEFAULT_YAML_LIMITS, parseYamlFile, type YamlFile } from '../../src/manifests/yaml-doc.js';
import { defaultPolicyValue, parsePolicyText } from '../../src/composition.js';
import { parseAtoi, splitCsv } from '../../src/argocd/vocabulary.js';
import { mutatedText } from '../helpers/mutations.js';

const enc = (s: string) => new TextEncoder().encode(s);
const KINDS = new Set(['yaml-syntax', 'yaml-duplicate-key', 'yaml-limit', 'yaml-not-text', 'yaml-unsupported-key']);

/** Tokens that exercise the YAML grammar: indicators, anchors, tags, quotes, block scalars, documents. */
const yamlToken = fc.constantFrom(
  '[', ']', '{', '}', ',', '- ', '? ', ': ', ':', '\n', '\r\n', '  ', '\t', '&a ', '*a ', '&b ', '*b ', '"', "'", '# c', '|', '>-', 'a', 'key',
  '1', '-1', '0x1F', '~', 'null', 'true', '---\n', '...\n', '!!str ', '!!binary ', '!tag ', '<<: ', '%YAML 1.2\n', '{{ .Values.x }}', '{% if %}', '\u00a0', '\ufeff',
);
const yamlish = fc.array(yamlToken, { maxLength: 60 }).map((ts) => ts.join(''));

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
  labels: {app: api}
  annotations:
    argocd.argoproj.io/sync-wave: "2"
    argocd.argoproj.io/hook: PreSync,Sync
spec:
  template:
    spec:
      containers:
        - name: api
          image: "registry.example.com/api:1.0"
          args: [serve, --port, "8080"]
---
apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
`;

/** A valid manifest with random edits: characters inserted, ranges deleted, lines duplicated. */
const mutatedManifest = mutatedText(MANIFEST, fc.oneof(yamlToken, fc.string({ maxLength: 4 })), { maxEdits: 6, maxRange: 40 });

function checkInvariants(f: YamlFile, text?: string): void {
  const lines = text === undefined ? Infinity : text.split(/\r\n|\r|\n/).length;
  for (const p of f.problems) {
    expect(KINDS.has(p.kind)).toBe(true);
    expect(p.line).toBeGreaterThanOrEqual(1);
    expect(p.line).toBeLessThanOrEqual(lines);
    expect(p.column).toBeGreaterThanOrEqual(1);
    expect(p.message.length).toBeGreaterThan(0);
  }
  for (const d of f.docs) if (d.broken) expect(d.value).toBeUndefined();
  // A file without problems has no broken document: nothing is dropped silently.
  if (f.problems.length === 0) expect(f.docs.every((d) => !d.broken)).toBe(true);
}

describe('YAML layer properties', () => {
  it('parseYamlFile never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        checkInvariants(parseYamlFile(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('parseYamlFile never throws on arbitrary text and YAML-like token soup', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme-composite', maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), yamlish), (text) => {
        const f = parseYamlFile(enc(text));
        checkInvariants(f, f.text);
      }),
      { numRuns: 500 },
    );
  });

  it('readManifestFile never throws on mutated manifests, and resources point inside the file', () => {
    fc.assert(
      fc.property(mutatedManifest, fc.constantFrom('app/x.yaml', 'chart/templates/x.yaml', 'kustomization.yaml'), (text, path) => {
        const f = readManifestFile(path, enc(text), DEFAULT_YAML_LIMITS, (p) => p === 'chart/Chart.yaml');
        const lines = text.split(/\r\n|\r|\n/).length;
        for (const r of f.resources) {
          for (const e of [...r.annotations.values(), ...r.labels.values()]) {
            expect(e.valuePos.line).toBeGreaterThanOrEqual(1);
            expect(e.valuePos.line).toBeLessThanOrEqual(lines);
          }
          expect(r.pos(['metadata', 'name']).line).toBeLessThanOrEqual(lines);
        }
        if (f.notEvaluated) expect(f.resources).toEqual([]);
        // Either the file yields resources, reports a problem, is not evaluated with a reason, or has no objects.
        expect(f.resources.length > 0 || f.problems.length > 0 || f.notEvaluated !== undefined || f.docs.every((d) => !d.broken)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

/**
 * Reference model of Go's `strconv.Atoi` on a 64-bit platform (strconv/atoi.go): an optional sign, then
 * one or more ASCII digits (base 10 allows no underscores or prefixes), the value within int64.
 * Written digit by digit, as Go's ParseUint does, independently of the implementation under test.
 */
function goAtoi(s: string): bigint | undefined {
  let i = 0;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    i = 1;
  }
  if (i >= s.length) return undefined;
  let n = 0n;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    n = n * 10n + BigInt(c - 48);
  }
  const v = neg ? -n : n;
  return v > 2n ** 63n - 1n || v < -(2n ** 63n) ? undefined : v;
}

describe('wave parser properties', () => {
  const digits = fc.string({ unit: fc.constantFrom('0', '1', '2', '9'), minLength: 1, maxLength: 25 });
  const waveLike = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ unit: fc.constantFrom('+', '-', '0', '1', '5', '9', ' ', '_', '.', 'e', 'x', '\t', '\u0660', '\uff11'), maxLength: 12 }),
    fc.tuple(fc.constantFrom('', '+', '-', '--', ' '), digits).map(([s, d]) => s + d),
    fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(String),
    fc.constantFrom('9223372036854775807', '9223372036854775808', '-9223372036854775808', '-9223372036854775809', '007', '+0', '-0'),
  );

  it('parseAtoi agrees with the reference model of Go strconv.Atoi', () => {
    fc.assert(
      fc.property(waveLike, (s) => {
        expect(parseAtoi(s)).toBe(goAtoi(s));
      }),
      { numRuns: 1000 },
    );
  });
});

/** Go's unicode.IsSpace, listed independently of the implementation (Unicode White_Space). */
const GO_WHITE = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, ...Array.from({ length: 11 }, (_, i) => 0x2000 + i), 0x2028, 0x2029, 0x202f, 0x205f, 0x3000]);

describe('hook list parser properties', () => {
  const csvPart = fc.string({ unit: fc.constantFrom('PreSync', 'Sync', 'a', ' ', '\t', ',', '\u00a0', '\u0085', '\ufeff', '\u200b', '\u3000', 'x'), maxLength: 12 });

  it('splitCsv yields the trimmed non-empty items once each, in first-seen order', () => {
    fc.assert(
      fc.property(fc.oneof(csvPart, fc.string({ maxLength: 30 })), (value) => {
        const items = splitCsv(value);
        const expected: string[] = [];
        for (const raw of value.split(',')) {
          const cps = [...raw];
          while (cps.length && GO_WHITE.has(cps[0]!.codePointAt(0)!)) cps.shift();
          while (cps.length && GO_WHITE.has(cps[cps.length - 1]!.codePointAt(0)!)) cps.pop();
          const item = cps.join('');
          if (item && !expected.includes(item)) expected.push(item);
        }
        expect(items).toEqual(expected);
        for (const item of items) {
          expect(item).not.toContain(',');
          expect(item.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps a BOM, which Go does not trim: "\\uFEFFPreSync" is not the PreSync phase', () => {
    expect(splitCsv('\ufeffPreSync')).toEqual(['\ufeffPreSync']);
    expect(splitCsv('\u0085PreSync ,Sync')).toEqual(['PreSync', 'Sync']);
  });
});

describe('policy loader properties', () => {
  const located = /^policy\.yaml:\d+(:\d+)?: /;
  function loadsOrConfigError(text: string): void {
    try {
      parsePolicyText(text, 'policy.yaml');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).message).toMatch(located);
    }
  }

  it('throws only ConfigError, located by file and line, on arbitrary JSON and YAML values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.boolean(), (value, asYaml) => {
        loadsOrConfigError(asYaml ? stringify(value) : JSON.stringify(value));
      }),
      { numRuns: 300 },
    );
  });

  it('throws only ConfigError on arbitrary text', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 200 }), yamlish), loadsOrConfigError), { numRuns: 300 });
  });

  /** The default policy with one setting replaced by an arbitrary value, or one unknown setting added. */
  const mutatedPolicy = fc
    .tuple(fc.nat(), fc.jsonValue({ maxDepth: 2 }), fc.boolean(), fc.string({ minLength: 1, maxLength: 8 }))
    .map(([pick, value, add, key]) => {
      const policy = structuredClone(defaultPolicyValue());
      const paths: (string | number)[][] = [];
      const walk = (v: unknown, path: (string | number)[]) => {
        paths.push(path);
        if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, [...path, Array.isArray(v) ? Number(k) : k]);
      };
      walk(policy, []);
      const path = paths[pick % paths.length]!;
      let parent: Record<string | number, unknown> = policy;
      for (const seg of path.slice(0, -1)) parent = parent[seg] as Record<string | number, unknown>;
      if (path.length === 0) return { text: stringify(value), changed: true };
      const last = path[path.length - 1]!;
      if (add && parent[last] && typeof parent[last] === 'object' && !Array.isArray(parent[last])) (parent[last] as Record<string, unknown>)[`x-${key}`] = value;
      else parent[last] = value;
      return { text: stringify(policy), changed: true };
    });

  it('throws only ConfigError, located, on the default policy with a setting mutated', () => {
    fc.assert(
      fc.property(mutatedPolicy, ({ text }) => {
        loadsOrConfigError(text);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects an unknown setting anywhere, naming it', () => {
    fc.assert(
      fc.property(fc.constantFrom('manifests', 'manifests.limits', 'sync', 'health', 'review', 'description', ''), fc.stringMatching(/^[a-z][a-zA-Z]{0,8}$/), (where, key) => {
        const policy = structuredClone(defaultPolicyValue()) as Record<string, unknown>;
        let target = policy;
        for (const seg of where ? where.split('.') : []) target = target[seg] as Record<string, unknown>;
        const name = `zz${key}`;
        target[name] = 1;
        expect(() => parsePolicyText(stringify(policy), 'policy.yaml')).toThrow(new RegExp(`^policy\\.yaml:\\d+:\\d+: unknown setting "${where ? `${where}.` : ''}${name}"`));
      }),
      { numRuns: 50 },
    );
  });
});
