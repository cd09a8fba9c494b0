/**
 * The terminal report of a large run: the verdict first, a count per rule, identical findings grouped with their
 * places listed up to a limit, sync plans only on request; the JSON report keeps every finding.
 */
import { describe, expect, it } from 'vitest';
import { evaluateFiles } from '../helpers/change.js';
import { renderText } from '../../src/report/text.js';
import { parseCheckArgs } from '../../src/cli/args.js';

const W = 'argocd.argoproj.io/sync-wave';
/** A child Application with a wave and no Application health check: the same finding in each file. */
const app = (name: string) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: child\n  annotations:\n    ${W}: "1"\nspec:\n  source: {repoURL: https://git.example/r.git, path: ${name}}\n  destination: {namespace: child}\n`;

describe('the terminal report of a large run', () => {
  it('starts with the verdict and a count per rule, groups identical findings and caps the places listed', async () => {
    const files = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`apps/a${String(i).padStart(2, '0')}.yaml`, app(`p${i}`)]));
    const report = await evaluateFiles(files);
    const rule = 'app-waves-need-app-health';
    const hits = report.findings.filter((f) => f.rule === rule);
    expect(hits).toHaveLength(25);

    const text = renderText(report, { maxLocations: 5 });
    const lines = text.split('\n');
    expect(lines[1]).toMatch(/^verdict: (PASS|FAIL) · 25 new finding\(s\)/);
    const row = lines.find((l) => l.startsWith(rule));
    expect(row).toMatch(new RegExp(`^${rule}\\s+warning\\s+25\\s+0$`));
    // One block for the 25 identical findings: the message once, five places, the count of the rest, the fix once.
    expect(text.split(hits[0]!.message).length - 1).toBe(1);
    expect(lines.filter((l) => l.startsWith('    at apps/a'))).toHaveLength(5);
    expect(text).toContain('... and 20 more (every place is in --format json and sarif)');
    expect(text.split(`fix: ${hits[0]!.fix}`).length - 1).toBe(1);
    expect(lines.length).toBeLessThan(40);

    // The report (what --format json prints) still has every finding.
    expect(report.findings.filter((f) => f.rule === rule)).toHaveLength(25);
  });

  it('prints a lone finding on one line with its place, as before', async () => {
    const report = await evaluateFiles({ 'apps/a.yaml': app('p') });
    const f = report.findings.find((x) => x.rule === 'app-waves-need-app-health')!;
    expect(renderText(report)).toContain(`${f.file}:${f.line}:${f.column}: warning [app-waves-need-app-health] ${f.message}`);
  });

  it('--plan asks the CLI for the sync plans in text', () => {
    expect(parseCheckArgs(['check', '--plan'])).toMatchObject({ plan: true });
    expect(parseCheckArgs(['check'])).toMatchObject({ plan: false });
  });
});
