import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../src/core/errors.js';
import { headTree } from '../../src/github/gather.js';
import { GitTree } from '../../src/sources/git.js';
import { FsTree } from '../../src/sources/workspace.js';
import { git, makeRepo, type TestRepo } from '../helpers/git-repo.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repos: TestRepo[] = [];
afterEach(() => repos.splice(0).forEach((r) => r.cleanup()));

function repo(): TestRepo {
  const r = makeRepo({ 'a.yaml': 'a: 1\n' }, { 'a.yaml': 'a: 2\n' });
  repos.push(r);
  return r;
}

describe('headTree', () => {
  it('reads the workspace when it is checked out at the head commit', async () => {
    const r = repo();
    const { tree } = await headTree(r.dir, r.headSha);
    expect(tree).toBeInstanceOf(FsTree);
    expect(new TextDecoder().decode(await tree.readFile('a.yaml'))).toBe('a: 2\n');
  });

  it('reads the head commit with git when another commit is checked out (the merge commit of pull_request)', async () => {
    const r = repo();
    git(r.dir, ['checkout', '-q', 'main']);
    const { tree, from } = await headTree(r.dir, r.headSha);
    expect(tree).toBeInstanceOf(GitTree);
    expect(from).toContain(r.baseSha);
    expect(new TextDecoder().decode(await tree.readFile('a.yaml'))).toBe('a: 2\n');
  });

  it('fails closed when the head commit is not in the clone, or the workspace is not a clone', async () => {
    const r = repo();
    await expect(headTree(r.dir, 'f'.repeat(40))).rejects.toThrow(/head commit f{40} is not in the clone.*github\.event\.pull_request\.head\.sha/);
    const empty = mkdtempSync(join(tmpdir(), 'gg-empty-'));
    await expect(headTree(empty, r.headSha)).rejects.toThrow(SourceError);
    await expect(headTree(empty, r.headSha)).rejects.toThrow('is not a git clone');
  });
});
