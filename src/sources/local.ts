/**
 * Builds a {@link Change} from a local git repository, for the CLI: two commits (or `--all`), and
 * optionally a `pull_request` event payload and a REST list-reviews response read from files.
 */
import { readFile } from 'node:fs/promises';
import { inputError, SourceError, UsageError } from '../core/errors.js';
import type { Change, PullRequest, Review } from '../core/model.js';
import { changedFiles, commitsBetween, git, GitTree, resolveCommit } from './git.js';
import { pullRequestFromApi, reviewFromApi } from './github-shapes.js';
import { commentsFromJson, directoryFromJson } from './facts-files.js';
import { pusherOf } from './webhook.js';

/** What the CLI asks for. */
export interface LocalChangeOptions {
  repo: string;
  /** Base ref; default: the merge base of HEAD with `origin/main`, else `main`. */
  base?: string;
  /** Head ref; default `HEAD`. */
  head?: string;
  /** Check the whole head tree with no base. */
  all?: boolean;
  /** Path of a `pull_request` webhook event payload (JSON). */
  prEventPath?: string;
  /** Path of a REST list-reviews response (JSON array). */
  reviewsPath?: string;
  /** Path of a directory file (permissions and team members; see src/sources/facts-files.ts). */
  directoryPath?: string;
  /** Path of a REST list of issue comments (JSON array), for break-glass commands. */
  commentsPath?: string;
  /** Who pushed the head commit (the caller vouches for it); joins the pull request's pushers. */
  pusher?: string;
  /** ISO-8601 time by which the head commit had been pushed (the caller vouches for it); see `PullRequest.headSeenAt`. */
  pushedAt?: string;
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`${path}: ${what} is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Reads a `pull_request` event payload (the JSON the Actions runner writes to GITHUB_EVENT_PATH). The
 * `sender` of an `opened` or `synchronize` event pushed the payload's head: it becomes `lastPusher`.
 */
export async function readPrEvent(path: string): Promise<PullRequest> {
  const payload = await readJson(path, 'pull request event');
  const p = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
  if (p.pull_request === undefined) throw new UsageError(`${path}: not a pull_request event payload (no "pull_request" key)`);
  const pr = pullRequestFromApi(p.pull_request, path, inputError);
  const pusher = pusherOf('pull_request', typeof p.action === 'string' ? p.action : '', p);
  return pusher && pusher.headSha === pr.headSha ? { ...pr, lastPusher: pusher.login } : pr;
}

/** Reads a REST list-reviews response (a JSON array of reviews). */
export async function readReviews(path: string): Promise<Review[]> {
  const list = await readJson(path, 'reviews file');
  if (!Array.isArray(list)) throw new UsageError(`${path}: expected a JSON array of reviews (GET /repos/{owner}/{repo}/pulls/{number}/reviews)`);
  return list.map((r, i) => reviewFromApi(r, `${path}[${i}]`, inputError));
}

async function defaultBase(repo: string, head: string): Promise<string> {
  for (const ref of ['origin/main', 'main', 'origin/master', 'master']) {
    try {
      return (await git(repo, ['merge-base', ref, head])).toString('utf8').trim();
    } catch {
      // try the next candidate
    }
  }
  throw new UsageError(`no --base given and neither origin/main nor main exists in ${repo}; pass --base REF or --all`);
}

/** A promise that never rejects (its failure kept for {@link unsettle}), so it can run before its turn. */
function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/** The value of a {@link settle}d commit lookup; its failure as a {@link UsageError}. */
async function unsettle<T>(p: ReturnType<typeof settle<T>>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new UsageError((r.error as SourceError).message);
  return r.value;
}

/**
 * Gathers a change from a local repository.
 * @throws {UsageError} for bad refs or input files; {@link SourceError} when git fails
 */
export async function localChange(opts: LocalChangeOptions): Promise<Change> {
  // The three git runs are independent: they run at once, and their errors are taken in this order.
  const isRepo = git(opts.repo, ['rev-parse', '--git-dir']).then(
    () => true,
    () => false,
  );
  const headRun = settle(resolveCommit(opts.repo, opts.head ?? 'HEAD'));
  const baseRun = opts.base && !opts.all ? settle(resolveCommit(opts.repo, opts.base)) : undefined;
  if (!(await isRepo)) throw new UsageError(`${opts.repo} is not a git repository`);
  const headSha = await unsettle(headRun);
  let pr = opts.prEventPath ? await readPrEvent(opts.prEventPath) : undefined;
  if (pr && opts.pusher) pr = { ...pr, pushers: [...(pr.pushers ?? []), opts.pusher] };
  if (pr && opts.pushedAt) pr = { ...pr, headSeenAt: opts.pushedAt };
  const reviews = opts.reviewsPath ? await readReviews(opts.reviewsPath) : undefined;
  const directory = opts.directoryPath ? directoryFromJson(await readJson(opts.directoryPath, 'directory file'), opts.directoryPath) : undefined;
  const comments = opts.commentsPath ? commentsFromJson(await readJson(opts.commentsPath, 'comments file'), opts.commentsPath) : undefined;
  const facts = { ...(pr ? { pr } : {}), ...(reviews ? { reviews } : {}), ...(directory ? { directory } : {}), ...(comments ? { comments } : {}) };
  const head = new GitTree(opts.repo, headSha);
  const caps = { filesTruncated: false, commitsTruncated: false };
  if (opts.all) {
    return { headSha, files: [], commits: [], head, caps, mode: 'all', ...facts };
  }
  const baseSha = baseRun ? await unsettle(baseRun) : await defaultBase(opts.repo, headSha);
  const [files, commits] = await Promise.all([changedFiles(opts.repo, baseSha, headSha), commitsBetween(opts.repo, baseSha, headSha)]);
  return {
    baseSha,
    headSha,
    files,
    commits,
    base: new GitTree(opts.repo, baseSha),
    head,
    caps,
    mode: 'diff',
    ...facts,
  };
}
