import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readSettings } from '../../src/action/inputs.js';

interface Meta {
  name: string;
  description: string;
  author: string;
  branding: { icon: string; color: string };
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}
const meta = parse(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as Meta;

describe('action.yml', () => {
  it('describes the Action, every input and every output, and runs the bundle on node24', () => {
    expect(meta.name && meta.description && meta.author && meta.branding.icon && meta.branding.color).toBeTruthy();
    for (const [name, spec] of [...Object.entries(meta.inputs), ...Object.entries(meta.outputs)]) expect(spec.description, name).toMatch(/\w{3,}/);
    expect(meta.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(Object.keys(meta.outputs).sort()).toEqual(['check-run-url', 'comment-url', 'errors', 'not-evaluated', 'override', 'report-file', 'sarif-file', 'verdict', 'warnings']);
  });

  it('declares exactly the inputs the Action reads, with defaults it accepts', () => {
    const read = new Set<string>();
    const defaults = (name: string) => {
      read.add(name);
      return (meta.inputs[name]?.default ?? '').replace('${{ github.token }}', 'tok');
    };
    const s = readSettings(defaults, { GITHUB_REPOSITORY: 'a/b', GITHUB_WORKSPACE: '/w', GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: '/e', RUNNER_TEMP: '/t' });
    expect([...read].sort()).toEqual(Object.keys(meta.inputs).sort());
    expect(s).toMatchObject({ token: 'tok', policy: 'policies', failOn: 'error', comment: 'always', checkName: 'GitOps Gate', commentAuthor: 'github-actions[bot]' });
    expect(s.sarifFile).toBeUndefined();
  });
});
