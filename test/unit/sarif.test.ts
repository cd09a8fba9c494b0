import { describe, expect, it } from 'vitest';
import { renderSarif } from '../../src/report/sarif.js';
import { RULES } from '../../src/composition.js';
import { finding, makeReport } from '../helpers/report.js';
import { validateSarif } from '../helpers/sarif-schema.js';

describe('SARIF', () => {
  const report = makeReport({
    findings: [
      finding('apps/a b.yaml', 7, { column: 35, endLine: 7, endColumn: 36 }),
      finding('apps/old.yaml', 3, { status: 'pre-existing', severity: 'warning' }),
      finding('apps/n.yaml', 1, { severity: 'notice', subject: undefined }),
    ],
  });
  const log = renderSarif(report);
  const run = log.runs[0]!;

  it('validates against the SARIF 2.1.0 schema', () => {
    expect(validateSarif(log), JSON.stringify(validateSarif.errors)).toBe(true);
    expect(log.version).toBe('2.1.0');
    // The validator is real: a driver without a name, or a bad level, is rejected.
    expect(validateSarif({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
    expect(validateSarif({ ...log, runs: [{ ...run, results: [{ ...run.results![0]!, level: 'fatal' }] }] })).toBe(false);
  });

  it('describes every catalogue rule with help, full description and default level', () => {
    const rules = run.tool.driver.rules!;
    expect(rules.map((r) => r.id).sort()).toEqual([...RULES.keys()].sort());
    const wave = rules.find((r) => r.id === 'wave-not-string')!;
    expect(wave.helpUri).toBeUndefined();
    const linked = renderSarif(report, { rulesDocUrl: 'https://docs.example.com/rules.md' }).runs[0]!.tool.driver.rules!;
    expect(linked.find((r) => r.id === 'wave-not-string')!.helpUri).toBe('https://docs.example.com/rules.md#sync');
    expect(wave.fullDescription!.text).toContain('waves.go');
    expect(wave.defaultConfiguration!.level).toBe('error');
  });

  it('gives each result its rule, level, relative location, fingerprint and baseline state', () => {
    const [a, old, n] = run.results!;
    expect(a).toMatchObject({ ruleId: 'wave-not-string', level: 'error', baselineState: 'new' });
    expect(run.tool.driver.rules![a!.ruleIndex!]!.id).toBe('wave-not-string');
    expect(a!.locations![0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'apps/a%20b.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 7, startColumn: 35, endLine: 7, endColumn: 36 } });
    expect(a!.message.text).toContain('Fix: Quote the value');
    expect(old).toMatchObject({ level: 'warning', baselineState: 'unchanged' });
    expect(n!.level).toBe('note');
    const fps = run.results!.map((r) => r.partialFingerprints!['gitopsGateFinding/v1']);
    expect(new Set(fps).size).toBe(3);
    for (const fp of fps) expect(fp).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps the fingerprint when the finding moves to another line', () => {
    const moved = renderSarif(makeReport({ findings: [{ ...finding('apps/a b.yaml', 7), line: 40 }] })).runs[0]!.results![0]!;
    expect(moved.partialFingerprints).toEqual(run.results![0]!.partialFingerprints);
  });

  it('names the repository and head commit', () => {
    expect(run.versionControlProvenance).toEqual([{ repositoryUri: 'https://github.com/acme/deploy', revisionId: 'a'.repeat(40) }]);
  });

  it('gives a finding\'s related places as relatedLocations, valid SARIF', () => {
    const withRelated = renderSarif(makeReport({ findings: [{ ...finding('overlays/prod/patch.yaml', 6), related: [{ file: 'base/migrate.yaml', line: 8, column: 35, message: 'batch/Job migrate (Sync wave 0)' }] }] }));
    expect(validateSarif(withRelated), JSON.stringify(validateSarif.errors)).toBe(true);
    expect(withRelated.runs[0]!.results![0]!.relatedLocations).toEqual([
      { id: 1, physicalLocation: { artifactLocation: { uri: 'base/migrate.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 8, startColumn: 35 } }, message: { text: 'batch/Job migrate (Sync wave 0)' } },
    ]);
  });
});
