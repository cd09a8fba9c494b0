/**
 * Hostile input for the YAML layer and manifest reading: every case ends as a problem with a line, or a
 * not-evaluated reason; never a crash, never a silent pass.
 */
import { describe, expect, it } from 'vitest';
import { readManifestFile } from '../../src/manifests/manifest-file.js';
import { DEFAULT_YAML_LIMITS, parseYamlFile, parseYamlText } from '../../src/manifests/yaml-doc.js';
import { nestingExcess, SAFE_PARSE_DEPTH } from '../../src/manifests/yaml-guard.js';
import { evaluateFiles } from '../helpers/change.js';

const enc = (s: string) => new TextEncoder().encode(s);
const read = (text: string | Uint8Array, path = 'app/x.yaml', limits = DEFAULT_YAML_LIMITS) =>
  readManifestFile(path, typeof text === 'string' ? enc(text) : text, limits);
const kinds = (text: string) => parseYamlText(text).problems.map((p) => p.kind);

const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n';

describe('pathological nesting is a yaml-limit finding before the parser can overflow its stack', () => {
  const cases: Record<string, string> = {
    'flow sequences': '['.repeat(100_000),
    'flow mappings': '{a: '.repeat(50_000),
    'block sequences on one line': '- '.repeat(100_000) + 'x',
    'complex keys': '? '.repeat(5_000) + 'x',
    'block mappings by indentation': Array.from({ length: 1_000 }, (_, i) => ' '.repeat(i) + 'a:').join('\n'),
    'block mappings by indentation, lone CR line breaks': Array.from({ length: 1_000 }, (_, i) => ' '.repeat(i) + 'a:').join('\r'),
    'a valid manifest with a deep value': `${CM}data:\n  x: ${'['.repeat(2_000)}${']'.repeat(2_000)}\n`,
  };
  for (const [name, text] of Object.entries(cases)) {
    it(name, () => {
      const f = read(text);
      expect(f.problems).toHaveLength(1);
      expect(f.problems[0]).toMatchObject({ kind: 'yaml-limit' });
      expect(f.problems[0]!.message).toMatch(/nesting/);
      expect(f.problems[0]!.line).toBeGreaterThanOrEqual(1);
      expect(f.resources).toEqual([]);
    });
  }

  it('reports the line where the nesting goes too deep', () => {
    const text = `${CM}data:\n  ok: "1"\n  deep: ${'['.repeat(500)}\n`;
    expect(read(text).problems[0]).toMatchObject({ kind: 'yaml-limit', line: 7 });
  });

  it('counts nesting exactly against maxDepth, aliases expanded', () => {
    expect(kinds('['.repeat(200) + ']'.repeat(200))).toEqual([]);
    expect(kinds('['.repeat(201) + ']'.repeat(201))).toEqual(['yaml-limit']);
    // Each alias adds the depth of its anchor: 10 levels of 30 = 300 levels from a shallow-looking file.
    let text = `a0: &a0 ${'['.repeat(30)}${']'.repeat(30)}\n`;
    for (let i = 1; i < 10; i++) text += `a${i}: &a${i} ${'['.repeat(29)}*a${i - 1}${']'.repeat(29)}\n`;
    const f = parseYamlText(text);
    expect(f.problems.map((p) => p.kind)).toEqual(['yaml-limit']);
    expect(f.problems[0]!.message).toMatch(/aliases expanded/);
  });

  it('does not count brackets in plain scalars, quoted scalars, comments or block scalars', () => {
    const brackets = '['.repeat(SAFE_PARSE_DEPTH + 10);
    const text = [
      `plain: a${brackets}`,
      `quoted: "${brackets}"`,
      `single: '${brackets}'`,
      `# ${brackets}`,
      'block: |',
      `  ${brackets}`,
      `  {${brackets}`,
      'after: [1, [2, [3]]]',
    ].join('\n');
    expect(nestingExcess(text, SAFE_PARSE_DEPTH)).toBeUndefined();
    expect(kinds(text)).toEqual([]);
  });
});

