import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { defaultPolicyYaml, DEFAULT_POLICY_NAME } from '../../src/policy/load.js';
import { loadPolicy, parsePolicyText, resolvePolicy, defaultPolicyValue } from '../../src/composition.js';
import { MemoryTree } from '../helpers/memory-tree.js';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('policy loading', () => {
  it('the shipped default policy is valid against the schema', () => {
    // Runs skip the schema for the built-in policy; this is where it is validated.
    expect(parsePolicyText(defaultPolicyYaml(), DEFAULT_POLICY_NAME)).toEqual(defaultPolicyValue());
    const p = defaultPolicyValue();
    expect(p.version).toBe(1);
    expect((p.manifests as { include: string[] }).include).toContain('**/*.yaml');
  });

  it('merges a repository policy over the default, replacing lists', () => {
    const p = loadPolicy('version: 1\nmanifests:\n  exclude: ["vendor/**"]\nrules:\n  wave-not-integer: warning\n', 'p.yaml');
    expect(p.manifests.exclude).toEqual(['vendor/**']);
    expect(p.manifests.include).toEqual(['**/*.yaml', '**/*.yml']);
    expect(p.manifests.limits.maxAliasCount).toBe(1000);
    expect(p.rules['wave-not-integer']).toBe('warning');
  });

  it('names file, line and setting for an unknown (misspelled) setting', () => {
    const e = configError(() => parsePolicyText('version: 1\nmanifests:\n  includes: ["*.yaml"]\n', 'policies/gitops-gate.yaml'));
    expect(e.message).toMatch(/^policies\/gitops-gate\.yaml:3:3: unknown setting "manifests\.includes"/);
    expect(e.location).toEqual({ file: 'policies/gitops-gate.yaml', line: 3, column: 3 });
    expect(e.setting).toBe('manifests.includes');
  });

  it('names the setting and allowed values for a bad enum value', () => {
    const e = configError(() => parsePolicyText('version: 1\nrules:\n  wave-not-integer: fatal\n', 'p.yaml'));
    expect(e.message).toContain('p.yaml:3:21');
    expect(e.message).toContain('"rules.wave-not-integer" must be one of "off", "notice", "warning", "error"');
  });

  it('rejects a wrong type with its line', () => {
    const e = configError(() => parsePolicyText('version: 1\nmanifests:\n  limits:\n    maxFileBytes: lots\n', 'p.yaml'));
    expect(e.message).toMatch(/^p\.yaml:4:19: setting "manifests\.limits\.maxFileBytes" must be integer/);
  });

  it('rejects unknown rule ids, suggesting the right one', () => {
    const e = configError(() => parsePolicyText('version: 1\nrules:\n  wave_not_string: off\n', 'p.yaml'));
    expect(e.message).toBe('p.yaml:3:3: unknown rule "wave_not_string" under rules (did you mean "wave-not-string"?)');
  });

  it('rejects YAML syntax errors, empty files, a missing version and several documents', () => {
    expect(configError(() => parsePolicyText('version: 1\nrules: [\n', 'p.yaml')).message).toMatch(/^p\.yaml:\d+:\d+: policy is not valid YAML/);
    expect(configError(() => parsePolicyText('', 'p.yaml')).message).toContain('policy file is empty');
    expect(configError(() => parsePolicyText('rules: {}\n', 'p.yaml')).message).toContain('"version" is required');
    expect(configError(() => parsePolicyText('version: 1\n---\nversion: 1\n', 'p.yaml')).message).toContain('exactly one YAML document');
  });

  it('applies the built-in default when the path holds no policy, and says so', async () => {
    const r = await resolvePolicy(new MemoryTree({ 'README.md': 'x' }), 'policies');
    expect(r.source.origin).toBe('default');
    expect(r.source.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('finds gitops-gate.yaml in a policy directory and reports when the change edits it', async () => {
    const tree = new MemoryTree({ 'policies/gitops-gate.yaml': 'version: 1\nrules:\n  wave-not-integer: off\n' }, 'abc');
    const r = await resolvePolicy(tree, 'policies', ['policies/gitops-gate.yaml']);
    expect(r.source).toMatchObject({ origin: 'repository', path: 'policies/gitops-gate.yaml', ref: 'abc', changedByThisChange: true });
    expect(r.policy.rules['wave-not-integer']).toBe('off');
  });

  // Issue "Fail closed", item 5: the workflow (and its policy input) of a pull_request run comes from the PR.
  it('fails closed when the configured path holds nothing but the default location holds a policy, naming both paths', async () => {
    const tree = new MemoryTree({ 'policies/gitops-gate.yaml': 'version: 1\n' }, 'abc');
    const e = await resolvePolicy(tree, 'no/such/dir').then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toMatch(/^policies\/gitops-gate\.yaml:1: the configured policy path "no\/such\/dir" holds no policy on commit abc, but that commit holds a policy at "policies\/gitops-gate\.yaml".*fails closed/);
  });

  it('fails closed when the configured path holds nothing but a gitops-gate.yaml lies elsewhere in the tree', async () => {
    const tree = new MemoryTree({ 'ops/a/gitops-gate.yml': 'version: 1\n', 'ops/b/gitops-gate.yaml': 'version: 1\n', 'README.md': 'x' });
    const e = await resolvePolicy(tree, 'policies').then(() => undefined, (err: unknown) => err);
    expect((e as Error).message).toContain('"policies" holds no policy on commit memory, but that commit holds policies at "ops/a/gitops-gate.yml", "ops/b/gitops-gate.yaml"');
  });

  it('fails closed when the configured path resolves to another file than the policy at the default location', async () => {
    const tree = new MemoryTree({ 'policies/gitops-gate.yaml': 'version: 1\n', 'policies/lax.yaml': 'version: 1\n' }, 'abc');
    const e = await resolvePolicy(tree, 'policies/lax.yaml').then(() => undefined, (err: unknown) => err);
    expect((e as Error).message).toMatch(/^policies\/lax\.yaml:1: the configured policy path "policies\/lax\.yaml" resolves to "policies\/lax\.yaml", but commit abc holds the policy at "policies\/gitops-gate\.yaml"/);
    // The same file named directly, or with ./ and a trailing slash, is the same policy.
    for (const p of ['policies/gitops-gate.yaml', './policies/', 'policies']) expect((await resolvePolicy(tree, p)).source.path).toBe('policies/gitops-gate.yaml');
  });

  it('uses a policy kept outside the default location when nothing is at the default location', async () => {
    const tree = new MemoryTree({ 'ops/gitops-gate.yaml': 'version: 1\ngate:\n  failOn: warning\n' });
    const r = await resolvePolicy(tree, 'ops');
    expect(r.source).toMatchObject({ origin: 'repository', path: 'ops/gitops-gate.yaml' });
    expect(r.policy.gate.failOn).toBe('warning');
  });

  it('pins fail-on at error in the default policy and asks for an approval of workflow changes', () => {
    const p = loadPolicy('version: 1\n', 'p.yaml');
    expect(p.gate.failOn).toBe('error');
    expect(p.review.rules.find((r) => r.name === 'workflows')).toMatchObject({ if: { paths: ['.github/workflows/**', '.github/actions/**'] }, approvals: 1 });
    expect(configError(() => parsePolicyText('version: 1\ngate:\n  failOn: sometimes\n', 'p.yaml')).message).toMatch(/^p\.yaml:3:\d+: setting "gate\.failOn" must be one of "error", "warning", "never"/);
  });
});

describe('one condition language (review.rules[].if and description.conditional[].when)', () => {
  it('accepts the change conditions in both places and the resource conditions in when only, saying why', () => {
    const both = '  { paths: ["a/**"], manifestsChanged: true, labels: [x], authors: [dana], targetBranches: [main] }';
    const p = loadPolicy(`version: 1\nreview:\n  rules:\n    - name: r\n      approvals: 1\n      if:${both}\ndescription:\n  conditional:\n    - name: c\n      sections: [why]\n      when:${both}\n`, 'p.yaml');
    expect(p.description.conditional[0]!.when).toEqual(p.review.rules[0]!.if);
    expect(() => loadPolicy('version: 1\ndescription:\n  conditional:\n    - name: c\n      sections: [why]\n      when: { kinds: [Job], changes: [hooks] }\n', 'p.yaml')).not.toThrow();
    expect(() => loadPolicy('version: 1\nreview:\n  rules:\n    - name: r\n      approvals: 1\n      if: { kinds: [Job] }\n', 'p.yaml')).toThrow(
      new ConfigError('setting "review.rules[0].if.kinds" is not available here: kinds and changes are description conditions (description.conditional[].when); an approval rule is decided before the manifests are read', { file: 'p.yaml', line: 6, column: 13 }, 'review.rules[0].if.kinds'),
    );
    expect(() => loadPolicy('version: 1\ndescription:\n  conditional:\n    - name: c\n      sections: [why]\n      when: { branch: [main] }\n', 'p.yaml')).toThrow(/unknown setting "description\.conditional\[0\]\.when\.branch"/);
  });
});
