/**
 * What the audit reads from GitHub, through the Action's client (src/github/client.ts: Octokit with the
 * retry and throttling plugins). Requests are spent where the REST API has no bulk form, and batched
 * where it has one:
 *
 * - merged PRs: `GET /repos/{o}/{r}/pulls?state=closed&base=…&sort=updated` (100 a page, stopped once a
 *   page reaches PRs last updated before the period);
 * - a commit no listed PR claims: `GET /repos/{o}/{r}/commits/{sha}/pulls` (confirms a rebase, or a direct push);
 * - per PR: its reviews (`pulls/list-reviews`) and the gate's check run on its merged head
 *   (`checks/list-for-ref` with `check_name`), one request each for most PRs;
 * - break-glass comments: once for the whole repository (`GET /repos/{o}/{r}/issues/comments?since=…`), and a
 *   PR's label events only when it carries a break-glass label;
 * - a PR's commits (`pulls/list-commits`) only when its head is not in the clone;
 * - an approver's permission once per login.
 *
 * Every attempt (retries included) is counted by route for the report. A failed request throws a
 * {@link SourceError} that names the permission the token needs (src/github/api-errors.ts).
 */
import type { Commit, IssueComment, LabelEvent, Permission, Review } from '../core/model.js';
import { needed } from '../github/api-errors.js';
import type { GitHubClient } from '../github/client.js';
import { collectPages, linkPages } from '../github/paginate.js';
import { lookUpPermission } from '../review/gather.js';
import { commitFromApi, reviewFromApi } from '../sources/github-shapes.js';
import { isRecord } from '../core/values.js';

/** A merged pull request, as the list and the commit's-PRs endpoints give it. */
export interface MergedPull {
  number: number;
  url: string;
  title: string;
  body: string;
  author: string | null;
  authorType: string | null;
  labels: string[];
  baseRef: string;
  headRef: string;
  headSha: string;
  mergedAt: string;
  /** The commit the merge made on the base branch (merge commit, squash commit, or last rebased commit). */
  mergeCommitSha: string | null;
  createdAt: string;
}

/** The gate's latest check run of one name on one SHA; `undefined` when it never ran there. */
export interface CheckRunFact {
  status: string;
  conclusion: string | null;
  htmlUrl: string | null;
  detailsUrl: string | null;
}

const str = (v: unknown): v is string => typeof v === 'string';
const obj = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});

/** Maps a PR object of the REST API; `undefined` when it was not merged. */
export function mergedPullFromApi(p: unknown): MergedPull | undefined {
  const pr = obj(p);
  if (!str(pr.merged_at) || typeof pr.number !== 'number') return undefined;
  const user = obj(pr.user);
  return {
    number: pr.number,
    url: str(pr.html_url) ? pr.html_url : '',
    title: str(pr.title) ? pr.title : '',
    body: str(pr.body) ? pr.body : '',
    author: str(user.login) ? user.login : null,
    authorType: str(user.type) ? user.type : null,
    labels: Array.isArray(pr.labels) ? pr.labels.flatMap((l) => (str(obj(l).name) ? [obj(l).name as string] : [])) : [],
    baseRef: str(obj(pr.base).ref) ? (obj(pr.base).ref as string) : '',
    headRef: str(obj(pr.head).ref) ? (obj(pr.head).ref as string) : '',
    headSha: str(obj(pr.head).sha) ? (obj(pr.head).sha as string) : '',
    mergedAt: pr.merged_at,
    mergeCommitSha: str(pr.merge_commit_sha) ? pr.merge_commit_sha : null,
    createdAt: str(pr.created_at) ? pr.created_at : pr.merged_at,
  };
}

/**
 * The route of a request URL: a template (`/repos/{owner}/{repo}/pulls`) as given, or an expanded URL (pages
 * of `paginate`) without origin and query, with the repository, numbers and SHAs put back as placeholders.
 */
