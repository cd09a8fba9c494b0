/**
 * A recording fake of the publishing layer's GitHub client: it keeps PRs, comments and check runs in
 * memory, records every request, answers like the REST API (pages of `per_page`), and can refuse
 * requests with a status, as GitHub does for read-only tokens.
 */
import type { GitHubResponse, GitHubWriter } from '../../src/publish/client.js';

/** A stored comment. */
export interface FakeComment {
  id: number;
  body: string;
  user: { login: string };
  html_url: string;
}

/** A stored check run with the requests that shaped it. */
export interface FakeCheckRun {
  id: number;
  name: string;
  head_sha: string;
  conclusion?: string;
  output: { title: string; summary: string };
  annotations: { path: string; start_line: number; annotation_level: string; message: string; title: string }[];
}

/** An HTTP error like Octokit's RequestError. */
export class FakeRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The recording fake. */
export class RecordingGitHub implements GitHubWriter {
  readonly requests: { route: string; params: Record<string, unknown> }[] = [];
  readonly comments: FakeComment[] = [];
  readonly checkRuns: FakeCheckRun[] = [];
  /** The PR's head SHA that `GET /pulls/{n}` returns. */
  headSha: string;
  /** Login the fake's token writes as. */
  login = 'github-actions[bot]';
  /** Routes (method and path template) to refuse, with the status. */
  refuse = new Map<string, number>();
  private nextId = 1000;

  constructor(headSha: string) {
    this.headSha = headSha;
  }

  /** Adds a comment written by `login`. */
  addComment(login: string, body: string): FakeComment {
    const c = { id: this.nextId++, body, user: { login }, html_url: `https://github.com/acme/deploy/pull/7#issuecomment-${this.nextId}` };
    this.comments.push(c);
    return c;
  }

  /** Requests whose route starts with `prefix` (for example `POST `). */
  calls(route: string): Record<string, unknown>[] {
    return this.requests.filter((r) => r.route === route).map((r) => r.params);
  }

  async request(route: string, params: Record<string, unknown> = {}): Promise<GitHubResponse> {
    this.requests.push({ route, params: structuredClone(params) });
    const status = this.refuse.get(route);
    if (status) throw new FakeRequestError(status, status === 403 ? 'Resource not accessible by integration' : 'Not Found');
    switch (route) {
      case 'GET /repos/{owner}/{repo}/pulls/{pull_number}':
        return { status: 200, data: { number: params.pull_number, head: { sha: this.headSha } } };
      case 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': {
        const per = Math.min(Number(params.per_page ?? 30), 100);
        const page = Number(params.page ?? 1);
        return { status: 200, data: structuredClone(this.comments.slice((page - 1) * per, page * per)) };
      }
      case 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': {
        const body = String(params.body);
        if (body.length > 65536) throw new FakeRequestError(422, 'Body is too long');
        return { status: 201, data: this.addComment(this.login, body) };
      }
      case 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': {
        const c = this.comments.find((x) => x.id === params.comment_id);
        if (!c) throw new FakeRequestError(404, 'Not Found');
        if (c.user.login !== this.login) throw new FakeRequestError(403, 'cannot edit another user\'s comment');
        const body = String(params.body);
        if (body.length > 65536) throw new FakeRequestError(422, 'Body is too long');
        c.body = body;
        return { status: 200, data: c };
      }
      case 'POST /repos/{owner}/{repo}/check-runs': {
        const run = { id: this.nextId++, name: String(params.name), head_sha: String(params.head_sha), conclusion: params.conclusion as string, output: { title: '', summary: '' }, annotations: [] };
        this.checkRuns.push(run);
        this.applyOutput(run, params.output);
        return { status: 201, data: { id: run.id, html_url: `https://github.com/acme/deploy/runs/${run.id}` } };
      }
      case 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}': {
        const run = this.checkRuns.find((r) => r.id === params.check_run_id);
        if (!run) throw new FakeRequestError(404, 'Not Found');
        this.applyOutput(run, params.output);
        return { status: 200, data: { id: run.id } };
      }
      default:
        throw new FakeRequestError(404, `fake GitHub does not serve ${route}`);
    }
  }

  /** Validates an `output` object as the API's schema does, and appends its annotations. */
  private applyOutput(run: FakeCheckRun, output: unknown): void {
    const o = output as { title?: unknown; summary?: unknown; annotations?: FakeCheckRun['annotations'] };
    if (typeof o?.title !== 'string' || typeof o.summary !== 'string') throw new FakeRequestError(422, 'output.title and output.summary are required');
    if (o.summary.length > 65535) throw new FakeRequestError(422, 'output.summary is too long');
    const anns = o.annotations ?? [];
    if (anns.length > 50) throw new FakeRequestError(422, 'at most 50 annotations per request');
    for (const a of anns) {
      if (!['notice', 'warning', 'failure'].includes(a.annotation_level)) throw new FakeRequestError(422, `bad annotation_level ${a.annotation_level}`);
      if (a.title.length > 255) throw new FakeRequestError(422, 'annotation title too long');
    }
    run.output = { title: o.title, summary: o.summary };
    run.annotations.push(...anns);
  }
}
