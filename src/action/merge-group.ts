/**
 * Merge queues: the `merge_group` event (action `checks_requested`). GitHub builds a temporary branch
 * `gh-readonly-queue/<base>/pr-<n>-<sha>` holding the base branch's tip and the queued pull requests, and
 * waits for every required check to report on its head commit. The gate evaluates that commit against
 * the group's base (`merge_group.base_sha`), applies the review and description policies of the queued
 * pull request named by the branch as of that PR's head, and publishes the check run on
 * `merge_group.head_sha` (there is no PR head to guard and no sticky comment to write).
 */
import { SourceError, UsageError } from '../core/errors.js';
import type { Change, Report } from '../core/model.js';
import { type CheckRunOptions, publishCheckRun } from '../publish/check-run.js';
import type { GitHubWriter } from '../publish/client.js';
import type { PublishOutcome } from '../publish/publish.js';
import { changedFiles, GitTree } from '../sources/git.js';
import type { GitHubClient } from '../github/client.js';
import { fetchCommit, headTree } from '../github/gather.js';
import { readPullRequest, readPullRequestLists } from '../github/pull-request.js';

/** The merge group of a `merge_group` event. */
export interface MergeGroup {
  /** `merge_group.base_sha`: the base branch's tip the group was built on. */
  baseSha: string;
  /** `merge_group.head_sha`: the commit GitHub would merge; the check run goes here. */
  headSha: string;
  /** `merge_group.head_ref`, such as `refs/heads/gh-readonly-queue/main/pr-104-929f…`. */
  headRef: string;
  /** The queued pull request the branch names (the last of the group). */
  pull: number;
}

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/i;

/**
 * The pull request number a merge queue branch names: `[refs/heads/]gh-readonly-queue/<base>/pr-<n>-<sha>`
 * (GitHub's naming; the base branch may hold slashes). `undefined` when the ref is not such a branch.
 */
export function queuedPullOf(headRef: string): number | undefined {
  const m = /^(?:refs\/heads\/)?gh-readonly-queue\/.+\/pr-(\d+)-[0-9a-f]{40,64}$/i.exec(headRef);
  const n = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * Reads the merge group of a `merge_group` payload.
 * @throws {UsageError} when a SHA is missing or malformed, or the head ref names no queued pull request
 */
export function mergeGroupOf(payload: Record<string, unknown>, where: string): MergeGroup {
  const g = (payload.merge_group ?? {}) as Record<string, unknown>;
  const baseSha = g.base_sha;
  const headSha = g.head_sha;
  const headRef = g.head_ref;
  if (typeof baseSha !== 'string' || !SHA.test(baseSha) || typeof headSha !== 'string' || !SHA.test(headSha)) {
    throw new UsageError(`The merge_group event payload at ${where} has no valid merge_group.base_sha and merge_group.head_sha.`);
  }
  const pull = typeof headRef === 'string' ? queuedPullOf(headRef) : undefined;
  if (pull === undefined || typeof headRef !== 'string') {
    throw new UsageError(
      `The merge_group event payload at ${where} has head_ref "${String(headRef)}", which names no queued pull request (expected gh-readonly-queue/<base>/pr-<number>-<sha>): the gate cannot tell whose reviews to check, so it fails closed.`,
    );
  }
  return { baseSha, headSha, headRef, pull };
}

/** Where to gather a merge group from. */
export interface MergeGroupGather {
  owner: string;
  repo: string;
  workspace: string;
  serverUrl: string;
  log?: (message: string) => void;
}

/**
 * Gathers the change of a merge group: the files and trees of `base_sha...head_sha` from the clone
 * (fetching the base when it is missing), and the queued pull request's description, commits and
 * reviews, read from the API. The change's `headSha` is the pull request's head, so approvals count as
 * they do on the pull request (an approval of an older commit stays stale).
 * @throws {SourceError} when the base or head commit cannot be had in the clone, or the PR cannot be read
 */
export async function gatherMergeGroupChange(gh: GitHubClient, opts: MergeGroupGather, group: MergeGroup): Promise<Change> {
  const log = opts.log ?? (() => undefined);
  const ref = { owner: opts.owner, repo: opts.repo, number: group.pull };
  const { pr, changedFiles: nFiles, commits: nCommits } = await readPullRequest(gh, ref);
  const [lists, head, baseThere] = await Promise.all([
    readPullRequestLists(gh, ref, { changedFiles: nFiles, commits: nCommits }),
    headTree(opts.workspace, group.headSha),
    fetchCommit(opts.workspace, group.baseSha, log),
  ]);
  if (!baseThere) {
    throw new SourceError(
      `The merge group's base ${group.baseSha} is not in the clone and git could not fetch it from origin. Check out with actions/checkout \`fetch-depth: 0\` (or keep its credentials: \`persist-credentials: true\`).`,
    );
  }
  const files = await changedFiles(opts.workspace, group.baseSha, group.headSha);
  const note = `Merge group ${group.headSha.slice(0, 7)} (${group.headRef.replace(/^refs\/heads\//, '')}) against its base ${group.baseSha.slice(0, 7)}: ${files.length} file(s); the review and description policies apply to pull request #${pr.number} as of its head ${pr.headSha.slice(0, 7)}.`;
  log(note);
  return {
    repository: `${opts.owner}/${opts.repo}`,
    serverUrl: opts.serverUrl,
    pr,
    baseSha: group.baseSha,
    headSha: pr.headSha,
    files,
    commits: lists.commits,
    reviews: lists.reviews,
    base: new GitTree(opts.workspace, group.baseSha),
    head: head.tree,
    caps: lists.caps,
    listNotes: [note],
    mode: 'diff',
  };
}

/**
 * Publishes the check run on the merge group's head commit. The group's commit never moves (a new push
 * makes a new group), so there is no head to re-read, and a merge group has no conversation to comment
 * on. Never throws: refusals come back as warnings.
 */
export async function publishToMergeGroup(client: GitHubWriter, report: Report, opts: CheckRunOptions): Promise<PublishOutcome> {
  try {
    const checkRun = await publishCheckRun(client, report, opts);
    return { checkRun, warnings: checkRun.refused.map((r) => r.message), info: [...checkRun.published, ...checkRun.skipped] };
  } catch (err) {
    return { warnings: [`Publishing to the merge group failed: ${err instanceof Error ? err.message : String(err)}`], info: [] };
  }
}
