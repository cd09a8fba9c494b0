/**
 * Files past GitHub's 3,000-file listing cap, from the clone (src/github/beyond-caps.ts): the diff is
 * taken from the merge base, it must agree with what GitHub counts and lists, and a clone that cannot
 * give it fails closed. (The end-to-end tests in test/e2e/caps.test.ts run the same through the Action.)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../src/core/errors.js';
import type { ChangedFile, PullRequest } from '../../src/core/model.js';
import { filesPastCap } from '../../src/github/beyond-caps.js';
import { git, makeRepo, type TestRepo } from '../helpers/git-repo.js';

const repos: TestRepo[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const pull = (repo: TestRepo, baseSha = repo.baseSha): PullRequest => ({
  number: 9,
  title: 't',
  body: '',
  author: { login: 'alice' },
  labels: [],
  baseRef: 'main',
  headRef: 'pr',
  baseSha,
  headSha: repo.headSha,
  draft: false,
});

/** A PR that renames one file, edits one and adds one; main then moves on with a change of its own. */
function renameRepo(): { repo: TestRepo; mainTip: string } {
  const text = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
  const repo = makeRepo({ 'a/old.yaml': text, 'b.yaml': 'b: 1\n', 'main-only.yaml': 'm: 1\n' }, { 'a/old.yaml': null, 'a/new.yaml': text, 'b.yaml': 'b: 2\n', 'c.yaml': 'c: 1\n' });
  repos.push(repo);
  git(repo.dir, ['checkout', '-q', 'main']);
  writeFileSync(join(repo.dir, 'main-only.yaml'), 'm: 2\n');
  git(repo.dir, ['commit', '-q', '-am', 'main moves on']);
  const mainTip = git(repo.dir, ['rev-parse', 'HEAD']);
  git(repo.dir, ['checkout', '-q', 'pr']);
  return { repo, mainTip };
}

const listed: ChangedFile[] = [{ path: 'a/new.yaml', status: 'renamed', previousPath: 'a/old.yaml' }];

describe('files past the cap, from the clone', () => {
  it('diffs the merge base and the head, not the base tip: a change main made since is not in the PR', async () => {
    const { repo, mainTip } = renameRepo();
    const got = await filesPastCap(repo.dir, pull(repo, mainTip), 3, listed);
    expect(got.items).toEqual([
      { path: 'a/new.yaml', status: 'renamed', previousPath: 'a/old.yaml' },
      { path: 'b.yaml', status: 'modified' },
      { path: 'c.yaml', status: 'added' },
    ]);
    expect(got.note).toContain(`the 3 changed files were read from the clone (git diff of the merge base ${repo.baseSha.slice(0, 12)} and the head)`);
  });

  it('accepts a count that pairs a rename differently (4: delete and add), and nothing further', async () => {
    const { repo } = renameRepo();
    await expect(filesPastCap(repo.dir, pull(repo), 4, listed)).resolves.toMatchObject({ items: { length: 3 } });
    for (const total of [2, 5]) {
      await expect(filesPastCap(repo.dir, pull(repo), total, listed)).rejects.toThrow(
        new RegExp(`^GitHub and the clone disagree on the files of pull request #9: GitHub counts ${total} changed files, the clone's diff has 3 \\(1 renamed\\)`),
      );
    }
  });

  it('fails closed when GitHub lists a file the diff does not touch', async () => {
    const { repo } = renameRepo();
    await expect(filesPastCap(repo.dir, pull(repo), 3, [...listed, { path: 'd.yaml', status: 'added' }])).rejects.toThrow(/GitHub lists "d\.yaml", which the clone's diff does not touch/);
  });

  it('fails closed, asking for fetch-depth: 0, in a shallow clone', async () => {
    const { repo } = renameRepo();
    const clone = mkdtempSync(join(tmpdir(), 'gg-shallow-'));
    dirs.push(clone);
    execFileSync('git', ['clone', '-q', '--depth', '1', '--branch', 'pr', `file://${repo.dir}`, clone], { env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } });
    const err = await filesPastCap(clone, pull(repo), 3, listed).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as Error).message).toMatch(/^GitHub lists at most 3,000 files of a pull request and this one changes 3, so the rest must come from the clone, but the clone is shallow .*`fetch-depth: 0`/);
  });

  it('fails closed when the base commit is not in the clone', async () => {
    const { repo } = renameRepo();
    await expect(filesPastCap(repo.dir, pull(repo, 'e'.repeat(40)), 3, listed)).rejects.toThrow(`commit ${'e'.repeat(40)} (the base) is not in the clone`);
  });
});
