/** The render tools' probes: started early (warmTools), run once per process, never a failure of their own. */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findHelm, findKustomize, toolEnv, warmTools } from '../../src/render/tools.js';
import { renderApplications, unitsOfApplication } from '../../src/render/index.js';
import { readManifestFile } from '../../src/manifests/manifest-file.js';
import { MemoryTree } from '../helpers/memory-tree.js';

const dir = mkdtempSync(join(tmpdir(), 'gg-tools-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fake tool that logs each call's arguments and answers `version` like the real one. */
function fakeTool(name: string, versionLine: string): { bin: string; calls: () => string[] } {
  const bin = join(dir, name);
  const log = join(dir, `${name}.log`);
  writeFileSync(bin, `#!/bin/sh\necho "$*" >> '${log}'\necho '${versionLine}'\n`);
  chmodSync(bin, 0o755);
  return { bin, calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
}

const settle = async (until: () => boolean) => {
  for (let i = 0; i < 200 && !until(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('warmTools', () => {
  it('runs the version command of each tool called for once, and a later find reuses it', async () => {
    const helm = fakeTool('helm', 'v3.17.1+g980d8ac');
    const kustomize = fakeTool('kustomize', 'v5.6.0');
    warmTools({ helm: true, kustomize: true }, { helmBinary: helm.bin, kustomizeBinary: kustomize.bin, tmpDir: dir });
    await settle(() => helm.calls().length > 0 && kustomize.calls().length > 0);
    expect(helm.calls()).toEqual(['version --short']);
    expect(kustomize.calls()).toEqual(['version']);
    const env = await toolEnv(join(dir, 'home'));
    const found = await findHelm(helm.bin, undefined, env);
    expect(found).toMatchObject({ info: { name: 'helm', version: 'v3.17.1' } });
    expect(await findKustomize(kustomize.bin, undefined, env)).toMatchObject({ info: { name: 'kustomize', version: 'v5.6.0' } });
    expect(helm.calls()).toEqual(['version --short']);
    expect(kustomize.calls()).toEqual(['version']);
  });

  it('runs nothing when the repository calls for no tool', async () => {
    const helm = fakeTool('helm-unused', 'v3.17.1');
    warmTools({ helm: false, kustomize: false }, { helmBinary: helm.bin, tmpDir: dir });
    await new Promise((r) => setTimeout(r, 200));
    expect(helm.calls()).toEqual([]);
  });

  it('never throws for a missing binary; the render reports it', async () => {
    expect(() => warmTools({ helm: true, kustomize: false }, { helmBinary: join(dir, 'no-such-helm'), tmpDir: dir })).not.toThrow();
    await new Promise((r) => setTimeout(r, 100));
    expect(await findHelm(join(dir, 'no-such-helm'), undefined, await toolEnv(join(dir, 'home2')))).toMatch(/is not an executable file/);
  });
});

describe('a render and the tool\'s version command', () => {
  const REPO = 'https://github.com/acme/deploy.git';
  const tree = () => {
    const app = `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: api\nspec:\n  destination: {server: https://kubernetes.default.svc, namespace: pay}\n  source:\n    repoURL: ${REPO}\n    path: charts/api\n    targetRevision: main\n`;
    return new MemoryTree({ 'charts/api/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\n', 'charts/api/templates/cm.yaml': 'kind: ConfigMap\n', 'apps/api.yaml': app });
  };
  const units = (t: MemoryTree) => readManifestFile('apps/api.yaml', t.files.get('apps/api.yaml')!, { maxFileBytes: 1e6, maxDocuments: 10, maxAliasCount: 10, maxDepth: 20 }).resources.flatMap(unitsOfApplication);
  /** A fake helm: `version` answers `versionLine` after `versionDelay` seconds; `template` prints one ConfigMap; both log when they start and end. */
  function fakeHelm(name: string, versionLine: string, versionDelay: number) {
    const bin = join(dir, name);
    const log = join(dir, `${name}.log`);
    writeFileSync(
      bin,
      [
        '#!/bin/sh',
        `if [ "$1" = version ]; then echo "version-start $(date +%s%N)" >> '${log}'; sleep ${versionDelay}; echo '${versionLine}'; echo "version-end $(date +%s%N)" >> '${log}'; exit 0; fi`,
        `echo "template-start $(date +%s%N)" >> '${log}'`,
        "printf -- '---\\n# Source: api/templates/cm.yaml\\napiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: cm\\n  namespace: pay\\n'",
        '',
      ].join('\n'),
    );
    chmodSync(bin, 0o755);
    const times = () => Object.fromEntries(readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' ') as [string, string]).map(([k, v]) => [k, BigInt(v)]));
    return { bin, times };
  }

  it('starts the render while the version command runs, and reports the version', async () => {
    const helm = fakeHelm('helm-slow-version', 'v3.99.0+gabc', 0.6);
    const t = tree();
    const [r] = await renderApplications(t, units(t), { repoURLs: [REPO], helmBinary: helm.bin, tmpDir: dir });
    expect(r!.status, r!.reason).toBe('rendered');
    expect(r!.tool).toMatchObject({ name: 'helm', version: 'v3.99.0', path: helm.bin });
    expect(r!.objects.map((o) => o.key)).toEqual(['ConfigMap pay/cm']);
    const at = helm.times();
    // Before, the template waited for the version command's end.
    expect(at['template-start']!).toBeLessThan(at['version-end']!);
  });

  it('drops the output of a binary that reports no version: not evaluated, as before any run', async () => {
    const helm = fakeHelm('helm-no-version', 'no version here', 0);
    const t = tree();
    const [r] = await renderApplications(t, units(t), { repoURLs: [REPO], helmBinary: helm.bin, tmpDir: dir });
    expect(r!.status).toBe('not-evaluated');
    expect(r!.reason).toBe(`${helm.bin} did not report a helm version`);
    expect(r!.objects).toEqual([]);
  });
});

