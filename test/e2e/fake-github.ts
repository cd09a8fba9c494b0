/**
 * A fake GitHub REST API on 127.0.0.1 for end-to-end tests of the built Action.
 *
 * Every request it receives and every response it sends is validated against the pruned official
 * OpenAPI description (test/e2e/openapi/github-subset.json, made by scripts/prune-openapi.mjs): a request
 * GitHub would reject, or a fixture GitHub would never send, is recorded in `problems`, and the request
 * gets a 400 so the Action sees the mistake too. Tests assert `problems` is empty.
 *
 * State is scripted per test: pull requests (with files, commits, reviews), commits' file trees (for the
 * contents and git trees APIs), permissions and teams, and it is stateful for the publishing work (check
 * runs and issue comments are stored and can be updated). Faults (a status, a delay, a connection
 * reset) can be queued per operation. Every request is recorded for assertions on pagination and counts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { OpenAPIBackend, type Operation } from 'openapi-backend';
import addFormats from 'ajv-formats';

type Json = Record<string, unknown>;
type Schema = Json;

const SPEC = JSON.parse(readFileSync(new URL('./openapi/github-subset.json', import.meta.url), 'utf8')) as Json;

/** One request as the fake saw it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  operationId?: string;
  /** The status answered; -1 for a connection reset before answering, -2 for a body cut off by a reset. */
  status: number;
  body?: unknown;
  /** When the request arrived: `performance.now()` of the process running the fake, in ms. */
  at: number;
}

/** A fault to inject into the next matching request(s) of one operation. */
export interface Fault {
  /** Answer with this status (and `body`, default `{ message }` as GitHub sends). */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long (ms) before answering (or before the status fault). */
  delayMs?: number;
  /** Destroy the connection instead of answering. */
  reset?: boolean;
  /** Answer normally but destroy the connection halfway through the body (headers already sent). */
  truncate?: boolean;
  /** Only requests for this page of a list (`page` query parameter, 1 when absent). */
  page?: number;
  /** How many requests this fault applies to (default 1). */
  times?: number;
}

/** The message GitHub sends with a secondary rate limit (the Octokit throttling plugin matches "secondary rate"). */
export const SECONDARY_RATE_LIMIT_MESSAGE =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:1111:2222.';

/**
 * A primary rate limit as GitHub answers it: `status` 403 or 429, `x-ratelimit-remaining: 0`, the reset
 * time `resetInS` seconds from now, and `retry-after` when given.
 */
export function primaryRateLimit(status: 403 | 429, resetInS: number, retryAfterS?: number): Fault {
  return {
    status,
    body: { message: 'API rate limit exceeded for installation ID 4242.', documentation_url: 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api' },
    headers: {
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + resetInS),
      ...(retryAfterS !== undefined ? { 'retry-after': String(retryAfterS) } : {}),
    },
  };
}

