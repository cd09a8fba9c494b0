/**
 * Gathers the {@link Change} of a pull request for the Action: the PR, its files, commits and reviews
 * from the REST API, the head tree from the workspace, and the base tree from git when the base commit
 * is in the clone (or git can fetch it), otherwise from the git trees and blobs APIs within a request
 * budget (see {@link ContentsTree}). The policy is read from the base
 * (by the engine), never from the head.
 */
import { SourceError } from '../core/errors.js';
import type { Change, Commit, TreeReader } from '../core/model.js';
import { cloneRange, git, GitTree } from '../sources/git.js';
import { needed } from './api-errors.js';
import { FsTree } from '../sources/workspace.js';
import type { GitHubClient } from './client.js';
import { commitsPastCap, filesPastCap } from './beyond-caps.js';
import { ContentsTree, DEFAULT_API_REQUEST_BUDGET, GitHubObjects } from './contents-tree.js';
import { readPullRequest, readPullRequestLists, type PullRef } from './pull-request.js';

/** Where to gather from. */
export interface GatherOptions extends PullRef {
  /** The checked-out workspace (`GITHUB_WORKSPACE`). */
  workspace: string;
  /** Web UI base URL, for links (`GITHUB_SERVER_URL`). */
  serverUrl: string;
  /** Progress messages (the Action passes `core.info`). */
  log?: (message: string) => void;
  /**
   * Most API requests spent reading base commits git cannot fetch (the `api-request-budget` input); default
   * {@link DEFAULT_API_REQUEST_BUDGET}.
   */
  apiRequestBudget?: number;
}

