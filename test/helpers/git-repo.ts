/** Builds throw-away git repositories for tests: a base commit on main, then a head commit on a branch. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A symbolic link (git mode 120000) whose target text is `symlink`. */
export interface Symlink {
  symlink: string;
}

/**
 * File contents by path; `null` deletes the file in that commit; {@link Symlink} makes a link. A path may
 * spell a byte that is not UTF-8 as `\xNN` (lower-case hex, 80 to ff): it is written to disk as that byte, so
 * tests can commit file names that are not UTF-8.
 */
export type Files = Record<string, string | Uint8Array | null | Symlink>;

/** A path of {@link Files} as the bytes written to disk (`\xNN` above 7f is that byte). */
export function pathBytes(path: string): Buffer {
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of path.matchAll(/\\x([89a-f][0-9a-f])/g)) {
    parts.push(Buffer.from(path.slice(last, m.index), 'utf8'), Buffer.from([parseInt(m[1]!, 16)]));
    last = m.index + m[0].length;
  }
  parts.push(Buffer.from(path.slice(last), 'utf8'));
  return Buffer.concat(parts);
}

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
    const full = Buffer.concat([Buffer.from(`${dir}/`), pathBytes(path)]);
    rmSync(full, { force: true });
    if (content === null) continue;
    mkdirSync(full.subarray(0, full.lastIndexOf(0x2f)), { recursive: true });
    if (typeof content === 'object' && 'symlink' in content) symlinkSync(content.symlink, full);
    else writeFileSync(full, content);
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
