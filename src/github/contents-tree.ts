/**
 * A {@link TreeReader} over one commit of the repository on GitHub, for the base side when git cannot bring
 * the base commit into the workspace clone (`actions/checkout` fetches one commit by default, and a
 * `git fetch` of the base may be refused, for example with `persist-credentials: false`).
 *
 * The commit is read through the git database API, within a request budget ({@link GitHubObjects}):
 * - the file list, with each file's blob id, from one `GET /repos/{o}/{r}/git/trees/{sha}?recursive=1`.
 *   When GitHub truncates it (over 100,000 entries or 7 MB), the gate trusts none of it and walks the
 *   tree instead: the root without `recursive`, then each subtree with it (and a truncated subtree again
 *   without), so the list is whole or the read fails;
 * - a file's bytes by its blob id: from the workspace clone when it holds that blob (every file the head
 *   shares with the base: a blob id names its content), else `GET /repos/{o}/{r}/git/blobs/{sha}`.
 *
 * A one-file change thus costs two requests (the tree, the one changed blob) whatever the repository's size.
 * Symbolic links (mode 120000) are blobs holding the target, resolved within the commit as the git reader
 * resolves them (see src/sources/symlinks.ts).
 */
import { SourceError } from '../core/errors.js';
import type { SymlinkInfo, TreeReader } from '../core/model.js';
import { readBlobsPresent } from '../sources/git.js';
import { pathFromBytes } from '../sources/path-bytes.js';
import { resolveAll } from '../sources/symlinks.js';
import { apiError } from './api-errors.js';
import type { GitHubClient } from './client.js';

const CONTENTS_PERMISSION = 'contents: read';

/**
 * Default of the `api-request-budget` input: the most API requests the gate spends reading base commits
 * through the git database API. A one-file pull request needs 2; GITHUB_TOKEN gets 1,000 an hour per repository.
 */
export const DEFAULT_API_REQUEST_BUDGET = 200;

/** Blobs fetched at once (GitHub's secondary limits punish bursts; the client has no queue of its own for reads). */
const BLOB_CONCURRENCY = 8;

/** Git's mode of a symbolic link. */
const LINK_MODE = '120000';

/** One entry of a git tree as the git trees API lists it. */
interface TreeEntry {
  path?: string;
  mode?: string;
  type?: string;
  sha?: string;
}

/** Where the objects come from, and what reading them may cost. */
export interface GitHubObjectsOptions {
  /** The workspace clone: blobs it holds are read from it, never from the API. */
  workspace: string;
  /** Most API requests {@link GitHubObjects} may make in all. Default {@link DEFAULT_API_REQUEST_BUDGET}. */
  budget?: number;
  /** Name of the setting that sets the budget, for messages. Default `api-request-budget`. */
  budgetName?: string;
}

/**
 * Git objects of one repository through GitHub's git database API, with a request budget shared by
 * every tree read through it (the base tip and the merge base of one run), and a blob cache by id.
 */
export class GitHubObjects {
  /** API requests spent so far (each a `git/trees` or `git/blobs` read; retries are the client's). */
  used = 0;
  readonly budget: number;
  private readonly budgetName: string;
  private readonly blobs = new Map<string, Promise<Uint8Array>>();

  constructor(
    private readonly gh: GitHubClient,
    readonly owner: string,
    readonly repo: string,
    private readonly opts: GitHubObjectsOptions,
  ) {
    this.budget = opts.budget ?? DEFAULT_API_REQUEST_BUDGET;
    this.budgetName = opts.budgetName ?? 'api-request-budget';
  }

  /**
   * Reserves `n` requests before any is sent, so a read over the budget sends none of them.
   * @throws {SourceError} naming the budget, the requests needed and how to avoid them (`fetch-depth: 0`)
   */
  spend(n: number, what: string): void {
    if (this.used + n <= this.budget) {
      this.used += n;
      return;
    }
    throw new SourceError(
      `Reading the base through the GitHub API would take more than the ${this.budget} requests of the \`${this.budgetName}\` input ` +
        `(${this.used} spent, ${n} more needed for ${what}), so the gate stops before spending the token's rate limit and fails closed. ` +
        'Check out the full history (actions/checkout with `fetch-depth: 0`) so the gate reads the base with git at no API cost, ' +
        `or raise \`${this.budgetName}\`.`,
    );
  }

