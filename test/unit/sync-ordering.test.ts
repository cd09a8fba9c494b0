import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { evaluate } from '../../src/composition.js';
import { loadPolicy } from '../../src/composition.js';
import { memoryChange } from '../helpers/change.js';

const POLICY = `version: 1
sync:
  ordering:
    - name: certificates before ingresses
      before: { kinds: [cert-manager.io/Certificate], labels: { tier: "edge*" } }
      after: { kinds: [Ingress], names: ["public-*"], phases: [Sync] }
  clusterCrdGroups: ["cert-manager.io"]
`;

const cert = (wave: string, tier = 'edge') =>
  `apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: tls\n  labels:\n    tier: ${tier}\n  annotations:\n    argocd.argoproj.io/sync-wave: "${wave}"\n`;
const ingress = (name: string, wave: string) =>
  `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: ${name}\n  annotations:\n    argocd.argoproj.io/sync-wave: "${wave}"\n`;

async function run(files: Record<string, string>) {
  const base = { 'policies/gitops-gate.yaml': POLICY };
  return evaluate(memoryChange(base, { ...base, ...files }), { policyPath: 'policies' });
}

describe('ordering constraints from the policy', () => {
  it('reports a violated constraint as an error naming both resources, their phases and waves, and the fix', async () => {
    const r = await run({ 'edge/cert.yaml': cert('2'), 'edge/ing.yaml': ingress('public-web', '1') });
    const hits = r.findings.filter((f) => f.rule === 'ordering-violated');
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ severity: 'error', file: 'edge/ing.yaml', line: 6 });
    expect(hits[0]!.message).toContain('cert-manager.io/Certificate tls (Sync wave 2)');
    expect(hits[0]!.message).toContain('networking.k8s.io/Ingress public-web (Sync wave 1)');
    expect(hits[0]!.fix).toMatch(/sync-wave lower than 1/);
    expect(r.verdict).toBe('fail');
  });

  it('is satisfied when the earlier resource runs in an earlier wave, and ignores resources the selectors do not match', async () => {
    expect((await run({ 'edge/cert.yaml': cert('0'), 'edge/ing.yaml': ingress('public-web', '1') })).findings).toEqual([]);
    // Another label value, another name, or another group: not selected.
    expect((await run({ 'edge/cert.yaml': cert('5', 'core'), 'edge/ing.yaml': ingress('public-web', '1') })).findings).toEqual([]);
    expect((await run({ 'edge/cert.yaml': cert('5'), 'edge/ing.yaml': ingress('internal-web', '1') })).findings).toEqual([]);
    expect((await run({ 'edge/cert.yaml': cert('5'), 'other/ing.yaml': ingress('public-web', '1') })).findings).toEqual([]);
  });

  it('a resource in the same wave is not "before"', async () => {
    const r = await run({ 'edge/cert.yaml': cert('1'), 'edge/ing.yaml': ingress('public-web', '1') });
    expect(r.findings.map((f) => f.rule)).toEqual(['ordering-violated']);
    expect(r.findings[0]!.message).toContain('in the same step');
  });

  it('places the finding on the side the change touched, and names the other as related', async () => {
    const base = { 'policies/gitops-gate.yaml': POLICY, 'edge/cert.yaml': cert('0'), 'edge/ing.yaml': ingress('public-web', '1') };
    // The PR moves only the certificate: the conflict is reported on its line, with the Ingress as related.
    const moved = await evaluate(memoryChange(base, { ...base, 'edge/cert.yaml': cert('2') }), { policyPath: 'policies' });
    const hit = moved.findings.find((f) => f.rule === 'ordering-violated')!;
    expect(hit).toMatchObject({ file: 'edge/cert.yaml', line: 8, status: 'new' });
    expect(hit.related).toEqual([{ file: 'edge/ing.yaml', line: 6, column: expect.any(Number), message: 'networking.k8s.io/Ingress public-web' }]);
    // A PR that touches the Ingress, or --all mode (no change), keeps it on the Ingress; the fingerprint is the same.
    const ing = await evaluate(memoryChange({ ...base, 'edge/cert.yaml': cert('2') }, { ...base, 'edge/cert.yaml': cert('2'), 'edge/ing.yaml': ingress('public-web', '1').replace('name: public-web', 'name: public-web\n  labels: {x: y}') }), { policyPath: 'policies' });
    const onIng = ing.findings.find((f) => f.rule === 'ordering-violated')!;
    expect(onIng).toMatchObject({ file: 'edge/ing.yaml', status: 'pre-existing', fingerprint: hit.fingerprint });
    expect(onIng.related).toMatchObject([{ file: 'edge/cert.yaml', line: 8 }]);
  });

  it('rejects unknown settings and unknown report rules in the sync section, naming the line', () => {
    expect(() => loadPolicy('version: 1\nsync:\n  orderings: []\n', 'p.yaml')).toThrow(ConfigError);
    expect(() => loadPolicy('version: 1\nsync:\n  orderings: []\n', 'p.yaml')).toThrow(/unknown setting "sync.orderings"/);
    expect(() => loadPolicy('version: 1\nsync:\n  ordering:\n    - {name: x, before: {kind: Job}, after: {}}\n', 'p.yaml')).toThrow(/unknown setting/);
    expect(() => loadPolicy('version: 1\nsync:\n  ordering:\n    - {name: x, before: {}, after: {}, rule: made-up}\n', 'p.yaml')).toThrow(/must be one of/);
  });

  it('recognises migrations by label and consumers named in the policy, whatever image they run', async () => {
    const policy = 'version: 1\nsync:\n  consumers:\n    kinds: [Deployment]\n    names: ["web"]\n';
    const job = `apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: upgrade-\n  labels:\n    app.kubernetes.io/component: migration\n  annotations:\n    argocd.argoproj.io/hook: Sync\n    argocd.argoproj.io/sync-wave: "1"\nspec:\n  template:\n    spec:\n      containers: [{name: m, image: tools/migrator:1}]\n`;
    const web = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers: [{name: w, image: shop/web:2}]\n`;
    const base = { 'policies/gitops-gate.yaml': policy };
    const r = await evaluate(memoryChange(base, { ...base, 'shop/job.yaml': job, 'shop/web.yaml': web }), { policyPath: 'policies' });
    expect(r.findings.map((f) => [f.rule, f.file, f.line])).toEqual([['migration-wave-not-before-consumer', 'shop/job.yaml', 9]]);
  });
});
