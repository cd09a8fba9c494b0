/** The CLI renders kustomize sources with the tool given by --kustomize (dist/cli.js on a real git repository). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, type TestRepo } from '../helpers/git-repo.js';
import { renderTools } from '../helpers/render-tools.js';
import { shopOverlay } from '../helpers/shop-overlay.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const repos: TestRepo[] = [];
afterAll(() => repos.forEach((r) => r.cleanup()));
const tools = renderTools();

function run(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const { base, head } = shopOverlay(
  'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop-prod\n  namespace: argocd\nspec:\n  source:\n    repoURL: https://git.example/shop.git\n    path: overlays/prod\n  destination:\n    namespace: shop\n',
);

describe('gitops-gate check --kustomize', () => {
  it('renders the overlay with the given binary and finds the wave its patch moved', () => {
    const r = makeRepo(base, head);
    repos.push(r);
    const out = run(['check', '--repo', r.dir, '--base', 'main', '--head', 'pr', '--format', 'json', '--kustomize', tools.kubectl]);
    expect(out.code).toBe(1);
    const report = JSON.parse(out.stdout);
    const hit = report.findings.find((f: { rule: string }) => f.rule === 'migration-wave-not-before-consumer');
    expect(hit.message).toContain('overlays/prod/deployment-wave.yaml');
    expect(report.details.render.applications[0].units[0].head).toMatchObject({ status: 'rendered', tool: 'kustomize' });
  });

  it('text output names what was rendered and the objects the change alters', () => {
    const r = makeRepo(base, head);
    repos.push(r);
    const out = run(['check', '--repo', r.dir, '--base', 'main', '--head', 'pr', '--kustomize', tools.kubectl]);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/^rendered: 1 source group\(s\)/m);
    // The conflict is shown where the PR moved the wave, with the base's Job as the related place.
    expect(out.stdout).toMatch(/^overlays\/prod\/deployment-wave\.yaml:6:\d+: error \[migration-wave-not-before-consumer\]/m);
    expect(out.stdout).toMatch(/^ {4}related: base\/migrate\.yaml:\d+:\d+: batch\/Job shop-migrate$/m);
    expect(out.stdout).toMatch(/^ {2}Application shop-prod: 0 added, 0 removed, 1 changed$/m);
    expect(out.stdout).toMatch(/^ {4}apps\/shop-prod\.yaml#shop-prod@0: kustomize v5\.[0-9.]+; head 2 objects.*, base 2 objects/m);
    expect(out.stdout).toMatch(/^ {4}changed apps\/Deployment \/shop-api \(overlays\/prod\/deployment-wave\.yaml:6\)$/m);
  });

  it('a --kustomize that is not there leaves the Application not evaluated and fails', () => {
    const r = makeRepo(base, head);
    repos.push(r);
    const out = run(['check', '--repo', r.dir, '--base', 'main', '--head', 'pr', '--kustomize', '/nonexistent/kustomize']);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain('render-not-evaluated');
    expect(out.stdout).toContain('/nonexistent/kustomize');
  });
});
