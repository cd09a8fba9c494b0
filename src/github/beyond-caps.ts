/**
 * The part of a pull request GitHub's list endpoints leave out. `GET /pulls/{n}/files` lists at most
 * 3,000 files and `GET /pulls/{n}/commits` at most 250 commits; the PR's `changed_files` and `commits`
 * still count them all. Past a cap:
 *
 * - files come from the clone: `git diff` of the merge base and the head, which is what GitHub diffs
 *   (the README's `fetch-depth: 0` checkout holds both). GitHub has no API that lists them.
 * - commits come from GitHub's compare API, paged (GitHub documents paging as the way to list every
 *   commit of a large comparison), since only GitHub maps a commit's e-mail to the account that owns it;
 *   the clone's `git log` checks that the list is the whole of the change.
 *
 * When the whole change cannot be had, these functions throw: the gate never judges part of a change.
 */
import { SourceError } from '../core/errors.js';
import type { ChangedFile, Commit, PullRequest } from '../core/model.js';
import { changedFiles, cloneRange, commitsBetween } from '../sources/git.js';
import { commitFromApi } from '../sources/github-shapes.js';
import { needed } from './api-errors.js';
import type { GitHubClient } from './client.js';
import { MAX_COMMITS, MAX_FILES, PER_PAGE, type PullRef } from './pull-request.js';

/** A list made whole, and a sentence for the summary saying where it came from. */
export interface CompletedList<T> {
  items: T[];
  note: string;
}

const short = (sha: string): string => sha.slice(0, 12);

/**
 * Every changed file of a pull request GitHub listed only in part, from the clone: `git diff -M` of the
 * merge base and the head. The diff must agree with GitHub: every file GitHub listed (and the old path of
 * a rename) is in it, and its count fits the PR's `changed_files` (renames may be paired differently, so a
 * renamed path may count once or twice; nothing else may differ).
 * @param total the PR's `changed_files`
 * @param listed the files GitHub listed (the first 3,000)
 * @throws {SourceError} when the workspace is not a full clone holding the base and head commits, or
 * when its diff disagrees with GitHub
 */
export async function filesPastCap(workspace: string, pr: PullRequest, total: number, listed: readonly ChangedFile[]): Promise<CompletedList<ChangedFile>> {
  const range = await cloneRange(workspace, pr.baseSha, pr.headSha);
  if (!range.ok) {
    throw new SourceError(
      `GitHub lists at most ${MAX_FILES.toLocaleString('en-US')} files of a pull request and this one changes ${total}, so the rest must come from the clone, but ${range.why}. ` +
        'Check out the whole history (actions/checkout with `fetch-depth: 0`, as the README shows) so git can give the change; the gate fails closed rather than judge part of it.',
    );
  }
  const files = await changedFiles(workspace, range.mergeBase, pr.headSha);
  const renames = files.filter((f) => f.previousPath !== undefined).length;
  const removed = files.filter((f) => f.status === 'removed').length + renames;
  const added = files.filter((f) => f.status === 'added').length + renames;
  // Counting every path once (a rename as two), GitHub's count lies between that and that less the most pairs it could form.
  const paths = files.length + renames;
  const disagree = (why: string) =>
    new SourceError(
      `GitHub and the clone disagree on the files of pull request #${pr.number}: ${why}. The clone's diff (merge base ${short(range.mergeBase)} to the head ${short(pr.headSha)}) cannot stand in for the files ` +
        `GitHub did not list, so the gate fails closed. Re-run the job; if the pull request was updated meanwhile, the run for its new head evaluates it.`,
    );
  if (total > paths || total < paths - Math.min(removed, added)) throw disagree(`GitHub counts ${total} changed files, the clone's diff has ${files.length} (${renames} renamed)`);
  const touched = new Set(files.flatMap((f) => (f.previousPath === undefined ? [f.path] : [f.path, f.previousPath])));
  const unknown = listed.flatMap((f) => [f.path, ...(f.previousPath === undefined ? [] : [f.previousPath])]).find((p) => !touched.has(p));
  if (unknown !== undefined) throw disagree(`GitHub lists ${JSON.stringify(unknown)}, which the clone's diff does not touch`);
  return {
    items: files,
    note:
      `GitHub lists at most ${MAX_FILES.toLocaleString('en-US')} files of a pull request: the ${files.length} changed files were read from the clone ` +
      `(git diff of the merge base ${short(range.mergeBase)} and the head).`,
  };
}