  /**
   * The entries of a tree (a commit SHA names its root tree), recursive or not.
   * @throws {SourceError} naming `contents: read` when GitHub refuses, and over the budget
   */
  async tree(sha: string, recursive: boolean, what: string): Promise<{ entries: TreeEntry[]; truncated: boolean }> {
    this.spend(1, what);
    try {
      const { data } = await this.gh.rest.git.getTree({ owner: this.owner, repo: this.repo, tree_sha: sha, ...(recursive ? { recursive: '1' } : {}) });
      return { entries: data.tree, truncated: data.truncated };
    } catch (err) {
      throw apiError(err, { what, permission: CONTENTS_PERMISSION });
    }
  }

  /**
   * Blobs by id: from the workspace clone when it holds them, the others through `git/blobs`, each once.
   * @param label the commit being read, for messages
   * @throws {SourceError} when the blobs to fetch would exceed the budget (nothing is sent then), or GitHub
   * refuses a read
   */
  async read(ids: readonly string[], label: string): Promise<Map<string, Uint8Array>> {
    const fresh = [...new Set(ids)].filter((id) => !this.blobs.has(id));
    if (fresh.length) {
      const local = await readBlobsPresent(this.opts.workspace, fresh);
      const remote = fresh.filter((id) => !local.has(id));
      this.spend(remote.length, `${remote.length} file(s) of ${label} the clone does not hold`);
      for (const [id, bytes] of local) this.blobs.set(id, Promise.resolve(bytes));
      const queue = [...remote];
      const pending = new Map(remote.map((id) => [id, deferred<Uint8Array>()] as const));
      for (const [id, p] of pending) {
        this.blobs.set(id, p.promise);
        p.promise.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
      }
      const worker = async (): Promise<void> => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
          const p = pending.get(id)!;
          try {
            p.resolve(await this.fetchBlob(id, label));
          } catch (err) {
            p.reject(err);
            for (const rest of queue.splice(0)) pending.get(rest)!.reject(err); // stop at the first failure (a rate limit above all)
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(BLOB_CONCURRENCY, remote.length) }, worker));
    }
    const out = new Map<string, Uint8Array>();
    for (const id of new Set(ids)) out.set(id, await this.blobs.get(id)!);
    return out;
  }

  private async fetchBlob(id: string, label: string): Promise<Uint8Array> {
    let data;
    try {
      ({ data } = await this.gh.rest.git.getBlob({ owner: this.owner, repo: this.repo, file_sha: id }));
    } catch (err) {
      throw apiError(err, { what: `reading blob ${id.slice(0, 12)} of ${label}`, permission: CONTENTS_PERMISSION });
    }
    if (data.encoding === 'base64') return new Uint8Array(Buffer.from(data.content, 'base64'));
    if (data.encoding === 'utf-8' || data.encoding === 'utf8') return new Uint8Array(Buffer.from(data.content, 'utf8'));
    throw new SourceError(`GitHub sent blob ${id} of ${label} in an unknown encoding "${data.encoding}": the gate cannot read it, so it fails closed.`);
  }
}

/** A promise with its settle functions (Promise.withResolvers needs Node 22). */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A commit as listed: blob ids by path, and the links to resolve. */
interface Listing {
  /** Every blob path (links included), sorted. */
  paths: string[];
  /** Blob ids of the files that are not links. */
  files: Map<string, string>;
  /** Blob ids of the symbolic links. */
  links: Map<string, string>;
}

/** Reads one commit through the git trees and blobs APIs (see the file's header). */
export class ContentsTree implements TreeReader {
  private list?: Promise<Listing>;
  private resolved?: Promise<Map<string, SymlinkInfo>>;

