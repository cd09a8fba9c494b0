/**
 * The engine's render phase (src/engine/render-phase.ts) through `evaluate`: kustomize and Helm sources are
 * rendered with the real tools (test/helpers/render-tools.ts) and the sync rules read the rendered objects.
 */
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Change } from '../../src/core/model.js';
import { evaluate } from '../../src/composition.js';
import { memoryChange } from '../helpers/change.js';
import { renderTools } from '../helpers/render-tools.js';
import { MAX_PATCH_LINES, renderRenderSection } from '../../src/report/render-section.js';
import { buildAuditRecord } from '../../src/report/audit-record.js';

const tools = renderTools();
const render = { kustomizeBinary: tools.kubectl, helmBinary: tools.helm };
const run = (change: Change, opts: Partial<Parameters<typeof evaluate>[1]> = {}) =>
  evaluate(change, { policyPath: 'policies', now: () => new Date('2026-01-01T00:00:00Z'), render, ...opts });

const REPO = 'https://git.example/shop.git';
const app = (name: string, path: string, extra = '') =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${name}\n  namespace: argocd\nspec:\n  project: default\n  source:\n    repoURL: ${REPO}\n    targetRevision: HEAD\n    path: ${path}\n${extra}  destination:\n    server: https://kubernetes.default.svc\n    namespace: shop\n`;

/** A shared base: the database (wave -1), the migration hook (Sync, wave 0) and the API (wave 1), all on one image family. */
const shop: Record<string, string> = {
  'apps/shop-prod.yaml': app('shop-prod', 'overlays/prod'),
  'base/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - db.yaml\n  - migrate.yaml\n  - api.yaml\n',
  'base/db.yaml':
    'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: postgres\n  annotations:\n    argocd.argoproj.io/sync-wave: "-1"\nspec:\n  serviceName: postgres\n  selector:\n    matchLabels: {app: postgres}\n  template:\n    metadata:\n      labels: {app: postgres}\n    spec:\n      containers:\n        - name: postgres\n          image: postgres:16\n',
  'base/migrate.yaml':
    'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: shop-migrate\n  annotations:\n    argocd.argoproj.io/hook: Sync\n    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation\n    argocd.argoproj.io/sync-wave: "0"\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n        - name: migrate\n          image: registry.example/shop/api:1.4.0\n          args: ["migrate"]\n',
  'base/api.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop-api\n  annotations:\n    argocd.argoproj.io/sync-wave: "1"\nspec:\n  selector:\n    matchLabels: {app: shop-api}\n  template:\n    metadata:\n      labels: {app: shop-api}\n    spec:\n      containers:\n        - name: api\n          image: registry.example/shop/api:1.4.0\n',
  'overlays/prod/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base\n',
};

const wavePatch = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop-api\n  annotations:\n    argocd.argoproj.io/sync-wave: "-5"\n';

