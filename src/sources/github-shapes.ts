/**
 * Mapping GitHub's JSON (REST responses and webhook payloads, which share the pull request shape) onto
 * the model. Each mapper validates what it needs and throws a {@link UsageError} naming the field.
 */
import { UsageError } from '../core/errors.js';
import type { ChangedFile, Commit, FileStatus, Identity, PullRequest, Review, ReviewState } from '../core/model.js';
import { identityFromEmail, parseCoAuthors } from './identity.js';
import { isRecord } from '../core/values.js';



function need<T>(v: unknown, ok: (x: unknown) => x is T, what: string, source: string): T {
  if (!ok(v)) throw new UsageError(`${source}: ${what} is missing or has the wrong type`);
  return v;
}
const isStr = (x: unknown): x is string => typeof x === 'string';
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function user(v: unknown): Identity {
  if (!isRecord(v)) return {};
  return { ...(isStr(v.login) ? { login: v.login } : {}), ...(isStr(v.type) ? { type: v.type } : {}) };
}

/**
 * A pull request from `GET /repos/{o}/{r}/pulls/{n}` or from a `pull_request` webhook payload's
 * `pull_request` object.
 * @throws {UsageError} when a required field is missing
 */
export function pullRequestFromApi(pr: unknown, source = 'pull request'): PullRequest {
  if (!isRecord(pr)) throw new UsageError(`${source}: not a pull request object`);
  const base = need(pr.base, isRecord, 'base', source);
  const head = need(pr.head, isRecord, 'head', source);
  const labels = Array.isArray(pr.labels) ? pr.labels.flatMap((l) => (isRecord(l) && isStr(l.name) ? [l.name] : isStr(l) ? [l] : [])) : [];
  return {
    number: need(pr.number, isNum, 'number', source),
    title: need(pr.title, isStr, 'title', source),
    body: isStr(pr.body) ? pr.body : '',
    author: user(pr.user),
    labels,
    baseRef: isStr(base.ref) ? base.ref : '',
    headRef: isStr(head.ref) ? head.ref : '',
    baseSha: need(base.sha, isStr, 'base.sha', source),
    headSha: need(head.sha, isStr, 'head.sha', source),
    draft: pr.draft === true,
    ...(isStr(pr.html_url) ? { url: pr.html_url } : {}),
  };
}

const REVIEW_STATES = new Set<ReviewState>(['APPROVED', 'CHANGES_REQUESTED', 'COMMENTED', 'DISMISSED', 'PENDING']);

/**
 * A review from `GET /repos/{o}/{r}/pulls/{n}/reviews` (upper-case states) or a webhook `review`
 * (lower-case states).
 * @throws {UsageError} when a required field is missing or the state is unknown
 */
export function reviewFromApi(r: unknown, source = 'review'): Review {
  if (!isRecord(r)) throw new UsageError(`${source}: not a review object`);
  const state = need(r.state, isStr, 'state', source).toUpperCase() as ReviewState;
  if (!REVIEW_STATES.has(state)) throw new UsageError(`${source}: unknown review state "${String(r.state)}"`);
  return {
    id: need(r.id, isNum, 'id', source),
    reviewer: user(r.user),
    state,
    commitId: isStr(r.commit_id) ? r.commit_id : '',
    ...(isStr(r.submitted_at) ? { submittedAt: r.submitted_at } : {}),
    body: isStr(r.body) ? r.body : '',
    ...(isStr(r.author_association) ? { authorAssociation: r.author_association } : {}),
  };
}

/** A commit from `GET /repos/{o}/{r}/pulls/{n}/commits`. */
export function commitFromApi(c: unknown, source = 'commit'): Commit {
  if (!isRecord(c)) throw new UsageError(`${source}: not a commit object`);
  const commit = need(c.commit, isRecord, 'commit', source);
  const person = (git: unknown, gh: unknown): Identity => {
    const g = isRecord(git) ? git : {};
    const email = isStr(g.email) ? g.email : undefined;
    return {
      ...(isStr(g.name) ? { name: g.name } : {}),
      ...(email ? { email, ...identityFromEmail(email) } : {}),
      ...user(gh),
    };
  };
  const message = isStr(commit.message) ? commit.message : '';
  return {
    sha: need(c.sha, isStr, 'sha', source),
    author: person(commit.author, c.author),
    committer: person(commit.committer, c.committer),
    coAuthors: parseCoAuthors(message),
    message,
    ...(Array.isArray(c.parents) ? { parents: c.parents.flatMap((x) => (isRecord(x) && isStr(x.sha) ? [x.sha] : [])) } : {}),
  };
}

const FILE_STATUS = new Set<FileStatus>(['added', 'modified', 'removed', 'renamed', 'copied', 'changed', 'unchanged']);

/** A changed file from `GET /repos/{o}/{r}/pulls/{n}/files`. */
export function changedFileFromApi(f: unknown, source = 'file'): ChangedFile {
  if (!isRecord(f)) throw new UsageError(`${source}: not a file object`);
  const status = need(f.status, isStr, 'status', source) as FileStatus;
  return {
    path: need(f.filename, isStr, 'filename', source),
    status: FILE_STATUS.has(status) ? status : 'changed',
    ...(isStr(f.previous_filename) ? { previousPath: f.previous_filename } : {}),
  };
}
