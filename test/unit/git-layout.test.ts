/**
 * The git reader's content search (`git grep`), and the layout built on it: reading only the files that
 * hold a marker gives the same evaluation as reading every manifest (the in-memory reader cannot search).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Change, Report } from '../../src/core/model.js';
import { LAYOUT_MARKERS } from '../../src/argocd/layout.js';
import { evaluate } from '../../src/composition.js';
import { GitTree } from '../../src/sources/git.js';
import { localChange } from '../../src/sources/local.js';
import { memoryChange } from '../helpers/change.js';
import { makeRepo, type TestRepo } from '../helpers/git-repo.js';

const app = (name: string, source: string) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${name}\n  annotations:\n    argocd.argoproj.io/sync-wave: "1"\nspec:\n${source}  destination:\n    namespace: ${name}\n  syncPolicy:\n    automated: {}\n`;
const cm = (name: string, wave = '0') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  annotations:\n    argocd.argoproj.io/sync-wave: "${wave}"\n`;
const argocdCm =
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\ndata:\n  resource.customizations.health.example.com_Widget: |\n    return {status = "Healthy"}\n';
const widget = (wave: string) => `apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  annotations:\n    argocd.argoproj.io/sync-wave: "${wave}"\n`;

const BASE: Record<string, string> = {
  'apps/block.yaml': app('block', '  source:\n    path: teams/block\n'),
  'apps/flow.yaml': app('flow', '  source: {repoURL: x, path: ./teams/flow/}\n'),
  'apps/anchored.yaml': `p: &p teams/anchored\n${app('anchored', '  source:\n    path: *p\n')}`,
  'apps/many.yaml': app('many', '  sources:\n    - path: teams/many-a\n    - path: teams/many-b\n'),
  'argocd/argocd-cm.yaml': argocdCm,
  'teams/block/cm.yaml': cm('b'),
  'teams/block/widget.yaml': widget('-1'),
  'teams/flow/cm.yaml': cm('f'),
  'teams/anchored/cm.yaml': cm('a'),
  'teams/many-a/cm.yaml': cm('ma'),
  'teams/many-b/cm.yaml': cm('mb'),
  'teams/loose/cm.yaml': cm('l'),
};
const HEAD: Record<string, string> = {
  'teams/block/cm.yaml': cm('b', '2'),
  'teams/flow/cm.yaml': cm('f', '3'),
  'teams/anchored/cm.yaml': cm('a', '4'),
  'teams/many-b/cm.yaml': cm('mb', '5'),
  'teams/loose/cm.yaml': cm('l', '6'),
};

const repos: TestRepo[] = [];
afterAll(() => repos.forEach((r) => r.cleanup()));

/** What an evaluation decided, without the parts that name the source (SHAs, timings). */
function outcome(r: Report) {
  return { verdict: r.verdict, findings: r.findings, rules: r.rules, syncPlans: r.details.syncPlans, stats: { ...r.stats, durationMs: 0 } };
}

describe('git content search', () => {
  it('lists the files holding a needle, and none when nothing matches', async () => {
    const repo = makeRepo({ 'a.yaml': 'kind: Application\n', 'b c/ü.yaml': 'data: argocd-cm\n', 'd.yaml': 'kind: ConfigMap\n' }, {});
    repos.push(repo);
    const tree = new GitTree(repo.dir, repo.headSha);
    expect(await tree.filesContaining(LAYOUT_MARKERS)).toEqual(new Set(['a.yaml', 'b c/ü.yaml']));
    expect(await tree.filesContaining(['no such text'])).toEqual(new Set());
  });

  it('a layout read through git grep evaluates a change as reading every manifest does', async () => {
    const repo = makeRepo(BASE, HEAD);
    repos.push(repo);
    const viaGit = await evaluate(await localChange({ repo: repo.dir, base: repo.baseSha, head: repo.headSha }), { policyPath: 'policies' });
    const viaMemory = await evaluate(memoryChange(BASE, { ...BASE, ...HEAD }), { policyPath: 'policies' });
    expect(outcome(viaGit)).toEqual(outcome(viaMemory));
    const plans = (viaGit.details.syncPlans as { groups: { grouping: string; name: string }[] }).groups.map((g) => `${g.grouping}:${g.name}`).sort();
    expect(plans).toEqual(['application:anchored', 'application:block', 'application:flow', 'application:many', 'directory:teams/loose']);
  });

  it('--all through git grep gives the same as reading every manifest', async () => {
    const repo = makeRepo(BASE, HEAD);
    repos.push(repo);
    const viaGit = await evaluate(await localChange({ repo: repo.dir, head: repo.headSha, all: true }), { policyPath: 'policies' });
    const mem = memoryChange({}, { ...BASE, ...HEAD });
    const viaMemory = await evaluate({ ...mem, base: undefined, files: [], mode: 'all' } as Change, { policyPath: 'policies' });
    expect(outcome(viaGit)).toEqual(outcome(viaMemory));
    // The argocd-cm health check is found, so the widget's wave has a health gate.
    expect(viaGit.findings.filter((f) => f.rule === 'wave-without-health-gate')).toEqual([]);
    expect(viaGit.findings.some((f) => f.rule === 'app-waves-need-app-health')).toBe(true);
  });
});
