/**
 * Mapping GitHub's JSON (REST responses and webhook payloads, which share the pull request shape) onto
 * the model. Each mapper validates what it needs and throws the error its `fail` factory makes, naming the
 * field: by default a `GitHubResponseError` (GitHub sent a malformed answer); the CLI passes
 * `inputError` for the files it is given (`--pr`, `--reviews`), which are the user's to fix.
 */
import { responseError, type ShapeErrorFactory } from '../core/errors.js';
import type { ChangedFile, Commit, FileStatus, Identity, PullRequest, Review, ReviewState } from '../core/model.js';
import { identityFromEmail, parseCoAuthors } from './identity.js';
import { isRecord } from '../core/values.js';



function need<T>(v: unknown, ok: (x: unknown) => x is T, what: string, source: string, fail: ShapeErrorFactory): T {
  if (!ok(v)) throw fail(`${source}: ${what} is missing or has the wrong type`);
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
 * @throws what `fail` makes (`GitHubResponseError` by default) when a required field is missing
 */
export function pullRequestFromApi(pr: unknown, source = 'pull request', fail: ShapeErrorFactory = responseError): PullRequest {
  if (!isRecord(pr)) throw fail(`${source}: not a pull request object`);
  const base = need(pr.base, isRecord, 'base', source, fail);
  const head = need(pr.head, isRecord, 'head', source, fail);
  const labels = Array.isArray(pr.labels) ? pr.labels.flatMap((l) => (isRecord(l) && isStr(l.name) ? [l.name] : isStr(l) ? [l] : [])) : [];
  return {
    number: need(pr.number, isNum, 'number', source, fail),
    title: need(pr.title, isStr, 'title', source, fail),
    body: isStr(pr.body) ? pr.body : '',
    author: user(pr.user),
    labels,
    baseRef: isStr(base.ref) ? base.ref : '',
    headRef: isStr(head.ref) ? head.ref : '',
    baseSha: need(base.sha, isStr, 'base.sha', source, fail),
    headSha: need(head.sha, isStr, 'head.sha', source, fail),
    draft: pr.draft === true,
    ...(isStr(pr.html_url) ? { url: pr.html_url } : {}),
  };
}

const REVIEW_STATES = new Set<ReviewState>(['APPROVED', 'CHANGES_REQUESTED', 'COMMENTED', 'DISMISSED', 'PENDING']);

/**
 * A review from `GET /repos/{o}/{r}/pulls/{n}/reviews` (upper-case states) or a webhook `review`
 * (lower-case states).
 * @throws what `fail` makes (`GitHubResponseError` by default) when a required field is missing or the state is unknown
 */
export function reviewFromApi(r: unknown, source = 'review', fail: ShapeErrorFactory = responseError): Review {
  if (!isRecord(r)) throw fail(`${source}: not a review object`);
  const state = need(r.state, isStr, 'state', source, fail).toUpperCase() as ReviewState;
  if (!REVIEW_STATES.has(state)) throw fail(`${source}: unknown review state "${String(r.state)}"`);
  return {
    id: need(r.id, isNum, 'id', source, fail),
    reviewer: user(r.user),
    state,
    commitId: isStr(r.commit_id) ? r.commit_id : '',
    ...(isStr(r.submitted_at) ? { submittedAt: r.submitted_at } : {}),
    body: isStr(r.body) ? r.body : '',
    ...(isStr(r.author_association) ? { authorAssociation: r.author_association } : {}),
  };
}

/**
 * A commit from `GET /repos/{o}/{r}/pulls/{n}/commits`.
 * @throws what `fail` makes (`GitHubResponseError` by default) when a required field is missing
 */
export function commitFromApi(c: unknown, source = 'commit', fail: ShapeErrorFactory = responseError): Commit {
  if (!isRecord(c)) throw fail(`${source}: not a commit object`);
  const commit = need(c.commit, isRecord, 'commit', source, fail);
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
    sha: need(c.sha, isStr, 'sha', source, fail),
    author: person(commit.author, c.author),
    committer: person(commit.committer, c.committer),
    coAuthors: parseCoAuthors(message),
    message,
    ...(Array.isArray(c.parents) ? { parents: c.parents.flatMap((x) => (isRecord(x) && isStr(x.sha) ? [x.sha] : [])) } : {}),
  };
}

const FILE_STATUS = new Set<FileStatus>(['added', 'modified', 'removed', 'renamed', 'copied', 'changed', 'unchanged']);

/**
 * A changed file from `GET /repos/{o}/{r}/pulls/{n}/files`.
 * @throws what `fail` makes (`GitHubResponseError` by default) when a required field is missing
 */
export function changedFileFromApi(f: unknown, source = 'file', fail: ShapeErrorFactory = responseError): ChangedFile {
  if (!isRecord(f)) throw fail(`${source}: not a file object`);
  const status = need(f.status, isStr, 'status', source, fail) as FileStatus;
  return {
    path: need(f.filename, isStr, 'filename', source, fail),
    status: FILE_STATUS.has(status) ? status : 'changed',
    ...(isStr(f.previous_filename) ? { previousPath: f.previous_filename } : {}),
  };
}
