// The shape docs/architecture.md promises: a rule lives in its area's checks and nowhere else; the engine,
// the policy loader and the rule docs take the areas they are given.
import { describe, expect, it } from 'vitest';
import type { AreaModule, Check } from '../../src/area/contract.js';
import { renderRulesDoc } from '../../src/area/rules-doc.js';
import { AREAS } from '../../src/composition.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { syncArea } from '../../src/sync/area.js';
import { memoryChange } from '../helpers/change.js';
import { MemoryTree } from '../helpers/memory-tree.js';

// The worked example of docs/architecture.md: a ConfigMap must not use the name `config`.
const noConfigName: Check = {
  name: 'example-configmap-name',
  rules: [{ id: 'configmap-named-config', area: 'sync', title: 'a ConfigMap must not be called config', defaultSeverity: 'warning', reference: 'example' }],
  side(ctx) {
    for (const r of ctx.snapshot.resources) {
      if (r.kind === 'ConfigMap' && r.name === 'config') {
        ctx.report('configmap-named-config', { file: r.file, pos: r.pos(['metadata', 'name']), subject: `ConfigMap ${r.name}`, message: 'called config', fix: 'rename it' });
      }
    }
  },
};
const withRule: readonly AreaModule[] = AREAS.map((a) => (a === syncArea ? { ...a, checks: [...a.checks, noConfigName] } : a));
const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config\n';

describe('a rule added to one area', () => {
  it('is run, reported at its line, and has an outcome, with no change outside the area', async () => {
    const r = await evaluate(memoryChange({}, { 'app/cm.yaml': cm }), { areas: withRule, policyPath: 'policies' });
    expect(r.findings.filter((f) => f.rule === 'configmap-named-config')).toMatchObject([{ file: 'app/cm.yaml', line: 4, severity: 'warning', status: 'new' }]);
    expect(r.rules.find((o) => o.rule === 'configmap-named-config')).toMatchObject({ area: 'sync', state: 'failed' });
  });

  it('can be configured in the policy, which the areas given to the engine validate', async () => {
    const policy = { 'policies/gitops-gate.yaml': 'version: 1\nrules:\n  configmap-named-config: off\n' };
    const change = memoryChange(policy, { ...policy, 'app/cm.yaml': cm });
    change.base = new MemoryTree(policy, 'b'.repeat(40));
    const off = await evaluate(change, { areas: withRule, policyPath: 'policies' });
    expect(off.rules.find((o) => o.rule === 'configmap-named-config')).toMatchObject({ state: 'skipped' });
    // The gate's own areas do not know the rule: the same policy is a configuration error there.
    await expect(evaluate(change, { areas: AREAS, policyPath: 'policies' })).rejects.toThrow(/unknown rule "configmap-named-config"/);
  });

  it('appears in the rule docs under its area', () => {
    expect(renderRulesDoc(withRule)).toMatch(/## sync[\s\S]*\| `configmap-named-config` \| warning \|/);
  });
});