describe('render phase: kustomize overlays', () => {
  it('an overlay patch that moves the API ahead of the migration is found, pointing at the patch', async () => {
    const head = {
      ...shop,
      'overlays/prod/kustomization.yaml': `${shop['overlays/prod/kustomization.yaml']}patches:\n  - path: deployment-wave.yaml\n`,
      'overlays/prod/deployment-wave.yaml': wavePatch,
    };
    const r = await run(memoryChange(shop, head));
    const hit = r.findings.find((f) => f.rule === 'migration-wave-not-before-consumer');
    // Placed where the PR moved the wave (the patch), with the base's migration Job as the related place.
    expect(hit).toMatchObject({ severity: 'error', status: 'new', file: 'overlays/prod/deployment-wave.yaml', line: 6 });
    expect(hit!.related).toMatchObject([{ file: 'base/migrate.yaml' }]);
    expect(hit!.message).toContain('overlays/prod/deployment-wave.yaml');
    expect(r.verdict).toBe('fail');
    // The patch file is no resource of its own, and the rendered diff shows the change.
    expect(r.findings.filter((f) => f.file === 'overlays/prod/deployment-wave.yaml' && f.rule !== 'migration-wave-not-before-consumer')).toEqual([]);
    const d = r.details.render!;
    const prod = d.applications.find((a) => a.name === 'shop-prod')!;
    expect(prod.units[0]).toMatchObject({ sourceType: 'Kustomize', head: { status: 'rendered', tool: 'kustomize', objects: 3 }, base: { status: 'rendered' } });
    expect(prod.diff.changed.map((c) => c.key)).toEqual(['apps/Deployment /shop-api']);
    expect(prod.diff.changed[0]!.patch).toContain('+    argocd.argoproj.io/sync-wave: "-5"');
  });

  it('a change to a file of the shared base affects the overlay that includes it', async () => {
    const base: Record<string, string> = { ...shop };
    const head = { ...base, 'base/api.yaml': base['base/api.yaml']!.replace('sync-wave: "1"', 'sync-wave: "-5"') };
    const r = await run(memoryChange(base, head));
    expect(r.details.render!.applications.map((a) => a.name)).toContain('shop-prod');
    expect(r.findings.filter((f) => f.rule === 'migration-wave-not-before-consumer').map((f) => f.status)).toContain('new');
  });

  it('a change to a base reached through a nested kustomization affects the outer Application too', async () => {
    // apps/shop-all renders `all/`, whose kustomization names only its sub-directory, which names the base.
    const nested: Record<string, string> = {
      ...shop,
      'apps/shop-all.yaml': app('shop-all', 'all'),
      'all/kustomization.yaml': 'resources:\n  - prod\n',
      'all/prod/kustomization.yaml': 'resources:\n  - ../../base\n',
    };
    const head = { ...nested, 'base/api.yaml': nested['base/api.yaml']!.replace('sync-wave: "1"', 'sync-wave: "-5"') };
    const r = await run(memoryChange(nested, head));
    expect(r.details.render!.applications.map((a) => a.name)).toEqual(expect.arrayContaining(['shop-prod', 'shop-all']));
  });

  it('with rendering off, a change to the shared base reads no other kustomization: files are judged as written', async () => {
    const off = { 'policies/gitops-gate.yaml': 'version: 1\nrender:\n  enabled: false\n' };
    const base: Record<string, string> = { ...shop, ...off };
    const head = { ...base, 'base/api.yaml': base['base/api.yaml']!.replace('sync-wave: "1"', 'sync-wave: "2"') };
    const change = memoryChange(base, head);
    const read: string[] = [];
    for (const tree of [change.head, change.base!]) {
      const readFiles = tree.readFiles.bind(tree);
      tree.readFiles = (paths) => (read.push(...paths), readFiles(paths));
    }
    const r = await run(change);
    expect(r.details.render).toBeUndefined();
    // The layout reads each manifest once per side, and the health area once more; following kustomize closures
    // (which only rendering needs) read the overlay's kustomization 4 more times. As written, only the base's group counts.
    expect(read.filter((p) => p === 'overlays/prod/kustomization.yaml').length).toBeLessThanOrEqual(3);
  });

  it('commonAnnotations of the Application that make every object a hook reach the hook rules', async () => {
    const head = { ...shop, 'apps/shop-prod.yaml': app('shop-prod', 'overlays/prod', '    kustomize:\n      commonAnnotations:\n        argocd.argoproj.io/hook: PreSync\n') };
    const r = await run(memoryChange(shop, head));
    const rules = new Set(r.findings.filter((f) => f.status === 'new').map((f) => f.rule));
    expect(rules.size).toBeGreaterThan(0);
    expect([...rules].some((x) => /hook/.test(x))).toBe(true);
  });

  it('a kustomize patch file is not read as a resource', async () => {
    // A strategic-merge patch of the migration Job: read as a resource it is a plain Job with a fixed name.
    const patch = 'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: shop-migrate\nspec:\n  backoffLimit: 2\n';
    const head = {
      ...shop,
      'overlays/prod/kustomization.yaml': `${shop['overlays/prod/kustomization.yaml']}patches:\n  - path: job-backoff.yaml\n`,
      'overlays/prod/job-backoff.yaml': patch,
    };
    const r = await run(memoryChange(shop, head));
    expect(r.findings.filter((f) => f.file === 'overlays/prod/job-backoff.yaml')).toEqual([]);
    expect(r.verdict).toBe('pass');
  });
});

describe('render phase: Helm', () => {
  const chart: Record<string, string> = {
    'apps/web.yaml': app('web', 'charts/web'),
    'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
    'charts/web/values.yaml': 'wave: \'"1"\'\nowner: \'"payments"\'\n',
    'charts/web/templates/cm.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-config\n  annotations:\n    argocd.argoproj.io/sync-wave: {{ .Values.wave }}\n    team.example/owner: {{ .Values.owner }}\ndata:\n  a: b\n',
  };

  it('a value that renders an annotation as an integer is found on the rendered object, at the template', async () => {
    const head = { ...chart, 'charts/web/values.yaml': 'wave: 1\nowner: 42\n' };
    const r = await run(memoryChange(chart, head));
    const wave = r.findings.find((f) => f.rule === 'wave-not-string');
    expect(wave).toMatchObject({ file: 'charts/web/templates/cm.yaml', status: 'new', severity: 'error' });
    const ann = r.findings.find((f) => f.rule === 'annotation-not-string');
    expect(ann).toMatchObject({ file: 'charts/web/templates/cm.yaml', status: 'new' });
    // The template is rendered, so it is no longer listed as not evaluated.
    expect(r.notEvaluated.map((n) => n.subject)).not.toContain('charts/web/templates/cm.yaml');
    expect(r.details.render!.applications[0]!.units[0]).toMatchObject({ sourceType: 'Helm', head: { tool: 'helm', status: 'rendered' } });
  });
});

