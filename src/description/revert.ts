/**
 * Recognising revert PRs. GitHub's "Revert" button opens a PR titled `Revert "<original title>"`, whose
 * body starts with `Reverts <owner>/<repo>#<number>`, from a branch named `revert-<number>-<original branch>`
 * (GitHub Docs, "Reverting a pull request"). People also title hand-made reverts `Revert ...`.
 */
import type { PullRequest } from '../core/model.js';

/** What is known about the PR a revert undoes. */
export interface RevertInfo {
  /** How the revert was recognised. */
  source: 'body' | 'title';
  /** Title of the reverted PR, from a `Revert "..."` title. */
  revertedTitle?: string;
  /** `owner/repo` of the reverted PR, from the body. */
  repository?: string;
  /** Number of the reverted PR. */
  number?: number;
  /** Web URL of the reverted PR, when its repository and number are known. */
  url?: string;
}

const BODY = /^\s*Reverts ([\w.-]+\/[\w.-]+)#(\d+)\b/m;
const TITLE_QUOTED = /^Revert "(.*)"\s*$/;
const TITLE = /^Revert\b/i;
const BRANCH = /^revert-(\d+)-/;

/**
 * Tells whether `pr` is a revert, and of which PR.
 * @param repository `owner/repo` of the change, for links when the body does not name one
 * @param serverUrl GitHub web UI base URL, for links
 */
export function detectRevert(pr: PullRequest, repository?: string, serverUrl = 'https://github.com'): RevertInfo | undefined {
  const body = BODY.exec(pr.body);
  const quoted = TITLE_QUOTED.exec(pr.title.trim());
  const branch = BRANCH.exec(pr.headRef);
  // The branch name alone does not make a revert (anyone can name a branch so); it only supplies the number.
  const source = body ? 'body' : TITLE.test(pr.title.trim()) ? 'title' : undefined;
  if (!source) return undefined;
  const repo = body?.[1] ?? repository;
  const number = body ? Number(body[2]) : branch ? Number(branch[1]) : undefined;
  return {
    source,
    ...(quoted ? { revertedTitle: quoted[1] } : {}),
    ...(repo ? { repository: repo } : {}),
    ...(number !== undefined ? { number } : {}),
    ...(repo && number !== undefined ? { url: `${serverUrl.replace(/\/+$/, '')}/${repo}/pull/${number}` } : {}),
  };
}