async function hasCommit(workspace: string, sha: string): Promise<boolean> {
  try {
    await git(workspace, ['cat-file', '-e', `${sha}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes sure `sha` is in the clone: fetches it from `origin` with the checkout's credentials
 * (`git fetch --depth=1 origin <sha>`; a `fetch-depth: 1` checkout has the head only). Reading a commit
 * with git costs no API request, where the API costs one per file the clone lacks. Never throws: returns whether
 * the commit is there now, and logs why a fetch failed (for example `persist-credentials: false` on a
 * private repository).
 */
export async function fetchCommit(workspace: string, sha: string, log: (m: string) => void): Promise<boolean> {
  if (await hasCommit(workspace, sha)) return true;
  try {
    await git(workspace, ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--depth=1', 'origin', sha]);
    log(`Fetched ${sha} from origin with git (it was not in the clone).`);
  } catch (err) {
    log(`git could not fetch ${sha} from origin (${(err as Error).message.split('\n')[0]}).`);
  }
  return hasCommit(workspace, sha);
}

/** The checked-out commit, or `undefined` when the workspace is not a git clone. @throws {SourceError} when git refuses the clone (for example "dubious ownership" in a container job) */
async function workspaceHead(workspace: string): Promise<string | undefined> {
  try {
    return (await git(workspace, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'])).toString('utf8').trim();
  } catch (err) {
    const msg = (err as Error).message;
    if (/not a git repository/i.test(msg) || /exit code 1$/.test(msg)) return undefined;
    throw new SourceError(`git cannot read the workspace clone: ${msg}`, { cause: err });
  }
}

/**
 * The head tree: the workspace when it is checked out at the PR's head commit; git when the head commit
 * is in the clone but something else is checked out (the default merge commit of `pull_request`).
 * @throws {SourceError} when the workspace is not a git clone holding the PR's head commit (for example
 * the PR moved on since the run started: a newer run evaluates the new head)
 */
export async function headTree(workspace: string, headSha: string): Promise<{ tree: TreeReader; from: string }> {
  const checkedOut = await workspaceHead(workspace);
  if (checkedOut === headSha) return { tree: new FsTree(workspace, headSha), from: `the workspace (${workspace})` };
  if (checkedOut !== undefined && (await hasCommit(workspace, headSha))) {
    return { tree: new GitTree(workspace, headSha), from: `git (${headSha} in the workspace clone; ${checkedOut} is checked out)` };
  }
  throw new SourceError(
    checkedOut === undefined
      ? `The workspace ${workspace} is not a git clone. Run actions/checkout with \`ref: \${{ github.event.pull_request.head.sha }}\` before gitops-gate.`
      : `The workspace has ${checkedOut} checked out, and the pull request's head commit ${headSha} is not in the clone. ` +
          'Check out `${{ github.event.pull_request.head.sha }}` with actions/checkout; if the pull request moved on since this run started, the run for the new head evaluates it.',
  );
}

/**
 * True when the listed commits prove `baseSha` an ancestor of `headSha` (then it is their merge base):
 * the list ends at the head, so it is the head's history, and one of its commits has the base as a parent.
 * `pulls/list-commits` lists `git log base..head` with each commit's parents; the proof holds for a
 * list cut at GitHub's cap only when its last commit is still the head.
 */
export function baseIsAncestor(commits: readonly Commit[], baseSha: string, headSha: string): boolean {
  return commits.at(-1)?.sha === headSha && commits.some((c) => c.parents?.includes(baseSha));
}

/**
 * The merge base of the PR's base tip and head: `git merge-base` when the clone holds the history of both
 * (see {@link cloneRange}); the base itself when the PR's commits show it is an ancestor of the head
 * ({@link baseIsAncestor}: the usual case, no request); else `merge_base_commit` of the compare API (one request).
 * @param commits the PR's commits as listed, oldest first (with parents)
 * @throws {SourceError} naming `contents: read` when compare is refused, or when it names no merge base
 */
export async function mergeBaseOf(gh: GitHubClient, ref: PullRef, workspace: string, baseSha: string, headSha: string, commits: readonly Commit[] = []): Promise<string> {
  const range = await cloneRange(workspace, baseSha, headSha);
  if (range.ok) return range.mergeBase;
  if (baseIsAncestor(commits, baseSha, headSha)) return baseSha;
  const res = await needed({ what: `finding the merge base of ${baseSha.slice(0, 7)} and ${headSha.slice(0, 7)} (compare)`, permission: 'contents: read' }, () =>
    gh.rest.repos.compareCommitsWithBasehead({ owner: ref.owner, repo: ref.repo, basehead: `${baseSha}...${headSha}`, per_page: 1 }),
  );
  const sha = res.data.merge_base_commit?.sha;
  if (typeof sha !== 'string' || !/^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(sha)) {
    throw new SourceError(`GitHub's compare of ${baseSha.slice(0, 7)}...${headSha.slice(0, 7)} names no merge base: the gate cannot tell what the pull request changed, so it fails closed.`);
  }
  return sha;
}

/**
 * Gathers the change of one pull request. Its files and commits are whole even past GitHub's listing caps
 * (see {@link filesPastCap} and {@link commitsPastCap}).
 * @throws {SourceError} naming the missing permission when an API call is refused, when the workspace
 * does not hold the head commit, or when a list past a cap cannot be made whole
 * @throws {UsageError} when GitHub's JSON lacks a field the gate needs
 */
export async function gatherChange(gh: GitHubClient, opts: GatherOptions): Promise<Change> {
  const log = opts.log ?? (() => undefined);
  const { pr, changedFiles, commits: commitCount } = await readPullRequest(gh, opts);
  const [lists, head, baseInClone] = await Promise.all([
    readPullRequestLists(gh, opts, { changedFiles, commits: commitCount }),
    headTree(opts.workspace, pr.headSha),
    fetchCommit(opts.workspace, pr.baseSha, log),
  ]);
  // Commits git cannot fetch are read through the git database API, within one request budget for the run.
  const objects = new GitHubObjects(gh, opts.owner, opts.repo, { workspace: opts.workspace, budget: opts.apiRequestBudget ?? DEFAULT_API_REQUEST_BUDGET });
  const tip: TreeReader = baseInClone ? new GitTree(opts.workspace, pr.baseSha) : new ContentsTree(objects, pr.baseSha);
  // The head is compared with the merge base, as `git diff base...head` and "Files changed" do: what the
  // base branch changed since the PR branched is not the PR's. The policy stays the base tip's.
  const mergeBase = await mergeBaseOf(gh, opts, opts.workspace, pr.baseSha, pr.headSha, lists.commits);
  const moved = mergeBase !== pr.baseSha;
  const mergeBaseInClone = moved && (await fetchCommit(opts.workspace, mergeBase, log));
  const base: TreeReader = !moved ? tip : mergeBaseInClone ? new GitTree(opts.workspace, mergeBase) : new ContentsTree(objects, mergeBase);
  if (moved) {
    log(
      `The base branch's tip ${pr.baseSha.slice(0, 7)} moved on since the pull request branched: the head is compared with the merge base ${mergeBase.slice(0, 7)} ` +
        `(from ${mergeBaseInClone ? 'git' : 'the GitHub API'}); the policy, CODEOWNERS and templates are read from the tip.`,
    );
  }
  // Past GitHub's listing caps the lists are made whole (files from the clone, commits from compare), or this throws.
  const [files, commits] = await Promise.all([
    lists.caps.filesTruncated ? filesPastCap(opts.workspace, pr, changedFiles, lists.files) : undefined,
    lists.caps.commitsTruncated ? commitsPastCap(gh, opts, opts.workspace, pr, commitCount, lists.commits) : undefined,
  ]);
  const moveNote = moved ? `Compared with the merge base ${mergeBase.slice(0, 7)}: the base branch's tip ${pr.baseSha.slice(0, 7)} moved on since the pull request branched.` : undefined;
  const listNotes = [files?.note, commits?.note, moveNote].filter((n): n is string => n !== undefined);
  for (const n of listNotes) log(n);
  log(`Pull request #${pr.number}: ${files?.items.length ?? lists.files.length} file(s), ${commits?.items.length ?? lists.commits.length} commit(s), ${lists.reviews.length} review(s).`);
  log(`Head ${pr.headSha} from ${head.from}; base ${pr.baseSha} from ${baseInClone ? 'git (the workspace clone)' : `the GitHub API (the base commit is not in the clone): git trees, and blobs the clone lacks, within ${objects.budget} requests`}.`);
  return {
    repository: `${opts.owner}/${opts.repo}`,
    serverUrl: opts.serverUrl,
    pr,
    baseSha: mergeBase,
    headSha: pr.headSha,
    files: files?.items ?? lists.files,
    commits: commits?.items ?? lists.commits,
    reviews: lists.reviews,
    base,
    ...(moved ? { policyBase: tip } : {}),
    head: head.tree,
    caps: lists.caps,
    ...(listNotes.length ? { listNotes } : {}),
    mode: 'diff',
  };
}