describe('render phase: what cannot be rendered', () => {
  const head = { ...shop, 'base/api.yaml': shop['base/api.yaml']!.replace('1.4.0', '1.5.0') };

  it('a missing binary leaves the Application not evaluated, and blocks', async () => {
    const r = await run(memoryChange(shop, head), { render: { kustomizeBinary: '/nonexistent/kustomize', helmBinary: tools.helm } });
    expect(r.notEvaluated.find((n) => n.subject.includes('Application shop-prod'))?.reason).toContain('/nonexistent/kustomize');
    expect(r.findings.find((f) => f.rule === 'render-not-evaluated')).toMatchObject({ file: 'apps/shop-prod.yaml', line: 1, severity: 'error', status: 'new' });
    expect(r.verdict).toBe('fail');
  });

  it('render.notEvaluated: warn makes it a warning', async () => {
    const policy = { 'policies/gitops-gate.yaml': 'version: 1\nrender:\n  notEvaluated: warn\n' };
    const r = await run(memoryChange({ ...shop, ...policy }, { ...head, ...policy }), { render: { searchPath: '' } });
    expect(r.findings.find((f) => f.rule === 'render-not-evaluated')).toMatchObject({ severity: 'warning' });
    expect(r.verdict).toBe('pass');
  });

  it('a remote base is not evaluated (needs network)', async () => {
    const remote = { ...head, 'overlays/prod/kustomization.yaml': `${shop['overlays/prod/kustomization.yaml']}  - https://github.com/example-org/bases//redis?ref=v1\n` };
    const r = await run(memoryChange(shop, remote));
    expect(r.notEvaluated.find((n) => n.subject.includes('Application shop-prod'))?.reason).toContain('needs network');
    expect(r.findings.find((f) => f.rule === 'render-not-evaluated')).toMatchObject({ file: 'apps/shop-prod.yaml', status: 'new' });
  });
});

describe('render phase: plain directories', () => {
  it('runs no tool and adds nothing to the report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gg-norender-'));
    const marker = join(dir, 'ran');
    const fake = join(dir, 'kustomize');
    writeFileSync(fake, `#!/bin/sh\ntouch ${marker}\necho v5.0.0\n`);
    chmodSync(fake, 0o755);
    const base = { 'apps/a.yaml': app('a', 'plain'), 'plain/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n' };
    const headFiles = { ...base, 'plain/cm.yaml': `${base['plain/cm.yaml']}data:\n  x: y\n` };
    const on = await run(memoryChange(base, headFiles), { render: { kustomizeBinary: fake, helmBinary: fake } });
    expect(existsSync(marker)).toBe(false);
    expect(on.details.render).toBeUndefined();
    expect(Object.keys(on.details)).not.toContain('render');
  });
});

describe('render phase: report', () => {
  it('redacts Secret values in the rendered diff, and shows it collapsed in the summary and whole in the audit record', async () => {
    const secret = (v: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\nstringData:\n  password: ${v}\n`;
    const base = { ...shop, 'base/kustomization.yaml': `${shop['base/kustomization.yaml']}  - secret.yaml\n`, 'base/secret.yaml': secret('hunter2') };
    const head = { ...base, 'base/secret.yaml': secret('correct-horse') };
    const change = memoryChange(base, head);
    const r = await run(change);
    const json = JSON.stringify(r);
    const audit = buildAuditRecord(r, change);
    expect((audit.details.render as typeof r.details.render)!.applications.map((a) => a.name)).toEqual(r.details.render!.applications.map((a) => a.name));
    expect(JSON.stringify(audit)).not.toContain('hunter2');
    expect(json).not.toContain('hunter2');
    expect(json).not.toContain('correct-horse');
    const prod = r.details.render!.applications.find((a) => a.name === 'shop-prod')!;
    expect(prod.diff.changed[0]!.patch).toContain('<redacted: changed>');
    const md = renderRenderSection(r, '###')!;
    expect(md.full).toContain('### Rendered manifests');
    expect(md.full).toContain('<details><summary><code>Application shop-prod</code>: 0 added, 0 removed, 1 changed</summary>');
    expect(md.full).not.toContain('hunter2');
    expect(md.compact.length).toBeLessThan(md.full.length);
    expect(MAX_PATCH_LINES).toBeGreaterThan(0);
  });
});
