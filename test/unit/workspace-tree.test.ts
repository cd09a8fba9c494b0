import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRepoPath } from '../../src/sources/tree-paths.js';
import { FsTree } from '../../src/sources/workspace.js';

function workspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'gg-ws-'));
  const outside = mkdtempSync(join(tmpdir(), 'gg-outside-'));
  writeFileSync(join(outside, 'secret.yaml'), 'token: s3cret\n');
  mkdirSync(join(root, 'apps/api'), { recursive: true });
  mkdirSync(join(root, '.git/objects'), { recursive: true });
  writeFileSync(join(root, '.git/config'), '[core]\n');
  writeFileSync(join(root, 'apps/api/deploy.yaml'), 'kind: Deployment\n');
  symlinkSync(join(outside, 'secret.yaml'), join(root, 'apps/link.yaml'));
  symlinkSync(outside, join(root, 'linked-dir'));
  return root;
}

describe('FsTree', () => {
  it('reads regular files and reports missing ones as undefined', async () => {
    const t = new FsTree(workspace(), 'h');
    expect(new TextDecoder().decode(await t.readFile('apps/api/deploy.yaml'))).toBe('kind: Deployment\n');
    expect(await t.readFile('apps/api/missing.yaml')).toBeUndefined();
    expect(await t.readFile('apps/api/deploy.yaml/x')).toBeUndefined();
    expect(await t.readFile('apps')).toBeUndefined();
  });

  it('never follows a link out of the workspace, and reports it', async () => {
    const t = new FsTree(workspace(), 'h');
    expect(await t.readFile('apps/link.yaml')).toBeUndefined();
    expect(await t.readFile('linked-dir/secret.yaml')).toBeUndefined();
    const links = await t.symlinks();
    expect(links.map((l) => [l.path, l.problem])).toEqual([
      ['apps/link.yaml', 'outside'],
      ['linked-dir', 'outside'],
    ]);
  });

  it('reads a link inside the workspace as its target, and a name that is not UTF-8 under an escaped path', async () => {
    const root = workspace();
    symlinkSync('api/deploy.yaml', join(root, 'apps/inner.yaml'));
    writeFileSync(Buffer.concat([Buffer.from(`${root}/apps/`), Buffer.from([0xfe]), Buffer.from('.yaml')]), 'kind: Raw\n');
    const t = new FsTree(root, 'h');
    expect(new TextDecoder().decode(await t.readFile('apps/inner.yaml'))).toBe('kind: Deployment\n');
    expect(await t.listFiles()).toContain('apps/\\xfe.yaml');
    expect(new TextDecoder().decode(await t.readFile('apps/\\xfe.yaml'))).toBe('kind: Raw\n');
  });

  it('refuses paths that leave the tree or enter .git', async () => {
    const t = new FsTree(workspace(), 'h');
    for (const p of ['../etc/passwd', '/etc/passwd', 'apps/../../x', '.git/config', '', 'apps//api/deploy.yaml']) expect(await t.readFile(p)).toBeUndefined();
    expect(isRepoPath('apps/api/deploy.yaml')).toBe(true);
  });

  it('lists files and links without .git, sorted', async () => {
    expect(await new FsTree(workspace(), 'h').listFiles()).toEqual(['apps/api/deploy.yaml', 'apps/link.yaml', 'linked-dir']);
  });
});