export function routeOf(url: string, owner: string, repo: string): string {
  if (!/^https?:/.test(url)) return url.split('?')[0]!;
  const path = new URL(url).pathname.replace(/^.*?\/repos\//, '/repos/');
  return path
    .replace(`/repos/${owner}/${repo}/`, '/repos/{owner}/{repo}/')
    .replace(/\/commits\/[0-9a-f]{40}\//, '/commits/{commit_sha}/')
    .replace(/\/pulls\/\d+\//, '/pulls/{pull_number}/')
    .replace(/\/issues\/\d+\//, '/issues/{issue_number}/');
}

/** The audit's view of one repository on GitHub. */
export class AuditGitHub {
  /** Requests by route (`GET /repos/{owner}/{repo}/pulls`), each page once, retries not included. */
  readonly requests = new Map<string, number>();
  /** HTTP attempts, retries included: the client's `onAttempt` calls {@link AuditGitHub.attempt}. */
  attempts = 0;
  private readonly permissions = new Map<string, Promise<Permission | { error: string }>>();
  private readonly owner: string;
  private readonly repo: string;

  /**
   * @param octokit the client from {@link createGitHubClient}
   * @param repository `owner/name`
   */
  constructor(
    private readonly octokit: GitHubClient,
    readonly repository: string,
  ) {
    [this.owner, this.repo] = repository.split('/') as [string, string];
    // Registered after the plugins, so this hook sees each request once; retries are counted by attempt().
    octokit.hook.before('request', (options) => {
      const route = `${options.method} ${routeOf(String(options.url), this.owner, this.repo)}`;
      this.requests.set(route, (this.requests.get(route) ?? 0) + 1);
    });
  }

  /** Counts one HTTP attempt (pass as the client's `onAttempt`). */
  attempt(): void {
    this.attempts++;
  }

  /** Requests so far, retries not included. */
  get calls(): number {
    return [...this.requests.values()].reduce((a, b) => a + b, 0);
  }

  /** Every item of a list, following the `Link` header (src/github/paginate.ts; no cap, so never truncated). */
  private async all(pages: AsyncIterable<{ data: unknown[]; headers?: { link?: string } }>): Promise<unknown[]> {
    return (await collectPages(linkPages(pages))).items;
  }

  private get base(): { owner: string; repo: string } {
    return { owner: this.owner, repo: this.repo };
  }

  /**
   * Merged PRs into `branch` last updated at or after `since` (a PR merged in the period was updated then or
   * later), newest update first; pages stop once one ends before `since`.
   */
  async mergedPulls(branch: string, since: string): Promise<MergedPull[]> {
    return needed({ what: `listing the pull requests merged into ${branch}`, permission: 'pull-requests: read' }, async () => {
      const pages = this.octokit.paginate.iterator('GET /repos/{owner}/{repo}/pulls', {
        ...this.base,
        state: 'closed',
        base: branch,
        sort: 'updated',
        direction: 'desc',
        per_page: 100,
      });
      const older = (p: unknown): boolean => str(obj(p).updated_at) && (obj(p).updated_at as string) < since;
      // Stops after the page that reaches PRs last updated before the period (an early stop, not a cap).
      const read = await collectPages<unknown>(linkPages(pages, 'the merged pull requests'), { until: (items) => items.some(older) });
      return read.items.flatMap((p) => mergedPullFromApi(p) ?? []);
    });
  }

  /** The merged PRs GitHub associates with a commit (`GET /repos/{o}/{r}/commits/{sha}/pulls`). */
  async pullsOfCommit(sha: string): Promise<MergedPull[]> {
    return needed({ what: `looking up the pull requests of commit ${sha.slice(0, 12)}`, permission: 'pull-requests: read' }, async () => {
      const data = await this.all(this.octokit.paginate.iterator('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', { ...this.base, commit_sha: sha, per_page: 100 }));
      return data.flatMap((p) => mergedPullFromApi(p) ?? []);
    });
  }

  /** Every review of a PR, in GitHub's (chronological) order. */
  async reviews(pr: number): Promise<Review[]> {
    return needed({ what: `reading the reviews of pull request #${pr}`, permission: 'pull-requests: read' }, async () => {
      const data = await this.all(this.octokit.paginate.iterator('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', { ...this.base, pull_number: pr, per_page: 100 }));
      return data.map((r, i) => reviewFromApi(r, `review ${i + 1} of pull request #${pr}`));
    });
  }

  /** A PR's commits (GitHub lists at most 250). */
  async pullCommits(pr: number): Promise<Commit[]> {
    return needed({ what: `reading the commits of pull request #${pr}`, permission: 'pull-requests: read' }, async () => {
      const data = await this.all(this.octokit.paginate.iterator('GET /repos/{owner}/{repo}/pulls/{pull_number}/commits', { ...this.base, pull_number: pr, per_page: 100 }));
      return data.map((c, i) => commitFromApi(c, `commit ${i + 1} of pull request #${pr}`));
    });
  }

  /** The latest check run named `name` on `sha`, or `undefined` when there is none. */
  async checkRun(sha: string, name: string): Promise<CheckRunFact | undefined> {
    return needed({ what: `reading the "${name}" check run of ${sha.slice(0, 12)}`, permission: 'checks: read' }, async () => {
      const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { ...this.base, ref: sha, check_name: name, filter: 'latest', per_page: 100 });
      const runs = (data.check_runs as unknown[]).map(obj).filter((r) => r.name === name && r.head_sha === sha);
      runs.sort((a, b) => String(b.started_at ?? '').localeCompare(String(a.started_at ?? '')) || Number(b.id) - Number(a.id));
      const r = runs[0];
      if (!r) return undefined;
      return {
        status: str(r.status) ? r.status : 'unknown',
        conclusion: str(r.conclusion) ? r.conclusion : null,
        htmlUrl: str(r.html_url) ? r.html_url : null,
        detailsUrl: str(r.details_url) ? r.details_url : null,
      };
    });
  }

  /** Issue and PR comments of the repository updated at or after `since`, by issue number. */
  async comments(since: string): Promise<Map<number, IssueComment[]>> {
    return needed({ what: 'reading the repository\'s pull request comments (break-glass commands)', permission: 'issues: read' }, async () => {
      const data = await this.all(this.octokit.paginate.iterator('GET /repos/{owner}/{repo}/issues/comments', { ...this.base, since, sort: 'created', direction: 'asc', per_page: 100 }));
      const out = new Map<number, IssueComment[]>();
      for (const c of data.map(obj)) {
        const n = str(c.issue_url) ? Number(/\/issues\/(\d+)$/.exec(c.issue_url)?.[1]) : NaN;
        if (!Number.isInteger(n) || typeof c.id !== 'number' || !str(c.created_at)) continue;
        const login = obj(c.user).login;
        out.set(n, [
          ...(out.get(n) ?? []),
          { id: c.id, author: str(login) ? { login } : {}, body: str(c.body) ? c.body : '', createdAt: c.created_at, ...(str(c.updated_at) ? { updatedAt: c.updated_at } : {}) },
        ]);
      }
      return out;
    });
  }

  /** `labeled`/`unlabeled` events of a PR. */
  async labelEvents(pr: number): Promise<LabelEvent[]> {
    return needed({ what: `reading the label events of pull request #${pr}`, permission: 'issues: read' }, async () => {
      const data = await this.all(this.octokit.paginate.iterator('GET /repos/{owner}/{repo}/issues/{issue_number}/events', { ...this.base, issue_number: pr, per_page: 100 }));
      return data.map(obj).flatMap((e): LabelEvent[] =>
        (e.event === 'labeled' || e.event === 'unlabeled') && str(obj(e.label).name) && str(e.created_at)
          ? [{ action: e.event, label: obj(e.label).name as string, actor: str(obj(e.actor).login) ? { login: obj(e.actor).login as string } : {}, createdAt: e.created_at }]
          : [],
      );
    });
  }

  /** A user's permission on the repository today (cached per login). */
  permission(login: string): Promise<Permission | { error: string }> {
    const key = login.toLowerCase();
    let p = this.permissions.get(key);
    if (!p) this.permissions.set(key, (p = lookUpPermission(this.octokit, this.owner, this.repo, login)));
    return p;
  }
}