/**
 * Every commit of a pull request GitHub listed only in part: the listed ones, then the rest from
 * `GET /repos/{o}/{r}/compare/{base}...{head}` pages of 100 (oldest first; one page for up to 350
 * commits), with GitHub's logins for authors and committers. Their number must be the PR's `commits`;
 * when the clone is a full one holding both commits, `git log base..head` (the commits of the head that
 * are not in the base, which are those past the merge base) must list the same commits.
 * @param total the PR's `commits`
 * @param listed the commits GitHub listed (the first 250)
 * @throws {SourceError} when a compare page cannot be read (naming `contents: read` on 401/403/404), when
 * GitHub's commits fall short of `total`, or when the clone disagrees with GitHub
 */
export async function commitsPastCap(
  gh: GitHubClient,
  ref: PullRef,
  workspace: string,
  pr: PullRequest,
  total: number,
  listed: readonly Commit[],
): Promise<CompletedList<Commit>> {
  const basehead = `${pr.baseSha}...${pr.headSha}`;
  const first = Math.floor(Math.min(listed.length, MAX_COMMITS) / PER_PAGE) + 1;
  const last = Math.ceil(total / PER_PAGE);
  // Known page numbers, read in parallel: not a walk of `Link` headers (src/github/paginate.ts), since the
  // PR's `commits` says how many pages there are, and the count of what came back is checked below.
  const pages = await Promise.all(
    Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i).map((page) =>
      needed({ what: `listing the commits past the ${MAX_COMMITS}th of pull request #${ref.number} (compare ${short(pr.baseSha)}...${short(pr.headSha)}, page ${page})`, permission: 'contents: read' }, () =>
        gh.rest.repos.compareCommitsWithBasehead({ owner: ref.owner, repo: ref.repo, basehead, per_page: PER_PAGE, page }),
      ),
    ),
  );
  const commits = [...listed];
  const seen = new Set(listed.map((c) => c.sha));
  for (const [i, res] of pages.entries()) {
    for (const [j, raw] of res.data.commits.entries()) {
      const c = commitFromApi(raw, `compare page ${first + i}, commit ${j + 1}`);
      if (seen.has(c.sha)) continue;
      seen.add(c.sha);
      commits.push(c);
    }
  }
  if (commits.length !== total) {
    throw new SourceError(
      `GitHub lists ${commits.length} of the ${total} commits of pull request #${ref.number} (the first ${MAX_COMMITS} from the pull request, the rest from compare): the list is incomplete, ` +
        'so the gate fails closed rather than judge part of the change. Re-run the job; if the pull request was updated meanwhile, the run for its new head evaluates it.',
    );
  }
  const range = await cloneRange(workspace, pr.baseSha, pr.headSha);
  const from = `GitHub lists at most ${MAX_COMMITS} commits of a pull request: the ${total} commits were read from GitHub (compare)`;
  if (!range.ok) return { items: commits, note: `${from}; the clone could not check them (${range.why}).` };
  const local = await commitsBetween(workspace, pr.baseSha, pr.headSha);
  const inClone = new Set(local.map((c) => c.sha));
  const onlyGitHub = commits.find((c) => !inClone.has(c.sha));
  const onlyClone = local.find((c) => !seen.has(c.sha));
  if (local.length !== total || onlyGitHub || onlyClone) {
    throw new SourceError(
      `GitHub and the clone disagree on the commits of pull request #${ref.number}: GitHub lists ${total}, the clone's git log ${short(pr.baseSha)}..${short(pr.headSha)} ${local.length}` +
        `${onlyGitHub ? `; ${onlyGitHub.sha} is only in GitHub's list` : ''}${onlyClone ? `; ${onlyClone.sha} is only in the clone` : ''}. ` +
        'The gate cannot tell who wrote the change, so it fails closed. Re-run the job; if the pull request was updated meanwhile, the run for its new head evaluates it.',
    );
  }
  return { items: commits, note: `${from} and checked against the clone (git log).` };
}
