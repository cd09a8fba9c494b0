/** Hostile policy files: each fails closed with a ConfigError naming the file, the line and the setting. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { parsePolicyText, resolvePolicy } from '../../src/composition.js';
import { evaluate } from '../../src/composition.js';
import { memoryChange } from '../helpers/change.js';
import { MemoryTree } from '../helpers/memory-tree.js';

async function rejection(p: Promise<unknown>): Promise<ConfigError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ConfigError);
  return e as ConfigError;
}

describe('hostile policy files', () => {
  const cases: Record<string, [string, RegExp]> = {
    'an alias bomb': [`version: 1\nx: &a [${'y,'.repeat(50)}y]\nz: [${'*a,'.repeat(1500)}*a]\n`, /^p\.yaml:\d+:\d+: policy is not valid YAML: .*(alias|resource exhaustion)/i],
    'pathological nesting': [`version: 1\nrules: ${'['.repeat(10_000)}\n`, /^p\.yaml:2:1: policy is not valid YAML: nesting/],
    'tabs for indentation': ['version: 1\nmanifests:\n\texclude: []\n', /^p\.yaml:3:1: policy is not valid YAML: .*[Tt]ab/],
    'a duplicate setting': ['version: 1\nrules: {}\nrules: {}\n', /^p\.yaml:3:1: policy is not valid YAML: .*unique/],
    'a null key': ['version: 1\nnull: 1\n', /^p\.yaml:2:1: policy is not valid YAML: mapping key is null/],
    'an anchor from another document': ['version: 1\nx: &a 1\n---\ny: *a\n', /^p\.yaml:4:\d+: policy is not valid YAML: alias \*a/],
    'two documents': ['version: 1\n---\nversion: 1\n', /^p\.yaml:3: policy file must hold exactly one YAML document/],
    'a wrong type deep inside': ['version: 1\nmanifests:\n  limits:\n    maxDepth: "deep"\n', /^p\.yaml:4:15: setting "manifests\.limits\.maxDepth" must be integer/],
    'a list at the top': ['- version: 1\n', /^p\.yaml:1:1: setting "\(top level\)" must be object/],
  };
  for (const [name, [text, message]] of Object.entries(cases)) {
    it(name, () => {
      let err: unknown;
      try {
        parsePolicyText(text, 'p.yaml');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(message);
    });
  }

  it('a binary policy file fails closed instead of falling back to the default policy', async () => {
    const tree = new MemoryTree({ 'policies/gitops-gate.yaml': new Uint8Array([0x76, 0x3a, 0xff, 0xfe, 0x00]) });
    const e = await rejection(resolvePolicy(tree, 'policies'));
    expect(e.message).toBe('policies/gitops-gate.yaml:1: policy file is not UTF-8 text (binary content or invalid UTF-8)');
  });

  it('an unloadable base policy stops the evaluation (the CLI exits 2, the Action fails)', async () => {
    const change = memoryChange({ 'policies/gitops-gate.yaml': 'version: 1\nrules:\n  wave-not-string: maybe\n' }, { 'policies/gitops-gate.yaml': 'version: 1\n', 'a.yaml': 'a: 1\n' });
    const e = await rejection(evaluate(change, { policyPath: 'policies' }));
    expect(e.message).toMatch(/^policies\/gitops-gate\.yaml:3:\d+: setting "rules\.wave-not-string"/);
    expect(e.setting).toBe('rules.wave-not-string');
  });
});