  constructor(
    private readonly objects: GitHubObjects,
    /** The commit SHA. */
    readonly label: string,
  ) {}

  /**
   * A file's bytes: a file's content, or the content of the file a symbolic link leads to within the commit;
   * `undefined` for a directory, a submodule, a missing path or a link that leads to no file.
   * @throws {SourceError} as {@link listFiles}, over the request budget, or when GitHub refuses a blob
   */
  async readFile(path: string): Promise<Uint8Array | undefined> {
    return (await this.readFiles([path])).get(path);
  }

  /** Many files at once: one budget check and one `git cat-file` for the lot. @throws {SourceError} as {@link readFile} */
  async readFiles(paths: readonly string[]): Promise<Map<string, Uint8Array | undefined>> {
    const { files, links } = await this.listing();
    const resolved = paths.some((p) => links.has(p)) ? await this.linkIndex() : undefined;
    const ids = new Map<string, string | undefined>();
    for (const p of paths) ids.set(p, links.has(p) ? files.get(resolved!.get(p)?.resolved ?? '') : files.get(p));
    const blobs = await this.objects.read([...ids.values()].filter((id): id is string => id !== undefined), this.label);
    return new Map([...ids].map(([p, id]) => [p, id === undefined ? undefined : blobs.get(id)]));
  }

  /**
   * Every blob path of the commit (links included), sorted.
   * @throws {SourceError} naming `contents: read` when GitHub refuses, and over the request budget
   */
  async listFiles(): Promise<string[]> {
    return (await this.listing()).paths;
  }

  /** The commit's symbolic links, resolved within it. @throws {SourceError} as {@link readFile} */
  async symlinks(): Promise<SymlinkInfo[]> {
    return [...(await this.linkIndex()).values()];
  }

  private linkIndex(): Promise<Map<string, SymlinkInfo>> {
    this.resolved ??= (async () => {
      const { paths, links } = await this.listing();
      if (!links.size) return new Map();
      const targets = await this.objects.read([...links.values()], this.label);
      const texts = new Map([...links].map(([p, id]) => [p, pathFromBytes(Buffer.from(targets.get(id)!))]));
      return new Map(resolveAll(paths.filter((p) => !links.has(p)), texts).map((l) => [l.path, l]));
    })();
    return this.resolved;
  }

  private listing(): Promise<Listing> {
    this.list ??= (async () => {
      const entries = await this.walk(this.label, '', true);
      const files = new Map<string, string>();
      const links = new Map<string, string>();
      for (const e of entries) {
        if (e.type !== 'blob' || !e.path || !e.sha) continue; // trees are walked; commits are submodules
        (e.mode === LINK_MODE ? links : files).set(e.path, e.sha);
      }
      const paths = [...files.keys(), ...links.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return { paths, files, links };
    })();
    return this.list;
  }

  /**
   * The entries under the tree `sha` (paths prefixed with `prefix`): one recursive read, or, when GitHub
   * truncates it, a read without `recursive` and a recursive read of each subtree in turn.
   */
  private async walk(sha: string, prefix: string, recursive: boolean): Promise<TreeEntry[]> {
    const where = prefix ? `${prefix.slice(0, -1)} at ${this.label}` : `the files of ${this.label}`;
    const got = await this.objects.tree(sha, recursive, `listing ${where} (git trees)`);
    if (got.truncated && recursive) return this.walk(sha, prefix, false);
    if (got.truncated) {
      throw new SourceError(
        `GitHub truncated the listing of ${where} even without recursion: the file list would be incomplete, so the gate fails closed. ` +
          'Check out the full history (actions/checkout with `fetch-depth: 0`) so the gate reads the base with git.',
      );
    }
    const out: TreeEntry[] = [];
    for (const e of got.entries) {
      if (!e.path) continue;
      const entry = { ...e, path: prefix + e.path };
      out.push(entry);
      if (!recursive && e.type === 'tree' && e.sha) out.push(...(await this.walk(e.sha, `${entry.path}/`, true)));
    }
    return out;
  }
}
