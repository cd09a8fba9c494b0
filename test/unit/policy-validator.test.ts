// The bundles validate policies with Ajv standalone code that scripts/build.mjs generates from
// policies/schema.json (scripts/policy-validator.mjs); tests and sources compile the same schema at run time
// (src/policy/schema-validator.ts). Both must agree: same verdict, same errors, same messages with file and line.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import type { ValidateFunction } from 'ajv/dist/2020.js';
// @ts-expect-error -- a build script in plain JavaScript, without types
import { policyValidatorModule, POLICY_AJV_OPTIONS as SCRIPT_OPTIONS } from '../../scripts/policy-validator.mjs';
import { policyValidator, POLICY_AJV_OPTIONS } from '../../src/policy/schema-validator.js';
import { defaultPolicyYaml } from '../../src/policy/load.js';

const root = new URL('../..', import.meta.url).pathname;
let dir: string;
let standalone: ValidateFunction;

beforeAll(async () => {
  // Inside the repository, so the generated code's require('ajv/dist/runtime/...') finds node_modules.
  mkdirSync(join(root, '.tmp'), { recursive: true });
  dir = mkdtempSync(join(root, '.tmp', 'policy-validator-'));
  const file = join(dir, 'policy-validator.mjs');
  writeFileSync(file, (policyValidatorModule as (o: { formatModule: string }) => string)({ formatModule: join(root, 'src/policy/regex-format.ts') }));
  standalone = ((await import(pathToFileURL(file).href)) as { policyValidator: () => ValidateFunction }).policyValidator();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Policies (YAML text): valid ones, and ones breaking each kind of schema rule the loader words. */
const POLICIES: Record<string, string> = {
  default: defaultPolicyYaml(),
  minimal: 'version: 1\n',
  rules: 'version: 1\nrules:\n  wave-not-integer: warning\n',
  regexOk: 'version: 1\ndescription:\n  ticket:\n    pattern: "[A-Z]+-\\\\d+"\n  title:\n    pattern: "^(feat|fix): "\n',
  regexBad: 'version: 1\ndescription:\n  ticket:\n    pattern: "(["\n  title:\n    pattern: "\\\\p{Nope}"\n',
  unknownSetting: 'version: 1\nmanifests:\n  includes: ["*.yaml"]\n',
  enumBad: 'version: 1\ngate:\n  failOn: sometimes\n',
  constBad: 'version: 2\n',
  required: 'rules: {}\n',
  typeBad: 'version: 1\nmanifests:\n  limits:\n    maxFileBytes: lots\n',
  falseSchema: 'version: 1\nreview:\n  rules:\n    - name: r\n      approvals: 1\n      if: { kinds: [Job] }\n',
  many: 'version: 1\nmanifests:\n  include: []\n  bogus: 1\ngate:\n  failOn: 3\nrender:\n  timeoutSeconds: -1\n  enabled: "yes"\n',
  notObject: '- 1\n- 2\n',
};

type Err = NonNullable<ValidateFunction['errors']>[number];
const shape = (es: readonly Err[] | null | undefined) => (es ?? []).map((e) => ({ instancePath: e.instancePath, schemaPath: e.schemaPath, keyword: e.keyword, params: e.params, message: e.message }));

describe('standalone policy validator (scripts/policy-validator.mjs)', () => {
  it('uses the options of the runtime validator', () => {
    expect(SCRIPT_OPTIONS).toEqual(POLICY_AJV_OPTIONS);
  });

  it.each(Object.keys(POLICIES))('agrees with the runtime-compiled schema on %s', (name) => {
    const value: unknown = parse(POLICIES[name]!);
    const runtime = policyValidator();
    const a = runtime(value);
    const ae = shape(runtime.errors);
    const b = standalone(value);
    expect(b).toBe(a);
    expect(shape(standalone.errors)).toEqual(ae);
    // The corpus holds both verdicts.
    if (['default', 'minimal', 'rules', 'regexOk'].includes(name)) expect(a).toBe(true);
    else expect(a).toBe(false);
  });

  it('gives the loader the same messages, with file and line', async () => {
    const messages = async (): Promise<string[]> => {
      const { parsePolicyText } = await import('../../src/composition.js');
      return Object.entries(POLICIES).map(([name, text]) => {
        try {
          parsePolicyText(text, `policies/${name}.yaml`);
          return `${name}: valid`;
        } catch (e) {
          return (e as Error).message;
        }
      });
    };
    const runtime = await messages();
    vi.resetModules();
    vi.doMock('../../src/policy/schema-validator.js', () => ({ policyValidator: () => standalone, POLICY_AJV_OPTIONS }));
    const generated = await messages();
    vi.doUnmock('../../src/policy/schema-validator.js');
    vi.resetModules();
    expect(generated).toEqual(runtime);
    expect(runtime).toContain('default: valid');
    expect(runtime.find((m) => m.startsWith('policies/unknownSetting.yaml:3:3: unknown setting "manifests.includes"'))).toBeDefined();
    expect(runtime.find((m) => m.startsWith('policies/regexBad.yaml:4:'))).toBeDefined();
  }, 120_000);
});
