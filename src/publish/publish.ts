/**
 * Publishing a report on the PR, in the order that keeps it honest: re-read the head (publish nothing
 * stale), create the check run (the comment links to it), then write the sticky comment. Never throws:
 * what GitHub refused comes back as warnings; the verdict, exit code, outputs and job summary are the
 * Action's and do not depend on any of this.
 */
import type { Report } from '../core/model.js';
import { type CheckRunResult, DEFAULT_CHECK_NAME, publishCheckRun } from './check-run.js';
import { emptyResult, type GitHubWriter, type RepoRef } from './client.js';
import { type CommentMode, type CommentResult, DEFAULT_COMMENT_AUTHOR, publishComment } from './comment.js';
import { checkHead } from './head-guard.js';

/** Values of the `draft-comment` input. */
export type DraftComment = 'post' | 'wait';

/** Options of {@link publishToPullRequest}, from the Action's inputs and the runner's environment. */
export interface PublishOptions extends RepoRef {
  /** The PR number. */
  pull: number;
  /** Input `check-name`; default `GitOps Gate`. */
  checkName?: string;
  /** Input `comment`; default `always`. */
  comment?: CommentMode;
  /** The login the token writes comments as; default `github-actions[bot]`. */
  commentAuthor?: string;
  /**
   * Input `draft-comment`: `post` (default) writes the sticky comment on drafts too; `wait` leaves it
   * until the pull request is ready for review (the `ready_for_review` run writes it).
   */
  draftComment?: DraftComment;
  /** The workflow run's URL (see `runUrl()`), for links from the check run and the comment. */
  runUrl?: string;
  /** Where the full report is, named when a summary must be shortened (Markdown). */
  fullReport?: string;
}

/** What was published, refused and skipped. */
export interface PublishOutcome {
  /** Set when the head moved (or could not be re-read): nothing was published. */
  stale?: string;
  checkRun?: CheckRunResult;
  comment?: CommentResult;
  /** One line per refused write, for `core.warning` and the job summary. */
  warnings: string[];
  /** One line per thing published or deliberately skipped, for `core.info`. */
  info: string[];
}

/**
 * Publishes the check run and the sticky comment for `report` (which must be about the PR's head as
 * it was when the run started: `report.change.headSha`).
 */
export async function publishToPullRequest(client: GitHubWriter, report: Report, opts: PublishOptions): Promise<PublishOutcome> {
  try {
    return await publish(client, report, opts);
  } catch (err) {
    // The parts catch what GitHub refuses; this is for bugs, which must not change the verdict either.
    const message = `Publishing to the pull request failed: ${err instanceof Error ? err.message : String(err)}`;
    return { warnings: [message], info: [] };
  }
}

async function publish(client: GitHubWriter, report: Report, opts: PublishOptions): Promise<PublishOutcome> {
  const guard = await checkHead(client, { owner: opts.owner, repo: opts.repo, pull: opts.pull }, report.change.headSha);
  if (!guard.ok) return { stale: guard.reason, warnings: [guard.reason], info: [] };
  const name = opts.checkName ?? DEFAULT_CHECK_NAME;
  const checkRun = await publishCheckRun(client, report, {
    owner: opts.owner,
    repo: opts.repo,
    headSha: guard.headSha,
    name,
    ...(opts.runUrl ? { detailsUrl: opts.runUrl } : {}),
    ...(opts.fullReport ? { fullReport: opts.fullReport } : {}),
  });
  const comment = opts.draftComment === 'wait' && report.change.pr?.draft
    ? { ...emptyResult(), skipped: ['sticky comment: the pull request is a draft (input draft-comment is wait); it is written once the pull request is ready for review'] }
    : await publishComment(client, report, {
    owner: opts.owner,
    repo: opts.repo,
    pull: opts.pull,
    mode: opts.comment ?? 'always',
    author: opts.commentAuthor ?? DEFAULT_COMMENT_AUTHOR,
    ...(name !== DEFAULT_CHECK_NAME ? { key: name } : {}),
    links: { ...(checkRun.checkRun?.url ? { checkRun: checkRun.checkRun.url } : {}), ...(opts.runUrl ? { run: opts.runUrl } : {}) },
  });
  return {
    checkRun,
    comment,
    warnings: [...checkRun.refused, ...comment.refused].map((r) => r.message),
    info: [...checkRun.published, ...comment.published, ...checkRun.skipped, ...comment.skipped],
  };
}
