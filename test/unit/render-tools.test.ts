/** The render tools' probes: started early (warmTools), run once per process, never a failure of their own. */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findHelm, findKustomize, toolEnv, warmTools } from '../../src/render/tools.js';

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
