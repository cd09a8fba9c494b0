/** Health checks as ArgoCD runs them (issue 16): YAML as go-yaml reads it, test inputs that are not resources. */
import { describe, expect, it } from 'vitest';
import { evaluateFiles } from '../../helpers/change.js';
import { readArgoYamlObject } from '../../../src/argocd/argo-yaml.js';
import { DEFAULT_YAML_LIMITS } from '../../../src/manifests/yaml-doc.js';

const dir = 'resource_customizations/example.com/Widget';
const SCRIPT = `hs = {status = "Progressing", message = ""}
if obj.status ~= nil and obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    if c.type == "Ready" then hs = {status = c.status == "True" and "Healthy" or "Degraded", message = c.message} end
  end
end
return hs
`;
const suite = (message: string) => `tests:\n- healthStatus:\n    status: Degraded\n    message: "${message}"\n  inputPath: testdata/degraded.yaml\n`;
type Details = { tests: { head: string; headPass: boolean }[] };
const run = async (input: string, message: string) => {
  const r = await evaluateFiles({ [`${dir}/health.lua`]: SCRIPT, [`${dir}/health_test.yaml`]: suite(message), [`${dir}/testdata/degraded.yaml`]: input });
  return { r, tests: (r.details.health as Details).tests };
};

// The continuation lines of the quoted message sit at the column of its key: go-yaml accepts that.
const underIndented = `apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
status:
  conditions:
  - type: Ready
    status: "False"
    message: 'the backend is
    not reachable:
    retrying'
`;

describe('health-test inputs are read as go-yaml reads them', () => {
  it('accepts under-indented continuation lines of a quoted scalar', async () => {
    const { tests } = await run(underIndented, 'the backend is not reachable: retrying');
    expect(tests.map((t) => [t.headPass, t.head])).toEqual([[true, 'Degraded: the backend is not reachable: retrying']]);
    expect(readArgoYamlObject(underIndented.replace("    not reachable:\n    retrying'", "      not reachable:\n      retrying'"), DEFAULT_YAML_LIMITS)).toMatchObject({ lenient: false });
  });

  it('keeps the last of two top-level status keys', async () => {
    const twice = `apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nstatus:\n  conditions: []\nstatus:\n  conditions:\n  - {type: Ready, status: "False", message: second}\n`;
    const { tests } = await run(twice, 'second');
    expect(tests.map((t) => t.headPass)).toEqual([true]);
  });

  it('keeps the real parse error in the message when go-yaml would reject the input too', async () => {
    const broken = 'apiVersion: example.com/v1\nkind: Widget\nstatus: {conditions: [\n';
    const { r } = await run(broken, 'x');
    const failed = r.findings.filter((f) => f.rule === 'health-test-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.message).toMatch(/testdata\/degraded\.yaml is not valid YAML: Flow sequence/);
  });

  it('the legacy resource.customizations block accepts what go-yaml accepts', async () => {
    const cm = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\ndata:\n  resource.customizations: |\n    example.com/Widget:\n      health.lua: 'return {status =\n      "Healthy"}'\n`;
    const r = await evaluateFiles({ 'argocd/cm.yaml': cm });
    expect(r.findings.map((f) => f.rule)).not.toContain('health-config-invalid');
    expect(((r.details.health as { checks: { key: string }[] }).checks).map((c) => c.key)).toEqual(['example.com/Widget']);
  });
});

describe('test inputs under ArgoCD\'s layout are not resources', () => {
  it('testdata/ next to a health_test.yaml is not read as manifests', async () => {
    // A Pod input without a namespace, with a sync-wave that would be flagged in a manifest.
    const input = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    argocd.argoproj.io/sync-wave: "one"\nstatus:\n  conditions:\n  - {type: Ready, status: "False", message: m}\n`;
    const { r } = await run(input.replace('kind: Pod', 'kind: Widget').replace('apiVersion: v1', 'apiVersion: example.com/v1'), 'm');
    const manifestFindings = r.findings.filter((f) => f.file === `${dir}/testdata/degraded.yaml`);
    expect(manifestFindings).toEqual([]);
    // The same file outside the layout is a manifest.
    const r2 = await evaluateFiles({ 'apps/web/pod.yaml': input });
    expect(r2.findings.filter((f) => f.file === 'apps/web/pod.yaml').length).toBeGreaterThan(0);
  });
});

/** An argocd-cm whose health check for example.com/Operator is `script` (its first line is line 7 of the file). */
const operatorCm = (script: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\ndata:\n  resource.customizations.health.example.com_Operator: |\n${script.replace(/^/gm, '    ')}\n`;

describe('configured checks run on the statuses a resource passes through', () => {
  const cm = (init: string) =>
    operatorCm(`hs = {status = "Progressing", message = "Waiting for status"}
${init}
if obj.status ~= nil and obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    if c.type == "Installed" and c.status == "True" then installed_message = c.message end
  end
  hs.message = "Installed: " .. installed_message
end
return hs`);
  it('a global assigned on some paths only fails once the object has conditions: an error, not only a warning', async () => {
    const bad = (await evaluateFiles({ 'argocd/cm.yaml': cm('') })).findings;
    const shape = bad.filter((f) => f.rule === 'lua-fails-on-status-shape');
    expect(shape.map((f) => [f.file, f.line, f.severity])).toEqual([['argocd/cm.yaml', 13, 'error']]);
    expect(shape[0]!.message).toContain('cannot perform concat operation between string and nil');
    expect(bad.filter((f) => f.rule === 'lua-global-maybe-nil').map((f) => f.line)).toEqual([13]);
    const good = (await evaluateFiles({ 'argocd/cm.yaml': cm('installed_message = "not yet"') })).findings;
    expect(good.map((f) => f.rule).filter((r) => r.startsWith('lua'))).toEqual([]);
  });
});

describe('status shapes from test inputs the worker read', () => {
  // The suite's case runs on its encoding; the shapes need its object, made from the text when first asked for.
  const cm = operatorCm(`hs = {status = "Progressing", message = "waiting"}
local ready = nil
if obj.status ~= nil and obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    if c.type == "Ready" then ready = c end
    if c.type == "Synced" then hs = {status = "Healthy", message = ready.message} end
  end
end
return hs`);
  const op = 'resource_customizations/example.com/Operator';
  const input = `apiVersion: example.com/v1
kind: Operator
metadata:
  name: op
status:
  conditions:
  - type: Ready
    status: "True"
    message: all good
  - type: Synced
    status: "True"
`;
  it('a case passes on its input, and the input\'s Synced condition alone breaks the configured script', async () => {
    const r = await evaluateFiles({
      'argocd/cm.yaml': cm,
      [`${op}/health_test.yaml`]: 'tests:\n- healthStatus:\n    status: Healthy\n    message: all good\n  inputPath: testdata/synced.yaml\n',
      [`${op}/testdata/synced.yaml`]: input,
    });
    const tests = (r.details.health as { tests: { head: string; headPass: boolean }[] }).tests;
    expect(tests.map((t) => [t.headPass, t.head])).toEqual([[true, 'Healthy: all good']]);
    const shape = r.findings.filter((f) => f.rule === 'lua-fails-on-status-shape');
    expect(shape.map((f) => [f.file, f.severity])).toEqual([['argocd/cm.yaml', 'error']]);
    expect(shape[0]!.message).toContain('conditions = [Synced=True]');
  });
});