describe('alias bombs, anchors and aliases', () => {
  it('stops a billion-laughs bomb at the alias limit', () => {
    let text = 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
    for (let i = 1; i < 10; i++) text += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    const f = read(`${CM}data:\n  bomb:\n${text.replace(/^/gm, '    ')}`);
    expect(f.problems.map((p) => p.kind)).toEqual(['yaml-limit']);
    expect(f.resources).toEqual([]);
  });

  it('reports an alias to an anchor of another document, at the alias', () => {
    const f = parseYamlText(`${CM}data:\n  a: &shared x\n---\n${CM}data:\n  b: *shared\n`);
    expect(f.problems).toEqual([expect.objectContaining({ kind: 'yaml-syntax', line: 13, message: expect.stringMatching(/\*shared names no anchor/) })]);
    expect(f.docs[0]!.broken).toBe(false);
    expect(f.docs[1]!.broken).toBe(true);
  });

  it('reads an annotation given by an alias as the value it names', async () => {
    const report = await evaluateFiles({
      'app/a.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: &l {tier: "web"}\n  annotations:\n    note: &n "ok"\n    copy: *n\n    labels: *l\n`,
    });
    expect(report.findings.map((f) => [f.rule, f.line, f.message])).toEqual([
      ['annotation-not-string', 9, expect.stringContaining('annotation labels has the YAML mapping {"tier":"web"}, not a string')],
    ]);
  });

  it('expands merge keys as Kubernetes does, pointing findings at the merged value', async () => {
    const text = [
      'apiVersion: v1', // 1
      'kind: ConfigMap',
      'metadata:',
      '  name: a',
      '  labels: &common', // 5
      '    team: "web"',
      '    argocd.argoproj.io/sync-wave: 3', // 7: an unquoted wave, merged into the annotations
      '  annotations:',
      '    <<: [*common, {extra: "1", team: "ignored"}]',
      '    team: "own"', // 10
    ].join('\n');
    const f = read(text);
    expect(f.problems).toEqual([]);
    const ann = f.resources[0]!.annotations;
    expect([...ann.keys()].sort()).toEqual(['argocd.argoproj.io/sync-wave', 'extra', 'team']);
    expect(ann.get('team')).toMatchObject({ value: 'own', valuePos: { line: 10, column: 11 } });
    expect(ann.get('argocd.argoproj.io/sync-wave')).toMatchObject({ value: 3, isString: false, valuePos: { line: 7, column: 35 } });
    const report = await evaluateFiles({ 'app/m.yaml': text });
    // The label of the same name is not a wave (ArgoCD reads waves from annotations only).
    expect(report.findings.map((x) => [x.rule, x.line])).toEqual([['wave-not-string', 7]]);
    expect(read('a: {b: 1}\nc:\n  <<: 5\n').problems.map((p) => p.kind)).toEqual(['yaml-syntax']);
  });

  it('reports an alias inside the node its anchor names', () => {
    const f = parseYamlText('a: &loop\n  - 1\n  - *loop\n');
    expect(f.problems).toEqual([expect.objectContaining({ kind: 'yaml-syntax', line: 3, message: expect.stringMatching(/contain itself/) })]);
    expect(f.docs[0]!.value).toBeUndefined();
  });
});

