/**
 * Test inputs are read with the suites when they sit under the suite's testdata/ (ArgoCD's layout), and
 * after the suites are parsed otherwise: either way every case reads the input it names.
 */
import { describe, expect, it } from 'vitest';
import { evaluateFiles, memoryChange } from '../../helpers/change.js';
import { evaluate } from '../../../src/composition.js';
import { MemoryTree } from '../../helpers/memory-tree.js';
import { testdataFiles } from '../../../src/health/gather.js';

const SCRIPT = `if obj.status ~= nil and obj.status.ready then return {status = "Healthy", message = obj.metadata.name} end
return {status = "Progressing", message = obj.metadata.name}
`;
const input = (name: string, ready: boolean) => `apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: ${name}\nstatus:\n  ready: ${ready}\n`;
const dir = 'resource_customizations/example.com/Widget';

describe('health-test inputs', () => {
  it('lists the files under testdata/ of each suite directory, at any depth, and nothing else', () => {
    const all = [
      `${dir}/health.lua`,
      `${dir}/health_test.yaml`,
      `${dir}/testdata/a.yaml`,
      `${dir}/testdata/deep/b.yml`,
      `${dir}/testdata/c.json`,
      `${dir}/testdata/readme.md`,
      `${dir}/other/d.yaml`,
      'resource_customizations/example.com/Gadget/testdata/e.yaml',
      'testdata/f.yaml',
      'health_test.yaml',
    ];
    const layout = all.filter((p) => p.endsWith('health.lua') || p.endsWith('health_test.yaml'));
    expect(testdataFiles(all, layout)).toEqual([`${dir}/testdata/a.yaml`, `${dir}/testdata/deep/b.yml`, `${dir}/testdata/c.json`, 'testdata/f.yaml']);
    expect(testdataFiles(all, [`${dir}/health.lua`])).toEqual([]);
  });
  it('runs cases whose inputs are under testdata/, elsewhere, missing, or shared between cases', async () => {
    const r = await evaluateFiles({
      [`${dir}/health.lua`]: SCRIPT,
      [`${dir}/health_test.yaml`]: `tests:
- healthStatus: {status: Healthy, message: in-testdata}
  inputPath: testdata/ready.yaml
- healthStatus: {status: Progressing, message: elsewhere}
  inputPath: ../../inputs/waiting.yaml
- healthStatus: {status: Healthy, message: in-testdata}
  inputPath: testdata/ready.yaml
- healthStatus: {status: Healthy, message: x}
  inputPath: testdata/missing.yaml
`,
      [`${dir}/testdata/ready.yaml`]: input('in-testdata', true),
      'resource_customizations/inputs/waiting.yaml': input('elsewhere', false),
    });
    const tests = (r.details.health as { tests: { case: number; head: string; headPass: boolean }[] }).tests;
    expect(tests.map((t) => [t.case, t.headPass, t.head])).toEqual([
      [1, true, 'Healthy: in-testdata'],
      [2, true, 'Progressing: elsewhere'],
      [3, true, 'Healthy: in-testdata'],
      [4, false, `Unknown: input file ${dir}/testdata/missing.yaml not found`],
    ]);
  });

  it('reads the inputs while the scripts are analysed, and a failed read of them fails the run (never a pass)', async () => {
    const head = {
      [`${dir}/health.lua`]: SCRIPT,
      [`${dir}/health_test.yaml`]: 'tests:\n- healthStatus: {status: Healthy, message: in-testdata}\n  inputPath: testdata/ready.yaml\n',
      [`${dir}/testdata/ready.yaml`]: input('in-testdata', true),
    };
    class FailingInputs extends MemoryTree {
      override async readFiles(paths: readonly string[]) {
        if (paths.some((p) => p.includes('/testdata/'))) throw new Error('git cat-file failed');
        return super.readFiles(paths);
      }
    }
    const change = memoryChange({}, head);
    const ok = await evaluate(change, { policyPath: 'policies', now: () => new Date('2026-01-01T00:00:00Z') });
    expect((ok.details.health as { tests: { headPass: boolean }[] }).tests.map((t) => t.headPass)).toEqual([true]);
    const failing = { ...change, head: new FailingInputs(head, 'h'.repeat(40)) };
    await expect(evaluate(failing, { policyPath: 'policies', now: () => new Date('2026-01-01T00:00:00Z') })).rejects.toThrow(/git cat-file failed/);
  });

  it('analyses every script, also one no case runs, though scripts are analysed as their first case runs', async () => {
    // Gadget's suite runs Widget's check (its input is a Widget): no case runs Gadget's own script.
    const nilGlobal = (k: string) => `if obj.status ~= nil then ${k}_msg = "set" end\nreturn {status = "Healthy", message = ${k}_msg .. ""}\n`;
    const r = await evaluateFiles({
      'resource_customizations/example.com/Gadget/health.lua': nilGlobal('gadget'),
      'resource_customizations/example.com/Gadget/health_test.yaml': 'tests:\n- healthStatus: {status: Healthy, message: set}\n  inputPath: testdata/w.yaml\n',
      'resource_customizations/example.com/Gadget/testdata/w.yaml': input('w', true),
      [`${dir}/health.lua`]: nilGlobal('widget'),
    });
    const files = r.findings.filter((f) => f.rule === 'lua-global-maybe-nil').map((f) => f.file);
    expect(files.sort()).toEqual(['resource_customizations/example.com/Gadget/health.lua', `${dir}/health.lua`]);
    expect((r.details.health as { tests: { head: string }[] }).tests.map((t) => t.head)).toEqual(['Healthy: set']);
  });
});
