/** The bundled example repository (examples/shop-gitops, PR examples/pr-change) through the engine. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/composition.js';
import type { SyncPlansDetail } from '../../src/sync/plan-report.js';
import { memoryChange } from '../helpers/change.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderText } from '../../src/report/text.js';
import { MAX_RENDERED_GROUPS, renderSyncPlans } from '../../src/report/sync-plan.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

describe('example repository', () => {
  const base = readTree(join(EXAMPLES, 'shop-gitops'));
  const head = { ...base, ...readTree(join(EXAMPLES, 'pr-change')) };

  it('the default ordering policy flags the migration moved to a wave after the API', async () => {
    const r = await evaluate(memoryChange(base, head), { policyPath: 'policies' });
    const hit = r.findings.find((f) => f.rule === 'migration-wave-not-before-consumer');
    expect(hit).toMatchObject({ severity: 'error', file: 'payments/schema-migration.yaml', line: 9, status: 'new' });
    expect(hit!.message).toContain('apps/Deployment payments-api');
    expect(hit!.message).toContain('the sync-wave of apps/Deployment payments-api (1) is not a valid quoted integer');
    expect(r.verdict).toBe('fail');
    const groups = (r.details.syncPlans as SyncPlansDetail).groups;
    // The PR also edits the storefront Application (a child of root), so root's and storefront's groups are in scope.
    expect(groups.map((g) => [g.name, g.grouping]).sort()).toEqual([['payments', 'application'], ['root', 'application'], ['storefront', 'application']]);
  });

  it('names the weakening the PR plants: self-heal turned off for storefront', async () => {
    const r = await evaluate(memoryChange(base, head), { policyPath: 'policies' });
    const hit = r.findings.find((f) => f.rule === 'app-drift-weakened');
    expect(hit).toMatchObject({ severity: 'warning', file: 'apps/children/storefront.yaml', status: 'new' });
    expect(hit!.message).toContain('turns off self-heal for storefront');
    const md = renderMarkdown(r);
    expect(md).toContain('### Applications');
    expect(md).toContain('auto · selfHeal on · prune on · retry 5 → **auto · selfHeal off · prune on · retry 5**');
  });

  it('the base of the example, and the PR with the migration kept in wave 0, respect the ordering', async () => {
    const all = memoryChange({}, base);
    all.mode = 'all';
    delete all.base;
    const r = await evaluate(all, { policyPath: 'policies' });
    expect(r.findings).toEqual([]);
    const plan = (r.details.syncPlans as SyncPlansDetail).groups.find((g) => g.name === 'payments')!;
    expect(plan.head.map((x) => `${x.phase} ${x.wave} ${x.kind} ${x.name}`)).toEqual([
      'Sync -2 Secret payments-db',
      'Sync -1 Service payments-db',
      'Sync -1 apps/StatefulSet payments-db',
      'Sync 0 batch/Job payments-migrate-*',
      'Sync 1 Service payments-api',
      'Sync 1 apps/Deployment payments-api',
    ]);
    const fixed = { ...head, 'apps/children/storefront.yaml': base['apps/children/storefront.yaml']!, 'payments/schema-migration.yaml': head['payments/schema-migration.yaml']!.replace('sync-wave: "2"', 'sync-wave: "0"'), 'payments/api.yaml': base['payments/api.yaml']! };
    const ok = await evaluate(memoryChange(base, fixed), { policyPath: 'policies' });
    expect(ok.findings).toEqual([]);
  });
});

describe('sync plan in the summary', () => {
  it('renders a collapsed table per Application with the moved rows marked, in Markdown and in text', async () => {
    const base = readTree(join(EXAMPLES, 'shop-gitops'));
    const head = { ...base, ...readTree(join(EXAMPLES, 'pr-change')) };
    const r = await evaluate(memoryChange(base, head), { policyPath: 'policies' });
    const md = renderMarkdown(r);
    expect(md).toContain('### Sync plan');
    expect(md).toContain('<details><summary>Application <code>payments</code> (<code>payments/</code>, from <code>apps/children/payments.yaml</code>) · grouped by Application · changed (2 row(s) differ)</summary>');
    expect(md).toMatch(/\| 6 \| \*\*Sync\*\* \| \*\*2\*\* \| `batch\/Job` \| payments\/payments-migrate-\\?\* \(hook\) \| ↕️ moved \(was Sync 0\) \|/);
    expect(renderText(r)).not.toContain('sync plan: Application payments');
    const text = renderText(r, { plan: true });
    expect(text).toContain('sync plan: Application payments (grouped by Application, changed by this PR)');
    expect(text).toMatch(/6\. Sync {5}wave {3}2 {2}batch\/Job payments\/payments-migrate-\* \(hook\) {2}<- MOVED from Sync 0/);
  });
});

describe('sync plan rendering limits', () => {
  it('renders changed groups first and at most MAX_RENDERED_GROUPS of them, pointing at the JSON for the rest', async () => {
    const base = readTree(join(EXAMPLES, 'shop-gitops'));
    const r = await evaluate(memoryChange(base, { ...base, ...readTree(join(EXAMPLES, 'pr-change')) }), { policyPath: 'policies' });
    const detail = r.details.syncPlans as SyncPlansDetail;
    const payments = detail.groups[0]!;
    const filler = Array.from({ length: MAX_RENDERED_GROUPS + 4 }, (_, i) => ({ ...payments, name: `quiet-${i}`, changed: false }));
    r.details.syncPlans = { groups: [...filler, payments] };
    const md = renderSyncPlans(r, '###')!;
    expect(md.match(/<details>/g)).toHaveLength(MAX_RENDERED_GROUPS);
    expect(md.indexOf('<code>payments</code>')).toBeLessThan(md.indexOf('<code>quiet-0</code>'));
    expect(md).toContain('_5 more group(s) are in the JSON report (details.syncPlans)._');
  });
});