describe('keys', () => {
  it('reports duplicate keys at the second key', () => {
    expect(parseYamlText(`${CM}  name: b\n`).problems).toEqual([expect.objectContaining({ kind: 'yaml-duplicate-key', line: 5 })]);
  });

  it('reports null and collection keys, which Kubernetes cannot convert to JSON', () => {
    const f = parseYamlText(`${CM}  annotations:\n    ? [a, b]\n    : x\n    ? {k: v}\n    : y\n    null: z\n`);
    expect(f.problems.map((p) => [p.kind, p.line])).toEqual([
      ['yaml-unsupported-key', 6],
      ['yaml-unsupported-key', 8],
      ['yaml-unsupported-key', 10],
    ]);
    expect(f.problems[1]!.message).toMatch(/key is a mapping/);
    expect(parseYamlText('a: &k x\n*k : y\n').problems).toEqual([]);
    for (const text of ['~: w\n', '{a: 1}: x\n', 'a: &k [x]\n*k : y\n']) expect(parseYamlText(text).problems.map((p) => p.kind)).toEqual(['yaml-unsupported-key']);
    expect(f.docs[0]!.broken).toBe(true);
  });

  it('accepts number and boolean keys, as Kubernetes converts them to strings', () => {
    const f = parseYamlText(`${CM}data:\n  1: one\n  true: yes\n  2.5: x\n`);
    expect(f.problems).toEqual([]);
    expect((f.docs[0]!.value as { data: unknown }).data).toEqual({ 1: 'one', true: 'yes', 2.5: 'x' });
  });

  it('fails the gate on an unsupported key in a manifest', async () => {
    const report = await evaluateFiles({ 'app/cm.yaml': `${CM}  labels:\n    null: x\n` });
    expect(report.verdict).toBe('fail');
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'yaml-unsupported-key', file: 'app/cm.yaml', line: 6 })]);
  });
});

describe('encodings and whitespace', () => {
  it('reads a file with a BOM', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc(CM)]);
    const f = read(bytes);
    expect(f.problems).toEqual([]);
    expect(f.resources[0]!.name).toBe('a');
  });

  it('reads CRLF line endings with the same lines as LF', () => {
    const text = `${CM}  annotations:\n    argocd.argoproj.io/sync-wave: 1.5\n`;
    const lf = read(text).resources[0]!.annotations.get('argocd.argoproj.io/sync-wave')!;
    const crlf = read(text.replace(/\n/g, '\r\n')).resources[0]!.annotations.get('argocd.argoproj.io/sync-wave')!;
    expect(crlf.valuePos).toEqual(lf.valuePos);
    expect(crlf.valuePos.line).toBe(6);
    expect(crlf.value).toBe(1.5);
  });

  it('reports tabs used for indentation at their line', () => {
    const f = read(`${CM}  labels:\n\tapp: x\n`);
    expect(f.problems).toEqual([expect.objectContaining({ kind: 'yaml-syntax', line: 6, message: expect.stringMatching(/[Tt]ab/) })]);
    expect(f.resources).toEqual([]);
  });

  it('reports binary content, invalid UTF-8, UTF-16 and NUL bytes as not text', () => {
    for (const bytes of [
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      new Uint8Array([...enc('a: '), 0xc3, 0x28]),
      new Uint8Array([0xff, 0xfe, 0x61, 0x00, 0x3a, 0x00]),
      enc('a: b\u0000c\n'),
    ]) {
      const f = read(bytes);
      expect(f.problems.map((p) => [p.kind, p.line])).toEqual([['yaml-not-text', 1]]);
      expect(f.text).toBeUndefined();
    }
  });

  it('fails the gate on a binary file named .yaml', async () => {
    const report = await evaluateFiles({ 'app/logo.yaml': '\u0000PNG' });
    expect(report.verdict).toBe('fail');
    expect(report.findings.map((f) => [f.rule, f.file, f.line])).toEqual([['yaml-not-text', 'app/logo.yaml', 1]]);
  });
});

