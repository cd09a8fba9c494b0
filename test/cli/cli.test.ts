/** The CLI as users run it: the committed bundle dist/cli.js on real git repositories. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, type TestRepo } from '../helpers/git-repo.js';
import { validateSarif } from '../helpers/sarif-schema.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const repos: TestRepo[] = [];
afterAll(() => repos.forEach((r) => r.cleanup()));

function run(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function repo(base: Record<string, string>, head: Record<string, string | null>) {
  const r = makeRepo(base, head);
  repos.push(r);
  return r;
}

const deploy = (wave: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  annotations:\n    argocd.argoproj.io/sync-wave: ${wave}\nspec:\n  replicas: 1\n`;

describe('gitops-gate check', () => {
  it('exits 1 with an error at the line of an unquoted wave', () => {
    const r = repo({ 'app/d.yaml': deploy('"1"') }, { 'app/d.yaml': deploy('2') });
    const out = run(['check', '--repo', r.dir, '--base', 'main', '--head', 'pr', '--format', 'json']);
    expect(out.code).toBe(1);
    const report = JSON.parse(out.stdout);
    expect(report.verdict).toBe('fail');
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'wave-not-string', severity: 'error', file: 'app/d.yaml', line: 6, column: 35 })]);
    expect(report.stats).toMatchObject({ filesExamined: 2 });
  });

  it('exits 0 on a clean change, defaulting the base to the merge base with main', () => {
    const r = repo({ 'app/d.yaml': deploy('"1"') }, { 'app/d.yaml': deploy('"2"') });
    const out = run(['check', '--repo', r.dir, '--head', 'pr']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('verdict: PASS');
  });

  it('fails closed on broken YAML, naming the line', () => {
    const r = repo({}, { 'app/d.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n' });
    const out = run(['check', '--repo', r.dir, '--base', 'main', '--head', 'pr']);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/app\/d\.yaml:\d+:\d+: error \[yaml-syntax\]/);
  });

  it('exits 2 naming the file and line for a misspelled policy setting on the base', () => {
    const r = repo({ 'policies/gitops-gate.yaml': 'version: 1\nmanifest:\n  include: ["*.yaml"]\n' }, { 'a.yaml': 'a: 1\n' });
    const out = run(['check', '--repo', r.dir, '--base', 'main', '--head', 'pr']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('policies/gitops-gate.yaml:2:1: unknown setting "manifest"');
  });

  it('exits 2 for a policy that is not YAML', () => {
    const r = repo({ 'policies/gitops-gate.yaml': 'version: 1\nrules: {\n' }, { 'a.yaml': 'a: 1\n' });
    const out = run(['check', '--repo', r.dir, '--base', 'main', '--head', 'pr']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/policies\/gitops-gate\.yaml:\d+:\d+: policy is not valid YAML/);
  });

  it('applies the policy\'s gate.failOn over a looser --fail-on, and fails closed on a --policy that misses the base\'s policy', () => {
    const r = repo({ 'policies/gitops-gate.yaml': 'version: 1\n', 'app/d.yaml': deploy('"1"') }, { 'app/d.yaml': deploy('2') });
    const never = run(['check', '--repo', r.dir, '--base', 'main', '--head', 'pr', '--fail-on', 'never', '--format', 'json']);
    expect(never.code).toBe(1);
    expect(JSON.parse(never.stdout).failOn).toBe('error');
    expect(never.stderr).toContain('--fail-on never is looser than the policy\'s gate.failOn: fail-on error applies.');
    const missing = run(['check', '--repo', r.dir, '--base', 'main', '--head', 'pr', '--policy', 'elsewhere']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('the configured policy path "elsewhere" holds no policy');
    expect(missing.stderr).toContain('a policy at "policies/gitops-gate.yaml"');
  });

  it('--all checks the whole tree and every finding counts', () => {
    const r = repo({ 'app/d.yaml': deploy('1') }, { 'other.yaml': 'a: 1\n' });
    const out = run(['check', '--repo', r.dir, '--head', 'pr', '--all', '--format', 'json']);
    expect(out.code).toBe(1);
    expect(JSON.parse(out.stdout).findings.map((f: { file: string; status: string }) => [f.file, f.status])).toEqual([['app/d.yaml', 'new']]);
  });

  it('reads the PR title and author from a pull_request event payload', () => {
    const r = repo({}, { 'a.yaml': 'a: 1\n' });
    const event = join(r.dir, '..', `event-${Date.now()}.json`);
    writeFileSync(
      event,
      JSON.stringify({
        action: 'opened',
        pull_request: { number: 7, title: 'Add a', body: '## Why\nThe a setting is needed.\n\n## Rollback\nRevert this PR.\n', user: { login: 'octo' }, labels: [], draft: false, base: { ref: 'main', sha: r.baseSha }, head: { ref: 'pr', sha: r.headSha } },
      }),
    );
    const out = run(['check', '--repo', r.dir, '--base', 'main', '--head', 'pr', '--pr', event, '--format', 'markdown']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('PR #7 **Add a** by @');
  });

  it('--format sarif prints a SARIF 2.1.0 log that validates against the SARIF schema', () => {
    const r = repo({ 'app/d.yaml': deploy('"1"') }, { 'app/d.yaml': deploy('2') });
    const out = run(['check', '--repo', r.dir, '--base', 'main', '--head', 'pr', '--format', 'sarif']);
    expect(out.code).toBe(1);
    const log = JSON.parse(out.stdout);
    expect(validateSarif(log), JSON.stringify(validateSarif.errors)).toBe(true);
    expect(log.runs[0].results).toEqual([
      expect.objectContaining({
        ruleId: 'wave-not-string',
        level: 'error',
        baselineState: 'new',
        locations: [{ physicalLocation: { artifactLocation: { uri: 'app/d.yaml', uriBaseId: '%SRCROOT%' }, region: expect.objectContaining({ startLine: 6, startColumn: 35 }) } }],
      }),
    ]);
  });

  it('exits 2 with usage errors', () => {
    expect(run(['chek']).code).toBe(2);
    expect(run(['check', '--format', 'xml']).stderr).toContain('--format must be one of text, markdown, json');
    expect(run(['check', '--repo', '/nonexistent-dir-for-test']).code).toBe(2);
    expect(run(['--help']).code).toBe(0);
  });
});

describe('the bundled example', () => {
  it('runs and finds the planted unquoted wave in the example PR', () => {
    const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'examples', 'run-example.mjs'), '--format', 'json'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.verdict).toBe('fail');
    expect(report.change.pr.number).toBe(42);
    expect(report.findings).toContainEqual(expect.objectContaining({ rule: 'wave-not-string', file: 'payments/api.yaml', line: 7 }));
    expect(report.findings).toContainEqual(expect.objectContaining({ rule: 'app-drift-weakened', file: 'apps/children/storefront.yaml', severity: 'warning' }));
  });

  it('flags the schema migration moved after the API, and shows the sync plan with the moves', () => {
    const example = join(import.meta.dirname, '..', '..', 'examples', 'run-example.mjs');
    const json = spawnSync(process.execPath, [example, '--format', 'json'], { encoding: 'utf8' });
    const report = JSON.parse(json.stdout);
    expect(report.findings).toContainEqual(
      expect.objectContaining({ rule: 'migration-wave-not-before-consumer', severity: 'error', file: 'payments/schema-migration.yaml', line: 9, status: 'new' }),
    );
    const plan = report.details.syncPlans.groups.find((g: { name: string }) => g.name === 'payments');
    expect(plan).toMatchObject({ name: 'payments', grouping: 'application', changed: true });
    expect(plan.head.find((r: { name: string }) => r.name === 'payments-migrate-*')).toMatchObject({ wave: '2', change: 'moved', was: { wave: '0' } });
    const text = spawnSync(process.execPath, [example, '--format', 'text'], { encoding: 'utf8' }).stdout;
    expect(text).toContain('[migration-wave-not-before-consumer]');
    expect(text).toMatch(/sync plan: Application payments \(grouped by Application, changed by this PR\)/);
    const md = spawnSync(process.execPath, [example, '--format', 'markdown'], { encoding: 'utf8' }).stdout;
    expect(md).toContain('### Sync plan');
    // Inside <summary> Markdown is not read: the name is HTML-escaped inline code (src/report/escape.ts htmlCode).
    expect(md).toMatch(/<details><summary>Application <code>payments<\/code>/);
  });

  it('runs health-test cases through the worker: inputs its line reader reads, and one it leaves to the exact reader', () => {
    const dir = 'resource_customizations/example.com/Widget';
    const script = 'local hs = {status = "Progressing", message = obj.metadata.annotations.note}\nif obj.status ~= nil and obj.status.ready then hs.status = "Healthy" end\nreturn hs\n';
    const input = (note: string, ready: string) => `apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  annotations:\n    note: ${note}\nstatus:\n  ready: ${ready}\n`;
    const r = repo(
      {},
      {
        [`${dir}/health.lua`]: script,
        [`${dir}/health_test.yaml`]: [
          'tests:',
          '- healthStatus: {status: Healthy, message: plain}',
          '  inputPath: testdata/plain.yaml',
          '- healthStatus: {status: Progressing, message: "wrapped over two lines"}',
          '  inputPath: testdata/wrapped.yaml',
          '- healthStatus: {status: Healthy, message: anchored}',
          '  inputPath: testdata/anchors.yaml',
          '',
        ].join('\n'),
        [`${dir}/testdata/plain.yaml`]: input('plain', 'true'),
        [`${dir}/testdata/wrapped.yaml`]: input('>-\n      wrapped over\n      two lines', 'false'),
        // An anchor and an alias: the line reader refuses them, the exact reader resolves them.
        [`${dir}/testdata/anchors.yaml`]: input('&n anchored', 'true') + 'spec:\n  copy: *n\n',
      },
    );
    const out = run(['check', '--repo', r.dir, '--all', '--head', 'pr', '--format', 'json']);
    const report = JSON.parse(out.stdout);
    const tests = report.details.health.tests as { case: number; head: string; headPass: boolean }[];
    expect(tests.map((t) => [t.case, t.headPass, t.head])).toEqual([
      [1, true, 'Healthy: plain'],
      [2, true, 'Progressing: wrapped over two lines'],
      [3, true, 'Healthy: anchored'],
    ]);
  });
});
