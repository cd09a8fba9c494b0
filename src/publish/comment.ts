/**
 * The sticky PR comment: one comment per PR, found again by a hidden marker AND by its author being the
 * token's own identity, updated in place on every run, created only when there is none. A comment
 * someone else wrote is never edited, even when it contains the marker (anyone can paste it).
 *
 * The comment is short: verdict, what blocks, what is missing, and links to the check run and the job
 * summary. GitHub rejects comment bodies over 65,536 characters (422 "Body is too long").
 */
import type { Report } from '../core/model.js';
import { runContextFromEnv } from '../report/audit-record.js';
import { describeBlockers } from '../report/blockers.js';
import type { ReviewDetails } from '../review/details.js';
import { type Block, fitBlocks, LIMITS } from '../report/limits.js';
import { changeLine, verdictLabel } from '../report/markdown.js';
import { emphasis, heading, type Inline, link, list, login, paragraph, quote, serialize, strong, text, untrusted } from '../report/md.js';
import { collectPages, numberedPages } from '../github/paginate.js';
import { emptyResult, type GitHubWriter, type PublishResult, refusal, type RepoRef } from './client.js';

/** The hidden marker that identifies the gate's sticky comment. */
export const STICKY_MARKER = '<!-- gitops-gate:sticky -->';

/**
 * The login comments made with the workflow's `GITHUB_TOKEN` are authored by. With a GitHub App
 * installation token it is `<app-slug>[bot]`; with a personal access token, the user's login.
 * (`GET /user` is refused for installation tokens, so the identity is an input, not looked up.)
 */
export const DEFAULT_COMMENT_AUTHOR = 'github-actions[bot]';

/** Input `comment`: when to post the sticky comment. */
export type CommentMode = 'always' | 'on-failure' | 'never';

/** Links the comment points to. */
export interface CommentLinks {
  /** The check run's web page (`html_url` of the created check run). */
  checkRun?: string;
  /** The workflow run, whose page shows the job summary: `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}`. */
  run?: string;
}

/** Options of {@link publishComment}. */
export interface CommentOptions extends RepoRef {
  /** The PR number. */
  pull: number;
  /** Input `comment`. */
  mode: CommentMode;
  /** Login of the token's identity; only its comments are updated. Default {@link DEFAULT_COMMENT_AUTHOR}. */
  author?: string;
  links?: CommentLinks;
  /** Check name, to tell apart the comments of several gates on one PR (default: one shared marker). */
  key?: string;
}

/** What {@link publishComment} did. */
export interface CommentResult extends PublishResult {
  /** The comment written (created or updated). */
  comment?: { id: number; url?: string; created: boolean };
}

/** The URL of a workflow run (whose page shows the job summary), from the runner's environment; undefined outside Actions. */
export function runUrl(env: Record<string, string | undefined> = process.env): string | undefined {
  return runContextFromEnv(env).url;
}

/** The marker for `key` (the shared marker when there is none). */
export function stickyMarker(key?: string): string {
  if (!key) return STICKY_MARKER;
  // Keep the key from closing the HTML comment or spanning lines.
  return `<!-- gitops-gate:sticky key=${key.replace(/--+|>|\r|\n/g, '_')} -->`;
}

/** True when `comment` is the gate's own sticky comment: it carries the marker and `author` wrote it. */
export function isOwnSticky(comment: { body?: string | null; user?: { login?: string } | null }, author: string, marker = STICKY_MARKER): boolean {
  const login = comment.user?.login;
  if (!login || login.toLowerCase() !== author.toLowerCase()) return false;
  return (comment.body ?? '').split('\n').some((line) => line.trim() === marker);
}

/**
 * The comment's Markdown: verdict, the change in one line, what blocks, what is missing, links.
 * At most 65,536 characters; long lists are cut first, pointing to the check run and job summary.
 */
export function renderComment(report: Report, links: CommentLinks = {}, marker = STICKY_MARKER): string {
  const { blocks, missing } = describeBlockers(report, 15);
  const linkList: Inline[] = [...(links.checkRun ? [link(links.checkRun, text('check run'))] : []), ...(links.run ? [link(links.run, text('job summary'))] : [])];
  const linkLine: Inline = linkList.flatMap((l, i) => (i ? [text(' · '), l] : [l]));
  const pointer: Inline = linkList.length ? [text('the full report is in the '), linkLine] : text('the full report is in the job summary of the workflow run');
  const leftOut = (what: string) => serialize([paragraph(emphasis(text(`${what} left out to fit GitHub's size limit: `), pointer, text('.')))]);
  // The marker is the gate's own HTML comment, on its own line right above the heading.
  const parts: Block[] = [{ id: 'verdict', priority: 100, variants: [`${marker}\n${serialize([heading(3, text(`GitOps Gate: ${verdictLabel(report)}`)), paragraph(changeLine(report))])}`] }];
  if (report.override) {
    parts.push({ id: 'override', priority: 90, variants: [serialize([quote(strong(text('Break-glass override')), text(' by '), login(report.override.by), text(': '), untrusted(report.override.reason))])] });
  }
  if (blocks.length) parts.push({ id: 'blocks', priority: 50, variants: [serialize([paragraph(strong(text('What blocks:'))), list(blocks)]), leftOut('What blocks was')] });
  if (missing.length) parts.push({ id: 'missing', priority: 60, variants: [serialize([paragraph(strong(text('What is missing:'))), list(missing)]), leftOut('What is missing was')] });
  const notCounted = notCountedItems(report);
  if (notCounted.length) {
    const title = paragraph(strong(text('Approvals that did not count:')));
    parts.push({
      id: 'not-counted',
      priority: 55,
      variants: [
        serialize([title, list(notCounted)]),
        ...(notCounted.length > 5 ? [serialize([title, list([...notCounted.slice(0, 5), [text(`… and ${notCounted.length - 5} more: `), pointer, text('.')]])])] : []),
        leftOut(`Why ${notCounted.length} approval(s) did not count was`),
      ],
    });
  }
  if (report.verdict === 'pass' && !blocks.length && !missing.length) parts.push({ id: 'ok', priority: 50, variants: ['Nothing blocks this change.'] });
  parts.push({ id: 'links', priority: 95, variants: [serialize([paragraph(text('Details: '), linkList.length ? linkLine : text('see the job summary of the workflow run'), text('.'))])] });
  return fitBlocks(parts, { max: LIMITS.commentChars, unit: 'chars' }, serialize([paragraph(emphasis(text("Cut to fit GitHub's size limit: "), pointer, text('.')))])).text;
}

