/**
 * Test inputs are read with the suites when they sit under the suite's testdata/ (ArgoCD's layout), and
 * after the suites are parsed otherwise: either way every case reads the input it names.
 */
import { describe, expect, it } from 'vitest';
import { evaluateFiles } from '../../helpers/change.js';
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
});
