/**
 * Reading a pull request through the REST API: the PR itself (re-read, since the event payload is
 * stale on re-runs), its changed files, commits and reviews. Lists are read 100 per page following the
 * `Link` header, up to GitHub's own caps (3,000 files, 250 commits). A list that fails after its first
 * page, or ends short of the count the PR reports, fails closed: the gate never judges part of a change.
 */
import { SourceError } from '../core/errors.js';
import type { ChangedFile, Commit, ListingCaps, PullRequest, Review } from '../core/model.js';
import { changedFileFromApi, commitFromApi, pullRequestFromApi, reviewFromApi } from '../sources/github-shapes.js';
import { apiError, apiMessage, httpStatus, needed, type ApiNeed } from './api-errors.js';
import type { GitHubClient } from './client.js';
import { collectPages, linkPages, PER_PAGE } from './paginate.js';

/** Which pull request. */
export interface PullRef {
  owner: string;
  repo: string;
  number: number;
}

/** GitHub lists at most this many files of a PR (REST `GET /pulls/{n}/files`). */
export const MAX_FILES = 3000;
/** GitHub lists at most this many commits of a PR (REST `GET /pulls/{n}/commits`). */
export const MAX_COMMITS = 250;
export { PER_PAGE };

/** A pull request with the totals GitHub reports, to tell whether a listing was capped. */
export interface PullRequestWithTotals {
  pr: PullRequest;
  /** `changed_files` of the PR. */
  changedFiles: number;
  /** `commits` of the PR. */
  commits: number;
}

const PR_PERMISSION = 'pull-requests: read';

/**
 * `GET /repos/{owner}/{repo}/pulls/{number}`.
 * @throws {SourceError} naming `pull-requests: read` on 401/403/404
 */
export async function readPullRequest(gh: GitHubClient, ref: PullRef): Promise<PullRequestWithTotals> {
  const res = await needed({ what: `reading pull request #${ref.number}`, permission: PR_PERMISSION }, () =>
    gh.rest.pulls.get({ owner: ref.owner, repo: ref.repo, pull_number: ref.number }),
  );
  return { pr: pullRequestFromApi(res.data, `pull request #${ref.number}`), changedFiles: res.data.changed_files, commits: res.data.commits };
}

/** The lists of one pull request. */
export interface PullRequestLists {
  files: ChangedFile[];
  commits: Commit[];
  reviews: Review[];
  caps: ListingCaps;
}

/**
 * Maps the failure of a list's page (src/github/paginate.ts `onError`). A failure on the first page is
 * mapped by {@link apiError}. A 404 or 422 on a later page means the list changed or went away while it was
 * read (GitHub answers so for a page the `Link` header promised when the pull request moved on): that gets
 * its own message, since the token evidently may read the list.
 * @returns the {@link SourceError} to throw, naming the page
 */
export function pageError(err: unknown, read: number, need: ApiNeed): SourceError {
  if (read === 0) return apiError(err, need);
  const status = httpStatus(err);
  if (status === 404 || status === 422) {
    return new SourceError(
      `GitHub answered ${status} (${apiMessage(err)}) for page ${read + 1} while ${need.what}, after reading page${read > 1 ? `s 1-${read}` : ' 1'}: ` +
        'the list changed or went away while it was read (for example, the pull request was updated). Re-run the job; if the pull request moved on, the run for its new head evaluates it.',
      { cause: err },
    );
  }
  return apiError(err, { ...need, what: `${need.what} (page ${read + 1})` });
}

/**
 * Reads every page of a list, following the `Link` header (src/github/paginate.ts), with no page cap:
 * GitHub's own caps are found by the caller against the PR's counts.
 * @throws {SourceError} naming the page, when a page cannot be read (see {@link pageError})
 */
export async function readPages<T>(pages: AsyncIterable<{ data: T[]; headers?: { link?: string } }>, need: ApiNeed): Promise<T[]> {
  const read = await collectPages(linkPages(pages, need.what), { onError: (err, n) => pageError(err, n, need) });
  return read.items;
}

/**
 * Fails closed when a list ended short of the count the pull request reports (up to GitHub's cap): a
 * page came back empty or short, so part of the change would go unjudged.
 * @throws {SourceError} when `listed` is below `min(total, cap)`
 */
function requireComplete(listed: number, total: number, cap: number, what: string, number: number): void {
  if (listed >= Math.min(total, cap)) return;
  throw new SourceError(
    `GitHub listed ${listed} of the ${total} ${what} of pull request #${number} (its ${what === 'files' ? 'changed_files' : 'commits'}): the list is incomplete, ` +
      'so the gate fails closed rather than judge part of the change. Re-run the job; if the pull request was updated meanwhile, the run for its new head evaluates it.',
  );
}

/**
 * Reads files, commits and reviews, in parallel, 100 per page. Files stop at {@link MAX_FILES} and
 * commits at {@link MAX_COMMITS}; `caps` says whether the PR has more than was listed.
 * @param totals the PR's own counts (`changed_files`, `commits`), from {@link readPullRequest}
 * @throws {SourceError} naming `pull-requests: read` on 401/403/404, naming the page when a later page
 * fails, and when a list ends short of the PR's own count
 */
export async function readPullRequestLists(gh: GitHubClient, ref: PullRef, totals: { changedFiles: number; commits: number }): Promise<PullRequestLists> {
  const params = { owner: ref.owner, repo: ref.repo, pull_number: ref.number, per_page: PER_PAGE };
  const need = (list: string): ApiNeed => ({ what: `listing the ${list} of pull request #${ref.number}`, permission: PR_PERMISSION });
  const [rawFiles, rawCommits, rawReviews] = await Promise.all([
    readPages(gh.paginate.iterator(gh.rest.pulls.listFiles, params), need('files')),
    readPages(gh.paginate.iterator(gh.rest.pulls.listCommits, params), need('commits')),
    readPages(gh.paginate.iterator(gh.rest.pulls.listReviews, params), need('reviews')),
  ]);
  requireComplete(rawFiles.length, totals.changedFiles, MAX_FILES, 'files', ref.number);
  requireComplete(rawCommits.length, totals.commits, MAX_COMMITS, 'commits', ref.number);
  const files = rawFiles.slice(0, MAX_FILES).map((f, i) => changedFileFromApi(f, `pull request file ${i + 1}`));
  const commits = rawCommits.slice(0, MAX_COMMITS).map((c, i) => commitFromApi(c, `pull request commit ${i + 1}`));
  const reviews = rawReviews.map((r, i) => reviewFromApi(r, `pull request review ${i + 1}`));
  return {
    files,
    commits,
    reviews,
    caps: {
      filesTruncated: totals.changedFiles > files.length || rawFiles.length > MAX_FILES,
      commitsTruncated: totals.commits > commits.length || rawCommits.length > MAX_COMMITS,
    },
  };
}