/**
 * One list item per approval that did not count, with every reason (read-only permission, stale,
 * co-author, ...), so the PR's conversation says it and not only the job summary. Reasons are cut at a
 * word boundary.
 */
function notCountedItems(report: Report): Inline[] {
  const d = report.details.review as ReviewDetails | undefined;
  return (d?.approvals ?? []).filter((a) => !a.counted).map((a) => [login(a.reviewer), text(': '), untrusted(a.reasons.map((r) => r.text).join('; ') || a.reason, 300)]);
}

/**
 * Finds the gate's sticky comment among the PR's comments (all pages of 100). Only comments with the
 * marker written by `author` count; the oldest is the sticky one.
 * @throws the request error, or a `GitHubResponseError` when a page is not a list (the caller turns either
 * into a refusal)
 */
export async function findStickyComment(client: GitHubWriter, opts: RepoRef & { pull: number; author: string; marker: string }): Promise<{ id: number; html_url?: string } | undefined> {
  type Comment = { id: number; html_url?: string; body?: string | null; user?: { login?: string } | null };
  const own = (items: readonly unknown[]) => (items as Comment[]).find((c) => isOwnSticky(c, opts.author, opts.marker));
  // Stops at the page holding the sticky comment; no cap, so the list is never truncated.
  const pages = numberedPages(client, 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner: opts.owner, repo: opts.repo, issue_number: opts.pull });
  const read = await collectPages(pages, { until: (items) => own(items) !== undefined });
  return own(read.items);
}

/**
 * Creates or updates the sticky comment according to `mode`:
 * `always` writes it; `on-failure` writes it on a failing verdict and, on a passing one, only updates
 * an existing comment (so it no longer shows an old failure) without creating one; `never` does nothing.
 * Never throws: refused requests are listed with the permission to grant.
 */
export async function publishComment(client: GitHubWriter, report: Report, opts: CommentOptions): Promise<CommentResult> {
  const result: CommentResult = emptyResult();
  if (opts.mode === 'never') {
    result.skipped.push('comment: the `comment` input is `never`');
    return result;
  }
  const author = opts.author ?? DEFAULT_COMMENT_AUTHOR;
  const marker = stickyMarker(opts.key);
  let existing: { id: number; html_url?: string } | undefined;
  try {
    existing = await findStickyComment(client, { owner: opts.owner, repo: opts.repo, pull: opts.pull, author, marker });
  } catch (err) {
    result.refused.push(refusal(`list comments of PR #${opts.pull}`, err, 'pull-requests: read'));
    return result;
  }
  if (!existing && opts.mode === 'on-failure' && report.verdict === 'pass') {
    result.skipped.push('comment: the verdict is pass and `comment` is `on-failure`, and there is no earlier comment to update');
    return result;
  }
  const body = renderComment(report, opts.links, marker);
  try {
    if (existing) {
      const res = await client.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { owner: opts.owner, repo: opts.repo, comment_id: existing.id, body });
      const url = (res.data as { html_url?: unknown } | undefined)?.html_url;
      result.comment = { id: existing.id, created: false, ...(typeof url === 'string' ? { url } : {}) };
      result.published.push(`updated comment ${existing.id} on PR #${opts.pull}`);
    } else {
      const res = await client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner: opts.owner, repo: opts.repo, issue_number: opts.pull, body });
      const data = res.data as { id?: unknown; html_url?: unknown };
      result.comment = { id: Number(data.id), created: true, ...(typeof data.html_url === 'string' ? { url: data.html_url } : {}) };
      result.published.push(`created comment ${result.comment.id} on PR #${opts.pull}`);
    }
  } catch (err) {
    const what = existing ? `update comment ${existing.id} on PR #${opts.pull}` : `create a comment on PR #${opts.pull}`;
    result.refused.push(refusal(what, err, 'pull-requests: write'));
  }
  return result;
}