/** A secondary rate limit as GitHub answers it: 403 with `retry-after` and {@link SECONDARY_RATE_LIMIT_MESSAGE}. */
export function secondaryRateLimit(retryAfterS: number): Fault {
  return {
    status: 403,
    body: { message: SECONDARY_RATE_LIMIT_MESSAGE, documentation_url: 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits' },
    headers: { 'retry-after': String(retryAfterS) },
  };
}

/** GitHub lists at most this many files of a pull request (`pulls/list-files`). */
export const MAX_PULL_FILES = 3000;
/** GitHub lists at most this many commits of a pull request (`pulls/list-commits`). */
export const MAX_PULL_COMMITS = 250;

/** A scripted pull request. */
export interface FakePull {
  pull: Json;
  /** Every changed file; `pulls/list-files` lists the first 3,000. */
  files: Json[];
  /** Every commit, oldest first; `pulls/list-commits` lists the first 250, compare lists them all. */
  commits: Json[];
  reviews: Json[];
  /** Issue events (`labeled`, `unlabeled`, ...) as `GET /repos/{o}/{r}/issues/{n}/events` lists them. */
  events?: Json[];
  /** Someone pushes while the gate runs: after this many reads of the PR, its head is `sha`. */
  pushAfterReads?: { reads: number; sha: string };
  /** The merge base compare reports (`merge_base_commit.sha`) when the base branch moved on; default the base. */
  mergeBase?: string;
}

/** One entry of a git tree object. */
interface GitTreeEntry {
  name: string;
  /** `100644`, `100755`, `120000` (a link) or `040000` (a subtree), as the git trees API writes them. */
  mode: string;
  sha: string;
}

/** What a handler returns. */
interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface HandlerContext {
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  path: string;
}

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep-merges plain objects (arrays and scalars in `over` replace). */
export function merge<T>(base: T, over: unknown): T {
  if (!isObj(base) || !isObj(over)) return (over === undefined ? base : over) as T;
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(out[k], v);
  return out as T;
}

function resolveRef(ref: string): Schema {
  const [, , kind, name] = ref.split('/');
  return ((SPEC.components as Json)[kind!] as Json)[name!] as Schema;
}

/**
 * The smallest value valid against `schema`: required properties only, `null` where nullable, the
 * first enum value, empty arrays. Fixtures start from it and override what a scenario needs.
 */
export function sampleFromSchema(schema: Schema): unknown {
  if (typeof schema.$ref === 'string') return sampleFromSchema(resolveRef(schema.$ref));
  if (Array.isArray(schema.allOf)) return (schema.allOf as Schema[]).reduce<unknown>((acc, s) => merge(acc, sampleFromSchema(s)), {});
  const alt = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (alt) {
    const nonNull = alt.find((s) => s.type !== 'null');
    return nonNull ? sampleFromSchema(nonNull) : null;
  }
  if (schema.nullable === true) return null;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  switch (schema.type) {
    case 'object': {
      const out: Json = {};
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      for (const k of (schema.required ?? []) as string[]) out[k] = props[k] ? sampleFromSchema(props[k]) : {};
      return out;
    }
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    case 'string':
      switch (schema.format) {
        case 'date-time':
          return '2026-01-01T00:00:00Z';
        case 'uri':
          return 'https://github.test/x';
        case 'email':
          return 'someone@example.com';
        default:
          return 'x';
      }
    default:
      return properties(schema) ? sampleFromSchema({ ...schema, type: 'object' }) : {};
  }
}

function properties(schema: Schema): boolean {
  return isObj(schema.properties);
}

/** A full `simple-user` object (as GitHub embeds users in PRs, reviews, commits). */
export function simpleUser(login: string, type = 'User'): Json {
  return merge(sampleFromSchema(resolveRef('#/components/schemas/simple-user')) as Json, {
    login,
    type,
    html_url: `https://github.test/${encodeURIComponent(login)}`,
  });
}

/** The success response schema of an operation (for building fixtures). */
function responseSchema(operationId: string, status = 200): Schema {
  for (const item of Object.values(SPEC.paths as Json)) {
    for (const op of Object.values(item as Json)) {
      const o = op as Json;
      if (o.operationId !== operationId) continue;
      let res = (o.responses as Json)[String(status)] as Schema;
      if (typeof res.$ref === 'string') res = resolveRef(res.$ref);
      const schema = ((res.content as Json)['application/json'] as Json).schema as Schema;
      return schema;
    }
  }
  throw new Error(`no operation ${operationId} in the OpenAPI subset`);
}

/** A fixture for one operation's response: the minimal valid value merged with `over`. */
export function fixture(operationId: string, over: unknown = {}, status = 200): Json {
  let schema = responseSchema(operationId, status);
  if (schema.type === 'array') schema = schema.items as Schema;
  return merge(sampleFromSchema(schema) as Json, over);
}

let backend: Promise<OpenAPIBackend> | undefined;

/** The OpenAPI validator, initialised once per test process (dereferencing the description is slow). */
function contract(): Promise<OpenAPIBackend> {
  backend ??= (async () => {
    const api = new OpenAPIBackend({
      definition: structuredClone(SPEC) as never,
      strict: false,
      validate: true,
      ajvOpts: { strict: false },
      customizeAjv: (ajv) => {
        addFormats.default(ajv);
        return ajv;
      },
    });
    await api.init();
    return api;
  })();
  return backend;
}

/** The fake server. Create with {@link FakeGitHub.start}; close with {@link FakeGitHub.close}. */
export class FakeGitHub {
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  /** Contract violations: requests or responses that do not match GitHub's OpenAPI description. */
  readonly problems: string[] = [];
  /** The token the fake accepts (`Authorization: token …`); other tokens get 401. */
  token = 'test-token';
  /**
   * A read-only token, as GitHub gives fork PRs and `pull_request_review` runs from forks: every
   * request that is not a GET answers 403 "Resource not accessible by integration".
   */
  readOnly = false;
  /** Requests left in the rate-limit window, reported in `x-ratelimit-*` headers as GitHub does. */
  rateLimitRemaining = 1000;
  /**
   * When set, the fake refuses as GitHub does once {@link rateLimitRemaining} is used up: every later
   * request answers 403 "API rate limit exceeded" ({@link primaryRateLimit}, resetting in an hour).
   */
  enforceRateLimit = false;
  readonly pulls = new Map<number, FakePull>();
  /** File trees by commit SHA, for the contents and git trees APIs. */
  readonly trees = new Map<string, Record<string, string>>();
  /**
   * Symbolic links by commit SHA (path → target text); their paths are in `trees` too. The git trees API lists
   * them with mode 120000; the contents API answers, as GitHub documents, with the content of the file when the
   * link leads to a normal file of the repository (the fake names that file in `path`), else with the link itself
   * (`type: symlink`, `target`).
   */
  readonly links = new Map<string, Record<string, string>>();
  /**
   * Commit or tree SHAs whose recursive git tree listing the fake reports as truncated (GitHub's 100,000-entry
   * limit): it sends half the entries and `truncated: true`; the same tree without `recursive` is whole.
   */
  readonly truncatedTrees = new Set<string>();
  /** Repository permission levels by login (`admin`, `write`, `read`, ... with `role_name`). */
  readonly permissions = new Map<string, { permission: string; role_name: string }>();
  /** Team members by team slug. */
  readonly teams = new Map<string, string[]>();
  /** Issue comments, stored as GitHub returns them. */
  readonly comments: Json[] = [];
  /** Check runs, stored as GitHub returns them. */
  readonly checkRuns: Json[] = [];
  /** The app the token acts as: the `app` of the check runs it creates (`github-actions` for `GITHUB_TOKEN`). */
  appSlug = 'github-actions';
  /** Commit statuses, with the SHA they were set on. */
  readonly statuses: { sha: string; status: Json }[] = [];
  /**
   * Pull request numbers by commit SHA, for `GET /repos/{o}/{r}/commits/{sha}/pulls` (GitHub: the PRs that
   * contain the commit). A PR whose `merge_commit_sha` or listed commits hold the SHA is found without it.
   */
  readonly commitPulls = new Map<string, number[]>();

  private readonly faults = new Map<string, Fault[]>();
  private nextId = 1000;
  private server!: Server;
  private api!: OpenAPIBackend;
  url = '';

  private constructor(
    readonly owner: string,
    readonly repo: string,
  ) {}

  /** Starts a fake for one repository on 127.0.0.1 (a free port). */
  static async start(owner = 'acme', repo = 'gitops'): Promise<FakeGitHub> {
    const fake = new FakeGitHub(owner, repo);
    fake.api = await contract();
    fake.server = createServer((req, res) => {
      fake.handle(req, res).catch((err: unknown) => {
        fake.problems.push(`${req.method} ${req.url}: fake server error: ${(err as Error).message}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  /** Stops the server. */
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /**
   * A check run as GitHub returns it, created by the app `appSlug` (default: the token's, {@link appSlug}).
   * Tests add check runs written by someone else (another app, another workflow) with it.
   */
  checkRun(over: Json, appSlug = this.appSlug): Json {
    // The integration schema is nullable: sample it as the object it also is.
    const app = merge(sampleFromSchema({ ...resolveRef('#/components/schemas/integration'), nullable: false }) as Json, { slug: appSlug, name: appSlug });
    const id = this.id();
    return fixture('checks/create', { id, html_url: `https://github.test/${this.owner}/${this.repo}/runs/${id}`, app, ...over }, 201);
  }

  /** Queues a fault for the next request(s) of `operationId` (for example `pulls/get`). */
  fault(operationId: string, fault: Fault): void {
    this.faults.set(operationId, [...(this.faults.get(operationId) ?? []), fault]);
  }

  /** Requests of one operation. */
  calls(operationId: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operationId === operationId);
  }

  /** Allocates an id for a created object. */
  id(): number {
    return this.nextId++;
  }

  private takeFault(operationId: string | undefined, query: Record<string, string>): Fault | undefined {
    if (!operationId) return undefined;
    const queue = this.faults.get(operationId) ?? [];
    const i = queue.findIndex((f) => f.page === undefined || String(f.page) === (query.page ?? '1'));
    const f = queue[i];
    if (!f) return undefined;
    const left = (f.times ?? 1) - 1;
    if (left <= 0) queue.splice(i, 1);
    else queue[i] = { ...f, times: left };
    return f;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrived = performance.now();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const query = Object.fromEntries(url.searchParams.entries());
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
    const oreq = { method: req.method ?? 'GET', path: url.pathname, query, headers, body };
    const record: RecordedRequest = { method: oreq.method, path: url.pathname, query, status: 0, at: arrived, ...(body !== undefined ? { body } : {}) };
    this.requests.push(record);

    const send = (reply: Reply, truncate = false) => {
      record.status = truncate ? -2 : reply.status;
      const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
      this.rateLimitRemaining = Math.max(0, this.rateLimitRemaining - 1);
      res.writeHead(reply.status, {
        'content-type': 'application/json; charset=utf-8',
        'x-github-api-version-selected': '2022-11-28',
        'x-ratelimit-limit': '1000',
        'x-ratelimit-remaining': String(this.rateLimitRemaining),
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
        'x-ratelimit-resource': 'core',
        ...(reply.headers ?? {}),
      });
      if (!truncate) return void res.end(text);
      // Half the body, then a reset: the client must not take a cut-off body for an answer.
      res.write(text.slice(0, Math.floor(text.length / 2)), () => res.destroy());
    };

    const operation = this.api.matchOperation(oreq);
    if (!operation) {
      this.problems.push(`${oreq.method} ${url.pathname}: no such operation in the OpenAPI subset`);
      return send({ status: 404, body: { message: 'Not Found (fake: unknown route)', documentation_url: 'https://docs.github.com/rest' } });
    }
    record.operationId = operation.operationId!;
    const check = this.api.validateRequest(oreq, operation);
    if (!check.valid) {
      this.problems.push(`${oreq.method} ${url.pathname}: request does not match the OpenAPI description: ${JSON.stringify(check.errors)}`);
      return send({ status: 400, body: { message: 'Bad request (fake: OpenAPI validation)', documentation_url: 'https://docs.github.com/rest' } });
    }
    const limited = this.enforceRateLimit && this.rateLimitRemaining === 0 ? primaryRateLimit(403, 3600) : undefined;
    const fault = limited ?? this.takeFault(operation.operationId, query);
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.reset) {
      record.status = -1;
      req.socket.destroy();
      return;
    }
    if (fault?.status) {
      const reply: Reply = { status: fault.status, body: fault.body ?? { message: `fake fault ${fault.status}`, documentation_url: 'https://docs.github.com/rest' }, ...(fault.headers ? { headers: fault.headers } : {}) };
      this.validateResponse(operation, reply, `${oreq.method} ${url.pathname}`);
      return send(reply);
    }
    if (!headers.authorization || headers.authorization !== `token ${this.token}`) {
      return send({ status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' } });
    }
    if (this.readOnly && oreq.method.toUpperCase() !== 'GET') {
      const reply: Reply = { status: 403, body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest', status: '403' } };
      this.validateResponse(operation, reply, `${oreq.method} ${url.pathname}`);
      return send(reply);
    }
    const params = this.api.router.parseRequest(oreq, operation).params as Record<string, string>;
    const decoded = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, decodeURIComponent(v)]));
    let reply: Reply;
    try {
      reply = this.route(operation.operationId!, { params: decoded, query, body, path: url.pathname });
    } catch (err) {
      this.problems.push(`${oreq.method} ${url.pathname}: fake handler error: ${(err as Error).message}`);
      reply = { status: 500, body: { message: 'fake handler error' } };
    }
    this.validateResponse(operation, reply, `${oreq.method} ${url.pathname}`);
    send(reply, fault?.truncate);
  }

  /** Validates a response against the statuses the operation declares; undeclared error statuses (5xx outages) pass. */
  private validateResponse(operation: Operation, reply: Reply, what: string): void {
    const declared = Object.keys(operation.responses ?? {});
    if (!declared.includes(String(reply.status))) {
      if (reply.status < 400) this.problems.push(`${what}: status ${reply.status} is not a response GitHub declares (${declared.join(', ')})`);
      return;
    }
    if (reply.body === undefined && reply.status === 204) return; // No Content
    const result = this.api.validateResponse(reply.body, operation, reply.status);
    if (!result.valid) this.problems.push(`${what}: response ${reply.status} does not match the OpenAPI description: ${JSON.stringify(result.errors).slice(0, 2000)}`);
  }

  private notFound(): Reply {
    return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' } };
  }

  /** Pagination as GitHub does it: `per_page` (default 30, at most 100), `page` from 1, a `Link` header. */
  private page<T>(items: T[], ctx: HandlerContext): Reply {
    const perPage = Math.min(100, Math.max(1, Number(ctx.query.per_page ?? 30) || 30));
    const page = Math.max(1, Number(ctx.query.page ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const link = (p: number) => {
      const u = new URL(ctx.path, this.url);
      for (const [k, v] of Object.entries(ctx.query)) u.searchParams.set(k, v);
      u.searchParams.set('per_page', String(perPage));
      u.searchParams.set('page', String(p));
      return `<${u.toString()}>`;
    };
    const rels: string[] = [];
    if (page < last) rels.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
    if (page > 1) rels.push(`${link(1)}; rel="first"`, `${link(page - 1)}; rel="prev"`);
    return { status: 200, body: slice, ...(rels.length ? { headers: { link: rels.join(', ') } } : {}) };
  }

  private pullOf(ctx: HandlerContext): FakePull | undefined {
    if (ctx.params.owner !== this.owner || ctx.params.repo !== this.repo) return undefined;
    return this.pulls.get(Number(ctx.params.pull_number ?? ctx.params.issue_number));
  }

  private route(operationId: string, ctx: HandlerContext): Reply {
    const sameRepo = ctx.params.owner === this.owner && ctx.params.repo === this.repo;
    switch (operationId) {
      case 'pulls/get': {
        const p = this.pullOf(ctx);
        if (!p) return this.notFound();
        if (p.pushAfterReads && --p.pushAfterReads.reads < 0) {
          p.pull = merge(p.pull, { head: { sha: p.pushAfterReads.sha } });
          delete p.pushAfterReads;
        }
        return { status: 200, body: p.pull };
      }
      case 'pulls/list-files': {
        // GitHub: "Responses include a maximum of 3000 files"; the PR's `changed_files` still counts them all.
        const p = this.pullOf(ctx);
        return p ? this.page(p.files.slice(0, MAX_PULL_FILES), ctx) : this.notFound();
      }
      case 'pulls/list-commits': {
        // GitHub: "Lists a maximum of 250 commits for a pull request"; the PR's `commits` still counts them all.
        const p = this.pullOf(ctx);
        return p ? this.page(p.commits.slice(0, MAX_PULL_COMMITS), ctx) : this.notFound();
      }
      case 'repos/compare-commits-with-basehead':
        return this.compare(ctx);
      case 'pulls/list-reviews': {
        const p = this.pullOf(ctx);
        return p ? this.page(p.reviews, ctx) : this.notFound();
      }
      case 'repos/get-content': {
        const tree = sameRepo ? this.trees.get(ctx.query.ref ?? '') : undefined;
        const path = ctx.params.path!;
        if (!tree) return this.notFound();
        const target = this.links.get(ctx.query.ref ?? '')?.[path];
        if (target !== undefined) {
          const parts = path.split('/').slice(0, -1);
          let out = target.startsWith('/');
          for (const seg of target.split('/')) {
            if (seg === '..') out ||= parts.pop() === undefined;
            else if (seg && seg !== '.') parts.push(seg);
          }
          const to = parts.join('/');
          if (!out && tree[to] !== undefined && this.links.get(ctx.query.ref ?? '')?.[to] === undefined) {
            return { status: 200, body: this.contentFile(to, Buffer.from(tree[to])) };
          }
          return { status: 200, body: { ...this.contentLinks(path), type: 'symlink', target, size: Buffer.byteLength(target), name: path.split('/').pop(), path, sha: 'f'.repeat(40) } };
        }
        if (tree[path] !== undefined) {
          const content = Buffer.from(tree[path]);
          return { status: 200, body: this.contentFile(path, content) };
        }
        const prefix = `${path}/`;
        const children = Object.keys(tree).filter((p) => p.startsWith(prefix));
        if (!children.length) return this.notFound();
        const names = [...new Set(children.map((c) => c.slice(prefix.length).split('/')[0]!))];
        return {
          status: 200,
          body: names.map((n) => {
            const full = `${prefix}${n}`;
            const isFile = tree[full] !== undefined;
            return {
              ...this.contentLinks(full),
              type: isFile ? 'file' : 'dir',
              size: isFile ? Buffer.byteLength(tree[full]!) : 0,
              name: n,
              path: full,
              sha: 'f'.repeat(40),
            };
          }),
        };
      }
      case 'git/get-tree': {
        // A commit SHA names its root tree; a tree SHA (from an earlier listing) names a subtree.
        const asked = ctx.params.tree_sha!;
        const objects = sameRepo ? this.gitObjects() : undefined;
        const sha = this.trees.has(asked) ? objects?.roots.get(asked) : asked;
        const root = sha === undefined ? undefined : objects?.trees.get(sha);
        if (!root || !objects) return this.notFound();
        const recursive = ctx.query.recursive !== undefined;
        const entries: Json[] = [];
        const list = (tree: GitTreeEntry[], prefix: string): void => {
          for (const e of tree) {
            const path = prefix + e.name;
            const isTree = e.mode === '040000';
            entries.push({ path, mode: e.mode, type: isTree ? 'tree' : 'blob', sha: e.sha, ...(isTree ? {} : { size: objects.blobs.get(e.sha)!.length }), url: `${this.url}/repos/${this.owner}/${this.repo}/git/${isTree ? 'trees' : 'blobs'}/${e.sha}` });
            if (isTree && recursive) list(objects.trees.get(e.sha)!, `${path}/`);
          }
        };
        list(root, '');
        // GitHub truncates a recursive listing past its limits and says so; it sends the entries up to the cut.
        const truncated = recursive && this.truncatedTrees.has(asked);
        return { status: 200, body: { sha, url: `${this.url}/repos/${this.owner}/${this.repo}/git/trees/${sha}`, truncated, tree: truncated ? entries.slice(0, Math.ceil(entries.length / 2)) : entries } };
      }
      case 'git/get-blob': {
        const bytes = sameRepo ? this.gitObjects().blobs.get(ctx.params.file_sha!) : undefined;
        if (!bytes) return this.notFound();
        // GitHub sends base64 in lines of 60 characters.
        const content = (bytes.toString('base64').match(/.{1,60}/g) ?? []).join('\n') + (bytes.length ? '\n' : '');
        return { status: 200, body: { sha: ctx.params.file_sha, node_id: `B_${ctx.params.file_sha}`, size: bytes.length, url: `${this.url}/repos/${this.owner}/${this.repo}/git/blobs/${ctx.params.file_sha}`, content, encoding: 'base64' } };
      }
      case 'repos/get-collaborator-permission-level': {
        const p = sameRepo ? this.permissions.get(ctx.params.username!) : undefined;
        if (!p) return this.notFound();
        return { status: 200, body: { permission: p.permission, role_name: p.role_name, user: merge(simpleUser(ctx.params.username!), { role_name: p.role_name }) } };
      }
      case 'teams/list-members-in-org': {
        const members = ctx.params.org === this.owner ? this.teams.get(ctx.params.team_slug!) : undefined;
        if (!members) return this.notFound();
        return this.page(
          members.map((login) => fixture('teams/list-members-in-org', { login })),
          ctx,
        );
      }
      case 'issues/list-comments': {
        if (!this.pullOf(ctx)) return this.notFound();
        const n = Number(ctx.params.issue_number);
        return this.page(
          this.comments.filter((c) => (c.issue_url as string).endsWith(`/issues/${n}`)),
          ctx,
        );
      }
      case 'issues/list-events': {
        const p = this.pullOf(ctx);
        return p ? this.page(p.events ?? [], ctx) : this.notFound();
      }
      case 'issues/create-comment': {
        if (!this.pullOf(ctx)) return this.notFound();
        const id = this.id();
        const comment = fixture('issues/create-comment', {
          id,
          body: (ctx.body as Json).body,
          issue_url: `${this.url}/repos/${this.owner}/${this.repo}/issues/${ctx.params.issue_number}`,
          html_url: `https://github.test/${this.owner}/${this.repo}/pull/${ctx.params.issue_number}#issuecomment-${id}`,
          user: simpleUser('github-actions[bot]', 'Bot'),
        }, 201);
        this.comments.push(comment);
        return { status: 201, body: comment };
      }
      case 'issues/update-comment': {
        const c = sameRepo ? this.comments.find((x) => x.id === Number(ctx.params.comment_id)) : undefined;
        if (!c) return this.notFound();
        c.body = (ctx.body as Json).body;
        c.updated_at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        return { status: 200, body: c };
      }
      case 'issues/delete-comment': {
        const i = sameRepo ? this.comments.findIndex((x) => x.id === Number(ctx.params.comment_id)) : -1;
        if (i < 0) return this.notFound();
        this.comments.splice(i, 1);
        return { status: 204 };
      }
      case 'teams/get-membership-for-user-in-org': {
        const members = ctx.params.org === this.owner ? this.teams.get(ctx.params.team_slug!) : undefined;
        if (!members?.includes(ctx.params.username!)) return this.notFound();
        return { status: 200, body: { url: `${this.url}/x`, role: 'member', state: 'active' } };
      }
      case 'repos/create-commit-status': {
        if (!sameRepo) return this.notFound();
        const b = ctx.body as Json;
        const status = fixture('repos/create-commit-status', { id: this.id(), state: b.state, context: b.context ?? 'default', description: b.description ?? null, target_url: b.target_url ?? null }, 201);
        this.statuses.push({ sha: ctx.params.sha!, status });
        return { status: 201, body: status };
      }
      case 'checks/create': {
        if (!sameRepo) return this.notFound();
        const b = ctx.body as Json;
        const run = this.checkRun({
          name: b.name,
          head_sha: b.head_sha,
          status: b.status ?? 'queued',
          conclusion: b.conclusion ?? null,
          external_id: b.external_id ?? null,
          started_at: b.started_at ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
          completed_at: b.completed_at ?? null,
          output: { ...(b.output as Json | undefined) },
        });
        this.checkRuns.push(run);
        return { status: 201, body: run };
      }
      case 'checks/list-for-ref': {
        if (!sameRepo) return this.notFound();
        let runs = this.checkRuns.filter((r) => r.head_sha === ctx.params.ref && (ctx.query.check_name === undefined || r.name === ctx.query.check_name));
        // filter=latest (the default): the most recent run of each name.
        if ((ctx.query.filter ?? 'latest') === 'latest') runs = runs.filter((r) => !runs.some((o) => o.name === r.name && (o.id as number) > (r.id as number)));
        const page = this.page(runs, ctx);
        return { ...page, body: { total_count: runs.length, check_runs: page.body } };
      }
      case 'checks/update': {
        const run = sameRepo ? this.checkRuns.find((r) => r.id === Number(ctx.params.check_run_id)) : undefined;
        if (!run) return this.notFound();
        Object.assign(run, merge(run, ctx.body));
        return { status: 200, body: run };
      }
      case 'pulls/list': {
        if (!sameRepo) return this.notFound();
        const state = ctx.query.state ?? 'open';
        const list = [...this.pulls.values()]
          .map((p) => p.pull)
          .filter((p) => (state === 'all' || p.state === state) && (!ctx.query.base || (p.base as Json).ref === ctx.query.base))
          .sort((a, b) => (ctx.query.sort === 'updated' ? String(b.updated_at).localeCompare(String(a.updated_at)) : Number(b.number) - Number(a.number)));
        if (ctx.query.direction === 'asc') list.reverse();
        return this.page(list.map((p) => this.simplePull(p)), ctx);
      }
      case 'repos/list-pull-requests-associated-with-commit': {
        if (!sameRepo) return this.notFound();
        const sha = ctx.params.commit_sha!;
        const numbers = new Set(this.commitPulls.get(sha) ?? []);
        for (const [n, p] of this.pulls) if (p.pull.merge_commit_sha === sha || p.commits.some((c) => c.sha === sha)) numbers.add(n);
        return this.page([...numbers].sort((a, b) => a - b).map((n) => this.simplePull(this.pulls.get(n)!.pull)), ctx);
      }
      case 'issues/list-comments-for-repo': {
        if (!sameRepo) return this.notFound();
        const since = ctx.query.since;
        const list = this.comments.filter((c) => !since || String(c.updated_at) >= since).sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)) || Number(a.id) - Number(b.id));
        if (ctx.query.direction === 'desc') list.reverse();
        return this.page(list, ctx);
      }
      default:
        return { status: 501, body: { message: `fake: no handler for ${operationId}` } };
    }
  }

  /**
   * The git objects of {@link trees} (and {@link links}) as git hashes them: blobs by id, trees (entries
   * sorted as git sorts them, mode `040000` for a subtree) by id, and each commit's root tree. Built on each
   * request, since tests edit `trees` in place.
   */
  private gitObjects(): { blobs: Map<string, Buffer>; trees: Map<string, GitTreeEntry[]>; roots: Map<string, string> } {
    const blobs = new Map<string, Buffer>();
    const trees = new Map<string, GitTreeEntry[]>();
    const roots = new Map<string, string>();
    const hash = (type: string, body: Buffer): string => createHash('sha1').update(`${type} ${body.length}\0`).update(body).digest('hex');
    type Dir = Map<string, Dir | { mode: string; sha: string }>;
    const write = (dir: Dir): string => {
      const entries: GitTreeEntry[] = [...dir].map(([name, v]) => (v instanceof Map ? { name, mode: '040000', sha: write(v) } : { name, ...v }));
      // git orders a subtree's name as if it ended in "/".
      const key = (e: GitTreeEntry) => Buffer.from(e.mode === '040000' ? `${e.name}/` : e.name);
      entries.sort((a, b) => Buffer.compare(key(a), key(b)));
      const body = Buffer.concat(entries.flatMap((e) => [Buffer.from(`${e.mode === '040000' ? '40000' : e.mode} ${e.name}\0`), Buffer.from(e.sha, 'hex')]));
      const sha = hash('tree', body);
      trees.set(sha, entries);
      return sha;
    };
    for (const [commit, files] of this.trees) {
      const root: Dir = new Map();
      for (const [path, text] of Object.entries(files)) {
        const bytes = Buffer.from(text);
        const sha = hash('blob', bytes);
        blobs.set(sha, bytes);
        const parts = path.split('/');
        let dir = root;
        for (const part of parts.slice(0, -1)) {
          let next = dir.get(part);
          if (!(next instanceof Map)) dir.set(part, (next = new Map()));
          dir = next;
        }
        dir.set(parts.at(-1)!, { mode: this.links.get(commit)?.[path] !== undefined ? '120000' : '100644', sha });
      }
      roots.set(commit, write(root));
    }
    return { blobs, trees, roots };
  }

  /** A stored pull request (`pulls/get` shape) as list endpoints return it (`pull-request-simple`). */
  private simplePull(p: Json): Json {
    const keep = ['id', 'number', 'state', 'locked', 'title', 'body', 'user', 'html_url', 'url', 'labels', 'head', 'base', 'merged_at', 'merge_commit_sha', 'created_at', 'updated_at', 'closed_at', 'draft', 'author_association'];
    return fixture('pulls/list', Object.fromEntries(keep.filter((k) => k in p).map((k) => [k, p[k]])));
  }

  /**
   * `GET /repos/{o}/{r}/compare/{BASE...HEAD}` for a scripted pull request's base and head SHAs, as GitHub
   * documents it: the commits of `git log BASE..HEAD`, oldest first. Without `page` or `per_page` at most
   * 250, the last being the newest; with either, pages (default 30, at most 100) from the oldest, with a
   * `Link` header. The changed files come with page 1 only (here: none, since the Action never reads them).
   */
  private compare(ctx: HandlerContext): Reply {
    const sameRepo = ctx.params.owner === this.owner && ctx.params.repo === this.repo;
    const [base, head, extra] = (ctx.params.basehead ?? '').split('...');
    const p = sameRepo && extra === undefined ? [...this.pulls.values()].find((x) => (x.pull.base as Json).sha === base && (x.pull.head as Json).sha === head) : undefined;
    if (!p) return this.notFound();
    const body = (commits: Json[]): Json =>
      fixture('repos/compare-commits-with-basehead', {
        url: `${this.url}${ctx.path}`,
        status: 'ahead',
        ahead_by: p.commits.length,
        behind_by: 0,
        total_commits: p.commits.length,
        commits,
        merge_base_commit: { sha: p.mergeBase ?? base },
      });
    if (ctx.query.page === undefined && ctx.query.per_page === undefined) return { status: 200, body: body(p.commits.slice(-MAX_PULL_COMMITS)) };
    const paged = this.page(p.commits, ctx);
    return { ...paged, body: body(paged.body as Json[]) };
  }

  private contentLinks(path: string): Json {
    const api = `${this.url}/repos/${this.owner}/${this.repo}/contents/${path}`;
    const html = `https://github.test/${this.owner}/${this.repo}/blob/main/${path}`;
    return { url: api, git_url: `${this.url}/x`, html_url: html, download_url: `https://github.test/raw/${path}`, _links: { self: api, git: `${this.url}/x`, html } };
  }

  /** A file as the contents API returns it; over 1 MB, GitHub sends no content (encoding `none`). */
  private contentFile(path: string, content: Buffer): Json {
    const inline = content.length <= 1024 * 1024;
    return {
      ...this.contentLinks(path),
      type: 'file',
      encoding: inline ? 'base64' : 'none',
      size: content.length,
      name: path.split('/').pop(),
      path,
      content: inline ? content.toString('base64') : '',
      sha: 'f'.repeat(40),
    };
  }
}