describe('size', () => {
  it('rejects an over-limit file without decoding it', () => {
    // Invalid UTF-8 past the limit: had the file been decoded, it would be reported as not text.
    const bytes = new Uint8Array(1024).fill(0xff);
    const f = read(bytes, 'big.yaml', { ...DEFAULT_YAML_LIMITS, maxFileBytes: 1000 });
    expect(f.problems.map((p) => p.kind)).toEqual(['yaml-limit']);
    expect(f.problems[0]!.message).toMatch(/1024 bytes, over the limit of 1000/);
    expect(f.text).toBeUndefined();
  });

  // About 3 s and 0.7 GB of peak memory on the benchmark machine (the syntax trees are kept for positions).
  it('reads a 20 MB file of many documents under a raised limit', () => {
    const doc = (i: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  annotations:\n    argocd.argoproj.io/sync-wave: "${i % 7}"\ndata:\n  payload: "${'x'.repeat(2000)}"\n`;
    const parts: string[] = [];
    let size = 0;
    for (let i = 0; size < 20 * 1024 * 1024; i++) {
      const d = doc(i);
      parts.push(d);
      size += d.length + 4;
    }
    const bytes = enc(parts.join('---\n'));
    const limits = { ...DEFAULT_YAML_LIMITS, maxFileBytes: 32 * 1024 * 1024 };
    const f = read(bytes, 'big.yaml', limits);
    expect(f.problems).toEqual([]);
    expect(f.resources).toHaveLength(parts.length);
    expect(f.resources[parts.length - 1]!.annotations.get('argocd.argoproj.io/sync-wave')!.valuePos.line).toBe((parts.length - 1) * 9 + 6);
    expect(read(bytes, 'big.yaml').problems.map((p) => p.kind)).toEqual(['yaml-limit']);
  });

  it('reads a huge single line', () => {
    const f = read(`${CM}data:\n  blob: ${'y'.repeat(5_000_000)}\n`);
    expect(f.problems).toEqual([]);
    expect(f.resources[0]!.pos(['data', 'blob'])).toEqual({ line: 6, column: 9 });
  });

  it('refuses more documents than the limit', () => {
    const f = parseYamlFile(enc('a: 1\n---\n'.repeat(30)), { ...DEFAULT_YAML_LIMITS, maxDocuments: 20 });
    expect(f.problems.map((p) => p.kind)).toEqual(['yaml-limit']);
  });
});

describe('documents and templates', () => {
  it('treats empty files and empty documents as holding no resources, without problems', () => {
    for (const text of ['', '\n', '---\n', '---\n---\n...\n', '# only a comment\n']) {
      const f = read(text);
      expect(f.problems).toEqual([]);
      expect(f.resources).toEqual([]);
    }
    expect(read(`---\n${CM}---\n---\n`).resources).toHaveLength(1);
  });

  it('does not evaluate a Helm template that is not YAML until rendered, and says why', () => {
    const f = read(`${CM}  namespace: {{ .Release.Namespace }}\n{{- if .Values.extra }}\n  labels: {}\n{{- end }}\n`);
    expect(f.role).toBe('template');
    expect(f.notEvaluated).toMatch(/templated text/);
    expect(f.resources).toEqual([]);
  });

  it('does not evaluate a Helm template whose action parses as a flow mapping key', () => {
    const f = read(`${CM}  namespace: {{ .Release.Namespace }}\n`);
    expect(f.notEvaluated).toMatch(/templated text/);
  });

  it('does not evaluate Jinja templates', () => {
    const f = read(`${CM}{% if prod %}\n  namespace: prod\n{% endif %}\n`);
    expect(f.role).toBe('template');
    expect(f.notEvaluated).toMatch(/not valid YAML until rendered/);
  });

  it('evaluates templated values in valid YAML as the literal strings ArgoCD would apply', async () => {
    const report = await evaluateFiles({
      'app/env.yaml': `${CM}  annotations:\n    argocd.argoproj.io/sync-wave: "\${WAVE}"\n`,
      'app/go.yaml': `${CM.replace('name: a', 'name: b')}  annotations:\n    argocd.argoproj.io/sync-wave: "{{ .Values.wave }}"\n`,
    });
    expect(report.findings.map((f) => [f.rule, f.file, f.line])).toEqual([
      ['wave-not-integer', 'app/env.yaml', 6],
      ['wave-not-integer', 'app/go.yaml', 6],
    ]);
  });

  it('lists an unevaluated template in the report', async () => {
    const report = await evaluateFiles({ 'app/t.yaml': `${CM}  namespace: {{ .Values.ns }}\n` });
    expect(report.notEvaluated).toEqual([expect.objectContaining({ subject: 'app/t.yaml' })]);
  });
});
