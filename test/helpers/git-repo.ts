/** Builds throw-away git repositories for tests: a base commit on main, then a head commit on a branch. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** File contents by path; `null` deletes the file in that commit. */
export type Files = Record<string, string | Uint8Array | null>;

const ENV = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.com',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

export function git(dir: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, { cwd: dir, env: { ...process.env, ...ENV, ...env }, encoding: 'utf8' }).trim();
}

function write(dir: string, files: Files): void {
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path);
    if (content === null) {
      rmSync(full, { force: true });
      continue;
    }
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
}

/** A repository with `base` committed on main and `head` (overlaid) committed on branch `pr`. */
export interface TestRepo {
  dir: string;
  baseSha: string;
  headSha: string;
  cleanup(): void;
}

/** Creates a repository; `head` files overlay `base` (null removes). */
export function makeRepo(base: Files, head: Files, commitMessage = 'change', env: Record<string, string> = {}): TestRepo {
  const dir = mkdtempSync(join(tmpdir(), 'gg-repo-'));
  git(dir, ['init', '-q', '-b', 'main']);
  write(dir, base);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '--allow-empty', '-m', 'base']);
  const baseSha = git(dir, ['rev-parse', 'HEAD']);
  git(dir, ['checkout', '-q', '-b', 'pr']);
  write(dir, head);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '--allow-empty', '-m', commitMessage], env);
  const headSha = git(dir, ['rev-parse', 'HEAD']);
  return { dir, baseSha, headSha, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
