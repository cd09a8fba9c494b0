/**
 * Reading a pull request through the REST API: the PR itself (re-read, since the event payload is
 * stale on re-runs), its changed files, commits and reviews. Lists are read 100 per page following the
 * `Link` header, up to GitHub's own caps (3,000 files, 250 commits).
 */
import type { ChangedFile, Commit, ListingCaps, PullRequest, Review } from '../core/model.js';
import { changedFileFromApi, commitFromApi, pullRequestFromApi, reviewFromApi } from '../sources/github-shapes.js';
import { needed } from './api-errors.js';
import type { GitHubClient } from './client.js';

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
/** Items per page: the API's maximum. */
export const PER_PAGE = 100;

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
 * Reads files, commits and reviews, in parallel, 100 per page. Files stop at {@link MAX_FILES} and
 * commits at {@link MAX_COMMITS}; `caps` says whether the PR has more than was listed.
 * @param totals the PR's own counts (`changed_files`, `commits`), from {@link readPullRequest}
 * @throws {SourceError} naming `pull-requests: read` on 401/403/404
 */
export async function readPullRequestLists(gh: GitHubClient, ref: PullRef, totals: { changedFiles: number; commits: number }): Promise<PullRequestLists> {
  const params = { owner: ref.owner, repo: ref.repo, pull_number: ref.number, per_page: PER_PAGE };
  const [rawFiles, rawCommits, rawReviews] = await Promise.all([
    needed({ what: `listing the files of pull request #${ref.number}`, permission: PR_PERMISSION }, () =>
      gh.paginate(gh.rest.pulls.listFiles, params),
    ),
    needed({ what: `listing the commits of pull request #${ref.number}`, permission: PR_PERMISSION }, () =>
      gh.paginate(gh.rest.pulls.listCommits, params),
    ),
    needed({ what: `listing the reviews of pull request #${ref.number}`, permission: PR_PERMISSION }, () =>
      gh.paginate(gh.rest.pulls.listReviews, params),
    ),
  ]);
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
