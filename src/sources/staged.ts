/**
 * The staged change, for `gitops-gate check --staged` (a pre-commit hook): the index, as `git commit`
 * would record it, against the commit the branch forked from its upstream. The policy is read from that
 * base, as the Action reads it from the pull request's base branch.
 */
import { SourceError, UsageError } from '../core/errors.js';
import type { Change } from '../core/model.js';
import { changedFiles, commitsBetween, git, GitTree, resolveCommit } from './git.js';

/** What `check --staged` asks for. */
export interface StagedChangeOptions {
  /** The repository (any directory inside its work tree). */
  repo: string;
  /** Base ref; default: see {@link stagedBase}. */
  base?: string;
  /** Check the whole staged tree with no base. */
  all?: boolean;
}

/** Refs tried, in order, when the branch has no upstream: the remote's default branch, then the usual names. */
const FALLBACK_BASES = ['origin/HEAD', 'origin/main', 'main', 'origin/master', 'master'] as const;

async function tryGit(repo: string, args: string[]): Promise<string | undefined> {
  try {
    return (await git(repo, args)).toString('utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The base of a staged change: the merge base of `HEAD` with its upstream branch (`@{upstream}`); without
 * an upstream, with the first of `origin/HEAD`, `origin/main`, `main`, `origin/master`, `master` that
 * exists; without any of them, `HEAD` itself (the staged change alone).
 * @returns the base commit SHA and the ref it came from, or `undefined` on a branch with no commit yet
 */
export async function stagedBase(repo: string): Promise<{ sha: string; from: string } | undefined> {
  const head = await tryGit(repo, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  if (head === undefined) return undefined;
  const upstream = await tryGit(repo, ['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{upstream}']);
  for (const ref of upstream ? [upstream] : FALLBACK_BASES) {
    const sha = await tryGit(repo, ['merge-base', ref, head]);
    if (sha !== undefined) return { sha, from: `merge base of HEAD and ${ref}` };
  }
  return { sha: head, from: 'HEAD' };
}

/**
 * Gathers the staged change of a local repository. The head is the tree `git write-tree` makes of the
 * index (honouring `GIT_INDEX_FILE`, which `git commit <paths>` sets for its hooks); its label
 * (`headSha`) is that tree's id, since no commit exists yet. The commits are those already on the branch
 * since the base. On a branch with no commit yet there is no base: the whole staged tree is checked.
 * @throws {UsageError} when `repo` is not a git repository or `base` names no commit;
 *   {@link SourceError} when git fails, for example on an index with unresolved merge conflicts
 */
export async function stagedChange(opts: StagedChangeOptions): Promise<Change> {
  if ((await tryGit(opts.repo, ['rev-parse', '--git-dir'])) === undefined) throw new UsageError(`${opts.repo} is not a git repository`);
  let tree: string;
  try {
    tree = (await git(opts.repo, ['write-tree'])).toString('utf8').trim();
  } catch (e) {
    throw new SourceError(`cannot read the staged change (resolve merge conflicts first?): ${(e as Error).message}`);
  }
  const head = new GitTree(opts.repo, tree);
  const caps = { filesTruncated: false, commitsTruncated: false };
  const base = opts.base
    ? {
        sha: await resolveCommit(opts.repo, opts.base).catch((e: unknown) => {
          throw new UsageError((e as SourceError).message);
        }),
      }
    : await stagedBase(opts.repo);
  if (opts.all || base === undefined) return { headSha: tree, files: [], commits: [], head, caps, mode: 'all' };
  const headCommit = await tryGit(opts.repo, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  const [files, commits] = await Promise.all([
    changedFiles(opts.repo, base.sha, tree),
    headCommit === undefined ? [] : commitsBetween(opts.repo, base.sha, headCommit),
  ]);
  return { baseSha: base.sha, headSha: tree, files, commits, base: new GitTree(opts.repo, base.sha), head, caps, mode: 'diff' };
}
