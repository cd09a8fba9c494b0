import { describe, expect, it } from 'vitest';
import { parseYamlFile, parseYamlText, DEFAULT_YAML_LIMITS } from '../../src/manifests/yaml-doc.js';
import { resourcesOf } from '../../src/manifests/resource.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('YAML layer', () => {
  it('keeps line and column for nodes in every document of a multi-document file', () => {
    const f = parseYamlText('a: 1\n---\n# c\nkind: X\nmetadata:\n  name: y\n');
    expect(f.problems).toEqual([]);
    expect(f.docs).toHaveLength(2);
    expect(f.docs[1]!.pos(['metadata', 'name'])).toEqual({ line: 6, column: 9 });
    expect(f.docs[1]!.keyPos(['metadata', 'name'])).toEqual({ line: 6, column: 3 });
    expect(f.docs[1]!.startLine).toBe(4);
  });

  it('falls back to the nearest existing ancestor for a missing path', () => {
    const f = parseYamlText('x:\n  y: 1\n');
    expect(f.docs[0]!.pos(['x', 'nope', 'deeper'])).toEqual({ line: 2, column: 3 });
  });

  it('reports duplicate keys at the line of the second key', () => {
    const f = parseYamlText('metadata:\n  annotations: {}\n  annotations:\n    a: b\n');
    expect(f.problems).toHaveLength(1);
    expect(f.problems[0]).toMatchObject({ kind: 'yaml-duplicate-key', line: 3 });
    expect(f.docs[0]!.broken).toBe(true);
  });

  it('reports syntax errors with their line and keeps other documents', () => {
    const f = parseYamlText('a: 1\n---\nb: [1,\nc: 2\n');
    expect(f.problems[0]!.kind).toBe('yaml-syntax');
    expect(f.problems[0]!.line).toBeGreaterThanOrEqual(3);
    expect(f.docs[0]!.broken).toBe(false);
    expect(f.docs[0]!.value).toEqual({ a: 1 });
  });

  it('stops alias bombs at the alias limit', () => {
    let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 9; i++) text += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    const f = parseYamlText(text, { ...DEFAULT_YAML_LIMITS, maxAliasCount: 100 });
    expect(f.problems[0]?.kind).toBe('yaml-limit');
    expect(f.docs[0]!.value).toBeUndefined();
  });

  it('refuses files over the size limit and binary files', () => {
    expect(parseYamlFile(enc('a: 1\n'.repeat(10)), { ...DEFAULT_YAML_LIMITS, maxFileBytes: 10 }).problems[0]!.kind).toBe('yaml-limit');
    expect(parseYamlFile(new Uint8Array([0x61, 0x3a, 0xff, 0xfe])).problems[0]!.kind).toBe('yaml-not-text');
    expect(parseYamlFile(new Uint8Array([0x61, 0x00, 0x62])).problems[0]!.kind).toBe('yaml-not-text');
  });

  it('drops a UTF-8 BOM and accepts CRLF line ends with correct lines', () => {
    const f = parseYamlFile(enc('\uFEFFa: 1\r\nb:\r\n  c: 2\r\n'));
    expect(f.problems).toEqual([]);
    expect(f.docs[0]!.pos(['b', 'c'])).toEqual({ line: 3, column: 6 });
  });

  it('refuses nesting deeper than the limit', () => {
    const deep = '['.repeat(50) + ']'.repeat(50);
    const f = parseYamlText(deep, { ...DEFAULT_YAML_LIMITS, maxDepth: 20 });
    expect(f.problems[0]!.kind).toBe('yaml-limit');
  });
});

describe('resources', () => {
  it('reads kind List items as resources with positions inside the list', () => {
    const f = parseYamlText(
      'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n    annotations:\n      k: "v"\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: b}\n',
    );
    const rs = resourcesOf('f.yaml', f.docs[0]!);
    expect(rs.map((r) => `${r.group}/${r.kind}/${r.name}`)).toEqual(['/ConfigMap/a', 'apps/Deployment/b']);
    expect(rs[0]!.annotations.get('k')!.valuePos).toEqual({ line: 9, column: 10 });
    expect(rs[1]!.pos(['metadata', 'name'])).toEqual({ line: 12, column: 20 });
  });

  it('marks non-string annotation values', () => {
    const f = parseYamlText('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    w: 5\n    x: "5"\n    y: true\n    z:\n');
    const r = resourcesOf('f.yaml', f.docs[0]!)[0]!;
    expect([...r.annotations.values()].map((e) => [e.key, e.isString])).toEqual([
      ['w', false],
      ['x', true],
      ['y', false],
      ['z', false],
    ]);
  });

  it('ignores documents that are not Kubernetes objects', () => {
    const f = parseYamlText('replicas: 3\nimage: x\n');
    expect(resourcesOf('values.yaml', f.docs[0]!)).toEqual([]);
  });
});
